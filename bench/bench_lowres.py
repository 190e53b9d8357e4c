"""How small and how unsteady footage may get before calf raises are miscounted.

Re-encodes clips with known rep counts (a rendered clip with its ``.truth.json`` beside it) at
smaller widths, a lower frame rate and JPEG compression — what a phone video or a person far
from a webcam gives — runs ``footform analyze --exercise calf-raise`` on each version and prints,
per version: the foot length in pixels, the heel-landmark jitter (FL, 30 fps equivalent;
footform/core/trackability.py), the reps counted against the truth, and whether footform
declared the footage not analysable.  This is the measurement behind
the calf raise's ``FOOT_PX_MIN`` (exercises/calf_raise.py; docs/metrics.md, "When the feet are too small to count").

    python bench/bench_lowres.py samples/calf_raise_side.mp4 [MORE.mp4 ...] [--widths 640 480 ...]
        [--every 1 2] [--quality 60] [--small-quality 35] [--work DIR] [--no-limits]

``--no-limits`` counts as if the calf raise had no foot-size or jitter limit (what the limits are
measured against); without it the table shows what a user gets.

It needs only footform's core dependencies; the pose stage runs on every version (~5–30 s each).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2


def reencode(src: Path, dst: Path, width: int, every: int, quality: int) -> None:
    """Resize to ``width`` (aspect kept), keep every ``every``-th frame, JPEG-compress each frame."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer, i = None, 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if i % every == 0:
            h = int(round(frame.shape[0] * width / frame.shape[1] / 2) * 2)
            if (width, h) != (frame.shape[1], frame.shape[0]):
                frame = cv2.resize(frame, (width, h), interpolation=cv2.INTER_AREA)
            frame = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
            if writer is None:
                writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps / every, (width, h))
            writer.write(frame)
        i += 1
    cap.release()
    if writer is None:
        raise SystemExit(f"bench_lowres: {src} has no frames")
    writer.release()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--widths", nargs="+", type=int, default=[640, 480, 360, 300, 240, 200, 160])
    ap.add_argument("--every", nargs="+", type=int, default=[1, 2], help="keep every N-th frame (2: 30 → 15 fps)")
    ap.add_argument("--quality", type=int, default=60, help="JPEG quality above 300 px width")
    ap.add_argument("--small-quality", type=int, default=35, help="JPEG quality at 300 px width and below")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--no-limits", action="store_true", help="count as if the calf raise had no foot-size/jitter limit")
    args = ap.parse_args(argv)
    from footform.analysis.analyzer import AnalysisConfig, analyze_frames
    from footform.exercises.calf_raise import CalfRaise
    from footform.io.track import TrackReader

    if args.no_limits:
        CalfRaise.unmeasurable = lambda self, track, view: None  # type: ignore[method-assign]
    work = args.work or Path(tempfile.mkdtemp(prefix="footform-lowres-"))
    work.mkdir(parents=True, exist_ok=True)
    print("| clip | width px | fps | foot px | heel jitter FL | reps / truth | analysable |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for clip in args.clips:
        truth_file = clip.with_suffix(".truth.json")
        truth = len(json.loads(truth_file.read_text())["reps"]) if truth_file.exists() else None
        for width in args.widths:
            for every in args.every:
                q = args.small_quality if width <= 300 else args.quality
                version = work / f"{clip.stem}_w{width}_e{every}_q{q}.mp4"
                if not version.exists():
                    reencode(clip, version, width, every, q)
                out = work / version.stem
                # the pose stage once (its landmark track), then the analysis in this process
                subprocess.run([sys.executable, "-m", "footform", "analyze", str(version), "--exercise", "calf-raise",
                                "--no-store", "--force", "--out", str(out)], capture_output=True, text=True)
                (track,) = out.glob("*.track.jsonl.gz")
                s = analyze_frames(TrackReader(track), AnalysisConfig(exercise="calf_raise")).to_dict()
                qd = s["quality"]
                fps = qd["frames"] / max(qd["duration_s"], 1e-9)
                reps = len(s["reps"]) if s["analysable"] else "–"
                print(f"| {clip.stem} | {width} | {fps:.0f} | {qd.get('foot_px')} | {qd.get('heel_jitter_fl')} | "
                      f"{reps} / {truth if truth is not None else '?'} | {'yes' if s['analysable'] else 'no'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
