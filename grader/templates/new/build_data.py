"""Build data/data.npz: two Gaussian clouds, 200 training and 100 test points.

Run from the repository root: .venv/bin/python assignments/{{ slug }}/build_data.py
Deterministic: the same bytes every run.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data.npz")


def clouds(rng, n):
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 3)) + np.outer(2 * y - 1, [1.0, -0.5, 0.25])
    return X, y


if __name__ == "__main__":
    rng = np.random.default_rng(576)
    X_train, y_train = clouds(rng, 200)
    X_test, y_test = clouds(rng, 100)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez(OUT, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
