"""The kit's verdicts, driven in-process (grader.sandbox.inprocess) on small
networks with known bugs: no subprocess, no sandbox."""
import types

import numpy as np
import pytest

from grader.compare import check_close, check_gradient
from grader.failures import CheckFailure
from grader.gradcheck import batched_gradient, central_difference, perturbed, rel_error
from grader.grading.grade import staff_graded
from grader.kit import bugs, gradients, partial_credit, partial_credit_over, problems, stability, training
from grader.sandbox.inprocess import InProcessStudent


class Net:
    """Softmax regression with an L2 penalty; `mistake` picks a realistic bug."""

    def __init__(self, mistake=""):
        self.params, self.mistake = {}, mistake

    def loss(self, X, y, reg=0.0):
        W, b = self.params["W"], self.params["b"]
        scores = X @ W + b
        if self.mistake != "no-max-shift":
            scores = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        n = len(y)
        penalty = (1.0 if self.mistake == "loss-no-half" else 0.5) * reg * np.sum(W * W)
        loss = -np.mean(np.log(p[np.arange(n), y])) + penalty
        p[np.arange(n), y] -= 1
        factor = {"loss-no-half": 2.0, "reg-twice": 2.0}.get(self.mistake, 1.0)
        dW = X.T @ p / n + factor * reg * W
        return loss, {"W": dW, "b": p.sum(axis=0) / n}


def student_with(mistake=""):
    return InProcessStudent(types.SimpleNamespace(model=types.SimpleNamespace(Net=lambda: Net(mistake))))


def setup(mistake, rng=None):
    rng = rng or np.random.default_rng(0)
    X, y, params = problems.classification(rng, 5, 3, 4, {"W": (3, 4), "b": (4,)})
    student = student_with(mistake)
    net = student.model.Net()
    student.set(net, "params", params)
    reference = Net()
    reference.params = params
    return student, net, reference, X, y, params


def verdict(mistake):
    student, net, reference, X, y, params = setup(mistake)
    call = "Net.loss(X, y, reg=0.1)"
    _, grads = gradients.loss_and_grads(net.loss(X, y, reg=0.1), call)
    _, expected = reference.loss(X, y, reg=0.1)
    _, data_part = reference.loss(X, y, reg=0.0)
    stage = gradients.set_entry_and_call(net, "params", params, "W", net.loss, X, y, reg=0.1)
    with pytest.raises(CheckFailure) as info:
        gradients.matches_reference(grads["W"], expected["W"], call=call, name="grads['W']",
                                    own_numeric=lambda: gradients.numeric_gradient(student, params["W"], stage, call),
                                    wrong_answers=bugs.gradient_variants(data_part["W"],
                                                                         expected["W"] - data_part["W"], 5))
    return info.value


def test_gradient_bug_is_named_when_the_loss_is_right():
    failure = verdict("reg-twice")
    assert failure.tags == ("reg-twice",) and "penalty gradient is added twice" in failure.message
    assert gradients.DISAGREES_WITH_OWN_LOSS in failure.message
    assert failure.bugs == {"reg-twice": bugs.PENALTY_TWICE.sentence}


def test_a_gradient_that_follows_a_wrong_loss_gets_one_hint_on_the_loss():
    failure = verdict("loss-no-half")
    assert failure.tags == ("follows-wrong-loss",)
    assert failure.message.count(gradients.FOLLOWS_OWN_LOSS) == 1
    assert "Likely bug" not in failure.message and "penalty" not in failure.message


def test_hidden_messages_quote_no_expected_values():
    expected = np.array([0.123456789, -2.5, 3.75])
    with pytest.raises(CheckFailure) as info:
        check_close(expected * 1.01, expected, call="f(x)")
    text = info.value.message
    assert "0.123" not in text and "2.5" not in text and "3.75" not in text
    assert "about 5e-03" in text or "about 4e-03" in text


def test_public_gradient_check_quotes_the_students_own_numbers():
    with pytest.raises(CheckFailure, match="finite differences 2"):
        check_gradient(np.array([1.0, 2.0]), np.array([2.0, 2.0]), call="g(x)")


def test_partial_credit_says_a_shared_line_once_and_shares_the_points_it_was_declared_with():
    def fails(name):
        raise CheckFailure(f"{name} is wrong\n{gradients.FOLLOWS_OWN_LOSS}", ["follows-wrong-loss"])

    @partial_credit(3.0)
    def check(set_score=None):
        partial_credit_over([lambda: fails("W"), lambda: fails("b"), lambda: None], set_score)
    with pytest.raises(CheckFailure) as info:
        check(set_score=lambda score: None)  # as the kit's tests call checks: the decorator's own wins
    assert check.__weight__ == 3.0 and check.__score__ == 1.0
    assert info.value.message.count(gradients.FOLLOWS_OWN_LOSS) == 1


def test_standard_wrong_answers_are_recognised():
    data, penalty = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[0.1, 0.2], [0.3, 0.4]])
    for bug, got in [(bugs.PENALTY_MISSING, data), (bugs.PENALTY_TWICE, data + 2 * penalty),
                     (bugs.SUM_NOT_MEAN, data * 4 + penalty), (bugs.DIVIDED_TWICE, data / 4 + penalty)]:
        with pytest.raises(CheckFailure) as info:
            check_close(got, data + penalty, call="f", wrong_answers=bugs.gradient_variants(data, penalty, 4))
        assert info.value.tags == (bug.tag,) and info.value.bugs == {bug.tag: bug.sentence}


def test_activation_variants_cover_missing_derivative_and_function_in_its_place():
    z = np.array([-1.0, 0.5, 2.0])
    variants = bugs.activation_variants(lambda d: {"W": 2 * d}, z, np.tanh)
    assert [v.bug.tag for v in variants["W"]] == ["missing-activation-derivative", "function-not-derivative"]
    assert np.allclose(variants["W"][1].value, 2 * np.tanh(z))


def test_stability_probe_names_the_overflow():
    student, net, _, X, y, params = setup("no-max-shift")
    student.set(net, "params", {**params, "b": stability.large_bias(np.random.default_rng(1), 4)})
    with np.errstate(all="ignore"):
        loss, _ = net.loss(X, y)
    with pytest.raises(CheckFailure, match=stability.OVERFLOWED) as info:
        stability.stable_value(loss, (), "Net.loss(X, y)", "loss")
    assert info.value.tags == ("unstable-softmax",)


def test_stable_softmax_passes_the_probe():
    student, net, _, X, y, params = setup("")
    student.set(net, "params", {**params, "b": stability.large_bias(np.random.default_rng(1), 4)})
    loss, _ = net.loss(X, y)
    assert np.isfinite(stability.stable_value(loss, (), "Net.loss(X, y)", "loss"))


def test_hidden_labels_keep_shape_and_hide_values():
    assert (training.hidden_labels(np.array([3, 4])) == 0).all()


def test_problems_avoid_kinks_and_differ_in_size():
    rng = np.random.default_rng(3)
    X, y, params = problems.classification(rng, 7, 4, 3, {"W1": (4, 6), "b1": (6,)},
                                           preactivations=lambda X, p: [X @ p["W1"] + p["b1"]])
    assert np.min(np.abs(X @ params["W1"] + params["b1"])) > 1e-3 and y.shape == (7,) and y.max() < 3
    z = problems.away_from_zero(rng, 50, low=0.2)
    assert np.min(np.abs(z)) >= 0.2
    assert problems.one_hot([0, 2], 3, axis=0).shape == (3, 2)
    assert isinstance(problems.params(rng, {"b2": ()})["b2"], float)


def test_gradcheck_central_differences_are_batched_and_exact_for_quadratics():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    values = [np.sum(moved ** 2) for moved in perturbed(x)]
    assert np.allclose(central_difference(values, x.shape), 2 * x)
    student = student_with()
    holder = types.SimpleNamespace(x=None)

    def stage(batch, moved):
        batch.set(holder, "x", moved)
        batch.call(lambda: float(np.sum(holder.x ** 3)))
    assert np.allclose(batched_gradient(student, x, stage, float), 3 * x ** 2, rtol=1e-6)
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0 and rel_error([1.0], [-1.0]) == 1.0


def test_compare_names_shape_problems_before_values():
    with pytest.raises(CheckFailure, match=r"has shape \(3,\), expected \(3, 1\)"):
        check_close(np.zeros(3), np.zeros((3, 1)), call="f")
    with pytest.raises(CheckFailure, match="extra axis"):
        check_close(np.zeros((2, 3)), np.zeros(2), call="f")


def test_call_with_stages_a_loss_that_takes_its_parameters_as_arguments():
    student = student_with()
    X = np.array([[1.0, 2.0], [0.5, -1.0]])

    def cost(theta, scale=1.0):
        W, b = theta
        return scale * float(np.sum((X @ W + b) ** 2))
    W, b = np.array([0.3, -0.2]), 0.1
    stage = gradients.call_with(cost, lambda moved: (((moved, b),), {"scale": 2.0}))
    numeric = gradients.numeric_gradient(student, W, stage, "cost(theta)")
    assert np.allclose(numeric, 2.0 * 2 * X.T @ (X @ W + b), rtol=1e-6)


def test_a_gradient_check_names_a_missing_one_over_n_as_the_reference_comparison_does():
    """The public (finite-difference) verdict and the hidden (reference) one name the same bug
    in the same words, locally and on Gradescope alike."""
    numeric = np.array([[0.5, -1.0, 2.0], [0.25, 1.5, -0.75]])
    with pytest.raises(CheckFailure) as public:
        gradients.agrees_with_own_loss(7 * numeric, numeric, call="computeGrad(X: (7, 3))", name="db", batch_size=7)
    with pytest.raises(CheckFailure) as hidden:
        check_close(7 * numeric, numeric, call="computeGrad(X: (7, 3))", name="db", batch_size=7)
    hint = "Likely bug: summed over the batch instead of averaging (missing 1/N)."
    assert hint in public.value.message and hint in hidden.value.message
    assert list(public.value.tags) == list(hidden.value.tags) == ["sum-vs-mean"]
    assert bugs.SUM_NOT_MEAN.hint in hint


def test_a_scalar_is_never_given_an_index_and_one_point_is_singular():
    with pytest.raises(CheckFailure) as scalar:
        check_gradient(np.float64(2.0), np.float64(1.0), call="cost'(z)")
    with pytest.raises(CheckFailure) as nan:
        check_close(np.float64("nan"), np.float64(1.0), call="cost(z)")
    assert "index" not in scalar.value.message and "index" not in nan.value.message
    assert "max relative error 0.333333 (allowed" in scalar.value.message
    with pytest.raises(CheckFailure) as vector:
        check_gradient(np.array([1.0, 5.0]), np.array([1.0, 1.0]), call="cost'(z)")
    assert "at index [1]" in vector.value.message
    spec = types.SimpleNamespace(manual=[{"question": "Q1", "points": 1}, {"question": "Q2", "points": 2.5}])
    assert [line.split("Q")[1] for line in staff_graded(spec)] == ["1 (1 point).", "2 (2.5 points)."]
