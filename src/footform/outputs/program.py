"""Home programs: what a therapist prescribes for one person (schema ``footform.program/1``).

A program is a small TOML file (``docs/programs.md``)::

    schema = "footform.program/1"
    start = 2026-11-02          # first day (a TOML date)
    weeks = 6                   # duration in weeks
    days_per_week = 5           # exercise days per week

    [[item]]
    exercise = "calf-raise"     # calf-raise | single-leg-stance | calf-stretch | ankle-pumps
    sets = 3
    reps = 15                   # counted exercises: reps per set (per leg with per_leg = true)
    rest_s = 60
    metronome_bpm = 60

    [[item]]
    exercise = "single-leg-stance"
    sets = 3
    hold_s = 30                 # held exercises: seconds per leg per set

Items are done in the order written.  :func:`parse_program` validates a file and reports **every**
problem at once, one sentence each naming the file, the line, the field and what is allowed
(:class:`ProgramError`); :meth:`Program.to_toml` writes the canonical form back, which parses to
the same :class:`Program` (the round trip ``footform program set`` → ``show`` relies on).

Per-person rule overrides use the ``--rules`` mechanism (:func:`footform.feedback.engine.load_rules`): an
item's ``rules = "FILE"`` names an override file (relative to the program file); it is validated
when the program is read and its text is kept with the program in the store, so a stored program
version always runs with the rules it was set with (:func:`rules_file`).

This module holds the model and its validation, plus the glue between the session store and the
pure adherence computation (:mod:`footform.outputs.adherence`): which program version and item a session
belongs to (:func:`pick_item`) and the per-person adherence (:func:`person_adherence`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import re
import tempfile
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from footform.errors import InputError
from footform.exercises import registry

SCHEMA = "footform.program/1"
#: Exercise names as written in a program (the CLI's spelling) → footform's internal names (the registry's).
EXERCISES = {e.cli: e.id for e in registry.EXERCISES}
#: Exercises counted in reps (the others are held, per leg).
REP_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.counts_reps)
HOLD_EXERCISES = tuple(e.id for e in registry.EXERCISES if not e.counts_reps)
#: Words for an exercise in sentences and tables: the registry's plural labels, kept under this name
#: for the modules that read it (new code calls ``registry.plural``).
EXERCISE_WORDS = {e.id: e.plural for e in registry.EXERCISES}

#: Limits of each numeric field (inclusive): wide enough for any home program, narrow enough to
#: catch a typo (1500 reps, a 3000 s hold).
LIMITS: dict[str, tuple[float, float]] = {
    "weeks": (1, 104),
    "days_per_week": (1, 7),
    "sets": (1, 20),
    "reps": (1, 500),
    "hold_s": (1, 600),
    "rest_s": (0, 900),
    "metronome_bpm": (20, 240),
}
TOP_KEYS = ("schema", "person", "start", "weeks", "days_per_week", "note", "item")
ITEM_KEYS = ("exercise", "sets", "reps", "hold_s", "per_leg", "rest_s", "metronome_bpm", "rules", "note")
DEFAULT_REST_S = 60.0


class ProgramError(InputError):
    """A program file with problems: ``problems`` holds one sentence per problem (file, line, field, allowed values)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgramItem:
    """One exercise of a program, in the order it is done.

    Attributes:
        exercise: ``calf_raise`` | ``single_leg_stance`` | ``calf_stretch`` | ``ankle_pumps``.
        sets: sets per exercise day.
        reps: counted exercises: reps per set (calf raises with ``per_leg``: per leg; ankle pumps:
            pumps of each foot).  ``None`` for held exercises.
        hold_s: held exercises: seconds per leg per set (single-leg stance; calf stretch: time in
            good form).  ``None`` for counted exercises.
        per_leg: calf raises only: single-leg raises, ``reps`` on each leg.  Held exercises are
            always per leg (both legs in every set) and ankle pumps always count each foot.
        rest_s: rest between sets, seconds.
        metronome_bpm: tempo, beats per minute (one beat up, one down), counted exercises only.
        rules: the rule-override file as given (absolute path), or ``None``.
        rules_text: that file's text when the program was read (what runs with this program).
        note: free text for the person.
    """

    exercise: str
    sets: int
    reps: int | None = None
    hold_s: float | None = None
    per_leg: bool = False
    rest_s: float = DEFAULT_REST_S
    metronome_bpm: float | None = None
    rules: str | None = None
    rules_text: str | None = None
    note: str | None = None

    @property
    def counted(self) -> bool:
        """Reps (calf raises, ankle pumps) rather than holds."""
        return self.exercise in REP_EXERCISES

    @property
    def legs(self) -> int:
        """Legs each set is done on: 2 for held exercises and single-leg calf raises, else 1."""
        return 2 if (self.per_leg or self.exercise in HOLD_EXERCISES) else 1

    def dose(self) -> str:
        """The prescription in words, e.g. ``3 × 15`` or ``3 × 30 s per leg``."""
        if self.counted:
            each = " per leg" if self.per_leg else (" each foot" if self.exercise == "ankle_pumps" else "")
            tempo = f", {self.metronome_bpm:g} bpm" if self.metronome_bpm else ""
            return f"{self.sets} × {self.reps}{each}{tempo}"
        return f"{self.sets} × {self.hold_s:g} s per leg"

    def describe(self) -> str:
        return f"{registry.plural(self.exercise)} {self.dose()}"

    # what one exercise day asks for (adherence)
    @property
    def reps_per_day(self) -> int:
        """Reps asked for on one exercise day (per leg counted separately; pumps: per foot)."""
        return self.sets * (self.reps or 0) * (2 if self.per_leg else 1) if self.counted else 0

    @property
    def holds_per_day(self) -> int:
        return self.sets * 2 if not self.counted else 0

    @property
    def hold_s_per_day(self) -> float:
        return self.holds_per_day * (self.hold_s or 0.0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Program:
    """A person's home program: items in order, done ``days_per_week`` days a week for ``weeks`` weeks from ``start``."""

    start: _dt.date
    weeks: int
    days_per_week: int
    items: tuple[ProgramItem, ...]
    person: str | None = None
    note: str | None = None

    @property
    def end(self) -> _dt.date:
        """The last day of the program (inclusive)."""
        return self.start + _dt.timedelta(days=7 * self.weeks - 1)

    def describe(self) -> str:
        items = ", ".join(i.describe() for i in self.items)
        return (f"{items}; {self.days_per_week} day{'s' if self.days_per_week != 1 else ''} a week for {self.weeks} "
                f"week{'s' if self.weeks != 1 else ''} from {self.start.isoformat()}")

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "person": self.person, "start": self.start.isoformat(), "weeks": self.weeks,
                "days_per_week": self.days_per_week, "note": self.note, "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Program:
        """The inverse of :meth:`to_dict` (what the store keeps)."""
        return cls(start=_dt.date.fromisoformat(d["start"]), weeks=int(d["weeks"]), days_per_week=int(d["days_per_week"]),
                   items=tuple(ProgramItem(**i) for i in d["items"]), person=d.get("person"), note=d.get("note"))

    def to_toml(self) -> str:
        """The canonical program file (parses back to an equal :class:`Program`)."""
        out = [f"schema = {_toml_str(SCHEMA)}"]
        if self.person is not None:
            out.append(f"person = {_toml_str(self.person)}")
        out += [f"start = {self.start.isoformat()}", f"weeks = {self.weeks}", f"days_per_week = {self.days_per_week}"]
        if self.note is not None:
            out.append(f"note = {_toml_str(self.note)}")
        for it in self.items:
            out += ["", "[[item]]", f"exercise = {_toml_str(_cli_name(it.exercise))}", f"sets = {it.sets}"]
            if it.reps is not None:
                out.append(f"reps = {it.reps}")
            if it.hold_s is not None:
                out.append(f"hold_s = {_toml_num(it.hold_s)}")
            if it.per_leg and it.exercise == "calf_raise":
                out.append("per_leg = true")
            out.append(f"rest_s = {_toml_num(it.rest_s)}")
            if it.metronome_bpm is not None:
                out.append(f"metronome_bpm = {_toml_num(it.metronome_bpm)}")
            if it.rules is not None:
                out.append(f"rules = {_toml_str(it.rules)}")
            if it.note is not None:
                out.append(f"note = {_toml_str(it.note)}")
        return "\n".join(out) + "\n"


def _cli_name(exercise: str) -> str:
    return exercise.replace("_", "-")


def _toml_str(s: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes (\" \\ \n \t \uXXXX)
    return json.dumps(s, ensure_ascii=False)


def _toml_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


# ---------------------------------------------------------------------------------------------
# Reading and validating
# ---------------------------------------------------------------------------------------------

class _Lines:
    """Where keys are in a program file's text (tomllib gives values, not line numbers)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.items = [i for i, ln in enumerate(self.lines) if re.match(r"^\s*\[\[\s*item\s*\]\]", ln)]
        first_table = next((i for i, ln in enumerate(self.lines) if re.match(r"^\s*\[", ln)), len(self.lines))
        self.top_end = first_table

    def _find(self, key: str, start: int, end: int) -> int | None:
        pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start, end):
            if pat.match(self.lines[i]):
                return i + 1
        return None

    def top(self, key: str) -> int:
        return self._find(key, 0, self.top_end) or 1

    def item(self, n: int, key: str | None = None) -> int:
        if n >= len(self.items):
            return 1
        start = self.items[n]
        end = self.items[n + 1] if n + 1 < len(self.items) else len(self.lines)
        return (self._find(key, start + 1, end) if key else None) or start + 1


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _limits(key: str) -> str:
    lo, hi = LIMITS[key]
    return f"{lo:g} to {hi:g}"


def parse_program(text: str, name: str = "<program>", base_dir: str | Path | None = None) -> Program:
    """Validate a program file's text and return the :class:`Program`.

    ``name`` is how the file is called in messages; ``base_dir`` is where relative ``rules`` paths
    are looked up (the program file's folder).  Raises :class:`ProgramError` with every problem
    found, one sentence each: ``<name>, line <n>: <field> must be <allowed values>, not <value>.``
    """
    problems: list[tuple[int, str]] = []
    where = _Lines(text)

    def bad(line: int, msg: str) -> None:
        problems.append((line, f"program file {name}, line {line}: {msg}."))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line = m.group(1) if m else str(max(1, len(text.splitlines())))   # "(at end of document)"
        what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(e))
        raise ProgramError([f"program file {name}, line {line}: this is not valid TOML ({what})."]) from None

    for key in data:
        if key not in TOP_KEYS:
            bad(where.top(key), f"unknown key '{key}' (a program knows {', '.join(TOP_KEYS)})")
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        bad(where.top("schema"), f"schema must be \"{SCHEMA}\", not {schema!r}")
    person = data.get("person")
    if person is not None and (not isinstance(person, str) or not person.strip()):
        bad(where.top("person"), f"person must be a name in quotes, not {person!r}")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        bad(where.top("note"), f"note must be text in quotes, not {note!r}")

    start = data.get("start")
    if start is None:
        bad(1, "start is missing (the program's first day, e.g. start = 2026-11-02)")
    elif isinstance(start, str):
        try:
            start = _dt.date.fromisoformat(start)
        except ValueError:
            bad(where.top("start"), f"start must be a date written YYYY-MM-DD, not {start!r}")
            start = None
    elif isinstance(start, _dt.datetime) or not isinstance(start, _dt.date):
        bad(where.top("start"), f"start must be a date written YYYY-MM-DD (no time of day), not {start!r}")
        start = None

    counts: dict[str, int] = {}
    for key in ("weeks", "days_per_week"):
        v = data.get(key)
        if v is None:
            bad(1, f"{key} is missing (a whole number from {_limits(key)})")
        elif not _is_int(v) or not LIMITS[key][0] <= v <= LIMITS[key][1]:
            bad(where.top(key), f"{key} must be a whole number from {_limits(key)}, not {v!r}")
        else:
            counts[key] = v

    raw_items = data.get("item")
    items: list[ProgramItem] = []
    if raw_items is None:
        bad(1, "the program has no exercises (add one [[item]] table per exercise)")
    elif not isinstance(raw_items, list) or not all(isinstance(r, dict) for r in raw_items):
        bad(where.top("item"), "exercises must be written as [[item]] tables")
    else:
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        for n, raw in enumerate(raw_items):
            item = _parse_item(raw, n, where, base, bad)
            if item is not None:
                items.append(item)
    if problems:
        raise ProgramError([msg for _, msg in sorted(problems, key=lambda p: p[0])])
    return Program(start=start, weeks=counts["weeks"], days_per_week=counts["days_per_week"], items=tuple(items),
                   person=person.strip() if person else None, note=note)


def _parse_item(raw: dict[str, Any], n: int, where: _Lines, base: Path, bad: Any) -> ProgramItem | None:
    """One ``[[item]]`` table; problems go to ``bad(line, message)``; returns None when it has any."""
    ok = True
    label = f"item {n + 1}"

    def fail(key: str | None, msg: str) -> None:
        nonlocal ok
        ok = False
        bad(where.item(n, key), f"{label}: {msg}")

    for key in raw:
        if key not in ITEM_KEYS:
            fail(key, f"unknown key '{key}' (an item knows {', '.join(ITEM_KEYS)})")
    name = raw.get("exercise")
    exercise = None
    if name is None:
        fail(None, f"exercise is missing (one of {', '.join(EXERCISES)})")
    elif not isinstance(name, str) or (name not in EXERCISES and name not in EXERCISES.values()):
        fail("exercise", f"exercise must be one of {', '.join(EXERCISES)}, not {name!r}")
    else:
        exercise = EXERCISES.get(name, name)
    label = f"item {n + 1} ({name})" if exercise else label

    def number(key: str, whole: bool, required: bool = False) -> float | int | None:
        v = raw.get(key)
        if v is None:
            if required:
                kind = "a whole number" if whole else "a number"
                fail(None, f"{key} is missing ({kind} from {_limits(key)})")
            return None
        good = _is_int(v) if whole else _is_num(v)
        if not good or not LIMITS[key][0] <= v <= LIMITS[key][1]:
            kind = "a whole number" if whole else "a number"
            fail(key, f"{key} must be {kind} from {_limits(key)}, not {v!r}")
            return None
        return int(v) if whole else float(v)

    sets = number("sets", True, required=True)
    reps = hold_s = None
    if exercise in REP_EXERCISES:
        reps = number("reps", True, required=True)
        if "hold_s" in raw:
            fail("hold_s", f"hold_s does not apply to {registry.plural(exercise)}, which are counted in reps (use reps)")
    elif exercise in HOLD_EXERCISES:
        hold_s = number("hold_s", False, required=True)
        if "reps" in raw:
            fail("reps", f"reps does not apply to {registry.plural(exercise)}, which is held (use hold_s, seconds per leg)")
        if "metronome_bpm" in raw:
            fail("metronome_bpm", f"metronome_bpm applies only to counted exercises (calf-raise, ankle-pumps), "
                                  f"not to {registry.plural(exercise)}")
    per_leg = raw.get("per_leg", False)
    if not isinstance(per_leg, bool):
        fail("per_leg", f"per_leg must be true or false, not {per_leg!r}")
        per_leg = False
    elif per_leg and exercise is not None and exercise != "calf_raise":
        fail("per_leg", "per_leg applies to calf-raise only (held exercises are always done on each leg, "
                        "ankle pumps always count each foot)")
    rest_s = number("rest_s", False)
    bpm = number("metronome_bpm", False) if exercise not in HOLD_EXERCISES else None
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        fail("note", f"note must be text in quotes, not {note!r}")
    rules = rules_text = None
    if "rules" in raw:
        r = raw["rules"]
        if not isinstance(r, str) or not r.strip():
            fail("rules", f"rules must be the path of a rule-override file in quotes, not {r!r}")
        else:
            path = Path(r).expanduser()
            path = (base / path) if not path.is_absolute() else path
            try:
                rules_text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                fail("rules", f"the rule file {path} cannot be read ({getattr(e, 'strerror', None) or e})")
            else:
                if exercise is not None:
                    from footform.feedback.engine import load_rules

                    try:
                        load_rules(exercise, path)
                    except InputError as e:
                        fail("rules", f"the rule file is not usable: {str(e).rstrip('.')}")
                rules = str(path.resolve())
    if not ok or exercise is None or sets is None:
        return None
    return ProgramItem(exercise=exercise, sets=int(sets), reps=None if reps is None else int(reps), hold_s=hold_s,
                       per_leg=bool(per_leg), rest_s=DEFAULT_REST_S if rest_s is None else rest_s, metronome_bpm=bpm,
                       rules=rules, rules_text=rules_text, note=note)


def read_program(path: str | Path) -> Program:
    """Read and validate a program file (:func:`parse_program`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"program file {p} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{p} is a folder, not a program file.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"program file {p} cannot be read ({getattr(e, 'strerror', None) or e}).") from None
    return parse_program(text, name=str(p), base_dir=p.parent)


@contextlib.contextmanager
def rules_file(item: ProgramItem) -> Iterator[str | None]:
    """The item's rule overrides as a file for ``load_rules`` / ``--rules`` (its stored text), or None."""
    if item.rules_text is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="footform-program-") as tmp:
        p = Path(tmp) / (Path(item.rules).name if item.rules else "rules.toml")
        p.write_text(item.rules_text, encoding="utf-8")
        yield str(p)


# ---------------------------------------------------------------------------------------------
# Store glue: versions, attribution, adherence
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredProgram:
    """A program version read from the store: the program, its version number and item ids (1-based order)."""

    id: int
    version: int
    created_utc: str
    program: Program
    item_ids: tuple[int, ...]
    source_name: str | None = None

    def item(self, index: int) -> ProgramItem:
        return self.program.items[index - 1]


def stored(row: Mapping[str, Any]) -> StoredProgram:
    """A :meth:`footform.outputs.store.Store.program_versions` row as a :class:`StoredProgram`."""
    return StoredProgram(id=int(row["id"]), version=int(row["version"]), created_utc=row["created_utc"],
                         program=Program.from_dict(json.loads(row["program_json"])),
                         item_ids=tuple(int(i) for i in row["item_ids"]), source_name=row.get("source_name"))


def versions(store: Any, person: Any) -> list[StoredProgram]:
    """Every program version of ``person``, oldest first."""
    return [stored(r) for r in store.program_versions(person)]


def current(store: Any, person: Any) -> StoredProgram | None:
    """The newest program version of ``person``, or None."""
    v = versions(store, person)
    return v[-1] if v else None


def require_current(store: Any, person: str) -> StoredProgram:
    sp = current(store, person)
    if sp is None:
        raise InputError(f"{person} has no program yet (set one with 'footform program set --person {person} FILE').")
    return sp


def set_program(store: Any, person: str, program: Program, source_name: str | None = None) -> tuple[StoredProgram, bool]:
    """Store ``program`` as ``person``'s newest version; returns (it, whether it is a new version).

    The same program set again (same content) keeps the current version; anything else adds a
    version, and older versions stay (the history)."""
    if program.person is not None and program.person != person:
        raise InputError(f"the program file is for {program.person!r}, not {person!r} (fix 'person' in the file or --person).")
    program = replace(program, person=person)
    version_id, created = store.set_program(person, program.to_dict(), program.to_toml(), source_name=source_name)
    sp = next(v for v in versions(store, person) if v.id == version_id)
    return sp, created


def pick_item(sp: StoredProgram, exercise: str | None, item: int | None = None,
              done_today: Mapping[int, int] | None = None) -> int | None:
    """Which item (1-based) a session of ``exercise`` belongs to: ``item`` when given (checked), else
    the first item of that exercise not yet done today (``done_today``: item → sessions today), else
    the first of that exercise; None when the program has no such exercise."""
    items = sp.program.items
    if item is not None:
        if not 1 <= item <= len(items):
            raise InputError(f"--item must be from 1 to {len(items)} (the program has {len(items)} items), not {item}.")
        if exercise and exercise != "auto" and items[item - 1].exercise != exercise:
            raise InputError(f"item {item} of the program is {registry.plural(items[item - 1].exercise)}, not "
                             f"{registry.plural(exercise)}.")
        return item
    matching = [k for k, it in enumerate(items, 1) if it.exercise == exercise]
    if not matching:
        return None
    done_today = done_today or {}
    return next((k for k in matching if not done_today.get(k)), matching[0])


def local_date(utc_iso: str | None) -> _dt.date | None:
    """The local calendar day of an ISO-8601 UTC time (the day the person exercised)."""
    if not utc_iso:
        return None
    try:
        t = _dt.datetime.fromisoformat(utc_iso)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return t.astimezone().date()


def attribute(store: Any, session_id: int, person: str, exercise: str | None, item: int | None = None,
              how: str = "analyze", today: _dt.date | None = None) -> tuple[StoredProgram, int] | None:
    """Attach a stored session to ``person``'s current program item; returns (program, item index) or None."""
    sp = current(store, person)
    if sp is None:
        if item is not None:
            raise InputError(f"{person} has no program, so there is no item {item} (see 'footform program set').")
        return None
    today = today or _dt.date.today()
    done: dict[int, int] = {}
    for link in store.program_links(person):
        if link["program_id"] == sp.id and local_date(link["started_utc"]) == today and link["session_id"] != session_id:
            done[int(link["item_index"])] = done.get(int(link["item_index"]), 0) + 1
    k = pick_item(sp, exercise, item, done)
    if k is None:
        return None
    store.attribute_session(session_id, sp.item_ids[k - 1], how)
    return sp, k


@dataclass
class PersonAdherence:
    """Adherence of one person over every program version they had (see :mod:`footform.outputs.adherence`)."""

    person: str
    programs: list[StoredProgram]
    results: list[Any] = field(default_factory=list)      # adherence.ProgramAdherence, one per version


def person_adherence(store: Any, person: str, today: _dt.date | None = None) -> PersonAdherence:
    """Adherence per ISO week of each of ``person``'s program versions, from the sessions attributed to them."""
    from footform.outputs import adherence as adh

    today = today or _dt.date.today()
    progs = versions(store, person)
    out = PersonAdherence(person=person, programs=progs)
    links = store.program_links(person)
    for k, sp in enumerate(progs):
        # a version is in force from the day it was set (the first: from its start, which may be earlier)
        # until the day the next one was set; that day belongs to both, each counting its own sessions
        since = local_date(sp.created_utc) if k > 0 else None
        until = local_date(progs[k + 1].created_utc) if k + 1 < len(progs) else None
        work = []
        for link in links:
            if link["program_id"] != sp.id:
                continue
            rec = store.session(int(link["session_id"]))
            day = local_date(rec.session.get("started_utc"))
            if day is None:
                continue
            work.append(adh.work_from_record(rec, int(link["item_index"]), day, sp.item(int(link["item_index"]))))
        out.results.append(adh.compute(sp.program, work, today=today, version=sp.version, since=since, until=until))
    return out


def week_work(store: Any, person: str, sp: StoredProgram, today: _dt.date) -> list[Any]:
    """The :class:`~footform.outputs.adherence.SessionWork` of ``sp``'s sessions in the ISO week of ``today``."""
    from footform.outputs import adherence as adh

    monday = today - _dt.timedelta(days=today.weekday())
    work = []
    for link in store.program_links(person):
        if link["program_id"] != sp.id:
            continue
        day = local_date(link["started_utc"])
        if day is None or not monday <= day <= today:
            continue
        k = int(link["item_index"])
        work.append(adh.work_from_record(store.session(int(link["session_id"])), k, day, sp.item(k)))
    return work


def due_lines(store: Any, person: str, today: _dt.date | None = None) -> list[str]:
    """What today's program still holds for ``person``, as lines for ``footform sessions`` (empty: no program)."""
    from footform.outputs import adherence as adh

    sp = current(store, person)
    if sp is None:
        return []
    today = today or _dt.date.today()
    prog = sp.program
    head = f"Due today ({today:%a %Y-%m-%d}), program version {sp.version}"
    if today < prog.start:
        return [f"{head}: nothing yet — the program starts on {prog.start:%a %Y-%m-%d}."]
    if today > prog.end:
        return [f"{head}: nothing — the program ended on {prog.end:%a %Y-%m-%d} (set a new one with 'footform program set')."]
    work = week_work(store, person, sp, today)
    due, done_days, days_prescribed = adh.due_today(prog, work, today)
    week = (today - prog.start).days // 7 + 1
    lines = [f"{head}, week {week} of {prog.weeks}; exercise days this week: {done_days} of {days_prescribed}"
             + (" — this week's days are done, today is optional." if done_days >= days_prescribed
                and not any(w.day == today for w in work) else ":")]
    for d in due:
        it = sp.item(d.item_index)
        if it.counted:
            state = f"{d.reps_done} of {d.reps_due} reps done ({d.sets_done} of {d.sets_due} sets)"
        else:
            state = f"{d.holds_at_target} of {d.holds_due} holds of {it.hold_s:g} s done"
        mark = "done" if d.done else "to do"
        lines.append(f"  [{mark}] {d.item_index}. {it.describe()}: {state}")
    if all(d.done for d in due):
        lines.append("  Everything for today is done.")
    else:
        lines.append(f"  Start it with: footform live --person {person}")
    return lines


def attribution_note(store: Any, session_id: int, person: str, exercise: str | None, item: int | None = None,
                     how: str = "analyze") -> str:
    """Attribute an analysed session to the person's program (:func:`attribute`); returns what to print
    after "stored as session N" ("" when the person has no program)."""
    got = attribute(store, session_id, person, exercise, item=item, how=how if item is None else f"{how} --item")
    if got is None:
        if current(store, person) is None:
            return ""
        return f" (not part of {person}'s program: it has no {registry.plural(exercise) if exercise else 'such'} item)"
    sp, k = got
    return f" for program item {k} ({sp.item(k).describe()}, version {sp.version})"


@contextlib.contextmanager
def analyze_item_args(args: Any) -> Iterator[Any]:
    """``footform analyze --person P --item N``: the arguments with the item's exercise, targets and rule
    overrides filled in where the command line left them open.  Checked before any work: one sentence
    for a missing person, program or item, or an exercise that is not the item's."""
    import argparse

    from footform.outputs.store import Store

    if not getattr(args, "person", None):
        raise InputError("--item needs --person (whose program the item is in).")
    with Store.open(getattr(args, "db", None)) as store:
        if store.person(args.person) is None:
            raise InputError(f"no person called {args.person!r} in {store.path}, so there is no program item {args.item}.")
        sp = current(store, args.person)
    if sp is None:
        raise InputError(f"{args.person} has no program, so there is no item {args.item} (see 'footform program set').")
    k = pick_item(sp, None if args.exercise == "auto" else args.exercise.replace("-", "_"), args.item)
    it = sp.item(k)
    new = argparse.Namespace(**vars(args))
    new.exercise = _cli_name(it.exercise)
    new._program_applied = True
    if it.counted and new.reps is None:
        new.reps = it.reps * (2 if it.per_leg else 1)
    if not it.counted and new.hold is None:
        new.hold = it.hold_s
    if it.metronome_bpm and new.metronome is None:
        new.metronome = it.metronome_bpm
    with rules_file(it) as rules:
        if new.rules is None and rules is not None:
            new.rules = rules
        yield new
