"""Builds the rules regression guard's data (tests/data/rules_guard; tests/test_rules_guard.py).

    python bench/rules_guard.py tests/data/rules_guard EVALSET/NAME.truth.json ...

For each rendered clip named by its truth file (``tools.render`` output with the landmark track
``NAME.track.jsonl.gz`` beside it), writes into the folder:

* ``NAME.track.jsonl.gz`` — the same track, leaner: every landmark value (``lm``, ``wl``) is written
  as the shortest decimal that reads back as the same float32 (``str(np.float32(v))``) instead of
  the exact decimal of its float64 widening, and gzip level 9 instead of 6; every other field and
  the header are copied as they are.  About half the size.  The script reads the result back with
  footform's own reader and stops unless every frame's arrays are bit for bit those of the original
  (so the analysis sees exactly the same numbers);
* ``NAME.truth.json.gz`` — the truth file, byte for byte, gzip-compressed (the test unpacks it);
* ``NAME.scenario.toml`` — the scenario, for its seed (calibration / test split).

Nothing in a track or truth is edited: the guard replays what the pose model produced on the
rendered clip.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from footform.io.track import SUFFIX, TrackReader


def _short(rows: list[list[float]]) -> list[list[float]]:
    # the float64 nearest to the shortest float32 decimal: json writes it back as that decimal
    return [[float(str(np.float32(v))) for v in row] for row in rows]


def lean_track(src: Path, dst: Path) -> None:
    lines = []
    with gzip.open(src, "rt", encoding="utf-8") as f:
        for k, line in enumerate(f):
            if not line.strip():
                continue
            if k == 0:
                lines.append(line.rstrip("\n"))  # the header, unchanged
                continue
            rec = json.loads(line)
            for key in ("lm", "wl"):
                if rec.get(key) is not None:
                    rec[key] = _short(rec[key])
            lines.append(json.dumps(rec, separators=(",", ":"), allow_nan=False))
    with open(dst, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    a, b = TrackReader(src), TrackReader(dst)
    if a.header != b.header:
        raise SystemExit(f"{dst}: header differs from {src}")
    n = 0
    for fa, fb in zip(a, b, strict=True):
        for x, y in ((fa.image, fb.image), (fa.world, fb.world)):
            if (x is None) != (y is None) or (x is not None and x.tobytes() != y.tobytes()):
                raise SystemExit(f"{dst}: frame {fa.index} reads back different from {src}")
        if (fa.index, fa.t_s, fa.width, fa.height, fa.n_people, fa.scene_cut) != \
                (fb.index, fb.t_s, fb.width, fb.height, fb.n_people, fb.scene_cut) or \
                not (fa.rise_px == fb.rise_px or (fa.rise_px != fa.rise_px and fb.rise_px != fb.rise_px)):
            raise SystemExit(f"{dst}: frame {fa.index} metadata differs from {src}")
        n += 1
    if a.complete != b.complete:
        raise SystemExit(f"{dst}: end marker differs from {src}")
    print(f"{dst.name}: {n} frames identical, {src.stat().st_size // 1000} kB -> {dst.stat().st_size // 1000} kB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="the guard's data folder (tests/data/rules_guard)")
    ap.add_argument("truths", nargs="+", help="NAME.truth.json of rendered clips, the track beside each")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for t in map(Path, args.truths):
        name = t.name.removesuffix(".truth.json")
        track = t.with_name(name + SUFFIX)
        if not track.is_file():
            print(f"{track}: no landmark track beside the clip.", file=sys.stderr)
            return 2
        lean_track(track, out / (name + SUFFIX))
        with open(out / (name + ".truth.json.gz"), "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(t.read_bytes())
        scen = t.with_name(name + ".scenario.toml")
        if scen.is_file():
            shutil.copyfile(scen, out / scen.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
