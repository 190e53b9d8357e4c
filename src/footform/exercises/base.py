"""The exercise protocol: what every exercise gets per frame and what it hands back.

Every exercise is one class implementing :class:`Exercise` (``calf_raise.CalfRaise``,
``single_leg_stance.SingleLegStanceExercise``, ``calf_stretch.CalfStretchExercise``,
``ankle_pumps.AnklePumpsExercise``), registered once in :mod:`footform.exercises.registry`.  The
analysis (:class:`footform.analysis.analyzer.Analyzer`) drives every exercise the same way:

* ``step(FrameState) -> FrameUpdate`` once per analysed frame (time order);
* ``finish(StreamEnd)`` once at the end of the stream;
* ``results(analysable) -> Results`` — the summary's reps, holds, events, set figures, warnings
  and what the view could not measure;
* ``completed(start)`` — rows finished so far (the live store writes them as they come);
* ``auto_score(AutoEvidence) -> AutoScore`` — how strongly the recording shows this exercise
  (``--exercise auto``, :mod:`footform.exercises.choose`);
* ``table_lines(Results, height_cm)`` and the CSV columns of ``reps.csv`` / ``holds.csv`` — its
  summary rows as the CLI prints and writes them.

Nothing above the exercises compares an exercise id against a string: it asks the registry for
the class and calls the protocol.  Units: times in seconds on the source clock, lengths in FL
(foot lengths), angles in degrees — as in :mod:`footform.core.kinematics`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from footform.core.kinematics import Kinematics
from footform.core.trackability import Trackability
from footform.exercises.contact import Lift


@dataclass
class FrameState:
    """One analysed frame, as every exercise sees it.

    Attributes:
        kin: the frame's kinematics (``t_s`` on the source clock, view, cut, feet seen …).
        det: the detection-smoothed signal vector (``core.kinematics.SIG`` order; FL / degrees,
            NaN where not valid this frame).
        light: the lightly smoothed signal vector (sway figures are measured on it).
        stance: which foot is on the floor from the shared foot-contact stage: ``both`` /
            ``left`` / ``right`` / ``unknown`` (``unknown`` when no running exercise needs it).
        lifts_finished: lifts of a foot that ended on this frame (foot contact).
        lift_current: the lift in progress, if any.
        coming_down: the lifted foot is below the lift level but not yet confirmed down.
    """

    kin: Kinematics
    det: np.ndarray
    light: np.ndarray
    stance: str = "unknown"
    lifts_finished: list[Lift] = field(default_factory=list)
    lift_current: Lift | None = None
    coming_down: bool = False

    @property
    def t_s(self) -> float:
        return self.kin.t_s

    @property
    def raw(self) -> np.ndarray:
        """The unfiltered signal vector of the frame (jitter / noise-floor estimates)."""
        return self.kin.signals


@dataclass
class FrameUpdate:
    """What one exercise reports for one frame.

    Attributes:
        shown: fields of the live screen's ``FrameResult`` this exercise sets: ``reps``,
            ``rep_phase``, ``lift`` (FL), ``stance``, ``hold_s`` (s, None outside a hold),
            ``holds``, ``brief_lifts``.  Only the exercises on screen set them (the chosen one
            and those running with it; in ``auto`` the registry's first group).
        signals: per-frame signals it adds to the screen and the export (FL / degrees).
        metrics: per-frame metrics the frame rules judge (named with their unit suffix).
        judge: rows completed on this frame that the rules judge now (``(scope, row)``, scope
            ``"rep"`` or ``"hold"``); a row with a ``form`` dict brings its own form metrics.
    """

    shown: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    judge: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class StreamEnd:
    """The end of the stream: last frame time (s), a touch-down the contact saw but had not yet
    confirmed (s), and the light filter's noise gain (for noise floors)."""

    t_s: float | None
    pending_touchdown_t: float | None = None
    light_gain: tuple[float, float] | None = None


@dataclass
class Results:
    """One exercise's part of the summary (the row schemas are in docs/summary-schema.md)."""

    reps: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    set_stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    not_measurable: list[str] = field(default_factory=list)


@dataclass
class Setup:
    """What an exercise is built with: centimetres per FL (None without a height) and the
    person's programme targets (``reps``, ``hold_s``, ``metronome_bpm``)."""

    cm_per_fl: float | None = None
    targets: Mapping[str, float] = field(default_factory=dict)


#: The hips rise and settle as the weight goes onto one leg: tops of the hips' rises this soon after
#: lift-off (s) belong to the lift-off, not to a calf raise (rendered stance clips: 0.2–0.4 s after it).
HIP_SETTLE_S = 1.0
#: This many rises and falls of the hips inside one lift make it a single-leg calf raise.
#: Measured: the rendered single-leg raises (3 reps each) show 3 in every lift; a stance hold 0–1
#: (rendered stance clips, calibration seeds); the real lateral leg swings (shared/footage
#: sls_front_lateral_leg_swings: the pelvis hikes with some swings) 2 in an 8 s lift.
HIP_TOPS_MIN = 3
#: Lifts of the same foot this close together (s between a touch-down and the next lift-off) are one
#: bout on one leg: a single-leg calf raise where the free foot taps down between reps is lifted
#: ~3 s per rep with ~0.6 s down (rendered wc_left_normal_640x480_30fps_7002, calibration seed),
#: and each lift alone holds one rep — too few to tell it from a stance hold.
BOUT_GAP_S = 1.0


@dataclass
class AutoEvidence:
    """What ``--exercise auto`` saw beside the exercises themselves (exercises/choose.py).

    ``lifts``: the foot lifts of both contacts (none when the leg landmarks were not trusted);
    ``lifts_by_contact``: the same per contact (``hard``: the analysis' own, ``soft``: on ankle
    heights); ``positions``: time spans (s) in which an exercise's posture explains movement the
    others read as their own (a calf-stretch lunge), with the back foot's side; ``rep_tops``:
    top times (s) of standing reps (a lift holding two of them is a single-leg calf raise);
    ``hip_tops``: top times (s) of the hips' rises and falls (choose.HIP_RISE_FL), counted the same
    way where the counter missed the reps;
    ``landmarks_trusted``: False when an exercise counts from the pixels because the leg
    landmarks were not trusted; ``seated_share`` / ``upright``: the posture in a time span.
    """

    t_last: float
    lifts: list[Lift]
    lifts_by_contact: dict[str, list[Lift]]
    positions: list[tuple[float, float, str]]
    rep_tops: list[float]
    landmarks_trusted: bool
    posture: Any  # the chooser: ``seated_share(t0, t1)``, ``upright(t0, t1)``, ``explained(...)``
    hip_tops: list[float] = field(default_factory=list)

    def seated_share(self, t0: float | None = None, t1: float | None = None) -> float | None:
        return self.posture.seated_share(t0, t1)

    def lift_end(self, lift: Lift) -> float:
        """When a lift ended (s): touch-down, or the end of the stream for a lift still up."""
        return lift.t_on if lift.t_on is not None else self.t_last

    def upright(self, t0: float, t1: float) -> float:
        return self.posture.upright(t0, t1)

    def explained(self, t0: float, t1: float) -> bool:
        """A rep in [t0, t1] that a foot lifting (not while rising and lowering on one leg, see
        :meth:`raising`) or a stretch position explains."""
        lifts = [lf for lf in self.lifts if not self.raising(lf, reps_only=True)]
        return self.posture.explained(t0, t1, lifts, [(a, b) for a, b, _ in self.positions], self.t_last)

    @cached_property
    def raising_spans(self) -> list[tuple[float, float]]:
        """Time spans (s) of single-leg calf raises by the counted reps: bouts on one leg (lifts of
        one foot, in either contact, at most :data:`BOUT_GAP_S` apart) holding two or more standing
        reps' tops; the union over both contacts.  Computed once: :meth:`raising` asks per lift, and
        :meth:`explained` per rep and lift."""
        spans = []
        for lifts in self.lifts_by_contact.values():
            for side in ("left", "right"):
                bout: tuple[float, float] | None = None
                for lf in sorted((lf for lf in lifts if lf.lifted_side == side), key=lambda lf: lf.t_off):
                    a, b = lf.t_off, self.lift_end(lf)
                    if bout is not None and a - bout[1] <= BOUT_GAP_S:
                        bout = (bout[0], max(bout[1], b))
                        continue
                    if bout is not None:
                        spans.append(bout)
                    bout = (a, b)
                if bout is not None:
                    spans.append(bout)
        merged: list[tuple[float, float]] = []
        for a, b in sorted((a, b) for a, b in spans if sum(1 for t in self.rep_tops if a <= t <= b) >= 2):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def raising(self, lift: Lift, reps_only: bool = False) -> bool:
        """Rising and lowering on one leg — a single-leg calf raise, not a stance hold: at least half
        the lift lies in :attr:`raising_spans`, or (unless ``reps_only``) :data:`HIP_TOPS_MIN` tops of
        the hips' rises fall inside the lift after its lift-off (:data:`HIP_SETTLE_S`; the counter
        can miss a single-leg raise's reps, the hips still rise with each).  The hips also rise and
        fall with arm raises and a tree pose's settling (rendered slsr_*_treethigh_6009: 4 in an 11 s
        hold), so only counted reps (``reps_only``) take a lift's explanation away from its reps."""
        a, b = lift.t_off, self.lift_end(lift)
        inside = sum(max(0.0, min(b, t1) - max(a, t0)) for t0, t1 in self.raising_spans)
        if inside >= 0.5 * max(b - a, 1e-9):
            return True
        return not reps_only and sum(1 for t in self.hip_tops if a + HIP_SETTLE_S <= t <= b) >= HIP_TOPS_MIN


@dataclass
class AutoScore:
    """How strongly a recording shows one exercise: ``score`` in [0, 1) (one half at one rep /
    cycle or at the exercise's shortest hold), what was seen in words, and whether a seated
    recording falls back to it when nothing is recognised."""

    score: float
    evidence: str


def saturate(x: float, half: float) -> float:
    """``x / (x + half)``: 0 at 0, one half at ``half``, towards 1 (auto-choice scores)."""
    return x / (x + half) if x > 0 else 0.0


def count_words(n: int, word: str) -> str:
    """``"1 rep"``, ``"3 reps"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fmt(v: Any, nd: int = 2) -> str:
    """A value in a text table: ``-`` when missing, floats with ``nd`` decimals."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def flat_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A summary row for CSV: scalars as they are, nested values as JSON, the form metrics left out."""
    return {k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in row.items() if k != "form"}


class Exercise(ABC):
    """One exercise's state machine behind the common protocol (see the module docstring).

    Class attributes: ``id`` (the registry id), ``uses_contact`` (it needs the shared foot-contact
    stage), ``rep_columns`` / ``hold_columns`` (the columns of ``reps.csv`` / ``holds.csv``; empty:
    the row's own field names).
    """

    id: ClassVar[str] = ""
    uses_contact: ClassVar[bool] = False
    rep_columns: ClassVar[tuple[str, ...]] = ()
    hold_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    @abstractmethod
    def step(self, state: FrameState) -> FrameUpdate:
        """Feed one frame (frames in time order)."""

    @abstractmethod
    def finish(self, end: StreamEnd) -> None:
        """End of the stream: close what is open (called once)."""

    @abstractmethod
    def results(self, analysable: bool, view: str) -> Results:
        """The summary's rows and figures of this exercise (after :meth:`finish`); ``analysable``:
        the recording could be analysed at all; ``view``: the session's dominant camera view."""

    def unmeasurable(self, track: Trackability, view: str) -> str | None:
        """Why this footage cannot measure this exercise (after :meth:`finish`), in one sentence naming
        the cause and what to do — e.g. feet too small in the picture — or None.  The summary then
        calls the recording not analysable (offline) or warns (live)."""
        return None

    def completed(self, start: int) -> list[dict[str, Any]]:
        """Rows (the summary's schema) completed so far, from the ``start``-th on (provisional:
        :meth:`results` decides the final ones)."""
        return []

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        """How strongly the recording shows this exercise (``--exercise auto``)."""
        return AutoScore(0.0, "not scored")

    # -- what the other exercises' scores may ask ------------------------------------------
    def positions(self, t_last: float) -> list[tuple[float, float, str]]:
        """Time spans (s) whose posture explains movement the others read as their own, with a side
        (``t_last``: the end of a span still open at the end of the stream)."""
        return []

    def rep_tops(self) -> list[float]:
        """Top times (s) of standing reps."""
        return []

    @property
    def landmarks_trusted(self) -> bool:
        """False when this exercise stopped trusting the leg landmarks (counts from the pixels)."""
        return True

    # -- the summary as text and CSV ---------------------------------------------------------
    @classmethod
    def table_lines(cls, res: Results, height_cm: float | None) -> list[str]:
        """The CLI's table of this exercise's rows (generic: one line per row)."""
        lines = []
        for kind, rows in (("rep", res.reps), ("hold", res.holds)):
            for r in rows:
                cells = [f"{k}={fmt(v)}" for k, v in r.items() if not isinstance(v, (dict, list))]
                lines.append(f"{kind} " + " ".join(cells))
        return lines

    @classmethod
    def note_flags(cls, holds: list[dict[str, Any]], flags: list[dict[str, Any]]) -> None:
        """Say on the final hold rows what the flags raised on them mean for their figures (in
        place; the stance's sway with a knee valgus or trunk lean).  Generic: nothing to say."""
        return None

    @classmethod
    def rep_csv(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``reps.csv`` rows."""
        return [flat_row(r) for r in rows]

    @classmethod
    def hold_csv(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``holds.csv`` rows."""
        return [flat_row(r) for r in rows]


__all__ = ["AutoEvidence", "AutoScore", "Exercise", "FrameState", "FrameUpdate", "Results", "Setup", "StreamEnd",
           "count_words", "flat_row", "fmt", "saturate"]
