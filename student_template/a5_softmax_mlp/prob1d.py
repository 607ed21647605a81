"""Problem 1d: problem 1c's MLP on the spiral data.

The model is imported from prob1c.py. Run `python prob1d.py` to fit it and
save its decision boundary in out/ under the folder you run it from;
importing runs nothing.
"""
import numpy as np

from hw2_utils import load_data, output_path, plot_decision_boundary
from prob1a import accuracy
from prob1c import computeCost, computeGrad, init_theta, predict, train  # noqa: F401  (graded here too)


def main():
    np.random.seed(0)
    X, y = load_data('spiral_train.dat')
    D, K = X.shape[1], int(np.max(y)) + 1
    theta = train(X, y, init_theta(D, 100, K), n_e=1000, step_size=1.0, reg=1e-3, check=100)
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta, predict)))
    plot_decision_boundary(predict, theta, X, y, output_path('spiral_mlp.png'))


if __name__ == '__main__':
    main()
