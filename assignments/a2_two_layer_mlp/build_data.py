"""Build data/digits.npz for a2_two_layer_mlp.

Run from the repository root:

    .venv/bin/python assignments/a2_two_layer_mlp/build_data.py [OUT_DIR] [--mnist FOLDER]

By default the data is scikit-learn's handwritten digits, which needs no
download: all 1,797 8x8 images (10 classes), flattened into 64 features with
pixel values 0..16, shuffled with a fixed seed and split into

- X_train (1000, 64), y_train (1000,)
- X_val (300, 64), y_val (300,)
- X_test (497, 64), y_test (497,)

With --mnist FOLDER it reads the four MNIST IDX files from FOLDER instead
(see grader/assignment/data.py): train 50,000 and validation 10,000 from the training
file, test 10,000 from t10k, 784 features with pixel values 0..255.

Either way the mean of the training images is subtracted from all three sets,
X is float64 and the labels are int64. The output is deterministic: running
the script twice gives byte-identical files (np.savez stores a fixed
timestamp in the zip entries).
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, 'data')

SEED = 542
NUM_TRAIN, NUM_VAL = 1000, 300            # digits; the remaining 497 are the test set
MNIST_TRAIN, MNIST_VAL = 50000, 10000


def center(X_train, y_train, X_val, y_val, X_test, y_test):
    """The dict stored in digits.npz, with the training mean subtracted."""
    mean = X_train.mean(axis=0)
    return {
        'X_train': X_train - mean, 'y_train': y_train.astype(np.int64),
        'X_val': X_val - mean, 'y_val': y_val.astype(np.int64),
        'X_test': X_test - mean, 'y_test': y_test.astype(np.int64),
    }


def build_digits():
    """Shuffle scikit-learn's digits with a fixed seed and split them."""
    digits = load_digits()
    X = digits.data.astype(np.float64)
    y = digits.target
    order = np.random.default_rng(SEED).permutation(X.shape[0])
    X, y = X[order], y[order]
    val_end = NUM_TRAIN + NUM_VAL
    return center(X[:NUM_TRAIN], y[:NUM_TRAIN], X[NUM_TRAIN:val_end], y[NUM_TRAIN:val_end],
                  X[val_end:], y[val_end:])


def build_mnist(folder):
    """Split MNIST's training file into train/validation with a fixed seed."""
    from grader.assignment.data import load_mnist

    X, y, X_test, y_test = load_mnist(folder)
    order = np.random.default_rng(SEED).permutation(X.shape[0])
    train, val = order[:MNIST_TRAIN], order[MNIST_TRAIN:MNIST_TRAIN + MNIST_VAL]
    return center(X[train], y[train], X[val], y[val], X_test, y_test)


def main(out_dir=OUT_DIR, mnist=None):
    """Write digits.npz into out_dir (the tests rebuild into a temporary folder)."""
    data = build_mnist(mnist) if mnist else build_digits()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'digits.npz')
    np.savez(path, **data)
    for key, value in data.items():
        print('{:8s} {} {}'.format(key, value.shape, value.dtype))
    print('wrote', path)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', nargs='?', default=OUT_DIR, help='output folder (default: data/)')
    parser.add_argument('--mnist', metavar='FOLDER', help='build from the MNIST IDX files in FOLDER')
    args = parser.parse_args()
    main(args.out_dir, args.mnist)
