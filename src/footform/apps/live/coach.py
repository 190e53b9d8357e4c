"""The coach: sets, rests, holds per leg and pain/cramp marks on top of the live analysis — what to say and when.

A pure state machine, tested without a window or a camera: :meth:`Coach.update` takes each analysed
frame (:class:`~footform.analysis.analyzer.FrameResult`), :meth:`Coach.key` the keys, and both
return :class:`~footform.apps.live.plan.Event` lists (what to say, what to store).  What the screen
shows of it is :mod:`.screen`'s job; which form cues are on screen is :mod:`.cues`'.
"""

from __future__ import annotations

import math
from typing import Any

from footform.apps.live.audio import number_word
from footform.apps.live.plan import REP_EXERCISES, Event, Plan, SetRecord
from footform.core.numeric import finite
from footform.exercises import registry

#: Seconds to type the pain rating after ``p``.
PAIN_PROMPT_S = 3.0
#: Ankle pumps: the other foot's pump completed this soon after the set ended (both feet pumping
#: together finish a cycle a few frames apart) still counts for that set, not as a new one.
PUMP_PAIR_S = 1.0
#: Seconds a toast (confirmation) stays on screen.
TOAST_S = 2.5


def pump_angle_seen(res: Any) -> bool:
    """Whether this frame shows either foot's angle to the shank (ankle pumps need a side or 3/4 view)."""
    sig = getattr(res, "signals", None) or {}
    return any(isinstance(sig.get(f"foot_shank_angle_{s}"), float) and math.isfinite(sig[f"foot_shank_angle_{s}"])
               for s in ("left", "right"))


class Coach:
    """Sets, rests, holds and marks on top of the live analysis.

    Feed :meth:`update` every analysed frame (a :class:`~footform.analysis.analyzer.FrameResult`) and the
    keys (:meth:`key`); both return :class:`Event` lists.  :func:`footform.apps.live.screen.screen_for`
    turns the coach's public state into the :class:`~footform.apps.live.overlay.Screen` for now.
    Times are seconds on the source clock.

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
        self.rest_left = 0.0            # seconds of the rest still to go
        self._t_last: float | None = None
        self.hold_side: str | None = None
        self.hold_s = 0.0
        self._hold_target_said = False
        self._holds_seen = 0
        self._prompt_until: float | None = None
        self._prompt_t: float | None = None
        self._digits = ""
        self._digit_t: float | None = None
        self._toast = ("", -1e9)
        #: the last analysed frame (FrameResult) and the hold in progress: its leg and its timer (s)
        self.last_res: Any = None

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

    @property
    def set_now(self) -> int | None:
        """The set in progress, else the last one (rows completed during a rest belong to it)."""
        return self.current.index if self.current else (self.sets[-1].index if self.sets else None)

    def toast(self, text: str, t: float) -> None:
        """Show ``text`` as a short confirmation from ``t`` on (for :data:`TOAST_S` seconds)."""
        self._toast = (text, t)

    def toast_at(self, t: float) -> str:
        """The confirmation on screen at ``t`` ("PAIN 6 NOTED"), or ""."""
        text, t_toast = self._toast
        return text if text and t - t_toast <= TOAST_S else ""

    @property
    def pain_digits(self) -> str | None:
        """The digits typed so far while the pain question is open, else ``None``."""
        return self._digits if self._prompt_until is not None else None

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
            self.rest_left = self.plan.rest_s
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
        self.last_res = res
        events: list[Event] = []
        if self.paused:
            return events
        if self.state == "setup":
            ready = bool(res.feet_visible) and res.rep_phase != "calibrating"
            if self.is_pumps:   # nothing can be counted until the foot's angle is seen (a side or 3/4 view)
                ready = ready and pump_angle_seen(res)
            if ready:
                self._rep_base = res.reps
                self._reps_seen = res.reps
                self._holds_seen = res.holds
                self._start_set(t, events)
                events.append(Event("go", t, registry.get(self.plan.exercise).go_text, {}))
            return events
        if self.state == "rest":
            self.rest_left -= dt
            if self.is_pumps and closed:
                closed = self._late_pumps(t, closed)
                if not closed:
                    self._reps_seen = max(self._reps_seen, res.reps)
            started_again = (res.reps > self._reps_seen) if self.counts_reps else (res.hold_s is not None and self.hold_side is None)
            if self.rest_left <= 0 or started_again:
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
        events.append(Event("rep", t, number_word(n) if self.audio_numbers else "",
                            {"set": cur.index, "n": n, "total": res.reps, "by_side": dict(cur.by_side)}))
        if n >= self.plan.reps:
            self._end_set(t, "target", events)

    def _update_holds(self, res: Any, t: float, events: list[Event], closed: list[dict[str, Any]] | None = None) -> None:
        cur = self.current
        if res.hold_s is not None:
            side = res.stance if res.stance in ("left", "right") else (self.hold_side or "left")
            if self.hold_side is None:
                self.hold_side = side
                self._hold_target_said = False
                if cur is not None and self.state == "active":
                    events.append(Event("hold_start", t, "Hold the stretch." if self.is_stretch else "Hold.",
                                        {"side": side, "set": cur.index}))
            self.hold_s = float(res.hold_s)
            if not self._hold_target_said and self.hold_s >= self.plan.hold_s and self.state == "active":
                self._hold_target_said = True
                events.append(Event("hold_target", t, f"{int(self.plan.hold_s)} seconds. Well done.", {"side": self.hold_side}))
        elif self.hold_side is not None:
            last = closed[-1] if closed else None
            # the stretch's timer (and its best) is the time in good form; stance: the hold's duration
            key = "held_s" if self.is_stretch else "duration_s"
            if last is not None and last.get(key) is not None:
                self.end_hold(float(last.get("t_end") or t), float(last[key]), events, last.get("t_start"),
                              total_s=last.get("duration_s") if self.is_stretch else None)
            else:
                self.end_hold(t, self.hold_s, events)

    def end_hold(self, t: float, duration_s: float, events: list[Event], t_start: float | None = None,
                 total_s: float | None = None) -> None:
        """The hold in progress ended (touch-down; came out of the stretch) after ``duration_s`` seconds
        (the stretch: in good form, of ``total_s`` in the position)."""
        side = self.hold_side or "left"
        self.hold_side = None
        self.hold_s = 0.0
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
                self.rest_left = 0.0
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
        if self.hold_side is not None:
            self.end_hold(t, self.hold_s, [])
        cur = self.current
        if cur is not None:
            cur.t_end, cur.ended_by = t, "end"

    def sets_summary(self) -> list[dict[str, Any]]:
        """Every set as a dict (``SetRecord.to_dict``), for the session document and the store."""
        return [s.to_dict() for s in self.sets]
