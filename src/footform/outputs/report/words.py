"""The reports' words: camera views, events, reasons, what a view cannot measure, program targets.

Plain text only (the templates escape and mark it up).  What a camera view cannot measure follows
docs/metrics.md "Camera view"; the share of a heel raise the pose model sees follows docs/metrics.md
"What the pose model sees of a heel raise" (measured on renders).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from footform.core.numeric import finite
from footform.exercises.calf_raise import HEEL_REPORTED_SHARE

VIEW_NAMES = {"front": "from the front", "back": "from behind", "side": "from the side", "side-left": "from the left side",
              "side-right": "from the right side", "unknown": "unknown (changing or unclear)"}
#: The share of a real heel raise the pose model reports, by view family: the analysis' own table.
HEEL_SHARE = HEEL_REPORTED_SHARE
EVENT_WORDS = {
    "partial_rep": "partial rep, not counted",
    "rep_aborted": "rep abandoned",
    "rep_incomplete": "rep still in progress when the recording ended",
    "brief_lift": "foot lifted briefly (shorter than a hold)",
    "touch_down": "lifted foot touched down during a hold",
    "brief_stretch": "in the stretch position only briefly (under 3 s, not a hold)",
    "half_pump": "half a pump: toes pointed or pulled up, not both, so not counted",
}
REASON_WORDS = {
    "too_low": "too low", "too_short": "too short", "too_low_for_set": "much lower than the set's other reps",
    "cut": "the camera or the person jumped", "tracking_lost": "the feet were lost from view",
    "stance_changed": "the standing leg changed", "too_long": "longer than a rep can be",
    "end_of_video": "the recording ended",
    "free_leg_moving": "the free leg was swinging (not a raise)", "body_not_rising": "only the feet moved, the body did not rise",
}
ENDED_BY_WORDS = {"touch_down": "foot down", "end_of_video": "recording ended", "tracking_lost": "feet lost from view",
                  "cut": "camera jumped", "came_out": "came out"}
PAUSE_REASON_WORDS = {"heel_lift": "heel up", "knee_bend": "knee bent"}


def not_measurable(fam: str, exercise: str) -> list[str]:
    """The :data:`NOT_MEASURABLE` items that concern this exercise."""
    items = NOT_MEASURABLE[fam]
    if fam == "unknown":
        return items
    if exercise == "single_leg_stance":
        return [i for i in items if "raise" not in i and "heel height" not in i]
    if exercise == "calf_raise":
        return [i for i in items if "sway" not in i and "wobble" not in i]
    return items


def view_family(view: str | None) -> str:
    """The camera view's family: "front", "back", "side" (either side) or "unknown"."""
    v = (view or "unknown").lower()
    if v.startswith("side"):
        return "side"
    return v if v in ("front", "back") else "unknown"


#: Metrics that a camera view cannot measure (docs/metrics.md "Camera view").
NOT_MEASURABLE = {
    "side": ["heel–toe alignment (heel drifting in or out, 'sickling')", "arch-collapse (pronation) proxy",
             "knee valgus, pelvic drop and sideways trunk lean", "medio-lateral sway (only the noisier depth estimate)",
             "ankle wobble (a frontal-plane angle)"],
    "front": ["knee bend during the raise and forward lean (weak from the front)",
              "heel height directly (from the front the rise of the whole body is measured instead)",
              "antero-posterior sway (only the noisier depth estimate)"],
    "back": ["knee bend during the raise and forward lean (weak from behind)",
             "antero-posterior sway (only the noisier depth estimate)"],
    "unknown": [("the camera view was unclear or changed, so view-dependent figures (alignment, wobble, the sway "
                 "axes) may be missing or mixed")],
}


#: Program targets in words: key → (template, shown for these exercises or all).  A target without
#: a value (``None``) is left out; the exercise itself is the report's title, so it is not repeated.
TARGET_WORDS: dict[str, str] = {     # in this order (the store keeps the keys sorted)
    "sets": "{v:.0f} sets",
    "reps": "{v:.0f} reps per set",
    "hold_s": "hold {v:.0f} s per leg",
    "rest_s": "rest {v:.0f} s between sets",
    "metronome_bpm": "metronome at {v:.0f} beats per minute",
}
TARGET_UNITS = (("_bpm", "beats per minute"), ("_s", "s"), ("_deg", "°"), ("_pct", "%"), ("_per_min", "per minute"))


def targets_words(targets: Mapping[str, Any], exercise: str | None = None) -> str:
    """``{"exercise": …, "sets": 3, "hold_s": 30.0, "metronome_bpm": None}`` → ``3 sets, hold 30 s per leg``."""
    words = dict(TARGET_WORDS)
    if exercise == "ankle_pumps":
        words["reps"] = "{v:.0f} pumps of each foot per set"
    elif exercise == "calf_stretch":
        words["hold_s"] = "stretch {v:.0f} s per leg in good form"
    out = []
    order = list(TARGET_WORDS)
    for k, v in sorted(targets.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])):
        if k == "exercise" or v is None or v == "":
            continue
        x = finite(v)
        if k in words and x is not None:
            out.append("1 set" if k == "sets" and x == 1 else words[k].format(v=x))
            continue
        name, unit = k, ""
        for suffix, u in TARGET_UNITS:
            if k.endswith(suffix):
                name, unit = k[: -len(suffix)], u
                break
        val = (f"{x:g}" if x is not None else str(v)) + (f" {unit}" if unit else "")
        out.append(f"{name.replace('_', ' ')} {val}")
    return ", ".join(out)


__all__ = ["ENDED_BY_WORDS", "EVENT_WORDS", "HEEL_SHARE", "NOT_MEASURABLE", "PAUSE_REASON_WORDS", "REASON_WORDS",
           "TARGET_WORDS", "VIEW_NAMES", "not_measurable", "targets_words", "view_family"]
