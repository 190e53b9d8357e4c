"""``footform program``: set, show, check a person's home program and list its history.

Wired into the ``footform`` command by :func:`register`.  A program file with problems prints one
sentence per problem (``footform: program file F, line L: …``) and exits with status 2 without
storing anything.  The model and its validation live in :mod:`footform.program`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .errors import FootformError
from .program import ProgramError, read_program, require_current, set_program, versions
from .store import ENV_DB, Store, default_db_path


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help=f"session database (default: ${ENV_DB} or {default_db_path()})")


def register(subparsers: Any) -> None:
    """Add ``footform program`` (with ``set``, ``show``, ``history``, ``check``) to the CLI's subparsers."""
    p = subparsers.add_parser("program", help="a person's home program: set it from a TOML file, show it, its history",
                              description="A home program is a TOML file (docs/programs.md): exercises in order with "
                                          "sets x reps or sets x hold seconds, rest, tempo, days per week, start date "
                                          "and weeks, optional rule overrides.")
    sub = p.add_subparsers(dest="program_command", metavar="ACTION", required=True)

    s = sub.add_parser("set", help="validate a program file and store it as the person's current program")
    s.add_argument("file", metavar="FILE", help="program file (TOML, schema footform.program/1)")
    s.add_argument("--person", required=True, metavar="NAME", help="whose program (created if new)")
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


def cmd_program_set(args: argparse.Namespace) -> int:
    try:
        prog = read_program(args.file)
    except ProgramError as e:
        return _problems(e)
    with Store.open(args.db) as store:
        store.ensure_person(args.person)
        sp, created = set_program(store, args.person, prog, source_name=str(args.file))
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
