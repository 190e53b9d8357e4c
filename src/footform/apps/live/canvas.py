"""The live screen's canvas: its size, palette and fonts, text primitives, the camera image, the legs, contrast.

Everything here is pure drawing with OpenCV on a fixed **1280 × 720 canvas** (the window scales
it to the screen), so sizes below are canvas pixels.  The person stands 2–3 m from a laptop
screen: at 720 canvas rows on a 15" screen, a 24 px tall letter is ~6 mm — the limit for a
comfortable read at 3 m — so the counter is ~130 px tall, cues ~50 px, and only the small
quality indicator (meant for a glance from close up) is smaller.  High contrast everywhere:
light text with a dark outline on translucent dark panels, warnings on solid amber/red bars.
Hershey fonts are ASCII only; :func:`ascii_text` replaces the few non-ASCII signs we use.

Inputs are a BGR image and the landmarks of the tracked person (``(33, 5)`` normalised image
coordinates with visibility/presence, as in :class:`~footform.core.landmarks.PoseFrame`); the
panels drawn over them are :mod:`.overlay`'s, what they say :mod:`.screen`'s.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from footform.core.landmarks import LEGS, LM
from footform.exercises.registry import SIDE_COLOURS, hex_to_bgr

CANVAS_W, CANVAS_H = 1280, 720
FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX

# BGR colours. The legs are drawn in the person's side colours, the same as in every report plot
# (exercises.registry.SIDE_COLOURS: blue left, vermillion right, apart for colour blindness too).
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (170, 170, 170)
LEFT_COLOUR = hex_to_bgr(SIDE_COLOURS["left"])
RIGHT_COLOUR = hex_to_bgr(SIDE_COLOURS["right"])
GOOD = (80, 200, 80)
BAD = (60, 60, 230)
AMBER = (0, 190, 255)
BANNER_BG = {
    "guide": (110, 60, 20),      # dark blue: what to do
    "info": (60, 60, 60),
    "good": (40, 110, 20),       # green: done / go (dark enough for white text, WCAG AA)
    "warn": (0, 170, 255),       # amber with black text: form cue
    "stop": (30, 30, 200),       # red: stop (pain, severe fault)
}
#: text colour per banner kind; every pair is ≥ 4.5:1 (WCAG AA) over any camera image at the banner's opacity
BANNER_FG = {"guide": WHITE, "info": WHITE, "good": WHITE, "warn": BLACK, "stop": WHITE}

#: Landmark pairs drawn as the legs and feet (hip–knee–ankle, ankle–heel–toe–ankle).
LEG_SEGMENTS = tuple(
    pair
    for leg in LEGS.values()
    for pair in ((leg.hip, leg.knee), (leg.knee, leg.ankle), (leg.ankle, leg.heel), (leg.heel, leg.toe), (leg.ankle, leg.toe))
)
HIP_LINE = (LM.LEFT_HIP, LM.RIGHT_HIP)
DRAW_MIN_VISIBILITY = 0.3   # below this a point is not drawn at all; below 0.5 it is drawn grey


_ASCII = {"–": "-", "—": "-", "·": "-", "…": "...", "’": "'", "“": '"', "”": '"', "°": " deg", "×": "x", "✓": "OK"}


def ascii_text(s: str) -> str:
    """The text with the few non-ASCII signs footform uses replaced (Hershey fonts are ASCII)."""
    for k, v in _ASCII.items():
        s = s.replace(k, v)
    return s.encode("ascii", "replace").decode("ascii")


# -- primitives --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)
def text_size(text: str, scale: float, thickness: int, font: int = FONT) -> tuple[int, int]:
    (w, h), _ = cv2.getTextSize(text, font, scale, thickness)
    return w, h


def put_text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int],
             thickness: int, font: int = FONT, outline: bool = True) -> None:
    """Text with a dark outline (readable on any background); ``org`` is the baseline's left end."""
    text = ascii_text(text)
    if outline:
        cv2.putText(img, text, org, font, scale, BLACK, thickness + max(3, thickness), cv2.LINE_AA)
    cv2.putText(img, text, org, font, scale, colour, thickness, cv2.LINE_AA)


def shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int] = BLACK,
          alpha: float = 0.6) -> None:
    """Blend a filled rectangle into ``img`` (in place)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    block = np.empty_like(roi)
    block[:] = colour
    cv2.addWeighted(block, alpha, roi, 1.0 - alpha, 0.0, dst=roi)


def fit_lines(text: str, max_w: int, scale: float, thickness: int, max_lines: int = 2,
              min_scale: float = 0.9, font: int = FONT) -> tuple[list[str], float]:
    """Word-wrap ``text`` into at most ``max_lines`` lines of ``max_w`` px, shrinking the font if needed."""
    text = ascii_text(text)
    words = text.split()
    s = scale
    while True:
        lines: list[str] = []
        cur = ""
        for w in words:
            trial = f"{cur} {w}".strip()
            if text_size(trial, s, thickness, font)[0] <= max_w or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        if cur:
            lines.append(cur)
        fits = len(lines) <= max_lines and all(text_size(x, s, thickness, font)[0] <= max_w for x in lines)
        if fits or s <= min_scale:
            return lines[:max_lines], s
        s = max(min_scale, s * 0.9)


# -- camera image and skeleton ---------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """Where the camera image sits on the canvas: offset and size in canvas px, mirrored or not."""

    x0: int
    y0: int
    w: int
    h: int
    mirror: bool

    def to_canvas(self, x: float, y: float) -> tuple[int, int]:
        """Normalised image coordinates (0–1) → canvas pixels."""
        xn = 1.0 - x if self.mirror else x
        return int(round(self.x0 + xn * self.w)), int(round(self.y0 + y * self.h))


def place_image(image: np.ndarray, mirror: bool = False, size: tuple[int, int] = (CANVAS_W, CANVAS_H)) -> tuple[np.ndarray, Placement]:
    """The camera image scaled to fit the canvas (letterboxed on black), and where it went."""
    cw, ch = size
    h, w = image.shape[:2]
    s = min(cw / w, ch / h)
    nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
    canvas = np.zeros((ch, cw, 3), np.uint8)
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    if mirror:
        small = cv2.flip(small, 1)
    x0, y0 = (cw - nw) // 2, (ch - nh) // 2
    canvas[y0:y0 + nh, x0:x0 + nw] = small
    return canvas, Placement(x0, y0, nw, nh, mirror)


def draw_legs(canvas: np.ndarray, landmarks: np.ndarray | None, place: Placement) -> None:
    """Hips, knees, ankles, heels and toes of both legs: thick lines, the left leg blue, the right vermillion (SIDE_COLOURS).

    Points the model is unsure of (min(visibility, presence) < 0.5) are drawn grey and thin;
    below 0.3 they are left out, so the drawing never shows a confident leg where there is none.
    """
    if landmarks is None:
        return
    vis = np.minimum(landmarks[:, 3], landmarks[:, 4])
    pts = {i: place.to_canvas(float(landmarks[i, 0]), float(landmarks[i, 1])) for i in range(landmarks.shape[0])}
    thick = max(4, place.h // 110)

    def colour_of(i: int) -> tuple[int, int, int]:
        return LEFT_COLOUR if i in (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX) else RIGHT_COLOUR

    a, b = HIP_LINE
    if min(vis[a], vis[b]) >= DRAW_MIN_VISIBILITY:
        cv2.line(canvas, pts[a], pts[b], BLACK, thick + 4, cv2.LINE_AA)
        cv2.line(canvas, pts[a], pts[b], GREY, thick, cv2.LINE_AA)
    for a, b in LEG_SEGMENTS:
        v = min(vis[a], vis[b])
        if v < DRAW_MIN_VISIBILITY:
            continue
        c = colour_of(a) if v >= 0.5 else GREY
        t = thick if v >= 0.5 else max(2, thick // 2)
        cv2.line(canvas, pts[a], pts[b], BLACK, t + 4, cv2.LINE_AA)
        cv2.line(canvas, pts[a], pts[b], c, t, cv2.LINE_AA)
    r = thick + 2
    for leg in LEGS.values():
        for i in (leg.hip, leg.knee, leg.ankle, leg.heel, leg.toe):
            if vis[i] < DRAW_MIN_VISIBILITY:
                continue
            c = colour_of(i) if vis[i] >= 0.5 else GREY
            cv2.circle(canvas, pts[i], r + 2, BLACK, -1, cv2.LINE_AA)
            cv2.circle(canvas, pts[i], r, c, -1, cv2.LINE_AA)
            if i in (leg.heel, leg.toe):  # the foot points matter most: ring them in white
                cv2.circle(canvas, pts[i], r + 4, WHITE, 2, cv2.LINE_AA)


# -- where the person is -------------------------------------------------------------------------

Rect = tuple[int, int, int, int]     # x0, y0, x1, y1 in canvas px (x1, y1 exclusive)

FEET_POINTS = tuple(i for leg in LEGS.values() for i in (leg.ankle, leg.heel, leg.toe))
FEET_PAD_PX = 24    # around the feet's points: the foot outline extends past heel and toe markers
BODY_PAD_PX = 16
BOX_GRID_PX = 16


def _points_rect(landmarks: np.ndarray | None, place: Placement, idx: tuple[int, ...] | None, pad: int) -> Rect | None:
    if landmarks is None:
        return None
    vis = np.minimum(landmarks[:, 3], landmarks[:, 4])
    rows = range(landmarks.shape[0]) if idx is None else idx
    pts = [place.to_canvas(float(landmarks[i, 0]), float(landmarks[i, 1])) for i in rows if vis[i] >= DRAW_MIN_VISIBILITY]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    q = BOX_GRID_PX     # rounded outwards to a coarse grid: a still person keeps the same layout
    x0, y0 = max(0, (min(xs) - pad) // q * q), max(0, (min(ys) - pad) // q * q)
    x1, y1 = min(CANVAS_W, -(-(max(xs) + pad + 1) // q) * q), min(CANVAS_H, -(-(max(ys) + pad + 1) // q) * q)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def body_rect(landmarks: np.ndarray | None, place: Placement) -> Rect | None:
    """The person's bounding box on the canvas (every landmark drawn or not, visibility ≥ 0.3)."""
    return _points_rect(landmarks, place, None, BODY_PAD_PX)


def feet_rect(landmarks: np.ndarray | None, place: Placement) -> Rect | None:
    """The feet's bounding box on the canvas (ankles, heels, toes): no panel is ever drawn over it."""
    return _points_rect(landmarks, place, FEET_POINTS, FEET_PAD_PX)


def overlap_area(a: Rect, b: Rect) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


# -- contrast (WCAG 2.x) ------------------------------------------------------------------------

def relative_luminance(bgr: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour given as BGR 0–255."""
    def lin(c: float) -> float:
        c /= 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    b, g, r = bgr
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast_ratio(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG contrast ratio (1–21) between two BGR colours; AA for normal text is ≥ 4.5."""
    la, lb = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def worst_background(fg: tuple[int, int, int], panel: tuple[int, int, int], alpha: float) -> tuple[int, int, int]:
    """The panel colour as blended over the camera image (``alpha`` opaque) where it is worst for ``fg``:
    over a white pixel or a black one, whichever gives the lower contrast."""
    cands = [tuple(int(round(alpha * c + (1.0 - alpha) * under)) for c in panel) for under in (0, 255)]
    return min(cands, key=lambda bg: contrast_ratio(fg, bg))  # type: ignore[arg-type,return-value]


