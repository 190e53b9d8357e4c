"""The heel alignment of calf raises (issue #17): its per-frame signal (heel against the ankle, in
every view the body is turned little enough for), its per-rep value (the top of the rep, not the
whole rep), and the "not measurable" sentences it gives instead of staying silent (side views,
feet too small in the picture, untrusted landmarks)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synth import generate, rep, still

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.core.kinematics import HEEL_TURN_MAX_DEG, heel_lateral_sign
from footform.core.landmarks import LM, NUM_LANDMARKS, PoseFrame
from footform.exercises.calf_raise import (
    HEEL_FOOT_PX_MIN,
    HEEL_LIMIT,
    HEEL_TOP_FRACTION,
    NOT_MEASURABLE,
    heel_alignment,
    heel_unmeasurable,
)


def _turned_frame(turn_deg: float, facing: bool) -> PoseFrame:
    """A frame whose world hips and shoulders are turned ``turn_deg`` from square to the camera
    (MediaPipe world axes: x to the image right, z away from the camera); ``facing`` the camera
    or with the back to it."""
    image = np.zeros((NUM_LANDMARKS, 5), np.float32)
    image[:, 3:] = 0.99  # visibility, presence
    world = np.zeros((NUM_LANDMARKS, 3), np.float32)
    a = math.radians(turn_deg)
    left = np.array([math.cos(a), 0.0, math.sin(a)]) * (1.0 if facing else -1.0)
    for lm, half in ((LM.LEFT_HIP, 0.1), (LM.LEFT_SHOULDER, 0.18)):
        world[lm] = left * half
    for lm, half in ((LM.RIGHT_HIP, 0.1), (LM.RIGHT_SHOULDER, 0.18)):
        world[lm] = -left * half
    return PoseFrame(0, 0.0, 1280, 720, image=image, world=world, n_people=1)


@pytest.mark.parametrize("facing", [True, False])
def test_three_quarter_views_do_not_measure_the_heel_alignment_whatever_the_view_label(facing):
    # the back three-quarter renders' clean reps read ±0.036 FL there (calibration): beyond
    # HEEL_TURN_MAX_DEG the alignment is not measured, even where the label says front or back
    f = _turned_frame(45.0, facing)
    for label in ("side-left", "side-right", "unknown", "back", "front"):
        assert heel_lateral_sign(f, label, "left") == 0.0 and heel_lateral_sign(f, label, "right") == 0.0


@pytest.mark.parametrize("facing", [True, False])
def test_a_slightly_turned_body_measures_the_heel_alignment(facing):
    # within the limit: the label's direction in a front / back view, else the body's own facing
    f = _turned_frame(HEEL_TURN_MAX_DEG - 10.0, facing)
    for label in ("side-left", "unknown"):
        left, right = heel_lateral_sign(f, label, "left"), heel_lateral_sign(f, label, "right")
        assert left == (1.0 if facing else -1.0) and right == -left
    assert heel_lateral_sign(f, "back", "left") == -1.0 and heel_lateral_sign(f, "front", "left") == 1.0


def test_side_views_do_not_measure_the_heel_alignment():
    f = _turned_frame(HEEL_TURN_MAX_DEG + 10.0, facing=False)
    assert heel_lateral_sign(f, "side-right", "left") == 0.0
    no_world = PoseFrame(0, 0.0, 1280, 720, image=f.image, world=None, n_people=1)
    assert heel_lateral_sign(no_world, "unknown", "left") == 0.0


def test_a_reps_heel_alignment_is_measured_at_its_top():
    # a sickled heel turns with the heel height: the floor frames must not dilute it
    lifts = [0.0, 0.05, 0.1, 0.2, 0.2, 0.2, 0.1, 0.05, 0.0, 0.0]
    drift = [0.0, 0.0, 0.01, 0.03, 0.03, 0.03, 0.01, 0.0, 0.0, 0.0]
    top = [d for lv, d in zip(lifts, drift) if lv >= HEEL_TOP_FRACTION * 0.2]
    assert heel_alignment(lifts, drift) == pytest.approx(np.mean(top), abs=1e-4)
    assert heel_alignment(lifts, drift) > 1.5 * np.mean(drift)  # the whole rep's mean (the old value)
    # frames without a measurement are skipped; none at all is None
    assert heel_alignment(lifts, [math.nan] * 3 + drift[3:]) == pytest.approx(
        np.mean([d for lv, d in zip(lifts[3:], drift[3:]) if lv >= HEEL_TOP_FRACTION * 0.2]), abs=1e-4)
    assert heel_alignment(lifts, [math.nan] * len(lifts)) is None
    # a rep cut short at a valley keeps its own first frames
    first = [d for lv, d in zip(lifts[:6], drift) if lv >= HEEL_TOP_FRACTION * 0.2]
    assert heel_alignment(lifts[:6], drift) == pytest.approx(np.mean(first), abs=1e-4)


def test_not_measurable_sentences_say_why():
    meas = {"heel_in": {"left": 0.01, "right": None}}
    # measured: what it cannot see even so (no flag must not read as aligned heels)
    assert heel_unmeasurable([meas, {"heel_in": NOT_MEASURABLE}], "side-left") == f"heel alignment: {HEEL_LIMIT}"
    assert heel_unmeasurable([{"heel_in": NOT_MEASURABLE}] * 2, "side-left") == \
        "heel alignment: not measurable from a side view"
    assert heel_unmeasurable([{"heel_in": NOT_MEASURABLE}], "unknown") == \
        "heel alignment: not measurable from this camera view"
    # a back view whose body was turned past the limit on every rep says so, not "from a back view"
    turned = heel_unmeasurable([{"heel_in": NOT_MEASURABLE}], "back")
    assert "turned more than 30°" in turned and HEEL_TURN_MAX_DEG == 30.0
    small = "not measurable at this distance: the feet are about 40 px long"
    assert heel_unmeasurable([{"heel_in": small}], "back") == f"heel alignment: {small}"
    assert heel_unmeasurable([{"heel_in": NOT_MEASURABLE}], "back", rise_mode=True).startswith(
        "heel alignment: not measurable: the leg landmarks were not trusted")
    assert heel_unmeasurable([], "back") is None


def _sickling_script():
    script = [still(1.5)]
    for i in range(1, 6):
        script += [rep(0.06, 0.6, 0.6, 0.9, heel_in_m=0.03 if i in (2, 4) else 0.0), still(0.8)]
    return script


def test_feet_too_small_for_the_heel_alignment_say_so_instead_of_staying_silent():
    # the same sickled reps, once with the feet ~90 px long and once at about half that size
    big = analyze_frames(generate(_sickling_script(), view="back", seed=5)[0], AnalysisConfig(exercise="calf_raise"))
    frames, _ = generate(_sickling_script(), view="back", seed=5, person_px=250.0)
    small = analyze_frames(frames, AnalysisConfig(exercise="calf_raise"))
    assert big.quality.trackability.foot_px > HEEL_FOOT_PX_MIN > small.quality.trackability.foot_px
    assert len(big.reps) == len(small.reps) == 5
    assert {f["rep"] for f in big.flags if f["code"] == "heel_sickling"} == {2, 4}
    assert not [f for f in small.flags if f["code"].startswith("heel_")]
    why = [m for m in small.not_measurable if m.startswith("heel alignment: not measurable at this distance")]
    assert len(why) == 1 and f"{HEEL_FOOT_PX_MIN:.0f} px" in why[0]
    assert all(isinstance(r["heel_in"], str) for r in small.reps)
    assert [m for m in big.not_measurable if m.startswith("heel alignment")] == [f"heel alignment: {HEEL_LIMIT}"]
