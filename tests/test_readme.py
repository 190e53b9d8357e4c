"""The README's two commands are the project's contract: CI must run exactly its test command."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, run_cli_pty


def _commands(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    blocks = _commands(readme)
    test_cmd = next(b for b in blocks if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text()
    ci_cmd = test_cmd.replace("python3.11 -m venv", '"$PY" -m venv')
    assert ci_cmd in ci, "README's test command and .ci/run differ"


def test_readme_main_command_names_a_sample_that_exists():
    readme = (REPO / "README.md").read_text()
    main = _commands(readme)[0]
    sample = re.search(r"samples/\S+", main).group(0)
    assert (REPO / sample).is_file(), sample


@pytest.mark.model
def test_readme_shows_what_its_first_command_prints(sample_track, tmp_path):
    """The output block under the first command is what `footform analyze` prints for that sample
    (typed in a terminal): every line as shown, except the run-dependent last lines (where the
    results went, the run time, the session number) and the pose model's numbers in the rep rows
    and the set line, which move by a few hundredths with the number of pose processes — of those,
    the rep count must match."""
    readme = (REPO / "README.md").read_text()
    shown = re.search(r"```text\n(.*?)```", readme, flags=re.S).group(1).splitlines()
    shown = [ln.rstrip() for ln in shown if not ln.lstrip().startswith(("results in", "stored as"))]
    sample = re.search(r"samples/(\S+)\.mp4", _commands(readme)[0]).group(1)
    code, screen = run_cli_pty("analyze", str(sample_track(sample)), "--out", str(tmp_path / "out"), "--no-store")
    assert code == 0, screen
    printed = [ln.rstrip() for ln in re.split(r"[\r\n]+", screen)]

    def numbers(ln: str) -> bool:
        return bool(re.match(r"\s*\d+ both ", ln)) or ln.startswith("reps: ")

    missing = [ln for ln in shown if not numbers(ln) and ln not in printed]
    assert not missing, f"README shows lines footform does not print: {missing}\n{screen}"
    assert [ln.split()[0] for ln in shown if numbers(ln)] == [ln.split()[0] for ln in printed if numbers(ln)], screen
    assert next(ln for ln in shown if ln.startswith("reps: ")).split()[1] == \
        next(ln for ln in printed if ln.startswith("reps: ")).split()[1], screen
