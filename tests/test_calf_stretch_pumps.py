"""Standing calf stretch and ankle pumps (issue #9): synthetic streams with exact truth, the two
rendered samples with the bundled model, and the internal seated ankle-circle clip when present."""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest
from conftest import FOOTAGE, SAMPLES
from synth_stretch_pumps import pumps, stretch

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.analysis.summary import format_table, write_summary

FPS = 30.0


def _run(frames, exercise, **kw):
    return analyze_frames(frames, AnalysisConfig(exercise=exercise, **kw))


def _flags(s, code):
    return [f for f in s.flags if f["code"] == code]


# ------------------------------------------------------------------------------ calf stretch


@pytest.mark.parametrize("live", [False, True])
def test_stretch_side_clean_hold(live):
    frames, truth = stretch(front="left", view="side", seed=1)
    s = _run(frames, "calf_stretch", live=live)
    assert s.exercise == "calf_stretch" and len(s.holds) == 1
    h = s.holds[0]
    assert h["kind"] == "calf_stretch" and h["side"] == "right" and h["front_side"] == "left"
    tol = (7 if live else 5) / FPS  # live: the causal One-Euro filter lags the way out by ~2 frames
    assert abs(h["t_start"] - truth.hold[0]) <= tol
    assert abs(h["t_end"] - truth.hold[1]) <= tol
    assert h["held_s"] == pytest.approx(h["duration_s"]) and h["pauses"] == 0
    assert h["variant"] == "gastrocnemius" and h["heel_contact_share"] == 1.0
    assert isinstance(h["back_knee_angle_deg"], float) and h["back_knee_angle_deg"] > 165
    assert isinstance(h["dorsiflexion_deg"], float)
    assert h["back_foot_out_deg"] == "not measurable from a side view"
    warn = [f for f in s.flags if f["severity"] != "info"]
    assert warn == []
    assert [f["code"] for f in s.flags] == ["stretch_hold_short"]  # 12 s < the protocol's 30 s
    assert "back foot pointing forward: not measurable from a side view" in s.not_measurable


def test_stretch_faults_pause_the_timer_and_are_flagged_at_their_time():
    frames, truth = stretch(front="right", view="side", heel_lift=(6.0, 8.0, 0.04), knee_bend=(10.0, 12.0, 25.0), seed=2)
    s = _run(frames, "calf_stretch", targets={"hold_s": 10.0})
    (h,) = s.holds
    assert h["side"] == "left"
    assert h["pauses"] == 2 and h["pause_reasons"] == {"heel_lift": 1, "knee_bend": 1}
    # the timer stops for (most of) both 2 s windows (0.3 s ramps at each end)
    assert 2.6 <= h["paused_s"] <= 4.0
    assert h["held_s"] == pytest.approx(h["duration_s"] - h["paused_s"], abs=0.05)
    (heel,) = _flags(s, "stretch_heel_lifting")
    (knee,) = _flags(s, "stretch_knee_bending")
    for flag, (t0, t1) in ((heel, truth.heel_lift), (knee, truth.knee_bend)):
        assert flag["side"] == "left" and flag["hold"] == 1
        assert t0 <= flag["t_start"] <= t0 + 0.5 and t1 - 0.5 <= flag["t_end"] <= t1 + 0.2
    assert knee["evidence"]["value"] == pytest.approx(25.0, abs=4.0)
    assert _flags(s, "stretch_hold_short")  # 12.2 s minus ~3.5 s of pauses < 10 s target


def test_stretch_soleus_variant_is_labelled_not_flagged():
    frames, _ = stretch(view="side", soleus_deg=20.0, seed=3)
    s = _run(frames, "calf_stretch")
    (h,) = s.holds
    assert h["variant"] == "soleus"
    assert h["back_knee_flex_deg"] == pytest.approx(20.0, abs=4.0)
    assert h["pauses"] == 0 and not _flags(s, "stretch_knee_bending")


def test_stretch_front_view_foot_turned_out_and_heel():
    frames, truth = stretch(view="front", foot_out_deg=35.0, heel_lift=(6.0, 8.0, 0.05), seed=4)
    s = _run(frames, "calf_stretch")
    (h,) = s.holds
    assert h["side"] == "right" and h["view"] == "front"
    assert abs(h["t_start"] - truth.hold[0]) <= 5 / FPS and abs(h["t_end"] - truth.hold[1]) <= 5 / FPS
    assert h["back_foot_out_deg"] > 20.0
    assert h["dorsiflexion_deg"] == "not measurable from a front view"
    assert h["back_knee_angle_deg"] == "not measurable from a front view"
    assert _flags(s, "stretch_foot_turned_out")[0]["side"] == "right"
    (heel,) = _flags(s, "stretch_heel_lifting")
    assert 6.0 <= heel["t_start"] <= 6.5 and 7.5 <= heel["t_end"] <= 8.2
    assert "back knee straight: not measurable from a front view" in s.not_measurable
    straight, _ = stretch(view="front", seed=5)
    s2 = _run(straight, "calf_stretch")
    assert len(s2.holds) == 1 and not _flags(s2, "stretch_foot_turned_out")
    assert abs(s2.holds[0]["back_foot_out_deg"]) < 15.0


def test_stretch_two_holds_each_leg_and_outputs(tmp_path):
    a, _ = stretch(front="left", seed=6)
    b, _ = stretch(front="right", seed=7)
    dt = a[-1].t_s + 1 / FPS
    b = [dataclasses.replace(f, t_s=round(f.t_s + dt, 6), index=f.index + len(a)) for f in b]
    s = _run(a + b, "calf_stretch")
    assert [h["side"] for h in s.holds] == ["right", "left"]
    assert s.set_stats["holds_by_side"] == {"left": 1, "right": 1}
    write_summary(s, tmp_path)
    assert (tmp_path / "holds.csv").read_text().count("calf_stretch") == 2
    assert json.loads((tmp_path / "summary.json").read_text())["holds"][0]["kind"] == "calf_stretch"
    assert "gastrocnemius" in format_table(s)
    # the table is for people: the holds per leg in words, no Python dict (#14, item 6)
    (line,) = [ln for ln in format_table(s).splitlines() if ln.startswith("holds:")]
    assert "by leg: left 1, right 1" in line and "{" not in line, line


# ------------------------------------------------------------------------------ ankle pumps


@pytest.mark.parametrize("yaw", [45.0, 90.0])
@pytest.mark.parametrize("live", [False, True])
def test_pumps_counted_per_foot(yaw, live):
    frames, truth = pumps(n=6, yaw_deg=yaw, seed=10)
    s = _run(frames, "ankle_pumps", live=live)
    assert s.set_stats["reps_by_side"] == {"left": 6, "right": 6}
    for side in ("left", "right"):
        reps = [r for r in s.reps if r["side"] == side]
        for r, t in zip(reps, truth.reps):
            assert r["kind"] == "ankle_pump"
            assert abs(r["t_plantar"] - t["t_plantar"]) <= 0.15 and abs(r["t_dorsi"] - t["t_dorsi"]) <= 0.15
            # start / end come from returns to the foot's rest angle; they are loose where the rest angle
            # was not calibrated (live, noisy foot) or the last return was missed (known, docs/metrics.md)
            assert r["t_start"] <= t["t_plantar"] and r["t_end"] >= t["t_dorsi"]
            assert r["rom_deg"] > 25.0
    assert [f for f in s.flags if f["severity"] != "info"] == []


def test_pumps_small_range_and_whole_leg_flagged_on_their_rep():
    frames, truth = pumps(n=6, yaw_deg=60.0, legs="right", small={4: 0.45}, leg_swing={5: 20.0}, seed=11)
    s = _run(frames, "ankle_pumps")
    assert s.set_stats["reps_by_side"] == {"left": 0, "right": 6}
    small = _flags(s, "pump_small_range")
    leg = _flags(s, "pump_whole_leg")
    assert len(small) == 1 and abs(small[0]["t_start"] - truth.reps[3]["t_start"]) <= 0.3
    assert len(leg) == 1 and abs(leg[0]["t_start"] - truth.reps[4]["t_start"]) <= 0.3
    assert small[0]["side"] == leg[0]["side"] == "right"


@pytest.mark.xfail(strict=True, reason="known limitation (docs/metrics.md): ankle circles whose plantar/dorsi "
                   "swing exceeds SWING_DEG (15°) are counted as pumps; no circle-vs-pump test yet")
def test_ankle_circles_are_not_pumps():
    frames, _ = pumps(n=5, yaw_deg=45.0, legs="right", circles=True, plantar_deg=10.0, dorsi_deg=10.0, seed=12)
    s = _run(frames, "ankle_pumps")
    assert s.reps == []


def test_pumps_from_straight_front_not_measurable():
    frames, _ = pumps(n=5, yaw_deg=0.0, seed=13)
    s = _run(frames, "ankle_pumps")
    assert s.reps == []
    assert "ankle pump count and range: not measurable from a front view" in s.not_measurable
    assert any("not measurable from a front" in w for w in s.warnings)


# ------------------------------------------------------------------------------ rendered samples


@functools.cache
def _sample(name: str, exercise: str):
    from footform.io.pose import estimate_video

    return analyze_frames(estimate_video(SAMPLES / f"{name}.mp4"), AnalysisConfig(exercise=exercise))


def test_sample_calf_stretch_side():
    truth = json.loads((SAMPLES / "calf_stretch_side.truth.json").read_text())
    (th,) = truth["holds"]
    s = _sample("calf_stretch_side", "calf_stretch")
    (h,) = s.holds
    assert h["side"] == th["side"] == "right"
    # measured: start 2.27 s (truth 2.40), end 8.67 s (truth 8.40): the hips are within 0.6 % of the
    # stagger of their hold level from 2.23 to 8.55 s in the truth; MediaPipe's VIDEO-mode tracking
    # lags the way out by ~0.1 s more (docs/metrics.md)
    assert abs(h["t_start"] - th["start_s"]) <= 6 / FPS
    assert abs(h["t_end"] - th["end_s"]) <= 10 / FPS
    assert h["variant"] == "gastrocnemius" and h["pauses"] == 0 and h["heel_contact_share"] == 1.0
    assert h["back_knee_angle_deg"] == pytest.approx(170.9, abs=4.0)   # true back knee 170.9°
    assert 3.0 <= h["dorsiflexion_gain_deg"] <= 18.0                      # true 16°; the model sees ~half
    assert [f["code"] for f in s.flags] == ["stretch_hold_short"]


def test_sample_ankle_pumps_three_quarter():
    truth = json.loads((SAMPLES / "ankle_pumps_three_quarter.truth.json").read_text())
    s = _sample("ankle_pumps_three_quarter", "ankle_pumps")
    assert s.set_stats["reps_by_side"] == {"left": 5, "right": 5}
    for side in ("left", "right"):
        reps = [r for r in s.reps if r["side"] == side]
        for r, t in zip(reps, truth["reps"]):
            assert abs(r["t_plantar"] - t["top_s"]) <= 0.15
            assert t["start_s"] - 0.5 <= r["t_start"] <= t["top_s"] and t["top_s"] < r["t_end"] <= t["end_s"] + 0.2
            # true range 55° (37° point, 18° pull); MediaPipe's image angle shows 38–50°
            assert 30.0 <= r["rom_deg"] <= 60.0
    assert s.flags == []


# ------------------------------------------------------------------------------ internal footage


def test_seated_ankle_circles_footage_counts_no_pumps():
    clip = FOOTAGE / "opt_seated_ankle_rotations.mp4"
    if not clip.is_file():
        pytest.skip(f"internal footage not available at {FOOTAGE}")
    from footform.io.pose import estimate_video

    s = analyze_frames(estimate_video(clip), AnalysisConfig(exercise="ankle_pumps"))
    # one foot circles (angle swings of 14–20° in the image, out of phase with in/eversion); at
    # most half-pumps are reported as events, never reps
    assert s.reps == []
    assert all(e["type"] == "half_pump" for e in s.events)
