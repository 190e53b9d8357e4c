"""Scenario keys and poses the renderer gained for issues #16 and #18 (tools.render).

The scenario and motion parts are pure numpy / tomllib and always run.  The posing tests need the
render environment (torch, anny; docs/rendering.md) and skip without it; they pose single frames
(no pyrender, no video), a few seconds once anny's cache exists.
"""

from __future__ import annotations

import numpy as np
import pytest

from footform.errors import InputError
from tools.render.motion import build_program
from tools.render.scenario import parse_scenario


def stance(**ex) -> dict:
    return {"clip": {"seed": 3}, "exercise": {"kind": "single_leg_stance", "stance": "left", "hold_s": 8.0, **ex}}


def test_partial_reps_are_raised_the_given_fraction_and_marked():
    sc = parse_scenario({"exercise": {"kind": "calf_raise", "reps": 4, "raise_height_cm": 8.0,
                                      "partial_reps": [2, 4], "partial_fraction": 0.25}})
    prog = build_program(sc)
    assert [r.partial for r in prog.reps] == [False, True, False, True]
    assert [r.target for r in prog.reps] == pytest.approx([8.0, 2.0, 8.0, 2.0])
    k = int(np.argmin(np.abs(prog.t - 0.5 * (prog.reps[1].top_s + prog.reps[1].top_end_s))))
    assert prog.signals["heel_cm_l"][k] == pytest.approx(2.0)


def test_arms_overhead_rise_inside_the_hold_only():
    prog = build_program(parse_scenario(stance(arms="overhead")))
    hold = prog.holds[0]
    up = prog.signals["arms_up"]
    outside = (prog.t < hold.start_s) | (prog.t > hold.end_s)
    assert up[outside].max() == 0.0
    mid = np.argmin(np.abs(prog.t - 0.5 * (hold.start_s + hold.end_s)))
    assert up[mid] == pytest.approx(1.0)
    # two raise-and-lower cycles: the arms come down between them
    prog2 = build_program(parse_scenario(stance(arms="overhead", arm_raises=2, hold_s=20.0)))
    h2 = prog2.holds[0]
    mid2 = np.argmin(np.abs(prog2.t - 0.5 * (h2.start_s + h2.end_s)))
    assert prog2.signals["arms_up"][mid2] == pytest.approx(0.0, abs=1e-9)
    assert prog2.signals["arms_up"].max() == pytest.approx(1.0)
    # the default arms stay down
    assert build_program(parse_scenario(stance())).signals["arms_up"].max() == 0.0


@pytest.mark.parametrize("ex, words", [
    ({"free_leg": "hop"}, "free_leg"),
    ({"tree_at": "knee"}, "tree_at"),
    ({"free_lift_cm": 0.0}, "free_lift_cm"),
    ({"arm_raises": 0}, "arm_raises"),
])
def test_bad_free_leg_keys_are_one_sentence_errors(ex, words):
    with pytest.raises(InputError, match=words):
        parse_scenario(stance(**ex))


def test_overhead_arms_and_partial_reps_belong_to_their_exercises():
    with pytest.raises(InputError, match="overhead"):
        parse_scenario({"exercise": {"kind": "calf_raise", "arms": "overhead"}})
    with pytest.raises(InputError, match="partial_reps"):
        parse_scenario({"exercise": {"kind": "calf_raise", "reps": 3, "partial_reps": [4]}})


# --- posing (needs the render environment) -----------------------------------------------------

def _pose_at_full_lift(body_keys: dict | None = None, lift: float = 1.0, **ex):
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    from tools.render.body import BodyModel

    sc = parse_scenario({**stance(**ex), "body": body_keys or {}})
    prog = build_program(sc)
    body = BodyModel(sc.body, sc.arms)
    body.prepare(sc)
    k = int(np.argmin(np.abs(prog.t - 0.5 * (prog.holds[0].start_s + prog.holds[0].end_s))))
    ctl = {key: float(v[k]) for key, v in prog.signals.items()}
    free = "_r" if sc.exercise.stance == "left" else "_l"
    ctl["lift" + free] *= lift
    ctl["shift_ml"] *= lift
    return body, body.pose(ctl, sc)


@pytest.mark.parametrize("stance_side, body_keys, lift", [
    ("left", {}, 1.0),
    # a 2 m body: with the weight over the standing foot its free foot is out of reach in place
    ("right", {"gender": 0.14, "height": 0.6, "proportions": 0.37}, 1.0),
    ("right", {"gender": 0.14, "height": 0.6, "proportions": 0.37}, 0.68),
])
def test_low_lift_raises_the_free_foot_exactly_that_high(stance_side, body_keys, lift):
    body, posed = _pose_at_full_lift(body_keys, lift, stance=stance_side, free_leg="low", free_lift_cm=3.0)
    V = posed.vertices
    free = "right" if stance_side == "left" else "left"
    assert 100 * V[body.foot_verts[free], 2].min() == pytest.approx(3.0 * lift, abs=0.1)
    assert 100 * V[body.foot_verts[stance_side], 2].min() == pytest.approx(0.0, abs=0.3)


@pytest.mark.parametrize("where, height_cm", [("calf", (15, 45)), ("thigh", (40, 75))])
def test_tree_pose_puts_the_free_sole_on_the_standing_leg_with_the_knee_out(where, height_cm):
    body, posed = _pose_at_full_lift(free_leg="tree", tree_at=where)
    V, H = posed.vertices, posed.heads
    free = V[body.foot_verts["right"]]
    assert height_cm[0] < 100 * free[:, 2].min() < height_cm[1]
    # the free foot touches the standing (left) leg: some vertex within 2 cm of its shank / thigh skin
    bone = "lowerleg" if where == "calf" else "upperleg"
    leg = V[np.isin(body.dom, [i for i, n in enumerate(body.labels) if n.startswith(bone) and n.endswith(".L")])]
    sample = leg[:: max(1, len(leg) // 400)]
    gap = min(float(np.min(np.linalg.norm(sample - p, axis=1))) for p in free[:: max(1, len(free) // 200)])
    assert gap < 0.02
    # toes point down, and the free knee is outside its hip (turned out), on the subject's right
    lm = body.landmarks(V, H)
    assert lm["right_foot_index"][2] < lm["right_heel"][2]
    assert lm["right_knee"][0] > lm["right_hip"][0] + 0.05


def test_a_touch_down_inside_a_hold_keeps_the_base_on_the_standing_foot(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    from tools.render.generate import render_scenario

    sc = parse_scenario({**stance(free_leg="low", free_lift_cm=4.0, hold_s=4.0), "clip": {"seed": 3, "lead_in_s": 0.5, "lead_out_s": 0.3},
                         "sway": {"ml_cm": 1.0, "ap_cm": 0.5},
                         "faults": [{"kind": "touch_down", "start_s": 2.5, "end_s": 3.5, "magnitude": 0.4}]})
    sc.clip.name = "touch"
    truth = render_scenario(sc, tmp_path, video=False, log=None)
    hold = truth["holds"][0]
    assert len(hold["touch_downs"]) == 1  # the free foot did come down
    t = np.array(truth["frames"]["t_s"])
    sway = np.array(truth["frames"]["sway_cm"])[(t >= hold["start_s"]) & (t < hold["end_s"])]
    assert np.abs(np.diff(sway[:, 0])).max() < 0.5  # no jump of the base when the free foot touches
    assert hold["sway"]["ml_rms_cm"] < 1.5
