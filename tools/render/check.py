"""``python -m tools.render.check DIR|CLIP.mp4 ... [--model full]``: MediaPipe against the truth.

For every ``<name>.mp4`` with a ``<name>.truth.json`` beside it, runs footform's own pose stage
(:class:`footform.io.pose.PoseEstimator`, VIDEO mode) and reports:

* ``person``: fraction of frames with a person detected;
* ``feet``: fraction of frames where the person is detected and all six foot landmarks (ankle,
  heel, foot index of both feet) have min(visibility, presence) ≥ 0.5 (``foot_landmarks``: the
  same fraction per landmark);
* ``err_px``: median and 90th-percentile image distance between MediaPipe's landmark and the
  true point, per landmark group (heel, foot_index, ankle, knee, hip, shoulder), over frames
  with a person;
* ``heel_ratio``: for clips with heel raises, the least-squares slope of MediaPipe's heel rise
  (heel above its baseline, image px, baseline = median over the first 0.8 s) against the true
  heel point's rise in the same image, and their correlation — "how much of the raise the model
  reports" per view.  Heels whose true rise is under 1 cm at every frame are skipped.

Needs only footform's core dependencies (mediapipe, OpenCV, numpy); no torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from tools.render.generate import MEDIAPIPE_INDEX

GROUPS = ("heel", "foot_index", "ankle", "knee", "hip", "shoulder")
FOOT = ("left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index")


def check_clip(video: Path, truth_path: Path, model_spec: str | None = None) -> dict:
    import cv2

    from footform.io.pose import PoseEstimator, resolve_model

    truth = json.loads(truth_path.read_text())
    F = truth["frames"]
    n = truth["n_frames"]
    model = resolve_model(model_spec)
    cap = cv2.VideoCapture(str(video))
    mp_px: list[np.ndarray | None] = []
    vis: list[np.ndarray | None] = []
    with PoseEstimator(model) as est:
        k = 0
        while k < n:
            ok, bgr = cap.read()
            if not ok:
                break
            pf = est.process_rgb(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), k, k / truth["fps"])
            if pf.image is None:
                mp_px.append(None)
                vis.append(None)
            else:
                xy = pf.image[:, :2] * np.array([pf.width, pf.height])
                mp_px.append(xy)
                vis.append(np.minimum(pf.image[:, 3], pf.image[:, 4]))
            k += 1
    cap.release()
    m = len(mp_px)
    person = np.array([p is not None for p in mp_px])
    feet = np.array([v is not None and all(v[MEDIAPIPE_INDEX[f]] >= 0.5 for f in FOOT) for v in vis])
    lm_vis = {f: round(float(np.mean([v is not None and v[MEDIAPIPE_INDEX[f]] >= 0.5 for v in vis])), 4) if m else 0.0
              for f in FOOT}
    res: dict = {"clip": video.name, "view": truth["view"], "frames": m,
                 "person": round(float(person.mean()), 4) if m else 0.0,
                 "feet": round(float(feet.mean()), 4) if m else 0.0, "foot_landmarks": lm_vis, "err_px": {}}
    for g in GROUPS:
        errs = []
        for side in ("left", "right"):
            name = f"{side}_{g}"
            tp = np.array(F["points_px"][name])[:m]
            for k in range(m):
                if mp_px[k] is not None:
                    errs.append(float(np.linalg.norm(mp_px[k][MEDIAPIPE_INDEX[name]] - tp[k])))
        if errs:
            res["err_px"][g] = {"median": round(float(np.median(errs)), 2), "p90": round(float(np.percentile(errs, 90)), 2)}
    # heel-height ratio (image px), per side
    t = np.array(F["t_s"])[:m]
    base = t < 0.8
    ratios = {}
    for side in ("left", "right"):
        hh = np.array(F["feet"][side]["heel_height_cm"])[:m]
        if truth["exercise"] != "calf_raise" or hh.max() - hh[0] < 1.0:
            continue
        name = f"{side}_heel"
        idx = MEDIAPIPE_INDEX[name]
        ok = np.array([p is not None for p in mp_px])
        if not ok[base].any():
            continue
        tv = np.array(F["points_px"][name])[:m, 1]
        mv = np.array([p[idx, 1] if p is not None else np.nan for p in mp_px])
        true_rise = np.median(tv[base]) - tv
        mp_rise = np.nanmedian(mv[base & ok]) - mv
        sel = ok & np.isfinite(mp_rise)
        x, y = true_rise[sel], mp_rise[sel]
        if len(x) < 10 or np.dot(x, x) < 1e-6:
            continue
        slope = float(np.dot(x, y) / np.dot(x, x))
        corr = float(np.corrcoef(x, y)[0, 1])
        ratios[side] = {"ratio": round(slope, 3), "corr": round(corr, 3), "true_peak_px": round(float(x.max()), 1)}
    if ratios:
        res["heel_ratio"] = ratios
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.render.check", description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="clip .mp4 files or folders holding them")
    ap.add_argument("--model", default=None, help="pose model: 'full' (default), 'heavy' or a .task file")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    clips: list[Path] = []
    for p in map(Path, args.paths):
        clips += sorted(p.glob("*.mp4")) if p.is_dir() else [p]
    results = []
    for v in clips:
        tp = v.with_name(v.name.removesuffix(".mp4") + ".truth.json")
        if not tp.exists():
            print(f"skip {v}: no truth file", file=sys.stderr)
            continue
        r = check_clip(v, tp, args.model)
        results.append(r)
        e = r["err_px"]
        hr = " ".join(f"{s}:{d['ratio']:.2f}(r={d['corr']:.2f})" for s, d in r.get("heel_ratio", {}).items())
        print(f"{r['clip']:<34} {r['view']:<22} person {100*r['person']:5.1f}%  feet {100*r['feet']:5.1f}%  "
              f"err med heel {e.get('heel', {}).get('median', float('nan')):.1f} toe {e.get('foot_index', {}).get('median', float('nan')):.1f} "
              f"ankle {e.get('ankle', {}).get('median', float('nan')):.1f} knee {e.get('knee', {}).get('median', float('nan')):.1f} "
              f"hip {e.get('hip', {}).get('median', float('nan')):.1f} px  {('heel ratio ' + hr) if hr else ''}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
