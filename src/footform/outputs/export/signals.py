"""Per-frame signals of a stored session, replayed from its landmark track through the analysis."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footform.core.numeric import finite
from footform.errors import InputError
from footform.outputs.store import SessionRecord

# ---------------------------------------------------------------------------------------------
# Per-frame signals, replayed from a landmark track through the analysis
# ---------------------------------------------------------------------------------------------

@dataclass
class FrameSignals:
    """Per-frame signals of one session (arrays of equal length, NaN where not valid).

    ``lift`` is the heel lift the rep counter worked on (FL above the person's standing baseline;
    from the front the whole-body rise), ``sway_h`` the hold's sway signal (FL, image-horizontal:
    the segmental centre of mass about the standing foot's place fixed at the lift's start,
    ``single_leg_stance.sway_about``), ``sway_depth`` the COM proxy's depth offset from the stance
    ankle (FL), while standing on one leg.
    ``pump_angle_left`` / ``_right``: ankle pumps only, the shank–foot image angle each foot's pump
    counter worked on (degrees; NaN where the view does not show it), else all NaN.
    """

    t_s: np.ndarray
    frame: np.ndarray
    lift: np.ndarray
    stance: list[str]
    view: list[str]
    feet_visible: np.ndarray
    rep_phase: list[str]
    reps_so_far: np.ndarray
    heel_toe_left: np.ndarray
    heel_toe_right: np.ndarray
    sway_h: np.ndarray
    sway_depth: np.ndarray
    shank_angle: np.ndarray
    pump_angle_left: np.ndarray | None = None
    pump_angle_right: np.ndarray | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    track_complete: bool = True

    def __len__(self) -> int:
        return int(self.t_s.size)

    def rows(self, session_id: int | None = None) -> Iterable[dict[str, Any]]:
        for i in range(len(self)):
            yield {
                "session_id": session_id, "frame": int(self.frame[i]), "t_s": finite(self.t_s[i], 4), "view": self.view[i],
                "feet_visible": bool(self.feet_visible[i]), "stance": self.stance[i],
                "lift_fl": finite(self.lift[i], 5), "rep_phase": self.rep_phase[i],
                "reps_so_far": int(self.reps_so_far[i]), "heel_toe_left_fl": finite(self.heel_toe_left[i], 5),
                "heel_toe_right_fl": finite(self.heel_toe_right[i], 5), "sway_h_fl": finite(self.sway_h[i], 5),
                "sway_depth_fl": finite(self.sway_depth[i], 5), "shank_angle_stance_deg": finite(self.shank_angle[i], 3),
                "pump_angle_left_deg": None if self.pump_angle_left is None else finite(self.pump_angle_left[i], 2),
                "pump_angle_right_deg": None if self.pump_angle_right is None else finite(self.pump_angle_right[i], 2),
            }


def frame_signals(track_path: str | os.PathLike, exercise: str | None = None, height_cm: float | None = None) -> FrameSignals:
    """Replay a landmark track through the offline analysis and keep its per-frame signals.

    The same :class:`~footform.analysis.analyzer.Analyzer` that produced the session's reps and holds is
    run again (deterministic), so the curve and the marked reps agree.  Raises
    :class:`InputError` for a missing or unreadable track.
    """
    from footform.analysis.analyzer import EXERCISES, AnalysisConfig, Analyzer, FrameResult
    from footform.io.track import TrackReader

    rows: list[tuple] = []

    def record(res: FrameResult) -> None:
        sig = res.signals
        rows.append((res.t_s, res.index, res.lift, res.stance, res.view, res.feet_visible, res.rep_phase, res.reps,
                     sig["heel_toe_left"], sig["heel_toe_right"], sig.get("sway_h_stance", math.nan),
                     sig.get("sway_depth_stance", math.nan), sig.get("shank_angle_stance", math.nan),
                     sig.get("foot_shank_angle_left", math.nan), sig.get("foot_shank_angle_right", math.nan)))

    ex = exercise if exercise in EXERCISES else "auto"
    reader = TrackReader(track_path)
    an = Analyzer(AnalysisConfig(exercise=ex, height_cm=height_cm), on_frame=record)
    for f in reader:
        an.step(f)
    summary = an.finish().to_dict()
    cols = list(zip(*rows)) if rows else [[] for _ in range(15)]
    def arr(i):
        return np.asarray(cols[i], float)
    return FrameSignals(
        t_s=arr(0), frame=np.asarray(cols[1], int), lift=arr(2), stance=list(cols[3]), view=list(cols[4]),
        feet_visible=np.asarray(cols[5], bool), rep_phase=list(cols[6]), reps_so_far=np.asarray(cols[7], int),
        heel_toe_left=arr(8), heel_toe_right=arr(9), sway_h=arr(10), sway_depth=arr(11), shank_angle=arr(12),
        pump_angle_left=arr(13), pump_angle_right=arr(14), summary=summary, track_complete=reader.complete,
    )


def session_signals(rec: SessionRecord) -> tuple[FrameSignals | None, str | None]:
    """The per-frame signals of a stored session, or ``(None, reason)`` when its track is unusable."""
    p = rec.track_path
    if p is None:
        return None, "no landmark track was stored with this session"
    if not p.is_file():
        return None, f"the session's landmark track {p} is missing"
    try:
        return frame_signals(p, rec.session.get("exercise"), rec.session.get("height_cm")), None
    except InputError as e:
        return None, str(e).rstrip(".")
