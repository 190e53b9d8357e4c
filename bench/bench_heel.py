"""Heel alignment rules per foot and rep against rendered truth (issue #17; docs/rules.md "Heel alignment").

``tools.render.evaluate`` scores a fault on both feet as one fault found by a flag on either foot.
This scores each foot of each rep: a heel fault on both feet is two faults; a flag is right when it
is on that foot's rep with the fault's direction (``heel_sickling`` for inversion,
``heel_everting`` for eversion); any heel flag on a clean foot, or of the other direction, is a
false flag.  It reads the summaries ``tools.render.evaluate --work WORK`` left in
``WORK/<name>/analysis/summary.json`` and prints, per split (even seed = calibration, odd = test),
view and picture size: the clean foot-reps and their false flags, and per fault magnitude the
flagged / faulty foot-reps (and how many had the alignment measured at all), then the false heel
flags per minute on the clips without heel faults.

    python -m tools.render.evaluate CLIPS... --work WORK --out eval.json
    python bench/bench_heel.py --work WORK CLIPS_OR_TRUTH_FILES...
"""

from __future__ import annotations

import argparse
import collections
import json
import tomllib
from pathlib import Path

HEEL_FAULTS = {"heel_inversion": "heel_sickling", "heel_eversion": "heel_everting"}


def view_group(view: str) -> str:
    if view.startswith("back-three"):
        return "back three-quarter"
    if view.startswith("three"):
        return "front three-quarter"
    return "side" if view.startswith("side") else view


def foot_reps(work: Path, truth_path: Path) -> list[dict]:
    """One row per true rep and working foot: its fault (kind, magnitude) and footform's verdict."""
    name = truth_path.name[: -len(".truth.json")]
    summary_path = work / name / "analysis" / "summary.json"
    truth = json.loads(truth_path.read_text())
    if truth.get("exercise") != "calf_raise" or not summary_path.is_file():
        return []
    summary = json.loads(summary_path.read_text())
    scenario = truth_path.with_name(name + ".scenario.toml")
    seed = tomllib.loads(scenario.read_text())["clip"]["seed"] if scenario.is_file() else 0
    q = summary.get("quality") or {}
    flags = [f for f in summary.get("flags") or [] if f.get("code") in HEEL_FAULTS.values()]
    faulty_clip = any(f["kind"] in HEEL_FAULTS for f in truth.get("faults") or [])
    rows = []
    for r in truth["reps"]:
        label = {}
        for f in truth.get("faults") or []:
            if f["kind"] in HEEL_FAULTS and r["number"] in (f.get("reps") or []):
                for s in (("left", "right") if f["side"] == "both" else (f["side"],)):
                    label[s] = (f["kind"], float(f["magnitude"]))
        found = [x for x in summary.get("reps") or [] if r["start_s"] <= x["t_top"] <= r["end_s"]]
        for s in ("left", "right"):
            if truth.get("legs") in ("left", "right") and s != truth["legs"]:
                continue
            heel = found[0]["heel_in"] if found else None
            kind, mag = label.get(s, ("clean", 0.0))
            rows.append({"clip": name, "split": "calibration" if seed % 2 == 0 else "test",
                         "view": view_group(truth["view"]), "size": q.get("frame_px"), "foot_px": q.get("foot_px"),
                         "kind": kind, "magnitude": mag, "counted": bool(found),
                         "measured": isinstance(heel, dict) and heel.get(s) is not None,
                         "flags": [f["code"] for f in flags if f.get("side") == s and found and f.get("rep") == found[0]["index"]],
                         "clip_flags": len(flags), "faulty_clip": faulty_clip, "duration_s": truth.get("duration_s") or 0.0})
    return rows


def table(rows: list[dict]) -> list[str]:
    groups: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in rows:
        c = groups[(r["split"], r["view"], r["size"])]
        if r["kind"] == "clean":
            c["clean"] += 1
            c["clean measured"] += r["measured"]
            c["false"] += len(r["flags"])
            continue
        want = HEEL_FAULTS[r["kind"]]
        m = f"{'inversion' if r['kind'] == 'heel_inversion' else 'eversion'} {r['magnitude']:g}°"
        c[(m, "n")] += 1
        c[(m, "tp")] += want in r["flags"]
        c[(m, "measured")] += r["measured"]
        c["false"] += len([f for f in r["flags"] if f != want])
    out = ["| split | view | picture | clean foot-reps (measured) | false flags | flagged / faulty foot-reps (measured) |",
           "| --- | --- | --- | --- | --- | --- |"]
    for (split, view, size), c in sorted(groups.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        mags = sorted({k[0] for k in c if isinstance(k, tuple)}, key=lambda m: (m.split()[0], float(m.split()[1][:-1])))
        faults = "; ".join(f"{m}: {c[(m, 'tp')]}/{c[(m, 'n')]} ({c[(m, 'measured')]})" for m in mags) or "–"
        out.append(f"| {split} | {view} | {size} | {c['clean']} ({c['clean measured']}) | {c['false']} | {faults} |")
    minutes: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    seen = set()
    for r in rows:
        if r["faulty_clip"] or r["clip"] in seen:
            continue
        seen.add(r["clip"])
        minutes[r["split"]][0] += r["clip_flags"]
        minutes[r["split"]][1] += r["duration_s"] / 60.0
    for split, (n, mins) in sorted(minutes.items()):
        out.append(f"\nClips without heel faults, {split}: {n:.0f} heel flags in {mins:.1f} min of video.")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="truth files, clips (.mp4) or folders of them")
    ap.add_argument("--work", required=True, help="the --work folder tools.render.evaluate analysed them into")
    args = ap.parse_args(argv)
    truths: list[Path] = []
    for p in map(Path, args.inputs):
        if p.is_dir():
            truths += sorted(p.glob("*.truth.json"))
        elif p.name.endswith(".truth.json"):
            truths.append(p)
        else:
            truths.append(p.with_name(p.stem + ".truth.json"))
    rows = [row for t in truths for row in foot_reps(Path(args.work), t)]
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
