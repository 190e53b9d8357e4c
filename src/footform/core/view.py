"""Camera view and framing: which way the person faces the camera, and whether the feet are usable.

All inputs are :class:`~footform.core.landmarks.PoseFrame` records (normalised image landmarks with
visibility/presence).  Nothing here looks at pixels.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from footform.core.landmarks import LEGS, LM, PoseFrame

#: A landmark counts as seen when min(visibility, presence) reaches this.  MediaPipe's own
#: drawing utilities use 0.5; the feet-close-up failure clip in shared/footage shows foot
#: landmarks at ~0.0–0.1 while hips are at ~0.9, so 0.5 separates the two cases widely.
VISIBILITY_MIN = 0.5

VIEWS = ("front", "back", "side-left", "side-right", "unknown")


#: How far outside the picture a foot point (ankle, heel, toe) may lie and still count as *at its
#: edge*, in lengths of the same leg's shank in the picture: 0.06 shank ≈ 0.1 FL (FL = 0.618 shank).
#: A point the model places that close to the edge cannot be told from one just inside it: on
#: rendered calf raises cropped so that the lowest true toe tip lies exactly on the bottom edge
#: (five calibration clips: front, webcam front, three-quarter, back three-quarter, side;
#: docs/evaluation.md "Calf raises, #18 third round") MediaPipe puts the toe point 0.07–0.16 FL
#: short of the true tip.  Without the margin the rendered `cr2_three-quarter-left_clean_04`, whose
#: near toe the model places 0.04 FL (median; at most 0.09) below the bottom edge, was "not
#: analysable" although both heels and ankles are in the picture.  Chosen on the crops at 0–1 FL
#: beyond the edge: with 0.1 FL no crop lost a rep to the edge without saying so (each counted
#: exactly or, with the calf raise's edge check, was not analysable); with 0.15 FL the
#: side-view crop with its toe tip 0.15 FL out counted 2 of 5 reps and said nothing.  Farther out
#: the picture cuts the foot off (:func:`foot_cut_by_edge`).
EDGE_MARGIN_SHANK = 0.06


def foot_outside_px(frame: PoseFrame, side: str) -> float:
    """How far (pixels) the point of ``side``'s foot (ankle, heel, toe) farthest outside the picture
    lies beyond its edge; 0 when all three are inside (NaN without landmarks)."""
    if frame.image is None:
        return float("nan")
    pts = frame.image[list(LEGS[side].foot)]
    dx = np.maximum(np.maximum(-pts[:, 0], pts[:, 0] - 1.0), 0.0) * frame.width
    dy = np.maximum(np.maximum(-pts[:, 1], pts[:, 1] - 1.0), 0.0) * frame.height
    return float(np.max(np.maximum(dx, dy)))


def _edge_margin_px(frame: PoseFrame, side: str) -> float:
    """:data:`EDGE_MARGIN_SHANK` in pixels for this frame and leg."""
    assert frame.image is not None
    leg, p = LEGS[side], frame.image
    shank = np.hypot((p[leg.knee, 0] - p[leg.ankle, 0]) * frame.width, (p[leg.knee, 1] - p[leg.ankle, 1]) * frame.height)
    return EDGE_MARGIN_SHANK * float(shank)


def _foot_seen(frame: PoseFrame, side: str, min_visibility: float) -> bool:
    assert frame.image is not None
    pts = frame.image[list(LEGS[side].foot)]
    return bool(np.all(np.minimum(pts[:, 3], pts[:, 4]) >= min_visibility))


def foot_visible(frame: PoseFrame, side: str, min_visibility: float = VISIBILITY_MIN) -> bool:
    """True when ankle, heel and toe of ``side``'s foot are all seen and in the picture (inside it,
    or outside by no more than :data:`EDGE_MARGIN_SHANK`: at its edge)."""
    if frame.image is None or not _foot_seen(frame, side, min_visibility):
        return False
    return foot_outside_px(frame, side) <= _edge_margin_px(frame, side)


def foot_cut_by_edge(frame: PoseFrame, side: str, min_visibility: float = VISIBILITY_MIN) -> bool:
    """True when the model sees ``side``'s foot (ankle, heel and toe) but places part of it farther
    outside the picture than :data:`EDGE_MARGIN_SHANK`: the picture cuts the foot off."""
    if frame.image is None or not _foot_seen(frame, side, min_visibility):
        return False
    return foot_outside_px(frame, side) > _edge_margin_px(frame, side)


def feet_visible(frame: PoseFrame, min_visibility: float = VISIBILITY_MIN) -> bool:
    """True when both feet (ankle, heel and toe of each) are seen and inside the frame."""
    return foot_visible(frame, "left", min_visibility) and foot_visible(frame, "right", min_visibility)


def frame_view(frame: PoseFrame) -> str:
    """Classify one frame as ``front``, ``back``, ``side-left``, ``side-right`` or ``unknown``.

    Uses the world landmarks (metres, x to image right, z away from camera): the shoulder and
    hip axes span ``|dx|`` across the image for a frontal view and mostly ``|dz|`` for a side
    view.  Facing the camera, the subject's left shoulder is on the image right (x larger); from
    behind it is on the image left.  ``side-left`` means the subject's left side faces the camera.
    """
    if frame.world is None or frame.image is None:
        return "unknown"
    w = frame.world
    axis = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
    # Shoulders only when seen: on waist-down footage their world position is a guess.
    if min(frame.visibility(LM.LEFT_SHOULDER), frame.visibility(LM.RIGHT_SHOULDER)) >= VISIBILITY_MIN:
        axis = axis + (w[LM.LEFT_SHOULDER] - w[LM.RIGHT_SHOULDER])
    dx, dz = float(axis[0]), float(axis[2])
    # Up to 45° of turn still counts as front/back (people rarely stand square to a webcam: the
    # front clips in shared/footage are turned 20–30°); a side view needs the hip/shoulder axis
    # within ~34° of the camera axis.
    if abs(dx) >= abs(dz):
        return "front" if dx > 0 else "back"
    if abs(dz) >= 1.5 * abs(dx):
        # The side nearer the camera has the smaller z (z grows away from the camera).
        return "side-left" if dz < 0 else "side-right"
    return "unknown"


@dataclass(frozen=True)
class ViewSummary:
    """The dominant camera view over a stretch of frames and how sure it is (share of frames)."""

    view: str
    share: float
    counts: dict[str, int]


#: A view is a clip's (or a rep's) view when it holds at least this share of its frames with a person.
DOMINANT_SHARE = 0.6


def dominant_view(frames: Iterable[PoseFrame], min_share: float = DOMINANT_SHARE) -> ViewSummary:
    """The view seen on most frames with a person; ``unknown`` unless it holds ``min_share`` of them."""
    counts: dict[str, int] = {v: 0 for v in VIEWS}
    for f in frames:
        if f.has_person:
            counts[frame_view(f)] += 1
    n = sum(counts.values())
    if n == 0:
        return ViewSummary("unknown", 0.0, counts)
    best = max((v for v in VIEWS if v != "unknown"), key=lambda v: counts[v])
    share = counts[best] / n
    return ViewSummary(best if share >= min_share else "unknown", share, counts)


class ViewTracker:
    """Streaming camera-view classifier: feed every frame, read the current and overall view.

    ``current`` is the majority of the per-frame views over the last ``window`` frames with a
    person (so a cut from a side to a front camera is followed within ~``window/2`` frames);
    ``counts`` keeps the totals over the whole stream for the summary.  Memory is ``window``
    small strings, whatever the video length.
    """

    def __init__(self, window: int = 45, min_share: float = DOMINANT_SHARE) -> None:
        self.window = window
        self.min_share = min_share
        self._recent: deque[str] = deque(maxlen=window)
        self.counts: dict[str, int] = {v: 0 for v in VIEWS}
        self.current: str = "unknown"

    def update(self, frame: PoseFrame) -> str:
        """Classify ``frame``; returns the current (windowed) view."""
        if not frame.has_person:
            return self.current
        v = frame_view(frame)
        self.counts[v] += 1
        self._recent.append(v)
        tally: dict[str, int] = {}
        for r in self._recent:
            tally[r] = tally.get(r, 0) + 1
        best = max((k for k in tally if k != "unknown"), key=lambda k: tally[k], default="unknown")
        if best != "unknown" and tally[best] >= self.min_share * len(self._recent) * 0.75:
            self.current = best
        return self.current

    def dominant(self) -> ViewSummary:
        """The view over the whole stream so far (as :func:`dominant_view`)."""
        n = sum(self.counts.values())
        if n == 0:
            return ViewSummary("unknown", 0.0, dict(self.counts))
        best = max((v for v in VIEWS if v != "unknown"), key=lambda v: self.counts[v])
        share = self.counts[best] / n
        return ViewSummary(best if share >= self.min_share else "unknown", share, dict(self.counts))


def view_family(view: str) -> str:
    """``front``, ``back``, ``side`` or ``unknown`` (side-left and side-right are both ``side``)."""
    return "side" if view.startswith("side") else view


#: Plausible image length of the foot (heel to toe tip) relative to the shank (ankle to knee).
#: Anthropometry (Drillis & Contini): foot 0.152 H, shank 0.246 H → 0.62 seen from the side; from
#: the front or back the foot is foreshortened (measured 0.15–0.45 on shared/footage front clips).
#: Outside [0.08, 1.3] the geometry is not a standing leg (the close-up failure clip gives
#: "shanks" of a few pixels or feet longer than shanks).
#: No lower bound: from straight behind or in front the foot points along the line of sight and
#: its image length can fall to almost nothing — the rendered rear calf raise with inverted heels
#: reads 0.05 — while a real foot is there (the close-up failure clip is caught by the upper bound
#: and the minimum shank size).
FOOT_TO_SHANK_RANGE = (0.0, 1.3)
#: A shank shorter than this share of the frame height is too small to measure anything on.
MIN_SHANK_FRAME_SHARE = 0.03

GUIDANCE_NO_PERSON = "No person found: stand in front of the camera with your whole body in view."
GUIDANCE_FEET_OUT = "Your feet are not in view: step back (or tilt the camera down) until both feet are in the picture."
GUIDANCE_ONE_FOOT = "Only one foot is in view: move so that both feet are in the picture."


@dataclass(frozen=True)
class Framing:
    """Whether this frame can be measured: person found, which feet are usable, what to tell the user.

    ``foot_ok[side]`` requires ankle, heel and toe seen (min(visibility, presence) ≥
    :data:`VISIBILITY_MIN`), inside the frame, knee above ankle, shank not tiny, and a foot/shank
    length ratio within :data:`FOOT_TO_SHANK_RANGE`.  ``guidance`` is ``""`` when all is well.
    """

    has_person: bool
    foot_ok: dict[str, bool] = field(default_factory=dict)
    guidance: str = ""

    @property
    def feet_ok(self) -> bool:
        return bool(self.foot_ok.get("left")) and bool(self.foot_ok.get("right"))

    @property
    def any_foot_ok(self) -> bool:
        return bool(self.foot_ok.get("left")) or bool(self.foot_ok.get("right"))


def _foot_plausible(frame: PoseFrame, side: str) -> bool:
    assert frame.image is not None
    leg = LEGS[side]
    W, H = frame.width, frame.height
    p = frame.image
    kx, ky = p[leg.knee, 0] * W, p[leg.knee, 1] * H
    ax, ay = p[leg.ankle, 0] * W, p[leg.ankle, 1] * H
    shank = float(np.hypot(kx - ax, ky - ay))
    foot = float(np.hypot((p[leg.heel, 0] - p[leg.toe, 0]) * W, (p[leg.heel, 1] - p[leg.toe, 1]) * H))
    if frame.visibility(leg.knee) < VISIBILITY_MIN or ky >= ay or shank < MIN_SHANK_FRAME_SHARE * H:
        return False
    r = foot / shank
    return FOOT_TO_SHANK_RANGE[0] <= r <= FOOT_TO_SHANK_RANGE[1]


def assess_framing(frame: PoseFrame) -> Framing:
    """Decide per frame whether each foot is usable, with guidance text for the user."""
    if not frame.has_person:
        return Framing(False, {"left": False, "right": False}, GUIDANCE_NO_PERSON)
    ok = {s: foot_visible(frame, s) and _foot_plausible(frame, s) for s in ("left", "right")}
    if ok["left"] and ok["right"]:
        guidance = ""
    elif ok["left"] or ok["right"]:
        guidance = GUIDANCE_ONE_FOOT
    else:
        guidance = GUIDANCE_FEET_OUT
    return Framing(True, ok, guidance)
