"""Calf raises (double- and single-leg): an online rep counter with baseline calibration.

Why over 500 lines: one module per exercise (docs/architecture.md, "How to add an exercise") — the
state machine and, at the end, its class behind the exercise protocol (summary rows, set figures,
``--exercise auto`` score, CLI table) belong to the one concept and change together.

Signal
------
The *lift* (foot lengths FL, up positive) is the rise above the person's own standing baseline of:

* from the side, from behind or an unknown view: the heel above the toe of each foot on the floor
  (``heel_toe_*``; relative to the toe, so camera drift cancels);
* from the front: the mean rise of the hips, the shoulders and the heels/ankles of the feet on the
  floor in the image (``hip_h``, ``shoulder_h``, ``heel_h_*``, ``ankle_h_*``): straight from the
  front MediaPipe's toe point rises with the heel, so heel-above-toe barely moves, while the whole
  body rises by roughly the heel height.  This needs a still camera (a webcam).

* when the pose stage measured the camera-compensated rise of the person from the pixels
  (``body_rise``, :mod:`footform.core.motion`; it does so on footage the model struggles with, see
  :class:`~footform.io.pose.PoseEstimator`): that rise alone, in every view.  It comes from the
  person's segmentation mask and the optical flow, not from the leg landmarks, so it survives
  landmarks that collapse onto one leg or swap sides (the rear waist-down clip in shared/footage).

MediaPipe reports only part of a real heel raise (~83 % from the side, 64–69 % from behind,
52–58 % front three-quarter), so the lift is a calibrated *estimate* of the person's movement
(consistent within a session and a view), not a measured heel height.

Baseline
--------
Each component's baseline is a low quantile (:data:`BASELINE_QUANTILE`) of its values over the
last :data:`BASELINE_WINDOW_S` seconds *while no rep is in progress*; heels cannot go below the
floor, so the lower envelope of the resting samples is the standing level.  Calibration needs
:data:`CALIBRATION_S` of resting samples (the first still stretch); a hard cut or lost tracking
restarts it (the person or camera moved: the old baseline is meaningless).

Body rise: a drifting signal
----------------------------
``body_rise`` is a sum of per-frame rises, so a hand-held camera makes it drift by a few tenths
of FL over seconds (0.5 FL over 4 s on the rear waist-down clip).  Its baseline is therefore the
*lowest* resting value of the last :data:`RISE_BASELINE_WINDOW_S` (the valley before the rise; no
calibration wait, a valley is a valley), and a rep also ends at the valley after its top once
the body came down by :data:`RISE_VALLEY_FALL` of the rise and turned up again by
:data:`RISE_TURN_FRACTION` of it: back-to-back reps whose valleys drift upwards are not merged.
Which foot works cannot be told from the pixels, and the landmark foot contact is no help on the
footage that needs the body rise (on the rear dumbbell clip it claims one foot off the floor for
most of two of the double-leg reps): every rep is reported as ``both`` (the summary's warning
says single- and double-leg raises are not told apart), and a change of the contact does not
abort a rep.  A pixel scene cut (not the landmark one)
restarts the baseline; a rep whose top was complete when a cut or the end of the video came
(the lift back under :data:`PHASE_HI` of its peak) is kept, ending at its lowest point seen.
Drift is only absorbed while it is slow against the reps: measured limits in docs/metrics.md.

State machine (``down → up → down``), thresholds relative to the person's own range
--------------------------------------------------------------------------------------
* a rep starts when the lift exceeds ``max(MIN_LIFT_FL, START_FRACTION × ref)`` where ``ref``
  is the median peak of the last :data:`REF_REPS` accepted reps (``MIN_LIFT_FL`` before any);
* it ends when the lift falls below ``END_FRACTION × peak`` (the top may last any time up to
  :data:`MAX_REP_S`: pauses at the top or bottom are fine);
* it counts when its peak is ≥ ``FULL_FRACTION × ref`` and it lasted ≥ :data:`MIN_REP_S`;
  otherwise it is a partial rep (an event).  At :meth:`finish` every rep is checked again against
  the median peak of the whole set, so a partial rep before the first full one is also caught.
* Rep phases use 20 % / 80 % of the rep's own peak: ``t_start`` = last time ≤ 20 % before the
  rise, ``t_top`` = middle of the stretch ≥ 80 %, ``t_end`` = first time ≤ 20 % after the top;
  rise = start → first ≥ 80 %; top = time ≥ 80 %; lowering = last ≥ 80 % → end.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.core.kinematics import SIG, Kinematics
from footform.core.numeric import finite
from footform.core.trackability import FOOT_PX_ADVISED, Trackability
from footform.core.view import view_family
from footform.exercises import rows as schema
from footform.exercises.base import (
    AutoEvidence,
    AutoScore,
    Exercise,
    FrameState,
    FrameUpdate,
    Results,
    Setup,
    StreamEnd,
    count_words,
    fmt,
    saturate,
)

#: Smallest lift that can start a rep, FL.  Smoothed heel-above-toe jitter on a still person is
#: σ ≈ 0.01–0.015 FL (shared/footage README: heel/toe σ ≈ 2 px at 720p, FL ≈ 80 px, /2.5 by the
#: detection smoother), so 0.06 FL is ≥ 4σ; a real calf raise reads 0.1–0.3 FL.
MIN_LIFT_FL = 0.06
START_FRACTION = 0.35
END_FRACTION = 0.2
#: A full rep reaches at least half of the person's typical peak (their own range).
FULL_FRACTION = 0.5
REF_REPS = 5
#: Shortest rep (start → end).  Jitter spikes last 1–2 frames; the fastest real reps in
#: shared/footage (calf_back_waistdown_dumbbells) take ~0.8 s.
MIN_REP_S = 0.3
#: Longer "reps" are not reps (the person stood up on their toes and stayed, or the baseline is off).
MAX_REP_S = 10.0
#: A gap in tracking longer than this aborts the rep in progress.
MAX_GAP_S = 0.5
BASELINE_QUANTILE = 0.2
BASELINE_WINDOW_S = 4.0
CALIBRATION_S = 0.5
PHASE_LO = 0.2
PHASE_HI = 0.8
#: Body rise (drifting, see above).  The window is shorter than the heel signals' so that an
#: upward drift at rest builds up less false lift, and long enough to hold the valley through a
#: slow 2 s rise (the start threshold is crossed ~0.7 s into it).  Fall and turn: a rep must come
#: down by half its rise before a turn of a fifth of it ends it at the valley — on the rear
#: waist-down clip the valleys between back-to-back reps sit 0.1–0.2 FL above the previous ones
#: (up to 31 % of the rise).  Set on that clip (drawn against its frames) and on synthetic drifting
#: streams (tests/test_calf_raise.py: at rest, drift ≤ 0.04 FL/s gives no rep, 0.06 FL/s does).
RISE_BASELINE_WINDOW_S = 1.5
RISE_VALLEY_FALL = 0.5
RISE_TURN_FRACTION = 0.2
RISE = "body_rise"

#: Footage the counter cannot count from (:meth:`CalfRaise.unmeasurable`; core/trackability.py
#: measures ``foot_px`` and ``jitter_fl``; docs/metrics.md "When the feet are too small to count").
#: * Feet shorter than FOOT_PX_MIN pixels: samples/calf_raise_side.mp4 (4 reps) re-encoded at widths
#:   160–640 px, 30 and 15 fps, JPEG quality 35–60 (bench/bench_lowres.py): every version with feet
#:   ≥ 22 px counted 4 of 4; of the seven with feet ≤ 18 px four counted wrong (2, 3, 3, 6) though
#:   their jitter was modest (0.013–0.042 FL): small feet put the heel and toe points wrong in a
#:   correlated way that smoothing does not remove.
#: * A median rep peak under SNR_MIN × jitter_fl: synthetic streams (tests/synth.py), five reps of
#:   0.12 and 0.23 FL with white landmark noise, three seeds per view: side and back counted exactly
#:   at ≥ 2.9 × and wrong at ≤ 1.9 ×; front (reps from the body's rise) exact at ≥ 5.8 ×, wrong at
#:   ≤ 3.9 ×.  With no rep there is no peak to judge (a still person's real 720p jitter, 0.01–0.03
#:   FL with motion, would fail good footage against the 0.06 FL smallest rep): the summary's
#:   feet-tracked rule decides.  Body-rise counting does not use the heel landmarks: exempt.
FOOT_PX_MIN = 20
SNR_MIN = {"front": 5.0, "default": 2.5}

NOT_MEASURABLE = "not measurable from this view"


class LiftBaseline:
    """Low-quantile baseline of one signal over the recent resting samples (bounded deque)."""

    def __init__(self, quantile: float = BASELINE_QUANTILE, window_s: float = BASELINE_WINDOW_S,
                 calibration_s: float = CALIBRATION_S) -> None:
        self.quantile = quantile
        self.window_s = window_s
        self.calibration_s = calibration_s
        self._buf: deque[tuple[float, float]] = deque()
        self._sorted: list[float] = []  # the same values, kept sorted (bisect): the quantile is a lookup
        self.value = float("nan")

    def reset(self) -> None:
        self._buf.clear()
        self._sorted.clear()
        self.value = float("nan")

    @property
    def ready(self) -> bool:
        if self.calibration_s <= 0.0:
            return bool(self._buf)
        return len(self._buf) >= 3 and (self._buf[-1][0] - self._buf[0][0]) >= self.calibration_s

    def add(self, t_s: float, v: float) -> None:
        if not math.isfinite(v):
            return
        self._buf.append((t_s, v))
        bisect.insort(self._sorted, v)
        while self._buf and t_s - self._buf[0][0] > self.window_s:
            _, old = self._buf.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        if self.ready:
            # numpy's default ("linear") quantile, computed on the sorted window
            xs = self._sorted
            pos = self.quantile * (len(xs) - 1)
            lo = int(pos)
            hi = min(lo + 1, len(xs) - 1)
            self.value = float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))


@dataclass
class Rep:
    """One calf-raise rep.  Times in seconds on the source clock; heights in FL (and cm)."""

    index: int
    side: str                 # "both", "left" or "right" (the working foot/feet)
    t_start: float
    t_top: float
    t_end: float
    peak_lift: float          # FL above the standing baseline (the pose model's estimate)
    peak_lift_cm: float | None
    rise_s: float
    top_s: float
    lower_s: float
    heel_in: dict[str, float | None] | str  # per side, FL, + = heel drifts in (inversion/sickling)
    full: bool = True


@dataclass
class RepState:
    """What the live overlay needs from the counter this frame."""

    reps: int
    phase: str                # "calibrating", "down", "up", "not_measurable"
    lift: float               # FL, NaN when not measurable
    side: str                 # current working side(s)


@dataclass
class _Current:
    t_start: float
    side: str
    ts: list[float] = field(default_factory=list)
    lifts: list[float] = field(default_factory=list)
    heel_in: dict[str, list[float]] = field(default_factory=lambda: {"left": [], "right": []})
    t_last: float = 0.0


class CalfRaiseCounter:
    """Online calf-raise rep counter (identical live and offline): :meth:`step` once per frame."""

    def __init__(self, cm_per_fl: float | None = None) -> None:
        self.cm_per_fl = cm_per_fl
        self.reps: list[Rep] = []          # accepted reps (re-checked at finish)
        self.partials: list[Rep] = []
        self.events: list[dict] = []
        self._bases: dict[str, LiftBaseline] = {}
        self._cur: _Current | None = None
        self._last_valid_t: float | None = None
        self._last_lo_t: float | None = None
        self.lift = float("nan")
        self.phase = "calibrating"
        self._armed = True
        #: the body rise drives the counter (set for good once it is first measured)
        self._rise_mode = False

    # -- signals -------------------------------------------------------------------------------
    def _components(self, kin: Kinematics, det: np.ndarray, stance: str) -> dict[str, float]:
        if self._rise_mode:
            # once the pose stage measures the body rise it does so for the rest of the stream:
            # no falling back to the landmarks on a frame where it was not measured
            v = float(det[SIG[RISE]])
            return {RISE: v} if np.isfinite(v) else {}
        feet = [s for s in ("left", "right") if kin.foot_ok.get(s) and (stance in ("both", s))]
        comps: dict[str, float] = {}
        if view_family(kin.view) == "front":
            for name in ("hip_h", "shoulder_h"):
                comps[name] = det[SIG[name]]
            for s in feet:
                comps[f"heel_h_{s}"] = det[SIG[f"heel_h_{s}"]]
                comps[f"ankle_h_{s}"] = det[SIG[f"ankle_h_{s}"]]
        else:
            for s in feet:
                comps[f"heel_toe_{s}"] = det[SIG[f"heel_toe_{s}"]]
        return {k: float(v) for k, v in comps.items() if np.isfinite(v)}

    def _base(self, name: str) -> LiftBaseline:
        if name not in self._bases:
            if name == RISE:
                self._bases[name] = LiftBaseline(0.0, RISE_BASELINE_WINDOW_S, 0.0)
            else:
                # signed offsets (heel alignment) use the median; heights the low quantile
                self._bases[name] = LiftBaseline(0.5 if name.startswith("heel_medial") else BASELINE_QUANTILE)
        return self._bases[name]

    def reset(self, t_s: float, reason: str, rebaseline: bool = True) -> None:
        """Drop a rep in progress (as an event) and, unless told not to, forget the baselines."""
        if self._cur is not None:
            self.events.append({"type": "rep_aborted", "t_s": round(self._cur.t_start, 3), "t_end_s": round(t_s, 3),
                                "side": self._cur.side, "reason": reason})
            self._cur = None
        self._armed = False  # a new rep needs the lift to come down first
        self._last_lo_t = None
        if rebaseline:
            for b in self._bases.values():
                b.reset()
            self.phase = "calibrating"

    @property
    def rise_mode(self) -> bool:
        """The reps are counted from the body rise (pixels), not the landmarks."""
        return self._rise_mode

    @property
    def ref_peak(self) -> float | None:
        if not self.reps:
            return None
        return float(np.median([r.peak_lift for r in self.reps[-REF_REPS:]]))

    def _thresholds(self) -> tuple[float, float]:
        ref = self.ref_peak
        start = MIN_LIFT_FL if ref is None else max(MIN_LIFT_FL, START_FRACTION * ref)
        full = MIN_LIFT_FL if ref is None else max(MIN_LIFT_FL, FULL_FRACTION * ref)
        return start, full

    @staticmethod
    def _after_top(c: _Current) -> tuple[int, float, int]:
        """(index of the rep's peak, its lift, index of the lowest lift since the peak)."""
        i_pk = int(np.argmax(c.lifts))
        return i_pk, c.lifts[i_pk], i_pk + int(np.argmin(c.lifts[i_pk:]))

    def _valley(self, c: _Current) -> int | None:
        """Index of the valley that ends a body-rise rep now, or None (see "Body rise")."""
        i_pk, peak, i_lo = self._after_top(c)
        if peak <= 0.0 or i_pk == len(c.lifts) - 1:
            return None
        fell = peak - c.lifts[i_lo] >= RISE_VALLEY_FALL * peak
        turned = c.lifts[-1] - c.lifts[i_lo] >= RISE_TURN_FRACTION * peak
        return i_lo if fell and turned else None

    def _end_at_valley(self, i_lo: int) -> None:
        """Finish the body-rise rep at sample ``i_lo``; the samples after it start the next rest."""
        c = self._cur
        assert c is not None
        b = self._base(RISE)
        # the baseline stays frozen during a rep, so each sample's body rise is its lift + baseline
        ts, raws = c.ts[i_lo:], [lift + b.value for lift in c.lifts[i_lo:]]
        del c.ts[i_lo + 1:], c.lifts[i_lo + 1:]
        self._finish_rep(c.ts[-1])
        b.reset()
        for t, v in zip(ts, raws):
            b.add(t, v)
        self._armed = True  # the valley was seen: the next rise may start a rep at once
        self._last_lo_t = ts[0]

    def _keep_if_past_top(self) -> None:
        """At a scene cut or the end of the stream: keep a body-rise rep whose top was complete.

        A rep that had risen and come back under the top level (:data:`PHASE_HI` of its peak)
        was seen whole but for the end of its lowering; it ends at its lowest point seen.  The
        heel signals do not need this (their reps end at the ``END_FRACTION`` level, which a cut
        rarely interrupts), so it applies to the body rise only.
        """
        c = self._cur
        if not self._rise_mode or c is None or not c.lifts:
            return
        _, peak, i_lo = self._after_top(c)
        if peak > 0.0 and c.lifts[i_lo] < PHASE_HI * peak:
            self._end_at_valley(i_lo)

    # -- per frame -----------------------------------------------------------------------------
    def step(self, kin: Kinematics, det: np.ndarray, stance: str) -> RepState:
        t = kin.t_s
        if not self._rise_mode and np.isfinite(det[SIG[RISE]]):
            self._rise_mode = True
        cut = kin.scene_cut if self._rise_mode else kin.cut
        if cut:
            self._keep_if_past_top()
            self.reset(t, "cut")
        side = "both" if self._rise_mode or stance == "both" else stance
        comps = self._components(kin, det, stance) if (self._rise_mode or stance in ("both", "left", "right")) else {}
        if not comps:
            self.lift = float("nan")
            self.phase = "not_measurable" if self.phase != "calibrating" else "calibrating"
            return RepState(len(self.reps), self.phase, self.lift, side)
        if self._last_valid_t is not None and t - self._last_valid_t > MAX_GAP_S:
            # tracking was lost for a while: a rep in progress cannot be trusted, and a rep may
            # only start again after the lift has been seen low (no half-observed reps)
            self.reset(t, "tracking_lost", rebaseline=False)
        self._last_valid_t = t
        if self._cur is None:
            for k, v in comps.items():
                self._base(k).add(t, v)
        rises = [v - self._base(k).value for k, v in comps.items() if self._base(k).ready]
        if not rises:
            if self._cur is not None:
                # The signals changed under a rep in progress (the camera view flipped, e.g.
                # unknown → front, which measures the lift from other landmarks): their baselines
                # cannot calibrate while a rep is open, so drop the rep instead of waiting forever.
                self.reset(t, "signals_changed", rebaseline=False)
            self.phase = "calibrating"
            self.lift = float("nan")
            return RepState(len(self.reps), self.phase, self.lift, side)
        lift = float(np.mean(rises))
        self.lift = lift
        start_thr, _ = self._thresholds()
        if self._cur is None:
            self.phase = "down"
            if lift <= 0.5 * start_thr:
                self._last_lo_t = t
                self._armed = True
            if lift > start_thr and self._armed:
                t0 = self._last_lo_t if self._last_lo_t is not None else t
                self._cur = _Current(t_start=t0, side=side)
        if self._cur is not None and side != self._cur.side:
            # a foot went up or came down mid-rep (a knee raise, a step): not a calf raise
            self.reset(t, "stance_changed", rebaseline=False)
            return RepState(len(self.reps), self.phase, self.lift, side)
        if self._cur is not None:
            self.phase = "up"
            c = self._cur
            c.ts.append(t)
            c.lifts.append(lift)
            c.t_last = t
            for s in ("left", "right"):
                v = det[SIG[f"heel_medial_{s}"]]
                b = self._base(f"heel_medial_{s}")
                if np.isfinite(v) and b.ready:
                    c.heel_in[s].append(float(v - b.value))
            peak = max(c.lifts)
            valley = self._valley(c) if self._rise_mode and peak > start_thr else None
            if lift < END_FRACTION * peak and peak > start_thr:
                self._finish_rep(t)
            elif valley is not None:
                self._end_at_valley(valley)
            elif t - c.t_start > MAX_REP_S:
                self.reset(t, "too_long")
        # resting heel alignment baseline (median of the resting samples)
        if self._cur is None:
            for s in ("left", "right"):
                v = det[SIG[f"heel_medial_{s}"]]
                if np.isfinite(v):
                    self._base(f"heel_medial_{s}").add(t, float(v))
        return RepState(len(self.reps), self.phase, self.lift, side)

    def _finish_rep(self, t_now: float) -> None:
        c = self._cur
        assert c is not None
        self._cur = None
        self.phase = "down"
        self._last_lo_t = t_now
        ts = np.asarray(c.ts)
        ls = np.asarray(c.lifts)
        peak = float(ls.max())
        hi = ls >= PHASE_HI * peak
        idx_hi = np.flatnonzero(hi)
        t_hi0, t_hi1 = float(ts[idx_hi[0]]), float(ts[idx_hi[-1]])
        lo_after = np.flatnonzero((ls <= PHASE_LO * peak) & (ts > t_hi1))
        t_end = float(ts[lo_after[0]]) if lo_after.size else t_now
        lo_before = np.flatnonzero((ls <= PHASE_LO * peak) & (ts < t_hi0))
        t_start = float(ts[lo_before[-1]]) if lo_before.size else c.t_start
        heel_in: dict[str, float | None] | str
        if self._rise_mode or not any(c.heel_in.values()):
            # (body rise: the heel landmarks it replaces are not trusted for the alignment either)
            heel_in = NOT_MEASURABLE
        else:
            heel_in = {s: (round(float(np.mean(v)), 4) if v else None) for s, v in c.heel_in.items()}
        rep = Rep(
            index=0, side=c.side, t_start=t_start, t_top=0.5 * (t_hi0 + t_hi1), t_end=t_end,
            peak_lift=peak, peak_lift_cm=None if self.cm_per_fl is None else peak * self.cm_per_fl,
            rise_s=t_hi0 - t_start, top_s=t_hi1 - t_hi0, lower_s=t_end - t_hi1, heel_in=heel_in,
        )
        _, full_thr = self._thresholds()
        if rep.t_end - rep.t_start >= MIN_REP_S and peak >= full_thr:
            rep.index = len(self.reps) + 1
            self.reps.append(rep)
        else:
            rep.full = False
            self.partials.append(rep)
            self.events.append({"type": "partial_rep", "t_s": round(rep.t_start, 3), "t_end_s": round(rep.t_end, 3),
                                "side": rep.side, "peak_lift": round(peak, 4),
                                "reason": "too_short" if rep.t_end - rep.t_start < MIN_REP_S else "too_low"})

    def finish(self, t_s: float | None) -> None:
        """End of stream: a rep in progress is dropped (unless it passed its top, body rise only);
        every rep is re-checked against the set."""
        self._keep_if_past_top()
        if self._cur is not None:
            self.events.append({"type": "rep_incomplete", "t_s": round(self._cur.t_start, 3),
                                "t_end_s": None if t_s is None else round(t_s, 3), "side": self._cur.side,
                                "reason": "end_of_video"})
            self._cur = None
        if len(self.reps) >= 3:
            med = float(np.median([r.peak_lift for r in self.reps]))
            keep = []
            for r in self.reps:
                if r.peak_lift >= FULL_FRACTION * med:
                    keep.append(r)
                else:
                    r.full = False
                    self.partials.append(r)
                    self.events.append({"type": "partial_rep", "t_s": round(r.t_start, 3), "t_end_s": round(r.t_end, 3),
                                        "side": r.side, "peak_lift": round(r.peak_lift, 4), "reason": "too_low_for_set"})
            self.reps = keep
        for i, r in enumerate(self.reps, 1):
            r.index = i


# ---------------------------------------------------------------------------------------------
# The exercise protocol (exercises/base.py): the counter behind step / finish / results
# ---------------------------------------------------------------------------------------------

#: Share of the true heel raise MediaPipe reports, by view (measured on rendered people with known
#: heel height; see docs/metrics.md "What the pose model sees of a heel raise").  Front: heel-above-toe barely changes, the body rise is used.
HEEL_REPORTED_SHARE = {"side": "~83 %", "back": "64–69 %", "front": "heel barely; reps from the body rise",
                       "unknown": "52–83 % depending on view"}

#: ``reps.csv`` of a calf-raise session (units in docs/summary-schema.md).
REP_COLUMNS = ("index", "side", "t_start_s", "t_top_s", "t_end_s", "peak_lift_fl", "peak_lift_cm", "rise_s", "top_s",
               "lower_s", "heel_in_left_fl", "heel_in_right_fl", "notes")

#: What the decline figure compares, said wherever it is shown.
DECLINE_LABEL = "peaks, last third of the reps vs first"


def decline_text(pct: float | None) -> str:
    """``set.peak_decline_pct`` in words, the way the CLI and the HTML report both print it.

    ``peak_decline_pct`` = (mean peak of the first third of the reps − mean peak of the last
    third) / mean peak of the first third × 100: **positive when the last reps were lower**
    (fatigue), negative when they were higher.  Printed without a sign, as "4.2 % lower" /
    "0.6 % higher" (last third against the first), so no reader has to know the convention.
    """
    if pct is None or not math.isfinite(pct):
        return "-"
    if round(abs(pct), 1) == 0.0:
        return "no change"
    return f"{abs(pct):.1f} % {'lower' if pct > 0 else 'higher'}"


def rep_row(r: Rep) -> dict[str, Any]:
    """One calf-raise rep as a summary row (times in s, ``peak_lift`` in FL, ``peak_lift_cm`` in cm)."""
    return {"index": r.index, "side": r.side, "t_start": finite(r.t_start, 3), "t_top": finite(r.t_top, 3),
            "t_end": finite(r.t_end, 3), "peak_lift": finite(r.peak_lift, 4), "peak_lift_cm": finite(r.peak_lift_cm, 2),
            "rise_s": finite(r.rise_s, 3), "top_s": finite(r.top_s, 3), "lower_s": finite(r.lower_s, 3),
            "heel_in": r.heel_in}


def set_stats(reps: list[dict[str, Any]]) -> dict[str, Any]:
    """The set's figures from its rep rows (FL, %, per minute; docs/summary-schema.md)."""
    if not reps:
        return {"reps": 0}
    peaks = np.array([r["peak_lift"] for r in reps], float)
    tops = np.array([r["t_top"] for r in reps], float)
    out: dict[str, Any] = {"reps": len(reps), "mean_peak_lift": finite(float(peaks.mean()), 4)}
    if len(reps) >= 3:
        third = max(1, len(reps) // 3)
        first, last = peaks[:third].mean(), peaks[-third:].mean()
        out["peak_decline_pct"] = finite(float((first - last) / first * 100.0), 1)
        slope = float(np.polyfit(np.arange(len(peaks)), peaks, 1)[0])
        out["peak_slope_per_rep"] = finite(slope, 5)
    else:
        out["peak_decline_pct"] = None
        out["peak_slope_per_rep"] = None
    out["cadence_per_min"] = (finite(float((len(tops) - 1) / (tops[-1] - tops[0]) * 60.0), 1)
                              if len(tops) >= 2 and tops[-1] > tops[0] else None)
    lower_ok = [r["lower_s"] >= r["rise_s"] for r in reps]
    out["controlled_lowering_share"] = finite(float(np.mean(lower_ok)), 3)
    by_side = {s: [r for r in reps if r["side"] == s] for s in ("both", "left", "right")}
    out["reps_by_side"] = {s: len(v) for s, v in by_side.items()}
    if by_side["left"] and by_side["right"]:
        ml = float(np.mean([r["peak_lift"] for r in by_side["left"]]))
        mr = float(np.mean([r["peak_lift"] for r in by_side["right"]]))
        out["left_right_peak_diff_pct"] = finite((ml - mr) / (0.5 * (ml + mr)) * 100.0, 1)
    else:
        out["left_right_peak_diff_pct"] = None
    return out


class CalfRaise(Exercise):
    """The calf raise behind the exercise protocol: the :class:`CalfRaiseCounter` on the shared
    foot contact (from the side only the near foot is seen: a raise is then taken as double-leg)."""

    id = "calf_raise"
    uses_contact = True
    rep_columns = REP_COLUMNS

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.counter = CalfRaiseCounter(setup.cm_per_fl)
        self._judged = 0

    def step(self, state: FrameState) -> FrameUpdate:
        k = state.kin
        stance = state.stance
        if stance == "unknown" and k.feet_ok and view_family(k.view) == "side":
            # From the side only the near foot is seen: a calf raise is taken as double-leg
            # (which foot is lifted cannot be told when the far one is hidden).
            stance = "both"
        rep = self.counter.step(k, state.det, stance)
        judge: list[tuple[str, dict[str, Any]]] = []
        reps = self.counter.reps
        if len(reps) > self._judged:  # a rep just completed: judge it now (live cue)
            judge = [("rep", {"index": r.index, "side": r.side, "t_start": r.t_start, "t_end": r.t_end,
                              "peak_lift": r.peak_lift, "rise_s": r.rise_s, "lower_s": r.lower_s, "heel_in": r.heel_in})
                     for r in reps[self._judged:]]
            self._judged = len(reps)
        return FrameUpdate(shown={"reps": rep.reps, "rep_phase": rep.phase, "lift": rep.lift}, judge=judge)

    def finish(self, end: StreamEnd) -> None:
        self.counter.finish(end.t_s)

    def completed(self, start: int) -> list[dict[str, Any]]:
        return [rep_row(r) for r in self.counter.reps[start:]]

    def results(self, analysable: bool, view: str) -> Results:
        c = self.counter
        warnings = []
        if analysable and c.rise_mode:
            warnings.append("The pose model kept losing the person on this footage and its leg landmarks were not "
                            "trusted: reps were counted from how far the whole body rose, measured from the pixels with "
                            "the camera's own motion removed. peak_lift is that body rise (FL), not the heel height, "
                            "the heel alignment could not be measured, and single- and double-leg raises cannot be told "
                            "apart (every rep is reported as both feet).")
        elif analysable:
            fam = view_family(view)
            warnings.append("Heel lift is the pose model's estimate: it reports only part of a real heel raise "
                            f"({HEEL_REPORTED_SHARE.get(fam, HEEL_REPORTED_SHARE['unknown'])} from this view).")
        reps = [rep_row(r) for r in c.reps] if analysable else []
        events = sorted(c.events, key=lambda e: e.get("t_s") or 0.0) if analysable else []
        return Results(reps=reps, events=events, warnings=warnings,
                       set_stats={**set_stats(reps), "lift_from": "body_rise" if c.rise_mode else "landmarks"})

    def unmeasurable(self, track: Trackability, view: str) -> str | None:
        """Feet too small in the picture, or reps that do not stand out of the landmark jitter."""
        if self.counter.rise_mode:
            return None
        if track.foot_px is not None and track.foot_px < FOOT_PX_MIN:
            return (f"The feet are too small in the picture to count calf raises: about {track.foot_px:.0f} px long "
                    f"in this {track.picture()} (at least {FOOT_PX_MIN} px are needed); film closer or at a higher "
                    f"resolution so that each foot is at least {FOOT_PX_ADVISED} px long.")
        peaks = [r.peak_lift for r in self.counter.reps]
        if track.jitter_fl is None or track.jitter_fl <= 0 or not peaks:
            return None
        peak = float(np.median(peaks))
        need = SNR_MIN.get(view_family(view), SNR_MIN["default"])
        if peak >= need * track.jitter_fl:
            return None
        size = f", feet about {track.foot_px:.0f} px long" if track.foot_px is not None else ""
        return (f"The foot landmarks are too unsteady to count calf raises: the heels jitter by ±{track.jitter_fl:.3f} "
                f"foot lengths from frame to frame in this {track.picture()}{size}, and the reps reach only "
                f"{peak:.2f} foot lengths (counting needs {need:g} times the jitter); film closer, in good light, "
                "with the camera still, or at a higher resolution.")

    # -- --exercise auto -------------------------------------------------------------------
    def rep_tops(self) -> list[float]:
        return [r.t_top for r in self.counter.reps]

    @property
    def landmarks_trusted(self) -> bool:
        return not self.counter.rise_mode

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        """Upright reps that no foot lift or stretch position explains (exercises/choose.py)."""
        n_lift = n_seated = reps = 0
        for r in self.counter.reps:
            if ev.explained(r.t_start, r.t_end):
                n_lift += 1
            elif ev.upright(r.t_start, r.t_end) < 0.5:
                n_seated += 1
            else:
                reps += 1
        notes = [f"{n_lift} more explained by a foot lifting or a lunge" if n_lift else "",
                 f"{n_seated} more while sitting or squatting" if n_seated else ""]
        return AutoScore(saturate(reps, 1.0), count_words(reps, "rep") + "".join(f" ({n})" for n in notes if n))

    # -- the summary as text and CSV ---------------------------------------------------------
    @classmethod
    def table_lines(cls, res: Results, height_cm: float | None) -> list[str]:
        cm = height_cm is not None
        lines = [f"{'rep':>3} {'side':<5} {'start s':>7} {'peak at s':>9} {'end s':>6} {'lift FL':>7}"
                 + (f" {'lift cm':>7}" if cm else "") + f" {'rise s':>6} {'at top s':>8} {'lower s':>7}"]
        for r in res.reps:
            lines.append(f"{r['index']:>3} {r['side']:<5} {fmt(r['t_start']):>7} {fmt(r['t_top']):>9} {fmt(r['t_end']):>6} "
                         f"{fmt(r['peak_lift'], 3):>7}" + (f" {fmt(r['peak_lift_cm'], 1):>7}" if cm else "")
                         + f" {fmt(r['rise_s']):>6} {fmt(r['top_s']):>8} {fmt(r['lower_s']):>7}")
        s = res.set_stats
        lines.append(f"reps: {s.get('reps', 0)}   mean peak: {fmt(s.get('mean_peak_lift'), 3)} FL   "
                     f"{DECLINE_LABEL}: {decline_text(s.get('peak_decline_pct'))}   "
                     f"cadence: {fmt(s.get('cadence_per_min'), 1)}/min")
        lines.append("FL = foot lengths (a height divided by the foot's length, estimated from the shank); times in s on\n"
                     "the video's clock; 'peak at' = when the heel was highest, 'at top' = time spent above 80 % of the peak.")
        return lines

    @classmethod
    def rep_csv(cls, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``reps.csv``: the row schema's columns (exercises/rows.py; numeric columns stay numeric:
        a sentence such as "not measurable from this view" goes to ``notes``)."""
        out = []
        for r in rows:
            f = schema.rep_fields(r, r["index"])
            note = f["alignment_note"]
            out.append({"index": f["rep_index"], "side": f["side"], **{c: f[c] for c in _CSV_NUMERIC},
                        "notes": f"heel alignment: {note}" if note else ""})
        return out


#: The schema columns ``reps.csv`` shares with the store and the export.
_CSV_NUMERIC = ("t_start_s", "t_top_s", "t_end_s", "peak_lift_fl", "peak_lift_cm", "rise_s", "top_s", "lower_s",
                "heel_in_left_fl", "heel_in_right_fl")
