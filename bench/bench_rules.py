"""Precision and recall of each feedback rule over a generated set of synthetic landmark streams.

    python bench/bench_rules.py [--clips 60] [--seed 1]

Each clip is a synthetic stream (tests/synth.py: a kinematic model of a standing person with
landmark jitter at the level measured on real footage) of calf raises or single-leg holds, seen
from the front, back or side, with faults injected at random into random reps or holds, with
random magnitudes around and above the rule's threshold.  A flag is a true positive when it
names an injected fault's rule, side and rep/hold; any other warn/info flag of a fault rule is a
false positive.  Prints one table: injected, TP, FP, FN, precision, recall per rule.

This measures the rules on a model of the pose stage, not on the pose stage itself; the rendered
evaluation set (docs/evaluation.md) and real footage are the other two checks.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import generate, lift, rep, still  # noqa: E402

from footform.analysis.analyzer import AnalysisConfig, analyze_frames  # noqa: E402

#: fault → (rule code, sides it concerns, injection magnitude range)
CALF_FAULTS = {
    "heel_sickling": (0.02, 0.04),   # metres of heel drift towards the midline at the top
    "fast_lowering": (0.2, 0.35),    # lowering time (s) against a 0.8 s rise
    "incomplete_raise": (0.45, 0.65),  # fraction of the usual height
}
STANCE_FAULTS = {
    "arch_collapse": (0.02, 0.04),   # metres of medial + downward ankle drift
    "pelvic_drop": (7.0, 12.0),      # degrees of free-side hip drop
}


def calf_clip(rng: random.Random, seed: int):
    view = rng.choice(["front", "back", "side"])
    n = rng.randint(5, 8)
    fault = rng.choice(list(CALF_FAULTS) + [None])
    faulty = set(rng.sample(range(3, n + 1), k=min(2, n - 2))) if fault else set()
    script = [still(1.5)]
    truth = []
    for i in range(1, n + 1):
        kw = dict(height_m=0.06, rise=0.8, top=0.5, lower=1.0)
        if i in faulty:
            lo, hi = CALF_FAULTS[fault]
            mag = rng.uniform(lo, hi)
            if fault == "heel_sickling":
                kw["heel_in_m"] = mag
                if view != "side":  # not measurable from the side: injected, but not expected
                    truth += [(fault, "left", i), (fault, "right", i)]
            elif fault == "fast_lowering":
                kw["lower"] = mag
                truth.append((fault, None, i))
            else:
                kw["height_m"] = 0.06 * mag
                truth.append((fault, None, i))
        script += [rep(**kw), still(0.8)]
    frames, synth_truth = generate(script, view=view, seed=seed)
    return "calf_raise", view, frames, truth, synth_truth


def stance_clip(rng: random.Random, seed: int):
    view = rng.choice(["front", "back"])
    fault = rng.choice(list(STANCE_FAULTS) + [None])
    script = [still(2.0)]
    truth = []
    n = 3
    for h in range(1, n + 1):
        side = rng.choice(["left", "right"])
        kw = dict(sway_m=rng.uniform(0.002, 0.006))
        stance = "left" if side == "right" else "right"
        if fault and h == 2:
            lo, hi = STANCE_FAULTS[fault]
            if fault == "arch_collapse":
                kw["arch_m"] = rng.uniform(lo, hi)
                truth.append((fault, stance, h))
            else:
                kw["pelvic_drop_deg"] = rng.uniform(lo, hi)
                truth.append((fault, None, h))
        script += [lift(side, 7.0, **kw), still(2.0)]
    frames, synth_truth = generate(script, view=view, seed=seed)
    return "single_leg_stance", view, frames, truth, synth_truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fault_rules = set(CALF_FAULTS) | set(STANCE_FAULTS)
    tp, fp, fn, injected = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for k in range(args.clips):
        exercise, view, frames, truth, synth_truth = (calf_clip if k % 2 == 0 else stance_clip)(rng, args.seed * 1000 + k)
        s = analyze_frames(frames, AnalysisConfig(exercise=exercise))
        truth_times = [r["t_start"] for r in synth_truth.reps] if exercise == "calf_raise" else []
        found = set()
        for f in s.flags:
            if f["code"] not in fault_rules:
                continue
            where = f.get("rep") if exercise == "calf_raise" else f.get("hold")
            if exercise == "calf_raise" and where is None:  # a partial rep: match it by time
                where = next((i for i, t in enumerate(truth_times, 1) if abs(t - f["t_start"]) < 1.0), None)
            side = f.get("side") if f["code"] in ("heel_sickling", "arch_collapse") else None
            key = (f["code"], side, where)
            if key in truth and key not in found:
                tp[f["code"]] += 1
                found.add(key)
            else:
                fp[f["code"]] += 1
        for t in truth:
            injected[t[0]] += 1
            if t not in found:
                fn[t[0]] += 1
    print(f"{args.clips} synthetic clips (seed {args.seed}), calf raises front/back/side and single-leg holds front/back")
    print(f"{'rule':<18} {'injected':>8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for code in sorted(fault_rules):
        p = tp[code] / (tp[code] + fp[code]) if tp[code] + fp[code] else float("nan")
        r = tp[code] / injected[code] if injected[code] else float("nan")
        print(f"{code:<18} {injected[code]:>8} {tp[code]:>4} {fp[code]:>4} {fn[code]:>4} {p:>9.2f} {r:>7.2f}")


if __name__ == "__main__":
    main()
