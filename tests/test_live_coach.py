"""The live coach (apps/live/coach.py, plan.py): sets, rests, holds, marks, the metronome, and the
analysis → coach step of the session loop (apps/live/session.advance) — no camera, no window."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import fr, kinds

from footform.analysis.analyzer import FrameResult
from footform.apps.live.coach import Coach
from footform.apps.live.plan import Metronome, Plan
from footform.apps.live.screen import screen_for
from footform.errors import InputError


def test_coach_waits_for_feet_and_baseline_then_counts_sets_and_rests() -> None:
    coach = Coach(Plan("calf_raise", sets=2, reps=2, rest_s=5.0))
    assert coach.update(fr(0.0, feet=False, phase="calibrating")) == []
    assert screen_for(coach, 0.0).banner == "Step back until your feet are in view"
    assert coach.update(fr(0.5, phase="calibrating")) == []
    assert screen_for(coach, 0.5).banner == "Stand still on both feet"
    assert "go" in kinds(coach.update(fr(1.0)))
    assert coach.state == "active" and coach.set_index == 1
    ev = coach.update(fr(2.0, reps=1))
    assert kinds(ev) == ["rep"] and ev[0].text == "one"
    assert screen_for(coach, 2.0).big == "1"
    ev = coach.update(fr(3.0, reps=2))
    assert kinds(ev) == ["rep", "set_done"]
    assert coach.state == "rest"
    scr = screen_for(coach, 3.0)
    assert scr.centre_title == "REST" and scr.centre_big == "0:05"
    coach.update(fr(5.0, reps=2))
    assert screen_for(coach, 5.0).centre_big == "0:03"
    # the person starts again during the rest: the rep counts for set 2
    ev = coach.update(fr(6.0, reps=3))
    assert kinds(ev) == ["set_start", "rep"] and coach.set_index == 2
    assert screen_for(coach, 6.0).big == "1"
    ev = coach.update(fr(7.0, reps=4))
    assert kinds(ev) == ["rep", "all_done"] and coach.state == "done"
    assert [s["n_reps"] for s in coach.sets_summary()] == [2, 2]


def test_coach_rest_ends_by_timer_and_n_key_ends_a_set_early() -> None:
    coach = Coach(Plan("calf_raise", sets=3, reps=10, rest_s=2.0))
    coach.update(fr(0.0))
    coach.update(fr(1.0, reps=1))
    assert kinds(coach.key("n", 1.5)) == ["set_done"]
    assert coach.sets[0].n_reps == 1 and coach.sets[0].ended_by == "key"
    coach.update(fr(2.0, reps=1))
    ev = coach.update(fr(3.6, reps=1))
    assert kinds(ev) == ["set_start"] and coach.set_index == 2
    assert screen_for(coach, 3.6).big == "0"
    assert kinds(coach.key("n", 4.0)) == ["set_done"]
    assert kinds(coach.key("n", 4.5)) == ["set_start"] and coach.set_index == 3


def test_coach_pause_freezes_counting() -> None:
    coach = Coach(Plan("calf_raise", sets=1, reps=5))
    coach.update(fr(0.0))
    coach.key(" ", 0.5)
    assert coach.paused and screen_for(coach, 0.6).centre_title == "PAUSED"
    assert coach.update(fr(1.0, reps=1)) == []
    coach.key(" ", 1.5)
    assert not coach.paused


def test_pain_mark_with_rating_and_cramp_mark() -> None:
    coach = Coach(Plan("calf_raise", sets=1, reps=5))
    coach.update(fr(0.0))
    coach.update(fr(1.0, reps=1))
    assert coach.key("p", 2.0) == []
    assert "PAIN 0-10" in screen_for(coach, 2.1).prompt
    assert coach.key("1", 2.5) == []          # could become 10
    ev = coach.key("0", 2.8)
    assert kinds(ev) == ["mark"] and ev[0].data["rating"] == 10 and ev[0].data["t_s"] == 2.0
    assert screen_for(coach, 3.0).toast == "PAIN 10 NOTED"
    coach.key("p", 4.0)
    ev = coach.key("6", 4.5)                 # 6 cannot grow: done at once
    assert ev[0].data["rating"] == 6
    coach.key("p", 5.0)
    assert coach.tick(7.0) == []
    ev = coach.tick(8.1)                     # no digit within 3 s: pain without a rating
    assert ev[0].data == {"t_s": 5.0, "kind": "pain", "rating": None, "set": 1, "rep": 1}
    coach.key("p", 9.0)
    coach.key("1", 9.2)
    ev = coach.tick(10.3)                    # "1" then nothing for a second: rating 1
    assert ev[0].data["rating"] == 1
    ev = coach.key("c", 11.0)
    assert ev[0].data["kind"] == "cramp" and ev[0].data["rating"] is None
    assert [m["kind"] for m in coach.marks] == ["pain", "pain", "pain", "pain", "cramp"]


def test_single_leg_stance_holds_per_leg_best_of_attempts_and_set_end() -> None:
    coach = Coach(Plan("single_leg_stance", sets=2, hold_s=10.0, rest_s=30.0))
    coach.update(fr(0.0))
    assert screen_for(coach, 0.0).label == "LIFT ONE FOOT"
    ev = coach.update(fr(3.0, hold_s=2.0, stance="left", holds=1))
    assert kinds(ev) == ["hold_start"] and ev[0].data["side"] == "left"
    scr = screen_for(coach, 3.0)
    assert scr.label == "HOLD - LEFT LEG" and scr.big == "2" and scr.progress == pytest.approx(0.2)
    coach.update(fr(7.0, hold_s=6.0, stance="left", holds=1))
    # touch-down confirmed: the analysis' exact duration (5.5 s) replaces the running timer
    ev = coach.update(fr(8.0, stance="both", holds=1),
                      closed=[{"duration_s": 5.5, "t_start": 1.0, "t_end": 6.5, "stance_side": "left"}])
    assert kinds(ev) == ["hold_end"] and ev[0].data["duration_s"] == 5.5
    coach.update(fr(10.0, hold_s=2.0, stance="left", holds=2))
    ev = coach.update(fr(20.0, hold_s=12.0, stance="left", holds=2))
    assert kinds(ev) == ["hold_target"]
    coach.update(fr(21.0, stance="both", holds=2), closed=[{"duration_s": 12.5, "t_start": 8.0, "t_end": 20.5}])
    assert coach.sets[0].best == {"left": 12.5}
    assert screen_for(coach, 21.0).sub2 == "BEST  L 12 s   R -"
    assert screen_for(coach, 21.0).toast == "NOW STAND ON YOUR RIGHT LEG"
    coach.update(fr(25.0, hold_s=2.0, stance="right", holds=3))
    ev = coach.update(fr(40.0, stance="both", holds=3), closed=[{"duration_s": 15.0, "t_start": 23.0, "t_end": 38.0}])
    assert kinds(ev) == ["hold_end", "set_done"]
    s = coach.sets_summary()[0]
    assert s["n_holds"] == 3 and s["best_s"] == {"left": 12.5, "right": 15.0}


def test_calf_stretch_timer_pauses_with_the_reason_and_best_is_time_in_good_form() -> None:
    coach = Coach(Plan("calf_stretch", sets=2, hold_s=10.0, rest_s=30.0))
    assert coach.update(fr(0.0, feet=False, phase="idle")) == []
    assert screen_for(coach, 0.0).banner == "Step back until your feet are in view"
    ev = coach.update(fr(0.5, phase="idle"))
    assert kinds(ev) == ["set_start", "go"] and "stretch" in ev[1].text
    assert screen_for(coach, 0.5).label == "STEP INTO THE STRETCH"
    coach.update(fr(1.0, phase="position", stance="right"))
    assert screen_for(coach, 1.0).label == "HOLD STILL - TIMER STARTS"
    ev = coach.update(fr(2.0, phase="hold", hold_s=0.0, stance="right", holds=1))
    assert kinds(ev) == ["hold_start"] and ev[0].text == "Hold the stretch." and ev[0].data["side"] == "right"
    coach.update(fr(6.0, phase="hold", hold_s=4.0, stance="right", holds=1))
    scr = screen_for(coach, 6.0)
    assert scr.label == "STRETCH - RIGHT LEG" and scr.big == "4" and scr.big_suffix == "s / 10"
    # back heel up: the analysis' timer stops, the screen says why
    coach.update(fr(8.0, phase="paused (heel_lift)", hold_s=5.0, stance="right", holds=1))
    scr = screen_for(coach, 8.0)
    assert scr.label == "PAUSED - BACK HEEL UP" and scr.big == "5" and scr.progress == pytest.approx(0.5)
    coach.update(fr(9.0, phase="paused (knee_bend)", hold_s=5.0, stance="right", holds=1))
    assert screen_for(coach, 9.0).label == "PAUSED - STRAIGHTEN BACK KNEE"
    ev = coach.update(fr(15.0, phase="hold", hold_s=10.5, stance="right", holds=1))
    assert kinds(ev) == ["hold_target"]
    # came out: the row's time in good form (not the time in position) is the attempt and the best
    ev = coach.update(fr(17.0, phase="idle", stance="unknown", holds=1),
                      closed=[{"side": "right", "t_start": 2.0, "t_end": 16.0, "duration_s": 14.0, "held_s": 11.0}])
    assert kinds(ev) == ["hold_end"] and ev[0].text == "Done. 11 seconds."
    assert ev[0].data["held_s"] == 11.0 and ev[0].data["duration_s"] == 14.0
    assert coach.sets[0].best == {"right": 11.0}
    scr = screen_for(coach, 17.0)
    assert scr.sub2 == "BEST  L -   R 11 s" and scr.toast == "NOW STRETCH YOUR LEFT LEG"
    coach.update(fr(20.0, phase="hold", hold_s=0.0, stance="left", holds=2))
    ev = coach.update(fr(32.0, phase="idle", stance="unknown", holds=2),
                      closed=[{"side": "left", "t_start": 20.0, "t_end": 31.0, "duration_s": 11.0, "held_s": 10.2}])
    assert kinds(ev) == ["hold_end", "set_done"]
    s = coach.sets_summary()[0]
    assert s["best_s"] == {"right": 11.0, "left": 10.2} and s["n_holds"] == 2


def test_calf_stretch_setup_tip_turn_sideways() -> None:
    coach = Coach(Plan("calf_stretch"))
    front = FrameResult(index=0, t_s=0.0, has_person=True, feet_visible=False, view="front", rep_phase="idle")
    scr = screen_for(coach, 0.0, front)
    assert scr.centre_title == "GET READY" and scr.centre_sub == "Tip: turn sideways for the calf stretch"
    assert screen_for(coach, 0.0, fr(0.0, phase="idle")).centre_sub == "Standing calf stretch"     # side view: no tip


def _pump(side: str) -> dict:
    return {"kind": "ankle_pump", "side": side}


def test_ankle_pumps_count_each_foot_and_a_cycle_of_both_feet_is_one_rep() -> None:
    coach = Coach(Plan("ankle_pumps", sets=2, reps=2, rest_s=5.0))
    pumping = {"foot_shank_angle_left": 101.0, "foot_shank_angle_right": 99.0}

    def pf(t: float, reps: int, **kw) -> FrameResult:
        r = fr(t, reps=reps, phase="pumping", **kw)
        r.signals = dict(pumping)
        return r

    ev = coach.update(pf(0.0, 0))
    assert kinds(ev) == ["set_start", "go"] and ev[1].text == "Ready. Point your toes, then pull them up."
    assert screen_for(coach, 0.0).label == "PUMPS EACH FOOT" and screen_for(coach, 0.0).big_suffix == "/ 2"
    ev = coach.update(pf(1.5, 1), closed=[_pump("left")])
    assert kinds(ev) == ["rep"] and ev[0].text == "one"
    assert coach.update(pf(1.6, 2), closed=[_pump("right")]) == []     # the same cycle, other foot: still one
    scr = screen_for(coach, 1.6)
    assert scr.big == "1" and scr.sub2 == "LEFT 1   RIGHT 1"
    ev = coach.update(pf(3.2, 3), closed=[_pump("left")])
    assert kinds(ev) == ["rep", "set_done"] and ev[0].text == "two"
    # the right foot finishes the same cycle a few frames later: it belongs to set 1, not to set 2
    assert coach.update(pf(3.3, 4), closed=[_pump("right")]) == []
    assert coach.state == "rest" and coach.sets[0].by_side == {"left": 2, "right": 2}
    ev = coach.update(pf(6.0, 6), closed=[_pump("left"), _pump("right")])
    assert kinds(ev) == ["set_start", "rep"] and coach.set_index == 2
    s = coach.sets_summary()
    assert s[0]["reps_by_side"] == {"left": 2, "right": 2} and s[1]["reps_by_side"] == {"left": 1, "right": 1}


def test_ankle_pumps_ask_to_sit_sideways_when_the_ankle_angle_is_not_seen() -> None:
    coach = Coach(Plan("ankle_pumps"))
    front = fr(0.0, phase="rest")
    front.view = "front"
    front.signals = {"foot_shank_angle_left": float("nan"), "foot_shank_angle_right": float("nan")}
    assert coach.update(front) == []                   # not ready: nothing could be counted from here
    scr = screen_for(coach, 0.0)
    assert scr.banner == "Sit sideways to the camera for ankle pumps" and scr.banner_kind == "guide"
    assert scr.centre_title == "GET READY" and scr.centre_sub == "Tip: sit sideways to the camera for ankle pumps"
    assert not scr.view_ok
    turned = fr(1.0, phase="rest")
    turned.view = "front"      # three-quarter views often read "front": the angle is what counts
    turned.signals = {"foot_shank_angle_left": 104.0, "foot_shank_angle_right": float("nan")}
    assert kinds(coach.update(turned)) == ["set_start", "go"]
    assert screen_for(coach, 1.0).banner == "" and screen_for(coach, 1.0).view_ok
    from footform.apps.live.session import LiveOptions

    assert LiveOptions("ankle_pumps").plan().reps == 20 and LiveOptions("calf_raise").plan().reps == 12
    assert "hold_s" not in LiveOptions("ankle_pumps").plan().to_dict()


@pytest.mark.parametrize("exercise", ["calf_stretch", "ankle_pumps"])
def test_live_analysis_and_coach_on_synthetic_streams(exercise: str) -> None:
    """The live loop's logic without a camera: Analyzer → Coach through live.advance, as run_live does."""
    import sys as _sys

    _sys.path.insert(0, str(Path(__file__).parent))
    from synth_stretch_pumps import pumps, stretch

    from footform.analysis.analyzer import AnalysisConfig, Analyzer
    from footform.apps.live.session import LiveOptions, advance

    if exercise == "calf_stretch":
        frames, _ = stretch(front="left", view="side", heel_lift=(6.0, 8.0, 0.04), seed=2)
        plan = LiveOptions(exercise, hold_s=8.0, sets=1).plan()
    else:
        frames, _ = pumps(n=5, yaw_deg=45.0)
        plan = LiveOptions(exercise, reps=3, sets=2, rest_s=1.0).plan()
    an = Analyzer(AnalysisConfig(exercise=exercise, live=True, targets=plan.analysis_targets()))
    coach = Coach(plan)
    events, labels, stored = [], set(), []
    for f in frames:
        _, new_events, rows = advance(an, coach, f)
        events += new_events
        stored += rows
        labels.add(screen_for(coach, f.t_s).label)
    summary = an.finish()
    if exercise == "calf_stretch":
        assert {"STEP INTO THE STRETCH", "STRETCH - RIGHT LEG", "PAUSED - BACK HEEL UP"} <= labels
        (h,) = summary.holds
        assert [r["held_s"] for r in stored] == [h["held_s"]] and h["pauses"] == 1
        assert coach.sets[0].best == {"right": pytest.approx(h["held_s"], abs=0.01)}
        assert kinds(events) == ["set_start", "go", "hold_start", "hold_target", "hold_end"]
    else:
        assert len(stored) == len(summary.reps) == 10           # 5 cycles × 2 feet, all stored live
        s = coach.sets_summary()
        assert s[0]["reps_by_side"] == {"left": 3, "right": 3} and s[0]["ended_by"] == "target"
        assert s[1]["reps_by_side"] == {"left": 2, "right": 2}
        assert [e.text for e in events if e.kind == "rep"] == ["one", "two", "three", "one", "two"]


def test_metronome_alternates_up_and_down_at_the_cadence() -> None:
    m = Metronome(60)
    seen = [m.at(t) for t in (0.0, 0.5, 1.0, 1.2, 2.0)]
    assert [(b, n) for b, _, n in seen] == [("up", True), ("up", False), ("down", True), ("down", False), ("up", True)]
    assert seen[1][1] == pytest.approx(0.5)
    with pytest.raises(InputError):
        Metronome(1000)
