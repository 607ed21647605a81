"""Problem 2b: an MLP with two hidden layers of ReLU units, on IRIS.

theta = (W, b, W2, b2, W3, b3): W (d, h1), W2 (h1, h2), W3 (h2, k), biases (1, width).

    h1 = max(0, X W + b),  h2 = max(0, h1 W2 + b2),  scores = h2 W3 + b3
    J  = -(1/N) sum_i log softmax(scores)[i, y_i] + (reg/2) (sum(W**2) + sum(W2**2) + sum(W3**2))

Mini-batches and the training loop come from prob2a.py. Run `python prob2b.py`
to train it; importing runs nothing.
"""
import numpy as np

from prob1a import labels, log_softmax
from prob2a import fit_and_report, minibatch_descent


def forward(X, theta):
    """(h1_pre, h1, h2_pre, h2, scores)."""
    W, b, W2, b2, W3, b3 = theta
    # BEGIN SOLUTION
    h1_pre = X @ W + b
    h1 = np.maximum(0, h1_pre)
    h2_pre = h1 @ W2 + b2
    h2 = np.maximum(0, h2_pre)
    return h1_pre, h1, h2_pre, h2, h2 @ W3 + b3
    # END SOLUTION


def predict(X, theta):
    """(scores, probs), both (N, k)."""
    # BEGIN SOLUTION
    scores = forward(X, theta)[-1]
    return scores, np.exp(log_softmax(scores))
    # END SOLUTION


def computeCost(X, y, theta, reg):
    """Mean negative log-likelihood plus (reg/2) times the squared weights of all three layers."""
    W, b, W2, b2, W3, b3 = theta
    # BEGIN SOLUTION
    scores = forward(X, theta)[-1]
    nll = -np.mean(log_softmax(scores)[np.arange(X.shape[0]), labels(y)])
    return float(nll + 0.5 * reg * (np.sum(W * W) + np.sum(W2 * W2) + np.sum(W3 * W3)))
    # END SOLUTION


def computeGrad(X, y, theta, reg):
    """(dW, db, dW2, db2, dW3, db3), each shaped like its parameter."""
    W, b, W2, b2, W3, b3 = theta
    # BEGIN SOLUTION
    N = X.shape[0]
    h1_pre, h1, h2_pre, h2, scores = forward(X, theta)
    dscores = np.exp(log_softmax(scores))
    dscores[np.arange(N), labels(y)] -= 1
    dscores /= N
    dW3 = h2.T @ dscores + reg * W3
    db3 = np.sum(dscores, axis=0, keepdims=True)
    dh2_pre = (dscores @ W3.T) * (h2_pre > 0)
    dW2 = h1.T @ dh2_pre + reg * W2
    db2 = np.sum(dh2_pre, axis=0, keepdims=True)
    dh1_pre = (dh2_pre @ W2.T) * (h1_pre > 0)
    dW = X.T @ dh1_pre + reg * W
    db = np.sum(dh1_pre, axis=0, keepdims=True)
    return dW, db, dW2, db2, dW3, db3
    # END SOLUTION


def train(X, y, theta, n_e, n_b, step_size, reg):
    """The two-layer MLP fitted by mini-batch gradient descent: the trained theta."""
    return minibatch_descent(computeGrad, X, y, theta, n_e, n_b, step_size, reg)


def init_theta(D, h1, h2, K, scale=0.01):
    """Small random weights (W, W2, W3 in that order, from np.random) and zero biases."""
    W = scale * np.random.randn(D, h1)
    W2 = scale * np.random.randn(h1, h2)
    W3 = scale * np.random.randn(h2, K)
    return W, np.zeros((1, h1)), W2, np.zeros((1, h2)), W3, np.zeros((1, K))


def main():
    np.random.seed(0)
    fit_and_report((train, computeCost, predict), init_theta(4, 100, 100, 3, scale=0.1), 'iris_mlp2_loss.png',
                   step_size=0.05)


if __name__ == '__main__':
    main()
