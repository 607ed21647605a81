"""Build the data files of a3_three_layer_nn from what scikit-learn ships.

Run from the repository root:

    .venv/bin/python assignments/a3_three_layer_nn/build_data.py [OUT_DIR]

- moons.npz: X_train (200, 2), y_train: exactly generate_data()'s points
  (make_moons(200, noise=0.20) after np.random.seed(0)); X_test (1000, 2),
  y_test: fresh points from the same distribution.
- circles.npz: the second data set of the n-layer part, make_circles with
  noise 0.1 and factor 0.5: 300 training and 1000 test points.
- digits.npz: scikit-learn's 1,797 8x8 digits as NCHW images (N, 1, 8, 8),
  pixels scaled to [0, 1], shuffled with a fixed seed: 1,297 for training
  and 500 for testing.

Labels are int64, inputs float64. Running the script twice gives
byte-identical files (np.savez stores a fixed timestamp in the zip entries).
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits, make_circles, make_moons

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, 'data')

SEED = 576
NUM_DIGITS_TRAIN = 1297


def build_moons():
    np.random.seed(0)  # as generate_data() does: make_moons then draws from the global generator
    X_train, y_train = make_moons(200, noise=0.20)
    X_test, y_test = make_moons(1000, noise=0.20, random_state=SEED)
    return {'X_train': X_train, 'y_train': y_train.astype(np.int64),
            'X_test': X_test, 'y_test': y_test.astype(np.int64)}


def build_circles():
    X, y = make_circles(1300, noise=0.1, factor=0.5, random_state=SEED)
    return {'X_train': X[:300], 'y_train': y[:300].astype(np.int64),
            'X_test': X[300:], 'y_test': y[300:].astype(np.int64)}


def build_digits():
    digits = load_digits()
    X = (digits.images / 16.0).reshape(-1, 1, 8, 8).astype(np.float64)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(X))
    X, y = X[order], y[order]
    return {'X_train': X[:NUM_DIGITS_TRAIN], 'y_train': y[:NUM_DIGITS_TRAIN],
            'X_test': X[NUM_DIGITS_TRAIN:], 'y_test': y[NUM_DIGITS_TRAIN:]}


def main(out_dir=OUT_DIR):
    os.makedirs(out_dir, exist_ok=True)
    for name, build in [('moons', build_moons), ('circles', build_circles), ('digits', build_digits)]:
        data = build()
        path = os.path.join(out_dir, name + '.npz')
        np.savez(path, **data)
        print(path, ', '.join('{} {}'.format(k, v.shape) for k, v in data.items()))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else OUT_DIR)
