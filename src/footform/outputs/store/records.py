"""What the store hands back: people, session lists and whole session records."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def loads(s: str | None) -> Any:
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
        return loads(self.session.get("summary_json"))

    @property
    def quality(self) -> dict[str, Any]:
        return loads(self.session.get("quality_json")) or {}

    @property
    def warnings(self) -> list[Any]:
        return loads(self.session.get("warnings_json")) or []

    @property
    def model(self) -> dict[str, Any] | None:
        return loads(self.session.get("model_json"))

    @property
    def source(self) -> dict[str, Any] | None:
        return loads(self.session.get("source_json"))

    @property
    def targets(self) -> dict[str, Any] | None:
        return loads(self.session.get("targets_json"))

    @property
    def track_path(self) -> Path | None:
        p = self.session.get("track_path")
        return Path(p) if p else None


def decode_row(row: sqlite3.Row) -> dict[str, Any]:
    """Row → dict with every ``*to_json`` column decoded (key without the suffix)."""
    out: dict[str, Any] = {}
    for k in row.keys():  # noqa: SIM118 - sqlite3.Row is not a dict
        v = row[k]
        if k.endswith("_json") and k not in ("summary_json",):
            out[k[: -len("_json")]] = loads(v)
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------

def pid_alive(pid: int | None) -> bool:
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
