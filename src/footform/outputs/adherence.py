"""Adherence to a home program: prescribed vs done per ISO week, good form, pain, streaks, a calendar.

Pure computation (no store, no I/O): :func:`compute` takes a :class:`~footform.outputs.program.Program`
and the work of each session done for it (:class:`SessionWork`, one per stored session, built by
:func:`work_from_record`) and returns a :class:`ProgramAdherence`.  ``docs/programs.md`` defines
every figure; in short:

* **Weeks** are ISO weeks (Monday to Sunday) that overlap the program's days.  A week's
  *prescribed days* are ``days_per_week``, or fewer when the program starts or ends inside the week
  (never more than the program days in it).  *Days done* are calendar days (local time) with at
  least one session for the program; **adherence** of a week is ``100 × min(days done, prescribed
  days) / prescribed days``.  A day is *complete* when every item reached its daily dose that day.
* **Per item and week**: sessions, sets, reps and hold time, prescribed (prescribed days × the
  daily dose) and done.  Reps count per leg for single-leg calf raises (``per_leg``: the dose is
  doubled) and per foot for ankle pumps (the busier foot of each session).  Held exercises are
  done on each leg: a set is two holds, ``holds × hold_s`` seconds; the hold time done is the sum
  of the holds' durations (calf stretch: the time held in good form).
* **Good form**: a rep or hold with no ``warn`` or ``stop`` flag — neither a flag that names it
  (``rep_index`` / ``hold_index``) nor one whose time span overlaps it.
* **Pain**: every pain mark's 0–10 rating with its day; per week the count, the worst and the mean.
* **Totals** add up the finished weeks only (a week still running is shown on its own: its days are
  not over yet); future weeks are listed with their prescription and nothing done.
* **Streaks**: weeks in a row on target (days done ≥ prescribed days) ending with the last
  finished week (the running week joins once it is on target), the longest such run, and days in
  a row with a session ending today or yesterday.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

#: Flag severities that make a rep or hold "not in good form".
BAD_SEVERITIES = ("warn", "stop")


@dataclass(frozen=True)
class Rep:
    """One counted rep: its side (``both`` / ``left`` / ``right``) and whether it was in good form."""

    side: str | None
    good: bool


@dataclass(frozen=True)
class Hold:
    """One hold: seconds held (calf stretch: in good form), whether it reached the target, good form."""

    side: str | None
    seconds: float
    at_target: bool
    good: bool


@dataclass(frozen=True)
class SessionWork:
    """What one stored session did for one program item, on one local calendar day."""

    session_id: int
    day: _dt.date
    item_index: int                  # 1-based
    exercise: str
    sets: int                        # sets with at least one rep or hold
    reps: tuple[Rep, ...] = ()
    holds: tuple[Hold, ...] = ()
    pain: tuple[int, ...] = ()       # pain ratings 0–10 marked in the session
    cramps: int = 0

    @property
    def reps_done(self) -> int:
        """Reps toward the dose: all reps; ankle pumps: the busier foot's."""
        if self.exercise == "ankle_pumps":
            return max((sum(1 for r in self.reps if r.side == s) for s in ("left", "right")), default=0) or len(self.reps)
        return len(self.reps)

    @property
    def reps_good(self) -> int:
        if self.exercise == "ankle_pumps":
            by = {s: [r for r in self.reps if r.side == s] for s in ("left", "right")}
            busier = max(by.values(), key=len)
            pool = busier if busier else list(self.reps)
            return sum(1 for r in pool if r.good)
        return sum(1 for r in self.reps if r.good)


def _overlaps(a0: Any, a1: Any, b0: Any, b1: Any) -> bool:
    try:
        a0, a1, b0, b1 = float(a0), float(a1 if a1 is not None else a0), float(b0), float(b1 if b1 is not None else b0)
    except (TypeError, ValueError):
        return False
    return a0 <= b1 and b0 <= a1


def _bad(row: Mapping[str, Any], kind: str, flags: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a rep/hold row has a warn/stop flag naming it or overlapping it in time."""
    idx = row.get(f"{kind}_index")
    for f in flags:
        if f.get("severity") not in BAD_SEVERITIES:
            continue
        if idx is not None and f.get(f"{kind}_index") == idx:
            return True
        if _overlaps(f.get("t_start_s"), f.get("t_end_s"), row.get("t_start_s"), row.get("t_end_s")):
            return True
    return False


def work_from_record(rec: Any, item_index: int, day: _dt.date, item: Any) -> SessionWork:
    """A stored session (:class:`footform.outputs.store.SessionRecord`) as :class:`SessionWork` for ``item``
    (a :class:`~footform.outputs.program.ProgramItem`: its ``hold_s`` decides which holds reached the target)."""
    exercise = rec.session.get("exercise") or item.exercise
    flags = list(rec.flags)
    reps = tuple(Rep(side=r.get("side"), good=not _bad(r, "rep", flags)) for r in rec.reps if r.get("full", 1))
    holds = []
    for h in rec.holds:
        extra = h.get("extra") or {}
        secs = extra.get("held_s") if exercise == "calf_stretch" and extra.get("held_s") is not None else h.get("duration_s")
        secs = float(secs or 0.0)
        target = float(item.hold_s or 0.0)
        holds.append(Hold(side=h.get("stance_side"), seconds=secs, at_target=secs >= target - 1e-9,
                          good=not _bad(h, "hold", flags)))
    sets = sum(1 for s in rec.sets if (s.get("n_reps") or 0) > 0 or (s.get("n_holds") or 0) > 0)
    if not sets and (reps or holds):
        sets = 1
    pain = tuple(int(m["rating"]) for m in rec.marks if m.get("kind") == "pain" and m.get("rating") is not None)
    cramps = sum(1 for m in rec.marks if m.get("kind") == "cramp")
    return SessionWork(session_id=rec.id, day=day, item_index=item_index, exercise=exercise, sets=sets, reps=reps,
                       holds=tuple(holds), pain=pain, cramps=cramps)


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

@dataclass
class ItemWeek:
    """One program item in one week: prescribed and done (counts; seconds for hold time)."""

    item_index: int
    exercise: str
    sessions_prescribed: int
    sessions_done: int = 0
    days_done: int = 0
    sets_prescribed: int = 0
    sets_done: int = 0
    reps_prescribed: int = 0
    reps_done: int = 0
    reps_good: int = 0
    holds_prescribed: int = 0
    holds_done: int = 0
    holds_at_target: int = 0
    holds_good: int = 0
    hold_s_prescribed: float = 0.0
    hold_s_done: float = 0.0
    hold_s_good: float = 0.0

    @property
    def good_form_pct(self) -> float | None:
        """Share of the reps (or holds) done in good form, percent; None when nothing was done."""
        done, good = (self.reps_done, self.reps_good) if self.reps_prescribed else (self.holds_done, self.holds_good)
        return 100.0 * good / done if done else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "good_form_pct": self.good_form_pct}


@dataclass
class WeekAdherence:
    """One ISO week of a program version."""

    version: int
    iso_year: int
    iso_week: int
    monday: _dt.date
    program_week: int                 # 1 = the week the program starts in
    status: str                       # past | current | future
    days_in_program: int              # program days inside this ISO week
    days_prescribed: int
    days_done: int = 0
    days_complete: int = 0
    sessions_done: int = 0
    pain_ratings: int = 0
    pain_max: int | None = None
    pain_mean: float | None = None
    cramps: int = 0
    items: list[ItemWeek] = field(default_factory=list)

    @property
    def adherence_pct(self) -> float | None:
        return 100.0 * min(self.days_done, self.days_prescribed) / self.days_prescribed if self.days_prescribed else None

    @property
    def on_target(self) -> bool:
        return self.days_prescribed > 0 and self.days_done >= self.days_prescribed

    @property
    def label(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["monday"] = self.monday.isoformat()
        d["items"] = [i.to_dict() for i in self.items]
        d.update(adherence_pct=self.adherence_pct, on_target=self.on_target, week=self.label)
        return d


@dataclass(frozen=True)
class Day:
    """One calendar day of the program: ``complete`` (every item's dose), ``partial`` (some work),
    ``none`` (no session; fine on a rest day), ``future``; ``sessions`` and the worst pain marked."""

    day: _dt.date
    status: str
    sessions: int = 0
    pain_max: int | None = None


@dataclass
class ProgramAdherence:
    """Adherence of one program version: its weeks, calendar days, pain over time, totals and streaks."""

    version: int
    start: _dt.date
    end: _dt.date                     # last day counted (the program's end, or the day before the next version starts)
    today: _dt.date
    days_per_week: int
    weeks: list[WeekAdherence]
    days: list[Day]
    pain: list[tuple[_dt.date, int, int]]          # (day, session id, rating 0-10)
    sessions_outside: int = 0         # sessions attributed to this version but dated outside its days
    totals: dict[str, Any] = field(default_factory=dict)
    week_streak: int = 0
    longest_week_streak: int = 0
    day_streak: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "today": self.today.isoformat(), "days_per_week": self.days_per_week,
                "weeks": [w.to_dict() for w in self.weeks],
                "days": [{"day": d.day.isoformat(), "status": d.status, "sessions": d.sessions, "pain_max": d.pain_max}
                         for d in self.days],
                "pain": [{"day": d.isoformat(), "session_id": s, "rating_0_10": r} for d, s, r in self.pain],
                "sessions_outside": self.sessions_outside, "totals": self.totals, "week_streak": self.week_streak,
                "longest_week_streak": self.longest_week_streak, "day_streak": self.day_streak}


# ---------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------

def _monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def _day_complete(items: Sequence[Any], works: Iterable[SessionWork]) -> bool:
    by: dict[int, list[SessionWork]] = {}
    for w in works:
        by.setdefault(w.item_index, []).append(w)
    for k, it in enumerate(items, 1):
        ws = by.get(k, [])
        if it.counted:
            if sum(w.reps_done for w in ws) < it.reps_per_day:
                return False
        elif sum(1 for w in ws for h in w.holds if h.at_target) < it.holds_per_day:
            return False
    return True


def compute(program: Any, work: Iterable[SessionWork], today: _dt.date, version: int = 1,
            since: _dt.date | None = None, until: _dt.date | None = None) -> ProgramAdherence:
    """Adherence of ``program`` (a :class:`~footform.outputs.program.Program`) from the sessions' ``work``.

    ``today`` decides which weeks are past, current or future.  The days counted are the program's,
    from ``since`` and up to ``until`` (both inclusive) when given: a program version is in force
    from the day it was set until the day the next one was set (``footform.outputs.program.person_adherence``).
    Program weeks stay numbered from the program's own start.
    """
    start = program.start if since is None else max(program.start, since)
    end = program.end if until is None else min(program.end, until)
    end = max(end, start - _dt.timedelta(days=1))      # a version replaced before it began has no days
    items = list(program.items)
    work = sorted(work, key=lambda w: (w.day, w.session_id))
    inside = [w for w in work if start <= w.day <= end]
    by_day: dict[_dt.date, list[SessionWork]] = {}
    for w in inside:
        by_day.setdefault(w.day, []).append(w)

    weeks: list[WeekAdherence] = []
    if end >= start:
        m, first = _monday(start), _monday(program.start)
        while m <= end:
            days = [m + _dt.timedelta(days=i) for i in range(7)]
            in_prog = [d for d in days if start <= d <= end]
            status = "past" if days[-1] < today else ("future" if m > today else "current")
            iso = m.isocalendar()
            wk = WeekAdherence(version=version, iso_year=iso[0], iso_week=iso[1], monday=m,
                               program_week=(m - first).days // 7 + 1, status=status, days_in_program=len(in_prog),
                               days_prescribed=min(program.days_per_week, len(in_prog)))
            ws = [w for d in in_prog for w in by_day.get(d, [])]
            done_days = sorted({w.day for w in ws})
            wk.days_done = len(done_days)
            wk.days_complete = sum(1 for d in done_days if _day_complete(items, by_day[d]))
            wk.sessions_done = len(ws)
            pains = [p for w in ws for p in w.pain]
            wk.pain_ratings = len(pains)
            wk.pain_max = max(pains) if pains else None
            wk.pain_mean = sum(pains) / len(pains) if pains else None
            wk.cramps = sum(w.cramps for w in ws)
            for k, it in enumerate(items, 1):
                iw = ItemWeek(item_index=k, exercise=it.exercise, sessions_prescribed=wk.days_prescribed,
                              sets_prescribed=wk.days_prescribed * it.sets,
                              reps_prescribed=wk.days_prescribed * it.reps_per_day,
                              holds_prescribed=wk.days_prescribed * it.holds_per_day,
                              hold_s_prescribed=wk.days_prescribed * it.hold_s_per_day)
                mine = [w for w in ws if w.item_index == k]
                iw.sessions_done = len(mine)
                iw.days_done = len({w.day for w in mine})
                iw.sets_done = sum(w.sets for w in mine)
                if it.counted:
                    iw.reps_done = sum(w.reps_done for w in mine)
                    iw.reps_good = sum(w.reps_good for w in mine)
                else:
                    hs = [h for w in mine for h in w.holds]
                    iw.holds_done = len(hs)
                    iw.holds_at_target = sum(1 for h in hs if h.at_target)
                    iw.holds_good = sum(1 for h in hs if h.good)
                    iw.hold_s_done = round(sum(h.seconds for h in hs), 3)
                    iw.hold_s_good = round(sum(h.seconds for h in hs if h.good), 3)
                wk.items.append(iw)
            weeks.append(wk)
            m += _dt.timedelta(days=7)

    cal: list[Day] = []
    d = start
    while d <= end:
        ws = by_day.get(d, [])
        pains = [p for w in ws for p in w.pain]
        if d > today:
            status = "future"
        elif not ws:
            status = "none"
        else:
            status = "complete" if _day_complete(items, ws) else "partial"
        cal.append(Day(d, status, len(ws), max(pains) if pains else None))
        d += _dt.timedelta(days=1)

    res = ProgramAdherence(version=version, start=start, end=end, today=today, days_per_week=program.days_per_week,
                           weeks=weeks, days=cal,
                           pain=[(w.day, w.session_id, p) for w in inside for p in w.pain],
                           sessions_outside=len(work) - len(inside))
    res.totals = _totals([w for w in weeks if w.status == "past"], items)
    # streaks
    run = longest = 0
    for w in weeks:
        if w.status == "future":
            break
        if w.status == "current" and not w.on_target:
            break
        run = run + 1 if w.on_target else 0
        longest = max(longest, run)
    res.week_streak, res.longest_week_streak = run, longest
    done_days = {w.day for w in inside}
    k, d = 0, today if today in done_days else today - _dt.timedelta(days=1)
    while d in done_days:
        k += 1
        d -= _dt.timedelta(days=1)
    res.day_streak = k
    return res


def _totals(weeks: Sequence[WeekAdherence], items: Sequence[Any]) -> dict[str, Any]:
    """Sums over finished weeks (see the module docstring)."""
    t: dict[str, Any] = {"weeks": len(weeks),
                         "days_prescribed": sum(w.days_prescribed for w in weeks),
                         "days_done": sum(min(w.days_done, w.days_prescribed) for w in weeks),
                         "days_complete": sum(w.days_complete for w in weeks),
                         "sessions_done": sum(w.sessions_done for w in weeks),
                         "weeks_on_target": sum(1 for w in weeks if w.on_target)}
    t["adherence_pct"] = 100.0 * t["days_done"] / t["days_prescribed"] if t["days_prescribed"] else None
    per_item = []
    for k, it in enumerate(items, 1):
        iws = [iw for w in weeks for iw in w.items if iw.item_index == k]
        agg = ItemWeek(item_index=k, exercise=it.exercise, sessions_prescribed=sum(i.sessions_prescribed for i in iws))
        for name in ("sessions_done", "days_done", "sets_prescribed", "sets_done", "reps_prescribed", "reps_done",
                     "reps_good", "holds_prescribed", "holds_done", "holds_at_target", "holds_good"):
            setattr(agg, name, sum(getattr(i, name) for i in iws))
        for name in ("hold_s_prescribed", "hold_s_done", "hold_s_good"):
            setattr(agg, name, round(sum(getattr(i, name) for i in iws), 3))
        per_item.append(agg.to_dict())
    t["items"] = per_item
    return t


@dataclass(frozen=True)
class DueItem:
    """What today still holds for one item: the daily dose, what today's sessions did, what is left."""

    item_index: int
    exercise: str
    dose: str
    sets_done: int
    sets_due: int
    reps_done: int
    reps_due: int
    holds_at_target: int
    holds_due: int

    @property
    def done(self) -> bool:
        return (self.reps_done >= self.reps_due) if self.reps_due else (self.holds_at_target >= self.holds_due)


def due_today(program: Any, work: Iterable[SessionWork], today: _dt.date) -> tuple[list[DueItem], int, int]:
    """Today's program per item (see :class:`DueItem`), and (days done this ISO week, days prescribed)."""
    work = list(work)
    todays = [w for w in work if w.day == today]
    out = []
    for k, it in enumerate(program.items, 1):
        mine = [w for w in todays if w.item_index == k]
        out.append(DueItem(item_index=k, exercise=it.exercise, dose=it.dose(), sets_done=sum(w.sets for w in mine),
                           sets_due=it.sets, reps_done=sum(w.reps_done for w in mine), reps_due=it.reps_per_day,
                           holds_at_target=sum(1 for w in mine for h in w.holds if h.at_target),
                           holds_due=it.holds_per_day))
    m = _monday(today)
    week_days = [m + _dt.timedelta(days=i) for i in range(7)]
    in_prog = [d for d in week_days if program.start <= d <= program.end]
    done = len({w.day for w in work if w.day in in_prog})
    return out, done, min(program.days_per_week, len(in_prog))
