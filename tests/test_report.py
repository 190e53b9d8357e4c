"""HTML reports: self-contained, every plot present with the right marks, and clean in headless Chromium.

The browser checks use chromedriver through Selenium (W3C WebDriver on 127.0.0.1).  Without
Chromium, chromedriver or selenium they skip with the reason — except in CI (``CI`` set), where a
missing browser is a failure.
"""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from helpers import make_own_session, make_session, need_browser, open_page, start_browser, with_flags

from footform.apps.cli_review import main
from footform.errors import OutputError
from footform.outputs.report import render_progress, session_report, write_html, write_pdf
from footform.outputs.store import Store


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A database with a calf-raise and a single-leg-stance session, and their reports written out."""
    tmp = tmp_path_factory.mktemp("report")
    db = tmp / "ff.db"
    calf, calf_track = make_session(tmp, "calf", "front")
    sls, sls_track = make_session(tmp, "sls", "front")
    with Store.open(db) as st:
        st.ensure_person("Ana", height_cm=172, age_band="40-49", injured_side="left")
        calf_id = st.add_session(with_flags(calf), person="Ana", track_path=calf_track, source={"name": "calf.mp4"})
        sls_id = st.add_session(with_flags(sls), person="Ana", track_path=sls_track, source={"name": "sls.mp4"})
        files = {
            "calf": write_html(tmp / "calf.html", session_report(st, calf_id)),
            "sls": write_html(tmp / "sls.html", session_report(st, sls_id)),
            "progress": write_html(tmp / "progress.html", render_progress(st, "Ana")),
        }
        expect = {"calf": len(st.session(calf_id).reps), "sls_holds": len(st.session(sls_id).holds)}
    return {"db": db, "files": files, "expect": expect, "tmp": tmp, "ids": (calf_id, sls_id)}


@pytest.fixture(scope="module")
def own_reports(tmp_path_factory):
    """A calf-stretch and an ankle-pump session (synthetic, with their own rules' flags) and their reports."""
    tmp = tmp_path_factory.mktemp("report_own")
    stretch, s_track = make_own_session(tmp, "stretch")
    pumps, p_track = make_own_session(tmp, "pumps")
    with Store.open(tmp / "ff.db") as st:
        a = st.add_session(stretch, person="Ben", track_path=s_track, source={"name": "stretch.mp4"})
        b = st.add_session(pumps, person="Ben", track_path=p_track, source={"name": "pumps.mp4"})
        files = {"stretch": write_html(tmp / "stretch.html", session_report(st, a)),
                 "pumps": write_html(tmp / "pumps.html", session_report(st, b)),
                 "own_progress": write_html(tmp / "own_progress.html", render_progress(st, "Ben"))}
    return {"files": files, "stretch": stretch, "pumps": pumps}


# -- static checks (no browser) --------------------------------------------------------------

def test_calf_stretch_and_ankle_pump_reports(own_reports):
    files = own_reports["files"]
    stretch = files["stretch"].read_text(encoding="utf-8")
    pumps = files["pumps"].read_text(encoding="utf-8")
    for text in (stretch, pumps):
        assert not re.search(r"https?:|<script\b", text)
        # nothing that assumes calf raises or single-leg stance
        for absent in ('id="plot-heel"', 'id="plot-fatigue"', 'id="plot-stab"', "Heights are calibrated estimates",
                       'id="reps"', 'id="holds"', "<h2>Calf raises", "<h2>Single-leg stance"):
            assert absent not in text, absent
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids))
    holds = own_reports["stretch"]["holds"]
    assert len(re.findall(r'<tr id="stretch-hold-\d+"', stretch)) == len(holds) == 2
    for words in ("Standing calf stretch", "good form", "gastrocnemius", "1× heel up", "n/m: side view",
                  "back foot pointing forward: not measurable from a side view", "Keep your right heel on the ground",
                  'id="plot-stretch"', 'id="stretch-paused-1"', 'id="plot-lr"', "Angles are measured in the image"):
        assert words in stretch, words
    assert "stretch-paused-2" not in stretch          # the second hold was never paused
    reps = own_reports["pumps"]["reps"]
    assert len(re.findall(r'<tr id="pump-\d+"', pumps)) == len(reps) == 14
    assert len(re.findall(r'id="pumps-rep-\d+"', pumps)) == len(reps)   # each pump shaded on its foot's curve
    for words in ("Ankle pumps", "Set 1: 4 left, 4 right", "Set 2: 3 left, 3 right", 'id="plot-pumps"',
                  "pumps of the left foot", "angle between shank and foot", "Point and pull your"):
        assert words in pumps, words
    # the progress page does not count pumps as calf raises nor stretches as single-leg holds
    prog = files["own_progress"].read_text(encoding="utf-8")
    assert 'id="plot-prog-reps"' not in prog and 'id="plot-prog-holds"' not in prog
    assert "Standing calf stretch" in prog and "Ankle pumps" in prog



def test_reports_are_self_contained(reports):
    for name, path in reports["files"].items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>"), name
        assert not re.search(r"https?:", text), f"{name}: an URL"
        assert not re.search(r"<(script|img|link|iframe|object|embed)\b", text, re.IGNORECASE), f"{name}: external element"
        assert not re.search(r"(src|href)=\"(?!#)", text), f"{name}: a reference to another file"
        assert "@media print" in text and "size: A4" in text
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"


def test_session_report_content(reports):
    text = reports["files"]["calf"].read_text(encoding="utf-8")
    n = reports["expect"]["calf"]
    assert n == 5
    assert len(re.findall(r'id="heel-rep-\d+"', text)) == n
    assert len(re.findall(r'id="fatigue-rep-\d+"', text)) == n
    assert len(re.findall(r'<tr id="rep-\d+"', text)) == n
    assert 'data-reps="5"' in text
    for words in ("Ana", "172 cm", "age 40-49", "from the front", "Heights are calibrated estimates", "MediaPipe",
                  "Lower your heels more slowly", "pain", "cramp", "Not measurable from this camera view",
                  "threshold"):
        assert words in text, words
    assert len(re.findall(r'id="heel-flag-\d+"', text)) == 2 and len(re.findall(r'id="heel-mark-\d+"', text)) == 2
    sls = reports["files"]["sls"].read_text(encoding="utf-8")
    for leg in ("left", "right"):
        assert f'id="stab-ellipse-{leg}"' in sls and f'id="stab-noise-{leg}"' in sls
    assert len(re.findall(r'<tr id="hold-\d+"', sls)) == reports["expect"]["sls_holds"] >= 2
    assert "noise" in sls and 'id="plot-lr"' in sls
    assert "proxy" in sls and "proxy" not in text     # sway / arch notes: stance only (#14)


def test_progress_report_has_labelled_references(reports):
    text = reports["files"]["progress"].read_text(encoding="utf-8")
    assert "References, not diagnoses" in text
    assert "Lunsford BR, Perry J (1995)" in text and "Physical Therapy 75(8):694–698" in text
    assert "Hébert-Losier K" in text and "Springer BA" in text and "30(1):8–15" in text
    assert "eyes closed, age 40-49" in text and "approximate" in text
    assert 'id="plot-prog-reps"' in text and 'id="plot-prog-holds"' in text and 'id="plot-prog-sway"' in text


def test_missing_track_degrades_with_a_note(tmp_path):
    summary, track = make_session(tmp_path)
    with Store.open(tmp_path / "ff.db") as st:
        sid = st.add_session(summary, person="M", track_path=track, copy_track=False)
        track.unlink()
        text = session_report(st, sid)
    assert "per-frame heel curve is not available" in text and "missing" in text
    assert len(re.findall(r'id="heel-rep-\d+"', text)) == len(summary["reps"])


def test_cli_report_and_progress(reports, tmp_path, capsys):
    db = str(reports["db"])
    calf_id, _ = reports["ids"]
    assert main(["report", str(calf_id), "--html", str(tmp_path / "r.html"), "--db", db]) == 0
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count('id="heel-rep-') == 5
    assert main(["progress", "--person", "Ana", "--html", str(tmp_path / "p.html"), "--db", db]) == 0
    assert main(["report", "999", "--db", db]) == 2
    assert "no session" in capsys.readouterr().err


def test_pdf_without_chromium_is_one_sentence(reports, tmp_path, monkeypatch):
    monkeypatch.setenv("FOOTFORM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(OutputError, match="Chromium is not installed"):
        write_pdf(reports["files"]["calf"], tmp_path / "r.pdf")


# -- headless Chromium --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    drv = start_browser(tmp_path_factory.mktemp("chromium-profile"), "--window-size=1000,1400")
    yield drv
    drv.quit()


def _count(drv, css: str) -> int:
    return int(drv.execute_script(f"return document.querySelectorAll({json.dumps(css)}).length"))


@pytest.mark.parametrize("name", ["calf", "sls", "progress", "stretch", "pumps"])
def test_report_in_headless_chromium(browser, reports, own_reports, name, tmp_path):
    path = {**reports["files"], **own_reports["files"]}[name]
    urls = open_page(browser, path)
    assert [u for u in urls if u != path.resolve().as_uri()] == [], "the report made network requests"
    errors = [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == []
    figures = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure')).map(f => [f.id, f.querySelector('svg') ? "
        "f.querySelector('svg').getBoundingClientRect().width : 0])")
    assert figures and all(w > 200 for _, w in figures), figures
    ids = {f for f, _ in figures}
    if name == "calf":
        n = reports["expect"]["calf"]
        assert {"plot-heel", "plot-fatigue", "plot-flags"} <= ids
        assert _count(browser, '#plot-heel svg [id^="heel-rep-"]') == n
        assert _count(browser, '#plot-fatigue svg [id^="fatigue-rep-"]') == n
        assert _count(browser, "table.reps tbody tr") == n
    elif name == "sls":
        assert {"plot-stab", "plot-lr"} <= ids
        assert _count(browser, '#plot-stab svg [id^="stab-ellipse-"]') == 2
    elif name == "stretch":
        assert ids == {"plot-stretch", "plot-lr", "plot-flags"}
        assert _count(browser, "table.stretch-holds tbody tr") == len(own_reports["stretch"]["holds"])
        assert _count(browser, "table.reps, table.holds, table.pumps") == 0
    elif name == "pumps":
        assert ids == {"plot-pumps", "plot-lr", "plot-flags"}
        assert _count(browser, "table.pumps tbody tr") == len(own_reports["pumps"]["reps"])
        assert _count(browser, '#plot-pumps svg [id^="pumps-rep-"]') == len(own_reports["pumps"]["reps"])
        assert _count(browser, "table.reps, table.holds, table.stretch-holds") == 0
    else:
        assert {"plot-prog-reps", "plot-prog-holds"} <= ids
    # text drawn in the plots is real text in a sans-serif font
    assert _count(browser, "figure svg text") > 10
    png = browser.get_screenshot_as_png()
    (tmp_path / f"{name}.png").write_bytes(png)
    from PIL import Image, ImageStat

    img = Image.open(io.BytesIO(png)).convert("L")
    stat = ImageStat.Stat(img)
    assert img.size[0] >= 900 and stat.var[0] > 200, "the screenshot is blank"
    # the whole page must not be wider than the window (nothing overflows sideways)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    # ... and no table is wider than the text column it sits in (a 12-column hold table once ran
    # 31 px past it, cutting its last column on a narrower window or the A4 page)
    wide = browser.execute_script(
        "return Array.from(document.querySelectorAll('table')).map(t => { const p = t.parentElement, "
        "s = getComputedStyle(p); return [t.className, t.getBoundingClientRect().width, "
        "p.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; })"
        ".filter(([c, w, room]) => w > room + 1)")
    assert wide == [], wide


def test_pdf_printed_by_chromium(reports, tmp_path):
    need_browser()
    pdf = write_pdf(reports["files"]["calf"], tmp_path / "calf.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20000
    assert b"/MediaBox [0 0 595" in data or b"/MediaBox [0 0 594" in data      # A4 portrait, 595 × 842 pt


def test_network_check_sees_a_request(browser, tmp_path):
    """The no-network assertion above is not vacuous: a page that fetches something is caught."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    assert any(u.startswith("http://127.0.0.1:9/") for u in open_page(browser, page))


def test_body_rise_session_is_labelled_as_body_rise(tmp_path):
    """Reps counted from the camera-compensated body rise (summary set.lift_from) are never called heel lift."""
    summary, track = make_session(tmp_path, "calf", "back")
    summary["set"]["lift_from"] = "body_rise"
    with Store.open(tmp_path / "ff.db") as st:
        sid = st.add_session(summary, person="M", track_path=track, copy_track=False)
        text = session_report(st, sid)
    assert "Heights are the rise of the whole body, not of the heel" in text
    assert "mean peak body rise" in text and "mean peak heel lift" not in text
    plain, track2 = make_session(tmp_path / "plain", "calf", "back")
    with Store.open(tmp_path / "ff2.db") as st:
        text = session_report(st, st.add_session(plain, person="M", track_path=track2, copy_track=False))
    assert "mean peak heel lift" in text and "rise of the whole body, not of the heel" not in text


def test_report_lists_what_the_analysis_found_not_measurable(tmp_path):
    """The summary's own "not measurable" findings (e.g. holds from a side view with the far foot
    hidden, or a rule below its measured limit) reach the report, beside the view's general list."""
    summary, track = make_session(tmp_path, "sls", "front")
    said = "single-leg holds: not measurable from this side view on 80 % of the frames — the far foot is hidden"
    generic = "level pelvis: not measurable from a side view"     # the view's own list says it already
    summary["not_measurable"] = [*summary.get("not_measurable", []), said, generic]
    with Store.open(tmp_path / "ff.db") as st:
        text = session_report(st, st.add_session(summary, person="M", track_path=track, copy_track=False))
    assert said in text.replace("&#34;", '"')
    assert generic not in text


# -- report polish (#14): targets in words, per-exercise notes, readable charts, angle estimates --------

@pytest.fixture(scope="module")
def polish_reports(tmp_path_factory):
    """A one-rep calf-raise session and a stance session with live-style targets (one of them None),
    next to the calf-stretch and ankle-pump reports."""
    tmp = tmp_path_factory.mktemp("report_polish")
    calf, calf_track = make_session(tmp, "calf", "side", name="calf1")
    calf = {**calf, "reps": calf["reps"][:1]}
    sls, sls_track = make_session(tmp, "sls", "front", name="sls")
    with Store.open(tmp / "ff.db") as st:
        a = st.add_session(calf, person="Cy", track_path=calf_track, source={"name": "calf.mp4"},
                           targets={"exercise": "calf_raise", "sets": 1, "reps": 12, "rest_s": 60.0, "metronome_bpm": None})
        b = st.add_session(sls, person="Cy", track_path=sls_track, source={"name": "sls.mp4"},
                           targets={"exercise": "single_leg_stance", "sets": 3, "hold_s": 30.0, "rest_s": 60.0,
                                    "metronome_bpm": None})
        return {"calf1": write_html(tmp / "calf1.html", session_report(st, a)),
                "sls": write_html(tmp / "sls.html", session_report(st, b))}


def _text(drv) -> str:
    return str(drv.execute_script("return document.body.innerText"))


def _rect(drv, css: str) -> dict:
    r = drv.execute_script(f"const e = document.querySelector({json.dumps(css)}); if (!e) return null; "
                           "const b = e.getBoundingClientRect(); return {x0: b.left, y0: b.top, x1: b.right, y1: b.bottom};")
    assert r is not None, f"{css} is not in the report"
    return r


def _overlap(a: dict, b: dict) -> bool:
    return min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 0.5 and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 0.5


def test_targets_in_words_and_no_none(browser, polish_reports, own_reports):
    open_page(browser, polish_reports["sls"])
    text = _text(browser)
    assert "Program targets: 3 sets, hold 30 s per leg, rest 60 s between sets" in text
    open_page(browser, polish_reports["calf1"])
    assert "Program targets: 1 set, 12 reps per set, rest 60 s between sets" in _text(browser)
    for path in (*polish_reports.values(), *own_reports["files"].values()):
        open_page(browser, path)
        text = _text(browser)
        assert not re.search(r"\bNone\b|\bnan\b", text), path.name
        assert "hold s " not in text and "metronome bpm" not in text


def test_how_to_read_is_per_exercise(browser, polish_reports):
    open_page(browser, polish_reports["calf1"])
    calf = browser.execute_script("return document.querySelector('.honesty').innerText")
    assert "Heights are calibrated estimates" in calf
    assert "Sway" not in calf and "arch" not in calf.lower()
    open_page(browser, polish_reports["sls"])
    sls = browser.execute_script("return document.querySelector('.honesty').innerText")
    assert "Sway is that of a centre-of-mass proxy" in sls and "arch-collapse" in sls
    assert "Heights are calibrated estimates" not in sls


def test_height_per_rep_has_whole_rep_ticks(browser, polish_reports):
    open_page(browser, polish_reports["calf1"])
    ticks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#fatigue-axes_1 g[id^=\"fatigue-xtick_\"] text'))"
        ".map(t => t.textContent.trim())")
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks


def test_stretch_charts_legend_and_target_label(browser, own_reports):
    open_page(browser, own_reports["files"]["stretch"])
    # the target line ends below its label
    assert not _overlap(_rect(browser, '#stretch-target'), _rect(browser, '#stretch-target-label'))
    # left/right chart: the legend sits on no bar, and its keys are neither leg's colour
    legend = _rect(browser, '#lr-stretch-legend')
    for leg in ("left", "right"):
        for what in ("longest", "total"):
            assert not _overlap(legend, _rect(browser, f'#lr-stretch-{leg}-{what}')), (leg, what)
    keys = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lr-stretch-legend path')).map(p => getComputedStyle(p).fill)")
    assert keys and not {"rgb(0, 114, 178)", "rgb(213, 94, 0)"} & set(keys), keys
    png = browser.get_screenshot_as_png()
    assert len(png) > 10000


def test_stance_left_right_legends_sit_on_no_bar(browser, polish_reports):
    open_page(browser, polish_reports["sls"])
    for legend, bars in (("#lr-hold-legend", ["#lr-hold-left-longest", "#lr-hold-right-longest", "#lr-hold-left-total",
                                              "#lr-hold-right-total"]),):
        box = _rect(browser, legend)
        for b in bars:
            assert not _overlap(box, _rect(browser, b)), b
    keys = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lr-hold-legend path, #lr-sway-legend path'))"
        ".map(p => getComputedStyle(p).fill)")
    assert keys and not {"rgb(0, 114, 178)", "rgb(213, 94, 0)"} & set(keys), keys


def test_estimated_angles_are_whole_degrees_and_marked(browser, own_reports):
    for name, table in (("stretch", "table.stretch-holds"), ("pumps", "table.pumps")):
        open_page(browser, own_reports["files"][name])
        text = browser.execute_script(f"return document.querySelector({json.dumps(table)}).innerText")
        assert "est." in text and "≈" in text
        assert not re.search(r"\d\.\d\s*°", text), text       # no tenths of a degree
        cells = browser.execute_script(
            f"return Array.from(document.querySelectorAll({json.dumps(table + ' tbody td')})).map(c => c.innerText)")
        assert any(re.search(r"≈\s*\d+°?", c) for c in cells)
    open_page(browser, own_reports["files"]["stretch"])
    honesty = browser.execute_script("return document.querySelector('.honesty').innerText")
    assert "Angles are estimates" in honesty


# -- escaping (#15): nothing a user typed or a file named reaches the page unescaped -------------

def _payload(field: str) -> str:
    """Markup that would run a script, close an attribute and start an entity if it were not escaped, and
    matplotlib mathtext that does not parse (flag labels are drawn in the plots as well)."""
    return f'<script>alert("{field}")</script>"&<>$\\foo{{$'


#: Every user-supplied string that reaches a report, and the page it reaches.
INJECTED_SESSION = ("person", "age band", "file name", "pose model", "software version", "warning", "view",
                    "flag label", "flag message", "flag description", "evidence metric", "evidence compare",
                    "evidence reference", "evidence unit", "mark note", "event", "event reason", "event side",
                    "target")
INJECTED_PROGRESS = ("person", "age band", "view", "program note")


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A calf-raise session and a home program whose every free-text field holds markup, and their reports."""
    from footform.outputs.program import parse_program, set_program

    tmp = tmp_path_factory.mktemp("report_escaping")
    p = _payload
    summary, track = make_session(tmp, "calf", "front")
    summary = with_flags(summary)
    summary["view"] = p("view")
    summary["warnings"] = [p("warning")]
    for f in summary["flags"]:
        f.update(label=p("flag label"), message=p("flag message"), description=p("flag description"))
        f["evidence"].update(metric=p("evidence metric"), compare=p("evidence compare"), reference=p("evidence reference"),
                             unit=p("evidence unit"), baseline=0.9)
    summary["marks"][0]["note"] = p("mark note")
    summary["events"] = [*summary.get("events", []),
                         {"type": p("event"), "t_s": 1.0, "reason": p("event reason"), "side": p("event side")}]
    program = parse_program(f"""schema = "footform.program/1"
start = 2026-11-02
weeks = 2
days_per_week = 3

[[item]]
exercise = "calf-raise"
sets = 3
reps = 15
note = '{p("program note")}'
""")
    with Store.open(tmp / "ff.db") as st:
        name = p("person")
        st.ensure_person(name, height_cm=172, age_band=p("age band"))
        set_program(st, name, program)
        sid = st.add_session(summary, person=name, track_path=track, source={"name": p("file name")},
                             model={"name": p("pose model"), "sha256": "0" * 64}, software_version=p("software version"),
                             targets={"exercise": "calf_raise", "sets": 3, p("target") + "_s": 5})
        files = {"session": write_html(tmp / "session.html", session_report(st, sid)),
                 "progress": write_html(tmp / "progress.html", render_progress(st, name))}
    return files


def test_user_text_is_escaped_in_the_html(injected):
    import html

    for page, fields in (("session", INJECTED_SESSION), ("progress", INJECTED_PROGRESS)):
        text = injected[page].read_text(encoding="utf-8")
        assert not re.search(r"<\s*script", text, re.IGNORECASE), f"{page}: a script element"
        assert "alert(" in text      # the payload is there …
        for field in fields:         # … as text: every field escaped
            escaped = html.escape(_payload(field))    # quotes as &quot; or (Jinja2's spelling) &#34;
            assert escaped in text or escaped.replace("&quot;", "&#34;") in text, (page, field)
            assert _payload(field) not in text, (page, field)


def test_user_text_is_text_in_headless_chromium(browser, injected):
    from selenium.common.exceptions import NoAlertPresentException

    for page, fields in (("session", INJECTED_SESSION), ("progress", INJECTED_PROGRESS)):
        browser.get_log("browser")                 # drop what earlier pages logged
        open_page(browser, injected[page])
        with pytest.raises(NoAlertPresentException):
            _ = browser.switch_to.alert.text       # no script ran (an alert would be open)
        assert _count(browser, "script") == 0
        assert _count(browser, "body *") > 100     # the page is whole, not cut off by an unclosed tag
        text = _text(browser)
        for field in fields:
            assert _payload(field) in text, (page, field)   # the person's text is shown as they typed it
        assert [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")] == []


@pytest.mark.slow
def test_templates_and_css_ship_in_the_wheel(tmp_path):
    """The report's templates and stylesheet are package data of the built wheel (not only of the checkout)."""
    import subprocess
    import sys
    import zipfile

    from conftest import REPO

    from footform.outputs.report import templating

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        msg = f"cannot build the wheel here (pip wheel: {(proc.stderr or '').strip().splitlines()[-1:]})"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    (wheel,) = tmp_path.glob("footform-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(templating.environment().list_templates())
    assert {"session.html", "progress.html", "program.html", "base.html"} <= set(templates)
    missing = [t for t in templates if f"footform/outputs/report/templates/{t}" not in names]
    assert missing == [] and "footform/outputs/report/report.css" in names, missing


def test_sway_below_the_picture_resolution_is_marked_in_the_hold_table():
    """A hold whose sway is under what the picture resolves (the summary's ``sway.note``, issue #16)
    has its RMS starred and the sentence under the table, once; a resolved hold has neither."""
    from footform.outputs.report.session import hold_rows

    note = "sway under 1 px RMS in the picture (0.021 FL here), below what the body landmarks resolve"
    def hold(i, rms, with_note):
        return {"hold_index": i, "stance_side": "left", "t_start_s": 1.0 + 10 * i, "t_end_s": 6.0 + 10 * i,
                "duration_s": 5.0, "ended_by": "touch_down", "touchdowns": 0,
                "sway": {"rms_ml": rms, "axes": {"ml": "image horizontal"}, **({"note": note} if with_note else {})},
                "noise_floor": {"rms_ml": 0.001}}
    t = hold_rows([hold(1, 0.007, True), hold(2, 0.009, True), hold(3, 0.037, False)], None)
    assert [r["rms"]["value"] for r in t["rows"]] == ["0.007*", "0.009*", "0.037"]
    assert t["notes"] == [note]


def test_a_hold_with_a_flagged_knee_valgus_has_its_sway_marked_in_the_report(tmp_path):
    """A hold whose sway carries a ``form_note`` (a knee valgus / trunk lean flagged in it: the
    figure includes that movement and reads high, docs/metrics.md) has its RMS marked † in the
    session report, with the sentence under the table once — through the store, as a user gets it."""
    import html as html_lib

    from footform.exercises.single_leg_stance import note_form_faults
    from footform.outputs.report.session import hold_rows

    sls, track = make_session(tmp_path, "sls", "front")
    for h in sls["holds"]:
        h["sway"].pop("form_note", None)
    note_form_faults(sls["holds"][:1], [{"code": "knee_valgus", "hold": sls["holds"][0]["index"]}])
    note = sls["holds"][0]["sway"]["form_note"]
    with Store.open(tmp_path / "ff.db") as st:
        sid = st.add_session(sls, person="Ana", track_path=track, source={"name": "sls.mp4"})
        stored = st.session(sid).holds
        text = html_lib.unescape(write_html(tmp_path / "sls.html", session_report(st, sid)).read_text(encoding="utf-8"))
    t = hold_rows(stored, None)
    assert t["form_notes"] == [note] and t["rows"][0]["rms"]["value"].endswith("†")
    assert not any(r["rms"]["value"].endswith("†") for r in t["rows"][1:])
    assert text.count(f"† {note}") == 1
