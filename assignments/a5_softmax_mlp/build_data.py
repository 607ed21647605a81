"""Build the four data files of a5_softmax_mlp in reference/a5_softmax_mlp/data/.

Run from the repository root:

    .venv/bin/python assignments/a5_softmax_mlp/build_data.py [OUT_DIR]

Every file is plain text, comma separated, no header, one example per row,
the class label (an integer) in the last column:

- xor.dat            the XOR truth table, 4 rows: x1, x2, label
- spiral_train.dat   300 rows: CS231n's three-armed spiral (100 points per
                     class, np.random.seed(0)), x, y, label
- iris_train.dat     110 rows of scikit-learn's iris: 4 features, label
- iris_test.dat      the other 40 rows (the validation set of problem 2)

The iris rows are shuffled with a fixed seed before the split. Running the
script twice gives byte-identical files.
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_iris

HERE = os.path.dirname(os.path.abspath(__file__))
# The data ships with the scripts (the template copies reference/<slug>/data/),
# in the data/ folder the original course repository has.
OUT_DIR = os.path.join(HERE, '..', '..', 'reference', 'a5_softmax_mlp', 'data')
IRIS_SEED = 597
IRIS_TRAIN = 110


def xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0])


def spiral(points_per_class=100, classes=3):
    """CS231n's spiral generator, exactly: the radius grows linearly along each
    arm, the angle gets Gaussian noise of standard deviation 0.2."""
    np.random.seed(0)
    X = np.zeros((points_per_class * classes, 2))
    y = np.zeros(points_per_class * classes, dtype=int)
    for k in range(classes):
        rows = range(points_per_class * k, points_per_class * (k + 1))
        r = np.linspace(0.0, 1, points_per_class)
        t = np.linspace(k * 4, (k + 1) * 4, points_per_class) + np.random.randn(points_per_class) * 0.2
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = k
    return X, y


def iris():
    """(train, test) pairs: scikit-learn's iris in a fixed random order, split 110 / 40."""
    data = load_iris()
    order = np.random.default_rng(IRIS_SEED).permutation(len(data.target))
    X, y = data.data[order], data.target[order]
    return (X[:IRIS_TRAIN], y[:IRIS_TRAIN]), (X[IRIS_TRAIN:], y[IRIS_TRAIN:])


def write(path, X, y):
    """Features with repr-exact floats, then the integer label."""
    with open(path, 'w') as f:
        for row, label in zip(X, y):
            f.write(','.join(repr(float(v)) for v in row) + ',%d\n' % label)


def main(out_dir=OUT_DIR):
    os.makedirs(out_dir, exist_ok=True)
    (iris_train, iris_test) = iris()
    files = {'xor.dat': xor(), 'spiral_train.dat': spiral(),
             'iris_train.dat': iris_train, 'iris_test.dat': iris_test}
    for name, (X, y) in files.items():
        write(os.path.join(out_dir, name), X, y)
        print('%-17s %3d rows, classes %s' % (name, len(y), np.bincount(y).tolist()))


if __name__ == '__main__':
    main(*sys.argv[1:2])
