"""L2-regularised logistic regression: the example a new assignment starts from."""
import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), computed without overflow."""
    return np.exp(-np.logaddexp(0, -z))


def loss(w, X, y, reg=0.0):
    """Mean cross-entropy of sigmoid(X @ w) plus 0.5 * reg * |w|^2, and its gradient.

    Inputs: w (D,), X (N, D), y (N,) in {0, 1}. Returns (loss: float, grad: (D,)).
    """
    # BEGIN SOLUTION
    z = X @ w
    data_loss = np.mean(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
    value = data_loss + 0.5 * reg * np.sum(w * w)
    dz = (sigmoid(z) - y) / len(y)
    grad = X.T @ dz + reg * w
    return float(value), grad
    # END SOLUTION


def predict(w, X):
    """The class of every row of X (N, D): 1 where X @ w > 0, else 0, shape (N,)."""
    # BEGIN SOLUTION
    return (X @ w > 0).astype(np.int64)
    # END SOLUTION
