"""What a live session sets out to do and what it records: the plan, set records, coach events, the metronome.

Plain data shared by the coach (:mod:`.coach`), the screen (:mod:`.screen`), the session loop
(:mod:`.session`) and the home-program runner (:mod:`.program`).  Times are seconds on the source
clock.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from footform.core.numeric import finite
from footform.errors import InputError
from footform.exercises import registry

#: Exercises counted in reps (the others in holds per leg).
REP_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.counts_reps)


@dataclass(frozen=True)
class Plan:
    """What the person set out to do.

    Attributes:
        exercise: ``"calf_raise"``, ``"single_leg_stance"``, ``"calf_stretch"`` or ``"ankle_pumps"``.
        sets: number of sets.
        reps: target repetitions per set (calf raises; ankle pumps: cycles of each foot).
        hold_s: target hold per leg per set (single-leg stance; calf stretch: time in good form), seconds.
        rest_s: rest between sets, seconds.
        metronome_bpm: beats per minute (one beat up, one beat down), or ``None``.
    """

    exercise: str
    sets: int = 3
    reps: int = 12
    hold_s: float = 30.0
    rest_s: float = 60.0
    metronome_bpm: float | None = None

    def analysis_targets(self) -> dict[str, float]:
        """What the exercise's rules compare with: the stretch's target hold, the pumps' reps per set."""
        if self.exercise == "calf_stretch":
            return {"hold_s": float(self.hold_s)}
        if self.exercise == "ankle_pumps":
            return {"reps": float(self.reps)}
        return {}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.exercise in REP_EXERCISES:
            d.pop("hold_s")
        else:
            d.pop("reps")
        return d


@dataclass
class Event:
    """Something the coach noticed this frame (for audio, the store and the console)."""

    kind: str                 # go, rep, set_done, set_start, all_done, hold_start, hold_target, hold_end, mark, flag
    t_s: float
    text: str = ""            # what to say
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SetRecord:
    """One set as it happened (times on the source clock, seconds)."""

    index: int
    kind: str                      # "reps" | "holds"
    t_start: float
    t_end: float | None = None
    n_reps: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)   # holds: side, duration_s, t_start, t_end
    best: dict[str, float] = field(default_factory=dict)           # holds: side → best duration (s)
    by_side: dict[str, int] = field(default_factory=dict)          # ankle pumps: foot → reps in this set
    ended_by: str = ""             # "target", "key", "end"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, "kind": self.kind, "t_start": finite(self.t_start, 3), "t_end": finite(self.t_end, 3),
                             "ended_by": self.ended_by}
        if self.kind == "reps":
            d["n_reps"] = self.n_reps
            if self.by_side:
                d["reps_by_side"] = dict(self.by_side)
        else:
            d["n_holds"] = len(self.attempts)
            d["attempts"] = self.attempts
            d["best_s"] = {k: finite(v, 3) for k, v in self.best.items()}
        return d


class Metronome:
    """Beats at ``bpm`` per minute on the source clock: even beats are "up", odd beats "down".

    60 bpm is the standardised heel-rise test cadence: one second up, one second down.
    """

    def __init__(self, bpm: float, t0: float = 0.0) -> None:
        if not (10.0 <= bpm <= 240.0):
            raise InputError(f"the metronome takes 10–240 beats per minute, not {bpm:g}.")
        self.period_s = 60.0 / bpm
        self.t0 = t0
        self._last_beat: int | None = None

    def at(self, t: float) -> tuple[str, float, bool]:
        """(``"up"``/``"down"``, phase 0–1 within the beat, whether a new beat started since last call)."""
        k = int(math.floor((t - self.t0) / self.period_s))
        phase = (t - self.t0) / self.period_s - k
        new = self._last_beat is None or k != self._last_beat
        self._last_beat = k
        return ("up" if k % 2 == 0 else "down"), phase, new
