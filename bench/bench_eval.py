"""The evaluation benchmark: render bench/scenarios (on demand) and score footform against the truth.

    python bench/bench_eval.py SET_DIR [--render] [--jobs 1] [--out report.json] [--rules FILE]

``--render`` first renders every scenario of ``bench/scenarios/`` missing from ``SET_DIR``
(``python -m tools.render.batch … --skip-existing``: needs the ``render`` extra, docs/rendering.md;
~1–2 min per clip per core).  Then runs ``python -m tools.render.evaluate SET_DIR`` (core
dependencies only) and prints its table; the numbers and how they were obtained are in
docs/evaluation.md.  The rendered set is not part of the repository: keep ``SET_DIR`` outside it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tools.render runs from the checkout, not from the installed package


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir")
    ap.add_argument("--render", action="store_true", help="render the scenarios missing from SET_DIR first")
    ap.add_argument("--jobs", type=int, default=1, help="clips rendered at once (one core each)")
    ap.add_argument("--out", help="JSON report")
    ap.add_argument("--rules", help="rule override file")
    ap.add_argument("--work", help="cache of landmark tracks (default: the evaluator's)")
    a = ap.parse_args()
    set_dir = Path(a.set_dir).resolve()
    if REPO in set_dir.parents or set_dir == REPO:
        print("bench_eval: keep the rendered set outside the repository.", file=sys.stderr)
        return 2
    if a.render:
        rc = subprocess.call([sys.executable, "-m", "tools.render.batch", str(REPO / "bench" / "scenarios"),
                              "--out", str(set_dir), "--skip-existing", "--jobs", str(a.jobs)], cwd=REPO)
        if rc:
            print(f"bench_eval: rendering finished with status {rc}; evaluating what is there.", file=sys.stderr)
    from tools.render.evaluate import main as evaluate

    args = [str(set_dir)]
    for opt in ("out", "rules", "work"):
        if getattr(a, opt):
            args += [f"--{opt}", getattr(a, opt)]
    return evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
