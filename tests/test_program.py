"""Home programs (#21): the program file, its validation, versions in the store, attribution of
sessions to program items, and adherence over a synthetic four-week history (exact numbers)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import run_cli, run_cli_pty

from footform.outputs import adherence
from footform.outputs.program import (
    Program,
    ProgramError,
    attribute,
    current,
    parse_program,
    person_adherence,
    read_program,
    set_program,
    versions,
)
from footform.outputs.store import SCHEMA_VERSION, Store

EXAMPLE = """\
# calf raises 3 x 15, single-leg stance 3 x 30 s per leg, calf stretch 3 x 30 s; 5 days a week for 6 weeks
schema = "footform.program/1"
start = 2026-11-02
weeks = 6
days_per_week = 5

[[item]]
exercise = "calf-raise"
sets = 3
reps = 15
rest_s = 60
metronome_bpm = 60

[[item]]
exercise = "single-leg-stance"
sets = 3
hold_s = 30
rest_s = 30
rules = "ana-rules.toml"

[[item]]
exercise = "calf-stretch"
sets = 3
hold_s = 30
note = "back knee straight"
"""

RULES = """\
schema = "footform.rules/1"
exercise = "single_leg_stance"

[[rule]]
code = "arch_collapse"
threshold = 0.05
"""


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    (tmp_path / "ana-rules.toml").write_text(RULES)
    p = tmp_path / "plan.toml"
    p.write_text(EXAMPLE)
    return p


def test_example_program_parses_with_its_doses(example: Path) -> None:
    prog = read_program(example)
    assert prog.start == dt.date(2026, 11, 2) and prog.weeks == 6 and prog.days_per_week == 5
    assert prog.end == dt.date(2026, 12, 13)
    calf, sls, stretch = prog.items
    assert (calf.exercise, calf.sets, calf.reps, calf.hold_s, calf.metronome_bpm) == ("calf_raise", 3, 15, None, 60.0)
    assert (sls.exercise, sls.hold_s, sls.rest_s, sls.legs) == ("single_leg_stance", 30.0, 30.0, 2)
    assert sls.rules == str((example.parent / "ana-rules.toml").resolve()) and sls.rules_text == RULES
    assert stretch.rest_s == 60.0 and stretch.note == "back knee straight"
    assert calf.reps_per_day == 45 and sls.holds_per_day == 6 and sls.hold_s_per_day == 180.0
    assert [i.describe() for i in prog.items] == ["calf raises 3 × 15, 60 bpm", "single-leg stance 3 × 30 s per leg",
                                                  "calf stretch 3 × 30 s per leg"]


def test_program_round_trips_through_the_store_and_show(example: Path, tmp_path: Path) -> None:
    """parse → store → show → parse gives the same program (the CLI's own output is parsed back)."""
    db = tmp_path / "f.db"
    prog = read_program(example)
    r = run_cli("program", "set", "--person", "Ana", str(example), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "program version 1 stored" in r.stdout
    shown = run_cli("program", "show", "--person", "Ana", "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    again = parse_program(shown.stdout, name="shown")
    assert again == Program(**{**prog.__dict__, "person": "Ana"})
    assert parse_program(again.to_toml()) == again
    with Store.open(db) as st:
        assert st.schema_version == SCHEMA_VERSION == 3
        sp = current(st, "Ana")
        assert sp is not None and sp.program == again and len(sp.item_ids) == 3


def test_history_keeps_every_version(example: Path, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    with Store.open(db) as st:
        prog = read_program(example)
        v1, new1 = set_program(st, "Ana", prog, "plan.toml")
        same, new_same = set_program(st, "Ana", prog, "plan.toml")
        assert new1 and not new_same and same.version == v1.version == 1
        harder = parse_program(EXAMPLE.replace("reps = 15", "reps = 20").replace("rules = \"ana-rules.toml\"\n", ""))
        v2, new2 = set_program(st, "Ana", harder, "plan2.toml")
        assert new2 and v2.version == 2
        vs = versions(st, "Ana")
        assert [v.version for v in vs] == [1, 2]
        assert vs[0].program.items[0].reps == 15 and vs[1].program.items[0].reps == 20
        assert set(vs[0].item_ids).isdisjoint(vs[1].item_ids)
    r = run_cli("program", "history", "--person", "Ana", "--db", str(db))
    assert r.returncode == 0 and r.stdout.count("version ") == 2 and "3 × 20" in r.stdout
    old = run_cli("program", "show", "--person", "Ana", "--version", "1", "--db", str(db))
    assert "reps = 15" in old.stdout


BAD = """\
schema = "footform.program/1"
start = "2026-13-02"
weeks = 0
days_per_week = 8
colour = "red"

[[item]]
exercise = "calf-rise"
sets = 3
reps = 15

[[item]]
exercise = "single-leg-stance"
sets = "three"
reps = 10
hold_s = 3000
per_leg = true
rules = "missing.toml"
"""


def test_bad_file_gives_one_sentence_per_problem(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(BAD)
    with pytest.raises(ProgramError) as e:
        read_program(p)
    problems = e.value.problems
    lines = [int(s.split(", line ")[1].split(":")[0]) for s in problems]
    assert lines == [2, 3, 4, 5, 8, 14, 15, 16, 17, 18]
    for s in problems:
        assert s.startswith(f"program file {p}, line ") and s.endswith(".") and "\n" not in s
    assert "start must be a date written YYYY-MM-DD" in problems[0]
    assert "weeks must be a whole number from 1 to 104, not 0" in problems[1]
    assert "days_per_week must be a whole number from 1 to 7, not 8" in problems[2]
    assert "unknown key 'colour'" in problems[3]
    assert "exercise must be one of calf-raise, single-leg-stance, calf-stretch, ankle-pumps, not 'calf-rise'" in problems[4]
    assert "item 2 (single-leg-stance): sets must be a whole number from 1 to 20, not 'three'" in problems[5]
    assert "reps does not apply to single-leg stance" in problems[6]
    assert "hold_s must be a number from 1 to 600, not 3000" in problems[7]
    assert "per_leg applies to calf-raise only" in problems[8]
    assert "missing.toml cannot be read" in problems[9]


@pytest.mark.parametrize("text, expect", [
    ("start = 2026-11-02\nweeks = 6\ndays_per_week = 5\n", "line 1: the program has no exercises"),
    ("weeks = 6\ndays_per_week = 5\n[[item]]\nexercise = \"calf-raise\"\nsets = 3\nreps = 15\n",
     "line 1: start is missing"),
    ("start = 2026-11-02\nweeks = 6\ndays_per_week = 5\n[[item]]\nexercise = \"calf-raise\"\nsets = 3\n",
     "line 4: item 1 (calf-raise): reps is missing (a whole number from 1 to 500)"),
    ("start = 2026-11-02\nweeks = 6\ndays_per_week = 5\n[[item]]\nexercise = \"calf-raise\"\nsets = 3\nreps = 15\n"
     "[[item]]\nexercise = \"calf-stretch\"\nsets = 3\nhold_s = 30\nmetronome_bpm = 60\n",
     "line 12: item 2 (calf-stretch): metronome_bpm applies only to counted exercises"),
    ("start = 2026-11-02\nweeks = 6\ndays_per_week = [5\n", "line 3: this is not valid TOML"),
])
def test_each_problem_is_one_sentence(text: str, expect: str) -> None:
    with pytest.raises(ProgramError) as e:
        parse_program(text, name="p.toml")
    assert len(e.value.problems) == 1
    assert expect in e.value.problems[0], e.value.problems


def test_bad_rule_override_names_the_rule_file(tmp_path: Path) -> None:
    (tmp_path / "r.toml").write_text('schema = "footform.rules/1"\n[[rule]]\ncode = "arch_collapse"\nthreshold = "high"\n')
    text = EXAMPLE.replace("ana-rules.toml", "r.toml")
    with pytest.raises(ProgramError) as e:
        parse_program(text, name="plan.toml", base_dir=tmp_path)
    (msg,) = e.value.problems
    assert msg.startswith("program file plan.toml, line 19: item 2 (single-leg-stance): the rule file is not usable")
    assert "'threshold' must be a number" in msg


def test_cli_bad_program_in_a_terminal(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(BAD)
    code, screen = run_cli_pty("program", "set", "--person", "Ana", str(p), "--db", str(tmp_path / "f.db"))
    assert code == 2
    assert "Traceback" not in screen
    lines = [ln for ln in screen.replace("\r", "").splitlines() if ln.strip()]
    assert len(lines) == 10 and all(ln.startswith("footform: program file ") for ln in lines), screen
    with Store.open(tmp_path / "f.db") as st:
        assert st.person("Ana") is None or current(st, "Ana") is None   # nothing stored


# ---------------------------------------------------------------------------------------------
# Adherence over a synthetic four-week history
# ---------------------------------------------------------------------------------------------

FOUR_WEEKS = """\
schema = "footform.program/1"
start = 2026-11-02
weeks = 4
days_per_week = 5

[[item]]
exercise = "calf-raise"
sets = 3
reps = 15

[[item]]
exercise = "single-leg-stance"
sets = 3
hold_s = 30
"""


def calf_summary(sets: int, reps_per_set: int = 15, flags=(), marks=()) -> dict:
    reps, k = [], 0
    for s in range(1, sets + 1):
        for _ in range(reps_per_set):
            k += 1
            reps.append({"index": k, "set": s, "side": "both", "t_start": 2.0 * k, "t_top": 2.0 * k + 0.7,
                         "t_end": 2.0 * k + 1.5, "peak_lift": 0.1, "rise_s": 0.6, "top_s": 0.2, "lower_s": 0.7})
    return {"schema": "footform.summary/1", "exercise": "calf_raise", "view": "side", "reps": reps,
            "sets": [{"index": s, "kind": "reps", "n_reps": reps_per_set} for s in range(1, sets + 1)],
            "flags": list(flags), "marks": list(marks)}


def sls_summary(durations: list[float], flags=(), marks=()) -> dict:
    holds, t = [], 0.0
    for k, d in enumerate(durations, 1):
        holds.append({"index": k, "set": (k + 1) // 2, "stance_side": "left" if k % 2 else "right", "t_start": t + 1,
                      "t_end": t + 1 + d, "duration_s": d, "ended_by": "touch_down", "touchdowns": 0})
        t += d + 5
    n_sets = (len(durations) + 1) // 2
    return {"schema": "footform.summary/1", "exercise": "single_leg_stance", "view": "front", "holds": holds,
            "sets": [{"index": s, "kind": "holds", "n_holds": 2} for s in range(1, n_sets + 1)],
            "flags": list(flags), "marks": list(marks)}


def warn(**where) -> dict:
    return {"code": "x", "label": "x", "severity": "warn", "message": "m", "description": "d", **where}


def build_history(db: Path) -> dict[str, int]:
    """Four weeks of sessions on chosen days, attributed to the program's items as 'analyze' does."""
    day0 = dt.date(2026, 11, 2)  # a Monday
    days = {}

    def add(st: Store, summary: dict, day: dt.date) -> int:
        sid = st.add_session(summary, person="Ana", started_utc=f"{day.isoformat()}T12:00:00+00:00")
        got = attribute(st, sid, "Ana", summary["exercise"], today=day)
        assert got is not None
        days[f"{day.isoformat()} {summary['exercise']}"] = sid
        return sid

    with Store.open(db) as st:
        set_program(st, "Ana", parse_program(FOUR_WEEKS))
        add(st, calf_summary(3), dt.date(2026, 10, 30))         # before the start: outside the program's days
        for i in range(5):                                       # week 1: Mon-Fri complete
            d = day0 + dt.timedelta(days=i)
            flags = [warn(rep=3, t_start=100.0, t_end=100.2), {**warn(rep=4), "severity": "info"}] if i == 0 else []
            marks = [{"t_s": 5.0, "kind": "pain", "rating": 3}, {"t_s": 6.0, "kind": "note", "note": "ok"}] if i == 0 else []
            add(st, calf_summary(3, flags=flags, marks=marks), d)
            add(st, sls_summary([30.0] * 6, flags=[warn(hold=2)] if i == 1 else []), d)
        for i, pain in ((0, None), (2, 5), (4, 2)):              # week 2: Mon, Wed, Fri, calf raises only, 2 sets
            d = day0 + dt.timedelta(days=7 + i)
            add(st, calf_summary(2, marks=[{"t_s": 1.0, "kind": "pain", "rating": pain}] if pain is not None else []), d)
        # week 3: nothing
        for i in range(6):                                       # week 4: Mon-Sat
            d = day0 + dt.timedelta(days=21 + i)
            flags = [warn(t_start=10.2, t_end=10.4)] if i == 1 else []   # a frame flag inside rep 5's span
            marks = [{"t_s": 2.0, "kind": "cramp"}] if i == 3 else []
            add(st, calf_summary(3, flags=flags, marks=marks), d)
            if i < 5:
                add(st, sls_summary([30.0] * 4 + [20.0, 30.0] if i == 4 else [30.0] * 6), d)
    return days


def test_adherence_over_four_weeks_is_exact(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    build_history(db)
    with Store.open(db) as st:
        pa = person_adherence(st, "Ana", today=dt.date(2026, 12, 1))
    (res,) = pa.results
    assert res.sessions_outside == 1
    assert [w.label for w in res.weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert [w.status for w in res.weeks] == ["past"] * 4
    assert [w.days_prescribed for w in res.weeks] == [5, 5, 5, 5]
    assert [w.days_done for w in res.weeks] == [5, 3, 0, 6]
    assert [w.days_complete for w in res.weeks] == [5, 0, 0, 4]
    assert [w.sessions_done for w in res.weeks] == [10, 3, 0, 11]
    assert [w.adherence_pct for w in res.weeks] == [100.0, 60.0, 0.0, 100.0]
    assert [(w.pain_ratings, w.pain_max, w.pain_mean) for w in res.weeks] == [(1, 3, 3.0), (2, 5, 3.5), (0, None, None),
                                                                             (0, None, None)]
    assert [w.cramps for w in res.weeks] == [0, 0, 0, 1]
    calf = [w.items[0] for w in res.weeks]
    assert [(i.sessions_done, i.sets_done, i.reps_done, i.reps_good) for i in calf] == [
        (5, 15, 225, 224), (3, 6, 90, 90), (0, 0, 0, 0), (6, 18, 270, 269)]
    assert [(i.sets_prescribed, i.reps_prescribed) for i in calf] == [(15, 225)] * 4
    sls = [w.items[1] for w in res.weeks]
    assert [(i.holds_done, i.holds_at_target, i.holds_good, i.hold_s_done, i.hold_s_good) for i in sls] == [
        (30, 30, 29, 900.0, 870.0), (0, 0, 0, 0.0, 0.0), (0, 0, 0, 0.0, 0.0), (30, 29, 30, 890.0, 890.0)]
    assert [(i.holds_prescribed, i.hold_s_prescribed) for i in sls] == [(30, 900.0)] * 4
    t = res.totals
    assert (t["weeks"], t["days_prescribed"], t["days_done"], t["days_complete"], t["weeks_on_target"]) == (4, 20, 13, 9, 2)
    assert t["adherence_pct"] == 65.0
    c, s = t["items"]
    assert (c["reps_prescribed"], c["reps_done"], c["reps_good"], c["sets_done"]) == (900, 585, 583, 39)
    assert c["good_form_pct"] == pytest.approx(100 * 583 / 585)
    assert (s["holds_prescribed"], s["holds_done"], s["holds_good"], s["hold_s_prescribed"], s["hold_s_done"]) == (
        120, 60, 59, 3600.0, 1790.0)
    assert [p[2] for p in res.pain] == [3, 5, 2]
    assert (res.week_streak, res.longest_week_streak, res.day_streak) == (1, 1, 0)
    statuses = [d.status for d in res.days]
    assert len(res.days) == 28
    assert statuses[:7] == ["complete"] * 5 + ["none"] * 2
    assert statuses[7:14] == ["partial", "none", "partial", "none", "partial", "none", "none"]
    assert statuses[21:28] == ["complete"] * 4 + ["partial", "partial", "none"]


def test_running_week_and_day_streak(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    build_history(db)
    with Store.open(db) as st:
        (res,) = person_adherence(st, "Ana", today=dt.date(2026, 11, 28)).results   # Saturday of week 4
    assert [w.status for w in res.weeks] == ["past", "past", "past", "current"]
    assert res.totals["weeks"] == 3 and res.totals["days_done"] == 8
    assert res.week_streak == 1            # the running week is already on target (6 of 5 days)
    assert res.day_streak == 6             # Monday to Saturday
    assert res.days[-1].status == "future"


def test_due_today_and_attribution_picks_the_item(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    with Store.open(db) as st:
        sp, _ = set_program(st, "Ana", parse_program(FOUR_WEEKS))
        day = dt.date(2026, 11, 4)
        sid = st.add_session(calf_summary(2), person="Ana", started_utc=f"{day}T09:00:00+00:00")
        assert attribute(st, sid, "Ana", "calf_raise", today=day) == (current(st, "Ana"), 1)
        other = st.add_session(calf_summary(1), person="Ana", started_utc=f"{day}T10:00:00+00:00")
        assert attribute(st, other, "Ana", "ankle_pumps", today=day) is None      # not in the program
        with pytest.raises(Exception, match="item 2 of the program is single-leg stance, not calf raises"):
            attribute(st, other, "Ana", "calf_raise", item=2, today=day)
        links = st.program_links("Ana")
        assert [(lk["session_id"], lk["item_index"]) for lk in links] == [(sid, 1)]
        work = [adherence.work_from_record(st.session(sid), 1, day, sp.item(1))]
        due, done, prescribed = adherence.due_today(sp.program, work, day)
        assert (done, prescribed) == (1, 5)
        assert (due[0].reps_done, due[0].reps_due, due[0].sets_done, due[0].done) == (30, 45, 2, False)
        assert (due[1].holds_at_target, due[1].holds_due, due[1].done) == (0, 6, False)


def test_sessions_lists_what_is_due_today(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    text = FOUR_WEEKS.replace("start = 2026-11-02", f"start = {monday.isoformat()}")
    with Store.open(db) as st:
        set_program(st, "Ana", parse_program(text))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        sid = st.add_session(calf_summary(1), person="Ana", started_utc=now)
        attribute(st, sid, "Ana", "calf_raise")
    code, screen = run_cli_pty("sessions", "--person", "Ana", "--db", str(db))
    assert code == 0, screen
    assert "Traceback" not in screen
    assert "Due today" in screen
    assert "calf raises 3 × 15: 15 of 45 reps done (1 of 3 sets)" in screen, screen
    assert "single-leg stance 3 × 30 s per leg: 0 of 6 holds of 30 s done" in screen, screen


def test_export_has_adherence_tables(tmp_path: Path) -> None:
    from footform.outputs.export import ADHERENCE_ITEM_COLUMNS, ADHERENCE_WEEK_COLUMNS, export_csv, export_document

    db = tmp_path / "f.db"
    build_history(db)
    with Store.open(db) as st:
        files = export_csv(st, tmp_path / "csv", person="Ana", with_signals=False)
        doc = export_document(st, person="Ana", with_signals=False)
    names = {p.name for p in files}
    assert {"program_weeks.csv", "program_week_items.csv"} <= names
    import csv

    weeks = list(csv.DictReader((tmp_path / "csv" / "program_weeks.csv").open()))
    assert list(weeks[0]) == list(ADHERENCE_WEEK_COLUMNS)
    assert [w["days_done"] for w in weeks] == ["5", "3", "0", "6"]
    assert [w["adherence_pct"] for w in weeks] == ["100.0", "60.0", "0.0", "100.0"]
    items = list(csv.DictReader((tmp_path / "csv" / "program_week_items.csv").open()))
    assert list(items[0]) == list(ADHERENCE_ITEM_COLUMNS)
    assert len(items) == 8
    assert items[0]["reps_done"] == "225" and items[1]["hold_time_done_s"] == "900.0"
    prog = doc["programs"][0]
    assert prog["version"] == 1 and prog["program"]["items"][0]["reps"] == 15
    assert [w["days_done"] for w in prog["adherence"]["weeks"]] == [5, 3, 0, 6]
    json.dumps(doc, allow_nan=False)


# ---------------------------------------------------------------------------------------------
# The progress report's program section, in headless Chromium
# ---------------------------------------------------------------------------------------------

def test_progress_report_shows_adherence_in_headless_chromium(tmp_path: Path) -> None:
    from helpers import open_page, start_browser

    from footform.outputs.report import render_progress, write_html

    db = tmp_path / "f.db"
    build_history(db)
    with Store.open(db) as st:
        st.ensure_person("Ana", age_band="40-49")
        page = write_html(tmp_path / "progress.html", render_progress(st, "Ana"))
    text = page.read_text()
    assert 'id="plot-prog-adherence-v1"' in text and 'id="plot-prog-reps"' in text
    assert "Published reference values" in text           # the cited references are still compared with
    drv = start_browser(tmp_path / "chromium-profile", "--hide-scrollbars", "--window-size=1000,1400")
    try:
        urls = open_page(drv, page)
        assert [u for u in urls if u != page.resolve().as_uri()] == [], "the report made network requests"
        assert [e for e in drv.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")] == []
        width = drv.execute_script("return document.querySelector('#plot-prog-adherence-v1 svg').getBoundingClientRect().width")
        assert width > 300
        done = drv.execute_script(
            "return Array.from(document.querySelectorAll('#plot-prog-adherence-v1 svg [id^=\"prog-adherence-v1-done-\"]'))"
            ".map(g => [g.id, g.getBoundingClientRect().height])")
        assert [d[0] for d in done] == [f"prog-adherence-v1-done-2026-W{w}" for w in (45, 46, 47, 48)]
        h = [d[1] for d in done]
        # bar heights follow the days done (5, 3, 0, 6) on one scale
        assert h[2] < 1.0 and h[0] > 0 and abs(h[1] / h[0] - 3 / 5) < 0.03 and abs(h[3] / h[0] - 6 / 5) < 0.03
        assert drv.execute_script("return document.querySelectorAll('#calendar-v1 td.day.complete').length") == 9
        assert drv.execute_script("return document.querySelectorAll('#calendar-v1 td.day.partial').length") == 5
        assert drv.execute_script("return document.querySelectorAll('table.adherence tbody tr').length") == 4
        assert drv.execute_script("return document.querySelectorAll('#plot-prog-program-pain-v1 svg').length") == 1
        assert drv.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        png = drv.get_screenshot_as_png()
        (tmp_path / "progress.png").write_bytes(png)
    finally:
        drv.quit()



# ---------------------------------------------------------------------------------------------
# footform live --person P: today's program under Xvfb, a video file as the camera
# ---------------------------------------------------------------------------------------------

def test_live_without_exercise_or_person_is_one_sentence(tmp_path: Path) -> None:
    code, screen = run_cli_pty("live", "--db", str(tmp_path / "f.db"), "--no-audio")
    assert code == 2
    assert screen.strip() == "footform: live needs --exercise, or --person to run that person's home program (docs/programs.md)."


def test_live_without_a_program_is_one_sentence(tmp_path: Path) -> None:
    import os

    db = tmp_path / "f.db"
    with Store.open(db) as st:
        st.ensure_person("Bo")
    r = run_cli("live", "--person", "Bo", "--db", str(db), "--no-audio", env={"DISPLAY": os.environ.get("DISPLAY", ":9")})
    assert r.returncode == 2
    assert r.stderr.strip() == "footform: Bo has no program yet (set one with 'footform program set --person Bo FILE')."


@pytest.mark.model
@pytest.mark.slow
def test_live_follows_a_two_exercise_program_under_xvfb(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Calf raises 1 x 2 then single-leg stance 1 x 3 s, the calf-raise sample as the camera (each item replays it):
    both sessions are stored, complete, with the item's targets, and attributed to their items."""
    import os
    import subprocess
    import sys

    from conftest import REPO as ROOT
    from helpers import calf_clip

    display = request.getfixturevalue("xdisplay")
    today = dt.date.today()
    plan = tmp_path / "two.toml"
    plan.write_text(f'start = {today.isoformat()}\nweeks = 2\ndays_per_week = 5\n\n[[item]]\nexercise = "calf-raise"\n'
                    'sets = 1\nreps = 2\nrest_s = 5\n\n[[item]]\nexercise = "single-leg-stance"\nsets = 1\nhold_s = 3\n')
    db = tmp_path / "f.db"
    assert run_cli("program", "set", "--person", "Bo", str(plan), "--db", str(db)).returncode == 0
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    r = subprocess.run([sys.executable, "-m", "footform", "live", "--person", "Bo", "--camera", str(calf_clip()),
                        "--db", str(db), "--out", str(tmp_path / "out"), "--no-audio"],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "== 1. calf raises 1 × 2" in r.stdout and "== 2. single-leg stance 1 × 3 s per leg" in r.stdout
    assert "Due today" in r.stdout
    with Store.open(db) as st:
        links = st.program_links("Bo")
        assert [(lk["item_index"], lk["exercise"], lk["how"]) for lk in links] == [
            (1, "calf_raise", "live"), (2, "single_leg_stance", "live")]
        first, second = (st.session(lk["session_id"]) for lk in links)
        assert first.session["mode"] == second.session["mode"] == "live"
        assert first.session["status"] == second.session["status"] == "complete"
        assert first.session["exercise"] == "calf_raise" and second.session["exercise"] == "single_leg_stance"
        assert first.targets["sets"] == 1 and first.targets["reps"] == 2 and first.targets["rest_s"] == 5.0
        assert second.targets["hold_s"] == 3.0
        assert (tmp_path / "out" / "item-1-calf_raise" / "summary.json").is_file()
        assert (tmp_path / "out" / "item-2-single_leg_stance" / "summary.json").is_file()
        if len([x for x in first.reps if x["full"]]) >= 2:      # the clip's raises were counted: the item ended on its own
            assert "[done] 1. calf raises 1 × 2: " in r.stdout
    # a single exercise coached with --exercise goes to the program's item of that exercise too
    one = subprocess.run([sys.executable, "-m", "footform", "live", "--exercise", "calf-raise", "--person", "Bo",
                          "--camera", str(calf_clip()), "--sets", "1", "--reps", "1", "--db", str(db),
                          "--out", str(tmp_path / "one"), "--no-audio", "--max-seconds", "6"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stderr
    with Store.open(db) as st:
        last = st.program_links("Bo")[-1]
    assert (last["item_index"], last["how"]) == (1, "live")
    assert f"session {last['session_id']} for program item 1 (calf raises 1 × 2, version 1)" in one.stdout


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    """docs/programs.md's example is the issue's program: calf raises 3 x 15, single-leg stance 3 x 30 s per leg,
    calf stretch 3 x 30 s, five days a week for six weeks."""
    import re

    from conftest import REPO

    doc = (REPO / "docs" / "programs.md").read_text()
    example = next(b for b in re.findall(r"```toml\n(.*?)```", doc, flags=re.S) if "[[item]]" in b)
    (tmp_path / "ana-rules.toml").write_text(RULES)
    prog = parse_program(example, name="docs/programs.md", base_dir=tmp_path)
    assert (prog.weeks, prog.days_per_week) == (6, 5)
    assert [i.describe() for i in prog.items] == ["calf raises 3 × 15", "single-leg stance 3 × 30 s per leg",
                                                  "calf stretch 3 × 30 s per leg"]


# ---------------------------------------------------------------------------------------------
# footform analyze --person P [--item N]: a landmark track re-analysed (no model needed)
# ---------------------------------------------------------------------------------------------

def test_analyze_attributes_the_session_to_the_program_item(tmp_path: Path) -> None:
    from test_store import make_session

    _, track = make_session(tmp_path, "calf")
    db = tmp_path / "f.db"
    plan = tmp_path / "plan.toml"
    plan.write_text(FOUR_WEEKS.replace("start = 2026-11-02", f"start = {dt.date.today().isoformat()}"))
    assert run_cli("program", "set", "--person", "Ana", str(plan), "--db", str(db)).returncode == 0
    code, screen = run_cli_pty("analyze", str(track), "--person", "Ana", "--db", str(db), "--out", str(tmp_path / "a"))
    assert code == 0, screen
    assert "Traceback" not in screen
    assert "for program item 1 (calf raises 3 × 15, version 1)" in screen
    bad = run_cli("analyze", str(track), "--person", "Ana", "--item", "2", "--exercise", "calf-raise", "--db", str(db),
                  "--out", str(tmp_path / "b"))
    assert bad.returncode == 2
    assert bad.stderr.strip() == "footform: item 2 of the program is single-leg stance, not calf raises."
    assert not (tmp_path / "b").exists(), "checked before any work"
    r = run_cli("analyze", str(track), "--person", "Ana", "--item", "1", "--db", str(db), "--out", str(tmp_path / "c"))
    assert r.returncode == 0, r.stderr
    assert "for program item 1" in r.stdout
    with Store.open(db) as st:
        links = st.program_links("Ana")
        assert [(lk["item_index"], lk["how"]) for lk in links] == [(1, "analyze"), (1, "analyze --item")]
        rec = st.session(links[1]["session_id"])
        assert rec.session["exercise"] == "calf_raise" and rec.targets == {"reps": 15}
    nothing = run_cli("analyze", str(track), "--item", "1", "--db", str(db), "--out", str(tmp_path / "d"))
    assert nothing.returncode == 2 and nothing.stderr.strip() == "footform: --item needs --person (whose program the item is in)."


def test_program_set_from_options_and_changed_by_options(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    r = run_cli("program", "set", "--person", "Cy", "--start", "2026-11-02", "--weeks", "6", "--days-per-week", "5",
                "--item", "calf-raise 3x15 bpm=60", "--item", "single-leg-stance 3x30s rest=30",
                "--item", "calf-raise 2x10 per-leg", "--db", str(db))
    assert r.returncode == 0, r.stderr
    with Store.open(db) as st:
        prog = current(st, "Cy").program
    assert prog == parse_program(EXAMPLE.split("[[item]]")[0].replace("# calf", "person = \"Cy\"\n# calf")
                                 + '[[item]]\nexercise = "calf-raise"\nsets = 3\nreps = 15\nmetronome_bpm = 60\n'
                                 '[[item]]\nexercise = "single-leg-stance"\nsets = 3\nhold_s = 30\nrest_s = 30\n'
                                 '[[item]]\nexercise = "calf-raise"\nsets = 2\nreps = 10\nper_leg = true\n')
    assert prog.items[2].reps_per_day == 40
    code, screen = run_cli_pty("program", "set", "--person", "Cy", "--weeks", "8", "--db", str(db))
    assert code == 0 and "program version 2 stored" in screen, screen
    with Store.open(db) as st:
        v1, v2 = versions(st, "Cy")
    assert v2.program == Program(**{**v1.program.__dict__, "weeks": 8})
    bad = run_cli("program", "set", "--person", "Cy", "--item", "calf-raise 3x0", "--days-per-week", "9", "--db", str(db))
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        "footform: the program (version 2 with the command line's options): days_per_week must be a whole number from "
        "1 to 7, not 9.",
        "footform: the program (version 2 with the command line's options): item 1 (calf-raise): reps must be a whole "
        "number from 1 to 500, not 0."]
    spec = run_cli("program", "set", "--person", "Cy", "--item", "calf-raise three", "--db", str(db))
    assert spec.returncode == 2 and spec.stderr.startswith("footform: --item 'calf-raise three': write it as")
    with Store.open(db) as st:
        assert len(versions(st, "Cy")) == 2          # nothing stored by the bad calls


def test_a_changed_program_keeps_the_earlier_versions_sessions(tmp_path: Path) -> None:
    """v1 set before the start; v2 (one more week) set on Wednesday of week 2: v1 counts up to that Wednesday,
    v2 from it (the changeover day belongs to both, each with its own sessions)."""
    import sqlite3

    db = tmp_path / "f.db"
    with Store.open(db) as st:
        set_program(st, "Ana", parse_program(FOUR_WEEKS))
        for i in (0, 1, 2, 7, 8, 9):                        # week 1 Mon-Wed, week 2 Mon-Wed: calf raises only
            d = dt.date(2026, 11, 2) + dt.timedelta(days=i)
            sid = st.add_session(calf_summary(3), person="Ana", started_utc=f"{d}T08:00:00+00:00")
            attribute(st, sid, "Ana", "calf_raise", today=d)
        set_program(st, "Ana", parse_program(FOUR_WEEKS.replace("weeks = 4", "weeks = 5")))
        for i in (9, 11):                                    # after the change: Wed (again) and Fri of week 2
            d = dt.date(2026, 11, 2) + dt.timedelta(days=i)
            sid = st.add_session(calf_summary(3), person="Ana", started_utc=f"{d}T18:00:00+00:00")
            attribute(st, sid, "Ana", "calf_raise", today=d)
    con = sqlite3.connect(db)
    con.execute("UPDATE programs SET created_utc = '2026-10-30T09:00:00+00:00' WHERE version = 1")
    con.execute("UPDATE programs SET created_utc = '2026-11-11T12:00:00+00:00' WHERE version = 2")
    con.commit()
    con.close()
    with Store.open(db) as st:
        v1, v2 = person_adherence(st, "Ana", today=dt.date(2026, 12, 20)).results
    assert (v1.start, v1.end, v2.start, v2.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 11),
                                                    dt.date(2026, 11, 11), dt.date(2026, 12, 6))
    assert [(w.label, w.days_prescribed, w.days_done) for w in v1.weeks] == [("2026-W45", 5, 3), ("2026-W46", 3, 3)]
    assert v1.sessions_outside == 0 and v1.totals["adherence_pct"] == 75.0
    assert [(w.label, w.program_week, w.days_prescribed, w.days_done) for w in v2.weeks[:2]] == [
        ("2026-W46", 2, 5, 2), ("2026-W47", 3, 5, 0)]
    assert len(v2.weeks) == 4 and v2.totals["days_done"] == 2
