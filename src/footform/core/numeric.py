"""Numbers on their way out of the pipeline: finite floats or ``None``, never NaN or infinity.

Every writer (summary JSON, the store, CSV exports, reports, live rows) passes measured values
through :func:`finite`, so "not measurable" is always an empty field or ``null``, never ``NaN``.
"""

from __future__ import annotations

import math
from typing import Any


def finite(value: Any, nd: int | None = None) -> float | None:
    """``value`` as a float (rounded to ``nd`` decimals when given), or ``None``.

    ``None`` for a missing value, a bool, NaN or infinity, and for text that is not a number
    (e.g. "not measurable from this view"); numeric text ("1.5") is read as its number.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    return round(x, nd) if nd is not None else x
