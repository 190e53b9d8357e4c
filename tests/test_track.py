"""The landmark track format: exact round trips, streaming, crash safety, clear errors."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from footform.core.landmarks import PoseFrame
from footform.errors import InputError
from footform.io.track import SUFFIX, TrackReader, TrackWriter, make_header


def random_frames(n: int, seed: int = 0) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    t = 0.0
    for i in range(n):
        t += float(rng.uniform(0.02, 0.05))  # variable frame rate
        if i % 7 == 3:
            frames.append(PoseFrame(index=i, t_s=t, width=1280, height=720))
            continue
        image = rng.normal(0.5, 0.3, size=(33, 5)).astype(np.float32)
        image[:, 3:] = rng.uniform(0, 1, size=(33, 2)).astype(np.float32)
        world = rng.normal(0, 0.5, size=(33, 3)).astype(np.float32)
        frames.append(PoseFrame(index=i, t_s=t, width=1280, height=720, image=image, world=world, n_people=1 + i % 2))
    return frames


def header() -> dict:
    return make_header(source={"kind": "video", "name": "x.mp4"}, model={"name": "full", "sha256": "0" * 64})


def test_round_trip_is_exact(tmp_path):
    frames = random_frames(200)
    path = tmp_path / f"a{SUFFIX}"
    with TrackWriter(path, header()) as w:
        for f in frames:
            w.write(f)
    reader = TrackReader(path)
    assert reader.header["format"] == "footform.track" and reader.header["version"] == 1
    assert reader.header["software"]["name"] == "footform"
    assert reader.header["model"]["sha256"] == "0" * 64
    back = list(reader)
    assert reader.complete
    assert len(back) == len(frames)
    for a, b in zip(frames, back):
        assert a.same_as(b), a.index
    # Float32 bits survive, not just approximately equal values.
    assert back[0].image.dtype == np.float32
    assert back[0].image.tobytes() == frames[0].image.tobytes()


def test_track_is_plain_gzip_json_lines(tmp_path):
    path = tmp_path / f"b{SUFFIX}"
    with TrackWriter(path, header()) as w:
        for f in random_frames(5):
            w.write(f)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert json.loads(lines[0])["format"] == "footform.track"
    rec = json.loads(lines[1])
    assert set(rec) == {"i", "t", "w", "h", "n", "lm", "wl"}
    assert len(rec["lm"]) == 33 and len(rec["lm"][0]) == 5
    assert json.loads(lines[-1]) == {"end": {"frames": 5}}


def test_process_killed_mid_track_keeps_flushed_frames(tmp_path):
    """A writer that dies without closing leaves a readable track that loses at most ~1 s."""
    path = tmp_path / f"c{SUFFIX}"
    script = textwrap.dedent(
        f"""
        import os, numpy as np
        from footform.core.landmarks import PoseFrame
        from footform.io.track import TrackWriter, make_header
        w = TrackWriter({str(path)!r}, make_header(source={{}}, model=None), flush_interval_s=1.0)
        img = np.full((33, 5), 0.5, np.float32); wl = np.zeros((33, 3), np.float32)
        for i in range(300):  # 10 s at 30 fps
            w.write(PoseFrame(index=i, t_s=i / 30, width=640, height=480, image=img, world=wl, n_people=1))
        os._exit(9)  # as if killed: no close, no end marker
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    reader = TrackReader(path)
    frames = list(reader)
    assert not reader.complete
    assert len(frames) >= 300 - 31, len(frames)  # at most one second (30 frames) lost
    assert [f.index for f in frames] == list(range(len(frames)))


def test_not_a_track_gives_one_sentence(tmp_path):
    bad = tmp_path / f"d{SUFFIX}"
    bad.write_bytes(gzip.compress(b'{"hello": 1}\n'))
    with pytest.raises(InputError, match="not a footform landmark track"):
        TrackReader(bad)
    junk = tmp_path / f"e{SUFFIX}"
    junk.write_bytes(b"this is not gzip")
    with pytest.raises(InputError, match="not a footform landmark track"):
        TrackReader(junk)
    with pytest.raises(InputError, match="no such track file"):
        TrackReader(tmp_path / f"missing{SUFFIX}")


def test_newer_version_is_refused_clearly(tmp_path):
    path = tmp_path / f"f{SUFFIX}"
    h = header()
    h["version"] = 99
    path.write_bytes(gzip.compress((json.dumps(h) + "\n").encode()))
    with pytest.raises(InputError, match="version 99"):
        TrackReader(path)


def test_header_names_no_folders_unless_asked(tmp_path):
    """A track travels with exported results: by default it names the video and the model by file
    name and checksum only; ``full_paths`` (``--track-full-paths``) adds the absolute paths."""
    import hashlib

    folder = tmp_path / "home" / "jane.doe" / "patients" / "Smith, Anna"
    folder.mkdir(parents=True)
    video = folder / "calf raises.mp4"
    video.write_bytes(b"not really a video, but content to hash" * 70_000)   # > one 1 MiB chunk
    model_path = folder / "pose.task"
    source = {"kind": "video", "name": video.name, "path": str(video.resolve()), "width": 640}
    model = {"name": "pose", "file": model_path.name, "path": str(model_path), "sha256": "ab" * 32}

    plain = make_header(source=source, model=model)
    text = json.dumps(plain)
    assert "jane.doe" not in text and "patients" not in text and "path" not in plain["source"]
    assert plain["source"]["name"] == "calf raises.mp4" and plain["source"]["width"] == 640
    assert plain["source"]["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert plain["model"] == {"name": "pose", "file": "pose.task", "sha256": "ab" * 32}
    assert source["path"] == str(video.resolve()) and "path" in model   # the caller's dicts are untouched

    full = make_header(source=source, model=model, full_paths=True)
    assert full["source"]["path"] == str(video.resolve()) and full["model"]["path"] == str(model_path)
    assert full["source"]["sha256"] == plain["source"]["sha256"]
