"""``footform program``: set, show, check a person's home program and list its history.

Wired into the ``footform`` command by :func:`register`.  A program file with problems prints one
sentence per problem (``footform: program file F, line L: …``) and exits with status 2 without
storing anything.  The model and its validation live in :mod:`footform.outputs.program`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from footform.errors import FootformError, InputError
from footform.outputs.program import ProgramError, current, parse_program, read_program, require_current, set_program, versions
from footform.outputs.store import ENV_DB, Store, default_db_path


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help=f"session database (default: ${ENV_DB} or {default_db_path()})")


def register(subparsers: Any) -> None:
    """Add ``footform program`` (with ``set``, ``show``, ``history``, ``check``) to the CLI's subparsers."""
    p = subparsers.add_parser("program", help="a person's home program: set it from a TOML file, show it, its history",
                              description="A home program is a TOML file (docs/programs.md): exercises in order with "
                                          "sets x reps or sets x hold seconds, rest, tempo, days per week, start date "
                                          "and weeks, optional rule overrides.")
    sub = p.add_subparsers(dest="program_command", metavar="ACTION", required=True)

    s = sub.add_parser("set", help="validate a program (a file and/or options) and store it as the person's current program",
                       description="Set a person's program from a file, from options, or from the current program with "
                                   "options changed (e.g. --weeks 8). --item replaces all items: give it once per "
                                   "exercise, in order.")
    s.add_argument("file", metavar="FILE", nargs="?", help="program file (TOML, schema footform.program/1)")
    s.add_argument("--person", required=True, metavar="NAME", help="whose program (created if new)")
    s.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the program ('today' for today)")
    s.add_argument("--weeks", type=int, metavar="N", help="duration in weeks")
    s.add_argument("--days-per-week", type=int, metavar="N", help="exercise days per week")
    s.add_argument("--item", action="append", metavar="SPEC", dest="items",
                   help="an exercise and its dose, e.g. 'calf-raise 3x15', 'calf-raise 3x12 per-leg bpm=60', "
                        "'single-leg-stance 3x30s rest=30'")
    _add_db(s)
    s.set_defaults(func=cmd_program_set)

    s = sub.add_parser("show", help="print a person's program as a program file")
    s.add_argument("--person", required=True, metavar="NAME", help="whose program")
    s.add_argument("--version", type=int, metavar="N", help="an earlier version (see 'footform program history')")
    _add_db(s)
    s.set_defaults(func=cmd_program_show)

    s = sub.add_parser("history", help="list every version of a person's program")
    s.add_argument("--person", required=True, metavar="NAME", help="whose program")
    _add_db(s)
    s.set_defaults(func=cmd_program_history)

    s = sub.add_parser("check", help="validate a program file without storing it")
    s.add_argument("file", metavar="FILE", help="program file (TOML)")
    s.set_defaults(func=cmd_program_check)


def _problems(e: ProgramError) -> int:
    for line in e.problems:
        print(f"footform: {line}", file=sys.stderr)
    return e.exit_code


def cmd_program_check(args: argparse.Namespace) -> int:
    try:
        prog = read_program(args.file)
    except ProgramError as e:
        return _problems(e)
    print(f"{args.file}: valid — {prog.describe()}")
    return 0


ITEM_SPEC = re.compile(r"^\s*(?P<exercise>[a-z_-]+)\s+(?P<sets>\d+)\s*[x×]\s*(?P<dose>\d+(\.\d+)?)\s*(?P<s>s)?"
                       r"(?P<rest>(\s+[a-z_-]+(=\S+)?)*)\s*$")
SPEC_WORDS = {"per-leg": ("per_leg", None), "rest": ("rest_s", float), "bpm": ("metronome_bpm", float),
              "rules": ("rules", str), "note": ("note", str)}


def _item_from_spec(spec: str) -> dict[str, Any]:
    """``'calf-raise 3x15 per-leg rest=45 bpm=60'`` → an ``[[item]]`` table (checked later by parse_program)."""
    m = ITEM_SPEC.match(spec)
    if m is None:
        raise InputError(f"--item {spec!r}: write it as 'EXERCISE SETSxREPS' or 'EXERCISE SETSxSECONDSs' with optional "
                         f"per-leg, rest=S, bpm=N, e.g. 'calf-raise 3x15' or 'single-leg-stance 3x30s'.")
    item: dict[str, Any] = {"exercise": m["exercise"], "sets": int(m["sets"])}
    dose = float(m["dose"])
    if m["s"]:
        item["hold_s"] = dose
    else:
        item["reps"] = int(dose) if dose.is_integer() else dose
    for word in (m["rest"] or "").split():
        key, _, value = word.partition("=")
        if key not in SPEC_WORDS or (SPEC_WORDS[key][1] is None) != (value == ""):
            raise InputError(f"--item {spec!r}: {word!r} is not one of per-leg, rest=SECONDS, bpm=BEATS, rules=FILE.")
        name, conv = SPEC_WORDS[key]
        try:
            item[name] = True if conv is None else conv(value)
        except ValueError:
            raise InputError(f"--item {spec!r}: {key} must be a number, not {value!r}.") from None
    return item


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, _dt.date):
        return v.isoformat()
    return json.dumps(str(v), ensure_ascii=False)


def _program_text(top: dict[str, Any], items: list[dict[str, Any]]) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in top.items() if k != "item" and v is not None]
    for it in items:
        lines += ["", "[[item]]", *(f"{k} = {_toml_value(v)}" for k, v in it.items() if v is not None)]
    return "\n".join(lines) + "\n"


def _program_from_options(args: argparse.Namespace, store: Store | None) -> Any:
    """The program from FILE and/or the options (over the person's current program when there is no FILE)."""
    if args.file is not None:
        base = Path(args.file)
        try:
            data = tomllib.loads(base.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            read_program(base)        # reports the file's own problem with its line
            raise
        base_dir, name = base.parent, f"{base} with the command line's options"
    else:
        sp = current(store, args.person) if store is not None and store.person(args.person) else None
        data = tomllib.loads(sp.program.to_toml()) if sp is not None else {}
        base_dir, name = Path.cwd(), "given by the command line" if sp is None else f"version {sp.version} with the command line's options"
    if args.start is not None:
        data["start"] = _dt.date.today().isoformat() if args.start == "today" else args.start
    for key, value in (("weeks", args.weeks), ("days_per_week", args.days_per_week)):
        if value is not None:
            data[key] = value
    items = [_item_from_spec(sp) for sp in args.items] if args.items else list(data.get("item") or [])
    return parse_program(_program_text(data, items), name=name, base_dir=base_dir)


def cmd_program_set(args: argparse.Namespace) -> int:
    flags = args.items or args.start or args.weeks is not None or args.days_per_week is not None
    if args.file is None and not flags:
        raise InputError("program set needs a program FILE, or options such as --start, --weeks, --days-per-week, --item.")
    with Store.open(args.db) as store:
        try:
            prog = _program_from_options(args, store) if flags else read_program(args.file)
        except ProgramError as e:
            if flags:   # lines of the program assembled from the options mean nothing to the user
                e.problems = [re.sub(r"^program file (.*?), line \d+: ", r"the program (\1): ", p) for p in e.problems]
            return _problems(e)
        store.ensure_person(args.person)
        source = str(args.file) if args.file and not flags else ((f"{args.file} + " if args.file else "") + "options")
        sp, created = set_program(store, args.person, prog, source_name=source)
        if created:
            print(f"{args.person}: program version {sp.version} stored in {store.path}")
        else:
            print(f"{args.person}: the program is unchanged (still version {sp.version})")
        print(f"  {sp.program.describe()}")
        for k, it in enumerate(sp.program.items, 1):
            extra = f", rest {it.rest_s:g} s" + (", own rule overrides" if it.rules_text else "")
            print(f"  {k}. {it.describe()}{extra}")
    return 0


def cmd_program_show(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        if args.version is None:
            sp = require_current(store, args.person)
        else:
            sp = next((v for v in versions(store, args.person) if v.version == args.version), None)
            if sp is None:
                raise FootformError(f"{args.person} has no program version {args.version} "
                                    f"(see 'footform program history --person {args.person}').", exit_code=2)
    src = f" from {sp.source_name}" if sp.source_name else ""
    sys.stdout.write(f"# {args.person}: program version {sp.version}, set {sp.created_utc}{src}\n"
                     f"# {sp.program.describe()}\n")
    sys.stdout.write(sp.program.to_toml())
    return 0


def cmd_program_history(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        vs = versions(store, args.person)
    if not vs:
        print(f"{args.person} has no program yet")
        return 0
    for sp in vs:
        p = sp.program
        print(f"version {sp.version}  set {sp.created_utc}  {p.start.isoformat()} to {p.end.isoformat()}  "
              f"{p.days_per_week} days/week  " + "; ".join(i.describe() for i in p.items))
    return 0
