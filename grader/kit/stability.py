"""The numerical-stability probe for softmax and cross-entropy.

Scores of size ~1000 overflow `exp` in the naive softmax (exp(1000) is inf
in float64, and inf/inf is NaN); subtracting each row's maximum first keeps
every exponent <= 0. A check feeds such scores (directly, or through a
bias) and reads what comes back with `stable_value`.
"""
from __future__ import annotations

import numpy as np

from ..vocabulary import UNSTABLE_SOFTMAX as UNSTABLE
from .values import array

__all__ = ["OVERFLOWED", "UNSTABLE", "large_scores", "large_bias", "stable_value"]

OVERFLOWED = UNSTABLE.hint


def large_scores(rng: np.random.Generator, n: int, classes: int, scale: float = 1000.0,
                 spread: float = 3.0) -> np.ndarray:
    """(n, classes) scores near +scale or -scale (a sign per row), within `spread` of each other in a
    row: the naive softmax gives inf/inf or 0/0, the shifted one ordinary probabilities (so even
    log(probabilities) stays finite, and every stable way of computing the loss passes)."""
    signs = rng.choice([-1.0, 1.0], (n, 1))
    return signs * scale + rng.uniform(-spread, spread, (n, classes))


def large_bias(rng: np.random.Generator, classes: int, scale: float = 1000.0, spread: float = 3.0) -> np.ndarray:
    """A bias that lifts every score to about `scale` (differences within a row stay small)."""
    return scale + rng.uniform(-spread, spread, classes)


def stable_value(got: object, shape: tuple, call: str, name: str = "", scale: float = 1000.0) -> np.ndarray:
    """`got` as a float64 array of `shape`; NaN or inf fails with the overflow message."""
    if isinstance(got, (float, np.floating, np.ndarray)) and np.asarray(got).dtype.kind == "f":
        if not np.all(np.isfinite(got)):
            where = f"{call}: {name}" if name else call
            raise UNSTABLE.failure(f"{where} is not finite (NaN or inf) for scores of size ~{scale:g}: "
                                   f"{OVERFLOWED} before calling exp (softmax(s) equals softmax(s - max s)).")
    return array(got, shape, call, name)
