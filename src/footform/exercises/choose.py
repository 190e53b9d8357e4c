"""Which exercise a recording shows (``--exercise auto``): one score per exercise from movement evidence.

In "auto" mode the analyser runs every registered exercise on every frame; this module adds what
they do not measure themselves (posture, foot lifts) and, at the end, asks each of them for its
score through the exercise protocol (``Exercise.auto_score(AutoEvidence)``, exercises/base.py).
The scoring of each exercise lives in its own module; what it weighs is described here.  Nothing here
looks at file names or tunes to a clip: every level below says what it was measured on.

Evidence
--------
* **Posture** — the more upright thigh's angle from vertical (``thigh_incline_deg``,
  kinematics.py, from the model's 3-D world landmarks).  The three standing exercises keep one
  thigh near vertical; sitting or lying (ankle pumps) puts both beyond :data:`UPRIGHT_MAX_DEG`.
  It is kept as runs of upright / seated time, and each piece of evidence below is weighed by the
  posture *at its own time* (a squat between calf raises does not count against them).
* **Calf raise** — the counter's full reps while upright, minus reps *explained* by something
  else: a "rep" that a lifted foot covers for at least half its length and whose lift-off or
  touch-down falls inside it is the rise of the lifted foot's landmarks, not a heel raise (the
  rendered front stance samples: the free foot rises 0.2–0.3 FL in the image and reads as one
  8 s "rep"); a "rep" at least half inside a calf-stretch position is the lunge (the rendered side
  stretch reads as one 7 s "rep").
* **Single-leg stance** — time with one foot off the floor: the lifts of the analyser's foot
  contact, and of a second, more sensitive contact on the *ankles'* image heights
  (:data:`SOFT_LIFT_FL`): a foot lifted towards the camera hides its lowest point by perspective
  but its ankle still rises.  Only lifts whose lift-off was seen (both feet seen down first)
  count fully, a lift seen only ending counts half, and a foot that looks higher from the first
  frame to the last counts nothing: a staggered stance or the camera angle explain that as well
  as a lift (the rendered side calf stretch: the front foot reads 0.4–0.5 FL higher throughout).
  The ankle contact takes the first half second as the standing difference for the same reason.
  A lift holding two or more calf-raise reps, or three rises and falls of the hips
  (:data:`HIP_RISE_FL`, after the lift-off's own settling), is a single-leg calf raise, not a
  stance; the time inside a calf-stretch lunge is the staggered stance seen in perspective (either
  foot can read "up"), not a lift.  On footage
  where the leg landmarks were not trusted (the counter runs on the body rise) lifts count nothing.
* **Calf stretch** — the stretch machine's hold time (staggered feet, hips shifted forward and
  settled) in positions with a stretch's long step (``calf_stretch.AUTO_STEP_FL``, 2 FL: a stance
  with the free foot behind, or feet side by side seen at three-quarter, stagger 0.8–1.6 FL and
  count nothing); a brief stretch position counts half.  Only long-step positions explain the
  others' reps and lifts.
* **Ankle pumps** — the pump counter's cycles (per foot, the larger) while seated or lying and with
  the leg still (``ankle_pumps.PUMP_LEG_STILL_DEG``).  From straight in front the foot's angle is not
  measurable; a seated or lying person is then still most likely doing ankle pumps, footform's
  only seated exercise: ``ankle_pumps.SEATED_PRIOR``.

Scores
------
Counts and times become a score in [0, 1) that is one half at one rep / cycle, or at the
exercise's own shortest hold (single-leg stance 2 s, stretch 3 s): ``n / (n + 1)``,
``t / (t + t_half)``.  The best score wins;
the choice is **confident** when it reaches :data:`CONFIDENT_SCORE` and leads the runner-up by
:data:`CONFIDENT_MARGIN` (two reps or 3 s on one leg against nothing else; a tie of one rep and
a 2 s lift is not).  Below :data:`MIN_SCORE` no exercise is recognised: the fallback is the calf
raise (the registry's first exercise), or ankle pumps (its first seated one) for a person seated
most of the time, and the one line says so and lists every ``--exercise``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from footform.core.kinematics import SIG, UPRIGHT_MAX_DEG, Kinematics
from footform.exercises import registry
from footform.exercises.base import AutoEvidence, Exercise
from footform.exercises.contact import FootContact, Lift

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: Seated again only above this and upright again only below UPRIGHT_MAX_DEG − this (deg), so a
#: thigh hovering at the level (a half squat) does not make a posture run per frame.
POSTURE_HYSTERESIS_DEG = 5.0
#: The ankle-height contact: a foot is up when its ankle is this much higher (FL, relative to the
#: standing difference) and down again below :data:`SOFT_DOWN_FL`.  0.12 FL ≈ 3 cm at 1.70 m:
#: three times the largest ankle-height difference during double-leg raises (±0.04 FL, rendered
#: rear sample); the rendered stance samples' free foot (7 cm up, towards the camera) reads
#: 0.15–0.25 FL, real knee raises and leg swings 1–2 FL.
SOFT_LIFT_FL = 0.12
SOFT_DOWN_FL = 0.08
#: The first this-many seconds (and after a cut) give the ankles' standing difference: from the
#: side the far ankle reads higher by perspective (0.4 FL on the synthetic side-view streams, as
#: much as the rendered calf stretch's staggered feet).  The calf-raise counter calibrates as long.
SOFT_CALIBRATE_S = 0.5
#: Confident: the best score reaches this and leads the runner-up by the margin; below MIN_SCORE
#: nothing is recognised (less than half a rep's worth: a lift under 1 s, a brief stretch).
CONFIDENT_SCORE = 0.6
CONFIDENT_MARGIN = 0.25
MIN_SCORE = 1.0 / 3.0
#: A lift "explains" a calf-raise rep when it covers this share of it and begins or ends inside it.
EXPLAIN_COVER = 0.5
#: Lift-off / touch-down within this of the rep's ends still counts as inside (s).
EXPLAIN_SLACK_S = 0.5
#: Posture runs are broken by gaps longer than this between samples (s).
MAX_STEP_S = 0.2
#: A rise of the hips: their image height (``hip_h``) goes up at least this much (FL) from its last
#: low and comes down at least as much again.  0.1 FL ≈ 2.6 cm at 1.70 m; a calf raise lifts the
#: hips by about the heel's rise (5–8 cm in the rendered scenarios; the rendered single-leg raise
#: seen from the side reads 0.12–0.35 FL per rep), while a stance hold's hips move less than that
#: except at lift-off (rendered stance clips of the calibration seeds: at most one rise-and-fall of
#: 0.1 FL inside a lift after its first second; the real lateral leg swings two in 8 s; the rendered
#: single-leg raises three, one per rep; docs/evaluation.md, "--exercise auto").
HIP_RISE_FL = 0.1


@dataclass
class ExerciseChoice:
    """What ``--exercise auto`` decided, and on what evidence.

    ``chosen``: the exercise analysed; ``recognised``: some exercise showed at all (else ``chosen``
    is only the fallback); ``scores``: per exercise in [0, 1); ``evidence``: per exercise, what was
    seen in words; ``message``: the one line shown when the choice is weak or nothing showed.
    """

    chosen: str
    scores: dict[str, float]
    runner_up: str | None
    confident: bool
    recognised: bool
    evidence: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"chosen": self.chosen, "confident": self.confident, "recognised": self.recognised,
                "runner_up": self.runner_up, "scores": {k: round(v, 3) for k, v in self.scores.items()},
                "evidence": dict(self.evidence), "message": self.message}


class ExerciseChooser:
    """Per-frame evidence the state machines do not keep, and the final choice (:meth:`choose`).

    Memory: the lifts (one record each, like the machines' events) and the posture as runs of
    upright / seated time (one record per change).
    """

    def __init__(self) -> None:
        self._soft = FootContact(SOFT_LIFT_FL, SOFT_DOWN_FL, calibrate_s=SOFT_CALIBRATE_S)
        #: finished lifts of the analyser's contact ("hard") and of the ankle-height one ("soft")
        self.lifts: dict[str, list[Lift]] = {"hard": [], "soft": []}
        self._current: dict[str, Lift | None] = {"hard": None, "soft": None}
        self._t_prev: float | None = None
        #: posture runs [t_start, t_end, seated]; frames without a posture leave gaps
        self.posture: list[list[Any]] = []
        #: times (s) of the tops of the hips' rises (:data:`HIP_RISE_FL`), and the peak detector's state
        self.hip_tops: list[float] = []
        self._hip_low = math.inf
        self._hip_high: tuple[float, float] | None = None   # (t, height) of the top while rising

    def step(self, k: Kinematics, det: np.ndarray, contact: FootContact) -> None:
        """One frame (after the analyser's own ``contact`` stepped on it)."""
        t = k.t_s
        t_prev, self._t_prev = self._t_prev, t
        incline = float(det[SIG["thigh_incline_deg"]])
        if math.isfinite(incline):
            last = self.posture[-1] if self.posture else None
            was = last[2] if last is not None else None
            seated = incline > UPRIGHT_MAX_DEG
            if was is not None and abs(incline - UPRIGHT_MAX_DEG) < POSTURE_HYSTERESIS_DEG:
                seated = was
            if last is not None and last[2] == seated and t_prev is not None and last[1] == t_prev \
                    and t - t_prev <= MAX_STEP_S:
                last[1] = t
            else:
                self.posture.append([t, t, seated])
        if k.cut:
            self._soft.reset()
            self._hip_low, self._hip_high = math.inf, None
        self.hip_step(t, float(det[SIG["hip_h"]]))
        diff = float(det[SIG["ankle_h_right"]]) - float(det[SIG["ankle_h_left"]])
        self._soft.step(t, diff)
        for kind, finished in (("hard", contact.finished), ("soft", self._soft.finished)):
            # a lift that ended because the feet were lost ends here, not at the end of the stream
            self.lifts[kind] += [lf if lf.t_on is not None else Lift(lf.lifted_side, lf.t_off, t, lf.observed)
                                 for lf in finished]
        self._current = {"hard": contact.current, "soft": self._soft.current}

    def hip_step(self, t: float, hip: float) -> None:
        """Find the tops of the hips' rises: up :data:`HIP_RISE_FL` from the last low, then down as much."""
        if not math.isfinite(hip):
            return
        if self._hip_high is None:
            self._hip_low = min(self._hip_low, hip)
            if hip - self._hip_low >= HIP_RISE_FL:
                self._hip_high = (t, hip)
        elif hip > self._hip_high[1]:
            self._hip_high = (t, hip)
        elif self._hip_high[1] - hip >= HIP_RISE_FL:
            self.hip_tops.append(self._hip_high[0])
            self._hip_high, self._hip_low = None, hip

    # -- helpers -----------------------------------------------------------------------------
    def seated_share(self, t0: float | None = None, t1: float | None = None) -> float | None:
        """Share of the posture-measured time in [t0, t1] (default: all) spent seated or lying;
        None when no posture was measured there.  A run of one frame counts one sample interval."""
        seated = total = 0.0
        for a, b, is_seated in self.posture:
            lo = a if t0 is None else max(a, t0)
            hi = b if t1 is None else min(b, t1)
            if hi < lo:
                continue
            d = max(hi - lo, 1.0 / 30.0)
            total += d
            seated += d if is_seated else 0.0
        return seated / total if total > 0 else None

    def upright(self, t0: float, t1: float) -> float:
        """Share of [t0, t1] spent upright (1 when the posture was not measured there)."""
        sh = self.seated_share(t0, t1)
        return 1.0 if sh is None else 1.0 - sh

    def _all_lifts(self, t_end: float | None) -> dict[str, list[Lift]]:
        """Finished lifts and those still up at the end, per contact."""
        out = {kind: list(ls) for kind, ls in self.lifts.items()}
        for kind, cur in self._current.items():
            if cur is not None and t_end is not None:
                out[kind].append(cur)
        return out

    @staticmethod
    def _lift_end(lift: Lift, t_end: float) -> float:
        return lift.t_on if lift.t_on is not None else t_end

    def explained(self, t0: float, t1: float, lifts: list[Lift], positions: list[tuple[float, float]],
                   t_last: float) -> bool:
        """A calf-raise "rep" whose rise was a foot lifting, or a stretch position's lunge."""
        dur = max(t1 - t0, 1e-9)

        def cover(a: float, b: float) -> float:
            return max(0.0, min(b, t1) - max(a, t0)) / dur

        if any(cover(a, b) >= EXPLAIN_COVER for a, b in positions):
            return True
        for lift in lifts:
            a, b = lift.t_off, self._lift_end(lift, t_last)
            edge_in = (t0 - EXPLAIN_SLACK_S <= a <= t1 + EXPLAIN_SLACK_S) or (
                lift.t_on is not None and t0 - EXPLAIN_SLACK_S <= b <= t1 + EXPLAIN_SLACK_S)
            if edge_in and cover(a, b) >= EXPLAIN_COVER:
                return True
        return False

    # -- the decision ------------------------------------------------------------------------
    def choose(self, machines: Mapping[str, Exercise], t_end: float | None) -> ExerciseChoice:
        """Score every registered exercise on what the finished machines (``machines``: id → the
        exercise, every exercise ``auto`` can pick) and this chooser saw; pick one."""
        t_last = t_end if t_end is not None else 0.0
        per_contact = self._all_lifts(t_end)
        # on footage whose leg landmarks were not trusted (the counter runs on the body rise) the
        # landmark feet say nothing about lifts
        trusted = all(m.landmarks_trusted for m in machines.values())
        by_contact = per_contact if trusted else {}
        ev = AutoEvidence(t_last=t_last, lifts=[lf for ls in by_contact.values() for lf in ls],
                          lifts_by_contact=by_contact,
                          positions=[p for m in machines.values() for p in m.positions(t_last)],
                          rep_tops=[t for m in machines.values() for t in m.rep_tops()],
                          landmarks_trusted=trusted, posture=self, hip_tops=list(self.hip_tops))
        candidates = tuple(e for e in registry.EXERCISES if e.auto and e.id in machines)
        scores: dict[str, float] = {}
        evidence: dict[str, str] = {}
        for e in candidates:
            sc = machines[e.id].auto_score(ev)
            scores[e.id], evidence[e.id] = sc.score, sc.evidence
        seated = self.seated_share()
        sitting = seated is not None and seated >= 0.5
        fallback = next((e.id for e in candidates if e.posture == "seated"), candidates[0].id) if sitting \
            else candidates[0].id
        return self._decide(candidates, scores, evidence, fallback)

    @staticmethod
    def _decide(candidates: tuple[registry.ExerciseInfo, ...], scores: dict[str, float], evidence: dict[str, str],
                fallback: str) -> ExerciseChoice:
        ids = [e.id for e in candidates]
        names = {e.id: e.label for e in candidates}
        opt = {e.id: e.cli for e in candidates}
        ranked = sorted(ids, key=lambda e: (-scores[e], e != fallback, ids.index(e)))
        best, second = ranked[0], ranked[1]
        s1, s2 = scores[best], scores[second]
        recognised = s1 >= MIN_SCORE
        confident = recognised and s1 >= CONFIDENT_SCORE and s1 - s2 >= CONFIDENT_MARGIN
        message = None
        if not recognised:
            seen = "; ".join(f"{names[e]}: {evidence[e]}" for e in ids)
            message = (f"no exercise recognised ({seen}); analysed as {names[best]} — pass --exercise "
                       + ", ".join(opt[e] for e in ids[:-1]) + f" or {opt[ids[-1]]} to say which it is.")
        elif not confident:
            if s2 >= MIN_SCORE:
                message = (f"could not tell {names[best]} from {names[second]} clearly ({names[best]}: {evidence[best]}, "
                           f"score {s1:.2f}; {names[second]}: {evidence[second]}, score {s2:.2f}); analysed as "
                           f"{names[best]} — pass --exercise {opt[best]} or --exercise {opt[second]} to choose.")
            else:
                message = (f"only weak evidence of {names[best]} ({evidence[best]}, score {s1:.2f}; runner-up "
                           f"{names[second]}: {evidence[second]}, score {s2:.2f}); analysed as {names[best]} — "
                           f"pass --exercise {' / '.join(opt[e] for e in ids if e != best)} if it is another.")
        return ExerciseChoice(chosen=best, scores=scores, runner_up=second, confident=confident, recognised=recognised,
                              evidence=evidence, message=message)
