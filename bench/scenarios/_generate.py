"""Writes the evaluation scenarios in this folder (run: python bench/scenarios/_generate.py).

Deterministic: the same files every time.  The clips are rendered on demand with
``python -m tools.render.batch bench/scenarios --out DIR`` (not committed).  The mix covers
every exercise, the eight camera views, body shapes, tempos, raise heights, sway levels and every
fault kind; see docs/rendering.md.  Added for issues #16 and #18 (after the first 45, with their
own random streams so the first 45 files stay byte-identical): ``slsr_*`` single-leg stance as
people do it and ``wc_*`` calf raises seen by a laptop webcam; for issue #17 ``hg_*`` graded heel
inversion / eversion (5–20°) with clean controls at 1280×720 from the back and back three-quarters.
Their seeds are split into a calibration set (even) and a test set (odd).
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIRTS = [(0.15, 0.32, 0.62), (0.70, 0.20, 0.18), (0.20, 0.55, 0.30), (0.85, 0.65, 0.15), (0.45, 0.25, 0.55),
          (0.25, 0.45, 0.45), (0.90, 0.90, 0.88), (0.10, 0.10, 0.12), (0.60, 0.60, 0.62)]
SHORTS = [(0.18, 0.18, 0.20), (0.12, 0.14, 0.25), (0.25, 0.20, 0.15), (0.35, 0.35, 0.38), (0.10, 0.25, 0.15)]
SKINS = [(0.80, 0.62, 0.50), (0.55, 0.38, 0.28), (0.92, 0.76, 0.66), (0.40, 0.27, 0.20), (0.70, 0.52, 0.40)]


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else str(v)
    return str(v)


def write(name: str, comment: str, tables: dict, faults: list[dict]) -> None:
    lines = [f"# {comment}"]
    for t, kv in tables.items():
        lines.append(f"\n[{t}]")
        lines += [f"{k} = {_fmt(v)}" for k, v in kv.items()]
    for f in faults:
        lines.append("\n[[faults]]")
        lines += [f"{k} = {_fmt(v)}" for k, v in f.items()]
    (HERE / f"{name}.toml").write_text("\n".join(lines) + "\n")


def body(rng: random.Random) -> dict:
    return {
        "gender": round(rng.uniform(0.1, 0.9), 2), "age": round(rng.uniform(0.5, 0.85), 2),
        "muscle": round(rng.uniform(0.3, 0.7), 2), "weight": round(rng.uniform(0.3, 0.75), 2),
        "height": round(rng.uniform(0.25, 0.75), 2), "proportions": round(rng.uniform(0.35, 0.65), 2),
        "skin": list(rng.choice(SKINS)), "shirt": list(rng.choice(SHIRTS)), "shorts": list(rng.choice(SHORTS)),
    }


def camera(rng: random.Random, view: str, big: bool = False) -> dict:
    return {"view": view, "distance_m": round(rng.uniform(2.4, 3.3), 2), "height_m": round(rng.uniform(0.75, 1.25), 2),
            "width": 960 if big else 640, "height": 540 if big else 360}


def output(rng: random.Random) -> dict:
    o = {"codec": "mp4v", "noise_sigma": round(rng.uniform(1.0, 3.0), 1)}
    if rng.random() < 0.4:
        o["jpeg_quality"] = rng.choice([60, 75, 90])
    return o


def main() -> None:
    for p in HERE.glob("*.toml"):
        p.unlink()
    rng = random.Random(20261121)
    n = 0
    views_all = ["front", "back", "side-left", "side-right", "three-quarter-left", "three-quarter-right",
                 "back-three-quarter-left", "back-three-quarter-right"]
    # --- double-leg calf raises: every view, heights, tempos, faults -------------------------
    raise_faults = [
        ("clean", []),
        ("sickle", [{"kind": "heel_inversion", "side": "both", "reps": [2, 3], "magnitude": 12.0}]),
        ("evert", [{"kind": "heel_eversion", "side": "both", "reps": [3], "magnitude": 10.0}]),
        ("fastdown", [{"kind": "fast_lowering", "side": "both", "reps": [2, 4], "magnitude": 0.3}]),
    ]
    for i, view in enumerate(views_all * 2):
        tag, faults = raise_faults[i % len(raise_faults)]
        fast = i % 3 == 2
        n += 1
        write(f"cr2_{view}_{tag}_{i:02d}", f"Double-leg calf raises, {view} view, {tag}.", {
            "clip": {"seed": 1000 + i, "lead_in_s": 1.0, "lead_out_s": 0.8},
            "exercise": {"kind": "calf_raise", "legs": "double", "reps": 4 if not fast else 5,
                         "raise_height_cm": [4.0, 6.0, 8.0, 10.0][i % 4],
                         "up_s": 0.6 if fast else 1.0, "top_s": 0.2 if fast else 0.5,
                         "down_s": 0.8 if fast else 1.5, "rest_s": 0.4 if fast else 0.7, "height_jitter": 0.1},
            "sway": {"ml_cm": 0.3, "ap_cm": 0.5, "freq_hz": 0.3},
            "body": body(rng), "camera": camera(rng, view, big=i % 5 == 0), "output": output(rng),
        }, faults)
    # --- single-leg calf raises ----------------------------------------------------------------
    for i, (side, view) in enumerate([("left", "front"), ("right", "back"), ("left", "side-left"),
                                      ("right", "three-quarter-right"), ("right", "side-right"), ("left", "back")]):
        faults = []
        if i in (1, 5):
            faults = [{"kind": "heel_inversion", "side": side, "reps": [2], "magnitude": 10.0}]
        if i == 3:
            faults = [{"kind": "trunk_lean", "side": side, "start_s": 3.0, "end_s": 8.0, "magnitude": 8.0}]
        n += 1
        write(f"cr1_{side}_{view}_{i:02d}", f"Single-leg calf raises on the {side} leg, {view} view.", {
            "clip": {"seed": 2000 + i, "lead_in_s": 1.5, "lead_out_s": 1.0},
            "exercise": {"kind": "calf_raise", "legs": side, "reps": 3, "raise_height_cm": [5.0, 7.0][i % 2],
                         "up_s": 1.0, "top_s": 0.4, "down_s": 1.4, "rest_s": 0.6},
            "sway": {"ml_cm": 0.8, "ap_cm": 0.6, "freq_hz": 0.45},
            "body": body(rng), "camera": camera(rng, view), "output": output(rng),
        }, faults)
    # --- single-leg stance --------------------------------------------------------------------
    sls_faults = [
        ("clean", lambda s: []),
        ("arch", lambda s: [{"kind": "arch_collapse", "side": s, "start_s": 4.0, "end_s": 8.0, "magnitude": 9.0}]),
        ("valgus", lambda s: [{"kind": "knee_valgus", "side": s, "start_s": 3.5, "end_s": 7.5, "magnitude": 8.0}]),
        ("hipdrop", lambda s: [{"kind": "hip_drop", "side": s, "start_s": 4.0, "end_s": 7.0, "magnitude": 6.0}]),
        ("lean", lambda s: [{"kind": "trunk_lean", "side": s, "start_s": 4.0, "end_s": 7.0, "magnitude": 10.0}]),
        ("touch", lambda s: [{"kind": "touch_down", "side": s, "start_s": 5.0, "end_s": 6.0, "magnitude": 0.5}]),
    ]
    sls_views = ["front", "back", "three-quarter-left", "three-quarter-right", "side-left", "back-three-quarter-right",
                 "front", "back", "side-right", "front", "three-quarter-left", "back"]
    for i, view in enumerate(sls_views):
        side = "left" if i % 2 == 0 else "right"
        tag, mk = sls_faults[i % len(sls_faults)]
        sway = [(0.5, 0.4), (1.0, 0.7), (1.8, 1.2), (2.5, 1.5)][i % 4]
        n += 1
        write(f"sls_{side}_{view}_{tag}_{i:02d}", f"Single-leg stance on the {side} leg, {view} view, {tag}.", {
            "clip": {"seed": 3000 + i, "lead_in_s": 1.2, "lead_out_s": 1.0},
            "exercise": {"kind": "single_leg_stance", "stance": side, "hold_s": [8.0, 10.0, 6.0][i % 3],
                         "lift_s": 0.7, "free_hip_deg": [40.0, 25.0, 30.0][i % 3], "free_knee_deg": [50.0, 80.0, 65.0][i % 3]},
            "sway": {"ml_cm": sway[0], "ap_cm": sway[1], "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                     "wobble": round(rng.uniform(0.1, 0.5), 2)},
            "body": body(rng), "camera": camera(rng, view, big=i % 4 == 1), "output": output(rng),
        }, mk("left" if side == "left" else "right") if tag != "touch" else mk(side))
    # --- calf stretch -------------------------------------------------------------------------
    for i, (front, view, soleus) in enumerate([("left", "side-right", False), ("right", "side-left", False),
                                              ("left", "front", True), ("right", "three-quarter-left", False),
                                              ("left", "side-left", True), ("right", "back", False)]):
        n += 1
        write(f"stretch_{front}_{view}_{'soleus' if soleus else 'gastroc'}_{i:02d}",
              f"Standing calf stretch, {front} foot forward, {view} view{' (soleus, back knee bent)' if soleus else ''}.", {
            "clip": {"seed": 4000 + i, "lead_in_s": 1.0, "lead_out_s": 1.0},
            "exercise": {"kind": "calf_stretch", "front": front, "stretch_s": 6.0, "transition_s": 1.3,
                         "step_cm": round(rng.uniform(65, 85)), "lunge_cm": round(rng.uniform(15, 25)),
                         "back_knee_deg": 15.0 if soleus else 0.0},
            "sway": {"ml_cm": 0.3, "ap_cm": 0.4},
            "body": body(rng), "camera": camera(rng, view), "output": output(rng),
        }, [])
    # --- ankle pumps --------------------------------------------------------------------------
    for i, (legs, view) in enumerate([("double", "side-left"), ("double", "side-right"), ("left", "three-quarter-left"),
                                      ("right", "front"), ("double", "three-quarter-right")]):
        n += 1
        write(f"pumps_{legs}_{view}_{i:02d}", f"Seated ankle pumps ({legs}), {view} view.", {
            "clip": {"seed": 5000 + i, "lead_in_s": 1.0, "lead_out_s": 1.0},
            "exercise": {"kind": "ankle_pumps", "legs": legs, "reps": 5, "cycle_s": [1.6, 1.2, 2.0][i % 3],
                         "rest_s": 0.2, "plantar_deg": [30.0, 25.0, 35.0][i % 3], "dorsi_deg": [15.0, 10.0, 20.0][i % 3]},
            "body": body(rng), "camera": {**camera(rng, view), "height_m": 0.8}, "output": output(rng),
        }, [])
    n += stance_as_people_do_it()
    n += laptop_webcam()
    n += graded_heel_faults()
    n += stance_form_graded()
    n += stance_form_graded_hd()
    n += fast_lowering_calibration()
    n += picture_size_twins()
    n += touchdown_front_calibration()
    n += touchdown_webcam()
    n += more_picture_size_tests()
    print(f"wrote {n} scenarios to {HERE}")


def stance_as_people_do_it() -> int:
    """Single-leg stance as real people do it (issue #16): low lifts of 2–5 cm, tree pose with the
    free sole on the standing calf or inner thigh, the free knee raised in front, arms raised
    overhead during the hold, a short touch-down and re-lift, 30 s holds; every view twice.

    Seeds 6000 + i: even = calibration set, odd = test set (docs/evaluation.md).  Each kind is
    drawn once with an even and once with an odd seed."""
    rng = random.Random(20261129)
    kinds = [
        # tag, exercise keys, faults (side filled in), hold_s
        ("low2", {"free_leg": "low", "free_lift_cm": 2.0}, [], 8.0),
        ("low3", {"free_leg": "low", "free_lift_cm": 3.0}, [], 8.0),
        ("low5arch", {"free_leg": "low", "free_lift_cm": 5.0},
         [{"kind": "arch_collapse", "start_s": 4.5, "end_s": 8.0, "magnitude": 9.0}], 8.0),
        ("treecalf", {"free_leg": "tree", "tree_at": "calf"}, [], 8.0),
        ("treethigh", {"free_leg": "tree", "tree_at": "thigh", "arms": "overhead"}, [], 10.0),
        ("kneeup", {"free_leg": "bent", "free_hip_deg": 80.0, "free_knee_deg": 90.0}, [], 8.0),
        ("touch", {"free_leg": "low", "free_lift_cm": 4.0},
         [{"kind": "touch_down", "start_s": 5.5, "end_s": 6.5, "magnitude": 0.4}], 9.0),
        ("long", {"free_leg": "tree", "tree_at": "calf", "arms": "overhead", "arm_raises": 2}, [], 30.0),
    ]
    # each kind in two views, one calibration (even) and one test (odd) seed; every view twice
    views = ["three-quarter-right", "side-left", "back-three-quarter-left", "back", "side-left", "back-three-quarter-right",
             "three-quarter-left", "side-right", "front", "three-quarter-right", "back-three-quarter-left",
             "three-quarter-left", "side-right", "back-three-quarter-right", "front", "back"]
    n = 0
    for i, view in enumerate(views):
        tag, ex, faults, hold = kinds[i // 2]
        side = "left" if (i // 2) % 2 == 0 else "right"
        if i % 2:
            side = "right" if side == "left" else "left"
        sway = [(0.5, 0.4), (1.0, 0.7), (1.5, 1.0)][i % 3]
        overhead = ex.get("arms") == "overhead"
        cam = camera(rng, view, big=i % 5 == 2)
        # anny's tallest bodies here are ~2.0 m: far enough that head and feet stay in the picture
        # (vfov 45°, aim at half the stature); with the hands overhead (~2.55 m) aim higher, wider
        cam["distance_m"] = max(cam["distance_m"], 2.8)
        if overhead:
            cam.update(distance_m=max(cam["distance_m"], 3.4), target_height_m=1.1, vfov_deg=50.0)
        seed = 6000 + i
        write(f"slsr_{side}_{view}_{tag}_{seed}",
              f"Single-leg stance on the {side} leg as people do it ({tag}), {view} view; "
              f"{'calibration' if seed % 2 == 0 else 'test'} set (issue #16).", {
                  "clip": {"seed": seed, "lead_in_s": 1.2, "lead_out_s": 1.0},
                  "exercise": {"kind": "single_leg_stance", "stance": side, "hold_s": hold, "lift_s": 0.7, **ex},
                  "sway": {"ml_cm": sway[0], "ap_cm": sway[1], "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                           "wobble": round(rng.uniform(0.1, 0.5), 2)},
                  "body": body(rng), "camera": cam, "output": output(rng),
              }, [{**f, "side": side} for f in faults])
        n += 1
    return n


def _webcam_camera(rng: random.Random, width: int, height: int, distance_m: float) -> dict:
    """A laptop webcam in front of the person: lens at desk height (0.7–1.0 m) tilted up 2–6°; the
    vertical field of view is the narrowest of 45/50/55/60° (60° ≈ a 90°-diagonal wide webcam) that
    shows a 2.05 m person head to feet at this distance with 2° to spare.  Closer than that (about
    2 m and less) no such webcam shows both: the lens is then aimed so the feet are in the picture
    with 2° to spare (level or slightly down) and a tall person's head is cut off, as a user who is
    told to keep the feet in view would set it up."""
    import math

    h = round(rng.uniform(0.7, 1.0), 2)
    up = rng.uniform(2.0, 6.0)
    feet = math.degrees(math.atan2(h, distance_m - 0.25))  # the toes are ~0.15–0.25 m in front of the aim point
    head = math.degrees(math.atan2(2.05 - h, distance_m))
    vfov = next((v for v in (45, 50, 55, 60) if v / 2 >= 2.0 + max(feet + up, head - up)), None)
    if vfov is None:
        vfov, up = 60, min(up, 30.0 - 2.0 - feet)
    tz = round(h + distance_m * math.tan(math.radians(up)), 2)
    return {"view": "front", "distance_m": distance_m, "height_m": h, "target_height_m": tz, "vfov_deg": float(vfov),
            "width": width, "height": height}


def laptop_webcam() -> int:
    """Calf raises as a laptop webcam sees them (issue #18): front view at 1.5–3 m, lens at desk
    height looking slightly up, 640×480 and 1280×720, double- and single-leg, slow / normal / fast
    tempo, partial reps; low-resolution (320×240, 426×240) and 15 fps variants; webcam-like JPEG,
    sensor noise and slight blur.

    Seeds 7000 + i: even = calibration set, odd = test set (docs/evaluation.md)."""
    rng = random.Random(20261130)
    tempos = {
        "slow": {"up_s": 1.6, "top_s": 1.0, "down_s": 2.2, "rest_s": 1.0},
        "normal": {"up_s": 1.0, "top_s": 0.5, "down_s": 1.5, "rest_s": 0.7},
        "fast": {"up_s": 0.5, "top_s": 0.1, "down_s": 0.6, "rest_s": 0.3},
    }
    # legs, tempo, (width, height), fps, distance m, partial reps
    plan = [
        ("double", "normal", (640, 480), 30, 2.5, []),
        ("double", "slow", (1280, 720), 30, 3.0, []),
        ("left", "normal", (640, 480), 30, 2.0, []),
        ("right", "fast", (640, 480), 30, 2.2, []),
        ("double", "fast", (1280, 720), 30, 1.8, [3]),
        ("double", "normal", (640, 480), 30, 1.5, [2]),
        ("right", "slow", (1280, 720), 30, 2.6, []),
        ("left", "fast", (640, 480), 30, 2.8, [4]),
        ("double", "normal", (320, 240), 30, 2.4, []),
        ("double", "normal", (426, 240), 15, 2.2, []),
        ("left", "normal", (640, 480), 15, 2.5, []),
        ("double", "fast", (320, 240), 15, 2.0, [3]),
    ]
    n = 0
    for i, (legs, tempo, (w, h), fps, dist, partial) in enumerate(plan):
        seed = 7000 + i
        single = legs != "double"
        reps = 4 if (w >= 1280 or single) else 5
        ex = {"kind": "calf_raise", "legs": legs, "reps": reps, "raise_height_cm": round(rng.uniform(4.0, 9.0), 1),
              **tempos[tempo], "height_jitter": 0.1}
        if partial:
            ex["partial_reps"] = partial
            ex["partial_fraction"] = 0.3
        low = w <= 480
        out = {"codec": "mp4v", "noise_sigma": round(rng.uniform(2.0, 4.0), 1), "jpeg_quality": rng.choice([45, 55, 65]),
               "blur_px": round(rng.uniform(0.5, 0.9), 1)}
        name = f"wc_{legs}_{tempo}_{w}x{h}_{fps}fps{'_partial' if partial else ''}_{seed}"
        write(name, f"Calf raises ({legs}, {tempo} tempo) seen by a laptop webcam at {dist} m, {w}×{h} {fps} fps"
                    f"{', partial reps ' + str(partial) if partial else ''}{' (low resolution)' if low else ''}; "
                    f"{'calibration' if seed % 2 == 0 else 'test'} set (issue #18).", {
            "clip": {"seed": seed, "fps": fps, "lead_in_s": 1.2, "lead_out_s": 1.0},
            "exercise": ex,
            "sway": {"ml_cm": 0.4, "ap_cm": 0.6, "freq_hz": 0.3} if not single else {"ml_cm": 0.8, "ap_cm": 0.6, "freq_hz": 0.45},
            "body": body(rng), "camera": _webcam_camera(rng, w, h, dist),
            "light": {"intensity": round(rng.uniform(2.0, 3.0), 1), "ambient": round(rng.uniform(0.3, 0.45), 2),
                      "azimuth_deg": round(rng.uniform(-40, 40)), "elevation_deg": round(rng.uniform(35, 60))},
            "output": out,
        }, [])
        n += 1
    return n


_INV, _EV = "heel_inversion", "heel_eversion"
#: Graded heel clips: (tag, [(fault kind, magnitude deg) per rep; None = a clean rep]).
HEEL_PLANS = [
    ("mixA", [None, (_INV, 5.0), (_EV, 10.0), (_INV, 15.0), (_EV, 20.0)]),
    ("mixB", [None, (_EV, 5.0), (_INV, 10.0), (_EV, 15.0), (_INV, 20.0)]),
    ("clean", [None, None, None]),
]


def graded_heel_faults() -> int:
    """Heel inversion (sickling) and eversion at graded magnitudes, 5 / 10 / 15 / 20 deg, with clean
    controls (issue #17): double-leg calf raises at 1280×720 seen from the back and the back three
    quarters (left, right), two bodies, the key light from the front-left or front-right, webcam-like
    JPEG.  Per view and split: two fault clips of
    four reps (each magnitude once as inversion and once as eversion across the pair, one clean rep
    first in each) and one clean clip of three reps.

    Seeds 8000 + i: even = calibration set, odd = test set (docs/evaluation.md); the two bodies
    alternate so that each split has both."""
    rng = random.Random(20261131)
    bodies = [body(rng), body(rng)]
    plans = HEEL_PLANS
    views = ["back", "back-three-quarter-left", "back-three-quarter-right"]
    n = 0
    for k, (view, (tag, reps)) in enumerate((v, p) for v in views for p in plans):
        faults = [{"kind": fm[0], "side": "both", "reps": [r + 1], "magnitude": fm[1]}
                  for r, fm in enumerate(reps) if fm]
        for split in (0, 1):
            seed = 8000 + 2 * k + split
            cam = {"view": view, "distance_m": round(rng.uniform(2.6, 3.2), 2),
                   "height_m": round(rng.uniform(0.8, 1.1), 2), "width": 1280, "height": 720}
            write(f"hg_{view}_{tag}_{seed}",
                  f"Double-leg calf raises with graded heel faults ({tag}: "
                  f"{', '.join('clean' if fm is None else f'{fm[0]} {fm[1]:g} deg' for fm in reps)}), "
                  f"{view} view, 1280x720; {'calibration' if seed % 2 == 0 else 'test'} set (issue #17).", {
                      "clip": {"seed": seed, "lead_in_s": 1.0, "lead_out_s": 0.5},
                      "exercise": {"kind": "calf_raise", "legs": "double", "reps": len(reps),
                                   "raise_height_cm": round(rng.uniform(6.0, 9.0), 1),
                                   "up_s": 0.8, "top_s": 0.5, "down_s": 1.2, "rest_s": 0.4, "height_jitter": 0.1},
                      "sway": {"ml_cm": 0.3, "ap_cm": 0.5, "freq_hz": 0.3},
                      "body": bodies[(k + split) % 2], "camera": cam,
                      # the key light from the front-left (the renderer's default, 30) or front-right (-30):
                      # the heel's shadow moves with it (the MediaPipe heel drifts towards it, docs/rules.md)
                      # (crossed with the bodies: each view and split has both bodies and both lights)
                      "light": {"azimuth_deg": 30.0 if (k // 6 + k + split) % 2 == 0 else -30.0},
                      "output": {"codec": "mp4v", "noise_sigma": round(rng.uniform(1.5, 3.0), 1),
                                 "jpeg_quality": rng.choice([60, 75, 90])},
                  }, faults)
            n += 1
    return n


#: Graded single-leg-stance form faults (issue #17): tag → (fault kind, magnitudes in deg).  The
#: calibration clips hold the first two magnitudes (below and at the issue's target), the test
#: clips all of them.
STANCE_GRADED = {
    "arch": ("arch_collapse", (4.0, 8.0, 12.0)),
    "valgus": ("knee_valgus", (5.0, 10.0, 15.0)),
    "hipdrop": ("hip_drop", (4.0, 8.0)),
    "lean": ("trunk_lean", (5.0, 10.0, 15.0)),
}


def stance_form_graded(width: int = 640, height: int = 360, prefix: str = "slsg", rng_seed: int = 20261201,
                       seed0: int = 8000, splits: tuple[int, ...] = (0, 1), tags: tuple[str, ...] | None = None) -> int:
    """Single-leg-stance form faults at graded magnitudes (issue #17): one clip per fault kind, view
    (front / back, where the stance rules judge) and split, each with several 5 s holds on the same
    leg — one clean hold (the control) and one hold per magnitude, in a seeded order.  The fault
    appears 1.5 s into its hold and stays to its end (0.4 s ramps); trunk lean is towards the
    standing leg (the usual compensation).  Seeds 8000 + i: even = calibration set (clean + the
    two lower magnitudes), odd = test set (clean + every magnitude); every clip a different body.

    640×360 at 15 fps so that the 16 clips render in the time one session had on a shared 2-core
    machine (a 1280×720 30 fps clip of this length took ~15 min there); the pose model sees the
    person through a 256×256 crop, so 640×360 (person ≈ 270 px tall) loses little against
    1280×720 — docs/rules.md says what was measured at which resolution.  The arguments make the
    1280×720 test-split twin (:func:`stance_form_graded_hd`); the defaults write the 640×360 set."""
    rng = random.Random(rng_seed)
    n = 0
    i = 0
    lift, hold, gap, lead_in = 0.6, 5.0, 1.5, 1.2
    for tag, (kind, mags) in STANCE_GRADED.items():
        for view in ("front", "back"):
            for split in (0, 1):
                seed = seed0 + 2 * (i // 2) + split
                i += 1
                side = rng.choice(["left", "right"])
                order = [0.0, *(mags if split else mags[:2])]
                rng.shuffle(order)
                faults, t0 = [], lead_in
                for mag in order:
                    start, end = t0 + lift, t0 + lift + hold
                    if mag > 0:
                        faults.append({"kind": kind, "side": side, "start_s": round(start + 1.5, 2), "end_s": round(end, 2),
                                       "magnitude": mag, "onset_s": 0.4})
                    t0 = end + lift + gap
                cam = camera(rng, view)
                cam["distance_m"] = max(cam["distance_m"], 2.8)
                cam.update(width=width, height=height)
                sway = [(0.5, 0.4), (1.0, 0.7)][split]
                mag_txt = "/".join(f"{m:g}" for m in order)
                # the random draws in the order the 640×360 set was first written with
                sway_tbl = {"ml_cm": sway[0], "ap_cm": sway[1], "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                            "wobble": round(rng.uniform(0.1, 0.5), 2)}
                body_, out = body(rng), output(rng)
                if split not in splits or (tags is not None and tag not in tags):
                    continue
                write(f"{prefix}_{side}_{view}_{tag}_{seed}",
                      f"Single-leg stance on the {side} leg, {view} view, graded {kind} (holds: {mag_txt} deg, 0 = clean); "
                      f"{'calibration' if seed % 2 == 0 else 'test'} set (issue #17).", {
                          "clip": {"seed": seed, "fps": 15, "lead_in_s": lead_in, "lead_out_s": 1.0},
                          "exercise": {"kind": "single_leg_stance", "stance": side, "holds": len(order), "hold_s": hold,
                                       "lift_s": lift, "free_hip_deg": 40.0, "free_knee_deg": 60.0},
                          "sway": sway_tbl, "body": body_, "camera": cam, "output": out,
                      }, faults)
                n += 1
    return n


def stance_form_graded_hd() -> int:
    """The graded stance-form faults again at 1280×720 (the typical laptop webcam #17 asks the
    targets at), test split only: clean + every magnitude per fault kind and view, 15 fps like the
    640×360 set so that only the picture size differs.  The rules' thresholds stay those set on the
    640×360 calibration clips; these clips only report.  Seeds 8101, 8103, …; own bodies, cameras
    and fault orders (its own random stream), so the 640×360 files are unchanged."""
    return stance_form_graded(1280, 720, "slsgh", 20261130, 8100, (1,))


#: Calf-raise tempos of the first 45 (``cr2_*``): rise, top, lowering and rest (s).  Their
#: fast-lowering clips (``cr2_*_fastdown_*``) all have odd seeds: the test set.
CR2_TEMPOS = {"normal": {"up_s": 1.0, "top_s": 0.5, "down_s": 1.5, "rest_s": 0.7},
              "fast": {"up_s": 0.6, "top_s": 0.2, "down_s": 0.8, "rest_s": 0.4},
              # lowering as long as the rise: the protocol's limit, still correct ("at least as long")
              "even": {"up_s": 0.6, "top_s": 0.2, "down_s": 0.6, "rest_s": 0.4}}


def fast_lowering_calibration() -> int:
    """Fast lowering (issue #17): calibration clips for the ``fast_lowering`` rule, whose rendered
    faults (``cr2_*_fastdown_*``) all have odd seeds.  Double-leg calf raises at 640×360 30 fps (a
    0.25 s lowering is ~8 frames) from the front, back, side and three-quarter views at the normal
    and the fast tempo of ``cr2_*``; six reps each, reps 2 and 5 lowered in 0.25 s and 0.3 s, the
    others clean (controls at the same tempo, same person); plus clean clips at the fast tempo and
    with the lowering as long as the rise (the protocol's limit: must not be flagged).

    Seeds 9000 + 2i: all even, calibration set; the test set is the ``cr2_*_fastdown_*`` clips."""
    rng = random.Random(20261202)
    plan = [("side-right", "fast", True), ("front", "fast", True), ("back", "fast", True),
            ("back-three-quarter-left", "fast", True), ("three-quarter-right", "normal", True),
            ("side-left", "normal", True), ("front", "normal", True), ("back", "normal", True),
            ("front", "even", False), ("side-right", "fast", False)]
    n = 0
    for i, (view, tempo, faulty) in enumerate(plan):
        seed = 9000 + 2 * i
        _fast_lowering_clip(rng, f"fl_{view}_{tempo}_{'fastdown' if faulty else 'clean'}_{seed}", view, tempo,
                            faulty, (640, 360), 30, "calibration set (issue #17, fast lowering)")
        n += 1
    return n


def _fast_lowering_clip(rng: random.Random, name: str, view: str, tempo: str, faulty: bool, size: tuple[int, int],
                        fps: int, split_text: str) -> None:
    """One fast-lowering clip: double-leg calf raises at a ``CR2_TEMPOS`` tempo, six reps with reps
    2 and 5 lowered in 0.25 and 0.3 s (``faulty``), else five clean reps."""
    seed = int(name.rsplit("_", 1)[1])
    faults = ([{"kind": "fast_lowering", "side": "both", "reps": [2], "magnitude": 0.25},
               {"kind": "fast_lowering", "side": "both", "reps": [5], "magnitude": 0.3}] if faulty else [])
    cam = camera(rng, view)
    w, h = size
    cam.update(width=w, height=h)
    write(name, f"Double-leg calf raises, {view} view, {tempo} tempo "
                f"({', '.join(f'{k} {v:g} s' for k, v in CR2_TEMPOS[tempo].items())}), "
                f"{'reps 2 and 5 lowered in 0.25 and 0.3 s' if faulty else 'clean'}, {w}x{h} {fps} fps; {split_text}.", {
        "clip": {"seed": seed, "fps": fps, "lead_in_s": 1.0, "lead_out_s": 0.8},
        "exercise": {"kind": "calf_raise", "legs": "double", "reps": 6 if faulty else 5,
                     "raise_height_cm": round(rng.uniform(5.0, 10.0), 1), **CR2_TEMPOS[tempo], "height_jitter": 0.1},
        "sway": {"ml_cm": 0.3, "ap_cm": 0.5, "freq_hz": 0.3},
        "body": body(rng), "camera": cam, "output": output(rng),
    }, faults)


def picture_size_twins() -> int:
    """The rules at the picture sizes and frame rates #17 asks for beyond the calibration sets
    (test split only: odd seeds, thresholds stay those set on the calibration clips; these clips
    only report):

    * ``flh_*``: fast lowering at 1280×720 30 fps (front, back, side, three-quarter; the ``fl_*``
      plan: reps 2 and 5 lowered in 0.25 and 0.3 s) and a clean fast-tempo control;
    * ``fll_*``: fast lowering at 640×360 **15 fps** (a 0.25 s lowering is ~4 frames);
    * ``flf_*``, ``slsgf_*``, ``hgf_*``: 1920×1080 — fast lowering, knee valgus and trunk lean in
      single-leg stance (front / back), graded heel turns from the back;
    * ``hg_front_*``: graded heel turns from the front at 1280×720 (what the front view reaches);
    * ``slsth_*``: a touch-down within a single-leg hold at 1280×720 (front, back).

    A 1920×1080 30 fps clip took ~4× the render time of a 640×360 one on the shared 2-core machine,
    so the 1080p set is small: the rules the 640×360 / 1280×720 sets show working, plus the heel
    rule whose verdict ("not measurable") must hold at any size.  Own random streams: the other
    files are unchanged."""
    rng = random.Random(20261203)
    n = 0
    plan = [  # prefix, view, tempo, faulty, (w, h), fps
        ("flh", "front", "fast", True, (1280, 720), 30), ("flh", "back", "normal", True, (1280, 720), 30),
        ("flh", "side-right", "fast", True, (1280, 720), 30),
        ("flh", "three-quarter-left", "normal", True, (1280, 720), 30),
        ("flh", "back", "fast", False, (1280, 720), 30),
        ("fll", "front", "fast", True, (640, 360), 15), ("fll", "side-left", "normal", True, (640, 360), 15),
        ("fll", "back", "fast", True, (640, 360), 15),
        ("flf", "front", "fast", True, (1920, 1080), 30), ("flf", "back", "normal", True, (1920, 1080), 30),
    ]
    for i, (prefix, view, tempo, faulty, (w, h), fps) in enumerate(plan):
        seed = 9101 + 2 * i
        _fast_lowering_clip(rng, f"{prefix}_{view}_{tempo}_{'fastdown' if faulty else 'clean'}_{seed}", view, tempo,
                            faulty, (w, h), fps, "test set (issue #17, fast lowering by picture size)")
        n += 1
    n += stance_form_graded(1920, 1080, "slsgf", 20261204, 8200, (1,), tags=("valgus", "lean"))
    # graded heel turns from the back at 1920x1080 (the hg_* plans mixA / mixB, test seeds)
    bodies = [body(rng), body(rng)]
    for k, (tag, reps) in enumerate(HEEL_PLANS[:2]):
        _graded_heel_clip(rng, f"hgf_back_{tag}_{8301 + 2 * k}", tag, reps, "back", (1920, 1080), bodies[k], k)
        n += 1
    # graded heel turns from the FRONT at 1280x720 (#17 asks what the front view reaches; the hg_*
    # set is back / back three-quarter only); drawn last so the files above are unchanged
    for k, (tag, reps) in enumerate(HEEL_PLANS[:2]):
        _graded_heel_clip(rng, f"hg_front_{tag}_{8305 + 2 * k}", tag, reps, "front", (1280, 720), None, k)
        n += 1
    # touch-downs at 1280x720 (#17's targets are at that size; the touch_down faults of sls_* / slsr_*
    # are 640x360 / 960x540): a 0.4 s touch-down in a 9 s hold, low lift from the front, a bent free
    # leg from behind; 15 fps like the other 1280x720 stance clips; drawn last
    for k, (view, free) in enumerate([("front", {"free_leg": "low", "free_lift_cm": 4.0}),
                                      ("back", {"free_hip_deg": 40.0, "free_knee_deg": 60.0})]):
        seed = 6101 + 2 * k
        side = rng.choice(["left", "right"])
        cam = camera(rng, view)
        cam.update(width=1280, height=720, distance_m=max(cam["distance_m"], 2.8))
        write(f"slsth_{side}_{view}_touch_{seed}",
              f"Single-leg stance on the {side} leg, {view} view, 1280x720 15 fps, a 0.4 s touch-down at 5.5 s in "
              f"a 9 s hold; test set (issue #17, touch-down by picture size).", {
                  "clip": {"seed": seed, "fps": 15, "lead_in_s": 1.2, "lead_out_s": 1.0},
                  "exercise": {"kind": "single_leg_stance", "stance": side, "hold_s": 9.0, "lift_s": 0.7, **free},
                  "sway": {"ml_cm": 0.8, "ap_cm": 0.6, "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                           "wobble": round(rng.uniform(0.1, 0.5), 2)},
                  "body": body(rng), "camera": cam, "output": output(rng),
              }, [{"kind": "touch_down", "side": side, "start_s": 5.5, "end_s": 6.5, "magnitude": 0.4}])
        n += 1
    return n


def _graded_heel_clip(rng: random.Random, name: str, tag: str, reps: list, view: str, size: tuple[int, int],
                      body_: dict | None, k: int) -> None:
    """One test-split graded heel clip like ``hg_*`` (double-leg raises, webcam-like JPEG, the key
    light from the front-left for even ``k``, front-right for odd); ``body_`` None draws a new body
    (in the random order the files were first written with)."""
    seed = int(name.rsplit("_", 1)[1])
    faults = [{"kind": fm[0], "side": "both", "reps": [r + 1], "magnitude": fm[1]} for r, fm in enumerate(reps) if fm]
    w, h = size
    write(name, f"Double-leg calf raises with graded heel faults ({tag}: "
                f"{', '.join('clean' if fm is None else f'{fm[0]} {fm[1]:g} deg' for fm in reps)}), "
                f"{view} view, {w}x{h}; test set (issue #17).", {
        "clip": {"seed": seed, "lead_in_s": 1.0, "lead_out_s": 0.5},
        "exercise": {"kind": "calf_raise", "legs": "double", "reps": len(reps),
                     "raise_height_cm": round(rng.uniform(6.0, 9.0), 1),
                     "up_s": 0.8, "top_s": 0.5, "down_s": 1.2, "rest_s": 0.4, "height_jitter": 0.1},
        "sway": {"ml_cm": 0.3, "ap_cm": 0.5, "freq_hz": 0.3},
        "body": body_ if body_ is not None else body(rng),
        "camera": {"view": view, "distance_m": round(rng.uniform(2.6, 3.2), 2),
                   "height_m": round(rng.uniform(0.8, 1.1), 2), "width": w, "height": h},
        "light": {"azimuth_deg": 30.0 if k % 2 == 0 else -30.0},
        "output": {"codec": "mp4v", "noise_sigma": round(rng.uniform(1.5, 3.0), 1),
                   "jpeg_quality": rng.choice([60, 75, 90])},
    }, faults)


def touchdown_front_calibration() -> int:
    """Calibration clips (even seeds) for touch-downs seen from the front (issue #17): a brief
    touch-down of a low lift (3–5 cm) inside a 9 s hold, 640×360 15 fps, front and front
    three-quarter views; the only front touch-down before them was a test clip
    (``slsth_right_front_touch_6101``)."""
    rng = random.Random(20261205)
    n = 0
    for k, (view, lift_cm, dur) in enumerate([("front", 4.0, 0.5), ("front", 3.0, 0.6), ("front", 5.0, 0.4)]):
        seed = 6200 + 2 * k
        side = rng.choice(["left", "right"])
        cam = camera(rng, view)
        cam["distance_m"] = max(cam["distance_m"], 2.8)
        write(f"slstc_{side}_{view}_touch{lift_cm:g}_{seed}",
              f"Single-leg stance on the {side} leg, {view} view, {lift_cm:g} cm lift, a {dur:g} s touch-down at 5.5 s "
              f"in a 9 s hold, 640x360 15 fps; calibration set (issue #17, touch-down from the front).", {
                  "clip": {"seed": seed, "fps": 15, "lead_in_s": 1.2, "lead_out_s": 1.0},
                  "exercise": {"kind": "single_leg_stance", "stance": side, "hold_s": 9.0, "lift_s": 0.7,
                               "free_leg": "low", "free_lift_cm": lift_cm},
                  "sway": {"ml_cm": 0.8, "ap_cm": 0.6, "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                           "wobble": round(rng.uniform(0.1, 0.5), 2)},
                  "body": body(rng), "camera": cam, "output": output(rng),
              }, [{"kind": "touch_down", "side": side, "start_s": 5.5, "end_s": round(5.5 + dur + 0.5, 2), "magnitude": dur}])
        n += 1
    return n


def touchdown_webcam() -> int:
    """Touch-downs at 1280×720 15 fps (issue #17's size), both splits: before these the size had one
    front and one back test clip (``slsth_*``), too few to read a recall from.  Calibration = even
    seeds (6400…), test = odd seeds (6401…); low lifts of 3–5 cm (what people do, and the hardest
    case: the free ankle comes down only a few centimetres), a bent free knee, touch-downs of
    0.3–0.6 s; front, back and a three-quarter view.  Own random stream: the other files are
    unchanged."""
    rng = random.Random(20261206)
    n = 0
    plan = [  # split seed, view, free leg, touch-down duration s
        (6400, "front", {"free_leg": "low", "free_lift_cm": 3.0}, 0.5),
        (6401, "front", {"free_leg": "low", "free_lift_cm": 4.0}, 0.4),
        (6403, "front", {"free_leg": "low", "free_lift_cm": 3.0}, 0.6),
        (6405, "back", {"free_leg": "low", "free_lift_cm": 4.0}, 0.5),
        (6402, "front", {"free_leg": "low", "free_lift_cm": 5.0}, 0.3),
        (6407, "front", {"free_hip_deg": 30.0, "free_knee_deg": 60.0}, 0.5),
        (6409, "three-quarter-left", {"free_leg": "low", "free_lift_cm": 4.0}, 0.4),
        (6404, "back", {"free_leg": "low", "free_lift_cm": 3.0}, 0.4),
    ]
    for seed, view, free, dur in plan:
        _webcam_touchdown_clip(rng, seed, view, free, dur)
        n += 1
    return n


def _webcam_touchdown_clip(rng: random.Random, seed: int, view: str, free: dict, dur: float) -> None:
    """One ``slstw_*`` clip: a ``dur`` s touch-down at 5.5 s in a 9 s single-leg hold, 1280×720
    15 fps, the free leg as ``free`` (a low lift or a bent knee); the split by the seed's parity."""
    split = "calibration" if seed % 2 == 0 else "test"
    side = rng.choice(["left", "right"])
    cam = camera(rng, view)
    cam.update(width=1280, height=720, distance_m=max(cam["distance_m"], 2.8))
    lift = f"{free['free_lift_cm']:g} cm lift" if "free_lift_cm" in free else "bent free knee"
    tag = f"touch{free['free_lift_cm']:g}" if "free_lift_cm" in free else "touchbent"
    write(f"slstw_{side}_{view}_{tag}_{seed}",
          f"Single-leg stance on the {side} leg, {view} view, {lift}, a {dur:g} s touch-down at 5.5 s in a 9 s "
          f"hold, 1280x720 15 fps; {split} set (issue #17, touch-down at webcam size).", {
              "clip": {"seed": seed, "fps": 15, "lead_in_s": 1.2, "lead_out_s": 1.0},
              "exercise": {"kind": "single_leg_stance", "stance": side, "hold_s": 9.0, "lift_s": 0.7, **free},
              "sway": {"ml_cm": 0.8, "ap_cm": 0.6, "freq_hz": round(rng.uniform(0.25, 0.6), 2),
                       "wobble": round(rng.uniform(0.1, 0.5), 2)},
              "body": body(rng), "camera": cam, "output": output(rng),
          }, [{"kind": "touch_down", "side": side, "start_s": 5.5, "end_s": round(5.5 + dur + 0.5, 2),
               "magnitude": dur}])


def more_picture_size_tests() -> int:
    """More test clips (odd seeds) where the picture-size sets were thin: fast lowering at 640×360
    **15 fps** (``fll_*``: three clips before, one 0.25 s drop missed by frame rounding) in four more
    views and tempos, and two more 1280×720 touch-downs (a bent free knee from behind, a low lift
    from the front three-quarter, then four more).  Nothing is set on them.  Own random stream."""
    rng = random.Random(20261207)
    n = 0
    for i, (view, tempo) in enumerate([("back", "normal"), ("back-three-quarter-left", "fast"),
                                       ("front", "normal"), ("side-right", "fast")]):
        seed = 9201 + 2 * i
        _fast_lowering_clip(rng, f"fll_{view}_{tempo}_fastdown_{seed}", view, tempo, True, (640, 360), 15,
                            "test set (issue #17, fast lowering at 15 fps)")
        n += 1
    for k, (view, free, dur) in enumerate([("back", {"free_hip_deg": 35.0, "free_knee_deg": 70.0}, 0.5),
                                           ("three-quarter-right", {"free_leg": "low", "free_lift_cm": 3.0}, 0.6)]):
        _webcam_touchdown_clip(rng, 6411 + 2 * k, view, free, dur)
        n += 1
    # four more 1280x720 touch-downs (test): with nine, one miss already puts recall under 0.9
    for k, (view, free, dur) in enumerate([("front", {"free_leg": "low", "free_lift_cm": 3.5}, 0.5),
                                           ("back", {"free_leg": "low", "free_lift_cm": 3.0}, 0.6),
                                           ("front", {"free_hip_deg": 25.0, "free_knee_deg": 50.0}, 0.4),
                                           ("three-quarter-left", {"free_hip_deg": 30.0, "free_knee_deg": 60.0}, 0.5)]):
        _webcam_touchdown_clip(rng, 6415 + 2 * k, view, free, dur)
        n += 1
    return n


if __name__ == "__main__":
    main()
