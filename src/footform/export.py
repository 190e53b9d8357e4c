"""Exports of stored sessions: CSV tables and one JSON document (``footform.export/1``).

Every numeric column carries its unit in its name (``docs/export-schema.md``):

* ``_s`` seconds (times on the session's source clock, durations); ``_hz`` hertz; ``_deg`` degrees;
* ``_footlengths`` body-scaled lengths in foot lengths (FL = 0.618 × the shank length seen in the
  image, Drillis–Contini proportions) and ``_footlengths2`` areas; ``_footlengths_per_s`` speeds;
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

from . import __version__
from .errors import InputError, OutputError, os_reason
from .store import SessionRecord, Store

EXPORT_SCHEMA = "footform.export/1"
FL = "footlengths"

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
    "session_id", "set_index", "kind", "side", "n_reps", "n_holds", "mean_peak_lift_footlengths",
    "peak_decline_pct", "peak_slope_footlengths_per_rep", "cadence_per_min", "controlled_lowering_pct",
    "left_right_peak_diff_pct", "reps_both", "reps_left", "reps_right",
)
REP_COLUMNS = (
    "session_id", "set_index", "rep_index", "side", "t_start_s", "t_top_s", "t_end_s", "peak_lift_footlengths",
    "peak_lift_cm", "rise_s", "top_s", "lower_s", "lower_to_rise_ratio", "heel_in_left_footlengths",
    "heel_in_right_footlengths", "alignment_note", "full",
)
_SWAY_KEYS = ("rms_ml", "rms_ap", "range_ml", "range_ap", "path_length_ml", "path_length_ap",
              "mean_velocity_ml_per_s", "mean_velocity_ap_per_s", "ellipse95_area")
_NOISE_KEYS = ("rms_ml", "rms_ap", "mean_velocity_ml_per_s", "mean_velocity_ap_per_s", "ellipse95_area",
               "jitter_sigma_raw_h", "jitter_sigma_raw_depth", "wobble_rms_deg")


def unit_name(key: str) -> str:
    """A summary key in FL (or with a ``_cm`` / ``_cm2`` suffix) → the export column stem with its unit.

    ``rms_ml`` → ``rms_ml_footlengths``; ``rms_ml_cm`` → ``rms_ml_cm``; ``mean_velocity_ml_per_s`` →
    ``mean_velocity_ml_footlengths_per_s``; ``mean_velocity_ml_per_s_cm`` → ``mean_velocity_ml_cm_per_s``;
    ``ellipse95_area`` → ``ellipse95_area_footlengths2``; keys already in deg / Hz / s stay as they are.
    """
    if key.endswith(("_deg", "_hz", "_pct")) or key in ("duration_s",):
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


HOLD_COLUMNS = (
    "session_id", "set_index", "hold_index", "stance_side", "t_start_s", "t_end_s", "duration_s", "ended_by",
    "touchdowns", "sway_axis_image_horizontal",
    *(f"sway_{unit_name(k)}" for k in _SWAY_KEYS),
    *(f"sway_{unit_name(k + '_cm')}" for k in _SWAY_KEYS if not k.startswith("ellipse")),
    "sway_ellipse95_area_cm2",
    *(f"noise_{unit_name(k)}" for k in _NOISE_KEYS),
    *(f"noise_{unit_name(k + '_cm')}" for k in _NOISE_KEYS if not k.startswith(("ellipse", "wobble"))),
    "noise_ellipse95_area_cm2",
    "wobble_rms_deg", "wobble_dominant_freq_hz", "wobble_mean_angle_deg", "wobble_note",
)
FLAG_COLUMNS = (
    "session_id", "flag_index", "set_index", "code", "label", "severity", "side", "t_start_s", "t_end_s",
    "rep_index", "hold_index", "message", "description", "evidence_metric", "evidence_value",
    "evidence_threshold", "evidence_reference", "evidence_baseline", "evidence_json",
)
MARK_COLUMNS = ("session_id", "t_s", "kind", "rating_0_10", "side", "note", "created_utc")
EVENT_COLUMNS = ("session_id", "type", "t_s", "t_end_s", "side", "reason", "detail_json")
SIGNAL_COLUMNS = (
    "session_id", "frame", "t_s", "view", "feet_visible", "stance", "lift_footlengths", "rep_phase", "reps_so_far",
    "heel_toe_left_footlengths", "heel_toe_right_footlengths", "sway_h_footlengths", "sway_depth_footlengths",
    "shank_angle_stance_deg", "pump_angle_left_deg", "pump_angle_right_deg",
)
#: Calf-stretch holds (``holds[].kind == "calf_stretch"``): columns added to ``holds`` when a session has them.
STRETCH_HOLD_COLUMNS = (
    "kind", "front_side", "t_position_s", "held_s", "paused_s", "pauses", "pauses_heel_lift", "pauses_knee_bend",
    "target_s", "variant", "camera_view", "back_knee_angle_deg", "back_knee_flex_deg", "back_ankle_angle_deg",
    "dorsiflexion_deg", "dorsiflexion_gain_deg", "angles_note", "heel_contact_pct", "heel_lift_max_footlengths",
    "back_foot_out_deg", "foot_out_note", "forward_shift_pct",
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
                "session_id": session_id, "frame": int(self.frame[i]), "t_s": _f(self.t_s[i], 4), "view": self.view[i],
                "feet_visible": bool(self.feet_visible[i]), "stance": self.stance[i],
                "lift_footlengths": _f(self.lift[i], 5), "rep_phase": self.rep_phase[i],
                "reps_so_far": int(self.reps_so_far[i]), "heel_toe_left_footlengths": _f(self.heel_toe_left[i], 5),
                "heel_toe_right_footlengths": _f(self.heel_toe_right[i], 5), "sway_h_footlengths": _f(self.sway_h[i], 5),
                "sway_depth_footlengths": _f(self.sway_depth[i], 5), "shank_angle_stance_deg": _f(self.shank_angle[i], 3),
                "pump_angle_left_deg": None if self.pump_angle_left is None else _f(self.pump_angle_left[i], 2),
                "pump_angle_right_deg": None if self.pump_angle_right is None else _f(self.pump_angle_right[i], 2),
            }


def frame_signals(track_path: str | os.PathLike, exercise: str | None = None, height_cm: float | None = None) -> FrameSignals:
    """Replay a landmark track through the offline analysis and keep its per-frame signals.

    The same :class:`~footform.analysis.Analyzer` that produced the session's reps and holds is
    run again (deterministic), so the curve and the marked reps agree.  Raises
    :class:`InputError` for a missing or unreadable track.
    """
    from .analysis import EXERCISES, AnalysisConfig, Analyzer
    from .kinematics import SIG
    from .track import TrackReader

    rows: list[tuple] = []

    class _Recorder(Analyzer):
        def _process(self, k, det, light, guidance):  # type: ignore[no-untyped-def]
            res = super()._process(k, det, light, guidance)
            s = res.stance
            if s in ("left", "right"):
                sway_h = float(light[SIG["com_x"]] - light[SIG[f"foot_x_{s}"]])
                sway_d = float(light[SIG[f"com_depth_{s}"]])
                shank = float(light[SIG[f"shank_angle_{s}"]])
            else:
                sway_h = sway_d = shank = math.nan
            rows.append((res.t_s, res.index, res.lift, s, res.view, res.feet_visible, res.rep_phase, res.reps,
                         float(det[SIG["heel_toe_left"]]), float(det[SIG["heel_toe_right"]]), sway_h, sway_d, shank,
                         res.signals.get("foot_shank_angle_left", math.nan),
                         res.signals.get("foot_shank_angle_right", math.nan)))
            return res

    ex = exercise if exercise in EXERCISES else "auto"
    reader = TrackReader(track_path)
    an = _Recorder(AnalysisConfig(exercise=ex, height_cm=height_cm))
    for f in reader:
        an.step(f)
    summary = an.finish().to_dict()
    cols = list(zip(*rows)) if rows else [[] for _ in range(15)]
    arr = lambda i: np.asarray(cols[i], float)
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

def _f(v: Any, nd: int | None = None) -> float | None:
    if v is None or isinstance(v, (bool, str)):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    return round(x, nd) if nd is not None else x


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
        "model_sha256": s.get("model_sha256"), "duration_s": _f(s.get("duration_s")), "frames": frames,
        "frames_with_person": s.get("frames_with_person"), "frames_feet_visible": feet,
        "feet_visible_pct": _f(100.0 * feet / frames, 1) if frames and feet is not None else None,
        "height_cm": _f(s.get("height_cm")), "reps": sum(1 for r in rec.reps if r.get("full", 1)),
        "holds": len(rec.holds), "flags": len(rec.flags), "marks": len(rec.marks),
        "track_file": track.name if track else None,
    }


def set_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for st in rec.sets:
        agg = st.get("aggregates") or {}
        by_side = agg.get("reps_by_side") or {}
        share = _f(agg.get("controlled_lowering_share"))
        out.append({
            "session_id": rec.id, "set_index": st["set_index"], "kind": st.get("kind"), "side": st.get("side"),
            "n_reps": st.get("n_reps"), "n_holds": st.get("n_holds"),
            "mean_peak_lift_footlengths": _f(agg.get("mean_peak_lift")), "peak_decline_pct": _f(agg.get("peak_decline_pct")),
            "peak_slope_footlengths_per_rep": _f(agg.get("peak_slope_per_rep")),
            "cadence_per_min": _f(agg.get("cadence_per_min")),
            "controlled_lowering_pct": None if share is None else round(100.0 * share, 1),
            "left_right_peak_diff_pct": _f(agg.get("left_right_peak_diff_pct")),
            "reps_both": by_side.get("both"), "reps_left": by_side.get("left"), "reps_right": by_side.get("right"),
        })
    return out


def rep_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for r in rec.reps:
        rise, lower = _f(r.get("rise_s")), _f(r.get("lower_s"))
        out.append({
            "session_id": rec.id, "set_index": r.get("set_index"), "rep_index": r["rep_index"], "side": r.get("side"),
            "t_start_s": _f(r.get("t_start_s")), "t_top_s": _f(r.get("t_top_s")), "t_end_s": _f(r.get("t_end_s")),
            "peak_lift_footlengths": _f(r.get("peak_lift_fl")), "peak_lift_cm": _f(r.get("peak_lift_cm")),
            "rise_s": rise, "top_s": _f(r.get("top_s")), "lower_s": lower,
            "lower_to_rise_ratio": round(lower / rise, 3) if rise and lower is not None and rise > 0 else None,
            "heel_in_left_footlengths": _f(r.get("heel_in_left_fl")), "heel_in_right_footlengths": _f(r.get("heel_in_right_fl")),
            "alignment_note": r.get("alignment_note"), "full": bool(r.get("full", 1)),
        })
        extra = r.get("extra") or {}
        if extra.get("kind") == "ankle_pump":
            out[-1].update(_pump_cols(extra))
    return out


def _pump_cols(x: Mapping[str, Any]) -> dict[str, Any]:
    """The ankle-pump fields of a rep (``reps.extra_json``) as unit-named columns."""
    return {"kind": x.get("kind"), "t_plantar_s": _f(x.get("t_plantar")), "t_dorsi_s": _f(x.get("t_dorsi")),
            "duration_s": _f(x.get("duration_s")), "cycle_s": _f(x.get("cycle_s")),
            **{k: _f(x.get(k)) for k in ("plantar_peak_deg", "dorsi_peak_deg", "rest_angle_deg", "rom_deg", "plantar_deg",
                                         "dorsi_deg", "leg_motion_deg")},
            "rom_vs_best_ratio": _f(x.get("rom_vs_best"))}


def _stretch_cols(x: Mapping[str, Any]) -> dict[str, Any]:
    """The calf-stretch fields of a hold (``holds.extra_json``) as unit-named columns; a figure the view
    could not measure is empty, with the reason in ``angles_note`` / ``foot_out_note``."""
    reasons = x.get("pause_reasons") or {}
    share, shift = _f(x.get("heel_contact_share")), _f(x.get("forward_shift"))
    out: dict[str, Any] = {
        "kind": x.get("kind"), "front_side": x.get("front_side"), "t_position_s": _f(x.get("t_position")),
        "held_s": _f(x.get("held_s")), "paused_s": _f(x.get("paused_s")), "pauses": x.get("pauses"),
        "pauses_heel_lift": reasons.get("heel_lift"), "pauses_knee_bend": reasons.get("knee_bend"),
        "target_s": _f(x.get("target_s")), "variant": x.get("variant"), "camera_view": x.get("view"),
        "heel_contact_pct": None if share is None else round(100.0 * share, 1),
        "heel_lift_max_footlengths": _f(x.get("heel_lift_max_fl")),
        "forward_shift_pct": None if shift is None else round(100.0 * shift, 1),
    }
    for k in ("back_knee_angle_deg", "back_knee_flex_deg", "back_ankle_angle_deg", "dorsiflexion_deg",
              "dorsiflexion_gain_deg", "back_foot_out_deg"):
        v = x.get(k)
        if isinstance(v, str):
            out["foot_out_note" if k == "back_foot_out_deg" else "angles_note"] = v
        else:
            out[k] = _f(v)
    return out


def _metric_cols(prefix: str, d: Mapping[str, Any] | None, skip: Sequence[str] = ("axes", "units", "method")) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (d or {}).items():
        if k in skip or isinstance(v, (dict, list)):
            continue
        col = f"{prefix}{unit_name(k)}"
        if isinstance(v, str):
            out[f"{prefix}note"] = v
        else:
            out[col] = _f(v)
    return out


def hold_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for h in rec.holds:
        sway = h.get("sway") or {}
        axes = sway.get("axes") or {}
        horiz = next((a for a, what in axes.items() if "horizontal" in str(what)), None)
        row: dict[str, Any] = {
            "session_id": rec.id, "set_index": h.get("set_index"), "hold_index": h["hold_index"],
            "stance_side": h.get("stance_side"), "t_start_s": _f(h.get("t_start_s")), "t_end_s": _f(h.get("t_end_s")),
            "duration_s": _f(h.get("duration_s")), "ended_by": h.get("ended_by"), "touchdowns": h.get("touchdowns"),
            "sway_axis_image_horizontal": horiz,
        }
        row.update(_metric_cols("sway_", sway))
        row.update(_metric_cols("noise_", h.get("noise_floor")))
        wob = h.get("wobble") or {}
        for k in ("rms_deg", "dominant_freq_hz", "mean_angle_deg"):
            v = wob.get(k)
            if isinstance(v, str):
                row["wobble_note"] = v
            else:
                row[f"wobble_{k}"] = _f(v)
        extra = h.get("extra") or {}
        if extra.get("kind") == "calf_stretch":
            row.update(_stretch_cols(extra))
        out.append(row)
    return out


def flag_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for f in rec.flags:
        ev = f.get("evidence") or {}
        out.append({
            "session_id": rec.id, "flag_index": f.get("flag_index"), "set_index": f.get("set_index"), "code": f["code"],
            "label": f.get("label"), "severity": f.get("severity"), "side": f.get("side"),
            "t_start_s": _f(f.get("t_start_s")), "t_end_s": _f(f.get("t_end_s")), "rep_index": f.get("rep_index"),
            "hold_index": f.get("hold_index"), "message": f.get("message"), "description": f.get("description"),
            "evidence_metric": ev.get("metric"), "evidence_value": _f(ev.get("value")),
            "evidence_threshold": _f(ev.get("threshold")), "evidence_reference": ev.get("reference"),
            "evidence_baseline": _f(_first_present(ev, "baseline", "typical")),
            "evidence_json": json.dumps(ev, sort_keys=True, ensure_ascii=False) if ev else None,
        })
    return out


def _first_present(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) is not None:
            return d[k]
    return None


def mark_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    return [{"session_id": rec.id, "t_s": _f(m.get("t_s")), "kind": m.get("kind"), "rating_0_10": m.get("rating"),
             "side": m.get("side"), "note": m.get("note"), "created_utc": m.get("created_utc")} for m in rec.marks]


def event_rows(rec: SessionRecord) -> list[dict[str, Any]]:
    out = []
    for e in rec.events:
        data = dict(e.get("data") or {})
        reason = data.pop("reason", None)
        out.append({"session_id": rec.id, "type": e.get("type"), "t_s": _f(e.get("t_s")), "t_end_s": _f(e.get("t_end_s")),
                    "side": e.get("side"), "reason": reason,
                    "detail_json": json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None})
    return out


def landmark_rows(rec: SessionRecord) -> Iterable[dict[str, Any]]:
    """Raw landmarks of the session's track, one row per frame and landmark (long format)."""
    from .landmarks import LANDMARK_NAMES
    from .track import TrackReader

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
                   "x_world_m": _f(w[0]), "y_world_m": _f(w[1]), "z_world_m": _f(w[2])}


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
    for n in names:
        path = out / f"{n}.csv"
        rows = per_table[n]
        cols = _columns(n, rows)
        with _open_out(path) as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            for r in rows:
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
    return {
        "schema": EXPORT_SCHEMA,
        "exported_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "software": {"name": "footform", "version": __version__},
        "units": UNITS,
        "selection": {"session": None if session is None else str(session), "person": person},
        "people": list(people.values()),
        "sessions": sessions,
    }


def _landmark_arrays(rec: SessionRecord) -> dict[str, Any] | None:
    from .landmarks import IMAGE_COLUMNS, LANDMARK_NAMES, WORLD_COLUMNS
    from .track import TrackReader

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
