"""Finite differences, computed in the trusted process.

`f` may call student code through the sandbox: the numeric gradient of the
student's own loss tells whether a wrong analytic gradient comes from the
backward pass or from the forward pass.
"""
import numpy as np

H = 1e-5  # central-difference step, float64


def numeric_gradient(f, x, h=H):
    """d f(x) / dx by central differences; `f` takes an array like x, returns a scalar."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = float(f(x.copy()))
        x[idx] = old - h
        minus = float(f(x.copy()))
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Largest |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) if a.size else 0.0
