"""``footform live --person P`` without ``--exercise``: today's home program, item after item.

For each program item today still holds (:func:`footform.outputs.program.due_lines` says the same in
``footform sessions``) the runner calls :func:`footform.apps.live.session.run_live` — the one live session loop,
with its coaching, sets, rests, pain marks and incremental store writes — with the item's targets
(sets, reps or hold per leg, rest, metronome, rule overrides) and ``end_when_done``, so the item
ends by itself a moment after its last set.  Each stored session is then attributed to its program
item.  Between items a screen names the next exercise; at the end a summary screen (and the
console) shows what today's program holds now.

Quitting (``q``, closing the window, Ctrl-C) ends the whole program run; the end of a video file
used as the camera ends only the item (each item replays the file from its start).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from footform.apps.live.overlay import CANVAS_H, CANVAS_W, FONT, FONT_BOLD, ascii_text, fit_lines, put_text
from footform.apps.live.session import LiveOptions, run_live
from footform.apps.live.window import Window, check_display, hold_screen
from footform.errors import FootformError, InputError
from footform.outputs.program import (
    EXERCISE_WORDS,
    ProgramItem,
    StoredProgram,
    attribute,
    due_lines,
    require_current,
    rules_file,
    week_work,
)

#: Seconds the "next exercise" screen stays up (any key skips it; ``q`` ends the program).
BETWEEN_S = 4.0
#: Seconds the summary screen stays up at the end (any key closes it).
SUMMARY_S = 6.0
#: ``run_live`` endings after which the program goes on with the next item.
CONTINUE = ("all sets done", "end of video", "time limit")


@dataclasses.dataclass
class ItemRun:
    """One program item run live: which item, the session it was stored as, how it ended."""

    item_index: int
    item: ProgramItem
    sets: int
    session_id: int | None = None
    ended_by: str = ""


def todo_today(store: Any, person: str, today: _dt.date) -> tuple[StoredProgram, list[tuple[int, ProgramItem, int]]]:
    """The current program and its items still to do today: (index, item, sets left), in program order."""
    from footform.outputs.adherence import due_today

    sp = require_current(store, person)
    prog = sp.program
    if today > prog.end:
        raise InputError(f"{person}'s program ended on {prog.end.isoformat()}; set a new one with 'footform program set'.")
    due, _, _ = due_today(prog, week_work(store, person, sp, today), today)
    todo = [(d.item_index, sp.item(d.item_index), max(1, d.sets_due - d.sets_done)) for d in due if not d.done]
    return sp, todo


def item_options(base: LiveOptions, item: ProgramItem, sets: int, rules: str | None, out: Path | None) -> LiveOptions:
    """``LiveOptions`` for one item: the base options with the item's targets."""
    reps = item.reps * (2 if item.per_leg else 1) if item.counted else None
    return dataclasses.replace(base, exercise=item.exercise, sets=sets, reps=reps, hold_s=item.hold_s or base.hold_s,
                               rest_s=item.rest_s, metronome_bpm=item.metronome_bpm, rules=base.rules or rules,
                               out=str(out) if out is not None else None, end_when_done=True,
                               done_s=0.0)   # the program shows its own next-exercise and summary screens


def _canvas(title: str, lines: list[str], colour: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """A plain screen: a title and lines of text, in the live window's size."""
    img = np.full((CANVAS_H, CANVAS_W, 3), 30, np.uint8)
    put_text(img, ascii_text(title), (60, 110), 1.8, colour, 4, FONT_BOLD, outline=False)
    y = 190
    for line in lines:
        rows, sc = fit_lines(ascii_text(line), CANVAS_W - 120, 1.0, 2, max_lines=2, min_scale=0.7)
        for r in rows:
            put_text(img, r, (60, y), sc, (235, 235, 235), 2, FONT, outline=False)
            y += int(46 * sc) + 6
        if y > CANVAS_H - 40:
            break
    return img


def _show(canvas: np.ndarray, seconds: float, fullscreen: bool) -> str | None:
    """Show a screen for ``seconds`` (or until a key); returns the key pressed, "closed", or None."""
    win = Window(fullscreen=fullscreen)
    try:
        return hold_screen(win, lambda _left: canvas, seconds, poll_ms=50)
    finally:
        win.close()


def run_program(base: LiveOptions, person: str, say: Callable[[str], None] = print, today: _dt.date | None = None,
                between_s: float = BETWEEN_S, summary_s: float = SUMMARY_S) -> tuple[list[ItemRun], FootformError | None]:
    """Run what today's program still holds for ``person``; returns the item runs and the last error (or None)."""
    from footform.outputs.store import Store

    check_display()
    today = today or _dt.date.today()
    with Store.open(base.db) as store:
        store.require_person(person)
        sp, todo = todo_today(store, person, today)
    if today < sp.program.start:
        say(f"footform: {person}'s program starts on {sp.program.start.isoformat()}; sessions before then are not counted.")
    if not todo:
        say(f"Everything in today's program is done ({sp.program.describe()}).")
        return [], None
    say(f"Today's program for {person} (version {sp.version}): "
        + "; ".join(f"{k}. {it.describe()}" + (f" ({sets} sets left)" if sets != it.sets else "") for k, it, sets in todo))
    out_root = Path(base.out) if base.out else Path("footform-out") / f"program-{_dt.datetime.now():%Y%m%d-%H%M%S}"
    runs: list[ItemRun] = []
    error = None
    for n, (k, it, sets) in enumerate(todo):
        if n > 0:
            key = _show(_canvas(f"Next: {EXERCISE_WORDS[it.exercise]}", [
                f"Exercise {n + 1} of {len(todo)} today: {it.describe()}",
                f"{sets} sets, rest {it.rest_s:g} s between sets" + (f" - {it.note}" if it.note else ""),
                "Get into place. Starting in a moment (any key: start now, Q: stop)."]), between_s, base.fullscreen)
            if key in ("q", "closed"):
                say("Program stopped before " + it.describe() + ".")
                break
        say(f"== {k}. {it.describe()}")
        run = ItemRun(k, it, sets)
        runs.append(run)
        with rules_file(it) as rules:
            opts = item_options(base, it, sets, rules, out_root / f"item-{k}-{it.exercise}")
            if base.stats_path:
                opts = dataclasses.replace(opts, stats_path=f"{base.stats_path}.item{k}")
            result = run_live(opts, say=say)
        run.session_id, run.ended_by = result.session_id, result.ended_by
        if result.session_id is not None:
            with Store.open(base.db) as store:
                attribute(store, result.session_id, person, it.exercise, item=k, how="live", today=today)
        if result.error is not None:
            error = result.error
            break
        if result.ended_by not in CONTINUE:
            say(f"Program stopped ({result.ended_by}).")
            break
    with Store.open(base.db) as store:
        lines = due_lines(store, person, today=today)
    say("")
    for line in lines:
        say(line)
    if error is None:
        items = [ln.strip() for ln in lines[1:] if ln.strip().startswith("[")]
        all_done = bool(items) and all(ln.startswith("[done]") for ln in items)
        last = "All of today's program is done. Well done!" if all_done else "Not everything is done yet: start again to finish it."
        _show(_canvas("Today's program", [*items, last, "Any key closes this screen."],
                      (120, 220, 120) if all_done else (80, 200, 255)), summary_s, base.fullscreen)
    return runs, error
