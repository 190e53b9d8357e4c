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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from footform import __version__
from footform.analysis.summary import format_table, plural
from footform.apps import cli_args as ca
from footform.apps.cli_program import register as register_program
from footform.apps.cli_review import register as register_review
from footform.apps.live.command import register_live
from footform.apps.pipeline import AnalyzeOptions, FileResult, analyze_file, batch_file, native_logs_hidden
from footform.errors import FootformError
from footform.exercises import registry
from footform.feedback.engine import load_rules
from footform.io.capture import VIDEO_SUFFIXES
from footform.io.pose import resolve_model
from footform.io.track import SUFFIX as TRACK_SUFFIX
from footform.io.track import TrackReader, is_track

if TYPE_CHECKING:  # pragma: no cover
    from footform.outputs.store import Store


def _progress(total: int, desc: str, unit: str = "frame"):
    """A tqdm progress bar on an interactive terminal, else ``None``."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit=unit, leave=False, dynamic_ncols=True)


def _expand_inputs(items: list[str]) -> list[Path]:
    """Files named on the command line, with folders of videos/tracks expanded (sorted)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            inside = sorted(q for q in p.iterdir() if q.is_file() and (q.suffix.lower() in VIDEO_SUFFIXES or is_track(q)))
            if inside:
                out.extend(inside)
                continue
        out.append(p)  # a video, a track, an image folder — or a missing path, reported later
    return out


def _out_dirs(inputs: list[Path], out: str | None) -> list[Path]:
    """One output folder per input: ``--out`` itself for a single input, else ``<out>/<name>``."""
    root = Path(out) if out else Path("footform-out")
    if len(inputs) == 1 and out:
        return [root]
    dirs, seen = [], set()
    for p in inputs:
        name = p.name[: -len(TRACK_SUFFIX)] if is_track(p) else (p.stem if p.suffix else p.name)
        cand, n = name, 2
        while cand in seen:
            cand, n = f"{name}-{n}", n + 1
        seen.add(cand)
        dirs.append(root / cand)
    return dirs


def _expected_settings(path: Path, options: AnalyzeOptions) -> dict | None:
    """The settings an earlier run must have used for its results to be reused (None: cannot tell)."""
    try:
        if is_track(path):
            model = TrackReader(path).header.get("model") or {}
            sha = model.get("sha256")
        else:
            sha = resolve_model(options.model).sha256
    except FootformError:
        return None
    return options.settings_key() | {"model": sha}


def _already_done(path: Path, out_dir: Path, options: AnalyzeOptions) -> bool:
    """True when ``out_dir`` holds a complete, error-free run of this same input with the same settings."""
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if run.get("error") or not (out_dir / "summary.json").is_file():
        return False
    # run.json names the input by file name only (no folders) unless --track-full-paths was given
    recorded = run.get("input", "")
    if recorded != path.name and Path(recorded).resolve() != path.resolve():
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    if run.get("input_size") != st.st_size or run.get("input_mtime") != int(st.st_mtime):
        return False
    return run.get("settings") == _expected_settings(path, options)


def _open_store(args: argparse.Namespace) -> Store | None:
    """The session store, opened and checked (not damaged, writable) before any analysis runs."""
    if args.no_store:
        return None
    from footform.outputs.store import Store

    store = Store.open(args.db)
    try:
        store.check_writable()
    except BaseException:
        store.close()
        raise
    return store


def _store_result(args: argparse.Namespace, store: Store | None, result: FileResult) -> str | None:
    """Record the session in the store; returns a line to print (or None with --no-store)."""
    if store is None or result.summary is None:
        return None
    targets = {k: v for k, v in (("reps", args.reps), ("hold_s", args.hold), ("metronome_bpm", args.metronome)) if v}
    person = store.ensure_person(args.person, height_cm=args.height_cm) if args.person else None
    summary = result.summary.to_dict()
    sid = store.add_session(summary, person=person, track_path=result.track_path,
                            out_dir=result.out_dir, source=result.source, model=result.model, targets=targets)
    status = "" if result.summary.analysable else " (not analysable)"
    note = ""
    if args.person:   # a session of someone with a home program belongs to one of its items (#21)
        from footform.outputs.program import attribution_note

        note = attribution_note(store, sid, args.person, summary.get("exercise"), getattr(args, "item", None))
    return f"  stored as session {sid}{status} in {store.path}{note}"


def _print_result(result: FileResult, several: bool) -> None:
    s = result.summary
    if s is None:
        return
    if several:
        print(f"== {result.name}")
    q = s.quality
    fps = (q.frames - 1) / q.duration_s if q.duration_s > 0 else 0.0
    pct = lambda n: f"{100.0 * n / q.frames:.0f} %" if q.frames else "-"  # noqa: E731
    print(f"quality: {plural(q.frames, 'frame')}, {q.duration_s:.1f} s at {fps:.1f} fps; person found {pct(q.frames_with_person)}, "
          f"feet visible {pct(q.frames_feet_visible)}; camera view {s.view}")
    print(format_table(s))
    if s.flags:
        print("flags:")
        for f in s.flags:
            side = f" ({f['side']})" if f.get("side") else ""
            print(f"  {f['t_start']:7.2f}–{f['t_end']:.2f} s  {f['severity']:<4}  {f['label']}{side}: {f['message']}")
    for line in s.not_measurable:
        print(f"  {line}")
    print(f"  results in {result.out_dir}  ({plural(result.frames, 'frame')}, pose: {result.pose_mode}, {result.wall_s:.1f} s)")


def _analyze_one(item: Path, out_dir: Path, options: AnalyzeOptions, progress: bool,
                 on_progress: Callable[[int], None] | None = None) -> FileResult:
    """Analyse one input in this process, with a frame progress bar on a terminal (``progress``)
    or reporting frames to ``on_progress``."""
    bar = _progress(0, item.name) if progress else None
    if bar is not None:
        on_progress = bar.update
    try:
        return analyze_file(item, out_dir, options, on_progress=on_progress)
    finally:
        if bar is not None:
            bar.close()


def cmd_analyze(args: argparse.Namespace) -> int:
    if getattr(args, "item", None) is not None and not getattr(args, "_program_applied", False):
        from footform.outputs.program import analyze_item_args  # --item: the program item's exercise, targets and rules

        with analyze_item_args(args) as item_args:
            return cmd_analyze(item_args)
    exercise = args.exercise.replace("-", "_")
    targets = tuple((k, float(v)) for k, v in (("reps", args.reps), ("hold_s", args.hold), ("metronome_bpm", args.metronome)) if v)
    inputs = _expand_inputs(args.inputs)
    several = len(inputs) > 1
    options = AnalyzeOptions(exercise=exercise, height_cm=args.height_cm, rules=args.rules, model=args.model,
                             people=args.people, fps=args.fps, targets=targets, full_paths=args.track_full_paths,
                             workers=args.workers if args.workers else (1 if (several and args.jobs > 1) or args.engine == "ray" else (os.cpu_count() or 1)))
    if args.ray_address and args.engine != "ray":
        raise FootformError("--ray-address is for --engine ray (add --engine ray, or leave the address out).")
    if args.rules:
        load_rules(exercise, args.rules)  # a bad rule file is reported before any work
    with contextlib.ExitStack() as stack:
        store = _open_store(args)  # a damaged or read-only database is reported before any work
        if store is not None:
            stack.callback(store.close)
        return _analyze_all(args, inputs, options, store)


def _analyze_all(args: argparse.Namespace, inputs: list[Path], options: AnalyzeOptions, store: Store | None) -> int:
    several = len(inputs) > 1
    dirs = _out_dirs(inputs, args.out)
    todo, outcomes = [], []
    for item, out_dir in zip(inputs, dirs):
        if not args.force and _already_done(item, out_dir, options):
            outcomes.append((item, "skipped", "already analysed with the same model and settings", 0))
            print(f"{item}: already analysed with the same model and settings in {out_dir} (--force analyses it again)")
        else:
            todo.append((item, out_dir))

    def finished(item: Path, result: FileResult | None, error: str | None, code: int) -> None:
        if result is not None:
            _print_result(result, several)
            stored = _store_result(args, store, result)
            if stored:
                print(stored)
            if result.error is not None:
                error, code = str(result.error), result.error.exit_code
                print(f"footform: {_about(item, error) if several else error}", file=sys.stderr)
        elif error is not None:
            print(f"footform: {_about(item, error) if several else error}", file=sys.stderr)
        outcomes.append((item, "failed" if error else "done", error or "", code))

    if (args.engine == "ray" and todo) or (args.jobs > 1 and len(todo) > 1):
        bar = _progress(len(todo), "batch", unit="file")
        if args.engine == "ray":
            from footform.apps.ray_engine import analyze_on_ray

            runs = analyze_on_ray(todo, options, address=args.ray_address, jobs=args.jobs if args.jobs > 1 else None,
                                  on_frames=_frames_postfix(bar) if bar is not None else None,
                                  on_start=bar.write if bar is not None else print)
        else:
            runs = _process_pool(todo, options, args.jobs)
        try:
            for item, result, error, code in runs:
                if bar is not None:
                    bar.clear()  # the file's lines go above the bar, not onto it
                finished(Path(item), result, error, code)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
    else:
        for item, out_dir in todo:
            try:
                result = _analyze_one(item, out_dir, options, progress=True)
                finished(item, result, None, 0)
            except FootformError as e:
                if not several:
                    raise
                finished(item, None, str(e), e.exit_code)

    # Files finish in any order (processes, Ray workers): the summary and batch.json list them in
    # the order they were given, so two runs of the same batch write the same batch.json.
    order = {str(p): k for k, p in enumerate(inputs)}
    outcomes.sort(key=lambda o: order.get(str(o[0]), len(order)))
    if several:
        _batch_summary(outcomes, dirs[0].parent if dirs else Path("footform-out"))
    codes = [code for *_, code in outcomes if code]
    return codes[0] if codes else 0


def _about(item: Path, message: str) -> str:
    """``message`` about one file of a batch, naming the file once (most errors already name it)."""
    return message if str(item) in message or item.name in message else f"{item}: {message}"


def _frames_postfix(bar) -> Callable[[int], None]:
    """A callback that shows the frames done by all workers (and their rate) after a file bar."""
    import time

    state = {"frames": 0, "t0": 0.0}

    def on_frames(n: int) -> None:
        if not state["frames"]:
            state["t0"] = time.perf_counter()  # rate from the first report on (not Ray's start-up)
        state["frames"] += n
        rate = state["frames"] / max(1e-6, time.perf_counter() - state["t0"])
        bar.set_postfix_str(f"{state['frames']} frames, {rate:.0f} frames/s")

    return on_frames


def _process_pool(todo: list[tuple[Path, Path]], options: AnalyzeOptions, jobs: int) -> Iterator[tuple[str, FileResult | None, str | None, int]]:
    """``--engine local --jobs N``: files analysed by N processes on this machine, as they finish."""
    import concurrent.futures as cf
    import multiprocessing as mp

    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(batch_file, str(i), str(d), options) for i, d in todo]
        for fut in cf.as_completed(futures):
            yield fut.result()


def _batch_summary(outcomes: list[tuple[Path, str, str, int]], root: Path) -> None:
    """Print one line per file and write ``batch.json`` beside the per-file folders."""
    done = sum(1 for _, status, *_ in outcomes if status == "done")
    skipped = sum(1 for _, status, *_ in outcomes if status == "skipped")
    failed = [(i, msg) for i, status, msg, _ in outcomes if status == "failed"]
    print(f"batch: {plural(len(outcomes), 'file')} — {done} analysed, {skipped} skipped (already done), {len(failed)} failed")
    for item, msg in failed:
        print(f"  failed: {_about(item, msg)}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / "batch.json").write_text(json.dumps(
            [{"input": str(i), "status": status, "message": msg} for i, status, msg, _ in outcomes], indent=2) + "\n")
    except OSError:
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = ca.Parser(
        prog="footform",
        description="Check the form of foot and ankle rehabilitation exercises from a camera or a video.",
    )
    parser.add_argument("--version", action="version", version=f"footform {__version__}")
    parser.add_argument("--verbose", action="store_true", help="also show MediaPipe's own log lines")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse recorded videos or landmark tracks")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="video file, image folder, landmark track (.track.jsonl.gz), or a folder of videos")
    p.add_argument("--exercise", choices=registry.CLI_CHOICES, default=registry.AUTO,
                   help="what the person does (default: detected from the movement)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: footform-out/<input name>)")
    p.add_argument("--model", metavar="PATH", help="pose model: 'full' (default), 'heavy' or a PoseLandmarker .task file")
    p.add_argument("--height-cm", type=ca.height_cm, metavar="CM", help="the person's height, 50–250 cm: adds centimetre estimates")
    p.add_argument("--rules", metavar="FILE", help="rule overrides (TOML): thresholds, severities, rules switched off")
    p.add_argument("--reps", type=ca.reps, metavar="N", help="target reps per set, 1–200 (for the rules)")
    p.add_argument("--hold", type=ca.hold_s, metavar="SECONDS", help="target hold time, 1–3600 s (for the 'hold shorter than target' rule)")
    p.add_argument("--metronome", type=ca.metronome_bpm, metavar="BPM", help="metronome tempo the person followed, 10–240 (one beat up, one down)")
    p.add_argument("--people", type=ca.people, default=1, metavar="N", help="people the model looks for, 1–10; use 2 when others may walk into view (slower)")
    p.add_argument("--fps", type=ca.fps, default=30.0, help="frame rate of an image folder (frames per second, 1–1000)")
    p.add_argument("--workers", type=ca.processes, metavar="N", help="pose processes for one long video, 1–64 (default: all cores; with --jobs: 1)")
    p.add_argument("--jobs", type=ca.processes, default=1, metavar="N",
                   help="files analysed at once, one process each, 1–64 (with --engine ray: at most N workers; default one per CPU)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="run the batch on this machine's processes (default) or on Ray: a local Ray instance, "
                        "or a cluster with --ray-address (needs footform[ray]; docs/scale.md)")
    p.add_argument("--ray-address", metavar="ADDRESS",
                   help="with --engine ray: join this Ray cluster ('auto', HOST:PORT or ray://HOST:PORT) "
                        "instead of starting a local instance")
    p.add_argument("--force", action="store_true", help="analyse again files already analysed with the same settings")
    p.add_argument("--person", metavar="NAME", help="whose session this is (name or pseudonym) in the session store")
    p.add_argument("--item", type=int, metavar="N",
                   help="with --person: the item of their home program this video is (its exercise, targets and rule "
                        "overrides apply); without it the session goes to the program's item of the same exercise")
    p.add_argument("--db", metavar="PATH", help="session database (default: $FOOTFORM_DB or your data folder)")
    p.add_argument("--no-store", action="store_true", help="do not record the sessions in the session store")
    p.add_argument("--track-full-paths", action="store_true",
                   help="write the full paths of the video and the model into the track and run.json "
                        "(default: file names and checksums only)")
    p.set_defaults(func=cmd_analyze)

    register_live(sub)   # without --exercise: today's home program (#21)
    register_review(sub)
    register_program(sub)
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
