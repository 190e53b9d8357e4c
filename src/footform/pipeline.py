"""Offline runs of the pipeline: source → pose → (track sink) → analysis, over one input.

The live mode feeds the same stages from a camera; this module is the file-driven path used by
``footform analyze``.  An input is either a video / image folder (decoded and run through the
pose model, writing a landmark track beside the results) or an existing landmark track (replayed
without video or model).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capture import ImageFolderSource, VideoFileSource, read_ahead
from .errors import InputError
from .landmarks import PoseFrame
from .parallel import MIN_PARALLEL_DURATION_S, ChunkedPose, SeekError
from .pose import ModelInfo, PoseEstimator, resolve_model
from .track import SUFFIX, TrackReader, TrackWriter, is_track, make_header
from .view import VIEWS, feet_visible, frame_view


@dataclass
class QualityStats:
    """Running counts of what the camera saw: frames, person found, both feet usable, views."""

    frames: int = 0
    frames_with_person: int = 0
    frames_feet_visible: int = 0
    frames_several_people: int = 0
    first_t_s: float | None = None
    last_t_s: float | None = None
    views: Counter = field(default_factory=Counter)

    def update(self, frame: PoseFrame) -> None:
        self.frames += 1
        if self.first_t_s is None:
            self.first_t_s = frame.t_s
        self.last_t_s = frame.t_s
        if frame.has_person:
            self.frames_with_person += 1
            self.views[frame_view(frame)] += 1
            if feet_visible(frame):
                self.frames_feet_visible += 1
            if frame.n_people > 1:
                self.frames_several_people += 1

    @property
    def duration_s(self) -> float:
        """Time from the first to the last frame plus one mean frame interval (seconds)."""
        if self.first_t_s is None or self.last_t_s is None or self.frames < 2:
            return 0.0
        span = self.last_t_s - self.first_t_s
        return span * self.frames / (self.frames - 1)

    @property
    def fps(self) -> float:
        """Mean frame rate measured from the timestamps (frames per second)."""
        if self.frames < 2 or self.last_t_s is None or self.first_t_s is None or self.last_t_s <= self.first_t_s:
            return 0.0
        return (self.frames - 1) / (self.last_t_s - self.first_t_s)

    @property
    def view(self) -> str:
        """The camera view on most frames with a person, if it holds 60 % of them; else ``unknown``."""
        n = sum(self.views.values())
        if n == 0:
            return "unknown"
        best = max((v for v in VIEWS if v != "unknown"), key=lambda v: self.views[v])
        return best if self.views[best] >= 0.6 * n else "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "frames_with_person": self.frames_with_person,
            "frames_feet_visible": self.frames_feet_visible,
            "frames_several_people": self.frames_several_people,
            "view": self.view,
            "view_frames": {v: self.views[v] for v in VIEWS if self.views[v]},
        }


@dataclass
class PoseInput:
    """An opened input: where its pose records come from and what is known about it."""

    name: str
    source: dict[str, Any]
    model: ModelInfo | None
    frames: Callable[[], Iterator[PoseFrame]]
    check_complete: Callable[[], None]
    track_path: Path | None = None  # set when the input itself is a track
    frame_count_hint: int = 0
    num_poses: int = 1
    #: Called with a number of frames each time the pose stage has done that many more.
    on_progress: Callable[[int], None] | None = None
    #: How the pose stage ran: "track replay", "1 process" or "N processes" (and why not, if not).
    pose_mode: str = ""

    @property
    def is_track(self) -> bool:
        return self.track_path is not None


def open_input(
    path: str | os.PathLike,
    model: str | os.PathLike | None = None,
    num_poses: int = 1,
    fps: float = 30.0,
    workers: int = 1,
) -> PoseInput:
    """Open a video, an image folder or a landmark track as a stream of pose records.

    ``workers`` > 1 lets one long video use that many landmarker processes (see
    :mod:`footform.parallel`); short videos, image folders and tracks always use one.
    """
    p = Path(path)
    if is_track(p):
        reader = TrackReader(p)
        name = p.name[: -len(SUFFIX)]
        return PoseInput(
            name=name,
            source=reader.source,
            model=None,
            frames=lambda: iter(reader),
            check_complete=reader.check_complete,
            track_path=p,
            frame_count_hint=int(reader.source.get("frame_count_declared") or 0),
            pose_mode="track replay",
        )
    if p.is_dir():
        src: VideoFileSource | ImageFolderSource = ImageFolderSource(p, fps=fps)
        name = p.name
    else:
        src = VideoFileSource(p)
        name = p.stem
    info = resolve_model(model)

    def serial() -> Iterator[PoseFrame]:
        with PoseEstimator(info, num_poses=num_poses) as estimator:
            for pose in estimator.run(read_ahead(src)):
                if inp.on_progress is not None:
                    inp.on_progress(1)
                yield pose

    def frames() -> Iterator[PoseFrame]:
        use = min(workers, os.cpu_count() or 1)
        if isinstance(src, VideoFileSource) and use > 1 and src.duration_estimate_s >= MIN_PARALLEL_DURATION_S:
            with ChunkedPose(src.path, src.first_pts_s, src.duration_estimate_s, info, use, num_poses) as chunked:
                try:
                    chunked.run(inp.on_progress)
                except SeekError as e:
                    inp.pose_mode = f"1 process (parallel chunks failed: {e})"
                else:
                    inp.pose_mode = f"{use} processes"
                    n = 0
                    for pose in chunked.frames():
                        n += 1
                        yield pose
                    src.frames_read = n
                    src.last_t_s = pose.t_s if n else 0.0
                    return
        elif not inp.pose_mode:
            inp.pose_mode = "1 process"
        yield from serial()

    inp = PoseInput(
        name=name,
        source=src.info.to_dict(),
        model=info,
        frames=frames,
        check_complete=src.check_complete,
        frame_count_hint=src.info.frame_count_declared,
        num_poses=num_poses,
    )
    return inp


@dataclass
class RunResult:
    """What one offline run produced."""

    input: PoseInput
    quality: QualityStats
    track_path: Path | None
    error: InputError | None = None  # input problem found at the end (e.g. truncated file)


def run_pose(
    inp: PoseInput,
    out_dir: Path,
    on_frame: Callable[[PoseFrame], None] | None = None,
    write_track: bool = True,
) -> RunResult:
    """Drive the pose stream of ``inp`` to its end: count quality, write the track, call ``on_frame``.

    A truncated input is not an exception here: the frames that could be read are processed and
    written, and the problem is returned in :attr:`RunResult.error` for the caller to report.
    """
    quality = QualityStats()
    track_path: Path | None = inp.track_path
    writer: TrackWriter | None = None
    if write_track and not inp.is_track:
        track_path = out_dir / f"{inp.name}{SUFFIX}"
        writer = TrackWriter(
            track_path,
            make_header(source=inp.source, model=inp.model.to_dict() if inp.model else None, extra={"num_poses": inp.num_poses}),
        )
    try:
        for frame in inp.frames():
            quality.update(frame)
            if writer is not None:
                writer.write(frame)
            if on_frame is not None:
                on_frame(frame)
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    if writer is not None:
        writer.close()
    error: InputError | None = None
    try:
        inp.check_complete()
    except InputError as e:
        error = e
    return RunResult(input=inp, quality=quality, track_path=track_path, error=error)
