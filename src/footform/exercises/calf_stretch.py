"""Standing calf stretch: which leg is behind, hold time while the form holds, and per-hold form.

Why over 500 lines: one module per exercise (docs/architecture.md, "How to add an exercise") — the
state machine and, at the end, its class behind the exercise protocol (summary rows, set figures,
``--exercise auto`` score, CLI table) belong to the one concept and change together.

Protocol (rehabilitation sources): lunge near a wall or chair, both feet pointing straight forward,
back knee straight, back heel on the ground; shift the weight forward until the stretch is felt;
hold 30 s or more, 2–3 times per leg.  Soleus variant: the same with the back knee slightly bent.

Geometry, per frame (all lengths in FL, see kinematics.py):

* **Anterior axis.**  From the side it is image x, pointing the way the feet point (sign of
  ``toe_dx``: both feet point forward).  From the front or back it is depth, from the model's
  world landmarks (``com_depth_<side>`` = hip depth − ankle depth; towards the camera from the
  front, away from it from the back).  Depth from a single camera is the model's guess — the
  front/back leg assignment and forward shift from the front have been checked on synthetic
  streams only (no rendered or real front-view stretch has been analysed yet).
* **Stagger** = forward position of the left ankle − the right; the leg further back is the
  stretched leg once ``|stagger| ≥`` :data:`STAGGER_MIN_FL`.
* **Back heel lift**: the back heel's image height above the front heel's, in pixels, relative to
  its value when the position was reached, divided by FL at that moment (both heels are planted;
  as the knees bend the shank-based FL estimate changes, and a difference of two points held in
  pixels does not move with it).
* **Forward shift** ``f`` = where the hips (COM proxy) sit between the back ankle (0) and the front
  ankle (1).  Upright in a staggered stance the hips are midway (≈ 0.5); the lunge moves them
  forward (rendered side clip: 0.53 upright → 0.81 in the stretch).

States: ``idle`` → ``position`` (staggered and ``f ≥`` :data:`F_ENTER`) → ``hold`` once the
forward movement has settled (``|df/dt| <`` :data:`V_SETTLE_PER_S`) → back to ``idle`` when ``f``
drops :data:`EXIT_DROP` below the hold's level; the hold's end is the last still moment before
that drop (the person started to come out then).  Inside a hold the **timer runs only while the
form holds**: it pauses while the back heel is lifted (heel more than :data:`HEEL_LIFT_FL` above its
height when the position was reached) and, in the gastrocnemius version, while the back knee is
bent more than :data:`KNEE_BEND_DEG` beyond the person's own straight knee.  A hold is labelled
**soleus** when the back knee stays at least :data:`SOLEUS_FLEX_DEG` bent through
:data:`SOLEUS_SHARE` of it.  Knee and ankle angles need a side view; foot direction a front or
back view; the rest is "not measurable from a … view".
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.core.kinematics import SIG, Kinematics
from footform.core.numeric import finite
from footform.core.view import view_family
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

#: The feet are staggered (a lunge) when one ankle is this far ahead of the other (0.8 FL ≈ 20 cm;
#: the protocol step is a long pace, 75–77 cm in the rendered scenarios ≈ 2.7 FL); back to
#: "not staggered" below :data:`STAGGER_EXIT_FL`.
STAGGER_MIN_FL = 0.8
STAGGER_EXIT_FL = 0.6
#: Forward shift of the hips between the back (0) and the front ankle (1) that counts as leaning
#: into the stretch, and its exit level.  Upright staggered stance: ≈ 0.5 (0.53 on the rendered side
#: clip); the rendered stretch 0.81 (22 cm lunge on a 75 cm step); the soleus scenarios lunge 16 cm
#: on 77 cm, ≈ 0.71.
F_ENTER = 0.63
F_EXIT = 0.57
#: The lunge has settled (the hold starts) once |df/dt| stays below this (per second), measured as
#: a backward difference over :data:`V_WINDOW_S`.  Lunging in takes ~1–1.5 s at ≈ 0.3/s peak.
V_SETTLE_PER_S = 0.08
V_WINDOW_S = 0.2
#: Start the hold anyway if the hips keep drifting this long after reaching the position.
MAX_SETTLE_S = 2.0
#: Coming out: ``f`` below the hold's level (EMA, :data:`LEVEL_TAU_S`) by this much.
EXIT_DROP = 0.06
LEVEL_TAU_S = 3.0
#: Final hold times: the first / last moment the hips are within this much of the hold's level
#: (start: mean over the first second after settling; end: the level when it ended).  Symmetric
#: by construction, so a lunge in and out of equal speed gives the right duration; with 0.006
#: (≈ 0.5 cm on a 75 cm step) the rendered clip's hold comes out 2–5 frames inside each end.
LEVEL_BAND = 0.006
#: Seconds of forward-shift samples kept at the start (after reaching the position) and at the end
#: of a hold for the final times.
HEAD_S = MAX_SETTLE_S + 1.5
TAIL_S = 2.0
#: A position shorter than this is an event (``brief_stretch``), not a hold.
MIN_HOLD_S = 3.0
#: Heel-height reference: median over the first seconds in position.
HEEL_REF_S = 0.5
#: Back heel lifted: its image height rises this much above the reference (FL; 0.06 FL ≈ 1.5 cm;
#: the model reports ~83 % of a heel raise from the side, 52–69 % from elsewhere; smoothed still
#: jitter ≈ 0.01 FL); down again below :data:`HEEL_DOWN_FL`.
HEEL_LIFT_FL = 0.06
HEEL_DOWN_FL = 0.04
#: Back knee bent beyond the person's straight knee by this much (deg, image angle, side view) pauses
#: a gastrocnemius hold; straight again below :data:`KNEE_STRAIGHT_DEG`.  A straight knee reads
#: 170–176° on the rendered side clip (its rig's "straight" knee is 170.9°); jitter ±1.5°.
KNEE_BEND_DEG = 12.0
KNEE_STRAIGHT_DEG = 9.0
#: Straight-knee reference when none was measured (deg).
KNEE_STRAIGHT_DEFAULT = 172.0
#: Soleus variant: the back knee bent by at least this much on at least this share of the hold.
SOLEUS_FLEX_DEG = 8.0
SOLEUS_SHARE = 0.9
#: The hold's variant is decided for the pause logic after this long (median knee bend).
VARIANT_DECIDE_S = 1.0
#: MediaPipe heel→toe distance as a share of FL (side view, rendered samples: 0.77–0.91).
HEEL_TOE_FL = 0.85
#: Seconds of idle frames whose median is the straight-knee and resting-ankle reference.
IDLE_REF_S = 3.0

NOT_FROM = "not measurable from a {} view"


@dataclass
class _Acc:
    n: int = 0
    s: float = 0.0
    lo: float = math.inf
    hi: float = -math.inf

    def add(self, x: float) -> None:
        if math.isfinite(x):
            self.n += 1
            self.s += x
            self.lo = min(self.lo, x)
            self.hi = max(self.hi, x)

    @property
    def mean(self) -> float:
        return self.s / self.n if self.n else math.nan


@dataclass
class StretchHold:
    """One calf-stretch hold (times s, lengths FL, angles deg)."""

    side: str                      # stretched (back) leg
    t_enter: float                 # position reached (before settling)
    t_start: float                 # hold started (settled)
    t_end: float | None = None
    ended_by: str | None = None
    held_s: float = 0.0            # time with good form
    paused_s: float = 0.0
    pauses: int = 0
    pause_reasons: dict[str, int] = field(default_factory=lambda: {"heel_lift": 0, "knee_bend": 0})
    variant: str = "undecided"
    heel_ref: float = math.nan             # back heel above the front heel when the position was reached, px
    heel_ref_fl: float = math.nan          # FL (px) then: lifts are expressed in it
    knee_ref: float = KNEE_STRAIGHT_DEFAULT
    ankle_ref: float = math.nan
    level: float = math.nan
    level_still: float = math.nan          # the level at the last still moment
    last_still_t: float = 0.0
    view_counts: dict[str, int] = field(default_factory=dict)
    knee: _Acc = field(default_factory=_Acc)
    knee_flex_n: int = 0
    knee_bent_n: int = 0
    first_flex: list[float] = field(default_factory=list)
    ankle: _Acc = field(default_factory=_Acc)
    heel: _Acc = field(default_factory=_Acc)
    heel_down_n: int = 0
    heel_n: int = 0
    foot_out: _Acc = field(default_factory=_Acc)
    shift: _Acc = field(default_factory=_Acc)
    step_fl: _Acc = field(default_factory=_Acc)   # |stagger| from reaching the position on, FL
    head: list[tuple[float, float]] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return (self.t_end if self.t_end is not None else self.t_start) - self.t_start


class CalfStretch:
    """Online standing-calf-stretch state machine (:meth:`step` per frame)."""

    def __init__(self, target_s: float = 30.0) -> None:
        self.target_s = target_s
        self.state = "idle"
        self.holds: list[StretchHold] = []
        self.events: list[dict[str, Any]] = []
        #: mean |stagger| (FL) of each ``brief_stretch`` event, in the events' order (``--exercise auto``)
        self.brief_steps_fl: list[float] = []
        self.current: StretchHold | None = None
        self.back: str | None = None
        self.front_facing: float = 0.0       # side view: +1 facing image right, −1 left (EMA of the sign)
        self._f_hist: deque[tuple[float, float]] = deque()
        self._tail: deque[tuple[float, float]] = deque()
        self._armed = True                   # re-armed once the hips are back below F_EXIT
        self._idle_knee: dict[str, deque[tuple[float, float]]] = {"left": deque(), "right": deque()}
        self._idle_ankle: dict[str, deque[tuple[float, float]]] = {"left": deque(), "right": deque()}
        self._heel_buf: list[float] = []
        self._t_prev: float | None = None
        self._fam = "unknown"
        self._heel_up = False
        self._knee_bent = False
        self._paused_reason: str | None = None
        self.frame: dict[str, float] = {}     # this frame's metrics for the frame rules
        self.f = math.nan
        self.stagger = math.nan

    # -- geometry -------------------------------------------------------------------------------
    def _positions(self, k: Kinematics, det: np.ndarray) -> tuple[float, float, float] | None:
        """(left ankle, right ankle, hips) along the anterior axis, FL; None when not measurable."""
        fam = view_family(k.view)
        if fam != "unknown":
            self._fam = fam
        fam = self._fam
        if fam == "side":
            dx = [float(det[SIG[f"toe_dx_{s}"]]) for s in ("left", "right") if k.foot_ok.get(s)]
            dx = [d for d in dx if math.isfinite(d)]
            if dx:
                self.front_facing = 0.9 * self.front_facing + 0.1 * (1.0 if np.mean(dx) > 0 else -1.0)
            sgn = 1.0 if self.front_facing >= 0 else -1.0
            xl, xr = float(det[SIG["foot_x_left"]]), float(det[SIG["foot_x_right"]])
            hip = float(det[SIG["com_x"]])
            return sgn * xl, sgn * xr, sgn * hip
        if fam in ("front", "back"):
            sgn = 1.0 if fam == "front" else -1.0
            cl, cr = float(det[SIG["com_depth_left"]]), float(det[SIG["com_depth_right"]])
            return sgn * cl, sgn * cr, 0.0
        return None

    # -- per frame --------------------------------------------------------------------------------
    def step(self, k: Kinematics, det: np.ndarray) -> list[StretchHold]:
        """Feed one frame; returns holds that ended on it (long enough to count)."""
        t = k.t_s
        dt = 0.0 if self._t_prev is None else min(max(t - self._t_prev, 0.0), 0.2)
        self._t_prev = t
        self.frame = {f"{m}_{s}": math.nan for m in ("stretch_heel_lift_fl", "stretch_knee_bend_deg",
                                                       "stretch_foot_out_deg") for s in ("left", "right")}
        ended: list[StretchHold] = []
        if k.cut:
            ended += self._end(t, "cut")
            self._f_hist.clear()
        pos = self._positions(k, det) if k.feet_ok else None
        if pos is None or not all(math.isfinite(x) for x in pos):
            if self.state != "idle" and self._f_hist and t - self._f_hist[-1][0] > 1.0:
                ended += self._end(self._f_hist[-1][0], "tracking_lost")
            return ended
        xl, xr, hip = pos
        self.stagger = xl - xr
        need = STAGGER_EXIT_FL if self.state != "idle" else STAGGER_MIN_FL
        if abs(self.stagger) < need:
            self.f = math.nan
            if self.state != "idle":
                ended += self._end(self.current.last_still_t if self.state == "hold" and self.current else t, "came_out")
            self._idle_refs(t, det)
            return ended
        back = "right" if self.stagger > 0 else "left"
        front_x, back_x = (xl, xr) if back == "right" else (xr, xl)
        f = (hip - back_x) / (front_x - back_x)
        self.f = f
        self._f_hist.append((t, f))
        while self._f_hist and t - self._f_hist[0][0] > V_WINDOW_S:
            self._f_hist.popleft()
        v = (f - self._f_hist[0][1]) / (t - self._f_hist[0][0]) if t > self._f_hist[0][0] else math.nan
        still = math.isfinite(v) and abs(v) < V_SETTLE_PER_S

        if self.state != "idle" and self.back is not None and back != self.back:
            ended += self._end(t, "came_out")
        if f < F_EXIT:
            self._armed = True
        if self.state != "idle" and self.current is not None:
            if t - self.current.t_enter <= HEAD_S:
                self.current.head.append((t, f))
            self._tail.append((t, f))
            while self._tail and t - self._tail[0][0] > TAIL_S:
                self._tail.popleft()
        if self.state == "idle":
            if f >= F_ENTER and self._armed:
                self.state, self.back = "position", back
                self.current = StretchHold(side=back, t_enter=t, t_start=t)
                self.current.knee_ref = self._ref(self._idle_knee[back], KNEE_STRAIGHT_DEFAULT)
                self.current.ankle_ref = self._ref(self._idle_ankle[back], math.nan)
                self._heel_buf = []
                self._tail.clear()
                self.current.head.append((t, f))
                self._tail.append((t, f))
                self._heel_up = self._knee_bent = False
                self._paused_reason = None
            else:
                self._idle_refs(t, det)
                return ended
        h = self.current
        assert h is not None
        h.step_fl.add(abs(self.stagger))
        heel_h = self._heel_rel(det, back) * k.foot_px   # pixels: independent of later scale changes
        if t - h.t_enter <= HEEL_REF_S and math.isfinite(heel_h):
            self._heel_buf.append(heel_h)
        if self._heel_buf:
            h.heel_ref = float(np.median(self._heel_buf))
            if not math.isfinite(h.heel_ref_fl) and t - h.t_enter > HEEL_REF_S:
                h.heel_ref_fl = k.foot_px
        if self.state == "position":
            if f < F_EXIT:
                self._brief(h, t)
                return ended
            if still or t - h.t_enter >= MAX_SETTLE_S:
                self.state = "hold"
                h.t_start, h.level, h.last_still_t, h.level_still = t, f, t, f
                self.holds.append(h)
            else:
                return ended
        # -- in the hold ----------------------------------------------------------------------
        h.level = h.level + (f - h.level) * (dt / LEVEL_TAU_S if dt > 0 else 0.0)
        if still:
            h.last_still_t, h.level_still = t, h.level
        if f < h.level - EXIT_DROP or f < F_EXIT:
            ended += self._end(h.last_still_t, "came_out")
            return ended
        self._measure(h, t, dt, k, det, back)
        return ended

    def _measure(self, h: StretchHold, t: float, dt: float, k: Kinematics, det: np.ndarray, back: str) -> None:
        fam = self._fam
        h.view_counts[fam] = h.view_counts.get(fam, 0) + 1
        h.shift.add(self.f)
        # heel
        fl_ref = h.heel_ref_fl if math.isfinite(h.heel_ref_fl) else k.foot_px
        lift = (self._heel_rel(det, back) * k.foot_px - h.heel_ref) / fl_ref
        if math.isfinite(lift):
            self._heel_up = lift > (HEEL_DOWN_FL if self._heel_up else HEEL_LIFT_FL)
            h.heel.add(lift)
            h.heel_n += 1
            h.heel_down_n += 0 if self._heel_up else 1
            self.frame[f"stretch_heel_lift_fl_{back}"] = lift
        # knee (side view)
        bend = math.nan
        if fam == "side":
            ka = float(det[SIG[f"knee_angle_{back}"]])
            if math.isfinite(ka):
                bend = h.knee_ref - ka
                h.knee.add(ka)
                h.knee_flex_n += 1
                h.knee_bent_n += 1 if bend >= SOLEUS_FLEX_DEG else 0
                if h.variant == "undecided":
                    h.first_flex.append(bend)
                    if t - h.t_start >= VARIANT_DECIDE_S:
                        h.variant = "soleus" if float(np.median(h.first_flex)) >= SOLEUS_FLEX_DEG else "gastrocnemius"
            aa = float(det[SIG[f"foot_shank_angle_{back}"]])
            h.ankle.add(aa)
        if h.variant == "gastrocnemius" and math.isfinite(bend):
            self._knee_bent = bend > (KNEE_STRAIGHT_DEG if self._knee_bent else KNEE_BEND_DEG)
            self.frame[f"stretch_knee_bend_deg_{back}"] = bend
        else:
            self._knee_bent = False
        # foot direction (front / back view)
        if fam in ("front", "back"):
            hm = float(det[SIG[f"heel_medial_{back}"]])
            if math.isfinite(hm):
                out = math.degrees(math.asin(max(-1.0, min(1.0, hm / HEEL_TOE_FL))))
                h.foot_out.add(out)
                self.frame[f"stretch_foot_out_deg_{back}"] = out
        reason = "heel_lift" if self._heel_up else "knee_bend" if self._knee_bent else None
        if reason is None:
            h.held_s += dt
        else:
            h.paused_s += dt
            if self._paused_reason is None:
                h.pauses += 1
                h.pause_reasons[reason] += 1
        self._paused_reason = reason

    @staticmethod
    def _heel_rel(det: np.ndarray, back: str) -> float:
        """Back heel height above the front heel in the image (FL).  A difference of two nearby points:
        unlike either height alone it does not move when the body scale estimate (FL, from the shank
        length) changes as the knees bend."""
        front = "left" if back == "right" else "right"
        return float(det[SIG[f"heel_h_{back}"]]) - float(det[SIG[f"heel_h_{front}"]])

    def _idle_refs(self, t: float, det: np.ndarray) -> None:
        for s in ("left", "right"):
            ka = float(det[SIG[f"knee_angle_{s}"]])
            if math.isfinite(ka) and ka > 150.0 and self._fam == "side":
                self._idle_knee[s].append((t, ka))
            aa = float(det[SIG[f"foot_shank_angle_{s}"]])
            if math.isfinite(aa) and self._fam == "side":
                self._idle_ankle[s].append((t, aa))
            for dq in (self._idle_knee[s], self._idle_ankle[s]):
                while dq and t - dq[0][0] > IDLE_REF_S:
                    dq.popleft()

    @staticmethod
    def _ref(dq: deque[tuple[float, float]], default: float) -> float:
        return float(np.median([v for _, v in dq])) if len(dq) >= 5 else default

    def _brief(self, h: StretchHold, t_end: float) -> None:
        self.brief_steps_fl.append(h.step_fl.mean)
        self.events.append({"type": "brief_stretch", "t_s": round(h.t_enter, 3), "t_end_s": round(t_end, 3),
                            "side": h.side, "duration_s": round(t_end - h.t_enter, 3)})
        self._reset()

    def _reset(self) -> None:
        if self.state != "idle":
            self._armed = False
        self.state, self.current, self.back = "idle", None, None
        self._heel_up = self._knee_bent = False
        self._paused_reason = None

    def _end(self, t_end: float, why: str) -> list[StretchHold]:
        h = self.current
        if h is None or self.state == "idle":
            self._reset()
            return []
        if self.state == "position":
            self._brief(h, t_end)
            return []
        h.t_end, h.ended_by = max(t_end, h.t_start), why
        self._refine(h)
        if h.duration_s < MIN_HOLD_S:
            self.holds.remove(h)
            self._brief(h, t_end)
            return []
        self._reset()
        return [h]

    def _refine(self, h: StretchHold) -> None:
        """Final start / end: first / last moment within :data:`LEVEL_BAND` of the hold's level."""
        settled = [f for t, f in h.head if h.t_start <= t <= h.t_start + 1.0]
        if settled:
            lvl = float(np.mean(settled))
            for t, f in h.head:
                if f >= lvl - LEVEL_BAND:
                    h.t_start = min(h.t_start, t)
                    break
        lvl_end = h.level_still if math.isfinite(h.level_still) else h.level
        if h.ended_by == "came_out" and self._tail and math.isfinite(lvl_end):
            inside = [t for t, f in self._tail if f >= lvl_end - LEVEL_BAND]
            if inside:
                h.t_end = inside[-1]
        if h.t_end is not None:
            h.held_s = max(0.0, h.duration_s - h.paused_s)

    def finish(self, t_last: float | None) -> None:
        if self.state == "hold" and self.current is not None:
            self._end(t_last if t_last is not None else self.current.t_start, "end_of_video")
        elif self.state == "position" and self.current is not None:
            self._brief(self.current, t_last or self.current.t_enter)

    # -- live ------------------------------------------------------------------------------------
    @property
    def hold_s(self) -> float | None:
        """Running hold time with good form (s) while in a hold, else None."""
        return self.current.held_s if self.state == "hold" and self.current is not None else None

    @property
    def paused(self) -> str | None:
        return self._paused_reason if self.state == "hold" else None

    # -- summary ---------------------------------------------------------------------------------
    def row(self, h: StretchHold, index: int) -> dict[str, Any]:
        def r(x: float, nd: int = 2) -> float | None:
            return finite(x, nd)

        fam = max(h.view_counts, key=lambda v: h.view_counts[v]) if h.view_counts else "unknown"
        where = "this camera" if fam == "unknown" else fam
        side_view = fam == "side"
        frontal = fam in ("front", "back")
        variant = h.variant
        if h.knee_flex_n >= 5:
            variant = "soleus" if h.knee_bent_n / h.knee_flex_n >= SOLEUS_SHARE else "gastrocnemius"
        elif not side_view:
            variant = "unknown"
        ankle = h.ankle.mean
        knee_mean = h.knee.mean
        form = {
            "held_s": h.held_s,
            "held_vs_target": h.held_s / self.target_s if self.target_s else math.nan,
            "heel_lift_max_fl": h.heel.hi if h.heel.n else math.nan,
            "knee_bend_max_deg": (h.knee_ref - h.knee.lo) if side_view and h.knee.n and variant != "soleus" else math.nan,
            "foot_out_deg": h.foot_out.mean if frontal and h.foot_out.n else math.nan,
        }
        return {
            "kind": "calf_stretch", "index": index, "side": h.side, "stance_side": h.side,
            "front_side": "left" if h.side == "right" else "right",
            "t_start": r(h.t_start, 3), "t_end": r(h.t_end if h.t_end is not None else h.t_start, 3),
            "t_position": r(h.t_enter, 3),
            "duration_s": r(h.duration_s, 3), "held_s": r(h.held_s, 3), "paused_s": r(h.paused_s, 3),
            "pauses": h.pauses, "pause_reasons": dict(h.pause_reasons), "ended_by": h.ended_by,
            "target_s": self.target_s, "variant": variant if side_view else f"unknown ({NOT_FROM.format(where)})",
            "view": fam,
            "back_knee_angle_deg": r(knee_mean, 1) if side_view and h.knee.n else NOT_FROM.format(where),
            "back_knee_flex_deg": r(h.knee_ref - knee_mean, 1) if side_view and h.knee.n else NOT_FROM.format(where),
            "back_ankle_angle_deg": r(ankle, 1) if side_view and h.ankle.n else NOT_FROM.format(where),
            "dorsiflexion_deg": r(90.0 - ankle, 1) if side_view and h.ankle.n else NOT_FROM.format(where),
            "dorsiflexion_gain_deg": (r(h.ankle_ref - ankle, 1) if side_view and h.ankle.n and math.isfinite(h.ankle_ref)
                                      else None if side_view else NOT_FROM.format(where)),
            "heel_contact_share": r(h.heel_down_n / h.heel_n, 3) if h.heel_n else None,
            "heel_lift_max_fl": r(h.heel.hi, 3) if h.heel.n else None,
            "back_foot_out_deg": r(h.foot_out.mean, 1) if frontal and h.foot_out.n else NOT_FROM.format(where),
            "forward_shift": r(h.shift.mean, 3),
            "form": form,
        }

    def rows(self) -> list[dict[str, Any]]:
        return [self.row(h, i) for i, h in enumerate(self.holds, 1)]

    def set_stats(self) -> dict[str, Any]:
        by_side = {s: [h for h in self.holds if h.side == s] for s in ("left", "right")}
        return {"kind": "calf_stretch", "holds": len(self.holds),
                "holds_by_side": {s: len(v) for s, v in by_side.items()},
                "held_s_by_side": {s: round(sum(h.held_s for h in v), 2) for s, v in by_side.items()},
                "holds_reaching_target": sum(1 for h in self.holds if h.held_s >= self.target_s),
                "target_s": self.target_s}


# ---------------------------------------------------------------------------------------------
# The exercise protocol (exercises/base.py)
# ---------------------------------------------------------------------------------------------

#: Protocol hold when the person's programme gives no ``hold_s`` target (s).
TARGET_S = 30.0
#: ``holds.csv`` of a calf-stretch session: the summary's own field names (units in docs/summary-schema.md).
HOLD_COLUMNS = ("kind", "index", "side", "t_start", "t_end", "duration_s", "held_s", "paused_s", "pauses", "variant",
                "back_knee_angle_deg", "dorsiflexion_deg", "heel_contact_share", "back_foot_out_deg")
#: ``--exercise auto``: this much stretch-hold time scores one half (s; :data:`MIN_HOLD_S`).
AUTO_HALF_S = 3.0

#: ``--exercise auto``: a position is a calf stretch's lunge only when the feet are at least this far
#: apart along the body (mean |stagger| over the position, FL).  The protocol's step is a long pace
#: (75–77 cm in the rendered scenarios ≈ 2.7 FL); the rendered side stretches read 2.7–3.5 FL.  The
#: machine itself enters at :data:`STAGGER_MIN_FL` (0.8 FL), which a single-leg stance with the
#: free foot behind (0.8–1.6 FL) and feet side by side seen at three-quarter (world depth: 1.0–1.4
#: FL) also reach.  Set on the even-seed (calibration) rendered clips: stretches 2.7 and 3.5 FL,
#: stances 0.8, 1.1, 1.3 FL, a calf raise 1.0 FL (docs/evaluation.md, "--exercise auto").
AUTO_STEP_FL = 2.0


class CalfStretchExercise(Exercise):
    """The standing calf stretch behind the exercise protocol (its own machine, metrics and rules)."""

    id = "calf_stretch"
    hold_columns = HOLD_COLUMNS

    def __init__(self, setup: Setup) -> None:
        super().__init__(setup)
        self.stretch = CalfStretch(float(setup.targets.get("hold_s") or TARGET_S))

    def step(self, state: FrameState) -> FrameUpdate:
        st = self.stretch
        ended = st.step(state.kin, state.det)
        return FrameUpdate(
            shown={"hold_s": st.hold_s, "holds": len(st.holds), "stance": st.back or "unknown",
                   "rep_phase": f"paused ({st.paused})" if st.paused else st.state},
            signals={"forward_shift": st.f, "stagger": st.stagger},
            metrics=dict(st.frame),
            judge=[("hold", st.row(h, st.holds.index(h) + 1)) for h in ended if h in st.holds])

    def finish(self, end: StreamEnd) -> None:
        self.stretch.finish(end.t_s)

    def completed(self, start: int) -> list[dict[str, Any]]:
        done = [h for h in self.stretch.holds if h.t_end is not None]
        return [self.stretch.row(h, i) for i, h in enumerate(done[start:], start + 1)]

    def results(self, analysable: bool, view: str) -> Results:
        if not analysable:
            return Results()
        st = self.stretch
        return Results(holds=st.rows(), set_stats=st.set_stats(), events=sorted(st.events, key=lambda e: e["t_s"]))

    def positions(self, t_last: float) -> list[tuple[float, float, str]]:
        """The lunge positions (holds and brief stretches, s) with the back (stretched) foot: only
        those with a calf stretch's long step (:data:`AUTO_STEP_FL`)."""
        return [(a, b, side) for a, b, side, _brief in self._lunges(t_last)]

    def _lunges(self, t_last: float) -> list[tuple[float, float, str, bool]]:
        """(start s, end s, back side, brief) of every position whose step is long enough."""
        st = self.stretch
        out = [(h.t_enter, h.t_end if h.t_end is not None else t_last, h.side, False)
               for h in st.holds if h.step_fl.mean >= AUTO_STEP_FL]
        briefs = [e for e in st.events if e.get("type") == "brief_stretch"]
        out += [(float(e["t_s"]), float(e.get("t_end_s") or e["t_s"]), str(e.get("side")), True)
                for e, step in zip(briefs, st.brief_steps_fl, strict=True) if step >= AUTO_STEP_FL]
        return out

    def auto_score(self, ev: AutoEvidence) -> AutoScore:
        """Upright hold time in positions with a long step; a brief stretch position counts half
        (exercises/choose.py).  A position with the feet less than :data:`AUTO_STEP_FL` apart counts
        nothing: a stance with the free foot behind or feet side by side seen at an angle reach it."""
        st = self.stretch
        long_holds = [h for h in st.holds if h.step_fl.mean >= AUTO_STEP_FL]
        held = sum(h.duration_s * ev.upright(h.t_start, h.t_start + h.duration_s) for h in long_holds)
        brief = sum(0.5 * (b - a) * ev.upright(a, b) for a, b, _, is_brief in self._lunges(ev.t_last) if is_brief)
        steps = [h.step_fl.mean for h in st.holds] + st.brief_steps_fl
        short = [x for x in steps if not x >= AUTO_STEP_FL]
        note = (f"; {count_words(len(short), 'position')} with the feet only {max(short):.1f} FL apart, "
                f"not counted (a stretch's step is ≥ {AUTO_STEP_FL:g} FL)") if short and all(map(math.isfinite, short)) \
            else f"; {count_words(len(short), 'position')} without a measured step, not counted" if short else ""
        seen = (f"{count_words(len(long_holds), 'hold')}, {held:.1f} s" if long_holds else
                f"brief stretch positions, {2 * brief:.1f} s" if brief else "no stretch position")
        return AutoScore(saturate(held + brief, AUTO_HALF_S), seen + note)

    @classmethod
    def table_lines(cls, res: Results, height_cm: float | None) -> list[str]:
        lines = [f"{'hold':>4} {'leg':<6} {'start s':>7} {'end s':>7} {'dur s':>6} {'held s':>6} {'pauses':>6} "
                 f"{'variant':<13} {'knee°':>6} {'dorsi°':>6} {'heel down':>9}"]
        for h in res.holds:
            num = lambda v: fmt(v, 1) if isinstance(v, float) else "n/a"  # noqa: E731
            lines.append(f"{h['index']:>4} {h['side']:<6} {fmt(h['t_start']):>7} {fmt(h['t_end']):>7} "
                         f"{fmt(h['duration_s']):>6} {fmt(h['held_s']):>6} {h['pauses']:>6} {h['variant'][:13]:<13} "
                         f"{num(h['back_knee_angle_deg']):>6} {num(h['dorsiflexion_deg']):>6} "
                         f"{fmt(h['heel_contact_share']):>9}")
        s = res.set_stats
        by_leg = ", ".join(f"{leg} {n}" for leg, n in (s.get("holds_by_side") or {}).items()) or "-"
        lines.append(f"holds: {s.get('holds', 0)}   by leg: {by_leg}   reaching the {fmt(s.get('target_s'), 0)} s "
                     f"target: {s.get('holds_reaching_target', 0)}")
        return lines
