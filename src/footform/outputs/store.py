"""The session store: one embedded SQLite database of people, sessions and what was measured in them.

What it holds (schema version :data:`SCHEMA_VERSION`, see ``docs/report.md`` for the table list):

* **people** — name or pseudonym, optional height (cm), age band, side of injury, notes;
* **sessions** — exercise, date/time, program targets, software and model version (and the model
  file's SHA-256), camera view, source name, quality counts, status (``complete`` /
  ``incomplete`` / ``not analysable``, with the reason), the whole analysis summary as JSON, and the path of the session's landmark
  track (kept beside the database in ``<db stem>-tracks/`` by default);
* **sets, reps, holds, flags, marks** (pain/cramp), **events** — one row each, times in seconds on
  the session's source clock, heights in foot lengths (``_fl``) and centimetres (``_cm``);
* **thresholds** — per-person overrides of feedback-rule thresholds set by a therapist;
* **programs, program_items, session_program** — home programs (``footform.outputs.program``): each
  version a person's program had, its items in order, and which item a session was done for.

Writers
-------
``footform analyze`` writes a whole session at once with :meth:`Store.add_session` (one
transaction: a crash leaves either all of it or nothing).  ``footform live`` writes incrementally:
:meth:`Store.begin_session` returns a :class:`LiveSession` whose ``add_rep`` / ``add_hold`` /
``add_flag`` / ``add_mark`` each commit their own small transaction, and ``finish`` marks the
session complete.  A crash leaves the session with status ``incomplete`` holding everything
committed so far; :meth:`Store.incomplete_sessions` lists those, and
:meth:`Store.complete_session` replaces their rows by a summary re-analysed from their track.

Concurrency and safety
----------------------
WAL journal, ``busy_timeout``, ``BEGIN IMMEDIATE`` write transactions kept short, and a retry
loop around each transaction, so several processes (two ``analyze`` runs and a ``live`` session)
can write at once.  Opening a file that is not a footform database, or a damaged one, raises an
:class:`~footform.errors.InputError` of one sentence *before anything is written to it*: the file
is never overwritten or "repaired".  Schema changes are ordered migration functions keyed by
``PRAGMA user_version``.

The mapping from the analysis summary (``footform.summary/1``) to rows lives in one place:
:func:`summary_to_rows`, with the rep / hold / flag / event columns (names, units, meanings) from
the one row schema in :mod:`footform.exercises.rows` (the export and the summary's CSVs use it too).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import shutil
import socket
import sqlite3
import time
import uuid as _uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footform import __version__
from footform.core.kinematics import HEIGHT_CM_RANGE
from footform.core.numeric import finite
from footform.errors import InputError, OutputError, os_reason
from footform.exercises import rows
from footform.exercises.rows import as_int as _int
from footform.exercises.rows import first_of as _first

#: Current schema version (``PRAGMA user_version``).
SCHEMA_VERSION = 3
#: ``PRAGMA application_id`` of a footform database ("FtFm").
APPLICATION_ID = 0x4674466D
#: Environment variable naming the database file (overridden by ``--db``).
ENV_DB = "FOOTFORM_DB"
DB_FILENAME = "footform.db"
SQLITE_MAGIC = b"SQLite format 3\x00"

SIDES = ("left", "right", "both")
MARK_KINDS = ("pain", "cramp", "note")
STATUS_COMPLETE = "complete"
STATUS_INCOMPLETE = "incomplete"
#: The recording was read to its end but could not be analysed (no person, feet never visible, a
#: still picture …); ``sessions.not_analysable_reason`` says why.  Never counted as an exercise session.
STATUS_NOT_ANALYSABLE = "not analysable"
#: What ``sessions.not_analysable_reason`` says of a live session that stopped before recording anything.
NOTHING_RECORDED = "The session stopped before anything was recorded."


# ---------------------------------------------------------------------------------------------
# Where the database lives
# ---------------------------------------------------------------------------------------------

def default_db_path() -> Path:
    """``$FOOTFORM_DB`` if set, else ``footform.db`` in the user's data directory (platformdirs)."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "footform"
    else:
        base = Path(user_data_dir("footform", appauthor=False))
    return base / DB_FILENAME


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file to use: ``path`` (``--db``) if given, else :func:`default_db_path`."""
    return Path(path).expanduser() if path else default_db_path()


def _now_utc() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def local_time(utc_iso: str | None) -> str:
    """A stored UTC timestamp as the reader's local date and time ("2026-11-29 14:05"; "–" when missing)."""
    if not utc_iso:
        return "–"
    try:
        t = _dt.datetime.fromisoformat(utc_iso)
    except ValueError:
        return utc_iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return t.astimezone().strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# Schema and migrations
# ---------------------------------------------------------------------------------------------

def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one (``executescript`` would commit the open transaction)."""
    stmt = ""
    for line in script.splitlines(keepends=True):
        stmt += line
        if sqlite3.complete_statement(stmt):
            db.execute(stmt)
            stmt = ""
    if stmt.strip():
        db.execute(stmt)


def _migrate_1(db: sqlite3.Connection) -> None:
    """Version 1: people, sessions, sets, reps, holds, flags, marks, events."""
    _run_script(db, 
        f"""
        PRAGMA application_id = {APPLICATION_ID};
        CREATE TABLE people (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,      -- name or pseudonym
            height_cm     REAL,
            age_band      TEXT,                      -- e.g. '40-49'
            injured_side  TEXT CHECK (injured_side IN ('left', 'right', 'both', 'none')),
            notes         TEXT,
            created_utc   TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id                  INTEGER PRIMARY KEY,
            uuid                TEXT NOT NULL UNIQUE,
            person_id           INTEGER REFERENCES people(id) ON DELETE SET NULL,
            exercise            TEXT,
            view                TEXT,
            mode                TEXT NOT NULL DEFAULT 'offline',   -- 'offline' | 'live'
            status              TEXT NOT NULL DEFAULT 'complete',  -- 'complete' | 'incomplete'
            started_utc         TEXT NOT NULL,
            finished_utc        TEXT,
            updated_utc         TEXT NOT NULL,
            source_name         TEXT,
            source_json         TEXT,
            software_version    TEXT,
            model_name          TEXT,
            model_sha256        TEXT,
            model_json          TEXT,
            targets_json        TEXT,
            quality_json        TEXT,
            frames              INTEGER,
            frames_with_person  INTEGER,
            frames_feet_visible INTEGER,
            duration_s          REAL,
            track_path          TEXT,
            out_dir             TEXT,
            analysable          INTEGER,
            not_analysable_reason TEXT,
            height_cm           REAL,                -- the person's height used for the *_cm figures
            summary_schema      TEXT,
            summary_json        TEXT,
            warnings_json       TEXT,
            writer_host         TEXT,
            writer_pid          INTEGER
        );
        CREATE INDEX sessions_person ON sessions(person_id, started_utc);
        CREATE INDEX sessions_status ON sessions(status);
        CREATE TABLE sets (
            id            INTEGER PRIMARY KEY,
            session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            set_index     INTEGER NOT NULL,
            kind          TEXT,                      -- 'reps' | 'holds'
            side          TEXT,
            t_start_s     REAL,
            t_end_s       REAL,
            n_reps        INTEGER,
            n_holds       INTEGER,
            aggregates_json TEXT,
            UNIQUE (session_id, set_index)
        );
        CREATE TABLE reps (
            id                INTEGER PRIMARY KEY,
            session_id        INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            set_index         INTEGER,
            rep_index         INTEGER NOT NULL,
            side              TEXT,
            t_start_s         REAL,
            t_top_s           REAL,
            t_end_s           REAL,
            peak_lift_fl      REAL,
            peak_lift_cm      REAL,
            rise_s            REAL,
            top_s             REAL,
            lower_s           REAL,
            heel_in_left_fl   REAL,
            heel_in_right_fl  REAL,
            alignment_note    TEXT,                  -- e.g. 'not measurable from this view'
            full              INTEGER NOT NULL DEFAULT 1,
            extra_json        TEXT
        );
        CREATE INDEX reps_session ON reps(session_id, rep_index);
        CREATE TABLE holds (
            id               INTEGER PRIMARY KEY,
            session_id       INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            set_index        INTEGER,
            hold_index       INTEGER NOT NULL,
            stance_side      TEXT,
            t_start_s        REAL,
            t_end_s          REAL,
            duration_s       REAL,
            ended_by         TEXT,
            touchdowns       INTEGER,
            sway_json        TEXT,
            noise_floor_json TEXT,
            wobble_json      TEXT,
            extra_json       TEXT
        );
        CREATE INDEX holds_session ON holds(session_id, hold_index);
        CREATE TABLE flags (
            id            INTEGER PRIMARY KEY,
            session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            flag_index    INTEGER NOT NULL,
            set_index     INTEGER,
            code          TEXT NOT NULL,
            label         TEXT,
            severity      TEXT,
            side          TEXT,
            t_start_s     REAL,
            t_end_s       REAL,
            rep_index     INTEGER,
            hold_index    INTEGER,
            message       TEXT,                      -- plain words for the person
            description   TEXT,                      -- technical words for the therapist
            evidence_json TEXT
        );
        CREATE INDEX flags_session ON flags(session_id, t_start_s);
        CREATE TABLE marks (
            id           INTEGER PRIMARY KEY,
            session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            t_s          REAL,
            kind         TEXT NOT NULL,              -- 'pain' | 'cramp' | 'note'
            rating       INTEGER CHECK (rating IS NULL OR (rating BETWEEN 0 AND 10)),
            side         TEXT,
            note         TEXT,
            created_utc  TEXT NOT NULL
        );
        CREATE INDEX marks_session ON marks(session_id, t_s);
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            type        TEXT NOT NULL,
            t_s         REAL,
            t_end_s     REAL,
            side        TEXT,
            data_json   TEXT
        );
        CREATE INDEX events_session ON events(session_id, t_s);
        """
    )


def _migrate_2(db: sqlite3.Connection) -> None:
    """Version 2: per-person threshold overrides (a therapist adjusts a rule for one person)."""
    _run_script(db, 
        """
        CREATE TABLE thresholds (
            id           INTEGER PRIMARY KEY,
            person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            exercise     TEXT NOT NULL,
            rule         TEXT NOT NULL,             -- feedback rule code, e.g. 'fast_lowering'
            value        REAL NOT NULL,
            note         TEXT,
            updated_utc  TEXT NOT NULL,
            UNIQUE (person_id, exercise, rule)
        );
        """
    )


def _migrate_3(db: sqlite3.Connection) -> None:
    """Version 3: home programs (``footform.outputs.program``): versions per person, their items, and which
    program item a session was done for.  A changed program is a new version; old ones stay."""
    _run_script(db,
        """
        CREATE TABLE programs (
            id             INTEGER PRIMARY KEY,
            person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            version        INTEGER NOT NULL,           -- 1, 2, ... per person
            created_utc    TEXT NOT NULL,
            start_date     TEXT NOT NULL,              -- first day, YYYY-MM-DD (local calendar)
            weeks          INTEGER NOT NULL,
            days_per_week  INTEGER NOT NULL,
            source_name    TEXT,                       -- the file it was set from
            toml           TEXT NOT NULL,              -- canonical program file (footform.program/1)
            program_json   TEXT NOT NULL,              -- the same as JSON (program.Program.to_dict)
            UNIQUE (person_id, version)
        );
        CREATE TABLE program_items (
            id             INTEGER PRIMARY KEY,
            program_id     INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
            item_index     INTEGER NOT NULL,           -- 1-based, the order the exercises are done in
            exercise       TEXT NOT NULL,
            item_json      TEXT NOT NULL,              -- program.ProgramItem.to_dict (targets, rules text)
            UNIQUE (program_id, item_index)
        );
        CREATE TABLE session_program (
            session_id       INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            program_item_id  INTEGER NOT NULL REFERENCES program_items(id) ON DELETE CASCADE,
            how              TEXT,                     -- 'live' | 'analyze' | 'analyze --item'
            attributed_utc   TEXT NOT NULL
        );
        CREATE INDEX session_program_item ON session_program(program_item_id);
        """
    )


#: Ordered migrations: ``MIGRATIONS[k]`` upgrades a version-``k`` database to ``k + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_1, _migrate_2, _migrate_3)
assert len(MIGRATIONS) == SCHEMA_VERSION


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring ``db`` (an autocommit connection) up to schema ``target`` in one write transaction.

    Returns the version found before migrating.  Safe against a concurrent migrator: the version
    is read again inside ``BEGIN IMMEDIATE``.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        for version in range(found, target):
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    return found


# ---------------------------------------------------------------------------------------------
# Summary → rows (the rep / hold / flag / event columns: exercises/rows.py)
# ---------------------------------------------------------------------------------------------

def _json(v: Any) -> str | None:
    if v is None:
        return None
    return json.dumps(v, sort_keys=True, allow_nan=False, default=_json_default, separators=(",", ":"))


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)


def _clean(v: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(v, Mapping):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return _clean(v.tolist())
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _extra(d: Mapping[str, Any], used: Sequence[str]) -> str | None:
    rest = {k: v for k, v in d.items() if k not in used}
    return _json(_clean(rest)) if rest else None


def rep_row(rep: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary rep → a ``reps`` row (without ``session_id``): the schema's columns (exercises/rows.py)."""
    return {**rows.rep_fields(rep, default_index), "extra_json": _extra(rep, rows.REP_KEYS)}


def hold_row(hold: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary hold → a ``holds`` row (without ``session_id``)."""
    return {
        **rows.hold_fields(hold, default_index),
        "sway_json": _json(_clean(hold.get("sway"))),
        "noise_floor_json": _json(_clean(hold.get("noise_floor"))),
        "wobble_json": _json(_clean(_first(hold, "ankle_wobble", "wobble"))),
        "extra_json": _extra(hold, rows.HOLD_KEYS),
    }


def flag_row(flag: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary flag → a ``flags`` row (without ``session_id``)."""
    return {**rows.flag_fields(flag, default_index), "evidence_json": _flag_evidence(flag)}


def _flag_evidence(flag: Mapping[str, Any]) -> str | None:
    """The flag's evidence dict; fields of the flag this version does not know go under ``_extra``."""
    evidence = dict(flag.get("evidence") or {}) if isinstance(flag.get("evidence"), Mapping) else (
        {"value": flag.get("evidence")} if flag.get("evidence") is not None else {})
    rest = {k: v for k, v in flag.items() if k not in rows.FLAG_KEYS}
    if rest:
        evidence["_extra"] = rest
    return _json(_clean(evidence)) if evidence else None


def mark_row(mark: Mapping[str, Any]) -> dict[str, Any]:
    """One pain/cramp mark → a ``marks`` row (without ``session_id``)."""
    kind = str(mark.get("kind") or "pain")
    if kind not in MARK_KINDS:
        raise ValueError(f"mark kind {kind!r} is not one of {MARK_KINDS}")
    rating = _int(mark.get("rating"))
    if rating is not None and not 0 <= rating <= 10:
        raise ValueError(f"mark rating {rating} is outside 0–10")
    return {
        "t_s": finite(_first(mark, "t_s", "t", "time")),
        "kind": kind,
        "rating": rating,
        "side": mark.get("side"),
        "note": mark.get("note"),
        "created_utc": mark.get("created_utc") or _now_utc(),
    }


def event_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """One summary event (partial rep, aborted rep, touchdown …) → an ``events`` row."""
    return {**rows.event_fields(event), "data_json": _extra(event, rows.EVENT_KEYS)}


def set_row(s: Mapping[str, Any], default_index: int) -> dict[str, Any]:
    """One summary set (with its aggregates) → a ``sets`` row."""
    reps = s.get("reps")
    holds = s.get("holds")
    return {
        "set_index": _int(_first(s, "index", "set")) or default_index,
        "kind": s.get("kind") or ("holds" if holds else "reps" if reps is not None else None),
        "side": s.get("side"),
        "t_start_s": finite(s.get("t_start")),
        "t_end_s": finite(s.get("t_end")),
        "n_reps": len(reps) if isinstance(reps, list) else _int(_first(s, "n_reps", "reps")),
        "n_holds": len(holds) if isinstance(holds, list) else _int(_first(s, "n_holds", "holds")),
        "aggregates_json": _extra(s, ("index", "set", "kind", "side", "t_start", "t_end")),
    }


@dataclass
class SessionRows:
    """A summary split into table rows (``session`` holds the ``sessions`` columns it fills)."""

    session: dict[str, Any]
    sets: list[dict[str, Any]] = field(default_factory=list)
    reps: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def summary_to_rows(summary: Mapping[str, Any]) -> SessionRows:
    """Split a ``footform.summary/1`` dict into rows of the store's tables.

    Known fields are read by name (``reps[].peak_lift`` → ``reps.peak_lift_fl`` …); fields this
    version does not know are kept in each row's ``extra_json`` and the whole summary in
    ``sessions.summary_json``, so nothing is lost when the summary grows.
    """
    if not isinstance(summary, Mapping):
        raise TypeError("summary must be a mapping")
    quality = summary.get("quality") or {}
    session = {
        "exercise": summary.get("exercise"),
        "view": summary.get("view") or quality.get("view"),
        "summary_schema": summary.get("schema"),
        "analysable": None if summary.get("analysable") is None else int(bool(summary.get("analysable"))),
        "not_analysable_reason": summary.get("reason"),
        "height_cm": finite(summary.get("height_cm")),
        "summary_json": _json(_clean(summary)),
        "quality_json": _json(_clean(quality)) if quality else None,
        "frames": _int(quality.get("frames")),
        "frames_with_person": _int(quality.get("frames_with_person")),
        "frames_feet_visible": _int(quality.get("frames_feet_visible")),
        "duration_s": finite(_first(quality, "duration_s", default=summary.get("duration_s"))),
        "warnings_json": _json(_clean(summary.get("warnings") or [])),
    }
    rows = SessionRows(session=session)
    sets = list(summary.get("sets") or [])
    if not sets and isinstance(summary.get("set"), Mapping) and summary.get("set"):
        # footform.summary/1 as of analysis v0.1: one set per session, its aggregates in "set"
        one = dict(summary["set"])
        n = one.pop("reps", None)
        by_side = {k: v for k, v in (one.get("reps_by_side") or {}).items() if v}
        side = next(iter(by_side)) if len(by_side) == 1 else ("mixed" if by_side else None)
        counted = summary.get("exercise") in ("calf_raise", "ankle_pumps")
        if summary.get("exercise") == "ankle_pumps":
            n = one.get("cycles", n)     # a pump set counts pumps per foot (the busier foot), as live does
        one.update({"index": 1, "kind": "reps" if counted else "holds", "n_reps": n, "side": side})
        sets = [one]
        pump_sets = sorted({r.get("set") for r in summary.get("reps") or [] if isinstance(r, Mapping)} - {None})
        if summary.get("exercise") == "ankle_pumps" and len(pump_sets) > 1:
            # ankle pumps number their own sets (a pause of 8 s or more starts one): a row each,
            # the session's aggregates (range, cadence per foot) on the first
            sets = []
            for k in pump_sets:
                reps_k = [r for r in summary["reps"] if r.get("set") == k]
                by = {sd: sum(1 for r in reps_k if r.get("side") == sd) for sd in ("left", "right")}
                sets.append({**(one if not sets else {}), "index": k, "kind": "reps", "reps_by_side": by,
                             "n_reps": max(by.values()), "side": "both" if all(by.values()) else next(
                                 (sd for sd, v in by.items() if v), None),
                             "t_start": min(r["t_start"] for r in reps_k), "t_end": max(r["t_end"] for r in reps_k)})
    for i, s in enumerate(sets, 1):
        if isinstance(s, Mapping):
            rows.sets.append(set_row(s, i))
    reps = list(summary.get("reps") or [])
    holds = list(summary.get("holds") or [])
    # a summary may nest reps/holds inside its sets instead of (or as well as) listing them at the top
    if not reps and not holds:
        for i, s in enumerate(sets, 1):
            if not isinstance(s, Mapping):
                continue
            for r in s.get("reps") or [] if isinstance(s.get("reps"), list) else []:
                reps.append({"set": _first(s, "index", "set", default=i), **r})
            for h in s.get("holds") or [] if isinstance(s.get("holds"), list) else []:
                holds.append({"set": _first(s, "index", "set", default=i), **h})
    rows.reps = [rep_row(r, i) for i, r in enumerate(reps, 1)]
    rows.holds = [hold_row(h, i) for i, h in enumerate(holds, 1)]
    rows.flags = [flag_row(f, i) for i, f in enumerate(summary.get("flags") or [], 1)]
    rows.marks = [mark_row(m) for m in summary.get("marks") or []]
    rows.events = [event_row(e) for e in summary.get("events") or []]
    return rows


# ---------------------------------------------------------------------------------------------
# Records read back
# ---------------------------------------------------------------------------------------------

@dataclass
class Person:
    id: int
    name: str
    height_cm: float | None = None
    age_band: str | None = None
    injured_side: str | None = None
    notes: str | None = None
    created_utc: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SessionInfo:
    """One line of the session list."""

    id: int
    uuid: str
    started_utc: str
    person: str | None
    exercise: str | None
    view: str | None
    mode: str
    status: str
    reps: int
    holds: int
    flags: int
    marks: int
    duration_s: float | None
    source_name: str | None
    track_path: str | None
    writer_host: str | None = None
    writer_pid: int | None = None
    updated_utc: str | None = None
    #: Why the recording could not be analysed (status ``not analysable``), else None.
    not_analysable_reason: str | None = None


def _loads(s: str | None) -> Any:
    return None if s is None else json.loads(s)


@dataclass
class SessionRecord:
    """A whole session read back: its row, its person, and every child row (as dicts)."""

    session: dict[str, Any]
    person: Person | None
    sets: list[dict[str, Any]]
    reps: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    marks: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def id(self) -> int:
        return int(self.session["id"])

    @property
    def summary(self) -> dict[str, Any] | None:
        return _loads(self.session.get("summary_json"))

    @property
    def quality(self) -> dict[str, Any]:
        return _loads(self.session.get("quality_json")) or {}

    @property
    def warnings(self) -> list[Any]:
        return _loads(self.session.get("warnings_json")) or []

    @property
    def model(self) -> dict[str, Any] | None:
        return _loads(self.session.get("model_json"))

    @property
    def source(self) -> dict[str, Any] | None:
        return _loads(self.session.get("source_json"))

    @property
    def targets(self) -> dict[str, Any] | None:
        return _loads(self.session.get("targets_json"))

    @property
    def track_path(self) -> Path | None:
        p = self.session.get("track_path")
        return Path(p) if p else None


def _decode_row(row: sqlite3.Row) -> dict[str, Any]:
    """Row → dict with every ``*_json`` column decoded (key without the suffix)."""
    out: dict[str, Any] = {}
    for k in row.keys():  # noqa: SIM118 - sqlite3.Row is not a dict
        v = row[k]
        if k.endswith("_json") and k not in ("summary_json",):
            out[k[: -len("_json")]] = _loads(v)
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------

def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class Store:
    """A footform database opened for reading and writing.  Use :meth:`open`; close when done."""

    #: Attempts of one write transaction when another process holds the lock past the timeout.
    WRITE_RETRIES = 8
    #: An incomplete session not updated for this long is recoverable even if a process with its
    #: writer's pid exists (pids are reused); a live writer updates its session about once a second.
    STALE_S = 120.0

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike | None = None, *, timeout_s: float = 30.0) -> Store:
        """Open (creating if absent) the database at ``path`` / ``$FOOTFORM_DB`` / the default.

        Raises :class:`InputError` for a file that is not a footform database, is damaged, or was
        written by a newer footform — without writing a byte to it — and :class:`OutputError`
        when the database cannot be created or written.
        """
        p = resolve_db_path(path)
        if p.is_dir():
            raise OutputError(f"{p} is a folder; --db needs a database file path.")
        exists = p.exists() and p.stat().st_size > 0
        if exists:
            try:
                with p.open("rb") as f:
                    head = f.read(len(SQLITE_MAGIC))
            except OSError as e:
                raise InputError(f"cannot read the footform database {p}: {e.strerror or e}.") from None
            if head != SQLITE_MAGIC:
                raise InputError(
                    f"{p} is not a footform database (it is not an SQLite file); it was left untouched — "
                    f"choose another file with --db."
                )
        else:
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise OutputError(f"cannot create the folder {p.parent} for the footform database: {os_reason(e, p.parent)}.") from None
        if exists:
            cls._check_file(p, timeout_s)
        mode = "rw" if exists else "rwc"
        uri = f"file:{_uri_path(p)}?mode={mode}"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as e:
            raise OutputError(f"cannot open the footform database {p} (SQLite: {_detail(e)}).") from None
        db.row_factory = sqlite3.Row
        try:
            cls._check_readable(db, p)
            db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            _retry(lambda: db.execute("PRAGMA journal_mode = WAL").fetchone(), cls.WRITE_RETRIES)
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            _retry(lambda: migrate(db), cls.WRITE_RETRIES)
        except FootformErrorTypes:
            db.close()
            raise
        except sqlite3.DatabaseError as e:
            db.close()
            if _is_readonly(e):
                raise OutputError(f"the footform database {p} cannot be written (SQLite: {_detail(e)}).") from None
            raise InputError(f"the footform database {p} is damaged (SQLite: {_detail(e)}); it was left untouched.") from None
        return cls(db, p)

    @classmethod
    def _check_file(cls, p: Path, timeout_s: float) -> None:
        """Check an existing file through a read-only connection, so a bad file is never written."""
        try:
            ro = sqlite3.connect(f"file:{_uri_path(p)}?mode=ro", uri=True, timeout=timeout_s, isolation_level=None)
        except sqlite3.Error:
            return  # cannot open read-only (e.g. no -shm yet in a read-only folder): checked again below
        try:
            cls._check_readable(ro, p)
        except sqlite3.OperationalError:
            pass
        finally:
            ro.close()

    @staticmethod
    def _check_readable(db: sqlite3.Connection, p: Path) -> None:
        """Read-only checks before anything is written: integrity, application id, version."""
        try:
            app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            n_tables = int(db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
            check = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as e:
            if _is_busy(e):
                raise OutputError(f"the footform database {p} is locked by another program (SQLite: {_detail(e)}).") from None
            if isinstance(e, sqlite3.OperationalError) and _is_readonly(e):
                raise
            raise InputError(f"the footform database {p} is damaged (SQLite: {_detail(e)}); it was left untouched.") from None
        if check != "ok":
            raise InputError(f"the footform database {p} is damaged (SQLite's integrity check: {_detail(check)}); "
                             "it was left untouched.")
        if app_id != APPLICATION_ID and (app_id != 0 or n_tables > 0):
            raise InputError(
                f"{p} is an SQLite database of another program, not a footform database; it was left untouched."
            )
        if version > SCHEMA_VERSION:
            raise InputError(
                f"{p} was written by a newer footform (database schema {version}; this footform reads up to "
                f"{SCHEMA_VERSION}); upgrade footform to open it."
            )

    def check_writable(self) -> None:
        """Raise :class:`OutputError` unless a session could be stored now: the database file takes a
        write (tried and rolled back, nothing changes) and its tracks folder can be created.

        ``footform analyze`` calls this before the analysis, so a read-only database is reported
        before the work, not after it.
        """
        def probe(db: sqlite3.Connection) -> None:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute(f"PRAGMA user_version = {version}")  # a write, undone below
            raise _Probe()

        try:
            with self._tx() as db:
                probe(db)
        except _Probe:
            pass
        except sqlite3.OperationalError as e:
            if _is_busy(e):
                pass  # another writer holds the lock now: writable, just busy (writes retry)
            else:
                raise OutputError(f"the footform database {self.path} cannot be written (SQLite: {_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {_detail(e)}).") from None
        try:
            self.tracks_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the tracks folder {self.tracks_dir} beside the footform database: "
                              f"{os_reason(e, self.tracks_dir)}.") from None
        if not os.access(self.tracks_dir, os.W_OK):
            raise OutputError(f"the tracks folder {self.tracks_dir} beside the footform database cannot be written.")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @property
    def tracks_dir(self) -> Path:
        """Folder beside the database where session tracks are kept (``<db stem>-tracks``)."""
        return self.path.parent / f"{self.path.stem}-tracks"

    def new_track_path(self, session_uuid: str) -> Path:
        """Where a live session writes its landmark track (the folder is created)."""
        try:
            self.tracks_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {self.tracks_dir}: {os_reason(e, self.tracks_dir)}.") from None
        return self.tracks_dir / f"{session_uuid}.track.jsonl.gz"

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``fn`` in a write transaction, retrying while another writer holds the lock."""

        def attempt() -> Any:
            with self._tx() as db:
                return fn(db)

        try:
            return _retry(attempt, self.WRITE_RETRIES)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.OperationalError as e:
            raise OutputError(f"cannot write to the footform database {self.path} (SQLite: {_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {_detail(e)}).") from None

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return _retry(lambda: self._db.execute(sql, params).fetchall(), self.WRITE_RETRIES)
        except sqlite3.OperationalError as e:
            raise InputError(f"cannot read the footform database {self.path} (SQLite: {_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {_detail(e)}).") from None

    # -- people -----------------------------------------------------------------------------
    def ensure_person(
        self,
        name: str,
        height_cm: float | None = None,
        age_band: str | None = None,
        injured_side: str | None = None,
        notes: str | None = None,
    ) -> Person:
        """The person called ``name``, created if new; given (non-None) fields are updated."""
        name = (name or "").strip()
        if not name:
            raise InputError("a person needs a name or pseudonym.")
        if injured_side is not None and injured_side not in ("left", "right", "both", "none"):
            raise InputError(f"side of injury must be left, right, both or none, not {injured_side!r}.")
        lo, hi = HEIGHT_CM_RANGE
        if height_cm is not None and not (lo <= float(height_cm) <= hi):
            raise InputError(f"a height of {height_cm} cm is not plausible (expected {lo:.0f}–{hi:.0f} cm).")
        fields = {"height_cm": height_cm, "age_band": age_band, "injured_side": injured_side, "notes": notes}

        def fn(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO people (name, height_cm, age_band, injured_side, notes, created_utc) VALUES (?,?,?,?,?,?)",
                    (name, height_cm, age_band, injured_side, notes, _now_utc()),
                )
                return int(cur.lastrowid)
            pid = int(row["id"])
            for k, v in fields.items():
                if v is not None:
                    db.execute(f"UPDATE people SET {k} = ? WHERE id = ?", (v, pid))
            return pid

        pid = self._write(fn)
        person = self.person(pid)
        assert person is not None
        return person

    def person(self, ref: int | str) -> Person | None:
        """A person by id or by name (exact), or None."""
        if isinstance(ref, int):
            rows = self._read("SELECT * FROM people WHERE id = ?", (ref,))
        else:
            rows = self._read("SELECT * FROM people WHERE name = ?", (str(ref).strip(),))
            if not rows and str(ref).strip().isdigit():
                rows = self._read("SELECT * FROM people WHERE id = ?", (int(str(ref).strip()),))
        return Person(**dict(rows[0])) if rows else None

    def require_person(self, ref: int | str) -> Person:
        p = self.person(ref)
        if p is None:
            raise InputError(f"no person called {ref!r} in {self.path} (see 'footform sessions' for who is there).")
        return p

    def people(self) -> list[Person]:
        return [Person(**dict(r)) for r in self._read("SELECT * FROM people ORDER BY name")]

    def _person_id(self, person: Person | str | int | Mapping[str, Any] | None) -> int | None:
        if person is None:
            return None
        if isinstance(person, Person):
            return person.id
        if isinstance(person, int):
            return self.require_person(person).id
        if isinstance(person, Mapping):
            return self.ensure_person(**{k: person.get(k) for k in ("name", "height_cm", "age_band", "injured_side", "notes")}).id
        return self.ensure_person(str(person)).id

    # -- threshold overrides (schema 2) ----------------------------------------------------
    def set_threshold(self, person: Person | str | int, exercise: str, rule: str, value: float, note: str | None = None) -> None:
        pid = self._person_id(person)
        self._write(lambda db: db.execute(
            "INSERT INTO thresholds (person_id, exercise, rule, value, note, updated_utc) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT (person_id, exercise, rule) DO UPDATE SET value = excluded.value, note = excluded.note, "
            "updated_utc = excluded.updated_utc",
            (pid, exercise, rule, float(value), note, _now_utc()),
        ))

    def thresholds(self, person: Person | str | int, exercise: str | None = None) -> dict[str, float]:
        """Rule code → overridden threshold for this person (and exercise, if given)."""
        p = person if isinstance(person, Person) else self.require_person(person)
        sql = "SELECT rule, value FROM thresholds WHERE person_id = ?"
        params: list[Any] = [p.id]
        if exercise:
            sql += " AND exercise = ?"
            params.append(exercise)
        return {r["rule"]: float(r["value"]) for r in self._read(sql, params)}

    # -- home programs (schema 3; the model is footform.outputs.program) ------------------------------
    def set_program(self, person: Person | str | int, program: Mapping[str, Any], toml_text: str,
                    source_name: str | None = None) -> tuple[int, bool]:
        """Store a program (``Program.to_dict()``) as the person's newest version, unless it equals the
        current one.  Returns (the version's row id, whether a new version was added)."""
        pid = self._person_id(person)
        pjson = _json(_clean(dict(program)))
        items = list(program.get("items") or [])

        def fn(db: sqlite3.Connection) -> tuple[int, bool]:
            last = db.execute("SELECT id, version, program_json FROM programs WHERE person_id = ? ORDER BY version DESC LIMIT 1",
                              (pid,)).fetchone()
            if last is not None and last["program_json"] == pjson:
                return int(last["id"]), False
            version = int(last["version"]) + 1 if last is not None else 1
            prog_id = self._insert(db, "programs", {
                "person_id": pid, "version": version, "created_utc": _now_utc(), "start_date": program["start"],
                "weeks": int(program["weeks"]), "days_per_week": int(program["days_per_week"]),
                "source_name": source_name, "toml": toml_text, "program_json": pjson})
            for k, it in enumerate(items, 1):
                self._insert(db, "program_items", {"program_id": prog_id, "item_index": k, "exercise": it["exercise"],
                                                   "item_json": _json(_clean(dict(it)))})
            return prog_id, True

        return self._write(fn)

    def program_versions(self, person: Person | str | int) -> list[dict[str, Any]]:
        """The person's program versions, oldest first: each row's columns plus ``item_ids`` (in item order)."""
        p = person if isinstance(person, Person) else self.require_person(person)
        out = []
        for r in self._read("SELECT * FROM programs WHERE person_id = ? ORDER BY version", (p.id,)):
            d = dict(r)
            d["item_ids"] = [int(x["id"]) for x in self._read(
                "SELECT id FROM program_items WHERE program_id = ? ORDER BY item_index", (d["id"],))]
            out.append(d)
        return out

    def attribute_session(self, session_id: int, program_item_id: int, how: str | None = None) -> None:
        """Record that a session was done for a program item (replaces an earlier attribution)."""
        self._write(lambda db: db.execute(
            "INSERT INTO session_program (session_id, program_item_id, how, attributed_utc) VALUES (?,?,?,?) "
            "ON CONFLICT (session_id) DO UPDATE SET program_item_id = excluded.program_item_id, how = excluded.how, "
            "attributed_utc = excluded.attributed_utc",
            (session_id, program_item_id, how, _now_utc())))

    def program_links(self, person: Person | str | int) -> list[dict[str, Any]]:
        """The person's sessions that belong to a program item: session id, its start time, program
        row id and version, item id, index and exercise, and how it was attributed (oldest first)."""
        p = person if isinstance(person, Person) else self.require_person(person)
        return [dict(r) for r in self._read(
            "SELECT sp.session_id, s.started_utc, pr.id AS program_id, pr.version, pi.id AS program_item_id, "
            "pi.item_index, pi.exercise, sp.how FROM session_program sp "
            "JOIN sessions s ON s.id = sp.session_id JOIN program_items pi ON pi.id = sp.program_item_id "
            "JOIN programs pr ON pr.id = pi.program_id WHERE pr.person_id = ? ORDER BY s.started_utc, s.id", (p.id,))]

    # -- writing sessions -------------------------------------------------------------------
    def _session_header(
        self,
        person_id: int | None,
        exercise: str | None,
        view: str | None,
        mode: str,
        status: str,
        source: Mapping[str, Any] | None,
        model: Mapping[str, Any] | None,
        targets: Mapping[str, Any] | None,
        started_utc: str | None,
        track_path: str | None,
        out_dir: str | None,
        software_version: str | None,
    ) -> dict[str, Any]:
        now = _now_utc()
        src = dict(source or {})
        return {
            "uuid": _uuid.uuid4().hex,
            "person_id": person_id,
            "exercise": exercise,
            "view": view,
            "mode": mode,
            "status": status,
            "started_utc": started_utc or now,
            "finished_utc": now if status == STATUS_COMPLETE else None,
            "updated_utc": now,
            "source_name": src.get("name") or (Path(src["path"]).name if src.get("path") else None),
            "source_json": _json(_clean(src)) if src else None,
            "software_version": software_version or __version__,
            "model_name": (model or {}).get("name"),
            "model_sha256": (model or {}).get("sha256"),
            "model_json": _json(_clean(dict(model))) if model else None,
            "targets_json": _json(_clean(dict(targets))) if targets else None,
            "track_path": track_path,
            "out_dir": out_dir,
            "writer_host": socket.gethostname(),
            "writer_pid": os.getpid(),
        }

    def _keep_track(self, track_path: str | os.PathLike | None, copy_track: bool, session_uuid: str) -> str | None:
        if track_path is None:
            return None
        src = Path(track_path).resolve()
        if not copy_track:
            return str(src)
        if not src.is_file():
            raise InputError(f"{src}: no such landmark track to keep with the session.")
        dst = self.new_track_path(session_uuid)
        try:
            shutil.copyfile(src, dst)
        except OSError as e:
            raise OutputError(f"cannot copy the landmark track to {dst}: {e.strerror or e}.") from None
        return str(dst)

    @staticmethod
    def _insert(db: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> int:
        cols = list(row)
        cur = db.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        return int(cur.lastrowid)

    @classmethod
    def _insert_children(cls, db: sqlite3.Connection, session_id: int, rows: SessionRows, with_marks: bool = True) -> None:
        for table, items in (("sets", rows.sets), ("reps", rows.reps), ("holds", rows.holds), ("flags", rows.flags),
                             ("events", rows.events), ("marks", rows.marks if with_marks else [])):
            for r in items:
                cls._insert(db, table, {"session_id": session_id, **r})

    def add_session(
        self,
        summary: Mapping[str, Any],
        *,
        person: Person | str | int | Mapping[str, Any] | None = None,
        track_path: str | os.PathLike | None = None,
        out_dir: str | os.PathLike | None = None,
        source: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
        targets: Mapping[str, Any] | None = None,
        started_utc: str | None = None,
        mode: str = "offline",
        copy_track: bool = True,
        software_version: str | None = None,
    ) -> int:
        """Store a whole analysed session in one transaction; returns its id.

        ``summary`` is the analysis summary (``footform.summary/1``); ``person`` a name, id,
        :class:`Person` or dict of person fields (created if new); ``track_path`` the session's
        landmark track, copied to :attr:`tracks_dir` unless ``copy_track`` is false (then its
        absolute path is kept); ``source`` / ``model`` the track header's dicts.
        """
        rows = summary_to_rows(summary)
        person_id = self._person_id(person)
        header = self._session_header(
            person_id, rows.session.get("exercise"), rows.session.get("view"), mode, _status_of(rows),
            source, model, targets or summary.get("targets"), started_utc, None,
            str(Path(out_dir).resolve()) if out_dir else None, software_version,
        )
        header["track_path"] = self._keep_track(track_path, copy_track, header["uuid"])

        def fn(db: sqlite3.Connection) -> int:
            sid = self._insert(db, "sessions", {**header, **rows.session})
            self._insert_children(db, sid, rows)
            return sid

        return int(self._write(fn))

    def begin_session(
        self,
        *,
        exercise: str,
        person: Person | str | int | Mapping[str, Any] | None = None,
        view: str | None = None,
        source: Mapping[str, Any] | None = None,
        model: Mapping[str, Any] | None = None,
        targets: Mapping[str, Any] | None = None,
        track_path: str | os.PathLike | None = None,
        started_utc: str | None = None,
        software_version: str | None = None,
    ) -> LiveSession:
        """Start a session written incrementally (``footform live``); status ``incomplete`` until finished.

        ``track_path`` defaults to :meth:`new_track_path` for the new session (the live writer
        should write its landmark track there).
        """
        person_id = self._person_id(person)
        header = self._session_header(person_id, exercise, view, "live", STATUS_INCOMPLETE, source, model, targets,
                                      started_utc, None, None, software_version)
        header["track_path"] = str(Path(track_path).resolve()) if track_path else str(self.new_track_path(header["uuid"]))
        sid = int(self._write(lambda db: self._insert(db, "sessions", header)))
        return LiveSession(self, sid, header["uuid"], Path(header["track_path"]))

    def complete_session(self, session_id: int, summary: Mapping[str, Any] | None = None) -> None:
        """Mark a session complete; with ``summary``, its rows are replaced by the summary's.

        Marks written live are kept (the summary's own marks are added only when the session had
        none), so a re-analysis of a recovered track never loses what the person reported.
        """
        now = _now_utc()

        def fn(db: sqlite3.Connection) -> None:
            if db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise InputError(f"there is no session {session_id} in {self.path}.")
            if summary is not None:
                rows = summary_to_rows(summary)
                had_marks = db.execute("SELECT count(*) FROM marks WHERE session_id = ?", (session_id,)).fetchone()[0]
                for t in ("sets", "reps", "holds", "flags", "events"):
                    db.execute(f"DELETE FROM {t} WHERE session_id = ?", (session_id,))
                self._insert_children(db, session_id, rows, with_marks=not had_marks)
                cols = {k: v for k, v in rows.session.items() if v is not None}
                if cols:
                    db.execute(f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                               [*cols.values(), session_id])
                status = _status_of(rows)
            else:
                # nothing re-analysed: what was committed live stands; a session that recorded
                # nothing at all (no frame, no row) is not an exercise session
                counts = db.execute(
                    "SELECT coalesce(frames, 0) + (SELECT count(*) FROM reps WHERE session_id = s.id) + "
                    "(SELECT count(*) FROM holds WHERE session_id = s.id) + (SELECT count(*) FROM marks WHERE "
                    "session_id = s.id) FROM sessions s WHERE s.id = ?", (session_id,)).fetchone()[0]
                status = STATUS_COMPLETE if counts else STATUS_NOT_ANALYSABLE
                if not counts:
                    db.execute("UPDATE sessions SET analysable = 0, not_analysable_reason = ? WHERE id = ?",
                               (NOTHING_RECORDED, session_id))
            db.execute("UPDATE sessions SET status = ?, finished_utc = ?, updated_utc = ? WHERE id = ?",
                       (status, now, now, session_id))

        self._write(fn)

    # -- reading sessions -------------------------------------------------------------------
    _LIST_SQL = """
        SELECT s.id, s.uuid, s.started_utc, p.name AS person, s.exercise, s.view, s.mode, s.status,
               (SELECT count(*) FROM reps r WHERE r.session_id = s.id AND r.full = 1) AS reps,
               (SELECT count(*) FROM holds h WHERE h.session_id = s.id) AS holds,
               (SELECT count(*) FROM flags f WHERE f.session_id = s.id) AS flags,
               (SELECT count(*) FROM marks m WHERE m.session_id = s.id) AS marks,
               s.duration_s, s.source_name, s.track_path, s.writer_host, s.writer_pid, s.updated_utc,
               s.not_analysable_reason
        FROM sessions s LEFT JOIN people p ON p.id = s.person_id
    """

    def sessions(self, person: str | int | Person | None = None, exercise: str | None = None,
                 status: str | None = None) -> list[SessionInfo]:
        """Sessions, oldest first, optionally of one person / exercise / status."""
        where, params = [], []
        if person is not None:
            p = person if isinstance(person, Person) else self.require_person(person)
            where.append("s.person_id = ?")
            params.append(p.id)
        if exercise:
            where.append("s.exercise = ?")
            params.append(exercise)
        if status:
            where.append("s.status = ?")
            params.append(status)
        sql = self._LIST_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.started_utc, s.id"
        return [SessionInfo(**dict(r)) for r in self._read(sql, params)]

    def incomplete_sessions(self, include_active: bool = False) -> list[SessionInfo]:
        """Sessions left ``incomplete`` by a writer that is gone (crash, pulled camera): recoverable.

        A session whose writer process is still running on this machine and updated it within
        :attr:`STALE_S` is left out unless ``include_active``.  Each keeps what was committed and its ``track_path`` for re-analysis.
        """
        host = socket.gethostname()
        now = _dt.datetime.now(_dt.UTC)
        out = []
        for s in self.sessions(status=STATUS_INCOMPLETE):
            try:
                age_s = (now - _dt.datetime.fromisoformat(s.updated_utc or s.started_utc)).total_seconds()
            except ValueError:
                age_s = math.inf
            active = s.writer_host == host and _pid_alive(s.writer_pid) and age_s < self.STALE_S
            if include_active or not active:
                out.append(s)
        return out

    def resolve_session(self, ref: int | str) -> int:
        """A session id from ``ref``: an id, ``last``/``latest``, or a uuid (or its unique prefix)."""
        s = str(ref).strip()
        if s.isdigit():
            rows = self._read("SELECT id FROM sessions WHERE id = ?", (int(s),))
        elif s.lower() in ("last", "latest"):
            rows = self._read("SELECT id FROM sessions ORDER BY started_utc DESC, id DESC LIMIT 1")
        elif len(s) >= 4 and all(c in "0123456789abcdef" for c in s.lower()):
            rows = self._read("SELECT id FROM sessions WHERE uuid LIKE ? LIMIT 2", (s.lower() + "%",))
            if len(rows) > 1:
                raise InputError(f"session {s!r} is ambiguous; give more of its id.")
        else:
            rows = []
        if not rows:
            raise InputError(f"there is no session {s!r} in {self.path} (see 'footform sessions').")
        return int(rows[0]["id"])

    def session(self, ref: int | str) -> SessionRecord:
        """A whole session with its person and child rows (ordered by time / index)."""
        sid = self.resolve_session(ref)
        srow = self._read("SELECT * FROM sessions WHERE id = ?", (sid,))[0]
        person = None
        if srow["person_id"] is not None:
            person = self.person(int(srow["person_id"]))

        def children(table: str, order: str) -> list[dict[str, Any]]:
            return [_decode_row(r) for r in self._read(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", (sid,))]

        return SessionRecord(
            session=dict(srow),
            person=person,
            sets=children("sets", "set_index"),
            reps=children("reps", "rep_index, id"),
            holds=children("holds", "hold_index, id"),
            flags=children("flags", "t_start_s, flag_index"),
            marks=children("marks", "t_s, id"),
            events=children("events", "t_s, id"),
        )

    def delete_session(self, session_id: int) -> None:
        """Remove a session and its rows (its track file is left where it is)."""
        self._write(lambda db: db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)))


FootformErrorTypes = (InputError, OutputError)


def _status_of(rows: SessionRows) -> str:
    """``not analysable`` for a summary that says so, else ``complete``."""
    return STATUS_NOT_ANALYSABLE if rows.session.get("analysable") == 0 else STATUS_COMPLETE


class _Probe(Exception):
    """Rolls back :meth:`Store.check_writable`'s test write."""


class LiveSession:
    """A session being written as it happens; every call is its own short committed transaction."""

    def __init__(self, store: Store, session_id: int, uuid: str, track_path: Path) -> None:
        self.store = store
        self.id = session_id
        self.uuid = uuid
        self.track_path = track_path
        self._n = {"reps": 0, "holds": 0, "flags": 0}

    def _add(self, table: str, row: Mapping[str, Any]) -> int:
        now = _now_utc()

        def fn(db: sqlite3.Connection) -> int:
            rid = Store._insert(db, table, {"session_id": self.id, **row})
            db.execute("UPDATE sessions SET updated_utc = ? WHERE id = ?", (now, self.id))
            return rid

        return int(self.store._write(fn))

    def add_rep(self, rep: Mapping[str, Any]) -> int:
        """Append one rep (a summary rep dict, or a ``Rep`` dataclass's ``__dict__``)."""
        self._n["reps"] += 1
        return self._add("reps", rep_row(_as_mapping(rep), self._n["reps"]))

    def add_hold(self, hold: Mapping[str, Any]) -> int:
        self._n["holds"] += 1
        return self._add("holds", hold_row(_as_mapping(hold), self._n["holds"]))

    def add_flag(self, flag: Mapping[str, Any]) -> int:
        self._n["flags"] += 1
        return self._add("flags", flag_row(_as_mapping(flag), self._n["flags"]))

    def add_event(self, event: Mapping[str, Any]) -> int:
        return self._add("events", event_row(_as_mapping(event)))

    def add_mark(self, t_s: float, kind: str = "pain", rating: int | None = None, side: str | None = None,
                 note: str | None = None) -> int:
        """A pain/cramp mark at ``t_s`` seconds (source clock), rating 0–10."""
        try:
            row = mark_row({"t_s": t_s, "kind": kind, "rating": rating, "side": side, "note": note})
        except ValueError as e:
            raise InputError(f"cannot record the mark: {e}.") from None
        return self._add("marks", row)

    def update(self, *, quality: Mapping[str, Any] | None = None, view: str | None = None,
               duration_s: float | None = None) -> None:
        """Update the running quality counts / view / duration (call about once a second)."""
        cols: dict[str, Any] = {"updated_utc": _now_utc()}
        if quality is not None:
            q = _clean(dict(quality))
            cols.update(quality_json=_json(q), frames=_int(q.get("frames")), frames_with_person=_int(q.get("frames_with_person")),
                        frames_feet_visible=_int(q.get("frames_feet_visible")))
            if duration_s is None:
                duration_s = finite(q.get("duration_s"))
        if view is not None:
            cols["view"] = view
        if duration_s is not None:
            cols["duration_s"] = duration_s
        self.store._write(lambda db: db.execute(
            f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), self.id]))

    def finish(self, summary: Mapping[str, Any] | None = None) -> int:
        """Mark the session complete (rows replaced by ``summary``'s when given); returns the id."""
        self.store.complete_session(self.id, summary)
        return self.id


def _as_mapping(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(obj)
    raise TypeError(f"cannot store a {type(obj).__name__}")


def _uri_path(p: Path) -> str:
    from urllib.parse import quote

    return quote(str(p.resolve()), safe="/:")


def _detail(e: BaseException | str) -> str:
    """SQLite's message on one line: integrity-check reports span lines ("*** in database main ***",
    then one line per problem); keep the first problem and say how many more there were."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and not ln.strip().startswith("***")]
    if not lines:
        return "unknown error"
    first = lines[0].rstrip(".")
    if len(first) > 100:
        first = first[:97] + "…"
    return first + (f", and {len(lines) - 1} more problem{'s' if len(lines) > 2 else ''}" if len(lines) > 1 else "")


def _is_busy(e: BaseException) -> bool:
    s = str(e).lower()
    return isinstance(e, sqlite3.OperationalError) and ("locked" in s or "busy" in s)


def _is_readonly(e: BaseException) -> bool:
    s = str(e).lower()
    return "readonly" in s or "read-only" in s or "unable to open" in s


def _retry(fn: Callable[[], Any], attempts: int) -> Any:
    """Call ``fn``; on 'database is locked/busy' wait (growing, jittered) and try again."""
    delay = 0.05
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if not _is_busy(e) or i == attempts - 1:
                raise
            time.sleep(delay * (1.0 + (os.getpid() % 7) / 7.0))
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")
