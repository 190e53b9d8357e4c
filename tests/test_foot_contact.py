"""Foot contact (exercises/contact.py) on hand-made signal streams: the low-lift evidence.

The streams are the three signals contact reads (FL): the image elevation of the right foot's lowest
point over the left's, the same from the model's world landmarks, and the image ankle-height
difference; their levels copy what the pose model gave on the rendered clips named in each test.
"""

import numpy as np

from footform.exercises.contact import FootContact

FPS = 30.0


def _run(stream):
    """Feed ``(t, elev, world, ankle)`` rows; return the finished lifts and the one still up."""
    c = FootContact()
    lifts = []
    for t, elev, world, ankle in stream:
        c.step(t, elev, world=world, ankle=ankle, foot_ok={"left": True, "right": True})
        lifts += c.finished
    return lifts, c.current


def _piecewise(segments, seed=0, noise=(0.01, 0.01, 0.01)):
    """``segments``: (duration s, (elev, world, ankle) at the start, the same at the end) — linear in
    between — with Gaussian noise of the given σ (FL) on each signal."""
    rng = np.random.default_rng(seed)
    t0, rows = 0.0, []
    for dur, a, b in segments:
        n = int(round(dur * FPS))
        for i in range(n):
            u = i / n
            v = [x0 + (x1 - x0) * u + rng.normal(0.0, s) for x0, x1, s in zip(a, b, noise)]
            rows.append((t0 + i / FPS, *v))
        t0 += n / FPS
    return rows


DOWN = (0.0, 0.0, 0.0)


def _one_right_lift(stream, off, on):
    """The stream holds exactly one lift, of the right foot, lifted and set down within the windows (s)."""
    lifts, current = _run(stream)
    assert current is None
    (lift,) = lifts
    assert lift.lifted_side == "right"
    assert off[0] <= lift.t_off <= off[1] and on[0] <= lift.t_on <= on[1]


def test_low_lift_whose_world_elevation_sags_stays_up_until_set_down():
    """A 5–8 cm bent-knee lift (rendered sls_right_three-quarter-right_hipdrop_03): the world elevation
    reads 0.13 FL after lift-off and sags to 0.04–0.08 FL while the image ankle stays ~0.3 FL up.  The
    foot is up until it is set down at 10 s, not when the world elevation sags at 5 s."""
    up, sag = (0.05, 0.14, 0.30), (0.03, 0.05, 0.28)
    stream = _piecewise([(3.0, DOWN, DOWN), (0.3, DOWN, up), (1.7, up, up), (0.5, up, sag), (4.5, sag, sag),
                         (0.2, sag, DOWN), (2.0, DOWN, DOWN)], seed=1)
    _one_right_lift(stream, off=(3.0, 3.4), on=(10.0, 10.3))


def test_slowly_rising_low_lift_is_not_taken_for_the_standing_level():
    """A 3 cm lift seen from behind (rendered back and back-three-quarter low3 clips): the world
    elevation takes ~1 s to creep up to 0.08 FL, the image to 0.10–0.12 FL.  It is a lift, found
    within the 1 s of agreement after the evidence begins, and ends when the foot is down again."""
    up = (0.10, 0.08, 0.12)
    # (noise σ 0.005 FL: the detection-smoothed signals of the renders vary about that much frame to frame)
    stream = _piecewise([(3.0, DOWN, DOWN), (1.0, DOWN, up), (7.0, up, up), (0.3, up, DOWN), (2.0, DOWN, DOWN)],
                        seed=2, noise=(0.005, 0.005, 0.005))
    _one_right_lift(stream, off=(3.0, 4.2), on=(11.0, 11.4))


def test_low_lift_right_after_the_first_standing_samples_keeps_its_standing_level():
    """A bent-knee lift from a front three-quarter view (rendered
    slstw_right_three-quarter-left_touchbent_6421): standing, the far (right) foot reads 0.41–0.45 FL
    higher, above LIFT_EXIT_FL, so the only standing samples are the 0.2 s before the left foot
    rises (to 0.25 FL below in the image, 0.2 FL in the world, the ankle 0.35 FL).  Dropping the
    rising samples must not leave the lift without a standing level: it stays up until the foot is
    set down at 8 s (the old code ended it 0.3 s after finding it)."""
    stand, near = (0.45, 0.0, 0.0), (0.40, 0.0, 0.0)
    up = (0.16, -0.20, -0.35)
    stream = _piecewise([(1.5, stand, near), (0.2, (0.39, 0.0, 0.0), (0.38, 0.0, 0.0)), (0.3, (0.38, 0.0, 0.0), up),
                         (6.0, up, up), (0.3, up, (0.40, 0.0, 0.0)), (2.0, (0.40, 0.0, 0.0), (0.40, 0.0, 0.0))],
                        seed=5, noise=(0.005, 0.005, 0.005))
    lifts, current = _run(stream)
    assert current is None
    (lift,) = lifts
    assert lift.lifted_side == "left"
    assert 1.6 <= lift.t_off <= 2.8 and 8.0 <= lift.t_on <= 8.6


def test_standing_noise_drift_and_replaced_feet_are_no_lift():
    """Both feet down: noise of the rendered standing clips (world ±0.03 FL, image ±0.02 FL), a foot
    set down further from the camera (the image reads it 0.13 FL higher, the world does not), and the
    world elevation alone drifting 0.10 FL with the image level: no lift, however long."""
    stream = _piecewise([(5.0, DOWN, DOWN), (0.5, DOWN, (0.13, 0.0, 0.13)), (10.0, (0.13, 0.0, 0.13), (0.13, 0.0, 0.13)),
                         (2.0, (0.13, 0.0, 0.13), (0.0, 0.10, 0.0)), (10.0, (0.0, 0.10, 0.0), (0.0, 0.10, 0.0))],
                        seed=3, noise=(0.01, 0.015, 0.01))
    lifts, current = _run(stream)
    assert lifts == [] and current is None


def test_low_base_is_the_median_of_the_newest_old_enough_standing_samples():
    """The standing offsets are walked from the newest sample (the samples are in time order), and
    must equal the definition: medians over the last OFFSET_WINDOW both-down samples at least
    LOW_BASE_LAG_S old, all samples while none is that old, NaNs left out per signal."""
    from footform.exercises.contact import LOW_BASE_LAG_S, OFFSET_WINDOW

    def by_definition(both, t):
        old = [b for b in both if b[0] <= t - LOW_BASE_LAG_S] or list(both)
        old = old[-OFFSET_WINDOW:]
        meds = []
        for i in (1, 2, 3):
            v = [b[i] for b in old if np.isfinite(b[i])]
            meds.append(float(np.median(v)) if v else float("nan"))
        return meds

    rng = np.random.default_rng(3)
    c = FootContact()
    checked = 0
    for i in range(400):
        t = i / 30
        world = float("nan") if i % 7 == 0 else float(rng.normal(0, 0.02))
        ankle = float("nan") if 100 <= i < 160 else float(rng.normal(0, 0.02))
        c._both.append((t, float(rng.normal(0, 0.02)), world, ankle))
        for probe in (t, t + 0.5, t + 3.0):
            got = c._low_base(probe)
            want = by_definition(c._both, probe)
            assert np.allclose(got, want, rtol=0, atol=0, equal_nan=True), (i, probe, got, want)
            checked += 1
        if i == 250:
            c.reset()
    assert checked == 1200


# A 4 cm lift seen from the front at 1280×720 (rendered slsth_right_front_touch_6101, here as the
# right foot): lowest point 0.12 FL, world 0.18 FL, ankle 0.17 FL over their standing levels.  In its
# 0.4 s toe tap the world elevation stayed at 0.165 FL, the lowest point came down to 0.02 FL and the
# ankle only to 0.057 FL — above the hysteresis's LOW_IMAGE_FL (0.05 FL), under half its level.
LOW_FRONT_UP = (0.12, 0.18, 0.17)
TAP = (0.02, 0.165, 0.057)


def _tap_stream(dip, dip_s, seed, up=LOW_FRONT_UP):
    """Down 3 s, a 0.3 s rise, 3 s up, 0.2 s down to ``dip`` held ``dip_s`` (from 6.5 s), 0.2 s back up,
    4 s up, 0.3 s down (from 9.3 s + ``dip_s``), 2 s down (noise σ 0.005 FL, as the detection-smoothed renders)."""
    return _piecewise([(3.0, DOWN, DOWN), (0.3, DOWN, up), (3.0, up, up), (0.2, up, dip), (dip_s, dip, dip),
                       (0.2, dip, up), (4.0, up, up), (0.3, up, DOWN), (2.0, DOWN, DOWN)],
                      seed=seed, noise=(0.005, 0.005, 0.005))


def test_short_tap_of_a_low_front_lift_seen_by_the_image_alone_is_a_touch_down():
    """The toe tap above (dip from 6.5 s to 6.9 s): the lowest point and the ankle both fall under
    TAP_FRAC of the lift's own level for 0.4 s and rise back, so the foot was set down and lifted
    again — two lifts, the first ending in the dip, the second starting as the foot rises — though
    the world elevation never came down and the ankle stayed above the absolute hysteresis."""
    lifts, current = _run(_tap_stream(TAP, 0.4, seed=4))
    first, second = lifts
    assert first.lifted_side == second.lifted_side == "right"
    assert 3.0 <= first.t_off <= 3.4 and 6.4 <= first.t_on <= 6.75
    assert 6.85 <= second.t_off <= 7.15 and 11.1 <= second.t_on <= 11.5
    assert current is None


def test_dips_that_are_no_tap_keep_the_low_lift_up():
    """Not a tap, each one lift from ~3 s to its set-down: a dip under half the level but above the
    hysteresis, held 2 s (a hip drop holds the free foot lower for seconds — the 8° one of rendered
    slsg_right_front_hipdrop_8009 took the lowest point to 0.05 FL and the ankle to 0.55 of its level:
    a sag, not a tap); a 0.4 s dip to 0.6 of the level (over the
    calibration holds the points stayed above 0.69 of their levels outside touch-downs); a dip of
    the ankle alone when the lowest point never showed the lift (a foot held forward, seen from the
    front: sls_right_front_hipdrop_09's lowest point read −0.02 FL through its hold)."""
    half_dip = tuple(0.6 * v if i != 1 else v for i, v in enumerate(LOW_FRONT_UP))
    forward_up, forward_dip = (0.0, 0.2, 0.25), (0.0, 0.2, 0.06)
    sag = (0.04, 0.15, 0.075)
    for stream in (_tap_stream(sag, 2.0, seed=5), _tap_stream(half_dip, 0.4, seed=6),
                   _tap_stream(forward_dip, 0.4, seed=7, up=forward_up)):
        _one_right_lift(stream, off=(3.0, 3.4), on=(11.1, 13.1))


def test_low_lift_set_down_with_a_lagging_ankle_is_dated_when_the_whole_foot_is_half_way_down():
    """The low front lift set down at ~7.5 s while the ankle lags 0.07 FL up for 0.4 s more (the
    hysteresis sets the foot down only once it is under 0.05 FL, ~8.0 s): the touch-down is the
    first frame both points were under half their levels, not the hysteresis's."""
    lag = (0.01, 0.12, 0.07)
    stream = _piecewise([(3.0, DOWN, DOWN), (0.3, DOWN, LOW_FRONT_UP), (4.0, LOW_FRONT_UP, LOW_FRONT_UP),
                         (0.2, LOW_FRONT_UP, lag), (0.4, lag, lag), (0.3, lag, DOWN), (2.0, DOWN, DOWN)],
                        seed=8, noise=(0.005, 0.005, 0.005))
    _one_right_lift(stream, off=(3.0, 3.4), on=(7.3, 7.6))
