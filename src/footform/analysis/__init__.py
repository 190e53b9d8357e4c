"""The analysis: pose frames in, per-frame state and a Summary out (one code path live and offline)."""
