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

The package's modules (each a part of the one store; the public API is this package's namespace):
``schema`` (constants, the database's place, migrations), ``summary_rows`` (summary → rows),
``records`` (what is read back), ``connection`` (opening, transactions, retries), ``people``
(people, thresholds, programs) and ``sessions`` (:class:`Store`, :class:`LiveSession`).
"""

from __future__ import annotations

from footform.outputs.store.connection import (
    FootformErrorTypes,
)
from footform.outputs.store.records import (
    Person,
    SessionInfo,
    SessionRecord,
)
from footform.outputs.store.schema import (
    APPLICATION_ID,
    DB_FILENAME,
    ENV_DB,
    MARK_KINDS,
    MIGRATIONS,
    NOTHING_RECORDED,
    SCHEMA_VERSION,
    SIDES,
    SQLITE_MAGIC,
    STATUS_COMPLETE,
    STATUS_INCOMPLETE,
    STATUS_NOT_ANALYSABLE,
    default_db_path,
    local_time,
    migrate,
    resolve_db_path,
)
from footform.outputs.store.sessions import (
    LiveSession,
    Store,
)
from footform.outputs.store.summary_rows import (
    SessionRows,
    event_row,
    flag_row,
    hold_row,
    mark_row,
    rep_row,
    set_row,
    summary_to_rows,
)

__all__ = [
    "APPLICATION_ID",
    "DB_FILENAME",
    "ENV_DB",
    "FootformErrorTypes",
    "LiveSession",
    "MARK_KINDS",
    "MIGRATIONS",
    "NOTHING_RECORDED",
    "Person",
    "SCHEMA_VERSION",
    "SIDES",
    "SQLITE_MAGIC",
    "STATUS_COMPLETE",
    "STATUS_INCOMPLETE",
    "STATUS_NOT_ANALYSABLE",
    "SessionInfo",
    "SessionRecord",
    "SessionRows",
    "Store",
    "default_db_path",
    "event_row",
    "flag_row",
    "hold_row",
    "local_time",
    "mark_row",
    "migrate",
    "rep_row",
    "resolve_db_path",
    "set_row",
    "summary_to_rows",
]
