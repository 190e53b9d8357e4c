"""The progress report: one person's sessions over time, with published reference values (``templates/progress.html``).

Per session: counted reps by side, mean peak height (FL), controlled lowering, longest hold per leg (s),
sway RMS per leg (FL) with its noise floor, flags and worst pain; plots of reps, holds, sway and pain per
session against the cited references (:mod:`footform.outputs.references`), and the home-program section
(:mod:`.program`).  Sessions that could not be analysed are listed, never charted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from footform.core.numeric import finite
from footform.exercises import registry
from footform.exercises import rows as schema
from footform.outputs import references as refs
from footform.outputs.figures import MARK_COLOURS, SIDE_COLOURS, figure, svg_of, with_rc
from footform.outputs.report.program import program_context
from footform.outputs.report.rows import OWN_EXERCISES, counted_reps, hold_figs
from footform.outputs.report.session import person_view, with_noise
from footform.outputs.report.templating import fmt, plot, render
from footform.outputs.store import STATUS_NOT_ANALYSABLE, SessionRecord, Store, local_time


def session_stats(rec: SessionRecord) -> dict[str, Any]:
    own = rec.session.get("exercise") in OWN_EXERCISES   # stretch holds and pumps are not raises or stances
    reps = [] if own else counted_reps(rec)
    out: dict[str, Any] = {"id": rec.id, "date": local_time(rec.session.get("started_utc")), "exercise": rec.session.get("exercise"),
                           "view": rec.session.get("view"), "status": rec.session.get("status")}
    out["reps"] = {s: sum(1 for r in reps if (r.get("side") or "both") == s) for s in ("both", "left", "right")}
    peaks = [p for p in (finite(r.get("peak_lift_fl")) for r in reps) if p is not None]
    out["mean_peak"] = float(np.mean(peaks)) if peaks else None
    share = schema.controlled_lowering_share(reps, rec.flags)   # the judged reps not flagged for fast lowering
    out["controlled_pct"] = None if share is None else 100 * share
    for leg in ("left", "right"):
        hs = [] if own else [h for h in rec.holds if h.get("stance_side") == leg]
        d = [finite(h.get("duration_s")) or 0.0 for h in hs]
        out[f"hold_{leg}"] = max(d) if d else None
        figs = [hold_figs(h) for h in hs]
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


def refs_context(values: list[refs.ReferenceValue]) -> dict[str, Any]:
    """The reference table (one row per value, with its source number) and the numbered citations."""
    cites: dict[str, refs.Citation] = {}
    rows = []
    for r in values:
        cites[r.citation.key] = r.citation
        rows.append({"value": r.describe(), "approximate": r.approximate, "population": r.population,
                     "protocol": r.protocol, "source": list(cites).index(r.citation.key) + 1})
    return {"rows": rows, "citations": [c.text() for c in cites.values()]}


def session_row(s: dict[str, Any]) -> dict[str, Any]:
    n_reps = sum(s["reps"].values())
    return {"date": s["date"], "id": s["id"], "exercise": registry.title(s["exercise"]),
            "status": s["status"] if s["status"] != "complete" else None, "view": s["view"] or "–",
            "reps": str(n_reps) if n_reps else "–",
            "by_side": ", ".join(f"{n} {k}" for k, n in s["reps"].items() if n) if n_reps else None,
            "mean_peak": fmt(s["mean_peak"], 3), "controlled": fmt(s["controlled_pct"], 0, "%"),
            "hold_left": fmt(s["hold_left"], 1), "hold_right": fmt(s["hold_right"], 1),
            "sway_left": with_noise(s["sway_left"], s["noise_left"], 3), "sway_right": with_noise(s["sway_right"], s["noise_right"], 3),
            "flags": s["flags"], "pain": s["pain_max"] if s["pain_max"] is not None else "–"}


def render_progress(store: Store, person: str | int) -> str:
    """The HTML progress report of one person across all their sessions, with published references."""
    p = store.require_person(person)
    recs = [store.session(i.id) for i in store.sessions(person=p)]
    stats = [session_stats(r) for r in recs]
    usable = [s for s in stats if s["status"] != STATUS_NOT_ANALYSABLE]  # listed below, never charted
    calf = [s for s in usable if s["exercise"] == "calf_raise" or sum(s["reps"].values())]
    sls = [s for s in usable if s["exercise"] == "single_leg_stance" or s["hold_left"] is not None or s["hold_right"] is not None]
    used_refs: list[refs.ReferenceValue] = []
    ctx: dict[str, Any] = {"title": f"Progress — {p.name}", "name": p.name, "person": person_view(p), "n": len(stats),
                           "first": stats[0]["date"] if stats else None, "last": stats[-1]["date"] if stats else None,
                           "n_calf": len(calf), "n_sls": len(sls), "disclaimer": refs.DISCLAIMER,
                           "program": program_context(store, p), "rows": [session_row(s) for s in stats],
                           "calf": None, "sls": None, "pain": None}
    if stats and calf:
        heel_refs = refs.heel_rise()
        used_refs += heel_refs
        ctx["calf"] = {"plot": plot(plot_progress_reps(calf, heel_refs)), "n": len(calf)}
    if stats and sls:
        stance_refs = refs.unipedal_stance(p.age_band)
        used_refs += stance_refs
        has_sway = any(s["sway_left"] is not None or s["sway_right"] is not None for s in sls)
        ctx["sls"] = {"plot": plot(plot_progress_holds(sls, stance_refs)), "n": len(sls), "age_refs": bool(stance_refs),
                      "sway": plot(plot_progress_sway(sls)) if has_sway else None}
    if any(s["pain_max"] is not None for s in stats):
        ctx["pain"] = plot(plot_progress_pain(stats))
    ctx["refs"] = refs_context(used_refs) if used_refs else None
    return render("progress.html", **ctx)


__all__ = ["plot_progress_holds", "plot_progress_pain", "plot_progress_reps", "plot_progress_sway", "render_progress",
           "session_stats"]
