"""Smoothing filters for landmark-derived signals: One-Euro (live) and a centred Gaussian (offline).

Both filters take their time base from the samples' own timestamps (seconds), so variable frame
rate and dropped frames are handled; both treat ``NaN`` as a missing sample; both work on scalars
or on fixed-length numpy vectors (every component filtered independently with the same
parameters).

Which filter for what (see docs/metrics.md, "Filters"):

* **Detection signals** (heel lift, body rise, foot elevation) are smoothed moderately so that
  thresholds are not crossed by jitter: live ``OneEuroFilter(min_cutoff_hz=1.0, beta=5.0)``,
  offline ``CentredSmoother(sigma_s=0.06)``.
* **Sway and ankle wobble** are measured on *lightly* filtered data — ``CentredSmoother(sigma_s=
  0.025)`` offline (−3 dB at 5.3 Hz) or ``LowPass(cutoff_hz=5.0)`` live — so the movement being
  measured (postural sway < 2 Hz, ankle wobble up to ~5 Hz) is kept, and the measurement noise
  floor reported beside each figure is computed for the same filter (:meth:`noise_gain`).

The parameters were chosen on the jitter measured on real footage (shared/footage/README.md:
heel/ankle σ ≈ 1–2 px, toe σ ≈ 2–2.5 px at 1280x720 on a still person).  For a full-body person at
720p the shank is ~130 px, a foot ~80 px, so heel-above-toe jitter is σ ≈ 0.035 foot lengths per
frame; a calf raise moves it by 0.15–0.3 foot lengths over ~0.3–1 s.  The detection smoothers cut
that jitter by ~2.5× (Gaussian, σ = 0.06 s at 30 fps averages ~6 samples) while attenuating a 1 Hz
rep by < 7 % and delaying nothing (offline) or < 1 frame at rep speeds (One-Euro, speed-adaptive).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

ArrayLike = float | np.ndarray


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    """Smoothing factor of a first-order low-pass with cut-off ``cutoff_hz`` for a step ``dt_s``."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    r"""One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): a speed-adaptive first-order low-pass.

    For a sample :math:`x_i` at time :math:`t_i` (step :math:`\Delta t = t_i - t_{i-1}`)::

        dx_i   = (x_i - \hat x_{i-1}) / Δt                       raw speed
        \hat{dx}_i = \hat{dx}_{i-1} + α(f_d, Δt) (dx_i - \hat{dx}_{i-1})   smoothed speed
        f_c    = f_min + β |\hat{dx}_i|                          adaptive cut-off (Hz)
        \hat x_i = \hat x_{i-1} + α(f_c, Δt) (x_i - \hat x_{i-1})
        α(f, Δt) = 1 / (1 + τ/Δt),  τ = 1 / (2π f)

    Slow movement gets the low cut-off ``min_cutoff_hz`` (little jitter), fast movement a higher one
    (little lag).  ``beta`` is in Hz per (signal unit / s), so it depends on the signal's scale:
    footform's detection signals are in foot lengths (a calf raise moves ~0.2 FL at ~0.5–1 FL/s),
    and ``beta = 5`` raises the cut-off to ~3.5–6 Hz during a rise.

    Missing samples (``NaN``) return ``NaN`` and leave the state untouched; a gap longer than
    ``max_gap_s`` resets the filter so that it does not glide from a stale value.

    Args:
        min_cutoff_hz: cut-off at rest, Hz.
        beta: speed coefficient, Hz per (unit/s).
        d_cutoff_hz: cut-off of the speed estimate, Hz.
        max_gap_s: a larger gap between valid samples restarts the filter.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 5.0, d_cutoff_hz: float = 1.0, max_gap_s: float = 0.5) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0:
            raise ValueError("cut-off frequencies must be positive")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.max_gap_s = max_gap_s
        self.reset()

    def reset(self) -> None:
        self._t: float | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def __call__(self, t_s: float, x: ArrayLike) -> ArrayLike:
        """Filter one sample taken at ``t_s`` seconds; returns the filtered value (NaN where missing)."""
        xa = np.asarray(x, dtype=float)
        scalar = xa.ndim == 0
        xa = np.atleast_1d(xa)
        missing = ~np.isfinite(xa)
        if self._x is None or self._t is None or (t_s - self._t) > self.max_gap_s or self._x.shape != xa.shape:
            self._x = xa.copy()
            self._dx = np.zeros_like(xa)
            self._t = t_s
            out = xa.copy()
            return float(out[0]) if scalar else out
        dt = max(t_s - self._t, 1e-6)
        prev = self._x
        # components that were missing before start afresh from the new value
        restart = ~np.isfinite(prev) & ~missing
        prev = np.where(restart, xa, prev)
        dx = np.where(missing, 0.0, (xa - prev) / dt)
        a_d = _alpha(self.d_cutoff_hz, dt)
        dx_hat = self._dx + a_d * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        tau = 1.0 / (2.0 * math.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        x_hat = prev + a * (xa - prev)
        self._x = np.where(missing, prev, x_hat)
        self._dx = np.where(missing, self._dx, dx_hat)
        self._t = t_s
        out = np.where(missing, np.nan, x_hat)
        return float(out[0]) if scalar else out


class LowPass:
    r"""First-order (exponential) low-pass with a fixed cut-off, time-aware: the live light filter.

    :math:`\hat x_i = \hat x_{i-1} + α (x_i - \hat x_{i-1})`, :math:`α = 1/(1 + τ/Δt)`,
    :math:`τ = 1/(2π f_c)`.  It is the One-Euro filter with ``beta = 0``.  NaN = missing sample.
    """

    def __init__(self, cutoff_hz: float = 5.0, max_gap_s: float = 0.5) -> None:
        self.cutoff_hz = cutoff_hz
        self._f = OneEuroFilter(min_cutoff_hz=cutoff_hz, beta=0.0, max_gap_s=max_gap_s)

    def reset(self) -> None:
        self._f.reset()

    def __call__(self, t_s: float, x: ArrayLike) -> ArrayLike:
        return self._f(t_s, x)

    def noise_gain(self, dt_s: float) -> tuple[float, float]:
        """Variance gains for white input noise: (of the output, of its first difference).

        Computed from the (truncated) impulse response :math:`w_k = α(1-α)^k`: output variance is
        σ²·Σw², variance of the difference of successive outputs σ²·Σ(w_k − w_{k−1})².
        """
        a = _alpha(self.cutoff_hz, dt_s)
        k = np.arange(200)
        w = a * (1 - a) ** k
        dw = np.diff(np.concatenate([[0.0], w]))
        return float(np.sum(w**2)), float(np.sum(dw**2))


class CentredSmoother:
    r"""Zero-phase Gaussian smoother that streams with bounded memory and a fixed lag.

    Each output is the Gaussian-weighted mean of the valid samples within ``half_width`` samples
    either side of the centre sample, with weights from the *timestamps*::

        \hat x(t_c) = Σ_k w_k x_k / Σ_k w_k,   w_k = exp(-(t_k - t_c)² / (2 σ²)),  |k - c| ≤ H

    The kernel is symmetric in time, so the output has no phase lag relative to the centre
    sample; the price is a fixed delay of ``half_width`` *samples* before a sample comes out
    (``H = 6`` → 0.2 s at 30 fps).  Memory is ``2H + 1`` samples.  Missing samples (``NaN``) are
    left out of the average; a missing centre stays missing (gaps are never filled in).  The
    frequency response is :math:`\exp(-2π²σ²f²)`: −3 dB (amplitude 0.707) at :math:`f = 0.1325/σ`
    (σ = 0.06 s → 2.2 Hz, a 1 Hz rep keeps 93 % of its height; σ = 0.025 s → 5.3 Hz).

    Usage: ``push(t, x, payload)`` returns ``(t_c, x̂_c, payload_c)`` for the sample ``H`` pushes
    ago, or ``None`` while the window fills; :meth:`flush` returns the remaining samples at the end
    (evaluated on the truncated window).
    """

    def __init__(self, sigma_s: float = 0.06, half_width: int = 6) -> None:
        if sigma_s <= 0 or half_width < 0:
            raise ValueError("sigma_s must be > 0 and half_width >= 0")
        self.sigma_s = sigma_s
        self.half_width = half_width
        self._buf: deque[tuple[float, np.ndarray, Any]] = deque(maxlen=2 * half_width + 1)
        self._emitted = 0  # index (within the stream) of the next sample to emit
        self._pushed = 0

    @property
    def lag_samples(self) -> int:
        return self.half_width

    def reset(self) -> list[tuple[float, ArrayLike, Any]]:
        """Emit what is pending (as at the end of a stream) and start afresh."""
        out = self.flush()
        self._buf.clear()
        self._emitted = self._pushed = 0
        return out

    def _value_at(self, c: int) -> np.ndarray:
        """Smoothed value for buffer position ``c``."""
        t_c, x_c, _ = self._buf[c]
        ts = np.fromiter((b[0] for b in self._buf), float, len(self._buf))
        xs = np.stack([b[1] for b in self._buf])
        w = np.exp(-0.5 * ((ts - t_c) / self.sigma_s) ** 2)
        valid = np.isfinite(xs)
        wv = np.where(valid, w[:, None] if xs.ndim == 2 else w, 0.0)
        num = np.sum(np.where(valid, xs, 0.0) * wv, axis=0)
        den = np.sum(wv, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = num / den
        return np.where(np.isfinite(x_c), out, np.nan)

    def push(self, t_s: float, x: ArrayLike, payload: Any = None) -> tuple[float, ArrayLike, Any] | None:
        xa = np.asarray(x, dtype=float)
        self._buf.append((t_s, xa, payload))
        self._pushed += 1
        if self._pushed <= self.half_width:
            return None
        # the centre is the sample half_width pushes ago
        c = len(self._buf) - 1 - self.half_width
        self._emitted += 1
        t_c, x_c, p_c = self._buf[c]
        v = self._value_at(c)
        return t_c, (float(v) if xa.ndim == 0 else v), p_c

    def flush(self) -> list[tuple[float, ArrayLike, Any]]:
        out = []
        n_pending = self._pushed - self._emitted
        for c in range(len(self._buf) - n_pending, len(self._buf)):
            t_c, x_c, p_c = self._buf[c]
            v = self._value_at(c)
            out.append((t_c, (float(v) if np.ndim(x_c) == 0 else v), p_c))
        self._emitted = self._pushed
        return out

    def noise_gain(self, dt_s: float) -> tuple[float, float]:
        """Variance gains for white input noise at sample step ``dt_s``: (output, first difference)."""
        k = np.arange(-self.half_width, self.half_width + 1)
        w = np.exp(-0.5 * (k * dt_s / self.sigma_s) ** 2)
        w /= w.sum()
        dw = np.diff(np.concatenate([[0.0], w, [0.0]]))
        return float(np.sum(w**2)), float(np.sum(dw**2))


def jitter_sigma_from_d2(sum_d2_sq: float, n: int) -> float:
    r"""White-noise σ from the mean square of second differences.

    For white noise of variance σ², :math:`d2_i = x_{i-1} - 2x_i + x_{i+1}` has variance 6σ², while a
    smooth movement contributes only :math:`x''Δt²` (a 1 Hz sway of amplitude A at 30 fps adds
    0.044 A).  So :math:`σ ≈ \sqrt{\overline{d2^2}/6}` estimates the landmark jitter from the same
    recording; real movement above ~5 Hz also adds to it, so it is an upper bound of the jitter.
    """
    if n <= 0:
        return float("nan")
    return math.sqrt(sum_d2_sq / n / 6.0)
