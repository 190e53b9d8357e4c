"""Drawing the live coaching screen: camera image, legs and feet, counter, timer, cues.

Everything here is pure drawing with OpenCV on a fixed **1280 × 720 canvas** (the window scales
it to the screen), so sizes below are canvas pixels.  The person stands 2–3 m from a laptop
screen: at 720 canvas rows on a 15" screen, a 24 px tall letter is ~6 mm — the limit for a
comfortable read at 3 m — so the counter is ~130 px tall, cues ~50 px, and only the small
quality indicator (meant for a glance from close up) is smaller.  High contrast everywhere:
light text with a dark outline on translucent dark panels, warnings on solid amber/red bars.
Hershey fonts are ASCII only; :func:`ascii_text` replaces the few non-ASCII signs we use.

Inputs are a BGR image, the landmarks of the tracked person (``(33, 5)`` normalised image
coordinates with visibility/presence, as in :class:`~footform.landmarks.PoseFrame`) and a
:class:`Screen` — what to show, decided by :mod:`footform.live`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .exercises.registry import SIDE_COLOURS, hex_to_bgr
from .landmarks import LEGS, LM

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
    "good": (60, 150, 40),       # green: done / go
    "warn": (0, 170, 255),       # amber with black text: form cue
    "stop": (30, 30, 200),       # red: stop (pain, severe fault)
}
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
        centre_title / centre_big / centre_sub: a centred panel (REST 0:45, PAUSED, DONE …).
        prompt: a centred question (pain rating), drawn above everything.
        toast: a short confirmation at the top (``"PAIN 6 NOTED"``).
        feet_ok / view / view_ok: the quality indicator (top right).
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


_ASCII = {"–": "-", "—": "-", "·": "-", "…": "...", "’": "'", "“": '"', "”": '"', "°": " deg", "×": "x", "✓": "OK"}


def ascii_text(s: str) -> str:
    """The text with the few non-ASCII signs footform uses replaced (Hershey fonts are ASCII)."""
    for k, v in _ASCII.items():
        s = s.replace(k, v)
    return s.encode("ascii", "replace").decode("ascii")


# -- primitives --------------------------------------------------------------------------------

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


# -- panels ------------------------------------------------------------------------------------

def _counter(canvas: np.ndarray, s: Screen) -> None:
    if not s.big and not s.label:
        return
    x, y = 24, 20
    big_scale, big_th = 5.0, 14
    bw, bh = text_size(s.big, big_scale, big_th, FONT_BOLD) if s.big else (0, 0)
    sw, _ = text_size(s.big_suffix, 1.8, 5) if s.big_suffix else (0, 0)
    width = max(400, bw + sw + 70, text_size(s.sub, 1.4, 4)[0] + 40, text_size(s.sub2, 1.0, 3)[0] + 40)
    height = 62 + (bh + 30 if s.big else 0) + (56 if s.sub else 0) + (44 if s.sub2 else 0) + (34 if s.progress is not None else 0)
    shade(canvas, 0, 0, x + width, y + height, BLACK, 0.6)
    yy = y + 40
    if s.label:
        put_text(canvas, s.label, (x + 8, yy), 1.1, WHITE, 3)
    if s.big:
        yy += bh + 24
        put_text(canvas, s.big, (x + 4, yy), big_scale, WHITE, big_th, FONT_BOLD)
        if s.big_suffix:
            put_text(canvas, s.big_suffix, (x + bw + 30, yy), 1.8, GREY, 5)
    if s.progress is not None:
        yy += 26
        p = float(np.clip(s.progress, 0.0, 1.0))
        x1 = x + width - 30
        cv2.rectangle(canvas, (x + 8, yy - 14), (x1, yy + 6), GREY, 2)
        cv2.rectangle(canvas, (x + 10, yy - 12), (x + 10 + int((x1 - x - 12) * p), yy + 4),
                      GOOD if p >= 1.0 else WHITE, -1)
    if s.sub:
        yy += 54
        put_text(canvas, s.sub, (x + 8, yy), 1.4, WHITE, 4)
    if s.sub2:
        yy += 42
        put_text(canvas, s.sub2, (x + 8, yy), 1.0, WHITE, 3)


def _quality(canvas: np.ndarray, s: Screen) -> None:
    """Small indicator top right: feet visible, camera view (a glance from close up)."""
    items = [("FEET IN VIEW" if s.feet_ok else "FEET NOT SEEN", GOOD if s.feet_ok else BAD),
             (f"{s.view.upper().replace('-', ' ')} VIEW" if s.view != "unknown" else "VIEW ?", GOOD if s.view_ok else AMBER)]
    w = max(text_size(t, 0.8, 2)[0] for t, _ in items) + 60
    x0 = CANVAS_W - w - 10
    shade(canvas, x0, 10, CANVAS_W - 10, 10 + 36 * len(items) + 10, BLACK, 0.55)
    for k, (t, c) in enumerate(items):
        cy = 10 + 24 + 36 * k
        cv2.circle(canvas, (x0 + 22, cy - 8), 10, c, -1, cv2.LINE_AA)
        put_text(canvas, t, (x0 + 42, cy), 0.8, WHITE, 2, outline=False)


def _banner(canvas: np.ndarray, s: Screen) -> None:
    if not s.banner:
        return
    fg = BANNER_FG.get(s.banner_kind, WHITE)
    bg = BANNER_BG.get(s.banner_kind, BANNER_BG["info"])
    lines, scale = fit_lines(s.banner, CANVAS_W - 80, 2.0, 5, max_lines=2)
    lh = text_size("Ag", scale, 5)[1] + 26
    h = lh * len(lines) + 30
    y0 = CANVAS_H - h
    shade(canvas, 0, y0, CANVAS_W, CANVAS_H, bg, 0.88)
    for k, line in enumerate(lines):
        tw, th = text_size(line, scale, 5)
        put_text(canvas, line, ((CANVAS_W - tw) // 2, y0 + 18 + th + k * lh), scale, fg, 5, outline=fg == WHITE)


def _centre(canvas: np.ndarray, title: str, big: str, sub: str, colour: tuple[int, int, int] = WHITE) -> None:
    if not (title or big or sub):
        return
    rows = []
    if title:
        rows.append((title, 2.2, 6, FONT_BOLD))
    if big:
        rows.append((big, 4.5, 12, FONT_BOLD))
    if sub:
        lines, sc = fit_lines(sub, 900, 1.4, 4, max_lines=2)
        rows.extend((line, sc, 4, FONT) for line in lines)
    sizes = [text_size(t, sc, th, f) for t, sc, th, f in rows]
    w = max(sw for sw, _ in sizes) + 80
    h = sum(sh + 30 for _, sh in sizes) + 40
    x0, y0 = (CANVAS_W - w) // 2, (CANVAS_H - h) // 2 - 30
    shade(canvas, x0, y0, x0 + w, y0 + h, BLACK, 0.72)
    yy = y0 + 20
    for (t, sc, th, f), (sw, sh) in zip(rows, sizes):
        yy += sh + 30
        put_text(canvas, t, ((CANVAS_W - sw) // 2, yy - 10), sc, colour, th, f)


def _metronome(canvas: np.ndarray, s: Screen) -> None:
    """A ball on a vertical track at the right edge: it rises on the up beat and sinks on the down beat."""
    if s.beat is None:
        return
    x = CANVAS_W - 70
    top, bottom = 170, 560
    shade(canvas, x - 45, top - 60, x + 45, bottom + 70, BLACK, 0.55)
    cv2.line(canvas, (x, top), (x, bottom), GREY, 6, cv2.LINE_AA)
    p = float(np.clip(s.beat_phase, 0.0, 1.0))
    frac = p if s.beat == "up" else 1.0 - p     # 0 at the bottom, 1 at the top
    cy = int(bottom - frac * (bottom - top))
    cv2.circle(canvas, (x, cy), 26, BLACK, -1, cv2.LINE_AA)
    cv2.circle(canvas, (x, cy), 22, AMBER, -1, cv2.LINE_AA)
    word = "UP" if s.beat == "up" else "DOWN"
    tw, _ = text_size(word, 1.0, 3)
    put_text(canvas, word, (x - tw // 2, top - 20 if s.beat == "up" else bottom + 50), 1.0, AMBER, 3)


def _toast(canvas: np.ndarray, text: str) -> None:
    if not text:
        return
    lines, sc = fit_lines(text, 640, 1.3, 4, max_lines=2)
    sizes = [text_size(line, sc, 4) for line in lines]
    w = max(sw for sw, _ in sizes) + 50
    h = sum(sh + 22 for _, sh in sizes) + 22
    x0 = (CANVAS_W - w) // 2 + 120
    shade(canvas, x0, 16, x0 + w, 16 + h, (90, 50, 20), 0.85)
    yy = 16 + 10
    for line, (sw, sh) in zip(lines, sizes):
        yy += sh + 22
        put_text(canvas, line, (x0 + (w - sw) // 2, yy - 6), sc, WHITE, 4)


def render(image: np.ndarray, landmarks: np.ndarray | None, screen: Screen) -> np.ndarray:
    """The whole live screen: a new ``(720, 1280, 3)`` BGR canvas (the camera image is not changed)."""
    canvas, place = place_image(image, mirror=screen.mirror)
    draw_legs(canvas, landmarks, place)
    _counter(canvas, screen)
    _quality(canvas, screen)
    _metronome(canvas, screen)
    _banner(canvas, screen)
    _centre(canvas, screen.centre_title, screen.centre_big, screen.centre_sub)
    _toast(canvas, screen.toast)
    if screen.prompt:
        _centre(canvas, "", "", screen.prompt, AMBER)
    if screen.debug:
        tw, _ = text_size(screen.debug, 0.5, 1)
        y = CANVAS_H - 8 if not screen.banner else CANVAS_H - 8 - 140
        put_text(canvas, screen.debug, (CANVAS_W - tw - 10, y), 0.5, GREY, 1)
    return canvas
