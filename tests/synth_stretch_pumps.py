"""Synthetic landmark streams with exact truth for the standing calf stretch and ankle pumps.

Same conventions as ``tests/synth.py`` (Drillis–Contini proportions, orthographic camera plus the
cue that nearer points look lower, Gaussian landmark jitter at the levels measured on real
footage), but physically consistent views: body axes x = subject's left, y = up, d = forward.

* :func:`stretch` — a staggered stance that lunges into a calf stretch and comes out again, seen
  from the side (subject's right side to the camera, facing image right, like the rendered
  sample) or the front.  Faults: back heel lifted, back knee bent (gastrocnemius fault) for a
  window, the whole hold with the knee bent (soleus variant), back foot turned out.
* :func:`pumps` — seated, legs extended, heels on the floor: ankle pumps (point, then pull) seen
  from a yaw angle (0 = straight in front, 45 = three-quarter, 90 = side).  Faults: small range on
  chosen reps, the whole leg swinging on chosen reps, ankle circles instead of pumps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from footform.core.landmarks import LM, NUM_LANDMARKS, PoseFrame

JITTER_PX = {"ankle": (1.7, 1.5), "heel": (1.4, 1.85), "toe": (2.35, 2.1), "other": (1.5, 1.5)}
_FEET = {LM.LEFT_ANKLE: "ankle", LM.RIGHT_ANKLE: "ankle", LM.LEFT_HEEL: "heel", LM.RIGHT_HEEL: "heel",
         LM.LEFT_FOOT_INDEX: "toe", LM.RIGHT_FOOT_INDEX: "toe"}


def _ramp(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * u)


def _window(t: float, w: tuple[float, float] | None, ramp: float = 0.3) -> float:
    """0 outside the window, 1 inside, cosine ramps of ``ramp`` s inside its ends."""
    if w is None:
        return 0.0
    a, b = w
    if t < a or t > b:
        return 0.0
    return min(_ramp((t - a) / ramp), _ramp((b - t) / ramp))


def _project(P: np.ndarray, yaw_deg: float, width: int, img_h: int, px_per_m: float, rng: np.random.Generator,
             jitter: float, t: float, index: int) -> PoseFrame:
    """Body points (x left, y up, d forward; metres) → PoseFrame seen from ``yaw_deg``.

    yaw 0: the subject faces the camera (their left is image right); yaw 90: their right side faces
    the camera and they face image right.  Nearer points look lower (camera above the floor: a foot 1 FL deep spans 0.4 FL of image height,
    so that a foot seen end-on from the front has the 0.15–0.45 foot/shank image ratio measured on real
    front clips, view.FOOT_TO_SHANK_RANGE).
    """
    a = math.radians(yaw_deg)
    # image-right component and towards-camera component of each point
    u = P[:, 0] * math.cos(a) + P[:, 2] * math.sin(a)
    depth = P[:, 2] * math.cos(a) - P[:, 0] * math.sin(a)
    cx, floor_y = width * 0.5, img_h * 0.85
    img = np.zeros((NUM_LANDMARKS, 5), np.float32)
    X = cx + u * px_per_m
    Y = floor_y - P[:, 1] * px_per_m + 0.4 * depth * px_per_m
    hip_mid = 0.5 * (P[LM.LEFT_HIP] + P[LM.RIGHT_HIP])
    hu = hip_mid[0] * math.cos(a) + hip_mid[2] * math.sin(a)
    hd = hip_mid[2] * math.cos(a) - hip_mid[0] * math.sin(a)
    world = np.stack([u - hu, -(P[:, 1] - hip_mid[1]), -(depth - hd)], axis=1).astype(np.float32)
    scale = jitter * px_per_m * 1.7 / 600.0
    for k in range(NUM_LANDMARKS):
        sx, sy = JITTER_PX[_FEET.get(k, "other")]
        img[k] = ((X[k] + rng.normal(0, sx * scale)) / width, (Y[k] + rng.normal(0, sy * scale)) / img_h,
                  -depth[k], 0.99, 0.99)
    return PoseFrame(index=index, t_s=round(t, 6), width=width, height=img_h, image=img, world=world, n_people=1)


def _upper_body(P: np.ndarray, hip_mid: np.ndarray, H: float, lean_deg: float = 0.0) -> None:
    up = np.array([0.0, math.cos(math.radians(lean_deg)), math.sin(math.radians(lean_deg))])
    for side, sx in (("LEFT", 1.0), ("RIGHT", -1.0)):
        P[getattr(LM, f"{side}_SHOULDER")] = hip_mid + np.array([sx * 0.13 * H / 1.7, 0, 0]) + 0.29 * H * up
        P[getattr(LM, f"{side}_ELBOW")] = hip_mid + np.array([sx * 0.16 * H / 1.7, 0, 0]) + 0.10 * H * up
        P[getattr(LM, f"{side}_WRIST")] = hip_mid + np.array([sx * 0.17 * H / 1.7, 0, 0]) - 0.05 * H * up
    for idx in (LM.NOSE, LM.LEFT_EYE, LM.RIGHT_EYE, LM.LEFT_EAR, LM.RIGHT_EAR, LM.MOUTH_LEFT, LM.MOUTH_RIGHT):
        P[idx] = hip_mid + 0.40 * H * up + np.array([0, 0, 0.05])


def _knee(hip: np.ndarray, ankle: np.ndarray, flex_deg: float) -> np.ndarray:
    """Knee between hip and ankle, pushed forward (+d) so the hip–knee–ankle angle is 180 − flex."""
    mid = 0.5 * (hip + ankle)
    D = float(np.linalg.norm(hip - ankle))
    axis = (hip - ankle) / D
    fwd = np.array([0.0, -axis[2], axis[1]])  # in the y-d plane, perpendicular to the leg, pointing forward
    if fwd[2] < 0:
        fwd = -fwd
    return mid + fwd * (D / 2) * math.tan(math.radians(flex_deg) / 2)


# ------------------------------------------------------------------------------- calf stretch


@dataclass
class StretchTruth:
    back: str
    hold: tuple[float, float]                       # settled in the lunge (s)
    knee_flex_deg: float                            # back knee flexion during the hold (soleus)
    heel_lift: tuple[float, float] | None = None    # window with the back heel up
    knee_bend: tuple[float, float] | None = None    # window with the back knee bent (gastrocnemius fault)
    foot_out_deg: float = 0.0


def stretch(front: str = "left", view: str = "side", stand_s: float = 2.0, in_s: float = 1.4, hold_s: float = 12.0,
            out_s: float = 1.4, after_s: float = 2.0, step_m: float = 0.75, lunge_m: float = 0.22,
            soleus_deg: float = 0.0, heel_lift: tuple[float, float, float] | None = None,
            knee_bend: tuple[float, float, float] | None = None, foot_out_deg: float = 0.0,
            fps: float = 30.0, H: float = 1.75, jitter: float = 1.0, seed: int = 0,
            width: int = 1280, img_h: int = 720) -> tuple[list[PoseFrame], StretchTruth]:
    """A standing calf stretch.  ``heel_lift`` / ``knee_bend`` = (t0, t1, metres / degrees) inside the
    hold; ``soleus_deg`` bends the back knee for the whole lunge.  Times on the clip clock (s)."""
    rng = np.random.default_rng(seed)
    back = "right" if front == "left" else "left"
    t_in, t_hold = stand_s, stand_s + in_s
    t_out = t_hold + hold_s
    total = t_out + out_s + after_s
    truth = StretchTruth(back, (t_hold, t_out), soleus_deg,
                         heel_lift[:2] if heel_lift else None, knee_bend[:2] if knee_bend else None, foot_out_deg)
    fl = 0.152 * H
    half = 0.09 * H / 1.7
    yaw = 90.0 if view == "side" else 0.0 if view == "front" else float(view)
    px_per_m = 0.8 * img_h / H
    frames = []
    n = int(round(total * fps))
    for i in range(n):
        t = i / fps
        lunge = _ramp((t - t_in) / in_s) * (1.0 - _ramp((t - t_out) / out_s))
        P = np.zeros((NUM_LANDMARKS, 3))
        pos = {front: step_m / 2, back: -step_m / 2}
        hip_d = lunge * lunge_m
        hip_y = 0.53 * H - 0.05 * lunge
        for side in ("left", "right"):
            sx = 1.0 if side == "left" else -1.0
            S = side.upper()
            ank = np.array([sx * half, 0.039 * H, pos[side]])
            heel = np.array([sx * half, 0.0, pos[side] - 0.25 * fl])
            toe = np.array([sx * half, 0.0, pos[side] + 0.75 * fl])
            hip = np.array([sx * half, hip_y, hip_d])
            flex = 5.0
            if side == back:
                lift = heel_lift[2] * _window(t, heel_lift[:2]) if heel_lift else 0.0
                heel[1] += lift
                ank[1] += 0.75 * lift
                flex += soleus_deg * lunge + (knee_bend[2] * _window(t, knee_bend[:2]) if knee_bend else 0.0)
                if foot_out_deg:
                    a = math.radians(foot_out_deg) * sx  # toe towards the subject's own side
                    for pt in (heel, toe):
                        v = pt - ank
                        pt[0] = ank[0] + v[0] * math.cos(a) + v[2] * math.sin(a)
                        pt[2] = ank[2] - v[0] * math.sin(a) + v[2] * math.cos(a)
            else:
                flex += 60.0 * lunge  # the front knee bends into the lunge
            P[getattr(LM, f"{S}_ANKLE")] = ank
            P[getattr(LM, f"{S}_HEEL")] = heel
            P[getattr(LM, f"{S}_FOOT_INDEX")] = toe
            P[getattr(LM, f"{S}_HIP")] = hip
            P[getattr(LM, f"{S}_KNEE")] = _knee(hip, ank, flex)
        _upper_body(P, 0.5 * (P[LM.LEFT_HIP] + P[LM.RIGHT_HIP]), H, lean_deg=12.0 * lunge)
        frames.append(_project(P, yaw, width, img_h, px_per_m, rng, jitter, t, i))
    return frames, truth


# ------------------------------------------------------------------------------- ankle pumps


@dataclass
class PumpTruth:
    reps: list[dict] = field(default_factory=list)   # t_start, t_plantar, t_dorsi, t_end, plantar_deg, dorsi_deg


def pumps(n: int = 5, yaw_deg: float = 45.0, legs: str = "both", cycle_s: float = 1.6, rest_s: float = 0.2,
          plantar_deg: float = 30.0, dorsi_deg: float = 15.0, lead_s: float = 1.0, small: dict[int, float] | None = None,
          leg_swing: dict[int, float] | None = None, circles: bool = False, fps: float = 30.0, H: float = 1.70,
          jitter: float = 1.0, seed: int = 0, width: int = 1280, img_h: int = 720) -> tuple[list[PoseFrame], PumpTruth]:
    """Seated ankle pumps: each cycle points the toes (first quarter), pulls them up (middle half) and
    returns (last quarter).  ``small``: {rep number: range scale}; ``leg_swing``: {rep number: deg the
    whole leg swings up about the hip}; ``circles``: the foot circles (plantar/dorsi and in/eversion
    90° out of phase) instead of pumping."""
    rng = np.random.default_rng(seed)
    truth = PumpTruth()
    small, leg_swing = small or {}, leg_swing or {}
    for r in range(n):
        t0 = lead_s + r * (cycle_s + rest_s)
        s = small.get(r + 1, 1.0)
        truth.reps.append({"t_start": t0, "t_plantar": t0 + cycle_s / 4, "t_dorsi": t0 + 3 * cycle_s / 4,
                           "t_end": t0 + cycle_s, "plantar_deg": plantar_deg * s, "dorsi_deg": dorsi_deg * s})
    total = lead_s + n * (cycle_s + rest_s) + lead_s
    fl = 0.152 * H
    half = 0.09 * H / 1.7
    px_per_m = 0.8 * img_h / H
    sides = ("left", "right") if legs == "both" else (legs,)
    frames = []
    for i in range(int(round(total * fps))):
        t = i / fps
        ang, inv, swing = 0.0, 0.0, 0.0
        for r, rep in enumerate(truth.reps):
            if rep["t_start"] <= t < rep["t_end"]:
                u = (t - rep["t_start"]) / cycle_s
                if circles:
                    ang = 0.5 * (plantar_deg + dorsi_deg) * math.sin(2 * math.pi * u)
                    inv = 20.0 * math.cos(2 * math.pi * u) - 20.0 * (1 - _ramp(u / 0.1))
                else:
                    ang = (rep["plantar_deg"] * _ramp(u / 0.25) if u < 0.25 else
                           rep["plantar_deg"] - (rep["plantar_deg"] + rep["dorsi_deg"]) * _ramp((u - 0.25) / 0.5) if u < 0.75
                           else -rep["dorsi_deg"] * (1 - _ramp((u - 0.75) / 0.25)))
                swing = leg_swing.get(r + 1, 0.0) * math.sin(math.pi * u)
        P = np.zeros((NUM_LANDMARKS, 3))
        hip_y = 0.48
        for side in ("left", "right"):
            sx = 1.0 if side == "left" else -1.0
            S = side.upper()
            hip = np.array([sx * half, hip_y, 0.0])
            knee = hip + np.array([0.0, 0.02, 0.245 * H])
            ankle = np.array([sx * half, 0.039 * H + 0.04, knee[2] + 0.2 * H])
            ankle[1] = 0.08
            shank = ankle - knee
            ankle = knee + shank / np.linalg.norm(shank) * 0.246 * H
            a = math.radians(ang if side in sides else 0.0)
            b = math.radians(inv if side in sides else 0.0)
            # foot at rest: perpendicular to the shank, pointing up-forward; rotate by plantar angle a
            sh_u = (knee - ankle) / np.linalg.norm(knee - ankle)
            perp = np.array([0.0, sh_u[2], -sh_u[1]])
            if perp[2] < 0:
                perp = -perp
            foot_dir = perp * math.cos(a) - sh_u * math.sin(a)
            foot_dir = foot_dir * math.cos(b) + np.array([sx, 0.0, 0.0]) * math.sin(b)
            heel = ankle - 0.25 * fl * foot_dir - 0.05 * sh_u
            toe = ankle + 0.75 * fl * foot_dir - 0.03 * sh_u
            if side in sides and swing:
                c, s_ = math.cos(math.radians(swing)), math.sin(math.radians(swing))
                for pt in (knee, ankle, heel, toe):  # the leg swings up about the hip
                    v = pt - hip
                    pt[1], pt[2] = hip[1] + v[1] * c + v[2] * s_, hip[2] - v[1] * s_ + v[2] * c
            P[getattr(LM, f"{S}_HIP")] = hip
            P[getattr(LM, f"{S}_KNEE")] = knee
            P[getattr(LM, f"{S}_ANKLE")] = ankle
            P[getattr(LM, f"{S}_HEEL")] = heel
            P[getattr(LM, f"{S}_FOOT_INDEX")] = toe
        _upper_body(P, 0.5 * (P[LM.LEFT_HIP] + P[LM.RIGHT_HIP]), H, lean_deg=-10.0)
        frames.append(_project(P, yaw_deg, width, img_h, px_per_m, rng, jitter, t, i))
    return frames, truth
