"""End-to-end latency and dropped frames of ``footform live`` with a 30 fps video standing in for the camera.

Runs the real command (capture thread, pose model, analysis, store, overlay window) on a virtual
screen (Xvfb, started here when ``DISPLAY`` is unset) with the clip played at its real speed, and
prints, per run:

* **latency** — capture instant of a frame (when the stand-in camera published it) → its overlay
  handed to the window (``imshow`` returned), in ms: median, p95, max;
* **processing** — the loop's own work per analysed frame (pose + analysis + store + drawing), ms;
* **dropped** — share of captured frames skipped because a newer one was already there.

Usage::

    python bench/bench_live.py [--clip FILE] [--runs 3] [--model full|heavy] [--metronome 60]

Numbers depend on the machine and on what else runs on it: note both with the result.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = (
    ROOT / "samples" / "calf_raise_back_sickling.mp4",
    ROOT / "samples" / "calf_raise_side.mp4",
    ROOT.parent / "shared" / "footage" / "calf_back_waistdown_dumbbells.mp4",
)


def start_xvfb() -> tuple[subprocess.Popen | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    exe = shutil.which("Xvfb")
    if exe is None:
        sys.exit("bench_live: no DISPLAY and no Xvfb (apt-get install xvfb).")
    for n in range(91, 160):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        proc = subprocess.Popen([exe, f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if Path(f"/tmp/.X11-unix/X{n}").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            return proc, f":{n}"
    sys.exit("bench_live: no free X display number.")


def clip_fps(path: Path) -> float:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    finally:
        cap.release()


def run_once(clip: Path, display: str, model: str | None, metronome: float | None, tmp: Path) -> dict:
    stats = tmp / "stats.json"
    cmd = [sys.executable, "-m", "footform", "live", "--exercise", "calf-raise", "--camera", str(clip), "--no-audio",
           "--db", str(tmp / "bench.db"), "--out", str(tmp / "out"), "--stats", str(stats)]
    if model:
        cmd += ["--model", model]
    if metronome:
        cmd += ["--metronome", str(metronome)]
    r = subprocess.run(cmd, env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if r.returncode != 0:
        sys.exit(f"bench_live: footform live failed ({r.returncode}): {r.stderr.strip()}")
    return json.loads(stats.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=Path, help="video played as the camera (default: a 30 fps calf-raise clip)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--model", help="pose model (default: the live default)")
    ap.add_argument("--metronome", type=float)
    args = ap.parse_args()
    clip = args.clip or next((c for c in CANDIDATES if c.is_file()), None)
    if clip is None:
        sys.exit("bench_live: no clip found; pass --clip FILE.")
    xvfb, display = start_xvfb()
    rows = []
    try:
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as d:
                s = run_once(clip, display, args.model, args.metronome, Path(d))
            lat = np.asarray(s["latency_ms_per_frame"], float)
            proc = np.asarray(s["processing_ms_per_frame"], float)
            rows.append({
                "run": i + 1, "captured": s["frames_captured"], "analysed": s["frames_processed"],
                "dropped_pct": 100.0 * s["frames_dropped"] / max(1, s["frames_captured"]),
                "lat_med": float(np.median(lat)), "lat_p95": float(np.percentile(lat, 95)), "lat_max": float(lat.max()),
                "proc_med": float(np.median(proc)), "proc_p95": float(np.percentile(proc, 95)),
            })
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    print(f"clip: {clip.name} ({clip_fps(clip):.1f} fps, played at real speed)   model: {args.model or 'live default'}   "
          f"cores: {os.cpu_count()}   load before: {os.getloadavg()[0]:.2f}")
    head = f"{'run':>3} {'captured':>8} {'analysed':>8} {'dropped':>8} {'lat med':>8} {'lat p95':>8} {'lat max':>8} {'proc med':>8} {'proc p95':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['run']:>3} {r['captured']:>8} {r['analysed']:>8} {r['dropped_pct']:>7.1f}% {r['lat_med']:>6.1f}ms "
              f"{r['lat_p95']:>6.1f}ms {r['lat_max']:>6.1f}ms {r['proc_med']:>6.1f}ms {r['proc_p95']:>6.1f}ms")
    print("latency = capture instant → overlay handed to the window; proc = pose + analysis + store + drawing per frame")


if __name__ == "__main__":
    main()
