"""One video on two cores: the stitched stream has every frame once, and the same reps as one process."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.apps.pipeline import open_input
from footform.io.parallel import plan_chunks


def test_chunks_cover_the_video_and_start_early():
    chunks = plan_chunks(20.0, 2, overlap_s=1.0)
    assert [(c.t_start, c.t_end, c.t_seek) for c in chunks] == [(0.0, 10.0, 0.0), (10.0, float("inf"), 9.0)]


@pytest.mark.model
@pytest.mark.slow
def test_two_processes_give_every_frame_once_and_the_same_reps():
    video = SAMPLES / "calf_raise_side.mp4"  # 13.7 s: long enough to be split
    one = open_input(video, workers=1)
    serial = list(one.frames())
    two = open_input(video, workers=2)
    stitched = list(two.frames())
    assert two.pose_mode == "2 processes", two.pose_mode
    assert [f.t_s for f in stitched] == [f.t_s for f in serial]
    assert [f.index for f in stitched] == list(range(len(serial)))
    # The first chunk is the same computation as the serial run: bit-identical landmarks.
    half = len(serial) // 2
    assert all(a.same_as(b) for a, b in zip(serial[: half - 40], stitched[: half - 40]))
    a = analyze_frames(serial, AnalysisConfig(exercise="calf_raise"))
    b = analyze_frames(stitched, AnalysisConfig(exercise="calf_raise"))
    assert len(a.reps) == len(b.reps) == 4
    for ra, rb in zip(a.reps, b.reps):
        assert abs(ra["t_top"] - rb["t_top"]) < 0.1


def test_stitching_keeps_every_field_of_a_pose_record():
    """The stitched stream renumbers frames and keeps the rest as the worker made it (the body
    rise and scene cuts included: a stitched run once dropped them and lost 11 of 14 reps)."""
    from footform.core.landmarks import PoseFrame
    from footform.io.parallel import ChunkedPose

    chunked = ChunkedPose.__new__(ChunkedPose)
    chunked._index, chunked._last_t = 5, -1.0
    chunk = plan_chunks(10.0, 2)[1]
    frames = [PoseFrame(index=i, t_s=4.9 + 0.1 * i, width=64, height=48, n_people=0, rise_px=1.5 * i, scene_cut=i == 2)
              for i in range(3)]
    out = list(chunked._own(chunk, frames))
    assert [f.index for f in out] == [5, 6]
    assert [f.rise_px for f in out] == [1.5, 3.0] and [f.scene_cut for f in out] == [False, True]
