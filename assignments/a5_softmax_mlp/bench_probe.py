"""`make bench`'s probe for a5: one IRIS training run like check 6.4's, in the sandbox."""
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "reference" / "a5_softmax_mlp" / "data"


def run(student, data):
    table = np.loadtxt(DATA / "iris_train.dat", delimiter=",")
    X, y = table[:, :-1], table[:, -1].astype(int)
    rng = np.random.default_rng(0)
    theta = (0.5 * rng.standard_normal((4, 20)), np.zeros((1, 20)),
             0.5 * rng.standard_normal((20, 3)), np.zeros((1, 3)))
    student.prob2a.train(X, y, theta, 300, 15, 0.02, 0.0)
