"""Problem 1b: softmax regression on the spiral data.

The model is problem 1a's, imported from prob1a.py. Run `python prob1b.py`
to fit it and save its decision boundary in out/ under the folder you run
it from; importing runs nothing.
"""
import numpy as np

from hw2_utils import load_data, output_path, plot_decision_boundary
from prob1a import accuracy, computeCost, computeGrad, predict, train  # noqa: F401  (graded here too)


def main():
    np.random.seed(0)
    X, y = load_data('spiral_train.dat')
    D, K = X.shape[1], int(np.max(y)) + 1
    theta = (0.01 * np.random.randn(D, K), np.zeros((1, K)))
    theta = train(X, y, theta, n_e=100, step_size=1.0, reg=0.0)
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta)))
    plot_decision_boundary(predict, theta, X, y, output_path('spiral_softmax.png'))


if __name__ == '__main__':
    main()
