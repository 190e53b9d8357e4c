"""What the live screen says (apps/live/screen.py) and which form cues it shows (apps/live/cues.py)."""

from __future__ import annotations

import numpy as np
from helpers import check_layout, fr

from footform.analysis.analyzer import FrameResult
from footform.apps.live.coach import Coach
from footform.apps.live.plan import Plan
from footform.apps.live.screen import done_screen, screen_for


def test_view_indicator_and_get_ready_tip_agree() -> None:
    """One source of the view guidance: a tip on GET READY exactly when the indicator is not green."""
    for exercise in ("calf_raise", "single_leg_stance", "calf_stretch", "ankle_pumps"):
        for view in ("front", "back", "side-left", "side-right", "three-quarter-left", "unknown"):
            coach = Coach(Plan(exercise))
            res = FrameResult(index=0, t_s=0.0, has_person=True, feet_visible=True, view=view, rep_phase="calibrating")
            scr = screen_for(coach, 0.0, res)
            assert scr.centre_title == "GET READY"
            has_tip = scr.centre_sub.startswith("Tip:")
            assert scr.view_ok == (not has_tip and view != "unknown"), (exercise, view, scr.centre_sub)
    # the back view is good for calf raises (heels in line with the toes: docs/live.md): no tip, green
    scr = screen_for(Coach(Plan("calf_raise")), 0.0, FrameResult(index=0, t_s=0.0, has_person=True, feet_visible=True,
                                                                 view="back", rep_phase="calibrating"))
    assert scr.view_ok and "sideways" not in scr.centre_sub


def test_done_screen_shows_the_session_summary() -> None:
    from footform.apps.live.overlay import compose

    coach = Coach(Plan("calf_raise", sets=2, reps=2, rest_s=5.0))
    coach.update(fr(0.0))
    coach.update(fr(1.0, reps=1))
    coach.update(fr(2.0, reps=2))
    coach.update(fr(3.0, reps=3))
    coach.key("c", 3.5)
    coach.finish(4.0)
    scr = done_screen(coach, 6.2)
    assert scr.centre_title == "SESSION DONE"
    assert scr.centre_lines[:3] == ["SET 1: 2 OF 2 REPS", "SET 2: 1 OF 2 REPS", "MARKED: CRAMP 1x"]
    assert scr.centre_sub == "Press any key to close (7 s)"
    c = compose(np.zeros((360, 640, 3), np.uint8), None, scr)
    check_layout(c, "done")
    assert [t.text for t in c.texts("centre")][:2] == ["SESSION DONE", "SET 1: 2 OF 2 REPS"]
    hold = Coach(Plan("single_leg_stance", sets=1, hold_s=10.0))
    hold.update(fr(0.0))
    hold.update(fr(3.0, hold_s=11.0, stance="left", holds=1))
    hold.update(fr(4.0, stance="both", holds=1), closed=[{"duration_s": 11.0, "t_start": 1.0, "t_end": 12.0}])
    hold.finish(5.0)
    assert done_screen(hold, 1.0).centre_lines[0] == "SET 1: BEST  L 11 s  R -  (TARGET 10 s)"


def test_a_sickled_rep_becomes_the_live_cue_and_the_stored_flag() -> None:
    """One engine: the flag the analysis raises on a sickled rep is the cue on the live screen and the
    flag the session stores — the same rep, the same message (synthetic stream, no camera)."""
    from synth import generate, rep, still

    from footform.analysis.analyzer import AnalysisConfig, Analyzer
    from footform.apps.live.cues import CueBoard
    from footform.apps.live.session import LiveOptions, advance

    script = [still(1.5)]
    for i in range(1, 5):
        script += [rep(0.06, 0.6, 0.6, 0.9, heel_in_m=0.03 if i == 3 else 0.0), still(0.8)]
    frames, _ = generate(script, view="back", seed=5)
    plan = LiveOptions("calf_raise", sets=1, reps=4).plan()
    an = Analyzer(AnalysisConfig(exercise="calf_raise", live=True, targets=plan.analysis_targets()))
    coach = Coach(plan)
    cues = CueBoard()
    shown: dict[str, float] = {}
    fired = []
    for f in frames:
        res, _, _ = advance(an, coach, f)
        fired += [fl.to_dict() for fl in res.flags]   # what run_live does with the frame's flags: store, then show
        cues.add_flags(res.flags, f.t_s)
        screen = screen_for(coach, f.t_s, res, cues=cues)
        for line in screen.banner.split("\n") if screen.banner else []:
            shown.setdefault(line, f.t_s)
    summary = an.finish()
    sick = [fl for fl in summary.flags if fl["code"] == "heel_sickling"]
    assert sorted({fl["rep"] for fl in sick}) == [3]
    key = lambda fl: (fl["code"], fl["rep"], fl["side"])  # noqa: E731
    assert {key(fl) for fl in fired if fl["code"] == "heel_sickling"} == {key(fl) for fl in sick}  # raised live
    # and on screen as the cue
    assert any(fl["message"] in shown for fl in sick), sorted(shown)
    # both heels' flags fire on the same frame, and both are on screen, at once (the banner's two lines)
    assert len(sick) == 2 and {fl["t_start"] for fl in sick} == {sick[0]["t_start"]}
    assert all(fl["message"] in shown for fl in sick), sorted(shown)
    assert shown[sick[0]["message"]] == shown[sick[1]["message"]]



def test_cue_board_shows_every_cue_that_fired_each_for_its_time() -> None:
    from footform.apps.live.cues import FLAG_SHOW_S, CueBoard

    board = CueBoard(max_shown=2)
    board.add("Left heel", "warn", 10.0)
    board.add("Right heel", "warn", 10.0)         # the same frame: both on screen at once
    assert [c.text for c in board.now(10.0)] == ["Left heel", "Right heel"]
    board.add("Lower slowly", "stop", 11.0)      # no free line: waits, is not dropped
    assert [c.text for c in board.now(11.0)] == ["Left heel", "Right heel"]
    board.add("Left heel", "warn", 12.0)         # fired again while shown: its time starts anew
    board.add("Lower slowly", "stop", 12.5)      # already waiting: not twice
    assert len(board.waiting) == 1
    now = board.now(10.0 + FLAG_SHOW_S + 0.1)   # the right heel's time is up: the waiting cue moves up
    assert [c.text for c in now] == ["Left heel", "Lower slowly"]
    assert [c.text for c in board.now(12.0 + FLAG_SHOW_S + 0.1)] == ["Lower slowly"]
    t_up = 10.0 + FLAG_SHOW_S + 0.1              # shown for its full time from when it went up
    assert board.now(t_up + FLAG_SHOW_S - 0.05) and board.now(t_up + FLAG_SHOW_S + 0.05) == []
    assert board.now(100.0) == [] and board.waiting == []


def test_two_cues_at_once_are_both_in_the_banner_and_fit_it() -> None:
    """The screen's banner holds every cue on the board — one line each, the worst kind's style —
    and the longest two rule messages fit it at a readable size with the feet low or mid-picture."""
    import tomllib
    from pathlib import Path

    from helpers import legs_lm

    import footform.feedback as feedback
    from footform.apps.live.cues import CueBoard
    from footform.apps.live.overlay import compose

    coach = Coach(Plan("calf_raise", sets=1, reps=5))
    coach.update(fr(0.0))
    board = CueBoard()
    board.add("Keep your left heel in line with your toes - it rolls inwards.", "warn", 0.5)
    board.add("Lower your heels slowly, with control.", "stop", 0.5)
    scr = screen_for(coach, 0.6, cues=board)
    assert scr.banner.split("\n") == ["Keep your left heel in line with your toes - it rolls inwards.",
                                       "Lower your heels slowly, with control."]
    assert scr.banner_kind == "stop"
    messages = []
    for f in (Path(feedback.__file__).parent / "rules").glob("*.toml"):
        for rule in tomllib.loads(f.read_text(encoding="utf-8")).get("rule", []):
            if rule.get("message"):
                messages.append(rule["message"].replace("{side}", "right"))
    longest = sorted(messages, key=len)[-2:]
    for feet_y in (0.95, 0.8, 0.6):
        scr.banner = "\n".join(longest)
        c = compose(np.full((480, 640, 3), 235, np.uint8), legs_lm(feet_y), scr)
        check_layout(c, f"two cues, feet at {feet_y}")
        drawn = " ".join(t.text for t in c.texts("banner"))
        assert all(word in drawn.split() for m in longest for word in m.replace("—", "-").split()), drawn
        heights = {t.rect[3] - t.rect[1] for t in c.texts("banner")}
        assert min(heights) >= 24, heights      # letters readable at 3 m (canvas px, apps/live/canvas.py)
