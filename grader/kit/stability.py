"""The numerical-stability probe for softmax and cross-entropy.

Scores of size ~1000 overflow `exp` in the naive softmax (exp(1000) is inf
in float64, and inf/inf is NaN); subtracting each row's maximum first keeps
every exponent <= 0. A check feeds such scores (directly, or through a
bias) and reads what comes back with `stable_value`.
"""
import numpy as np

from .bugs import Bug
from .values import array

__all__ = ["OVERFLOWED", "UNSTABLE", "large_scores", "large_bias", "stable_value"]

OVERFLOWED = "exp overflowed: subtract the row maximum"
UNSTABLE = Bug(OVERFLOWED, "unstable-softmax", "computed a softmax that overflows (no max shift)")


def large_scores(rng, n, classes, scale=1000.0):
    """(n, classes) scores with |entries| near `scale` and both signs in every row."""
    scores = rng.uniform(0.5 * scale, scale, (n, classes)) * rng.choice([-1.0, 1.0], (n, classes))
    scores[:, 0] = scale  # every row has a large positive entry
    return scores


def large_bias(rng, classes, scale=1000.0):
    """A bias that pushes scores to ~`scale` whatever the layer below computes."""
    bias = rng.uniform(0.5 * scale, scale, classes) * rng.choice([-1.0, 1.0], classes)
    bias[0] = scale
    return bias


def stable_value(got, shape, call, name="", scale=1000.0):
    """`got` as a float64 array of `shape`; NaN or inf fails with the overflow message."""
    if isinstance(got, (float, np.floating, np.ndarray)) and np.asarray(got).dtype.kind == "f":
        if not np.all(np.isfinite(got)):
            where = f"{call}: {name}" if name else call
            raise UNSTABLE.failure(f"{where} is not finite (NaN or inf) for scores of size ~{scale:g}: "
                                   f"{OVERFLOWED} before calling exp (softmax(s) equals softmax(s - max s)).")
    return array(got, shape, call, name)
