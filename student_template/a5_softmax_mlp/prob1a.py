"""Problem 1a: softmax regression on XOR, with a gradient check.

The model's parameters are the tuple theta = (W, b): W is (d, k), b is (1, k),
for d input features and k classes. For N examples X (N, d) with labels y
(N integers in 0 .. k-1):

    scores = X W + b                                   (N, k)
    p      = softmax(scores), row by row               (N, k)
    J      = -(1/N) sum_i log p[i, y_i] + (reg/2) sum(W**2)

The biases are not regularised. Run `python prob1a.py` to check your
gradients and fit XOR; importing this file runs nothing.
"""
import numpy as np

from hw2_utils import load_data

EPS = 1e-5             # finite-difference step of computeNumGrad
GRADIENT_BAR = 1e-6    # a relative error above this prints WRONG (the handout says why not 1e-8)


def labels(y):
    """y as a flat integer vector: accepts (N,) or the original's (N, 1) column."""
    return np.asarray(y).reshape(-1).astype(int)


def log_softmax(scores):
    """log softmax of each row of scores (N, k), without overflow for large scores.

    Returns an (N, k) array; exp of each row sums to 1.
    """
    raise NotImplementedError("log_softmax: not implemented yet")


def predict(X, theta):
    """(scores, probs), both (N, k): the class scores X W + b and their softmax."""
    W, b = theta
    raise NotImplementedError("predict: not implemented yet")


def computeCost(X, y, theta, reg):
    """The mean negative log-likelihood of the labels plus (reg/2) * sum(W**2), a float."""
    W, b = theta
    raise NotImplementedError("computeCost: not implemented yet")


def computeGrad(X, y, theta, reg):
    """(dW, db): the gradient of computeCost with respect to W (d, k) and b (1, k)."""
    W, b = theta
    raise NotImplementedError("computeGrad: not implemented yet")


def numerical_gradient(cost, X, y, theta, reg, eps=EPS):
    """Central differences of cost(X, y, theta, reg), one parameter entry at a time.

    Each entry is moved by +eps and by -eps and put back exactly as it was, so
    theta is unchanged when this returns. Returns a tuple of arrays shaped
    like the entries of theta.
    """
    raise NotImplementedError("numerical_gradient: not implemented yet")


def computeNumGrad(X, y, theta, reg):
    """The finite-difference gradient of computeCost, a tuple in theta's order."""
    return numerical_gradient(computeCost, X, y, theta, reg)


def relative_error(gn, g):
    """norm(gn - g) / norm(gn + g); NaN when both are zero."""
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.linalg.norm(gn - g) / np.linalg.norm(gn + g)


def check_gradients(nabla_n, nabla, bar=GRADIENT_BAR):
    """Print one verdict per parameter: numerical gradients first, analytic second.

    A NaN error (for instance from two all-zero gradients) is WRONG: `not err <= bar`
    is True for NaN, whereas `err > bar` would be False and print CORRECT.
    """
    for i, (gn, g) in enumerate(zip(nabla_n, nabla)):
        err = relative_error(np.asarray(gn, dtype=float), np.asarray(g, dtype=float))
        verdict = 'CORRECT' if err <= bar else 'WRONG'
        print('Param {0} is {1}, error = {2}'.format(i, verdict, err))


def gradient_descent(cost, grad, X, y, theta, n_e, step_size, reg, check=10):
    """n_e steps of full-batch gradient descent from theta; returns the new theta.

    Each step moves every parameter by -step_size times its gradient, all
    computed at the same theta. Prints the cost every `check` steps. The
    arrays in theta are not modified in place.
    """
    raise NotImplementedError("gradient_descent: not implemented yet")


def train(X, y, theta, n_e, step_size, reg, check=10):
    """Softmax regression fitted by full-batch gradient descent: the trained theta."""
    return gradient_descent(computeCost, computeGrad, X, y, theta, n_e, step_size, reg, check)


def accuracy(X, y, theta, predict=predict):
    scores, _ = predict(X, theta)
    return float(np.mean(np.argmax(scores, axis=1) == labels(y)))


def main():
    np.random.seed(0)
    X, y = load_data('xor.dat')
    D, K = X.shape[1], int(np.max(y)) + 1

    # Gradient check at the original's check point.
    theta = (0.01 * np.random.randn(D, K), np.zeros((1, K)) + 1.0)
    check_gradients(computeNumGrad(X, y, theta, 1e-3), computeGrad(X, y, theta, 1e-3))

    theta = (0.01 * np.random.randn(D, K), np.zeros((1, K)))
    theta = train(X, y, theta, n_e=100, step_size=1.0, reg=0.0)
    print('training accuracy: %.2f' % (100 * accuracy(X, y, theta)))


if __name__ == '__main__':
    main()
