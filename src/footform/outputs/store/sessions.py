"""Sessions: writing them whole (``analyze``) or as they happen (``live``), reading and listing them."""

from __future__ import annotations

import datetime as _dt
import math
import os
import shutil
import socket
import sqlite3
import uuid as _uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from footform import __version__
from footform.core.numeric import finite
from footform.errors import InputError, OutputError
from footform.exercises.rows import as_int as _int
from footform.outputs.store.connection import (
    Database,
)
from footform.outputs.store.people import (
    People,
)
from footform.outputs.store.records import (
    Person,
    SessionInfo,
    SessionRecord,
    decode_row,
    pid_alive,
)
from footform.outputs.store.schema import (
    NOTHING_RECORDED,
    STATUS_COMPLETE,
    STATUS_INCOMPLETE,
    STATUS_NOT_ANALYSABLE,
    now_utc,
)
from footform.outputs.store.summary_rows import (
    SessionRows,
    event_row,
    flag_row,
    hold_row,
    json_safe,
    mark_row,
    rep_row,
    summary_to_rows,
    to_json,
)


class Store(Database, People):
    """A footform database opened for reading and writing.  Use :meth:`open`; close when done."""

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
        now = now_utc()
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
            "source_json": to_json(json_safe(src)) if src else None,
            "software_version": software_version or __version__,
            "model_name": (model or {}).get("name"),
            "model_sha256": (model or {}).get("sha256"),
            "model_json": to_json(json_safe(dict(model))) if model else None,
            "targets_json": to_json(json_safe(dict(targets))) if targets else None,
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
            person_id, rows.session.get("exercise"), rows.session.get("view"), mode, status_of(rows),
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
        now = now_utc()

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
                status = status_of(rows)
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
            active = s.writer_host == host and pid_alive(s.writer_pid) and age_s < self.STALE_S
            if include_active or not active:
                out.append(s)
        return out

    def resolve_session(self, ref: int | str) -> int:
        """A session id from ``ref``: an id, ``last``/``latest``, or a uuid (or its unique prefix).
        Digits are an id first, else a uuid prefix: one uuid in ~40 starts with eight digits."""
        s = str(ref).strip()
        rows = self._read("SELECT id FROM sessions WHERE id = ?", (int(s),)) if s.isdigit() else []
        if not rows and s.lower() in ("last", "latest"):
            rows = self._read("SELECT id FROM sessions ORDER BY started_utc DESC, id DESC LIMIT 1")
        elif not rows and len(s) >= 4 and all(c in "0123456789abcdef" for c in s.lower()):
            rows = self._read("SELECT id FROM sessions WHERE uuid LIKE ? LIMIT 2", (s.lower() + "%",))
            if len(rows) > 1:
                raise InputError(f"session {s!r} is ambiguous; give more of its id.")
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
            return [decode_row(r) for r in self._read(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", (sid,))]

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


def status_of(rows: SessionRows) -> str:
    """``not analysable`` for a summary that says so, else ``complete``."""
    return STATUS_NOT_ANALYSABLE if rows.session.get("analysable") == 0 else STATUS_COMPLETE


class LiveSession:
    """A session being written as it happens; every call is its own short committed transaction."""

    def __init__(self, store: Store, session_id: int, uuid: str, track_path: Path) -> None:
        self.store = store
        self.id = session_id
        self.uuid = uuid
        self.track_path = track_path
        self._n = {"reps": 0, "holds": 0, "flags": 0}

    def _add(self, table: str, row: Mapping[str, Any]) -> int:
        now = now_utc()

        def fn(db: sqlite3.Connection) -> int:
            rid = Store._insert(db, table, {"session_id": self.id, **row})
            db.execute("UPDATE sessions SET updated_utc = ? WHERE id = ?", (now, self.id))
            return rid

        return int(self.store._write(fn))

    def add_rep(self, rep: Mapping[str, Any]) -> int:
        """Append one rep (a summary rep dict, or a ``Rep`` dataclass's ``__dict__``)."""
        self._n["reps"] += 1
        return self._add("reps", rep_row(as_mapping(rep), self._n["reps"]))

    def add_hold(self, hold: Mapping[str, Any]) -> int:
        self._n["holds"] += 1
        return self._add("holds", hold_row(as_mapping(hold), self._n["holds"]))

    def add_flag(self, flag: Mapping[str, Any]) -> int:
        self._n["flags"] += 1
        return self._add("flags", flag_row(as_mapping(flag), self._n["flags"]))

    def add_event(self, event: Mapping[str, Any]) -> int:
        return self._add("events", event_row(as_mapping(event)))

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
        cols: dict[str, Any] = {"updated_utc": now_utc()}
        if quality is not None:
            q = json_safe(dict(quality))
            cols.update(quality_json=to_json(q), frames=_int(q.get("frames")), frames_with_person=_int(q.get("frames_with_person")),
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


def as_mapping(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(obj)
    raise TypeError(f"cannot store a {type(obj).__name__}")
