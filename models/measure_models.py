#!/usr/bin/env python3
"""Measure pose-model bundles on real clips, to choose footform's default models.

A developer tool: it reads the internal clips in ``../shared/footage/`` (never shipped) and
prints Markdown tables for ``models/README.md``. Run it with the project's development
environment, pinned to one CPU core so the timing answers "does it keep up on one core"::

    taskset -c 0 python models/measure_models.py
    taskset -c 0 python models/measure_models.py --models a.task b.task --json /tmp/m.json

For every model and clip it creates a fresh ``PoseLandmarker`` (VIDEO mode, one pose, default
confidences), feeds every decoded frame with the container's timestamps, and records:

* **ms/frame** -- wall time of ``detect_for_video`` alone (decoding and colour conversion are
  not counted), median and 90th percentile over the clip's frames, all in one process;
* **person** -- share of frames with a detected pose;
* **both feet / left foot / right foot** -- share of frames where ankle, heel and foot index
  (toe tip) of both feet (landmarks 27-32), of the left foot (27, 29, 31) or of the right foot
  (28, 30, 32) all have visibility >= 0.5 (what footform needs to measure that foot);
* **L/R heel order flips** -- how often the left and right heel swap their image-x order
  between frames with a pose: where the feet stay apart (the rear calf-raise clip) a flip is
  the model swapping its left/right labels;
* **steadiness** -- frame-to-frame step, in pixels of the clip's own resolution, of foot
  landmarks that stand still on the floor during chosen frames of a clip (listed in
  :data:`STILL_FEET`, from the footage's ground truth): the median says how much a planted foot
  jitters, the 95th percentile and maximum show jumps; the median is also given as a
  percentage of the shank length (knee-ankle) so clips of different scale compare. Steps are
  taken only between consecutive frames that both have a pose, and never across a hard cut.
  The landmarks are raw model output (no smoothing).

Timing depends on the machine and on what else runs on it; the script prints what it ran on.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

HERE = Path(__file__).resolve().parent
FOOTAGE = HERE.parent.parent / "shared" / "footage"
FOOT_IDS = (27, 28, 29, 30, 31, 32)  # ankles, heels, foot index (toe tips), left then right
NAMES = {27: "L ankle", 28: "R ankle", 29: "L heel", 30: "R heel", 31: "L toe", 32: "R toe"}
VISIBLE = 0.5


@dataclass(frozen=True)
class StillFoot:
    """Landmarks that stay planted on the floor during some frames of a clip.

    ``frames`` holds half-open ranges of 0-based decoded frame numbers; a step is measured from
    frame f-1 to frame f only when both lie in the same range (so a hard cut between two
    ranges is never stepped across).
    """

    clip: str
    label: str
    ids: tuple[int, ...]
    frames: tuple[tuple[int, int], ...]
    what: str = ""


#: Right-foot-off intervals of sls_front_knee_raises_alternating.mp4 (first, last frame).
_KNEE_LIFTS = ((8, 22), (52, 67), (95, 110), (136, 150), (171, 188), (212, 229), (252, 268))
_KNEE_FRAMES = 275


def _during(intervals, trim: int) -> tuple[tuple[int, int], ...]:
    """Half-open ranges inside inclusive ``intervals``, ``trim`` frames short of each end."""
    return tuple((a + trim, b + 1 - trim) for a, b in intervals)


def _between(intervals, n_frames: int, margin: int) -> tuple[tuple[int, int], ...]:
    """Half-open ranges outside inclusive ``intervals``, ``margin`` frames clear of each."""
    edges = [(-margin - 1, -margin - 1), *intervals, (n_frames + margin, n_frames + margin)]
    pairs = zip(edges, edges[1:], strict=False)
    ranges = ((b + 1 + margin, a - margin) for (_, b), (a, _) in pairs)
    return tuple((max(a, 0), min(b, n_frames)) for a, b in ranges if b > a)


#: Still feet per clip, from the ground truth in ../shared/footage/README.md.
STILL_FEET = [
    StillFoot("sls_front_knee_raises_alternating.mp4", "on one leg", (27, 29, 31),
              _during(_KNEE_LIFTS, trim=3),
              what="stance (left) ankle, heel, toe while the right foot is off the floor "
                   "(lift intervals less 3 frames at each end)"),
    StillFoot("sls_front_knee_raises_alternating.mp4", "both feet down", (27, 29, 31),
              _between(_KNEE_LIFTS, _KNEE_FRAMES, margin=4),
              what="stance (left) ankle, heel, toe between the raises (4 frames kept clear of "
                   "each lift-off and touch-down)"),
    StillFoot("opt_seated_ankle_rotations.mp4", "seated, feet flat", FOOT_IDS, ((0, 75),),
              what="both feet flat on the floor, frames 0-74 (large subject, 1920x1080)"),
    StillFoot("sls_front_lateral_leg_swings.mp4", "on one leg", (27, 29, 31), ((26, 280),),
              what="stance (left) ankle, heel, toe, frames 26-279 (fades excluded); the "
                   "swinging foot passes close by"),
    StillFoot("calf_back_waistdown_dumbbells.mp4", "toes during raises", (31, 32),
              ((0, 122), (122, 258), (258, 411)),
              what="both toe tips, which stay on the floor through the calf raises; handheld "
                   "camera (its shake is included), hard cuts at 122 and 258 skipped"),
]


@dataclass
class ClipRun:
    """One model on one clip: per-frame timing (ms) and landmarks (normalised image coords)."""

    model: str
    clip: str
    width: int
    height: int
    ms: list[float]
    landmarks: list[np.ndarray | None]  # per frame: (33, 5) x, y, z, visibility, presence


def run_clip(model: Path, clip: Path) -> ClipRun:
    """Run ``model`` over every frame of ``clip`` in VIDEO mode, timing each inference."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.VIDEO, num_poses=1)
    cap = cv2.VideoCapture(str(clip))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {clip}")
    width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    run = ClipRun(model.name, clip.name, width, height, [], [])
    last_ts = -1
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            ts = max(int(round(cap.get(cv2.CAP_PROP_POS_MSEC))), last_ts + 1)
            last_ts = ts
            image = mp.Image(image_format=mp.ImageFormat.SRGB,
                             data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            t0 = time.perf_counter()
            result = landmarker.detect_for_video(image, ts)
            run.ms.append((time.perf_counter() - t0) * 1000.0)
            if result.pose_landmarks:
                run.landmarks.append(np.array(
                    [[p.x, p.y, p.z, p.visibility, p.presence] for p in result.pose_landmarks[0]],
                    dtype=np.float64))
            else:
                run.landmarks.append(None)
    cap.release()
    return run


def summary(run: ClipRun) -> dict:
    """Timing, person share and foot-visibility shares of one run."""
    n = len(run.ms)

    def share(ids) -> float:
        return sum(lm is not None and bool(np.all(lm[list(ids), 3] >= VISIBLE))
                   for lm in run.landmarks) / n

    return dict(model=run.model, clip=run.clip, frames=n,
                ms_median=float(np.median(run.ms)), ms_p90=float(np.percentile(run.ms, 90)),
                person=sum(lm is not None for lm in run.landmarks) / n,
                both_feet_visible=share(FOOT_IDS), left_foot_visible=share((27, 29, 31)),
                right_foot_visible=share((28, 30, 32)), lr_order_flips=lr_order_flips(run))


def steps(run: ClipRun, still: StillFoot) -> dict:
    """Frame-to-frame steps (px) of the still landmarks, per landmark and pooled.

    Also the pooled median as a percentage of the stance-side shank length (ankle-knee, median
    over the frames used), a scale that does not depend on the distance to the camera.
    """
    scale = np.array([run.width, run.height])
    per_id: dict[int, list[float]] = {i: [] for i in still.ids}
    shank: list[float] = []
    pairs = [f for start, end in still.frames
             for f in range(start + 1, min(end, len(run.landmarks)))]
    for f in pairs:
        a, b = run.landmarks[f - 1], run.landmarks[f]
        if a is None or b is None:
            continue
        for i in still.ids:
            per_id[i].append(float(np.hypot(*((b[i, :2] - a[i, :2]) * scale))))
        knee, ankle = (25, 27) if still.ids[0] % 2 else (26, 28)  # left landmark ids are odd
        shank.append(float(np.hypot(*((b[knee, :2] - b[ankle, :2]) * scale))))
    pooled = np.array([s for v in per_id.values() for s in v])

    def stats(x) -> dict:
        x = np.asarray(x)
        if not x.size:
            return dict(n=0, median=None, p95=None, max=None)
        return dict(n=int(x.size), median=float(np.median(x)),
                    p95=float(np.percentile(x, 95)), max=float(x.max()))

    result = dict(model=run.model, clip=run.clip, label=still.label, what=still.what,
                  pooled=stats(pooled),
                  per_landmark={NAMES[i]: stats(v) for i, v in per_id.items()})
    shank_px = float(np.median(shank)) if shank else None
    result["shank_px"] = shank_px
    result["median_pct_shank"] = (100.0 * result["pooled"]["median"] / shank_px
                                  if shank_px and pooled.size else None)
    return result


def lr_order_flips(run: ClipRun) -> int:
    """How often the image-x order of the left and right heel (29, 30) changes between frames.

    Meaningful where the feet stay apart (a swap then means the model swapped its left/right
    labels); where feet cross or touch, real motion also flips the order.
    """
    signs = [np.sign(lm[29, 0] - lm[30, 0]) for lm in run.landmarks if lm is not None]
    signs = [s for s in signs if s != 0]
    return int(sum(a != b for a, b in zip(signs, signs[1:], strict=False)))


def fmt(x: float | None, spec: str) -> str:
    return "–" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure pose-model bundles (speed, detection, foot visibility, steadiness of "
        "still feet) on the internal clips and print Markdown tables.")
    parser.add_argument("--models", type=Path, nargs="+",
                        default=[HERE / "pose_landmarker_full.task",
                                 HERE / "pose_landmarker_heavy.task"])
    parser.add_argument("--footage", type=Path, default=FOOTAGE,
                        help="folder of clips (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write all numbers to this JSON file")
    args = parser.parse_args(argv)

    clips = sorted(args.footage.glob("*.mp4"))
    if not clips:
        raise SystemExit(f"no clips in {args.footage}")
    summaries, steadiness, all_ms = [], [], {}
    for model in args.models:
        all_ms[model.name] = []
        for clip in clips:
            run = run_clip(model, clip)
            all_ms[model.name] += run.ms
            summaries.append(summary(run))
            for still in STILL_FEET:
                if still.clip == clip.name:
                    steadiness.append(steps(run, still))
            s = summaries[-1]
            print(f"# {model.name} {clip.name}: {s['frames']} frames, "
                  f"{s['ms_median']:.1f} ms median", flush=True)

    try:
        affinity = len(__import__("os").sched_getaffinity(0))
    except AttributeError:
        affinity = None
    machine = dict(cpu=platform.processor() or platform.machine(), cores_allowed=affinity,
                   python=platform.python_version(), mediapipe=mp.__version__,
                   opencv=cv2.__version__)
    print(f"\nmachine: {machine}\n")
    print("| model | clip | frames | ms/frame median | ms p90 | person | both feet visible "
          "| left foot | right foot | L/R heel order flips |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in summaries:
        print(f"| {s['model']} | {s['clip']} | {s['frames']} | {s['ms_median']:.1f} | "
              f"{s['ms_p90']:.1f} | {s['person']:.0%} | {s['both_feet_visible']:.0%} | "
              f"{s['left_foot_visible']:.0%} | {s['right_foot_visible']:.0%} | "
              f"{s['lr_order_flips']} |")
    for name, ms in all_ms.items():
        print(f"| {name} | **all clips** | {len(ms)} | {np.median(ms):.1f} | "
              f"{np.percentile(ms, 90):.1f} | | | | | |")
    print("\n| model | clip: still landmarks | steps | median px | p95 px | max px "
          "| median % of shank |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for s in steadiness:
        p = s["pooled"]
        print(f"| {s['model']} | {s['clip']}: {s['label']} ({', '.join(s['per_landmark'])}) | "
              f"{p['n']} | {fmt(p['median'], '.2f')} | {fmt(p['p95'], '.1f')} | "
              f"{fmt(p['max'], '.1f')} | {fmt(s['median_pct_shank'], '.2f')} |")
    print("\nper landmark (median / p95 / max px):")
    for s in steadiness:
        parts = [f"{k} {fmt(v['median'], '.2f')}/{fmt(v['p95'], '.1f')}/{fmt(v['max'], '.1f')}"
                 for k, v in s["per_landmark"].items()]
        print(f"  {s['model']} {s['clip']} ({s['label']}): " + "; ".join(parts))
    print("\nstill-foot windows:")
    for still in STILL_FEET:
        print(f"  {still.clip} ({still.label}): {still.what}")
    if args.json:
        args.json.write_text(json.dumps(dict(machine=machine, summaries=summaries,
                                             steadiness=steadiness), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
