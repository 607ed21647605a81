"""Hidden checks: your network against the reference on unseen inputs, the
toy training runs, digits accuracy, and the expression answers."""
import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import check_close, partial_credit_over
from grader.expressions import grade_answer
from grader.kit import bugs, gradients, problems, stability, training, values
from grader.kit.items import cases

BUGS = bugs.catalogue(__file__)
N, D, H, C = 7, 4, 6, 3
REG = 0.05
SHAPES = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {"sigmoid": sigmoid, "relu": lambda z: np.maximum(z, 0), "softplus": lambda z: np.logaddexp(0, z)}
ACTIVATION_SLIPS = {  # a common slip per activation, and what it uses in place of the derivative
    "sigmoid": (BUGS.SIGMOID_DERIVATIVE_IS_S, sigmoid),
    "relu": (BUGS.RELU_PASSES_NEGATIVES, np.ones_like),
    "softplus": (BUGS.SOFTPLUS_NOT_DERIVATIVE, ACTIVATIONS["softplus"]),
}


def problem(rng):
    """Inputs, labels and parameters with every hidden pre-activation away from ReLU's kink."""
    return problems.classification(rng, N, D, C, SHAPES,
                                   preactivations=lambda X, p: [X @ p["W1"] + p["b1"]])


def nets(student, ref, activation, params):
    """The same network on both sides: the student's in the sandbox, the reference here."""
    mine = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    student.set(mine, "params", params)
    theirs = ref.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    theirs.params = {k: v.copy() for k, v in params.items()}
    return mine, theirs


def loss_call(activation, X, reg=REG):
    return f"TwoLayerMLP(activation={activation!r}).loss(X: {X.shape}, y, reg={reg})"


def penalised(student, ref, rng, activation):
    """A problem on both sides and three (loss, grads) of it: the reference's with the penalty
    and without it, and the student's with it."""
    X, y, params = problem(rng)
    mine, theirs = nets(student, ref, activation, params)
    call = loss_call(activation, X)
    return SimpleNamespace(X=X, y=y, params=params, mine=mine, call=call, expected=theirs.loss(X, y, reg=REG),
                           no_penalty=theirs.loss(X, y, reg=0.0),
                           got=gradients.loss_and_grads(mine.loss(X, y, reg=REG), call))


def hidden_gradients(X, y, params, reg, activation, derivative):
    """W1 and b1 as the reference computes them, with `derivative` in place of the activation's."""
    z1 = X @ params["W1"] + params["b1"]
    scores = ACTIVATIONS[activation](z1) @ params["W2"] + params["b2"]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    dz1 = (p / len(y) @ params["W2"].T) * derivative(z1)
    return {"W1": X.T @ dz1 + reg * params["W1"], "b1": dz1.sum(axis=0)}


@weight(1.0)
@number("1.1")
def test_scores_match_reference(student, ref, rng):
    """loss(X) without labels returns the reference's scores"""
    X, _, params = problem(rng)
    mine, theirs = nets(student, ref, "relu", params)
    check_close(mine.loss(X), theirs.loss(X), call=f"loss(X: {X.shape})", name="scores")


@weight(1.0)
@cases("activation", {"1.2": "sigmoid", "1.3": "relu", "1.4": "softplus"},
       title="{activation} network: loss with L2 penalty matches the reference")
def test_loss_matches_reference(student, ref, rng, activation):
    """Each activation's loss, with the penalty and batch slips named."""
    case = penalised(student, ref, rng, activation)
    (expected, _), (no_reg, _), (loss, _) = case.expected, case.no_penalty, case.got
    check_close(loss, expected, call=case.call, name="loss",
                wrong_answers=bugs.loss_variants(no_reg, expected - no_reg, N))


@weight(0.5)
@number("1.5")
def test_loss_is_stable_for_large_scores(student, ref, rng):
    """relu network: loss and gradients stay finite for scores of size ~1000 (numerically stable softmax)"""
    X, y, params = problem(rng)
    params["b2"] = stability.large_bias(rng, C)
    mine, _ = nets(student, ref, "relu", params)
    call = loss_call("relu", X, 0.0)
    loss, grads = values.pair(mine.loss(X, y, reg=0.0), call)
    stability.stable_value(loss, (), call, "loss")
    for name, shape in SHAPES.items():
        stability.stable_value(values.entry(grads, name, call), shape, call, f"grads['{name}']")


@partial_credit(2.0)
@cases("activation", {"2.3": "sigmoid", "2.4": "relu", "2.5": "softplus"},
       title="{activation} network: each gradient matches the reference")
def test_gradients_match_reference(student, ref, rng, activation, set_score=None):
    """Each activation's gradients, credit per parameter, with the activation's own slip named."""
    case = penalised(student, ref, rng, activation)
    X, y, params, mine, call = case.X, case.y, case.params, case.mine, case.call
    (_, expected), (_, data_part), (_, grads) = case.expected, case.no_penalty, case.got
    bug, derivative = ACTIVATION_SLIPS[activation]
    slipped = hidden_gradients(X, y, params, REG, activation, derivative)

    def own_numeric(name):
        stage = gradients.set_entry_and_call(mine, "params", params, name, mine.loss, X, y, reg=REG)
        return lambda: gradients.numeric_gradient(student, params[name], stage, call)

    def matches(name):
        slips = bugs.gradient_variants(data_part[name], expected[name] - data_part[name], N)
        slips += [bug.given(slipped[name])] if name in slipped else []
        gradients.matches_reference(values.entry(grads, name, call), expected[name], call=call,
                                    name=f"grads['{name}']", own_numeric=own_numeric(name), wrong_answers=slips)
    partial_credit_over([lambda name=name: matches(name) for name in SHAPES], 2.0, set_score)


@weight(1.0)
@number("3.1")
def test_predict_matches_reference(student, ref, rng):
    """predict returns the reference's class for every example"""
    X, _, params = problem(rng)
    mine, theirs = nets(student, ref, "relu", params)
    expected = theirs.predict(X)
    got = mine.predict(X)
    if isinstance(got, np.ndarray) and got.shape == (N, C):
        raise BUGS.SCORES_NOT_CLASSES.failure(f"predict(X: {X.shape}) returned an array of shape {got.shape}, "
                                              f"the scores; it should return the class of each row, shape ({N},) "
                                              "(argmax over classes).")
    check_close(got, expected, call=f"predict(X: {X.shape})", name="classes")


@weight(1.0)
@cases("activation, learning_rate, epochs", {"4.2": ("sigmoid", 0.5, 100), "4.3": ("relu", 0.1, 50)},
       title="toy training with {activation} (lr {learning_rate}, {epochs} epochs) ends at the reference's loss")
def test_toy_training_final_loss(student, ref, activation, learning_rate, epochs):
    """The notebook's toy run of each activation: final training loss on both sides."""
    np.random.seed(0)
    theirs = ref.mlp.TwoLayerMLP(4, 10, 3, std=1e-1, activation=activation)
    X = 10 * np.random.RandomState(1).randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    # every argument of train's signature passed: the notebook's values, its defaults where it keeps them
    kwargs = dict(learning_rate=learning_rate, learning_rate_decay=0.95, reg=1e-5, num_epochs=epochs,
                  batch_size=200, verbose=False)
    expected = theirs.train(X, y, X, y, **kwargs)["loss_history"][-1]
    student.seed(0)
    mine = student.mlp.TwoLayerMLP(4, 10, 3, std=1e-1, activation=activation)
    call = f"train on the toy data ({activation}, learning_rate={learning_rate}, {epochs} epochs)"
    history = values.sequence(values.entry(mine.train(X, y, X, y, **kwargs), "loss_history", call), epochs, call,
                              "'loss_history'")
    check_close(history[-1], expected, call=call, name="final loss")


@training.graded_run("4.4", "digits", 2.0)
def test_digits_test_accuracy(code, data, run, seed):
    """a network trained with your code learns the digits, exactly as the reference's does

    A relu network with {hidden_size} hidden units trained with your code ({epochs} epochs, seed {seed})
    """
    digits = data["digits"]
    code.seed(seed)
    net = code.mlp.TwoLayerMLP(64, run.hidden_size, 10, std=run.std, activation="relu")
    stats = net.train(digits["X_train"], digits["y_train"], digits["X_val"], training.hidden_labels(digits["y_val"]),
              learning_rate=run.learning_rate, learning_rate_decay=run.learning_rate_decay, reg=run.reg,
              num_epochs=run.epochs, batch_size=run.batch_size, verbose=False)
    y = digits["y_test"]
    scores = values.array(net.loss(digits["X_test"]), (len(y), 10), "loss(X_test) after train", "scores")
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return {"loss": float(-log_probs[np.arange(len(y)), y].mean()),
            "accuracy": float(np.mean(scores.argmax(axis=1) == y)), "outputs": scores,
            **training.record_calls(history=lambda: stats["loss_history"],
                                grad_history=lambda: stats["grad_magnitude_history"])}


def draw_backprop(rng):
    """One example through the sigmoid-sigmoid network of question 1 (d=3, H=4)."""
    x, y = rng.normal(size=(3, 1)), rng.integers(0, 2, (1, 1)).astype(float)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
    a1 = W1 @ x + b1
    h1 = sigmoid(a1)
    W2, b2 = rng.normal(size=(1, 4)), rng.normal(size=(1, 1))
    a2 = W2 @ h1 + b2
    return dict(x=x, y=y, W1=W1, b1=b1, a1=a1, h1=h1, W2=W2, b2=b2, a2=a2, yhat=sigmoid(a2))


def draw_update(rng):
    """A parameter, its gradient, a step size and a penalty weight (question 3)."""
    return dict(theta=rng.normal(size=(3, 2)), g=rng.normal(size=(3, 2)),
                eta=np.float64(rng.uniform(0.01, 0.5)), lam=np.float64(rng.uniform(0.01, 1.0)))


@weight(1.0)
@pytest.mark.shared_child("answers")
@cases("name, asks, draw", {"5.1": ("Q1.1: dJ/da2", "Q1_1", "dJda2", draw_backprop),
                            "5.2": ("Q1.2: dJ/db2", "Q1_2", "dJdb2", draw_backprop),
                            "5.3": ("Q1.3: dJ/dW2", "Q1_3", "dJdW2", draw_backprop),
                            "5.4": ("Q1.4: dJ/dh1", "Q1_4", "dJdh1", draw_backprop),
                            "5.5": ("Q1.5: dJ/db1", "Q1_5_b1", "dJdb1", draw_backprop),
                            "5.6": ("Q1.5: dJ/dW1", "Q1_5_W1", "dJdW1", draw_backprop),
                            "5.7": ("Q3.1: update with an L2 penalty", "Q3_1", "theta_next", draw_update),
                            "5.8": ("Q3.2: update with an L1 penalty", "Q3_2", "theta_next", draw_update)})
def test_answer(student, ref, rng, name, asks, draw):
    """Each expression question is its own item; all of them read answers.py in one child.
    `asks`: the quantity asked for, never a variable of the answer (none of these draws has it).
    The label y takes both values among the trials: drawn at random, it was 0 in all five one
    time in 32, and then `yhat` passed for dJ/da2 = yhat - y."""
    labels = itertools.cycle([0.0, 1.0])

    def both_labels(rng):
        values = draw(rng)
        return dict(values, y=np.array([[next(labels)]])) if "y" in values else values
    grade_answer(name, student.fetch(getattr(student.answers, name)), getattr(ref.answers, name), both_labels, rng,
                 asks=asks)
