"""Exports of stored sessions: CSV tables and one JSON document (``footform.export/1``).

Every numeric column carries its unit in its name (``docs/export-schema.md``):

* ``_s`` seconds (times on the session's source clock, durations); ``_hz`` hertz; ``_deg`` degrees;
* ``_fl`` body-scaled lengths in foot lengths (FL = 0.618 × the shank length seen in the
  image, Drillis–Contini proportions) and ``_fl2`` areas; ``_fl_per_s`` speeds (spelled as in the
  store, the summary's CSVs and the rules: one row schema, ``exercises/rows.py``);
* ``_cm``, ``_cm2``, ``_cm_per_s`` the same in centimetres, present only when the person's height
  was known (an anthropometric estimate, not a measurement);
* ``_pct`` percent, ``_0_10`` a 0–10 rating, ``_per_min`` a rate.

A value that cannot be measured (for example ankle wobble from a side view) is an empty cell, with
the reason in the matching ``*_note`` column — never a number.

Tables: ``sessions``, ``sets``, ``reps``, ``holds``, ``flags``, ``marks``, ``events``, ``signals``
(per frame, replayed from the session's landmark track) and, only when asked
(``with_landmarks``), ``landmarks`` (raw pose-model output).  No video is ever exported.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from footform import __version__
from footform.core.numeric import finite
from footform.errors import InputError, OutputError, os_reason
from footform.exercises import rows as schema
from footform.exercises.rows import FL, UNIT_OF_SUFFIX, unit_name
from footform.outputs.store import SessionRecord, Store

EXPORT_SCHEMA = "footform.export/1"
COLUMNS_FILE = "columns.csv"

#: What each unit suffix means (copied into every JSON export).
UNITS = {
    "_s": "seconds (times on the session's own clock from its first frame; durations)",
    "_hz": "hertz",
    "_deg": "degrees",
    f"_{FL}": "foot lengths: body-scaled length, FL = 0.618 × shank length in the image (Drillis–Contini)",
    f"_{FL}2": "square foot lengths",
    f"_{FL}_per_s": "foot lengths per second",
    "_cm": "centimetres, estimated from the person's height (anthropometric proportions, ±5 %)",
    "_cm2": "square centimetres (estimate, as _cm)",
    "_cm_per_s": "centimetres per second (estimate, as _cm)",
    "_pct": "percent",
    "_0_10": "rating from 0 (none) to 10 (worst imaginable)",
    "_per_min": "per minute",
    "_utc": "ISO-8601 date and time, UTC",
}


# ---------------------------------------------------------------------------------------------
# Column definitions (stable, documented in docs/export-schema.md)
# ---------------------------------------------------------------------------------------------

SESSION_COLUMNS = (
    "session_id", "session_uuid", "person", "started_utc", "finished_utc", "exercise", "view", "mode", "status",
    "analysable", "not_analysable_reason", "source_name", "software_version", "model_name", "model_sha256",
    "duration_s", "frames", "frames_with_person", "frames_feet_visible", "feet_visible_pct", "height_cm",
    "reps", "holds", "flags", "marks", "track_file",
)
SET_COLUMNS = (
    "session_id", "set_index", "kind", "side", "n_reps", "n_holds", "mean_peak_lift_fl",
    "peak_decline_pct", "peak_slope_fl_per_rep", "cadence_per_min", "controlled_lowering_pct",
    "left_right_peak_diff_pct", "reps_both", "reps_left", "reps_right",
)
#: reps, holds, flags and events: the row schema's columns (exercises/rows.py), by session.
REP_COLUMNS = ("session_id", *schema.names(schema.REP))
_SWAY_KEYS = ("rms_ml", "rms_ap", "range_ml", "range_ap", "path_length_ml", "path_length_ap",
              "mean_velocity_ml_per_s", "mean_velocity_ap_per_s", "ellipse95_area")
_NOISE_KEYS = ("rms_ml", "rms_ap", "mean_velocity_ml_per_s", "mean_velocity_ap_per_s", "ellipse95_area",
               "jitter_sigma_raw_h", "jitter_sigma_raw_depth", "wobble_rms_deg")


HOLD_COLUMNS = (
    "session_id", *schema.names(schema.HOLD), "sway_axis_image_horizontal",
    *(f"sway_{unit_name(k)}" for k in _SWAY_KEYS),
    *(f"sway_{unit_name(k + '_cm')}" for k in _SWAY_KEYS if not k.startswith("ellipse")),
    "sway_ellipse95_area_cm2",
    *(f"noise_{unit_name(k)}" for k in _NOISE_KEYS),
    *(f"noise_{unit_name(k + '_cm')}" for k in _NOISE_KEYS if not k.startswith(("ellipse", "wobble"))),
    "noise_ellipse95_area_cm2",
    "wobble_rms_deg", "wobble_dominant_freq_hz", "wobble_mean_angle_deg", "wobble_note",
)
FLAG_COLUMNS = (
    "session_id", *schema.names(schema.FLAG), "evidence_metric", "evidence_value",
    "evidence_threshold", "evidence_reference", "evidence_baseline", "evidence_json", "evidence_unit",
)
MARK_COLUMNS = ("session_id", "t_s", "kind", "rating_0_10", "side", "note", "created_utc")
EVENT_COLUMNS = ("session_id", *schema.names(schema.EVENT), "reason", "detail_json")
SIGNAL_COLUMNS = (
    "session_id", "frame", "t_s", "view", "feet_visible", "stance", "lift_fl", "rep_phase", "reps_so_far",
    "heel_toe_left_fl", "heel_toe_right_fl", "sway_h_fl", "sway_depth_fl",
    "shank_angle_stance_deg", "pump_angle_left_deg", "pump_angle_right_deg",
)
#: Calf-stretch holds (``holds[].kind == "calf_stretch"``): columns added to ``holds`` when a session has them.
STRETCH_HOLD_COLUMNS = (
    "kind", "front_side", "t_position_s", "held_s", "paused_s", "pauses", "pauses_heel_lift", "pauses_knee_bend",
    "target_s", "variant", "camera_view", "back_knee_angle_deg", "back_knee_flex_deg", "back_ankle_angle_deg",
    "dorsiflexion_deg", "dorsiflexion_gain_deg", "angles_note", "heel_contact_pct", "heel_lift_max_fl",
    "back_foot_out_deg", "foot_out_note", "forward_shift_pct", "stretched_side",
)
#: Ankle pumps (``reps[].kind == "ankle_pump"``, one row per foot per cycle): columns added to ``reps``.
PUMP_REP_COLUMNS = (
    "kind", "t_plantar_s", "t_dorsi_s", "duration_s", "cycle_s", "plantar_peak_deg", "dorsi_peak_deg",
    "rest_angle_deg", "rom_deg", "plantar_deg", "dorsi_deg", "leg_motion_deg", "rom_vs_best_ratio",
)
LANDMARK_COLUMNS = (
    "session_id", "frame", "t_s", "landmark_index", "landmark", "x_norm", "y_norm", "z_rel", "visibility",
    "presence", "x_world_m", "y_world_m", "z_world_m",
)
TABLES: dict[str, tuple[str, ...]] = {
    "sessions": SESSION_COLUMNS, "sets": SET_COLUMNS, "reps": REP_COLUMNS, "holds": HOLD_COLUMNS,
    "flags": FLAG_COLUMNS, "marks": MARK_COLUMNS, "events": EVENT_COLUMNS, "signals": SIGNAL_COLUMNS,
    "landmarks": LANDMARK_COLUMNS,
}


# ---------------------------------------------------------------------------------------------
# What every column means: one definition, written beside the CSVs as columns.csv, put in the JSON
# document, and listed in docs/export-schema.md (tests/test_export.py keeps them in step)
# ---------------------------------------------------------------------------------------------

#: Units not told by the name: the flag evidence is in the unit its rule states (``evidence_unit``).
_UNIT_OVERRIDE = {"evidence_value": "evidence_unit", "evidence_threshold": "evidence_unit",
                  "evidence_baseline": "evidence_unit"}

#: Meaning of each column the row schema (exercises/rows.py: reps, holds, flags, events) does not
#: describe; ``"table.column"`` overrides ``"column"`` where a name means different things in
#: different tables.  Sway and noise-floor columns are described by :func:`column_meaning`.
COLUMN_MEANINGS: dict[str, str] = {
    "session_id": "the session (footform sessions)", "session_uuid": "the session's unique id",
    "person": "name or pseudonym", "started_utc": "when the session started", "finished_utc": "when it was completed",
    "exercise": "calf_raise / single_leg_stance / calf_stretch / ankle_pumps",
    "view": "camera view: front / back / side-left / side-right / unknown", "mode": "offline / live",
    "status": "complete, or incomplete for a live session cut short", "analysable": "the recording could be analysed",
    "not_analysable_reason": "why not", "source_name": "video file or camera", "software_version": "footform version",
    "model_name": "pose model", "model_sha256": "pose model file checksum", "duration_s": "length of the recording",
    "frames": "analysed frames", "frames_with_person": "frames with the person found",
    "frames_feet_visible": "frames with both feet seen", "feet_visible_pct": "share of frames with both feet seen",
    "height_cm": "the person's height used for the cm figures", "reps": "counted reps", "holds": "holds",
    "flags": "flags raised", "marks": "pain/cramp marks", "track_file": "file name of the landmark track",
    "set_index": "the set (1, 2 …); rows an offline analysis did not assign take the only set, or the set whose "
                 "time span holds them",
    "sets.kind": "reps / holds", "sets.side": "both / left / right / mixed", "n_reps": "reps in the set (pumps: per foot)",
    "n_holds": "holds in the set", "mean_peak_lift_fl": "mean peak heel lift",
    "peak_decline_pct": "mean peak of the first third of the reps minus the last third, over the first third",
    "peak_slope_fl_per_rep": "linear trend of the peak across the set", "cadence_per_min": "reps per minute",
    "controlled_lowering_pct": "reps lowered at least as slowly as raised",
    "left_right_peak_diff_pct": "(left - right) / mean peak, single-leg sets", "reps_both": "two-leg reps",
    "reps_left": "reps on the left leg", "reps_right": "reps on the right leg", "t_start_s": "start",
    "t_end_s": "end",
    "reps.kind": "ankle_pump for ankle-pump rows", "t_plantar_s": "toes pointed most", "t_dorsi_s": "toes pulled up most",
    "reps.duration_s": "pump duration", "cycle_s": "start to start, same foot",
    "plantar_peak_deg": "shank-foot image angle, toes pointed most", "dorsi_peak_deg": "shank-foot image angle, pulled up most",
    "rest_angle_deg": "shank-foot image angle at rest", "rom_deg": "range, pointed to pulled up",
    "plantar_deg": "pointed past rest", "dorsi_deg": "pulled up past rest",
    "leg_motion_deg": "how much the shank turned during the pump", "rom_vs_best_ratio": "range / that foot's best so far",
    "sway_axis_image_horizontal": "ml (front/back view) or ap (side view): the sway axis measured in the image",
    "wobble_rms_deg": "ankle wobble of the stance shank, frontal plane: RMS",
    "wobble_dominant_freq_hz": "ankle wobble: dominant frequency", "wobble_mean_angle_deg": "ankle wobble: mean shank angle",
    "wobble_note": "why wobble is empty (not measurable from this view)",
    "holds.kind": "calf_stretch for calf-stretch rows", "stretched_side": "calf stretch: the stretched (back) leg",
    "front_side": "calf stretch: the front leg", "t_position_s": "reached the lunge",
    "held_s": "time in good form (the hold timer)", "paused_s": "time paused (heel up or knee bent)",
    "pauses": "pauses", "pauses_heel_lift": "pauses because the back heel came up",
    "pauses_knee_bend": "pauses because the back knee bent", "target_s": "target hold",
    "variant": "gastrocnemius / soleus / unknown (...)", "camera_view": "view of this hold",
    "back_knee_angle_deg": "back hip-knee-ankle image angle (estimate)",
    "back_knee_flex_deg": "back knee bend beyond the person's straight knee (estimate)",
    "back_ankle_angle_deg": "back shank-foot image angle (estimate)",
    "dorsiflexion_deg": "90 deg minus the back shank-foot image angle (estimate)",
    "dorsiflexion_gain_deg": "dorsiflexion gain over upright standing (estimate)",
    "angles_note": "why the angles are empty (not measurable from this view)",
    "heel_contact_pct": "share of the hold with the back heel down", "heel_lift_max_fl": "highest back-heel lift",
    "back_foot_out_deg": "back foot turned out (estimate)", "foot_out_note": "why turn-out is empty",
    "forward_shift_pct": "mean hip position from the back (0 %) to the front ankle (100 %)", "evidence_metric": "measured quantity",
    "evidence_value": "measured value, in evidence_unit", "evidence_threshold": "the rule's threshold, in evidence_unit",
    "evidence_reference": "absolute / baseline / typical",
    "evidence_baseline": "the person's baseline or typical value compared against, in evidence_unit",
    "evidence_json": "the whole evidence object", "evidence_unit": "unit of the evidence values, as in the rule file "
                     "(FL foot lengths, deg, %, s, x typical ...; docs/rules.md)",
    "t_s": "time", "marks.kind": "pain / cramp / note", "rating_0_10": "pain rating", "marks.side": "side, if given",
    "note": "free text", "created_utc": "wall clock when it was recorded", "reason": "why", "detail_json": "other details",
    "frame": "frame index in the source", "signals.view": "camera view of this frame", "feet_visible": "both feet seen",
    "stance": "foot on the floor: both / left / right / unknown",
    "lift_fl": "heel lift the rep counter works on, above standing (front: whole-body rise)",
    "rep_phase": "rep counter state", "reps_so_far": "reps counted up to this frame",
    "heel_toe_left_fl": "left heel above toe (smoothed)", "heel_toe_right_fl": "right heel above toe (smoothed)",
    "sway_h_fl": "COM proxy relative to the stance foot, image-horizontal (one leg only)",
    "sway_depth_fl": "COM proxy relative to the stance foot, depth (one leg only)",
    "shank_angle_stance_deg": "frontal-plane tilt of the stance shank (+ knee lateral)",
    "pump_angle_left_deg": "ankle pumps: left shank-foot image angle", "pump_angle_right_deg": "ankle pumps: right shank-foot image angle",
    "landmark_index": "BlazePose landmark 0-32", "landmark": "landmark name (the subject's own left/right)",
    "x_norm": "x in the frame", "y_norm": "y in the frame", "z_rel": "the model's relative depth",
    "visibility": "model visibility 0-1", "presence": "model presence 0-1",
    "x_world_m": "x, hip-centred 3-D estimate", "y_world_m": "y, hip-centred 3-D estimate", "z_world_m": "z, hip-centred 3-D estimate",
}
_SWAY_WORDS = {"rms": "RMS", "range": "range", "path_length": "path length", "mean_velocity": "mean speed",
               "ellipse95_area": "95 % prediction ellipse area", "jitter_sigma_raw": "raw landmark jitter (sigma)",
               "wobble_rms": "ankle wobble RMS"}
_AXIS_WORDS = {"ml": "medio-lateral", "ap": "antero-posterior", "h": "image-horizontal", "depth": "depth"}


def column_unit(column: str) -> str:
    """The unit of an export column from its name's suffix (``""`` for counts, indices, flags, text)."""
    if column in _UNIT_OVERRIDE:
        return _UNIT_OVERRIDE[column]
    return schema.column_unit(column)


def column_meaning(table: str, column: str) -> str:
    """What an export column holds (empty for a column nobody described): the row schema's meaning
    for reps, holds, flags and events (exercises/rows.py), else this module's."""
    known = schema.meaning(table, column)
    if known is not None:
        return known
    for key in (f"{table}.{column}", column):
        if key in COLUMN_MEANINGS:
            return COLUMN_MEANINGS[key]
    for prefix, what in (("sway_", "sway of the centre-of-mass proxy over the standing foot"),
                         ("noise_", "noise floor (what a perfectly still person would score)")):
        if column.startswith(prefix):
            stem = column[len(prefix):]
            for unit in sorted(UNIT_OF_SUFFIX, key=len, reverse=True):
                if stem.endswith(unit):
                    stem = stem[: -len(unit)]
                    break
            stem = stem.removesuffix("_cm").removesuffix(f"_{FL}")
            for metric, words in sorted(_SWAY_WORDS.items(), key=lambda kv: -len(kv[0])):
                if stem.startswith(metric):
                    axis = stem[len(metric):].strip("_").removesuffix("_per_s")
                    return f"{what}: {words}" + (f", {_AXIS_WORDS[axis]}" if axis in _AXIS_WORDS else "")
    return ""      # not described (tests/test_export.py requires every column in TABLES to be)


def all_columns() -> dict[str, list[str]]:
    """Every column an export can have, per table (with the calf-stretch and ankle-pump columns)."""
    cols = {t: list(c) for t, c in TABLES.items()}
    cols["holds"] += list(STRETCH_HOLD_COLUMNS)
    cols["reps"] += [c for c in PUMP_REP_COLUMNS if c not in cols["reps"]]
    return cols


def columns_markdown() -> str:
    """The column table of docs/export-schema.md (between its ``columns:start`` / ``columns:end`` marks)."""
    lines = ["| table | column | unit | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['table']} | `{r['column']}` | {r['unit'] or '–'} | {r['meaning']} |" for r in column_rows(all_columns())]
    return "\n".join(lines) + "\n"


def column_rows(columns: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """``columns.csv``: one row per table and column with its unit and meaning."""
    return [{"table": t, "column": c, "unit": column_unit(c), "meaning": column_meaning(t, c)}
            for t, cols in columns.items() for c in cols]


# ---------------------------------------------------------------------------------------------
# Per-frame signals, replayed from a landmark track through the analysis
# ---------------------------------------------------------------------------------------------

@dataclass
class FrameSignals:
    """Per-frame signals of one session (arrays of equal length, NaN where not valid).

    ``lift`` is the heel lift the rep counter worked on (FL above the person's standing baseline;
    from the front the whole-body rise), ``sway_h`` / ``sway_depth`` the COM proxy relative to the
    stance foot's centre (FL; image-horizontal and depth axes) while standing on one leg.
    ``pump_angle_left`` / ``_right``: ankle pumps only, the shank–foot image angle each foot's pump
    counter worked on (degrees; NaN where the view does not show it), else all NaN.
    """

    t_s: np.ndarray
    frame: np.ndarray
    lift: np.ndarray
    stance: list[str]
    view: list[str]
    feet_visible: np.ndarray
    rep_phase: list[str]
    reps_so_far: np.ndarray
    heel_toe_left: np.ndarray
    heel_toe_right: np.ndarray
    sway_h: np.ndarray
    sway_depth: np.ndarray
    shank_angle: np.ndarray
    pump_angle_left: np.ndarray | None = None
    pump_angle_right: np.ndarray | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    track_complete: bool = True

    def __len__(self) -> int:
        return int(self.t_s.size)

    def rows(self, session_id: int | None = None) -> Iterable[dict[str, Any]]:
        for i in range(len(self)):
            yield {
                "session_id": session_id, "frame": int(self.frame[i]), "t_s": finite(self.t_s[i], 4), "view": self.view[i],
                "feet_visible": bool(self.feet_visible[i]), "stance": self.stance[i],
                "lift_fl": finite(self.lift[i], 5), "rep_phase": self.rep_phase[i],
                "reps_so_far": int(self.reps_so_far[i]), "heel_toe_left_fl": finite(self.heel_toe_left[i], 5),
                "heel_toe_right_fl": finite(self.heel_toe_right[i], 5), "sway_h_fl": finite(self.sway_h[i], 5),
                "sway_depth_fl": finite(self.sway_depth[i], 5), "shank_angle_stance_deg": finite(self.shank_angle[i], 3),
                "pump_angle_left_deg": None if self.pump_angle_left is None else finite(self.pump_angle_left[i], 2),
                "pump_angle_right_deg": None if self.pump_angle_right is None else finite(self.pump_angle_right[i], 2),
            }


def frame_signals(track_path: str | os.PathLike, exercise: str | None = None, height_cm: float | None = None) -> FrameSignals:
    """Replay a landmark track through the offline analysis and keep its per-frame signals.

    The same :class:`~footform.analysis.analyzer.Analyzer` that produced the session's reps and holds is
    run again (deterministic), so the curve and the marked reps agree.  Raises
    :class:`InputError` for a missing or unreadable track.
    """
    from footform.analysis.analyzer import EXERCISES, AnalysisConfig, Analyzer, FrameResult
    from footform.io.track import TrackReader

    rows: list[tuple] = []

    def record(res: FrameResult) -> None:
        sig = res.signals
        rows.append((res.t_s, res.index, res.lift, res.stance, res.view, res.feet_visible, res.rep_phase, res.reps,
                     sig["heel_toe_left"], sig["heel_toe_right"], sig.get("sway_h_stance", math.nan),
                     sig.get("sway_depth_stance", math.nan), sig.get("shank_angle_stance", math.nan),
                     sig.get("foot_shank_angle_left", math.nan), sig.get("foot_shank_angle_right", math.nan)))

    ex = exercise if exercise in EXERCISES else "auto"
    reader = TrackReader(track_path)
    an = Analyzer(AnalysisConfig(exercise=ex, height_cm=height_cm), on_frame=record)
    for f in reader:
        an.step(f)
    summary = an.finish().to_dict()
    cols = list(zip(*rows)) if rows else [[] for _ in range(15)]
    def arr(i):
        return np.asarray(cols[i], float)
    return FrameSignals(
        t_s=arr(0), frame=np.asarray(cols[1], int), lift=arr(2), stance=list(cols[3]), view=list(cols[4]),
        feet_visible=np.asarray(cols[5], bool), rep_phase=list(cols[6]), reps_so_far=np.asarray(cols[7], int),
        heel_toe_left=arr(8), heel_toe_right=arr(9), sway_h=arr(10), sway_depth=arr(11), shank_angle=arr(12),
        pump_angle_left=arr(13), pump_angle_right=arr(14), summary=summary, track_complete=reader.complete,
    )


def session_signals(rec: SessionRecord) -> tuple[FrameSignals | None, str | None]:
    """The per-frame signals of a stored session, or ``(None, reason)`` when its track is unusable."""
    p = rec.track_path
    if p is None:
        return None, "no landmark track was stored with this session"
    if not p.is_file():
        return None, f"the session's landmark track {p} is missing"
    try:
        return frame_signals(p, rec.session.get("exercise"), rec.session.get("height_cm")), None
    except InputError as e:
        return None, str(e).rstrip(".")


# ---------------------------------------------------------------------------------------------
# Rows with unit-named columns
# ---------------------------------------------------------------------------------------------

def session_row(rec: SessionRecord) -> dict[str, Any]:
    s = rec.session
    frames, feet = s.get("frames"), s.get("frames_feet_visible")
    track = rec.track_path
    return {
        "session_id": s["id"], "session_uuid": s["uuid"], "person": rec.person.name if rec.person else None,
        "started_utc": s["started_utc"], "finished_utc": s.get("finished_utc"), "exercise": s.get("exercise"),
        "view": s.get("view"), "mode": s.get("mode"), "status": s.get("status"),
        "analysable": None if s.get("analysable") is None else bool(s["analysable"]),
        "not_analysable_reason": s.get("not_analysable_reason"), "source_name": s.get("source_name"),
        "software_version": s.get("software_version"), "model_name": s.get("model_name"),
        "model_sha256": s.get("model_sha256"), "duration_s": finite(s.get("duration_s")), "frames": frames,
        "frames_with_person": s.get("frames_with_person"), "frames_feet_visible": feet,
        "feet_visible_pct": finite(100.0 * feet / frames, 1) if frames and feet is not None else None,
        "height_cm": finite(s.get("height_cm")), "reps": sum(1 for r in rec.reps if r.get("full", 1)),
        "holds": len(rec.holds), "flags": len(rec.flags), "marks": len(rec.marks),
        "track_file": track.name if track else None,
    }


def set_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for st in rec.sets:
        agg = st.get("aggregates") or {}
        by_side = agg.get("reps_by_side") or {}
        share = finite(agg.get("controlled_lowering_share"))
        out.append({
            "session_id": rec.id, "set_index": st["set_index"], "kind": st.get("kind"), "side": st.get("side"),
            "n_reps": st.get("n_reps"), "n_holds": st.get("n_holds"),
            "mean_peak_lift_fl": finite(agg.get("mean_peak_lift")), "peak_decline_pct": finite(agg.get("peak_decline_pct")),
            "peak_slope_fl_per_rep": finite(agg.get("peak_slope_per_rep")),
            "cadence_per_min": finite(agg.get("cadence_per_min")),
            "controlled_lowering_pct": None if share is None else round(100.0 * share, 1),
            "left_right_peak_diff_pct": finite(agg.get("left_right_peak_diff_pct")),
            "reps_both": by_side.get("both"), "reps_left": by_side.get("left"), "reps_right": by_side.get("right"),
        })
    return out


def _set_index_of(rec: SessionRecord) -> Any:
    """``f(own_set_index, t_s)`` → the set a row belongs to, consistent with the ``sets`` table.

    Live sessions store each row's set; an offline analysis leaves it empty although its ``sets``
    table has the set (one per recording, or per pump set): then the only set, else the set whose
    time span holds ``t_s``, else empty."""
    sets = [(st["set_index"], finite(st.get("t_start_s")), finite(st.get("t_end_s"))) for st in rec.sets]

    def find(own: Any, t: Any) -> Any:
        if own is not None:
            return own
        if len(sets) == 1:
            return sets[0][0]
        tt = finite(t)
        if tt is not None:
            for idx, a, b in sets:
                if a is not None and a - 1e-6 <= tt and (b is None or tt <= b + 1e-6):
                    return idx
        return None

    return find


def _schema_row(rec: SessionRecord, kind: tuple[schema.Field, ...], stored: dict[str, Any]) -> dict[str, Any]:
    """A stored row read back in the row schema's columns: ``session_id`` first, every numeric
    (unit-named) column a finite float or empty, the rest as stored."""
    row: dict[str, Any] = {"session_id": rec.id}
    for f in kind:
        v = stored.get(f.name)
        row[f.name] = finite(v) if f.unit else v
    return row


def rep_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    set_of = _set_index_of(rec)
    for r in rec.reps:
        row = _schema_row(rec, schema.REP, r)
        row["set_index"] = set_of(r.get("set_index"), _first_present(r, "t_top_s", "t_start_s"))
        row["lower_to_rise_ratio"] = schema.lower_to_rise_ratio(r.get("rise_s"), r.get("lower_s"))
        row["full"] = bool(r.get("full", 1))
        extra = r.get("extra") or {}
        if extra.get("kind") == "ankle_pump":
            row.update(_pump_cols(extra))
        out.append(row)
    return out


def _pump_cols(x: Mapping[str, Any]) -> dict[str, Any]:
    """The ankle-pump fields of a rep (``reps.extra_json``) as unit-named columns."""
    return {"kind": x.get("kind"), "t_plantar_s": finite(x.get("t_plantar")), "t_dorsi_s": finite(x.get("t_dorsi")),
            "duration_s": finite(x.get("duration_s")), "cycle_s": finite(x.get("cycle_s")),
            **{k: finite(x.get(k)) for k in ("plantar_peak_deg", "dorsi_peak_deg", "rest_angle_deg", "rom_deg", "plantar_deg",
                                         "dorsi_deg", "leg_motion_deg")},
            "rom_vs_best_ratio": finite(x.get("rom_vs_best"))}


def _stretch_cols(x: Mapping[str, Any]) -> dict[str, Any]:
    """The calf-stretch fields of a hold (``holds.extra_json``) as unit-named columns; a figure the view
    could not measure is empty, with the reason in ``angles_note`` / ``foot_out_note``."""
    reasons = x.get("pause_reasons") or {}
    share, shift = finite(x.get("heel_contact_share")), finite(x.get("forward_shift"))
    out: dict[str, Any] = {
        "kind": x.get("kind"), "front_side": x.get("front_side"), "t_position_s": finite(x.get("t_position")),
        "held_s": finite(x.get("held_s")), "paused_s": finite(x.get("paused_s")), "pauses": x.get("pauses"),
        "pauses_heel_lift": reasons.get("heel_lift"), "pauses_knee_bend": reasons.get("knee_bend"),
        "target_s": finite(x.get("target_s")), "variant": x.get("variant"), "camera_view": x.get("view"),
        "heel_contact_pct": None if share is None else round(100.0 * share, 1),
        "heel_lift_max_fl": finite(x.get("heel_lift_max_fl")),
        "forward_shift_pct": None if shift is None else round(100.0 * shift, 1),
    }
    for k in ("back_knee_angle_deg", "back_knee_flex_deg", "back_ankle_angle_deg", "dorsiflexion_deg",
              "dorsiflexion_gain_deg", "back_foot_out_deg"):
        v = x.get(k)
        if isinstance(v, str):
            out["foot_out_note" if k == "back_foot_out_deg" else "angles_note"] = v
        else:
            out[k] = finite(v)
    return out


def hold_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    set_of = _set_index_of(rec)
    for h in rec.holds:
        sway = h.get("sway") or {}
        axes = sway.get("axes") or {}
        horiz = next((a for a, what in axes.items() if "horizontal" in str(what)), None)
        row = _schema_row(rec, schema.HOLD, h)
        row["set_index"] = set_of(h.get("set_index"), h.get("t_start_s"))
        row["sway_axis_image_horizontal"] = horiz
        row.update(schema.metric_columns("sway_", sway))
        row.update(schema.metric_columns("noise_", h.get("noise_floor")))
        wob = h.get("wobble") or {}
        for k in ("rms_deg", "dominant_freq_hz", "mean_angle_deg"):
            v = wob.get(k)
            if isinstance(v, str):
                row["wobble_note"] = v
            else:
                row[f"wobble_{k}"] = finite(v)
        extra = h.get("extra") or {}
        if extra.get("kind") == "calf_stretch":
            row.update(_stretch_cols(extra))
            # the store keeps the stretched (back) leg in stance_side; a stretch has no standing leg
            row["stretched_side"], row["stance_side"] = row["stance_side"], None
        out.append(row)
    return out


def flag_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    set_of = _set_index_of(rec)
    for f in rec.flags:
        ev = f.get("evidence") or {}
        row = _schema_row(rec, schema.FLAG, f)
        row["set_index"] = set_of(f.get("set_index"), f.get("t_start_s"))
        out.append({
            **row, "evidence_metric": ev.get("metric"), "evidence_value": finite(ev.get("value")),
            "evidence_threshold": finite(ev.get("threshold")), "evidence_reference": ev.get("reference"),
            "evidence_baseline": finite(_first_present(ev, "baseline", "typical")),
            "evidence_json": json.dumps(ev, sort_keys=True, ensure_ascii=False) if ev else None,
            "evidence_unit": ev.get("unit") or None,
        })
    return out


def _first_present(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) is not None:
            return d[k]
    return None


def mark_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    return [{"session_id": rec.id, "t_s": finite(m.get("t_s")), "kind": m.get("kind"), "rating_0_10": m.get("rating"),
             "side": m.get("side"), "note": m.get("note"), "created_utc": m.get("created_utc")} for m in rec.marks]


def event_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for e in rec.events:
        data = dict(e.get("data") or {})
        reason = data.pop("reason", None)
        out.append({**_schema_row(rec, schema.EVENT, e), "reason": reason,
                    "detail_json": json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None})
    return out


def landmark_rows(rec: SessionRecord) -> Iterable[dict[str, Any]]:
    """Raw landmarks of the session's track, one row per frame and landmark (long format)."""
    from footform.core.landmarks import LANDMARK_NAMES
    from footform.io.track import TrackReader

    p = rec.track_path
    if p is None or not p.is_file():
        return
    for fr in TrackReader(p):
        if fr.image is None:
            continue
        for k, name in enumerate(LANDMARK_NAMES):
            x, y, z, vis, pres = (float(v) for v in fr.image[k])
            w = fr.world[k] if fr.world is not None else (math.nan, math.nan, math.nan)
            yield {"session_id": rec.id, "frame": fr.index, "t_s": fr.t_s, "landmark_index": k, "landmark": name,
                   "x_norm": x, "y_norm": y, "z_rel": z, "visibility": vis, "presence": pres,
                   "x_world_m": finite(w[0]), "y_world_m": finite(w[1]), "z_world_m": finite(w[2])}


def session_tables(rec: SessionRecord, with_signals: bool = True, with_landmarks: bool = False) -> dict[str, Any]:
    """All export tables of one session: table name → list (or iterator) of unit-named rows."""
    tables: dict[str, Any] = {
        "sessions": [session_row(rec)], "sets": set_rows(rec), "reps": rep_rows(rec), "holds": hold_rows(rec),
        "flags": flag_rows(rec), "marks": mark_rows(rec), "events": event_rows(rec),
    }
    if with_signals:
        sig, _ = session_signals(rec)
        tables["signals"] = list(sig.rows(rec.id)) if sig is not None else []
    if with_landmarks:
        tables["landmarks"] = landmark_rows(rec)
    return tables


# ---------------------------------------------------------------------------------------------
# Home-program adherence (footform.outputs.program, footform.outputs.adherence; docs/programs.md)
# ---------------------------------------------------------------------------------------------

ADHERENCE_WEEK_COLUMNS = (
    "person", "program_version", "week", "iso_year", "iso_week", "week_monday", "program_week", "status",
    "days_in_program", "days_prescribed", "days_done", "days_complete", "sessions_done", "adherence_pct",
    "on_target", "pain_ratings", "pain_max_0_10", "pain_mean_0_10", "cramps",
)
ADHERENCE_ITEM_COLUMNS = (
    "person", "program_version", "week", "item_index", "exercise", "dose", "sessions_prescribed", "sessions_done",
    "days_done", "sets_prescribed", "sets_done", "reps_prescribed", "reps_done", "reps_good_form", "good_form_pct",
    "holds_prescribed", "holds_done", "holds_at_target", "holds_good_form", "hold_time_prescribed_s",
    "hold_time_done_s", "hold_time_good_form_s",
)


def program_tables(store: Store, person: str, today: _dt.date | None = None) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The person's adherence as CSV rows (``program_weeks``, ``program_week_items``) and, for JSON,
    one entry per program version (the program, its adherence); empty when the person has no program."""
    from footform.outputs.program import person_adherence

    pa = person_adherence(store, person, today=today)
    weeks: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    docs: list[dict[str, Any]] = []
    for sp, res in zip(pa.programs, pa.results):
        for w in res.weeks:
            weeks.append({"person": person, "program_version": sp.version, "week": w.label, "iso_year": w.iso_year,
                          "iso_week": w.iso_week, "week_monday": w.monday.isoformat(), "program_week": w.program_week,
                          "status": w.status, "days_in_program": w.days_in_program, "days_prescribed": w.days_prescribed,
                          "days_done": w.days_done, "days_complete": w.days_complete, "sessions_done": w.sessions_done,
                          "adherence_pct": finite(w.adherence_pct, 1), "on_target": w.on_target,
                          "pain_ratings": w.pain_ratings, "pain_max_0_10": w.pain_max,
                          "pain_mean_0_10": finite(w.pain_mean, 2), "cramps": w.cramps})
            for iw in w.items:
                items.append({"person": person, "program_version": sp.version, "week": w.label,
                              "item_index": iw.item_index, "exercise": iw.exercise,
                              "dose": sp.item(iw.item_index).dose(), "sessions_prescribed": iw.sessions_prescribed,
                              "sessions_done": iw.sessions_done, "days_done": iw.days_done,
                              "sets_prescribed": iw.sets_prescribed, "sets_done": iw.sets_done,
                              "reps_prescribed": iw.reps_prescribed if sp.item(iw.item_index).counted else None,
                              "reps_done": iw.reps_done if sp.item(iw.item_index).counted else None,
                              "reps_good_form": iw.reps_good if sp.item(iw.item_index).counted else None,
                              "good_form_pct": finite(iw.good_form_pct, 1),
                              **({} if sp.item(iw.item_index).counted else {
                                  "holds_prescribed": iw.holds_prescribed, "holds_done": iw.holds_done,
                                  "holds_at_target": iw.holds_at_target, "holds_good_form": iw.holds_good,
                                  "hold_time_prescribed_s": float(iw.hold_s_prescribed),
                                  "hold_time_done_s": float(iw.hold_s_done),
                                  "hold_time_good_form_s": float(iw.hold_s_good)})})
        docs.append({"version": sp.version, "set_utc": sp.created_utc, "source_name": sp.source_name,
                     "program": sp.program.to_dict(), "adherence": res.to_dict()})
    return {"program_weeks": weeks, "program_week_items": items}, docs


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------

def _columns(table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols = list(TABLES[table])
    kinds = {r.get("kind") for r in rows}
    if table == "holds" and "calf_stretch" in kinds:
        cols += list(STRETCH_HOLD_COLUMNS)
    if table == "reps" and "ankle_pump" in kinds:
        cols += [c for c in PUMP_REP_COLUMNS if c not in cols]
    extra = sorted({k for r in rows for k in r} - set(cols))
    return cols + extra


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return v


def _open_out(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("w", newline="", encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write {path}: {os_reason(e, path.parent)}.") from None


def _records(store: Store, session: int | str | None, person: str | None) -> list[SessionRecord]:
    if session is not None:
        return [store.session(session)]
    if person is None:
        raise InputError("say which session to export (SESSION) or whose sessions (--person NAME).")
    infos = store.sessions(person=person)
    if not infos:
        raise InputError(f"{person} has no sessions in {store.path}.")
    return [store.session(i.id) for i in infos]


def export_csv(store: Store, out_dir: str | os.PathLike, session: int | str | None = None, person: str | None = None,
               with_signals: bool = True, with_landmarks: bool = False) -> list[Path]:
    """Write one CSV per table into ``out_dir`` (rows of every selected session); returns the files."""
    recs = _records(store, session, person)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; --csv needs a folder.")
    written: list[Path] = []
    names = ["sessions", "sets", "reps", "holds", "flags", "marks", "events"] + (["signals"] if with_signals else [])
    per_table: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for rec in recs:
        t = session_tables(rec, with_signals=with_signals, with_landmarks=False)
        for n in names:
            per_table[n].extend(t.get(n) or [])
    written_cols: dict[str, list[str]] = {}
    for n in names:
        path = out / f"{n}.csv"
        rows = per_table[n]
        cols = _columns(n, rows)
        written_cols[n] = cols
        with _open_out(path) as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow({k: _cell(r.get(k)) for k in cols})
        written.append(path)
    if person is not None and session is None:
        tables, docs = program_tables(store, person)
        if docs:
            for n, cols in (("program_weeks", ADHERENCE_WEEK_COLUMNS), ("program_week_items", ADHERENCE_ITEM_COLUMNS)):
                path = out / f"{n}.csv"
                with _open_out(path) as f:
                    w = csv.DictWriter(f, fieldnames=list(cols), extrasaction="ignore")
                    w.writeheader()
                    for r in tables[n]:
                        w.writerow({k: _cell(r.get(k)) for k in cols})
                written.append(path)
    if with_landmarks:
        path = out / "landmarks.csv"
        with _open_out(path) as f:
            w = csv.DictWriter(f, fieldnames=list(LANDMARK_COLUMNS))
            w.writeheader()
            for rec in recs:
                for r in landmark_rows(rec):
                    w.writerow({k: _cell(r.get(k)) for k in LANDMARK_COLUMNS})
        written.append(path)
        written_cols["landmarks"] = list(LANDMARK_COLUMNS)
    # beside the tables: every column written, with its unit and meaning
    path = out / COLUMNS_FILE
    with _open_out(path) as f:
        w = csv.DictWriter(f, fieldnames=["table", "column", "unit", "meaning"])
        w.writeheader()
        w.writerows(column_rows(written_cols))
    written.append(path)
    return written


def export_document(store: Store, session: int | str | None = None, person: str | None = None,
                    with_signals: bool = True, with_landmarks: bool = False) -> dict[str, Any]:
    """The ``footform.export/1`` JSON document of one session or of all of a person's sessions."""
    recs = _records(store, session, person)
    people: dict[int, dict[str, Any]] = {}
    sessions = []
    for rec in recs:
        if rec.person is not None:
            people[rec.person.id] = {k: v for k, v in rec.person.to_dict().items() if k != "created_utc"}
        t = session_tables(rec, with_signals=False, with_landmarks=False)
        doc: dict[str, Any] = {
            "session": t["sessions"][0],
            "program_targets": rec.targets,
            "quality": rec.quality,
            "warnings": rec.warnings,
            **{n: t[n] for n in ("sets", "reps", "holds", "flags", "marks", "events")},
        }
        if with_signals:
            sig, why = session_signals(rec)
            if sig is None:
                doc["signals"] = None
                doc["signals_note"] = why
            else:
                doc["signals"] = {c: [r[c] for r in sig.rows()] for c in SIGNAL_COLUMNS if c != "session_id"}
        if with_landmarks:
            doc["landmarks"] = _landmark_arrays(rec)
        sessions.append(doc)
    out = {
        "schema": EXPORT_SCHEMA,
        "exported_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "software": {"name": "footform", "version": __version__},
        "units": UNITS,
        "columns": {t: {c: {"unit": column_unit(c), "meaning": column_meaning(t, c)} for c in cols}
                    for t, cols in all_columns().items()},
        "selection": {"session": None if session is None else str(session), "person": person},
        "people": list(people.values()),
        "sessions": sessions,
    }
    if person is not None and session is None:
        _, docs = program_tables(store, person)
        if docs:
            out["programs"] = docs     # each program version with its adherence (docs/programs.md)
    return out


def _landmark_arrays(rec: SessionRecord) -> dict[str, Any] | None:
    from footform.core.landmarks import IMAGE_COLUMNS, LANDMARK_NAMES, WORLD_COLUMNS
    from footform.io.track import TrackReader

    p = rec.track_path
    if p is None or not p.is_file():
        return None
    frames, ts, image, world = [], [], [], []
    for fr in TrackReader(p):
        frames.append(fr.index)
        ts.append(fr.t_s)
        image.append(None if fr.image is None else np.round(fr.image.astype(float), 6).tolist())
        world.append(None if fr.world is None else np.round(fr.world.astype(float), 5).tolist())
    return {"names": list(LANDMARK_NAMES), "image_columns": list(IMAGE_COLUMNS), "world_columns": list(WORLD_COLUMNS),
            "frame": frames, "t_s": ts, "image": image, "world_m": world}


def export_json(store: Store, path: str | os.PathLike, session: int | str | None = None, person: str | None = None,
                with_signals: bool = True, with_landmarks: bool = False) -> Path:
    """Write :func:`export_document` to ``path`` (atomically); returns the path."""
    doc = export_document(store, session, person, with_signals, with_landmarks)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, allow_nan=False, indent=1)
            f.write("\n")
        os.replace(tmp, p)
    except OSError as e:
        raise OutputError(f"cannot write {p}: {os_reason(e, p.parent)}.") from None
    return p
