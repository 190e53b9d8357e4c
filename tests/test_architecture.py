"""The package's shape, checked from the source with the standard library's ``ast``.

docs/architecture.md draws footform as layers with imports pointing one way (from the apps down to
the pure signal code).  These tests keep that true: no import cycles between modules, no package
importing a layer above it, no module reaching into another module's private (``_``) names, and
the renderer (a development tool that needs torch) outside the installed package.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

SRC = REPO / "src"
PKG = SRC / "footform"

#: What each package may import (besides itself, the standard library, third-party packages,
#: ``footform`` (its version) and ``footform.errors``).  Lower layers first.
ALLOWED = {
    "core": set(),
    "exercises": {"core"},
    "feedback": {"core", "exercises"},
    "analysis": {"core", "exercises", "feedback"},
    "io": {"core"},
    "outputs": {"core", "exercises", "feedback", "analysis", "io"},
    "apps": {"core", "exercises", "feedback", "analysis", "io", "outputs"},
}


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, list[str], int]]:
    """(imported footform module, imported names, line) for every import in the file, lazy ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not (mod == "footform" or mod.startswith("footform.")):
                continue
            names = [a.name for a in node.names]
            for n in names:       # "from footform.x import y" where y is a module
                if f"{mod}.{n}" in modules:
                    found.append((f"{mod}.{n}", [], node.lineno))
            found.append((mod, names, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("footform"):
                    found.append((a.name, [], node.lineno))
    return found


def test_no_import_cycles():
    modules = _modules()
    graph = {m: {t for t, _, _ in _imports(m, p, modules) if t in modules and t != m and not p.name == "__init__.py"}
             for m, p in modules.items()}
    cycles, index, low, stack, on = [], {}, {}, [], set()

    def visit(v: str) -> None:           # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_imports_point_down_the_layers():
    modules = _modules()
    wrong = []
    for m, p in modules.items():
        parts = m.split(".")
        if len(parts) < 3 or parts[1] not in ALLOWED:
            continue
        layer = parts[1]
        for t, _, line in _imports(m, p, modules):
            tp = t.split(".")
            if len(tp) < 2 or tp[1] == layer or tp[1] in ("errors",):
                continue
            if tp[1] not in ALLOWED[layer]:
                wrong.append(f"{p.relative_to(REPO)}:{line} ({layer}) imports {t}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_every_module_sits_in_a_layer():
    top = sorted(p.stem for p in PKG.glob("*.py"))
    assert top == ["__init__", "__main__", "errors"], top
    assert {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(ALLOWED)


def test_no_module_imports_another_modules_private_names():
    modules = _modules()
    wrong = []
    for m, p in modules.items():
        for t, names, line in _imports(m, p, modules):
            if t != m:
                wrong += [f"{p.relative_to(REPO)}:{line} imports {t}.{n}" for n in names
                          if n.startswith("_") and n != "__version__"]
    assert not wrong, "\n".join(wrong)


def test_the_renderer_is_not_part_of_the_installed_package():
    assert not (PKG / "render").exists()
    assert (REPO / "tools" / "render" / "generate.py").is_file()


def test_ruff_check_is_clean():
    """``ruff check`` with the project's settings ([tool.ruff] in pyproject.toml) finds nothing."""
    exe = shutil.which("ruff") or (str(Path(sys.executable).with_name("ruff"))
                                   if Path(sys.executable).with_name("ruff").exists() else None)
    if exe is None:
        pytest.skip("ruff is not installed (pip install '.[test]' installs it)")
    proc = subprocess.run([exe, "check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
