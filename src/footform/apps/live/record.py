"""What an ended live session leaves: the session document, the report, the console's closing lines.

:func:`session_summary` is the analysis summary (exactly what ``footform analyze`` computes from the
analysed frames) plus what only the live session knows — sets, pain/cramp marks, targets, frame and
latency statistics; the session loop (:mod:`.session`) stores and writes it, and recovery
(:mod:`.recovery`) rebuilds it from an interrupted session's track.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from footform.apps.live.coach import Coach
from footform.apps.live.plan import Plan
from footform.errors import FootformError


def set_of(t: float | None, sets: list[dict[str, Any]]) -> int | None:
    """Index of the set whose time span holds ``t`` (the last set started before it)."""
    if t is None:
        return None
    found = None
    for s in sets:
        if s.get("t_start") is not None and t >= s["t_start"] - 1e-6:
            found = s["index"]
    return found


def session_summary(summary: Any, sets: list[dict[str, Any]], marks: list[dict[str, Any]], flags: list[dict[str, Any]],
                    plan: Plan | None, live_stats: dict[str, Any] | None) -> dict[str, Any]:
    """The analysis summary as a dict, plus what only the live session knows: sets, marks, flags, targets."""
    d = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    for r in d.get("reps") or []:
        r["set"] = set_of(r.get("t_top") or r.get("t_start"), sets)
    for h in d.get("holds") or []:
        h["set"] = set_of(h.get("t_start"), sets)
    if sets:
        d["sets"] = sets
    d["marks"] = marks
    d["flags"] = flags
    if plan is not None:
        d["targets"] = plan.to_dict()
    if live_stats is not None:
        d["live"] = live_stats
    return d



def latency_stats(lat_ms: list[float]) -> dict[str, float]:
    """Median, 95th percentile, maximum (ms) and count of per-frame latencies."""
    if not lat_ms:
        return {}
    a = np.asarray(lat_ms, float)
    return {"median": round(float(np.median(a)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "max": round(float(a.max()), 1), "n": int(a.size)}


def write_report(store: Any, session_id: int, out_dir: Path, say: Callable[[str], None]) -> Path | None:
    """The session's HTML report (``report.session_report`` → ``report.write_html``); best effort."""
    try:
        from footform.outputs import report as report_mod
    except ImportError as e:  # the report's own dependencies (matplotlib) missing
        say(f"footform: no HTML report ({e}).")
        return None
    try:
        return Path(report_mod.write_html(out_dir / "report.html", report_mod.session_report(store, session_id)))
    except FootformError as e:
        say(f"footform: the report could not be written ({e})")
        return None


def print_end(say: Callable[[str], None], summary: Any, doc: dict[str, Any], coach: Coach, result: Any,
              format_table: Callable[[Any], str]) -> None:
    """The console's closing lines: the analysis table, the sets, the marks, frames and latency, where things were saved."""
    say("")
    say(format_table(summary))
    for s in doc.get("sets") or []:
        if s["kind"] == "reps":
            say(f"set {s['index']}: {s['n_reps']} reps ({s['ended_by'] or 'open'})")
        else:
            best = ", ".join(f"{k} {v:.0f} s" for k, v in (s.get("best_s") or {}).items() if v is not None) or "no hold"
            say(f"set {s['index']}: {s['n_holds']} holds, best {best}")
    for m in coach.marks:
        rating = f" {m['rating']}/10" if m.get("rating") is not None else ""
        say(f"{m['kind']}{rating} marked at {m['t_s']:.1f} s (set {m.get('set') or '-'})")
    lat = result.latency_ms
    share = 100.0 * result.frames_dropped / result.frames_captured if result.frames_captured else 0.0
    say(f"frames: {result.frames_processed} analysed of {result.frames_captured} captured ({share:.0f} % skipped to keep up); "
        f"latency median {lat.get('median', 0):.0f} ms, p95 {lat.get('p95', 0):.0f} ms")
    say(f"session {result.session_id} saved in {result.db_path}")
    if result.out_dir is not None:
        say(f"summary: {result.out_dir / 'summary.json'}")
    if result.report_path is not None:
        say(f"report: {result.report_path}")


