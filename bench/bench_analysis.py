"""Per-frame cost of the analysis (kinematics + filters + exercise logic) vs the pose stage.

    python bench/bench_analysis.py [VIDEO] [--frames N]

With a video (and the bundled model) the pose stage runs on it and the analysis runs on its
output in the same process: the table shows ms/frame for each and their ratio.  Without a video
(or model) only the analysis is timed, on a long synthetic stream (TODO ratio: needs the model).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from footform.analysis.analyzer import AnalysisConfig, Analyzer  # noqa: E402


def time_analysis(frames, live: bool) -> float:
    an = Analyzer(AnalysisConfig(live=live, height_cm=170))
    t0 = time.perf_counter()
    for f in frames:
        an.step(f)
    an.finish()
    return (time.perf_counter() - t0) / max(len(frames), 1) * 1000.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="?")
    ap.add_argument("--frames", type=int, default=3000)
    a = ap.parse_args()
    pose_ms = None
    if a.video:
        from footform.io.pose import estimate_video

        t0 = time.perf_counter()
        frames = list(estimate_video(a.video))
        pose_ms = (time.perf_counter() - t0) / len(frames) * 1000.0
    else:
        from synth import generate, lift, rep, still

        segs = [still(1.5)] + [rep(0.06), still(0.6)] * 20 + [lift("right", 30.0, sway_m=0.01)]
        frames, _ = generate(segs, view="front", seed=0)
        while len(frames) < a.frames:
            more, _ = generate(segs, view="front", seed=len(frames), t0=frames[-1].t_s + 1 / 30)
            frames += more
        frames = frames[: a.frames]
    rows = [("analysis offline", time_analysis(frames, False)), ("analysis live", time_analysis(frames, True))]
    print(f"{'stage':<20} {'ms/frame':>9} {'vs pose':>8}   ({len(frames)} frames)")
    if pose_ms is not None:
        print(f"{'pose (decode+model)':<20} {pose_ms:>9.2f} {'1.00':>8}")
    for name, ms in rows:
        ratio = f"{ms / pose_ms:.3f}" if pose_ms else "TODO"
        print(f"{name:<20} {ms:>9.3f} {ratio:>8}")


if __name__ == "__main__":
    main()
