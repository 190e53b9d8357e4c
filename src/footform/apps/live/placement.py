"""Where a panel goes on the live canvas: the free spot nearest its preferred place, clear of the feet.

Pure geometry on the 1280 × 720 canvas (pixels): given a panel's size, the rectangles already
taken, the feet's and the body's boxes, :func:`best_spot` finds the spot nearest the panel's
anchor that overlaps no other panel and not the feet, with as little of the body under it as
possible.  :mod:`.overlay` builds the panels and calls it.
"""

from __future__ import annotations

import functools

import numpy as np

from footform.apps.live.canvas import CANVAS_H, CANVAS_W, Rect

GAP = 10            # between panels
#: where each panel would rather be: its top-left corner's preferred spot as fractions of the free
#: room (0, 0 = top-left corner; 1, 1 = bottom-right); the nearest free spot wins.
ANCHORS = {"counter": (0.0, 0.0), "quality": (1.0, 0.0), "prompt": (0.5, 0.4), "centre": (0.5, 0.4),
           "banner": (0.5, 1.0), "toast": (0.5, 0.0), "metronome": (1.0, 0.5), "debug": (1.0, 1.0)}
#: wrap widths tried for panels whose text can wrap (widest first: fewest lines, largest letters)
WIDTHS = (CANVAS_W, 1000, 820, 680, 560, 480, 420, 380)


#: panels that stay in a corner (the first of these free of the feet, other panels and, if possible,
#: the body), so that the counter does not wander about the screen; elsewhere only if no corner is free
CORNERS = {"counter": ((0, 0), (1, 0), (0, 1), (1, 1)), "quality": ((1, 0), (0, 0), (1, 1), (0, 1))}


def _candidates(w: int, h: int, name: str = "", step: int = 16) -> tuple[np.ndarray, np.ndarray]:
    if name in CORNERS:
        c = np.array([(cx * (CANVAS_W - w), cy * (CANVAS_H - h)) for cx, cy in CORNERS[name]], int)
        return c[:, 0], c[:, 1]
    xs = np.unique(np.r_[np.arange(0, CANVAS_W - w + 1, step), CANVAS_W - w])
    ys = np.unique(np.r_[np.arange(0, CANVAS_H - h + 1, step), CANVAS_H - h])
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def _overlaps(x: np.ndarray, y: np.ndarray, w: int, h: int, r: Rect) -> np.ndarray:
    ox = np.clip(np.minimum(x + w, r[2]) - np.maximum(x, r[0]), 0, None)
    oy = np.clip(np.minimum(y + h, r[3]) - np.maximum(y, r[1]), 0, None)
    return ox * oy


@functools.lru_cache(maxsize=4096)
def best_spot(w: int, h: int, name: str, taken: tuple[Rect, ...], feet: Rect | None, body: Rect | None) -> tuple[int, int, int] | None:
    """(x, y, area over the body) of the free spot nearest the panel's anchor, or None when no spot
    keeps clear of the other panels and the feet."""
    if w > CANVAS_W or h > CANVAS_H:
        return None
    x, y = _candidates(w, h, name)
    ok = np.ones(x.shape, bool)
    for r in taken:
        ok &= _overlaps(x, y, w, h, (r[0] - GAP, r[1] - GAP, r[2] + GAP, r[3] + GAP)) == 0
    if feet is not None:
        ok &= _overlaps(x, y, w, h, feet) == 0
    if not ok.any():
        return best_spot(w, h, "", taken, feet, body) if name in CORNERS else None
    x, y = x[ok], y[ok]
    over = _overlaps(x, y, w, h, body) if body is not None else np.zeros(x.shape, int)
    ax, ay = ANCHORS.get(name, (0.5, 0.5))
    dist = np.hypot(x - ax * (CANVAS_W - w), y - ay * (CANVAS_H - h))
    if name in CORNERS:     # a corner: in the order of preference, clear of the body if any is
        dist = np.arange(x.size)
    k = int(np.lexsort((dist, over))[0])
    return int(x[k]), int(y[k]), int(over[k])
