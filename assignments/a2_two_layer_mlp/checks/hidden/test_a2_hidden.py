"""Hidden checks: your network against the reference on unseen inputs, the
toy training runs, digits accuracy, and the expression answers."""
import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import check_close, partial_credit_over
from grader.expressions import grade_answer
from grader.kit import bugs, gradients, problems, stability, training, values
from grader.kit.bugs import Bug

N, D, H, C = 7, 4, 6, 3
REG = 0.05
SHAPES = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {"sigmoid": sigmoid, "relu": lambda z: np.maximum(z, 0), "softplus": lambda z: np.logaddexp(0, z)}
ACTIVATION_SLIPS = {  # a common slip per activation, and what it uses in place of the derivative
    "sigmoid": (Bug("the sigmoid derivative is written as s instead of s * (1 - s)", "sigmoid-derivative",
                    "wrote the sigmoid derivative as s instead of s(1 - s)"), sigmoid),
    "relu": (Bug("the ReLU gradient passes through where the input was negative", "relu-gradient",
                 "let the ReLU gradient through where the input was negative"), np.ones_like),
    "softplus": (Bug("softplus is used where its derivative belongs", "function-not-derivative",
                     "used softplus where its derivative belongs"), ACTIVATIONS["softplus"]),
}
SCORES_NOT_CLASSES = Bug("predict returns the scores", "predict-returns-scores", "returned scores instead of classes")


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


def loss_matches(student, ref, rng, activation):
    X, y, params = problem(rng)
    mine, theirs = nets(student, ref, activation, params)
    call = loss_call(activation, X)
    expected, _ = theirs.loss(X, y, reg=REG)
    no_reg, _ = theirs.loss(X, y, reg=0.0)
    loss, _ = gradients.loss_and_grads(mine.loss(X, y, reg=REG), call)
    check_close(loss, expected, call=call, name="loss", wrong_answers=bugs.loss_variants(no_reg, expected - no_reg, N))


@weight(1.0)
@number("1.2")
def test_sigmoid_loss_matches_reference(student, ref, rng):
    """sigmoid network: loss with L2 penalty matches the reference"""
    loss_matches(student, ref, rng, "sigmoid")


@weight(1.0)
@number("1.3")
def test_relu_loss_matches_reference(student, ref, rng):
    """relu network: loss with L2 penalty matches the reference"""
    loss_matches(student, ref, rng, "relu")


@weight(1.0)
@number("1.4")
def test_softplus_loss_matches_reference(student, ref, rng):
    """softplus network: loss with L2 penalty matches the reference"""
    loss_matches(student, ref, rng, "softplus")


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


def gradients_match(student, ref, rng, activation, points, set_score):
    X, y, params = problem(rng)
    mine, theirs = nets(student, ref, activation, params)
    call = loss_call(activation, X)
    _, expected = theirs.loss(X, y, reg=REG)
    _, data_part = theirs.loss(X, y, reg=0.0)
    _, grads = gradients.loss_and_grads(mine.loss(X, y, reg=REG), call)
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
    partial_credit_over([lambda name=name: matches(name) for name in SHAPES], points, set_score)


@partial_credit(2.0)
@number("2.3")
def test_sigmoid_gradients_match_reference(student, ref, rng, set_score=None):
    """sigmoid network: each gradient matches the reference"""
    gradients_match(student, ref, rng, "sigmoid", 2.0, set_score)


@partial_credit(2.0)
@number("2.4")
def test_relu_gradients_match_reference(student, ref, rng, set_score=None):
    """relu network: each gradient matches the reference"""
    gradients_match(student, ref, rng, "relu", 2.0, set_score)


@partial_credit(2.0)
@number("2.5")
def test_softplus_gradients_match_reference(student, ref, rng, set_score=None):
    """softplus network: each gradient matches the reference"""
    gradients_match(student, ref, rng, "softplus", 2.0, set_score)


@weight(1.0)
@number("3.1")
def test_predict_matches_reference(student, ref, rng):
    """predict returns the reference's class for every example"""
    X, _, params = problem(rng)
    mine, theirs = nets(student, ref, "relu", params)
    expected = theirs.predict(X)
    got = mine.predict(X)
    if isinstance(got, np.ndarray) and got.shape == (N, C):
        raise SCORES_NOT_CLASSES.failure(f"predict(X: {X.shape}) returned an array of shape {got.shape}, the "
                                         f"scores; it should return the class of each row, shape ({N},) "
                                         "(argmax over classes).")
    check_close(got, expected, call=f"predict(X: {X.shape})", name="classes")


def toy_training(student, ref, activation, learning_rate, epochs):
    """The notebook's toy run: final training loss on both sides."""
    np.random.seed(0)
    theirs = ref.mlp.TwoLayerMLP(4, 10, 3, std=1e-1, activation=activation)
    X = 10 * np.random.RandomState(1).randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    kwargs = dict(learning_rate=learning_rate, reg=1e-5, num_epochs=epochs)
    expected = theirs.train(X, y, X, y, **kwargs)["loss_history"][-1]
    student.seed(0)
    mine = student.mlp.TwoLayerMLP(4, 10, 3, std=1e-1, activation=activation)
    call = f"train on the toy data ({activation}, learning_rate={learning_rate}, {epochs} epochs)"
    history = values.sequence(values.entry(mine.train(X, y, X, y, **kwargs), "loss_history", call), epochs, call,
                              "'loss_history'")
    check_close(history[-1], expected, call=call, name="final loss")


@weight(1.0)
@number("4.2")
def test_toy_training_sigmoid_final_loss(student, ref):
    """toy training with sigmoid (lr 0.5, 100 epochs) ends at the reference's loss"""
    toy_training(student, ref, "sigmoid", 0.5, 100)


@weight(1.0)
@number("4.3")
def test_toy_training_relu_final_loss(student, ref):
    """toy training with relu (lr 0.1, 50 epochs) ends at the reference's loss"""
    toy_training(student, ref, "relu", 0.1, 50)


@weight(2.0)
@number("4.4")
def test_digits_test_accuracy(student, data, assignment):
    """a network trained with your code classifies held-out test digits well"""
    digits, run = data["digits"], assignment.run("digits")
    student.seed(run.seed)
    student.time_limit(run.timeout)
    net = student.mlp.TwoLayerMLP(64, run.hidden_size, 10, std=run.std, activation="relu")
    net.train(digits["X_train"], digits["y_train"], digits["X_val"], training.hidden_labels(digits["y_val"]),
              learning_rate=run.learning_rate, reg=run.reg, num_epochs=run.epochs, batch_size=run.batch_size)
    accuracy = training.accuracy(net.predict(digits["X_test"]), digits["y_test"], "predict(X_test) after train")
    training.require_accuracy(accuracy, run.min_accuracy, f"A relu network trained with your code "
                              f"({run.epochs} epochs, seed {run.seed})", len(digits["y_test"]))


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


def answer_check(number_, name, draw, title):
    """One expression question as its own graded item (all of them read answers.py in one child)."""
    @weight(1.0)
    @number(number_)
    @pytest.mark.shared_child("answers")
    def check(student, ref, rng):
        grade_answer(name, student.fetch(getattr(student.answers, name)), getattr(ref.answers, name), draw, rng)
    check.__doc__ = title
    return check


test_answer_Q1_1 = answer_check("5.1", "Q1_1", draw_backprop, "Q1.1: dJ/da2")
test_answer_Q1_2 = answer_check("5.2", "Q1_2", draw_backprop, "Q1.2: dJ/db2")
test_answer_Q1_3 = answer_check("5.3", "Q1_3", draw_backprop, "Q1.3: dJ/dW2")
test_answer_Q1_4 = answer_check("5.4", "Q1_4", draw_backprop, "Q1.4: dJ/dh1")
test_answer_Q1_5_b1 = answer_check("5.5", "Q1_5_b1", draw_backprop, "Q1.5: dJ/db1")
test_answer_Q1_5_W1 = answer_check("5.6", "Q1_5_W1", draw_backprop, "Q1.5: dJ/dW1")
test_answer_Q3_1 = answer_check("5.7", "Q3_1", draw_update, "Q3.1: update with an L2 penalty")
test_answer_Q3_2 = answer_check("5.8", "Q3_2", draw_update, "Q3.2: update with an L1 penalty")
