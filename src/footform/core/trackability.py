"""How well can these landmarks measure the feet?  Foot size in the picture and landmark jitter.

A calf raise reads 0.1–0.3 FL of heel lift in the landmarks, and a rep starts at 0.06 FL
(:data:`footform.exercises.calf_raise.MIN_LIFT_FL`).  When the feet are small in the picture —
a phone video at 240 px, a person far from the camera, heavy compression, 15 fps — the landmarks
jitter by a sizeable part of that, and the counter both misses reps and counts jitter as reps.
Counting then must stop with a reason, not report a number (issue #18: "never a silent zero").

What is measured, per analysis (streaming, in constant memory):

* ``foot_px`` — the foot length FL in pixels (the median of the per-frame body scale,
  :attr:`footform.core.kinematics.Kinematics.foot_px`): how big the feet are in the picture.
* ``edge_cut_share`` — the share of the frames with a person on which the picture's edge cuts a
  foot off (:func:`footform.core.view.foot_cut_by_edge`: the model sees the foot but places part
  of it farther outside the picture than a point at its edge) and so leaves the frame without
  the feet its view needs (``Kinematics.feet_ok``: both, or from the side one).  A foot that sits
  on the edge at rest and comes into the picture as the heel rises is usable only during the reps,
  and reps are lost without a word; a side view counted from the near foot while the other is
  cut off loses nothing.
* ``jitter_fl`` — the frame-to-frame noise of the raw (unsmoothed) heel height of the steadier
  foot, FL, as a robust standard deviation from second differences of consecutive frames:
  ``σ = median|x[i+1] − 2x[i] + x[i−1]| / (0.6745 · √6)`` (white noise of σ gives second
  differences of σ·√6; the median ignores the few frames of real fast motion).  It is scaled to
  the 30 fps equivalent, ``σ · √(30 / fps)``: the counter smooths over a fixed time (σ = 0.06 s),
  so at 15 fps half as many frames average the same noise away.

What is done with them is each exercise's business (``Exercise.unmeasurable``): the calf raise
stops counting when the feet are too small or its reps do not stand out of the jitter
(:mod:`footform.exercises.calf_raise`, limits and how they were measured there and in
docs/metrics.md "When the feet are too small to count").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from footform.core.kinematics import SIG, Kinematics
from footform.core.landmarks import PoseFrame
from footform.core.view import foot_cut_by_edge

#: The advice to film closer names this foot length in the picture (pixels): a margin above the
#: smallest size the calf raise counts from (exercises/calf_raise.py ``FOOT_PX_MIN``).
FOOT_PX_ADVISED = 25
#: Fewer second differences than this and the jitter is not judged (too little to tell).
MIN_SAMPLES = 30
_MAD_TO_SIGMA = 1.0 / (0.6745 * math.sqrt(6.0))
_SIDES = ("left", "right")


@dataclass
class Trackability:
    """How well the landmarks can measure heel lift in this footage.

    Attributes:
        width, height: frame size, pixels (of the last frame).
        fps: frame rate the jitter was scaled from (frames per second).
        foot_px: median foot length in the picture, pixels (None: never measured).
        jitter_fl: heel-height jitter, FL, 30 fps equivalent (None: too few steady frames).
        edge_cut_share: share (0–1) of the frames with a person on which the picture's edge cut a
            foot off that the view needed (None: no frame with a person).
    """

    width: int = 0
    height: int = 0
    fps: float | None = None
    foot_px: float | None = None
    jitter_fl: float | None = None
    edge_cut_share: float | None = None

    def to_dict(self) -> dict[str, float | int | None]:
        return {"frame_px": f"{self.width}x{self.height}" if self.width else None,
                "foot_px": None if self.foot_px is None else round(self.foot_px, 1),
                "heel_jitter_fl": None if self.jitter_fl is None else round(self.jitter_fl, 4)}

    def picture(self) -> str:
        """The frame size and rate in words, e.g. ``240×136 video at 15 fps``."""
        fps = f" at {self.fps:.0f} fps" if self.fps else ""
        return f"{self.width}×{self.height} video{fps}"

    def feet_missing_reason(self, share: float) -> str:
        """One sentence for footage where the feet were tracked on too few frames to count."""
        if self.foot_px is not None and self.foot_px < FOOT_PX_ADVISED:
            why = (f"the feet are only about {self.foot_px:.0f} px long in this {self.picture()}, "
                   "too small for the pose model to find them reliably")
            fix = f"film closer or at a higher resolution so that each foot is at least {FOOT_PX_ADVISED} px long"
        else:
            why = "they were hidden, out of the picture or too blurred on the other frames"
            fix = "film the whole body, feet included, in good light, with the camera still"
        return f"The feet were tracked on only {100 * share:.0f} % of the frames with a person ({why}); {fix}."


class _LogHistogram:
    """Median of positive values in constant memory: counts in geometric bins (2 % wide)."""

    def __init__(self, lo: float, hi: float, bins: int) -> None:
        self._edges = np.geomspace(lo, hi, bins + 1)
        self._counts = np.zeros(bins + 2, dtype=np.int64)   # + under- and overflow

    def add(self, x: float) -> None:
        self._counts[int(np.searchsorted(self._edges, x, side="right"))] += 1

    @property
    def n(self) -> int:
        return int(self._counts.sum())

    def median(self) -> float | None:
        n = self.n
        if n == 0:
            return None
        i = int(np.searchsorted(np.cumsum(self._counts), (n + 1) / 2.0))
        if i == 0:
            return 0.0
        if i > len(self._edges) - 1:
            return float(self._edges[-1])
        return float(np.sqrt(self._edges[i - 1] * self._edges[i]))  # the bin's geometric centre


class TrackabilityMeter:
    """Streaming measurement of :class:`Trackability`: feed every frame's kinematics.

    Memory is constant: the medians come from histograms, not from stored samples.
    """

    def __init__(self) -> None:
        self._foot_px = _LogHistogram(1.0, 4000.0, 420)
        self._d2 = {s: _LogHistogram(1e-5, 10.0, 700) for s in _SIDES}
        self._prev: dict[str, tuple[int, float, float] | None] = {s: None for s in _SIDES}  # (index, x[i-1], x[i])
        self._size = (0, 0)
        self._person = 0
        self._edge_cut = 0

    def update(self, frame: PoseFrame, k: Kinematics) -> None:
        self._size = (frame.width, frame.height)
        if frame.has_person:
            self._person += 1
            if not k.feet_ok and (foot_cut_by_edge(frame, "left") or foot_cut_by_edge(frame, "right")):
                self._edge_cut += 1
        if math.isfinite(k.foot_px) and k.foot_px > 0:
            self._foot_px.add(float(k.foot_px))
        for s in _SIDES:
            v = float(k.signals[SIG[f"heel_h_{s}"]]) if k.foot_ok.get(s) else math.nan
            prev = self._prev[s]
            if not math.isfinite(v) or k.cut:
                self._prev[s] = None if not math.isfinite(v) else (k.index, math.nan, v)
                continue
            if prev is not None and prev[0] == k.index - 1:
                if math.isfinite(prev[1]):
                    self._d2[s].add(abs(v - 2.0 * prev[2] + prev[1]))
                self._prev[s] = (k.index, prev[2], v)
            else:
                self._prev[s] = (k.index, math.nan, v)

    def result(self, fps: float | None) -> Trackability:
        """The steadier foot's jitter (a lifted or swinging free foot moves; the standing one shows the noise)."""
        medians = [h.median() for h in self._d2.values() if h.n >= MIN_SAMPLES]
        jitter = None
        if medians:
            jitter = min(m for m in medians if m is not None) * _MAD_TO_SIGMA
            if fps and fps > 0:
                jitter *= math.sqrt(30.0 / fps)
        return Trackability(width=self._size[0], height=self._size[1], fps=fps, foot_px=self._foot_px.median(),
                            jitter_fl=jitter, edge_cut_share=self._edge_cut / self._person if self._person else None)
