import math

import numpy as np

from footform.core.filters import CentredSmoother, jitter_sigma_from_d2


def test_centred_smoother_is_zero_phase_fixed_lag_and_streams():
    sm = CentredSmoother(sigma_s=0.06, half_width=6)
    t = np.arange(300) / 30.0
    x = np.sin(2 * np.pi * 0.8 * t)
    out = []
    for ti, xi in zip(t, x):
        r = sm.push(ti, xi, payload=ti)
        if r is not None:
            out.append(r)
    out += sm.flush()
    assert len(out) == 300
    ts = np.array([o[0] for o in out])
    ys = np.array([o[1] for o in out])
    assert np.allclose(ts, t) and all(o[2] == o[0] for o in out)
    inner = slice(20, 280)
    # no phase shift: peaks stay where they were; 0.8 Hz keeps > 90 % of its amplitude
    assert abs(np.argmax(ys[inner][:40]) - np.argmax(x[inner][:40])) <= 1
    assert 0.9 < ys[inner].max() <= 1.0


def test_centred_smoother_keeps_gaps():
    sm = CentredSmoother(0.05, 3)
    vals = [1.0, 1.0, float("nan"), 1.0, 1.0, 1.0, 1.0]
    out = [sm.push(i / 30, v) for i, v in enumerate(vals)]
    out = [o for o in out if o is not None] + sm.flush()
    assert math.isnan(out[2][1]) and out[3][1] == 1.0


def test_noise_gain_matches_simulation():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1.0, 6000)
    t = np.arange(x.size) / 30
    filt = CentredSmoother(0.025, 6)
    y = np.array([r[1] for r in (filt.push(ti, xi) for ti, xi in zip(t, x)) if r is not None][50:])
    g0, g1 = filt.noise_gain(1 / 30)
    assert abs(np.var(y) / g0 - 1) < 0.1
    assert abs(np.var(np.diff(y)) / g1 - 1) < 0.1


def test_jitter_from_second_differences():
    rng = np.random.default_rng(2)
    t = np.arange(3000) / 30
    x = 0.5 * np.sin(2 * np.pi * 0.3 * t) + rng.normal(0, 0.02, t.size)
    d2 = x[:-2] - 2 * x[1:-1] + x[2:]
    assert abs(jitter_sigma_from_d2(float(np.sum(d2**2)), d2.size) / 0.02 - 1) < 0.05
