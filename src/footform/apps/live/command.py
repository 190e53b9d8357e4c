"""``footform live``: its options, and which session it runs — one exercise, or today's home program.

:func:`register_live` adds the subcommand to the CLI; :func:`cmd_live_any` runs the exercise given
with ``--exercise`` (:func:`cmd_live` → :func:`~footform.apps.live.session.run_live`) or, without
it, what the person's home program still holds today (:mod:`.program`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from footform.apps import cli_args as ca
from footform.apps.live.program import run_program
from footform.apps.live.session import LiveOptions, run_live
from footform.errors import FootformError, InputError
from footform.exercises import registry


def register_live(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``footform live`` to the CLI's subparsers (``build_parser`` calls this)."""
    p = subparsers.add_parser(
        "live",
        help="coach an exercise live in front of a webcam",
        description="Open a window with the camera image, your legs and feet drawn, a rep counter or hold timer, and "
                    "spoken cues. Keys: SPACE pause, N next set, P pain (then 0-10), C cramp, Q quit.",
    )
    p.add_argument("--exercise", choices=[e.cli for e in registry.EXERCISES],
                   help="the exercise to coach; without it, --person runs what today's home program still holds "
                        "(docs/programs.md)")
    p.add_argument("--camera", type=ca.camera, default="0", metavar="INDEX|FILE",
                   help="camera index (default 0) or a video file played at its real speed as a stand-in camera")
    p.add_argument("--sets", type=ca.sets, default=3, help="number of sets, 1–20 (default 3)")
    p.add_argument("--reps", type=ca.reps, default=None,
                   help="reps per set, 1–200: calf raises (default 12), ankle pumps of each foot (default 20)")
    p.add_argument("--hold", type=ca.hold_s, default=30.0, metavar="SECONDS",
                   help="hold per leg per set, 1–3600 s: single-leg stance, calf stretch in good form (default 30)")
    p.add_argument("--rest", type=ca.rest_s, default=60.0, metavar="SECONDS", help="rest between sets, 0–3600 s (default 60)")
    p.add_argument("--metronome", type=ca.metronome_bpm, metavar="BPM", help="beats per minute, 10–240, one up and one down (60 = heel-rise test)")
    p.add_argument("--no-audio", dest="audio", action="store_false", help="no spoken cues")
    p.add_argument("--person", metavar="NAME", help="whose session this is (name or pseudonym)")
    p.add_argument("--height", "--height-cm", type=ca.height_cm, dest="height_cm", metavar="CM", help="your height, 50–250 cm (gives cm estimates)")
    p.add_argument("--model", metavar="PATH", help="pose model: 'full', 'heavy' or a PoseLandmarker .task file")
    p.add_argument("--db", metavar="FILE", help="session database (default: footform.db in your data folder, or $FOOTFORM_DB)")
    p.add_argument("--out", metavar="DIR", help="folder for the summary and report (default footform-out/live-<time>)")
    p.add_argument("--rules", metavar="FILE", help="rule overrides (TOML) for the form cues")
    mirror = p.add_mutually_exclusive_group()
    mirror.add_argument("--mirror", dest="mirror", action="store_true", default=None, help="show the image mirrored (default for a camera)")
    mirror.add_argument("--no-mirror", dest="mirror", action="store_false", help="show the image as filmed (default for a file)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument("--debug", action="store_true", help="show frame rate, latency and skipped frames on screen")
    p.add_argument("--cue-log", help=argparse.SUPPRESS)
    p.add_argument("--stats", dest="stats_path", help=argparse.SUPPRESS)
    p.add_argument("--max-seconds", type=ca.seconds, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_live_any)   # without --exercise: today's home program (#21)
    return p


def cmd_live(args: argparse.Namespace) -> int:
    """``footform live --exercise X``: one exercise (without --exercise the CLI runs the home program)."""
    if args.rules:  # a bad rule file is one sentence before the camera, the model or the store is touched
        from footform.feedback.engine import load_rules

        load_rules(registry.to_id(args.exercise), overrides=args.rules)
    opts = LiveOptions(
        exercise=registry.to_id(args.exercise), camera=str(args.camera), sets=args.sets, reps=args.reps, hold_s=args.hold,
        rest_s=max(0.0, args.rest), metronome_bpm=args.metronome, audio=args.audio, model=args.model, db=args.db,
        person=args.person, height_cm=args.height_cm, out=args.out, mirror=args.mirror, fullscreen=args.fullscreen,
        rules=args.rules, cue_log=args.cue_log, stats_path=args.stats_path, debug=args.debug, max_seconds=args.max_seconds,
    )
    result = run_live(opts, say=lambda s: print(s, flush=True))
    if args.person and result.session_id is not None:
        _attribute_to_program(args, opts.exercise, result.session_id)
    if result.error is not None:
        print(f"footform: {result.error}", file=sys.stderr)
        return result.error.exit_code
    return 0


def _attribute_to_program(args: argparse.Namespace, exercise: str, session_id: int) -> None:
    """A session of someone with a home program goes to the program's item of its exercise (#21, docs/programs.md)."""
    from footform.outputs.program import attribution_note
    from footform.outputs.store import Store

    try:
        with Store.open(args.db) as store:
            note = attribution_note(store, session_id, args.person, exercise, how="live")
    except FootformError as e:
        print(f"footform: the session was not attributed to a program item ({e})", file=sys.stderr)
        return
    if note:
        print(f"session {session_id}{note}", flush=True)



def cmd_live_any(args: argparse.Namespace) -> int:
    """``footform live``: the exercise given with ``--exercise``, else what today's home program still holds."""
    return cmd_live(args) if args.exercise is not None else cmd_live_program(args)


def cmd_live_program(args: argparse.Namespace) -> int:
    """``footform live --person P`` (no ``--exercise``)."""
    if not args.person:
        raise InputError("live needs --exercise, or --person to run that person's home program (docs/programs.md).")
    base = LiveOptions(exercise="", camera=str(args.camera), audio=args.audio, model=args.model, db=args.db,
                       person=args.person, height_cm=args.height_cm, out=args.out, mirror=args.mirror,
                       fullscreen=args.fullscreen, rules=args.rules, cue_log=args.cue_log, stats_path=args.stats_path,
                       debug=args.debug, max_seconds=args.max_seconds)
    _, error = run_program(base, args.person, say=lambda s: print(s, flush=True))
    if error is not None:
        print(f"footform: {error}", file=sys.stderr)
        return error.exit_code
    return 0
