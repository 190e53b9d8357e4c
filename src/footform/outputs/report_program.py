"""The home-program section of the progress report: adherence per week, dose done, pain, calendar.

:func:`program_section` renders one person's program versions (:mod:`footform.outputs.program`) and their
adherence (:mod:`footform.outputs.adherence`) as HTML with inline SVG plots, in the style of
:mod:`footform.outputs.report` (whose :func:`~footform.outputs.report.render_progress` places it near the top).
Every figure is described in ``docs/programs.md``.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from footform.outputs.adherence import ProgramAdherence
from footform.outputs.figures import MARK_COLOURS, esc, figure, figure_html, fmt, svg_of, with_rc
from footform.outputs.program import EXERCISE_WORDS, StoredProgram, person_adherence
from footform.outputs.store import Person, Store

DONE_COLOUR = "#009E73"
PRESCRIBED_COLOUR = "#d9d9d9"
ITEM_COLOURS = ("#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#4D4D4D")
#: Calendar cell colours by day status (adherence.Day.status).
DAY_COLOURS = {"complete": "#009E73", "partial": "#a6dba0", "none": "#ffffff", "future": "#f2f2f2"}
DAY_WORDS = {"complete": "every item's dose done", "partial": "some exercise done", "none": "no session",
             "future": "still to come"}

CSS = """
table.calendar { width: auto; border-collapse: separate; border-spacing: 3px; }
table.calendar td, table.calendar th { border: none; padding: 0; text-align: center; font-size: 0.75rem; }
table.calendar td.day { width: 30px; height: 24px; border: 1px solid #c8c8c8; border-radius: 3px; position: relative;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table.calendar td.day.out { border-color: transparent; }
table.calendar td.day .p { position: absolute; right: 2px; top: 0; font-size: 0.65rem; color: #9400D3; font-weight: 700; }
table.calendar th.wk { text-align: left; padding-right: 6px; color: #5f5f5f; font-weight: 400; white-space: nowrap; }
.legend-sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #c8c8c8; vertical-align: -2px;
  margin: 0 3px 0 10px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
"""


def _items_table(sp: StoredProgram) -> str:
    rows = []
    for k, it in enumerate(sp.program.items, 1):
        extra = [f"rest {it.rest_s:g} s"]
        if it.rules_text:
            extra.append("own rule overrides")
        if it.note:
            extra.append(esc(it.note))
        rows.append(f"<tr><td>{k}</td><td class=\"l\">{esc(EXERCISE_WORDS[it.exercise])}</td><td class=\"l\">{esc(it.dose())}</td>"
                    f"<td class=\"l\">{', '.join(extra)}</td></tr>")
    return ("<table class=\"program\"><thead><tr><th>#</th><th class=\"l\">exercise</th><th class=\"l\">dose per day</th>"
            "<th class=\"l\">notes</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


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


def calendar_html(res: ProgramAdherence) -> str:
    """One row per ISO week, Monday to Sunday; cells coloured by the day's status, the day's worst pain in the corner."""
    by_day = {d.day: d for d in res.days}
    rows = []
    for w in res.weeks:
        cells = []
        for i in range(7):
            day = w.monday + _dt.timedelta(days=i)
            d = by_day.get(day)
            if d is None:
                cells.append("<td class=\"day out\"></td>")
                continue
            pain = f"<span class=\"p\">{d.pain_max}</span>" if d.pain_max is not None else ""
            title = f"{day:%a %d %b}: {DAY_WORDS[d.status]}" + (f", {d.sessions} sessions" if d.sessions else "") + (
                f", worst pain {d.pain_max}/10" if d.pain_max is not None else "")
            cells.append(f"<td class=\"day {d.status}\" data-day=\"{day.isoformat()}\" title=\"{esc(title)}\" "
                         f"style=\"background:{DAY_COLOURS[d.status]}\">{pain}</td>")
        rows.append(f"<tr><th class=\"wk\">{esc(w.label)} ({w.days_done}/{w.days_prescribed})</th>{''.join(cells)}</tr>")
    head = "<tr><th></th>" + "".join(f"<th>{d}</th>" for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")) + "</tr>"
    legend = "".join(f"<span class=\"legend-sw\" style=\"background:{DAY_COLOURS[k]}\"></span>{esc(v)}" for k, v in DAY_WORDS.items())
    return (f"<table class=\"calendar\" id=\"calendar-v{res.version}\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p class=\"sub\">{legend}<span class=\"legend-sw\" style=\"border-color:transparent\"></span>"
            "<span style=\"color:#9400D3;font-weight:700\">n</span> worst pain marked that day (0–10)</p>")


def _weeks_table(res: ProgramAdherence, sp: StoredProgram) -> str:
    items = sp.program.items
    head = "".join(f"<th>{k}. {esc(EXERCISE_WORDS[it.exercise])}<br>{'reps' if it.counted else 'hold time, s'} done / prescribed"
                   f"<br>(good form)</th>" for k, it in enumerate(items, 1))
    rows = []
    for w in res.weeks:
        if w.status == "future":
            continue
        cells = []
        for it, iw in zip(items, w.items):
            if it.counted:
                txt = f"{iw.reps_done} / {iw.reps_prescribed}"
            else:
                txt = f"{iw.hold_s_done:.0f} / {iw.hold_s_prescribed:.0f}"
            pct = iw.good_form_pct
            cells.append(f"<td>{txt}<span class=n>{iw.sets_done} of {iw.sets_prescribed} sets"
                         + (f", {pct:.0f} % good" if pct is not None else "") + "</span></td>")
        rows.append(f"<tr><td class=\"l\">{esc(w.label)}" + (" <span class=n>running</span>" if w.status == "current" else "")
                    + f"</td><td>{w.days_done} / {w.days_prescribed}</td><td>{fmt(w.adherence_pct, 0, '%')}</td>"
                    f"<td>{w.days_complete}</td>{''.join(cells)}<td>{w.pain_max if w.pain_max is not None else '–'}</td></tr>")
    return ("<table class=\"adherence\"><thead><tr><th class=\"l\">ISO week</th><th>days done /<br>prescribed</th>"
            f"<th>adherence</th><th>days with<br>full dose</th>{head}<th>worst pain<br>0–10</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def program_section(store: Store, person: Person, today: _dt.date | None = None) -> str:
    """The HTML of the person's home program and adherence ('' when they have no program)."""
    pa = person_adherence(store, person.name, today=today)
    if not pa.programs:
        return ""
    out = [f"<style>{CSS}</style><section id=\"program\"><h2>Home program and adherence</h2>"]
    cur, res_cur = pa.programs[-1], pa.results[-1]
    t = res_cur.totals
    out.append(f"<p>Current program (version {cur.version}, set {esc(cur.created_utc[:10])}): "
               f"<strong>{esc(cur.program.describe())}</strong>.</p>")
    out.append(_items_table(cur))
    cards = [
        (fmt(t.get("adherence_pct"), 0, "%"), f"adherence in finished weeks ({t['days_done']} of {t['days_prescribed']} days)"),
        (str(res_cur.week_streak), f"weeks on target in a row (longest {res_cur.longest_week_streak})"),
        (str(res_cur.day_streak), "days in a row with a session"),
        (str(sum(w.sessions_done for w in res_cur.weeks)), "sessions for this version"),
    ]
    out.append("<div class=\"cards\">" + "".join(f"<div class=\"card\"><div class=\"v\">{v}</div><div class=\"k\">{esc(k)}</div></div>"
                                               for v, k in cards) + "</div>")
    out.append("<div class=\"honesty\"><strong>How adherence is counted</strong> (docs/programs.md)<ul>"
               "<li>Weeks are ISO weeks (Monday–Sunday). A day counts as done when at least one session for the program "
               "was stored that day; a week's adherence is the days done (at most the prescribed days) over the "
               "prescribed days. Totals add up finished weeks only.</li>"
               "<li>Good form means no <em>warn</em> or <em>stop</em> flag on the rep or hold (nor one overlapping it in "
               "time). Hold time is the sum of the holds' durations (calf stretch: time held in good form).</li>"
               "<li>Only sessions recorded with footform count: exercise done without the camera is not seen.</li></ul></div>")
    for sp, res in reversed(list(zip(pa.programs, pa.results))):
        name = f"prog-adherence-v{sp.version}"
        title = "" if sp is cur else f"<h3>Earlier program, version {sp.version}: {esc(sp.program.describe())}</h3>"
        out.append(title)
        if not res.weeks:
            out.append("<p class=\"na\">This version was replaced before it started.</p>")
            continue
        if all(w.status == "future" for w in res.weeks):
            out.append(f"<p class=\"na\">The program starts on {res.start:%A %d %B %Y}: nothing to show yet.</p>"
                       "<h3>Calendar</h3>" + calendar_html(res))
            continue
        if res.sessions_outside:
            out.append(f"<p class=\"na\">{res.sessions_outside} session(s) for this version fall outside its days "
                       f"({res.start:%d %b %Y} – {res.end:%d %b %Y}) and are not counted.</p>")
        out.append(figure_html(name, plot_adherence(res, name),
                                "Days per ISO week: prescribed (grey), with at least one session (green), with every item's "
                                "full dose (black diamonds); the blue line (right axis) is the share of the week's reps and "
                                "holds done in good form.", weeks=len(res.weeks), version=sp.version))
        dname = f"prog-dose-v{sp.version}"
        out.append(figure_html(dname, plot_dose(res, sp, dname),
                                "Per item and week: reps (counted exercises) or hold time (held exercises) done as a "
                                "percentage of the week's prescribed dose (pale bar) and the part of it done in good form "
                                "(solid bar). The dashed line is the full dose.", version=sp.version))
        out.append("<h3>Calendar</h3>" + calendar_html(res))
        out.append(_weeks_table(res, sp))
        if res.pain:
            pname = f"prog-program-pain-v{sp.version}"
            out.append(figure_html(pname, plot_program_pain(res, pname),
                                    "Every pain rating the person marked during the program, by day (0 = none, 10 = worst).",
                                    ratings=len(res.pain)))
    out.append("</section>")
    return "\n".join(out)
