import csv
import json

from synth import empty, generate, lift, rep, still

from footform.analysis.analyzer import AnalysisConfig, analyze_frames
from footform.analysis.summary import format_table, write_summary


def test_write_summary_json_and_csvs(tmp_path):
    frames, _ = generate([still(1.5)] + [rep(0.06), still(0.6)] * 3 + [lift("right", 4.0)], view="front", seed=31)
    s = analyze_frames(frames, AnalysisConfig(height_cm=165))
    path = write_summary(s, tmp_path)
    d = json.loads(path.read_text())
    assert d["schema"] == "footform.summary/1" and d["analysable"] is True
    assert {"frames", "frames_with_person", "frames_feet_visible"} <= set(d["quality"])
    reps = list(csv.DictReader((tmp_path / "reps.csv").open()))
    assert len(reps) == len(d["reps"]) == 3 and "peak_lift_cm" in reps[0] and "t_top_s" in reps[0]
    assert (tmp_path / "holds.csv").is_file() and (tmp_path / "events.csv").is_file()
    assert "rep" in format_table(s)


def test_no_person_is_not_analysable():
    s = analyze_frames(empty(90), AnalysisConfig())
    assert not s.analysable and s.reason == "No person was found in the footage."
    assert "NOT ANALYSABLE" in format_table(s)
