"""Which foot is on the floor: a small hysteresis state machine on the feet's relative elevation.

Input per frame: ``elev_right_minus_left`` (FL, see ``kinematics.py``): how much higher the lowest
point (heel or toe, whichever is lower in the image) of the right foot is than that of the left.
Using the *difference* between the feet makes it independent of camera height, tilt and handheld
drift; using each foot's lowest point makes a heel raise (toes stay down) not look like a lift.

States: ``both`` (both feet down), ``left`` (standing on the left, right foot lifted), ``right``,
``unknown`` (no usable pair of feet).  The standing offset between the feet (from the side the far
foot looks a little higher) is the running median of the elevation while both feet are down.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

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
        self._offsets: deque[float] = deque(maxlen=OFFSET_WINDOW)
        self._first_low_t: float | None = None  # first time the lifted foot dropped below the enter level
        self._last_t: float | None = None
        self.current: Lift | None = None
        self.finished: list[Lift] = []  # lifts that ended in the last step (drained by the caller)

    @property
    def offset(self) -> float:
        return float(np.median(self._offsets)) if self._offsets else 0.0

    @property
    def pending_touchdown_t(self) -> float | None:
        """Time the lifted foot came down if it is down but not yet confirmed (end of a stream)."""
        return self._first_low_t if self.current is not None else None

    def reset(self) -> None:
        """Forget the standing offset (after a cut)."""
        self._offsets.clear()
        self._t_cal0 = None

    def step(self, t_s: float, elev: float) -> str:
        self.finished = []
        if not np.isfinite(elev):
            if self._last_t is not None and t_s - self._last_t > MAX_GAP_S:
                if self.current is not None:
                    self.finished.append(Lift(self.current.lifted_side, self.current.t_off, None, self.current.observed))
                    self.current = None
                self.state = "unknown"
            return self.state
        self._last_t = t_s
        if self.calibrate_s > 0 and self.current is None and (self._t_cal0 is None or t_s - self._t_cal0 < self.calibrate_s):
            if self._t_cal0 is None:
                self._t_cal0 = t_s
            self._offsets.append(elev)
            self.state = "both"
            return self.state
        e = elev - self.offset
        if self.state in ("both", "unknown"):
            if e > self.enter_fl or e < -self.enter_fl:
                lifted = "right" if e > 0 else "left"
                # seen leaving the floor only when both feet were seen down just before
                self.current = Lift(lifted, t_s, None, observed=self.state == "both")
                self._first_low_t = None
                self.state = "left" if lifted == "right" else "right"
            else:
                self.state = "both"
                if abs(e) < self.exit_fl:
                    self._offsets.append(elev)
        else:
            lifted = "right" if self.state == "left" else "left"
            e_l = e if lifted == "right" else -e
            if e_l <= self.enter_fl:
                if self._first_low_t is None:
                    self._first_low_t = t_s
            else:
                self._first_low_t = None
            if e_l < self.exit_fl and self._first_low_t is not None and t_s - self._first_low_t >= MIN_DOWN_S:
                assert self.current is not None
                t_on = self._first_low_t if self._first_low_t is not None else t_s
                self.finished.append(Lift(lifted, self.current.t_off, t_on, self.current.observed))
                self.current = None
                self.state = "both"
        return self.state
