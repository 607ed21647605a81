"""Helpers for the softsign assignment: mini-batches and finite-difference checks.

You do not need to call anything here yourself; ``models.check_derivatives``
uses the two checkers. They are short, so reading them is a good way to see
how a gradient check works.
"""
import copy

import numpy as np


def get_batches(X, t, batch_size):
    """Yield consecutive mini-batches ``(X_batch, t_batch)``, without shuffling.

    Inputs:
    - X: (N, D) inputs
    - t: (N,) targets
    - batch_size: int; N must be a multiple of it

    Yields (X[i:i+batch_size], t[i:i+batch_size]) for i = 0, batch_size, ...
    """
    ndata = X.shape[0]
    assert ndata % batch_size == 0, "the data size must be a multiple of batch_size"
    assert t.shape == (ndata,), "t must be a vector with one target per row of X"
    for start in range(0, ndata, batch_size):
        yield X[start:start + batch_size], t[start:start + batch_size]


NOT_DONE_MESSAGE = "Not done yet: this function still raises NotImplementedError."


def _report(errors, threshold):
    """Print the verdict for one check from an array of relative errors."""
    worst = float(np.max(errors))
    if worst < threshold:
        print("OK")
    else:
        print("Too large: the worst relative error is {:.3g} (allowed: {:g})."
              .format(worst, threshold))


def check_loss_derivatives(loss_fn, z, t, eps=1e-8):
    """Compare ``loss_fn.derivatives`` with central differences of ``loss_fn.value``.

    The loss is elementwise in z, so one perturbation of the whole vector
    gives every partial derivative at once.

    Inputs:
    - loss_fn: a loss class with static ``value(z, t)`` and ``derivatives(z, t)``
    - z: (N,) model outputs
    - t: (N,) targets in {0, 1}
    - eps: step of the central difference
    """
    try:
        exact = loss_fn.derivatives(z, t)
    except NotImplementedError:
        print(NOT_DONE_MESSAGE)
        return
    numeric = (loss_fn.value(z + eps, t) - loss_fn.value(z - eps, t)) / (2.0 * eps)
    rel = np.abs(exact - numeric) / (np.abs(exact) + np.abs(numeric))
    _report(rel, 1e-6)


def _cost(model, loss_fn, X, t):
    """Mean loss of ``model`` on the batch (X: (M, D), t: (M,))."""
    z = model.compute_activations(X)['z']
    return loss_fn.value(z, t).mean()


def _numeric_cost_derivative(model, loss_fn, param, idx, X, t, eps):
    """Central difference of the mean cost w.r.t. one entry of ``param``.

    ``idx`` is None for a scalar parameter, otherwise an index tuple. The
    model is deep-copied so the caller's parameters are never touched.
    """
    costs = []
    for step in (eps, -eps):
        perturbed = copy.deepcopy(model)
        if idx is None:
            setattr(perturbed, param, getattr(perturbed, param) + step)
        else:
            getattr(perturbed, param)[idx] += step
        costs.append(_cost(perturbed, loss_fn, X, t))
    return (costs[0] - costs[1]) / (2.0 * eps)


def check_cost_derivatives(model, loss_fn, param, X, t, eps=1e-8):
    """Compare ``model.cost_derivatives()[param]`` with finite differences.

    Every entry of the parameter is perturbed in turn (a scalar once, a
    vector entry by entry, a matrix entry by entry).

    Inputs:
    - model: a LinearModel or MultilayerPerceptron
    - loss_fn: a loss class
    - param: attribute name, e.g. 'W1', 'b1', 'w2', 'b2'
    - X: (M, D) inputs
    - t: (M,) targets
    - eps: step of the central difference
    """
    act = model.compute_activations(X)
    dLdz = loss_fn.derivatives(act['z'], t)
    try:
        exact = np.asarray(model.cost_derivatives(X, act, dLdz)[param], dtype=float)
    except NotImplementedError:
        print(NOT_DONE_MESSAGE)
        return

    value = np.asarray(getattr(model, param))
    if exact.shape != value.shape:
        print("Wrong shape: got {}, expected {}.".format(exact.shape, value.shape))
        return
    if value.ndim == 0:
        indices = [None]
    else:
        indices = list(np.ndindex(*value.shape))

    rel = []
    for idx in indices:
        numeric = _numeric_cost_derivative(model, loss_fn, param, idx, X, t, eps)
        e = exact[()] if idx is None else exact[idx]
        rel.append(abs(e - numeric) / (abs(e) + abs(numeric) + 1e-4))
    _report(np.array(rel), 1e-4)
