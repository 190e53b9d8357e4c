"""Scoring of footform's summaries against rendered truth (tools.render.evaluate).

Most tests score hand-made summaries against small synthetic truth files, so the arithmetic is
checked exactly; one test runs the whole chain (pose → analysis → scoring) on a committed sample.
No torch / anny / pyrender needed.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tools.render import evaluate as ev

FPS = 30.0


def _minjerk(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x ** 3 * (10 - 15 * x + 6 * x ** 2)


def calf_truth(n_reps: int = 3, height_cm: float = 8.0, faults: list[dict] | None = None,
               view: str = "back") -> dict:
    """A double-leg calf-raise truth: rise 1 s, top 0.5 s, lower 1.5 s, rest 1 s, from t = 1 s."""
    reps = []
    t0 = 1.0
    for k in range(n_reps):
        s = t0 + k * 4.0
        reps.append({"number": k + 1, "side": "both", "start_s": s, "top_s": s + 1.0, "top_end_s": s + 1.5,
                     "end_s": s + 3.0, "up_s": 1.0, "down_s": 1.5, "commanded_height_cm": height_cm,
                     "left_peak_height_cm": height_cm, "right_peak_height_cm": height_cm})
    n = int((t0 + n_reps * 4.0 + 1.0) * FPS)
    t = np.arange(n) / FPS
    h = np.zeros(n)
    for r in reps:
        up = (t >= r["start_s"]) & (t < r["top_s"])
        h[up] = height_cm * _minjerk((t[up] - r["start_s"]) / 1.0)
        top = (t >= r["top_s"]) & (t < r["top_end_s"])
        h[top] = height_cm
        down = (t >= r["top_end_s"]) & (t < r["end_s"])
        h[down] = height_cm * (1 - _minjerk((t[down] - r["top_end_s"]) / 1.5))
    feet = {s: {"heel_height_cm": h.tolist()} for s in ("left", "right")}
    return {"schema": "footform.render-truth/1", "exercise": "calf_raise", "view": view,
            "body": {"stature_m": 1.70}, "camera": {"R_world_from_camera": np.eye(3).tolist()},
            "fps": FPS, "reps": reps, "holds": [], "faults": faults or [],
            "frames": {"t_s": t.tolist(), "feet": feet}}


def rep(index: int, t_start: float, t_top: float, t_end: float, lift_cm: float = 5.0, side: str = "both") -> dict:
    return {"index": index, "side": side, "t_start": t_start, "t_top": t_top, "t_end": t_end,
            "peak_lift": lift_cm / 25.0, "peak_lift_cm": lift_cm}


def perfect_reps(truth: dict, lift_cm: float = 5.0) -> list[dict]:
    out = []
    for r in truth["reps"]:
        tt = ev.truth_rep_times(truth, r)
        out.append(rep(r["number"], tt["t_start"], tt["t_top"], tt["t_end"], lift_cm))
    return out


def flag(code: str, side: str | None, t0: float, t1: float) -> dict:
    return {"code": code, "side": side, "t_start": t0, "t_end": t1, "severity": "warn"}


def summary(reps=(), holds=(), flags=(), not_measurable=(), exercise="calf_raise") -> dict:
    return {"exercise": exercise, "view": "back", "analysable": True, "reps": list(reps), "holds": list(holds),
            "flags": list(flags), "not_measurable": list(not_measurable)}


LABELS = {"heel_sickling": "heel alignment", "heel_everting": "heel alignment", "fast_lowering": "controlled lowering"}


def test_truth_rep_times_follow_footforms_definitions():
    truth = calf_truth(1)
    tt = ev.truth_rep_times(truth, truth["reps"][0])
    # ≥ 80 % of the peak: from the rise's 80 % crossing to the lowering's 80 % crossing; top = middle.
    assert 1.5 < tt["t_top"] < 2.5
    # Minimum-jerk profile: 20 % of the height at 32.7 % of the rise, back to 20 % at 67.3 % of the lowering.
    assert tt["t_start"] == pytest.approx(1.0 + 0.327, abs=1 / FPS)
    assert tt["t_end"] == pytest.approx(2.5 + 1.5 * 0.673, abs=1 / FPS)


def test_right_reps_give_zero_count_error_and_full_recall():
    truth = calf_truth(3)
    s = ev.score_clip(truth, summary(perfect_reps(truth)), labels=LABELS)
    r = s["reps"]
    assert (r["true"], r["found"], r["count_error"], r["tp"], r["fp"], r["fn"]) == (3, 3, 0, 3, 0, 0)
    assert all(abs(m["top_err_s"]) < 1e-9 for m in r["matched"])
    assert all(m["ratio"] == pytest.approx(5.0 / 8.0) for m in r["matched"])
    agg = ev.aggregate([s])["exercises"]["calf_raise"]["all"]
    assert agg["count_mae"] == 0 and agg["exact"] == 1 and agg["obo"] == 1 and agg["recall"] == 1
    assert agg["ratio_median"] == pytest.approx(0.625)


def test_one_missing_rep_gives_mae_one_and_recall_below_one():
    truth = calf_truth(3)
    found = perfect_reps(truth)
    del found[1]
    s = ev.score_clip(truth, summary(found), labels=LABELS)
    assert s["reps"]["count_error"] == -1
    assert [m["truth"] for m in s["reps"]["matched"]] == [1, 3]
    agg = ev.aggregate([s])["exercises"]["calf_raise"]["all"]
    assert agg["count_mae"] == 1 and agg["exact"] == 0 and agg["obo"] == 1
    assert agg["recall"] == pytest.approx(2 / 3) and agg["precision"] == 1


def test_rep_outside_any_true_rep_is_a_false_positive_and_two_off_is_not_obo():
    truth = calf_truth(2)
    found = perfect_reps(truth) + [rep(3, 10.0, 10.5, 11.0), rep(4, 11.2, 11.5, 11.9)]
    s = ev.score_clip(truth, summary(found), labels=LABELS)
    assert (s["reps"]["count_error"], s["reps"]["tp"], s["reps"]["fp"]) == (2, 2, 2)
    agg = ev.aggregate([s])["exercises"]["calf_raise"]["all"]
    assert agg["obo"] == 0 and agg["precision"] == 0.5


def test_a_partial_rep_is_not_a_rep_to_count_and_counting_it_is_a_false_positive():
    truth = calf_truth(3)
    truth["reps"][1]["partial"] = True  # the scenario raised rep 2 only part of the way
    left_out = [f for f in perfect_reps(truth) if f["index"] != 2]
    s = ev.score_clip(truth, summary(left_out), labels=LABELS)["reps"]
    assert (s["true"], s["found"], s["count_error"], s["tp"], s["fp"], s["fn"]) == (2, 2, 0, 2, 0, 0)
    assert (s["partial_true"], s["partial_counted"]) == (1, 0)
    s = ev.score_clip(truth, summary(perfect_reps(truth)), labels=LABELS)["reps"]
    assert (s["true"], s["found"], s["count_error"], s["tp"], s["fp"], s["fn"]) == (2, 3, 1, 2, 1, 0)
    assert s["partial_counted"] == 1 and [m["truth"] for m in s["matched"]] == [1, 3]


def test_timing_error_is_reported_in_ms():
    truth = calf_truth(2)
    found = perfect_reps(truth)
    found[0]["t_top"] += 0.1
    found[1]["t_top"] -= 0.3
    s = ev.score_clip(truth, summary(found), labels=LABELS)
    assert [m["top_err_s"] for m in s["reps"]["matched"]] == pytest.approx([0.1, -0.3])
    assert ev.aggregate([s])["exercises"]["calf_raise"]["all"]["top_err_ms_median"] == pytest.approx(200.0)


def test_flags_true_positive_false_positive_wrong_side_and_missed():
    faults = [{"kind": "heel_inversion", "side": "left", "start_s": 5.0, "end_s": 8.0, "reps": [2]},
              {"kind": "fast_lowering", "side": "both", "start_s": 9.0, "end_s": 12.0, "reps": [3]}]
    truth = calf_truth(3, faults=faults)
    flags = [flag("heel_sickling", "left", 5.1, 7.9),      # on the fault: TP
             flag("heel_sickling", "right", 5.1, 7.9),     # wrong side: FP
             flag("heel_sickling", "left", 1.2, 3.9),      # rep 1, no fault there: FP
             flag("heel_everting", "left", 9.1, 11.9)]     # no eversion anywhere: FP
    s = ev.score_clip(truth, summary(perfect_reps(truth), flags=flags), labels=LABELS)
    assert [g["correct"] for g in s["flags"]] == [True, False, False, False]
    assert [(f["code"], f["detected"]) for f in s["faults"]] == [("heel_sickling", True), ("fast_lowering", False)]
    assert s["faults"][0]["onset_err_s"] == pytest.approx(0.1)
    rules = ev.aggregate([s])["rules"]
    assert (rules["heel_sickling"]["tp"], rules["heel_sickling"]["fp"], rules["heel_sickling"]["fn"]) == (1, 2, 0)
    assert rules["heel_sickling"]["precision"] == pytest.approx(1 / 3) and rules["heel_sickling"]["recall"] == 1
    assert (rules["heel_everting"]["fp"], rules["heel_everting"]["precision"], rules["heel_everting"]["recall"]) == (1, 0, None)
    assert (rules["fast_lowering"]["fn"], rules["fast_lowering"]["recall"]) == (1, 0)


def test_a_flag_on_a_clean_clip_counts_against_precision():
    clean = ev.score_clip(calf_truth(2), summary(flags=[flag("fast_lowering", "both", 1.0, 4.0)]), labels=LABELS)
    faulty_truth = calf_truth(2, faults=[{"kind": "fast_lowering", "side": "both", "start_s": 5.0, "end_s": 8.0}])
    faulty = ev.score_clip(faulty_truth, summary(flags=[flag("fast_lowering", "both", 5.0, 7.5)]), labels=LABELS)
    r = ev.aggregate([clean, faulty])["rules"]["fast_lowering"]
    assert (r["flags"], r["tp"], r["fp"], r["fn"], r["precision"], r["recall"]) == (2, 1, 1, 0, 0.5, 1.0)


def test_warnings_on_clips_without_faults_are_counted_per_minute():
    """#17's "at most one false warning per minute of exercise": every warn / stop flag on a clip
    rendered without any fault counts (info flags do not), against the clean clips' minutes."""
    t1 = calf_truth(2)                                    # 10 s
    t1["duration_s"] = 10.0
    t2 = calf_truth(2)
    t2["duration_s"] = 20.0
    info = {**flag("wrong_view_calf", None, 0.0, 9.0), "severity": "info"}
    a = ev.score_clip(t1, summary(flags=[flag("knees_bending", "left", 1.0, 4.0), info]), name="a", labels=LABELS)
    b = ev.score_clip(t2, summary(flags=[flag("fast_lowering", "both", 1.0, 4.0)]), name="b", labels=LABELS)
    faulty_truth = calf_truth(2, faults=[{"kind": "fast_lowering", "side": "both", "start_s": 5.0, "end_s": 8.0}])
    faulty_truth["duration_s"] = 10.0
    c = ev.score_clip(faulty_truth, summary(flags=[flag("fast_lowering", "both", 5.0, 7.5)]), name="c", labels=LABELS)
    cw = ev.aggregate([a, b, c])["clean_warnings"]
    assert (cw["clips"], cw["warnings"], cw["by_code"]) == (2, 2, {"fast_lowering": 1, "knees_bending": 1})
    assert cw["minutes"] == pytest.approx(0.5) and cw["per_minute"] == pytest.approx(4.0)
    assert cw["clips_with_warnings"] == ["a", "b"]
    assert "warnings on them: 2 (4.00 per min)" in ev.format_table(ev.aggregate([a, b, c]))


def test_fault_the_view_cannot_judge_is_counted_separately():
    truth = calf_truth(2, faults=[{"kind": "heel_eversion", "side": "right", "start_s": 1.0, "end_s": 4.0}])
    s = ev.score_clip(truth, summary(not_measurable=["heel alignment: not measurable from a side view"]), labels=LABELS)
    assert s["faults"][0]["measurable"] is False and s["faults"][0]["detected"] is False
    r = ev.aggregate([s])["rules"]["heel_everting"]
    assert r["recall"] == 0 and r["recall_measurable"] is None and r["measurable"] == 0
    # A fault with no rule for the exercise (trunk lean during calf raises) is not judgeable either.
    t2 = calf_truth(1, faults=[{"kind": "trunk_lean", "side": "left", "start_s": 1.0, "end_s": 4.0}])
    assert ev.score_clip(t2, summary(), labels=LABELS)["faults"][0]["why_not"] == "no such rule for this exercise"


def stance_truth(view_right_axis=(1.0, 0.0, 0.0), touch_downs=()) -> dict:
    n = int(12 * FPS)
    t = np.arange(n) / FPS
    ml = 1.5 * np.sin(2 * np.pi * 0.35 * t)
    ap = 0.8 * np.cos(2 * np.pi * 0.27 * t)
    r = np.zeros((3, 3))
    r[:, 0] = view_right_axis
    return {"schema": "footform.render-truth/1", "exercise": "single_leg_stance", "view": "front",
            "body": {"stature_m": 1.65}, "camera": {"R_world_from_camera": r.tolist()}, "fps": FPS, "reps": [],
            "holds": [{"kind": "single_leg_stance", "side": "left", "start_s": 2.0, "end_s": 10.0, "duration_s": 8.0,
                       "lift_off_s": 1.6, "touch_down_s": 10.3, "touch_downs": list(touch_downs)}],
            "faults": [{"kind": "arch_collapse", "side": "left", "start_s": 4.0, "end_s": 8.0}],
            "frames": {"t_s": t.tolist(), "sway_cm": np.stack([ml, ap], 1).tolist()}}


def hold(t0: float, t1: float, side: str = "left", sway_cm: float | None = 1.0, noise_cm: float = 0.2) -> dict:
    return {"index": 1, "stance_side": side, "t_start": t0, "t_end": t1, "duration_s": t1 - t0, "touchdowns": 0,
            "sway": {"axes": {"ml": "image horizontal", "ap": "depth"}, "rms_ml_cm": sway_cm},
            "noise_floor": {"rms_ml_cm": noise_cm}}


def test_true_sway_is_projected_on_the_cameras_horizontal_axis():
    truth = stance_truth()
    ml = np.asarray(truth["frames"]["sway_cm"])[:, 0]
    t = np.asarray(truth["frames"]["t_s"])
    m = (t >= 2.0) & (t < 10.0)
    assert ev.truth_sway_h_cm(truth, 2.0, 10.0) == pytest.approx(float(np.std(ml[m])))
    side = stance_truth(view_right_axis=(0.0, 1.0, 0.0))  # camera on the subject's left: image x = AP
    ap = np.asarray(side["frames"]["sway_cm"])[:, 1]
    assert ev.truth_sway_h_cm(side, 2.0, 10.0) == pytest.approx(float(np.std(ap[m])))


def test_holds_timing_duration_and_sway_ratio():
    truth = stance_truth()
    true_rms = ev.truth_sway_h_cm(truth, 2.0, 10.0)
    s = ev.score_clip(truth, summary(holds=[hold(1.8, 10.0, sway_cm=2 * true_rms)], exercise="single_leg_stance",
                                     flags=[flag("arch_collapse", None, 1.8, 10.0)]),
                      labels={"arch_collapse": "arch collapse (proxy)"})
    h = s["holds"]
    assert (h["true"], h["found"], h["count_error"], h["tp"]) == (1, 1, 0, 1)
    m = h["matched"][0]
    assert m["start_err_s"] == pytest.approx(0.2) and m["end_err_s"] == pytest.approx(-0.3)
    assert m["duration_err_s"] == pytest.approx(-0.5) and m["side_ok"]
    assert m["sway_ratio"] == pytest.approx(2.0, rel=1e-3)
    assert s["faults"][0]["detected"] and s["flags"][0]["correct"]
    agg = ev.aggregate([s])
    assert agg["exercises"]["single_leg_stance"]["all"]["duration_err_s_bias"] == pytest.approx(-0.5)
    assert agg["rules"]["arch_collapse"]["precision"] == 1 and agg["rules"]["arch_collapse"]["recall"] == 1


def test_a_split_hold_counts_one_extra_and_no_hold_misses_the_fault():
    truth = stance_truth()
    s = ev.score_clip(truth, summary(holds=[hold(1.8, 5.0), {**hold(5.5, 10.0), "index": 2}],
                                     exercise="single_leg_stance"), labels={"arch_collapse": "arch collapse (proxy)"})
    assert (s["holds"]["count_error"], s["holds"]["tp"], s["holds"]["fp"]) == (1, 1, 1)
    assert s["faults"][0]["detected"] is False
    none = ev.score_clip(truth, summary(exercise="single_leg_stance"), labels={"arch_collapse": "x"})
    assert (none["holds"]["count_error"], none["holds"]["fn"]) == (-1, 1)


def test_unanalysed_exercises_and_failures_are_rows_not_crashes():
    stretch = {"schema": "footform.render-truth/1", "exercise": "calf_stretch", "view": "side-left",
               "body": {"stature_m": 1.7}, "reps": [], "holds": [], "faults": []}
    failed = ev.score_clip(calf_truth(2), None, name="broken", error="the video is damaged.")
    ok = ev.score_clip(calf_truth(2), summary(perfect_reps(calf_truth(2))), name="fine", labels=LABELS)
    # An exercise this footform does not analyse (calf stretch before its analysis existed).
    rows = [ev.score_clip(stretch, None, name="s", analysed=("calf_raise", "single_leg_stance")), failed, ok]
    assert rows[0]["status"] == "not analysed yet"
    agg = ev.aggregate(rows)
    assert agg["clips"] == 3 and agg["scored"] == 1 and agg["not_analysed"] == {"calf_stretch": 1}
    table = ev.format_table(agg)
    assert "| calf stretch | 1 |" in table and "not analysed yet" in table
    assert "calf raise — back" in table and "rule `heel_sickling`" in table and "broken" in table
    assert all(line.count("|") == len(ev.COLUMNS) + 1 for line in table.splitlines() if line.startswith("|"))
    json.dumps(agg)  # the report is JSON-ready


def test_find_clips_takes_folders_videos_and_truth_files(tmp_path):
    for n in ("a", "b"):
        (tmp_path / f"{n}.truth.json").write_text("{}")
        (tmp_path / f"{n}.mp4").write_bytes(b"")
    assert [c.name for c in ev.find_clips([tmp_path])] == ["a", "b"]
    assert [c.name for c in ev.find_clips([tmp_path / "a.mp4", tmp_path / "a.truth.json"])] == ["a"]
    with pytest.raises(FileNotFoundError):
        ev.find_clips([tmp_path / "c.mp4"])


@pytest.mark.model
@pytest.mark.slow
def test_end_to_end_on_the_side_calf_raise_sample(samples_dir, tmp_path):
    """Pose + analysis + scoring on a committed rendered sample (~10 s of video, ~15 s here)."""
    clips = ev.find_clips([samples_dir / "calf_raise_side.mp4"])
    report = ev.evaluate(clips, tmp_path / "work", log=None)
    c = report["clips"][0]
    assert c["status"] == "ok" and c["reps"]["true"] == 4
    # The side view is the calf raise's best view: counts and heights are sane.
    assert abs(c["reps"]["count_error"]) <= 1 and c["reps"]["tp"] >= 3
    ratios = [m["ratio"] for m in c["reps"]["matched"]]
    assert all(0.3 < r < 1.5 for r in ratios)
    assert all(abs(m["top_err_s"]) < 0.3 for m in c["reps"]["matched"])
    assert "calf raise — side-left" in report["table"]
    assert c["auto_exercise"] == "calf_raise" and c["auto_confident"] is True
    assert "--exercise auto chose the clip's exercise on 1 of 1 clips" in report["table"]
    # The second run reuses the cached landmark track (no pose model).
    again = ev.evaluate(clips, tmp_path / "work", log=None)
    assert again["clips"][0]["reps"] == c["reps"]
    assert math.isfinite(report["aggregate"]["exercises"]["calf_raise"]["all"]["count_mae"])


def test_a_clip_footform_cannot_analyse_scores_as_nothing_found():
    truth = calf_truth(3)
    s = ev.score_clip(truth, {**summary(), "analysable": False, "reason": "The feet are not visible."}, name="x",
                      labels=LABELS)
    assert s["scored"] and s["status"].startswith("not analysable")
    agg = ev.aggregate([s])
    assert agg["exercises"]["calf_raise"]["all"]["count_mae"] == 3 and agg["exercises"]["calf_raise"]["all"]["recall"] == 0
    assert agg["not_analysable"] == [{"name": "x", "status": s["status"]}]


def test_rep_bound_fault_window_is_the_whole_rep():
    # The truth gives only the fast lowering itself (end of rep 2); footform flags the whole rep.
    truth = calf_truth(3, faults=[{"kind": "fast_lowering", "side": "both", "start_s": 7.6, "end_s": 8.0, "reps": [2]}])
    s = ev.score_clip(truth, summary(flags=[flag("fast_lowering", "both", 5.3, 7.5)]), labels=LABELS)
    assert s["faults"][0]["detected"] and s["flags"][0]["correct"]
    assert (s["faults"][0]["start_s"], s["faults"][0]["end_s"]) == (5.0, 8.0)
    assert s["faults"][0]["onset_err_s"] == pytest.approx(0.3)


def test_ankle_pumps_count_per_foot_and_range_ratio():
    reps = [{"number": k + 1, "side": "both", "start_s": 1.0 + 2 * k, "top_s": 1.4 + 2 * k, "top_end_s": 1.4 + 2 * k,
             "end_s": 2.6 + 2 * k, "left_peak_plantar_deg": 30.0, "left_peak_dorsi_deg": 15.0,
             "right_peak_plantar_deg": 30.0, "right_peak_dorsi_deg": 15.0} for k in range(3)]
    truth = {"exercise": "ankle_pumps", "view": "side-left", "body": {"stature_m": 1.7}, "reps": reps, "holds": [],
             "faults": []}
    found = [{"index": i + 1, "side": side, "t_start": r["start_s"] + 0.1, "t_plantar": r["top_s"] + 0.05,
              "t_end": r["end_s"] - 0.1, "rom_deg": 36.0} for i, (r, side) in enumerate(
                  [(reps[0], "left"), (reps[0], "right"), (reps[1], "left"), (reps[2], "left")])]
    s = ev.score_clip(truth, {"analysable": True, "reps": found, "flags": []}, labels={},
                      analysed=("ankle_pumps",))
    r = s["reps"]
    assert (r["true"], r["found"], r["count_error"], r["tp"], r["fn"]) == (6, 4, -2, 4, 2)
    assert all(m["ratio"] == pytest.approx(0.8) and m["top_err_s"] == pytest.approx(0.05) for m in r["matched"])
    table = ev.format_table(ev.aggregate([s]))
    assert "ankle pumps — side-left" in table and "ROM 0.80" in table


def test_calf_stretch_holds_use_the_full_stretch_window_and_back_leg():
    truth = {"exercise": "calf_stretch", "view": "side-right", "body": {"stature_m": 1.7}, "reps": [], "faults": [],
             "holds": [{"kind": "calf_stretch", "side": "right", "start_s": 2.4, "end_s": 8.4, "duration_s": 6.0}]}
    found = [{"index": 1, "side": "right", "t_start": 2.0, "t_end": 8.6, "duration_s": 6.6}]
    s = ev.score_clip(truth, {"analysable": True, "holds": found, "flags": []}, labels={}, analysed=("calf_stretch",))
    m = s["holds"]["matched"][0]
    assert s["holds"]["count_error"] == 0 and m["side_ok"] and m["sway_ratio"] is None
    assert (m["start_err_s"], m["end_err_s"], m["duration_err_s"]) == pytest.approx((-0.4, 0.2, 0.6))
    assert "calf stretch — side-right" in ev.format_table(ev.aggregate([s]))


def test_auto_choice_is_scored_for_every_exercise_with_its_confidence():
    """Every analysed exercise gets an auto-detect share; sure-and-wrong choices are named."""
    rows = [{"name": name, "exercise": ex, "view": "side-left", "status": "ok", "scored": False,
             "auto_exercise": chosen, "auto_confident": sure}
            for name, ex, chosen, sure in (("a", "calf_raise", "calf_raise", True),
                                           ("b", "calf_stretch", "single_leg_stance", True),
                                           ("c", "ankle_pumps", "ankle_pumps", False),
                                           ("d", "single_leg_stance", "single_leg_stance", True))]
    auto = ev.aggregate_auto(rows)
    assert auto["clips"] == 4 and auto["right"] == 3 and auto["share"] == 0.75
    assert auto["confident_right"] == 2 and auto["unsure"] == 1
    assert auto["confident_wrong"] == [{"name": "b", "exercise": "calf_stretch", "chosen": "single_leg_stance"}]
    assert auto["by_exercise"] == {"calf_raise": 1.0, "single_leg_stance": 1.0, "calf_stretch": 0.0, "ankle_pumps": 1.0}
    table = ev.format_table(ev.aggregate(rows))
    assert "chose the clip's exercise on 3 of 4 clips (75 %" in table
    assert "sure and wrong on 1: b (single_leg_stance)" in table


def test_a_hold_rules_fault_in_a_hold_the_view_could_not_measure_is_not_a_miss():
    """From the side the far foot may stay hidden: the summary then says the single-leg holds were
    not measurable and finds none, so no hold rule could judge the fault — it is counted as "not
    measurable" beside FN (and shown in the table), not as a miss, and not dropped."""
    from footform.exercises.single_leg_stance import NOT_MEASURABLE_FAR_FOOT

    labels = {"arch_collapse": "arch collapse (proxy)"}
    said = [NOT_MEASURABLE_FAR_FOOT.format(pct=100.0)]
    s = ev.score_clip(stance_truth(), summary(exercise="single_leg_stance", not_measurable=said), labels=labels)
    f = s["faults"][0]
    assert (f["measurable"], f["detected"], f["why_not"]) == (False, False, ev.HOLD_NOT_MEASURABLE)
    r = ev.aggregate([s])["rules"]["arch_collapse"]
    assert (r["faults"], r["tp"], r["fn"], r["not_measurable"], r["recall"]) == (1, 0, 0, 1, 0)
    row = next(line for line in ev.format_table(ev.aggregate([s])).splitlines() if "rule `arch_collapse`" in line)
    assert "0 / 0 / 0 (+1 not measurable)" in row and ev.HOLD_NOT_MEASURABLE in row
    # a hold was found where the fault is: the rule could judge it, and missed it
    found = ev.score_clip(stance_truth(), summary(holds=[hold(1.8, 10.0)], exercise="single_leg_stance",
                                                  not_measurable=said), labels=labels)
    assert found["faults"][0]["measurable"] is True
    assert ev.aggregate([found])["rules"]["arch_collapse"]["fn"] == 1
    # without the sentence, no hold is a miss (footform said nothing)
    silent = ev.score_clip(stance_truth(), summary(exercise="single_leg_stance"), labels=labels)
    assert silent["faults"][0]["measurable"] is True


def test_sway_is_scored_apart_for_holds_with_a_knee_valgus_or_trunk_lean():
    """A rendered knee valgus / trunk lean moves the body's mass and the pose model's hips follow it,
    so those holds read high (docs/metrics.md): the evaluator counts sway within ±20 % for holds
    without and with such a fault apart (an arch collapse does not count as one)."""
    def truth_with(faults):
        tr = stance_truth()
        tr["faults"] = faults
        ml = np.asarray(tr["frames"]["sway_cm"])[:, 0] / 100.0
        tr["frames"]["com_m"] = np.stack([ml, np.zeros_like(ml), np.full_like(ml, 1.0)], 1).tolist()
        return tr
    clean = truth_with([{"kind": "arch_collapse", "side": "left", "start_s": 4.0, "end_s": 8.0}])
    valgus = truth_with([{"kind": "knee_valgus", "side": "left", "start_s": 5.0, "end_s": 10.0, "magnitude": 10.0}])
    lean_after = truth_with([{"kind": "trunk_lean", "side": "left", "start_s": 10.5, "end_s": 11.5}])
    true_rms = ev.truth_sway_h_cm(clean, 2.0, 10.0, fixed_base=True)
    scored = [ev.score_clip(tr, summary(holds=[hold(1.8, 10.0, sway_cm=k * true_rms)], exercise="single_leg_stance"),
                            labels={"arch_collapse": "x", "knee_valgus": "x", "trunk_lean": "x"})
              for tr, k in ((clean, 1.05), (valgus, 1.4), (lean_after, 0.95))]
    assert [s["holds"]["matched"][0]["form_faults"] for s in scored] == [[], ["knee_valgus"], []]
    assert scored[1]["holds"]["matched"][0]["sway_ratio_fixed_base"] == pytest.approx(1.4, rel=1e-3)
    a = ev.aggregate(scored)["exercises"]["single_leg_stance"]["all"]
    assert (a["sway_within_20pct"], a["sway_ratios"]) == (2, 3)
    assert (a["sway_within_20pct_clean"], a["sway_ratios_clean"]) == (2, 2)
    assert (a["sway_within_20pct_form_fault"], a["sway_ratios_form_fault"]) == (0, 1)
    assert a["sway_ratio_median_form_fault"] == pytest.approx(1.4, rel=1e-3)
    assert "without a knee valgus / trunk lean 2/2, median 1.00, with one 0/1, median 1.40" in ev.format_table(ev.aggregate(scored))
