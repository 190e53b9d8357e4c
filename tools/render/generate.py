"""Render one scenario: video (``<name>.mp4``) plus truth (``<name>.truth.json``).

The truth file (schema ``footform.render-truth/1``, documented in docs/rendering.md) is computed
from the posed mesh of every frame, never from the commanded signals alone, and is rounded
(0.1 mm, 0.01 px, 0.01 cm, 0.01 deg) so that it is identical across runs of the same scenario.
The video carries seeded sensor noise and compression; its bytes may differ between encoders.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from footform import __version__
from footform.errors import OutputError
from tools.render import TRUTH_SCHEMA
from tools.render.motion import Program, build_program
from tools.render.scenario import Scenario, load_scenario

POINTS = (
    "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
    "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
#: MediaPipe landmark index of each truth point (see footform.core.landmarks.LM)
MEDIAPIPE_INDEX = {
    "left_shoulder": 11, "right_shoulder": 12, "left_hip": 23, "right_hip": 24, "left_knee": 25,
    "right_knee": 26, "left_ankle": 27, "right_ankle": 28, "left_heel": 29, "right_heel": 30,
    "left_foot_index": 31, "right_foot_index": 32,
}
FOURCC = {"mp4v": "mp4v", "vp09": "vp09", "mjpg": "MJPG"}


def _r(x, nd):
    return np.round(np.asarray(x, dtype=float), nd).tolist()


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    c = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def _degrade(img: np.ndarray, sc: Scenario, k: int):
    import cv2

    out = img.astype(np.float32)
    if sc.output.blur_px > 0:
        out = cv2.GaussianBlur(out, (0, 0), sc.output.blur_px)
    if sc.output.noise_sigma > 0:
        rng = np.random.default_rng([sc.clip.seed, k, 7])
        out = out + rng.normal(0.0, sc.output.noise_sigma, size=out.shape).astype(np.float32)
    out = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if sc.output.jpeg_quality > 0:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(sc.output.jpeg_quality)])
        out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return out


def _window_stats(t: np.ndarray, xy_cm: np.ndarray) -> dict:
    """Sway statistics of a (n, 2) ML/AP track in cm (mean removed)."""
    if len(t) < 2:
        return {}
    d = xy_cm - xy_cm.mean(0)
    step = np.linalg.norm(np.diff(xy_cm, axis=0), axis=1)
    cov = np.cov(d.T)
    ev = np.clip(np.linalg.eigvalsh(cov), 0, None)
    return {
        "ml_rms_cm": round(float(np.sqrt(np.mean(d[:, 0] ** 2))), 3),
        "ap_rms_cm": round(float(np.sqrt(np.mean(d[:, 1] ** 2))), 3),
        "ml_range_cm": round(float(np.ptp(xy_cm[:, 0])), 3),
        "ap_range_cm": round(float(np.ptp(xy_cm[:, 1])), 3),
        "path_length_cm": round(float(step.sum()), 3),
        "mean_velocity_cm_s": round(float(step.sum() / (t[-1] - t[0])), 3),
        # 95 % confidence ellipse: π · χ²(2, .95) · sqrt(λ1 λ2), χ² = 5.991
        "ellipse95_area_cm2": round(float(np.pi * 5.991 * np.sqrt(ev[0] * ev[1])), 3),
    }


def render_scenario(sc: Scenario, out_dir: Path, *, video: bool = True, max_frames: int | None = None,
                    log=print) -> dict:
    """Render ``sc`` into ``out_dir``; returns the truth document (also written to disk)."""
    import cv2

    from tools.render.body import SIDE_TAG, BodyModel
    from tools.render.scene import CameraModel, Renderer

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"Cannot create output folder {out_dir}: {e.strerror or e}.") from None
    name = sc.clip.name
    t_start = time.monotonic()
    prog: Program = build_program(sc)
    n = len(prog.t) if max_frames is None else min(len(prog.t), max_frames)
    body = BodyModel(sc.body, sc.arms)
    body.prepare(sc)

    # camera: aim at the middle of the body, centred over the feet
    tz = sc.camera.target_height_m if sc.camera.target_height_m is not None else 0.5 * body.stature
    txy = (0.0, 0.0)
    if sc.exercise.kind == "calf_stretch":
        txy = (0.0, (0.45 - 0.55) * sc.exercise.step_cm / 200.0 + 0.05)
    if prog.seated:
        txy = (0.0, 0.05)
        if sc.camera.target_height_m is None:
            tz = 0.45
    cam = CameraModel.from_spec(sc.camera, sc.azimuth_deg, tz, txy)
    renderer = Renderer(cam, sc.light, body.faces, body.colors) if video else None

    writer = None
    tmp_video = out_dir / f".{name}.partial.mp4"
    if video:
        writer = cv2.VideoWriter(str(tmp_video), cv2.VideoWriter_fourcc(*FOURCC[sc.output.codec]), sc.clip.fps,
                                 (sc.camera.width, sc.camera.height))
        if not writer.isOpened():
            raise OutputError(f"OpenCV cannot write {sc.output.codec} video to {tmp_video}.")

    cols: dict[str, list] = {k: [] for k in ("t_s", "phase", "com_m", "base_m", "sway_cm", "trunk_lean_deg",
                                             "pelvis_obliquity_deg")}
    pts3: dict[str, list] = {p: [] for p in POINTS}
    pts2: dict[str, list] = {p: [] for p in POINTS}
    vis: dict[str, list] = {p: [] for p in POINTS if "heel" in p or "foot_index" in p}
    per_foot = {s: {k: [] for k in ("heel_height_cm", "foot_min_height_cm", "ankle_plantar_deg", "knee_flexion_deg",
                                    "knee_frontal_deg", "heel_medial_drift_cm", "contact_slide_mm", "planted")}
                for s in SIDE_TAG}
    ref: dict = {}
    sig = prog.signals
    for k in range(n):
        ctl = {key: float(v[k]) for key, v in sig.items()}
        posed = body.pose(ctl, sc)
        V, H = posed.vertices, posed.heads
        lm = body.landmarks(V, H)
        if k == 0:
            ref["lm"] = lm
            ref["toe"] = {s: V[body.toe_contact[s]].mean(0) for s in SIDE_TAG}
            ref["plantar"] = {s: _angle(lm[f"{s}_knee"] - lm[f"{s}_ankle"], lm[f"{s}_foot_index"] - lm[f"{s}_heel"])
                              for s in SIDE_TAG}
            ref["drift"] = {s: lm[f"{s}_heel"][0] - lm[f"{s}_foot_index"][0] for s in SIDE_TAG}
        if renderer is not None:
            renderer.set_seat(posed.seat)
            rgb, depth = renderer.render(V)
            frame = _degrade(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), sc, k)
            writer.write(frame)
        uv, dz = cam.project(np.array([lm[p] for p in POINTS]))
        for j, p in enumerate(POINTS):
            pts3[p].append(lm[p])
            pts2[p].append(uv[j])
            if p in vis:
                u, v = uv[j]
                inside = 0 <= u < cam.width and 0 <= v < cam.height
                seen = inside
                if inside and renderer is not None:
                    d = float(depth[int(v), int(u)])
                    seen = d == 0.0 or d > dz[j] - 0.025
                vis[p].append(bool(seen))
        planted_sides = []
        for s in SIDE_TAG:
            sfx = "_l" if s == "left" else "_r"
            f = per_foot[s]
            hp = V[body.heel_pad[s], 2].min()
            f["heel_height_cm"].append(100 * hp)
            f["foot_min_height_cm"].append(100 * V[body.foot_verts[s], 2].min())
            f["ankle_plantar_deg"].append(
                _angle(lm[f"{s}_knee"] - lm[f"{s}_ankle"], lm[f"{s}_foot_index"] - lm[f"{s}_heel"]) - ref["plantar"][s])
            f["knee_flexion_deg"].append(_angle(lm[f"{s}_knee"] - lm[f"{s}_hip"], lm[f"{s}_ankle"] - lm[f"{s}_knee"]))
            # frontal-plane projection angle of the knee: + = valgus (knee medial of the hip–ankle line)
            hpx, knx, anx = lm[f"{s}_hip"][[0, 2]], lm[f"{s}_knee"][[0, 2]], lm[f"{s}_ankle"][[0, 2]]
            a1, a2 = knx - hpx, anx - knx
            cross = a1[0] * a2[1] - a1[1] * a2[0]
            ang = np.degrees(np.arctan2(cross, np.dot(a1, a2)))
            f["knee_frontal_deg"].append(float(-ang if s == "left" else ang))
            med = 1.0 if s == "left" else -1.0
            drift = (lm[f"{s}_heel"][0] - lm[f"{s}_foot_index"][0]) - ref["drift"][s]
            f["heel_medial_drift_cm"].append(100 * med * drift)
            is_planted = (not prog.seated) and ctl["lift" + sfx] == 0.0
            f["planted"].append(bool(is_planted))
            f["contact_slide_mm"].append(
                1000 * float(np.linalg.norm(V[body.toe_contact[s]].mean(0)[:2] - ref["toe"][s][:2])) if is_planted else 0.0)
            if is_planted:
                planted_sides.append(s)
        if sc.exercise.kind == "single_leg_stance" and prog.phases[k] == "hold":
            # a touch-down of the free foot is a touch, not a step: the weight stays on the standing leg
            planted_sides = [sc.exercise.stance]
        base = np.mean([0.5 * (lm[f"{s}_heel"] + lm[f"{s}_foot_index"]) for s in (planted_sides or list(SIDE_TAG))], 0)
        base[2] = 0.0
        hipm = 0.5 * (lm["left_hip"] + lm["right_hip"])
        shm = 0.5 * (lm["left_shoulder"] + lm["right_shoulder"])
        tr = shm - hipm
        cols["t_s"].append(float(prog.t[k]))
        cols["phase"].append(prog.phases[k])
        cols["com_m"].append(posed.com)
        cols["base_m"].append(base)
        cols["sway_cm"].append(100 * (posed.com[:2] - base[:2]))
        cols["trunk_lean_deg"].append([np.degrees(np.arctan2(tr[0], tr[2])), np.degrees(np.arctan2(tr[1], tr[2]))])
        dh = lm["right_hip"] - lm["left_hip"]
        cols["pelvis_obliquity_deg"].append(float(np.degrees(np.arctan2(dh[2], np.hypot(dh[0], dh[1])))))
        if k % 60 == 0 and log:
            log(f"  {name}: frame {k}/{n}")
    if writer is not None:
        writer.release()
        renderer.close()

    t = np.array(cols["t_s"])
    com = np.array(cols["com_m"])
    heel_h = {s: np.array(per_foot[s]["heel_height_cm"]) for s in SIDE_TAG}

    # clip-level events, measured on the geometry inside the commanded windows
    reps = []
    for r in prog.reps:
        m = (t >= r.start_s) & (t <= r.end_s)
        if not m.any():
            continue
        rep = {"number": r.number, "side": r.side, "start_s": round(r.start_s, 4), "top_s": round(r.top_s, 4),
               "top_end_s": round(r.top_end_s, 4), "end_s": round(r.end_s, 4),
               "up_s": round(r.top_s - r.start_s, 4), "down_s": round(r.end_s - r.top_end_s, 4)}
        if r.partial:  # raised only part of the way on purpose (scenario exercise.partial_reps)
            rep["partial"] = True
        if prog.seated:
            rep["commanded_plantar_deg"] = round(r.target, 3)
            for s in SIDE_TAG:
                a = np.array(per_foot[s]["ankle_plantar_deg"])[m]
                rep[f"{s}_peak_plantar_deg"] = round(float(a.max()), 2)
                rep[f"{s}_peak_dorsi_deg"] = round(float(-a.min()), 2)
        else:
            rep["commanded_height_cm"] = round(r.target, 3)
            for s in SIDE_TAG:
                hh = heel_h[s][m] - heel_h[s][0]
                rep[f"{s}_peak_height_cm"] = round(float(hh.max()), 2)
                rep[f"{s}_peak_time_s"] = round(float(t[m][np.argmax(hh)]), 4)
        reps.append(rep)
    holds = []
    for h in prog.holds:
        hold = {"kind": h.kind, "side": h.side, "start_s": round(h.start_s, 4), "end_s": round(h.end_s, 4),
                "duration_s": round(h.end_s - h.start_s, 4), "move_start_s": round(h.move_start_s, 4),
                "move_end_s": round(h.move_end_s, 4)}
        if h.kind == "single_leg_stance":
            free = "right" if h.side == "left" else "left"
            fm = np.array(per_foot[free]["foot_min_height_cm"])
            up = (fm > 1.0) & (t >= h.move_start_s) & (t <= h.move_end_s)
            if up.any():
                hold["lift_off_s"] = round(float(t[up][0]), 4)
                hold["touch_down_s"] = round(float(t[up][-1] + 1.0 / sc.clip.fps), 4)
            # touch-downs of the free foot during the hold (free foot lower than 1 cm)
            inside = (t >= h.start_s) & (t < h.end_s)
            down = inside & (fm <= 1.0)
            touches = []
            kk = np.nonzero(down)[0]
            if len(kk):
                groups = np.split(kk, np.nonzero(np.diff(kk) > 1)[0] + 1)
                touches = [{"start_s": round(float(t[g[0]]), 4), "end_s": round(float(t[g[-1]] + 1 / sc.clip.fps), 4)}
                           for g in groups]
            hold["touch_downs"] = touches
        m = (t >= h.start_s) & (t < h.end_s)
        sway = np.array(cols["sway_cm"])[m]
        hold["sway"] = _window_stats(t[m], sway)
        holds.append(hold)
    faults = [{"kind": f.kind, "side": f.side, "start_s": round(f.start_s, 4), "end_s": round(f.end_s, 4),
               "magnitude": f.magnitude, "unit": f.unit, **({"reps": f.reps} if f.reps else {})} for f in prog.faults]

    stance = "seated" if prog.seated else "double"
    src = Path(sc.source).read_bytes() if sc.source and Path(sc.source).exists() else b""
    truth = {
        "schema": TRUTH_SCHEMA,
        "generator": f"footform tools.render {__version__}",
        "scenario": {"name": name, "sha256": hashlib.sha256(src).hexdigest() if src else None},
        "exercise": sc.exercise.kind,
        "legs": sc.exercise.legs if sc.exercise.kind in ("calf_raise", "ankle_pumps") else None,
        "stance": stance,
        "view": sc.camera.view if sc.camera.azimuth_deg is None else f"azimuth {sc.azimuth_deg:g}",
        "camera": {
            "azimuth_deg": sc.azimuth_deg, "distance_m": sc.camera.distance_m, "height_m": sc.camera.height_m,
            "position_m": _r(cam.position, 4), "R_world_from_camera": _r(cam.R_wc, 6),
            "f_px": round(cam.f_px, 4), "cx_px": cam.width / 2, "cy_px": cam.height / 2,
            "width": cam.width, "height": cam.height, "vfov_deg": cam.vfov_deg,
        },
        "fps": sc.clip.fps,
        "n_frames": n,
        "duration_s": round(n / sc.clip.fps, 4),
        "world_frame": "subject frame: metres, origin on the floor midway between the feet at the start, "
                       "x = subject's right, y = subject's front, z = up, floor z = 0",
        "pixel_frame": "continuous pixel coordinates, (0,0) = top-left corner of the image, x right, y down",
        "body": {"stature_m": round(body.stature, 4), **{k: v for k, v in body.phenotype.items()}},
        "reps": reps,
        "holds": holds,
        "faults": faults,
        "frames": {
            "t_s": _r(t, 4),
            "phase": cols["phase"],
            "points_m": {p: _r(pts3[p], 4) for p in POINTS},
            "points_px": {p: _r(pts2[p], 2) for p in POINTS},
            "visible": vis if video else None,  # needs the depth buffer: not computed with --truth-only
            "feet": {s: {k: (v if k == "planted" else _r(v, 2)) for k, v in per_foot[s].items()} for s in SIDE_TAG},
            "com_m": _r(com, 4),
            "base_m": _r(cols["base_m"], 4),
            "sway_cm": _r(cols["sway_cm"], 2),
            "trunk_lean_deg": _r(cols["trunk_lean_deg"], 2),
            "pelvis_obliquity_deg": _r(cols["pelvis_obliquity_deg"], 2),
        },
        "quality": {
            "max_contact_slide_mm": round(max(max(per_foot[s]["contact_slide_mm"]) for s in SIDE_TAG), 2),
            "min_planted_foot_height_cm": round(min(
                (h for s in SIDE_TAG for h, p in zip(per_foot[s]["foot_min_height_cm"], per_foot[s]["planted"]) if p),
                default=0.0), 2),
        },
    }
    truth_path = out_dir / f"{name}.truth.json"
    # The video first, the truth last: a truth file means the clip is complete (batch --skip-existing,
    # evaluate).
    if video:
        shutil.move(str(tmp_video), str(out_dir / f"{name}.mp4"))
    _write_json(truth, truth_path)
    if sc.source:
        dst = out_dir / f"{name}.scenario.toml"
        if Path(sc.source).resolve() != dst.resolve():
            shutil.copyfile(sc.source, dst)
    if log:
        log(f"  {name}: {n} frames in {time.monotonic() - t_start:.1f} s")
    return truth


def _write_json(doc: dict, path: Path) -> None:
    """Compact JSON with one line per top-level key of ``frames`` (diff-friendly, still small)."""
    frames = doc["frames"]
    head = {k: v for k, v in doc.items() if k != "frames"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "frames": {\n'
    items = [f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in frames.items()]
    text += ",\n".join(items) + "\n }\n}\n"
    json.loads(text)  # self-check
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"Cannot write {path}: {e.strerror or e}.") from None


def main_one(scenario_path: str, out_dir: str, **kw) -> dict:
    return render_scenario(load_scenario(scenario_path), Path(out_dir), **kw)
