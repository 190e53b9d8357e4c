"""Footage too small or too unsteady to count calf raises says so (issue #18, item 3).

* the jitter meter measures the landmark noise it is given (synthetic heel heights of known σ),
  not the movement, and never differences across a gap or a cut;
* a downscaled, 15 fps, JPEG-compressed version of the side-view sample (the case of a phone
  video or a person far away) gives one sentence naming the cause and what to do, and a non-zero
  exit, on a terminal too — never a count made of jitter;
* the sample itself keeps its count (tests/test_samples.py) and its jitter is far below the limit;
* feet at the picture's edge are used, feet cut off by it are not: a foot point the model places
  just outside the edge (within :data:`~footform.core.view.EDGE_MARGIN_SHANK`) counts as in the
  picture, farther out the foot is cut off; a calf raise whose feet the edge cuts off on many frames
  says so instead of losing reps silently; the rear sample cut at the bottom so that its feet touch
  the edge still counts its 4 reps, cut through the feet it is not analysable, in one sentence.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import run_cli, run_cli_pty

from footform.core.kinematics import SIG, SIGNAL_NAMES, Kinematics
from footform.core.landmarks import LEGS, PoseFrame
from footform.core.trackability import Trackability, TrackabilityMeter
from footform.core.view import EDGE_MARGIN_SHANK, foot_cut_by_edge, foot_visible
from footform.exercises.base import Setup
from footform.exercises.calf_raise import EDGE_CUT_SHARE_MAX, FOOT_PX_MIN, SNR_MIN, CalfRaise


def _kin(i: int, fps: float, heel: float, cut: bool = False, ok: bool = True) -> Kinematics:
    sig = np.full(len(SIGNAL_NAMES), np.nan)
    sig[SIG["heel_h_left"]] = heel
    sig[SIG["heel_h_right"]] = heel
    return Kinematics(index=i, t_s=i / fps, has_person=True, foot_ok={"left": ok, "right": ok}, view="side-left",
                      shank_px=65.0, foot_px=40.0, cm_per_px=math.nan, cut=cut, signals=sig)


def _feed(meter: TrackabilityMeter, heels: np.ndarray, fps: float, **kw) -> None:
    for i, h in enumerate(heels):
        meter.update(PoseFrame(index=i, t_s=i / fps, width=640, height=360), _kin(i, fps, float(h), **kw))


@pytest.mark.parametrize("sigma", [0.003, 0.01, 0.03])
def test_jitter_is_the_noise_not_the_calf_raises(sigma):
    fps = 30.0
    t = np.arange(600) / fps
    rng = np.random.default_rng(1)
    # four 0.25 FL calf raises a second and a half each, plus white noise of σ
    reps = 0.25 * np.clip(np.sin(2 * np.pi * t / 5.0), 0, None) ** 2
    meter = TrackabilityMeter()
    _feed(meter, reps + rng.normal(0.0, sigma, t.size), fps)
    got = meter.result(fps)
    assert got.jitter_fl == pytest.approx(sigma, rel=0.15)
    assert got.foot_px == pytest.approx(40.0, rel=0.02) and got.width == 640  # 2 % histogram bins


def _calf_raise_with(peaks: list[float]) -> CalfRaise:
    """A finished calf raise whose counted reps peaked at ``peaks`` (FL)."""
    from types import SimpleNamespace

    machine = CalfRaise(Setup())
    machine.counter.reps = [SimpleNamespace(peak_lift=p) for p in peaks]
    return machine


@pytest.mark.parametrize("view, peaks, jitter, countable", [
    ("side-left", [0.2, 0.25], 0.07, True),    # 3.2 × the jitter: side and back count that (synthetic)
    ("side-left", [0.2, 0.25], 0.10, False),   # 2.25 ×
    ("back", [0.12], 0.04, True),
    ("front", [0.2, 0.25], 0.07, False),       # from the front 5 × is needed
    ("front", [0.2, 0.25], 0.04, True),
    ("side-left", [], 0.2, True),              # no rep: no peak to judge (the feet-tracked share decides)
])
def test_reps_must_stand_out_of_the_jitter(view, peaks, jitter, countable):
    t = Trackability(width=1280, height=720, fps=30.0, foot_px=60.0, jitter_fl=jitter)
    reason = _calf_raise_with(peaks).unmeasurable(t, view)
    assert (reason is None) == countable
    if reason:
        assert reason.startswith("The foot landmarks are too unsteady to count calf raises") and "1280×720" in reason
        need = SNR_MIN["front"] if view == "front" else SNR_MIN["default"]
        assert f"{np.median(peaks):.2f} foot lengths" in reason
        assert f"{need:g} times the jitter" in reason


def test_small_feet_are_not_counted_whatever_the_jitter():
    t = Trackability(width=240, height=136, fps=15.0, foot_px=FOOT_PX_MIN - 1, jitter_fl=0.001)
    reason = _calf_raise_with([0.2, 0.2, 0.2, 0.2]).unmeasurable(t, "side-left")
    assert reason and "too small in the picture" in reason and "240×136 video at 15 fps" in reason
    big = Trackability(width=640, height=360, fps=30.0, foot_px=FOOT_PX_MIN + 1, jitter_fl=0.001)
    assert _calf_raise_with([0.2]).unmeasurable(big, "side-left") is None


def test_jitter_is_scaled_to_the_counters_smoothing_time():
    """At 15 fps the counter's 0.06 s smoothing averages half as many frames: √2 more noise."""
    rng = np.random.default_rng(2)
    heels = rng.normal(0.0, 0.008, 300)
    m30, m15 = TrackabilityMeter(), TrackabilityMeter()
    _feed(m30, heels, 30.0)
    _feed(m15, heels, 15.0)
    assert m15.result(15.0).jitter_fl == pytest.approx(math.sqrt(2) * m30.result(30.0).jitter_fl, rel=1e-6)


def test_the_steadier_foot_gives_the_jitter():
    """A swinging free foot moves: the standing foot shows the landmark noise."""
    rng = np.random.default_rng(3)
    meter = TrackabilityMeter()
    t = np.arange(300) / 30.0
    swing = 0.4 * np.sin(2 * np.pi * 1.5 * t) + rng.normal(0, 0.005, t.size)
    still = rng.normal(0, 0.005, t.size)
    for i in range(t.size):
        k = _kin(i, 30.0, 0.0)
        k.signals[SIG["heel_h_left"]], k.signals[SIG["heel_h_right"]] = still[i], swing[i]
        meter.update(PoseFrame(index=i, t_s=t[i], width=640, height=360), k)
    assert meter.result(30.0).jitter_fl == pytest.approx(0.005, rel=0.15)


def test_memory_does_not_grow_with_the_video():
    import tracemalloc

    rng = np.random.default_rng(4)
    meter = TrackabilityMeter()
    _feed(meter, rng.normal(0, 0.01, 300), 30.0)
    tracemalloc.start()
    _feed(meter, rng.normal(0, 0.01, 3000), 30.0)
    grown = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert grown < 20_000


def test_no_difference_is_taken_across_a_gap_or_a_cut():
    # a still person whose heel height jumps by 1 FL at every 10th frame (a cut, or a gap)
    heels = np.repeat(np.arange(30, dtype=float), 10)
    meter = TrackabilityMeter()
    for i, h in enumerate(heels):
        meter.update(PoseFrame(index=i, t_s=i / 30, width=640, height=360), _kin(i, 30.0, float(h), cut=i % 10 == 0))
    assert meter.result(30.0).jitter_fl == 0.0
    gaps = TrackabilityMeter()
    for i, h in enumerate(heels):
        if i % 10 == 0:
            continue  # the frame before each jump is missing: no three consecutive frames span it
        gaps.update(PoseFrame(index=i, t_s=i / 30, width=640, height=360), _kin(i, 30.0, float(h)))
    assert gaps.result(30.0).jitter_fl == 0.0


@pytest.fixture(scope="module")
def phone_clip(samples_dir, tmp_path_factory):
    """A small, 15 fps, JPEG-compressed copy of the side sample (what a phone or a far webcam delivers),
    made the way bench/bench_lowres.py makes the versions the limits were measured on."""
    from bench.bench_lowres import reencode

    path = tmp_path_factory.mktemp("lowq") / "calf_raise_side_240px_15fps.mp4"
    reencode(samples_dir / "calf_raise_side.mp4", path, width=240, every=2, quality=35)
    return path


def _assert_one_reason(text: str) -> None:
    lines = [ln for ln in text.splitlines() if ln.startswith("footform: ")]
    assert len(lines) == 1, text
    line = lines[0]
    assert "too small in the picture to count calf raises" in line and "px long" in line
    assert "240×136 video at 15 fps" in line and "film closer or at a higher resolution" in line
    assert "Traceback" not in text


def test_small_low_frame_rate_video_is_not_counted_and_says_why(phone_clip, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("analyze", str(phone_clip), "--exercise", "calf-raise", "--out", str(out))
    assert proc.returncode != 0
    _assert_one_reason(proc.stderr)
    assert "NOT ANALYSABLE" in proc.stdout
    import json
    summary = json.loads((out / "summary.json").read_text())
    assert summary["analysable"] is False and summary["reps"] == []
    assert summary["quality"]["foot_px"] < FOOT_PX_MIN and summary["quality"]["frame_px"] == "240x136"
    proc = run_cli("sessions")
    assert "not analysable" in proc.stdout


def test_small_video_reason_on_a_terminal(phone_clip, tmp_path):
    status, text = run_cli_pty("analyze", str(phone_clip), "--exercise", "calf-raise", "--no-store",
                               "--out", str(tmp_path / "out"))
    assert status != 0
    _assert_one_reason(text.replace("\r", ""))


def test_the_full_size_sample_is_steady(samples_dir, tmp_path):
    import json
    out = tmp_path / "out"
    proc = run_cli("analyze", str(samples_dir / "calf_raise_side.mp4"), "--no-store", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    q = json.loads((out / "summary.json").read_text())["quality"]
    # 4 reps of ~0.15 FL stand ~40 × above the jitter; the feet are twice the smallest size
    assert q["heel_jitter_fl"] < 0.01 and q["foot_px"] > 2 * FOOT_PX_MIN


# ---- feet at the picture's edge and feet cut off by it ----

def _standing(toe_below_edge_px: float, toe_seen: float = 0.95, height: int = 360) -> PoseFrame:
    """One frame of a person whose legs stand in a 640×``height`` picture: shanks 100 px long, heels
    and ankles inside, the toe points ``toe_below_edge_px`` below the bottom edge (negative: above)."""
    image = np.zeros((33, 5), np.float32)
    image[:, 3:] = 0.95
    for side, x in (("left", 300.0), ("right", 340.0)):
        leg = LEGS[side]
        for idx, y in ((leg.hip, height - 220.0), (leg.knee, height - 140.0), (leg.ankle, height - 40.0),
                       (leg.heel, height - 30.0), (leg.toe, height + toe_below_edge_px)):
            image[idx, :2] = (x / 640.0, y / height)
        image[leg.toe, 3] = toe_seen
    return PoseFrame(0, 0.0, 640, height, image=image, world=None, n_people=1)


def test_a_foot_at_the_edge_is_in_the_picture_and_one_cut_off_is_not():
    margin_px = EDGE_MARGIN_SHANK * 100.0
    inside, at_edge, cut = _standing(-5.0), _standing(0.8 * margin_px), _standing(1.5 * margin_px)
    assert foot_visible(inside, "left") and not foot_cut_by_edge(inside, "left")
    assert foot_visible(at_edge, "left") and not foot_cut_by_edge(at_edge, "left")
    assert not foot_visible(cut, "left") and foot_cut_by_edge(cut, "left")
    # a toe the model does not see is neither in the picture nor cut off by it (it is hidden)
    hidden = _standing(1.5 * margin_px, toe_seen=0.2)
    assert not foot_visible(hidden, "left") and not foot_cut_by_edge(hidden, "left")


def test_the_meter_counts_the_frames_whose_feet_the_edge_cuts_off():
    meter = TrackabilityMeter()
    frames = [_standing(-5.0)] * 30 + [_standing(20.0)] * 10
    for i, f in enumerate(frames):
        meter.update(f, _kin(i, 30.0, 0.0, ok=i < 30))
    assert meter.result(30.0).edge_cut_share == pytest.approx(10 / 40)
    assert TrackabilityMeter().result(30.0).edge_cut_share is None
    # a foot cut off while the frame still has the feet its view needs (from the side, the near
    # foot) costs nothing: not counted
    side = TrackabilityMeter()
    for i, f in enumerate(frames):
        side.update(f, _kin(i, 30.0, 0.0, ok=True))
    assert side.result(30.0).edge_cut_share == 0.0


@pytest.mark.parametrize("share, countable", [(0.0, True), (0.6 * EDGE_CUT_SHARE_MAX, True),
                                              (EDGE_CUT_SHARE_MAX, False), (0.5, False)])
def test_feet_cut_off_by_the_edge_are_no_count(share, countable):
    t = Trackability(width=640, height=300, fps=30.0, foot_px=40.0, jitter_fl=0.005, edge_cut_share=share)
    reason = _calf_raise_with([0.2, 0.22]).unmeasurable(t, "front")
    assert (reason is None) == countable
    if reason:
        assert reason.startswith(f"The edge of the picture cut off part of a foot on {100 * share:.0f} % of the frames")
        assert reason.endswith("step back or tilt the camera so that both feet, toes included, are in the picture.")


@pytest.fixture(scope="module")
def rear_crops(samples_dir, tmp_path_factory):
    """The rear calf-raise sample cut at the bottom: its lowest foot point on the edge, and 0.3 FL beyond it."""
    from helpers import crop_below_feet

    d = tmp_path_factory.mktemp("crops")
    out = {}
    for name, beyond in (("at_edge", 0.0), ("cut_off", 0.3)):
        out[name] = d / f"calf_raise_back_sickling_{name}.mp4"
        crop_below_feet(samples_dir / "calf_raise_back_sickling.mp4", samples_dir / "calf_raise_back_sickling.truth.json",
                        beyond, out[name])
    return out


def test_feet_on_the_bottom_edge_still_count(rear_crops, tmp_path):
    import json
    out = tmp_path / "out"
    proc = run_cli("analyze", str(rear_crops["at_edge"]), "--exercise", "calf-raise", "--no-store", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["analysable"] and len(s["reps"]) == 4


def test_feet_cut_off_by_the_bottom_edge_say_so_on_a_terminal(rear_crops, tmp_path):
    status, text = run_cli_pty("analyze", str(rear_crops["cut_off"]), "--exercise", "calf-raise", "--no-store",
                               "--out", str(tmp_path / "out"))
    text = text.replace("\r", "")
    assert status != 0 and "Traceback" not in text
    lines = [ln for ln in text.splitlines() if ln.startswith("footform: ")]
    assert len(lines) == 1 and "feet" in lines[0], text
    assert "NOT ANALYSABLE" in text
