"""What the comparison layer counts as right: the mathematics, not the form
(docs/decisions.md, "Shapes and types that are right")."""
import numpy as np
import pytest

from grader.compare import check_close, check_gradient, diagnose, same_when_broadcast
from grader.failures import CheckFailure
from grader.kit import gradients, values

CALL = "backprop(X: (9, 2), y)"


def failure_of(function, *args, **kwargs):
    with pytest.raises(CheckFailure) as info:
        function(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("got,want", [((4,), (1, 4)), ((), (1,)), ((), (1, 1)), ((3,), (1, 1, 3)),
                                      ((2, 3), (1, 2, 3)), ((1, 4), (1, 4))])
def test_leading_axes_of_length_one_may_be_left_out(got, want):
    assert same_when_broadcast(got, want)
    parameter = np.zeros(want)
    assert (parameter - np.zeros(got)).shape == want  # the update step keeps the parameter's shape


@pytest.mark.parametrize("got,want", [((4, 1), (1, 4)),   # broadcasts a (1, 4) bias into (4, 4)
                                      ((4,), (4, 1)),     # a4's column bias W0: (4,) would make it (4, 4)
                                      ((1, 4), (4,)),     # an extra axis turns a (4,) bias into (1, 4)
                                      ((1,), ()), ((4,), (2, 4)), ((3,), (1, 4)), ((2, 3), (3, 2))])
def test_shapes_that_change_the_parameter_stay_wrong(got, want):
    assert not same_when_broadcast(got, want)
    failure = failure_of(check_close, np.zeros(got), np.zeros(want), call=CALL, name="db1")
    assert f"has shape {got}, expected {want}" in failure.message


def test_a_bias_gradient_summed_without_keepdims_is_right():
    delta = np.arange(12.0).reshape(3, 4)
    check_close(np.sum(delta, axis=0), delta.sum(axis=0, keepdims=True), call=CALL, name="db1")
    assert values.array(np.sum(delta, axis=0), (1, 4), CALL, "db1").shape == (1, 4)
    with pytest.raises(CheckFailure, match="wrong in 1 of 4 entries"):
        check_close(np.sum(delta, axis=0) + [0, 0, 1, 0], delta.sum(axis=0, keepdims=True), call=CALL, name="db1")


def test_a4_column_bias_without_its_axis_stays_wrong():
    dLdZ = np.arange(6.0).reshape(3, 2)
    failure = failure_of(check_close, dLdZ.sum(axis=1), dLdZ.sum(axis=1, keepdims=True), call=CALL, name="dLdW0")
    assert "has shape (3,), expected (3, 1)" in failure.message and "keepdims" in failure.message


@pytest.mark.parametrize("got", [np.array([[True, False], [False, True]]), np.array([[1, 0], [0, 1]]),
                                 np.array([[1, 0], [0, 1]], dtype=np.uint8)])
def test_bool_and_integer_arrays_are_numbers(got):
    check_close(got, np.eye(2), call="diff_actFun(z: (2, 2), 'relu')")
    check_gradient(got, np.eye(2), call="diff_actFun(z: (2, 2), 'relu')")
    assert values.array(got, (2, 2), CALL).dtype == np.float64


def test_relu_derivative_as_a_comparison_is_right():
    z = np.array([[-1.5, 0.3], [2.0, -0.2]])
    check_close(z > 0, (z > 0).astype(np.float64), call="diff_actFun(z: (2, 2), 'relu')")
    check_close(np.int64(3), 3.0, call="f()")
    check_close(np.bool_(True), 1.0, call="f()")


class Matrix(np.ndarray):
    """An ndarray subclass, as student code could return one in-process."""


@pytest.mark.parametrize("got,words", [(np.array([1 + 1j, 2j]), "dtype complex128"),
                                       (np.array([1.0, None], dtype=object), "dtype object"),
                                       (np.zeros(2).view(Matrix), "is a Matrix"),
                                       (np.array([1.0, np.inf]), "non-finite"),
                                       ([1.0, 2.0], "is a list")])
def test_objects_complex_subclasses_and_non_finite_values_stay_refused(got, words):
    failure = failure_of(check_close, got, np.zeros(2), call=CALL, name="out")
    assert words in failure.message
    assert list(failure.tags) == (["non-finite"] if words == "non-finite" else ["wrong-type"])


def test_a_loss_returned_as_a_truth_value_is_refused():
    with pytest.raises(CheckFailure, match="expected a single number"):
        values.number(True, CALL, "loss")


def hint(got, expected):
    bug = diagnose(np.asarray(got, float), np.asarray(expected, float), None, (), 1e-6, 1e-10)
    return (bug.hint, [bug.tag]) if bug else ("", [])


def test_no_factor_of_one_for_relu_derivative_half_at_zero():
    z = np.array([-2.0, -1.0, 0.0, 0.0, 1.0, 2.0])
    text, _ = hint(np.where(z == 0, 0.5, z > 0), (z > 0).astype(float))
    assert "factor" not in text
    with pytest.raises(CheckFailure) as info:
        check_close(np.where(z == 0, 0.5, z > 0), (z > 0).astype(float), call="diff_actFun(z, 'relu')")
    assert "Likely bug" not in info.value.message


def test_a_factor_is_named_when_every_entry_shows_it():
    expected = np.array([1.0, -2.0, 3.0, 0.5])
    assert hint(2 * expected, expected) == ("off by a constant factor of 2", ["scale"])


def test_a_factor_shown_by_most_entries_says_how_many():
    expected = np.arange(1.0, 9.0)
    got = 3 * expected
    got[0] = 7.0
    assert hint(got, expected)[0] == "off by a constant factor of 3 in 7 of 8 entries"


def test_a_factor_shown_by_few_entries_is_no_diagnosis():
    expected = np.arange(1.0, 9.0)
    got = expected.copy()
    got[:3] *= 3  # the median ratio is 1: no factor
    assert hint(got, expected) == ("", [])
    got = 3 * expected
    got[:3] = [10.0, -4.0, 0.0]  # 5 of 8 agree on 3: not most
    assert hint(got, expected) == ("", [])


def test_a_factor_needs_two_non_zero_entries_and_zeros_where_expected_is_zero():
    assert hint([2.0, 0.0, 0.0], [1.0, 0.0, 0.0]) == ("", [])
    assert hint([2.0, 4.0, 5.0, 5.0], [1.0, 2.0, 0.0, 0.0])[0] == ""  # half the entries unexplained


def test_a_right_gradient_passes_although_the_students_loss_is_wrong():
    """One bug, one charge: the loss item takes the loss's mistake, not the gradient's item."""
    right = np.array([[0.5, -1.0], [2.0, 0.25]])
    of_a_loss_not_averaged = 9 * right  # finite differences of a loss summed over 9 examples
    gradients.agrees_with_own_loss(right, of_a_loss_not_averaged, call=CALL, name="dW1", reference=right)
    with pytest.raises(CheckFailure, match="does not match finite differences"):  # a student's own check
        gradients.agrees_with_own_loss(right, of_a_loss_not_averaged, call=CALL, name="dW1")
    failure = failure_of(gradients.agrees_with_own_loss, -right, of_a_loss_not_averaged, call=CALL, name="dW1",
                         reference=right)
    assert "finite differences" in failure.message and "reference's gradient either" in failure.message
    failure = failure_of(gradients.agrees_with_own_loss, right.T[:1], right, call=CALL, name="dW1", reference=right)
    assert "has shape (1, 2), expected (2, 2)" in failure.message
