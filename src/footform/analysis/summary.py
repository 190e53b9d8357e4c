"""The analysis summary: dataclasses, ``to_dict()``, JSON/CSV writers and the CLI table.

Schema ``footform.summary/1`` — every field with its unit in docs/summary-schema.md.  Heights and
sway are in **FL** (foot lengths, estimated from the shank: see kinematics.py) and in cm when the
person's height was given (estimates); times in seconds on the source clock.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from footform.core.view import ViewSummary, view_family
from footform.errors import OutputError, os_reason
from footform.exercises import registry

if TYPE_CHECKING:  # pragma: no cover
    from footform.core.kinematics import Kinematics
    from footform.core.landmarks import PoseFrame
    from footform.exercises.calf_raise import CalfRaiseCounter, Rep
    from footform.exercises.single_leg_stance import Hold, SingleLegStance

SCHEMA = "footform.summary/1"

#: Share of the true heel raise MediaPipe reports, by view (measured on rendered people with known
#: heel height; see docs/metrics.md "What the pose model sees of a heel raise").  Front and back:
#: heel-above-toe barely changes, the body's rise in the image is used (back: 0.70–1.01 of the
#: heel height on the rendered rear sample, shipped and re-encoded at 480–640 px, issue #18).
HEEL_REPORTED_SHARE = {"side": "~83 %", "back": "70–100 %, from the body's rise in the image",
                       "front": "heel barely; reps from the body rise",
                       "unknown": "52–83 % depending on view"}

#: Fewer usable frames than this (or than this share of the frames with a person) → not analysable.
MIN_FEET_FRAMES = 10
MIN_FEET_SHARE = 0.05
#: Warn that the leg tracking is unreliable when at least this share of the frames with a person
#: has implausible leg geometry (kinematics.KinematicsEstimator.leg_problem).  Measured: 0–0.3 %
#: on four full-body real clips (shared/footage; knee raises, leg swings, seated, squat) and 0 % on
#: the rendered samples, 3.2 % (default confidences) to 5.1 % (confidences 0.2) on the rear
#: waist-down dumbbell clip.  The check sees only part of the bad frames there (see docs/metrics.md).
IMPLAUSIBLE_WARN_SHARE = 0.02


@dataclass
class Quality:
    """Counts of what the pose stage delivered (frames) and over what time."""

    frames: int = 0
    frames_with_person: int = 0
    frames_feet_visible: int = 0
    frames_multiple_people: int = 0
    cuts: int = 0
    frames_legs_implausible: int = 0
    implausible_reasons: dict[str, int] = field(default_factory=dict)
    t_first: float | None = None
    t_last: float | None = None
    feet_visible_s: float = 0.0
    _t_prev_feet: float | None = field(default=None, repr=False)

    def update(self, frame: PoseFrame, k: Kinematics) -> None:
        self.frames += 1
        if self.t_first is None:
            self.t_first = frame.t_s
        self.t_last = frame.t_s
        if frame.has_person:
            self.frames_with_person += 1
        if frame.n_people > 1:
            self.frames_multiple_people += 1
        if k.cut:
            self.cuts += 1
        problem = getattr(k, "implausible", "")
        if problem:
            self.frames_legs_implausible += 1
            self.implausible_reasons[problem] = self.implausible_reasons.get(problem, 0) + 1
        if k.feet_ok:
            self.frames_feet_visible += 1
            if self._t_prev_feet is not None:
                self.feet_visible_s += min(frame.t_s - self._t_prev_feet, 0.2)
            self._t_prev_feet = frame.t_s
        else:
            self._t_prev_feet = None

    @property
    def duration_s(self) -> float:
        return 0.0 if self.t_first is None or self.t_last is None else self.t_last - self.t_first

    def to_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "frames_with_person": self.frames_with_person,
                "frames_feet_visible": self.frames_feet_visible, "frames_multiple_people": self.frames_multiple_people,
                "cuts_detected": self.cuts, "frames_legs_implausible": self.frames_legs_implausible,
                "duration_s": round(self.duration_s, 3)}


@dataclass
class Summary:
    """Everything one analysis found; :meth:`to_dict` is the JSON document."""

    exercise: str
    view: str
    view_share: float
    analysable: bool
    reason: str | None
    quality: Quality
    reps: list[dict[str, Any]] = field(default_factory=list)
    set_stats: dict[str, Any] = field(default_factory=dict)
    holds: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    height_cm: float | None = None
    live: bool = False
    #: Flags of the feedback rules (``Flag.to_dict()``) and the rules the view could not judge.
    flags: list[dict[str, Any]] = field(default_factory=list)
    not_measurable: list[str] = field(default_factory=list)
    #: ``--exercise auto`` only: what was chosen, the scores, runner-up and confidence
    #: (``exercises.choose.ExerciseChoice.to_dict()``); None when the exercise was given.
    exercise_choice: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "exercise": self.exercise,
            "exercise_choice": self.exercise_choice,
            "view": self.view,
            "view_share": round(self.view_share, 3),
            "analysable": self.analysable,
            "reason": self.reason,
            "height_cm": self.height_cm,
            "mode": "live" if self.live else "offline",
            "units": {"length": "FL = foot length, estimated as 0.618 × shank length (Drillis–Contini)",
                      "time": "s", "angle": "deg", "*_cm": "centimetres, from height_cm (estimate)"},
            "quality": self.quality.to_dict(),
            "reps": self.reps,
            "set": self.set_stats,
            "holds": self.holds,
            "events": self.events,
            "flags": self.flags,
            "not_measurable": self.not_measurable,
            "warnings": self.warnings,
        }


def _r(x: Any, nd: int = 3) -> Any:
    if x is None:
        return None
    if isinstance(x, float):
        return None if not math.isfinite(x) else round(x, nd)
    return x


def _set_stats(reps: list[dict[str, Any]]) -> dict[str, Any]:
    if not reps:
        return {"reps": 0}
    peaks = np.array([r["peak_lift"] for r in reps], float)
    tops = np.array([r["t_top"] for r in reps], float)
    out: dict[str, Any] = {"reps": len(reps), "mean_peak_lift": _r(float(peaks.mean()), 4)}
    if len(reps) >= 3:
        third = max(1, len(reps) // 3)
        first, last = peaks[:third].mean(), peaks[-third:].mean()
        out["peak_decline_pct"] = _r(float((first - last) / first * 100.0), 1)
        slope = float(np.polyfit(np.arange(len(peaks)), peaks, 1)[0])
        out["peak_slope_per_rep"] = _r(slope, 5)
    else:
        out["peak_decline_pct"] = None
        out["peak_slope_per_rep"] = None
    out["cadence_per_min"] = _r(float((len(tops) - 1) / (tops[-1] - tops[0]) * 60.0), 1) if len(tops) >= 2 and tops[-1] > tops[0] else None
    lower_ok = [r["lower_s"] >= r["rise_s"] for r in reps]
    out["controlled_lowering_share"] = _r(float(np.mean(lower_ok)), 3)
    by_side = {s: [r for r in reps if r["side"] == s] for s in ("both", "left", "right")}
    out["reps_by_side"] = {s: len(v) for s, v in by_side.items()}
    if by_side["left"] and by_side["right"]:
        ml = float(np.mean([r["peak_lift"] for r in by_side["left"]]))
        mr = float(np.mean([r["peak_lift"] for r in by_side["right"]]))
        out["left_right_peak_diff_pct"] = _r((ml - mr) / (0.5 * (ml + mr)) * 100.0, 1)
    else:
        out["left_right_peak_diff_pct"] = None
    return out


def calf_rep_row(r: Rep) -> dict[str, Any]:
    """One calf-raise rep as a summary row (times in s, ``peak_lift`` in FL, ``peak_lift_cm`` in cm)."""
    return {"index": r.index, "side": r.side, "t_start": _r(r.t_start), "t_top": _r(r.t_top),
            "t_end": _r(r.t_end), "peak_lift": _r(r.peak_lift, 4), "peak_lift_cm": _r(r.peak_lift_cm, 2),
            "rise_s": _r(r.rise_s), "top_s": _r(r.top_s), "lower_s": _r(r.lower_s), "heel_in": r.heel_in}


def stance_hold_row(h: Hold, index: int) -> dict[str, Any]:
    """One single-leg hold as a summary row (times in s; sway, wobble and noise floor as measured)."""
    return {"index": index, "stance_side": h.stance_side, "t_start": _r(h.t_start), "t_end": _r(h.t_end),
            "duration_s": _r(h.duration_s), "ended_by": h.ended_by, "touchdowns": h.touchdowns,
            "sway": h.sway, "ankle_wobble": h.wobble, "noise_floor": h.noise_floor}


def build_summary(exercise: str, views: ViewSummary, quality: Quality, calf: CalfRaiseCounter,
                  sls: SingleLegStance, height_cm: float | None = None, live: bool = False,
                  automatic: bool = False) -> Summary:
    """Assemble the :class:`Summary` from the finished state machines.

    ``height_cm``: the person's, if known; ``automatic``: the exercise was chosen by ``auto`` (an
    unanalysable recording is then filed as ``unknown``, never as the chooser's fallback).
    """
    warnings: list[str] = []
    reason = None
    if quality.frames == 0:
        reason = "The input has no frames."
    elif quality.frames == 1:
        reason = "The input is a single picture, not a video: footform needs a recording of the exercise."
    elif quality.frames_with_person == 0:
        reason = "No person was found in the footage."
    elif quality.frames_feet_visible < max(MIN_FEET_FRAMES, MIN_FEET_SHARE * quality.frames_with_person):
        reason = ("The feet are not visible: a person was found but their ankles, heels and toes were not tracked; "
                  "film the whole body, feet included.")
    analysable = reason is None
    if reason:
        warnings.append(reason)
        if automatic:
            exercise = "unknown"  # nothing was seen to tell the exercise by: never file it as a calf raise
    if quality.frames_with_person and quality.frames_with_person < 0.5 * quality.frames:
        warnings.append(f"The person was found on only {quality.frames_with_person} of {quality.frames} frames.")
    if quality.frames_with_person and quality.frames_legs_implausible >= IMPLAUSIBLE_WARN_SHARE * quality.frames_with_person:
        pct = 100.0 * quality.frames_legs_implausible / quality.frames_with_person
        why = {"shank_ratio": "left and right shanks of very different length",
               "foot_jump": "a foot jumping onto the other leg"}
        detail = ", ".join(f"{why.get(r, r)} on {n}" for r, n in sorted(quality.implausible_reasons.items(), key=lambda x: -x[1]))
        warnings.append(f"Tracking of the legs is unreliable on {pct:.0f} % of the frames with a person ({detail}); "
                        "those frames were not measured and counts and heights may be wrong. The pose model tracks "
                        "legs poorly without the upper body in view: film the whole body, feet included, on a still camera.")
    if quality.frames_multiple_people:
        warnings.append(f"More than one person was seen on {quality.frames_multiple_people} frames; the tracked person was followed.")
    fam = view_family(views.view)
    rise_mode = calf.rise_mode
    if exercise == "calf_raise" and analysable and rise_mode:
        warnings.append("The pose model kept losing the person on this footage and its leg landmarks were not "
                        "trusted: reps were counted from how far the whole body rose, measured from the pixels with "
                        "the camera's own motion removed. peak_lift is that body rise (FL), not the heel height, "
                        "the heel alignment could not be measured, and single- and double-leg raises cannot be told "
                        "apart (every rep is reported as both feet).")
    elif exercise == "calf_raise" and analysable:
        warnings.append("Heel lift is the pose model's estimate: it reports only part of a real heel raise "
                        f"({HEEL_REPORTED_SHARE.get(fam, HEEL_REPORTED_SHARE['unknown'])} from this view).")
    # Only the chosen exercise's rows: in "auto" every state machine ran, and a stance or stretch
    # session must not also carry a calf-raise rep (or a calf raise a stance hold).
    reps = [calf_rep_row(r) for r in calf.reps] if analysable and exercise == "calf_raise" else []
    holds = ([stance_hold_row(h, i) for i, h in enumerate(sls.holds, 1)]
             if analysable and exercise == "single_leg_stance" else [])
    own_events = calf.events if exercise == "calf_raise" else sls.events if exercise == "single_leg_stance" else []
    events = sorted(own_events, key=lambda e: e.get("t_s") or 0.0) if analysable else []
    return Summary(exercise=exercise, view=views.view, view_share=views.share, analysable=analysable, reason=reason,
                   quality=quality, reps=reps,
                   set_stats={**_set_stats(reps), "lift_from": "body_rise" if rise_mode else "landmarks"}
                   if exercise == "calf_raise" else {},
                   holds=holds, events=events, warnings=warnings, height_cm=height_cm, live=live)


# -- writers ---------------------------------------------------------------------------------

REP_COLUMNS = ("index", "side", "t_start_s", "t_top_s", "t_end_s", "peak_lift_fl", "peak_lift_cm", "rise_s", "top_s",
               "lower_s", "heel_in_left_fl", "heel_in_right_fl", "notes")
HOLD_COLUMNS = ("index", "stance_side", "t_start_s", "t_end_s", "duration_s", "ended_by", "touchdowns")
EVENT_COLUMNS = ("type", "t_s", "t_end_s", "side", "reason", "detail")
#: Calf-stretch holds and ankle-pump reps keep their JSON field names (units in docs/summary-schema.md).
STRETCH_COLUMNS = ("kind", "index", "side", "t_start", "t_end", "duration_s", "held_s", "paused_s", "pauses", "variant",
                   "back_knee_angle_deg", "dorsiflexion_deg", "heel_contact_share", "back_foot_out_deg")
PUMP_COLUMNS = ("kind", "index", "side", "set", "t_start", "t_plantar", "t_dorsi", "t_end", "duration_s", "cycle_s",
                "plantar_peak_deg", "dorsi_peak_deg", "rom_deg", "plantar_deg", "dorsi_deg", "leg_motion_deg")


def _flat(prefix: str, d: dict[str, Any], out: dict[str, Any]) -> None:
    for k, v in d.items():
        if isinstance(v, dict):
            continue
        out[f"{prefix}{k}"] = v


def _flat_row(row: dict[str, Any]) -> dict[str, Any]:
    """A calf-stretch / ankle-pump row for CSV: scalars as they are, nested values as JSON."""
    return {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in row.items() if k != "form"}


def rep_rows(summary: Summary) -> list[dict[str, Any]]:
    if summary.exercise == "ankle_pumps":
        return [_flat_row(r) for r in summary.reps]
    rows = []
    for r in summary.reps:
        hi = r["heel_in"]
        # numeric columns stay numeric: a sentence such as "not measurable from this view" goes to notes
        hi_num = hi if isinstance(hi, dict) else {}
        rows.append({"index": r["index"], "side": r["side"], "t_start_s": r["t_start"], "t_top_s": r["t_top"],
                     "t_end_s": r["t_end"], "peak_lift_fl": r["peak_lift"], "peak_lift_cm": r["peak_lift_cm"],
                     "rise_s": r["rise_s"], "top_s": r["top_s"], "lower_s": r["lower_s"],
                     "heel_in_left_fl": hi_num.get("left"), "heel_in_right_fl": hi_num.get("right"),
                     "notes": f"heel alignment: {hi}" if isinstance(hi, str) and hi else ""})
    return rows


def hold_rows(summary: Summary) -> list[dict[str, Any]]:
    if summary.exercise == "calf_stretch":
        return [_flat_row(h) for h in summary.holds]
    rows = []
    for h in summary.holds:
        row = {"index": h["index"], "stance_side": h["stance_side"], "t_start_s": h["t_start"], "t_end_s": h["t_end"],
               "duration_s": h["duration_s"], "ended_by": h["ended_by"], "touchdowns": h["touchdowns"]}
        _flat("sway_", {k + ("" if k.endswith("_cm") or k.endswith("_cm2") or k.endswith("_s") else "_fl")
                        if k.startswith(("rms", "range", "path")) else k: v for k, v in h["sway"].items()}, row)
        _flat("wobble_", h["ankle_wobble"], row)
        _flat("noise_", {k: v for k, v in h["noise_floor"].items() if k != "method"}, row)
        rows.append(row)
    return rows


def event_rows(summary: Summary) -> list[dict[str, Any]]:
    rows = []
    for e in summary.events:
        detail = {k: v for k, v in e.items() if k not in ("type", "t_s", "t_end_s", "side", "reason")}
        rows.append({"type": e.get("type"), "t_s": e.get("t_s"), "t_end_s": e.get("t_end_s"), "side": e.get("side"),
                     "reason": e.get("reason"), "detail": json.dumps(detail) if detail else ""})
    return rows


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    cols = list(columns)
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})


#: One row per feedback flag; the evidence is flattened, with its unit in its own column.
FLAG_COLUMNS = ("code", "label", "severity", "side", "t_start_s", "t_end_s", "rep", "hold", "set", "metric", "value",
                "compare", "threshold", "reference", "baseline", "typical", "unit", "message", "description")


def flag_rows(summary: Summary) -> list[dict[str, Any]]:
    rows = []
    for f in summary.flags:
        ev = f.get("evidence") or {}
        rows.append({"code": f.get("code"), "label": f.get("label"), "severity": f.get("severity"), "side": f.get("side"),
                     "t_start_s": _r(f.get("t_start")), "t_end_s": _r(f.get("t_end")), "rep": f.get("rep"),
                     "hold": f.get("hold"), "set": f.get("set"), "metric": ev.get("metric"), "value": _r(ev.get("value"), 4),
                     "compare": ev.get("compare"), "threshold": ev.get("threshold"), "reference": ev.get("reference"),
                     "baseline": _r(ev.get("baseline"), 4), "typical": _r(ev.get("typical"), 4), "unit": ev.get("unit"),
                     "message": f.get("message"), "description": f.get("description")})
    return rows


def write_summary(summary: Summary, out_dir: str | os.PathLike) -> Path:
    """Write ``summary.json``, ``reps.csv``, ``holds.csv``, ``events.csv``, ``flags.csv`` into ``out_dir``; returns the JSON path."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "summary.json"
        tmp = out / "summary.json.tmp"
        tmp.write_text(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        _write_csv(out / "reps.csv", rep_rows(summary), PUMP_COLUMNS if summary.exercise == "ankle_pumps" else REP_COLUMNS)
        _write_csv(out / "holds.csv", hold_rows(summary),
                   STRETCH_COLUMNS if summary.exercise == "calf_stretch" else HOLD_COLUMNS)
        _write_csv(out / "events.csv", event_rows(summary), EVENT_COLUMNS)
        _write_csv(out / "flags.csv", flag_rows(summary), FLAG_COLUMNS)
    except OSError as e:
        raise OutputError(f"cannot write the results to {out}: {os_reason(e, out)}.") from None
    return path


def decline_text(pct: float | None) -> str:
    """``set.peak_decline_pct`` in words, the way the CLI and the HTML report both print it.

    ``peak_decline_pct`` = (mean peak of the first third of the reps − mean peak of the last
    third) / mean peak of the first third × 100: **positive when the last reps were lower**
    (fatigue), negative when they were higher.  Printed without a sign, as "4.2 % lower" /
    "0.6 % higher" (last third against the first), so no reader has to know the convention.
    """
    if pct is None or not math.isfinite(pct):
        return "-"
    if round(abs(pct), 1) == 0.0:
        return "no change"
    return f"{abs(pct):.1f} % {'lower' if pct > 0 else 'higher'}"


#: What the decline figure compares, said wherever it is shown.
DECLINE_LABEL = "peaks, last third of the reps vs first"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 rep"``, ``"3 reps"``: a count with its noun in the right number (``words``: an irregular plural)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _fmt(v: Any, nd: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def format_table(summary: Summary) -> str:
    """The plain-text table the CLI prints."""
    q = summary.quality
    choice = summary.exercise_choice or {}
    how = (" (chosen automatically)" if choice.get("confident") else " (chosen automatically, unsure)") if choice else ""
    lines = [f"exercise: {registry.label(summary.exercise)}{how}   view: {summary.view}   frames: {q.frames} "
             f"(person {q.frames_with_person}, feet visible {q.frames_feet_visible})"]
    # a weak automatic choice is said once, at the top, where the exercise is named
    if summary.analysable and choice.get("message"):
        lines.append(f"warning: {choice['message']}")
    if not summary.analysable:
        lines.append(f"NOT ANALYSABLE: {summary.reason}")
        return "\n".join(lines)
    if summary.exercise == "calf_stretch":
        lines.append(f"{'hold':>4} {'leg':<6} {'start s':>7} {'end s':>7} {'dur s':>6} {'held s':>6} {'pauses':>6} "
                     f"{'variant':<13} {'knee°':>6} {'dorsi°':>6} {'heel down':>9}")
        for h in summary.holds:
            num = lambda v: _fmt(v, 1) if isinstance(v, float) else "n/a"  # noqa: E731
            lines.append(f"{h['index']:>4} {h['side']:<6} {_fmt(h['t_start']):>7} {_fmt(h['t_end']):>7} "
                         f"{_fmt(h['duration_s']):>6} {_fmt(h['held_s']):>6} {h['pauses']:>6} {h['variant'][:13]:<13} "
                         f"{num(h['back_knee_angle_deg']):>6} {num(h['dorsiflexion_deg']):>6} "
                         f"{_fmt(h['heel_contact_share']):>9}")
        s = summary.set_stats
        lines.append(f"holds: {s.get('holds', 0)}   by leg: {s.get('holds_by_side')}   reaching the {_fmt(s.get('target_s'), 0)} s "
                     f"target: {s.get('holds_reaching_target', 0)}")
    elif summary.exercise == "ankle_pumps":
        lines.append(f"{'rep':>3} {'foot':<5} {'set':>3} {'start s':>7} {'end s':>6} {'range°':>6} {'point°':>6} {'pull°':>6} "
                     f"{'cycle s':>7} {'leg°':>5}")
        for r in summary.reps:
            lines.append(f"{r['index']:>3} {r['side']:<5} {r['set']:>3} {_fmt(r['t_start']):>7} {_fmt(r['t_end']):>6} "
                         f"{_fmt(r['rom_deg'], 1):>6} {_fmt(r['plantar_deg'], 1):>6} {_fmt(r['dorsi_deg'], 1):>6} "
                         f"{_fmt(r['cycle_s']):>7} {_fmt(r['leg_motion_deg'], 1):>5}")
        s = summary.set_stats
        lines.append(f"pumps: left {s.get('reps_by_side', {}).get('left', 0)}, right {s.get('reps_by_side', {}).get('right', 0)}"
                     f"   mean range: left {_fmt(s.get('mean_rom_deg_left'), 1)}°, right {_fmt(s.get('mean_rom_deg_right'), 1)}°")
    elif summary.exercise == "calf_raise":
        cm = summary.height_cm is not None
        lines.append(f"{'rep':>3} {'side':<5} {'start s':>7} {'peak at s':>9} {'end s':>6} {'lift FL':>7}"
                     + (f" {'lift cm':>7}" if cm else "") + f" {'rise s':>6} {'at top s':>8} {'lower s':>7}")
        for r in summary.reps:
            lines.append(f"{r['index']:>3} {r['side']:<5} {_fmt(r['t_start']):>7} {_fmt(r['t_top']):>9} {_fmt(r['t_end']):>6} "
                         f"{_fmt(r['peak_lift'], 3):>7}" + (f" {_fmt(r['peak_lift_cm'], 1):>7}" if cm else "")
                         + f" {_fmt(r['rise_s']):>6} {_fmt(r['top_s']):>8} {_fmt(r['lower_s']):>7}")
        s = summary.set_stats
        lines.append(f"reps: {s.get('reps', 0)}   mean peak: {_fmt(s.get('mean_peak_lift'), 3)} FL   "
                     f"{DECLINE_LABEL}: {decline_text(s.get('peak_decline_pct'))}   "
                     f"cadence: {_fmt(s.get('cadence_per_min'), 1)}/min")
        lines.append("FL = foot lengths (a height divided by the foot's length, estimated from the shank); times in s on\n"
                     "the video's clock; 'peak at' = when the heel was highest, 'at top' = time spent above 80 % of the peak.")
    else:
        lines.append(f"{'hold':>4} {'stance':<6} {'start s':>7} {'end s':>7} {'dur s':>6} {'ended by':<13} {'touch':>5} "
                     f"{'sway rms':>8} {'noise':>6} {'wobble°':>7}")
        for h in summary.holds:
            sw = h["sway"]
            key = "rms_ml" if "rms_ml" in sw and sw.get("axes", {}).get("ml") == "image horizontal" else "rms_ap"
            wob = h["ankle_wobble"].get("rms_deg")
            lines.append(f"{h['index']:>4} {h['stance_side']:<6} {_fmt(h['t_start']):>7} {_fmt(h['t_end']):>7} "
                         f"{_fmt(h['duration_s']):>6} {h['ended_by'] or '-':<13} {h['touchdowns']:>5} "
                         f"{_fmt(sw.get(key), 3):>8} {_fmt(h['noise_floor'].get(key), 3):>6} "
                         f"{_fmt(wob, 1) if isinstance(wob, float) else 'n/a':>7}")
        lifts = [e for e in summary.events if e["type"] == "brief_lift"]
        lines.append(f"holds: {len(summary.holds)}   brief lifts (not holds): {len(lifts)}")
    for w in summary.warnings:
        if w != choice.get("message"):
            lines.append(f"warning: {w}")
    return "\n".join(lines)
