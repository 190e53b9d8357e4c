"""Summary → rows of the store's tables: the one place that reads the analysis summary's fields
(rep / hold / flag / event columns from the row schema, :mod:`footform.exercises.rows`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from footform.core.numeric import finite
from footform.exercises import rows
from footform.exercises.rows import as_int as _int
from footform.exercises.rows import first_of as _first
from footform.outputs.store.schema import (
    MARK_KINDS,
    now_utc,
)

# ---------------------------------------------------------------------------------------------
# Summary → rows (the rep / hold / flag / event columns: exercises/rows.py)
# ---------------------------------------------------------------------------------------------

def to_json(v: Any) -> str | None:
    if v is None:
        return None
    return json.dumps(v, sort_keys=True, allow_nan=False, default=json_default, separators=(",", ":"))


def json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)


def json_safe(v: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(v, Mapping):
        return {str(k): json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return json_safe(v.tolist())
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def extra_json(d: Mapping[str, Any], used: Sequence[str]) -> str | None:
    rest = {k: v for k, v in d.items() if k not in used}
    return to_json(json_safe(rest)) if rest else None


def rep_row(rep: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary rep → a ``reps`` row (without ``session_id``): the schema's columns (exercises/rows.py)."""
    return {**rows.rep_fields(rep, default_index), "extra_json": extra_json(rep, rows.REP_KEYS)}


def hold_row(hold: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary hold → a ``holds`` row (without ``session_id``)."""
    return {
        **rows.hold_fields(hold, default_index),
        "sway_json": to_json(json_safe(hold.get("sway"))),
        "noise_floor_json": to_json(json_safe(hold.get("noise_floor"))),
        "wobble_json": to_json(json_safe(_first(hold, "ankle_wobble", "wobble"))),
        "extra_json": extra_json(hold, rows.HOLD_KEYS),
    }


def flag_row(flag: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary flag → a ``flags`` row (without ``session_id``)."""
    return {**rows.flag_fields(flag, default_index), "evidence_json": flag_evidence(flag)}


def flag_evidence(flag: Mapping[str, Any]) -> str | None:
    """The flag's evidence dict; fields of the flag this version does not know go under ``extra_json``."""
    evidence = dict(flag.get("evidence") or {}) if isinstance(flag.get("evidence"), Mapping) else (
        {"value": flag.get("evidence")} if flag.get("evidence") is not None else {})
    rest = {k: v for k, v in flag.items() if k not in rows.FLAG_KEYS}
    if rest:
        evidence["_extra"] = rest
    return to_json(json_safe(evidence)) if evidence else None


def mark_row(mark: Mapping[str, Any]) -> dict[str, Any]:
    """One pain/cramp mark → a ``marks`` row (without ``session_id``)."""
    kind = str(mark.get("kind") or "pain")
    if kind not in MARK_KINDS:
        raise ValueError(f"mark kind {kind!r} is not one of {MARK_KINDS}")
    rating = _int(mark.get("rating"))
    if rating is not None and not 0 <= rating <= 10:
        raise ValueError(f"mark rating {rating} is outside 0–10")
    return {
        "t_s": finite(_first(mark, "t_s", "t", "time")),
        "kind": kind,
        "rating": rating,
        "side": mark.get("side"),
        "note": mark.get("note"),
        "created_utc": mark.get("created_utc") or now_utc(),
    }


def event_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """One summary event (partial rep, aborted rep, touchdown …) → an ``events`` row."""
    return {**rows.event_fields(event), "data_json": extra_json(event, rows.EVENT_KEYS)}


def set_row(s: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary set (with its aggregates) → a ``sets`` row."""
    reps = s.get("reps")
    holds = s.get("holds")
    return {
        "set_index": _int(_first(s, "index", "set")) or default_index,
        "kind": s.get("kind") or ("holds" if holds else "reps" if reps is not None else None),
        "side": s.get("side"),
        "t_start_s": finite(s.get("t_start")),
        "t_end_s": finite(s.get("t_end")),
        "n_reps": len(reps) if isinstance(reps, list) else _int(_first(s, "n_reps", "reps")),
        "n_holds": len(holds) if isinstance(holds, list) else _int(_first(s, "n_holds", "holds")),
        "aggregates_json": extra_json(s, ("index", "set", "kind", "side", "t_start", "t_end")),
    }


@dataclass
class SessionRows:
    """A summary split into table rows (``session`` holds the ``sessions`` columns it fills)."""

    session: dict[str, Any]
    sets: list[dict[str, Any]] = field(default_factory=list)
    reps: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def summary_to_rows(summary: Mapping[str, Any]) -> SessionRows:
    """Split a ``footform.summary/1`` dict into rows of the store's tables.

    Known fields are read by name (``reps[].peak_lift`` → ``reps.peak_lift_fl`` …); fields this
    version does not know are kept in each row's ``extra_json`` and the whole summary in
    ``sessions.summary_json``, so nothing is lost when the summary grows.
    """
    if not isinstance(summary, Mapping):
        raise TypeError("summary must be a mapping")
    quality = summary.get("quality") or {}
    session = {
        "exercise": summary.get("exercise"),
        "view": summary.get("view") or quality.get("view"),
        "summary_schema": summary.get("schema"),
        "analysable": None if summary.get("analysable") is None else int(bool(summary.get("analysable"))),
        "not_analysable_reason": summary.get("reason"),
        "height_cm": finite(summary.get("height_cm")),
        "summary_json": to_json(json_safe(summary)),
        "quality_json": to_json(json_safe(quality)) if quality else None,
        "frames": _int(quality.get("frames")),
        "frames_with_person": _int(quality.get("frames_with_person")),
        "frames_feet_visible": _int(quality.get("frames_feet_visible")),
        "duration_s": finite(_first(quality, "duration_s", default=summary.get("duration_s"))),
        "warnings_json": to_json(json_safe(summary.get("warnings") or [])),
    }
    rows = SessionRows(session=session)
    sets = list(summary.get("sets") or [])
    if not sets and isinstance(summary.get("set"), Mapping) and summary.get("set"):
        # footform.summary/1 as of analysis v0.1: one set per session, its aggregates in "set"
        one = dict(summary["set"])
        n = one.pop("reps", None)
        by_side = {k: v for k, v in (one.get("reps_by_side") or {}).items() if v}
        side = next(iter(by_side)) if len(by_side) == 1 else ("mixed" if by_side else None)
        counted = summary.get("exercise") in ("calf_raise", "ankle_pumps")
        if summary.get("exercise") == "ankle_pumps":
            n = one.get("cycles", n)     # a pump set counts pumps per foot (the busier foot), as live does
        one.update({"index": 1, "kind": "reps" if counted else "holds", "n_reps": n, "side": side})
        sets = [one]
        pump_sets = sorted({r.get("set") for r in summary.get("reps") or [] if isinstance(r, Mapping)} - {None})
        if summary.get("exercise") == "ankle_pumps" and len(pump_sets) > 1:
            # ankle pumps number their own sets (a pause of 8 s or more starts one): a row each,
            # the session's aggregates (range, cadence per foot) on the first
            sets = []
            for k in pump_sets:
                reps_k = [r for r in summary["reps"] if r.get("set") == k]
                by = {sd: sum(1 for r in reps_k if r.get("side") == sd) for sd in ("left", "right")}
                sets.append({**(one if not sets else {}), "index": k, "kind": "reps", "reps_by_side": by,
                             "n_reps": max(by.values()), "side": "both" if all(by.values()) else next(
                                 (sd for sd, v in by.items() if v), None),
                             "t_start": min(r["t_start"] for r in reps_k), "t_end": max(r["t_end"] for r in reps_k)})
    for i, s in enumerate(sets, 1):
        if isinstance(s, Mapping):
            rows.sets.append(set_row(s, i))
    reps = list(summary.get("reps") or [])
    holds = list(summary.get("holds") or [])
    # a summary may nest reps/holds inside its sets instead of (or as well as) listing them at the top
    if not reps and not holds:
        for i, s in enumerate(sets, 1):
            if not isinstance(s, Mapping):
                continue
            for r in s.get("reps") or [] if isinstance(s.get("reps"), list) else []:
                reps.append({"set": _first(s, "index", "set", default=i), **r})
            for h in s.get("holds") or [] if isinstance(s.get("holds"), list) else []:
                holds.append({"set": _first(s, "index", "set", default=i), **h})
    rows.reps = [rep_row(r, i) for i, r in enumerate(reps, 1)]
    rows.holds = [hold_row(h, i) for i, h in enumerate(holds, 1)]
    rows.flags = [flag_row(f, i) for i, f in enumerate(summary.get("flags") or [], 1)]
    rows.marks = [mark_row(m) for m in summary.get("marks") or []]
    rows.events = [event_row(e) for e in summary.get("events") or []]
    return rows
