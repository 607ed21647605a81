"""Problem 2a: problem 1c's MLP on IRIS, trained with mini-batches.

The model is imported from prob1c.py; this file adds mini-batches and a
training loop over them. Run `python prob2a.py` to train it, print the
training and validation accuracy and save the loss curves in out/.
"""
import numpy as np

from hw2_utils import load_data, output_path, plot_losses
from prob1a import accuracy
from prob1c import computeCost, computeGrad, init_theta, predict  # noqa: F401  (graded here too)


def shuffle(X, y):
    """X and y in one new random order (from the global np.random)."""
    order = np.random.permutation(X.shape[0])
    return X[order], y[order]


def create_mini_batch(X, y, start, end):
    """(mb_x, mb_y): rows start .. end-1 of X and y; fewer when end passes the last row."""
    # BEGIN SOLUTION
    return X[start:end], y[start:end]
    # END SOLUTION


def minibatch_descent(grad, X, y, theta, n_e, n_b, step_size, reg):
    """n_e epochs of mini-batch gradient descent; returns the new theta.

    Each epoch shuffles the data once, then takes one step per batch of n_b
    consecutive rows, the last batch holding what is left (N need not be a
    multiple of n_b): every example is used exactly once per epoch.
    """
    # BEGIN SOLUTION
    theta = tuple(np.array(param, dtype=float) for param in theta)
    for _ in range(n_e):
        X_epoch, y_epoch = shuffle(X, y)
        for start in range(0, X.shape[0], n_b):
            mb_x, mb_y = create_mini_batch(X_epoch, y_epoch, start, start + n_b)
            nabla = grad(mb_x, mb_y, theta, reg)
            theta = tuple(param - step_size * g for param, g in zip(theta, nabla))
    return theta
    # END SOLUTION


def train(X, y, theta, n_e, n_b, step_size, reg):
    """The MLP fitted by mini-batch gradient descent: the trained theta."""
    return minibatch_descent(computeGrad, X, y, theta, n_e, n_b, step_size, reg)


def fit_and_report(model, theta, name, n_e=100, n_b=10, step_size=0.01, reg=0.0):
    """Train `model` (train, computeCost and predict, as a tuple) one epoch at a
    time on IRIS, print both accuracies and save the loss curves."""
    train, cost, predict = model
    X, y = load_data('iris_train.dat')
    X_val, y_val = load_data('iris_test.dat')
    curves = {'training': [], 'validation': []}
    for _ in range(n_e):
        theta = train(X, y, theta, 1, n_b, step_size, reg)
        curves['training'].append(cost(X, y, theta, reg))
        curves['validation'].append(cost(X_val, y_val, theta, reg))
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta, predict)))
    print('validation accuracy: %.2f' % (100 * accuracy(X_val, y_val, theta, predict)))
    plot_losses(curves, output_path(name))
    return theta


def main():
    np.random.seed(0)
    fit_and_report((train, computeCost, predict), init_theta(4, 100, 3), 'iris_mlp1_loss.png')


if __name__ == '__main__':
    main()
