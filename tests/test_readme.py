"""The README's two commands are the project's contract: CI must run exactly its test command."""

from __future__ import annotations

import re

from conftest import REPO


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
