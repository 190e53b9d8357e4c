"""The bundled pose model and the pose stage, on real footage shipped in samples/."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from footform.core.landmarks import LEGS, PoseFrame
from footform.errors import ModelError
from footform.io.capture import VideoFileSource
from footform.io.pose import BUNDLED_MODELS, PoseEstimator, resolve_model

pytestmark = pytest.mark.model

# Hand annotation of frame 0 of samples/pose2sim_cam01.mp4 (1080x1920), read by eye from a zoomed
# crop of the unannotated frame: pixel positions (x right, y down) of the subject's ankles (centre
# of the joint), heels (back of the heel) and toe tips.  The subject faces the camera, so his
# right foot is on the image left.  Tolerance: 45 px, about a third of the foot's length here.
FRAME0_FEET_PX = {
    "left": {"ankle": (405, 1090), "heel": (400, 1105), "toe": (440, 1160)},
    "right": {"ankle": (330, 1010), "heel": (325, 1035), "toe": (320, 1060)},
}
TOLERANCE_PX = 45


@pytest.fixture(scope="module")
def cam01_frames(samples_dir) -> list[PoseFrame]:
    with PoseEstimator(resolve_model("full")) as estimator:
        return list(estimator.run(VideoFileSource(samples_dir / "pose2sim_cam01.mp4")))


@pytest.mark.parametrize("name", sorted(BUNDLED_MODELS))
def test_bundled_models_resolve_and_match_their_checksums(name):
    info = resolve_model(name)
    sums = {}
    for line in (info_path := __import__("pathlib").Path(info.path)).with_name("SHA256SUMS").read_text().splitlines():
        digest, file = line.split()
        sums[file.lstrip("*")] = digest
    assert sums[info_path.name] == info.sha256


def test_bundle_finds_the_feet_where_a_person_sees_them(cam01_frames):
    frame = cam01_frames[0]
    assert frame.has_person
    for side, points in FRAME0_FEET_PX.items():
        leg = LEGS[side]
        for part, idx in (("ankle", leg.ankle), ("heel", leg.heel), ("toe", leg.toe)):
            x, y = frame.xy_px(idx)
            ex, ey = points[part]
            assert np.hypot(x - ex, y - ey) < TOLERANCE_PX, (side, part, (x, y), (ex, ey))
            assert frame.visibility(idx) > 0.5, (side, part)
    # World landmarks are metres around the hips: a standing adult's ankles sit 0.7–1.0 m below them.
    for side in ("left", "right"):
        assert 0.6 < frame.world[LEGS[side].ankle, 1] < 1.1


def test_every_frame_has_the_person_and_both_feet(cam01_frames):
    assert len(cam01_frames) == 100
    assert all(f.has_person for f in cam01_frames)
    from footform.core.view import feet_visible

    assert sum(feet_visible(f) for f in cam01_frames) >= 95


def test_missing_or_wrong_model_is_one_sentence(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(tmp_path / "nope.task")
    bogus = tmp_path / "bogus.task"
    bogus.write_text("hello")
    with pytest.raises(ModelError, match="not a MediaPipe PoseLandmarker"):
        resolve_model(bogus)


def test_same_person_is_kept_among_several():
    """With two candidates, the one continuing the previous frame's torso wins, not the larger."""
    est = PoseEstimator.__new__(PoseEstimator)

    def person(cx, scale):
        pts = np.zeros((33, 5), np.float32)
        pts[[11, 12], 0] = [cx - 0.05 * scale, cx + 0.05 * scale]
        pts[[23, 24], 0] = [cx - 0.04 * scale, cx + 0.04 * scale]
        pts[[11, 12], 1] = 0.3
        pts[[23, 24], 1] = 0.3 + 0.2 * scale
        return pts

    tracked, passer_by = person(0.3, 1.0), person(0.7, 1.6)
    est._previous = tracked
    assert est._choose([passer_by, person(0.31, 1.02)]) == 1
    est._previous = None
    assert est._choose([tracked, passer_by]) == 1  # no history: the largest person


def test_no_network_is_attempted(samples_dir, tmp_path):
    """Analysing a sample with every socket call trapped: nothing tries to connect anywhere."""
    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "attempts.log"
    (guard / "sitecustomize.py").write_text(
        "import socket\n"
        f"LOG = {str(log)!r}\n"
        "def _refuse(*a, **k):\n"
        "    open(LOG, 'a').write(repr(a)[:200] + '\\n')\n"
        "    raise OSError('network access blocked by test')\n"
        "socket.socket.connect = _refuse\n"
        "socket.socket.connect_ex = _refuse\n"
        "socket.getaddrinfo = _refuse\n"
        "socket.create_connection = _refuse\n"
    )
    import os

    env = {"PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")])}
    proc = run_cli("analyze", str(samples_dir / "pose2sim_cam01.mp4"), "--out", str(tmp_path / "out"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert not log.exists(), log.read_text()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["quality"]["frames_with_person"] == 100


def test_automatic_margin_switches_on_when_nobody_is_found_at_the_start():
    from footform.io.pose import AUTO_MARGIN, AUTO_MARGIN_START_FRAMES, PoseEstimator, resolve_model

    blank = np.full((240, 320, 3), 90, np.uint8)
    with PoseEstimator(resolve_model(None)) as est:  # the default: automatic margin and body rise
        for i in range(AUTO_MARGIN_START_FRAMES - 1):
            est.process_rgb(blank, i, i / 30.0)
        assert est.pad_top == 0.0 and est.margin_from_s is None
        est.process_rgb(blank, AUTO_MARGIN_START_FRAMES - 1, (AUTO_MARGIN_START_FRAMES - 1) / 30.0)
        assert est.pad_top == AUTO_MARGIN and est.margin_from_s is not None
        # the fresh landmarker keeps accepting frames (timestamps restart with it), and the
        # camera-compensated body rise is now measured
        assert not est.process_rgb(blank, AUTO_MARGIN_START_FRAMES, AUTO_MARGIN_START_FRAMES / 30.0).has_person
        assert est.measures_motion and not est.reports_rise  # nobody was cut off at the top of the picture
    with PoseEstimator(resolve_model(None), pad_top=0.0, motion=None) as est:  # fixed: no margin, no motion
        for i in range(AUTO_MARGIN_START_FRAMES + 5):
            est.process_rgb(blank, i, i / 30.0)
        assert est.pad_top == 0.0 and not est.measures_motion


def test_recording_that_starts_empty_keeps_landmark_counting(tmp_path):
    """A whole-body recording that starts with nobody in view switches the automatic margin on
    (and measures the body rise), but the person is never cut off at the top of the picture, so
    no rise is reported and the calf raises are counted from the landmarks as without the start."""
    import cv2
    from conftest import SAMPLES

    from footform.analysis.analyzer import AnalysisConfig, analyze_frames

    src = SAMPLES / "calf_raise_side.mp4"
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    ok, frame = cap.read()
    h, w = frame.shape[:2]
    path = tmp_path / "walk_in.mp4"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    empty = cv2.GaussianBlur(frame, (0, 0), 25)  # the scene without a recognisable person
    for _ in range(20):
        out.write(empty)
    while ok:
        out.write(frame)
        ok, frame = cap.read()
    out.release()
    cap.release()
    with PoseEstimator(resolve_model(None)) as est:
        frames = list(est.run(VideoFileSource(path)))
        assert est.margin_from_s is not None and est.measures_motion and not est.reports_rise
    assert not any(np.isfinite(f.rise_px) for f in frames)
    s = analyze_frames(frames, AnalysisConfig(exercise="calf_raise"))
    truth = json.loads((SAMPLES / "calf_raise_side.truth.json").read_text())
    assert len(s.reps) == len(truth["reps"])
    assert s.set_stats["lift_from"] == "landmarks"
