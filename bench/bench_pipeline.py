"""Offline throughput and memory of `footform analyze`, against the raw model in the same run.

    python bench/bench_pipeline.py [VIDEO] [--repeat 10] [--skip-batch]

Prints one table:

* raw model throughput — the pose stage alone on pre-decoded RGB frames (frames/s, one process);
* end-to-end `analyze` throughput with one worker and with all cores, and their ratios to raw;
* per-stage time per frame (decode, convert, pose, kinematics + exercise + feedback, track writing);
* peak RSS of a short input and of a 10× longer one (the same clip concatenated), each in a fresh
  process;
* batch throughput of two copies of the clip with `--jobs 1` and `--jobs 2`.

The default clip is samples/calf_raise_side.mp4 (640x360, 30 fps, 13.7 s).  Nothing here is a test:
numbers depend on the machine and on what else runs on it; docs/performance.md records them with
the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def decode_all(path: Path) -> tuple[list[np.ndarray], list[float], float]:
    cap = cv2.VideoCapture(str(path))
    frames, times = [], []
    t0 = time.perf_counter()
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
        times.append(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    return frames, times, (time.perf_counter() - t0) / max(len(frames), 1)


def raw_model(frames: list[np.ndarray], times: list[float]) -> tuple[float, float]:
    """Pose stage alone on pre-decoded frames: (frames/s, convert ms/frame)."""
    from footform.io.pose import PoseEstimator, resolve_model

    rgbs = []
    t0 = time.perf_counter()
    for f in frames:
        rgbs.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    convert = (time.perf_counter() - t0) / len(frames)
    with PoseEstimator(resolve_model("full")) as est:
        t0 = time.perf_counter()
        for i, (rgb, t) in enumerate(zip(rgbs, times)):
            est.process_rgb(rgb, i, t)
        dt = time.perf_counter() - t0
    return len(frames) / dt, convert


def post_pose_costs(track: Path) -> tuple[float, float]:
    """ms/frame of analysis (kinematics + exercises + feedback) and of writing the track."""
    from footform.analysis.analyzer import AnalysisConfig, Analyzer
    from footform.io.track import TrackReader, TrackWriter, make_header

    frames = list(TrackReader(track))
    an = Analyzer(AnalysisConfig())
    t0 = time.perf_counter()
    for f in frames:
        an.step(f)
    an.finish()
    analysis = (time.perf_counter() - t0) / len(frames)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        with TrackWriter(Path(d) / "x.track.jsonl.gz", make_header({}, None)) as w:
            for f in frames:
                w.write(f)
        writing = (time.perf_counter() - t0) / len(frames)
    return analysis * 1000, writing * 1000


def analyze(paths: list[Path], out: Path, *extra: str) -> tuple[float, dict]:
    """Run `footform analyze` in a fresh process; (wall s, resource usage of the child)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "footform", "analyze", *map(str, paths), "--out", str(out), "--no-store",
                    "--force", *extra], check=False, capture_output=True)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, {"maxrss_kb": ru.ru_maxrss}


def peak_rss_mb(paths: list[Path], out: Path, *extra: str) -> float:
    """Peak RSS (MB) of one `footform analyze` process (measured by /usr/bin/time-like wrapper)."""
    code = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "footform", "analyze", *map(str, paths), "--out", str(out),
           "--no-store", "--force", *extra]
    res = subprocess.run(cmd, capture_output=True, text=True)
    return int(res.stdout.strip().splitlines()[-1]) / 1024.0


def concat(src: Path, dst: Path, times: int) -> None:
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    h, w = frames[0].shape[:2]
    wr = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for _ in range(times):
        for f in frames:
            wr.write(f)
    wr.release()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(REPO / "samples" / "calf_raise_side.mp4"))
    ap.add_argument("--repeat", type=int, default=10, help="length factor of the long input (default 10)")
    ap.add_argument("--skip-batch", action="store_true")
    args = ap.parse_args()
    video = Path(args.video)
    work = Path(tempfile.mkdtemp(prefix="footform-bench-"))
    try:
        frames, times, decode_s = decode_all(video)
        n = len(frames)
        raw_fps, convert_s = raw_model(frames, times)
        del frames
        long_video = work / f"long{args.repeat}.mp4"
        concat(video, long_video, args.repeat)
        n_long = n * args.repeat
        w1, _ = analyze([long_video], work / "w1", "--workers", "1")
        wall_all, _ = analyze([long_video], work / "wall")
        track = work / "w1" / f"long{args.repeat}.track.jsonl.gz"
        analysis_ms, writing_ms = post_pose_costs(track)
        rss_short = peak_rss_mb([video], work / "rs", "--workers", "1")
        rss_long = peak_rss_mb([long_video], work / "rl", "--workers", "1")
        rows = [
            ("machine", f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"),
            ("clip", f"{video.name}: {n} frames; long input = {args.repeat}x ({n_long} frames)"),
            ("raw model (pose stage alone, pre-decoded)", f"{raw_fps:.1f} frames/s  ({1000 / raw_fps:.1f} ms/frame)"),
            ("analyze, 1 worker (long input)", f"{n_long / w1:.1f} frames/s  = {n_long / w1 / raw_fps:.2f} x raw"),
            (f"analyze, all cores ({os.cpu_count()}) (long input)", f"{n_long / wall_all:.1f} frames/s  = {n_long / wall_all / raw_fps:.2f} x raw"),
            ("decode (ms/frame)", f"{decode_s * 1000:.2f}"),
            ("BGR->RGB convert (ms/frame)", f"{convert_s * 1000:.2f}"),
            ("pose (ms/frame)", f"{1000 / raw_fps:.2f}"),
            ("kinematics + exercise + feedback (ms/frame)", f"{analysis_ms:.2f}  = {analysis_ms * raw_fps / 10:.1f} % of pose"),
            ("track writing (ms/frame)", f"{writing_ms:.2f}  = {writing_ms * raw_fps / 10:.1f} % of pose"),
            ("peak RSS, short input (MB)", f"{rss_short:.0f}"),
            (f"peak RSS, {args.repeat}x input (MB)", f"{rss_long:.0f}  ({100 * (rss_long / rss_short - 1):+.1f} %)"),
        ]
        if not args.skip_batch:
            copies = []
            for k in range(2):
                c = work / f"copy{k}.mp4"
                shutil.copy(long_video, c)
                copies.append(c)
            j1, _ = analyze(copies, work / "j1", "--jobs", "1", "--workers", "1")
            j2, _ = analyze(copies, work / "j2", "--jobs", "2")
            rows += [("batch of 2, --jobs 1", f"{2 * n_long / j1:.1f} frames/s"),
                     ("batch of 2, --jobs 2", f"{2 * n_long / j2:.1f} frames/s  = {j1 / j2:.2f} x --jobs 1")]
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
            print(f"{k:<{width}}  {v}")
        print(json.dumps({k: v for k, v in rows}), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
