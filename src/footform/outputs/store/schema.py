"""The session store's file: its constants, where it lives, and its schema migrations (``PRAGMA user_version``)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

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


def now_utc() -> str:
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

def run_script(db: sqlite3.Connection, script: str) -> None:
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
    run_script(db, 
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
    run_script(db, 
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
    run_script(db,
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
