"""Scenario files: what a rendered clip shows (exercise, faults, body, camera, light, degradation).

A scenario is a TOML file read with the standard library's :mod:`tomllib`; every key is optional
except ``exercise.kind``.  Unknown keys are an error (a typo must not silently render the wrong
clip).  Units are in the key names: ``_s`` seconds, ``_cm`` centimetres, ``_m`` metres, ``_deg``
degrees, ``_hz`` hertz.  docs/rendering.md documents every key; the defaults live here.

Sides (``left``/``right``) are always the subject's own sides.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from footform.errors import InputError

EXERCISES = ("calf_raise", "single_leg_stance", "calf_stretch", "ankle_pumps")
FAULT_KINDS = {
    # kind: (unit of magnitude, default magnitude, exercises where it applies)
    "heel_inversion": ("deg", 10.0, ("calf_raise",)),
    "heel_eversion": ("deg", 10.0, ("calf_raise",)),
    "arch_collapse": ("deg", 8.0, ("single_leg_stance", "calf_raise", "calf_stretch")),
    "knee_valgus": ("deg", 8.0, ("single_leg_stance", "calf_raise", "calf_stretch")),
    "hip_drop": ("deg", 6.0, ("single_leg_stance",)),
    "trunk_lean": ("deg", 10.0, EXERCISES),
    "fast_lowering": ("s", 0.25, ("calf_raise",)),
    "touch_down": ("s", 0.6, ("single_leg_stance",)),
}
VIEWS = {
    # name: azimuth of the camera in degrees, measured from the subject's front towards the
    # subject's left (0 = in front, 90 = on the subject's left side, 180 = behind).
    "front": 0.0,
    "three-quarter-left": 45.0,
    "side-left": 90.0,
    "back-three-quarter-left": 135.0,
    "back": 180.0,
    "back-three-quarter-right": -135.0,
    "side-right": -90.0,
    "three-quarter-right": -45.0,
}
SIDES = ("left", "right")
CODECS = ("mp4v", "vp09", "mjpg")


@dataclass
class Clip:
    name: str = ""
    fps: float = 30.0
    seed: int = 0
    lead_in_s: float = 1.0
    lead_out_s: float = 1.0


@dataclass
class Exercise:
    kind: str = "calf_raise"
    legs: str = "double"  # calf_raise / ankle_pumps: double | left | right
    reps: int = 5
    raise_height_cm: float = 7.0
    up_s: float = 1.0
    top_s: float = 0.5
    down_s: float = 1.5
    rest_s: float = 0.8
    height_jitter: float = 0.0  # relative rep-to-rep variation of the raise height (0.1 = ±10 %)
    partial_reps: list[int] = field(default_factory=list)  # calf_raise: 1-based reps raised only partly
    partial_fraction: float = 0.3  # their height as a fraction of raise_height_cm
    stance: str = "left"  # single_leg_stance: the leg that stays on the floor
    holds: int = 1
    hold_s: float = 8.0
    lift_s: float = 0.6
    free_hip_deg: float = 40.0
    free_knee_deg: float = 50.0
    free_leg: str = "bent"  # single_leg_stance: bent | low | tree (what the free leg does once up)
    free_lift_cm: float = 3.0  # free_leg = low: the free foot is lifted (level) this high
    tree_at: str = "calf"  # free_leg = tree: calf | thigh (where the free sole rests on the standing leg)
    arm_raises: int = 1  # arms = overhead: raise-and-lower cycles of the arms during each hold
    front: str = "left"  # calf_stretch: the front foot
    stretch_s: float = 8.0
    step_cm: float = 80.0  # calf_stretch: heel-to-heel distance front to back
    back_knee_deg: float = 0.0  # calf_stretch: 0 = gastrocnemius, ~15 = soleus variant
    lunge_cm: float = 25.0  # calf_stretch: how far the hips travel forwards into the lunge
    lean_deg: float = 12.0  # calf_stretch: forward trunk lean at full stretch
    transition_s: float = 1.2
    plantar_deg: float = 30.0  # ankle_pumps: pointing the toes
    dorsi_deg: float = 15.0  # ankle_pumps: pulling the toes up
    cycle_s: float = 1.6  # ankle_pumps: one point + pull cycle
    seat_height_cm: float = 48.0
    arms: str = ""  # sides | hips | forward | overhead ("" = the exercise's default)


@dataclass
class Sway:
    ml_cm: float = 0.0
    ap_cm: float = 0.0
    freq_hz: float = 0.35
    wobble: float = 0.3  # amplitude of a second, faster component (2.7 × freq) relative to the first


@dataclass
class Fault:
    kind: str
    side: str = "left"
    start_s: float | None = None
    end_s: float | None = None
    reps: list[int] | None = None  # calf_raise: 1-based rep numbers instead of start_s/end_s
    magnitude: float | None = None
    onset_s: float = 0.3


@dataclass
class Body:
    gender: float = 0.5
    age: float = 0.5
    muscle: float = 0.5
    weight: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    skin: list[float] = field(default_factory=lambda: [0.80, 0.62, 0.50])
    shirt: list[float] = field(default_factory=lambda: [0.15, 0.32, 0.62])
    shorts: list[float] = field(default_factory=lambda: [0.18, 0.18, 0.20])


@dataclass
class Camera:
    view: str = "front"
    azimuth_deg: float | None = None
    distance_m: float = 2.8
    height_m: float = 1.0
    target_height_m: float | None = None
    vfov_deg: float = 45.0
    width: int = 960
    height: int = 540
    roll_deg: float = 0.0


@dataclass
class Light:
    intensity: float = 3.0
    azimuth_deg: float = 30.0
    elevation_deg: float = 50.0
    ambient: float = 0.35
    shadows: bool = True
    floor: list[float] = field(default_factory=lambda: [0.55, 0.52, 0.48])
    background: list[float] = field(default_factory=lambda: [0.86, 0.86, 0.84])


@dataclass
class Output:
    codec: str = "mp4v"
    noise_sigma: float = 1.5
    jpeg_quality: int = 0  # 0 = off; 1..100 = JPEG round trip of every frame before encoding
    blur_px: float = 0.0


@dataclass
class Scenario:
    clip: Clip
    exercise: Exercise
    sway: Sway
    faults: list[Fault]
    body: Body
    camera: Camera
    light: Light
    output: Output
    source: str = ""

    @property
    def azimuth_deg(self) -> float:
        if self.camera.azimuth_deg is not None:
            return float(self.camera.azimuth_deg)
        return VIEWS[self.camera.view]

    @property
    def arms(self) -> str:
        if self.exercise.arms:
            return self.exercise.arms
        return {"calf_stretch": "forward", "ankle_pumps": "sides"}.get(self.exercise.kind, "sides")


def _fill(cls: type, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputError(f"Unknown key(s) {', '.join(unknown)} in [{where}] of the scenario.")
    kwargs = {}
    for k, v in data.items():
        kwargs[k] = v
    try:
        return cls(**kwargs)
    except TypeError as e:  # missing required key
        raise InputError(f"Bad [{where}] in the scenario: {e}.") from None


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise InputError(msg)


def parse_scenario(data: dict[str, Any], source: str = "") -> Scenario:
    """Build and validate a :class:`Scenario` from a parsed TOML document."""
    top = {"clip", "exercise", "sway", "faults", "body", "camera", "light", "output"}
    unknown = sorted(set(data) - top)
    _check(not unknown, f"Unknown table(s) {', '.join(unknown)} in the scenario.")
    sc = Scenario(
        clip=_fill(Clip, data.get("clip", {}), "clip"),
        exercise=_fill(Exercise, data.get("exercise", {}), "exercise"),
        sway=_fill(Sway, data.get("sway", {}), "sway"),
        faults=[_fill(Fault, f, "faults") for f in data.get("faults", [])],
        body=_fill(Body, data.get("body", {}), "body"),
        camera=_fill(Camera, data.get("camera", {}), "camera"),
        light=_fill(Light, data.get("light", {}), "light"),
        output=_fill(Output, data.get("output", {}), "output"),
        source=source,
    )
    ex = sc.exercise
    _check("exercise" in data and "kind" in data["exercise"], "The scenario needs exercise.kind.")
    _check(ex.kind in EXERCISES, f"exercise.kind must be one of {', '.join(EXERCISES)}, not {ex.kind!r}.")
    _check(ex.legs in ("double", *SIDES), "exercise.legs must be double, left or right.")
    _check(ex.stance in SIDES and ex.front in SIDES, "exercise.stance and exercise.front must be left or right.")
    _check(ex.arms in ("", "sides", "hips", "forward", "overhead"), "exercise.arms must be sides, hips, forward or overhead.")
    _check(ex.arms != "overhead" or ex.kind == "single_leg_stance",
           "exercise.arms = overhead (raised during the hold) applies to single_leg_stance only.")
    _check(ex.arm_raises >= 1, "exercise.arm_raises must be >= 1.")
    _check(ex.free_leg in ("bent", "low", "tree"), "exercise.free_leg must be bent, low or tree.")
    _check(ex.tree_at in ("calf", "thigh"), "exercise.tree_at must be calf or thigh.")
    _check(0.5 <= ex.free_lift_cm <= 20, "exercise.free_lift_cm must be within 0.5..20 cm.")
    _check(all(isinstance(r, int) and 1 <= r <= ex.reps for r in ex.partial_reps),
           "exercise.partial_reps must list rep numbers within 1..reps.")
    _check(0.05 <= ex.partial_fraction < 1, "exercise.partial_fraction must be within 0.05..1.")
    _check(ex.reps >= 0 and ex.holds >= 1, "exercise.reps must be >= 0 and exercise.holds >= 1.")
    _check(0 <= ex.raise_height_cm <= 14, "exercise.raise_height_cm must be within 0..14 cm.")
    _check(min(ex.up_s, ex.down_s, ex.lift_s, ex.transition_s, ex.cycle_s) > 0.05, "Phase durations must be > 0.05 s.")
    _check(sc.clip.fps > 0 and sc.camera.width >= 64 and sc.camera.height >= 64, "fps and resolution must be positive.")
    _check(sc.camera.view in VIEWS, f"camera.view must be one of {', '.join(VIEWS)}.")
    _check(sc.output.codec in CODECS, f"output.codec must be one of {', '.join(CODECS)}.")
    _check(0 <= sc.output.jpeg_quality <= 100, "output.jpeg_quality must be within 0..100.")
    for name in ("gender", "age", "muscle", "weight", "height", "proportions"):
        v = getattr(sc.body, name)
        _check(0.0 <= v <= 1.0, f"body.{name} must be within 0..1.")
    for name in ("skin", "shirt", "shorts"):
        c = getattr(sc.body, name)
        _check(len(c) == 3 and all(0 <= x <= 1 for x in c), f"body.{name} must be three numbers in 0..1.")
    for f in sc.faults:
        _check(f.kind in FAULT_KINDS, f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {f.kind!r}.")
        _check(ex.kind in FAULT_KINDS[f.kind][2], f"fault {f.kind} does not apply to {ex.kind}.")
        _check(f.side in (*SIDES, "both"), "fault side must be left, right or both.")
        _check(
            f.reps is not None or (f.start_s is not None and f.end_s is not None),
            f"fault {f.kind} needs reps = [...] or start_s and end_s.",
        )
        if f.reps is not None:
            _check(ex.kind == "calf_raise", "fault reps = [...] only applies to calf_raise; use start_s/end_s.")
        if f.magnitude is None:
            f.magnitude = FAULT_KINDS[f.kind][1]
    return sc


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; errors are one-sentence :class:`InputError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"Cannot read scenario {p}: {e.strerror or e}.") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"Scenario {p} is not valid TOML: {e}.") from None
    sc = parse_scenario(data, source=str(p))
    if not sc.clip.name:
        sc.clip.name = p.name.removesuffix(".toml").removesuffix(".scenario")
    return sc
