"""A stored session as export rows with unit-named columns, table by table."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from footform.core.numeric import finite
from footform.exercises import rows as schema
from footform.outputs.export.signals import (
    session_signals,
)
from footform.outputs.store import SessionRecord

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
        row["lower_to_rise_ratio"] = schema.lower_to_rise_ratio(r)   # as the fast-lowering rule judged it
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
