"""The ``footform`` command line.

Every failure a user can cause ends in one sentence on stderr and a non-zero exit status (see
:mod:`footform.errors`); tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import __version__
from .errors import FootformError, OutputError
from .pipeline import open_input, run_pose


@contextlib.contextmanager
def native_logs_hidden(enabled: bool = True) -> Iterator[None]:
    """Keep MediaPipe/TFLite's C++ log lines (written straight to file descriptor 2) off the terminal.

    Python's ``sys.stderr`` keeps writing to the real terminal (through a duplicate of the
    original descriptor), so progress bars and error sentences still show; only native writes
    to descriptor 2 go to a temporary file, discarded at the end.
    """
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    sink = tempfile.TemporaryFile()
    old_stderr = sys.stderr
    try:
        os.dup2(sink.fileno(), 2)
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=old_stderr.encoding or "utf-8", errors="replace")
        yield
    finally:
        try:
            sys.stderr.flush()
            sys.stderr.close()
        finally:
            sys.stderr = old_stderr
            os.dup2(saved, 2)
            os.close(saved)
            sink.close()


def _progress(total: int, desc: str):
    """A tqdm progress bar on an interactive terminal, else a no-op."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="frame", leave=False, dynamic_ncols=True)


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f} %" if whole else "–"


def cmd_analyze(args: argparse.Namespace) -> int:
    out_root = Path(args.out) if args.out else Path("footform-out")
    status = 0
    for item in args.inputs:
        inp = open_input(item, model=args.model, num_poses=args.people, fps=args.fps)
        out_dir = out_root if len(args.inputs) == 1 and args.out else out_root / inp.name
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the output folder {out_dir}: {e.strerror or e}.") from None
        bar = _progress(inp.frame_count_hint, inp.name)
        try:
            result = run_pose(inp, out_dir, on_frame=(lambda f: bar.update(1)) if bar else None)
        finally:
            if bar is not None:
                bar.close()
        q = result.quality
        quality = q.to_dict()
        report = {
            "input": str(item),
            "source": inp.source,
            "model": inp.model.to_dict() if inp.model else None,
            "track": str(result.track_path) if result.track_path else None,
            "quality": quality,
        }
        try:
            (out_dir / "run.json").write_text(json.dumps(report, indent=2) + "\n")
        except OSError as e:
            raise OutputError(f"cannot write {out_dir / 'run.json'}: {e.strerror or e}.") from None
        print(f"{inp.name}: {q.frames} frames, {q.duration_s:.1f} s at {q.fps:.1f} fps")
        print(f"  person found    {_percent(q.frames_with_person, q.frames):>6}  ({q.frames_with_person} frames)")
        print(f"  both feet seen  {_percent(q.frames_feet_visible, q.frames):>6}  ({q.frames_feet_visible} frames)")
        print(f"  camera view     {q.view}")
        if result.track_path is not None and not inp.is_track:
            print(f"  landmark track  {result.track_path}")
        if result.error is not None:
            print(f"footform: {result.error}", file=sys.stderr)
            status = result.error.exit_code
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="footform",
        description="Check the form of foot and ankle rehabilitation exercises from a camera or a video.",
    )
    parser.add_argument("--version", action="version", version=f"footform {__version__}")
    parser.add_argument("--verbose", action="store_true", help="also show MediaPipe's own log lines")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse recorded videos or landmark tracks")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="video file, image folder, or landmark track (.track.jsonl.gz)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: footform-out/<input name>)")
    p.add_argument("--model", metavar="PATH", help="pose model: 'full', 'heavy' or a PoseLandmarker .task file")
    p.add_argument("--people", type=int, default=1, metavar="N", help="people the model looks for; use 2 when others may walk into view (slower)")
    p.add_argument("--fps", type=float, default=30.0, help="frame rate of an image folder (frames per second)")
    p.set_defaults(func=cmd_analyze)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with native_logs_hidden(not args.verbose):
            return int(args.func(args) or 0)
    except FootformError as e:
        print(f"footform: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("footform: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
