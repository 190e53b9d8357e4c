"""Heel alignment from the image: a rearfoot (calcaneal) angle and kin, measured on rendered truth (issue #17).

docs/rules.md "Heel alignment" lists the landmark signals that could not see heel turns up to 20°.
This bench tries the idea the issue names: measure the heel from the **full-resolution image**
around it, from behind, the way clinicians measure a rearfoot angle on photographs — the angle
between the lower-leg bisector and the heel (calcaneus) bisector.  The landmarks only place the
crop (knee, ankle, heel points); the lines come from the picture:

* per image row of the crop, the leg's left and right outline: the strongest horizontal colour
  gradient (Sobel on the Gaussian-smoothed BGR crop, σ 1 px) on each side of the knee→ankle line
  (above the ankle) or the ankle→heel line (below it), within ±0.25 shank lengths, located to a
  sub-pixel by a parabola through the peak; the row's midpoint is the limb's centre there;
* **shank bisector**: a robust line fit (iterated, residuals beyond 2.5 × the MAD dropped) of the
  midpoints from 0.40 to 0.12 shank lengths above the ankle landmark (the lowest third of the calf,
  clear of the malleoli);
* features per frame and foot, each signed so that + = inversion (heel bottom towards the midline):
  - ``rearfoot_deg``: the heel bisector (midpoints from the ankle row to the heel landmark's row)
    against the shank bisector — the clinical rearfoot angle;
  - ``below_pct``: median offset of the outline's midpoint from the shank bisector's extension in
    the rows from the ankle down to 0.6 ankle–heel heights below the heel point (% of the shank
    length); inversion swings the heel in and the forefoot out;
  - ``low_pct``: the same, only below the heel point (where the forefoot shows beside the heel);
  - ``ecc_pct``: lateral minus medial half-width of the outline in the heel rows (ankle to heel
    point), against the shank bisector (% of the shank length);
  - ``shank_deg``: the shank bisector's tilt from the image vertical (towards the midline at the
    bottom = +), the lower leg's own lean; ``shank_lm_deg`` the same from the knee and ankle
    landmarks, for comparison.
  Rows whose weaker outline gradient is under 0.35 × the shank rows' median are dropped (the floor,
  the shadow, beyond the foot).

Per rep and foot the feature is averaged over the **top of the rep** (frames whose true heel height
is at least half the rep's peak), the integration ``heel_in`` uses.  By default the value is taken
as it is; ``--standing`` subtracts its median over the standing frames (true heel height < 0.5 cm),
the landmark signal's baseline (here it adds noise: below the heel point a standing foot shows the
floor and its shadow); ``--reference`` subtracts the same foot's first rep of the clip when that rep
is clean (what a "show me one good rep" calibration would give).  The timing comes from the truth,
so this is the signal's best case: footform's own rep tops would only add error.  ``--mask``
measures the outline on the pose model's segmentation mask instead of the image's colours.

Scoring: thresholds are set on the **calibration** clips (even seeds) only, just beyond every clean
foot-rep there (``max`` for inversion, ``min`` for eversion); a foot-rep is flagged "inversion" above
the one, "eversion" below the other.  Recall per magnitude and precision (flags in the fault's
direction on a faulty foot-rep / all flags) are printed per split; the test split (odd seeds) is
scored with the calibration thresholds.  Cost: the per-frame measurement time against the pose
model's time on the same frame (--cost, as bench_pipeline does), for the two feet.

    nice python bench/bench_heel_image.py CLIP_OR_TRUTH... [--cache DIR] [--rows] [--cost]
        [--standing | --reference] [--mask]
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import time
import tomllib
import warnings
from pathlib import Path

import cv2
import numpy as np

from footform.core.landmarks import LM
from footform.io.track import TrackReader

FEATURES = ("rearfoot_deg", "below_pct", "low_pct", "ecc_pct", "shank_deg", "shank_lm_deg")
#: crop half-width around the limb's centre line, in shank lengths
HALF_WIDTH_SHANK = 0.25
#: the lower-leg rows: from SHANK_TOP to SHANK_BOTTOM shank lengths above the ankle landmark
SHANK_TOP, SHANK_BOTTOM = 0.40, 0.12
#: rows below the heel point used by ``below_pct`` / ``low_pct``, in ankle–heel heights
LOW_ROWS = 0.6
#: a row's weaker outline gradient must reach this share of the shank rows' median
GRADIENT_MIN = 0.35
SIDES = {"left": (LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_ANKLE),
         "right": (LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.LEFT_ANKLE)}


def outline_rows(img: np.ndarray, lm: np.ndarray, side: str) -> dict | None:
    """Per image row around one lower leg: (row y, left x, right x, left gradient, right gradient), px."""
    h, w = img.shape[:2]
    k, a, hl, o = SIDES[side]
    knee, ank, heel, other = (lm[i, :2] * (w, h) for i in (k, a, hl, o))
    shank = float(np.linalg.norm(ank - knee))
    if not np.isfinite(shank) or shank < 10:
        return None
    half = HALF_WIDTH_SHANK * shank
    ya = max(0, int(ank[1] - (SHANK_TOP + 0.05) * shank))
    yb = min(h - 1, int(heel[1] + (LOW_ROWS + 0.2) * max(5.0, heel[1] - ank[1])))
    x0 = max(0, int(min(ank[0], heel[0], knee[0]) - half - 3))
    x1 = min(w, int(max(ank[0], heel[0], knee[0]) + half + 3))
    if x1 - x0 < 10 or yb - ya < 10:
        return None
    crop = cv2.GaussianBlur(img[ya:yb + 1, x0:x1].astype(np.float32), (0, 0), 1.0)
    gx = cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3)
    g = np.sqrt((gx ** 2).sum(axis=2))
    rows = []
    for y in range(ya, yb + 1):
        if y <= ank[1]:
            cx = knee[0] + (y - knee[1]) / (ank[1] - knee[1] + 1e-9) * (ank[0] - knee[0])
        else:
            cx = ank[0] + (heel[0] - ank[0]) * min(1.0, (y - ank[1]) / (heel[1] - ank[1] + 1e-9))
        c, lo_, hi_ = int(round(cx)) - x0, max(1, int(cx - half) - x0), min(g.shape[1] - 2, int(cx + half) - x0)
        if not lo_ < c < hi_:
            continue
        gr = g[y - ya]
        edge = []
        for lo, hi in ((lo_, c), (c, hi_)):
            j = lo + int(np.argmax(gr[lo:hi]))
            g0, g1, g2 = gr[j - 1], gr[j], gr[j + 1]
            d = g0 - 2 * g1 + g2
            edge.append((j + (0.5 * (g0 - g2) / d if d < 0 else 0.0) + x0, float(g1)))
        rows.append((y, edge[0][0], edge[1][0], edge[0][1], edge[1][1]))
    medial = 1.0 if other[0] > ank[0] else -1.0
    return {"rows": np.array(rows, float), "ankle": ank, "heel": heel, "medial": medial, "shank": shank}


def robust_line(ys: np.ndarray, xs: np.ndarray, k: float = 2.5) -> np.ndarray | None:
    """x = c0·y + c1 fitted with residuals beyond k × MAD (+0.3 px) dropped, iterated."""
    m = np.isfinite(xs)
    if m.sum() < 5:
        return None
    coef = np.polyfit(ys[m], xs[m], 1)
    for _ in range(4):
        r = xs - np.polyval(coef, ys)
        s = 1.4826 * np.median(np.abs(r[m])) + 0.3
        m2 = np.abs(r) < k * s
        if m2.sum() < 5 or (m2 == m).all():
            break
        m = m2
        coef = np.polyfit(ys[m], xs[m], 1)
    return coef


def features(d: dict | None) -> dict[str, float]:
    """The candidate heel features of one foot in one frame (+ = inversion)."""
    if d is None or len(d["rows"]) < 10:
        return {}
    r = d["rows"]
    y, mid = r[:, 0], 0.5 * (r[:, 1] + r[:, 2])
    ank, heel, sh, med = d["ankle"], d["heel"], d["shank"], d["medial"]
    m_sh = (y >= ank[1] - SHANK_TOP * sh) & (y <= ank[1] - SHANK_BOTTOM * sh)
    c_sh = robust_line(y[m_sh], mid[m_sh])
    if c_sh is None:
        return {}
    ok = np.minimum(r[:, 3], r[:, 4]) > GRADIENT_MIN * np.median(np.minimum(r[m_sh, 3], r[m_sh, 4]))
    hl = max(5.0, heel[1] - ank[1])
    a_sh = math.degrees(math.atan(c_sh[0]))
    out = {"shank_deg": a_sh * med}
    m_he = (y >= ank[1]) & (y <= heel[1]) & ok
    c_he = robust_line(y[m_he], mid[m_he])
    if c_he is not None:
        out["rearfoot_deg"] = (math.degrees(math.atan(c_he[0])) - a_sh) * med
        axis = np.polyval(c_sh, y[m_he])
        lat = np.where(med > 0, axis - r[m_he, 1], r[m_he, 2] - axis)
        mdl = np.where(med > 0, r[m_he, 2] - axis, axis - r[m_he, 1])
        out["ecc_pct"] = -float(np.median(lat - mdl)) / sh * 100.0
    for key, top in (("below_pct", ank[1]), ("low_pct", heel[1])):
        m = (y >= top) & (y <= heel[1] + LOW_ROWS * hl) & ok
        if m.sum() >= 3:
            out[key] = -float(np.median((mid[m] - np.polyval(c_sh, y[m])) * med)) / sh * 100.0
    return out


def landmark_shank(clip: Path, per_frame: list[dict]) -> list[dict]:
    """Adds ``shank_lm_deg``: the knee→ankle landmark line's tilt from the image vertical (+ = the
    ankle towards the midline), the landmarks' version of ``shank_deg``, for comparison."""
    for f, rec in zip(TrackReader(clip.with_name(clip.name + ".track.jsonl.gz")), per_frame):
        if f.image is None:
            continue
        for s, (k, a, _, o) in SIDES.items():
            knee, ank, other = (f.image[i, :2] * (f.width, f.height) for i in (k, a, o))
            med = 1.0 if other[0] > ank[0] else -1.0
            rec[s]["shank_lm_deg"] = math.degrees(math.atan2(ank[0] - knee[0], ank[1] - knee[1])) * med
    return per_frame


def top_frames(clip: Path, stride: int) -> set[int]:
    """Every ``stride``-th frame of each true rep's top (true heel height ≥ half the rep's peak)."""
    truth = json.loads(clip.with_name(clip.name + ".truth.json").read_text())
    t = np.array(truth["frames"]["t_s"])
    hh = np.max([truth["frames"]["feet"][s]["heel_height_cm"] for s in SIDES], axis=0)
    out: set[int] = set()
    for r in truth["reps"]:
        idx = np.flatnonzero((t >= r["start_s"]) & (t <= r["end_s"]))
        out |= set(idx[hh[idx] >= 0.5 * hh[idx].max()][::stride].tolist())
    return out


def measure_clip(clip: Path, cache: Path | None, source: str = "image", stride: int = 3) -> list[dict]:
    """Per frame: {side: features} from the clip's video and its landmark track.

    ``source="image"``: the outline from the frame's colour gradients (every frame).  ``"mask"``:
    from the full pose model's segmentation mask of the frame (IMAGE mode, the mask as a grey
    image), only on every ``stride``-th frame of the true rep tops (the model is slow); the crops
    are placed by the track's landmarks either way."""
    cached = cache / f"{clip.parent.name}_{clip.name}.{source}.pkl" if cache else None
    if cached and cached.is_file():
        return pickle.loads(cached.read_bytes())
    frames = list(TrackReader(clip.with_name(clip.name + ".track.jsonl.gz")))
    cap = cv2.VideoCapture(str(clip.with_name(clip.name + ".mp4")))
    segmenter = None
    if source == "mask":
        import sys

        sys.modules.setdefault("sounddevice", None)  # as footform.io.pose does: no PortAudio probing
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        from footform.io.pose import resolve_model

        segmenter = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=resolve_model("full").path),
            running_mode=vision.RunningMode.IMAGE, output_segmentation_masks=True))
        wanted = top_frames(clip, stride)
    out = []
    for i, f in enumerate(frames):
        ok, img = cap.read()
        if not ok:
            break
        if f.image is None:
            out.append({s: {} for s in SIDES})
            continue
        if segmenter is not None:
            if i not in wanted:
                out.append({s: {} for s in SIDES})
                continue
            res = segmenter.detect(mp.Image(image_format=mp.ImageFormat.SRGB,
                                            data=np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))))
            if not res.segmentation_masks:
                out.append({s: {} for s in SIDES})
                continue
            m = (np.clip(res.segmentation_masks[0].numpy_view()[:, :, 0], 0, 1) * 255).astype(np.uint8)
            img = cv2.merge([m, m, m])
        out.append({s: features(outline_rows(img, f.image, s)) for s in SIDES})
    if segmenter is not None:
        segmenter.close()
    if cached:
        cached.write_bytes(pickle.dumps(out))
    return out


def seed_of(clip: Path) -> int:
    sc = clip.with_name(clip.name + ".scenario.toml")
    return tomllib.loads(sc.read_text())["clip"]["seed"] if sc.is_file() else 0


def foot_reps(clip: Path, per_frame: list[dict], standing: bool = False) -> list[dict]:
    """One row per true rep and working foot: signed fault (deg, + inversion) and each feature
    (``standing``: minus its median over the standing frames)."""
    truth = json.loads(clip.with_name(clip.name + ".truth.json").read_text())
    t = np.array(truth["frames"]["t_s"])[: len(per_frame)]
    seed = seed_of(clip)
    cap = cv2.VideoCapture(str(clip.with_name(clip.name + ".mp4")))  # the video's own size (re-encodes differ from the truth's)
    size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
    cap.release()
    rows = []
    for s in SIDES:
        if truth.get("legs") in ("left", "right") and s != truth["legs"]:
            continue
        hh = np.array(truth["frames"]["feet"][s]["heel_height_cm"])[: len(per_frame)]
        with np.errstate(all="ignore"):
            base = {k: np.nanmedian([per_frame[i][s].get(k, np.nan) for i in np.flatnonzero(hh < 0.5)] or [np.nan])
                    if standing else 0.0 for k in FEATURES}
        for r in truth["reps"]:
            fault = 0.0
            for f in truth.get("faults") or []:
                if f["kind"] in ("heel_inversion", "heel_eversion") and r["number"] in (f.get("reps") or []) \
                        and f["side"] in ("both", s):
                    fault = float(f["magnitude"]) * (1.0 if f["kind"] == "heel_inversion" else -1.0)
            idx = np.flatnonzero((t >= r["start_s"]) & (t <= r["end_s"]))
            if idx.size == 0:
                continue
            top = idx[hh[idx] >= 0.5 * hh[idx].max()]
            with np.errstate(all="ignore"):
                vals = {k: float(np.nanmean([per_frame[i][s].get(k, np.nan) for i in top]) - base[k]) for k in FEATURES}
            rows.append({"clip": clip.name, "split": "calibration" if seed % 2 == 0 else "test",
                         "view": truth["view"], "size": size,
                         "side": s, "rep": r["number"], "fault_deg": fault, **vals})
    return rows


def against_reference(rows: list[dict]) -> list[dict]:
    """The same foot-reps, each feature minus the same foot's first rep of the clip when that rep is
    clean (a reference rep the user would declare well done); the reference rows themselves drop out."""
    ref = {(r["clip"], r["side"]): r for r in rows if r["rep"] == 1 and r["fault_deg"] == 0}
    out = []
    for r in rows:
        base = ref.get((r["clip"], r["side"]))
        if base is None or r is base:
            continue
        out.append({**r, **{k: r[k] - base[k] for k in FEATURES}})
    return out


def view_group(view: str) -> str:
    return "back three-quarter" if view.startswith("back-three") else view


def score(rows: list[dict], feature: str, size: str = "1280x720") -> list[str]:
    """Thresholds just beyond the calibration clean foot-reps at ``size``; recall and precision per
    split and picture size with those thresholds."""
    cal_clean = [r[feature] for r in rows if r["split"] == "calibration" and r["fault_deg"] == 0
                 and r["size"] == size and np.isfinite(r[feature])]
    if not cal_clean:
        return [f"{feature}: no calibration clean foot-reps at {size}"]
    hi, lo = max(cal_clean), min(cal_clean)
    out = [f"**{feature}**: thresholds from {len(cal_clean)} calibration clean foot-reps at {size}: "
           f"inversion > {hi:+.2f}, eversion < {lo:+.2f}"]
    for split, sz in sorted({(r["split"], r["size"]) for r in rows}):
        sub = [r for r in rows if r["split"] == split and r["size"] == sz]
        flags = right = clean = false_clean = 0
        per: dict[float, list[int]] = {}
        vals_clean = [r[feature] for r in sub if r["fault_deg"] == 0 and np.isfinite(r[feature])]
        for r in sub:
            v = r[feature]
            flag = 1 if v > hi else -1 if v < lo else 0
            flags += flag != 0
            right += flag != 0 and r["fault_deg"] != 0 and flag == np.sign(r["fault_deg"])
            if r["fault_deg"]:
                p = per.setdefault(r["fault_deg"], [0, 0])
                p[0] += flag == np.sign(r["fault_deg"])
                p[1] += 1
            else:
                clean += 1
                false_clean += flag != 0
        big = [v for k, v in per.items() if abs(k) >= 10]
        n_big = sum(v[1] for v in big)
        rec = f"{sum(v[0] for v in big) / n_big:.2f}" if n_big else "–"
        mags = "; ".join(f"{'inv' if k > 0 else 'ev'} {abs(k):g}°: {v[0]}/{v[1]}" for k, v in sorted(per.items()))
        spread = f"{min(vals_clean):+.2f} to {max(vals_clean):+.2f}" if vals_clean else "–"
        out.append(f"  {split} {sz}: recall ≥ 10° {rec}, precision {right}/{flags}, clean foot-reps {clean} "
                   f"(read {spread}; {false_clean} flagged); {mags or 'no faults'}")
    return out


def cost(clip: Path, n: int = 60) -> str:
    """Per-frame cost of the two feet's measurement against the full pose model on the same frames."""
    from footform.io.pose import PoseEstimator, resolve_model

    frames = list(TrackReader(clip.with_name(clip.name + ".track.jsonl.gz")))[:n]
    cap = cv2.VideoCapture(str(clip.with_name(clip.name + ".mp4")))
    imgs = [cap.read()[1] for _ in frames]
    t0 = time.perf_counter()
    for img, f in zip(imgs, frames):
        for s in SIDES:
            features(outline_rows(img, f.image, s))
    t_img = (time.perf_counter() - t0) / len(imgs)
    with PoseEstimator(resolve_model("full"), pad_top=0.0, motion=False) as est:
        t0 = time.perf_counter()
        for k, img in enumerate(imgs):
            est.process_rgb(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), k, k / 30.0)
        t_pose = (time.perf_counter() - t0) / len(imgs)
    return (f"cost on {len(imgs)} frames of {clip.name}: image heel measurement {t_img * 1000:.1f} ms/frame, "
            f"pose model {t_pose * 1000:.1f} ms/frame: ratio {t_img / t_pose:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+", help="clips (.mp4), truth files or folders of them")
    ap.add_argument("--cache", help="folder for per-clip measurements (pickles), reused when present")
    ap.add_argument("--cost", action="store_true", help="also time the measurement against the pose model")
    ap.add_argument("--rows", action="store_true", help="print every foot-rep")
    ap.add_argument("--mask", action="store_true", help="measure the outline on the pose model's segmentation "
                    "mask instead of the image (re-runs the model on every 3rd frame of the rep tops)")
    ap.add_argument("--reference", action="store_true", help="score each foot-rep against the same foot's "
                    "first rep of the clip when that is clean (the other reps of clips without one drop out)")
    ap.add_argument("--standing", action="store_true", help="subtract each feature's standing median (as heel_in does)")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", "All-NaN slice|Mean of empty slice", RuntimeWarning)  # unmeasured feet
    clips: list[Path] = []
    for p in map(Path, args.inputs):
        names = sorted(p.glob("*.truth.json")) if p.is_dir() else [p]
        for q in names:
            stem = q.name.split(".")[0]
            c = q.with_name(stem)
            if c.with_name(stem + ".track.jsonl.gz").is_file() and c.with_name(stem + ".mp4").is_file():
                clips.append(c)
    cache = Path(args.cache) if args.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for c in clips:
        truth = json.loads(c.with_name(c.name + ".truth.json").read_text())
        if truth.get("exercise") != "calf_raise" or not truth["view"].startswith("back"):
            continue
        per_frame = landmark_shank(c, measure_clip(c, cache, "mask" if args.mask else "image"))
        rows += foot_reps(c, per_frame, args.standing)
    if args.reference:
        rows = against_reference(rows)
    if args.rows:
        for r in rows:
            print(f"{r['split'][:4]} {r['clip'][:40]:40s} {r['size']:9s} {r['side']:5s} rep {r['rep']} {r['fault_deg']:+5.0f}° "
                  + " ".join(f"{k}={r[k]:+6.2f}" for k in FEATURES))
    for view in sorted({view_group(r["view"]) for r in rows}):
        print(f"\n## {view}")
        for k in FEATURES:
            print("\n".join(score([r for r in rows if view_group(r["view"]) == view], k)))
    if args.cost and clips:
        print(cost(clips[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
