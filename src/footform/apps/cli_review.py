"""The therapist's review commands: ``sessions``, ``person``, ``report``, ``progress``, ``export``.

Wired into the ``footform`` command by :func:`register`; every handler opens the session store
(``--db PATH``, else ``$FOOTFORM_DB``, else the user's data directory) and raises a
:class:`~footform.errors.FootformError` (one sentence, non-zero exit) for anything a user can fix.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from footform.analysis.summary import plural
from footform.apps import cli_args as ca
from footform.errors import InputError
from footform.exercises import registry
from footform.outputs.store import ENV_DB, STATUS_NOT_ANALYSABLE, SessionInfo, Store, default_db_path, local_time


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH",
                   help=f"session database (default: ${ENV_DB} or {default_db_path()})")


def register(subparsers: Any) -> None:
    """Add the review subcommands to ``footform``'s subparsers (``parser.add_subparsers()``)."""
    p = subparsers.add_parser("sessions", help="list stored sessions")
    p.add_argument("--person", metavar="NAME", help="only this person's sessions")
    p.add_argument("--incomplete", action="store_true",
                   help="only sessions left incomplete by a crash or a pulled camera (recoverable)")
    _add_db(p)
    p.set_defaults(func=cmd_sessions)

    p = subparsers.add_parser("person", help="add a person or update their details")
    p.add_argument("name", metavar="NAME", help="name or pseudonym")
    p.add_argument("--height-cm", type=ca.height_cm, metavar="CM", help="standing height, 50–250 cm (enables centimetre estimates)")
    p.add_argument("--age-band", type=ca.age_band, metavar="BAND", help="age band, e.g. 40-49 (selects age-matched references)")
    p.add_argument("--injured-side", choices=("left", "right", "both", "none"), help="side of the injury")
    p.add_argument("--notes", metavar="TEXT", help="free text for the therapist")
    _add_db(p)
    p.set_defaults(func=cmd_person)

    p = subparsers.add_parser("report", help="render one session as an HTML (and PDF) report")
    p.add_argument("session", type=ca.session_ref, metavar="SESSION", help="session id (see 'footform sessions'), 'last', or a uuid prefix")
    p.add_argument("--html", metavar="FILE", help="HTML file to write (default: footform-session-<id>.html)")
    p.add_argument("--pdf", metavar="FILE", help="also print the report to this PDF (needs Chromium)")
    _add_db(p)
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser("progress", help="render one person's progress across sessions")
    p.add_argument("--person", required=True, metavar="NAME", help="whose sessions")
    p.add_argument("--html", metavar="FILE", help="HTML file to write (default: footform-progress-<name>.html)")
    p.add_argument("--pdf", metavar="FILE", help="also print the report to this PDF (needs Chromium)")
    _add_db(p)
    p.set_defaults(func=cmd_progress)

    p = subparsers.add_parser("export", help="export sessions as CSV tables or one JSON document")
    p.add_argument("session", nargs="?", type=ca.session_ref, metavar="SESSION", help="session id, 'last' or a uuid prefix")
    p.add_argument("--person", metavar="NAME", help="export all of this person's sessions instead")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--csv", metavar="DIR", help="write one CSV file per table into DIR")
    out.add_argument("--json", metavar="FILE", help="write one JSON document (schema footform.export/1)")
    p.add_argument("--with-landmarks", action="store_true", help="include the raw pose landmarks of every frame")
    p.add_argument("--no-signals", action="store_true", help="leave out the per-frame signals")
    _add_db(p)
    p.set_defaults(func=cmd_export)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "person"


def _table(rows: list[list[str]], header: list[str], right: set[int]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def fmt_row(r):
        return "  ".join(
            (str(c).rjust(w) if i in right else str(c).ljust(w)) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([fmt_row(header), fmt_row(["-" * w for w in widths]), *map(fmt_row, rows)])


def cmd_sessions(args: argparse.Namespace) -> int:

    with Store.open(args.db) as store:
        infos = store.incomplete_sessions(include_active=True) if args.incomplete else store.sessions(person=args.person)
        if args.incomplete and args.person:
            infos = [i for i in infos if i.person == args.person]
        due = _due_today(store, args.person) if args.person and not args.incomplete else []
        if not infos:
            who = f" for {args.person}" if args.person else ""
            print(f"no {'incomplete ' if args.incomplete else ''}sessions{who} in {store.path}")
            for line in due:
                print(line)
            return 0
        rows = [[str(i.id), local_time(i.started_utc), i.person or "–", registry.label(i.exercise) if i.exercise else "–",
                 i.view or "–", _done(i), str(i.flags), str(i.marks), i.status] for i in infos]
        print(_table(rows, ["id", "date", "person", "exercise", "view", "reps/holds", "flags", "marks", "status"],
                     right={0, 6, 7}))
        for i in infos:
            if i.status == STATUS_NOT_ANALYSABLE:
                print(f"session {i.id} not analysable: {i.not_analysable_reason or 'no reason recorded'}")
        if due:
            print()
            for line in due:
                print(line)
    return 0


def _due_today(store: Store, person: str) -> list[str]:
    """Reminder lines of what the person's home program still holds today (none without a program)."""
    from footform.outputs.program import due_lines

    if store.person(person) is None:
        return []
    return due_lines(store, person)


def _done(i: SessionInfo) -> str:
    """What a session counted: "3 reps", "1 hold", "12 reps, 2 holds"; "–" when it was not analysable."""
    if i.status == STATUS_NOT_ANALYSABLE:
        return "–"
    info = registry.find(i.exercise)
    parts = []
    if (info is not None and info.counts_reps) or i.reps:
        parts.append(plural(i.reps, "rep"))
    if (info is not None and not info.counts_reps) or i.holds:
        parts.append(plural(i.holds, "hold"))
    return ", ".join(parts) or "–"


def cmd_person(args: argparse.Namespace) -> int:
    with Store.open(args.db) as store:
        p = store.ensure_person(args.name, height_cm=args.height_cm, age_band=args.age_band,
                                injured_side=args.injured_side, notes=args.notes)
        bits = [f"height {p.height_cm:g} cm" if p.height_cm else None, f"age {p.age_band}" if p.age_band else None,
                f"injured side {p.injured_side}" if p.injured_side else None]
        print(f"{p.name}: " + (", ".join(b for b in bits if b) or "no details") + f"  ({store.path})")
    return 0


def _write_reports(text: str, html: str | None, pdf: str | None, default_html: str) -> None:
    from footform.outputs.report import write_html, write_pdf

    if html or not pdf:
        path = write_html(html or default_html, text)
        print(f"report  {path}")
        if pdf:
            print(f"pdf     {write_pdf(path, pdf)}")
        return
    with tempfile.TemporaryDirectory(prefix="footform-report-") as tmp:
        path = write_html(Path(tmp) / "report.html", text)
        print(f"pdf     {write_pdf(path, pdf)}")


def cmd_report(args: argparse.Namespace) -> int:
    from footform.outputs.report import session_report

    with Store.open(args.db) as store:
        sid = store.resolve_session(args.session)
        text = session_report(store, sid)
    _write_reports(text, args.html, args.pdf, f"footform-session-{sid}.html")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from footform.outputs.report import render_progress

    with Store.open(args.db) as store:
        person = store.require_person(args.person)
        text = render_progress(store, person.id)
    _write_reports(text, args.html, args.pdf, f"footform-progress-{_slug(person.name)}.html")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from footform.outputs.export import export_csv, export_json

    if (args.session is None) == (args.person is None):
        raise InputError("export needs either a SESSION or --person NAME (not both).")
    with Store.open(args.db) as store:
        kw: dict[str, Any] = {"session": args.session, "person": args.person, "with_signals": not args.no_signals,
                              "with_landmarks": args.with_landmarks}
        if args.csv:
            for p in export_csv(store, args.csv, **kw):
                print(p)
        else:
            print(export_json(store, args.json, **kw))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the review commands on their own (``python -m footform.apps.cli_review``), for tests and scripts."""
    from footform.errors import FootformError

    parser = ca.Parser(prog="footform")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except FootformError as e:
        print(f"footform: {e}", file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
