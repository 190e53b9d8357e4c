"""Drawing the live coaching screen: camera image, legs and feet, counter, timer, cues.

Everything here is pure drawing with OpenCV on a fixed **1280 × 720 canvas** (the window scales
it to the screen), so sizes below are canvas pixels.  The person stands 2–3 m from a laptop
screen: at 720 canvas rows on a 15" screen, a 24 px tall letter is ~6 mm — the limit for a
comfortable read at 3 m — so the counter is ~130 px tall, cues ~50 px, and only the small
quality indicator (meant for a glance from close up) is smaller.  High contrast everywhere:
light text with a dark outline on translucent dark panels, warnings on solid amber/red bars.
Hershey fonts are ASCII only; :func:`ascii_text` replaces the few non-ASCII signs we use.

Inputs are a BGR image, the landmarks of the tracked person (``(33, 5)`` normalised image
coordinates with visibility/presence, as in :class:`~footform.core.landmarks.PoseFrame`) and a
:class:`Screen` — what to show, decided by :mod:`footform.apps.live`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass
class Screen:
    """What the live screen shows this frame (all texts short, plain words, ASCII).

    Attributes:
        label: small caption over the counter (``"REPS"``, ``"HOLD - LEFT LEG"``).
        big: the counter / timer digits (``"7"``, ``"18"``); empty hides the counter panel.
        big_suffix: the target beside it (``"/ 12"``, ``"s / 30"``).
        sub: line under the counter (``"SET 2 OF 3"``).
        sub2: a second small line (``"BEST  L 24 s   R -"``).
        progress: 0–1 bar under the counter (hold time / target), or ``None``.
        banner / banner_kind: the one message at the bottom (flag or guidance) and its style
            (``guide``, ``info``, ``good``, ``warn``, ``stop``).
        centre_title / centre_big / centre_sub: a centred panel (REST 0:45, PAUSED, DONE …);
            ``centre_lines``: smaller lines under it (the session summary on the done screen).
        prompt: a centred question (pain rating), drawn above everything.
        toast: a short confirmation at the top (``"PAIN 6 NOTED"``).
        feet_ok / view / view_ok: the quality indicator (top right); ``quality=False`` hides it.
        beat: metronome ``"up"``/``"down"`` and ``beat_phase`` 0–1 within the beat, or ``None``.
        mirror: show the camera image mirrored (like a mirror: natural for a webcam).
        debug: one small line at the bottom right (frame rate, latency, dropped frames).
    """

    label: str = ""
    big: str = ""
    big_suffix: str = ""
    sub: str = ""
    sub2: str = ""
    progress: float | None = None
    banner: str = ""
    banner_kind: str = "info"
    centre_title: str = ""
    centre_big: str = ""
    centre_sub: str = ""
    prompt: str = ""
    toast: str = ""
    feet_ok: bool = False
    view: str = "unknown"
    view_ok: bool = True
    beat: str | None = None
    beat_phase: float = 0.0
    mirror: bool = False
    debug: str = ""
    centre_lines: list[str] = field(default_factory=list)
    quality: bool = True


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


# -- layout boxes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """One thing drawn on the canvas, for tests and tools to check the layout.

    Attributes:
        kind: ``"panel"`` or ``"text"``.
        name: the panel's name (``counter``, ``quality``, ``banner``, ``centre``, ``toast``, ``prompt``,
            ``metronome``, ``debug``); a text carries the name of the panel it sits in.
        rect: ``(x0, y0, x1, y1)`` canvas px, x1/y1 exclusive.  A text's rect is its measured extent
            (``cv2.getTextSize`` with the baseline, plus its outline).
        text: the text drawn (ASCII, as drawn); empty for panels.
        role: what the text is (``label``, ``digits``, ``suffix``, ``line`` …).
        fg: text colour (BGR).
        bg: the panel's colour (BGR) as blended over the camera image where it is worst for ``fg``
            (over white or over black) — the contrast of fg on bg holds for any camera image.
    """

    kind: str
    name: str
    rect: Rect
    text: str = ""
    role: str = ""
    fg: tuple[int, int, int] | None = None
    bg: tuple[int, int, int] | None = None


@dataclass
class _Op:
    """A drawing step relative to its panel's top-left corner."""

    kind: str                       # text | rect | fill | circle | line
    args: tuple
    role: str = ""


@dataclass
class _Panel:
    name: str
    w: int
    h: int
    colour: tuple[int, int, int]
    alpha: float
    ops: list[_Op]


def _text_op(text: str, x: int, baseline: int, scale: float, thickness: int, colour: tuple[int, int, int],
             font: int = FONT, outline: bool = True, role: str = "line") -> _Op:
    return _Op("text", (ascii_text(text), x, baseline, scale, thickness, colour, font, outline), role)


def _text_rect(text: str, x: int, baseline: int, scale: float, thickness: int, font: int, outline: bool) -> Rect:
    (w, h), base = cv2.getTextSize(text, font, scale, thickness)
    o = (thickness + max(3, thickness) if outline else thickness) // 2 + 1
    return (x - o, baseline - h - o, x + w + o, baseline + base + o)


# -- panels ------------------------------------------------------------------------------------

PAD = 20
#: The counter digits are at least 18 % of the screen height (docs/live.md): 134 of 720 canvas rows,
#: as drawn (ink), not the font's nominal size.
COUNTER_DIGIT_PX = 134


def _ink_height(text: str, scale: float, thickness: int, font: int) -> int:
    """Rows of pixels the text actually covers when drawn (getTextSize's height is the font's
    nominal height, which the Hershey digits do not fill)."""
    (w, h), base = cv2.getTextSize(text, font, scale, thickness)
    img = np.zeros((h + base + 2 * thickness + 4, w + 2 * thickness + 4), np.uint8)
    cv2.putText(img, text, (thickness + 2, h + thickness + 2), font, scale, 255, thickness, cv2.LINE_AA)
    rows = np.nonzero((img > 240).any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _digit_scale(px: int, font: int) -> tuple[float, int]:
    """(scale, thickness) at which digits are ``px`` rows tall as drawn (thickness ~2.8 per scale unit)."""
    s = 5.0
    for _ in range(4):
        th = max(2, round(2.8 * s))
        s *= px / _ink_height("0123456789", s, th, font)
    return s, max(2, round(2.8 * s))


BIG_SCALE, BIG_THICKNESS = _digit_scale(COUNTER_DIGIT_PX, FONT_BOLD)
LIGHT = (225, 225, 225)            # secondary text ("/ 12"): ≥ 4.5:1 on the counter panel over any image
COUNTER_ALPHA = 0.75
PANEL_ALPHA = 0.75


def _line_fit(text: str, max_w: int, scale: float, thickness: int, font: int = FONT, min_scale: float = 0.7) -> float:
    """The largest scale ≤ ``scale`` at which ``text`` is at most ``max_w`` px wide (not below ``min_scale``)."""
    s = scale
    while s > min_scale and text_size(ascii_text(text), s, thickness, font)[0] > max_w:
        s = max(min_scale, s * 0.93)
    return s


def _counter(s: Screen, max_w: int) -> _Panel | None:
    if not s.big and not s.label:
        return None
    ops: list[_Op] = []
    inner = max_w - 2 * PAD
    y = PAD
    widths = []
    if s.label:
        lines, sc = fit_lines(s.label, inner, 1.1, 3, max_lines=2, min_scale=0.8)
        for line in lines:
            tw, th = text_size(line, sc, 3)
            y += th + 14
            ops.append(_text_op(line, PAD, y, sc, 3, WHITE, role="label"))
            widths.append(tw)
        y += 8
    if s.big:
        bw, bh = text_size(s.big, BIG_SCALE, BIG_THICKNESS, FONT_BOLD)
        sw = text_size(s.big_suffix, 1.8, 5)[0] if s.big_suffix else 0
        row_w = bw + (sw + 34 if s.big_suffix else 0) + 10
        if row_w > inner:
            return None
        y += bh + 22
        ops.append(_text_op(s.big, PAD + 4, y, BIG_SCALE, BIG_THICKNESS, WHITE, FONT_BOLD, role="digits"))
        if s.big_suffix:
            ops.append(_text_op(s.big_suffix, PAD + bw + 34, y, 1.8, 5, LIGHT, role="suffix"))
        widths.append(row_w)
        y += 12
    w = max([*widths, 360]) + 2 * PAD
    if s.progress is not None:
        y += 30
        p = float(np.clip(s.progress, 0.0, 1.0))
        x1 = w - PAD
        ops.append(_Op("rect", (PAD, y - 20, x1, y, LIGHT, 2)))
        ops.append(_Op("rect", (PAD + 3, y - 17, PAD + 3 + int((x1 - PAD - 6) * p), y - 3, GOOD if p >= 1.0 else WHITE, -1)))
        y += 6
    for text, scale, th in ((s.sub, 1.4, 4), (s.sub2, 1.0, 3)):
        if not text:
            continue
        sc = _line_fit(text, w - 2 * PAD, scale, th)
        _, hh = text_size(text, sc, th)
        y += hh + 24
        ops.append(_text_op(text, PAD, y, sc, th, WHITE, role="sub"))
    return _Panel("counter", w, y + PAD, BLACK, COUNTER_ALPHA, ops)


def _quality(s: Screen, max_w: int) -> _Panel:
    """Small indicator: feet visible, camera view (a glance from close up)."""
    items = [("FEET IN VIEW" if s.feet_ok else "FEET NOT SEEN", GOOD if s.feet_ok else BAD),
             (f"{s.view.upper().replace('-', ' ')} VIEW" if s.view != "unknown" else "VIEW ?",
              GOOD if s.view_ok and s.view != "unknown" else AMBER)]
    w = max(text_size(t, 0.8, 2)[0] for t, _ in items) + 64
    ops = []
    for k, (t, c) in enumerate(items):
        cy = 34 + 36 * k
        ops.append(_Op("circle", (22, cy - 8, 10, c)))
        ops.append(_text_op(t, 42, cy, 0.8, 2, WHITE, outline=False))
    return _Panel("quality", w, 36 * len(items) + 20, BLACK, PANEL_ALPHA, ops)


def _banner(s: Screen, max_w: int) -> _Panel | None:
    if not s.banner:
        return None
    fg = BANNER_FG.get(s.banner_kind, WHITE)
    bg = BANNER_BG.get(s.banner_kind, BANNER_BG["info"])
    lines, scale = fit_lines(s.banner, max_w - 2 * PAD, 2.0, 5, max_lines=4, min_scale=1.1)
    if any(text_size(line, scale, 5)[0] > max_w - 2 * PAD for line in lines) or \
            len(" ".join(lines).split()) < len(ascii_text(s.banner).split()):
        return None             # does not fit this width in 4 lines at a readable size
    lh = text_size("Ag", scale, 5)[1] + 26
    w = max(text_size(line, scale, 5)[0] for line in lines) + 2 * PAD
    ops = []
    for k, line in enumerate(lines):
        tw, th = text_size(line, scale, 5)
        ops.append(_text_op(line, (w - tw) // 2, PAD + th + k * lh, scale, 5, fg, outline=fg == WHITE, role="cue"))
    return _Panel("banner", w, lh * len(lines) + PAD, bg, 0.9, ops)


def _centre(name: str, title: str, big: str, sub: str, lines: list[str], max_w: int,
            colour: tuple[int, int, int] = WHITE) -> _Panel | None:
    if not (title or big or sub or lines):
        return None
    rows: list[tuple[str, float, int, int, str]] = []
    inner = max_w - 2 * 40
    if title:
        if text_size(title, 2.2, 6, FONT_BOLD)[0] > inner:
            return None
        rows.append((title, 2.2, 6, FONT_BOLD, "title"))
    if big:
        rows.append((big, 4.5, 12, FONT_BOLD, "big"))
    for line in lines:
        rows.append((line, _line_fit(line, inner, 1.1, 3, min_scale=0.8), 3, FONT, "line"))
    if sub:
        sub_lines, sc = fit_lines(sub, inner, 1.4, 4, max_lines=3, min_scale=1.0)
        if len(" ".join(sub_lines).split()) < len(ascii_text(sub).split()):
            return None
        rows.extend((line, sc, 4, FONT, "sub") for line in sub_lines)
    sizes = [text_size(t, sc, th, f) for t, sc, th, f, _ in rows]
    if max(sw for sw, _ in sizes) > inner:
        return None
    w = max(sw for sw, _ in sizes) + 80
    ops = []
    y = 10
    for (t, sc, th, f, role), (sw, sh) in zip(rows, sizes):
        y += sh + (22 if role == "line" else 30)
        ops.append(_text_op(t, (w - sw) // 2, y, sc, th, colour, f, role=role))
    return _Panel(name, w, y + 30, BLACK, 0.8, ops)


def _metronome(s: Screen, max_w: int) -> _Panel | None:
    """A ball on a vertical track: it rises on the up beat and sinks on the down beat."""
    if s.beat is None:
        return None
    top, bottom = 60, 400
    p = float(np.clip(s.beat_phase, 0.0, 1.0))
    frac = p if s.beat == "up" else 1.0 - p     # 0 at the bottom, 1 at the top
    cy = int(bottom - frac * (bottom - top))
    word = "UP" if s.beat == "up" else "DOWN"
    w = max(90, text_size("DOWN", 1.0, 3)[0] + 36)
    x = w // 2
    tw, _ = text_size(word, 1.0, 3)
    ops = [_Op("line", (x, top, x, bottom, GREY, 6)), _Op("circle", (x, cy, 26, BLACK)), _Op("circle", (x, cy, 22, AMBER)),
           _text_op(word, x - tw // 2, top - 22 if s.beat == "up" else bottom + 48, 1.0, 3, AMBER, role="beat")]
    return _Panel("metronome", w, bottom + 64, BLACK, 0.8, ops)


def _toast(text: str, max_w: int) -> _Panel | None:
    if not text:
        return None
    lines, sc = fit_lines(text, max_w - 50, 1.3, 4, max_lines=2, min_scale=1.0)
    sizes = [text_size(line, sc, 4) for line in lines]
    w = max(sw for sw, _ in sizes) + 50
    if w > max_w:
        return None
    ops, y = [], 10
    for line, (sw, sh) in zip(lines, sizes):
        y += sh + 22
        ops.append(_text_op(line, (w - sw) // 2, y - 6, sc, 4, WHITE))
    return _Panel("toast", w, y + 16, (90, 50, 20), 0.85, ops)


def _debug(text: str, max_w: int) -> _Panel | None:
    if not text:
        return None
    tw, th = text_size(text, 0.5, 1)
    return _Panel("debug", tw + 16, th + 16, BLACK, 0.7, [_text_op(text, 8, th + 8, 0.5, 1, LIGHT, outline=False)])


# -- placement ---------------------------------------------------------------------------------

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
def _best_spot(w: int, h: int, name: str, taken: tuple[Rect, ...], feet: Rect | None, body: Rect | None) -> tuple[int, int, int] | None:
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
        return _best_spot(w, h, "", taken, feet, body) if name in CORNERS else None
    x, y = x[ok], y[ok]
    over = _overlaps(x, y, w, h, body) if body is not None else np.zeros(x.shape, int)
    ax, ay = ANCHORS.get(name, (0.5, 0.5))
    dist = np.hypot(x - ax * (CANVAS_W - w), y - ay * (CANVAS_H - h))
    if name in CORNERS:     # a corner: in the order of preference, clear of the body if any is
        dist = np.arange(x.size)
    k = int(np.lexsort((dist, over))[0])
    return int(x[k]), int(y[k]), int(over[k])


def _place(build: Callable[[int], _Panel | None], name: str, taken: list[Rect], feet: Rect | None,
           body: Rect | None, widths: tuple[int, ...] = WIDTHS) -> tuple[_Panel, int, int] | None:
    """Build the panel at the widest wrap width that has a spot clear of the body (else the spot with
    the least of the body under it, wider first); never over the feet or another panel if at all possible."""
    best: tuple[int, _Panel, int, int] | None = None
    last: _Panel | None = None
    for mw in widths:
        panel = build(mw)
        if panel is None:
            continue
        last = panel
        spot = _best_spot(panel.w, panel.h, name, tuple(taken), feet, body)
        if spot is None:
            continue
        x, y, over = spot
        if over == 0:
            return panel, x, y
        if best is None or over < best[0]:
            best = (over, panel, x, y)
    if best is not None:
        return best[1], best[2], best[3]
    if last is None:
        return None
    # nowhere clear of the feet and the other panels: at least clear of the other panels, else the anchor
    spot = _best_spot(last.w, last.h, name, tuple(taken), None, None)
    if spot is None:
        ax, ay = ANCHORS.get(name, (0.5, 0.5))
        spot = (int(ax * max(0, CANVAS_W - last.w)), int(ay * max(0, CANVAS_H - last.h)), 0)
    return last, spot[0], spot[1]


def _draw(canvas: np.ndarray, panel: _Panel, x0: int, y0: int, boxes: list[Box]) -> None:
    rect = (x0, y0, x0 + panel.w, y0 + panel.h)
    shade(canvas, *rect, panel.colour, panel.alpha)
    boxes.append(Box("panel", panel.name, rect, fg=None, bg=tuple(panel.colour)))
    for op in panel.ops:
        a = op.args
        if op.kind == "text":
            text, x, base, sc, th, colour, font, outline = a
            put_text(canvas, text, (x0 + x, y0 + base), sc, colour, th, font, outline)
            boxes.append(Box("text", panel.name, _text_rect(text, x0 + x, y0 + base, sc, th, font, outline), text, op.role,
                             colour, worst_background(colour, panel.colour, panel.alpha)))
        elif op.kind == "rect":
            cv2.rectangle(canvas, (x0 + a[0], y0 + a[1]), (x0 + a[2], y0 + a[3]), a[4], a[5])
        elif op.kind == "circle":
            cv2.circle(canvas, (x0 + a[0], y0 + a[1]), a[2], a[3], -1, cv2.LINE_AA)
        elif op.kind == "line":
            cv2.line(canvas, (x0 + a[0], y0 + a[1]), (x0 + a[2], y0 + a[3]), a[4], a[5], cv2.LINE_AA)


@dataclass
class Composed:
    """A rendered live screen and its layout: what was drawn where (:class:`Box`), the person's
    bounding box and the feet's (canvas px, ``None`` without a person)."""

    canvas: np.ndarray
    boxes: list[Box]
    body: Rect | None
    feet: Rect | None

    def panels(self) -> list[Box]:
        return [b for b in self.boxes if b.kind == "panel"]

    def texts(self, name: str | None = None) -> list[Box]:
        return [b for b in self.boxes if b.kind == "text" and (name is None or b.name == name)]


def compose(image: np.ndarray, landmarks: np.ndarray | None, screen: Screen) -> Composed:
    """The whole live screen on a new ``(720, 1280, 3)`` BGR canvas, with its layout boxes.

    Panels go where the person is not: never over the feet (the person is told to keep them in
    view), and, where the room allows, beside the body rather than over it — text wraps narrower
    (down to ~24 px letters, the limit for reading at 3 m) before it covers the person.  The
    counter prefers the top-left corner, the quality indicator the top right, cues the bottom
    centre; the first free spot nearest that preference wins.
    """
    canvas, place = place_image(image, mirror=screen.mirror)
    draw_legs(canvas, landmarks, place)
    body, feet = body_rect(landmarks, place), feet_rect(landmarks, place)
    builders: list[tuple[str, Callable[[int], _Panel | None], tuple[int, ...]]] = [
        ("counter", lambda mw: _counter(screen, mw), (560, 480, 420)),
        ("quality", lambda mw: _quality(screen, mw) if screen.quality else None, (CANVAS_W,)),
        ("prompt", lambda mw: _centre("prompt", "", "", screen.prompt, [], mw, AMBER), WIDTHS),
        # the pain question is modal and short (3 s): the centre panel (REST, PAUSED) gives way to it
        ("centre", lambda mw: None if screen.prompt else _centre("centre", screen.centre_title, screen.centre_big,
                                                                 screen.centre_sub, list(screen.centre_lines), mw), WIDTHS),
        ("banner", lambda mw: _banner(screen, mw), WIDTHS),
        ("toast", lambda mw: _toast(screen.toast, mw), (720, 560, 420)),
        ("metronome", lambda mw: _metronome(screen, mw), (CANVAS_W,)),
        ("debug", lambda mw: _debug(screen.debug, mw), (CANVAS_W,)),
    ]
    taken: list[Rect] = []
    boxes: list[Box] = []
    for name, build, widths in builders:
        placed = _place(build, name, taken, feet, body, widths)
        if placed is None:
            continue
        panel, x, y = placed
        _draw(canvas, panel, x, y, boxes)
        taken.append((x, y, x + panel.w, y + panel.h))
    return Composed(canvas, boxes, body, feet)


def render(image: np.ndarray, landmarks: np.ndarray | None, screen: Screen) -> np.ndarray:
    """The whole live screen: a new ``(720, 1280, 3)`` BGR canvas (the camera image is not changed)."""
    return compose(image, landmarks, screen).canvas
