"""Property tests: whatever student code returns, the kit answers with a
CheckFailure that names the call (never another exception), or a valid value."""
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from oddities import Handle, odd

from grader.compare import check_close, check_gradient
from grader.failures import CheckFailure
from grader.kit import gradients, stability, training, values
from grader.sandbox.inprocess import InProcessStudent
from grader.sandbox.proxy import Ref

CALL = "Net.loss(X: (3, 2), y)"


def answered(function, *args, **kwargs):
    """Run a kit function on an odd value: it returns, or fails naming the call."""
    try:
        return function(*args, **kwargs)
    except CheckFailure as failure:
        assert CALL in failure.message, failure.message
        assert "autograder" not in failure.message
        assert failure.tags
        return None


@settings(max_examples=300, deadline=None)
@given(odd)
def test_array_validator(value):
    result = answered(values.array, value, (3, 2), CALL, "'W1'")
    if result is not None:
        assert result.shape == (3, 2) and result.dtype == np.float64 and np.isfinite(result).all()


@settings(max_examples=300, deadline=None)
@given(odd)
def test_number_validator(value):
    result = answered(values.number, value, CALL, "loss")
    if result is not None:
        assert isinstance(result, float) and np.isfinite(result)


@settings(max_examples=200, deadline=None)
@given(odd)
def test_pair_entry_and_loss_and_grads(value):
    answered(values.pair, value, CALL)
    answered(values.entry, value, "W1", CALL)
    answered(gradients.loss_and_grads, value, CALL)


@settings(max_examples=200, deadline=None)
@given(odd)
def test_sequence_and_labels(value):
    result = answered(values.sequence, value, 4, CALL, "'loss_history'")
    if result is not None:
        assert result.shape == (4,)
    answered(training.accuracy, value, np.array([0, 1, 2]), CALL)


@settings(max_examples=200, deadline=None)
@given(odd)
def test_comparisons_and_stability_probe(value):
    expected = np.arange(6.0).reshape(3, 2)
    answered(check_close, value, expected, call=CALL, name="'W1'")
    answered(check_gradient, value, expected, call=CALL, name="'W1'")
    answered(gradients.matches_reference, value, expected, call=CALL, name="'W1'", own_numeric=lambda: expected)
    answered(stability.stable_value, value, (3, 2), CALL, "loss")


@pytest.mark.parametrize("value,words", [
    ([1.0, 2.0], "is a list; expected a numpy array of shape (3, 2)"),
    ({"W1": 1}, "is a dict"),
    (np.float64(2.0), "has shape (), expected (3, 2)"),
    (Handle(), "is a Net"),
    (np.ones((2, 3)), "(transposed?)"),
    (np.full((3, 2), np.nan), "non-finite"),
    (None, "Did you forget a return statement?"),
])
def test_messages_say_what_came_back_and_what_was_expected(value, words):
    with pytest.raises(CheckFailure) as info:
        values.array(value, (3, 2), CALL, "'W1'")
    assert words in info.value.message and CALL in info.value.message


def test_a_tuple_of_the_wrong_length_is_named():
    with pytest.raises(CheckFailure, match=r"returned a tuple of 3; expected a pair \(loss, grads\)"):
        values.pair((1.0, {}, 3), CALL)


def test_number_accepts_one_element_arrays():
    assert values.number(np.array([[2.5]]), CALL) == 2.5 and values.number(3, CALL) == 3.0


def test_labels_must_be_whole_numbers():
    with pytest.raises(CheckFailure, match="not whole"):
        training.accuracy(np.array([0.5, 1.0, 2.0]), np.array([0, 1, 2]), CALL)
    assert training.accuracy(np.array([0.0, 1.0, 1.0]), np.array([0, 1, 2]), CALL) == pytest.approx(2 / 3)


def test_an_object_left_in_student_code_says_its_type_through_a_public_name():
    class Net:
        pass
    net = Ref(None, ("handle", 7), (), "Net")
    assert (net.type_name, net.W1.type_name, Ref(None, ("module", "m")).type_name) == ("Net", None, None)
    in_process = InProcessStudent(SimpleNamespace(m=SimpleNamespace(make=Net))).m.make()
    for handle in (net, in_process):
        with pytest.raises(CheckFailure, match="is a Net; expected"):
            values.array(handle, (3, 2), CALL)
        assert values.kind_of(handle) == "a Net object"
