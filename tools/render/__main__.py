"""``python -m tools.render SCENARIO.toml [...] --out DIR``: render scenario files."""

from __future__ import annotations

import argparse
import sys

from footform.errors import FootformError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.render",
                                 description="Render exercise clips with exact ground truth from scenario files.")
    ap.add_argument("scenarios", nargs="+", help="scenario .toml file(s)")
    ap.add_argument("--out", required=True, help="output folder (video, truth JSON and a copy of the scenario)")
    ap.add_argument("--truth-only", action="store_true", help="compute the truth file only (no rendering, fast)")
    ap.add_argument("--max-frames", type=int, default=None, help="stop after this many frames (previews)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    from tools.render.generate import main_one

    try:
        for s in args.scenarios:
            main_one(s, args.out, video=not args.truth_only, max_frames=args.max_frames,
                     log=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    except FootformError as e:
        print(f"tools.render: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
