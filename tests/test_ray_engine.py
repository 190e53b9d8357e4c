"""``footform analyze --engine ray``: a local Ray instance gives the local batch's results, survives a
killed worker, reports a bad file, and keeps Ray out of everything else.

The tests that start Ray are skipped when the ``ray`` extra is not installed (CI installs it, see
.ci/run).  Each starts one local Ray instance (10–20 s on the 2-core machine), so they use few,
short files: the two 100-frame pose2sim samples, and the 411-frame calf raise for the kill.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLES, run_cli, run_cli_pty

HAVE_RAY = importlib.util.find_spec("ray") is not None

needs_ray = pytest.mark.skipif(not HAVE_RAY, reason='the ray extra is not installed (pip install -e ".[ray]")')

#: Fields of summary.json / run.json that measure the run rather than the footage.
TIMING_FIELDS = {"wall_s", "created_utc"}


def _without_timing(value):
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING_FIELDS}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


def _track_records(path: Path) -> list[dict]:
    """The landmark records of a track (the header line, with its creation time, left out)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f][1:]


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (children, grandchildren …), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_importing_the_cli_does_not_import_ray():
    proc = subprocess.run([sys.executable, "-c", "import sys, footform.apps.cli; print('ray' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_engine_ray_without_ray_is_one_sentence(tmp_path):
    """Without the extra (simulated: the import of ray fails) --engine ray says how to get it."""
    track = tmp_path / "s.track.jsonl.gz"
    _write_track(track)
    code = ("import sys; sys.modules['ray'] = None\n"
            "from footform.apps.cli import main\n"
            f"sys.exit(main(['analyze', {str(track)!r}, '--out', {str(tmp_path / 'out')!r}, '--engine', 'ray', '--no-store']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 6, proc.stderr
    assert "Traceback" not in proc.stderr
    assert 'pip install "footform[ray]"' in proc.stderr


def test_ray_address_needs_the_ray_engine(tmp_path):
    proc = run_cli("analyze", str(SAMPLES / "pose2sim_cam01.mp4"), "--ray-address", "auto", "--no-store")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "--ray-address is for --engine ray" in proc.stderr


def _write_track(path: Path) -> None:
    from synth import generate, rep, still

    from footform.io.track import TrackWriter, make_header

    frames, _ = generate([still(1.5)] + [rep(0.06, 0.6, 0.5, 0.9), still(0.8)] * 3, view="side", seed=41)
    with TrackWriter(path, make_header({"kind": "video", "name": path.name}, None)) as w:
        for f in frames:
            w.write(f)


@needs_ray
@pytest.mark.model
@pytest.mark.slow
def test_ray_batch_in_a_terminal_matches_the_local_batch(tmp_path):
    """Two samples and a broken file, relative paths, as a user types them: the Ray run draws a
    progress bar, reports the broken file in one sentence and goes on, stores the sessions from the
    driver, and writes the same folders, summaries, tracks and batch.json as --engine local."""
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("pose2sim_cam01.mp4", "pose2sim_cam02.mp4"):
        shutil.copy(SAMPLES / name, clips / name)
    (clips / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)

    local = run_cli("analyze", "clips", "--out", "local", "--no-store", cwd=tmp_path)
    assert local.returncode != 0 and "Traceback" not in local.stderr, local.stderr
    code, screen = run_cli_pty("analyze", "clips", "--out", "ray", "--engine", "ray", "--person", "P1", cwd=tmp_path)
    assert "Traceback" not in screen, screen
    assert code == local.returncode, screen
    assert "batch:" in screen and "file/s" in screen and "\r" in screen  # tqdm's bar over files, redrawn in place
    assert " frames/s]" in screen  # and the frames the workers have done, polled from the actors
    assert re.search(r"Ray: \d+ workers on 1 node", screen), screen
    assert "3 files — 2 analysed, 0 skipped (already done), 1 failed" in screen
    assert "broken.mp4" in screen

    out_l, out_r = tmp_path / "local", tmp_path / "ray"
    assert sorted(p.relative_to(out_l).as_posix() for p in out_l.rglob("*")) == \
        sorted(p.relative_to(out_r).as_posix() for p in out_r.rglob("*"))
    assert json.loads((out_l / "batch.json").read_text()) == json.loads((out_r / "batch.json").read_text())
    for name in ("pose2sim_cam01", "pose2sim_cam02"):
        a = json.loads((out_l / name / "summary.json").read_text())
        b = json.loads((out_r / name / "summary.json").read_text())
        assert _without_timing(a) == _without_timing(b), name
        assert _track_records(out_l / name / f"{name}.track.jsonl.gz") == _track_records(out_r / name / f"{name}.track.jsonl.gz")
        run_l = json.loads((out_l / name / "run.json").read_text())
        run_r = json.loads((out_r / name / "run.json").read_text())
        for key in ("input", "settings", "frames", "pose_mode", "error", "input_size"):
            assert run_l[key] == run_r[key], key

    # Only the driver writes the session store: one session per analysed file.
    from footform.outputs.store import Store

    with Store.open(os.environ["FOOTFORM_DB"]) as store:
        assert len(store.sessions()) == 2

    # A rerun skips what is done (and does not even start Ray when nothing is left to do).
    (clips / "broken.mp4").unlink()
    again = run_cli("analyze", "clips", "--out", "ray", "--engine", "ray", "--no-store", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "2 files — 0 analysed, 2 skipped (already done), 0 failed" in again.stdout
    assert "Ray:" not in again.stdout


@needs_ray
@pytest.mark.model
@pytest.mark.slow
def test_a_worker_killed_mid_file_is_replaced_and_every_file_is_analysed(tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("calf_raise_side.mp4", "pose2sim_cam01.mp4"):
        shutil.copy(SAMPLES / name, clips / name)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "footform", "analyze", str(clips), "--out", str(out),
                             "--engine", "ray", "--no-store"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    try:
        deadline = time.monotonic() + 300
        seen: dict[int, float] = {}
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            for pid in _descendants(proc.pid):
                if "ray::FileAnalyzer.analyze" in _cmdline(pid):
                    seen.setdefault(pid, time.monotonic())
                    # 1.5 s into a file: the calf raise takes ~7–15 s here, the pose2sim clip ~3–6 s,
                    # so this worker is mid-file.
                    if time.monotonic() - seen[pid] > 1.5:
                        os.kill(pid, signal.SIGKILL)
                        killed = pid
                        break
            time.sleep(0.2)
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, "no Ray worker was seen analysing a file"
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "2 files — 2 analysed, 0 skipped (already done), 0 failed" in stdout
    assert json.loads((out / "calf_raise_side" / "summary.json").read_text())["exercise"] == "calf_raise"
    assert len(json.loads((out / "calf_raise_side" / "summary.json").read_text())["reps"]) == 4
    assert (out / "pose2sim_cam01" / "summary.json").is_file()
    assert [e["status"] for e in json.loads((out / "batch.json").read_text())] == ["done", "done"]


@needs_ray
def test_a_cluster_address_nobody_answers_on_is_one_sentence_at_once(tmp_path):
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    track = tmp_path / "s.track.jsonl.gz"
    _write_track(track)
    t0 = time.monotonic()
    proc = run_cli("analyze", str(track), "--out", str(tmp_path / "out"), "--engine", "ray",
                   "--ray-address", f"127.0.0.1:{port}", "--no-store")
    assert proc.returncode == 6 and "Traceback" not in proc.stderr, proc.stderr
    assert f"cannot connect to the Ray cluster at 127.0.0.1:{port}" in proc.stderr
    assert time.monotonic() - t0 < 60  # Ray alone would retry for minutes
