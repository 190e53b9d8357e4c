"""Regression guard for the form rules (issue #17, item 4).

Replays the landmark tracks of a small set of rendered fault clips (tests/data/rules_guard, see its
README: which clips, why, how they were made) through footform's normal analysis and scores the
flags with ``tools.render.evaluate``'s own scoring (the exercise and the stature from each truth,
as ``python -m tools.render.evaluate`` does), then asserts per rule:

* recall and precision at least what the rules reached on these clips when the guard was set up
  (``FLOORS``: the numbers and the date);
* for the rules that are honest but blind here (``BLIND``: heel turns, pelvic drop and the
  arch-collapse proxy at 640×360 / from these views), that every fault is either flagged or the
  summary says the rule was not measurable — never a silent clean result.

No pose model runs: the tracks replay in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import unpack_guard_clips

from tools.render import evaluate as ev

GUARD = Path(__file__).resolve().parent / "data" / "rules_guard"

#: rule code → (recall floor, precision floor) on the guard's clips; precision is only judged when
#: the rule raised a flag (a rule that flags nothing has no precision, and its recall floor says
#: whether that is allowed).  Measured 2026-11-29 on branch h-guard (main 4b46922 with the
#: fast-lowering change of issue #17: docs/evaluation.md, "Rules regression guard and fast
#: lowering"); faults / flags in the comment.
FLOORS = {
    "heel_sickling": (0.0, 1.0),    # 2 faults (10°, 20° inversion, 1280×720 from behind) / 0 flags: blind, says so
    "heel_everting": (1.0, 1.0),    # 2 faults (5°, 15° eversion) / 2 right flags
    "arch_collapse": (0.5, 1.0),    # 2 faults (4°, 8°) / 1 right flag; the other says "not measurable below 12°"
    "knee_valgus": (1.0, 1.0),      # 2 faults (5°, 10°, front) / 2 right flags; the clean hold not flagged
    "pelvic_drop": (0.0, 1.0),      # 2 faults (4°, 8°, back, 640×360) / 0 flags: blind, says so
    "trunk_lean": (1.0, 1.0),       # 2 faults (5°, 10°, back) / 2 right flags
    "fast_lowering": (1.0, 1.0),    # 4 faults (0.25 / 0.3 s lowerings after 0.6 s rises, side and back) / 4 right flags;
                                    # the 15 fps front clip's split rep and 8 correct reps at the fast tempo not flagged
    "touch_down": (1.0, 1.0),       # 1 fault / 1 right flag
}
#: Rules whose faults may go unflagged here, but only with "not measurable" in the summary.
BLIND = ("heel_sickling", "heel_everting", "pelvic_drop", "arch_collapse")
CLIPS = 9


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("rules_guard")
    clips = ev.find_clips([unpack_guard_clips(GUARD, tmp / "clips")])
    return ev.evaluate(clips, tmp / "work", log=None, with_auto=False)


def test_guard_covers_every_rule_with_truth(report: dict) -> None:
    assert len(report["clips"]) == CLIPS
    assert all(c["status"] == "ok" for c in report["clips"]), [(c["name"], c["status"]) for c in report["clips"]]
    rules = report["aggregate"]["rules"]
    assert set(FLOORS) == set(ev.FAULT_RULE.values())
    for code in FLOORS:
        assert rules[code]["faults"] > 0, f"the guard has no {code} fault"
    # clean controls: every clip has clean reps or a clean hold beside its faults, and one has no fault at all
    assert any(not c["faults_true"] for c in report["clips"])


@pytest.mark.parametrize("code", sorted(FLOORS))
def test_rule_keeps_its_recall_and_precision(report: dict, code: str) -> None:
    r = report["aggregate"]["rules"][code]
    recall_min, precision_min = FLOORS[code]
    where = f"{code}: {r['faults']} faults, {r['flags']} flags, TP {r['tp']} / FP {r['fp']} / FN {r['fn']}"
    assert r["recall"] is not None and r["recall"] >= recall_min - 1e-9, where
    if r["flags"]:
        assert r["precision"] >= precision_min - 1e-9, where


@pytest.mark.parametrize("code", BLIND)
def test_blind_rule_never_passes_a_fault_silently(report: dict, code: str) -> None:
    silent = [(c["name"], f["start_s"]) for c in report["clips"] for f in c["faults"]
              if f["code"] == code and not f["detected"] and f["measurable"]]
    assert not silent, f"{code}: faults neither flagged nor said to be not measurable: {silent}"
