"""Shared fixtures: paths to the repository, its samples, and the team's internal footage."""

from __future__ import annotations

import os
import subprocess
import sys
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
