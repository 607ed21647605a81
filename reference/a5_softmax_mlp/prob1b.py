"""Problem 1b: softmax regression on the spiral data.

The model is problem 1a's, imported from prob1a.py. Run `python prob1b.py`
to fit it and save its decision boundary in out/; importing runs nothing.
"""
import os

import numpy as np

from hw2_utils import load_data, plot_decision_boundary
from prob1a import accuracy, computeCost, computeGrad, predict, train  # noqa: F401  (graded here too)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out')


def main():
    np.random.seed(0)
    X, y = load_data('spiral_train.dat')
    D, K = X.shape[1], int(np.max(y)) + 1
    theta = (0.01 * np.random.randn(D, K), np.zeros((1, K)))
    theta = train(X, y, theta, n_e=100, step_size=1.0, reg=0.0)
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta)))
    os.makedirs(OUT, exist_ok=True)
    plot_decision_boundary(predict, theta, X, y, os.path.join(OUT, 'spiral_softmax.png'))


if __name__ == '__main__':
    main()
