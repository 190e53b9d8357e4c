"""Shared fixtures: paths to the repository, its samples, and the team's internal footage."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
# Internal real clips with hand-made ground truth live beside the checkout (never in it).
FOOTAGE = Path(os.environ.get("FOOTFORM_FOOTAGE", REPO.parent / "shared" / "footage"))


@pytest.fixture(autouse=True)
def _private_session_store(tmp_path_factory, monkeypatch):
    """Every test writes sessions into its own database, never the user's data folder."""
    monkeypatch.setenv("FOOTFORM_DB", str(tmp_path_factory.mktemp("db") / "footform.db"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    if not (FOOTAGE / "ground_truth.json").is_file():
        pytest.skip(f"internal footage not available at {FOOTAGE} (only the team's machines and CI have it)")
    return FOOTAGE


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m footform ARGS`` in a fresh interpreter, capturing text output."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "footform", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_cli_pty(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600,
                columns: int = 100) -> tuple[int, str]:
    """Run ``python -m footform ARGS`` with stdin, stdout and stderr on a pseudo-terminal.

    This is what a user typing the command sees: progress bars and colours switch on only when the
    streams are a terminal. Returns the exit status and everything written to the terminal (stdout
    and stderr interleaved, with carriage returns as the terminal got them).
    """
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    full_env = dict(os.environ)
    full_env.update({"TERM": "xterm-256color", "COLUMNS": str(columns)})
    if env:
        full_env.update(env)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "footform", *args], cwd=cwd, env=full_env,
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True, start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                raise TimeoutError(f"footform {' '.join(args)} did not finish within {timeout} s")
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed its side of the terminal
                    data = b""
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                # Drain what is left, then stop.
                while select.select([master], [], [], 0.1)[0]:
                    try:
                        data = os.read(master, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        break
                    chunks.append(data)
                break
    finally:
        os.close(master)
    code = proc.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="session")
def sample_track(tmp_path_factory):
    """``sample_track(name)`` → a landmark track of ``samples/<name>.mp4``, the pose model run once
    per test session (analysing a track afterwards takes well under a second)."""
    root = tmp_path_factory.mktemp("sample_tracks")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            from footform.io.pose import estimate_video
            from footform.io.track import TrackWriter, make_header

            path = root / f"{name}.track.jsonl.gz"
            with TrackWriter(path, make_header({"path": f"samples/{name}.mp4"}, None)) as w:
                for frame in estimate_video(SAMPLES / f"{name}.mp4"):
                    w.write(frame)
            made[name] = path
        return made[name]

    return get


# ---- an X server for the live window tests (test_live.py, test_program.py) ----

def _xvfb_or_skip() -> str:
    exe = shutil.which("Xvfb")
    if exe is None or shutil.which("xwd") is None:
        missing = "Xvfb" if exe is None else "xwd (x11-apps)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is not installed, and CI must run the live window tests (.ci/run installs it)")
        pytest.skip(f"{missing} is not installed (apt-get install xvfb x11-apps) and CI is not set")
    return exe


@pytest.fixture(scope="module")
def xdisplay():
    exe = _xvfb_or_skip()
    for n in range(91, 160):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        proc = subprocess.Popen([exe, f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is None:
            try:
                yield f":{n}"
            finally:
                proc.terminate()
                proc.wait(10)
            return
    pytest.fail("no free X display number for Xvfb")
