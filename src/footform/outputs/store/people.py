"""People, their threshold overrides and their home-program versions in the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from footform.core.kinematics import HEIGHT_CM_RANGE
from footform.errors import InputError
from footform.outputs.store.records import (
    Person,
)
from footform.outputs.store.schema import (
    now_utc,
)
from footform.outputs.store.summary_rows import (
    json_safe,
    to_json,
)


class People:
    """People, per-person rule thresholds and home programs (a part of :class:`~footform.outputs.store.Store`)."""

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
                    (name, height_cm, age_band, injured_side, notes, now_utc()),
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
            (pid, exercise, rule, float(value), note, now_utc()),
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
        pjson = to_json(json_safe(dict(program)))
        items = list(program.get("items") or [])

        def fn(db: sqlite3.Connection) -> tuple[int, bool]:
            last = db.execute("SELECT id, version, program_json FROM programs WHERE person_id = ? ORDER BY version DESC LIMIT 1",
                              (pid,)).fetchone()
            if last is not None and last["program_json"] == pjson:
                return int(last["id"]), False
            version = int(last["version"]) + 1 if last is not None else 1
            prog_id = self._insert(db, "programs", {
                "person_id": pid, "version": version, "created_utc": now_utc(), "start_date": program["start"],
                "weeks": int(program["weeks"]), "days_per_week": int(program["days_per_week"]),
                "source_name": source_name, "toml": toml_text, "program_json": pjson})
            for k, it in enumerate(items, 1):
                self._insert(db, "program_items", {"program_id": prog_id, "item_index": k, "exercise": it["exercise"],
                                                   "item_json": to_json(json_safe(dict(it)))})
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
            (session_id, program_item_id, how, now_utc())))

    def program_links(self, person: Person | str | int) -> list[dict[str, Any]]:
        """The person's sessions that belong to a program item: session id, its start time, program
        row id and version, item id, index and exercise, and how it was attributed (oldest first)."""
        p = person if isinstance(person, Person) else self.require_person(person)
        return [dict(r) for r in self._read(
            "SELECT sp.session_id, s.started_utc, pr.id AS program_id, pr.version, pi.id AS program_item_id, "
            "pi.item_index, pi.exercise, sp.how FROM session_program sp "
            "JOIN sessions s ON s.id = sp.session_id JOIN program_items pi ON pi.id = sp.program_item_id "
            "JOIN programs pr ON pr.id = pi.program_id WHERE pr.person_id = ? ORDER BY s.started_utc, s.id", (p.id,))]
