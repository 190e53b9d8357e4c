"""``python -m tools.render.evaluate DIR|CLIP.mp4 ... [--out report.json]``: footform against the truth.

For every clip with a ``<name>.truth.json`` beside it (``footform.render-truth/1``, written by
``python -m tools.render`` / ``tools.render.batch``), runs footform's offline analysis with the
exercise the clip shows and the person's true stature as ``height_cm`` (the same as
``footform analyze CLIP --exercise … --height-cm … --no-store``), then scores the summary against
the truth and prints **one table** (markdown):

* one row per analysed exercise and per camera view of it:

  - calf raise — rep count (signed error per clip → MAE, exact-count share, off-by-one share
    ``OBO`` = |error| ≤ 1), rep detection (a counted rep matches a true rep when its ``t_top``
    falls inside the true rep's window, one to one: TP / FP / FN, precision, recall), rep timing
    (median |t_top − true top|, ms; the true top is the middle of the ≥ 80 %-of-peak part of the
    true heel-height curve, footform's own definition; a true rep marked ``partial`` — raised only
    part of the way on purpose — is not a rep to count: a counted rep matching it is a false
    positive), peak heel height (median ratio of
    footform's ``peak_lift_cm`` to the true peak heel-pad height, with its range: MediaPipe
    reports only part of a heel raise, differently by view, so this is a ratio, not an accuracy),
    the working side, and whether ``--exercise auto`` would have picked the exercise;
  - single-leg stance — hold count (MAE / exact / OBO), hold detection (overlap, one to one),
    lift-off and touch-down timing (median |error|, s, against the truth's measured
    ``lift_off_s`` / ``touch_down_s``), hold duration error (mean |error| and bias, s), and sway:
    footform's RMS along the image horizontal (``rms_<axis>_cm``) against the true centre-of-mass
    sway projected on the camera's horizontal axis over the true hold (median ratio and the holds
    within ±20 %, against the true centre of mass about a fixed base — the standing foot's place —
    and, beside it, against the renderer's ``sway_cm`` whose base follows the stance foot's heel /
    toe points frame by frame; median |error| cm, footform's own noise floor);
  - ankle pumps (when this footform analyses them) — pumps per foot (a true double-leg pump is one
    per foot), matched by overlap on the same foot; timing of the plantar peak and of start / end;
    footform's range of motion (image angle) against the true plantar + dorsal peak angles (ratio);
  - calf stretch (when analysed) — holds at full stretch: count, start / end and duration errors,
    the stretched (back) leg;
  - exercises this footform does not analyse: one "not analysed yet" row each (nothing is run);

* one row per form rule that has a counterpart in the truth's fault list (``FAULT_RULE``): faults,
  flags, TP (flags on a fault), FP (flags on no fault: clips without the fault count here), FN
  (faults the rule could judge with no flag; a fault it could not judge — no such rule for the
  exercise, the summary calls the rule "not measurable from this view", or a hold rule's fault in
  no hold while the summary says the holds were not measurable from its view — is no miss: it is
  counted as "not measurable" beside FN, with its reason), precision, recall (over all faults, and
  over the faults the rule can judge), and median |onset error| (flag start − fault start, s).  A flag is on a fault when its
  time span overlaps the fault window and the sides agree (either side ``both`` or unspecified,
  or equal; ignored for trunk lean, hip drop and touch-downs, whose ``side`` means something else
  in the truth).  The window of a rep-bound fault is widened to its whole reps (the truth's
  fast-lowering window is the lowering only; footform's rep flags span the rep).  Rep and hold
  rules flag the whole rep / hold, so their onset error tells where the rep or hold began, not
  when the fault was first seen;
* rows for flags of rules with no truth counterpart (counted, not scored);
* under the table, ``--exercise auto``: every analysed clip is analysed once more with it; the
  share of clips where it chose the clip's exercise (per exercise, and in the "auto-detect" note
  of each row), and how often it was sure and right, unsure (and said so), or sure and wrong.

The pose stage is the slow part (MediaPipe on every frame); its landmark track is cached in the
work folder (``--work``, default ``~/.cache/footform/evaluate``) and reused while the clip and the
model are unchanged, and a ``<name>.track.jsonl.gz`` beside the clip is used when newer than the
clip.  The analysis itself is re-run from the track every time (well under a second per clip), so
the numbers always reflect the current analysis code and rules.  ``--rules FILE`` applies a
therapist-style override file (docs/rules.md).  Needs only footform's core dependencies.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from footform import __version__
from footform.exercises import registry
from tools.render import TRUTH_SCHEMA

SCHEMA = "footform.evaluation/1"

#: Exercises this evaluator scores, when footform's analysis accepts them (``analysed_exercises``);
#: the others in the truth are reported as "not analysed yet".
SCORED = registry.IDS
#: Of those, the exercises counted in reps (the others in holds).
REP_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.counts_reps)
#: Truth fault kind → footform rule code.
FAULT_RULE = {
    "heel_inversion": "heel_sickling",
    "heel_eversion": "heel_everting",
    "arch_collapse": "arch_collapse",
    "knee_valgus": "knee_valgus",
    "hip_drop": "pelvic_drop",
    "trunk_lean": "trunk_lean",
    "fast_lowering": "fast_lowering",
    "touch_down": "touch_down",
}
#: Why a hold rule's fault was not judgeable when the summary says the holds were not measurable.
HOLD_NOT_MEASURABLE = "hold not measurable from this view"
#: Fault kinds whose ``side`` in the truth is not a body side a flag could name.
SIDELESS_FAULTS = ("hip_drop", "trunk_lean", "touch_down")
#: Slack around a true rep's window in which a counted rep's ``t_top`` may fall (s).
REP_SLACK_S = 0.3
VIEW_ORDER = ("front", "three-quarter-left", "three-quarter-right", "side-left", "side-right",
              "back-three-quarter-left", "back-three-quarter-right", "back")


# --------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Clip:
    """A rendered clip: its video (may not exist for truth-only scoring) and its truth file."""

    name: str
    video: Path
    truth: Path


def find_clips(paths: Iterable[str | os.PathLike]) -> list[Clip]:
    """Clips named by ``paths``: folders (every ``*.truth.json`` in them), videos or truth files."""
    out: dict[str, Clip] = {}
    for p in map(Path, paths):
        truths = sorted(p.glob("*.truth.json")) if p.is_dir() else [p if p.name.endswith(".truth.json")
                                                                     else p.with_name(p.stem + ".truth.json")]
        for t in truths:
            name = t.name.removesuffix(".truth.json")
            if not t.is_file():
                raise FileNotFoundError(f"{t}: no truth file beside the clip.")
            video = next((t.with_name(name + ext) for ext in (".mp4", ".webm", ".avi", ".mkv")
                          if t.with_name(name + ext).is_file()), t.with_name(name + ".mp4"))
            out[str(t.resolve())] = Clip(name, video, t)
    return sorted(out.values(), key=lambda c: c.name)


def load_truth(path: str | os.PathLike) -> dict[str, Any]:
    truth = json.loads(Path(path).read_text(encoding="utf-8"))
    if truth.get("schema") != TRUTH_SCHEMA:
        raise ValueError(f"{path}: not a {TRUTH_SCHEMA} truth file.")
    return truth


# ------------------------------------------------------------------------------------- analysis


def analysed_exercises() -> tuple[str, ...]:
    """The exercises of :data:`SCORED` that this footform's analysis accepts (``--exercise``)."""
    from footform.analysis.analyzer import EXERCISES

    return tuple(e for e in SCORED if e in EXERCISES)


def _stamp(video: Path, model: str | None) -> dict[str, Any]:
    st = video.stat()
    return {"video": str(video.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "model": model}


def analyse_clip(clip: Clip, truth: dict[str, Any], work: Path, rules: str | None = None,
                 model: str | None = None, auto: bool = True) -> dict[str, Any]:
    """footform's summaries of one clip: ``{"summary", "auto_exercise", "pose" (cached|run|…), "error"}``.

    ``summary`` is analysed as the truth's exercise with ``height_cm`` = the true stature;
    ``auto`` is the same track re-analysed with ``exercise="auto"``: its exercise (``auto_exercise``) and
    whether the choice was confident (``auto_confident``).
    """
    from footform.apps.pipeline import AnalyzeOptions, analyze_input
    from footform.io.track import SUFFIX

    d = work / clip.name
    height_cm = round(float(truth["body"]["stature_m"]) * 100.0, 1)
    opts = AnalyzeOptions(exercise=truth["exercise"], height_cm=height_cm, rules=rules, model=model)
    stamp_path = d / "pose" / "clip.json"
    track = d / "pose" / f"{clip.video.stem}{SUFFIX}"
    beside = clip.video.with_name(clip.video.stem + SUFFIX)
    stamp = _stamp(clip.video, model) if clip.video.is_file() else None
    how = "cached"
    if stamp is not None and track.is_file() and stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        src = track
    elif beside.is_file() and (not clip.video.is_file() or beside.stat().st_mtime >= clip.video.stat().st_mtime):
        src, how = beside, "beside the clip"
    elif clip.video.is_file():
        stamp_path.unlink(missing_ok=True)
        res = analyze_input(clip.video, d / "pose", opts)
        if res.track_path is not None and res.frames > 0:
            stamp_path.write_text(json.dumps(stamp))
        src, how = track, "run"
    else:
        raise FileNotFoundError(f"{clip.video}: no video and no landmark track for this truth file.")
    res = analyze_input(src, d / "analysis", opts)
    out = {"summary": res.summary.to_dict() if res.summary else None, "pose": how,
           "error": str(res.error) if res.error else None}
    if auto:  # what "--exercise auto" would have chosen, and whether it was sure
        res_auto = analyze_input(src, d / "auto", AnalyzeOptions(exercise="auto", height_cm=height_cm, rules=None,
                                                                   model=model))
        out["auto_exercise"] = res_auto.summary.exercise if res_auto.summary else None
        choice = res_auto.summary.exercise_choice if res_auto.summary else None
        out["auto_confident"] = bool(choice and choice.get("confident"))
    return out


# -------------------------------------------------------------------------------------- scoring


def _f(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def truth_rep_times(truth: dict[str, Any], rep: dict[str, Any]) -> dict[str, float]:
    """True ``t_start``/``t_top``/``t_end`` of a rep with footform's definitions (20 % / 80 % of the
    peak of the working heel's height, both heels averaged for a double-leg rep).  Falls back on
    the commanded phase times when the truth has no per-frame heel heights."""
    try:
        t = np.asarray(truth["frames"]["t_s"], float)
        sides = ("left", "right") if rep["side"] == "both" else (rep["side"],)
        h = np.mean([np.asarray(truth["frames"]["feet"][s]["heel_height_cm"], float) for s in sides], axis=0)
    except (KeyError, TypeError):
        return {"t_start": rep["start_s"], "t_top": 0.5 * (rep["top_s"] + rep["top_end_s"]), "t_end": rep["end_s"]}
    idx = np.flatnonzero((t >= rep["start_s"] - 0.05) & (t <= rep["end_s"] + 0.05))
    seg = h[idx]
    k = int(np.argmax(seg))
    peak = float(seg[k])

    def spread(level: float) -> tuple[int, int]:
        lo = hi = k
        while lo > 0 and seg[lo - 1] >= level * peak:
            lo -= 1
        while hi < len(seg) - 1 and seg[hi + 1] >= level * peak:
            hi += 1
        return lo, hi

    lo80, hi80 = spread(0.8)
    lo20, hi20 = spread(0.2)
    return {"t_start": float(t[idx[lo20]]), "t_top": float(0.5 * (t[idx[lo80]] + t[idx[hi80]])),
            "t_end": float(t[idx[hi20]])}


def truth_rep_height_cm(rep: dict[str, Any]) -> float | None:
    if rep["side"] == "both":
        v = [_f(rep.get(f"{s}_peak_height_cm")) for s in ("left", "right")]
        v = [x for x in v if x is not None]
        return float(np.mean(v)) if v else _f(rep.get("commanded_height_cm"))
    return _f(rep.get(f"{rep['side']}_peak_height_cm")) or _f(rep.get("commanded_height_cm"))


def _greedy(pairs: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one matching from ``(cost, i, j)`` candidates, cheapest first."""
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _, i, j in sorted(pairs):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j))
    return sorted(out)


def score_reps(truth: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    true_reps = truth.get("reps") or []
    found = summary.get("reps") or [] if summary and summary.get("analysable", True) else []
    times = [truth_rep_times(truth, r) for r in true_reps]
    cands = []
    for i, (r, tt) in enumerate(zip(true_reps, times)):
        for j, f in enumerate(found):
            top = _f(f.get("t_top"))
            if top is not None and r["start_s"] - REP_SLACK_S <= top <= r["end_s"] + REP_SLACK_S:
                cands.append((abs(top - tt["t_top"]), i, j))
    matched = []
    partial_counted = 0
    for i, j in _greedy(cands):
        r, f, tt = true_reps[i], found[j], times[i]
        if r.get("partial"):  # raised only part of the way on purpose: footform must not count it
            partial_counted += 1
            continue
        h_true = truth_rep_height_cm(r)
        h_model = _f(f.get("peak_lift_cm"))
        matched.append({
            "truth": r["number"], "found": f.get("index", j + 1),
            "top_err_s": round(f["t_top"] - tt["t_top"], 4),
            "start_err_s": round(f["t_start"] - tt["t_start"], 4) if _f(f.get("t_start")) is not None else None,
            "end_err_s": round(f["t_end"] - tt["t_end"], 4) if _f(f.get("t_end")) is not None else None,
            "height_true_cm": h_true, "height_model_cm": h_model,
            "ratio": round(h_model / h_true, 4) if h_model is not None and h_true else None,
            "side_true": r["side"], "side_found": f.get("side"), "side_ok": f.get("side") == r["side"],
        })
    n_true = sum(1 for r in true_reps if not r.get("partial"))
    out = {"true": n_true, "found": len(found), "count_error": len(found) - n_true,
           "tp": len(matched), "fp": len(found) - len(matched), "fn": n_true - len(matched), "matched": matched}
    if n_true < len(true_reps):
        out["partial_true"], out["partial_counted"] = len(true_reps) - n_true, partial_counted
    return out


def score_pumps(truth: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """Ankle pumps: footform counts pumps per foot, so a true double-leg pump is one per foot.  A
    counted pump matches a true one of the same foot whose window it overlaps most (one to one);
    timing is ``t_plantar`` against the true plantar peak (``top_s``), size the ratio of footform's
    range of motion (``rom_deg``, image angle) to the true plantar + dorsal peaks (3-D)."""
    true_reps = []
    for r in truth.get("reps") or []:
        for side in (("left", "right") if r["side"] == "both" else (r["side"],)):
            p, d = _f(r.get(f"{side}_peak_plantar_deg")), _f(r.get(f"{side}_peak_dorsi_deg"))
            true_reps.append({**r, "side": side, "rom_deg": p + d if p is not None and d is not None else None})
    found = summary.get("reps") or [] if summary and summary.get("analysable", True) else []
    cands = []
    for i, r in enumerate(true_reps):
        for j, f in enumerate(found):
            fa, fb = _f(f.get("t_start")), _f(f.get("t_end"))
            if f.get("side") != r["side"] or fa is None or fb is None:
                continue
            ov = min(r["end_s"], fb) - max(r["start_s"], fa)
            if ov > 0:
                cands.append((-ov, i, j))
    matched = []
    for i, j in _greedy(cands):
        r, f = true_reps[i], found[j]
        rom = _f(f.get("rom_deg"))
        tp = _f(f.get("t_plantar"))
        matched.append({
            "truth": r["number"], "found": f.get("index", j + 1),
            "top_err_s": round(tp - r["top_s"], 4) if tp is not None else None,
            "start_err_s": round(f["t_start"] - r["start_s"], 4), "end_err_s": round(f["t_end"] - r["end_s"], 4),
            "rom_true_deg": r["rom_deg"], "rom_model_deg": rom,
            "ratio": round(rom / r["rom_deg"], 4) if rom is not None and r["rom_deg"] else None,
            "side_true": r["side"], "side_found": f.get("side"), "side_ok": True,
        })
    return {"true": len(true_reps), "found": len(found), "count_error": len(found) - len(true_reps),
            "tp": len(matched), "fp": len(found) - len(matched), "fn": len(true_reps) - len(matched),
            "matched": matched}


def _interval(h: dict[str, Any]) -> tuple[float, float]:
    a = _f(h.get("lift_off_s"))
    b = _f(h.get("touch_down_s"))
    return (a if a is not None else h["start_s"], b if b is not None else h["end_s"])


def truth_sway_h_cm(truth: dict[str, Any], start_s: float, end_s: float, fixed_base: bool = False) -> float | None:
    """RMS (about the mean, cm) of the true centre-of-mass sway projected on the render camera's
    horizontal image axis, over ``[start_s, end_s)``: what footform's ``rms_<image axis>`` measures.

    The truth's ``sway_cm`` is the centre of mass minus the base taken frame by frame (the stance
    foot's heel / toe points); ``fixed_base``: about a fixed point instead (the base's place is
    fixed while the foot is planted).  They differ only where the renderer moves those points
    without the foot sliding: a rendered arch collapse rolls the foot about its medial edge on the
    floor, which carries the heel / toe points 0.08–0.29 cm RMS medially over a hold."""
    try:
        t = np.asarray(truth["frames"]["t_s"], float)
        sway = np.asarray(truth["frames"]["com_m" if fixed_base else "sway_cm"], float)[:, :2] * (100.0 if fixed_base else 1.0)
        right = np.asarray(truth["camera"]["R_world_from_camera"], float)[:, 0]
    except (KeyError, TypeError, ValueError):
        return None
    axis = right[:2] / (np.hypot(right[0], right[1]) or 1.0)  # world x = subject's right (ML), y = front (AP)
    m = (t >= start_s) & (t < end_s)
    if m.sum() < 3:
        return None
    v = sway[m] @ axis
    return float(np.sqrt(np.mean((v - v.mean()) ** 2)))


#: Rendered faults that move the body's mass in a hold (the sway is scored without / with them apart).
SWAY_FORM_FAULTS = ("knee_valgus", "trunk_lean")


def score_holds(truth: dict[str, Any], summary: dict[str, Any], kind: str = "single_leg_stance") -> dict[str, Any]:
    """Holds of ``kind`` (``single_leg_stance``: lift-off → touch-down, with sway; ``calf_stretch``:
    the time at full stretch, side = the stretched back leg), matched by overlap, one to one."""
    true_holds = [h for h in truth.get("holds") or [] if h.get("kind") == kind]
    found = summary.get("holds") or [] if summary and summary.get("analysable", True) else []
    cands = []
    for i, h in enumerate(true_holds):
        a, b = _interval(h) if kind == "single_leg_stance" else (h["start_s"], h["end_s"])
        for j, f in enumerate(found):
            fa, fb = _f(f.get("t_start")), _f(f.get("t_end"))
            if fa is None or fb is None:
                continue
            ov = min(b, fb) - max(a, fa)
            if ov > 0:
                cands.append((-ov, i, j))
    matched = []
    for i, j in _greedy(cands):
        h, f = true_holds[i], found[j]
        a, b = _interval(h) if kind == "single_leg_stance" else (h["start_s"], h["end_s"])
        sw = (f.get("sway") if kind == "single_leg_stance" else None) or {}
        axis = next((k for k, v in (sw.get("axes") or {}).items() if v == "image horizontal"), None)
        model_cm = _f(sw.get(f"rms_{axis}_cm")) if axis else None
        noise_cm = _f((f.get("noise_floor") or {}).get(f"rms_{axis}_cm")) if axis else None
        true_cm = truth_sway_h_cm(truth, h["start_s"], h["end_s"]) if axis else None
        fixed_cm = truth_sway_h_cm(truth, h["start_s"], h["end_s"], fixed_base=True) if axis else None
        side = f.get("stance_side") or f.get("side")
        matched.append({
            "truth": i + 1, "found": f.get("index", j + 1),
            "start_err_s": round(f["t_start"] - a, 4), "end_err_s": round(f["t_end"] - b, 4),
            "duration_err_s": round((f["t_end"] - f["t_start"]) - (b - a), 4),
            "side_true": h["side"], "side_found": side, "side_ok": side == h["side"],
            "touchdowns_true": len(h.get("touch_downs") or []), "touchdowns_found": f.get("touchdowns"),
            "sway_axis": axis, "sway_true_cm": round(true_cm, 4) if true_cm is not None else None,
            "sway_model_cm": model_cm, "sway_noise_cm": noise_cm,
            "sway_ratio": round(model_cm / true_cm, 4) if model_cm is not None and true_cm else None,
            "sway_true_fixed_base_cm": round(fixed_cm, 4) if fixed_cm is not None else None,
            "sway_ratio_fixed_base": round(model_cm / fixed_cm, 4) if model_cm is not None and fixed_cm else None,
            # a rendered knee valgus / trunk lean in the hold: its movement is in the sway, and the pose
            # model's hips follow it (the sway reads high; footform's ``sway.form_note``)
            "form_faults": sorted({f["kind"] for f in truth.get("faults") or [] if f.get("kind") in SWAY_FORM_FAULTS
                                   and min(f["end_s"], h["end_s"]) - max(f["start_s"], h["start_s"]) > 0}),
        })
    return {"true": len(true_holds), "found": len(found), "count_error": len(found) - len(true_holds),
            "tp": len(matched), "fp": len(found) - len(matched), "fn": len(true_holds) - len(matched),
            "matched": matched}


def _sides_agree(fault: dict[str, Any], flag: dict[str, Any]) -> bool:
    if fault["kind"] in SIDELESS_FAULTS:
        return True
    fs, gs = fault.get("side"), flag.get("side")
    return fs in (None, "both") or gs in (None, "both") or fs == gs


def _overlaps(fault: dict[str, Any], flag: dict[str, Any]) -> bool:
    a, b = _f(flag.get("t_start")), _f(flag.get("t_end"))
    if a is None:
        return False
    b = a if b is None else b
    return a <= fault["end_s"] and b >= fault["start_s"]


def fault_window(truth: dict[str, Any], fault: dict[str, Any]) -> dict[str, Any]:
    """The fault with its window widened to the whole of its reps, for rep-bound faults (the truth
    gives e.g. only the lowering of a fast-lowering rep; footform's rep flags span the rep)."""
    reps = [r for r in truth.get("reps") or [] if r.get("number") in (fault.get("reps") or [])]
    if not reps:
        return dict(fault)
    return {**fault, "start_s": min([fault["start_s"], *(r["start_s"] for r in reps)]),
            "end_s": max([fault["end_s"], *(r["end_s"] for r in reps)])}


def _rule_labels(exercise: str, rules: str | None) -> dict[str, str]:
    """Rule code → label of the rules footform applies to ``exercise`` ({} when it has none)."""
    from footform.errors import FootformError
    from footform.feedback.engine import load_rules

    try:
        found = load_rules(exercise, rules)
    except FootformError:  # an unusable override file is reported by the analysis itself
        try:
            found = load_rules(exercise)
        except FootformError:  # no rule file for this exercise
            found = []
    return {r.code: r.label for r in found}


def _hold_rules(exercise: str) -> set[str]:
    """Codes of the bundled hold-scope rules of ``exercise`` (judged once per hold found)."""
    from footform.errors import FootformError
    from footform.feedback.engine import load_rules

    try:
        return {r.code for r in load_rules(exercise) if r.scope == "hold"}
    except FootformError:
        return set()


def _holds_unmeasurable(summary: dict[str, Any] | None) -> bool:
    """Whether the summary says single-leg holds could not be measured from its view (the far foot
    hidden from the side: exercises/single_leg_stance.py ``NOT_MEASURABLE_FAR_FOOT``)."""
    from footform.exercises.single_leg_stance import NOT_MEASURABLE_FAR_FOOT

    prefix = NOT_MEASURABLE_FAR_FOOT.split(":")[0] + ":"
    return any(str(m).startswith(prefix) for m in (summary or {}).get("not_measurable") or [])


def score_flags(truth: dict[str, Any], summary: dict[str, Any] | None,
                labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Faults of the truth against the summary's flags.

    ``labels`` maps the rule codes of the analysed exercise to their labels (default: the bundled
    rules of the truth's exercise); a fault whose rule is missing there, or whose label the summary
    lists as not measurable from its view, is ``measurable: false`` (still counted in the recall
    over all faults, not as a miss); so is the fault of a hold rule in no hold footform found when
    the summary says the holds were not measurable from its view (a side view hiding the far foot:
    no hold, so no hold rule could judge it).
    """
    if labels is None:
        labels = _rule_labels(truth["exercise"], None)
    flags = list(summary.get("flags") or []) if summary else []
    not_meas = list(summary.get("not_measurable") or []) if summary else []
    holds = [h for h in (summary.get("holds") or [] if summary else []) if isinstance(h, dict)]
    hold_rules = _hold_rules(truth["exercise"]) if _holds_unmeasurable(summary) else set()
    windows = [fault_window(truth, f) for f in truth.get("faults") or []]
    faults = []
    for fault in windows:
        code = FAULT_RULE.get(fault["kind"])
        if code is None:
            continue
        hits = [g for g in flags if g.get("code") == code and _overlaps(fault, g) and _sides_agree(fault, g)]
        if code not in labels:
            measurable, why = False, "no such rule for this exercise"
        elif any(m.startswith(labels[code] + ":") for m in not_meas):
            measurable, why = False, "not measurable from this view"
        elif code in hold_rules and not any(_overlaps(fault, h) for h in holds):
            measurable, why = False, HOLD_NOT_MEASURABLE
        else:
            measurable, why = True, None
        onset = min((g["t_start"] - fault["start_s"] for g in hits), key=abs, default=None)
        faults.append({"kind": fault["kind"], "code": code, "side": fault.get("side"), "start_s": fault["start_s"],
                       "end_s": fault["end_s"], "reps": fault.get("reps"), "measurable": measurable, "why_not": why, "detected": bool(hits),
                       "onset_err_s": round(onset, 4) if onset is not None else None})
    mapped = set(FAULT_RULE.values())
    out_flags = []
    for g in flags:
        code = g.get("code")
        if code in mapped:
            correct = any(FAULT_RULE.get(f["kind"]) == code and _overlaps(f, g) and _sides_agree(f, g)
                          for f in windows)
        else:
            correct = None
        out_flags.append({"code": code, "side": g.get("side"), "t_start": g.get("t_start"), "t_end": g.get("t_end"),
                          "severity": g.get("severity"), "correct": correct})
    return {"faults": faults, "flags": out_flags}


def score_clip(truth: dict[str, Any], summary: dict[str, Any] | None, *, name: str = "",
               labels: dict[str, str] | None = None, auto_exercise: str | None = None,
               error: str | None = None, analysed: Sequence[str] | None = None,
               auto_confident: bool | None = None) -> dict[str, Any]:
    """Everything measured on one clip (JSON-ready).  ``summary`` is ``Summary.to_dict()`` or None;
    ``analysed`` the exercises footform analyses (default :func:`analysed_exercises`)."""
    ex = truth["exercise"]
    out: dict[str, Any] = {"name": name or truth.get("scenario", {}).get("name", ""), "exercise": ex,
                           "view": truth.get("view"), "stature_cm": round(truth["body"]["stature_m"] * 100, 1),
                           "faults_true": sorted({f["kind"] for f in truth.get("faults") or []}),
                           "duration_s": truth.get("duration_s")}
    if ex not in (analysed_exercises() if analysed is None else analysed):
        out["status"] = "not analysed yet"
        return out
    out["status"] = "ok" if summary is not None and error is None else f"error: {error or 'no summary'}"
    if summary is not None and not summary.get("analysable", True):
        out["status"] = f"not analysable: {summary.get('reason')}"
    # A clip footform found not analysable is scored as "nothing found"; a crash is not scored.
    out["scored"] = summary is not None
    out["view_found"] = summary.get("view") if summary else None
    out["auto_exercise"] = auto_exercise
    out["auto_confident"] = auto_confident
    out["reps"] = (score_reps(truth, summary or {}) if ex == "calf_raise"
                   else score_pumps(truth, summary or {}) if ex == "ankle_pumps" else None)
    out["holds"] = score_holds(truth, summary or {}, ex) if ex in ("single_leg_stance", "calf_stretch") else None
    out.update(score_flags(truth, summary, labels))
    return out


# ---------------------------------------------------------------------------------- aggregation


def _med(v: Sequence[float]) -> float | None:
    return float(np.median(v)) if len(v) else None


def _mean(v: Sequence[float]) -> float | None:
    return float(np.mean(v)) if len(v) else None


def _counts(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    errs = [r[key]["count_error"] for r in rows]
    tp = sum(r[key]["tp"] for r in rows)
    fp = sum(r[key]["fp"] for r in rows)
    fn = sum(r[key]["fn"] for r in rows)
    return {"clips": len(rows), "true": sum(r[key]["true"] for r in rows), "found": sum(r[key]["found"] for r in rows),
            "count_mae": _mean([abs(e) for e in errs]), "count_bias": _mean(errs),
            "exact": _mean([e == 0 for e in errs]), "obo": _mean([abs(e) <= 1 for e in errs]),
            "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None,
            "auto_ok": _mean([r.get("auto_exercise") == r["exercise"] for r in rows if r.get("auto_exercise")])}


def aggregate_reps(rows: list[dict[str, Any]]) -> dict[str, Any]:
    m = [x for r in rows for x in r["reps"]["matched"]]
    ratios = [x["ratio"] for x in m if x["ratio"] is not None]
    out = _counts(rows, "reps")
    out.update({
        "top_err_ms_median": _med([abs(x["top_err_s"]) * 1000 for x in m if x["top_err_s"] is not None]),
        "start_end_err_ms_median": _med([abs(x[k]) * 1000 for x in m for k in ("start_err_s", "end_err_s")
                                         if x[k] is not None]),
        "ratio_median": _med(ratios), "ratio_min": min(ratios) if ratios else None,
        "ratio_max": max(ratios) if ratios else None,
        "side_ok": _mean([x["side_ok"] for x in m]),
    })
    return out


def aggregate_holds(rows: list[dict[str, Any]]) -> dict[str, Any]:
    m = [x for r in rows for x in r["holds"]["matched"]]
    # the headline sway ratio is against the true centre of mass about a fixed base (what footform
    # and postural sway measure: the standing foot's place does not move while it is planted); the
    # renderer's per-frame base (``sway_ratio``) is kept beside it — they differ on arch-collapse holds
    ratios = [x["sway_ratio_fixed_base"] for x in m if x.get("sway_ratio_fixed_base") is not None]
    per_frame = [x["sway_ratio"] for x in m if x["sway_ratio"] is not None]
    out = _counts(rows, "holds")
    out.update({
        "start_err_s_median": _med([abs(x["start_err_s"]) for x in m]),
        "end_err_s_median": _med([abs(x["end_err_s"]) for x in m]),
        "duration_err_s_mae": _mean([abs(x["duration_err_s"]) for x in m]),
        "duration_err_s_bias": _mean([x["duration_err_s"] for x in m]),
        "side_ok": _mean([x["side_ok"] for x in m]),
        "ratio_median": _med(ratios), "ratio_min": min(ratios) if ratios else None,
        "ratio_max": max(ratios) if ratios else None,
        "sway_err_cm_median": _med([abs(x["sway_model_cm"] - x["sway_true_fixed_base_cm"]) for x in m
                                    if x["sway_model_cm"] is not None and x.get("sway_true_fixed_base_cm") is not None]),
        "sway_true_cm_median": _med([x["sway_true_fixed_base_cm"] for x in m if x.get("sway_true_fixed_base_cm") is not None]),
        "sway_noise_cm_median": _med([x["sway_noise_cm"] for x in m if x["sway_noise_cm"] is not None]),
        "sway_ratios": len(ratios), "sway_within_20pct": sum(1 for r in ratios if 0.8 <= r <= 1.2),
        "sway_per_frame_base_ratios": len(per_frame),
        "sway_per_frame_base_within_20pct": sum(1 for r in per_frame if 0.8 <= r <= 1.2),
    })
    for key, with_fault in (("clean", False), ("form_fault", True)):
        rs = [x["sway_ratio_fixed_base"] for x in m
              if x.get("sway_ratio_fixed_base") is not None and bool(x.get("form_faults")) == with_fault]
        out[f"sway_ratios_{key}"] = len(rs)
        out[f"sway_within_20pct_{key}"] = sum(1 for r in rs if 0.8 <= r <= 1.2)
        out[f"sway_ratio_median_{key}"] = _med(rs)
    return out


def aggregate_rules(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    scored = [r for r in rows if r.get("scored")]
    out: dict[str, dict[str, Any]] = {}
    for kind, code in FAULT_RULE.items():
        faults = [f for r in scored for f in r.get("faults", []) if f["code"] == code]
        flags = [g for r in scored for g in r.get("flags", []) if g["code"] == code]
        tp_flags = sum(bool(g["correct"]) for g in flags)
        meas = [f for f in faults if f["measurable"]]
        det = sum(f["detected"] for f in faults)
        # a fault footform said it could not judge is no miss: counted apart, by the reason
        unjudged = [f for f in faults if not f["measurable"] and not f["detected"]]
        why: dict[str, int] = {}
        for f in unjudged:
            why[f["why_not"]] = why.get(f["why_not"], 0) + 1
        out[code] = {
            "fault": kind, "clips_with_fault": sum(any(f["code"] == code for f in r.get("faults", [])) for r in scored),
            "faults": len(faults), "measurable": len(meas), "flags": len(flags),
            "tp": tp_flags, "fp": len(flags) - tp_flags, "detected": det,
            "fn": sum(not f["detected"] for f in meas), "not_measurable": len(unjudged), "not_measurable_why": why,
            "precision": tp_flags / len(flags) if flags else None,
            "recall": det / len(faults) if faults else None,
            "recall_measurable": sum(f["detected"] for f in meas) / len(meas) if meas else None,
            "onset_err_s_median": _med([abs(f["onset_err_s"]) for f in faults if f["onset_err_s"] is not None]),
        }
    return out


def aggregate(clips: list[dict[str, Any]]) -> dict[str, Any]:
    def views(rows: list[dict[str, Any]]) -> list[str]:
        vs = {r["view"] for r in rows}
        return [v for v in VIEW_ORDER if v in vs] + sorted(vs - set(VIEW_ORDER))

    ok = [r for r in clips if r.get("scored")]
    per_exercise: dict[str, dict[str, Any]] = {}
    for ex in SCORED:
        rows = [r for r in ok if r["exercise"] == ex]
        if rows:
            agg_one = aggregate_reps if ex in REP_EXERCISES else aggregate_holds
            per_exercise[ex] = {"all": agg_one(rows), **{v: agg_one([r for r in rows if r["view"] == v])
                                                         for v in views(rows)}}
    other: dict[str, int] = {}
    for r in ok:
        for g in r.get("flags", []):
            if g["correct"] is None:
                other[g["code"]] = other.get(g["code"], 0) + 1
    return {
        "clips": len(clips), "scored": len(ok),
        "failed": [{"name": r["name"], "status": r["status"]} for r in clips
                   if r["status"] != "not analysed yet" and not r.get("scored")],
        "not_analysable": [{"name": r["name"], "status": r["status"]} for r in clips
                           if r.get("scored") and r["status"] != "ok"],
        "views": sorted({r["view"] for r in clips}),
        "exercises": per_exercise,
        "not_analysed": {ex: sum(r["exercise"] == ex for r in clips)
                         for ex in sorted({r["exercise"] for r in clips if r["status"] == "not analysed yet"})},
        "rules": aggregate_rules(ok),
        "other_flags": dict(sorted(other.items())),
        "clean_warnings": aggregate_clean_warnings(ok),
        "auto": aggregate_auto(clips),
    }


def aggregate_clean_warnings(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Warn- and stop-level flags on the clips rendered without any fault (issue #17: at most one false
    warning per minute of exercise), per rule code, against the clips' total duration in minutes."""
    clean = [r for r in rows if not r["faults_true"] and r.get("duration_s")]
    by_code: dict[str, int] = {}
    for r in clean:
        for g in r.get("flags", []):
            if g.get("severity") in ("warn", "stop"):
                by_code[g["code"]] = by_code.get(g["code"], 0) + 1
    minutes = sum(float(r["duration_s"]) for r in clean) / 60.0
    n = sum(by_code.values())
    return {"clips": len(clean), "minutes": minutes, "warnings": n, "per_minute": n / minutes if minutes else None,
            "by_code": dict(sorted(by_code.items())),
            "clips_with_warnings": sorted(r["name"] for r in clean
                                          if any(g.get("severity") in ("warn", "stop") for g in r.get("flags", [])))}


def aggregate_auto(clips: list[dict[str, Any]]) -> dict[str, Any]:
    """How often ``--exercise auto`` chose the clip's exercise, and how often it was sure (right or wrong)."""
    rows = [r for r in clips if r.get("auto_exercise")]
    right = [r for r in rows if r["auto_exercise"] == r["exercise"]]
    sure = [r for r in rows if r.get("auto_confident")]
    return {"clips": len(rows), "right": len(right), "share": len(right) / len(rows) if rows else None,
            "confident_right": sum(1 for r in sure if r["auto_exercise"] == r["exercise"]),
            "confident_wrong": [{"name": r["name"], "exercise": r["exercise"], "chosen": r["auto_exercise"]}
                                for r in sure if r["auto_exercise"] != r["exercise"]],
            "unsure": sum(1 for r in rows if not r.get("auto_confident")),
            "by_exercise": {ex: _mean([r["auto_exercise"] == ex for r in rows if r["exercise"] == ex])
                            for ex in SCORED if any(r["exercise"] == ex for r in rows)}}


# ---------------------------------------------------------------------------------------- table

COLUMNS = ("row", "clips", "true / found", "count MAE", "exact", "OBO", "timing err", "model / true",
           "TP / FP / FN", "precision", "recall", "notes")


def _p(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _n(x: float | None, nd: int = 2, unit: str = "") -> str:
    return "–" if x is None else f"{x:.{nd}f}{unit}"


def _rng(med: float | None, lo: float | None, hi: float | None) -> str:
    return "–" if med is None else f"{med:.2f} ({lo:.2f}–{hi:.2f})"


def format_table(agg: dict[str, Any]) -> str:
    """The evaluation as one markdown table (exercise and view rows, then rule rows)."""
    rows: list[tuple[str, ...]] = []
    for ex, per_view in agg["exercises"].items():
        for key, a in per_view.items():
            label = f"{registry.label(ex)} — {'all views' if key == 'all' else key}"
            common = (_n(a["count_mae"]), _p(a["exact"]), _p(a["obo"]))
            counts = (f"{a['tp']} / {a['fp']} / {a['fn']}", _p(a["precision"]), _p(a["recall"]))
            ratio = _rng(a["ratio_median"], a["ratio_min"], a["ratio_max"])
            if ex in REP_EXERCISES:
                timing = (f"{'top' if ex == 'calf_raise' else 'plantar peak'} {_n(a['top_err_ms_median'], 0, ' ms')}; "
                          f"start/end {_n(a['start_end_err_ms_median'], 0, ' ms')}")
                rows.append((label, str(a["clips"]), f"{a['true']} / {a['found']} reps", *common, timing,
                             ("heel " if ex == "calf_raise" else "ROM ") + ratio, *counts,
                             f"side ok {_p(a['side_ok'])}; auto-detect {_p(a['auto_ok'])}"))
                continue
            sls = ex == "single_leg_stance"
            timing = (f"{'lift-off' if sls else 'start'} {_n(a['start_err_s_median'], 2, ' s')}; "
                      f"{'touch-down' if sls else 'end'} {_n(a['end_err_s_median'], 2, ' s')}")
            note = (f"duration abs err {_n(a['duration_err_s_mae'], 2, ' s')} (bias {_n(a['duration_err_s_bias'], 2, ' s')}); "
                    f"{'stance' if sls else 'back-leg'} side ok {_p(a['side_ok'])}")
            if sls:
                note += (f"; sway within ±20 % on {a['sway_within_20pct']}/{a['sway_ratios']} holds "
                         f"({a['sway_per_frame_base_within_20pct']}/{a['sway_per_frame_base_ratios']} against the "
                         f"renderer's per-frame base; without a knee valgus / trunk lean "
                         f"{a['sway_within_20pct_clean']}/{a['sway_ratios_clean']}, median {_n(a['sway_ratio_median_clean'], 2)}, "
                         f"with one {a['sway_within_20pct_form_fault']}/{a['sway_ratios_form_fault']}, median "
                         f"{_n(a['sway_ratio_median_form_fault'], 2)})")
                note += (f"; sway abs err {_n(a['sway_err_cm_median'], 2, ' cm')} of "
                         f"{_n(a['sway_true_cm_median'], 2, ' cm')}, noise floor {_n(a['sway_noise_cm_median'], 2, ' cm')}")
            note += f"; auto-detect {_p(a['auto_ok'])}"
            rows.append((label, str(a["clips"]), f"{a['true']} / {a['found']} holds", *common, timing,
                         ("sway " + ratio) if sls else "–", *counts, note))
    for ex, n in agg["not_analysed"].items():
        rows.append((registry.label(ex), str(n), "–", "–", "–", "–", "–", "–", "–", "–", "–", "not analysed yet"))
    for code, r in agg["rules"].items():
        note = f"fault `{r['fault']}` in {r['clips_with_fault']} clips"
        if r["faults"] != r["measurable"]:
            note += f"; {r['faults'] - r['measurable']} not judgeable (view / exercise), recall on the rest " \
                    f"{_p(r['recall_measurable'])}"
        nm = r.get("not_measurable") or 0
        if nm:
            note += "; not measurable, no flag (not in FN): " + ", ".join(
                f"{n} {why}" for why, n in sorted((r.get("not_measurable_why") or {}).items()))
        rows.append((f"rule `{code}`", "", f"{r['faults']} faults / {r['flags']} flags", "–", "–", "–",
                     f"onset {_n(r['onset_err_s_median'], 2, ' s')}", "–",
                     f"{r['tp']} / {r['fp']} / {r['fn']}" + (f" (+{nm} not measurable)" if nm else ""),
                     _p(r["precision"]), _p(r["recall"]), note))
    if agg["other_flags"]:
        rows.append(("other flags (no truth counterpart)", "", ", ".join(f"{k} {v}" for k, v in agg["other_flags"].items()),
                     "–", "–", "–", "–", "–", "–", "–", "–", "not scored"))
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(" --- " for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    foot = f"{agg['clips']} clips ({agg['scored']} scored"
    if agg["not_analysable"]:
        foot += (f", of which {len(agg['not_analysable'])} found not analysable by footform and scored as nothing found: "
                 + ", ".join(f["name"] for f in agg["not_analysable"]))
    if agg["failed"]:
        foot += f"; {len(agg['failed'])} failed: " + "; ".join(f"{f['name']} ({f['status']})" for f in agg["failed"])
    foot += f"); views: {', '.join(agg['views'])}"
    cw = agg.get("clean_warnings") or {}
    if cw.get("clips"):
        foot += (f"\n\nClips without any rendered fault: {cw['clips']} ({cw['minutes']:.1f} min); warnings on them: "
                 f"{cw['warnings']} ({_n(cw['per_minute'], 2, ' per min')})"
                 + (": " + ", ".join(f"{k} {v}" for k, v in cw["by_code"].items()) if cw["by_code"] else "") + ".")
    auto = agg.get("auto") or {}
    if auto.get("clips"):
        foot += (f"\n\n--exercise auto chose the clip's exercise on {auto['right']} of {auto['clips']} clips "
                 f"({_p(auto['share'])}; " + ", ".join(f"{registry.label(ex)} {_p(v)}"
                                                       for ex, v in auto["by_exercise"].items())
                 + f"); sure and right on {auto['confident_right']}, unsure (said so) on {auto['unsure']}, "
                 f"sure and wrong on {len(auto['confident_wrong'])}"
                 + (": " + ", ".join(f"{w['name']} ({w['chosen']})" for w in auto["confident_wrong"])
                    if auto["confident_wrong"] else "") + ".")
    return "\n".join(lines) + "\n\n" + foot


# ----------------------------------------------------------------------------------------- main


def _commit() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        sha = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=False).stdout.strip()
        return (sha + ("+dirty" if dirty else "")) if sha else None
    except (OSError, subprocess.SubprocessError):
        return None


def evaluate(clips: list[Clip], work: Path, rules: str | None = None, model: str | None = None,
             log=sys.stderr, with_auto: bool = True) -> dict[str, Any]:
    """Analyse and score ``clips``; returns the report (``clips``: per-clip scores, ``aggregate``).

    ``with_auto=False`` skips the second, ``--exercise auto`` analysis of each clip (its rows then say
    nothing about the choice; tests/test_rules_guard.py scores only the flags)."""
    from footform.errors import FootformError

    scored = []
    analysed = analysed_exercises()
    t0 = time.monotonic()
    for k, clip in enumerate(clips, 1):
        try:
            truth = load_truth(clip.truth)
        except (OSError, ValueError) as e:
            if log is not None:
                print(f"[{k}/{len(clips)}] {clip.name}: skipped, unreadable truth file ({e})", file=log, flush=True)
            continue
        summary = auto = auto_sure = error = None
        how = "-"
        if truth["exercise"] in analysed:
            try:
                res = analyse_clip(clip, truth, work, rules=rules, model=model, auto=with_auto)
                summary, auto, error, how = res["summary"], res.get("auto_exercise"), res["error"], res["pose"]
                auto_sure = res.get("auto_confident")
            except (FootformError, OSError) as e:
                error = str(e)
            labels = _rule_labels(truth["exercise"], rules)
        else:
            labels = {}
        s = score_clip(truth, summary, name=clip.name, labels=labels, auto_exercise=auto, error=error,
                       analysed=analysed, auto_confident=auto_sure)
        scored.append(s)
        if log is not None:
            print(f"[{k}/{len(clips)}] {clip.name}: {s['status']} (pose {how}, {time.monotonic() - t0:.0f} s)",
                  file=log, flush=True)
    agg = aggregate(scored)
    return {"schema": SCHEMA, "footform": __version__, "commit": _commit(),
            "date": time.strftime("%Y-%m-%d %H:%M"), "rules": rules, "model": model,
            "aggregate": agg, "table": format_table(agg), "clips": scored}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.render.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="folders of rendered clips, clips (.mp4) or truth files")
    ap.add_argument("--out", help="write the whole report (per-clip scores too) as JSON here")
    ap.add_argument("--rules", help="rule override file (docs/rules.md)")
    ap.add_argument("--model", help="pose model: full, heavy or a .task path (default: footform's)")
    ap.add_argument("--work", default=str(Path.home() / ".cache" / "footform" / "evaluate"),
                    help="folder for cached landmark tracks and summaries (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        clips = find_clips(args.inputs)
    except FileNotFoundError as e:
        print(f"tools.render.evaluate: {e}", file=sys.stderr)
        return 2
    if not clips:
        print("tools.render.evaluate: no clips with a .truth.json found.", file=sys.stderr)
        return 2
    report = evaluate(clips, Path(args.work), rules=args.rules, model=args.model)
    print(report["table"])
    print(f"\nfootform {report['footform']} (commit {report['commit']}), {report['date']}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
