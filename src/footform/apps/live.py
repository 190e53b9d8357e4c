"""Live coaching: ``footform live`` — camera → pose → analysis → overlay window, audio cues and store.

The session loop (:func:`run_live`) runs on the main thread (OpenCV's window must)::

    capture thread ─(newest frame only)─► pose ─► track ─► Analyzer(live=True) ─► FeedbackEngine
         │                                                        │                    │
    LatestFrameSource                                           Coach (sets, rests, holds, marks)
    (drops stale frames,                                          │
     counts them)                          store (one transaction per rep/hold/flag/mark)
                                           overlay window ◄── Screen     audio thread ◄── cues

* **Never behind the person**: the capture thread keeps only the newest frame; the loop takes it,
  so a slow frame makes the next frames be skipped (counted in ``dropped``), never queued.
  Timestamps are the capture clock (``LiveFrame.t_s``); latency is measured per frame from the
  capture instant (``LiveFrame.t_mono``) to the overlay being handed to the window.
* **Nothing lost**: the landmark track (:class:`~footform.io.track.TrackWriter`, flushed every
  second) and the store's :class:`~footform.outputs.store.LiveSession` (each rep, hold, flag and mark its
  own committed transaction) are written while the session runs.  ``q``, closing the window,
  Ctrl-C, SIGTERM, an unplugged camera and the end of a video file all end the session the same
  way (summary, store, report).  After a crash or SIGKILL the session stays ``incomplete``; the
  next ``footform live`` replays its track through the same live analysis and completes it
  (:func:`recover_sessions`), keeping the marks.
* **One clear sentence** for a missing camera, a camera without pictures, no display.

:class:`Coach` holds the exercise logic above the analysis (sets, rests, holds per leg, marks,
what the screen says) as a pure state machine, tested without a window or a camera.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from footform.apps import cli_args as ca
from footform.core.numeric import finite
from footform.errors import FootformError, InputError, OutputError
from footform.exercises import registry

#: Exit status of "no display" (the other errors keep their footform.errors codes).
DISPLAY_EXIT_CODE = 6
WINDOW_TITLE = "footform live"
#: A camera silent for this long (seconds) is treated as unplugged.
STALL_S = 5.0
#: How long a fired flag stays on screen at least (seconds).
FLAG_SHOW_S = 4.0
#: Seconds to type the pain rating after ``p``.
PAIN_PROMPT_S = 3.0
#: Seconds a toast (confirmation) stays on screen.
TOAST_S = 2.5
#: How long the done screen (the session's summary) stays up after the session ended, unless a
#: key is pressed or the window closed first, seconds.
DONE_SCREEN_S = 8.0
#: A program item (``end_when_done``) ends this long after its last set, so "All sets done" is seen.
DONE_LINGER_S = 2.0
#: Ankle pumps: the other foot's pump completed this soon after the set ended (both feet pumping
#: together finish a cycle a few frames apart) still counts for that set, not as a new one.
PUMP_PAIR_S = 1.0
#: Exercises counted in reps (the others in holds per leg).
REP_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.counts_reps)
#: Exercises whose state machine, frame metrics and rules run inside the Analyzer (analysis.OWN_MACHINE):
#: their flags come from ``FrameResult.flags`` and the final summary.
OWN_MACHINE = tuple(e.id for e in registry.EXERCISES if e.own_machine)
#: Why the calf-stretch timer is paused (``FrameResult.rep_phase`` "paused (<reason>)") → the screen's words.
PAUSE_WORDS = {"heel_lift": "BACK HEEL UP", "knee_bend": "STRAIGHTEN BACK KNEE"}


class DisplayError(FootformError):
    """There is no screen to open the live window on (no ``DISPLAY`` on Linux, or the GUI failed)."""

    exit_code = DISPLAY_EXIT_CODE


# =============================================================================================
# The plan and the coach: sets, rests, holds per leg, marks — no camera, no window
# =============================================================================================


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


def fmt_clock(seconds: float) -> str:
    s = max(0, int(math.ceil(seconds)))
    return f"{s // 60}:{s % 60:02d}"


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


class Coach:
    """Sets, rests, holds and marks on top of the live analysis; decides what the screen says.

    Feed :meth:`update` every analysed frame (a :class:`~footform.analysis.analyzer.FrameResult`) and the
    keys (:meth:`key`); both return :class:`Event` lists.  :meth:`screen` gives the
    :class:`~footform.apps.overlay.Screen` for now.  Times are seconds on the source clock.

    States: ``setup`` (until both feet are seen and the standing baseline is taken) → ``active``
    ⇄ ``rest`` → ``done``.  A calf-raise set ends at its target reps (or ``n``); an ankle-pump set
    when one foot made the target number of pumps (each foot is counted on its own: both feet
    pumping together is one rep on the counter); a stance or calf-stretch set when both legs
    reached the hold target (or ``n``) — for the stretch the timer is the time in good form
    (``FrameResult.hold_s``), which stops while ``rep_phase`` is ``"paused (…)"``.  A rest ends by
    its timer, by ``n``, or by the person starting again (a new rep / hold counts towards the next
    set).
    """

    def __init__(self, plan: Plan, audio_numbers: bool = True) -> None:
        self.plan = plan
        self.state = "setup"
        self.paused = False
        self.set_index = 0
        self.sets: list[SetRecord] = []
        self.marks: list[dict[str, Any]] = []
        self.audio_numbers = audio_numbers
        self._rep_base = 0
        self._reps_seen = 0
        self._rest_left = 0.0
        self._t_last: float | None = None
        self._hold_side: str | None = None
        self._hold_s = 0.0
        self._hold_target_said = False
        self._holds_seen = 0
        self._prompt_until: float | None = None
        self._prompt_t: float | None = None
        self._digits = ""
        self._digit_t: float | None = None
        self._toast = ("", -1e9)
        self._res: Any = None
        self._last_guidance = ""
        self.total_paused_s = 0.0

    # -- helpers ------------------------------------------------------------------------------------
    @property
    def is_calf(self) -> bool:
        return self.plan.exercise == "calf_raise"

    @property
    def counts_reps(self) -> bool:
        """Reps (calf raises, ankle pumps) rather than holds per leg (stance, calf stretch)."""
        return self.plan.exercise in REP_EXERCISES

    @property
    def is_stretch(self) -> bool:
        return self.plan.exercise == "calf_stretch"

    @property
    def is_pumps(self) -> bool:
        return self.plan.exercise == "ankle_pumps"

    @property
    def current(self) -> SetRecord | None:
        return self.sets[-1] if self.sets and self.sets[-1].t_end is None else None

    def toast(self, text: str, t: float) -> None:
        self._toast = (text, t)

    def _start_set(self, t: float, events: list[Event]) -> None:
        self.set_index += 1
        self.sets.append(SetRecord(self.set_index, "reps" if self.counts_reps else "holds", t))
        self.state = "active"
        events.append(Event("set_start", t, f"Set {self.set_index}. Go." if self.set_index > 1 else "", {"set": self.set_index}))

    def _end_set(self, t: float, ended_by: str, events: list[Event]) -> None:
        cur = self.current
        if cur is None:
            return
        cur.t_end, cur.ended_by = t, ended_by
        if self.set_index >= self.plan.sets:
            self.state = "done"
            events.append(Event("all_done", t, "All sets done. Well done.", {"set": cur.index}))
        else:
            self.state = "rest"
            self._rest_left = self.plan.rest_s
            events.append(Event("set_done", t, f"Set {cur.index} done. Rest.", {"set": cur.index}))

    # -- per frame ----------------------------------------------------------------------------------
    def update(self, res: Any, t: float | None = None, closed: list[dict[str, Any]] | None = None) -> list[Event]:
        """One analysed frame (``res``: FrameResult); returns what happened.

        ``closed``: holds the analysis completed this frame (dicts with ``duration_s``, ``t_start``,
        ``t_end``; calf stretch also ``held_s``): their exact times replace the running timer's
        (which runs on while a touch-down is being confirmed).  Ankle pumps: the reps the analysis
        completed this frame (dicts with ``side``), counted per foot.
        """
        t = res.t_s if t is None else t
        dt = 0.0 if self._t_last is None else max(0.0, t - self._t_last)
        self._t_last = t
        self._res = res
        events: list[Event] = []
        if self.paused:
            return events
        if self.state == "setup":
            ready = bool(res.feet_visible) and res.rep_phase != "calibrating"
            if self.is_pumps:   # nothing can be counted until the foot's angle is seen (a side or 3/4 view)
                ready = ready and self._pump_angle_seen(res)
            if ready:
                self._rep_base = res.reps
                self._reps_seen = res.reps
                self._holds_seen = res.holds
                self._start_set(t, events)
                events.append(Event("go", t, registry.get(self.plan.exercise).go_text, {}))
            return events
        if self.state == "rest":
            self._rest_left -= dt
            if self.is_pumps and closed:
                closed = self._late_pumps(t, closed)
                if not closed:
                    self._reps_seen = max(self._reps_seen, res.reps)
            started_again = (res.reps > self._reps_seen) if self.counts_reps else (res.hold_s is not None and self._hold_side is None)
            if self._rest_left <= 0 or started_again:
                base_reps = self._reps_seen
                self._start_set(t, events)
                self._rep_base = base_reps   # a rep made during the rest counts for the new set
        if self.is_pumps:
            self._update_pumps(res, t, events, closed)
        elif self.is_calf:
            self._update_reps(res, t, events)
        else:
            self._update_holds(res, t, events, closed)
        return events

    def _update_reps(self, res: Any, t: float, events: list[Event]) -> None:
        if res.reps <= self._reps_seen:
            self._reps_seen = min(self._reps_seen, res.reps)
            return
        self._reps_seen = res.reps
        cur = self.current
        if cur is None or self.state != "active":
            return
        n = res.reps - self._rep_base
        cur.n_reps = n
        from footform.apps.audio import number_word

        events.append(Event("rep", t, number_word(n) if self.audio_numbers else "", {"set": cur.index, "n": n, "total": res.reps}))
        if n >= self.plan.reps:
            self._end_set(t, "target", events)

    def _late_pumps(self, t: float, closed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Pumps of the other foot that finish the cycle which ended the last set count for that set."""
        last = self.sets[-1] if self.sets else None
        if last is None or last.t_end is None or t - last.t_end > PUMP_PAIR_S:
            return closed
        rest = []
        for row in closed:
            side = row.get("side") or "both"
            if last.by_side.get(side, 0) < last.n_reps:
                last.by_side[side] = last.by_side.get(side, 0) + 1
            else:
                rest.append(row)
        return rest

    def _update_pumps(self, res: Any, t: float, events: list[Event], closed: list[dict[str, Any]] | None) -> None:
        """Ankle pumps: each completed rep is one foot's cycle; the counter is the busier foot's count."""
        if closed is None:   # no rows: every new rep of the analysis counts, side unknown
            closed = [{"side": "both"}] * max(0, res.reps - self._reps_seen)
        self._reps_seen = max(self._reps_seen, res.reps)
        cur = self.current
        if not closed or cur is None or self.state != "active":
            return
        before = max(cur.by_side.values(), default=0)
        for row in closed:
            side = row.get("side") or "both"
            cur.by_side[side] = cur.by_side.get(side, 0) + 1
        n = max(cur.by_side.values())
        cur.n_reps = n
        if n <= before:
            return
        from footform.apps.audio import number_word

        events.append(Event("rep", t, number_word(n) if self.audio_numbers else "",
                            {"set": cur.index, "n": n, "total": res.reps, "by_side": dict(cur.by_side)}))
        if n >= self.plan.reps:
            self._end_set(t, "target", events)

    def _update_holds(self, res: Any, t: float, events: list[Event], closed: list[dict[str, Any]] | None = None) -> None:
        cur = self.current
        if res.hold_s is not None:
            side = res.stance if res.stance in ("left", "right") else (self._hold_side or "left")
            if self._hold_side is None:
                self._hold_side = side
                self._hold_target_said = False
                if cur is not None and self.state == "active":
                    events.append(Event("hold_start", t, "Hold the stretch." if self.is_stretch else "Hold.",
                                        {"side": side, "set": cur.index}))
            self._hold_s = float(res.hold_s)
            if not self._hold_target_said and self._hold_s >= self.plan.hold_s and self.state == "active":
                self._hold_target_said = True
                events.append(Event("hold_target", t, f"{int(self.plan.hold_s)} seconds. Well done.", {"side": self._hold_side}))
        elif self._hold_side is not None:
            last = closed[-1] if closed else None
            # the stretch's timer (and its best) is the time in good form; stance: the hold's duration
            key = "held_s" if self.is_stretch else "duration_s"
            if last is not None and last.get(key) is not None:
                self.end_hold(float(last.get("t_end") or t), float(last[key]), events, last.get("t_start"),
                              total_s=last.get("duration_s") if self.is_stretch else None)
            else:
                self.end_hold(t, self._hold_s, events)

    def end_hold(self, t: float, duration_s: float, events: list[Event], t_start: float | None = None,
                 total_s: float | None = None) -> None:
        """The hold in progress ended (touch-down; came out of the stretch) after ``duration_s`` seconds
        (the stretch: in good form, of ``total_s`` in the position)."""
        side = self._hold_side or "left"
        self._hold_side = None
        self._hold_s = 0.0
        cur = self.current
        if cur is None or self.state != "active":
            return
        attempt = {"side": side, "duration_s": finite(duration_s, 2), "t_start": finite(t_start if t_start is not None else t - duration_s, 3),
                   "t_end": finite(t, 3)}
        if self.is_stretch:
            attempt["held_s"] = attempt["duration_s"]
            if total_s is not None:
                attempt["duration_s"] = finite(float(total_s), 2)
        cur.attempts.append(attempt)
        cur.best[side] = max(cur.best.get(side, 0.0), duration_s)
        word = "Done" if self.is_stretch else "Down"
        events.append(Event("hold_end", t, f"{word}. {int(round(duration_s))} seconds.", {"set": cur.index, **attempt}))
        target = self.plan.hold_s
        if all(cur.best.get(s, 0.0) >= target for s in ("left", "right")):
            self._end_set(t, "target", events)

    # -- keys -------------------------------------------------------------------------------------
    def key(self, k: str, t: float) -> list[Event]:
        """A key press at ``t``: ``" "`` pause, ``n`` next set, ``p`` pain (then digits), ``c`` cramp."""
        events: list[Event] = []
        if self._prompt_until is not None and (k.isdigit() or k in ("\r", "\n")):
            if k.isdigit():
                self._digits += k
                self._digit_t = t
                if len(self._digits) >= 2 or (self._digits and int(self._digits) >= 2):
                    events += self._finish_pain(t)
            else:
                events += self._finish_pain(t)
            return events
        if k == " ":
            self.paused = not self.paused
            events.append(Event("pause" if self.paused else "resume", t, "Paused." if self.paused else "Go on.", {}))
        elif k == "n":
            if self.state == "active":
                self._end_set(t, "key", events)
            elif self.state == "rest":
                self._rest_left = 0.0
                base = self._reps_seen
                self._start_set(t, events)
                self._rep_base = base
        elif k == "p":
            self._prompt_t = t
            self._prompt_until = t + PAIN_PROMPT_S
            self._digits = ""
            self._digit_t = None
        elif k == "c":
            events.append(self._mark("cramp", t, None))
        return events

    def tick(self, t: float) -> list[Event]:
        """Time passes (called every loop turn, paused or not): pain prompt timeouts."""
        if self._prompt_until is None:
            return []
        if self._digits and self._digit_t is not None and t - self._digit_t >= 1.0:
            return self._finish_pain(t)
        if t >= self._prompt_until and not self._digits:
            return self._finish_pain(t)
        return []

    def _finish_pain(self, t: float) -> list[Event]:
        rating = int(self._digits) if self._digits else None
        if rating is not None and rating > 10:
            rating = 10
        t_mark = self._prompt_t if self._prompt_t is not None else t
        self._prompt_until = None
        self._prompt_t = None
        self._digits = ""
        return [self._mark("pain", t_mark, rating)]

    def _mark(self, kind: str, t: float, rating: int | None) -> Event:
        cur = self.current or (self.sets[-1] if self.sets else None)
        mark = {"t_s": finite(t, 3), "kind": kind, "rating": rating, "set": cur.index if cur else None,
                "rep": (cur.n_reps if cur and cur.kind == "reps" else None)}
        self.marks.append(mark)
        word = "Pain" if kind == "pain" else "Cramp"
        label = f"{word.upper()} {rating} NOTED" if rating is not None else f"{word.upper()} NOTED"
        self.toast(label, t)
        return Event("mark", t, f"{word} noted.", mark)

    def finish(self, t: float) -> None:
        """End of session: close the open set (and hold)."""
        if self._hold_side is not None:
            self.end_hold(t, self._hold_s, [])
        cur = self.current
        if cur is not None:
            cur.t_end, cur.ended_by = t, "end"

    # -- what the screen says ----------------------------------------------------------------------
    def guidance(self, res: Any) -> tuple[str, str]:
        """(banner text, kind) for setup / framing problems, or ("", "")."""
        if res is None:
            return "Starting the camera", "guide"
        if not res.has_person:
            return "Stand in front of the camera", "guide"
        lifted = res.stance in ("left", "right") or res.hold_s is not None
        stance = self.plan.exercise == "single_leg_stance"
        if not res.feet_visible and not (lifted and stance):   # a lifted foot may be hard to see
            g = (res.guidance or "").lower()
            if "one foot" in g:
                return "Move so both feet are in view", "guide"
            return "Step back until your feet are in view", "guide"
        if self.state == "setup" and res.rep_phase == "calibrating":
            return "Stand still on both feet", "guide"
        if self.is_pumps and not self._pump_angle_seen(res):
            # the foot's angle to the shank cannot be seen from straight in front (ankle_pumps.YAW_MIN_DEG)
            return "Sit sideways to the camera for ankle pumps", "guide"
        return "", ""

    @staticmethod
    def _pump_angle_seen(res: Any) -> bool:
        sig = getattr(res, "signals", None) or {}
        return any(isinstance(sig.get(f"foot_shank_angle_{s}"), float) and math.isfinite(sig[f"foot_shank_angle_{s}"])
                   for s in ("left", "right"))

    def view_tip(self, view: str) -> tuple[str, bool]:
        """(tip, view is good) for this exercise and camera view — the one source of the view
        guidance: GET READY shows the tip, and the indicator is green exactly when there is no tip
        and the view is recognised (amber otherwise), so the two never disagree."""
        tip = self._view_tip(view)
        return tip, not tip and view != "unknown"

    def _view_tip(self, view: str) -> str:
        fam = "side" if view.startswith("side") else view
        if fam == "unknown":
            return ""
        if self.is_calf:
            # side: heel height; back: heels in line with the toes (docs/live.md); front: counting only
            return "" if fam in ("side", "back") else "Tip: turn sideways or your back to the camera for calf raises"
        if self.is_stretch:
            # knee straightness, dorsiflexion and the soleus/gastrocnemius variant need a side view;
            # from the front or back the legs' order comes from the model's depth guess (approximate)
            return "" if fam == "side" else "Tip: turn sideways for the calf stretch"
        if self.is_pumps:
            seen = self._res is not None and self._pump_angle_seen(self._res)
            return "" if fam == "side" or seen else "Tip: sit sideways to the camera for ankle pumps"
        return "Tip: face the camera for balance" if fam == "side" else ""

    def screen(self, t: float, res: Any = None, flag_text: str = "", flag_kind: str = "warn") -> Any:
        from footform.apps.overlay import Screen

        res = self._res if res is None else res
        p = self.plan
        s = Screen()
        if res is not None:
            s.feet_ok = bool(res.feet_visible) or (self.plan.exercise == "single_leg_stance" and res.stance in ("left", "right"))
            s.view = res.view
            _, s.view_ok = self.view_tip(res.view)
        cur = self.current
        set_no = cur.index if cur else max(1, self.set_index)
        if self.counts_reps:
            s.label = "REPS"
            rec = cur or (self.sets[-1] if self.sets else None)
            n = rec.n_reps if rec else 0
            s.big, s.big_suffix = str(n), f"/ {p.reps}"
            if self.is_pumps:
                by = rec.by_side if rec else {}
                s.label = "PUMPS EACH FOOT"
                s.sub2 = f"LEFT {by.get('left', 0)}   RIGHT {by.get('right', 0)}"
        else:
            word = "STRETCH" if self.is_stretch else "HOLD"
            phase = str(getattr(res, "rep_phase", "") or "")
            if self._hold_side is not None:
                s.label = f"{word} - {self._hold_side.upper()} LEG"
                if self.is_stretch and phase.startswith("paused"):
                    why = phase[phase.find("(") + 1:].rstrip(")")
                    s.label = f"PAUSED - {PAUSE_WORDS.get(why, why.replace('_', ' ').upper())}"
                s.big, s.big_suffix = str(int(self._hold_s)), f"s / {int(p.hold_s)}"
                s.progress = min(1.0, self._hold_s / p.hold_s) if p.hold_s > 0 else None
            else:
                if self.is_stretch:
                    s.label = "HOLD STILL - TIMER STARTS" if phase == "position" else "STEP INTO THE STRETCH"
                else:
                    s.label = "LIFT ONE FOOT"
                s.big, s.big_suffix = "0", f"s / {int(p.hold_s)}"
            rec = cur or (self.sets[-1] if self.sets else None)
            best = rec.best if rec else {}

            def b(side: str) -> str:
                return f"{int(best[side])} s" if side in best else "-"

            s.sub2 = f"BEST  L {b('left')}   R {b('right')}"
        s.sub = f"SET {set_no} OF {p.sets}"
        # centre panel
        if self.paused:
            s.centre_title, s.centre_big, s.centre_sub = "PAUSED", "", "Press SPACE to go on"
        elif self.state == "setup":
            tip, _ = self.view_tip(res.view if res is not None else "unknown")
            s.centre_title = "GET READY"
            s.centre_sub = tip or registry.title(p.exercise)
        elif self.state == "rest":
            s.centre_title, s.centre_big = "REST", fmt_clock(self._rest_left)
            s.centre_sub = f"Next: set {self.set_index + 1} of {p.sets}. Press N to start now"
        elif self.state == "done":
            s.centre_title, s.centre_big, s.centre_sub = "ALL SETS DONE", "", "Well done!  Press Q to finish"
        elif not self.counts_reps and cur is not None and self._hold_side is None:
            done = [side for side in ("left", "right") if cur.best.get(side, 0.0) >= p.hold_s]
            if len(done) == 1:
                other = "RIGHT" if done[0] == "left" else "LEFT"
                s.toast = s.toast or (f"NOW STRETCH YOUR {other} LEG" if self.is_stretch else f"NOW STAND ON YOUR {other} LEG")
        # banner: flag > framing guidance
        g, gk = self.guidance(res)
        if self.paused:
            pass
        elif flag_text and self.state in ("active", "rest"):
            s.banner, s.banner_kind = flag_text, flag_kind
        elif g:
            s.banner, s.banner_kind = g, gk
        # prompt and toast
        if self._prompt_until is not None:
            s.prompt = f"PAIN 0-10?  Type a number{(': ' + self._digits) if self._digits else ''}"
        text, t_toast = self._toast
        if text and t - t_toast <= TOAST_S:
            s.toast = text
        return s

    def done_screen(self, seconds_left: float) -> Any:
        """The screen shown once the session has ended (everything is saved by then): what was done,
        per set, and the pain/cramp marks; it closes on any key or after ``seconds_left``."""
        from footform.apps.overlay import Screen

        lines: list[str] = []
        for rec in self.sets:
            if rec.kind == "reps":
                by = ""
                if rec.by_side:
                    by = "  (" + ", ".join(f"{k[0].upper()} {v}" for k, v in sorted(rec.by_side.items())) + ")"
                lines.append(f"SET {rec.index}: {rec.n_reps} OF {self.plan.reps} {'PUMPS' if self.is_pumps else 'REPS'}{by}")
            else:
                best = "  ".join(f"{side[0].upper()} {int(rec.best[side])} s" if side in rec.best else f"{side[0].upper()} -"
                                 for side in ("left", "right"))
                lines.append(f"SET {rec.index}: BEST  {best}  (TARGET {int(self.plan.hold_s)} s)")
        if not lines:
            lines.append("NO SET WAS STARTED")
        counts = {k: sum(1 for m in self.marks if m["kind"] == k) for k in ("pain", "cramp")}
        marks = ", ".join(f"{k.upper()} {n}x" for k, n in counts.items() if n)
        if marks:
            lines.append(f"MARKED: {marks}")
        lines.append("Saved: the report and summary (see the terminal)")
        title = "ALL SETS DONE" if self.state == "done" else "SESSION DONE"
        return Screen(centre_title=title, centre_lines=lines, quality=False,
                      centre_sub=f"Press any key to close ({max(0, math.ceil(seconds_left))} s)")

    def sets_summary(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.sets]


# =============================================================================================
# Store adapter, recovery
# =============================================================================================


def _set_now(coach: Coach) -> int | None:
    """The set in progress, else the last one (rows completed during a rest belong to it)."""
    return coach.current.index if coach.current else (coach.sets[-1].index if coach.sets else None)


def advance(analyzer: Any, coach: Coach, pose: Any) -> tuple[Any, list[Event], list[dict[str, Any]]]:
    """One analysed frame of a live session: the analysis, then the coach.

    Returns the frame state (:class:`~footform.analysis.analyzer.FrameResult`), the coach's events and the
    rows the analysis completed on this frame (summary schema plus ``set``), to be stored.  Holds
    and pumps are handed to the coach (a hold's exact duration ends its timer; pumps are counted
    per foot); calf raises are counted from the frame state.
    """
    res = analyzer.step(pose)
    exercise = coach.plan.exercise
    counts_reps = exercise in REP_EXERCISES
    new_reps, new_holds = analyzer.completed()
    rows = [{**r, "set": _set_now(coach)} for r in (new_reps if counts_reps else new_holds)]
    events = coach.update(res, pose.t_s, closed=rows if exercise != "calf_raise" else [])
    if counts_reps:        # a rep that completed the set belongs to it, one that started the next to that
        for r in rows:
            r["set"] = _set_now(coach)
    return res, events, rows


def _set_of(t: float | None, sets: list[dict[str, Any]]) -> int | None:
    """Index of the set whose time span holds ``t`` (the last set started before it)."""
    if t is None:
        return None
    found = None
    for s in sets:
        if s.get("t_start") is not None and t >= s["t_start"] - 1e-6:
            found = s["index"]
    return found


def session_summary(summary: Any, sets: list[dict[str, Any]], marks: list[dict[str, Any]], flags: list[dict[str, Any]],
                    plan: Plan | None, live_stats: dict[str, Any] | None) -> dict[str, Any]:
    """The analysis summary as a dict, plus what only the live session knows: sets, marks, flags, targets."""
    d = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    for r in d.get("reps") or []:
        r["set"] = _set_of(r.get("t_top") or r.get("t_start"), sets)
    for h in d.get("holds") or []:
        h["set"] = _set_of(h.get("t_start"), sets)
    if sets:
        d["sets"] = sets
    d["marks"] = marks
    d["flags"] = flags
    if plan is not None:
        d["targets"] = plan.to_dict()
    if live_stats is not None:
        d["live"] = live_stats
    return d


def _flag_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"code": row.get("code"), "label": row.get("label"), "severity": row.get("severity"), "side": row.get("side"),
            "t_start": row.get("t_start_s"), "t_end": row.get("t_end_s"), "rep": row.get("rep_index"),
            "hold": row.get("hold_index"), "set": row.get("set_index"), "message": row.get("message"),
            "description": row.get("description"), "evidence": row.get("evidence")}


def recover_sessions(store: Any, say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Complete every session a crashed live run left ``incomplete``; returns what was recovered.

    The session's landmark track holds exactly the frames the live loop analysed (up to its last
    flush, ≤ 1 s before the crash), so replaying it through the same live analysis reproduces the
    reps and holds the person saw.  Marks and flags written live are kept; sets are rebuilt from
    the set numbers stored with the reps / holds.  Without a readable track the rows committed live
    are kept as they are.
    """
    from footform.analysis.analyzer import AnalysisConfig, analyze_frames
    from footform.io.track import TrackReader

    out = []
    for info in store.incomplete_sessions():
        rec = store.session(info.id)
        summary = None
        exercise = rec.session.get("exercise") or "auto"
        track = rec.track_path
        if track is not None and Path(track).is_file() and exercise in (*registry.IDS, registry.AUTO):
            targets = {k: float(v) for k, v in (rec.targets or {}).items()
                       if k in ("reps", "hold_s") and isinstance(v, (int, float))}
            try:
                reader = TrackReader(track)
                summary = analyze_frames(iter(reader), AnalysisConfig(exercise=exercise, live=True, targets=targets))
            except FootformError:
                summary = None
        if summary is not None:
            sets = _sets_from_rows(rec)
            d = session_summary(summary, sets, [], [_flag_from_row(f) for f in rec.flags], None,
                                {"recovered": True, "recovered_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")})
            d.pop("marks", None)   # the marks written live stay (complete_session keeps them)
            # A rep/hold committed in the last moments may lie past the track's last flush: never
            # recover fewer than were committed live.
            if len(d.get("reps") or []) < len(rec.reps):
                d["reps"] = [_rep_from_row(r) for r in rec.reps]
            if len(d.get("holds") or []) < len(rec.holds):
                d["holds"] = [_hold_from_row(h) for h in rec.holds]
            store.complete_session(info.id, d)
            n_reps, n_holds = len(d.get("reps") or []), len(d.get("holds") or [])
        else:
            store.complete_session(info.id)
            n_reps, n_holds = len(rec.reps), len(rec.holds)
        ex_info = registry.find(exercise)
        what = (ex_info.count(n_reps if ex_info.counts_reps else n_holds) if ex_info
                else f"{n_reps} reps, {n_holds} holds")
        marks = f", {len(rec.marks)} pain/cramp marks" if rec.marks else ""
        say(f"Recovered an interrupted session from {info.started_utc} (session {info.id}): {what}{marks} kept.")
        out.append({"id": info.id, "reps": n_reps, "holds": n_holds, "marks": len(rec.marks)})
    return out


def _rep_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row.get("rep_index"), "set": row.get("set_index"), "side": row.get("side"),
            "t_start": row.get("t_start_s"), "t_top": row.get("t_top_s"), "t_end": row.get("t_end_s"),
            "peak_lift": row.get("peak_lift_fl"), "peak_lift_cm": row.get("peak_lift_cm"), "rise_s": row.get("rise_s"),
            "top_s": row.get("top_s"), "lower_s": row.get("lower_s"),
            "heel_in": row.get("alignment_note") or {"left": row.get("heel_in_left_fl"), "right": row.get("heel_in_right_fl")}}


def _hold_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row.get("hold_index"), "set": row.get("set_index"), "stance_side": row.get("stance_side"),
            "t_start": row.get("t_start_s"), "t_end": row.get("t_end_s"), "duration_s": row.get("duration_s"),
            "ended_by": row.get("ended_by"), "touchdowns": row.get("touchdowns"), "sway": row.get("sway") or {},
            "ankle_wobble": row.get("wobble") or {}, "noise_floor": row.get("noise_floor") or {}}


def _sets_from_rows(rec: Any) -> list[dict[str, Any]]:
    spans: dict[int, list[float]] = {}
    for row in list(rec.reps) + list(rec.holds):
        k = row.get("set_index")
        t = row.get("t_start_s")
        if k is None or t is None:
            continue
        spans.setdefault(int(k), []).append(float(t))
    return [{"index": k, "t_start": min(v) - 0.5, "kind": "reps" if rec.reps else "holds"} for k, v in sorted(spans.items())]


# =============================================================================================
# The window
# =============================================================================================


def check_display(platform: str | None = None, env: dict[str, str] | None = None) -> None:
    """Raise :class:`DisplayError` when there is obviously no screen (Linux/BSD without X11 or Wayland)."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    if platform.startswith(("linux", "freebsd")) and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise DisplayError(
            "live coaching needs a screen, but there is no display here (DISPLAY is not set); "
            "run it on a desktop session, or use 'footform analyze' on a recorded video."
        )


#: Key codes from cv2.waitKeyEx → the coach's key names.
_KEYS = {32: " ", 27: "q", 13: "\r", 10: "\n"}


class Window:
    """The OpenCV (Qt) window: show a canvas, read keys, notice when the person closed it."""

    def __init__(self, title: str = WINDOW_TITLE, fullscreen: bool = False, size: tuple[int, int] = (1280, 720)) -> None:
        import cv2

        self._cv2 = cv2
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            if fullscreen:
                cv2.setWindowProperty(title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
            else:
                cv2.resizeWindow(title, *size)
        except cv2.error as e:
            raise DisplayError(f"the live window could not be opened ({str(e).strip().splitlines()[-1]}).") from None
        self._shown = False

    def show(self, canvas: np.ndarray) -> None:
        self._cv2.imshow(self.title, canvas)
        self._shown = True

    def poll_key(self, wait_ms: int = 1) -> str | None:
        """The key pressed since the last call (lower-case letter, " ", "q" for Esc …) or None."""
        k = self._cv2.waitKeyEx(max(1, wait_ms))
        if k is None or k < 0:
            return None
        if k in _KEYS:
            return _KEYS[k]
        if 32 < k < 127:
            return chr(k).lower()
        return None

    @property
    def closed(self) -> bool:
        """True once the person closed the window (after it was first shown)."""
        if not self._shown:
            return False
        try:
            return self._cv2.getWindowProperty(self.title, self._cv2.WND_PROP_VISIBLE) < 1
        except self._cv2.error:
            return True

    def close(self) -> None:
        try:
            self._cv2.destroyWindow(self.title)
            self._cv2.waitKey(1)
        except self._cv2.error:
            pass


# =============================================================================================
# The session loop
# =============================================================================================


@dataclass
class LiveOptions:
    """Everything ``footform live`` was asked to do (see :func:`register_live` for the options)."""

    exercise: str                       # calf_raise | single_leg_stance | calf_stretch | ankle_pumps
    camera: str = "0"
    sets: int = 3
    reps: int | None = None             # None: the exercise's default_reps (registry)
    hold_s: float = 30.0
    rest_s: float = 60.0
    metronome_bpm: float | None = None
    audio: bool = True
    model: str | None = None
    db: str | None = None
    person: str | None = None
    height_cm: float | None = None
    out: str | None = None
    mirror: bool | None = None          # None: mirror a camera, not a file
    fullscreen: bool = False
    rules: str | None = None
    cue_log: str | None = None          # tests: write cues to this file instead of speaking
    stats_path: str | None = None       # tests/bench: write per-frame latency stats (JSON) here
    debug: bool = False
    max_seconds: float | None = None    # stop after this long (bench, tests)
    done_s: float = DONE_SCREEN_S       # the done screen's time limit (0: none)
    end_when_done: bool = False         # end DONE_LINGER_S after the last set (a home-program item, #21)

    def plan(self) -> Plan:
        reps = self.reps if self.reps is not None else (registry.get(self.exercise).default_reps or 12)
        return Plan(self.exercise, self.sets, reps, self.hold_s, self.rest_s, self.metronome_bpm)


@dataclass
class LiveResult:
    session_id: int | None
    db_path: Path | None
    out_dir: Path | None
    summary: dict[str, Any] | None
    frames_captured: int = 0
    frames_processed: int = 0
    frames_dropped: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    report_path: Path | None = None
    recovered: list[dict[str, Any]] = field(default_factory=list)
    ended_by: str = ""
    error: FootformError | None = None


class _Terminate(Exception):
    """SIGTERM arrived: end the session as if ``q`` was pressed."""


def _latency_stats(lat_ms: list[float]) -> dict[str, float]:
    if not lat_ms:
        return {}
    a = np.asarray(lat_ms, float)
    return {"median": round(float(np.median(a)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "max": round(float(a.max()), 1), "n": int(a.size)}


def _flag_text(flag: Any) -> tuple[str, str]:
    kind = "stop" if getattr(flag, "severity", "warn") == "stop" else "warn"
    return str(getattr(flag, "message", "") or getattr(flag, "label", "")), kind


def run_live(opts: LiveOptions, say: Callable[[str], None] = print) -> LiveResult:
    """Run one live session until ``q`` / window closed / Ctrl-C / end of file / camera lost."""
    import cv2

    from footform.analysis.analyzer import AnalysisConfig, Analyzer
    from footform.analysis.summary import format_table, write_summary
    from footform.apps.audio import AudioCues
    from footform.apps.overlay import render
    from footform.io.capture import LatestFrameSource
    from footform.io.pose import PoseEstimator, resolve_model
    from footform.io.track import TrackWriter, make_header
    from footform.outputs.store import Store

    check_display()
    plan = opts.plan()
    if plan.exercise not in registry.IDS:
        raise InputError(f"live coaching knows {', '.join(e.cli for e in registry.EXERCISES)}, not {plan.exercise!r}.")
    metronome = Metronome(plan.metronome_bpm) if plan.metronome_bpm else None

    # Open everything that can fail before anything is written or shown.
    source = LatestFrameSource.open(opts.camera)
    model = resolve_model(opts.model, live=True)
    store = Store.open(opts.db)
    result = LiveResult(session_id=None, db_path=store.path, out_dir=None, summary=None)
    try:
        result.recovered = recover_sessions(store, say)
        # The same analysis as `footform analyze` (filters, exercise, rules and their overrides):
        # what the person sees and what is stored is what analyze gives from the same frames.
        analyzer = Analyzer(AnalysisConfig(exercise=plan.exercise, height_cm=opts.height_cm, live=True,
                                           rules=opts.rules, targets=plan.analysis_targets()))
        window = Window(fullscreen=opts.fullscreen)
        mirror = opts.mirror if opts.mirror is not None else source.info.kind == "camera"
        # No automatic margin / body rise live (yet): a live session usually starts before the
        # person steps into view, which switches the margin on for the whole session (it costs
        # usable-feet frames on the rendered rear sample, docs/metrics.md), the body rise costs
        # ~0.75x the pose time while measured, and neither has been measured on live frame rates;
        # the live framing guidance asks for the whole body instead.
        estimator = PoseEstimator(model, pad_top=0.0, motion=False)
        session = store.begin_session(exercise=plan.exercise, person=opts.person, source=source.info.to_dict(),
                                      model=model.to_dict(), targets=plan.to_dict())
        result.session_id = session.id
        track = TrackWriter(session.track_path, make_header(
            source=source.info.to_dict(), model=model.to_dict(),
            extra={"mode": "live", "session_uuid": session.uuid, "num_poses": 1}))
        audio = AudioCues(enabled=opts.audio, log_path=opts.cue_log, notice=lambda s: say(f"footform: {s}"))
        coach = Coach(plan, audio_numbers=metronome is None)
        if result.recovered:
            coach.toast("LAST SESSION RECOVERED", 0.0)
    except BaseException:
        source.stop()
        store.close()
        raise

    latencies: list[float] = []
    proc_ms: list[float] = []
    flag_shown: tuple[str, str, float] = ("", "warn", -1e9)
    last_update = 0.0
    t_now = 0.0
    frames = 0
    ended_by = "end of video"
    error: FootformError | None = None
    prev_term = None
    t_frame = 0.0
    recent_t: deque[float] = deque(maxlen=30)
    last_image: np.ndarray | None = None
    t_done: float | None = None
    banners: list[dict[str, Any]] = []     # every banner the screen showed: when, what, which kind

    def on_term(signum: int, frame: Any) -> None:
        raise _Terminate()

    try:
        prev_term = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread (tests calling run_live from a thread)
        prev_term = None

    def handle(events: list[Any], t: float) -> None:
        for ev in events:
            if ev.kind == "mark":
                session.add_mark(ev.data["t_s"], ev.data["kind"], ev.data.get("rating"),
                                 note=json.dumps({"set": ev.data.get("set"), "rep": ev.data.get("rep")}))
                audio.say(ev.text, "mark")
            elif ev.kind in ("set_done", "all_done", "set_start", "go"):
                audio.say(ev.text, "set")
                if ev.text and ev.kind != "set_start":
                    say(f"  {ev.text}")
            elif ev.kind == "rep":
                if ev.text:
                    audio.say(ev.text, "rep")
            elif ev.kind in ("hold_start", "hold_target", "hold_end"):
                audio.say(ev.text, "hold")
            elif ev.kind in ("pause", "resume"):
                audio.say(ev.text, "set")
                session.add_event({"type": ev.kind, "t_s": t})

    source.start()
    t_start_mono = time.monotonic()
    try:
        while True:
            if opts.max_seconds is not None and time.monotonic() - t_start_mono > opts.max_seconds:
                ended_by = "time limit"
                break
            frame = source.get(timeout=0.05)
            t_now = source.clock_s()
            if frame is None:
                if source.ended:
                    ended_by = "end of video"
                    break
                if source.info.kind == "camera" and frames and source.seconds_since_frame > STALL_S:
                    raise InputError(f"{source.info.name} stopped delivering pictures (unplugged?).")
                key = window.poll_key(1)
                if key is not None:
                    if key == "q":
                        ended_by = "q"
                        break
                    handle(coach.key(key, t_now), t_now)
                handle(coach.tick(t_now), t_now)
                if window.closed:
                    ended_by = "window closed"
                    break
                continue
            t0 = time.perf_counter()
            t_frame = frame.t_s
            if coach.paused:
                lm = None
            else:
                pose = estimator.process(frame)
                track.write(pose)
                res, events, rows = advance(analyzer, coach, pose)
                frames += 1
                handle(events, frame.t_s)
                cur_set = _set_now(coach)
                # → store, each in its own transaction; the track first holds every frame they were counted on
                if rows:
                    track.flush()
                for row in rows:
                    (session.add_rep if plan.exercise in REP_EXERCISES else session.add_hold)(row)
                # the analysis' own feedback engine judged this frame and the rows completed on it
                for fl in res.flags:
                    session.add_flag({**fl.to_dict(), "set": cur_set})
                    flag_shown = (*_flag_text(fl), frame.t_s)
                    audio.say(fl.message, "flag")
                if coach.state == "setup":
                    g, _ = coach.guidance(res)
                    if g:
                        audio.say(g, "info")
                lm = pose.image
                if frame.t_s - last_update >= 1.0:
                    session.update(quality=analyzer.quality.to_dict(), view=res.view)
                    last_update = frame.t_s
            flag_text, flag_kind, flag_t = flag_shown
            show_flag = flag_text if frame.t_s - flag_t <= FLAG_SHOW_S else ""
            screen = coach.screen(frame.t_s, flag_text=show_flag, flag_kind=flag_kind)
            screen.mirror = mirror
            if metronome is not None and coach.state == "active" and not coach.paused:
                screen.beat, screen.beat_phase, new_beat = metronome.at(frame.t_s)
                if new_beat:
                    audio.say(screen.beat, "beat")
            recent_t.append(time.monotonic())
            if opts.debug:
                fps = (len(recent_t) - 1) / (recent_t[-1] - recent_t[0]) if len(recent_t) > 1 and recent_t[-1] > recent_t[0] else 0
                lat = f"{latencies[-1]:.0f} ms" if latencies else "-"
                screen.debug = (f"{fps:.0f} fps  latency {lat}  dropped {100 * source.dropped_share:.0f}%  "
                                f"audio {audio.engine_name}")
            last_image = frame.image
            if screen.banner and (not banners or banners[-1]["text"] != screen.banner):
                banners.append({"t_s": round(frame.t_s, 3), "text": screen.banner, "kind": screen.banner_kind})
            canvas = render(frame.image, lm if lm is not None else None, screen)
            window.show(canvas)
            latencies.append((time.monotonic() - frame.t_mono) * 1000.0)
            proc_ms.append((time.perf_counter() - t0) * 1000.0)
            key = window.poll_key(1)
            if key is not None:
                if key == "q":
                    ended_by = "q"
                    break
                handle(coach.key(key, frame.t_s), frame.t_s)
            handle(coach.tick(frame.t_s), frame.t_s)
            if opts.end_when_done and coach.state == "done":
                t_done = frame.t_s if t_done is None else t_done
                if frame.t_s - t_done >= DONE_LINGER_S:
                    ended_by = "all sets done"
                    break
            if window.closed:
                ended_by = "window closed"
                break
    except KeyboardInterrupt:
        ended_by = "Ctrl-C"
    except _Terminate:
        ended_by = "terminated"
    except InputError as e:          # camera unplugged: finish what we have, then report it
        ended_by = "camera lost"
        error = e
    except OutputError as e:         # store or track cannot be written: keep what is there
        ended_by = "output error"
        error = e
    finally:
        if prev_term is not None:
            try:
                signal.signal(signal.SIGTERM, prev_term)
            except ValueError:
                pass
        source.stop()

    # ---- finish: nothing above this line may lose data; everything below is best effort in order
    try:
        t_end = t_frame if frames else t_now
        coach.finish(t_end)
        try:
            track.close()
        except OutputError as e:
            say(f"footform: {e}")
            track.abandon()
        summary = analyzer.finish()
        # the analysis' final judgement, exactly as `footform analyze` gives it from these frames
        flags = [dict(f) for f in summary.flags]
        for f in flags:
            f["set"] = _set_of(f.get("t_start"), coach.sets_summary()) if f.get("set") is None else f["set"]
        live_stats = {
            "frames_captured": source.captured, "frames_processed": frames, "frames_dropped": source.dropped,
            "dropped_share": round(source.dropped_share, 4), "latency_ms": _latency_stats(latencies),
            "processing_ms": _latency_stats(proc_ms), "ended_by": ended_by, "audio": audio.engine_name,
            "metronome_bpm": plan.metronome_bpm,
        }
        doc = session_summary(summary, coach.sets_summary(), coach.marks, flags, plan, live_stats)
        try:
            session.finish(doc)
        except FootformError as e:   # stays 'incomplete': the next start recovers it from the track
            say(f"footform: the session could not be completed in the store ({e}); it will be recovered next time.")
        out_dir = Path(opts.out) if opts.out else Path("footform-out") / f"live-{_dt.datetime.now():%Y%m%d-%H%M%S}"
        result.out_dir = out_dir
        try:
            write_summary(summary, out_dir)
            (out_dir / "session.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        except (OutputError, OSError) as e:
            say(f"footform: {e}")
            result.out_dir = None
        result.report_path = _write_report(store, session.id, out_dir, say) if result.out_dir else None
        result.summary = doc
        result.frames_captured, result.frames_processed, result.frames_dropped = source.captured, frames, source.dropped
        result.latency_ms = _latency_stats(latencies)
        result.ended_by = ended_by
        result.error = error
        if opts.stats_path:
            Path(opts.stats_path).write_text(json.dumps({**live_stats, "latency_ms_per_frame": latencies,
                                                         "processing_ms_per_frame": proc_ms, "banners": banners}) + "\n")
        _print_end(say, summary, doc, coach, result, format_table)
        if ended_by not in ("window closed", "Ctrl-C", "terminated", "time limit", "output error"):
            _show_done(window, coach, last_image, mirror, opts.done_s)
    finally:
        audio.close()
        estimator.close()
        window.close()
        store.close()
        cv2.destroyAllWindows()
    return result


def _show_done(window: Window, coach: Coach, image: np.ndarray | None, mirror: bool, seconds: float) -> None:
    """The done screen over the last camera picture (dimmed) until a key, the window closed, or ``seconds``."""
    import cv2

    from footform.apps.overlay import CANVAS_H, CANVAS_W, compose

    if seconds <= 0:
        return
    dim = (image * 0.35).astype(np.uint8) if image is not None else np.zeros((CANVAS_H, CANVAS_W, 3), np.uint8)
    t0 = time.monotonic()
    try:
        while (left := seconds - (time.monotonic() - t0)) > 0:
            screen = coach.done_screen(left)
            screen.mirror = mirror
            window.show(compose(dim, None, screen).canvas)
            if window.poll_key(100) is not None or window.closed:
                return
    except (cv2.error, KeyboardInterrupt):   # the window went away / Ctrl-C: everything is saved already
        return


def _write_report(store: Any, session_id: int, out_dir: Path, say: Callable[[str], None]) -> Path | None:
    """The session's HTML report (``report.session_report`` → ``report.write_html``); best effort."""
    try:
        from footform.outputs import report as report_mod
    except ImportError as e:  # the report's own dependencies (matplotlib) missing
        say(f"footform: no HTML report ({e}).")
        return None
    try:
        return Path(report_mod.write_html(out_dir / "report.html", report_mod.session_report(store, session_id)))
    except FootformError as e:
        say(f"footform: the report could not be written ({e})")
        return None


def _print_end(say: Callable[[str], None], summary: Any, doc: dict[str, Any], coach: Coach, result: LiveResult,
               format_table: Callable[[Any], str]) -> None:
    say("")
    say(format_table(summary))
    for s in doc.get("sets") or []:
        if s["kind"] == "reps":
            say(f"set {s['index']}: {s['n_reps']} reps ({s['ended_by'] or 'open'})")
        else:
            best = ", ".join(f"{k} {v:.0f} s" for k, v in (s.get("best_s") or {}).items() if v is not None) or "no hold"
            say(f"set {s['index']}: {s['n_holds']} holds, best {best}")
    for m in coach.marks:
        rating = f" {m['rating']}/10" if m.get("rating") is not None else ""
        say(f"{m['kind']}{rating} marked at {m['t_s']:.1f} s (set {m.get('set') or '-'})")
    lat = result.latency_ms
    share = 100.0 * result.frames_dropped / result.frames_captured if result.frames_captured else 0.0
    say(f"frames: {result.frames_processed} analysed of {result.frames_captured} captured ({share:.0f} % skipped to keep up); "
        f"latency median {lat.get('median', 0):.0f} ms, p95 {lat.get('p95', 0):.0f} ms")
    say(f"session {result.session_id} saved in {result.db_path}")
    if result.out_dir is not None:
        say(f"summary: {result.out_dir / 'summary.json'}")
    if result.report_path is not None:
        say(f"report: {result.report_path}")


# =============================================================================================
# Command line
# =============================================================================================


def register_live(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``footform live`` to the CLI's subparsers (``build_parser`` calls this)."""
    p = subparsers.add_parser(
        "live",
        help="coach an exercise live in front of a webcam",
        description="Open a window with the camera image, your legs and feet drawn, a rep counter or hold timer, and "
                    "spoken cues. Keys: SPACE pause, N next set, P pain (then 0-10), C cramp, Q quit.",
    )
    p.add_argument("--exercise", choices=[e.cli for e in registry.EXERCISES],
                   help="the exercise to coach; without it, --person runs what today's home program still holds "
                        "(docs/programs.md)")
    p.add_argument("--camera", type=ca.camera, default="0", metavar="INDEX|FILE",
                   help="camera index (default 0) or a video file played at its real speed as a stand-in camera")
    p.add_argument("--sets", type=ca.sets, default=3, help="number of sets, 1–20 (default 3)")
    p.add_argument("--reps", type=ca.reps, default=None,
                   help="reps per set, 1–200: calf raises (default 12), ankle pumps of each foot (default 20)")
    p.add_argument("--hold", type=ca.hold_s, default=30.0, metavar="SECONDS",
                   help="hold per leg per set, 1–3600 s: single-leg stance, calf stretch in good form (default 30)")
    p.add_argument("--rest", type=ca.rest_s, default=60.0, metavar="SECONDS", help="rest between sets, 0–3600 s (default 60)")
    p.add_argument("--metronome", type=ca.metronome_bpm, metavar="BPM", help="beats per minute, 10–240, one up and one down (60 = heel-rise test)")
    p.add_argument("--no-audio", dest="audio", action="store_false", help="no spoken cues")
    p.add_argument("--person", metavar="NAME", help="whose session this is (name or pseudonym)")
    p.add_argument("--height", "--height-cm", type=ca.height_cm, dest="height_cm", metavar="CM", help="your height, 50–250 cm (gives cm estimates)")
    p.add_argument("--model", metavar="PATH", help="pose model: 'full', 'heavy' or a PoseLandmarker .task file")
    p.add_argument("--db", metavar="FILE", help="session database (default: footform.db in your data folder, or $FOOTFORM_DB)")
    p.add_argument("--out", metavar="DIR", help="folder for the summary and report (default footform-out/live-<time>)")
    p.add_argument("--rules", metavar="FILE", help="rule overrides (TOML) for the form cues")
    mirror = p.add_mutually_exclusive_group()
    mirror.add_argument("--mirror", dest="mirror", action="store_true", default=None, help="show the image mirrored (default for a camera)")
    mirror.add_argument("--no-mirror", dest="mirror", action="store_false", help="show the image as filmed (default for a file)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument("--debug", action="store_true", help="show frame rate, latency and skipped frames on screen")
    p.add_argument("--cue-log", help=argparse.SUPPRESS)
    p.add_argument("--stats", dest="stats_path", help=argparse.SUPPRESS)
    p.add_argument("--max-seconds", type=ca.seconds, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_live)
    return p


def cmd_live(args: argparse.Namespace) -> int:
    """``footform live --exercise X``: one exercise (without --exercise the CLI runs the home program)."""
    if args.rules:  # a bad rule file is one sentence before the camera, the model or the store is touched
        from footform.feedback.engine import load_rules

        load_rules(registry.to_id(args.exercise), overrides=args.rules)
    opts = LiveOptions(
        exercise=registry.to_id(args.exercise), camera=str(args.camera), sets=args.sets, reps=args.reps, hold_s=args.hold,
        rest_s=max(0.0, args.rest), metronome_bpm=args.metronome, audio=args.audio, model=args.model, db=args.db,
        person=args.person, height_cm=args.height_cm, out=args.out, mirror=args.mirror, fullscreen=args.fullscreen,
        rules=args.rules, cue_log=args.cue_log, stats_path=args.stats_path, debug=args.debug, max_seconds=args.max_seconds,
    )
    result = run_live(opts, say=lambda s: print(s, flush=True))
    if args.person and result.session_id is not None:
        _attribute_to_program(args, opts.exercise, result.session_id)
    if result.error is not None:
        print(f"footform: {result.error}", file=sys.stderr)
        return result.error.exit_code
    return 0


def _attribute_to_program(args: argparse.Namespace, exercise: str, session_id: int) -> None:
    """A session of someone with a home program goes to the program's item of its exercise (#21, docs/programs.md)."""
    from footform.outputs.program import attribution_note
    from footform.outputs.store import Store

    try:
        with Store.open(args.db) as store:
            note = attribution_note(store, session_id, args.person, exercise, how="live")
    except FootformError as e:
        print(f"footform: the session was not attributed to a program item ({e})", file=sys.stderr)
        return
    if note:
        print(f"session {session_id}{note}", flush=True)

