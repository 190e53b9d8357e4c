"""Feedback rules on synthetic streams: each injected fault is flagged with the right code, side
and time; clean streams with realistic jitter give no warn-level flags; a therapist's threshold
override changes the flags of a stored track without video or model."""

from __future__ import annotations

import json
import math

import pytest
from conftest import run_cli
from synth import generate, lift, rep, still

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.exercises.calf_raise import phase_times
from footform.io.track import TrackWriter, make_header


def flags(frames, **cfg):
    s = analyze_frames(frames, AnalysisConfig(**cfg))
    assert s.analysable, s.reason
    return s, s.flags


def warn_codes(fl):
    return [f["code"] for f in fl if f["severity"] in ("warn", "stop")]


@pytest.mark.parametrize("view", ["front", "back", "side"])
def test_clean_calf_raises_raise_no_warnings(view):
    script = [still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 6
    s, fl = flags(generate(script, view=view, seed=3)[0], exercise="calf_raise")
    assert len(s.reps) == 6
    assert warn_codes(fl) == []


def test_heel_sickling_is_flagged_on_the_faulty_reps_from_behind():
    script = [still(1.5)]
    faulty = {3, 4}
    for i in range(1, 7):
        script += [rep(0.06, 0.6, 0.6, 0.9, heel_in_m=0.03 if i in faulty else 0.0), still(0.8)]
    frames, truth = generate(script, view="back", seed=5)
    s, fl = flags(frames, exercise="calf_raise")
    assert len(s.reps) == 6
    sick = [f for f in fl if f["code"] == "heel_sickling"]
    assert sorted({f["rep"] for f in sick}) == sorted(faulty)
    assert {f["side"] for f in sick} == {"left", "right"}  # both heels were drifted in
    for f in sick:
        t = truth.reps[f["rep"] - 1]
        assert abs(f["t_start"] - t["t_start"]) < 0.3 and abs(f["t_end"] - t["t_end"]) < 0.3
        assert f["evidence"]["value"] > f["evidence"]["threshold"]
    assert "heel_everting" not in warn_codes(fl)


def test_fast_lowering_is_flagged_on_that_rep_only():
    script = [still(1.5)]
    for i in range(1, 6):
        script += [rep(0.06, 0.8, 0.5, 0.25 if i == 2 else 1.0), still(0.8)]
    s, fl = flags(generate(script, view="side", seed=7)[0], exercise="calf_raise")
    assert len(s.reps) == 5
    assert [(f["code"], f["rep"]) for f in fl if f["code"] == "fast_lowering"] == [("fast_lowering", 2)]


def test_fast_lowering_from_the_side_is_judged_on_every_rep_of_a_long_session():
    """From the side the lowering is timed on the shoulders (feedback/form.py); the summary is judged
    after the 12 s frame buffer moved on, so the early reps use the times kept when they completed."""
    script = [still(1.5)]
    for i in range(1, 9):
        script += [rep(0.06, 0.8, 0.5, 0.25 if i in (2, 7) else 1.0), still(0.8)]
    s, fl = flags(generate(script, view="side", seed=7)[0], exercise="calf_raise")
    assert len(s.reps) == 8 and s.reps[-1]["t_end"] - s.reps[1]["t_start"] > 12.0
    assert [f["rep"] for f in fl if f["code"] == "fast_lowering"] == [2, 7]


def test_phase_times_are_the_20_to_80_percent_times():
    ts = [i / 30 for i in range(60)]
    # rest, a linear rise over 0.5-1.0 s to 1.0, top until 1.3 s, a linear fall over 1.3-1.5 s
    ys = [0.0 if t < 0.5 else (t - 0.5) / 0.5 if t < 1.0 else 1.0 if t < 1.3 else max(0.0, 1 - (t - 1.3) / 0.2)
          for t in ts]
    rise, lower = phase_times(ts, ys)
    assert rise == pytest.approx(0.3, abs=0.01) and lower == pytest.approx(0.12, abs=0.01)
    assert all(math.isnan(x) for x in phase_times(ts, [0.0] * 60))


def test_incomplete_raise_against_the_persons_own_typical_height():
    heights = [0.06, 0.06, 0.06, 0.06, 0.035, 0.06]
    script = [still(1.5)]
    for h in heights:
        script += [rep(h, 0.6, 0.5, 0.9), still(0.8)]
    s, fl = flags(generate(script, view="side", seed=11)[0], exercise="calf_raise")
    assert len(s.reps) == 6
    assert [f["rep"] for f in fl if f["code"] == "incomplete_raise"] == [5]


def test_single_leg_faults_are_flagged_on_their_hold():
    script = [still(2.0), lift("right", 8.0, sway_m=0.004), still(2.0),
              lift("right", 8.0, sway_m=0.004, arch_m=0.03), still(2.0),
              lift("left", 8.0, sway_m=0.004, pelvic_drop_deg=10.0), still(2.0)]
    s, fl = flags(generate(script, view="front", seed=13)[0], exercise="single_leg_stance", targets={"hold_s": 10.0})
    assert [h["stance_side"] for h in s.holds] == ["left", "left", "right"]
    by_code = {}
    for f in fl:
        by_code.setdefault(f["code"], []).append(f)
    assert [f["hold"] for f in by_code.get("arch_collapse", [])] == [2]
    assert by_code["arch_collapse"][0]["side"] == "left"
    assert "proxy" in by_code["arch_collapse"][0]["description"].lower()
    assert [f["hold"] for f in by_code.get("pelvic_drop", [])] == [3]
    # every hold was 8 s against a 10 s target
    assert [f["hold"] for f in by_code.get("short_hold", [])] == [1, 2, 3]
    assert "excessive_sway" not in by_code
    # No warn-level flag on the clean first hold.  (The synthetic body shifts its hips over the
    # stance foot without moving the knee, which reads as mild valgus: info-level knee_valgus
    # flags are the model's artefact, so they are not asserted either way.)
    assert [f for f in fl if f.get("hold") == 1 and f["severity"] != "info"] == []


def test_feet_out_of_frame_is_flagged_with_its_time():
    frames, _ = generate([still(2.0)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 4, view="side", seed=17)
    for f in frames:
        if 3.0 <= f.t_s < 5.0:
            f.image[25:33, 3:] = 0.05  # the legs leave the frame
    s, fl = flags(frames, exercise="calf_raise")
    out = [f for f in fl if f["code"] == "feet_out_of_frame"]
    assert len(out) == 1
    assert out[0]["t_start"] == pytest.approx(3.0, abs=0.25) and out[0]["t_end"] == pytest.approx(5.0, abs=0.3)


def test_side_view_says_heel_alignment_is_not_measurable():
    script = [still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 3
    s, _ = flags(generate(script, view="side", seed=19)[0], exercise="calf_raise")
    assert "heel alignment: not measurable from a side view" in s.not_measurable


def test_threshold_override_changes_flags_of_a_stored_track(tmp_path):
    """A therapist edits a threshold and re-runs a stored track: no video, no model needed."""
    script = [still(1.5)]
    for i in range(1, 6):
        script += [rep(0.06, 0.6, 0.6, 0.9, heel_in_m=0.03 if i == 2 else 0.0), still(0.8)]
    frames, _ = generate(script, view="back", seed=23)
    track = tmp_path / "session.track.jsonl.gz"
    with TrackWriter(track, make_header(source={"kind": "video", "name": "synthetic"}, model=None)) as w:
        for f in frames:
            w.write(f)
    first = run_cli("analyze", str(track), "--exercise", "calf-raise", "--out", str(tmp_path / "a"), "--no-store")
    assert first.returncode == 0, first.stderr
    before = json.loads((tmp_path / "a" / "summary.json").read_text())["flags"]
    assert [f["rep"] for f in before if f["code"] == "heel_sickling"][:1] == [2]
    override = tmp_path / "therapist.toml"
    override.write_text('schema = "footform.rules/1"\nexercise = "calf_raise"\n\n'
                        '[[rule]]\ncode = "heel_sickling"\nthreshold = 0.5\n')
    second = run_cli("analyze", str(track), "--exercise", "calf-raise", "--out", str(tmp_path / "b"),
                     "--rules", str(override), "--no-store")
    assert second.returncode == 0, second.stderr
    after = json.loads((tmp_path / "b" / "summary.json").read_text())["flags"]
    assert not [f for f in after if f["code"] == "heel_sickling"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\ncode = "heel_sickling"\nthreshold = "high"\n')
    third = run_cli("analyze", str(track), "--rules", str(bad), "--out", str(tmp_path / "c"), "--no-store")
    assert third.returncode != 0 and "Traceback" not in third.stderr
    assert f"rule file {bad}, line 3" in third.stderr


def test_framing_rules_too_far_too_close_and_several_people():
    script = [still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 3
    far, _ = generate(script, view="side", seed=29, person_px=150.0)
    _, fl = flags(far, exercise="calf_raise")
    assert "too_far" in [f["code"] for f in fl]
    near, _ = generate(script, view="side", seed=29, person_px=700.0)
    _, fl = flags(near, exercise="calf_raise")
    assert "too_close" in [f["code"] for f in fl] and "too_far" not in [f["code"] for f in fl]
    crowd, _ = generate(script, view="side", seed=29)
    crowd = [type(f)(f.index, f.t_s, f.width, f.height, image=f.image, world=f.world, n_people=2 if f.t_s > 2 else 1)
             for f in crowd]
    _, fl = flags(crowd, exercise="calf_raise")
    several = [f for f in fl if f["code"] == "several_people"]
    assert len(several) == 1 and several[0]["t_start"] == pytest.approx(2.0, abs=0.1)


def test_flags_are_written_to_flags_csv(tmp_path):
    import csv

    from footform.analysis.summary import write_summary

    script = [still(1.5)]
    for i in range(1, 6):
        script += [rep(0.06, 0.8, 0.5, 0.25 if i == 2 else 1.0), still(0.8)]
    s = analyze_frames(generate(script, view="side", seed=7)[0], AnalysisConfig(exercise="calf_raise"))
    write_summary(s, tmp_path)
    rows = list(csv.DictReader((tmp_path / "flags.csv").open()))
    assert [(r["code"], r["rep"]) for r in rows if r["code"] == "fast_lowering"] == [("fast_lowering", "2")]
    row = next(r for r in rows if r["code"] == "fast_lowering")
    assert float(row["value"]) < float(row["threshold"]) and row["t_start_s"] and row["message"]


def _form_hold(stance, signal, fault, t_fault=3.0, spike_at=None, stand_s=2.0, offset=-0.05):
    """FormTracker fed by hand: 2 s of double-leg standing, then a 6 s hold on ``stance`` whose
    ``signal`` carries an offset of −0.05 from lift-off (what standing on one leg does to the
    landmarks) and ``fault`` more from ``t_fault`` s into the hold; returns the hold's metrics."""
    import numpy as np

    from footform.core.kinematics import SIG, SIGNAL_NAMES, Kinematics
    from footform.feedback.form import FormTracker

    ft = FormTracker()
    fps, t_lift = 30.0, stand_s
    for i in range(int((t_lift + 6.0) * fps)):
        t = i / fps
        det = np.zeros(len(SIGNAL_NAMES))
        on_one = t >= t_lift
        if on_one:
            det[SIG[signal]] = offset + (fault if t - t_lift >= t_fault else 0.0)
            if spike_at is not None and abs(t - t_lift - spike_at) < 0.5 / fps:
                det[SIG[signal]] += 1.0   # one wild frame
        k = Kinematics(i, t, True, {"left": True, "right": True}, "front", 100.0, 62.0, float("nan"), False, det)
        ft.step(k, det, 360, 1, stance if on_one else "both", "down", 0.0)
    return ft.hold_metrics({"t_start": t_lift, "t_end": t_lift + 6.0, "stance_side": stance, "duration_s": 6.0}, "front")


def test_hold_fault_signals_rise_within_the_hold_and_ignore_one_wild_frame():
    """Issue #17: the per-hold fault signals compare the worst 1 s of the hold with its own first
    second (and with standing); a fault over part of the hold is not averaged away, the constant
    offset of standing on one leg is not a fault, and one wild frame is not a peak."""
    clean = _form_hold("left", "knee_medial_left", 0.0)
    assert abs(clean["knee_valgus_rise_fl"]) < 1e-9 and clean["knee_valgus_worst_fl"] < 1e-9
    faulty = _form_hold("left", "knee_medial_left", 0.1)
    assert faulty["knee_valgus_rise_fl"] == pytest.approx(0.1, abs=1e-6)
    assert faulty["knee_valgus_worst_fl"] == pytest.approx(0.1, abs=1e-6)
    assert faulty["knee_valgus_fl"] < 0.05          # the hold mean, diluted by the clean 3 s and the offset
    spike = _form_hold("left", "knee_medial_left", 0.0, spike_at=4.0)
    assert spike["knee_valgus_rise_fl"] < 0.05       # 1/30 of the frame's 1.0 in a 1 s mean
    lean = _form_hold("right", "trunk_lean", -8.0)
    assert lean["trunk_lean_rise_deg"] == pytest.approx(8.0, abs=1e-6)   # either direction
    drop = _form_hold("right", "pelvic_drop", -6.0)  # + = right hip lower: the left (free) hip drops
    assert drop["pelvic_drop_rise_deg"] == pytest.approx(6.0, abs=1e-6)


def test_a_hold_needs_most_of_a_second_of_standing_for_its_standing_baseline():
    """A lean held from lift-off counts against standing — but only when there was standing to
    compare with: 0.5 s of "double-leg" frames (a fade-in on the real leg-swings clip) is no baseline."""
    stood = _form_hold("left", "trunk_lean", 0.0, stand_s=2.0, offset=6.0)
    assert stood["trunk_lean_worst_deg"] == pytest.approx(6.0, abs=1e-6) and abs(stood["trunk_lean_rise_deg"]) < 1e-9
    brief = _form_hold("left", "trunk_lean", 0.0, stand_s=0.5, offset=6.0)
    assert abs(brief["trunk_lean_worst_deg"]) < 1e-9


def _rep_knee_bend(side: str, bend_left: float, bend_right: float) -> float:
    """FormTracker fed by hand from the side: 2 s of double-leg standing with both knees at 175°,
    then a 2 s rep on ``side`` during which the knees bend by ``bend_left`` / ``bend_right`` degrees;
    returns the rep's ``knee_bend_deg``."""
    import numpy as np

    from footform.core.kinematics import SIG, SIGNAL_NAMES, Kinematics
    from footform.feedback.form import FormTracker

    ft = FormTracker()
    fps = 30.0
    for i in range(int(4.0 * fps)):
        t = i / fps
        det = np.zeros(len(SIGNAL_NAMES))
        in_rep = t >= 2.0
        det[SIG["knee_angle_left"]] = 175.0 - (bend_left if in_rep else 0.0)
        det[SIG["knee_angle_right"]] = 175.0 - (bend_right if in_rep else 0.0)
        k = Kinematics(i, t, True, {"left": True, "right": True}, "side-left", 100.0, 62.0, float("nan"), False, det)
        ft.step(k, det, 360, 1, "both" if not in_rep or side == "both" else side, "up" if in_rep else "down", 0.0)
    return ft.rep_metrics({"t_start": 2.0, "t_end": 4.0, "side": side, "peak_lift": 0.1}, "side-left")["knee_bend_deg"]


def test_knee_bend_counts_the_working_leg_only():
    """A single-leg calf raise holds the free leg bent on purpose: its knee is not the working
    knee (rendered single-leg raises from the side raised 'straight knees' on every rep, 34° of
    the free knee's bend); the working knee bending is still seen, and a double-leg rep counts both."""
    assert _rep_knee_bend("left", 3.0, 40.0) == pytest.approx(3.0)
    assert _rep_knee_bend("left", 25.0, 40.0) == pytest.approx(25.0)
    assert _rep_knee_bend("right", 40.0, 5.0) == pytest.approx(5.0)
    assert _rep_knee_bend("both", 3.0, 20.0) == pytest.approx(20.0)
