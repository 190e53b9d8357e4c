"""The session report's plots (matplotlib, drawn as inline SVG by :mod:`footform.outputs.figures`).

Heel lift over time with reps, flags and pain marks; fatigue across reps; left vs right; the
stabilogram with its 95 % ellipse per leg; ankle-pump angle curves; stretch holds; the flags timeline.
Heights are in foot lengths (FL) with an estimated cm axis when the body height was known, times in
seconds.  Marked items carry ids (``heel-rep-3``, ``fatigue-rep-3``, ``stab-ellipse-left`` …) so that
tests and scripts can find them in the page.

About 510 lines: the eight plots of the one page share their helpers (cm axis, legends, rep ticks);
split further, a page's drawing would be scattered over modules that import each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from footform.core.numeric import finite
from footform.outputs.export import FrameSignals
from footform.outputs.figures import MARK_COLOURS, NEUTRAL_KEY, SEVERITY_COLOURS, SIDE_COLOURS, figure, svg_of, with_rc
from footform.outputs.report.rows import counted_reps, extra, hold_figs, lift_name
from footform.outputs.store import SessionRecord


def int_ticks(ax: Any, values: Sequence[int], axis: str = "x", most: int = 12) -> None:
    """Whole-number ticks only (rep numbers): every value, or every n-th when there are many."""
    if not values:
        return
    lo, hi = int(min(values)), int(max(values))
    step = max(1, math.ceil((hi - lo + 1) / most))
    ticks = list(range(lo, hi + 1, step))
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, [str(t) for t in ticks])


def _cm_axis(ax: Any, cm_per_fl: float | None, which: str = "y") -> None:
    if not cm_per_fl:
        return
    if which == "y":
        sec = ax.secondary_yaxis("right", functions=(lambda x: x * cm_per_fl, lambda x: x / cm_per_fl))
        sec.set_ylabel("≈ cm (estimate)")
    else:
        sec = ax.secondary_xaxis("top", functions=(lambda x: x * cm_per_fl, lambda x: x / cm_per_fl))
        sec.set_xlabel("≈ cm (estimate)")


@with_rc
def plot_heel(rec: SessionRecord, sig: FrameSignals | None, cm_per_fl: float | None) -> str:
    """Heel lift over time with counted reps shaded and numbered, partial reps, flags and pain marks."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = figure(7.2, 2.9)
    ax = fig.add_subplot()
    reps = counted_reps(rec)
    handles: list[Any] = []
    if sig is not None and len(sig):
        what = f"{lift_name(rec)} seen by the " + ("camera" if lift_name(rec) == "body rise" else "model")
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
    partials = counted_reps(rec, full=False) + [
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
    ax.set_ylabel(f"{lift_name(rec)} (foot lengths)")
    _cm_axis(ax, cm_per_fl)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.28), ncol=min(4, len(handles)), frameon=False)
    return svg_of(fig, "heel")


@with_rc
def plot_fatigue(rec: SessionRecord, cm_per_fl: float | None) -> str:
    """Peak lift per rep and rise / lowering time per rep: does form hold up across the set?"""
    from matplotlib.ticker import MaxNLocator

    reps = counted_reps(rec)
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
    ax1.set_ylabel(f"peak {lift_name(rec)} (foot lengths)")
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
        int_ticks(ax1, idx)     # whole reps only, also for one or two reps (MaxNLocator falls back to fractions)
    return svg_of(fig, "fatigue")



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
            hs = [hold_figs(h) for h in rec.holds if h.get("stance_side") == s]
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
    reps = counted_reps(rec)
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
            figs = hold_figs(h)
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
            x = extra(r)
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
    holds = [h for h in rec.holds if extra(h).get("kind") == "calf_stretch"]
    if not holds:
        return None
    fig = figure(7.2, 0.9 + 0.34 * len(holds))
    ax = fig.add_subplot()
    target = None
    labels = []
    for row, h in enumerate(holds):
        x = extra(h)
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
        held = {s: [finite(extra(h).get("held_s")) or 0.0 for h in rec.holds if h.get("stance_side") == s] for s in legs}
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
        rom = [[v for v in (finite(extra(r).get("rom_deg")) for r in reps[s]) if v is not None] for s in legs]
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
    for r in counted_reps(rec):
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



__all__ = ["int_ticks", "plot_fatigue", "plot_flags", "plot_heel", "plot_left_right", "plot_left_right_own",
           "plot_pumps", "plot_stabilogram", "plot_stretch_holds"]
