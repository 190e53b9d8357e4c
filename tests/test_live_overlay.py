"""Drawing the live screen (apps/live/overlay.py, canvas.py, placement.py): counter, legs, banner,
and the layout rules — readable at 2-3 m, never over the feet, AA contrast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES
from helpers import check_layout, legs_lm

from footform.apps.live.overlay import Screen, compose


def test_overlay_draws_counter_legs_and_banner() -> None:
    from footform.apps.live.canvas import CANVAS_H, CANVAS_W
    from footform.apps.live.overlay import render

    image = np.full((480, 640, 3), 120, np.uint8)
    lm = legs_lm()
    a = render(image, lm, Screen(label="REPS", big="1", big_suffix="/ 12", sub="SET 1 OF 3", feet_ok=True, view="front"))
    cb = compose(image, lm, Screen(label="REPS", big="2", big_suffix="/ 12", sub="SET 1 OF 3", feet_ok=True, view="front",
                                   banner="Keep your heels in line", banner_kind="warn"))
    b = cb.canvas
    assert a.shape == (CANVAS_H, CANVAS_W, 3)
    counter = (slice(90, 240), slice(20, 150))
    assert (np.abs(a[counter].astype(int) - b[counter].astype(int)).max(axis=2) > 100).sum() > 300
    # the legs: the left leg's colour between hip and knee (image centred: 640x480 → 960x720 at
    # x0=160), the same colour the reports' plots draw the left side in
    from footform.exercises.registry import SIDE_COLOURS, hex_to_bgr

    x, y = 160 + int(0.45 * 960), int(0.6 * 720)
    assert tuple(int(c) for c in a[y, x]) == hex_to_bgr(SIDE_COLOURS["left"])
    # the amber banner, drawn where its layout box says
    (banner,) = [p for p in cb.panels() if p.name == "banner"]
    x0, y0, x1, y1 = banner.rect
    assert b[y1 - 4, x0 + 4, 2] > 200 and b[y1 - 4, x0 + 4, 0] < 60
    assert a[y1 - 4, x0 + 4].max() < 150



def test_contrast_ratio_is_wcag() -> None:
    from footform.apps.live.canvas import contrast_ratio

    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    # the old "/ 12" target: #AAAAAA on the panel as it came out over the light floor, #575754
    assert contrast_ratio((0xAA, 0xAA, 0xAA), (0x54, 0x57, 0x57)) == pytest.approx(3.0, abs=0.15)


LAYOUT_SCREENS = {
    "stretch_position": dict(label="HOLD STILL - TIMER STARTS", big="0", big_suffix="s / 30", sub="SET 1 OF 3",
                             sub2="BEST  L -   R -", feet_ok=True, view="side-left",
                             banner="Keep your right heel on the ground - the timer waits until it is down.",
                             banner_kind="warn"),
    "get_ready": dict(label="REPS", big="0", big_suffix="/ 12", sub="SET 1 OF 3", feet_ok=True, view="front",
                      centre_title="GET READY", centre_sub="Tip: turn sideways or your back to the camera for calf raises",
                      banner="Stand still on both feet", banner_kind="guide"),
    "hold": dict(label="HOLD - LEFT LEG", big="18", big_suffix="s / 30", sub="SET 2 OF 3", sub2="BEST  L 24 s   R -",
                 progress=0.6, feet_ok=True, view="front", banner="Keep your hips level", banner_kind="warn",
                 toast="NOW STAND ON YOUR RIGHT LEG"),
    "metronome": dict(label="REPS", big="12", big_suffix="/ 12", sub="SET 3 OF 3", feet_ok=False, view="side-right",
                      beat="down", beat_phase=0.3, debug="30 fps  latency 24 ms  dropped 0%  audio espeak-ng",
                      banner="Stop: pain. Rest, and tell your therapist if it keeps coming back.", banner_kind="stop"),
    "rest_pain": dict(label="REPS", big="12", big_suffix="/ 12", sub="SET 1 OF 3", feet_ok=True, view="back",
                      centre_title="REST", centre_big="0:45", centre_sub="Next: set 2 of 3. Press N to start now",
                      prompt="PAIN 0-10?  Type a number", banner="All sets done", banner_kind="good"),
}


@pytest.mark.parametrize("feet_y", [0.95, 0.8, 0.6])
@pytest.mark.parametrize("name", sorted(LAYOUT_SCREENS))
def test_overlay_layout_synthetic(name: str, feet_y: float) -> None:
    """Every screen, with the person's feet at the bottom, higher up, mid-picture: texts fit their
    panels, no panel over the feet or another panel, AA contrast, an 18 % counter."""


    image = np.full((480, 640, 3), 235, np.uint8)      # a light wall: the worst case for light text
    c = compose(image, legs_lm(feet_y), Screen(**LAYOUT_SCREENS[name]))
    check_layout(c, f"{name} feet at {feet_y}")
    assert {p.name for p in c.panels()} >= {"counter", "quality", "banner"}


def _sample_pose(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Frame 45 of a sample clip and the person's landmarks on it (the bundled model)."""
    from footform.io.capture import VideoFileSource
    from footform.io.pose import PoseEstimator, resolve_model

    path = SAMPLES / f"{name}.mp4"
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    with PoseEstimator(resolve_model(None), pad_top=0.0, motion=False) as est:
        for i, frame in enumerate(VideoFileSource(path)):
            pose = est.process(frame)     # every frame: the model tracks the person in video mode
            if i == 45:
                assert pose.image is not None
                return frame.image, pose.image
    raise AssertionError("clip shorter than 46 frames")


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("clip", ["calf_stretch_side", "calf_raise_back_sickling", "single_leg_stance_left_front",
                                  "ankle_pumps_three_quarter", "pose2sim_cam01"])
def test_overlay_layout_on_sample_frames(clip: str, tmp_path: Path) -> None:
    """The live screens drawn on real frames: the layout rules hold with the person where the model
    found them (the PNGs are written to the test's temporary folder for a look)."""
    import cv2



    image, lm = _sample_pose(clip)
    for name, fields in LAYOUT_SCREENS.items():
        c = compose(image, lm, Screen(**fields))
        cv2.imwrite(str(tmp_path / f"{clip}_{name}.png"), c.canvas)
        check_layout(c, f"{clip} {name}")
        assert c.feet is not None


