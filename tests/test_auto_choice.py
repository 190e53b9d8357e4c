"""``--exercise auto``: which exercise a recording shows, how sure footform is, and that a result
carries only that exercise's rows (exercises/choose.py, analysis.py, summary.py).

The rendered samples are analysed from landmark tracks written once per test session
(``sample_track`` in conftest.py); the synthetic streams (tests/synth*.py) build clear and
ambiguous cases of every exercise from each view.
"""

from __future__ import annotations

import csv
import json

import pytest
from conftest import SAMPLES, run_cli, run_cli_pty
from synth import generate, lift, pause, rep, still
from synth_stretch_pumps import pumps, stretch

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.exercises import registry
from footform.io.track import TrackReader, TrackWriter, make_header

SAMPLE_NAMES = ("calf_raise_side", "calf_raise_back_sickling", "single_leg_stance_left_front",
                "single_leg_stance_right_arch_collapse", "calf_stretch_side", "ankle_pumps_three_quarter")
FULL = [rep(0.06, 0.5, 0.5, 0.8), pause(0.7)]


def _truth_exercise(name: str) -> str:
    return json.loads((SAMPLES / f"{name}.truth.json").read_text())["exercise"]


def _auto(frames):
    return analyze_frames(frames, AnalysisConfig(exercise="auto"))


def _write_track(frames, path):
    with TrackWriter(path, make_header({"path": "synthetic"}, None)) as w:
        for f in frames:
            w.write(f)
    return path


# -- the rendered samples --------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_auto_picks_each_sample_s_exercise_confidently(name, sample_track):
    want = _truth_exercise(name)
    s = _auto(list(TrackReader(sample_track(name))))
    choice = s.exercise_choice
    assert s.exercise == want, choice
    assert choice["chosen"] == want and choice["confident"] and choice["recognised"], choice
    assert choice["runner_up"] != want and choice["scores"][want] > choice["scores"][choice["runner_up"]]
    assert choice["message"] is None and not any("--exercise" in w for w in s.warnings), s.warnings


@pytest.mark.model
@pytest.mark.parametrize("name", ["calf_stretch_side", "single_leg_stance_left_front"])
def test_stance_and_stretch_sessions_carry_no_calf_raise_rep(name, sample_track, tmp_path):
    """summary.json, reps.csv, the stored session and ``sessions`` — run as a user does, in a terminal."""
    from footform.outputs.store import Store

    want = _truth_exercise(name)
    out, db = tmp_path / "out", tmp_path / "sessions.db"
    code, screen = run_cli_pty("analyze", str(sample_track(name)), "--out", str(out), "--db", str(db))
    assert code == 0, screen
    assert f"exercise: {registry.label(want)}" in screen
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exercise"] == want and summary["exercise_choice"]["chosen"] == want
    assert summary["reps"] == []
    assert not [e for e in summary["events"] if e["type"] in ("partial_rep", "rep_aborted", "rep_incomplete")]
    with (out / "reps.csv").open(newline="") as f:
        assert list(csv.DictReader(f)) == []
    with Store.open(db) as store:
        (info,) = store.sessions()
        assert info.exercise == want and info.reps == 0
        assert store.session(info.id).reps == []
    code, screen = run_cli_pty("sessions", "--db", str(db))
    assert code == 0, screen
    line = next(ln for ln in screen.splitlines() if ln.strip().startswith("1 "))
    assert "rep" not in line and "hold" in line, line


# -- synthetic streams: every exercise from several views ------------------------------------

@pytest.mark.parametrize("view", ["front", "back", "side"])
def test_auto_tells_calf_raise_and_single_leg_stance_apart_from_every_view(view):
    raises = _auto(generate([still(1.5)] + FULL * 4, view=view, seed=1)[0])
    assert raises.exercise == "calf_raise" and raises.exercise_choice["confident"], raises.exercise_choice
    for height_m in (0.25, 0.07):  # a knee-high lift and a low one the foot-contact threshold misses
        frames, _ = generate([still(1.5), lift("right", 8.0, height_m=height_m, sway_m=0.01), still(1.5)],
                             view=view, seed=2)
        stance = _auto(frames)
        assert stance.exercise == "single_leg_stance" and stance.exercise_choice["confident"], stance.exercise_choice
        assert stance.reps == []


@pytest.mark.parametrize("view", ["side", "front"])
def test_auto_picks_the_calf_stretch(view):
    frames, _ = stretch(view=view)
    s = _auto(frames)
    assert s.exercise == "calf_stretch" and s.exercise_choice["confident"], s.exercise_choice
    assert len(s.holds) == 1 and s.reps == []


@pytest.mark.parametrize("yaw", [45.0, 90.0])
def test_auto_picks_seated_ankle_pumps(yaw):
    frames, truth = pumps(yaw_deg=yaw)
    s = _auto(frames)
    assert s.exercise == "ankle_pumps" and s.exercise_choice["confident"], s.exercise_choice
    assert all(r["kind"] == "ankle_pump" for r in s.reps) and s.holds == []


def test_seated_person_seen_from_the_front_is_ankle_pumps_with_a_warning():
    s = _auto(pumps(yaw_deg=0.0)[0])
    choice = s.exercise_choice
    assert s.exercise == "ankle_pumps" and not choice["confident"], choice
    (line,) = [w for w in s.warnings if "--exercise" in w]
    assert "not measurable from the front" in line and line == choice["message"]


# -- weak choices and nothing at all ----------------------------------------------------------

def _ambiguous(view="front"):
    """One calf raise, then one foot up for 2.5 s: as much of one exercise as of the other."""
    return generate([still(1.5), rep(), pause(1.0), lift("right", 2.5), still(1.0)], view=view, seed=4)[0]


def test_a_weak_choice_says_so_in_one_line_with_the_runner_up():
    s = _auto(_ambiguous())
    choice = s.exercise_choice
    assert not choice["confident"] and choice["recognised"], choice
    assert {choice["chosen"], choice["runner_up"]} == {"calf_raise", "single_leg_stance"}
    assert s.exercise == choice["chosen"]
    lines = [w for w in s.warnings if "--exercise" in w]
    assert len(lines) == 1 and "\n" not in lines[0]
    line = lines[0]
    assert line.startswith("could not tell")
    assert "calf raise" in line and "single-leg stance" in line
    assert "--exercise calf-raise" in line and "--exercise single-leg-stance" in line
    # only the chosen exercise's rows
    if s.exercise == "single_leg_stance":
        assert s.reps == []
    else:
        assert s.holds == []


def test_nothing_shown_says_so_and_which_exercise_to_pass():
    s = _auto(generate([still(6.0)], view="front", seed=3)[0])
    choice = s.exercise_choice
    assert not choice["recognised"] and not choice["confident"], choice
    (line,) = [w for w in s.warnings if "--exercise" in w]
    assert line.startswith("no exercise recognised")
    for option in ("calf-raise", "single-leg-stance", "calf-stretch", "ankle-pumps"):
        assert option in line


def test_an_exercise_given_on_the_command_line_has_no_choice_and_only_its_rows():
    frames, _ = generate([still(1.5)] + FULL * 3, view="side", seed=5)
    s = analyze_frames(frames, AnalysisConfig(exercise="single_leg_stance"))
    assert s.exercise_choice is None and s.to_dict()["exercise_choice"] is None
    assert s.reps == [] and not [e for e in s.events if "rep" in e["type"]]
    frames, _ = generate([still(1.5), lift("right", 1.0), still(1.5), lift("left", 4.0), still(1.0)], view="front", seed=6)
    s = analyze_frames(frames, AnalysisConfig(exercise="calf_raise"))
    assert s.holds == [] and not [e for e in s.events if e["type"] in ("brief_lift", "touch_down")]


def test_the_weak_line_is_printed_by_the_cli(tmp_path):
    track = _write_track(_ambiguous(), tmp_path / "ambiguous.track.jsonl.gz")
    code, screen = run_cli_pty("analyze", str(track), "--out", str(tmp_path / "out"), "--no-store")
    assert code == 0, screen
    lines = [ln for ln in screen.splitlines() if "could not tell" in ln]
    assert len(lines) == 1, screen
    res = run_cli("analyze", str(track), "--out", str(tmp_path / "out2"), "--no-store")
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("could not tell") == 1
    assert json.loads((tmp_path / "out2" / "summary.json").read_text())["exercise_choice"]["confident"] is False
