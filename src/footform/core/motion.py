"""Person motion relative to the scene, measured from pixels: the camera-compensated body rise.

Why: a calf raise lifts everything above the ankles by roughly the heel height.  The landmark
heights see that only with a still camera and a pose model that keeps both legs apart.  A handheld
rear waist-down recording (``shared/footage/calf_back_waistdown_dumbbells.mp4``) has neither: the
camera drifts by more than the rise, and MediaPipe often puts both legs' points on one leg, while
its *segmentation mask* of the person stays right.  This stage measures, between consecutive
frames, how far the person's pixels moved up **relative to the background** (floor and walls), so
the camera's own motion cancels.

Method (per frame, on a grey copy scaled to ~:data:`FLOW_AREA_PX` pixels):

1. dense optical flow (Farnebäck) from the previous frame;
2. the camera's motion: a similarity transform (shift, scale, rotation) fitted with RANSAC to the
   flow of textured background pixels (outside the person mask, dilated);
3. the person's rise: the median, over textured pixels of the person mask *above its lowest*
   :data:`FEET_EXCLUDED_FRACTION` (the feet: toes stay on the floor in a raise), of the vertical
   flow minus what the camera's motion predicts there; up positive, in pixels of the original
   frame.

A **scene cut** is reported when the background does not follow one transform (fewer than
:data:`MIN_INLIER_FRACTION` RANSAC inliers) or the warped previous frame does not match
(median absolute grey difference over the background above :data:`CUT_GREY_DIFF`).

Measured on ``calf_back_waistdown_dumbbells.mp4`` (``bench/probe_body_rise.py``; docs/metrics.md,
"Rear view, waist-down footage"): the accumulated rise rises and falls with every rep (25–40 px),
its peaks find 13 of the 14 annotated tops with none false, where the landmark heights find 5–8;
both hard cuts are found and nothing else is called a cut.  Synthetic frames with known camera and
person motion: < 0.5 px error per frame (``tests/test_motion.py``).  The thresholds below were set
on this clip and the synthetic frames only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

#: Frames are scaled so that width × height ≈ this many pixels before the flow (240² — a 480²
#: frame is halved, 1280×720 becomes 320×180).  The rise is converted back to original pixels.
FLOW_AREA_PX = 240 * 240
#: Pixels whose squared grey gradient is above this percentile of the frame carry the flow
#: (untextured areas — dark trousers, a plain wall — have no reliable flow).
TEXTURE_PERCENTILE = 60.0
#: The person mask is dilated by this many (scaled) pixels before taking the background.
MASK_DILATE_PX = 7
#: The lowest fraction of the person mask's height is left out of the rise (the feet).
FEET_EXCLUDED_FRACTION = 0.2
#: Background samples for the camera-motion fit and the least that count.
BG_SAMPLES = 2000
MIN_BG_PIXELS = 100
MIN_PERSON_PIXELS = 30
#: RANSAC reprojection threshold (scaled pixels) and the inlier share below which the background
#: does not move as one scene (a cut).  Measured on the dumbbell clip: 0.85–1.0 between ordinary
#: frames, < 0.3 at its two hard cuts.
RANSAC_PX = 1.0
MIN_INLIER_FRACTION = 0.3
#: Median absolute grey difference (0–255) over the background between the current frame and the
#: previous one warped by the fitted camera motion, above which the frame is a cut.
CUT_GREY_DIFF = 25.0
#: A person mask stays usable for this many frames while the pose model misses the person.
MASK_HOLD_FRAMES = 15


@dataclass(frozen=True)
class MotionSample:
    """Motion of one frame relative to the previous one.

    Attributes:
        rise_px: how far the person moved **up** relative to the background since the previous
            frame, pixels of the original frame (NaN when not measured: first frame, no person
            mask, too little background texture).
        scene_cut: the scene changed (a hard cut or a camera jerk the flow cannot follow).
    """

    rise_px: float = float("nan")
    scene_cut: bool = False


class PersonMotion:
    """Frame-to-frame person rise relative to the scene (one instance per video stream)."""

    def __init__(self, seed: int = 0) -> None:
        self._prev: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._mask_age = 0
        self._rng = np.random.default_rng(seed)

    def reset(self) -> None:
        self._prev = None
        self._mask = None

    def update(self, rgb: np.ndarray, mask: np.ndarray | None) -> MotionSample:
        """``rgb``: the frame (H, W, 3) uint8; ``mask``: the person's probability mask (H, W) or None."""
        height, width = rgb.shape[:2]
        scale = min(1.0, math.sqrt(FLOW_AREA_PX / float(width * height)))
        size = (max(16, int(round(width * scale))), max(16, int(round(height * scale))))
        grey = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        if mask is not None:
            small = cv2.resize(np.ascontiguousarray(mask, dtype=np.float32), size, interpolation=cv2.INTER_LINEAR)
            self._mask, self._mask_age = (small > 0.5).astype(np.uint8), 0
        elif self._mask is not None:
            self._mask_age += 1
            if self._mask_age > MASK_HOLD_FRAMES:
                self._mask = None
        prev, self._prev = self._prev, grey
        if prev is None or self._mask is None or not self._mask.any():
            return MotionSample()
        return self._measure(prev, grey, self._mask, scale)

    def _measure(self, prev: np.ndarray, grey: np.ndarray, person: np.ndarray, scale: float) -> MotionSample:
        flow = cv2.calcOpticalFlowFarneback(prev, grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
        gy = cv2.Sobel(prev, cv2.CV_32F, 0, 1, ksize=3)
        gx = cv2.Sobel(prev, cv2.CV_32F, 1, 0, ksize=3)
        grad = gx * gx + gy * gy
        textured = grad > np.percentile(grad, TEXTURE_PERCENTILE)
        k = 2 * MASK_DILATE_PX + 1
        background = cv2.dilate(person, np.ones((k, k), np.uint8)) == 0
        ys, xs = np.nonzero(background & textured)
        if len(xs) < MIN_BG_PIXELS:
            return MotionSample()
        if len(xs) > BG_SAMPLES:
            pick = self._rng.choice(len(xs), BG_SAMPLES, replace=False)
            ys, xs = ys[pick], xs[pick]
        p = np.stack([xs, ys], axis=1).astype(np.float32)
        q = p + flow[ys, xs]
        fit, inliers = cv2.estimateAffinePartial2D(p, q, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX)
        if fit is None or inliers is None or float(inliers.mean()) < MIN_INLIER_FRACTION:
            return MotionSample(scene_cut=True)
        # the previous frame moved by the camera's motion should look like this one on the background
        warped = cv2.warpAffine(prev, fit, (grey.shape[1], grey.shape[0]), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
        diff = np.abs(warped[ys, xs].astype(np.float32) - grey[ys, xs].astype(np.float32))
        if float(np.median(diff)) > CUT_GREY_DIFF:
            return MotionSample(scene_cut=True)
        body = cv2.erode(person, np.ones((5, 5), np.uint8)) > 0
        rows = np.flatnonzero(body.any(axis=1))
        if rows.size == 0:
            return MotionSample()
        top, bottom = rows[0], rows[-1]
        body[int(bottom - FEET_EXCLUDED_FRACTION * (bottom - top)):] = False
        ys2, xs2 = np.nonzero(body & textured)
        if len(xs2) < MIN_PERSON_PIXELS:
            return MotionSample()
        pts = np.stack([xs2, ys2], axis=1).astype(np.float32)
        predicted_y = pts @ fit[1, :2] + fit[1, 2]
        moved_y = ys2 + flow[ys2, xs2, 1]
        rise_scaled = -float(np.median(moved_y - predicted_y))
        return MotionSample(rise_px=rise_scaled / scale)
