"""Bad numbers on the command line and in rule files: one sentence naming the option and its range,
exit status 2, before any work starts (no model loaded, no store opened, no session created)."""

from __future__ import annotations

import pytest
from conftest import run_cli, run_cli_pty

from footform.apps.cli import build_parser
from footform.errors import InputError
from footform.feedback.engine import THRESHOLD_RANGES, load_rules

BAD = [
    (["analyze", "x.mp4", "--height-cm", "-5"], "--height-cm", "from 50 to 250"),
    (["analyze", "x.mp4", "--height-cm", "0"], "--height-cm", "from 50 to 250"),
    (["analyze", "x.mp4", "--height-cm", "nan"], "--height-cm", "from 50 to 250"),
    (["analyze", "x.mp4", "--hold", "-5"], "--hold", "from 1 to 3600"),
    (["analyze", "x.mp4", "--reps", "-2"], "--reps", "from 1 to 200"),
    (["analyze", "x.mp4", "--reps", "2.5"], "--reps", "whole number"),
    (["analyze", "x.mp4", "--metronome", "0"], "--metronome", "from 10 to 240"),
    (["analyze", "x.mp4", "--people", "0"], "--people", "from 1 to 10"),
    (["analyze", "x.mp4", "--fps", "-30"], "--fps", "from 1 to 1000"),
    (["analyze", "x.mp4", "--workers", "0"], "--workers", "from 1 to 64"),
    (["analyze", "x.mp4", "--jobs", "-1"], "--jobs", "from 1 to 64"),
    (["live", "--exercise", "calf-raise", "--height", "-5"], "--height", "from 50 to 250"),
    (["live", "--exercise", "calf-raise", "--camera", "-1"], "--camera", "camera index from 0 to 63 or a video file"),
    (["live", "--exercise", "calf-raise", "--sets", "0"], "--sets", "from 1 to 20"),
    (["live", "--exercise", "calf-raise", "--reps", "-2"], "--reps", "from 1 to 200"),
    (["live", "--exercise", "single-leg-stance", "--hold", "-5"], "--hold", "from 1 to 3600"),
    (["live", "--exercise", "calf-raise", "--rest", "-1"], "--rest", "from 0 to 3600"),
    (["live", "--exercise", "calf-raise", "--metronome", "1e9"], "--metronome", "from 10 to 240"),
    (["person", "ann", "--height-cm", "1.7"], "--height-cm", "from 50 to 250"),
    (["person", "ann", "--age-band", "49-40"], "--age-band", "40-49"),
    (["report", "0"], "SESSION", "session id (1 or more)"),
    (["report", "-3"], "SESSION", "session id (1 or more)"),
    (["export", "x!", "--json", "out.json"], "SESSION", "session id (1 or more)"),
]


@pytest.mark.parametrize("argv, option, allowed", BAD, ids=[" ".join(a) for a, *_ in BAD])
def test_out_of_range_option_is_one_sentence_naming_it_and_the_range(argv, option, allowed, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)
    assert exit_.value.code == 2
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err  # no usage dump
    assert lines[0].startswith(f"footform {argv[0]}: {option} ") and allowed in lines[0], lines[0]
    assert "usage:" not in out.err and "Traceback" not in out.err


def test_values_inside_the_ranges_are_accepted():
    args = build_parser().parse_args(["analyze", "x.mp4", "--height-cm", "172.5", "--hold", "30", "--reps", "12",
                                      "--metronome", "60", "--people", "2", "--fps", "25", "--jobs", "2"])
    assert (args.height_cm, args.hold, args.reps, args.people) == (172.5, 30.0, 12, 2)
    args = build_parser().parse_args(["live", "--exercise", "calf-raise", "--height-cm", "180", "--rest", "0"])
    assert args.height_cm == 180.0 and args.rest == 0.0
    assert build_parser().parse_args(["report", "last"]).session == "last"
    assert build_parser().parse_args(["export", "3fa9", "--json", "x.json"]).session == "3fa9"


def test_bad_height_stops_analyze_before_any_work(samples_dir, tmp_path):
    db = tmp_path / "f.db"
    proc = run_cli("analyze", str(samples_dir / "calf_raise_side.mp4"), "--height-cm", "-5", "--out", str(tmp_path / "out"),
                   "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "footform analyze: --height-cm must be a height in cm from 50 to 250, not -5 (see 'footform analyze --help')."]
    assert not (tmp_path / "out").exists() and not db.exists()


def test_bad_height_in_live_creates_no_session(samples_dir, tmp_path):
    """Before: ValueError traceback after an 'incomplete' session was created, which the next run
    'recovered' as a complete 0-rep session."""
    db = tmp_path / "f.db"
    code, screen = run_cli_pty("live", "--exercise", "calf-raise", "--camera", str(samples_dir / "calf_raise_side.mp4"),
                               "--height", "-5", "--db", str(db), "--no-audio", env={"DISPLAY": ":99"})
    assert code == 2, screen
    assert "Traceback" not in screen and "--height must be a height in cm from 50 to 250" in screen
    assert len(screen.strip().splitlines()) == 1, screen
    assert not db.exists()


def test_bad_rule_file_stops_live_before_the_camera_and_the_store(samples_dir, tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text('[[rule]]\ncode = "heel_sickling"\nthreshold = -1e9\n')
    db = tmp_path / "f.db"
    proc = run_cli("live", "--exercise", "calf-raise", "--camera", "57", "--rules", str(rules), "--db", str(db),
                   env={"DISPLAY": ":99"})
    assert proc.returncode == 2
    assert "rule 'heel_sickling'" in proc.stderr and "'threshold' must be from -2 to 2" in proc.stderr
    assert not db.exists()


RULE_CASES = [
    ('code = "heel_sickling"\nthreshold = -1e9', "line 4, rule 'heel_sickling': 'threshold' must be from -2 to 2 for a length in foot lengths"),
    ('code = "knees_bending"\nthreshold = 400', "rule 'knees_bending': 'threshold' must be from -180 to 180 for an angle in degrees"),
    ('code = "incomplete_raise"\nthreshold = 20', "rule 'incomplete_raise': 'threshold' must be from 0 to 10 for a ratio"),
    ('code = "fast_lowering"\nthreshold = -0.5', "rule 'fast_lowering': 'threshold' must be from 0 to 10 for a ratio"),
    ('code = "feet_out_of_frame"\nthreshold = 3', "rule 'feet_out_of_frame': 'threshold' must be from 0 to 1"),
    ('code = "off_tempo"\nthreshold = 1e6', "rule 'off_tempo': 'threshold' must be from -200 to 200 for a percentage"),
    ('code = "feet_out_of_frame"\ndebounce_s = -1', "rule 'feet_out_of_frame': 'debounce_s' must be from 0 to 3600 s"),
    ('code = "feet_out_of_frame"\ncooldown_s = 1e7', "rule 'feet_out_of_frame': 'cooldown_s' must be from 0 to 3600 s"),
    ('code = "incomplete_raise"\nmin_history = 0', "rule 'incomplete_raise': 'min_history' must be a whole number from 1 to 100"),
    ('code = "heel_sickling"\nseverity = "fatal"', "rule 'heel_sickling': 'severity' must be one of info, warn, stop"),
]


@pytest.mark.parametrize("body, expect", RULE_CASES, ids=[c[0].splitlines()[1] for c in RULE_CASES])
def test_rule_values_out_of_range_name_file_rule_and_field(tmp_path, body, expect):
    path = tmp_path / "therapist.toml"
    path.write_text(f'exercise = "calf_raise"\n[[rule]]\n{body}\n')
    with pytest.raises(InputError) as e:
        load_rules("calf_raise", path)
    msg = str(e.value)
    assert msg.startswith(f"rule file {path}, line ") and expect in msg, msg
    assert "\n" not in msg


def test_bundled_rules_lie_inside_their_ranges():
    for exercise in ("calf_raise", "single_leg_stance", "calf_stretch", "ankle_pumps"):
        assert load_rules(exercise)  # raises if a shipped threshold were outside its range
    assert set(THRESHOLD_RANGES) >= {"FL", "deg", "%", "ratio"}
