"""Recovering an interrupted live session: complete every session a crashed run left ``incomplete``.

The live loop (:mod:`.session`) commits each rep, hold, flag and mark as it happens and flushes the
landmark track every second, so after a crash, SIGKILL or power cut the store holds an
``incomplete`` session with its track.  The next ``footform live`` calls :func:`recover_sessions`,
which replays the track through the same analysis and completes the session.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from footform.apps.live.record import session_summary
from footform.errors import FootformError
from footform.exercises import registry


def _flag_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"code": row.get("code"), "label": row.get("label"), "severity": row.get("severity"), "side": row.get("side"),
            "t_start": row.get("t_start_s"), "t_end": row.get("t_end_s"), "rep": row.get("rep_index"),
            "hold": row.get("hold_index"), "set": row.get("set_index"), "message": row.get("message"),
            "description": row.get("description"), "evidence": row.get("evidence")}


def recover_sessions(store: Any, say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Complete every session a crashed live run left ``incomplete``; returns what was recovered.

    The session's landmark track holds exactly the frames the live loop analysed (up to its last
    flush, ≤ 1 s before the crash), so replaying it through the same live analysis reproduces the
    reps and holds the person saw.  Marks and flags written live are kept; sets are rebuilt from
    the set numbers stored with the reps / holds.  Without a readable track the rows committed live
    are kept as they are.
    """
    from footform.analysis.analyzer import AnalysisConfig, analyze_frames
    from footform.io.track import TrackReader

    out = []
    for info in store.incomplete_sessions():
        rec = store.session(info.id)
        summary = None
        exercise = rec.session.get("exercise") or "auto"
        track = rec.track_path
        if track is not None and Path(track).is_file() and exercise in (*registry.IDS, registry.AUTO):
            targets = {k: float(v) for k, v in (rec.targets or {}).items()
                       if k in ("reps", "hold_s") and isinstance(v, (int, float))}
            try:
                reader = TrackReader(track)
                summary = analyze_frames(iter(reader), AnalysisConfig(exercise=exercise, live=True, targets=targets))
            except FootformError:
                summary = None
        if summary is not None:
            sets = _sets_from_rows(rec)
            d = session_summary(summary, sets, [], [_flag_from_row(f) for f in rec.flags], None,
                                {"recovered": True, "recovered_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")})
            d.pop("marks", None)   # the marks written live stay (complete_session keeps them)
            # A rep/hold committed in the last moments may lie past the track's last flush: never
            # recover fewer than were committed live.
            if len(d.get("reps") or []) < len(rec.reps):
                d["reps"] = [_rep_from_row(r) for r in rec.reps]
            if len(d.get("holds") or []) < len(rec.holds):
                d["holds"] = [_hold_from_row(h) for h in rec.holds]
            store.complete_session(info.id, d)
            n_reps, n_holds = len(d.get("reps") or []), len(d.get("holds") or [])
        else:
            store.complete_session(info.id)
            n_reps, n_holds = len(rec.reps), len(rec.holds)
        ex_info = registry.find(exercise)
        what = (ex_info.count(n_reps if ex_info.counts_reps else n_holds) if ex_info
                else f"{n_reps} reps, {n_holds} holds")
        marks = f", {len(rec.marks)} pain/cramp marks" if rec.marks else ""
        say(f"Recovered an interrupted session from {info.started_utc} (session {info.id}): {what}{marks} kept.")
        out.append({"id": info.id, "reps": n_reps, "holds": n_holds, "marks": len(rec.marks)})
    return out


def _rep_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row.get("rep_index"), "set": row.get("set_index"), "side": row.get("side"),
            "t_start": row.get("t_start_s"), "t_top": row.get("t_top_s"), "t_end": row.get("t_end_s"),
            "peak_lift": row.get("peak_lift_fl"), "peak_lift_cm": row.get("peak_lift_cm"), "rise_s": row.get("rise_s"),
            "top_s": row.get("top_s"), "lower_s": row.get("lower_s"),
            "heel_in": row.get("alignment_note") or {"left": row.get("heel_in_left_fl"), "right": row.get("heel_in_right_fl")}}


def _hold_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row.get("hold_index"), "set": row.get("set_index"), "stance_side": row.get("stance_side"),
            "t_start": row.get("t_start_s"), "t_end": row.get("t_end_s"), "duration_s": row.get("duration_s"),
            "ended_by": row.get("ended_by"), "touchdowns": row.get("touchdowns"), "sway": row.get("sway") or {},
            "ankle_wobble": row.get("wobble") or {}, "noise_floor": row.get("noise_floor") or {}}


def _sets_from_rows(rec: Any) -> list[dict[str, Any]]:
    spans: dict[int, list[float]] = {}
    for row in list(rec.reps) + list(rec.holds):
        k = row.get("set_index")
        t = row.get("t_start_s")
        if k is None or t is None:
            continue
        spans.setdefault(int(k), []).append(float(t))
    return [{"index": k, "t_start": min(v) - 0.5, "kind": "reps" if rec.reps else "holds"} for k, v in sorted(spans.items())]


