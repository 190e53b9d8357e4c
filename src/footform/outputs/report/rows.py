"""What the reports read from a stored session: its counted reps, holds' sway figures, extra fields, scale.

The session, progress and plot modules read a stored session's rows through these accessors (and the
row keys they name), so that a change of the store's row schema touches this module and the tables that
print a column, not every report page.  Heights are in foot lengths (FL), times in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from footform.core.numeric import finite
from footform.exercises import registry
from footform.outputs.store import SessionRecord

#: Exercises with rows of their own kind (holds of kind "calf_stretch", reps of kind "ankle_pump"):
#: no heel-height, fatigue or stabilogram plots, which assume calf raises or single-leg stance.
OWN_EXERCISES = tuple(e.id for e in registry.EXERCISES if e.own_machine)


def counted_reps(rec: SessionRecord, full: bool = True) -> list[dict[str, Any]]:
    """The session's counted reps (``full=False``: the partial ones the store keeps beside them)."""
    return [r for r in rec.reps if bool(r.get("full", 1)) == full]


def lift_name(rec: SessionRecord) -> str:
    """What the session's calf-raise heights are: the heel lift, or the whole body's rise measured
    from the pixels when the pose model lost the person (summary ``set.lift_from``)."""
    body = ((rec.summary or {}).get("set") or {}).get("lift_from") == "body_rise"
    return "body rise" if body else "heel lift"


def hold_figs(h: Mapping[str, Any]) -> dict[str, Any]:
    """Sway figures of one hold along the image-horizontal axis (FL, FL/s, FL²), their noise floors and the axis name."""
    sway = h.get("sway") or {}
    nf = h.get("noise_floor") or {}
    axes = sway.get("axes") or {}
    horiz = next((a for a, w in axes.items() if "horizontal" in str(w)), "ml")
    return {"axis": horiz, "rms": finite(sway.get(f"rms_{horiz}")), "rms_noise": finite(nf.get(f"rms_{horiz}")),
            "vel": finite(sway.get(f"mean_velocity_{horiz}_per_s")), "vel_noise": finite(nf.get(f"mean_velocity_{horiz}_per_s")),
            "area": finite(sway.get("ellipse95_area")), "area_noise": finite(nf.get("ellipse95_area"))}


def extra(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored rep's / hold's fields beyond the table's columns (``extra_json``: stretch and pump figures)."""
    x = row.get("extra")
    return dict(x) if isinstance(x, Mapping) else {}


def cm_per_fl(rec: SessionRecord) -> float | None:
    """Centimetres per foot length for this session, or None when the analysis had no body height."""
    h = finite(rec.session.get("height_cm"))
    if h is None and rec.person is not None:
        h = finite(rec.person.height_cm)
    # only when the analysis itself produced cm figures (the height was known then)
    if h is None or finite(rec.session.get("height_cm")) is None:
        return None
    from footform.core.kinematics import cm_per_fl as scale

    return scale(h)


__all__ = ["OWN_EXERCISES", "cm_per_fl", "counted_reps", "extra", "hold_figs", "lift_name"]
