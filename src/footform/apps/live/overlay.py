"""The live screen's panels and where they go: a :class:`Screen` (what to show) → a drawn canvas and its layout.

:func:`compose` draws the camera image and the legs (:mod:`.canvas`), then builds each panel —
counter or timer, quality indicator, pain prompt, centre panel, banner, toast, metronome, debug
line — and places it where the person is not: never over the feet, and beside the body rather
than over it where the room allows (text wraps narrower first).  Every panel and text is also
returned as a :class:`Box`, so tests and tools can check the layout (fit, overlap, contrast).
Sizes are canvas pixels on the fixed 1280 × 720 canvas (see :mod:`.canvas` for the reading
distances they are chosen for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from footform.apps.live.canvas import (
    AMBER,
    BAD,
    BANNER_BG,
    BANNER_FG,
    BLACK,
    CANVAS_H,
    CANVAS_W,
    FONT,
    FONT_BOLD,
    GOOD,
    GREY,
    WHITE,
    Rect,
    ascii_text,
    body_rect,
    draw_legs,
    feet_rect,
    fit_lines,
    place_image,
    put_text,
    shade,
    text_size,
    worst_background,
)
from footform.apps.live.placement import ANCHORS, WIDTHS, best_spot


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
        banner / banner_kind: the message at the bottom and its style (``guide``, ``info``, ``good``,
            ``warn``, ``stop``): the framing guidance, or the form cues on screen — several cues
            are one per line (``"\n"`` between them), each wrapped on its own.
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
    """The banner: one message in up to 4 lines, or several (one per ``"\n"``-separated part, the
    form cues on screen) in up to 3 lines each, all at one letter size, a gap between them."""
    parts = [part for part in s.banner.split("\n") if part.strip()]
    if not parts:
        return None
    fg = BANNER_FG.get(s.banner_kind, WHITE)
    bg = BANNER_BG.get(s.banner_kind, BANNER_BG["info"])
    inner = max_w - 2 * PAD
    max_lines = 4 if len(parts) == 1 else 3
    scale = min(fit_lines(part, inner, 2.0, 5, max_lines=max_lines, min_scale=1.1)[1] for part in parts)
    wrapped = [fit_lines(part, inner, scale, 5, max_lines=max_lines, min_scale=scale)[0] for part in parts]
    for part, lines in zip(parts, wrapped):
        if any(text_size(line, scale, 5)[0] > inner for line in lines) or \
                len(" ".join(lines).split()) < len(ascii_text(part).split()):
            return None         # does not fit this width at a readable size
    lh = text_size("Ag", scale, 5)[1] + 26
    gap = lh // 3 if len(parts) > 1 else 0
    w = max(text_size(line, scale, 5)[0] for lines in wrapped for line in lines) + 2 * PAD
    ops = []
    y = PAD
    for k, lines in enumerate(wrapped):
        for line in lines:
            tw, th = text_size(line, scale, 5)
            ops.append(_text_op(line, (w - tw) // 2, y + th, scale, 5, fg, outline=fg == WHITE, role="cue"))
            y += lh
        if k < len(wrapped) - 1:
            y += gap
    return _Panel("banner", w, y, bg, 0.9, ops)


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
        spot = best_spot(panel.w, panel.h, name, tuple(taken), feet, body)
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
    spot = best_spot(last.w, last.h, name, tuple(taken), None, None)
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
