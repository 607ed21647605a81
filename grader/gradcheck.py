"""Finite differences, computed in the trusted process.

`f` may call student code through the sandbox: the numeric gradient of the
student's own loss tells whether a wrong analytic gradient comes from the
backward pass or from the forward pass.
"""
import numpy as np

H = 1e-5  # central-difference step, float64


def perturbed(x, h=H):
    """Copies of x with one entry moved by +h and then by -h, for every entry in turn."""
    x = np.array(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        for step in (h, -h):
            moved = x.copy()
            moved[idx] += step
            yield moved


def central_difference(values, shape, h=H):
    """The gradient from f at `perturbed(x)`, in that order."""
    values = np.asarray(values, dtype=np.float64)
    return ((values[0::2] - values[1::2]) / (2 * h)).reshape(shape)


def rel_error(a, b):
    """Largest |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) if a.size else 0.0


def batched_gradient(student, x, stage, read, h=H):
    """Finite differences whose evaluations run in the sandbox, all in one round trip.

    `stage(batch, moved)` adds the calls that evaluate f at `moved` (the last
    one's result is f's value); `read(result)` turns that result into a float.
    """
    batch = student.batch()
    for moved in perturbed(x, h):
        stage(batch, moved)
    results = batch.run()
    per_point = len(results) // (2 * max(np.size(x), 1))
    return central_difference([read(r) for r in results[per_point - 1::per_point]], np.shape(x), h)
