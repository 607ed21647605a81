"""Public checks: your network against finite differences of your own loss,
and the shapes and keys the notebook relies on. They need only your files."""
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import as_array, check_gradient, entry, partial_credit_over
from grader.failures import CheckFailure
from grader.gradcheck import batched_gradient

N, D, H, C = 5, 4, 6, 3
REG = 0.05


def problem(rng):
    """Random data and parameters with every hidden pre-activation away from 0 (ReLU's kink)."""
    while True:
        X = rng.normal(size=(N, D))
        params = {"W1": rng.normal(0, 0.5, (D, H)), "b1": rng.normal(0, 0.5, H),
                  "W2": rng.normal(0, 0.5, (H, C)), "b2": rng.normal(0, 0.5, C)}
        if np.min(np.abs(X @ params["W1"] + params["b1"])) > 1e-3:
            return X, rng.integers(0, C, N), params


def loss_and_grads(result, call):
    """Unpack `(loss, grads)` as returned by loss(X, y)."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailure(f"{call} should return a pair (loss, grads).", ["wrong-type"])
    return result


def numeric_loss_gradient(student, net, params, name, X, y, call):
    """Finite differences of the student's own loss w.r.t. params[name], in one round trip."""
    def stage(batch, moved):
        batch.set(net, "params", {**params, name: moved})
        batch.call_first(net.loss, X, y, reg=REG)
    numeric = batched_gradient(student, params[name], stage, lambda loss: as_array(loss, 0.0, "loss", call))
    student.set(net, "params", params)
    return numeric


def gradient_check(student, rng, activation, set_score):
    X, y, params = problem(rng)
    net = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    call = f"TwoLayerMLP(activation={activation!r}).loss(X: {X.shape}, y: {y.shape}, reg={REG})"

    student.set(net, "params", params)
    _, grads = loss_and_grads(net.loss(X, y, reg=REG), call)

    def agrees(name):
        numeric = numeric_loss_gradient(student, net, params, name, X, y, call)
        check_gradient(entry(grads, name, call), numeric, name=f"grads['{name}']", call=call,
                       of="your loss", threshold=1e-6)
    partial_credit_over([lambda name=name: agrees(name) for name in params], 1.0, set_score)


@partial_credit(1.0)
@number("2.1")
def test_sigmoid_gradients_match_finite_differences(student, rng, set_score=None):
    """sigmoid network: every gradient agrees with finite differences of your loss"""
    gradient_check(student, rng, "sigmoid", set_score)


@partial_credit(1.0)
@number("2.2")
def test_relu_gradients_match_finite_differences(student, rng, set_score=None):
    """relu network: every gradient agrees with finite differences of your loss"""
    gradient_check(student, rng, "relu", set_score)


@weight(0.5)
@number("4.1")
def test_train_returns_histories(student, rng):
    """train returns the four histories with one entry per iteration or epoch"""
    X, y = rng.normal(size=(40, D)), rng.integers(0, C, 40)
    net = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation="sigmoid")
    call = "train(X: (40, 4), y, X, y, batch_size=10, num_epochs=3)"
    stats = net.train(X, y, X, y, batch_size=10, num_epochs=3)
    for key, length in [("loss_history", 12), ("grad_magnitude_history", 12),
                        ("train_acc_history", 3), ("val_acc_history", 3)]:
        values = entry(stats, key, call)
        if not isinstance(values, (list, np.ndarray)) or len(values) != length:
            raise CheckFailure(f"{call}: '{key}' should hold {length} values "
                               f"(4 iterations per epoch, 3 epochs).", ["training"])
