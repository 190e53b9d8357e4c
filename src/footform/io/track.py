"""Landmark tracks: a whole session's pose records as a file, and that file as a source.

Format ``footform.io.track`` version 1 (documented in ``docs/track-format.md``): gzip-compressed
JSON Lines, UTF-8.

* line 1 — the header object: ``{"format": "footform.track", "version": 1, "software": …,
  "created_utc": …, "source": …, "model": …, "landmarks": …}``;
* one line per frame — ``{"i": index, "t": seconds, "w": width_px, "h": height_px, "n": people,
  "lm": [[x, y, z, visibility, presence] × 33] | null, "wl": [[x_m, y_m, z_m] × 33] | null}``;
* last line, written by :meth:`TrackWriter.close` — ``{"end": {"frames": N}}``.

Landmark values are the float32 numbers the model produced, written as the decimal form of
their exact float64 value, so reading them back as float32 gives the very same bits.

The writer flushes a complete gzip block at least every ``flush_interval_s`` seconds of source
time, so a process that dies mid-way leaves a readable file that loses at most that much; the
reader then stops at the last complete line and reports ``complete = False``.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from footform import __version__
from footform.core.landmarks import IMAGE_COLUMNS, LANDMARK_NAMES, NUM_LANDMARKS, WORLD_COLUMNS, PoseFrame
from footform.errors import InputError, OutputError

FORMAT = "footform.track"
VERSION = 1
SUFFIX = ".track.jsonl.gz"


def file_sha256(path: str | os.PathLike, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of a file's content, read in chunks (constant memory for long videos)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk_bytes):
            h.update(block)
    return h.hexdigest()


def private_source(source: dict[str, Any], full_paths: bool = False) -> dict[str, Any]:
    """Source metadata fit to travel: the file name and a content hash, no folder names.

    A video file gets ``sha256`` (of its content), which identifies the recording without naming
    the folders it sits in (user names, patient folders).  ``full_paths`` keeps ``path`` as well,
    for one's own use (``footform analyze --track-full-paths``).
    """
    out = dict(source)
    path = out.get("path")
    if path and out.get("kind") == "video" and "sha256" not in out and Path(path).is_file():
        out["sha256"] = file_sha256(path)
    if path and not out.get("name"):
        out["name"] = Path(path).name
    if not full_paths:
        out.pop("path", None)
    return out


def private_model(model: dict[str, Any] | None, full_paths: bool = False) -> dict[str, Any] | None:
    """Model metadata fit to travel: name, file name and SHA-256; ``path`` only with ``full_paths``."""
    if model is None:
        return None
    out = dict(model)
    if not full_paths:
        out.pop("path", None)
    return out


def make_header(source: dict[str, Any], model: dict[str, Any] | None, extra: dict[str, Any] | None = None,
                full_paths: bool = False) -> dict[str, Any]:
    """The header object of a new track: source metadata, model name/checksum, software version.

    No absolute paths by default (:func:`private_source`, :func:`private_model`): the video's file
    name and content hash, the model's name and checksum.  ``full_paths`` adds both paths.
    """
    header = {
        "format": FORMAT,
        "version": VERSION,
        "software": {"name": "footform", "version": __version__},
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "source": private_source(source, full_paths),
        "model": private_model(model, full_paths),
        "landmarks": {
            "names": list(LANDMARK_NAMES),
            "image_columns": list(IMAGE_COLUMNS),
            "world_columns": list(WORLD_COLUMNS),
        },
    }
    if extra:
        header.update(extra)
    return header


def frame_to_record(frame: PoseFrame) -> dict[str, Any]:
    rec = {
        "i": frame.index,
        "t": frame.t_s,
        "w": frame.width,
        "h": frame.height,
        "n": frame.n_people,
        "lm": None if frame.image is None else frame.image.astype(np.float64).tolist(),
        "wl": None if frame.world is None else frame.world.astype(np.float64).tolist(),
    }
    # person rise relative to the scene since the previous frame (px) and whether a scene cut
    # preceded the frame (footform.core.motion): written only when measured / true
    if frame.rise_px == frame.rise_px:
        rec["rz"] = float(frame.rise_px)
    if frame.scene_cut:
        rec["sc"] = True
    return rec


def record_to_frame(rec: dict[str, Any]) -> PoseFrame:
    image = rec.get("lm")
    world = rec.get("wl")
    image_arr = None if image is None else np.asarray(image, dtype=np.float32)
    world_arr = None if world is None else np.asarray(world, dtype=np.float32)
    if image_arr is not None and image_arr.shape != (NUM_LANDMARKS, len(IMAGE_COLUMNS)):
        raise ValueError(f"landmark array of shape {image_arr.shape}")
    if world_arr is not None and world_arr.shape != (NUM_LANDMARKS, len(WORLD_COLUMNS)):
        raise ValueError(f"world landmark array of shape {world_arr.shape}")
    return PoseFrame(
        index=int(rec["i"]),
        t_s=float(rec["t"]),
        width=int(rec["w"]),
        height=int(rec["h"]),
        image=image_arr,
        world=world_arr,
        n_people=int(rec.get("n", 0 if image is None else 1)),
        rise_px=float("nan") if rec.get("rz") is None else float(rec["rz"]),
        scene_cut=bool(rec.get("sc", False)),
    )


class TrackWriter:
    """Writes a track incrementally: constant memory, readable even if the process dies."""

    def __init__(self, path: str | os.PathLike, header: dict[str, Any], flush_interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.header = header
        self.flush_interval_s = flush_interval_s
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._raw: IO[bytes] = open(self.path, "wb")
        except OSError as e:
            raise OutputError(f"cannot write the landmark track {self.path}: {e.strerror or e}.") from None
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        self.frames = 0
        self._last_flush_t: float | None = None
        self._write_line(header)
        self.flush()

    def _write_line(self, obj: dict[str, Any]) -> None:
        try:
            self._gz.write(json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n")
        except OSError as e:
            raise OutputError(f"cannot write the landmark track {self.path}: {e.strerror or e}.") from None

    def write(self, frame: PoseFrame) -> None:
        self._write_line(frame_to_record(frame))
        self.frames += 1
        if self._last_flush_t is None or frame.t_s - self._last_flush_t >= self.flush_interval_s:
            self.flush()
            self._last_flush_t = frame.t_s

    def flush(self) -> None:
        """Push everything written so far to the file as complete gzip blocks."""
        try:
            self._gz.flush(zlib.Z_SYNC_FLUSH)
            self._raw.flush()
        except OSError as e:
            raise OutputError(f"cannot write the landmark track {self.path}: {e.strerror or e}.") from None

    def close(self) -> None:
        if self._gz.closed:
            return
        self._write_line({"end": {"frames": self.frames}})
        try:
            self._gz.close()
            self._raw.close()
        except OSError as e:
            raise OutputError(f"cannot write the landmark track {self.path}: {e.strerror or e}.") from None

    def abandon(self) -> None:
        """Flush and close the file without the end marker (the track stays readable, incomplete)."""
        if self._gz.closed:
            return
        try:
            self.flush()
        finally:
            self._raw.close()

    def __enter__(self) -> TrackWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()


def _lines(path: Path) -> Iterator[bytes]:
    """Complete lines of a gzip file, stopping quietly at a truncated end."""
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 16)
            if not block:
                break
            try:
                data = decomp.decompress(block)
            except zlib.error:
                break  # damaged tail: keep what was complete before it
            pending += data
            *complete, pending = pending.split(b"\n")
            yield from complete
            if decomp.eof:
                break


class TrackReader:
    """A track file read back as a source of :class:`PoseFrame`, without video or model.

    ``header`` is available right after construction; iterating streams the frames.  After a
    full iteration ``complete`` says whether the end marker was found (``False`` for a track whose
    writer died mid-way: the frames up to its last flush are still returned).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such track file.")
        try:
            first = next(_lines(self.path), None)
        except OSError as e:
            raise InputError(f"{self.path} cannot be read: {e.strerror or e}.") from None
        try:
            header = json.loads(first) if first else None
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InputError(f"{self.path} is not a footform landmark track (no '{FORMAT}' header).")
        if header.get("version") != VERSION:
            raise InputError(
                f"{self.path} is a version {header.get('version')} track; this footform reads version {VERSION}."
            )
        self.header: dict[str, Any] = header
        self.complete = False
        self.frames_read = 0

    @property
    def source(self) -> dict[str, Any]:
        return self.header.get("source") or {}

    def __iter__(self) -> Iterator[PoseFrame]:
        lines = _lines(self.path)
        next(lines, None)  # header
        self.complete = False
        self.frames_read = 0
        for n, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                raise InputError(f"{self.path} is damaged at line {n} (not valid JSON).") from None
            if "end" in rec:
                self.complete = True
                break
            try:
                frame = record_to_frame(rec)
            except (KeyError, TypeError, ValueError) as e:
                raise InputError(f"{self.path} is damaged at line {n} ({e}).") from None
            self.frames_read += 1
            yield frame

    def check_complete(self) -> None:
        """Tracks cut short by a crash are still usable; nothing to raise."""
        return None


def is_track(path: str | os.PathLike) -> bool:
    """True for a path that names a footform track file (by its suffix)."""
    return str(path).endswith(SUFFIX)
