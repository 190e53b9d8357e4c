"""Self-contained HTML reports for a therapist: one session, or a person's progress across sessions.

A report is **one HTML file** with inline CSS and inline SVG plots (matplotlib's SVG backend, text
kept as text): no scripts, no external URLs, so it opens offline and leaks nothing.  It prints to
A4 (``@media print``); :func:`write_pdf` prints it with headless Chromium.

Session report: header (person, date, exercise, camera view, quality), how to read the numbers,
key figures, per set a table of reps (peak height, rise / top / lowering time, heel alignment) or of
holds (duration per leg, sway and ankle wobble each beside its measurement noise floor), plots
(heel lift over time with reps, flags and pain marks; fatigue across reps; left vs right;
stabilogram with the 95 % ellipse per leg; flags timeline), the flags in plain words, pain/cramp
marks, other events, and what this camera view cannot measure.

Every plot is a ``<figure id="plot-…">``; marked items carry ids (``heel-rep-3``,
``fatigue-rep-3``, ``stab-ellipse-left`` …) so tests and scripts can find them.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from footform import __version__
from footform.analysis.summary import DECLINE_LABEL, decline_text
from footform.core.numeric import finite
from footform.errors import OutputError, os_reason
from footform.exercises import registry
from footform.outputs import references as refs
from footform.outputs.export import FrameSignals, session_signals
from footform.outputs.figures import (
    MARK_COLOURS,
    NEUTRAL_KEY,
    SEVERITY_COLOURS,
    SIDE_COLOURS,
    esc,
    figure,
    figure_html,
    fmt,
    svg_of,
    with_rc,
)
from footform.outputs.store import STATUS_NOT_ANALYSABLE, Person, SessionRecord, Store, local_time

#: Exercises with rows of their own kind (holds of kind "calf_stretch", reps of kind "ankle_pump"):
#: no heel-height, fatigue or stabilogram plots, which assume calf raises or single-leg stance.
OWN_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.own_machine)
VIEW_NAMES = {"front": "from the front", "back": "from behind", "side": "from the side", "side-left": "from the left side",
              "side-right": "from the right side", "unknown": "unknown (changing or unclear)"}
#: What MediaPipe reports of a true heel raise, by camera view (docs/metrics.md "What the pose model sees of a heel raise", measured on renders).
HEEL_SHARE = {"side": "about 83 %", "back": "64–69 %", "front": "very little (the toe point rises with the heel)",
              "unknown": "52–83 %, depending on the view"}
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
}
ENDED_BY_WORDS = {"touch_down": "foot down", "end_of_video": "recording ended", "tracking_lost": "feet lost from view",
                  "cut": "camera jumped", "came_out": "came out"}
PAUSE_REASON_WORDS = {"heel_lift": "heel up", "knee_bend": "knee bent"}


def _not_measurable(fam: str, exercise: str) -> list[str]:
    """The :data:`NOT_MEASURABLE` items that concern this exercise."""
    items = NOT_MEASURABLE[fam]
    if fam == "unknown":
        return items
    if exercise == "single_leg_stance":
        return [i for i in items if "raise" not in i and "heel height" not in i]
    if exercise == "calf_raise":
        return [i for i in items if "sway" not in i and "wobble" not in i]
    return items


def _view_family(view: str | None) -> str:
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


# ---------------------------------------------------------------------------------------------
# Small formatting helpers
# ---------------------------------------------------------------------------------------------

#: Image angles (2-D, from pose landmarks) are printed in whole degrees, prefixed "≈": tenths are
#: far below what the method resolves — on the rendered side stretch the model's ankle angle was
#: 6–15° off the truth and the pumps' range 6–16° short (docs/metrics.md), and its frame-to-frame
#: jitter is a degree or more.  Whole degrees keep a person's own holds and pumps comparable.
ANGLE_ND = 0


def fmt_angle(v: Any, unit: bool = True, dash: str = "–") -> str:
    """An estimated image angle: ``≈ 26°`` (whole degrees); a dash for missing; text passed through."""
    if isinstance(v, str):
        return esc(v)
    x = finite(v)
    if x is None:
        return dash
    return f"≈&nbsp;{x:.{ANGLE_ND}f}".replace("-", "−") + ("°" if unit else "")


#: Program targets in words: key → (template, shown for these exercises or all).  A target without
#: a value (``None``) is left out; the exercise itself is the report's title, so it is not repeated.
TARGET_WORDS: dict[str, str] = {     # in this order (the store keeps the keys sorted)
    "sets": "{v:.0f} sets",
    "reps": "{v:.0f} reps per set",
    "hold_s": "hold {v:.0f} s per leg",
    "rest_s": "rest {v:.0f} s between sets",
    "metronome_bpm": "metronome at {v:.0f} beats per minute",
}
_TARGET_UNITS = (("_bpm", "beats per minute"), ("_s", "s"), ("_deg", "°"), ("_pct", "%"), ("_per_min", "per minute"))


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
        for suffix, u in _TARGET_UNITS:
            if k.endswith(suffix):
                name, unit = k[: -len(suffix)], u
                break
        val = (f"{x:g}" if x is not None else str(v)) + (f" {unit}" if unit else "")
        out.append(f"{name.replace('_', ' ')} {val}")
    return ", ".join(out)


def _int_ticks(ax: Any, values: Sequence[int], axis: str = "x", most: int = 12) -> None:
    """Whole-number ticks only (rep numbers): every value, or every n-th when there are many."""
    if not values:
        return
    lo, hi = int(min(values)), int(max(values))
    step = max(1, math.ceil((hi - lo + 1) / most))
    ticks = list(range(lo, hi + 1, step))
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, [str(t) for t in ticks])


def _pct(part: Any, whole: Any) -> str:
    p, w = finite(part), finite(whole)
    if p is None or not w:
        return "–"
    return f"{100.0 * p / w:.0f}&nbsp;%"


def _tspan(a: Any, b: Any) -> str:
    x, y = finite(a), finite(b)
    if x is None:
        return "–"
    return f"{x:.1f}–{y:.1f}&nbsp;s" if y is not None else f"{x:.1f}&nbsp;s"


def _cm_axis(ax: Any, cm_per_fl: float | None, which: str = "y") -> None:
    if not cm_per_fl:
        return
    if which == "y":
        sec = ax.secondary_yaxis("right", functions=(lambda x: x * cm_per_fl, lambda x: x / cm_per_fl))
        sec.set_ylabel("≈ cm (estimate)")
    else:
        sec = ax.secondary_xaxis("top", functions=(lambda x: x * cm_per_fl, lambda x: x / cm_per_fl))
        sec.set_xlabel("≈ cm (estimate)")


# ---------------------------------------------------------------------------------------------
# Session plots
# ---------------------------------------------------------------------------------------------

def _reps(rec: SessionRecord, full: bool = True) -> list[dict[str, Any]]:
    return [r for r in rec.reps if bool(r.get("full", 1)) == full]


def _lift_name(rec: SessionRecord) -> str:
    """What the session's calf-raise heights are: the heel lift, or the whole body's rise measured
    from the pixels when the pose model lost the person (summary ``set.lift_from``)."""
    body = ((rec.summary or {}).get("set") or {}).get("lift_from") == "body_rise"
    return "body rise" if body else "heel lift"


@with_rc
def plot_heel(rec: SessionRecord, sig: FrameSignals | None, cm_per_fl: float | None) -> str:
    """Heel lift over time with counted reps shaded and numbered, partial reps, flags and pain marks."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = figure(7.2, 2.9)
    ax = fig.add_subplot()
    reps = _reps(rec)
    handles: list[Any] = []
    if sig is not None and len(sig):
        what = f"{_lift_name(rec)} seen by the " + ("camera" if _lift_name(rec) == "body rise" else "model")
        ax.plot(sig.t_s, sig.lift, color="#222222", lw=0.9, label=what)
        handles.append(Line2D([], [], color="#222222", lw=0.9, label=what))
        seen = sig.lift[np.isfinite(sig.lift)]
        top = float(np.nanmax(seen)) if seen.size else 0.3
        t_max = float(sig.t_s[-1])
    else:
        peaks = [finite(r.get("peak_lift_fl")) or 0.0 for r in reps]
        top = max(peaks, default=0.3)
        t_max = max([finite(r.get("t_end_s")) or 0.0 for r in rec.reps] + [finite(rec.session.get("duration_s")) or 0.0])
        for r in reps:
            ax.plot([finite(r.get("t_top_s"))] * 2, [0, finite(r.get("peak_lift_fl")) or 0.0], color="#222222", lw=1.2)
        handles.append(Line2D([], [], color="#222222", lw=1.2, label="rep peak (no per-frame curve)"))
    top = max(top, 0.05)
    ymax = top * 1.25
    ymin = min(-0.05 * top, float(np.nanmin(sig.lift)) if sig is not None and np.isfinite(sig.lift).any() else 0.0)
    ymin = max(ymin, -0.5 * top)
    sides_seen = set()
    for r in reps:
        a, b = finite(r.get("t_start_s")), finite(r.get("t_end_s"))
        if a is None or b is None:
            continue
        side = r.get("side") or "both"
        sides_seen.add(side)
        span = ax.axvspan(a, b, color=SIDE_COLOURS.get(side, "#4D4D4D"), alpha=0.16, lw=0)
        span.set_gid(f"heel-rep-{r['rep_index']}")
        ax.text(finite(r.get("t_top_s")) or (a + b) / 2, top * 1.06, str(r["rep_index"]), ha="center", va="bottom",
                fontsize=7.5, color="#333333")
    for side in sorted(sides_seen):
        handles.append(Patch(color=SIDE_COLOURS.get(side), alpha=0.3, label=f"counted rep ({side})"))
    partials = _reps(rec, full=False) + [
        {"t_start_s": e.get("t_s"), "t_end_s": e.get("t_end_s")} for e in rec.events if e.get("type") == "partial_rep"]
    seen_p = set()
    for i, r in enumerate(partials, 1):
        a, b = finite(r.get("t_start_s")), finite(r.get("t_end_s"))
        if a is None or b is None or (round(a, 2), round(b, 2)) in seen_p:
            continue
        seen_p.add((round(a, 2), round(b, 2)))
        ax.axvspan(a, b, facecolor="none", edgecolor="#999999", hatch="////", lw=0, alpha=0.6).set_gid(f"heel-partial-{i}")
    if seen_p:
        handles.append(Patch(facecolor="none", edgecolor="#999999", hatch="////", label="partial rep (not counted)"))
    for i, f in enumerate(rec.flags, 1):
        t = finite(f.get("t_start_s"))
        if t is None:
            continue
        (m,) = ax.plot([t], [ymin + 0.04 * (ymax - ymin)], marker="^", ms=6, ls="none",
                       color=SEVERITY_COLOURS.get(f.get("severity"), "#888888"))
        m.set_gid(f"heel-flag-{i}")
    if rec.flags:
        handles.append(Line2D([], [], marker="^", ls="none", color=SEVERITY_COLOURS["warn"], label="flag (see list)"))
    for i, mk in enumerate(rec.marks, 1):
        t = finite(mk.get("t_s"))
        if t is None:
            continue
        colour = MARK_COLOURS.get(mk.get("kind"), "#666666")
        ax.axvline(t, color=colour, ls="--", lw=1.0).set_gid(f"heel-mark-{i}")
        rating = f" {mk['rating']}/10" if mk.get("rating") is not None else ""
        ax.text(t, ymax * 0.98, f" {mk.get('kind')}{rating}", color=colour, fontsize=7.5, va="top", ha="left")
    if rec.marks:
        handles.append(Line2D([], [], color=MARK_COLOURS["pain"], ls="--", label="pain / cramp mark"))
    ax.set_xlim(0, max(t_max, 1.0))
    ax.set_ylim(ymin, ymax)
    ax.axhline(0, color="#999999", lw=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"{_lift_name(rec)} (foot lengths)")
    _cm_axis(ax, cm_per_fl)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.28), ncol=min(4, len(handles)), frameon=False)
    return svg_of(fig, "heel")


@with_rc
def plot_fatigue(rec: SessionRecord, cm_per_fl: float | None) -> str:
    """Peak lift per rep and rise / lowering time per rep: does form hold up across the set?"""
    from matplotlib.ticker import MaxNLocator

    reps = _reps(rec)
    fig = figure(7.2, 2.7)
    ax1, ax2 = fig.subplots(1, 2)
    idx = [r["rep_index"] for r in reps]
    peaks = [finite(r.get("peak_lift_fl")) for r in reps]
    for r, p in zip(reps, peaks):
        if p is None:
            continue
        (m,) = ax1.plot([r["rep_index"]], [p], marker="o", ms=5, ls="none", color=SIDE_COLOURS.get(r.get("side") or "both"))
        m.set_gid(f"fatigue-rep-{r['rep_index']}")
    good = [(i, p) for i, p in zip(idx, peaks) if p is not None]
    if len(good) >= 3:
        x, y = np.array(good, float).T
        k, c = np.polyfit(x, y, 1)
        ax1.plot(x, k * x + c, color="#777777", lw=1, ls=":", label="trend")
        ax1.legend(loc="lower left", frameon=False)
    ax1.set_xlabel("rep")
    ax1.set_ylabel(f"peak {_lift_name(rec)} (foot lengths)")
    ax1.set_ylim(0, max([p for p in peaks if p is not None] + [0.05]) * 1.2)
    ax1.set_title("Height per rep", loc="left")
    _cm_axis(ax1, cm_per_fl)
    rise = [finite(r.get("rise_s")) or 0.0 for r in reps]
    lower = [finite(r.get("lower_s")) or 0.0 for r in reps]
    x = np.arange(len(reps))
    ax2.bar(x - 0.2, rise, width=0.4, color="#56B4E9", label="rise")
    ax2.bar(x + 0.2, lower, width=0.4, color="#0072B2", label="lowering")
    ax2.set_xticks(x, [str(i) for i in idx])
    ax2.set_xlabel("rep")
    ax2.set_ylabel("time (s)")
    ax2.set_title("Tempo per rep", loc="left")
    ax2.set_ylim(0, max(rise + lower + [0.1]) * 1.3)
    ax2.legend(loc="upper left", frameon=False, ncol=2)
    if len(idx) > 20:
        ax2.xaxis.set_major_locator(MaxNLocator(10, integer=True))
    if idx:
        ax1.set_xlim(min(idx) - 0.6, max(idx) + 0.6)
        _int_ticks(ax1, idx)     # whole reps only, also for one or two reps (MaxNLocator falls back to fractions)
    return svg_of(fig, "fatigue")


def _hold_figs(h: Mapping[str, Any]) -> dict[str, Any]:
    """Sway figure of one hold along the image-horizontal axis, its noise floor and the axis name."""
    sway = h.get("sway") or {}
    nf = h.get("noise_floor") or {}
    axes = sway.get("axes") or {}
    horiz = next((a for a, w in axes.items() if "horizontal" in str(w)), "ml")
    return {"axis": horiz, "rms": finite(sway.get(f"rms_{horiz}")), "rms_noise": finite(nf.get(f"rms_{horiz}")),
            "vel": finite(sway.get(f"mean_velocity_{horiz}_per_s")), "vel_noise": finite(nf.get(f"mean_velocity_{horiz}_per_s")),
            "area": finite(sway.get("ellipse95_area")), "area_noise": finite(nf.get("ellipse95_area"))}


@with_rc
def plot_left_right(rec: SessionRecord, cm_per_fl: float | None) -> str | None:
    """Left vs right: holds (longest hold, sway with its noise floor) or single-leg reps (count, height, alignment)."""
    legs = ("left", "right")
    if rec.holds:
        fig = figure(7.2, 2.5)
        ax1, ax2 = fig.subplots(1, 2)
        longest = [max([finite(h.get("duration_s")) or 0.0 for h in rec.holds if h.get("stance_side") == s], default=0.0) for s in legs]
        total = [sum(finite(h.get("duration_s")) or 0.0 for h in rec.holds if h.get("stance_side") == s) for s in legs]
        x = np.arange(2)
        b1 = ax1.bar(x - 0.2, longest, 0.4, color=[SIDE_COLOURS[s] for s in legs])
        b2 = ax1.bar(x + 0.2, total, 0.4, color=[SIDE_COLOURS[s] for s in legs], alpha=0.45)
        for bars in (b1, b2):
            for rect, s in zip(bars, legs):
                rect.set_gid(f"lr-hold-{s}-{'longest' if bars is b1 else 'total'}")
        ax1.set_xticks(x, ["left leg", "right leg"])
        ax1.set_ylabel("standing time (s)")
        ax1.set_title("Hold time per standing leg", loc="left")
        _legend_below(ax1, [("longest hold", 1.0), ("all holds", 0.45)], "lr-hold-legend")
        rms, noise = [], []
        axis = "ml"
        for s in legs:
            hs = [_hold_figs(h) for h in rec.holds if h.get("stance_side") == s]
            vals = [f["rms"] for f in hs if f["rms"] is not None]
            nvals = [f["rms_noise"] for f in hs if f["rms_noise"] is not None]
            if hs:
                axis = hs[0]["axis"]
            rms.append(float(np.mean(vals)) if vals else 0.0)
            noise.append(float(np.mean(nvals)) if nvals else 0.0)
        ax2.bar(x, rms, 0.5, color=[SIDE_COLOURS[s] for s in legs])
        ax2.scatter(x, noise, marker="_", s=600, color="#000000", zorder=3)
        ax2.set_xticks(x, ["left leg", "right leg"])
        ax2.set_ylabel(f"sway RMS, {axis.upper()} (foot lengths)")
        ax2.set_ylim(0, max(rms + noise + [1e-3]) * 1.4)
        ax2.set_title("Sway per standing leg (mean of holds)", loc="left")
        _legend_below(ax2, [("sway RMS (bar)", 1.0), ("noise floor", None)], "lr-sway-legend")
        _cm_axis(ax2, cm_per_fl)
        return svg_of(fig, "lr")
    reps = _reps(rec)
    single = {s: [r for r in reps if r.get("side") == s] for s in legs}
    heel_in = {s: [v for v in (finite(r.get(f"heel_in_{s}_fl")) for r in reps) if v is not None] for s in legs}
    if not (single["left"] and single["right"]) and not (heel_in["left"] or heel_in["right"]):
        return None
    panels = [p for p in ("single", "align") if (p == "single" and single["left"] and single["right"])
              or (p == "align" and (heel_in["left"] or heel_in["right"]))]
    fig = figure(7.2 if len(panels) == 2 else 3.8, 2.5)
    axs = np.atleast_1d(fig.subplots(1, len(panels)))
    x = np.arange(2)
    for ax, p in zip(axs, panels):
        if p == "single":
            mean_peak = [float(np.mean([finite(r.get("peak_lift_fl")) or 0.0 for r in single[s]])) for s in legs]
            bars = ax.bar(x, mean_peak, 0.5, color=[SIDE_COLOURS[s] for s in legs])
            for rect, s in zip(bars, legs):
                rect.set_gid(f"lr-peak-{s}")
                ax.text(rect.get_x() + rect.get_width() / 2, rect.get_height(), f"{len(single[s])} reps", ha="center",
                        va="bottom", fontsize=7.5)
            ax.set_ylabel("mean peak lift (foot lengths)")
            ax.set_title("Single-leg reps per side", loc="left")
            ax.set_ylim(0, max(mean_peak + [0.05]) * 1.25)
            _cm_axis(ax, cm_per_fl)
        else:
            vals = [float(np.mean(heel_in[s])) if heel_in[s] else 0.0 for s in legs]
            bars = ax.bar(x, vals, 0.5, color=[SIDE_COLOURS[s] for s in legs])
            for rect, s in zip(bars, legs):
                rect.set_gid(f"lr-align-{s}")
            ax.axhline(0, color="#666666", lw=0.8)
            ax.set_ylabel("heel drift (foot lengths)\n+ in (sickling) / − out")
            ax.set_title("Heel alignment during raises", loc="left")
            lim = max([abs(v) for v in vals] + [0.02]) * 1.4
            ax.set_ylim(-lim, lim)
        ax.set_xticks(x, ["left", "right"])
    return svg_of(fig, "lr")


def _ellipse95(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, float] | None:
    """(cx, cy, width, height, angle_deg) of the 95 % prediction ellipse (χ²₂ = 5.991)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 5:
        return None
    cov = np.cov(np.vstack([x[ok], y[ok]]))
    vals, vecs = np.linalg.eigh(cov)
    vals = np.clip(vals, 0, None)
    k = math.sqrt(5.991)
    angle = math.degrees(math.atan2(vecs[1, 1], vecs[0, 1]))
    return float(np.mean(x[ok])), float(np.mean(y[ok])), 2 * k * math.sqrt(vals[1]), 2 * k * math.sqrt(vals[0]), angle


@with_rc
def plot_stabilogram(rec: SessionRecord, sig: FrameSignals, cm_per_fl: float | None) -> str | None:
    """COM-proxy path over the stance foot during holds, per leg, with the 95 % ellipse and the noise floor."""
    from matplotlib.patches import Ellipse

    legs = [s for s in ("left", "right") if any(h.get("stance_side") == s for h in rec.holds)]
    if not legs:
        return None
    fig = figure(7.2 if len(legs) == 2 else 3.9, 3.4)
    axs = np.atleast_1d(fig.subplots(1, len(legs)))
    lim = 0.02
    drawn = []
    horiz_axis = "ml"
    for ax, leg in zip(axs, legs):
        xs, ys = [], []
        nh = nd = None
        for h in rec.holds:
            if h.get("stance_side") != leg:
                continue
            figs = _hold_figs(h)
            horiz_axis = figs["axis"]
            nf = h.get("noise_floor") or {}
            depth_axis = "ap" if horiz_axis == "ml" else "ml"
            nh, nd = finite(nf.get(f"rms_{horiz_axis}")), finite(nf.get(f"rms_{depth_axis}"))
            a, b = finite(h.get("t_start_s")), finite(h.get("t_end_s"))
            if a is None or b is None:
                continue
            sel = (sig.t_s >= a) & (sig.t_s <= b) & np.array([s == leg for s in sig.stance])
            x, y = sig.sway_h[sel], sig.sway_depth[sel]
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.sum() < 5:
                continue
            x, y = x - np.nanmean(x[ok]), y - np.nanmean(y[ok])
            xs.append(x)
            ys.append(y)
        if not xs:
            ax.text(0.5, 0.5, "no usable frames", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(f"Standing on the {leg} leg", loc="left")
            continue
        x, y = np.concatenate(xs), np.concatenate(ys)
        ax.plot(x, y, color=SIDE_COLOURS[leg], lw=0.6, alpha=0.75)
        e = _ellipse95(x, y)
        if e is not None:
            cx, cy, w, hgt, ang = e
            patch = Ellipse((cx, cy), w, hgt, angle=ang, fill=False, color="#000000", lw=1.4, label="95 % ellipse")
            patch.set_gid(f"stab-ellipse-{leg}")
            ax.add_patch(patch)
            lim = max(lim, w / 2, hgt / 2)
        if nh is not None and nd is not None:
            k = math.sqrt(5.991)
            noise = Ellipse((0, 0), 2 * k * nh, 2 * k * nd, fill=False, color="#888888", ls="--", lw=1.0,
                            label="noise floor (still person)")
            noise.set_gid(f"stab-noise-{leg}")
            ax.add_patch(noise)
        seen = np.concatenate([np.abs(x[np.isfinite(x)]), np.abs(y[np.isfinite(y)])])
        if seen.size:
            lim = max(lim, float(np.percentile(seen, 99)))
        drawn.append(ax)
        ax.set_title(f"Standing on the {leg} leg", loc="left")
        ax.legend(loc="upper right", frameon=False, fontsize=7)
    depth_axis = "ap" if horiz_axis == "ml" else "ml"
    names = {"ml": "medio-lateral", "ap": "antero-posterior"}
    for ax in drawn:
        ax.set_xlim(-1.15 * lim, 1.15 * lim)
        ax.set_ylim(-1.15 * lim, 1.15 * lim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"{names[horiz_axis]} (foot lengths)")
        ax.set_ylabel(f"{depth_axis.upper()}, from depth (foot lengths)")
    return svg_of(fig, "stab")


def _extra(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored rep's / hold's fields beyond the table's columns (``extra_json``: stretch and pump figures)."""
    x = row.get("extra")
    return dict(x) if isinstance(x, Mapping) else {}


@with_rc
def plot_pumps(rec: SessionRecord, sig: FrameSignals) -> str | None:
    """Ankle angle (shank–foot, image) of each foot over time, with its counted pumps shaded and numbered."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if sig.pump_angle_left is None or sig.pump_angle_right is None:
        return None
    curves = {"left": sig.pump_angle_left, "right": sig.pump_angle_right}
    feet = [s for s, a in curves.items() if np.isfinite(a).any()]
    if not feet:
        return None
    fig = figure(7.2, 1.2 + 1.5 * len(feet))
    axs = np.atleast_1d(fig.subplots(len(feet), 1, sharex=True))
    t_max = float(sig.t_s[-1]) if len(sig) else 1.0
    for ax, foot in zip(axs, feet):
        a = curves[foot]
        ax.plot(sig.t_s, a, color=SIDE_COLOURS[foot], lw=0.9)
        fin = a[np.isfinite(a)]
        lo, hi = float(fin.min()), float(fin.max())
        for r in rec.reps:
            if r.get("side") != foot:
                continue
            x = _extra(r)
            t0, t1 = finite(r.get("t_start_s")), finite(r.get("t_end_s"))
            if t0 is None or t1 is None:
                continue
            ax.axvspan(t0, t1, color=SIDE_COLOURS[foot], alpha=0.14, lw=0).set_gid(f"pumps-rep-{r['rep_index']}")
            tp = finite(x.get("t_plantar"))
            ax.text(tp if tp is not None else (t0 + t1) / 2, hi + 0.04 * (hi - lo + 1), str(r["rep_index"]),
                    ha="center", va="bottom", fontsize=7, color="#333333")
        for i, f in enumerate(rec.flags, 1):
            t = finite(f.get("t_start_s"))
            if t is not None and f.get("side") in (foot, None):
                (m,) = ax.plot([t], [lo], marker="^", ms=6, ls="none", color=SEVERITY_COLOURS.get(f.get("severity"), "#888"))
                m.set_gid(f"pumps-flag-{foot}-{i}")
        for i, mk in enumerate(rec.marks, 1):
            t = finite(mk.get("t_s"))
            if t is not None:
                ax.axvline(t, color=MARK_COLOURS.get(mk.get("kind"), "#666666"), ls="--", lw=1.0).set_gid(f"pumps-mark-{foot}-{i}")
        ax.set_ylim(lo - 0.08 * (hi - lo + 1), hi + 0.22 * (hi - lo + 1))
        ax.set_ylabel(f"{foot} foot\nangle (°)")
    axs[-1].set_xlim(0, max(t_max, 1.0))
    axs[-1].set_xlabel("time (s)")
    axs[0].legend(handles=[Line2D([], [], color="#222222", lw=0.9, label="shank–foot angle (up: toes pointed)"),
                           Patch(color="#4D4D4D", alpha=0.25, label="counted pump")],
                  loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    return svg_of(fig, "pumps")


def _legend_below(ax: Any, entries: Sequence[tuple[str, float | None]], gid: str) -> None:
    """A legend under the axes (never on a bar) whose keys are neutral grey at each series' opacity:
    the bars' colours are the legs' (blue left, orange right), named on the axis, so a coloured key
    would match one leg's bar only.  ``None`` opacity: a black tick (a noise-floor marker)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], marker="_", ms=14, mew=2, ls="none", color="#000000", label=label) if a is None else
               Patch(facecolor=NEUTRAL_KEY, alpha=a, label=label) for label, a in entries]
    leg = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(handles),
                    frameon=False, fontsize=7.5)
    leg.set_gid(gid)


@with_rc
def plot_stretch_holds(rec: SessionRecord) -> str | None:
    """Each stretch hold as a bar: time in good form (solid) and paused (hatched), with the target."""
    holds = [h for h in rec.holds if _extra(h).get("kind") == "calf_stretch"]
    if not holds:
        return None
    fig = figure(7.2, 0.9 + 0.34 * len(holds))
    ax = fig.add_subplot()
    target = None
    labels = []
    for row, h in enumerate(holds):
        x = _extra(h)
        leg = h.get("stance_side") or "both"
        held, paused = finite(x.get("held_s")) or 0.0, finite(x.get("paused_s")) or 0.0
        ax.barh(row, held, height=0.6, color=SIDE_COLOURS.get(leg, "#4D4D4D"))[0].set_gid(f"stretch-held-{h['hold_index']}")
        if paused > 0:
            ax.barh(row, paused, left=held, height=0.6, facecolor="none", edgecolor=SIDE_COLOURS.get(leg, "#4D4D4D"),
                    hatch="////", lw=0.6)[0].set_gid(f"stretch-paused-{h['hold_index']}")
        target = finite(x.get("target_s")) or target
        labels.append(f"{h['hold_index']}: {leg} leg")
    if target:
        # the label sits above the plot area, right of the line's top end: the line never crosses it
        ax.axvline(target, color="#000000", ls=":", lw=1.0).set_gid("stretch-target")
        ax.annotate(f"target {target:.0f} s", xy=(target, 1.0), xycoords=("data", "axes fraction"), xytext=(3, 2),
                    textcoords="offset points", ha="left", va="bottom", fontsize=7.5).set_gid("stretch-target-label")
        ax.set_xlim(0, max(ax.get_xlim()[1], target * 1.15))
    ax.set_yticks(range(len(holds)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("seconds (solid: in good form, counted; hatched: paused — back heel up or back knee bent)")
    ax.grid(axis="y", visible=False)
    return svg_of(fig, "stretch")


@with_rc
def plot_left_right_own(rec: SessionRecord) -> str | None:
    """Left vs right for the calf stretch (time in good form per leg) or ankle pumps (count, range per foot)."""
    legs = ("left", "right")
    x = np.arange(2)
    ex = rec.session.get("exercise")
    if ex == "calf_stretch":
        held = {s: [finite(_extra(h).get("held_s")) or 0.0 for h in rec.holds if h.get("stance_side") == s] for s in legs}
        if not any(held.values()):
            return None
        fig = figure(4.2, 2.5)
        ax = fig.add_subplot()
        b1 = ax.bar(x - 0.2, [max(held[s], default=0.0) for s in legs], 0.4, color=[SIDE_COLOURS[s] for s in legs])
        b2 = ax.bar(x + 0.2, [sum(held[s]) for s in legs], 0.4, color=[SIDE_COLOURS[s] for s in legs], alpha=0.45)
        for bars, what in ((b1, "longest"), (b2, "total")):
            for rect, s in zip(bars, legs):
                rect.set_gid(f"lr-stretch-{s}-{what}")
        ax.set_xticks(x, ["left calf", "right calf"])
        ax.set_ylabel("time in good form (s)")
        ax.set_title("Stretch time per leg", loc="left")
        _legend_below(ax, [("longest hold", 1.0), ("all holds", 0.45)], "lr-stretch-legend")
        return svg_of(fig, "lr")
    if ex == "ankle_pumps":
        reps = {s: [r for r in rec.reps if r.get("side") == s] for s in legs}
        if not any(reps.values()):
            return None
        fig = figure(7.2, 2.5)
        ax1, ax2 = fig.subplots(1, 2)
        for rect, s in zip(ax1.bar(x, [len(reps[s]) for s in legs], 0.5, color=[SIDE_COLOURS[s] for s in legs]), legs):
            rect.set_gid(f"lr-pumps-{s}")
        ax1.set_xticks(x, ["left foot", "right foot"])
        ax1.set_ylabel("counted pumps")
        ax1.set_title("Pumps per foot", loc="left")
        rom = [[v for v in (finite(_extra(r).get("rom_deg")) for r in reps[s]) if v is not None] for s in legs]
        for rect, s in zip(ax2.bar(x, [float(np.mean(v)) if v else 0.0 for v in rom], 0.5,
                                   color=[SIDE_COLOURS[s] for s in legs]), legs):
            rect.set_gid(f"lr-rom-{s}")
        for i, v in enumerate(rom):
            if v:
                ax2.plot([i] * len(v), v, ls="none", marker="o", ms=3, color="#000000", alpha=0.5)
        ax2.set_xticks(x, ["left foot", "right foot"])
        ax2.set_ylabel("range, pointed to pulled up (°)")
        ax2.set_title("Range per pump (bar: mean)", loc="left")
        return svg_of(fig, "lr")
    return None


@with_rc
def plot_flags(rec: SessionRecord) -> str | None:
    """Flags as bars on a timeline, one row per kind of flag, coloured by severity; reps as context."""
    if not rec.flags:
        return None
    codes: list[str] = []
    for f in rec.flags:
        label = f.get("label") or f["code"]
        if label not in codes:
            codes.append(label)
    fig = figure(7.2, 0.9 + 0.32 * len(codes))
    ax = fig.add_subplot()
    t_max = max([finite(rec.session.get("duration_s")) or 0.0] + [finite(f.get("t_end_s")) or 0.0 for f in rec.flags])
    for r in _reps(rec):
        a, b = finite(r.get("t_start_s")), finite(r.get("t_end_s"))
        if a is not None and b is not None:
            ax.axvspan(a, b, color="#eeeeee", lw=0)
    for h in rec.holds:
        a, b = finite(h.get("t_start_s")), finite(h.get("t_end_s"))
        if a is not None and b is not None:
            ax.axvspan(a, b, color="#eeeeee", lw=0)
    width_min = max(t_max, 1.0) / 250
    for i, f in enumerate(rec.flags, 1):
        a = finite(f.get("t_start_s")) or 0.0
        b = finite(f.get("t_end_s")) or a
        row = codes.index(f.get("label") or f["code"])
        bars = ax.barh(row, max(b - a, width_min), left=a, height=0.6,
                       color=SEVERITY_COLOURS.get(f.get("severity"), "#888888"))
        bars[0].set_gid(f"flag-bar-{i}")
    ax.set_yticks(range(len(codes)), codes)
    ax.invert_yaxis()
    ax.set_xlim(0, max(t_max, 1.0))
    ax.set_xlabel("time (s)   (grey: reps / holds)")
    ax.grid(axis="y", visible=False)
    return svg_of(fig, "flags")


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

CSS = """
:root { --ink: #1a1a1a; --muted: #5f5f5f; --line: #d9d9d9; --soft: #f5f5f3; --accent: #0b5394; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 14px;
       color: var(--ink); background: #ffffff; line-height: 1.45; }
body { max-width: 210mm; margin: 0 auto; padding: 18px 22px 40px; }
h1 { font-size: 1.55rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 26px 0 8px; padding-bottom: 3px; border-bottom: 2px solid var(--accent);
     break-after: avoid; }
h3 { font-size: 1rem; margin: 16px 0 6px; break-after: avoid; }
p { margin: 6px 0; }
.sub { color: var(--muted); margin: 0 0 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 3px 14px; margin: 10px 0;
          padding: 10px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { flex: 1 1 130px; max-width: 200px; border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; background: #fff; }
.card .v { font-size: 1.35rem; font-weight: 700; }
.card .k { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 0.86rem;
        font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; vertical-align: top; }
th { background: var(--soft); font-weight: 600; text-align: right; }
th.l, td.l { text-align: left; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td .n { color: var(--muted); font-size: 0.8rem; display: block; }
.nw, td.date, td:not(.l) { white-space: nowrap; }
.lowsnr { color: var(--muted); }
.tag { display: inline-block; padding: 0 5px; border-radius: 3px; font-size: 0.78rem; font-weight: 600;
       color: #fff; background: #888; }
.tag.left { background: #0072B2; } .tag.right { background: #D55E00; } .tag.both { background: #4D4D4D; }
.tag.info { background: #3b8fc4; } .tag.warn { background: #b97800; } .tag.stop { background: #cc0000; }
.note { border-left: 4px solid #E69F00; background: #fff8e6; padding: 8px 12px; margin: 10px 0; }
.honesty { border-left: 4px solid var(--accent); background: #eef4fa; padding: 8px 14px; margin: 12px 0; }
.honesty ul, .note ul { margin: 4px 0; padding-left: 18px; }
.na { color: var(--muted); font-style: italic; }
figure { margin: 12px 0 16px; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: 0.84rem; margin-top: 2px; }
svg.plot { width: 100%; height: auto; display: block; }
.refs li { margin-bottom: 4px; }
footer { margin-top: 28px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted);
         font-size: 0.8rem; }
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  h2 { margin-top: 16px; }
  .honesty, .note, dl.meta, .card, th, .tag { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  section.page-break { break-before: page; }
}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"footform " + esc(__version__) + "\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _person_line(p: Person | None) -> str:
    if p is None:
        return "<span class=\"na\">not recorded</span>"
    bits = [f"<strong>{esc(p.name)}</strong>"]
    if p.height_cm:
        bits.append(f"{p.height_cm:.0f} cm")
    if p.age_band:
        bits.append(f"age {esc(p.age_band)}")
    if p.injured_side and p.injured_side != "none":
        bits.append(f"injured side: {esc(p.injured_side)}")
    return ", ".join(bits)


def _quality_html(rec: SessionRecord) -> str:
    s = rec.session
    frames = s.get("frames")
    if not frames:
        return "<span class=\"na\">not recorded</span>"
    return (f"person found on {_pct(s.get('frames_with_person'), frames)}, both feet seen on "
            f"{_pct(s.get('frames_feet_visible'), frames)} of {frames} frames")


def _cm_per_fl(rec: SessionRecord) -> float | None:
    h = finite(rec.session.get("height_cm"))
    if h is None and rec.person is not None:
        h = finite(rec.person.height_cm)
    # only when the analysis itself produced cm figures (the height was known then)
    if h is None or finite(rec.session.get("height_cm")) is None:
        return None
    from footform.core.kinematics import cm_per_fl

    return cm_per_fl(h)


HONESTY_OWN = {
    "calf_stretch": [
        ("<strong>Angles are measured in the image</strong> (2-D), from the side: the back leg's hip–knee–ankle angle "
        "and the angle between shank and foot. They estimate the joint angles only when the camera looks square at "
        "the side of the body; compare a person with themself in the same set-up. <em>Dorsiflexion</em> is 90° minus "
        "the shank–foot image angle; its <em>gain</em> over the person's own upright standing is the steadier figure."),
        ("The <strong>hold timer counts time in good form only</strong>: it pauses while the back heel is lifted "
        "(more than 0.06 foot lengths above its height when the stretch began — the pose model reports only part of a "
        "real heel lift) and, in the straight-knee (gastrocnemius) version, while the back knee is bent more than 12° "
        "beyond the person's own straight knee. A back knee bent by 8° or more through the hold is read as the soleus "
        "version."),
        ("From the front or back, which leg is behind comes from the pose model's depth guess (approximate), and the "
        "knee and ankle angles cannot be measured; the back foot's turn-out can, roughly."),
    ],
    "ankle_pumps": [
        ("<strong>The ankle angle is the angle between shank and foot in the image</strong> (2-D). It follows the "
        "real ankle from the side or a three-quarter view, with a smaller range than the true one (on a rendered "
        "three-quarter clip the model reported 80–123° for a true 72–128°), and says nothing from straight in front. "
        "Compare ranges of the same person filmed from the same side."),
        ("Each foot is counted on its own: one pump is toes pointed and pulled up once (in either order). "
        "<em>Past rest</em> is measured from the foot's own resting angle; <em>leg moved</em> is how much the whole "
        "shank turned during the pump (it should stay still)."),
    ],
}


def _honesty(rec: SessionRecord, cm: float | None) -> str:
    fam = _view_family(rec.session.get("view"))
    own = HONESTY_OWN.get(rec.session.get("exercise") or "")
    if own is not None:
        items = [*own,
                 ("Angles are <strong>estimates</strong>, marked ≈ and given in whole degrees: on rendered clips with a "
                  "known truth the model's angles were 6–16° off (docs/metrics.md); compare a person with themself."),
                 ("Metrics a camera view cannot measure are shown as <span class=\"na\">not measurable from "
                  "this view</span> (n/m), never as numbers.")]
        return "<div class=\"honesty\"><strong>How to read these numbers</strong><ul>" + "".join(
            f"<li>{i}</li>" for i in items) + "</ul></div>"
    heights = (
        "<strong>Heights are calibrated estimates, not measurements.</strong> They are in <em>foot lengths</em> "
        "(FL, about 15&nbsp;% of body height, estimated from the shank length in the image) above the person's own "
        "standing baseline. The pose model (MediaPipe) reports only part of a real heel raise — "
        f"{esc(HEEL_SHARE[fam])} from this view"
        + (" — so from the front the rise of the whole body (hips, shoulders, ankles) is used instead" if fam == "front" else "")
        + ". Compare a person with themself in the same camera view, not with a tape measure.")
    if _lift_name(rec) == "body rise":
        heights = (
            "<strong>Heights are the rise of the whole body, not of the heel.</strong> The pose model lost the "
            "person on this footage, so the reps were counted from how far the person rose in the pixels, with the "
            "camera's own motion removed, in <em>foot lengths</em> (FL, estimated from the shank length in the "
            "image) above the low point before each rep. They rise with the heel but are not its height; heel "
            "alignment and the working foot were not measured.")
    # only what this session shows: heights for calf raises, sway and the arch proxy for stance
    exercise = rec.session.get("exercise")
    has_reps = exercise == "calf_raise" or bool(_reps(rec))
    has_holds = exercise == "single_leg_stance" or bool(rec.holds)
    items = [heights] if has_reps else []
    items.append("Centimetre figures use the person's height and average body proportions (±5&nbsp;%)." if cm else
                 "No centimetre figures: the person's height was not given when this session was analysed.")
    if has_holds:
        items += [
            ("Sway is that of a centre-of-mass <em>proxy</em> (hips and shoulders in the image) over the standing foot, "
             "not a force-plate centre of pressure. Every sway and wobble figure has its <em>noise floor</em> beside it: "
             "what a perfectly still person would score with this camera; figures within twice the noise floor "
             "(shown grey) cannot be told apart from stillness. Sway along the camera's depth axis comes from the "
             "model's 3-D estimate and is much noisier."),
            ("The arch-collapse (pronation) figure, where shown, is a <em>proxy</em>: the ankle moving inwards and down "
             "relative to the heel–toe line, compared with the person's own two-leg standing. It does not see the arch."),
        ]
    items.append("Metrics a camera view cannot measure are shown as <span class=\"na\">not measurable from this "
                 "view</span>, never as numbers.")
    return "<div class=\"honesty\"><strong>How to read these numbers</strong><ul>" + "".join(
        f"<li>{i}</li>" for i in items) + "</ul></div>"


def _key_cards(rec: SessionRecord, cm: float | None) -> str:
    cards: list[tuple[str, str]] = []
    reps = _reps(rec)
    own = rec.session.get("exercise") in OWN_EXERCISES
    if own:
        cards += _own_cards(rec)
    elif rec.session.get("exercise") == "calf_raise" or reps:
        by = {s: sum(1 for r in reps if r.get("side") == s) for s in ("both", "left", "right")}
        detail = ", ".join(f"{n} {s}" for s, n in by.items() if n)
        cards.append((str(len(reps)), "counted reps" + (f" ({detail})" if detail else "")))
        peaks = [p for p in (finite(r.get("peak_lift_fl")) for r in reps) if p is not None]
        if peaks:
            mean = float(np.mean(peaks))
            cm_txt = f" ≈ {mean * cm:.1f} cm" if cm else ""
            cards.append((f"{mean:.2f} FL", f"mean peak {_lift_name(rec)}" + cm_txt))
        ctrl = [(finite(r.get("lower_s")) or 0) >= (finite(r.get("rise_s")) or 0) for r in reps]
        if ctrl:
            cards.append((f"{100 * np.mean(ctrl):.0f} %", "reps lowered at least as slowly as raised"))
        agg = (rec.sets[0].get("aggregates") or {}) if rec.sets else {}
        dec = finite(agg.get("peak_decline_pct"))
        if dec is not None:
            cards.append((decline_text(dec), DECLINE_LABEL))  # the same words as the CLI's table
    if not own and (rec.holds or rec.session.get("exercise") == "single_leg_stance"):
        for leg in ("left", "right"):
            d = [finite(h.get("duration_s")) or 0.0 for h in rec.holds if h.get("stance_side") == leg]
            cards.append((f"{max(d):.1f} s" if d else "–", f"longest hold on the {leg} leg ({len(d)} holds)"))
    cards.append((str(len(rec.flags)), "flags raised"))
    pains = [m for m in rec.marks if m.get("kind") in ("pain", "cramp")]
    if pains:
        worst = max((m.get("rating") or 0) for m in pains)
        cards.append((f"{worst}/10", f"worst of {len(pains)} pain/cramp marks"))
    return "<div class=\"cards\">" + "".join(
        f"<div class=\"card\"><div class=\"v\">{v}</div><div class=\"k\">{esc(k)}</div></div>" for v, k in cards) + "</div>"


def _alignment(r: Mapping[str, Any]) -> str:
    note = r.get("alignment_note")
    left, right = finite(r.get("heel_in_left_fl")), finite(r.get("heel_in_right_fl"))
    if left is None and right is None:
        return f"<span class=\"na\">{esc(note or 'not measured')}</span>"
    parts = []
    for name, v in (("L", left), ("R", right)):
        if v is None:
            continue
        sign = "+" if v > 0 else ""
        parts.append(f"<span class=\"nw\">{name} {sign}{fmt(v, 3)}</span>")
    return "<br>".join(parts)


def _rep_table(rec: SessionRecord, reps: Sequence[Mapping[str, Any]], cm: float | None) -> str:
    head = ("<tr><th>rep</th><th class=\"l\">side</th><th>time</th><th>peak lift<br>FL</th>"
            + ("<th>≈ cm</th>" if cm else "") +
            "<th>rise<br>s</th><th>top<br>s</th><th>lowering<br>s</th><th>lowering<br>÷ rise</th>"
            "<th>heel alignment<br>FL (+ in / − out)</th><th class=\"l\">flags</th></tr>")
    rows = []
    for r in reps:
        rise, lower = finite(r.get("rise_s")), finite(r.get("lower_s"))
        ratio = lower / rise if rise and lower is not None else None
        ratio_html = fmt(ratio, 2) if ratio is not None else "–"
        if ratio is not None and ratio < 1.0:
            ratio_html = f"<strong>{ratio_html}</strong>"
        flags = [f for f in rec.flags if f.get("rep_index") == r["rep_index"]]
        side = r.get("side") or "both"
        rows.append(
            f"<tr id=\"rep-{r['rep_index']}\"><td>{r['rep_index']}</td><td class=\"l\"><span class=\"tag {esc(side)}\">{esc(side)}</span></td>"
            f"<td>{_tspan(r.get('t_start_s'), r.get('t_end_s'))}</td><td>{fmt(r.get('peak_lift_fl'), 3)}</td>"
            + (f"<td>{fmt(r.get('peak_lift_cm'), 1)}</td>" if cm else "") +
            f"<td>{fmt(rise, 2)}</td><td>{fmt(r.get('top_s'), 2)}</td><td>{fmt(lower, 2)}</td><td>{ratio_html}</td>"
            f"<td>{_alignment(r)}</td><td class=\"l\">{', '.join(esc(f.get('label') or f['code']) for f in flags) or ''}</td></tr>"
        )
    return f"<table class=\"reps\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _with_noise(v: Any, noise: Any, nd: int, unit: str = "", cm: float | None = None, cm_nd: int = 1,
                cm_unit: str = "cm", square: bool = False) -> str:
    x, n = finite(v), finite(noise)
    if isinstance(v, str):
        return f"<span class=\"na\">{esc(v)}</span>"
    if x is None:
        return "–"
    txt = fmt(x, nd, unit)
    if cm:
        f = cm * cm if square else cm
        txt += f"<span class=\"n\">≈ {fmt(x * f, cm_nd, cm_unit)}</span>"
    noise_txt = f"<span class=\"n\">noise {fmt(n, nd)}</span>" if n is not None else "<span class=\"n\">noise –</span>"
    cls = " class=\"lowsnr\"" if n is not None and x < 2 * n else ""
    return f"<span{cls}>{txt}</span>{noise_txt}"


def _hold_table(holds: Sequence[Mapping[str, Any]], cm: float | None) -> str:
    axis = _hold_figs(holds[0])["axis"] if holds else "ml"
    name = {"ml": "ML", "ap": "AP"}[axis]
    head = ("<tr><th>hold</th><th class=\"l\">standing leg</th><th>time</th><th>duration<br>s</th>"
            "<th class=\"l\">ended by</th><th>touch-<br>downs</th>"
            f"<th>sway RMS {name}<br>FL</th><th>sway range {name}<br>FL</th><th>sway speed {name}<br>FL/s</th>"
            "<th>95 % ellipse<br>FL²</th><th>ankle wobble<br>RMS °</th><th>wobble<br>freq. Hz</th></tr>")
    rows = []
    for h in holds:
        sway = h.get("sway") or {}
        nf = h.get("noise_floor") or {}
        wob = h.get("wobble") or {}
        f = _hold_figs(h)
        leg = h.get("stance_side") or "?"
        wob_rms = wob.get("rms_deg")
        wob_freq = wob.get("dominant_freq_hz")
        rows.append(
            f"<tr id=\"hold-{h['hold_index']}\"><td>{h['hold_index']}</td>"
            f"<td class=\"l\"><span class=\"tag {esc(leg)}\">{esc(leg)}</span></td>"
            f"<td>{_tspan(h.get('t_start_s'), h.get('t_end_s'))}</td><td><strong>{fmt(h.get('duration_s'), 1)}</strong></td>"
            f"<td class=\"l\">{esc(ENDED_BY_WORDS.get(h.get('ended_by'), h.get('ended_by') or '–'))}</td>"
            f"<td>{h.get('touchdowns') if h.get('touchdowns') is not None else '–'}</td>"
            f"<td>{_with_noise(f['rms'], f['rms_noise'], 3, cm=cm)}</td>"
            f"<td>{fmt(sway.get(f'range_{axis}'), 3)}</td>"
            f"<td>{_with_noise(f['vel'], f['vel_noise'], 3, cm=cm, cm_unit='cm/s')}</td>"
            f"<td>{_with_noise(f['area'], f['area_noise'], 4, cm=cm, cm_unit='cm²', square=True)}</td>"
            f"<td>{_with_noise(wob_rms, nf.get('wobble_rms_deg'), 1)}</td>"
            f"<td>{fmt(wob_freq, 1) if not isinstance(wob_freq, str) else '<span class=na>n/a</span>'}</td></tr>"
        )
    return f"<table class=\"holds\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _na_or(v: Any, nd: int, unit: str = "") -> str:
    """A figure, or the reason it was not measured (greyed), never a number for a text."""
    if isinstance(v, str):
        return f"<span class=\"na\">{esc(v.replace('not measurable from a ', 'n/m: ').replace('not measurable', 'n/m'))}</span>"
    return fmt(v, nd, unit)


def _na_or_angle(v: Any) -> str:
    """An estimated angle (:func:`fmt_angle`), or the reason it was not measured."""
    return _na_or(v, 0) if isinstance(v, str) else fmt_angle(v)


def _td(inner: str, value: Any) -> str:
    """A table cell; a not-measurable reason (text) may wrap, a number stays on one line."""
    return f"<td class=\"l\">{inner}</td>" if isinstance(value, str) else f"<td>{inner}</td>"


def _stretch_table(rec: SessionRecord, holds: Sequence[Mapping[str, Any]]) -> str:
    """Calf-stretch holds: leg, time, time in good form vs in position, pauses, variant, angles, heel, foot."""
    head = ("<tr><th>hold</th><th class=\"l\">leg</th><th>time</th><th>good form<br>s (counted)</th>"
            "<th class=\"l\">pauses</th><th class=\"l\">variant</th><th>back knee<br>angle (est.)</th>"
            "<th>dorsi-<br>flexion (est.)</th><th>back heel<br>down</th><th>back foot<br>out (est.)</th><th class=\"l\">flags</th></tr>")
    rows = []
    for h in holds:
        x = _extra(h)
        leg = h.get("stance_side") or "?"
        reasons = x.get("pause_reasons") or {}
        pauses = x.get("pauses") or 0
        why = ", ".join(f"{n}× {PAUSE_REASON_WORDS.get(k, k)}" for k, n in reasons.items() if n)
        pause_html = (f"{pauses}" + (f"<span class=\"n\">{esc(why)}, {fmt(x.get('paused_s'), 1)}&nbsp;s</span>" if why else "")
                      if pauses else "none")
        target = finite(x.get("target_s"))
        held = finite(x.get("held_s"))
        held_html = (f"<strong>{fmt(held, 1)}</strong><span class=\"n\">of {fmt(h.get('duration_s'), 1)} s</span>"
                     + (f"<span class=\"n\">target {fmt(target, 0)} s</span>" if target else ""))
        knee = x.get("back_knee_angle_deg")
        knee_html = _na_or_angle(knee)
        if not isinstance(knee, str) and finite(x.get("back_knee_flex_deg")) is not None:
            knee_html += f"<span class=\"n\">bent {fmt_angle(x.get('back_knee_flex_deg'))}</span>"
        dorsi = x.get("dorsiflexion_deg")
        dorsi_html = _na_or_angle(dorsi)
        if not isinstance(dorsi, str) and finite(x.get("dorsiflexion_gain_deg")) is not None:
            dorsi_html += f"<span class=\"n\">{fmt_angle(x.get('dorsiflexion_gain_deg'))} gain</span>"
        heel = finite(x.get("heel_contact_share"))
        heel_html = f"{100 * heel:.0f}&nbsp;%" if heel is not None else "–"
        if finite(x.get("heel_lift_max_fl")) is not None:
            heel_html += f"<span class=\"n\">lift ≤ {fmt(x.get('heel_lift_max_fl'), 2)} FL</span>"
        flags = [f for f in rec.flags if f.get("hold_index") == h["hold_index"]]
        rows.append(
            f"<tr id=\"stretch-hold-{h['hold_index']}\"><td>{h['hold_index']}</td>"
            f"<td class=\"l\"><span class=\"tag {esc(leg)}\">{esc(leg)}</span></td>"
            f"<td>{_tspan(h.get('t_start_s'), h.get('t_end_s'))}"
            f"<span class=\"n\">{esc(ENDED_BY_WORDS.get(h.get('ended_by'), h.get('ended_by') or ''))}</span></td>"
            f"<td>{held_html}</td><td class=\"l\">{pause_html}</td>"
            f"<td class=\"l\">{_na_or(x.get('variant') or '–', 0)}</td>{_td(knee_html, knee)}{_td(dorsi_html, dorsi)}"
            f"<td>{heel_html}</td>{_td(_na_or_angle(x.get('back_foot_out_deg')), x.get('back_foot_out_deg'))}"
            f"<td class=\"l\">{', '.join(esc(f.get('label') or f['code']) for f in flags)}</td></tr>")
    return f"<table class=\"stretch-holds\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _pump_table(rec: SessionRecord, reps: Sequence[Mapping[str, Any]]) -> str:
    """Ankle pumps, one row per foot per cycle: range, peaks, past rest, cycle time, leg motion."""
    head = ("<tr><th>pump</th><th class=\"l\">foot</th><th>time</th><th>range<br>° (est.)</th><th>pointed / pulled<br>"
            "peak angle ° (est.)</th><th>past rest<br>point / pull ° (est.)</th><th>duration<br>s</th><th>cycle<br>s</th>"
            "<th>leg moved<br>° (est.)</th><th>range vs<br>best</th><th class=\"l\">flags</th></tr>")
    rows = []
    for r in reps:
        x = _extra(r)
        foot = r.get("side") or "?"
        vs = finite(x.get("rom_vs_best"))
        flags = [f for f in rec.flags if f.get("rep_index") == r["rep_index"]]
        rows.append(
            f"<tr id=\"pump-{r['rep_index']}\"><td>{r['rep_index']}</td>"
            f"<td class=\"l\"><span class=\"tag {esc(foot)}\">{esc(foot)}</span></td>"
            f"<td>{_tspan(r.get('t_start_s'), r.get('t_end_s'))}</td><td><strong>{fmt_angle(x.get('rom_deg'), False)}</strong></td>"
            f"<td>{fmt_angle(x.get('plantar_peak_deg'), False)} / {fmt_angle(x.get('dorsi_peak_deg'), False)}</td>"
            f"<td>{fmt_angle(x.get('plantar_deg'), False)} / {fmt_angle(x.get('dorsi_deg'), False)}</td>"
            f"<td>{fmt(x.get('duration_s'), 2)}</td><td>{fmt(x.get('cycle_s'), 2)}</td>"
            f"<td>{fmt_angle(x.get('leg_motion_deg'), False)}</td><td>{f'{100 * vs:.0f}&nbsp;%' if vs is not None else '–'}</td>"
            f"<td class=\"l\">{', '.join(esc(f.get('label') or f['code']) for f in flags)}</td></tr>")
    return f"<table class=\"pumps\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _own_cards(rec: SessionRecord) -> list[tuple[str, str]]:
    """Key figures of a calf-stretch or ankle-pump session."""
    ex = rec.session.get("exercise")
    cards: list[tuple[str, str]] = []
    if ex == "calf_stretch":
        target = None
        for leg in ("left", "right"):
            held = [finite(_extra(h).get("held_s")) or 0.0 for h in rec.holds if h.get("stance_side") == leg]
            cards.append((f"{max(held):.1f} s" if held else "–", f"longest stretch of the {leg} calf in good form ({len(held)} holds)"))
        for h in rec.holds:
            target = finite(_extra(h).get("target_s")) or target
        if target:
            n = sum(1 for h in rec.holds if (finite(_extra(h).get("held_s")) or 0.0) >= target)
            cards.append((f"{n} of {len(rec.holds)}", f"holds reaching the {target:.0f} s target"))
        pauses = sum(int(_extra(h).get("pauses") or 0) for h in rec.holds)
        cards.append((str(pauses), "pauses (back heel up or back knee bent)"))
    elif ex == "ankle_pumps":
        for leg in ("left", "right"):
            reps = [r for r in rec.reps if r.get("side") == leg]
            rom = [v for v in (finite(_extra(r).get("rom_deg")) for r in reps) if v is not None]
            cards.append((str(len(reps)), f"pumps of the {leg} foot" + (f", mean range ≈ {np.mean(rom):.0f}° (estimate)" if rom else "")))
        cyc = [v for v in (finite(_extra(r).get("cycle_s")) for r in rec.reps) if v is not None]
        if cyc:
            cards.append((f"{60.0 / float(np.median(cyc)):.0f}/min", "pumping pace (median cycle)"))
    return cards


def _flag_words(f: Mapping[str, Any]) -> str:
    ev = f.get("evidence") or {}
    bits = []
    if ev.get("metric") is not None:
        val, thr = finite(ev.get("value")), finite(ev.get("threshold"))
        unit = ev.get("unit") or ""
        ref = ev.get("reference")
        cmp_ = ev.get("compare") or ""
        txt = f"{esc(ev['metric'])} {fmt(val, 3, unit)}"
        if thr is not None:
            txt += f" (threshold {esc(cmp_)} {fmt(thr, 3, unit)}"
            base = finite(ev.get("baseline") if ev.get("baseline") is not None else ev.get("typical"))
            if ref and ref != "absolute" and base is not None:
                txt += f", relative to the person's {esc(ref)} {fmt(base, 3, unit)}"
            txt += ")"
        bits.append(txt)
    where = []
    if f.get("rep_index") is not None:
        where.append(f"rep {f['rep_index']}")
    if f.get("hold_index") is not None:
        where.append(f"hold {f['hold_index']}")
    if f.get("side"):
        where.append(f"{esc(f['side'])}")
    desc = f.get("description")
    return (f"<tr><td>{_tspan(f.get('t_start_s'), f.get('t_end_s'))}</td>"
            f"<td class=\"l\"><span class=\"tag {esc(f.get('severity') or '')}\">{esc(f.get('severity') or 'flag')}</span></td>"
            f"<td class=\"l\">{', '.join(where) or '–'}</td>"
            f"<td class=\"l\"><strong>{esc(f.get('message') or f.get('label') or f['code'])}</strong>"
            + (f"<span class=\"n\">{esc(desc)}</span>" if desc else "")
            + (f"<span class=\"n\">evidence: {'; '.join(bits)}</span>" if bits else "") + "</td></tr>")


def _events_html(rec: SessionRecord) -> str:
    skip = ("rep_aborted", "rep_incomplete", "partial_rep") if rec.session.get("exercise") == "single_leg_stance" else ()
    ev = [e for e in rec.events if e.get("type") and e.get("type") not in skip]
    if not ev:
        return ""
    rows = []
    for e in ev:
        data = e.get("data") or {}
        why = REASON_WORDS.get(data.get("reason"), data.get("reason"))
        if e.get("type") == "rep_incomplete":
            why = None
        rows.append(f"<tr><td>{_tspan(e.get('t_s'), e.get('t_end_s'))}</td><td class=\"l\">{esc(e.get('side') or '')}</td>"
                    f"<td class=\"l\">{esc(EVENT_WORDS.get(e.get('type'), e.get('type')))}"
                    + (f" — {esc(why)}" if why else "") + "</td></tr>")
    return ("<h3>Other events</h3><table class=\"events\"><thead><tr><th>time</th><th class=\"l\">side</th>"
            "<th class=\"l\">what happened</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def render_session(rec: SessionRecord, signals: FrameSignals | None = None, signals_note: str | None = None) -> str:
    """The HTML report of one stored session (``signals``: its per-frame signals, if the track was usable)."""
    s = rec.session
    summary = rec.summary or {}
    exercise = s.get("exercise") or "unknown"
    ex_name = registry.title(exercise)
    cm = _cm_per_fl(rec)
    fam = _view_family(s.get("view"))
    title = f"{ex_name} — {rec.person.name if rec.person else 'session'} — {local_time(s.get('started_utc'))}"
    out: list[str] = []
    out.append(f"<header><h1>{esc(ex_name)}</h1><p class=\"sub\">footform session report · session {rec.id}"
               + (" · <strong>incomplete</strong> (the recording stopped unexpectedly; what was saved is shown)"
                  if s.get("status") == "incomplete" else "") + "</p>")
    model = s.get("model_name") or "–"
    sha = (s.get("model_sha256") or "")[:12]
    out.append("<dl class=\"meta\">"
               f"<dt>Person</dt><dd>{_person_line(rec.person)}</dd>"
               f"<dt>Date</dt><dd>{esc(local_time(s.get('started_utc')))}</dd>"
               f"<dt>Exercise</dt><dd>{esc(ex_name)}</dd>"
               f"<dt>Camera view</dt><dd>{esc(VIEW_NAMES.get(s.get('view') or 'unknown', s.get('view')))}</dd>"
               f"<dt>Recording</dt><dd>{esc(s.get('source_name') or '–')} ({fmt(s.get('duration_s'), 1, 's')}, {esc(s.get('mode'))})</dd>"
               f"<dt>Quality</dt><dd>{_quality_html(rec)}</dd>"
               f"<dt>Software</dt><dd>footform {esc(s.get('software_version') or '?')}</dd>"
               f"<dt>Pose model</dt><dd>{esc(model)}" + (f" <span class=\"n\">sha256 {esc(sha)}…</span>" if sha else "") + "</dd>"
               "</dl></header>")
    targets = rec.targets
    if targets:
        words = targets_words(targets, exercise)
        if words:
            out.append("<p id=\"targets\"><strong>Program targets:</strong> " + esc(words) + "</p>")
    if summary.get("analysable") is False or s.get("analysable") == 0:
        out.append(f"<div class=\"note\"><strong>This recording could not be analysed:</strong> "
                   f"{esc(s.get('not_analysable_reason') or summary.get('reason') or 'unknown reason')}</div>")
    warnings = [w for w in rec.warnings if not str(w).startswith("Heel lift is the pose model's estimate")]
    if warnings:
        out.append("<div class=\"note\"><strong>About this recording</strong><ul>" + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul></div>")
    out.append(_honesty(rec, cm))
    out.append("<h2>Key figures</h2>" + _key_cards(rec, cm))

    reps = _reps(rec)
    own = exercise in OWN_EXERCISES
    if exercise == "calf_stretch":
        out.append(_stretch_section(rec))
    elif exercise == "ankle_pumps":
        out.append(_pumps_section(rec, signals, signals_note))
    if not own and (reps or exercise == "calf_raise"):
        out.append("<section id=\"reps\"><h2>Calf raises</h2>")
        if signals is None:
            out.append(f"<div class=\"note\">The per-frame heel curve is not available ({esc(signals_note or 'no landmark track')}); "
                       "the plot shows each rep's peak only.</div>")
        out.append(figure_html(
            "heel", plot_heel(rec, signals, cm),
            ("Rise of the whole body over time, measured from the pixels with the camera's motion removed (the pose "
             "model's leg landmarks were not trusted), in foot lengths above the valley before each rep"
             if _lift_name(rec) == "body rise" else
             "Heel lift over time as the pose model sees it, in foot lengths above the standing baseline"
             + (" (from the front: the rise of the whole body)" if fam == "front" else ""))
            + ". Shaded: counted reps, numbered; hatched: partial reps; triangles: flags; dashed lines: pain or cramp marks.",
            reps=len(reps)))
        sets = rec.sets or [{"set_index": None}]
        for st in sets:
            idx = st.get("set_index")
            set_reps = [r for r in reps if idx is None or r.get("set_index") in (idx, None)]
            agg = st.get("aggregates") or {}
            extra = []
            if finite(agg.get("cadence_per_min")) is not None:
                extra.append(f"cadence {fmt(agg.get('cadence_per_min'), 0)} reps/min")
            if finite(agg.get("controlled_lowering_share")) is not None:
                extra.append(f"{100 * finite(agg.get('controlled_lowering_share')):.0f} % of reps lowered at least as slowly as raised")
            if finite(agg.get("left_right_peak_diff_pct")) is not None:
                extra.append(f"left–right height difference {fmt(agg.get('left_right_peak_diff_pct'), 0)} %")
            label = f"Set {idx}" if idx is not None and len(sets) > 1 else "Reps"
            out.append(f"<h3>{label}: {len(set_reps)} counted reps</h3>" + (f"<p>{esc('; '.join(extra))}.</p>" if extra else ""))
            out.append(_rep_table(rec, set_reps, cm) if set_reps else "<p class=\"na\">No reps were counted.</p>")
        if reps:
            out.append(figure_html("fatigue", plot_fatigue(rec, cm),
                                    "Fatigue across reps: peak height per rep (dotted: trend) and rise / lowering times. "
                                    "Lowering faster than rising means the heel is dropped rather than lowered with control.",
                                    reps=len(reps)))
        out.append("</section>")
    if not own and (rec.holds or exercise == "single_leg_stance"):
        out.append("<section id=\"holds\"><h2>Single-leg stance</h2>")
        if rec.holds:
            out.append(_hold_table(rec.holds, cm))
            out.append("<p class=\"sub\">Beside each sway and wobble figure: its noise floor, what a still person "
                       "would score with this camera. Grey figures are within twice the noise floor. "
                       + ("Ankle wobble needs a front or back view. " if fam == "side" else "") + "</p>")
            if signals is not None:
                svg = plot_stabilogram(rec, signals, cm)
                if svg:
                    out.append(figure_html("stab", svg,
                                            "Stabilogram: path of the centre-of-mass proxy relative to its mean during the "
                                            "holds on each leg, with the 95 % prediction ellipse (solid) and the ellipse a "
                                            "perfectly still person would show from landmark noise alone (dashed).",
                                            legs=sum(1 for leg in ('left', 'right') if any(h.get('stance_side') == leg for h in rec.holds))))
            else:
                out.append(f"<div class=\"note\">No stabilogram: the per-frame sway is not available ({esc(signals_note or 'no landmark track')}).</div>")
        else:
            out.append("<p class=\"na\">No hold of 2 s or more was found.</p>")
        out.append("</section>")
    lr = plot_left_right_own(rec) if own else plot_left_right(rec, cm)
    out.append("<section id=\"left-right\"><h2>Left and right</h2>")
    if lr and own:
        out.append(figure_html("lr", lr, "Left vs right. " + (
            "Time in good form per stretched leg: the longest hold and all holds together." if exercise == "calf_stretch"
            else "Counted pumps per foot, and the range of each pump (dots) with the mean (bar).")))
    elif own:
        out.append("<p class=\"na\">No left/right comparison: nothing was counted.</p>")
    elif lr:
        out.append(figure_html("lr", lr, "Left vs right. " + (
            "Hold time per standing leg, and mean sway with its noise floor (black line)." if rec.holds else
            "Single-leg reps per side and heel alignment (mean drift of the heel in (+) or out (−) during the raises).")))
    else:
        out.append("<p class=\"na\">No left/right comparison: it needs single-leg reps or holds, or heel alignment "
                   "(which this camera view does not show).</p>")
    out.append("</section>")

    out.append("<section id=\"flags\"><h2>Flags</h2>")
    if rec.flags:
        out.append(figure_html("flags", plot_flags(rec) or "", "When each flag was raised (bars), coloured by severity.",
                                flags=len(rec.flags)))
        out.append("<table class=\"flags\"><thead><tr><th>time</th><th class=\"l\">severity</th><th class=\"l\">where</th>"
                   "<th class=\"l\">what was seen</th></tr></thead><tbody>" + "".join(_flag_words(f) for f in rec.flags)
                   + "</tbody></table>")
    elif "flags" in summary or rec.session.get("mode") == "live":
        out.append("<p>No flags were raised.</p>")
    else:
        out.append("<p class=\"na\">The feedback rules were not run on this session, so no flags are listed.</p>")
    out.append(_events_html(rec))
    out.append("</section>")

    out.append("<section id=\"marks\"><h2>Pain and cramp marks</h2>")
    if rec.marks:
        out.append("<table class=\"marks\"><thead><tr><th>time</th><th class=\"l\">kind</th><th>rating (0–10)</th>"
                   "<th class=\"l\">side</th><th class=\"l\">note</th></tr></thead><tbody>" + "".join(
                       f"<tr><td>{fmt(m.get('t_s'), 1, 's')}</td><td class=\"l\">{esc(m.get('kind'))}</td>"
                       f"<td>{m.get('rating') if m.get('rating') is not None else '–'}</td><td class=\"l\">{esc(m.get('side') or '')}</td>"
                       f"<td class=\"l\">{esc(m.get('note') or '')}</td></tr>" for m in rec.marks) + "</tbody></table>")
    else:
        out.append("<p>No pain or cramp was marked during this session.</p>")
    out.append("</section>")

    if own:   # the analysis says what its view could not measure (e.g. "back foot pointing forward: … side view")
        nm = [str(x) for x in summary.get("not_measurable") or []] or ["nothing this exercise measures"]
    else:
        nm = _not_measurable(fam, exercise)
    out.append("<section id=\"not-measurable\"><h2>Not measurable from this camera view</h2><ul>"
               + "".join(f"<li class=\"na\">{esc(x)}</li>" for x in nm) + "</ul></section>")
    out.append(f"<footer>footform {esc(__version__)} · session {esc(s.get('uuid'))} · report made "
               f"{_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}. Figures are estimates from a camera and a pose model; "
               "they support, and do not replace, a clinical examination.</footer>")
    return _page(title, "\n".join(out))


def _sets_line(rec: SessionRecord) -> str:
    """Live sessions: one line per set (its holds or reps, and how it ended)."""
    if rec.session.get("mode") != "live" or not rec.sets:
        return ""
    bits = []
    for st in rec.sets:
        agg = st.get("aggregates") or {}
        if st.get("kind") == "holds":
            best = agg.get("best_s") or {}
            what = f"{st.get('n_holds') or 0} holds" + (", best " + ", ".join(
                f"{k} {fmt(v, 0)} s" for k, v in best.items() if v is not None) if best else "")
        else:
            by = agg.get("reps_by_side") or {}
            what = f"{st.get('n_reps') or 0} reps" + (" (" + ", ".join(f"{k} {v}" for k, v in by.items()) + ")" if by else "")
        bits.append(f"set {st['set_index']}: {what}")
    return f"<p>{esc('; '.join(bits))}.</p>"


def _stretch_section(rec: SessionRecord) -> str:
    holds = [h for h in rec.holds if _extra(h).get("kind") == "calf_stretch"]
    out = ["<section id=\"stretch\"><h2>Standing calf stretch</h2>", _sets_line(rec)]
    if not holds:
        out.append("<p class=\"na\">No stretch of 3 s or more was held.</p></section>")
        return "".join(out)
    out.append(_stretch_table(rec, holds))
    svg = plot_stretch_holds(rec)
    if svg:
        out.append(figure_html("stretch", svg, "Each hold: time in good form (solid, what the timer counted) and "
                                "time paused (hatched) because the back heel came up or the back knee bent; "
                                "dotted: the target hold.", holds=len(holds)))
    out.append("</section>")
    return "".join(out)


def _pumps_section(rec: SessionRecord, signals: FrameSignals | None, signals_note: str | None) -> str:
    reps = [r for r in _reps(rec) if _extra(r).get("kind") == "ankle_pump"]
    out = ["<section id=\"pumps\"><h2>Ankle pumps</h2>", _sets_line(rec)]
    svg = plot_pumps(rec, signals) if signals is not None and reps else None
    if svg:
        out.append(figure_html("pumps", svg, "The angle between shank and foot of each foot over time as the pose "
                                "model sees it (up: toes pointed, down: toes pulled up), counted pumps shaded and "
                                "numbered; triangles: flags; dashed lines: pain or cramp marks.", reps=len(reps)))
    elif reps and signals is None:
        out.append(f"<div class=\"note\">No angle curve: the per-frame signal is not available "
                   f"({esc(signals_note or 'no landmark track')}).</div>")
    if not reps:
        out.append("<p class=\"na\">No pumps were counted.</p></section>")
        return "".join(out)
    sets = sorted({r.get("set_index") for r in reps}, key=lambda v: (v is None, v))
    for idx in sets:
        set_reps = [r for r in reps if r.get("set_index") == idx]
        by = {s: sum(1 for r in set_reps if r.get("side") == s) for s in ("left", "right")}
        label = f"Set {idx}" if idx is not None and len(sets) > 1 else "Pumps"
        out.append(f"<h3>{label}: {by['left']} left, {by['right']} right</h3>" + _pump_table(rec, set_reps))
    out.append("</section>")
    return "".join(out)


def session_report(store: Store, ref: int | str) -> str:
    """Render the session ``ref`` (id, ``last`` or uuid prefix) of ``store`` with its per-frame signals."""
    rec = store.session(ref)
    sig, why = session_signals(rec)
    return render_session(rec, sig, why)


# ---------------------------------------------------------------------------------------------
# Progress across sessions
# ---------------------------------------------------------------------------------------------

def _session_stats(rec: SessionRecord) -> dict[str, Any]:
    own = rec.session.get("exercise") in OWN_EXERCISES   # stretch holds and pumps are not raises or stances
    reps = [] if own else _reps(rec)
    out: dict[str, Any] = {"id": rec.id, "date": local_time(rec.session.get("started_utc")), "exercise": rec.session.get("exercise"),
                           "view": rec.session.get("view"), "status": rec.session.get("status")}
    out["reps"] = {s: sum(1 for r in reps if (r.get("side") or "both") == s) for s in ("both", "left", "right")}
    peaks = [p for p in (finite(r.get("peak_lift_fl")) for r in reps) if p is not None]
    out["mean_peak"] = float(np.mean(peaks)) if peaks else None
    ctrl = [(finite(r.get("lower_s")) or 0) >= (finite(r.get("rise_s")) or 0) for r in reps]
    out["controlled_pct"] = 100 * float(np.mean(ctrl)) if ctrl else None
    for leg in ("left", "right"):
        hs = [] if own else [h for h in rec.holds if h.get("stance_side") == leg]
        d = [finite(h.get("duration_s")) or 0.0 for h in hs]
        out[f"hold_{leg}"] = max(d) if d else None
        figs = [_hold_figs(h) for h in hs]
        r = [f["rms"] for f in figs if f["rms"] is not None]
        n = [f["rms_noise"] for f in figs if f["rms_noise"] is not None]
        out[f"sway_{leg}"] = float(np.mean(r)) if r else None
        out[f"noise_{leg}"] = float(np.mean(n)) if n else None
    out["flags"] = len(rec.flags)
    pains = [m.get("rating") for m in rec.marks if m.get("kind") in ("pain", "cramp") and m.get("rating") is not None]
    out["pain_max"] = max(pains) if pains else None
    out["marks"] = len(rec.marks)
    return out


@with_rc
def plot_progress_reps(stats: list[dict[str, Any]], sex_refs: list[refs.ReferenceValue]) -> str:
    fig = figure(7.2, 2.9)
    ax = fig.add_subplot()
    x = np.arange(len(stats))
    bottom = np.zeros(len(stats))
    for side in ("both", "left", "right"):
        v = np.array([s["reps"][side] for s in stats], float)
        if v.any():
            bars = ax.bar(x, v, 0.6, bottom=bottom, color=SIDE_COLOURS[side], label=f"{side}", alpha=0.85)
            for rect, s in zip(bars, stats):
                rect.set_gid(f"prog-reps-{s['id']}-{side}")
            bottom += v
    styles = [":", "--", "-."]
    for r, ls in zip(sex_refs, styles):
        ax.axhline(r.value, color="#555555", ls=ls, lw=1.0, label=f"reference: {r.label}")
    ax.set_xticks(x, [f"{s['date'][:10]}\n#{s['id']}" for s in stats])
    ax.set_ylabel("counted reps per session")
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 0, max((r.value for r in sex_refs), default=0)) * 1.2 + 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, "prog-reps")


@with_rc
def plot_progress_holds(stats: list[dict[str, Any]], stance_refs: list[refs.ReferenceValue]) -> str:
    fig = figure(7.2, 2.9)
    ax = fig.add_subplot()
    x = np.arange(len(stats))
    for off, leg in ((-0.18, "left"), (0.18, "right")):
        v = [s[f"hold_{leg}"] or 0.0 for s in stats]
        bars = ax.bar(x + off, v, 0.36, color=SIDE_COLOURS[leg], label=f"longest hold, {leg} leg")
        for rect, s in zip(bars, stats):
            rect.set_gid(f"prog-hold-{s['id']}-{leg}")
    for cond, colour in (("eyes open", "#8c8c8c"), ("eyes closed", "#c9c9c9")):
        vals = [r for r in stance_refs if r.condition == cond]
        if not vals:
            continue
        lo, hi = min(r.value for r in vals), max(r.value for r in vals)
        approx = "≈ " if any(r.approximate for r in vals) else ""
        by_sex = ", ".join(f"{'women' if r.sex == 'female' else 'men'} {r.value:g}" for r in vals)
        band = ax.axhspan(lo - 0.15, hi + 0.15, color=colour, alpha=0.6, lw=0,
                          label=f"reference, {cond}, age {vals[0].age_band}: {approx}{by_sex} s")
        band.set_gid(f"prog-holds-ref-{cond.replace(' ', '-')}")
    ax.set_xticks(x, [f"{s['date'][:10]}\n#{s['id']}" for s in stats])
    ax.set_ylabel("standing time (s)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, "prog-holds")


@with_rc
def plot_progress_sway(stats: list[dict[str, Any]]) -> str:
    fig = figure(7.2, 2.6)
    ax = fig.add_subplot()
    x = np.arange(len(stats))
    for off, leg in ((-0.1, "left"), (0.1, "right")):
        v = np.array([np.nan if s[f"sway_{leg}"] is None else s[f"sway_{leg}"] for s in stats])
        n = np.array([np.nan if s[f"noise_{leg}"] is None else s[f"noise_{leg}"] for s in stats])
        ax.plot(x + off, v, marker="o", color=SIDE_COLOURS[leg], label=f"sway RMS, {leg} leg")
        ax.plot(x + off, n, marker="_", ms=12, ls="none", color="#000000")
    ax.plot([], [], marker="_", ms=12, ls="none", color="#000000", label="noise floor")
    ax.set_xticks(x, [f"{s['date'][:10]}\n#{s['id']}" for s in stats])
    ax.set_ylabel("sway RMS (foot lengths)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, "prog-sway")


@with_rc
def plot_progress_pain(stats: list[dict[str, Any]]) -> str:
    fig = figure(7.2, 2.0)
    ax = fig.add_subplot()
    x = np.arange(len(stats))
    v = [np.nan if s["pain_max"] is None else s["pain_max"] for s in stats]
    ax.plot(x, v, marker="s", color=MARK_COLOURS["pain"], label="worst pain/cramp rating")
    ax.set_xticks(x, [f"{s['date'][:10]}\n#{s['id']}" for s in stats])
    ax.set_ylim(0, 10.5)
    ax.set_ylabel("rating (0–10)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, "prog-pain")


def _refs_html(values: Iterable[refs.ReferenceValue]) -> str:
    values = list(values)
    if not values:
        return ""
    cites: dict[str, refs.Citation] = {}
    rows = []
    for r in values:
        cites[r.citation.key] = r.citation
        n = list(cites).index(r.citation.key) + 1
        rows.append(f"<tr><td class=\"l\">{esc(r.describe())}{' <span class=n>approximate</span>' if r.approximate else ''}</td>"
                    f"<td class=\"l\">{esc(r.population)}</td><td class=\"l\">{esc(r.protocol)}</td><td>[{n}]</td></tr>")
    return ("<table class=\"refs\"><thead><tr><th class=\"l\">reference value</th><th class=\"l\">population</th>"
            "<th class=\"l\">test protocol</th><th>source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            "<ol class=\"refs\">" + "".join(f"<li>{esc(c.text())}</li>" for c in cites.values()) + "</ol>")


def render_progress(store: Store, person: str | int) -> str:
    """The HTML progress report of one person across all their sessions, with published references."""
    p = store.require_person(person)
    infos = store.sessions(person=p)
    recs = [store.session(i.id) for i in infos]
    stats = [_session_stats(r) for r in recs]
    usable = [s for s in stats if s["status"] != STATUS_NOT_ANALYSABLE]  # listed below, never charted
    calf = [s for s in usable if s["exercise"] == "calf_raise" or sum(s["reps"].values())]
    sls = [s for s in usable if s["exercise"] == "single_leg_stance" or s["hold_left"] is not None or s["hold_right"] is not None]
    out = [f"<header><h1>Progress — {esc(p.name)}</h1><p class=\"sub\">footform progress report · {len(stats)} sessions</p>",
           "<dl class=\"meta\">"
           f"<dt>Person</dt><dd>{_person_line(p)}</dd>"
           f"<dt>Sessions</dt><dd>{len(stats)}" + (f" ({esc(stats[0]['date'])} to {esc(stats[-1]['date'])})" if stats else "") + "</dd>"
           f"<dt>Calf-raise sessions</dt><dd>{len(calf)}</dd><dt>Single-leg stance sessions</dt><dd>{len(sls)}</dd></dl></header>"]
    out.append("<div class=\"honesty\"><strong>How to read this page</strong><ul>"
               "<li>Each point is one session. Heights and sway are camera estimates in foot lengths; compare sessions "
               "filmed from the same camera view (shown in the table).</li>"
               f"<li><strong>Reference values are references, not diagnoses.</strong> {esc(refs.DISCLAIMER)}</li>"
               "<li>No published reference applies to camera-based sway, so sway is compared with the person's own "
               "earlier sessions and with the noise floor only.</li></ul></div>")
    from footform.outputs.report_program import program_section  # home program and adherence (#21, docs/programs.md)

    out.append(program_section(store, p))
    if not stats:
        out.append("<p class=\"na\">No sessions yet.</p>")
        return _page(f"Progress — {p.name}", "\n".join(out))
    rows = []
    for s in stats:
        n_reps = sum(s["reps"].values())
        reps_txt = (f"{n_reps}" + (f"<span class=n>{', '.join(f'{n} {k}' for k, n in s['reps'].items() if n)}</span>"
                                   if n_reps else "")) if n_reps else "–"
        rows.append(
            f"<tr><td class=\"l date\">{esc(s['date'])}</td><td>{s['id']}</td><td class=\"l\">{esc(registry.title(s['exercise']))}"
            + (f" <span class=n>{esc(s['status'])}</span>" if s["status"] != "complete" else "") + "</td>"
            f"<td class=\"l\">{esc(s['view'] or '–')}</td><td>{reps_txt}</td><td>{fmt(s['mean_peak'], 3)}</td>"
            f"<td>{fmt(s['controlled_pct'], 0, '%')}</td><td>{fmt(s['hold_left'], 1)}</td><td>{fmt(s['hold_right'], 1)}</td>"
            f"<td>{_with_noise(s['sway_left'], s['noise_left'], 3)}</td><td>{_with_noise(s['sway_right'], s['noise_right'], 3)}</td>"
            f"<td>{s['flags']}</td><td>{s['pain_max'] if s['pain_max'] is not None else '–'}</td></tr>")
    out.append("<h2>Sessions</h2><table class=\"sessions\"><thead><tr><th class=\"l\">date</th><th>#</th><th class=\"l\">exercise</th>"
               "<th class=\"l\">view</th><th>reps</th><th>mean peak<br>FL</th><th>controlled<br>lowering</th>"
               "<th>longest hold<br>left, s</th><th>longest hold<br>right, s</th><th>sway RMS<br>left, FL</th>"
               "<th>sway RMS<br>right, FL</th><th>flags</th><th>worst pain<br>0–10</th></tr></thead><tbody>"
               + "".join(rows) + "</tbody></table>")
    used_refs: list[refs.ReferenceValue] = []
    if calf:
        heel_refs = refs.heel_rise()
        used_refs += heel_refs
        out.append("<h2>Calf raises</h2>")
        out.append(figure_html("prog-reps", plot_progress_reps(calf, heel_refs),
                                "Counted reps per session, by side. Reference lines: single-leg heel-rise test to fatigue "
                                "(one leg, as many as possible) — only comparable with a session where the person did "
                                "single-leg raises to fatigue, not with a prescribed number of reps.", sessions=len(calf)))
    if sls:
        stance_refs = refs.unipedal_stance(p.age_band)
        used_refs += stance_refs
        out.append("<h2>Single-leg stance</h2>")
        if not stance_refs:
            out.append("<p class=\"na\">No age band is recorded for this person, so no age-matched reference is shown.</p>")
        out.append(figure_html("prog-holds", plot_progress_holds(sls, stance_refs),
                                "Longest hold per leg per session. Reference lines (Springer et al. 2007, same age band): "
                                "unipedal stance test, arms crossed, best of three trials capped at 45 s, eyes open (darker band) "
                                "and eyes closed (lighter band); the band spans the values for women and men. footform cannot "
                                "tell whether the eyes were closed.", sessions=len(sls)))
        if any(s["sway_left"] is not None or s["sway_right"] is not None for s in sls):
            out.append(figure_html("prog-sway", plot_progress_sway(sls),
                                    "Sway RMS of the centre-of-mass proxy per leg (mean of the session's holds), with the "
                                    "noise floor (black). Lower is steadier; values near the noise floor are indistinguishable from stillness.",
                                    sessions=len(sls)))
    if any(s["pain_max"] is not None for s in stats):
        out.append("<h2>Pain and cramps</h2>" + figure_html("prog-pain", plot_progress_pain(stats),
                                                              "Worst pain or cramp rating marked in each session (0 = none, 10 = worst)."))
    if used_refs:
        out.append("<section id=\"references\"><h2>Published reference values</h2>"
                   f"<p><strong>References, not diagnoses.</strong> {esc(refs.DISCLAIMER)}</p>" + _refs_html(used_refs) + "</section>")
    out.append(f"<footer>footform {esc(__version__)} · report made {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}. "
               "Figures are estimates from a camera and a pose model; they support, and do not replace, a clinical examination.</footer>")
    return _page(f"Progress — {p.name}", "\n".join(out))


# ---------------------------------------------------------------------------------------------
# Files: HTML and PDF
# ---------------------------------------------------------------------------------------------

def write_html(path: str | os.PathLike, text: str) -> Path:
    """Write a report atomically; raises :class:`OutputError` with one sentence on failure."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    except OSError as e:
        raise OutputError(f"cannot write the report {p}: {os_reason(e, p.parent)}.") from None
    return p


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags for a quiet, offline, throw-away headless Chromium (the PDF here, the browser checks in
#: tests/test_report.py).  The resolver rule maps every host name except localhost to "not found",
#: so no request can leave: Chromium 156 still asks for update.googleapis.com (component updater,
#: the on-device model manifest), accounts.google.com (ListAccounts) and clients2.google.com
#: (network time) despite --disable-background-networking; with the rule none of them makes a DNS
#: query.  The other flags switch off what phones home, so that it is not even attempted where a
#: switch exists.  Traced with strace in docs/privacy.md; tests/test_privacy.py checks it.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost", "--no-proxy-server",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-quic", "--disable-extensions", "--disable-default-apps", "--no-pings",
                  "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                  "--disable-breakpad", "--metrics-recording-only", "--no-service-autorun",
                  "--password-store=basic", "--use-mock-keychain",
                  "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
                  "--mute-audio", "--hide-scrollbars")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: ``$FOOTFORM_CHROMIUM`` or the first on ``PATH``."""
    env = os.environ.get("FOOTFORM_CHROMIUM")
    if env:
        return env if Path(env).is_file() or shutil.which(env) else None
    for name in CHROMIUM_NAMES:
        p = shutil.which(name)
        if p:
            return p
    return None


def write_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, timeout_s: float = 120.0) -> Path:
    """Print a report HTML file to an A4 PDF with headless Chromium (a fresh profile, no network)."""
    exe = find_chromium()
    if exe is None:
        raise OutputError("cannot make a PDF: Chromium is not installed (install the 'chromium' package, "
                          "or print the HTML report from a browser).")
    src = Path(html_path).resolve()
    dst = Path(pdf_path).resolve()
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write the PDF {dst}: {os_reason(e, dst.parent)}.") from None
    with tempfile.TemporaryDirectory(prefix="footform-chromium-") as profile:
        tmp = dst.with_name(dst.name + ".tmp.pdf")
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               "--print-to-pdf-no-header", f"--print-to-pdf={tmp}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"cannot make the PDF {dst}: Chromium did not finish within {timeout_s:.0f} s.") from None
        except OSError as e:
            raise OutputError(f"cannot make the PDF {dst}: Chromium could not be started ({e.strerror or e}).") from None
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            with_tmp = tmp if tmp.exists() else None
            if with_tmp:
                with_tmp.unlink()
            raise OutputError(f"cannot make the PDF {dst}: Chromium failed ({last[0][:200]}).")
        os.replace(tmp, dst)
    return dst


__all__ = ["find_chromium", "render_progress", "render_session", "session_report", "write_html", "write_pdf"]
