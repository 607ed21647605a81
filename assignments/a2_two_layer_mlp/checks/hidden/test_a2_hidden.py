"""Hidden checks: your network against the reference on unseen inputs, the
toy training runs, digits accuracy, and the expression answers."""
import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import as_array, check_close, entry, partial_credit_over
from grader.expressions import grade_answer
from grader.failures import CheckFailure
from grader.gradcheck import batched_gradient

N, D, H, C = 7, 4, 6, 3
REG = 0.05
ACTIVATION_BUGS = {  # what a common slip uses in place of the activation's derivative
    "sigmoid": ("the sigmoid derivative is written as s instead of s * (1 - s)", "sigmoid-derivative",
                lambda z: 1 / (1 + np.exp(-z))),
    "relu": ("the ReLU gradient passes through where the input was negative", "relu-gradient",
             lambda z: np.ones_like(z)),
    "softplus": ("softplus is used where its derivative belongs", "function-not-derivative",
                 lambda z: np.logaddexp(0, z)),
}


def problem(rng):
    while True:
        X = rng.normal(size=(N, D))
        params = {"W1": rng.normal(0, 0.5, (D, H)), "b1": rng.normal(0, 0.5, H),
                  "W2": rng.normal(0, 0.5, (H, C)), "b2": rng.normal(0, 0.5, C)}
        if np.min(np.abs(X @ params["W1"] + params["b1"])) > 1e-3:
            return X, rng.integers(0, C, N), params


def nets(student, ref, activation, params):
    """The same network on both sides: the student's in the sandbox, the reference here."""
    mine = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    student.set(mine, "params", params)
    theirs = ref.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    theirs.params = {k: v.copy() for k, v in params.items()}
    return mine, theirs


def pair(result, call):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise CheckFailure(f"{call} should return a pair (loss, grads).", ["wrong-type"])
    return result


def backward_with(X, y, params, reg, activation_grad, activation):
    """Gradients as the reference computes them, with a chosen activation derivative."""
    z1 = X @ params["W1"] + params["b1"]
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0),
         "softplus": lambda z: np.logaddexp(0, z)}[activation]
    h = f(z1)
    scores = h @ params["W2"] + params["b2"]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    dscores = p / len(y)
    dz1 = (dscores @ params["W2"].T) * activation_grad(z1)
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
    call = f"TwoLayerMLP(activation={activation!r}).loss(X: {X.shape}, y, reg={REG})"
    expected, _ = theirs.loss(X, y, reg=REG)
    no_reg, _ = theirs.loss(X, y, reg=0.0)
    penalty = expected - no_reg
    check_close(pair(mine.loss(X, y, reg=REG), call)[0], expected, call=call, name="loss", wrong_answers=[
        ("the L2 penalty is missing", "reg-missing", no_reg),
        ("the L2 penalty lacks its factor 0.5", "reg-factor", no_reg + 2 * penalty),
        ("the loss is summed over the batch instead of averaged", "sum-vs-mean", no_reg * N + penalty)])


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


def gradients_match(student, ref, rng, activation, points, set_score):
    X, y, params = problem(rng)
    mine, theirs = nets(student, ref, activation, params)
    call = f"TwoLayerMLP(activation={activation!r}).loss(X: {X.shape}, y, reg={REG})"
    _, expected = theirs.loss(X, y, reg=REG)
    _, data_part = theirs.loss(X, y, reg=0.0)
    _, grads = pair(mine.loss(X, y, reg=REG), call)
    text, tag, wrong_grad = ACTIVATION_BUGS[activation]
    slipped = backward_with(X, y, params, REG, wrong_grad, activation)

    def matches(name):
        penalty = expected[name] - data_part[name]
        bugs = [("the penalty gradient is added twice", "reg-twice", data_part[name] + 2 * penalty),
                ("the penalty gradient is missing", "reg-missing", data_part[name]),
                ("summed over the batch instead of averaging (missing 1/N)", "sum-vs-mean",
                 data_part[name] * N + penalty),
                ("divided by N twice", "mean-vs-sum", data_part[name] / N + penalty)]
        bugs += [(text, tag, slipped[name])] if name in slipped else []
        try:
            check_close(entry(grads, name, call), expected[name], call=call, name=f"grads['{name}']",
                        wrong_answers=bugs)
        except CheckFailure as failure:
            raise CheckFailure(failure.message + own_loss_verdict(student, mine, X, y, params, name, grads),
                               failure.tags) from None
    partial_credit_over([lambda name=name: matches(name) for name in ("W1", "b1", "W2", "b2")], points, set_score)


def own_loss_verdict(student, net, X, y, params, name, grads):
    """Say whether the wrong gradient at least agrees with the student's own loss."""
    def stage(batch, moved):
        batch.set(net, "params", {**params, name: moved})
        batch.call_first(net.loss, X, y, reg=REG)
    try:
        got = np.asarray(grads[name], dtype=float)
        numeric = batched_gradient(student, params[name], stage, lambda loss: as_array(loss, 0.0, "loss", "loss"))
    except (CheckFailure, TypeError, ValueError, KeyError):
        return ""
    if got.shape == numeric.shape and np.allclose(got, numeric, rtol=1e-5, atol=1e-8):
        return "\n  It does agree with finite differences of your own loss: check the forward pass and the loss."
    return "\n  It also disagrees with finite differences of your own loss: the backward pass is wrong."


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
        raise CheckFailure(f"predict(X: {X.shape}) returned an array of shape {got.shape}, the scores; "
                           f"it should return the class of each row, shape ({N},) (argmax over classes).",
                           ["predict-returns-scores"])
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
    history = entry(mine.train(X, y, X, y, **kwargs), "loss_history", call)
    if not isinstance(history, (list, np.ndarray)) or len(history) != epochs:
        raise CheckFailure(f"{call}: loss_history should hold {epochs} values.", ["training"])
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
    # The child never sees validation or test labels: zeros stand in for y_val.
    net.train(digits["X_train"], digits["y_train"], digits["X_val"], np.zeros_like(digits["y_val"]),
              learning_rate=run.learning_rate, reg=run.reg,
              num_epochs=run.epochs, batch_size=run.batch_size)
    call = "predict(X_test) after train"
    predicted = as_array(net.predict(digits["X_test"]), digits["y_test"], "", call)
    accuracy = float(np.mean(predicted == digits["y_test"]))
    if accuracy < run.min_accuracy:
        raise CheckFailure(f"A relu network trained with your code ({run.epochs} epochs, seed {run.seed}) "
                           f"classifies {accuracy:.1%} of the held-out test digits correctly; "
                           f"at least {run.min_accuracy:.0%} is needed.", ["training"])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


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
