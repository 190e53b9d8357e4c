"""Single-leg stance on synthetic streams: hold times, brief lifts, sway and wobble recovery."""

import math

import pytest
from synth import generate, lift, still

from footform.analysis.analyzer import AnalysisConfig, analyze_frames

FRAME = 1 / 30


@pytest.mark.parametrize("live", [False, True])
def test_hold_times_within_one_frame_and_brief_lifts_are_events(live):
    segs = [still(1.5), lift("right", 12.0), still(1.5), lift("right", 0.8), still(1.0), lift("left", 6.0), still(1.0)]
    frames, truth = generate(segs, view="front", seed=21)
    s = analyze_frames(frames, AnalysisConfig(live=live))
    assert s.exercise == "single_leg_stance"
    assert [h["stance_side"] for h in s.holds] == ["left", "right"]
    # offline: within one frame; live: the causal One-Euro filter adds up to one more frame of lag
    tol = (2 if live else 1) * FRAME + 1e-6
    for h, want in zip(s.holds, [truth.lifts[0], truth.lifts[2]]):
        assert abs(h["t_start"] - want["t_off"]) <= tol
        assert abs(h["t_end"] - want["t_on"]) <= tol
        assert h["ended_by"] == "touch_down"
    lifts = [e for e in s.events if e["type"] == "brief_lift"]
    assert len(lifts) == 1 and lifts[0]["side"] == "right"


@pytest.mark.parametrize("amp_m,hz", [(0.01, 0.5), (0.02, 0.3)])
def test_sway_and_wobble_recover_injected_amplitude(amp_m, hz):
    segs = [still(1.5), lift("right", 20.0, sway_m=amp_m, sway_hz=hz, wobble_deg=2.0, wobble_hz=3.0), still(1.0)]
    frames, _ = generate(segs, view="front", seed=22)
    s = analyze_frames(frames, AnalysisConfig(height_cm=170))
    (h,) = s.holds
    true_rms_cm = amp_m * 100 / math.sqrt(2)
    noise_cm = h["noise_floor"]["rms_ml_cm"]
    measured = h["sway"]["rms_ml_cm"]
    # measured² ≈ true² + noise² (independent); tolerance 15 % (FL from anthropometry is exact here)
    assert abs(math.sqrt(max(measured**2 - noise_cm**2, 0)) / true_rms_cm - 1) < 0.15
    assert noise_cm < 0.5 * true_rms_cm
    assert abs(h["ankle_wobble"]["rms_deg"] - 2.0 / math.sqrt(2)) < 0.25
    assert h["ankle_wobble"]["dominant_freq_hz"] == pytest.approx(3.0, abs=0.15)


def test_noise_floor_of_a_still_hold_explains_its_sway():
    frames, _ = generate([still(1.5), lift("left", 15.0), still(1.0)], view="front", seed=23)
    s = analyze_frames(frames, AnalysisConfig())
    (h,) = s.holds
    assert h["sway"]["rms_ml"] < 1.6 * h["noise_floor"]["rms_ml"]


def test_side_view_reports_ap_sway_and_no_frontal_wobble():
    frames, _ = generate([still(1.5), lift("right", 8.0, sway_m=0.01), still(1.0)], view="side", seed=24)
    s = analyze_frames(frames, AnalysisConfig())
    (h,) = s.holds
    assert "rms_ap" in h["sway"] and h["sway"]["axes"]["ap"] == "image horizontal"
    assert h["ankle_wobble"]["rms_deg"] == "not measurable from this view"


def test_hold_running_to_end_of_video():
    frames, _ = generate([still(1.5), lift("right", 6.0)], view="back", seed=25)
    s = analyze_frames(frames[:-15], AnalysisConfig())  # stop before the foot comes down
    assert len(s.holds) == 1 and s.holds[0]["ended_by"] == "end_of_video"
