"""Input data of a fuzz case: magnitude classes, drawn from a seed (so a reproducer rebuilds them)."""
from __future__ import annotations

import numpy as np

from ..target import NUMPY_DTYPE

# unit: U(-1, 1); positive: U(0.1, 2); large / tiny: log-uniform magnitudes 1e2..1e12 / 1e-30..1e-2 with
# random signs (large products and sums stay inside fp32); huge: 1e12..1e38 (overflow on purpose);
# negative: U(-100, -0.01); mixed: log-uniform 1e-38..1e38, random signs; special: unit data with NaN,
# +-inf and +-0 sprinkled in at 0.5% (the NaN / Inf policy of docs/numerics.md).
SCALES = ("unit", "positive", "large", "huge", "tiny", "negative", "mixed", "special")


def _log_uniform(rng, lo, hi, shape):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), shape)) * rng.choice([-1.0, 1.0], shape)


def draw(shape, dtype: str, scale: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if scale == "unit":
        x = rng.uniform(-1, 1, shape)
    elif scale == "positive":
        x = rng.uniform(0.1, 2.0, shape)
    elif scale == "large":
        x = _log_uniform(rng, 1e2, 1e12, shape)
    elif scale == "huge":
        x = _log_uniform(rng, 1e12, 1e38, shape)
    elif scale == "tiny":
        x = _log_uniform(rng, 1e-30, 1e-2, shape)
    elif scale == "negative":
        x = rng.uniform(-100, -0.01, shape)
    elif scale == "mixed":
        x = _log_uniform(rng, 1e-38, 1e38, shape)
    elif scale == "special":
        x = rng.uniform(-1, 1, shape)
        pick = rng.random(shape)
        specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
        mask = pick < 0.005   # sparse enough that most matmul dot products stay clean
        x[mask] = specials[rng.integers(0, len(specials), int(mask.sum()))]
    else:
        raise ValueError(f"unknown input scale {scale!r}; known: {', '.join(SCALES)}")
    return x.astype(np.float32).astype(NUMPY_DTYPE[dtype])
