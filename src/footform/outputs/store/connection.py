"""Opening a footform database safely, and its short write transactions with retries."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from footform.errors import InputError, OutputError, os_reason
from footform.outputs.store.schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    SQLITE_MAGIC,
    migrate,
    resolve_db_path,
)


class Database:
    """The connection side of :class:`~footform.outputs.store.Store`: opening and checking the file,
    short write transactions with retries, reads."""

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
    def open(cls, path: str | os.PathLike | None = None, *, timeout_s: float = 30.0) -> Self:
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
        uri = f"file:{uri_path(p)}?mode={mode}"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as e:
            raise OutputError(f"cannot open the footform database {p} (SQLite: {error_detail(e)}).") from None
        db.row_factory = sqlite3.Row
        try:
            cls._check_readable(db, p)
            db.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            retry(lambda: db.execute("PRAGMA journal_mode = WAL").fetchone(), cls.WRITE_RETRIES)
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            retry(lambda: migrate(db), cls.WRITE_RETRIES)
        except FootformErrorTypes:
            db.close()
            raise
        except sqlite3.DatabaseError as e:
            db.close()
            if is_readonly(e):
                raise OutputError(f"the footform database {p} cannot be written (SQLite: {error_detail(e)}).") from None
            raise InputError(f"the footform database {p} is damaged (SQLite: {error_detail(e)}); it was left untouched.") from None
        return cls(db, p)

    @classmethod
    def _check_file(cls, p: Path, timeout_s: float) -> None:
        """Check an existing file through a read-only connection, so a bad file is never written."""
        try:
            ro = sqlite3.connect(f"file:{uri_path(p)}?mode=ro", uri=True, timeout=timeout_s, isolation_level=None)
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
            if is_busy(e):
                raise OutputError(f"the footform database {p} is locked by another program (SQLite: {error_detail(e)}).") from None
            if isinstance(e, sqlite3.OperationalError) and is_readonly(e):
                raise
            raise InputError(f"the footform database {p} is damaged (SQLite: {error_detail(e)}); it was left untouched.") from None
        if check != "ok":
            raise InputError(f"the footform database {p} is damaged (SQLite's integrity check: {error_detail(check)}); "
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
            raise Probe()

        try:
            with self._tx() as db:
                probe(db)
        except Probe:
            pass
        except sqlite3.OperationalError as e:
            if is_busy(e):
                pass  # another writer holds the lock now: writable, just busy (writes retry)
            else:
                raise OutputError(f"the footform database {self.path} cannot be written (SQLite: {error_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {error_detail(e)}).") from None
        try:
            self.tracks_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the tracks folder {self.tracks_dir} beside the footform database: "
                              f"{os_reason(e, self.tracks_dir)}.") from None
        if not os.access(self.tracks_dir, os.W_OK):
            raise OutputError(f"the tracks folder {self.tracks_dir} beside the footform database cannot be written.")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
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
            return retry(attempt, self.WRITE_RETRIES)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.OperationalError as e:
            raise OutputError(f"cannot write to the footform database {self.path} (SQLite: {error_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {error_detail(e)}).") from None

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return retry(lambda: self._db.execute(sql, params).fetchall(), self.WRITE_RETRIES)
        except sqlite3.OperationalError as e:
            raise InputError(f"cannot read the footform database {self.path} (SQLite: {error_detail(e)}).") from None
        except sqlite3.DatabaseError as e:
            raise InputError(f"the footform database {self.path} is damaged (SQLite: {error_detail(e)}).") from None


FootformErrorTypes = (InputError, OutputError)


class Probe(Exception):
    """Rolls back :meth:`Store.check_writable`'s test write."""


def uri_path(p: Path) -> str:
    from urllib.parse import quote

    return quote(str(p.resolve()), safe="/:")


def error_detail(e: BaseException | str) -> str:
    """SQLite's message on one line: integrity-check reports span lines ("*** in database main ***",
    then one line per problem); keep the first problem and say how many more there were."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and not ln.strip().startswith("***")]
    if not lines:
        return "unknown error"
    first = lines[0].rstrip(".")
    if len(first) > 100:
        first = first[:97] + "…"
    return first + (f", and {len(lines) - 1} more problem{'s' if len(lines) > 2 else ''}" if len(lines) > 1 else "")


def is_busy(e: BaseException) -> bool:
    s = str(e).lower()
    return isinstance(e, sqlite3.OperationalError) and ("locked" in s or "busy" in s)


def is_readonly(e: BaseException) -> bool:
    s = str(e).lower()
    return "readonly" in s or "read-only" in s or "unable to open" in s


def retry(fn: Callable[[], Any], attempts: int) -> Any:
    """Call ``fn``; on 'database is locked/busy' wait (growing, jittered) and try again."""
    delay = 0.05
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if not is_busy(e) or i == attempts - 1:
                raise
            time.sleep(delay * (1.0 + (os.getpid() % 7) / 7.0))
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")
