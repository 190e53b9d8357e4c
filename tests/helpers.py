"""Helpers shared by several test modules: synthetic stored sessions (summary + landmark track),
opening a report in headless Chromium (tests/test_report.py, tests/test_program.py), live
coaching's analysed frames and layout checks, X screenshots."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import SAMPLES
from synth import generate, lift, rep, still

from footform.analysis.analyzer import AnalysisConfig, FrameResult, analyze_frames
from footform.io.track import TrackWriter, make_header
from footform.outputs.report import find_chromium


def make_session(tmp: Path, kind: str = "calf", view: str = "front", height_cm: float | None = 172.0, seed: int = 1,
                 name: str | None = None) -> tuple[dict, Path]:
    """A synthetic session: (summary dict, landmark track path) from tests/synth.py."""
    if kind == "calf":
        segs = [still(1.5)] + [rep(0.06, 0.5, 0.4, 0.8), still(0.6)] * 5 + [still(1.0)]
        exercise = "calf_raise"
    else:
        segs = [still(1.5), lift("right", 6.0, sway_m=0.012, sway_hz=0.6, wobble_deg=2.0), still(1.5),
                lift("left", 5.0, sway_m=0.02, sway_hz=0.4, wobble_deg=3.0), still(1.5)]
        exercise = "single_leg_stance"
    frames, _ = generate(segs, view=view, seed=seed)
    track = write_track(frames, tmp / f"{name or kind + '_' + view}.track.jsonl.gz")
    summary = analyze_frames(frames, AnalysisConfig(exercise=exercise, height_cm=height_cm)).to_dict()
    return summary, track


def write_track(frames, track: Path) -> Path:
    """Synthetic pose frames as a landmark track file (as `footform analyze` writes one)."""
    with TrackWriter(track, make_header(source={"kind": "video", "name": track.name}, model={"name": "synthetic", "sha256": "0" * 64})) as w:
        for f in frames:
            w.write(f)
    return track


def make_own_session(tmp: Path, kind: str = "stretch") -> tuple[dict, Path]:
    """A calf-stretch (two holds, one paused by a lifted heel) or ankle-pump (two sets: 4 pumps, an 11 s
    pause, 3 pumps; the 3rd one small) session from tests/synth_stretch_pumps.py: (summary, track)."""
    import dataclasses

    from synth_stretch_pumps import pumps, stretch

    if kind == "stretch":
        frames, _ = stretch(front="left", view="side", heel_lift=(6.0, 8.0, 0.04), seed=2)
        more, _ = stretch(front="right", view="side", seed=3)
        exercise, kw = "calf_stretch", {"targets": {"hold_s": 10.0}}
    else:
        frames, _ = pumps(n=4, yaw_deg=45.0, small={3: 0.4})
        more, _ = pumps(n=3, yaw_deg=45.0, seed=3)
        exercise, kw = "ankle_pumps", {}
    gap = frames[-1].t_s + (10.0 if kind == "pumps" else 1 / 30)
    frames += [dataclasses.replace(f, index=f.index + len(frames), t_s=round(f.t_s + gap, 6)) for f in more]
    track = tmp / f"{kind}.track.jsonl.gz"
    with TrackWriter(track, make_header(source={"kind": "video", "name": track.name}, model={"name": "synthetic", "sha256": "0" * 64})) as w:
        for f in frames:
            w.write(f)
    summary = analyze_frames(frames, AnalysisConfig(exercise=exercise, **kw)).to_dict()
    summary["marks"] = [{"t_s": 4.0, "kind": "pain", "rating": 3, "side": "right"}]
    return summary, track


def with_flags(summary: dict) -> dict:
    """The summary with flags and marks as the feedback engine and live mode add them."""
    s = dict(summary)
    reps = s.get("reps") or []
    flags = []
    for r in reps[:2]:
        flags.append({"code": "fast_lowering", "label": "Fast lowering", "severity": "warn", "side": None,
                      "t_start": r["t_top"], "t_end": r["t_end"], "rep": r["index"], "hold": None, "set": None,
                      "message": "Lower your heels more slowly than you raise them.",
                      "description": "lowering phase shorter than the rise",
                      "evidence": {"metric": "lower_to_rise", "value": 0.6, "threshold": 1.0, "compare": "<",
                                   "reference": "absolute", "baseline": None}})
    for h in (s.get("holds") or [])[:1]:
        flags.append({"code": "sway_high", "label": "Large sway", "severity": "info", "side": h["stance_side"],
                      "t_start": h["t_start"] + 1.0, "t_end": h["t_start"] + 2.0, "rep": None, "hold": h["index"],
                      "message": "Try to keep your hips still.", "description": "sway RMS above typical",
                      "evidence": {"metric": "sway_rms", "value": 0.05, "threshold": 1.5, "compare": ">",
                                   "reference": "typical", "typical": 0.03}})
    s["flags"] = flags
    s["marks"] = [{"t_s": 3.0, "kind": "pain", "rating": 4, "side": "left", "note": "sharp at the top"},
                  {"t_s": 6.5, "kind": "cramp", "rating": 2}]
    return s


def need_browser() -> tuple[str, str]:
    """(chromium, chromedriver) paths; skips without them, except in CI (``CI`` set), where it fails."""
    missing = []
    chromium = find_chromium()
    if chromium is None:
        missing.append("chromium")
    driver = shutil.which("chromedriver")
    if driver is None:
        missing.append("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (test extra)")
    if missing:
        msg = f"headless browser checks need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must run them")
        pytest.skip(msg)
    return chromium, driver


def start_browser(profile_dir: Path, *extra_flags: str):
    """Headless Chromium through chromedriver with the PDF's offline flags
    (:data:`footform.outputs.report.CHROMIUM_FLAGS`), a fresh profile in ``profile_dir`` and
    performance/browser logs on (for :func:`open_page`).  Skips (fails in CI) without a browser."""
    chromium, driver_path = need_browser()
    os.environ.setdefault("SE_OFFLINE", "true")     # Selenium Manager must not look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from footform.outputs.report import CHROMIUM_FLAGS

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(60)
    return drv


def open_page(drv, path: Path) -> list[str]:
    """Load a report; return the URLs requested by the page, and every request that left the machine.

    Chromium's own pages (``chrome://…``) are not the report's doing; any request by the report's
    document other than itself, and any http(s)/ws request by anything, is returned.
    """
    uri = path.resolve().as_uri()
    drv.get_log("performance")    # drop what came before
    drv.get(uri)
    assert drv.execute_script("return document.readyState") == "complete"
    urls = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if msg["params"].get("documentURL") == uri or re.match(r"(https?|wss?|ftp):", url):
                urls.append(url)
    return urls


# ---- live coaching: analysed frames for the coach, the overlay's layout rules, the Xvfb screen ----

def fr(t: float, reps: int = 0, phase: str = "down", feet: bool = True, hold_s: float | None = None,
       stance: str = "both", holds: int = 0) -> FrameResult:
    """One analysed frame as the live coach sees it (side view, both feet seen unless ``feet=False``)."""
    return FrameResult(index=int(t * 30), t_s=t, has_person=True, feet_visible=feet, view="side-left", reps=reps,
                       rep_phase=phase, stance=stance, hold_s=hold_s, holds=holds)


def kinds(events) -> list[str]:
    return [e.kind for e in events]


def legs_lm(feet_y: float = 0.95) -> np.ndarray:
    """Landmarks of a person standing in the middle of the picture (only hips to toes seen)."""
    lm = np.zeros((33, 5), np.float32)
    for i, (x, y) in {23: (0.45, 0.5), 25: (0.45, 0.7), 27: (0.45, feet_y - 0.05), 29: (0.43, feet_y - 0.02),
                      31: (0.5, feet_y), 24: (0.55, 0.5), 26: (0.55, 0.7), 28: (0.55, feet_y - 0.05),
                      30: (0.53, feet_y - 0.02), 32: (0.6, feet_y)}.items():
        lm[i] = (x, y, 0.0, 1.0, 1.0)
    return lm



def check_layout(c, where: str = "") -> None:
    """The rules of the live screen's layout, on a :class:`footform.apps.overlay.Composed`."""
    from footform.apps.live.canvas import CANVAS_H, contrast_ratio, overlap_area

    panels = c.panels()
    for t in c.texts():
        (p,) = [p for p in panels if p.name == t.name]
        assert p.rect[0] <= t.rect[0] and p.rect[1] <= t.rect[1] and t.rect[2] <= p.rect[2] and t.rect[3] <= p.rect[3], \
            f"{where}: text {t.text!r} {t.rect} runs out of its panel {p.name} {p.rect}"
        assert contrast_ratio(t.fg, t.bg) >= 4.5, f"{where}: {t.text!r} contrast {contrast_ratio(t.fg, t.bg):.2f}:1"
    for i, p in enumerate(panels):
        if c.feet is not None:
            assert overlap_area(p.rect, c.feet) == 0, f"{where}: panel {p.name} {p.rect} over the feet {c.feet}"
        for q in panels[i + 1:]:
            assert overlap_area(p.rect, q.rect) == 0, f"{where}: panels {p.name} {p.rect} and {q.name} {q.rect} overlap"
    for t in c.texts("counter"):
        if t.role == "digits":   # the glyphs as drawn: white rows inside the digits' box
            x0, y0, x1, y1 = t.rect
            rows = np.nonzero((c.canvas[y0:y1, x0:x1].min(axis=2) > 240).any(axis=1))[0]
            assert rows[-1] - rows[0] + 1 >= 0.18 * CANVAS_H, f"{where}: counter digits {rows[-1] - rows[0] + 1} px tall"



def screenshot(display: str) -> np.ndarray:
    """The whole X screen as a BGR image (``xwd`` output parsed here: no ImageMagick needed)."""
    raw = subprocess.run(["xwd", "-root", "-silent", "-display", display], check=True, capture_output=True, timeout=20).stdout
    h = struct.unpack(">25I", raw[:100])
    header_size, width, height, byte_order, bpp, bpl, ncolors = h[0], h[4], h[5], h[7], h[11], h[12], h[19]
    nb = bpp // 8
    px = np.frombuffer(raw, np.uint8, count=height * bpl, offset=header_size + 12 * ncolors)
    px = px.reshape(height, bpl)[:, : width * nb].reshape(height, width, nb)
    if byte_order == 1:
        px = px[:, :, ::-1]
    return np.ascontiguousarray(px[:, :, :3])


def calf_clip() -> Path:
    """A rendered calf-raise sample if there is one (from behind first: both feet in view), else the
    real Pose2Sim clip (a person in full view, no calf raises)."""
    for name in ("calf_raise_back_sickling.mp4", "calf_raise_side.mp4"):
        if (SAMPLES / name).is_file():
            return SAMPLES / name
    return SAMPLES / "pose2sim_cam01.mp4"


def unpack_guard_clips(src: Path, dst: Path) -> Path:
    """The rules guard's clips (tests/data/rules_guard) as ``tools.render.evaluate`` reads them:
    each ``NAME.truth.json.gz`` unpacked to ``dst/NAME.truth.json`` (byte for byte) and its landmark
    track linked beside it (no video: the evaluator replays the track)."""
    dst.mkdir(parents=True, exist_ok=True)
    for t in sorted(src.glob("*.truth.json.gz")):
        name = t.name.removesuffix(".truth.json.gz")
        (dst / f"{name}.truth.json").write_bytes(gzip.decompress(t.read_bytes()))
        (dst / f"{name}.track.jsonl.gz").symlink_to((src / f"{name}.track.jsonl.gz").resolve())
    return dst


def guard_frames(name: str) -> tuple[list[Any], AnalysisConfig]:
    """The rules guard's landmark track ``name`` (tests/data/rules_guard) as pose frames, and the
    analysis ``footform analyze`` would run on it (exercise and stature from its truth)."""
    from footform.io.track import TrackReader

    guard = Path(__file__).resolve().parent / "data" / "rules_guard"
    truth = json.loads(gzip.decompress((guard / f"{name}.truth.json.gz").read_bytes()))
    cfg = AnalysisConfig(exercise=truth["exercise"], height_cm=round(float(truth["body"]["stature_m"]) * 100.0, 1))
    return list(TrackReader(guard / f"{name}.track.jsonl.gz")), cfg


def replay(frames: list[Any], cfg: AnalysisConfig) -> tuple[Any, list[Any]]:
    """Frames through the Analyzer: ``(summary, live_flags)``, ``live_flags`` being every flag the
    analysis raised frame by frame — what a live session cues and stores as it goes."""
    from footform.analysis.analyzer import Analyzer

    live: list[Any] = []
    an = Analyzer(cfg, on_frame=lambda res: live.extend(res.flags))
    for frame in frames:
        an.step(frame)
    return an.finish(), live


def replay_guard_track(name: str) -> tuple[Any, list[Any]]:
    """:func:`replay` of the rules guard's track ``name`` as ``footform analyze`` would analyse it."""
    return replay(*guard_frames(name))


def crop_below_feet(video: Path, truth: Path, beyond_fl: float, out: Path) -> int:
    """Write ``video`` cut at the bottom so that its lowest foot point (the truth's heels, ankles and
    toe tips: the median over the clip of the lowest one) lies ``beyond_fl`` foot lengths beyond the
    new bottom edge (negative: inside), as a camera tilted up would frame it; returns the new height
    in pixels.  FL = 0.618 × the truth's median shank length in pixels."""
    import cv2

    pts = json.loads(truth.read_text())["frames"]["points_px"]
    shank = np.hypot(*(np.asarray(pts["left_knee"], float) - np.asarray(pts["left_ankle"], float)).T)
    fl = 0.618 * float(np.median(shank))
    feet = [np.asarray(v, float)[:, 1] for k, v in pts.items() if k.endswith(("ankle", "heel", "foot_index"))]
    lowest = float(np.median(np.max(np.stack(feet), axis=0)))
    rows = int(round(lowest - beyond_fl * fl))
    rows -= rows % 2
    cap = cv2.VideoCapture(str(video))
    fps, width = cap.get(cv2.CAP_PROP_FPS), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, rows))
    try:
        while True:
            ok, image = cap.read()
            if not ok:
                break
            writer.write(np.ascontiguousarray(image[:rows]))
    finally:
        cap.release()
        writer.release()
    return rows
