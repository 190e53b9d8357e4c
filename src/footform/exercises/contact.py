"""Which foot is on the floor: a small hysteresis state machine on the feet's relative elevation.

Input per frame: ``elev_right_minus_left`` (FL, see ``kinematics.py``): how much higher the lowest
point (heel or toe, whichever is lower in the image) of the right foot is than that of the left.
Using the *difference* between the feet makes it independent of camera height, tilt and handheld
drift; using each foot's lowest point makes a heel raise (toes stay down) not look like a lift.

States: ``both`` (both feet down), ``left`` (standing on the left, right foot lifted), ``right``,
``unknown`` (no usable pair of feet).  The standing offset between the feet (from the side the far
foot looks a little higher) is the running median of the elevation while both feet are down.

**Low lifts** (issue #16: real people often lift the foot only a few centimetres).  Besides the
image elevation above, :meth:`FootContact.step_signals` takes two more signals, each relative to its
own running standing offset: the model's 3-D world-landmark elevation (``elev_world_right_minus_left``,
which sees a foot lifted towards the camera that perspective hides in the image) and the image
ankle-height difference (the ankle rises with the foot even where the toe, pointing at the camera,
does not).  A foot is also off the floor when the world elevation is above :data:`LOW_WORLD_FL` *and*
the image agrees (lowest point or ankle above :data:`LOW_IMAGE_FL`; with world evidence under
:data:`LOW_WORLD_WEAK_FL`, lowest point *and* ankle above :data:`LOW_IMAGE_WEAK_FL`) for
:data:`LOW_CONFIRM_S` without a break; lift-off is then the first frame of that stretch.  Neither
signal alone is trusted: the world one drifts on real footage, the image one is hidden by
perspective from the front.  The standing offsets of this evidence are medians of both-feet-down
samples at least :data:`LOW_BASE_LAG_S` old, so a foot rising slowly is not taken for the standing
level.  A foot lifted this way stays up while the world elevation is above the lower
:data:`LOW_WORLD_STAY_FL` with the image agreeing (a hysteresis: the model's world elevation of a
held low lift sags).  The foot is down again when neither the image level (:data:`LIFT_EXIT_FL`)
nor the low-lift evidence says it is up, for :data:`MIN_DOWN_S`.

**A short touch-down of a low lift seen only by the image** (issue #17).  From the front, the
model's world elevation of a low lift does not come down in a 0.4 s toe tap, and the free ankle's
image height lags: it stays a few hundredths of a foot length above its standing level, so the
hysteresis above (:data:`LOW_IMAGE_FL`) misses the tap.  A low lift whose image shows the whole foot
up (the levels of its lowest point *and* its ankle over the low base both above :data:`LOW_IMAGE_FL`)
is also set down and lifted again when both points fall to within :data:`TAP_FRAC` of their levels
and, at least :data:`MIN_DOWN_S` and at most :data:`TAP_MAX_S` later, one of them is back above
:data:`TAP_UP_FRAC` of its level: a tap.  A level is the median of the lift's last
:data:`TAP_LEVEL_S` of frames outside such a dip.  A dip that lasts longer is a sag (a hip drop
lowers the free foot too), not a tap: the lift goes on, and only the hysteresis above sets the foot
down.

**Lift-off and touch-down times** are where the foot leaves and reaches the floor as the image
elevation shows it (:data:`FLOOR_FL`), not the moment the evidence above became sure: a found lift
is dated back to the first frame of its rise, a touch-down forward to the frame the foot is back
at floor level; where the image does not show the lift nothing moves — except that a low lift set
down while a dip (the taps above) is running is dated at the dip's first frame, when the whole
foot was already more than half-way down.

**A hidden free foot.**  Once a foot is off the floor, frames on which the pair of feet cannot be
measured (the free foot tucked behind the standing calf, pressed on the thigh, out of the picture or
implausible) keep the lift going as long as the standing foot is usable, and for up to
:data:`HIDDEN_GAP_S` while the person is found at all; only then is the state ``unknown``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import islice

import numpy as np

from footform.core.kinematics import SIG

#: A foot is lifted when its lowest point is this many foot lengths above the other's (≈ 13 cm
#: for a 1.70 m person); it is down again below :data:`LIFT_EXIT_FL`.  Lift-off / touch-down
#: times are the first frame above / below the enter level.  Why so high: with both feet down,
#: placing one foot nearer the camera makes it look lower, and from the front MediaPipe's toe
#: point rises while the heel peels off before the foot leaves the floor; on the front clips of
#: shared/footage both effects reach 0.2–0.45 FL, while a lifted foot (knee raise, bent-knee
#: single-leg stance) is 0.6–1.9 FL up.  Smoothed standing jitter is ≈ 0.01–0.02 FL.
LIFT_ENTER_FL = 0.5
LIFT_EXIT_FL = 0.4
#: A lifted foot must stay down this long to count as set down: a swinging foot passing the floor
#: (shared/footage sls_front_lateral_leg_swings) is near it for 0.1–0.2 s; setting a foot down
#: to stand on it takes longer.
MIN_DOWN_S = 0.25
#: Samples of both-feet-down elevation whose median is the standing offset.
OFFSET_WINDOW = 31
#: Longer than this without a usable pair of feet → state ``unknown``.
MAX_GAP_S = 0.5
#: Low-lift evidence (see the module docstring), FL above the standing offset of each signal.
#: World elevation: standing noise (offset-corrected) within 0.02–0.05 FL (95th percentile) on the
#: rendered stance clips with an even (calibration) seed, ±0.07 FL on the real knee-raise clip
#: between raises; a 4.5 cm lift reads ≈ 0.3 FL and a 7 cm one ≈ 0.27 FL (rendered front views: the
#: world foot also moves forward), a 2 cm one from a three-quarter view 0.18 FL, but a 3 cm one seen
#: from behind only 0.08–0.09 FL (calibration clips slsr_*_6000, slsr_*_low3_6002).  0.06 FL ≈ 1.6 cm
#: at 1.70 m; below 0.10 FL the image must agree more strongly (LOW_WORLD_WEAK_FL).  Image (lowest
#: point or ankle): standing noise ±0.02 FL rendered; the 4.5 cm front lift reads +0.05 (lowest
#: point) / +0.10 (ankle), the 7 cm sample +0.0 / +0.22.
LOW_WORLD_FL = 0.06
LOW_IMAGE_FL = 0.05
#: World evidence up to this level (FL) is weak: with it, the image must show the whole foot up — its
#: lowest point *and* its ankle above LOW_IMAGE_WEAK_FL.  A 3 cm lift seen from behind reads
#: 0.08–0.09 FL in the world and 0.15–0.16 FL (lowest point and ankle) in the image (rendered
#: slsr_right_back-three-quarter-left_low3_6002); a staggered stance (a calf stretch seen from a
#: front three-quarter view) reads 0.07–0.08 FL in the world with the back ankle 0.10 FL but its
#: lowest point only 0.04–0.06 FL up in the image.  Above this world level the ankle alone suffices
#: (LOW_IMAGE_FL), as before.  Not found for that reason at 1280×720: a 3 cm lift from behind
#: (slstw_right_back_touch3_6404, calibration) reads 0.07–0.09 FL in the world but only 0.04–0.07
#: (lowest point) / 0.05–0.09 (ankle) in the image, inside the staggered stance's levels.  With
#: LOW_IMAGE_WEAK_FL at 0.04 it is found (tried on the sls_*/slsr_* calibration and the calf-stretch clips: no
#: new lift there) but split in two at its touch-down; not kept — 0.04 FL is twice the image's
#: standing noise and would be set for this one clip.  A 3 cm lift from a front three-quarter view
#: (slstw_right_three-quarter-right_touch3_6413, test) reads 0.01–0.03 FL in the world, the standing
#: noise, and 0.03–0.045 FL in the image: no evidence at all here.
LOW_WORLD_WEAK_FL = 0.10
LOW_IMAGE_WEAK_FL = 0.08
#: Once a foot is up on the low-lift evidence, the world elevation needs only this much (FL) to keep
#: it up (with the image above :data:`LOW_IMAGE_FL`): a hysteresis.  The model's world elevation of
#: a held low lift sags (issue #16's sls_right_three-quarter-right_hipdrop_03, a 5–8 cm bent-knee
#: lift: 0.13–0.16 FL after lift-off, 0.04–0.08 FL from the fifth second on, while the image ankle
#: stays 0.25–0.35 FL up).  The level is the standing noise, not that clip: the world elevation of
#: both feet down stays within ±0.03 FL of its offset on the clean calibration clips.
LOW_WORLD_STAY_FL = 0.03
#: The low-lift evidence is measured from standing offsets at least this old (s), and the samples
#: taken from LOW_RAMP_S before the evidence began are dropped when a low lift is confirmed: a foot
#: rising slowly must not become its own standing level (rendered back 3 cm lifts: the world
#: elevation takes ~1 s to rise to 0.08 FL, while a 1 s running median follows it).  Frames under
#: the evidence levels are both-feet-down samples: a lift the evidence never shows becomes the base
#: LOW_BASE_LAG_S later (the two 1280×720 3 cm lifts above fade at ~4.5 s).  Keeping such frames out
#: of the base would not find them: their evidence never begins (checked frame by frame).
LOW_BASE_LAG_S = 2.0
LOW_RAMP_S = 0.5
#: Both-feet-down samples kept (the newest :data:`OFFSET_WINDOW` at least LOW_BASE_LAG_S old are used).
BOTH_SAMPLES = 300
#: The low-lift evidence must last this long without a break before it counts (s): longer than
#: a weight shift or a step; a hold needs 2 s anyway (single_leg_stance.MIN_HOLD_S).
LOW_CONFIRM_S = 1.0
#: A foot set down this recently (s) needs the low-lift evidence only :data:`MIN_DOWN_S` to be up
#: again: a short touch-down inside a low hold (single_leg_stance.MAX_TOUCHDOWN_S = 1 s) must be
#: seen to end before the hold gives up on it.
RELIFT_S = 1.0
#: While a foot is off the floor, frames without a measurable pair of feet keep the lift going this
#: long (s) when the standing foot is not usable either (implausible frames, a moment of lost
#: tracking); with the standing foot usable, as long as it stays usable.
HIDDEN_GAP_S = 1.5
#: Lift-off and touch-down are dated where the foot leaves / reaches the floor, not where the
#: evidence became sure: a lift found on the image level (0.5 FL up) or on the low-lift evidence
#: (1 s of it) is dated back to the first frame of the rise — the frame after the last one, within
#: :data:`EDGE_BACK_S` and not before the last touch-down, whose image elevation (lowest point over
#: the standing offset, in the lifted side's direction) was at most :data:`FLOOR_FL`; a touch-down
#: first seen under the image level is dated forward to the first frame at most FLOOR_FL up.  Where
#: the image does not show the lift (a low lift from the front) nothing moves.  Issue #16, third
#: pass: on the rendered stance holds lift-off was found up to 0.87 s late and touch-down up to
#: 0.27 s early (holds 0.24 s short on average).  FLOOR_FL was chosen on the calibration holds
#: (even seeds, front/back/three-quarter views, 28 holds): mean |duration error| 0.24 s without the
#: dating, 0.20 / 0.15 / 0.14 / 0.15 s at 0.04 / 0.12 / 0.2 / 0.3 FL.  Lower levels date the back
#: views' holds too long (+0.26 s at 0.04 FL): the detection filter (σ 0.06 s) spreads the edge, and
#: from behind the heel peels off and the hidden toe is guessed up before the foot leaves the floor.
FLOOR_FL = 0.2
EDGE_BACK_S = 1.5
#: A tap of a low lift, seen by the image alone (see the module docstring): the lowest point and the
#: ankle each within this fraction of the lift's own level over the low base (and the lift showed
#: both: each level above LOW_IMAGE_FL).  Measured on the calibration clips (even seeds).  Taps: the
#: front touch-downs of slstc_*_620[024] (640×360) and slstw_left_front_touch{3,5}_640[02]
#: (1280×720), 3–5 cm lifts, came down to 0.18–0.30 of their level (the higher of the two points,
#: held MIN_DOWN_S; level = median of the 2 s before; all five were also found by the hysteresis).
#: Holds: on the 25 low holds of the calibration clips (sls_*, slsr_*, slsg_*, slstc_*, slstw_*:
#: front, back, three-quarter; lean, arch, valgus and hip-drop faults; contact's own level),
#: outside their touch-downs, the two points never stayed under 0.69 of their levels for
#: MIN_DOWN_S.  Half-way down lies between the two.  (Test clips, not used for the choice:
#: slsth_right_front_touch_6101 came down to 0.35 — missed by the hysteresis, its ankle 0.057 FL
#: up; the 8° hip drop of slsg_right_front_hipdrop_8009 held its free foot at 0.59 for seconds.)
TAP_FRAC = 0.5
#: … and the dip ends when the higher of the two points is back above this fraction of its level (a
#: hysteresis, so that frame noise about TAP_FRAC is not a string of taps): three quarters of the
#: way up, a quarter of the level above TAP_FRAC — several times the frame noise (the detection-
#: smoothed ankle jitters by ≈ 0.005–0.01 FL on the renders, 0.03–0.08 of a 0.12–0.17 FL level).
TAP_UP_FRAC = 0.75
#: A dip of the image evidence longer than this (s) is no tap (single_leg_stance.MAX_TOUCHDOWN_S):
#: a hip drop holds the free foot lower for seconds; a foot set down for good is the hysteresis's.
TAP_MAX_S = 1.0
#: The lift's level is the median of its last TAP_LEVEL_S (s) of frames outside a dip, from at
#: least TAP_LEVEL_MIN_S of them (a level of a few frames is noise).
TAP_LEVEL_S = 2.0
TAP_LEVEL_MIN_S = 0.5


@dataclass(frozen=True)
class Lift:
    """One period with a foot off the floor: the lifted side and lift-off / touch-down times (s)."""

    lifted_side: str
    t_off: float
    t_on: float | None  # None while still lifted
    #: Both feet were seen down just before this lift: the lift-off itself was seen.  False for a foot that looks higher from the first usable frame (or after a cut) —
    #: which a staggered stance or the camera angle explains as well as a lift.
    observed: bool = True

    @property
    def stance_side(self) -> str:
        return "left" if self.lifted_side == "right" else "right"


class FootContact:
    """Streaming foot-contact detector; :meth:`step` returns the current stance state.

    ``enter_fl`` / ``exit_fl`` are the lift levels (default: :data:`LIFT_ENTER_FL`,
    :data:`LIFT_EXIT_FL`); ``calibrate_s`` > 0 takes the first seconds of every stream (and after
    :meth:`reset`) as both feet down, whatever their difference: the standing offset then starts
    from the person's own, not from zero.  The exercise chooser runs a second, more sensitive
    instance that way on the ankles' heights (exercises/choose.py), where a standing difference
    (a staggered stance, the far foot seen higher from the side) can exceed the lift level.
    """

    def __init__(self, enter_fl: float = LIFT_ENTER_FL, exit_fl: float = LIFT_EXIT_FL,
                 calibrate_s: float = 0.0) -> None:
        self.enter_fl = enter_fl
        self.exit_fl = exit_fl
        self.calibrate_s = calibrate_s
        self._t_cal0: float | None = None
        self.state = "unknown"
        #: both-feet-down samples (t_s, image elevation, world elevation, ankle difference), newest last
        self._both: deque[tuple[float, float, float, float]] = deque(maxlen=BOTH_SAMPLES)
        self._first_low_t: float | None = None  # first time the lifted foot dropped below the enter level
        self._hover_t: float | None = None      # since when it is below that level with low-lift evidence
        self._last_t: float | None = None
        self.current: Lift | None = None
        self.finished: list[Lift] = []  # lifts that ended in the last step (drained by the caller)
        self._low: tuple[str, float] | None = None  # (lifted side, since) of running low-lift evidence
        self._last_down: tuple[str, float] | None = None  # (side, time) of the last foot set down
        self._low_lift = False  # the current lift was confirmed on the low-lift evidence (not the image level)
        #: recent (t_s, image elevation over the standing offset), newest last: where a lift began
        self._recent: deque[tuple[float, float]] = deque()
        #: a low lift's image level: (t_s, lowest point, ankle) over the low base towards the lifted
        #: side (FL), frames outside a dip, newest last (:data:`TAP_LEVEL_S`)
        self._tap_level: deque[tuple[float, float, float]] = deque()
        self._dip_t: float | None = None  # first frame of the running dip of a low lift (a tap if it ends soon)
        self._dip_down = False  # that dip has lasted MIN_DOWN_S: the foot is coming down (no sway taken)
        self._sag = False  # the running dip outlasted TAP_MAX_S: the foot is held lower, not tapping

    @property
    def offset(self) -> float:
        """Standing offset of the image elevation (FL): median of the last :data:`OFFSET_WINDOW` both-down samples."""
        recent = [b[1] for b in islice(reversed(self._both), OFFSET_WINDOW)]
        return float(np.median(recent)) if recent else 0.0

    def _low_base(self, t_s: float) -> tuple[float, float, float]:
        """Standing offsets (image, world, ankle; FL) the low-lift evidence is measured from: the
        medians of the last :data:`OFFSET_WINDOW` both-down samples at least :data:`LOW_BASE_LAG_S`
        old (all samples while there are none that old).  The lag keeps a foot that rises slowly —
        its first centimetres below the evidence levels — out of the level it is compared with.
        The samples are in time order: walked from the newest, past the ≤ LOW_BASE_LAG_S young ones,
        up to OFFSET_WINDOW old ones (a median does not depend on their order)."""
        cut = t_s - LOW_BASE_LAG_S
        newest_first = reversed(self._both)
        old = list(islice((b for b in newest_first if b[0] <= cut), OFFSET_WINDOW))
        if not old:
            old = list(islice(reversed(self._both), OFFSET_WINDOW))
        arr = np.array([b[1:] for b in old], float).reshape(-1, 3)
        if len(arr) and np.isfinite(arr).all():   # the usual case: one median per column at once
            img, world, ank = (float(m) for m in np.median(arr, axis=0))
            return img, world, ank

        def med(i: int) -> float:
            v = arr[:, i][np.isfinite(arr[:, i])]
            return float(np.median(v)) if len(v) else float("nan")

        return med(0), med(1), med(2)

    @property
    def pending_touchdown_t(self) -> float | None:
        """Time the lifted foot came down if it is down but not yet confirmed (end of a stream)."""
        if self.current is None:
            return None
        if self._first_low_t is None:
            return self._dip_t if self._dip_down else None
        return self._landing(self.current.lifted_side, self._first_low_t)

    def reset(self) -> None:
        """Forget the standing offsets (after a cut)."""
        self._both.clear()
        self._low = None
        self._t_cal0 = None
        self._recent.clear()

    def step_signals(self, t_s: float, sig: np.ndarray, foot_ok: dict[str, bool] | None = None,
                     has_person: bool = True) -> str:
        """:meth:`step` from a frame's (smoothed) signal vector (``kinematics.SIGNAL_NAMES``), with the
        low-lift evidence and which feet are usable (a hidden free foot keeps a lift going)."""
        elev = float(sig[SIG["elev_right_minus_left"]])
        world = float(sig[SIG["elev_world_right_minus_left"]])
        ankle = float(sig[SIG["ankle_h_right"]] - sig[SIG["ankle_h_left"]])
        return self.step(t_s, elev, world=world, ankle=ankle, foot_ok=foot_ok, has_person=has_person)

    @staticmethod
    def _low_side(base: tuple[float, float, float], elev: float, world: float, ankle: float,
                  world_fl: float = LOW_WORLD_FL) -> str | None:
        """The side whose foot the low-lift evidence says is up this frame (None: no evidence):
        world elevation above ``world_fl`` and the image (lowest point or ankle) above
        :data:`LOW_IMAGE_FL`, both from their standing offsets ``base`` (:meth:`_low_base`)."""
        b_img, b_world, b_ankle = base
        if not (np.isfinite(world) and np.isfinite(b_world)):
            return None
        ew = world - b_world
        if abs(ew) <= world_fl:
            return None
        sign = 1.0 if ew > 0 else -1.0
        lowest = sign * (elev - b_img) if np.isfinite(b_img) else -np.inf
        ank = sign * (ankle - b_ankle) if np.isfinite(ankle) and np.isfinite(b_ankle) else -np.inf
        if world_fl == LOW_WORLD_FL and abs(ew) <= LOW_WORLD_WEAK_FL:
            # weak world evidence to lift a foot: the whole foot must rise in the image, lowest point and ankle
            ok = min(lowest, ank) > LOW_IMAGE_WEAK_FL
        else:
            ok = max(lowest, ank) > LOW_IMAGE_FL
        return ("right" if sign > 0 else "left") if ok else None

    def step(self, t_s: float, elev: float, world: float = float("nan"), ankle: float = float("nan"),
             foot_ok: dict[str, bool] | None = None, has_person: bool = True) -> str:
        """One frame: ``elev`` (FL, image); optional low-lift evidence ``world`` / ``ankle`` (FL, see
        :meth:`step_signals`) and the usable feet.  Returns the state."""
        self.finished = []
        if not np.isfinite(elev):
            self._low = None
            if self.current is not None and self._last_t is not None:
                stance = self.current.stance_side
                if foot_ok is not None and foot_ok.get(stance, False):
                    self._last_t = t_s          # the standing foot is seen: the free one is hidden
                    return self.state
                if has_person and t_s - self._last_t <= HIDDEN_GAP_S:
                    return self.state
            if self._last_t is not None and t_s - self._last_t > MAX_GAP_S:
                if self.current is not None:
                    self.finished.append(Lift(self.current.lifted_side, self.current.t_off, None, self.current.observed))
                    self.current = None
                    self._low_lift = False
                    self._tap_clear()
                self.state = "unknown"
            return self.state
        self._last_t = t_s
        if self.calibrate_s > 0 and self.current is None and (self._t_cal0 is None or t_s - self._t_cal0 < self.calibrate_s):
            if self._t_cal0 is None:
                self._t_cal0 = t_s
            self._both.append((t_s, elev, float("nan"), float("nan")))
            self.state = "both"
            return self.state
        e = elev - self.offset
        self._recent.append((t_s, e))
        while self._recent and self._recent[0][0] < t_s - EDGE_BACK_S:
            self._recent.popleft()
        base = self._low_base(t_s)
        low = self._low_side(base, elev, world, ankle)
        # once a foot is up on the low-lift evidence, weaker world evidence keeps it up (hysteresis)
        low_stay = low if not self._low_lift else self._low_side(base, elev, world, ankle, LOW_WORLD_STAY_FL)
        if self.state in ("both", "unknown"):
            if low is None or (self._low is not None and self._low[0] != low):
                self._low = None if low is None else (low, t_s)
            elif self._low is None:
                self._low = (low, t_s)
            if e > self.enter_fl or e < -self.enter_fl:
                lifted = "right" if e > 0 else "left"
                # seen leaving the floor only when both feet were seen down just before
                self.current = Lift(lifted, self._rise_start(lifted, t_s), None, observed=self.state == "both")
                self._low_lift = False
                self._tap_clear()
                self._first_low_t = self._hover_t = None
                self._low = None
                self.state = "left" if lifted == "right" else "right"
            elif self._low is not None and t_s - self._low[1] >= self._low_confirm_s(*self._low):
                lifted, since = self._low
                # the samples taken while the foot was rising are no standing offset — unless they
                # are all there is: with no standing offset left the lift would be measured from 0
                # (the image) and from nothing (the low-lift evidence) and end on the next frames
                # (rendered slstw_right_three-quarter-left_touchbent_6421: the far foot reads 0.41 FL
                # up while standing, just above LIFT_EXIT_FL, so the first standing samples were
                # the 0.2 s before the rise; the lift found at 2.7 s ended at 3.1 s and the lifted
                # foot became the standing level)
                if any(b[0] < since - LOW_RAMP_S for b in self._both):
                    while self._both[-1][0] >= since - LOW_RAMP_S:
                        self._both.pop()
                self.current = Lift(lifted, self._rise_start(lifted, since), None, observed=self.state == "both")
                self._low_lift = True
                self._tap_clear()
                self._first_low_t = self._hover_t = None
                self._low = None
                self.state = "left" if lifted == "right" else "right"
            else:
                self.state = "both"
                if abs(e) < self.exit_fl and self._low is None:
                    self._both.append((t_s, elev, world, ankle))
        else:
            lifted = "right" if self.state == "left" else "left"
            e_l = e if lifted == "right" else -e
            if e_l > self.enter_fl:
                self._first_low_t = self._hover_t = None
            else:
                if self._first_low_t is None:
                    self._first_low_t = t_s     # touch-down time if it is confirmed
                if low_stay == lifted:
                    # under the image level, but the low-lift evidence says the foot is up: a foot
                    # passing through (a landing) keeps its first low frame as the touch-down time;
                    # one that stays there for MIN_DOWN_S is hovering, not coming down
                    if self._hover_t is None:
                        self._hover_t = t_s
                    if t_s - self._hover_t >= MIN_DOWN_S:
                        self._first_low_t = None
                else:
                    self._hover_t = None
            low_up = low_stay == lifted
            if e_l < self.exit_fl and not low_up and self._first_low_t is not None and t_s - self._first_low_t >= MIN_DOWN_S:
                assert self.current is not None
                t_on = self._landing(lifted, self._first_low_t if self._first_low_t is not None else t_s)
                if self._dip_t is not None:
                    # the whole foot was more than half-way down since then (the hysteresis waits for
                    # the lagging ankle).  Rendered holds (main set, slsgh, res, tdcal, slstw): mean
                    # |touch-down error| 0.094 → 0.056 s on the 39 calibration holds, 0.097 → 0.066 s
                    # on the 86 test holds; medians unchanged (0.067 s); no hold, touch-down count or sway changed
                    t_on = min(t_on, self._dip_t)
                self.finished.append(Lift(lifted, self.current.t_off, t_on, self.current.observed))
                self._last_down = (lifted, t_on)
                self.current = None
                self._low_lift = False
                self._tap_clear()
                self.state = "both"
            elif self._low_lift:
                self._tap_step(t_s, lifted, base, elev, ankle)
        return self.state

    def _tap_clear(self) -> None:
        self._tap_level.clear()
        self._dip_t, self._dip_down = None, False
        self._sag = False

    def _tap_step(self, t_s: float, lifted: str, base: tuple[float, float, float], elev: float, ankle: float) -> None:
        """A frame of a low lift still up: follow its image level and its dips.  A dip begins when the
        lowest point and the ankle are both within :data:`TAP_FRAC` of the level and ends when one of
        them is back above :data:`TAP_UP_FRAC` of it; one of :data:`MIN_DOWN_S` to :data:`TAP_MAX_S`
        ends the lift at the dip's first frame and starts the next one at this frame (a tap; the
        module docstring).  A longer one is a sag: its frames become the level."""
        sign = 1.0 if lifted == "right" else -1.0
        lowest, ank = sign * (elev - base[0]), sign * (ankle - base[2])
        if not (np.isfinite(lowest) and np.isfinite(ank)):
            return
        while self._tap_level and self._tap_level[0][0] < t_s - TAP_LEVEL_S:
            self._tap_level.popleft()
        ratio = None   # how far up the foot is, as the fraction of its level the higher point shows
        if self._tap_level and t_s - self._tap_level[0][0] >= TAP_LEVEL_MIN_S:
            lv_low, lv_ank = np.median(np.array([v[1:] for v in self._tap_level]), axis=0)
            if lv_low > LOW_IMAGE_FL and lv_ank > LOW_IMAGE_FL:   # the image showed the whole foot up
                ratio = max(lowest / lv_low, ank / lv_ank)
        if ratio is not None and self._dip_t is not None and not self._sag:
            if ratio < TAP_UP_FRAC and t_s - self._dip_t <= TAP_MAX_S:
                self._dip_down = t_s - self._dip_t >= MIN_DOWN_S
                return                               # still down: no level sample
            if ratio >= TAP_UP_FRAC and MIN_DOWN_S <= t_s - self._dip_t <= TAP_MAX_S:
                # down long enough and up again soon enough: a tap
                assert self.current is not None
                self.finished.append(Lift(lifted, self.current.t_off, self._dip_t, self.current.observed))
                self._last_down = (lifted, self._dip_t)
                self.current = Lift(lifted, t_s, None, observed=True)
                self._first_low_t = self._hover_t = None
            self._sag = ratio < TAP_UP_FRAC          # held down too long: a sag, the foot's new level
            self._dip_t, self._dip_down = None, False
        elif ratio is None:
            self._dip_t, self._dip_down, self._sag = None, False, False
        elif self._sag:
            self._sag = ratio < TAP_UP_FRAC
        elif ratio <= TAP_FRAC:
            self._dip_t = t_s
            return
        self._tap_level.append((t_s, lowest, ank))

    def _rise_start(self, lifted: str, t_found: float) -> float:
        """Lift-off: the first frame of the rise that led to ``t_found`` (:data:`FLOOR_FL`), or
        ``t_found`` when no frame at floor level is within :data:`EDGE_BACK_S` before it.  Never
        before the last touch-down."""
        sign = 1.0 if lifted == "right" else -1.0
        after = t_found
        for t, e in reversed(self._recent):
            if t > t_found:
                continue
            if self._last_down is not None and t <= self._last_down[1]:
                return t_found
            if np.isfinite(e) and sign * e <= FLOOR_FL:
                return after
            after = t
        return t_found

    def _landing(self, lifted: str, t_first_low: float) -> float:
        """Touch-down: the first frame from ``t_first_low`` on with the foot at floor level
        (:data:`FLOOR_FL`), or ``t_first_low`` when none is seen yet."""
        sign = 1.0 if lifted == "right" else -1.0
        for t, e in self._recent:
            if t >= t_first_low and np.isfinite(e) and sign * e <= FLOOR_FL:
                return t
        return t_first_low

    def _low_confirm_s(self, side: str, since: float) -> float:
        """How long low-lift evidence must last: :data:`LOW_CONFIRM_S`, or :data:`MIN_DOWN_S` for the
        same foot going up again within :data:`RELIFT_S` of setting down (a toe tap in a low hold)."""
        if self._last_down is not None and self._last_down[0] == side and since - self._last_down[1] <= RELIFT_S:
            return MIN_DOWN_S
        return LOW_CONFIRM_S
