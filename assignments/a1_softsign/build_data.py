"""Build the data files of a1_softsign from scikit-learn's handwritten digits.

Run from the repository root:

    .venv/bin/python assignments/a1_softsign/build_data.py

Writes, next to this script:

- data/data.npz: X_train (200, 64), t_train_clean, t_train_noisy (200,),
  X_val (80, 64), t_val (80,), X_test (81, 64), t_test (81,).
  Inputs are the 8x8 digit images flattened and scaled from 0..16 to [0, 1].
  Only the digits 4 and 9 are kept; the target is t = 1 for a 9 and t = 0 for
  a 4. t_train_noisy is t_train_clean with exactly 20 (10%) labels flipped.
- data/trained_model.npz: W1 (100, 64), b1 (100,), w2 (100,), b2 (0-d) of a
  partially trained MultilayerPerceptron, used by print_derivatives().

The output is deterministic: running the script twice gives byte-identical
files (np.savez stores a fixed timestamp in the zip entries).
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT_DIR = os.path.join(HERE, 'data')

SEED = 321             # shuffle and label-noise seed
NUM_TRAIN = 200        # a multiple of the batch size (100)
NUM_FLIPPED = 20       # 10% of the training labels
NUM_HID = 100
TRAIN_EPOCHS = 30      # "partially trained": far from convergence on purpose


def build_data():
    """Return the dict of arrays stored in data.npz."""
    digits = load_digits()
    keep = (digits.target == 4) | (digits.target == 9)
    X = digits.data[keep].astype(np.float64) / 16.0
    t = (digits.target[keep] == 9).astype(np.float64)   # 9 -> 1, 4 -> 0

    rng = np.random.default_rng(SEED)
    order = rng.permutation(X.shape[0])
    X, t = X[order], t[order]

    num_rest = X.shape[0] - NUM_TRAIN
    num_val = num_rest // 2
    X_train, t_train = X[:NUM_TRAIN], t[:NUM_TRAIN]
    X_val, t_val = X[NUM_TRAIN:NUM_TRAIN + num_val], t[NUM_TRAIN:NUM_TRAIN + num_val]
    X_test, t_test = X[NUM_TRAIN + num_val:], t[NUM_TRAIN + num_val:]

    flipped = rng.choice(NUM_TRAIN, size=NUM_FLIPPED, replace=False)
    t_noisy = t_train.copy()
    t_noisy[flipped] = 1.0 - t_noisy[flipped]

    return {
        'X_train': X_train, 't_train_clean': t_train, 't_train_noisy': t_noisy,
        'X_val': X_val, 't_val': t_val, 'X_test': X_test, 't_test': t_test,
    }


def build_trained_model(data):
    """Train the reference MLP briefly on the noisy labels; return its parameters."""
    sys.path.insert(0, os.path.join(REPO, 'reference', 'a1_softsign'))
    sys.dont_write_bytecode = True   # keep reference/ free of __pycache__
    import models

    np.random.seed(0)
    model = models.MultilayerPerceptron.random_init(data['X_train'].shape[1], NUM_HID, 0.1)
    models.train_model(model, models.LogisticCrossEntropy,
                       data['X_train'], data['t_train_noisy'],
                       data['X_val'], data['t_val'],
                       num_epochs=TRAIN_EPOCHS, print_every=10)
    return {
        'W1': model.W1, 'b1': model.b1, 'w2': model.w2,
        'b2': np.array(model.b2, dtype=np.float64),
    }


def main(out_dir=OUT_DIR):
    """Write both files into out_dir (the tests rebuild into a temporary folder)."""
    os.makedirs(out_dir, exist_ok=True)
    data = build_data()
    np.savez(os.path.join(out_dir, 'data.npz'), **data)
    params = build_trained_model(data)
    np.savez(os.path.join(out_dir, 'trained_model.npz'), **params)
    for key, value in data.items():
        print('{:14s} {} {}'.format(key, value.shape, value.dtype))
    print('wrote', os.path.join(out_dir, 'data.npz'))
    print('wrote', os.path.join(out_dir, 'trained_model.npz'))


if __name__ == '__main__':
    main(*sys.argv[1:])
