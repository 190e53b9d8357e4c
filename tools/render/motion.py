"""Exercise programs: a scenario becomes per-frame control signals plus the commanded events.

Pure numpy, no body model: every signal is a float array over the frames of the clip.  The body
stage (:mod:`tools.render.body`) turns the controls of one frame into a posed mesh; the truth
stage measures the rendered geometry, so the commanded values here are intentions (what the
person tries to do) and the truth file reports what the mesh actually did.

Signals (``Program.signals``; suffix ``_l``/``_r`` = the subject's left/right leg):

* ``heel_cm_l/_r``   commanded heel lift of a planted foot, cm (rotation about the ball of the foot)
* ``heel_in_l/_r``   heel-in rotation of a raised foot, deg (+ = heel medial = inversion/sickling,
  − = eversion)
* ``arch_l/_r``      arch-collapse (pronation) roll of a planted foot, deg
* ``valgus_l/_r``    knee valgus: medial shift of the knee, as the knee's frontal angle in deg
* ``lift_l/_r``      free-leg lift 0..1 (0 = foot on the floor, 1 = fully lifted)
* ``pump_l/_r``      seated ankle angle, deg (+ = toes pointed / plantar flexion, − = pulled up)
* ``shift_ml``       weight shift of the pelvis towards the subject's right, m (− = left)
* ``sway_ml/_ap``    sway of the body over the feet at centre-of-mass height, m (+ = right/forward)
* ``hip_drop``       pelvic drop on the free-leg side, deg (+ = the unsupported side drops)
* ``lean_ml/_ap``    trunk lean, deg (+ = towards the subject's right / forwards)
* ``stretch``        calf-stretch lunge 0..1
* ``arms_up``        arms raised sideways to overhead 0..1 (``arms = overhead``, during the holds)

How the lifted free leg looks (``exercise.free_leg``: bent knee, a low level lift, tree pose) is
the body stage's business: the signal is only how far the lift has gone (``lift_l/_r``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.render.scenario import Fault, Scenario

SIGNALS = (
    "heel_cm_l", "heel_cm_r", "heel_in_l", "heel_in_r", "arch_l", "arch_r", "valgus_l", "valgus_r",
    "lift_l", "lift_r", "pump_l", "pump_r", "shift_ml", "sway_ml", "sway_ap", "hip_drop",
    "lean_ml", "lean_ap", "stretch", "arms_up",
)


def min_jerk(u: np.ndarray) -> np.ndarray:
    """Minimum-jerk blend 0→1 for u in [0, 1] (clipped outside): 10u³ − 15u⁴ + 6u⁵."""
    u = np.clip(u, 0.0, 1.0)
    return u**3 * (10.0 - 15.0 * u + 6.0 * u**2)


def ramp(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before t0, 1 after t1, minimum-jerk in between."""
    if t1 <= t0:
        return (t >= t0).astype(float)
    return min_jerk((t - t0) / (t1 - t0))


def window(t: np.ndarray, start: float, end: float, onset: float) -> np.ndarray:
    """1 inside [start + onset, end − onset], ramping up/down over ``onset`` s at either end."""
    onset = max(1e-3, min(onset, 0.5 * (end - start)))
    return ramp(t, start, start + onset) * (1.0 - ramp(t, end - onset, end))


@dataclass
class Rep:
    """A commanded repetition (calf raise or ankle pump), times in s."""

    number: int
    side: str  # "both", "left" or "right"
    start_s: float
    top_s: float  # top reached (start of the hold at the top)
    top_end_s: float  # lowering starts
    end_s: float
    target: float  # commanded heel lift, cm (ankle pumps: plantar-flexion peak, deg)
    partial: bool = False  # calf_raise: raised only ``partial_fraction`` of the way on purpose


@dataclass
class Hold:
    """A commanded hold (single-leg stance or calf stretch), times in s."""

    kind: str  # "single_leg_stance" or "calf_stretch"
    side: str  # stance leg (single-leg stance) or stretched (back) leg (calf stretch)
    start_s: float  # lift-off of the free foot / full stretch reached
    end_s: float  # touch-down / stretch released
    move_start_s: float  # the lift / lunge begins
    move_end_s: float  # the foot is back down / upright again


@dataclass
class FaultWindow:
    kind: str
    side: str
    start_s: float  # the fault starts to show
    end_s: float  # the fault is gone
    magnitude: float
    unit: str
    reps: list[int] | None = None


@dataclass
class Program:
    t: np.ndarray  # frame times, s
    signals: dict[str, np.ndarray]
    reps: list[Rep] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    faults: list[FaultWindow] = field(default_factory=list)
    seated: bool = False
    phases: list[str] = field(default_factory=list)  # per frame


def _sides(side: str) -> tuple[str, ...]:
    return ("left", "right") if side == "both" else (side,)


def _suffix(side: str) -> str:
    return "_l" if side == "left" else "_r"


def _sway(sc: Scenario, t: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two-component sway: A·(sin(2πft+φ1) + w·sin(2π·2.7ft+φ2)) / (1+w), per direction, in m."""
    s = sc.sway
    out = []
    for amp_cm, fscale in ((s.ml_cm, 1.0), (s.ap_cm, 0.77)):
        f = s.freq_hz * fscale
        ph = rng.uniform(0, 2 * np.pi, size=2)
        x = np.sin(2 * np.pi * f * t + ph[0]) + s.wobble * np.sin(2 * np.pi * 2.7 * f * t + ph[1])
        out.append(amp_cm / 100.0 * x / (1.0 + s.wobble))
    return out[0], out[1]


def _arm_raises(t: np.ndarray, holds: list[Hold], cycles: int) -> np.ndarray:
    """Arms raised overhead during each hold: ``cycles`` raise-and-lower cycles spread over the hold
    (from 0.8 s after lift-off to 0.8 s before touch-down), each up in 1.5 s, held, down in 1.5 s
    (shorter when the hold is short)."""
    up = np.zeros_like(t)
    for hd in holds:
        a, b = hd.start_s + 0.8, hd.end_s - 0.8
        if b <= a:
            continue
        seg = (b - a) / cycles
        move = min(1.5, 0.35 * seg)
        for c in range(cycles):
            s0, s1 = a + c * seg, a + (c + 1) * seg
            up = np.maximum(up, ramp(t, s0, s0 + move) * (1 - ramp(t, s1 - move, s1)))
    return up


def build_program(sc: Scenario) -> Program:
    """Turn a scenario into per-frame control signals and commanded events."""
    ex = sc.exercise
    rng = np.random.default_rng(sc.clip.seed)
    fps = sc.clip.fps
    lead_in, lead_out = sc.clip.lead_in_s, sc.clip.lead_out_s

    # --- timeline of the exercise (commanded events) -------------------------------------
    reps: list[Rep] = []
    holds: list[Hold] = []
    faults_by_rep: dict[int, list[Fault]] = {}
    for f in sc.faults:
        for r in f.reps or []:
            faults_by_rep.setdefault(r, []).append(f)

    if ex.kind == "calf_raise":
        t0 = lead_in
        for i in range(1, ex.reps + 1):
            jit = 1.0 + ex.height_jitter * rng.uniform(-1.0, 1.0)
            down = ex.down_s
            for f in faults_by_rep.get(i, []):
                if f.kind == "fast_lowering":
                    down = float(f.magnitude)
            start, top = t0, t0 + ex.up_s
            top_end = top + ex.top_s
            end = top_end + down
            partial = i in ex.partial_reps
            reps.append(Rep(i, ex.legs if ex.legs != "double" else "both", start, top, top_end, end,
                            ex.raise_height_cm * jit * (ex.partial_fraction if partial else 1.0), partial))
            t0 = end + ex.rest_s
        duration = (reps[-1].end_s if reps else lead_in) + lead_out
    elif ex.kind == "ankle_pumps":
        t0 = lead_in
        for i in range(1, ex.reps + 1):
            c = ex.cycle_s
            reps.append(Rep(i, ex.legs if ex.legs != "double" else "both", t0, t0 + 0.25 * c,
                            t0 + 0.25 * c, t0 + c, ex.plantar_deg))
            t0 += c + ex.rest_s
        duration = (reps[-1].end_s if reps else lead_in) + lead_out
    elif ex.kind == "single_leg_stance":
        t0 = lead_in
        for _ in range(ex.holds):
            holds.append(Hold("single_leg_stance", ex.stance, t0 + ex.lift_s, t0 + ex.lift_s + ex.hold_s,
                              t0, t0 + 2 * ex.lift_s + ex.hold_s))
            t0 = holds[-1].move_end_s + 1.5
        duration = holds[-1].move_end_s + lead_out
    else:  # calf_stretch
        back = "right" if ex.front == "left" else "left"
        t0 = lead_in
        for _ in range(ex.holds):
            holds.append(Hold("calf_stretch", back, t0 + ex.transition_s, t0 + ex.transition_s + ex.stretch_s,
                              t0, t0 + 2 * ex.transition_s + ex.stretch_s))
            t0 = holds[-1].move_end_s + 1.0
        duration = holds[-1].move_end_s + lead_out

    n = int(round(duration * fps))
    t = np.arange(n) / fps
    sig = {k: np.zeros(n) for k in SIGNALS}
    phases = ["stand"] * n

    # --- exercise signals ------------------------------------------------------------------
    if ex.kind == "calf_raise":
        for rep in reps:
            h = rep.target * (ramp(t, rep.start_s, rep.top_s) - ramp(t, rep.top_end_s, rep.end_s))
            for side in _sides(rep.side):
                sig["heel_cm" + _suffix(side)] += h
            for k in range(n):
                if rep.start_s <= t[k] < rep.top_s:
                    phases[k] = "up"
                elif rep.top_s <= t[k] < rep.top_end_s:
                    phases[k] = "top"
                elif rep.top_end_s <= t[k] < rep.end_s:
                    phases[k] = "down"
        if ex.legs in ("left", "right"):  # single-leg raise: the other foot is lifted throughout
            free = "right" if ex.legs == "left" else "left"
            lift = ramp(t, 0.3, 0.3 + 0.6) * (1 - ramp(t, duration - 0.8, duration - 0.2)) if reps else 0 * t
            sig["lift" + _suffix(free)] = lift
            sig["shift_ml"] = (1.0 if ex.legs == "right" else -1.0) * lift
    elif ex.kind == "ankle_pumps":
        for rep in reps:
            c = ex.cycle_s
            a = rep.start_s
            ang = (ex.plantar_deg * (ramp(t, a, a + 0.25 * c) - ramp(t, a + 0.25 * c, a + 0.5 * c))
                   - ex.dorsi_deg * (ramp(t, a + 0.5 * c, a + 0.75 * c) - ramp(t, a + 0.75 * c, a + c)))
            for side in _sides(rep.side):
                sig["pump" + _suffix(side)] += ang
            for k in range(n):
                if a <= t[k] < a + c:
                    phases[k] = "pump"
    elif ex.kind == "single_leg_stance":
        free = "right" if ex.stance == "left" else "left"
        for hd in holds:
            lift = ramp(t, hd.move_start_s, hd.start_s) * (1 - ramp(t, hd.end_s, hd.move_end_s))
            sig["lift" + _suffix(free)] = np.maximum(sig["lift" + _suffix(free)], lift)
            for k in range(n):
                if hd.start_s <= t[k] < hd.end_s:
                    phases[k] = "hold"
                elif hd.move_start_s <= t[k] < hd.start_s:
                    phases[k] = "lift"
                elif hd.end_s <= t[k] < hd.move_end_s:
                    phases[k] = "lower"
        # weight over the stance foot (fraction of the half stance width; body maps it to metres)
        sig["shift_ml"] = (-1.0 if ex.stance == "left" else 1.0) * sig["lift" + _suffix(free)]
        if sc.arms == "overhead":
            sig["arms_up"] = _arm_raises(t, holds, ex.arm_raises)
    else:
        for hd in holds:
            s = ramp(t, hd.move_start_s, hd.start_s) * (1 - ramp(t, hd.end_s, hd.move_end_s))
            sig["stretch"] = np.maximum(sig["stretch"], s)
            for k in range(n):
                if hd.start_s <= t[k] < hd.end_s:
                    phases[k] = "hold"
                elif hd.move_start_s <= t[k] < hd.move_end_s:
                    phases[k] = "move"

    # --- sway (during holds and the top of raises; a quiet standing sway elsewhere) -----------
    ml, ap = _sway(sc, t, rng)
    if ex.kind == "single_leg_stance" or ex.kind == "calf_stretch":
        gate = np.zeros(n)
        for hd in holds:
            gate = np.maximum(gate, window(t, hd.move_start_s, hd.move_end_s, 0.8))
        gate = 0.25 + 0.75 * gate
    elif ex.kind == "ankle_pumps":
        gate = np.zeros(n)
    else:
        gate = np.ones(n)
    sig["sway_ml"] = ml * gate
    sig["sway_ap"] = ap * gate

    # --- faults ----------------------------------------------------------------------------
    fws: list[FaultWindow] = []
    for f in sc.faults:
        unit = "s" if f.kind in ("fast_lowering", "touch_down") else "deg"
        mag = float(f.magnitude)
        if f.reps is not None:
            wins = [(r.start_s, r.end_s, r) for r in reps if r.number in f.reps]
        else:
            wins = [(float(f.start_s), float(f.end_s), None)]
        for start, end, rep in wins:
            sides = _sides(f.side)
            if f.kind in ("heel_inversion", "heel_eversion"):
                sign = 1.0 if f.kind == "heel_inversion" else -1.0
                for side in sides:
                    hk = "heel_cm" + _suffix(side)
                    peak = max(1e-6, float(np.max(sig[hk]))) if rep is None else max(1e-6, rep.target)
                    # grows with the raise: full at the top, none on the floor
                    shape = np.clip(sig[hk] / peak, 0, 1) * window(t, start, end, f.onset_s if rep is None else 1e-3)
                    sig["heel_in" + _suffix(side)] += sign * mag * shape
            elif f.kind == "arch_collapse":
                for side in sides:
                    sig["arch" + _suffix(side)] += mag * window(t, start, end, f.onset_s)
            elif f.kind == "knee_valgus":
                for side in sides:
                    sig["valgus" + _suffix(side)] += mag * window(t, start, end, f.onset_s)
            elif f.kind == "hip_drop":
                sig["hip_drop"] += mag * window(t, start, end, f.onset_s)
            elif f.kind == "trunk_lean":
                # side = the direction of the lean ("both" = forwards)
                key = "lean_ap" if f.side == "both" else "lean_ml"
                sgn = -1.0 if f.side == "left" else 1.0
                sig[key] += sgn * mag * window(t, start, end, f.onset_s)
            elif f.kind == "fast_lowering":
                if rep is not None:
                    start, end = rep.top_end_s, rep.end_s
            elif f.kind == "touch_down":
                # the free foot comes down to the floor for `mag` s (0.25 s down, 0.25 s back up)
                free = "right" if ex.stance == "left" else "left"
                end = start + 0.5 + mag
                down = ramp(t, start, start + 0.25) * (1 - ramp(t, end - 0.25, end))
                sig["lift" + _suffix(free)] *= 1.0 - down
                sides = (free,)
            fws.append(FaultWindow(f.kind, "both" if len(sides) == 2 else sides[0], start, end, mag, unit,
                                   [rep.number] if rep is not None else None))

    return Program(t=t, signals=sig, reps=reps, holds=holds, faults=fws,
                   seated=ex.kind == "ankle_pumps", phases=phases)
