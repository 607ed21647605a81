"""Problem 1c: an MLP with one hidden layer of ReLU units, on XOR.

theta = (W, b, W2, b2): W (d, h), b (1, h), W2 (h, k), b2 (1, k).

    h_pre  = X W + b,   h = max(0, h_pre)                (N, h)
    scores = h W2 + b2, p = softmax(scores)              (N, k)
    J      = -(1/N) sum_i log p[i, y_i] + (reg/2) (sum(W**2) + sum(W2**2))

Run `python prob1c.py` to check the gradients and fit XOR; importing runs nothing.
"""
import numpy as np

from hw2_utils import load_data
from prob1a import accuracy, check_gradients, gradient_descent, labels, log_softmax, numerical_gradient


def forward(X, theta):
    """(h_pre, h, scores): hidden pre-activations and activations (N, h), class scores (N, k)."""
    W, b, W2, b2 = theta
    # BEGIN SOLUTION
    h_pre = X @ W + b
    h = np.maximum(0, h_pre)
    return h_pre, h, h @ W2 + b2
    # END SOLUTION


def predict(X, theta):
    """(scores, probs), both (N, k)."""
    # BEGIN SOLUTION
    _, _, scores = forward(X, theta)
    return scores, np.exp(log_softmax(scores))
    # END SOLUTION


def computeCost(X, y, theta, reg):
    """Mean negative log-likelihood plus (reg/2) (sum(W**2) + sum(W2**2)), a float."""
    W, b, W2, b2 = theta
    # BEGIN SOLUTION
    _, _, scores = forward(X, theta)
    nll = -np.mean(log_softmax(scores)[np.arange(X.shape[0]), labels(y)])
    return float(nll + 0.5 * reg * (np.sum(W * W) + np.sum(W2 * W2)))
    # END SOLUTION


def computeGrad(X, y, theta, reg):
    """(dW, db, dW2, db2), each shaped like its parameter."""
    W, b, W2, b2 = theta
    # BEGIN SOLUTION
    N = X.shape[0]
    h_pre, h, scores = forward(X, theta)
    dscores = np.exp(log_softmax(scores))
    dscores[np.arange(N), labels(y)] -= 1
    dscores /= N                                   # (N, k)
    dW2 = h.T @ dscores + reg * W2
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dh_pre = (dscores @ W2.T) * (h_pre > 0)        # the ReLU passes gradient where h_pre > 0
    dW = X.T @ dh_pre + reg * W
    db = np.sum(dh_pre, axis=0, keepdims=True)
    return dW, db, dW2, db2
    # END SOLUTION


def computeNumGrad(X, y, theta, reg):
    """The finite-difference gradient of computeCost, a tuple in theta's order."""
    return numerical_gradient(computeCost, X, y, theta, reg)


def train(X, y, theta, n_e, step_size, reg, check=10):
    """The MLP fitted by full-batch gradient descent: the trained theta."""
    return gradient_descent(computeCost, computeGrad, X, y, theta, n_e, step_size, reg, check)


def init_theta(D, h, K, scale=0.01):
    """Small random weights (W first, from the global np.random) and zero biases."""
    W = scale * np.random.randn(D, h)
    W2 = scale * np.random.randn(h, K)
    return W, np.zeros((1, h)), W2, np.zeros((1, K))


def main():
    np.random.seed(0)
    X, y = load_data('xor.dat')
    D, K, h = X.shape[1], int(np.max(y)) + 1, 6

    # Gradient check at the original's check point.
    theta = (0.05 * np.random.randn(D, h), np.zeros((1, h)) + 1.0,
             0.05 * np.random.randn(h, K), np.zeros((1, K)) + 1.0)
    check_gradients(computeNumGrad(X, y, theta, 1e-3), computeGrad(X, y, theta, 1e-3))

    theta = train(X, y, init_theta(D, h, K, scale=1.0), n_e=500, step_size=0.5, reg=0.0, check=50)
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta, predict)))


if __name__ == '__main__':
    main()
