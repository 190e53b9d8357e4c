"""One video on every core: the pose stage split into time chunks run by parallel landmarker processes.

Why: MediaPipe's landmarker runs on one core whatever its thread settings, so a single process
uses half of a 2-core machine (measured: one process ≈ 64 frames/s with the full model, two
processes ≈ 101–105 frames/s in total; see docs/performance.md).

How:

* The video's time line ``[0, duration)`` is cut into ``workers`` chunks of equal length.  Each
  worker process opens the file, seeks to ``overlap_s`` seconds **before** its chunk (container
  seek, then decoding forward — frames keep their exact container timestamps), and runs its own
  landmarker in VIDEO mode.  The overlap lets the landmarker's tracking and its internal
  landmark smoothing settle before the frames the chunk owns; the overlap frames themselves are
  discarded.
* The first chunk's worker sends its frames to the parent as it goes, so the rest of the
  pipeline consumes them while the workers run; the other workers write their frames to
  temporary landmark tracks (streaming, constant memory), replayed once the first chunk is done.
* The stitched stream takes, for every chunk, the frames whose timestamps fall inside that chunk
  (``T_k ≤ t < T_k+1``), in order, and numbers them 0, 1, 2 … again.  Timestamps are the
  container's, so every decoded frame of the video appears exactly once: none lost, none twice.
  The rest of the pipeline (kinematics, reps, holds) runs once on the stitched stream, so no rep
  or hold can be cut or counted twice at a seam.

A worker whose seek lands after the start of its chunk (a file that cannot be seeked precisely)
makes the whole run fall back to one process, with the reason returned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from footform.core.landmarks import PoseFrame
from footform.io.pose import ModelInfo

#: Seconds of video each worker runs before its own chunk.  MediaPipe's VIDEO-mode landmark
#: smoothing and ROI tracking settle within a few frames of a visible person; 1 s (25–60 frames)
#: leaves a wide margin.  Checked by comparing stitched and one-process runs (tests/test_parallel.py).
OVERLAP_S = 1.0
#: Below this length a video is analysed by one process: starting a worker (importing MediaPipe,
#: loading the model) costs ~1–2 s, which a short clip does not win back.
MIN_PARALLEL_DURATION_S = 12.0


@dataclass(frozen=True)
class Chunk:
    """A stretch of the video owned by one worker: ``[t_start, t_end)`` seconds, seeking to ``t_seek``."""

    index: int
    t_start: float
    t_end: float
    t_seek: float


def plan_chunks(duration_s: float, workers: int, overlap_s: float = OVERLAP_S) -> list[Chunk]:
    """Equal-length chunks covering ``[0, duration_s)``; the last one is open-ended."""
    workers = max(1, workers)
    step = duration_s / workers
    chunks = []
    for k in range(workers):
        t0 = k * step
        t1 = (k + 1) * step if k < workers - 1 else float("inf")
        chunks.append(Chunk(k, t0, t1, max(0.0, t0 - overlap_s) if k else 0.0))
    return chunks


@dataclass(frozen=True)
class _Job:
    video: str
    first_pts_s: float
    model_path: str
    model_name: str
    model_sha256: str
    num_poses: int
    chunk: Chunk
    track: str


def _worker_main(job: _Job, queue: mp.Queue) -> None:
    """Process entry point: run one chunk and report progress, the result or the error."""
    try:
        queue.put(("done", *_run_chunk(job, queue)))
    except BaseException as e:  # report, then end this worker
        try:
            queue.put(("error", e))
        except Exception:
            queue.put(("error", RuntimeError(f"{type(e).__name__}: {e}")))


def _run_chunk(job: _Job, progress: mp.Queue | None) -> tuple[int, float, int]:
    """Worker: pose records of one chunk into a temporary track.  Returns (chunk, first t, frames)."""
    import cv2

    from footform.io.capture import Frame, read_ahead
    from footform.io.pose import PoseEstimator
    from footform.io.track import TrackWriter, make_header

    def frames() -> Iterator[Frame]:
        cap = cv2.VideoCapture(job.video, cv2.CAP_FFMPEG)
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        try:
            if job.chunk.t_seek > 0:
                cap.set(cv2.CAP_PROP_POS_MSEC, (job.chunk.t_seek + job.first_pts_s) * 1000.0)
            i = 0
            while True:
                ok, image = cap.read()
                if not ok or image is None:
                    return
                t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 - job.first_pts_s
                if t >= job.chunk.t_end:
                    return
                yield Frame(i, t, image)
                i += 1
        finally:
            cap.release()

    model = ModelInfo(job.model_name, job.model_path, job.model_sha256)
    first_t = float("nan")
    n = 0
    stream = job.chunk.index == 0 and progress is not None
    with PoseEstimator(model, num_poses=job.num_poses) as estimator, \
            contextlib.nullcontext() if stream else TrackWriter(job.track, make_header({}, None)) as writer:
        for frame in read_ahead(frames()):
            if n == 0:
                first_t = frame.t_s
                if progress is not None:
                    progress.put(("first", job.chunk.index, first_t))
            pose = estimator.process(frame)
            if stream:
                progress.put(("frame", pose))
            else:
                writer.write(pose)
            n += 1
            if progress is not None and frame.t_s >= job.chunk.t_start and n % 10 == 0:
                progress.put(("progress", 10))
    return job.chunk.index, first_t, n


class SeekError(RuntimeError):
    """A worker could not start before its chunk: the file does not seek precisely."""


class ChunkedPose:
    """Pose records of one video computed by ``workers`` processes, replayed as one stitched stream.

    Iterate :meth:`stream` (it calls ``on_progress(n_frames)`` as the workers advance).
    Temporary tracks live in a private temp folder removed by :meth:`close`.
    """

    def __init__(self, video: str | os.PathLike, first_pts_s: float, duration_s: float, model: ModelInfo,
                 workers: int, num_poses: int = 1, overlap_s: float = OVERLAP_S) -> None:
        self.video = str(video)
        self.chunks = plan_chunks(duration_s, workers, overlap_s)
        self._dir = Path(tempfile.mkdtemp(prefix="footform-chunks-"))
        self.jobs = [
            _Job(self.video, first_pts_s, model.path, model.name, model.sha256, num_poses, c,
                 str(self._dir / f"chunk{c.index:02d}.track.jsonl.gz"))
            for c in self.chunks
        ]
        self.wall_s = 0.0

    def stream(self, on_progress: Callable[[int], None] | None = None) -> Iterator[PoseFrame]:
        """The stitched stream: each chunk's own frames in time order, renumbered from 0.

        The first chunk's worker sends its frames straight here, so they are consumed (track
        writing, analysis) while the workers still run; the later chunks are replayed from their
        temporary tracks afterwards.  Raises :class:`SeekError` before yielding anything when a
        worker started after the beginning of its chunk.
        """
        ctx = mp.get_context("spawn")  # never fork a process that may hold MediaPipe threads
        q = ctx.Queue()
        procs = [ctx.Process(target=_worker_main, args=(job, q), name=f"footform-chunk{job.chunk.index}", daemon=True)
                 for job in self.jobs]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        first: dict[int, float] = {}
        results: dict[int, tuple[float, int]] = {}
        pending: deque[PoseFrame] = deque()
        checked = False
        self._index, self._last_t = 0, -1.0
        try:
            while len(results) < len(procs):
                try:
                    kind, *payload = q.get(timeout=0.5)
                except Exception:  # queue.Empty: check the workers are still alive
                    # A worker's last message is in the pipe before it exits, so a worker that has
                    # ended without a result after a quiet half second has died.
                    dead = [job.chunk.index for job, p in zip(self.jobs, procs)
                            if not p.is_alive() and job.chunk.index not in results]
                    if dead:
                        code = procs[dead[0]].exitcode
                        raise RuntimeError(f"pose worker for chunk {dead[0]} ended without a result (exit code {code})") from None
                    continue
                if kind == "frame":
                    pending.append(payload[0])
                elif kind == "first":
                    first[payload[0]] = payload[1]
                elif kind == "progress" and on_progress is not None:
                    on_progress(payload[0])
                elif kind == "done":
                    index, first_t, n = payload
                    results[index] = (first_t, n)
                    first.setdefault(index, first_t)
                elif kind == "error":
                    raise payload[0]
                if not checked and len(first) == len(procs):
                    for index, t in first.items():
                        chunk = self.chunks[index]
                        if index > 0 and t == t and t > chunk.t_start:
                            raise SeekError(f"chunk {index} started at {t:.3f} s, after its start {chunk.t_start:.3f} s")
                    checked = True
                while checked and pending:
                    yield from self._own(self.chunks[0], [pending.popleft()])
        finally:
            for p in procs:
                if p.is_alive():
                    p.terminate()
                p.join()
        self.wall_s = time.perf_counter() - t0
        yield from self._own(self.chunks[0], pending)
        from footform.io.track import TrackReader

        for job in self.jobs[1:]:
            yield from self._own(job.chunk, TrackReader(job.track))

    def _own(self, chunk: Chunk, frames: Iterable[PoseFrame]) -> Iterator[PoseFrame]:
        """The frames of ``frames`` that ``chunk`` owns (by timestamp), renumbered in stream order."""
        for f in frames:
            if f.t_s < chunk.t_start or f.t_s >= chunk.t_end or f.t_s <= self._last_t:
                continue
            self._last_t = f.t_s
            yield dataclasses.replace(f, index=self._index)  # every other field as the worker made it
            self._index += 1

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> ChunkedPose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
