"""``python -m tools.render.batch SCENARIO_DIR --out DIR``: render every scenario in a folder.

Renders ``SCENARIO_DIR/*.toml`` (sorted by name) into ``DIR``: for each scenario ``<name>.mp4``,
``<name>.truth.json`` and a copy ``<name>.scenario.toml``.  ``--skip-existing`` leaves clips
whose truth file is already there (so an interrupted batch resumes), ``--jobs N`` renders N clips
at once (each uses one core), ``--truth-only`` computes truth files without rendering video.
Writes ``DIR/index.json`` listing the clips (name, exercise, view, duration, faults).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from footform.errors import FootformError


def _one(path: str, out: str, video: bool) -> tuple[str, dict | str]:
    from tools.render.generate import main_one

    try:
        truth = main_one(path, out, video=video, log=None)
    except FootformError as e:
        return path, f"error: {e}"
    return path, {"name": truth["scenario"]["name"], "exercise": truth["exercise"], "view": truth["view"],
                  "duration_s": truth["duration_s"], "reps": len(truth["reps"]), "holds": len(truth["holds"]),
                  "faults": sorted({f["kind"] for f in truth["faults"]})}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.render.batch", description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder of scenario .toml files")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--skip-existing", action="store_true")
    ap.add_argument("--truth-only", action="store_true")
    args = ap.parse_args(argv)
    folder, out = Path(args.folder), Path(args.out)
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        print(f"tools.render.batch: no .toml scenario files in {folder}.", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    todo = []
    for p in paths:
        name = p.name.removesuffix(".toml").removesuffix(".scenario")
        if args.skip_existing and (out / f"{name}.truth.json").exists():
            continue
        todo.append(str(p))
    t0 = time.monotonic()
    results: list[tuple[str, dict | str]] = []
    if args.jobs <= 1:
        for k, p in enumerate(todo, 1):
            results.append(_one(p, str(out), not args.truth_only))
            print(f"[{k}/{len(todo)}] {p}: {results[-1][1] if isinstance(results[-1][1], str) else 'ok'} "
                  f"({time.monotonic() - t0:.0f} s)", flush=True)
    else:
        with ProcessPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(_one, p, str(out), not args.truth_only) for p in todo]
            for k, f in enumerate(futs, 1):
                results.append(f.result())
                print(f"[{k}/{len(todo)}] {results[-1][0]}: ok ({time.monotonic() - t0:.0f} s)", flush=True)
    index_path = out / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    failed = 0
    for p, r in results:
        if isinstance(r, str):
            failed += 1
            print(f"{p}: {r}", file=sys.stderr)
        else:
            index[r["name"]] = r
    index_path.write_text(json.dumps(dict(sorted(index.items())), indent=1))
    print(f"{len(results) - failed} rendered, {failed} failed, {len(paths) - len(todo)} skipped "
          f"in {time.monotonic() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
