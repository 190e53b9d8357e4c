"""Synthetic landmark streams with exact ground truth, for testing kinematics and exercise logic.

A simple kinematic model of a standing person (Drillis–Contini proportions) seen from the front,
back or side by a still pinhole-ish camera (orthographic, plus the perspective cue that a foot
nearer the camera looks lower).  The script of the clip is a list of segments::

    still(1.0), rep(height_m=0.06, rise=0.5, top=0.5, lower=0.8), pause(1.0),
    lift("right", 10.0, height_m=0.25, sway_m=0.01, sway_hz=0.5, wobble_deg=2.0, wobble_hz=3.0)

What the pose model does to a heel raise is modelled as measured on rendered people
(docs/metrics.md "What the pose model sees of a heel raise"): the reported heel rises by ``HEEL_GAIN[view] × h``; from the front the toe point
rises with it, so heel-above-toe changes by only 10 % of that (from behind 20 %); the ankle and the whole body rise
by ``0.75 h`` (the ankle sits ~3/4 of the way from the ball of the foot to the heel).  Landmark
jitter is Gaussian at the levels measured on real footage (shared/footage/README.md, 1280x720).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from footform.core.landmarks import LM, NUM_LANDMARKS, PoseFrame
from footform.exercises.contact import FLOOR_FL

HEEL_GAIN = {"side": 0.83, "back": 0.665, "front": 0.55}
#: Share of the reported heel rise that heel-above-toe keeps where the toe point rises with the
#: heel: from the front 10 %; straight from behind 20 % (rendered rear sample, 8 cm raises:
#: heel-above-toe 0.01–0.10 FL while the heel rose 0.22–0.30 FL in the image).
TOE_RISES_WITH_HEEL = {"front": 0.1, "back": 0.2}
#: Jitter σ in pixels at 1280x720 (x, y) — shared/footage/README.md.
JITTER_PX = {"ankle": (1.7, 1.5), "heel": (1.4, 1.85), "toe": (2.35, 2.1), "other": (1.5, 1.5)}


@dataclass
class Seg:
    kind: str
    dur: float
    height_m: float = 0.0
    rise: float = 0.0
    top: float = 0.0
    lower: float = 0.0
    side: str = ""
    sway_m: float = 0.0
    sway_hz: float = 0.0
    wobble_deg: float = 0.0
    wobble_hz: float = 0.0
    #: injected faults: heel drift towards the midline at the top of a rep (m, + = sickling);
    #: stance ankle sinking medially over the foot during a lift (m, arch-collapse); free-side hip
    #: drop during a lift (deg)
    heel_in_m: float = 0.0
    arch_m: float = 0.0
    pelvic_drop_deg: float = 0.0


def still(dur: float) -> Seg:
    return Seg("still", dur)


pause = still


def rep(height_m: float = 0.06, rise: float = 0.5, top: float = 0.5, lower: float = 0.8, heel_in_m: float = 0.0) -> Seg:
    return Seg("rep", rise + top + lower, height_m=height_m, rise=rise, top=top, lower=lower, heel_in_m=heel_in_m)


def lift(side: str, dur: float, height_m: float = 0.25, sway_m: float = 0.0, sway_hz: float = 0.5,
         wobble_deg: float = 0.0, wobble_hz: float = 3.0, arch_m: float = 0.0, pelvic_drop_deg: float = 0.0) -> Seg:
    """Lift ``side`` foot for ``dur`` s (0.3 s up and down ramps inside), with sway and wobble."""
    return Seg("lift", dur, height_m=height_m, side=side, sway_m=sway_m, sway_hz=sway_hz, arch_m=arch_m,
               pelvic_drop_deg=pelvic_drop_deg,
               wobble_deg=wobble_deg, wobble_hz=wobble_hz)


@dataclass
class Truth:
    reps: list[dict] = field(default_factory=list)      # t_start, t_top (middle of top), t_end, height_m
    lifts: list[dict] = field(default_factory=list)     # side, t_off, t_on (foot off the floor)


def _ramp(u: float) -> float:
    """Smooth 0→1 (cosine) for u in [0, 1]."""
    u = min(max(u, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * u)


def generate(segments: list[Seg], view: str = "front", fps: float = 30.0, height_m: float = 1.70,
             width: int = 1280, img_h: int = 720, person_px: float = 600.0, jitter: float = 1.0,
             seed: int = 0, vfr: float = 0.0, feet_visibility: float = 0.95, t0: float = 0.0,
             single_leg_side: str | None = None, single_leg_lift_m: float = 0.2,
             cut_at: list[float] | None = None) -> tuple[list[PoseFrame], Truth]:
    """Render the script into PoseFrames.

    ``view``: "front", "back", "side" (subject's left side to the camera, facing image right).
    ``vfr``: relative frame-interval jitter (variable frame rate).  ``single_leg_side``: stand on
    that leg for the whole clip (the other foot held up by ``single_leg_lift_m``) — single-leg
    calf raises.  ``cut_at``: times at which the camera jumps (the person shifts in the image).
    """
    rng = np.random.default_rng(seed)
    truth = Truth()
    total = sum(s.dur for s in segments)
    # -- timeline of states -------------------------------------------------------------------
    t_list = []
    t = t0
    while t < t0 + total:
        t_list.append(t)
        step = 1.0 / fps
        if vfr:
            step *= 1.0 + vfr * rng.uniform(-1, 1)
        t += step
    bounds = []
    acc = t0
    for s in segments:
        bounds.append((acc, acc + s.dur, s))
        if s.kind == "rep":
            truth.reps.append({"t_start": acc, "t_top": acc + s.rise + s.top / 2, "t_end": acc + s.dur,
                               "height_m": s.height_m})
        if s.kind == "lift":
            # footform's lift-off / touch-down time: the lifted foot's lowest point passes FLOOR_FL
            # foot lengths (× 0.152 H) above the stance foot's on the rise (or fall) that crossed its
            # 0.5 FL lift level (exercises/contact.py)
            level = min(FLOOR_FL * 0.152 * height_m / s.height_m, 1.0)
            if s.dur > 0.6:
                frac = math.acos(1 - 2 * level) / math.pi
                truth.lifts.append({"side": s.side, "t_off": acc + 0.3 * frac, "t_on": acc + s.dur - 0.3 * frac})
            else:
                frac = math.asin(level) / math.pi
                truth.lifts.append({"side": s.side, "t_off": acc + s.dur * frac, "t_on": acc + s.dur * (1 - frac)})
        acc += s.dur

    px_per_m = person_px / height_m
    H = height_m
    frames: list[PoseFrame] = []
    cx, floor_y = width * 0.5, img_h * 0.5 + person_px * 0.5
    shift = np.zeros(2)
    cuts = sorted(cut_at or [])
    gain = HEEL_GAIN["side" if view == "side" else view]
    fl_m = 0.152 * H
    for i, t in enumerate(t_list):
        while cuts and t >= cuts[0]:
            cuts.pop(0)
            shift = shift + np.array([rng.choice([-1.0, 1.0]) * rng.uniform(150, 250), rng.uniform(-50, -10)])
        h = 0.0
        lifted = {"left": 0.0, "right": 0.0}
        sway = 0.0
        wob = 0.0
        heel_in = 0.0
        arch = 0.0
        pdrop = 0.0
        for a, b, s in bounds:
            if not (a <= t < b):
                continue
            u = t - a
            if s.kind == "rep":
                if u < s.rise:
                    h = s.height_m * _ramp(u / s.rise)
                elif u < s.rise + s.top:
                    h = s.height_m
                else:
                    h = s.height_m * (1 - _ramp((u - s.rise - s.top) / s.lower))
                heel_in = s.heel_in_m * (h / s.height_m if s.height_m else 0.0)
            elif s.kind == "lift":
                up = _ramp(u / 0.3) * (1 - _ramp((u - (s.dur - 0.3)) / 0.3)) if s.dur > 0.6 else math.sin(math.pi * u / s.dur)
                lifted[s.side] = s.height_m * up
                sway = s.sway_m * math.sin(2 * math.pi * s.sway_hz * u)
                wob = s.wobble_deg * math.sin(2 * math.pi * s.wobble_hz * u)
                arch = s.arch_m * up
                pdrop = s.pelvic_drop_deg * up
        if single_leg_side is not None:
            other = "right" if single_leg_side == "left" else "left"
            lifted[other] = max(lifted[other], single_leg_lift_m)
        # -- body in metres: x = subject's left (+), y = up, d = towards the camera (+) ----------
        P = np.zeros((NUM_LANDMARKS, 3))
        body_up = 0.75 * h
        stance_side = None
        if lifted["left"] > 0.02 and lifted["right"] <= 0.02:
            stance_side = "right"
        elif lifted["right"] > 0.02 and lifted["left"] <= 0.02:
            stance_side = "left"
        half = 0.09 * H / 1.70
        for side, sx in (("left", 1.0), ("right", -1.0)):
            fx = sx * half
            heel_up = h if (stance_side in (None, side)) else 0.0
            # a free foot hangs from the body: it rises with it during a single-leg raise
            lf = lifted[side] + (body_up if stance_side not in (None, side) else 0.0)
            ank = np.array([fx, 0.039 * H + 0.75 * heel_up + lf, 0.0])
            heel = np.array([fx, 0.0 + heel_up + lf, -0.25 * fl_m])
            toe = np.array([fx, 0.0 + lf, 0.75 * fl_m])
            knee = np.array([fx, 0.285 * H + 0.75 * h + lf * 0.5, 0.0 + lf * 0.8])
            hip = np.array([fx, 0.53 * H + body_up, 0.0])
            heel[0] -= sx * heel_in  # towards the midline
            P[getattr(LM, f"{side.upper()}_ANKLE")] = ank
            P[getattr(LM, f"{side.upper()}_HEEL")] = heel
            P[getattr(LM, f"{side.upper()}_FOOT_INDEX")] = toe
            P[getattr(LM, f"{side.upper()}_KNEE")] = knee
            P[getattr(LM, f"{side.upper()}_HIP")] = hip
            P[getattr(LM, f"{side.upper()}_SHOULDER")] = np.array([sx * 0.13 * H / 1.7, 0.818 * H + body_up, 0.0])
            P[getattr(LM, f"{side.upper()}_ELBOW")] = np.array([sx * 0.16 * H / 1.7, 0.63 * H + body_up, 0.0])
            P[getattr(LM, f"{side.upper()}_WRIST")] = np.array([sx * 0.17 * H / 1.7, 0.48 * H + body_up, 0.0])
        for idx in (LM.NOSE, LM.LEFT_EYE, LM.RIGHT_EYE, LM.LEFT_EAR, LM.RIGHT_EAR, LM.MOUTH_LEFT, LM.MOUTH_RIGHT):
            P[idx] = np.array([0.0, 0.93 * H + body_up, 0.05])
        # single-leg stance: body shifts over the stance foot, sways, the stance shank wobbles
        if stance_side is not None:
            sx = 1.0 if stance_side == "left" else -1.0
            upper = [LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.NOSE, LM.LEFT_EYE,
                     LM.RIGHT_EYE, LM.LEFT_EAR, LM.RIGHT_EAR, LM.MOUTH_LEFT, LM.MOUTH_RIGHT, LM.LEFT_ELBOW,
                     LM.RIGHT_ELBOW, LM.LEFT_WRIST, LM.RIGHT_WRIST]
            # the lifted leg hangs from the pelvis: it goes with the body's shift and sway
            free = "right" if stance_side == "left" else "left"
            upper += [getattr(LM, f"{free.upper()}_{j}") for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
            move = sx * half + sway
            axis = 0 if view != "side" else 2
            for idx in upper:
                P[idx, 0] += move
                if axis == 2:
                    P[idx, 2] += sway  # from the side the sway seen is antero-posterior
                    P[idx, 0] -= sway
            knee_i = getattr(LM, f"{stance_side.upper()}_KNEE")
            ank_i = getattr(LM, f"{stance_side.upper()}_ANKLE")
            shank = P[knee_i, 1] - P[ank_i, 1]
            # + wob = knee lateral of the ankle
            P[knee_i, 0] += sx * shank * math.sin(math.radians(wob))
            # arch collapse: the stance ankle sinks medially over the foot
            P[ank_i, 0] -= sx * arch
            P[ank_i, 1] -= 0.5 * arch
            # pelvic drop: the free-side hip lowers
            free_hip = LM.RIGHT_HIP if stance_side == "left" else LM.LEFT_HIP
            P[free_hip, 1] -= 2 * half * math.tan(math.radians(pdrop))
        # -- project -------------------------------------------------------------------------
        img = np.zeros((NUM_LANDMARKS, 5), np.float32)
        world = np.zeros((NUM_LANDMARKS, 3), np.float32)
        hip_mid = 0.5 * (P[LM.LEFT_HIP] + P[LM.RIGHT_HIP])
        for k in range(NUM_LANDMARKS):
            x, y, d = P[k]
            if view == "front":
                u_m, depth = x, d
            elif view == "back":
                u_m, depth = -x, -d
            else:  # side: subject's left side to the camera, facing image right
                u_m, depth = d, x
            # perspective cue: nearer the camera looks lower in the image (camera above the floor)
            X = cx + u_m * px_per_m
            Y = floor_y - y * px_per_m + 0.6 * depth * px_per_m
            X += shift[0]
            Y += shift[1]
            img[k] = (X / width, Y / img_h, -depth, 0.99, 0.99)
            world[k] = ((u_m - (hip_mid[0] if view != "side" else hip_mid[2])), -(y - hip_mid[1]),
                        -(depth - (hip_mid[2] if view != "side" else hip_mid[0])))
        # the model's partial heel: pull the reported heel back towards the no-raise position
        for side in ("left", "right"):
            heel_i = getattr(LM, f"{side.upper()}_HEEL")
            toe_i = getattr(LM, f"{side.upper()}_FOOT_INDEX")
            heel_up = h if (stance_side in (None, side)) else 0.0
            if heel_up > 0:
                missing = (1.0 - gain) * heel_up * px_per_m
                img[heel_i, 1] += missing / img_h
                if view in TOE_RISES_WITH_HEEL:
                    # the toe point rises with the heel: heel-above-toe keeps only part of the rise
                    img[toe_i, 1] -= (1.0 - TOE_RISES_WITH_HEEL[view]) * gain * heel_up * px_per_m / img_h
        # visibility of the feet
        for idx in (LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL, LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX):
            img[idx, 3] = feet_visibility
            img[idx, 4] = feet_visibility
        # jitter
        if jitter > 0:
            scale = jitter * person_px / 600.0
            for k in range(NUM_LANDMARKS):
                name = "other"
                if k in (LM.LEFT_ANKLE, LM.RIGHT_ANKLE):
                    name = "ankle"
                elif k in (LM.LEFT_HEEL, LM.RIGHT_HEEL):
                    name = "heel"
                elif k in (LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX):
                    name = "toe"
                sx_, sy_ = JITTER_PX[name]
                img[k, 0] += rng.normal(0, sx_ * scale) / width
                img[k, 1] += rng.normal(0, sy_ * scale) / img_h
        frames.append(PoseFrame(index=i, t_s=round(t, 6), width=width, height=img_h, image=img, world=world, n_people=1))
    return frames, truth


def empty(n: int = 60, fps: float = 30.0) -> list[PoseFrame]:
    """Frames with no person."""
    return [PoseFrame(index=i, t_s=i / fps, width=1280, height=720) for i in range(n)]
