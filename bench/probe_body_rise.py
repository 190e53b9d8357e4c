"""Does the camera-compensated body rise (footform.core.motion) show the reps of a hard clip?  And its cost.

An offline *probe* of the signal, not the rep counter: the accumulated ``rise_px`` of every frame
(person rise relative to the background, from the segmentation mask and the optical flow), in
shank lengths, detrended by a centred 1.5 s running median, Gaussian-smoothed (σ 2 frames); local
maxima with a prominence ≥ 0.35 × the segment's 5–95 % range (segments split at the detected scene
cuts) are matched to the hand-annotated rep tops within ±5 frames — the same probe as the landmark
table in docs/metrics.md ("Rear view, waist-down footage").

Prints, per clip: frames, person found, when the automatic grey margin switched on, frames with a
measured rise, scene cuts found vs annotated, tops found / false, the rep counter's count with the
body rise and with the landmarks only (no margin, no motion), and the pose-stage time with
``motion=True`` as a ratio to ``motion=False`` measured in the same run.

    python bench/probe_body_rise.py [--footage ../shared/footage] [clip ...]

Needs the team's internal footage (never shipped); exits with a sentence when it is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.core.landmarks import LM
from footform.io.capture import VideoFileSource
from footform.io.pose import PoseEstimator, resolve_model

PROMINENCE = 0.35
TOL_FRAMES = 5


def _pose(path: Path, **kw) -> tuple[list, float, float | None]:
    t0 = time.perf_counter()
    with PoseEstimator(resolve_model(None), **kw) as est:
        frames = list(est.run(VideoFileSource(path)))
        margin = est.margin_from_s
    return frames, time.perf_counter() - t0, margin


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    r = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    return np.convolve(np.pad(x, r, mode="edge"), k, mode="valid")


def _peaks(x: np.ndarray, prominence: float, distance: int = 12) -> list[int]:
    """Local maxima whose drop to the lowest point before the next higher peak, both sides, ≥ prominence."""
    out: list[int] = []
    for i in range(1, len(x) - 1):
        if not (x[i] >= x[i - 1] and x[i] > x[i + 1]):
            continue
        left = x[:i][::-1]
        higher = np.flatnonzero(left > x[i])
        lmin = left[: higher[0]].min() if higher.size else left.min()
        right = x[i + 1:]
        higher = np.flatnonzero(right > x[i])
        rmin = right[: higher[0]].min() if higher.size else right.min()
        if x[i] - max(lmin, rmin) >= prominence and (not out or i - out[-1] >= distance):
            out.append(i)
    return out


def probe(path: Path, truth: dict) -> dict:
    plain, t_plain, _ = _pose(path, pad_top=0.0, motion=False)
    frames, t_motion, margin = _pose(path, pad_top=None, motion=True)
    fps = float(truth.get("fps", 30.0))
    shanks = [np.hypot(*((f.image[LM.LEFT_KNEE, :2] - f.image[LM.LEFT_ANKLE, :2]) * [f.width, f.height]))
              for f in frames if f.image is not None]
    shank = float(np.median(shanks)) if shanks else float("nan")
    inc = np.array([0.0 if (f.scene_cut or not np.isfinite(f.rise_px)) else f.rise_px for f in frames])
    rise = np.cumsum(inc) / shank
    cuts = [f.index for f in frames if f.scene_cut]
    half = int(round(0.75 * fps))
    bounds = [0, *cuts, len(frames)]
    found: list[int] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        seg = rise[a:b]
        if len(seg) < 2 * half + 3:
            continue
        padded = np.pad(seg, half, mode="edge")
        trend = np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)
        x = _smooth(seg - trend, 2.0)
        rng = float(np.percentile(x, 95) - np.percentile(x, 5))
        found += [a + i for i in _peaks(x, PROMINENCE * rng)]
    tops = truth.get("rep_top_frames", [])
    hits = sum(any(abs(p - t) <= TOL_FRAMES for p in found) for t in tops)
    false = sum(not any(abs(p - t) <= TOL_FRAMES for t in tops) for p in found)
    return {
        "frames": len(frames),
        "person_found": sum(f.has_person for f in frames),
        "margin_from_s": margin,
        "rise_measured": int(sum(np.isfinite(f.rise_px) for f in frames)),
        "scene_cuts": cuts,
        "annotated_cuts": truth.get("cuts_at_frames", []),
        "tops_found": f"{hits}/{len(tops)}",
        "false_tops": false,
        "peaks": found,
        "counter_reps": len(analyze_frames(frames, AnalysisConfig(exercise="calf_raise")).reps),
        "counter_reps_landmarks_only": len(analyze_frames(plain, AnalysisConfig(exercise="calf_raise")).reps),
        "pose_time_ratio_motion_vs_plain": round(t_motion / t_plain, 2),
        "frames_plain_found": sum(f.has_person for f in plain),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--footage", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "footage")
    ap.add_argument("clips", nargs="*", default=["calf_back_waistdown_dumbbells.mp4"])
    args = ap.parse_args()
    gt_path = args.footage / "ground_truth.json"
    if not gt_path.is_file():
        print(f"The internal footage is not at {args.footage}: nothing to probe.", file=sys.stderr)
        return 2
    gt = json.loads(gt_path.read_text())["clips"]
    for clip in args.clips:
        print(clip, json.dumps(probe(args.footage / clip, gt.get(clip, {}))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
