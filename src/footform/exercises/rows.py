"""One row schema per result kind (rep, hold, flag, event): field names, units and meanings.

The summary's JSON rows (``footform.summary/1``, keys such as ``t_start`` and ``peak_lift``) are
turned into *schema rows* here, once: every column name carries its unit as a suffix, spelled one
way everywhere (``_s`` seconds, ``_fl`` foot lengths, ``_deg`` degrees …: :data:`UNIT_OF_SUFFIX`).
The same rows and names are used by

* the session store (``outputs/store/``: its ``reps`` / ``holds`` / ``flags`` / ``events`` tables
  have these columns, plus ``extra_json`` for what the schema does not name),
* the export (``outputs/export/``: the same columns, with ``session_id`` and derived columns;
  its column dictionary ``columns.csv`` takes each column's unit and meaning from here),
* the summary's CSVs (``reps.csv`` / ``holds.csv`` of an analysis: the unit-suffixed names),
* the reports (which read the stored rows by these names).

FL = foot length, estimated as 0.618 × the shank length seen in the image (Drillis–Contini); the
``_cm`` columns are estimates from the person's height.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from footform.core.numeric import finite

#: How a foot length is spelled in every column name.
FL = "fl"

#: Short unit per column-name suffix (the longest suffix wins); a column without one is a count,
#: an index, a flag or text.
UNIT_OF_SUFFIX = {
    "_s": "s", "_hz": "Hz", "_deg": "deg", f"_{FL}": "FL", f"_{FL}2": "FL^2", f"_{FL}_per_s": "FL/s",
    f"_{FL}_per_rep": "FL/rep", "_cm": "cm", "_cm2": "cm^2", "_cm_per_s": "cm/s", "_pct": "%", "_0_10": "0-10",
    "_per_min": "1/min", "_utc": "UTC date-time", "_m": "m", "_norm": "0-1 of the frame", "_rel": "model depth units",
    "_ratio": "ratio", "_px": "px",
}


def column_unit(column: str) -> str:
    """The unit of a column from its name's suffix (``""`` for counts, indices, flags, text)."""
    best = ""
    for suffix in UNIT_OF_SUFFIX:
        if column.endswith(suffix) and len(suffix) > len(best):
            best = suffix
    return UNIT_OF_SUFFIX.get(best, "")


def unit_name(key: str) -> str:
    """A summary key in FL (or with a ``_cm`` / ``_cm2`` suffix) → the column stem with its unit.

    ``rms_ml`` → ``rms_ml_fl``; ``rms_ml_cm`` → ``rms_ml_cm``; ``mean_velocity_ml_per_s`` →
    ``mean_velocity_ml_fl_per_s``; ``mean_velocity_ml_per_s_cm`` → ``mean_velocity_ml_cm_per_s``;
    ``ellipse95_area`` → ``ellipse95_area_fl2``; keys already in deg / Hz / s / % stay as they are.
    """
    if key.endswith(("_deg", "_hz", "_pct", "_px")) or key in ("duration_s",):
        return key
    if key.endswith("_cm2"):
        return key
    unit = FL
    base = key
    if key.endswith("_cm"):
        unit, base = "cm", key[:-3]
    if base.startswith("ellipse95_area"):
        return f"{base}_{'cm2' if unit == 'cm' else FL + '2'}"
    if base.endswith("_per_s"):
        return f"{base[:-6]}_{unit}_per_s"
    return f"{base}_{unit}"


@dataclass(frozen=True)
class Field:
    """One column of a row kind: its name (unit as suffix), what it means, and whether the store
    keeps it (``stored=False``: derived from stored columns, e.g. a ratio)."""

    name: str
    meaning: str
    stored: bool = True

    @property
    def unit(self) -> str:
        return column_unit(self.name)


REP = (
    Field("set_index", "the set (1, 2 …); rows an offline analysis did not assign take the only set, or the set "
                       "whose time span holds them"),
    Field("rep_index", "the rep (1, 2 …)"),
    Field("side", "working foot, or both"),
    Field("t_start_s", "start of the rise (20 % of the peak)"),
    Field("t_top_s", "middle of the top (80 % of the peak or more)"),
    Field("t_end_s", "end of the lowering (20 % of the peak)"),
    Field("peak_lift_fl", "peak heel lift above standing (from the front: whole-body rise)"),
    Field("peak_lift_cm", "the same in cm (with a known height)"),
    Field("rise_s", "rise time"),
    Field("top_s", "time at the top"),
    Field("lower_s", "lowering time"),
    Field("lower_to_rise_ratio", "lowering / rise time as the fast-lowering rule judges it (flagged below the rule's threshold, 0.65 "
                                 "unless overridden): 20-80 % "
                                 "of the rep's peak, timed on the heel lift or, from the side, on the shoulders' height "
                                 "in the image; the rise taken as at least 0.35 s (heel) / 0.2 s (shoulders)",
          stored=False),
    Field("heel_in_left_fl", "left heel drift towards the midline from the ankle at the top of the rep (+ in / sickling, - out)"),
    Field("heel_in_right_fl", "right heel drift towards the midline from the ankle at the top of the rep (+ in / sickling, - out)"),
    Field("alignment_note", "why heel alignment is empty (not measurable from this view, or at this distance)"),
    Field("full", "false for a partial rep kept for the record"),
)
HOLD = (
    Field("set_index", REP[0].meaning),
    Field("hold_index", "the hold (1, 2 …)"),
    Field("stance_side", "standing leg of a single-leg hold (empty for a calf stretch)"),
    Field("t_start_s", "lift-off (stretch: start of the hold)"),
    Field("t_end_s", "touch-down, came out, or end"),
    Field("duration_s", "length of the hold"),
    Field("ended_by", "touch_down / came_out / end_of_video / tracking_lost / cut"),
    Field("touchdowns", "brief toe-taps inside the hold"),
)
FLAG = (
    Field("flag_index", "the flag (1, 2 …)"),
    Field("set_index", REP[0].meaning),
    Field("code", "rule code"),
    Field("label", "rule name"),
    Field("severity", "info / warn / stop"),
    Field("side", "left / right, or empty"),
    Field("t_start_s", "first seen"),
    Field("t_end_s", "last seen"),
    Field("rep_index", "the rep (1, 2 …)"),
    Field("hold_index", "the hold (1, 2 …)"),
    Field("message", "words for the person"),
    Field("description", "words for the therapist"),
)
EVENT = (
    Field("type", "partial_rep / rep_aborted / rep_incomplete / brief_lift / touch_down ... (docs/summary-schema.md)"),
    Field("t_s", "time"),
    Field("t_end_s", "end, if it lasted"),
    Field("side", "side, if any"),
)
#: Every row kind by the name of its table.
KINDS: dict[str, tuple[Field, ...]] = {"reps": REP, "holds": HOLD, "flags": FLAG, "events": EVENT}


def names(kind: Sequence[Field], stored_only: bool = False) -> tuple[str, ...]:
    """The column names of a row kind (``stored_only``: the ones the store keeps)."""
    return tuple(f.name for f in kind if f.stored or not stored_only)


def meaning(table: str, column: str) -> str | None:
    """The schema's meaning of a column of one of its tables, or None."""
    for f in KINDS.get(table, ()):
        if f.name == column:
            return f.meaning
    return None


# ---------------------------------------------------------------------------------------------
# Summary rows → schema rows (the one place that knows the summary's row keys)
# ---------------------------------------------------------------------------------------------

def as_int(v: Any) -> int | None:
    """A number rounded to an int, or None."""
    f = finite(v)
    return None if f is None else int(round(f))


def first_of(d: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    """The first of ``keys`` present (not None) in ``d``."""
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


#: Summary keys each kind reads by name (the rest of a row is kept as extra data by the store).
REP_KEYS = ("index", "rep", "set", "set_index", "side", "t_start", "t_top", "t_end", "peak_lift", "peak_lift_fl",
            "peak_lift_cm", "rise_s", "top_s", "lower_s", "heel_in", "full")
HOLD_KEYS = ("index", "hold", "set", "set_index", "stance_side", "side", "t_start", "t_end", "duration_s", "ended_by",
             "touchdowns", "sway", "noise_floor", "wobble", "ankle_wobble")
FLAG_KEYS = ("code", "label", "severity", "side", "t_start", "t_end", "rep", "hold", "set", "message", "description",
             "evidence")
EVENT_KEYS = ("type", "kind", "t_s", "t_start", "t", "t_end_s", "t_end", "side")


def rep_fields(rep: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary rep → its stored schema columns (:data:`REP`, ``stored``)."""
    heel_in = rep.get("heel_in")
    left = right = None
    note = None
    if isinstance(heel_in, Mapping):
        left, right = finite(heel_in.get("left")), finite(heel_in.get("right"))
    elif isinstance(heel_in, str):
        note = heel_in
    return {
        "set_index": as_int(first_of(rep, "set", "set_index")),
        "rep_index": as_int(first_of(rep, "index", "rep")) or default_index,
        "side": rep.get("side"),
        "t_start_s": finite(rep.get("t_start")),
        "t_top_s": finite(rep.get("t_top")),
        "t_end_s": finite(rep.get("t_end")),
        "peak_lift_fl": finite(first_of(rep, "peak_lift", "peak_lift_fl")),
        "peak_lift_cm": finite(rep.get("peak_lift_cm")),
        "rise_s": finite(rep.get("rise_s")),
        "top_s": finite(rep.get("top_s")),
        "lower_s": finite(rep.get("lower_s")),
        "heel_in_left_fl": left,
        "heel_in_right_fl": right,
        "alignment_note": note,
        "full": 0 if rep.get("full") is False else 1,
    }


#: The code of the rule that judges a rep's lowering, and the rep metric it judges.
FAST_LOWERING = "fast_lowering"
LOWER_TO_RISE = "lower_to_rise"


def lower_to_rise_ratio(rep: Mapping[str, Any]) -> float | None:
    """A rep's lowering-to-rise ratio as the fast-lowering rule judged it (a ratio of times, < 1:
    lowered faster than raised), or None where the rep was not judged.

    It is the ``lower_to_rise`` form metric the analysis measured when the rep completed
    (``feedback/form.py``, docs/rules.md "Fast lowering"): the lowering time (80 % → 20 % of the
    rep's peak) over the rise time (20 % → 80 %), both on the heel lift, or — in a side view — on
    the shoulders' height in the image; the rise taken as at least 0.35 s on the heel and 0.2 s on
    the shoulders.  Not ``lower_s / rise_s``: that plain heel ratio is not what the rule judges.
    Read from a summary rep (``form``) or a stored one (``extra`` → ``form``)."""
    form = rep.get("form")
    if not isinstance(form, Mapping):
        extra = rep.get("extra")
        form = extra.get("form") if isinstance(extra, Mapping) else None
    return finite(form.get(LOWER_TO_RISE), 3) if isinstance(form, Mapping) else None


def fast_lowering_reps(flags: Sequence[Mapping[str, Any]]) -> set[int]:
    """Indices of the reps a fast-lowering flag was raised on (summary flags: ``rep``; stored: ``rep_index``)."""
    out: set[int] = set()
    for f in flags:
        i = as_int(first_of(f, "rep", "rep_index"))
        if f.get("code") == FAST_LOWERING and i is not None:
            out.add(i)
    return out


def controlled_lowering_share(reps: Sequence[Mapping[str, Any]], flags: Sequence[Mapping[str, Any]]) -> float | None:
    """Share (0–1) of the reps the fast-lowering rule judged that it did not flag: the reps with a
    :func:`lower_to_rise_ratio`, less those with a fast-lowering flag.  None when no rep was judged.
    The same judgement as the flags, so a rep is never both flagged and counted as controlled."""
    fast = fast_lowering_reps(flags)
    judged = [as_int(first_of(r, "index", "rep_index", "rep")) for r in reps if lower_to_rise_ratio(r) is not None]
    if not judged:
        return None
    return round(sum(1 for i in judged if i not in fast) / len(judged), 3)


def hold_fields(hold: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary hold → its schema columns (:data:`HOLD`)."""
    return {
        "set_index": as_int(first_of(hold, "set", "set_index")),
        "hold_index": as_int(first_of(hold, "index", "hold")) or default_index,
        "stance_side": first_of(hold, "stance_side", "side"),
        "t_start_s": finite(hold.get("t_start")),
        "t_end_s": finite(hold.get("t_end")),
        "duration_s": finite(hold.get("duration_s")),
        "ended_by": hold.get("ended_by"),
        "touchdowns": as_int(hold.get("touchdowns")),
    }


def flag_fields(flag: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary flag (``Flag.to_dict()``) → its schema columns (:data:`FLAG`); the evidence
    stays an object (the store keeps it as JSON, the writers flatten it)."""
    return {
        "flag_index": default_index,
        "set_index": as_int(flag.get("set")),
        "code": str(flag.get("code") or "flag"),
        "label": flag.get("label"),
        "severity": flag.get("severity"),
        "side": flag.get("side"),
        "t_start_s": finite(flag.get("t_start")),
        "t_end_s": finite(flag.get("t_end")),
        "rep_index": as_int(flag.get("rep")),
        "hold_index": as_int(flag.get("hold")),
        "message": flag.get("message"),
        "description": flag.get("description"),
    }


def event_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """One summary event (partial rep, aborted rep, touch-down …) → its schema columns (:data:`EVENT`)."""
    return {
        "type": str(first_of(event, "type", "kind", default="event")),
        "t_s": finite(first_of(event, "t_s", "t_start", "t")),
        "t_end_s": finite(first_of(event, "t_end_s", "t_end")),
        "side": event.get("side"),
    }


def metric_columns(prefix: str, d: Mapping[str, Any] | None, skip: Sequence[str] = ("axes", "units", "method"),
                   nd: int | None = None) -> dict[str, Any]:
    """A hold's sway / noise-floor / wobble figures as unit-named columns (``sway_rms_ml_fl`` …);
    a figure the view could not measure (a sentence) goes to ``<prefix>note``, a sentence of its
    own under a ``…_note`` key (the sway's ``form_note``) to ``<prefix><key>``."""
    out: dict[str, Any] = {}
    for k, v in (d or {}).items():
        if k in skip or isinstance(v, (dict, list)):
            continue
        if isinstance(v, str):
            out[f"{prefix}{k}" if k.endswith("_note") else f"{prefix}note"] = v
        else:
            out[f"{prefix}{unit_name(k)}"] = finite(v, nd)
    return out
