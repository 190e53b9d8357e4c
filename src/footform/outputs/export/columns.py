"""The export's tables and columns: names, units and meanings (``columns.csv``, the JSON ``"columns"``,
the table in docs/export-schema.md); reps / holds / flags / events from the row schema (exercises/rows.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from footform.exercises import rows as schema
from footform.exercises.rows import FL, UNIT_OF_SUFFIX, unit_name

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
    "sway_rms_ml_px", "sway_rms_ap_px", "sway_resolution_limit_fl", "sway_resolution_limit_cm",
    "sway_resolution_limit_px", "sway_note", "sway_form_note",
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
    "controlled_lowering_pct": "reps the fast-lowering rule judged and did not flag (lower_to_rise_ratio at or above "
                               "its threshold), of the reps it judged",
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
    "sway_resolution_limit_fl": "smallest sway RMS the picture resolves (1 px at this hold's scale)",
    "sway_resolution_limit_cm": "smallest sway RMS the picture resolves (1 px at this hold's scale)",
    "sway_resolution_limit_px": "smallest sway RMS the picture resolves",
    "sway_note": "set when the sway is under the resolution limit: what the figures are worth",
    "sway_form_note": "set when a knee valgus or trunk lean was flagged in the hold: the sway includes it and reads high",
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
    "sway_h_fl": "centre of mass (segmental) about the standing foot's place fixed at the lift's start, image-horizontal, + = image right (one leg only; the hold's sway figures are taken from it)",
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
    for prefix, what in (("sway_", "sway of the centre of mass over the standing foot"),
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
