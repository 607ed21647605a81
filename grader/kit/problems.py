"""Random problems for checks: inputs, labels and parameters drawn from the
check's `rng`, with sizes that differ from one another (so a transposed or
summed-over-the-wrong-axis result cannot pass by having the right shape) and
away from kinks (ReLU at 0, |z| at 0) where finite differences are wrong.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["away_from_zero", "labels", "one_hot", "params", "until_kink_free", "classification"]

T = TypeVar("T")  # a drawn problem, whatever its shape


def away_from_zero(rng: np.random.Generator, size: int | tuple, low: float = 0.2, high: float = 4.0) -> np.ndarray:
    """Numbers with low <= |z| <= high and random signs."""
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    """`n` class labels in 0..classes-1."""
    return rng.integers(0, classes, n)


def one_hot(y: ArrayLike, classes: int, axis: int = 1) -> np.ndarray:
    """Labels as a one-hot matrix: rows are examples (axis=1) or columns are (axis=0)."""
    out = np.eye(classes)[np.asarray(y)]
    return out if axis == 1 else out.T


def params(rng: np.random.Generator, shapes: dict[str, tuple], std: float = 0.5) -> dict[str, np.ndarray | float]:
    """name -> normal(0, std) array of the given shape (() for a plain float), in `shapes` order."""
    out = {}
    for name, shape in shapes.items():
        value = rng.normal(0, std, shape)
        out[name] = float(value) if shape == () else value
    return out


def until_kink_free(draw: Callable[[], T], preactivations: Callable[[T], Iterable[np.ndarray]], margin: float = 1e-3,
                    tries: int = 1000) -> T:
    """Call `draw()` until every entry of `preactivations(problem)` is at least `margin` from 0."""
    for _ in range(tries):
        problem = draw()
        if all(np.min(np.abs(z)) > margin for z in preactivations(problem)):
            return problem
    raise RuntimeError("no kink-free problem found: widen the margin or change the sizes")


def classification(rng: np.random.Generator, n: int, d: int, classes: int, shapes: dict[str, tuple], std: float = 0.5,
                   preactivations: Callable | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(X (n, d), y (n,), params) for a network; with `preactivations(X, params)` (a list of
    arrays) redrawn until none is near a kink."""
    def draw():
        return rng.normal(size=(n, d)), labels(rng, n, classes), params(rng, shapes, std)
    if preactivations is None:
        return draw()
    return until_kink_free(draw, lambda p: preactivations(p[0], p[2]))
