"""Offline runs of the pipeline: source → pose → (track sink) → analysis, over one input.

The live mode feeds the same stages from a camera; this module is the file-driven path used by
``footform analyze``.  An input is either a video / image folder (decoded and run through the
pose model, writing a landmark track beside the results) or an existing landmark track (replayed
without video or model).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footform import __version__
from footform.analysis.analyzer import AnalysisConfig, Analyzer
from footform.analysis.summary import Summary, write_summary
from footform.core.landmarks import PoseFrame
from footform.errors import AnalysisError, FootformError, InputError, OutputError, os_reason
from footform.io.capture import ImageFolderSource, VideoFileSource, read_ahead
from footform.io.parallel import MIN_PARALLEL_DURATION_S, ChunkedPose, SeekError
from footform.io.pose import ModelInfo, PoseEstimator, resolve_model
from footform.io.track import SUFFIX, TrackReader, TrackWriter, is_track, make_header, private_model, private_source


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
    :mod:`footform.io.parallel`); short videos, image folders and tracks always use one.
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
                n = 0
                try:
                    for pose in chunked.stream(inp.on_progress or (lambda _n: None)):
                        if n == 0:
                            inp.pose_mode = f"{use} processes"
                        n += 1
                        yield pose
                except SeekError as e:  # raised before any frame was given out
                    inp.pose_mode = f"1 process (parallel chunks failed: {e})"
                else:
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


_END = object()


def consume_behind(items: Iterable[Any], consume: Callable[[Any], None], depth: int = 64) -> int:
    """Feed ``items`` to ``consume`` on a second thread, at most ``depth`` items behind; returns the count.

    The pose model releases the GIL while it runs, so the work after it (writing the track,
    kinematics, exercises, feedback) overlaps the next frame's inference instead of adding to
    it.  Order is kept; memory is bounded by ``depth``; an exception in ``consume`` stops the
    producer and is re-raised here, after everything queued before it was consumed.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    failure: list[BaseException] = []

    def work() -> None:
        while True:
            item = q.get()
            if item is _END:
                return
            if failure:
                continue  # drain after a failure so the producer never blocks
            try:
                consume(item)
            except BaseException as e:  # handed to the producer's thread
                failure.append(e)

    thread = threading.Thread(target=work, name="footform-analysis", daemon=True)
    thread.start()
    n = 0
    try:
        for item in items:
            if failure:
                break
            q.put(item)
            n += 1
    finally:
        q.put(_END)
        thread.join()
    if failure:
        raise failure[0]
    return n


@dataclass(frozen=True)
class AnalyzeOptions:
    """Settings of one offline analysis (the same for every file of a batch).

    ``targets`` holds the programme the person was given (``reps``, ``hold_s``,
    ``metronome_bpm``), used by rules such as "hold shorter than target".
    """

    exercise: str = "auto"
    height_cm: float | None = None
    rules: str | None = None
    model: str | None = None
    people: int = 1
    fps: float = 30.0
    workers: int = 1
    targets: tuple[tuple[str, float], ...] = ()
    #: write the absolute paths of the video and the model into the track and run.json (off:
    #: file names and checksums only, so that exported results name no folders)
    full_paths: bool = False

    def settings_key(self) -> dict[str, Any]:
        """What must match for an earlier result to be reused (see the batch runner)."""
        rules_text = Path(self.rules).read_text(encoding="utf-8", errors="replace") if self.rules else None
        return {"software": __version__, "exercise": self.exercise, "height_cm": self.height_cm, "people": self.people,
                "fps": self.fps, "targets": list(self.targets), "rules": rules_text}


@dataclass
class FileResult:
    """What one analysed input produced; ``error`` is the sentence of a problem found on the way."""

    name: str
    out_dir: Path
    summary: Summary | None = None
    track_path: Path | None = None
    pose_mode: str = ""
    model: dict[str, Any] | None = None
    source: dict[str, Any] = field(default_factory=dict)
    frames: int = 0
    wall_s: float = 0.0
    error: FootformError | None = None

    @property
    def exit_code(self) -> int:
        return self.error.exit_code if self.error is not None else 0


def analyze_input(
    path: str | os.PathLike,
    out_dir: Path,
    options: AnalyzeOptions,
    on_progress: Callable[[int], None] | None = None,
) -> FileResult:
    """Analyse one input end to end: pose (or track replay) → track file → analysis → summary files.

    Writes into ``out_dir``: the landmark track (for a video or image folder), ``summary.json``
    with its CSVs, and ``run.json`` (what ran: source, model, pose mode, settings, timings).  A
    problem with the input found part-way (a truncated file) or footage that cannot be analysed
    does not raise: the results so far are written and the problem is returned in
    :attr:`FileResult.error`.  Problems found before anything could be read raise
    :class:`FootformError`.
    """
    t0 = time.perf_counter()
    inp = open_input(path, model=options.model, num_poses=options.people, fps=options.fps, workers=options.workers)
    inp.on_progress = on_progress
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {out_dir}: {os_reason(e, out_dir)}.") from None
    analyzer = Analyzer(AnalysisConfig(exercise=options.exercise, height_cm=options.height_cm,
                                       rules=options.rules, targets=dict(options.targets)))
    track_path: Path | None = inp.track_path
    writer: TrackWriter | None = None
    if not inp.is_track:
        track_path = out_dir / f"{inp.name}{SUFFIX}"
        writer = TrackWriter(
            track_path,
            make_header(source=inp.source, model=inp.model.to_dict() if inp.model else None,
                        extra={"num_poses": inp.num_poses}, full_paths=options.full_paths),
        )
    def consume(frame: PoseFrame) -> None:
        if writer is not None:
            writer.write(frame)
        analyzer.step(frame)

    try:
        frames = consume_behind(inp.frames(), consume)
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    if writer is not None:
        writer.close()
    summary = analyzer.finish()
    error: FootformError | None = None
    try:
        inp.check_complete()
    except InputError as e:
        error = e
        summary.warnings.append(str(e))
    write_summary(summary, out_dir)
    model = inp.model.to_dict() if inp.model else (TrackReader(inp.track_path).header.get("model") if inp.track_path else None)
    result = FileResult(name=inp.name, out_dir=out_dir, summary=summary, track_path=track_path, pose_mode=inp.pose_mode,
                        model=model, source=inp.source, frames=frames, wall_s=time.perf_counter() - t0, error=error)
    run = {
        "input": str(path) if options.full_paths else Path(path).name,
        # the same source description as the track's header (file name and content hash)
        "source": writer.header["source"] if writer is not None else private_source(inp.source, options.full_paths),
        "model": private_model(model, options.full_paths),
        "track": (str(track_path) if options.full_paths else track_path.name) if track_path else None,
        "pose_mode": inp.pose_mode,
        "settings": options.settings_key() | {"model": model.get("sha256") if model else None},
        "frames": frames,
        "wall_s": round(result.wall_s, 3),
        "software": {"name": "footform", "version": __version__},
        "error": str(error) if error else None,
    }
    try:
        (out_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise OutputError(f"cannot write {out_dir / 'run.json'}: {e.strerror or e}.") from None
    if error is None and not summary.analysable:
        result.error = AnalysisError(summary.reason or "the footage cannot be analysed.")
    return result


@contextlib.contextmanager
def native_logs_hidden(enabled: bool = True) -> Iterator[None]:
    """Keep MediaPipe/TFLite's C++ log lines (written straight to file descriptor 2) off the terminal.

    Python's ``sys.stderr`` keeps writing to the real terminal (through a duplicate of the
    original descriptor), so progress bars and error sentences still show; only native writes
    to descriptor 2 go to a temporary file, discarded at the end.
    """
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    sink = tempfile.TemporaryFile()
    old_stderr = sys.stderr
    try:
        os.dup2(sink.fileno(), 2)
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=old_stderr.encoding or "utf-8", errors="replace")
        yield
    finally:
        try:
            sys.stderr.flush()
            sys.stderr.close()
        finally:
            sys.stderr = old_stderr
            os.dup2(saved, 2)
            os.close(saved)
            sink.close()


def stamp_input(item: Path, out_dir: Path) -> None:
    """Record the input's size and mtime in run.json (what the resumable batch compares)."""
    run_path = out_dir / "run.json"
    try:
        run = json.loads(run_path.read_text(encoding="utf-8"))
        st = item.stat()
        run["input_size"], run["input_mtime"] = st.st_size, int(st.st_mtime)
        run_path.write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    except (OSError, ValueError):
        pass


def analyze_file(item: Path, out_dir: Path, options: AnalyzeOptions,
                 on_progress: Callable[[int], None] | None = None) -> FileResult:
    """Analyse one input into ``out_dir`` and stamp its size and mtime (the resumable batch's check)."""
    result = analyze_input(item, out_dir, options, on_progress=on_progress)
    stamp_input(item, out_dir)
    return result


def batch_file(item: str, out_dir: str, options: AnalyzeOptions,
               on_progress: Callable[[int], None] | None = None) -> tuple[str, FileResult | None, str | None, int]:
    """Analyse one file of a batch; errors come back as one sentence.  The per-file function of
    both engines: ``--jobs`` processes and Ray actors (:mod:`footform.apps.ray_engine`) call it."""
    with native_logs_hidden():
        try:
            return item, analyze_file(Path(item), Path(out_dir), options, on_progress=on_progress), None, 0
        except FootformError as e:
            return item, None, str(e), e.exit_code
