"""Exports: CSV tables with units in the column names (loaded with pandas), the JSON document, privacy."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import make_own_session, make_session, with_flags, write_track
from synth import generate, lift, still

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.apps.cli_review import main
from footform.core.landmarks import LM
from footform.errors import InputError
from footform.exercises.single_leg_stance import SETTLE_S, SETTLE_START_S
from footform.outputs.export import (
    EXPORT_SCHEMA,
    HOLD_COLUMNS,
    PUMP_REP_COLUMNS,
    REP_COLUMNS,
    STRETCH_HOLD_COLUMNS,
    TABLES,
    export_csv,
    export_document,
    unit_name,
)
from footform.outputs.export.signals import frame_signals
from footform.outputs.store import Store

UNIT_SUFFIXES = ("_s", "_hz", "_deg", "_fl", "_fl2", "_fl_per_s", "_cm", "_cm2", "_cm_per_s",
                 "_pct", "_0_10", "_per_min", "_fl_per_rep", "_m", "_norm", "_rel", "_ratio", "_px")
#: Numeric columns that are counts, indices or unitless by nature.
UNITLESS = {"session_id", "set_index", "rep_index", "hold_index", "flag_index", "frame", "touchdowns", "n_reps", "n_holds",
            "reps", "holds", "flags", "marks", "frames", "frames_with_person", "frames_feet_visible", "reps_both",
            "reps_left", "reps_right", "landmark_index", "reps_so_far", "evidence_value", "evidence_threshold",
            "evidence_baseline", "visibility", "presence", "pauses", "pauses_heel_lift", "pauses_knee_bend"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    path = tmp / "ff.db"
    calf, calf_track = make_session(tmp, "calf", "front")
    sls, sls_track = make_session(tmp, "sls", "front")
    with Store.open(path) as st:
        st.add_session(with_flags(calf), person={"name": "Ana", "height_cm": 172}, track_path=calf_track)
        st.add_session(with_flags(sls), person="Ana", track_path=sls_track)
        st.add_session(calf, person="Other", track_path=calf_track)
    return path


def test_unit_names():
    assert unit_name("rms_ml") == "rms_ml_fl"
    assert unit_name("rms_ml_cm") == "rms_ml_cm"
    assert unit_name("mean_velocity_ap_per_s") == "mean_velocity_ap_fl_per_s"
    assert unit_name("mean_velocity_ap_per_s_cm") == "mean_velocity_ap_cm_per_s"
    assert unit_name("ellipse95_area") == "ellipse95_area_fl2"
    assert unit_name("ellipse95_area_cm2") == "ellipse95_area_cm2"
    assert unit_name("wobble_rms_deg") == "wobble_rms_deg"


def test_csv_export_of_a_person_loads_with_pandas_with_units_and_dtypes(db, tmp_path):
    with Store.open(db) as st:
        files = export_csv(st, tmp_path / "csv", person="Ana")
    names = {f.stem for f in files}
    assert names == {"sessions", "sets", "reps", "holds", "flags", "marks", "events", "signals", "columns"}
    t = {n: pd.read_csv(tmp_path / "csv" / f"{n}.csv") for n in names - {"columns"}}
    assert len(t["sessions"]) == 2 and set(t["sessions"]["person"]) == {"Ana"}
    reps = t["reps"]
    assert list(reps.columns) == list(REP_COLUMNS)
    assert len(reps) == 5
    for col in ("peak_lift_fl", "peak_lift_cm", "rise_s", "top_s", "lower_s", "t_start_s", "t_top_s"):
        assert reps[col].dtype == "float64", col
        assert reps[col].notna().all(), col
    assert reps["rep_index"].dtype == "int64" and reps["full"].dtype == "bool"
    # cm is the FL figure times the person's foot length (0.152 × 172 cm)
    ratio = (reps["peak_lift_cm"] / reps["peak_lift_fl"]).to_numpy()
    assert ratio == pytest.approx(0.152 * 172, rel=0.01)
    holds = t["holds"]
    assert list(holds.columns) == list(HOLD_COLUMNS)       # stable schema, no ad-hoc columns
    assert len(holds) >= 2 and set(holds["stance_side"]) == {"left", "right"}
    for col in ("duration_s", "sway_rms_ml_fl", "sway_rms_ml_cm", "noise_rms_ml_fl",
                "sway_ellipse95_area_fl2", "wobble_rms_deg", "wobble_dominant_freq_hz"):
        assert holds[col].dtype == "float64" and holds[col].notna().all(), col
    assert (holds["sway_rms_ml_fl"] > holds["noise_rms_ml_fl"]).all()
    flags = t["flags"]
    assert len(flags) == 3 and flags["evidence_threshold"].dtype == "float64"
    assert t["marks"]["rating_0_10"].tolist() == [4, 2, 4, 2]
    sig = t["signals"]
    assert sig["t_s"].dtype == "float64" and sig["lift_fl"].dtype == "float64"
    assert sig.groupby("session_id")["t_s"].apply(lambda s: s.is_monotonic_increasing).all()
    # every numeric column says its unit (or is a count / index)
    for name, df in t.items():
        for col in df.columns:
            if df[col].isna().all():
                continue      # an empty column reads as float; its values are not numbers
            if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
                assert col in UNITLESS or col.endswith(UNIT_SUFFIXES), f"{name}.{col} has no unit"
    # a person's export holds no raw landmarks and no video
    assert not (tmp_path / "csv" / "landmarks.csv").exists()
    assert not [p for p in (tmp_path / "csv").iterdir() if p.suffix.lower() in (".mp4", ".mov", ".avi", ".mkv", ".webm")]


def test_not_measurable_is_a_note_not_a_number(tmp_path):
    summary, track = make_session(tmp_path, "sls", "side", height_cm=None)
    with Store.open(tmp_path / "ff.db") as st:
        st.add_session(summary, person="S", track_path=track)
        export_csv(st, tmp_path / "out", person="S", with_signals=False)
    holds = pd.read_csv(tmp_path / "out" / "holds.csv")
    if len(holds):
        assert holds["wobble_rms_deg"].isna().all()
        assert (holds["wobble_note"] == "not measurable from this view").all()
        assert holds["sway_rms_ml_cm"].isna().all()          # no height → no cm
    assert not (tmp_path / "out" / "signals.csv").exists()


def test_landmarks_only_when_asked(db, tmp_path):
    with Store.open(db) as st:
        files = export_csv(st, tmp_path / "lm", session=1, with_landmarks=True, with_signals=False)
    assert (tmp_path / "lm" / "landmarks.csv") in files
    lm = pd.read_csv(tmp_path / "lm" / "landmarks.csv")
    assert list(lm.columns) == list(TABLES["landmarks"])
    assert (lm.groupby("frame").size() == 33).all()
    assert lm["x_norm"].dtype == "float64" and lm["landmark"].iloc[29] == "left_heel"


def test_json_document(db, tmp_path):
    with Store.open(db) as st:
        doc = export_document(st, person="Ana")
        one = export_document(st, session=2, with_signals=False, with_landmarks=True)
    text = json.dumps(doc, allow_nan=False)              # strict JSON: no NaN
    assert doc["schema"] == EXPORT_SCHEMA and "_fl" in doc["units"]
    assert [p["name"] for p in doc["people"]] == ["Ana"]
    calf, sls = doc["sessions"]
    assert calf["session"]["exercise"] == "calf_raise" and len(calf["reps"]) == 5
    assert calf["reps"][0]["peak_lift_fl"] > 0 and not any("footlengths" in k for k in calf["reps"][0])
    assert len(calf["signals"]["t_s"]) == len(calf["signals"]["lift_fl"]) > 100
    assert sls["holds"][0]["sway_rms_ml_fl"] > 0
    assert "landmarks" not in calf and '"lm"' not in text
    assert one["sessions"][0]["landmarks"]["names"][0] == "nose"
    assert "signals" not in one["sessions"][0]


def test_cli_export(db, tmp_path, capsys):
    assert main(["export", "2", "--json", str(tmp_path / "s.json"), "--db", str(db)]) == 0
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["schema"] == EXPORT_SCHEMA and doc["sessions"][0]["session"]["session_id"] == 2
    assert main(["export", "--person", "Ana", "--csv", str(tmp_path / "c"), "--no-signals", "--db", str(db)]) == 0
    assert (tmp_path / "c" / "reps.csv").is_file() and not (tmp_path / "c" / "signals.csv").exists()
    capsys.readouterr()
    assert main(["export", "--csv", str(tmp_path / "x"), "--db", str(db)]) == 2
    assert main(["export", "1", "--person", "Ana", "--json", str(tmp_path / "y.json"), "--db", str(db)]) == 2
    assert main(["export", "--person", "Nobody", "--json", str(tmp_path / "z.json"), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(re.match(r"footform: .+\.$", e) for e in err)


def test_export_of_a_missing_track_still_exports_rows(tmp_path):
    summary, track = make_session(tmp_path)
    with Store.open(tmp_path / "ff.db") as st:
        sid = st.add_session(summary, person="M", track_path=track, copy_track=False)
        track.unlink()
        doc = export_document(st, session=sid)
        with pytest.raises(InputError):
            export_document(st)
    s = doc["sessions"][0]
    assert s["signals"] is None and "missing" in s["signals_note"] and len(s["reps"]) == 5


def test_calf_stretch_and_ankle_pump_exports_keep_units_in_column_names(tmp_path):
    stretch, s_track = make_own_session(tmp_path, "stretch")
    pumps, p_track = make_own_session(tmp_path, "pumps")
    with Store.open(tmp_path / "ff.db") as st:
        st.add_session(stretch, person="Ben", track_path=s_track)
        st.add_session(pumps, person="Ben", track_path=p_track)
        export_csv(st, tmp_path / "csv", person="Ben")
        doc = export_document(st, session=2)
    t = {n: pd.read_csv(tmp_path / "csv" / f"{n}.csv") for n in ("holds", "reps", "sets", "signals")}
    holds, reps = t["holds"], t["reps"]
    assert list(holds.columns) == list(HOLD_COLUMNS) + list(STRETCH_HOLD_COLUMNS)
    assert list(reps.columns) == list(REP_COLUMNS) + [c for c in PUMP_REP_COLUMNS if c not in REP_COLUMNS]
    assert (holds["kind"] == "calf_stretch").all() and holds["held_s"].tolist() == [h["held_s"] for h in stretch["holds"]]
    assert holds["pauses_heel_lift"].tolist() == [1, 0] and (holds["variant"] == "gastrocnemius").all()
    for col in ("held_s", "paused_s", "t_position_s", "back_knee_angle_deg", "dorsiflexion_deg", "dorsiflexion_gain_deg",
                "heel_contact_pct", "heel_lift_max_fl", "forward_shift_pct"):
        assert holds[col].dtype == "float64" and holds[col].notna().all(), col
    # not measurable from the side: an empty cell and the reason beside it
    assert holds["back_foot_out_deg"].isna().all()
    assert (holds["foot_out_note"] == "not measurable from a side view").all()
    assert (reps["kind"] == "ankle_pump").all() and len(reps) == 14
    for col in ("rom_deg", "plantar_peak_deg", "dorsi_peak_deg", "rest_angle_deg", "t_plantar_s", "t_dorsi_s", "duration_s"):
        assert reps[col].dtype == "float64" and reps[col].notna().all(), col
    assert reps["peak_lift_fl"].isna().all()
    assert reps["rom_deg"].tolist() == [r["rom_deg"] for r in pumps["reps"]]
    sets = t["sets"]
    assert sets["kind"].tolist() == ["holds", "reps", "reps"] and sets["n_holds"].iloc[0] == 2
    assert sets["n_reps"].iloc[1:].tolist() == [4, 3]          # pumps per foot in each of the pump sets
    sig = t["signals"]
    pump_sig = sig[sig["session_id"] == 2]
    assert pump_sig["pump_angle_left_deg"].notna().mean() > 0.9
    assert sig[sig["session_id"] == 1]["pump_angle_left_deg"].isna().all()
    for name, df in t.items():
        for col in df.columns:
            if df[col].isna().all():
                continue
            if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
                assert col in UNITLESS or col.endswith(UNIT_SUFFIXES), f"{name}.{col} has no unit"
    json.dumps(doc, allow_nan=False)
    (s,) = doc["sessions"]
    assert s["reps"][0]["kind"] == "ankle_pump" and "rom_deg" in s["reps"][0]
    assert len(s["signals"]["pump_angle_right_deg"]) == len(s["signals"]["t_s"])


# -- #14: consistent set_index, the stretched leg's own column, evidence units, columns.csv -------------

def test_set_index_is_filled_like_the_sets_table(db, tmp_path):
    """Offline rows carry the set that sets.csv lists for their session (was empty while sets.csv had set 1)."""
    with Store.open(db) as st:
        export_csv(st, tmp_path / "csv", person="Ana")
    t = {n: pd.read_csv(tmp_path / "csv" / f"{n}.csv") for n in ("sets", "reps", "holds", "flags")}
    sets = t["sets"]
    assert len(sets) >= 1
    checked = 0
    for name in ("reps", "holds", "flags"):
        df = t[name]
        for sid, rows in df.groupby("session_id"):
            in_sets = set(sets[sets["session_id"] == sid]["set_index"])
            if in_sets:           # a session with sets: every row names one of them
                assert rows["set_index"].notna().all() and set(rows["set_index"]) <= in_sets, (name, sid)
                checked += len(rows)
            else:                 # no set stored: nothing to point at
                assert rows["set_index"].isna().all(), (name, sid)
    assert checked >= 5 + 2       # the calf session's reps and flags


def test_stretch_hold_has_its_own_stretched_side_and_flags_their_unit(tmp_path):
    stretch, s_track = make_own_session(tmp_path, "stretch")
    with Store.open(tmp_path / "ff.db") as st:
        st.add_session(stretch, person="Ben", track_path=s_track)
        export_csv(st, tmp_path / "csv", session=1)
        doc = export_document(st, session=1, with_signals=False)
    holds = pd.read_csv(tmp_path / "csv" / "holds.csv")
    assert holds["stretched_side"].tolist() == [h["side"] for h in stretch["holds"]] == ["right", "left"]
    assert holds["stance_side"].isna().all()          # a stretch has no standing leg
    flags = pd.read_csv(tmp_path / "csv" / "flags.csv")
    assert len(flags) and flags["evidence_unit"].notna().all()
    assert flags["evidence_unit"].tolist() == [f["evidence"]["unit"] for f in stretch["flags"]]
    (s,) = doc["sessions"]
    assert s["holds"][0]["stretched_side"] == "right" and s["flags"][0]["evidence_unit"] == "FL"
    assert doc["columns"]["flags"]["evidence_value"]["unit"] == "evidence_unit"


def test_columns_file_describes_every_written_column(db, tmp_path):
    from footform.outputs.export import COLUMNS_FILE, all_columns, column_meaning, column_unit

    with Store.open(db) as st:
        files = export_csv(st, tmp_path / "csv", person="Ana", with_landmarks=True)
    cols = pd.read_csv(tmp_path / "csv" / COLUMNS_FILE, keep_default_na=False)
    assert (tmp_path / "csv" / COLUMNS_FILE) in files
    described = {(r.table, r.column): (r.unit, r.meaning) for r in cols.itertuples()}
    for f in files:
        if f.name == COLUMNS_FILE:
            continue
        for col in pd.read_csv(f, nrows=0).columns:
            unit, meaning = described[(f.stem, col)]
            assert meaning, f"{f.stem}.{col} has no meaning"
    units = {c: u for (_, c), (u, _) in described.items()}
    assert units["duration_s"] == "s" and units["sway_rms_ml_fl"] == "FL" and units["peak_lift_cm"] == "cm"
    assert units["wobble_rms_deg"] == "deg" and units["feet_visible_pct"] == "%" and units["rep_index"] == ""
    # one definition: every column any export can have is described
    for table, columns in all_columns().items():
        for c in columns:
            assert column_meaning(table, c), f"{table}.{c} is not in export.COLUMN_MEANINGS"
            assert column_unit(c) or not c.endswith(("_s", "_deg", "_fl", "_cm", "_pct")), c


def test_export_schema_doc_lists_every_column():
    from footform.outputs.export import columns_markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "export-schema.md").read_text(encoding="utf-8")
    start, end = doc.index("<!-- columns:start -->\n"), doc.index("<!-- columns:end -->")
    assert doc[start + len("<!-- columns:start -->\n"):end] == columns_markdown(), \
        "docs/export-schema.md's column table is stale: regenerate it with export.columns_markdown()"


# -- #16: the exported sway series is the hold's sway --------------------------------------------

def test_exported_sway_series_is_the_holds_sway_about_the_feet_place(tmp_path):
    """``sway_h_fl`` is the series the hold's sway figures are taken from: the centre of mass about
    the standing foot's place fixed at the lift's start.  A drift of the planted foot's landmarks
    alone (0.3 Hz, ≈ 5 px here) is not in it, and its RMS over the hold's window is the hold's
    ``rms_ml`` (before, the series was the centre of mass minus the foot's landmark frame by frame)."""
    frames, _ = generate([still(1.5), lift("right", 12.0, sway_m=0.01, sway_hz=0.5), still(1.0)], view="front", seed=25)
    foot = [LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX]
    for f in frames:
        f.image[foot, 0] += 0.004 * math.sin(2 * math.pi * 0.3 * f.t_s)
    (hold,) = analyze_frames(frames, AnalysisConfig(exercise="single_leg_stance", height_cm=170)).holds
    sig = frame_signals(write_track(frames, tmp_path / "drift.track.jsonl.gz"), "single_leg_stance", 170)
    assert sig.summary["holds"][0]["sway"]["rms_ml"] == hold["sway"]["rms_ml"]
    on = np.array([s == hold["stance_side"] for s in sig.stance])
    window = on & (sig.t_s >= hold["t_start"] + SETTLE_START_S) & (sig.t_s <= hold["t_end"] - SETTLE_S)
    x = sig.sway_h[window]
    assert np.isfinite(x).all() and x.size > 250
    assert float(np.std(x)) == pytest.approx(hold["sway"]["rms_ml"], rel=0.02)
    assert np.isnan(sig.sway_h[~on]).all()            # standing on both feet: no sway
