"""Smoothing filters for landmark-derived signals: a centred (zero-phase) Gaussian with a fixed lag.

The filter takes its time base from the samples' own timestamps (seconds), so variable frame rate
and dropped frames are handled; it treats ``NaN`` as a missing sample; it works on scalars or on
fixed-length numpy vectors (every component filtered independently with the same parameters).
Live coaching and offline analysis use the same filter (the live screen runs ``half_width``
frames behind the camera, 0.2 s at 30 fps), so both give the same results from the same frames;
an earlier causal One-Euro / first-order pair for live was removed because it moved rep peaks near
a threshold across it (docs/architecture.md).

Which filter for what (see docs/metrics.md, "Filters"):

* **Detection signals** (heel lift, body rise, foot elevation) are smoothed moderately so that
  thresholds are not crossed by jitter: ``CentredSmoother(sigma_s=0.06)``.
* **Sway and ankle wobble** are measured on *lightly* filtered data — ``CentredSmoother(sigma_s=
  0.025)`` (−3 dB at 5.3 Hz) — so the movement being
  measured (postural sway < 2 Hz, ankle wobble up to ~5 Hz) is kept, and the measurement noise
  floor reported beside each figure is computed for the same filter (:meth:`noise_gain`).

The parameters were chosen on the jitter measured on real footage (shared/footage/README.md:
heel/ankle σ ≈ 1–2 px, toe σ ≈ 2–2.5 px at 1280x720 on a still person).  For a full-body person at
720p the shank is ~130 px, a foot ~80 px, so heel-above-toe jitter is σ ≈ 0.035 foot lengths per
frame; a calf raise moves it by 0.15–0.3 foot lengths over ~0.3–1 s.  The detection smoothers cut
that jitter by ~2.5× (Gaussian, σ = 0.06 s at 30 fps averages ~6 samples) while attenuating a 1 Hz
rep by < 7 % and shifting nothing in time.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

ArrayLike = float | np.ndarray


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
