"""The feedback engine's semantics on hand-made metric streams: debounce, cooldown, views, references."""

from __future__ import annotations

import math

import pytest

from footform.errors import InputError
from footform.feedback.engine import FeedbackEngine, _to_rule, load_rule_file

RULES = """
schema = "footform.rules/1"
exercise = "demo"

[[rule]]
code = "heel_in"
label = "heel alignment"
scope = "frame"
metric = "heel_in_{side}"
side = "each"
compare = ">"
threshold = 0.1
reference = "baseline"
during = ["up"]
debounce_s = 0.2
cooldown_s = 1.0
severity = "warn"
views = ["front", "back"]
message = "Keep your {side} heel in line with your toes."
description = "Heel drifts medially more than {threshold} FL beyond baseline."

[[rule]]
code = "low_rep"
label = "raise height"
scope = "rep"
metric = "peak_lift"
compare = "<"
threshold = 0.8
reference = "typical"
severity = "info"
message = "Lift a little higher."
description = "Peak below {threshold} x typical."
"""


def engine(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(RULES)
    _, raw = load_rule_file(path)
    return FeedbackEngine([_to_rule(r) for r in raw])


def stream(eng, values, view="front", phase="up", dt=0.1, side="left"):
    for i, v in enumerate(values):
        eng.step(i * dt, {f"heel_in_{side}": v, "heel_in_right" if side == "left" else "heel_in_left": 0.0},
                 view=view, phase=phase, baseline={f"heel_in_{side}": 0.05})


def test_debounce_start_time_and_evidence(tmp_path):
    eng = engine(tmp_path)
    # baseline 0.05 + threshold 0.1 → fires above 0.15, after 0.2 s of holding.
    values = [0.0] * 5 + [0.2, 0.25, 0.3, 0.22] + [0.0] * 5
    stream(eng, values)
    flags = eng.finish()
    assert len(flags) == 1
    f = flags[0]
    assert (f.code, f.side, f.severity) == ("heel_in", "left", "warn")
    assert f.t_start == pytest.approx(0.5) and f.t_end == pytest.approx(0.9)
    assert f.evidence["value"] == pytest.approx(0.3)
    assert f.evidence["baseline"] == pytest.approx(0.05) and f.evidence["threshold"] == 0.1
    assert "left heel" in f.message


def test_short_blips_do_not_fire_and_cooldown_merges_repeats(tmp_path):
    eng = engine(tmp_path)
    stream(eng, [0.0, 0.3, 0.0, 0.3, 0.0])  # 0.1 s blips < 0.2 s debounce
    assert eng.finish() == []
    eng = engine(tmp_path)
    # Two episodes 0.5 s apart: the second falls inside the 1 s cooldown and is not a new flag.
    stream(eng, [0.3] * 4 + [0.0] * 5 + [0.3] * 4 + [0.0] * 15 + [0.3] * 4)
    flags = eng.finish()
    assert [round(f.t_start, 1) for f in flags] == [0.0, 2.8]


def test_phase_and_nan_gate_the_condition(tmp_path):
    eng = engine(tmp_path)
    stream(eng, [0.3] * 10, phase="down")
    stream(eng, [math.nan] * 10)
    assert eng.finish() == []


def test_side_view_reports_not_measurable_once(tmp_path):
    eng = engine(tmp_path)
    stream(eng, [0.3] * 10, view="side-left")
    assert eng.finish() == []
    assert eng.not_measurable == {"heel_in": "heel alignment: not measurable from a side view"}


def test_rep_rule_against_typical(tmp_path):
    eng = engine(tmp_path)
    peaks = [0.30, 0.31, 0.29, 0.20, 0.30]
    for i, p in enumerate(peaks, start=1):
        eng.on_row("rep", {"index": i, "peak_lift": p, "t_start": i, "t_end": i + 0.8, "side": "both"}, view="side-left")
    flags = eng.finish()
    assert [(f.code, f.rep) for f in flags] == [("low_rep", 4)]
    assert flags[0].evidence["typical"] == pytest.approx(0.30)


@pytest.mark.parametrize(
    "edit, problem, line",
    [
        (("threshold = 0.1", "threshold = \"high\""), "'threshold' must be a number", 12),
        (("severity = \"warn\"", "severity = \"loud\""), "'severity' must be one of", 17),
        (("cooldown_s = 1.0", "cooldown_s = 1.0\ncolour = \"red\""), "unknown key 'colour'", 17),
        (("metric = \"heel_in_{side}\"", "metric = \"heel_in\""), "needs '{side}'", 9),
        (("compare = \">\"\nthreshold = 0.1", "compare = \">\"\nthreshold = = 0.1"), "Invalid", 12),
    ],
)
def test_invalid_rule_files_name_file_line_and_problem(tmp_path, edit, problem, line):
    path = tmp_path / "bad.toml"
    path.write_text(RULES.replace(*edit, 1))
    with pytest.raises(InputError) as info:
        load_rule_file(path)
    msg = str(info.value)
    assert str(path) in msg and problem in msg and f"line {line}" in msg, msg
    assert "\n" not in msg


def test_measured_limit_is_reported_and_the_rule_still_judges(tmp_path):
    """A rule's ``limits`` (issue #17): in a view with a measured detection limit the rule says what
    it cannot see there, once, and still flags a fault beyond the limit; other views say nothing."""
    text = RULES.replace('views = ["front", "back"]',
                         'views = ["front", "back"]\nlimits = { back = "below 0.3 FL from a back view (measured)" }')
    path = tmp_path / "limits.toml"
    path.write_text(text)
    _, raw = load_rule_file(path)
    eng = FeedbackEngine([_to_rule(r) for r in raw])
    stream(eng, [0.0] * 3 + [0.4] * 5 + [0.0] * 3, view="back")
    assert [f.code for f in eng.finish()] == ["heel_in"]
    assert eng.not_measurable == {"heel_in": "heel alignment: not measurable below 0.3 FL from a back view (measured)"}
    eng = FeedbackEngine([_to_rule(r) for r in raw])
    stream(eng, [0.0] * 5, view="front")
    assert eng.not_measurable == {}
    path.write_text(text.replace("back = ", "top = "))
    with pytest.raises(InputError, match="'limits' must map view families"):
        load_rule_file(path)
