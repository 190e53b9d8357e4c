"""`footform analyze` end to end, and bad input from the user's side of the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import run_cli

from footform.io.capture import VideoFileSource
from footform.io.pose import PoseEstimator, resolve_model
from footform.io.track import TrackReader


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("footform ")


@pytest.mark.model
def test_analyze_sample_writes_a_track_that_replays_the_same_landmarks(samples_dir, tmp_path):
    video = samples_dir / "pose2sim_cam01.mp4"
    proc = run_cli("analyze", str(video), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "feet visible 100 %" in proc.stdout and "at 60.0 fps" in proc.stdout
    run = json.loads((tmp_path / "run.json").read_text())
    q = json.loads((tmp_path / "summary.json").read_text())["quality"]
    assert q["frames"] == 100 and q["frames_feet_visible"] >= 95
    assert q["duration_s"] == pytest.approx(99 / 60, abs=1e-3)
    track = tmp_path / run["track"]
    reader = TrackReader(track)
    assert reader.header["model"]["sha256"] == resolve_model("full").sha256
    assert reader.header["source"]["name"] == video.name
    # no folder names travel with the results (#19): the video by name and content hash
    assert "path" not in reader.header["source"] and "path" not in reader.header["model"]
    assert len(reader.header["source"]["sha256"]) == 64
    assert str(video.parent) not in (tmp_path / "run.json").read_text() and run["input"] == video.name
    replayed = list(reader)
    assert reader.complete
    with PoseEstimator(resolve_model("full")) as est:
        direct = list(est.run(VideoFileSource(video)))
    assert len(replayed) == len(direct) == 100
    assert all(a.same_as(b) for a, b in zip(direct, replayed))

    # Re-analysing the track needs neither video nor model and sees the same quality.
    proc2 = run_cli("analyze", str(track), "--out", str(tmp_path / "again"))
    assert proc2.returncode == 0, proc2.stderr
    again = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert again["quality"] == q


def _truncated_avi(tmp_path):
    path = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 240))
    for i in range(60):
        writer.write(np.full((240, 320, 3), i * 4, np.uint8))
    writer.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return cut


@pytest.mark.parametrize(
    "kind, expect",
    [
        ("missing", "no such file"),
        ("zero", "is empty"),
        ("text", "not a video"),
        ("truncated", "looks truncated"),
        ("model", "does not exist"),
    ],
)
def test_bad_input_gives_one_sentence_and_nonzero_exit(tmp_path, kind, expect):
    args = []
    if kind == "missing":
        args = [str(tmp_path / "nothing.mp4")]
    elif kind == "zero":
        (tmp_path / "zero.mp4").write_bytes(b"")
        args = [str(tmp_path / "zero.mp4")]
    elif kind == "text":
        (tmp_path / "essay.mp4").write_text("Dear diary,\n" * 100)
        args = [str(tmp_path / "essay.mp4")]
    elif kind == "truncated":
        args = [str(_truncated_avi(tmp_path))]
    elif kind == "model":
        args = [str(_truncated_avi(tmp_path)), "--model", str(tmp_path / "gone.task")]
    proc = run_cli("analyze", *args, "--out", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("footform: ") and expect in lines[0]


def test_unwritable_output_is_one_sentence(tmp_path, samples_dir):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("analyze", str(samples_dir / "pose2sim_cam01.mp4"), "--out", str(blocker / "sub"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "cannot create the output folder" in proc.stderr


def test_batch_with_a_corrupt_file_finishes_the_good_ones_and_resumes(tmp_path):
    """A folder of sessions: the corrupt file is reported in one sentence, the others analysed;
    a second run skips what is already done."""
    from synth import generate, rep, still

    from footform.io.track import TrackWriter, make_header

    folder = tmp_path / "sessions"
    folder.mkdir()
    for k in range(2):
        frames, _ = generate([still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 3, view="side", seed=40 + k)
        with TrackWriter(folder / f"s{k}.track.jsonl.gz", make_header({"kind": "video", "name": f"s{k}"}, None)) as w:
            for f in frames:
                w.write(f)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    out = tmp_path / "out"
    proc = run_cli("analyze", str(folder), "--out", str(out), "--jobs", "2", "--no-store")
    assert proc.returncode != 0  # one file failed
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "broken.mp4" in errors[0], proc.stderr
    assert "3 files — 2 analysed, 0 skipped (already done), 1 failed" in proc.stdout
    for k in range(2):
        summary = json.loads((out / f"s{k}" / "summary.json").read_text())
        assert len(summary["reps"]) == 3
    again = run_cli("analyze", str(folder), "--out", str(out), "--jobs", "2", "--no-store")
    assert "0 analysed, 2 skipped (already done), 1 failed" in again.stdout


@pytest.mark.model
def test_track_full_paths_on_a_terminal(samples_dir, tmp_path):
    """``--track-full-paths`` puts the absolute paths of the video and the model into the track and
    run.json (for one's own use), typed on a terminal."""
    from conftest import run_cli_pty

    video = samples_dir / "pose2sim_cam01.mp4"
    code, screen = run_cli_pty("analyze", str(video), "--out", str(tmp_path), "--track-full-paths", "--no-store")
    assert code == 0, screen
    assert "Traceback" not in screen
    header = TrackReader(tmp_path / "pose2sim_cam01.track.jsonl.gz").header
    assert header["source"]["path"] == str(video.resolve())
    assert header["model"]["path"] == resolve_model("full").path
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["source"]["path"] == str(video.resolve()) and Path(run["track"]).is_absolute()
