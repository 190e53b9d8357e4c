"""The body's centre of mass from pose landmarks: segment masses (de Leva 1996) on the image points.

Single-leg stance sway (``exercises/single_leg_stance.py``) is the centre of mass over the standing
foot.  The hip-based proxy ``com_x`` of ``kinematics.py`` follows the hips only; a trunk leaning
sideways or arms moving shift the mass without the hips, so the stance measures its sway on this
segmental estimate instead.  Pure numpy; image pixels in, image pixels out.
"""

from __future__ import annotations

import numpy as np

from footform.core.landmarks import LM

#: Segment mass fractions and centre-of-mass positions along each segment (de Leva 1996, adjusted
#: Zatsiorsky–Seluyanov parameters, the standard table of biomechanics): (side or None, mass
#: fraction, proximal landmark(s), distal landmark(s), fraction of the way from proximal to distal).
#: The trunk is the hip midpoint → shoulder midpoint segment; the head is placed at the nose.
_SEGMENTS: tuple[tuple[str | None, float, tuple[int, ...], tuple[int, ...], float], ...] = (
    (None, 0.0694, (LM.NOSE,), (LM.NOSE,), 0.0),
    (None, 0.4346, (LM.LEFT_HIP, LM.RIGHT_HIP), (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), 0.55),
    *((None, w, (a,), (b,), f) for side in ("LEFT", "RIGHT") for w, a, b, f in (
        (0.0271, LM[f"{side}_SHOULDER"], LM[f"{side}_ELBOW"], 0.577),   # upper arm
        (0.0162, LM[f"{side}_ELBOW"], LM[f"{side}_WRIST"], 0.457),      # forearm
        (0.0061, LM[f"{side}_WRIST"], LM[f"{side}_WRIST"], 0.0),        # hand
    )),
    *((side.lower(), w, (a,), (b,), f) for side in ("LEFT", "RIGHT") for w, a, b, f in (
        (0.1416, LM[f"{side}_HIP"], LM[f"{side}_KNEE"], 0.4095),        # thigh
        (0.0433, LM[f"{side}_KNEE"], LM[f"{side}_ANKLE"], 0.4459),      # shank
        (0.0137, LM[f"{side}_ANKLE"], LM[f"{side}_FOOT_INDEX"], 0.5),   # foot
    )),
)
_SEGMENT_MASS = sum(w for _, w, *_ in _SEGMENTS)


def _weights(stance: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The centre of mass as a weighted sum of landmark x: (landmark indices, their weights), the
    weights summing to 1.  Every segment's centre is linear in its end points, so the whole sum is
    too; only the landmarks that carry mass are listed (a missing eye or heel does not matter)."""
    free = None if stance is None else ("right" if stance == "left" else "left")
    c = np.zeros(len(LM))
    for side, w, a, b, f in _SEGMENTS:
        if side is not None and side == free:   # the free leg's mass at its hip
            c[LM[f"{side.upper()}_HIP"]] += w
            continue
        for i in a:
            c[i] += w * (1.0 - f) / len(a)
        for i in b:
            c[i] += w * f / len(b)
    idx = np.flatnonzero(c)
    return idx, c[idx] / _SEGMENT_MASS


#: :func:`_weights` per stance, computed once (the centre of mass is taken on every frame, twice).
_WEIGHTS = {stance: _weights(stance) for stance in (None, "left", "right")}


def segmental_com_x(P: np.ndarray, stance: str | None = None) -> float:
    """Whole-body centre of mass along image x (pixels) from the landmarks ``P`` (N×2, pixels).

    Unlike the hip-based ``com_x`` proxy, it follows what moves the body's mass over the foot
    besides the hips: a trunk leaning sideways, the arms (issue #16: on the rendered stance holds
    with a 10–15° trunk lean the hip proxy read 0.4–0.7 × the true centre-of-mass sway; docs/
    evaluation.md, "#16 third pass").  With ``stance`` (standing on that leg) the free leg's mass is
    put at its hip: it hangs from the pelvis and goes with it, and its own landmarks are the least
    reliable of the body when it is tucked, hidden or pressed on the standing leg (issue #16).
    """
    idx, w = _WEIGHTS[stance]
    return float(w @ P[idx, 0])
