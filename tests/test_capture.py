"""Frame sources: timestamps from the container, clear sentences for bad files."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from footform.errors import InputError
from footform.io.capture import ImageFolderSource, VideoFileSource, open_source


def write_avi(path, n=60, fps=30.0, size=(320, 240)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(n):
        img = np.full((size[1], size[0], 3), (i * 4) % 256, np.uint8)
        cv2.putText(img, str(i), (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
        writer.write(img)
    writer.release()
    return path


def test_sample_timestamps_increase_and_match_duration(samples_dir):
    src = VideoFileSource(samples_dir / "pose2sim_cam01.mp4")
    assert (src.info.width, src.info.height) == (1080, 1920)
    assert src.info.fps_nominal == pytest.approx(60.0)
    times = [f.t_s for f in src]
    assert len(times) == 100 == src.frames_read
    assert times[0] == 0.0
    assert np.all(np.diff(times) > 0)
    # 100 frames at 60 fps: the last frame starts 99/60 s after the first.
    assert times[-1] == pytest.approx(99 / 60, abs=1e-3)
    assert np.diff(times) == pytest.approx(np.full(99, 1 / 60), abs=1e-3)
    src.check_complete()


def test_variable_frame_rate_uses_container_time(tmp_path):
    """Frames keep their own timestamps: a 15 fps file is not read as 30 fps."""
    path = write_avi(tmp_path / "slow.avi", n=30, fps=15.0)
    times = [f.t_s for f in VideoFileSource(path)]
    assert times[-1] == pytest.approx(29 / 15, abs=1e-3)


def test_truncated_video_is_detected_after_reading_what_is_there(tmp_path):
    full = write_avi(tmp_path / "full.avi")
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    src = VideoFileSource(cut)
    frames = list(src)
    assert 10 < len(frames) < 60
    assert src.truncated
    with pytest.raises(InputError, match="looks truncated"):
        src.check_complete()


def _file(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing.mp4", "no such file"),
        (lambda p: _file(p / "empty.mp4", b""), "is empty"),
        (lambda p: _file(p / "notes.mp4", b"not a video at all\n" * 50), "not a video"),
        (lambda p: p, "is a folder"),
    ],
)
def test_bad_files_raise_one_sentence(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        VideoFileSource(path)
    text = str(info.value)
    assert "\n" not in text and text.endswith(".")


def test_image_folder_source(tmp_path):
    for i in range(5):
        cv2.imwrite(str(tmp_path / f"frame_{i:03d}.png"), np.full((48, 64, 3), i * 40, np.uint8))
    src = open_source(tmp_path, fps=10.0)
    assert isinstance(src, ImageFolderSource)
    frames = list(src)
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert frames[3].image[0, 0, 0] == 120
    empty = tmp_path / "nothing_here"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no images"):
        ImageFolderSource(empty)


def test_read_ahead_keeps_order_and_passes_errors_on():
    from footform.io.capture import Frame, read_ahead

    def frames(n, fail_at=None):
        for i in range(n):
            if i == fail_at:
                raise InputError("camera 0 stopped delivering pictures (unplugged?).")
            yield Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))

    assert [f.index for f in read_ahead(frames(50), depth=4)] == list(range(50))
    seen = []
    with pytest.raises(InputError, match="unplugged"):
        for f in read_ahead(frames(50, fail_at=20), depth=4):
            seen.append(f.index)
    assert seen == list(range(20))
    # A consumer that stops early does not hang.
    it = read_ahead(frames(10_000), depth=2)
    assert next(it).index == 0
    it.close()


def test_consume_behind_keeps_order_and_reraises():
    from footform.apps.pipeline import consume_behind

    seen = []
    assert consume_behind(range(500), seen.append, depth=8) == 500
    assert seen == list(range(500))

    def boom(x):
        if x == 50:
            raise ValueError("bad frame")
        seen2.append(x)

    seen2 = []
    with pytest.raises(ValueError, match="bad frame"):
        consume_behind(range(10_000), boom, depth=8)
    assert seen2 == list(range(50))
