"""What the user reads and what the store keeps (issue #14, items 4–6):

* unusable footage is stored as *not analysable* with the reason, never as a complete exercise session;
* the session database is opened and checked before the analysis, and a damaged one is one sentence;
* the analyze table, the session list, batch messages and export errors read unambiguously;
* the CLI and the HTML report print the same set decline.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_cli, run_cli_pty
from synth import empty, generate, rep, still
from test_store import make_own_session, make_session

from footform.analysis.summary import DECLINE_LABEL, decline_text
from footform.io.track import TrackWriter, make_header
from footform.outputs.report import session_report
from footform.outputs.store import STATUS_NOT_ANALYSABLE, Store


def _track(path: Path, frames) -> Path:
    with TrackWriter(path, make_header({"kind": "video", "name": path.name}, None)) as w:
        for f in frames:
            w.write(f)
    return path


@pytest.fixture(scope="module")
def tracks(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("tracks")
    side, _ = generate([still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 3, view="side", seed=4)
    one, _ = generate([still(1.5), rep(0.06, 0.6, 0.5, 0.9), still(1.5)], view="back", seed=5)
    return {"empty": _track(tmp / "empty.track.jsonl.gz", empty(90)),
            "side": _track(tmp / "side.track.jsonl.gz", side),
            "one": _track(tmp / "one.track.jsonl.gz", one)}


# -- item 4: unusable footage ---------------------------------------------------------------------

def test_footage_without_a_person_is_stored_as_not_analysable(tracks, tmp_path):
    db = tmp_path / "f.db"
    proc = run_cli("analyze", str(tracks["empty"]), "--out", str(tmp_path / "out"), "--db", str(db))
    assert proc.returncode == 5
    assert "not analysable" in proc.stdout
    with Store.open(db) as st:
        (info,) = st.sessions()
        assert info.status == STATUS_NOT_ANALYSABLE != "complete"
        assert info.exercise == "unknown"  # auto saw nothing to tell the exercise by: not a "calf raise"
        assert info.not_analysable_reason == "No person was found in the footage."
        html = session_report(st, info.id)
    assert "could not be analysed" in html and "No person was found" in html
    assert "counted reps" not in html
    listing = run_cli("sessions", "--db", str(db))
    assert listing.returncode == 0
    row = next(line for line in listing.stdout.splitlines() if line.lstrip().startswith("1 "))
    assert "not analysable" in row and "calf raise" not in row and "0 reps" not in row
    assert "session 1 not analysable: No person was found in the footage." in listing.stdout


def test_store_status_follows_the_summary_and_an_empty_recovery_is_not_complete(tmp_path):
    with Store.open(tmp_path / "f.db") as st:
        sid = st.add_session({"schema": "footform.summary/1", "exercise": "calf_raise", "analysable": False,
                              "reason": "The feet are not visible.", "quality": {"frames": 40}, "reps": []})
        assert st.sessions()[0].status == STATUS_NOT_ANALYSABLE
        live = st.begin_session(exercise="calf_raise")   # a live run that died before its first frame
        st.complete_session(live.id)
        rec = st.session(live.id)
        assert rec.session["status"] == STATUS_NOT_ANALYSABLE
        assert rec.session["not_analysable_reason"]
        ok = st.begin_session(exercise="calf_raise")
        ok.add_rep({"index": 1, "side": "both", "t_start": 1.0, "t_top": 1.5, "t_end": 2.0, "peak_lift": 0.1})
        st.complete_session(ok.id)
        assert st.session(ok.id).session["status"] == "complete"
        assert st.session(sid).session["status"] == STATUS_NOT_ANALYSABLE


@pytest.mark.model
def test_a_still_picture_is_not_an_exercise_session(tmp_path):
    import cv2
    import numpy as np

    png = tmp_path / "photo.png"
    cv2.imwrite(str(png), np.full((360, 480, 3), 180, np.uint8))
    db = tmp_path / "f.db"
    proc = run_cli("analyze", str(png), "--out", str(tmp_path / "out"), "--db", str(db))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "single picture" in proc.stderr
    with Store.open(db) as st:
        (info,) = st.sessions()
        assert info.status == STATUS_NOT_ANALYSABLE and "single picture" in info.not_analysable_reason


# -- item 5: the database is checked before the work ---------------------------------------------

def _damaged_db(tmp_path: Path, track: Path) -> Path:
    db = tmp_path / "damaged.db"
    assert run_cli("analyze", str(track), "--out", str(tmp_path / "first"), "--db", str(db)).returncode == 0
    for extra in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        extra.unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    data[4096:4096 + 600] = bytes((i * 37 + 11) % 256 for i in range(600))  # page 2 overwritten
    db.write_bytes(bytes(data))
    return db


def test_damaged_database_is_one_sentence_before_the_analysis(tracks, tmp_path):
    db = _damaged_db(tmp_path, tracks["side"])
    before = db.read_bytes()
    proc = run_cli("analyze", str(tracks["side"]), "--out", str(tmp_path / "out"), "--db", str(db))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # SQLite's multi-line integrity report used to spill onto a second line
    assert lines[0].startswith(f"footform: the footform database {db} is damaged") and lines[0].endswith("left untouched.")
    assert not (tmp_path / "out").exists(), "nothing is analysed before the store is known to be usable"
    assert proc.stdout == ""
    assert db.read_bytes() == before
    code, screen = run_cli_pty("sessions", "--db", str(db))
    assert code == 2 and len(screen.strip().splitlines()) == 1 and "is damaged" in screen, screen


def test_unusable_tracks_folder_is_reported_before_the_analysis(tracks, tmp_path):
    db = tmp_path / "f.db"
    (tmp_path / "f-tracks").write_text("not a folder")
    proc = run_cli("analyze", str(tracks["side"]), "--out", str(tmp_path / "out"), "--db", str(db))
    assert proc.returncode == 3
    assert proc.stderr.strip() == (f"footform: cannot create the tracks folder {tmp_path / 'f-tracks'} beside the "
                                   f"footform database: {tmp_path / 'f-tracks'} is a file, not a folder.")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root writes read-only files")
def test_read_only_database_is_reported_before_the_analysis(tracks, tmp_path):
    db = tmp_path / "f.db"
    assert run_cli("sessions", "--db", str(db)).returncode == 0
    db.chmod(0o444)
    proc = run_cli("analyze", str(tracks["side"]), "--out", str(tmp_path / "out"), "--db", str(db))
    assert proc.returncode == 3 and "cannot be written" in proc.stderr
    assert not (tmp_path / "out").exists()


# -- item 6: output a reader can parse -----------------------------------------------------------

def test_analyze_table_has_distinct_headers_and_explains_its_units(tracks, tmp_path):
    proc = run_cli("analyze", str(tracks["side"]), "--out", str(tmp_path / "out"), "--no-store")
    assert proc.returncode == 0, proc.stderr
    header = next(line for line in proc.stdout.splitlines() if line.lstrip().startswith("rep "))
    names = re.split(r"\s{2,}|(?<=s) (?=[a-z])", header.strip())
    assert header.count("top s") <= 1, header  # was: "top s" twice (time of the top, time at the top)
    assert "peak at s" in header and "at top s" in header
    assert len(names) == len(set(names)), names
    assert "FL = foot lengths" in proc.stdout
    assert "'peak at' = when the heel was highest" in proc.stdout
    assert "decline: -" not in proc.stdout


def test_reps_csv_keeps_numeric_columns_numeric(tracks, tmp_path):
    out = tmp_path / "out"
    assert run_cli("analyze", str(tracks["side"]), "--out", str(out), "--no-store").returncode == 0
    rows = list(csv.DictReader((out / "reps.csv").open()))
    assert len(rows) == 3
    for r in rows:
        assert r["heel_in_left_fl"] == "" and r["heel_in_right_fl"] == ""  # was "not measurable from this view"
        assert r["notes"] == "heel alignment: not measurable from this view"
        for key in ("peak_lift_fl", "rise_s", "top_s", "lower_s"):
            float(r[key])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reps"][0]["heel_in"] == "not measurable from this view"


@pytest.mark.parametrize("pct, text", [(2.94, "2.9 % lower"), (-0.6, "0.6 % higher"), (0.01, "no change"), (None, "-")])
def test_decline_in_words(pct, text):
    assert decline_text(pct) == text


def test_cli_and_report_print_the_same_decline(tmp_path):
    summary, track = make_session(tmp_path, "calf", "side", seed=3)
    pct = summary["set"]["peak_decline_pct"]
    assert pct is not None
    with Store.open(tmp_path / "f.db") as st:
        sid = st.add_session(summary, track_path=track)
        html = session_report(st, sid)
    proc = run_cli("analyze", str(track), "--out", str(tmp_path / "out"), "--no-store", "--exercise", "calf-raise",
                   "--height-cm", "172")
    assert proc.returncode == 0, proc.stderr
    expected = decline_text(pct)
    assert f"{DECLINE_LABEL}: {expected}" in proc.stdout
    assert f">{expected}<" in html and DECLINE_LABEL in html


def test_sessions_use_one_label_per_exercise_and_plurals(tracks, tmp_path):
    db = tmp_path / "f.db"
    stretch, s_track = make_own_session(tmp_path, "stretch")
    with Store.open(db) as st:
        st.add_session(stretch, track_path=s_track)
    assert run_cli("analyze", str(tracks["one"]), "--exercise", "calf-raise", "--out", str(tmp_path / "o"),
                   "--db", str(db)).returncode == 0
    code, screen = run_cli_pty("sessions", "--db", str(db))
    assert code == 0 and "Traceback" not in screen, screen
    assert "calf stretch" in screen and "calf_stretch" not in screen
    assert "calf raise" in screen
    assert re.search(r"\b1 rep\b(?!s)", screen), screen
    assert "1 reps" not in screen and "2 holds" in screen


def test_batch_messages_name_each_file_once(tracks, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(tracks["side"], folder / "side.track.jsonl.gz")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    proc = run_cli("analyze", str(folder), "--out", str(tmp_path / "out"), "--no-store")
    assert proc.returncode != 0
    bad = str(folder / "broken.mp4")
    for line in (proc.stderr + proc.stdout).splitlines():
        assert line.count(bad) <= 1, line
    assert any(bad in line for line in proc.stderr.splitlines())
    assert any(line.startswith("  failed: ") and bad in line for line in proc.stdout.splitlines())


@pytest.mark.parametrize("how", ["--json", "--csv"])
def test_export_below_a_file_says_the_file_is_in_the_way(tmp_path, how):
    summary, track = make_session(tmp_path, "calf", "side")
    db = tmp_path / "f.db"
    with Store.open(db) as st:
        st.add_session(summary, track_path=track)
    blocker = tmp_path / "passwd"
    blocker.write_text("root:x:0:0\n")
    target = blocker / ("x.json" if how == "--json" else "csv")
    proc = run_cli("export", "last", how, str(target), "--db", str(db))
    assert proc.returncode == 3
    assert "File exists" not in proc.stderr and "Not a directory" not in proc.stderr
    assert f"{blocker} is a file, not a folder" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_report_in_a_terminal_writes_the_html(tracks, tmp_path):
    db = tmp_path / "f.db"
    assert run_cli("analyze", str(tracks["side"]), "--out", str(tmp_path / "o"), "--db", str(db)).returncode == 0
    html = tmp_path / "r.html"
    code, screen = run_cli_pty("report", "last", "--html", str(html), "--db", str(db))
    assert code == 0 and "Traceback" not in screen, screen
    assert f"report  {html}" in screen
    assert html.read_text().lstrip().lower().startswith("<!doctype html")
    code, screen = run_cli_pty("report", "0", "--db", str(db))
    assert code == 2 and len(screen.strip().splitlines()) == 1 and "SESSION must be a session id" in screen, screen
