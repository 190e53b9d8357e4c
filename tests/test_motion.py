"""The camera-compensated person rise (footform.core.motion) on synthetic frames with known motion.

A textured "scene" (floor and wall) and a textured "person" rectangle are drawn separately, so
the camera's shift and the person's rise relative to the scene are exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from footform.core.kinematics import KinematicsEstimator
from footform.core.landmarks import PoseFrame
from footform.core.motion import PersonMotion
from footform.core.view import assess_framing
from footform.io.track import TrackReader, TrackWriter, make_header

W, H = 480, 360
PERSON = (200, 60, 280, 330)  # x0, y0, x1, y1 of the person at rest, scene pixels


def _texture(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 6 + 2, w // 6 + 2), dtype=np.uint8)
    import cv2

    return cv2.resize(small, (w // 6 * 6 + 12, h // 6 * 6 + 12), interpolation=cv2.INTER_CUBIC)[:h, :w]


SCENE = _texture(1, H + 80, W + 80)
BODY = _texture(2, PERSON[3] - PERSON[1], PERSON[2] - PERSON[0])


def _frame(cam_dx: float, cam_dy: float, rise: float, scene: np.ndarray = SCENE) -> tuple[np.ndarray, np.ndarray]:
    """RGB frame and person mask: camera shifted by (cam_dx, cam_dy) px, person raised by ``rise`` px."""
    import cv2

    x0, y0, x1, y1 = PERSON
    canvas = scene.copy()
    canvas_h, canvas_w = canvas.shape
    # the person is pasted into the scene raised by `rise` (integer + sub-pixel by a warp)
    layer = np.zeros_like(canvas, dtype=np.float32)
    mask = np.zeros_like(canvas, dtype=np.float32)
    layer[y0 + 40:y1 + 40, x0 + 40:x1 + 40] = BODY
    mask[y0 + 40:y1 + 40, x0 + 40:x1 + 40] = 1.0
    up = np.float32([[1, 0, 0], [0, 1, -rise]])
    layer = cv2.warpAffine(layer, up, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(mask, up, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    comp = np.where(mask > 0.5, layer, canvas.astype(np.float32))
    # the camera looks at the 480×360 window starting at (40 + dx, 40 + dy)
    view = np.float32([[1, 0, -(40 + cam_dx)], [0, 1, -(40 + cam_dy)]])
    img = cv2.warpAffine(comp, view, (W, H), flags=cv2.INTER_LINEAR)
    m = cv2.warpAffine(mask, view, (W, H), flags=cv2.INTER_LINEAR)
    rgb = np.repeat(np.clip(img, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    return rgb, m


def _run(steps: list[tuple[float, float, float]]) -> list:
    pm = PersonMotion()
    return [pm.update(*_frame(dx, dy, r)) for dx, dy, r in steps]


def test_rise_is_measured_relative_to_the_moving_camera():
    # the camera drifts down-right by 1.5 px/frame while the person rises 2 px/frame, then lowers
    steps = [(1.5 * i, 1.0 * i, 2.0 * min(i, 20 - i) if i <= 20 else 0.0) for i in range(24)]
    out = _run(steps)
    assert math.isnan(out[0].rise_px)  # nothing to compare the first frame with
    rises = np.array([s.rise_px for s in out[1:]])
    truth = np.diff([r for _, _, r in steps])
    assert np.all(np.isfinite(rises))
    assert np.max(np.abs(rises - truth)) < 0.5, (rises, truth)
    # accumulated over the raise: 20 px up, back to 0
    assert abs(float(np.sum(rises[:10])) - 20.0) < 2.0
    assert abs(float(np.sum(rises))) < 2.0
    assert not any(s.scene_cut for s in out)


def test_camera_motion_alone_is_no_rise():
    out = _run([(2.0 * i, -1.5 * i, 0.0) for i in range(12)])
    assert all(abs(s.rise_px) < 0.4 for s in out[1:]), [s.rise_px for s in out]


def test_a_hard_cut_is_reported_and_no_rise_claimed():
    pm = PersonMotion()
    pm.update(*_frame(0, 0, 0))
    pm.update(*_frame(1, 0, 0))
    other = _texture(7, H + 80, W + 80)
    cut = pm.update(*_frame(0, 0, 0, scene=other))
    assert cut.scene_cut and math.isnan(cut.rise_px)
    after = pm.update(*_frame(1, 0, 0, scene=other))
    assert not after.scene_cut and abs(after.rise_px) < 0.5


def test_no_mask_means_not_measured():
    pm = PersonMotion()
    rgb, _ = _frame(0, 0, 0)
    assert math.isnan(pm.update(rgb, None).rise_px)
    assert math.isnan(pm.update(rgb, None).rise_px)


def test_a_plain_background_gives_no_rise_rather_than_a_guess():
    plain = np.full((H + 80, W + 80), 128, np.uint8)
    pm = PersonMotion()
    pm.update(*_frame(0, 0, 0, scene=plain))
    s = pm.update(*_frame(0, 0, 3, scene=plain))
    assert math.isnan(s.rise_px) and not s.scene_cut


def test_track_round_trip_keeps_rise_and_cut(tmp_path):
    frames = [
        PoseFrame(index=0, t_s=0.0, width=W, height=H),
        PoseFrame(index=1, t_s=0.04, width=W, height=H, rise_px=1.25, scene_cut=False),
        PoseFrame(index=2, t_s=0.08, width=W, height=H, rise_px=float("nan"), scene_cut=True),
    ]
    path = tmp_path / "t.track.jsonl.gz"
    with TrackWriter(path, make_header({}, None)) as w:
        for f in frames:
            w.write(f)
    back = list(TrackReader(path))
    assert all(a.same_as(b) for a, b in zip(frames, back))
    assert back[1].rise_px == 1.25 and back[2].scene_cut and math.isnan(back[2].rise_px)


def test_kinematics_accumulates_rise_and_skips_cuts():
    from synth import generate, still  # tests/synth.py: a standing person's landmarks

    base_frames, _ = generate([still(1.0)], view="side")
    kin = KinematicsEstimator()
    rises = [float("nan"), 2.0, 2.0, float("nan"), 2.0, 50.0, -1.0]
    cuts = [False, False, False, False, False, True, False]
    values, expected, total, fl_prev = [], [], 0.0, float("nan")
    for i, (r, c) in enumerate(zip(rises, cuts)):
        base = base_frames[i]
        f = PoseFrame(index=i, t_s=base.t_s, width=base.width, height=base.height, image=base.image,
                      world=base.world, n_people=1, rise_px=r, scene_cut=c)
        k = kin.step(f, assess_framing(f), "side-left")
        values.append(k.get("body_rise"))
        # each frame's rise is converted with the scale known before it (FL px of the previous frame)
        if math.isfinite(r) and not c and math.isfinite(fl_prev):
            total += r / fl_prev
        expected.append(total if math.isfinite(r) and math.isfinite(fl_prev) else float("nan"))
        fl_prev = k.foot_px
    # not measured (or no scale yet) → NaN; cut frames add nothing; the rest accumulates (FL)
    assert math.isnan(values[0]) and math.isnan(values[3])
    assert values == pytest.approx(expected, nan_ok=True)
    assert values[2] == pytest.approx(2 * values[1], rel=0.02)  # 2 px, then 4 px on a steady scale
    assert values[5] == pytest.approx(values[4]) and values[6] < values[5]
