"""The CLI the way a user runs it: in a terminal (a pseudo-terminal), where progress bars switch on.

A crash that only happened with a terminal attached once shipped in the README's first command
(tqdm's progress bar has no truth value before its total is known); these tests keep it covered.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run_cli_pty


@pytest.mark.model
def test_analyze_in_a_terminal_draws_a_progress_bar_and_finishes(samples_dir, tmp_path):
    code, screen = run_cli_pty("analyze", str(samples_dir / "calf_raise_side.mp4"), "--out", str(tmp_path / "out"))
    assert code == 0, screen
    assert "Traceback" not in screen
    assert "frame" in screen and "\r" in screen  # tqdm redraws its bar in place on a terminal
    assert "calf_raise_side.mp4" in screen
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["exercise"]


@pytest.mark.model
def test_analyze_a_folder_in_a_terminal(samples_dir, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("calf_raise_side.mp4", "pose2sim_cam01.mp4"):
        shutil.copy(samples_dir / name, folder / name)
    code, screen = run_cli_pty("analyze", str(folder), "--out", str(tmp_path / "out"))
    assert code == 0, screen
    assert "Traceback" not in screen
    assert (tmp_path / "out" / "calf_raise_side" / "summary.json").is_file()
    assert (tmp_path / "out" / "pose2sim_cam01" / "summary.json").is_file()


def test_version_and_sessions_in_a_terminal(tmp_path):
    code, screen = run_cli_pty("--version")
    assert code == 0 and screen.startswith("footform "), screen
    code, screen = run_cli_pty("sessions")
    assert code == 0, screen
    assert "Traceback" not in screen
