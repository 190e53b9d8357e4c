"""The shipped rendered samples, analysed end to end with the bundled model, against their exact truth.

Each sample has a scenario and a per-frame truth file beside it (samples/README.md).  Counts must
be exact; times within a few frames of the truth's own phase definitions (the truth's top is where
the commanded raise reaches its height; footform's is the middle of the stretch above 80 % of the
measured peak, so tops are compared with a tolerance of half a top-hold).
"""

from __future__ import annotations

import functools
import json

import pytest
from conftest import SAMPLES

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.io.pose import estimate_video

pytestmark = pytest.mark.model


REAR_SIGNAL = ("the rendered rear sample's feet are about 40 px long (640×360), under the heel alignment's 45 px "
               "limit: its reps say 'not measurable at this distance' (issue #17, docs/rules.md \"Heel alignment\"; "
               "before it, mediapipe 0.10.33 put the sickled-rep heel-in at 0.053/0.056 FL, under the old 0.06 FL "
               "threshold, as on clean reps).  Its reps are counted again since #18 (the rear lift is the body's rise "
               "in the image)")


@functools.cache
def _analyse(name: str, exercise: str):
    frames = list(estimate_video(SAMPLES / f"{name}.mp4"))
    return analyze_frames(frames, AnalysisConfig(exercise=exercise))


def _truth(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.truth.json").read_text())


@pytest.mark.parametrize("name", ["calf_raise_side", "calf_raise_back_sickling"])
def test_calf_raise_samples_count_every_rep_near_its_top(name):
    truth = _truth(name)
    s = _analyse(name, "calf_raise")
    assert len(s.reps) == len(truth["reps"])
    for got, want in zip(s.reps, truth["reps"]):
        assert want["start_s"] - 0.3 <= got["t_start"] <= want["top_s"]
        assert abs(got["t_top"] - want["top_s"]) < 0.6, (got, want)


@pytest.mark.xfail(reason=REAR_SIGNAL, strict=True)
def test_rear_sample_flags_the_sickled_reps_and_only_them():
    truth = _truth("calf_raise_back_sickling")
    faulty = sorted(r for f in truth["faults"] if f["kind"] == "heel_inversion" for r in f["reps"])
    s = _analyse("calf_raise_back_sickling", "calf_raise")
    flagged = sorted({f["rep"] for f in s.flags if f["code"] == "heel_sickling"})
    assert flagged == faulty
    assert not [f for f in s.flags if f["code"] == "heel_everting"]


def test_front_stance_sample_holds_on_the_left_leg():
    truth = _truth("single_leg_stance_left_front")
    (want,) = truth["holds"]
    s = _analyse("single_leg_stance_left_front", "auto")
    assert s.exercise == "single_leg_stance"
    assert [h["stance_side"] for h in s.holds] == [want["side"]]
    # The free foot rises 7 cm but also comes 36 cm towards the camera: perspective hides it in the
    # image, the world-landmark elevation and the ankle see it (exercises/contact.py, "Low lifts").
    # The truth's hold starts when the lift is complete: the measured hold is within 1 s of it.
    assert abs(s.holds[0]["duration_s"] - want["duration_s"]) < 1.0
