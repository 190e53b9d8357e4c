"""The home-program section of the progress report: adherence per week, dose done, pain, calendar.

:func:`program_context` gathers one person's program versions (:mod:`footform.outputs.program`) and their
adherence (:mod:`footform.outputs.adherence`) for ``templates/program.html``, which the progress report
(:mod:`.progress`) places near the top; the plots here are inline SVG.  Every figure is described in
``docs/programs.md``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from footform.outputs.adherence import ProgramAdherence
from footform.outputs.figures import MARK_COLOURS, figure, svg_of, with_rc
from footform.outputs.program import EXERCISE_WORDS, StoredProgram, person_adherence
from footform.outputs.report.templating import fmt, plot
from footform.outputs.store import Person, Store

DONE_COLOUR = "#009E73"
PRESCRIBED_COLOUR = "#d9d9d9"
ITEM_COLOURS = ("#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#4D4D4D")
#: Calendar cell colours by day status (adherence.Day.status).
DAY_COLOURS = {"complete": "#009E73", "partial": "#a6dba0", "none": "#ffffff", "future": "#f2f2f2"}
DAY_WORDS = {"complete": "every item's dose done", "partial": "some exercise done", "none": "no session",
             "future": "still to come"}


def items_rows(sp: StoredProgram) -> list[dict[str, Any]]:
    """The program's items: exercise, dose per day, notes (rest, own rule overrides, the therapist's note)."""
    rows = []
    for k, it in enumerate(sp.program.items, 1):
        notes = [f"rest {it.rest_s:g} s"]
        if it.rules_text:
            notes.append("own rule overrides")
        if it.note:
            notes.append(it.note)
        rows.append({"k": k, "exercise": EXERCISE_WORDS[it.exercise], "dose": it.dose(), "notes": ", ".join(notes)})
    return rows


@with_rc
def plot_adherence(res: ProgramAdherence, name: str) -> str:
    """Days done vs prescribed per ISO week (bars), with the share of reps/holds in good form (line, right axis)."""
    weeks = [w for w in res.weeks if w.status != "future"] or res.weeks
    fig = figure(7.2, 2.8)
    ax = fig.add_subplot()
    x = np.arange(len(weeks))
    presc = ax.bar(x, [w.days_prescribed for w in weeks], 0.7, color=PRESCRIBED_COLOUR, label="days prescribed")
    done = ax.bar(x, [min(w.days_done, 7) for w in weeks], 0.42, color=DONE_COLOUR, label="days with a session")
    for rect, w in zip(presc, weeks):
        rect.set_gid(f"{name}-presc-{w.label}")
    for rect, w in zip(done, weeks):
        rect.set_gid(f"{name}-done-{w.label}")
    complete = [w.days_complete for w in weeks]
    ax.plot(x, complete, ls="none", marker="D", ms=4.5, color="#1a1a1a", label="days with every item's dose")
    ax.set_ylim(0, 7.4)
    ax.set_yticks(range(0, 8))
    ax.set_ylabel("days in the week")
    labels = [f"{w.label[5:]}\n{w.monday:%d %b}" + ("\n(running)" if w.status == "current" else "") for w in weeks]
    ax.set_xticks(x, labels)
    ax2 = ax.twinx()
    good = []
    for w in weeks:
        done_n = sum((i.reps_done if i.reps_prescribed else i.holds_done) for i in w.items)
        good_n = sum((i.reps_good if i.reps_prescribed else i.holds_good) for i in w.items)
        good.append(100.0 * good_n / done_n if done_n else np.nan)
    ax2.plot(x, good, marker="o", ms=4, color="#0b5394", lw=1.2, label="reps/holds in good form (%)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("in good form (%)")
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", bbox_to_anchor=(1.09, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, name)


@with_rc
def plot_dose(res: ProgramAdherence, sp: StoredProgram, name: str) -> str:
    """Per item and week: reps (or hold time) done as a percentage of the prescribed dose, and the part in good form."""
    weeks = [w for w in res.weeks if w.status != "future"] or res.weeks
    items = sp.program.items
    fig = figure(7.2, 2.6)
    ax = fig.add_subplot()
    x = np.arange(len(weeks))
    width = 0.8 / max(1, len(items))
    top = 100.0
    for k, it in enumerate(items):
        colour = ITEM_COLOURS[k % len(ITEM_COLOURS)]
        done, good = [], []
        for w in weeks:
            iw = w.items[k]
            if it.counted:
                p, d, g = iw.reps_prescribed, iw.reps_done, iw.reps_good
            else:
                p, d, g = iw.hold_s_prescribed, iw.hold_s_done, iw.hold_s_good
            done.append(100.0 * d / p if p else 0.0)
            good.append(100.0 * g / p if p else 0.0)
        off = (k - (len(items) - 1) / 2) * width
        unit = "reps" if it.counted else "hold time"
        bars = ax.bar(x + off, done, width * 0.92, color=colour, alpha=0.35, label=f"{k + 1}. {EXERCISE_WORDS[it.exercise]}: {unit} done")
        gbars = ax.bar(x + off, good, width * 0.92, color=colour, label="… of it in good form")
        for rect, w in zip(bars, weeks):
            rect.set_gid(f"{name}-item{k + 1}-{w.label}")
        for rect, w in zip(gbars, weeks):
            rect.set_gid(f"{name}-item{k + 1}-good-{w.label}")
        top = max(top, *done) if done else top
    ax.axhline(100, color="#555555", ls="--", lw=1.0, label="prescribed dose")
    ax.set_ylim(0, top * 1.08 + 2)
    ax.set_ylabel("% of the week's dose")
    ax.set_xticks(x, [w.label[5:] for w in weeks])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.0)
    return svg_of(fig, name)


@with_rc
def plot_program_pain(res: ProgramAdherence, name: str) -> str:
    """Every pain rating marked during the program, by calendar day."""
    fig = figure(7.2, 1.9)
    ax = fig.add_subplot()
    days = [(d - res.start).days for d, _, _ in res.pain]
    ax.plot(days, [r for _, _, r in res.pain], ls="-", lw=0.8, marker="s", ms=4.5, color=MARK_COLOURS["pain"],
            label="pain rating (0–10)")
    span = max(1, (min(res.end, res.today) - res.start).days)
    ticks = list(range(0, span + 1, 7))
    ax.set_xticks(ticks, [f"{res.start + _dt.timedelta(days=t):%d %b}" for t in ticks])
    ax.set_xlim(-0.5, span + 0.5)
    ax.set_ylim(0, 10.5)
    ax.set_ylabel("rating (0–10)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7.5)
    return svg_of(fig, name)


def calendar(res: ProgramAdherence) -> dict[str, Any]:
    """One row per ISO week, Monday to Sunday; each day's status (its colour), worst pain and a tooltip."""
    by_day = {d.day: d for d in res.days}
    weeks = []
    for w in res.weeks:
        cells = []
        for i in range(7):
            day = w.monday + _dt.timedelta(days=i)
            d = by_day.get(day)
            if d is None:
                cells.append(None)
                continue
            title = f"{day:%a %d %b}: {DAY_WORDS[d.status]}" + (f", {d.sessions} sessions" if d.sessions else "") + (
                f", worst pain {d.pain_max}/10" if d.pain_max is not None else "")
            cells.append({"status": d.status, "day": day.isoformat(), "title": title, "colour": DAY_COLOURS[d.status],
                          "pain": d.pain_max})
        weeks.append({"label": w.label, "done": w.days_done, "prescribed": w.days_prescribed, "cells": cells})
    return {"version": res.version, "weeks": weeks,
            "legend": [(DAY_COLOURS[k], v) for k, v in DAY_WORDS.items()]}


def weeks_table(res: ProgramAdherence, sp: StoredProgram) -> dict[str, Any]:
    """Per finished or running ISO week: days done, adherence, full-dose days, each item's dose done, worst pain."""
    items = sp.program.items
    heads = [{"k": k, "exercise": EXERCISE_WORDS[it.exercise], "unit": "reps" if it.counted else "hold time, s"}
             for k, it in enumerate(items, 1)]
    rows = []
    for w in res.weeks:
        if w.status == "future":
            continue
        cells = []
        for it, iw in zip(items, w.items):
            txt = f"{iw.reps_done} / {iw.reps_prescribed}" if it.counted else f"{iw.hold_s_done:.0f} / {iw.hold_s_prescribed:.0f}"
            pct = iw.good_form_pct
            cells.append({"text": txt, "note": f"{iw.sets_done} of {iw.sets_prescribed} sets" + (f", {pct:.0f} % good" if pct is not None else "")})
        rows.append({"label": w.label, "running": w.status == "current", "days": f"{w.days_done} / {w.days_prescribed}",
                     "adherence": fmt(w.adherence_pct, 0, "%"), "complete": w.days_complete, "cells": cells,
                     "pain": w.pain_max if w.pain_max is not None else "–"})
    return {"heads": heads, "rows": rows}


def version_context(sp: StoredProgram, res: ProgramAdherence, current: bool) -> dict[str, Any]:
    """One program version: its plots, calendar and weeks table (or why there is nothing to show yet)."""
    name, dname, pname = f"prog-adherence-v{sp.version}", f"prog-dose-v{sp.version}", f"prog-program-pain-v{sp.version}"
    out: dict[str, Any] = {"version": sp.version, "current": current, "describe": sp.program.describe(),
                           "empty": not res.weeks, "future": bool(res.weeks) and all(w.status == "future" for w in res.weeks),
                           "start": f"{res.start:%A %d %B %Y}", "outside": res.sessions_outside,
                           "span": f"{res.start:%d %b %Y} – {res.end:%d %b %Y}", "n_weeks": len(res.weeks)}
    if out["empty"]:
        return out
    out["calendar"] = calendar(res)
    if out["future"]:
        return out
    out.update(adherence=plot(plot_adherence(res, name)), dose=plot(plot_dose(res, sp, dname)), table=weeks_table(res, sp),
               pain=plot(plot_program_pain(res, pname)) if res.pain else None, n_pain=len(res.pain))
    return out


def program_context(store: Store, person: Person, today: _dt.date | None = None) -> dict[str, Any] | None:
    """What ``templates/program.html`` shows of the person's home program and adherence (None: no program)."""
    pa = person_adherence(store, person.name, today=today)
    if not pa.programs:
        return None
    cur, res_cur = pa.programs[-1], pa.results[-1]
    t = res_cur.totals
    cards = [
        (fmt(t.get("adherence_pct"), 0, "%"), f"adherence in finished weeks ({t['days_done']} of {t['days_prescribed']} days)"),
        (str(res_cur.week_streak), f"weeks on target in a row (longest {res_cur.longest_week_streak})"),
        (str(res_cur.day_streak), "days in a row with a session"),
        (str(sum(w.sessions_done for w in res_cur.weeks)), "sessions for this version"),
    ]
    return {"version": cur.version, "created": cur.created_utc[:10], "describe": cur.program.describe(),
            "items": items_rows(cur), "cards": cards,
            "versions": [version_context(sp, res, sp is cur) for sp, res in reversed(list(zip(pa.programs, pa.results)))]}


__all__ = ["DAY_COLOURS", "DAY_WORDS", "calendar", "plot_adherence", "plot_dose", "plot_program_pain", "program_context"]
