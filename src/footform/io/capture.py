"""Frame sources: a video file, a camera, or a folder of images — each yielding timestamped frames.

Every source is an iterable of :class:`Frame` and carries a :class:`SourceInfo`.  Time always
comes from the source, in seconds:

* video file — the container's presentation timestamps (``CAP_PROP_POS_MSEC`` of each decoded
  frame), so variable-frame-rate phone videos keep their real timing; rotation metadata of
  phone videos is applied by the decoder (``CAP_PROP_ORIENTATION_AUTO``) and recorded;
* camera — a monotonic clock read right after each grab, relative to the first frame;
* image folder — ``index / fps`` with the ``fps`` the user gives (images carry no clock).

Failures a user can cause (missing, unreadable, empty or truncated file; no such camera) raise
:class:`~footform.errors.InputError` with one clear sentence.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from footform.errors import InputError

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}

#: A file that decodes fewer than this share of the frames its header declares is called
#: truncated.  Real files differ a little from their header (one clip in shared/footage decodes
#: 319 of a declared 336 frames, 95 %), a cut-off download or recording loses far more.
TRUNCATION_SHARE = 0.9


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a source before and while reading it.

    Attributes:
        kind: ``"video"``, ``"camera"``, ``"images"`` or ``"track"``.
        name: file or folder name, or ``camera:INDEX``.
        path: absolute path, or ``None`` for a camera.
        width, height: frame size in pixels after rotation correction.
        fps_nominal: frame rate declared by the container / camera / user (frames per second);
            informative only, timing uses per-frame timestamps.
        frame_count_declared: frame count declared by the container (0 if unknown).
        rotation_deg: rotation metadata applied by the decoder (degrees clockwise).
    """

    kind: str
    name: str
    path: str | None
    width: int
    height: int
    fps_nominal: float
    frame_count_declared: int = 0
    rotation_deg: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame: ``image`` is an ``(H, W, 3)`` uint8 BGR array, ``t_s`` seconds."""

    index: int
    t_s: float
    image: np.ndarray


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a video file.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path} cannot be read (permission denied).")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty (0 bytes), so it holds no video.")


class VideoFileSource:
    """Frames of a video file with container timestamps.

    Iterating decodes the file once, front to back, holding one frame at a time.  After
    iteration, :attr:`frames_read` says how many frames were decoded and :attr:`truncated`
    whether the file ended well short of its declared length (checked by :meth:`check_complete`).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        _check_file(self.path)
        cap = self._open()
        try:
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
            # The size is taken from the first decoded (already rotation-corrected) frame: this
            # also rejects files the demuxer opens but whose picture stream cannot be decoded.
            ok, first = cap.read()
            first_pts_ms = cap.get(cv2.CAP_PROP_POS_MSEC) if ok else 0.0
        finally:
            cap.release()
        if not ok or first is None:
            raise InputError(f"{self.path} holds no decodable video frames (not a video, or an empty or damaged one).")
        height, width = int(first.shape[0]), int(first.shape[1])
        self.info = SourceInfo(
            kind="video",
            name=self.path.name,
            path=str(self.path.resolve()),
            width=width,
            height=height,
            fps_nominal=fps,
            frame_count_declared=max(count, 0),
            rotation_deg=rotation,
        )
        #: Container time of the first frame (s); every frame's ``t_s`` is measured from it.
        self.first_pts_s = max(0.0, float(first_pts_ms or 0.0) / 1000.0)
        #: Duration from the header (s): frame count / frame rate; an estimate for planning only.
        self.duration_estimate_s = count / fps if count > 0 and fps > 0 else 0.0
        self.frames_read = 0
        self.last_t_s = 0.0

    def _open(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise InputError(
                f"{self.path} is not a video footform can read (unknown format, or the file is damaged or truncated)."
            )
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        return cap

    def __iter__(self) -> Iterator[Frame]:
        cap = self._open()
        fps = self.info.fps_nominal if self.info.fps_nominal > 0 else 30.0
        last_t = -1.0
        index = 0
        try:
            while True:
                ok, image = cap.read()
                if not ok or image is None:
                    break
                t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
                t = t_ms / 1000.0 if t_ms is not None and t_ms >= 0 else index / fps
                if index > 0 and t <= last_t:
                    # Containers without usable timestamps (or duplicated ones): fall back to a
                    # nominal step so time stays strictly increasing.
                    t = last_t + 1.0 / fps
                if index == 0:
                    first_t = t
                # Frame times start at 0 on every source.
                t_rel = t - first_t
                last_t = t
                self.frames_read = index + 1
                self.last_t_s = t_rel
                yield Frame(index, t_rel, image)
                index += 1
        finally:
            cap.release()

    @property
    def truncated(self) -> bool:
        declared = self.info.frame_count_declared
        return declared > 0 and self.frames_read < TRUNCATION_SHARE * declared

    def check_complete(self) -> None:
        """Raise :class:`InputError` if iteration found no frame or the file looks truncated."""
        if self.frames_read == 0:
            raise InputError(f"{self.path} holds no decodable video frames (empty or damaged video).")
        if self.truncated:
            raise InputError(
                f"{self.path} looks truncated: only {self.frames_read} of its "
                f"{self.info.frame_count_declared} declared frames could be decoded "
                f"(results cover the first {self.last_t_s:.1f} s)."
            )


class ImageFolderSource:
    """Frames from the images in a folder, in file-name order, at a stated frame rate."""

    def __init__(self, path: str | os.PathLike, fps: float = 30.0) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise InputError(f"{self.path}: no such folder.")
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise InputError(f"{self.path} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
        if fps <= 0:
            raise InputError(f"the frame rate for an image folder must be positive, not {fps}.")
        self.fps = fps
        first = cv2.imread(str(self.files[0]), cv2.IMREAD_COLOR)
        if first is None:
            raise InputError(f"{self.files[0]} is not an image footform can read.")
        self.info = SourceInfo(
            kind="images",
            name=self.path.name,
            path=str(self.path.resolve()),
            width=int(first.shape[1]),
            height=int(first.shape[0]),
            fps_nominal=fps,
            frame_count_declared=len(self.files),
        )
        self.frames_read = 0

    def __iter__(self) -> Iterator[Frame]:
        for index, file in enumerate(self.files):
            image = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if image is None:
                raise InputError(f"{file} is not an image footform can read.")
            self.frames_read = index + 1
            yield Frame(index, index / self.fps, image)

    def check_complete(self) -> None:
        return None


class CameraSource:
    """Frames from a camera (device index), timestamped by a monotonic clock at grab time."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None, open_timeout_s: float = 5.0) -> None:
        self.index = index
        cap = cv2.VideoCapture(index)
        if not cap.isOpened():
            cap.release()
            raise InputError(f"camera {index} could not be opened (no such camera, or it is in use by another program).")
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        deadline = time.monotonic() + open_timeout_s
        ok, image = cap.read()
        while not ok and time.monotonic() < deadline:
            time.sleep(0.05)
            ok, image = cap.read()
        if not ok or image is None:
            cap.release()
            raise InputError(f"camera {index} opened but returned no picture within {open_timeout_s:.0f} s.")
        self._cap = cap
        self._first = image
        self.info = SourceInfo(
            kind="camera",
            name=f"camera:{index}",
            path=None,
            width=int(image.shape[1]),
            height=int(image.shape[0]),
            fps_nominal=float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
        )
        self.frames_read = 0

    def __iter__(self) -> Iterator[Frame]:
        cap = self._cap
        t0 = time.monotonic()
        yield Frame(0, 0.0, self._first)
        index = 1
        self.frames_read = 1
        try:
            while True:
                ok, image = cap.read()
                t = time.monotonic() - t0
                if not ok or image is None:
                    raise InputError(f"camera {self.index} stopped delivering pictures (unplugged?).")
                self.frames_read = index + 1
                yield Frame(index, t, image)
                index += 1
        finally:
            cap.release()

    def check_complete(self) -> None:
        return None


_END = object()


def read_ahead(frames: Iterable[Frame], depth: int = 8) -> Iterator[Frame]:
    """Decode on a background thread, ``depth`` frames ahead of the consumer.

    OpenCV's decoder releases the GIL, so decoding the next frames overlaps the pose model's
    work on the current one.  The queue is bounded (memory stays at ``depth`` frames whatever
    the video's length).  An exception raised by the source is re-raised in the consumer; a
    consumer that stops early stops the thread.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        q.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_END)
        except BaseException as e:  # handed to the consumer
            q.put(e)

    thread = threading.Thread(target=produce, name="footform-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5.0)


def open_source(spec: str | os.PathLike, fps: float = 30.0) -> VideoFileSource | ImageFolderSource | CameraSource:
    """Open a source from a command-line argument: a video file, an image folder, or a camera index."""
    s = str(spec)
    if s.isdigit():
        return CameraSource(int(s))
    path = Path(s)
    if path.is_dir():
        return ImageFolderSource(path, fps=fps)
    return VideoFileSource(path)


# --------------------------------------------------------------------------------------------
# Live sources: the newest frame only, captured on its own thread (``footform live``)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LiveFrame(Frame):
    """A :class:`Frame` from a live source; ``t_mono`` is ``time.monotonic()`` when it was captured.

    For a camera that is the moment the grab returned; for a video file played as a stand-in
    camera it is the moment the frame was due (and published) at the file's real speed.
    ``t_s`` is still the source clock (seconds from the first frame).
    """

    t_mono: float = 0.0


class LatestFrameSource:
    """The newest frame of a camera — or of a video file played at its real speed — on its own thread.

    A capture thread reads the source as fast as it delivers (a camera at its frame rate; a file
    paced so that frame ``t_s`` is published ``t_s`` seconds after the first) and keeps **only the
    newest frame**.  The consumer calls :meth:`get`, which returns the newest frame it has not had
    yet; every frame that was replaced before anyone took it is counted in :attr:`dropped`.  So a
    slow consumer never falls behind the person: it skips frames instead of queueing them.

    * End of a video file: :meth:`get` returns ``None`` and :attr:`ended` is true (a camera never
      ends by itself).
    * A camera that stops delivering (unplugged): the :class:`~footform.errors.InputError` raised
      by the source is re-raised by :meth:`get` once the frames before it were handed out.
    * :attr:`seconds_since_frame` tells how long the source has been silent, for a stall watchdog.

    Memory: one frame, whatever the session length.
    """

    def __init__(self, source: CameraSource | VideoFileSource, realtime: bool | None = None) -> None:
        self.source = source
        self.info = source.info
        #: Pace a file at its own speed (default: for files yes, for cameras no — they pace themselves).
        self.realtime = (source.info.kind != "camera") if realtime is None else realtime
        self._cond = threading.Condition()
        self._latest: LiveFrame | None = None
        self._fresh = False
        self._error: BaseException | None = None
        self._ended = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_capture_mono: float | None = None
        #: Frames read from the source / handed to the consumer / replaced before being taken.
        self.captured = 0
        self.delivered = 0
        self.dropped = 0
        #: ``time.monotonic()`` at the source's time zero (first frame), once known.
        self.t0_mono: float | None = None

    @classmethod
    def open(cls, spec: str | os.PathLike | int, realtime: bool | None = None) -> LatestFrameSource:
        """A camera index (``0``, ``"1"``) or a video file (played at real speed) as a live source."""
        s = str(spec).strip()
        if s.isdigit():
            return cls(CameraSource(int(s)), realtime=realtime)
        path = Path(s)
        if path.is_dir():
            raise InputError(f"{path} is a folder; live coaching needs a camera index or a video file.")
        return cls(VideoFileSource(path), realtime=realtime)

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> LatestFrameSource:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="footform-capture", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop capturing (the camera is released by the thread); safe to call twice."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=timeout_s)

    def __enter__(self) -> LatestFrameSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _publish(self, frame: Frame, t_mono: float) -> None:
        live = LiveFrame(frame.index, frame.t_s, frame.image, t_mono)
        with self._cond:
            if self._fresh:
                self.dropped += 1
            self._latest = live
            self._fresh = True
            self.captured += 1
            self._last_capture_mono = t_mono
            self._cond.notify_all()

    def _run(self) -> None:
        frames = iter(self.source)
        try:
            for frame in frames:
                if self._stop.is_set():
                    break
                now = time.monotonic()
                if self.t0_mono is None:
                    self.t0_mono = now - frame.t_s
                if self.realtime:
                    due = self.t0_mono + frame.t_s
                    if due > now and self._stop.wait(due - now):
                        break
                    now = time.monotonic()
                self._publish(frame, now)
        except BaseException as e:  # handed to the consumer by get()
            with self._cond:
                self._error = e
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                try:
                    close()  # releases the VideoCapture held by the source's generator
                except Exception:  # pragma: no cover - best effort on shutdown
                    pass
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    # -- consumer side ---------------------------------------------------------------------------
    def get(self, timeout: float | None = None) -> LiveFrame | None:
        """The newest frame not yet returned, waiting up to ``timeout`` seconds for one.

        Returns ``None`` on timeout or when the source has ended (check :attr:`ended`); re-raises
        the source's error (e.g. :class:`InputError` for an unplugged camera) after the last frame.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._fresh:
                if self._error is not None:
                    err, self._error = self._error, None
                    raise err
                if self._ended or self._stop.is_set():
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            self._fresh = False
            self.delivered += 1
            return self._latest

    @property
    def ended(self) -> bool:
        """True once the source has no more frames (end of file, error, or :meth:`stop`) and none is waiting."""
        with self._cond:
            return self._ended and not self._fresh and self._error is None

    def clock_s(self) -> float:
        """Now on the source clock (seconds since its first frame; 0 before the first frame)."""
        return 0.0 if self.t0_mono is None else time.monotonic() - self.t0_mono

    @property
    def seconds_since_frame(self) -> float:
        """Seconds since the last frame arrived (since :meth:`start` before the first one)."""
        last = self._last_capture_mono
        return 0.0 if last is None else time.monotonic() - last

    @property
    def dropped_share(self) -> float:
        """Share of captured frames that were never processed (0 when nothing was captured)."""
        return self.dropped / self.captured if self.captured else 0.0
