"""The 33 BlazePose landmarks and the per-frame pose record that flows out of the pose stage.

Coordinate frames (MediaPipe conventions, kept unchanged so tracks stay comparable):

* **image landmarks** — ``x`` and ``y`` are normalised image coordinates: 0 at the left / top
  edge, 1 at the right / bottom edge of the (rotation-corrected) frame; values slightly outside
  [0, 1] mean the point is estimated outside the frame.  ``z`` is depth relative to the hip
  midpoint in roughly the same scale as ``x`` (smaller = closer to the camera); it is noisy.
  ``visibility`` is the model's probability that the point is visible (not occluded) and
  ``presence`` the probability that it is in the frame; both in [0, 1].
* **world landmarks** — metres, origin at the hip midpoint, ``x`` to the image right, ``y`` down,
  ``z`` away from the camera.  Scale is the model's estimate of a real body, not measured.

"Left" and "right" are always the subject's own sides, as MediaPipe labels them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

NUM_LANDMARKS = 33

#: Column layout of :attr:`PoseFrame.image`.
IMAGE_COLUMNS = ("x", "y", "z", "visibility", "presence")
#: Column layout of :attr:`PoseFrame.world`.
WORLD_COLUMNS = ("x_m", "y_m", "z_m")


class LM(IntEnum):
    """Indices of the BlazePose landmarks (MediaPipe Pose, 33 points)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


LANDMARK_NAMES: tuple[str, ...] = tuple(m.name.lower() for m in LM)

SIDES = ("left", "right")


@dataclass(frozen=True)
class Leg:
    """Landmark indices of one leg (hip, knee, ankle, heel, toe tip = ``foot_index``)."""

    side: str
    hip: int
    knee: int
    ankle: int
    heel: int
    toe: int

    @property
    def foot(self) -> tuple[int, int, int]:
        """Ankle, heel and toe: the points that must all be visible for a usable foot."""
        return (self.ankle, self.heel, self.toe)


LEGS: dict[str, Leg] = {
    "left": Leg("left", LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
    "right": Leg("right", LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX),
}

#: Landmarks drawn on the overlay and used most by the analysis.
LOWER_BODY = (
    LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER,
    LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE, LM.RIGHT_KNEE,
    LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL,
    LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX,
)


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """What the pose stage saw in one frame.

    Attributes:
        index: 0-based index of the decoded frame in its source.
        t_s: time of the frame in seconds on the source's clock (container timestamp for a file,
            capture clock for a camera), starting near 0.
        width, height: frame size in pixels after rotation correction.
        image: ``(33, 5)`` float32 array of image landmarks (columns :data:`IMAGE_COLUMNS`), or
            ``None`` when no person was found.
        world: ``(33, 3)`` float32 array of world landmarks in metres (:data:`WORLD_COLUMNS`), or
            ``None`` when no person was found.
        n_people: how many people the model reported in this frame (the tracked one included).
        rise_px: how far the person moved up relative to the background since the previous frame,
            pixels (camera motion removed; NaN when not measured) — see :mod:`footform.core.motion`.
        scene_cut: the scene changed abruptly before this frame (a hard cut), from the pixels.
    """

    index: int
    t_s: float
    width: int
    height: int
    image: np.ndarray | None = None
    world: np.ndarray | None = None
    n_people: int = 0
    rise_px: float = float("nan")
    scene_cut: bool = False

    @property
    def has_person(self) -> bool:
        return self.image is not None

    def xy_px(self, idx: int) -> tuple[float, float]:
        """Image position of landmark ``idx`` in pixels (x right, y down)."""
        if self.image is None:
            raise ValueError("no person in this frame")
        return float(self.image[idx, 0] * self.width), float(self.image[idx, 1] * self.height)

    def visibility(self, idx: int) -> float:
        """min(visibility, presence) of landmark ``idx``: 0 when there is no person."""
        if self.image is None:
            return 0.0
        return float(min(self.image[idx, 3], self.image[idx, 4]))

    def same_as(self, other: PoseFrame) -> bool:
        """Exact equality, arrays included (used to check track round trips)."""

        def eq(a: np.ndarray | None, b: np.ndarray | None) -> bool:
            if a is None or b is None:
                return a is b
            return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)

        return (
            self.index == other.index
            and self.t_s == other.t_s
            and (self.width, self.height, self.n_people) == (other.width, other.height, other.n_people)
            and eq(self.image, other.image)
            and eq(self.world, other.world)
            and (self.rise_px == other.rise_px or (self.rise_px != self.rise_px and other.rise_px != other.rise_px))
            and self.scene_cut == other.scene_cut
        )
