"""The expression engine: allow-list parsing and numeric equivalence."""
import numpy as np
import pytest

from grader.expressions import ExpressionError, evaluate, grade_answer, parse
from grader.failures import CheckFailure

VARS = {"W2": None, "yhat": None, "y": None, "h1": None, "theta": None}


def draw(rng):
    h1 = rng.uniform(0.1, 0.9, (4, 1))
    return {"W2": rng.normal(size=(1, 4)), "yhat": rng.uniform(0.1, 0.9, (1, 1)),
            "y": np.array([[1.0]]), "h1": h1, "theta": rng.normal(size=(2, 3))}


@pytest.mark.parametrize("text", ["W2.T @ (yhat - y)", "transpose(W2) @ (yhat-y)", "-(W2.T @ (y - yhat))",
                                  "W2.T * (yhat - y)", "(yhat - y) * W2.T"])
def test_equivalent_forms_pass(text):
    grade_answer("Q1_4", text, "W2.T @ (yhat - y)", draw, np.random.default_rng(0), asks="dJdh1")


@pytest.mark.parametrize("text,words", [
    ("__import__('os').system('true')", "name '__import__'"),
    ("W2.__class__", "attribute '.__class__'"),
    ("np.exp(y)", "calling anything but"),
    ("[y for y in h1]", "ListComp"),
    ("lambda: 1", "Lambda"),
    ("'text'", "constant 'text'"),
    ("h1[0]", "Subscript"),
    ("exp(y, out=h1)", "keyword"),
    ("yhat -", "not a valid expression"),
    ("x + 1", "name 'x'")])
def test_unknown_or_unsafe_syntax_is_named(text, words):
    with pytest.raises(CheckFailure) as info:
        grade_answer("Q", text, "yhat - y", draw, np.random.default_rng(0), asks="dJ")
    assert words in info.value.message


def test_nothing_runs_for_a_hostile_answer(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(CheckFailure):
        grade_answer("Q", f"__import__('os').system('touch {marker}')", "y", draw, np.random.default_rng(0), asks="dJ")
    assert not marker.exists()


def test_wrong_shape_and_sign_are_reported():
    with pytest.raises(CheckFailure, match="transposed"):
        grade_answer("Q1_3", "h1 @ (yhat - y)", "(yhat - y) @ h1.T", draw, np.random.default_rng(0), asks="dJ")
    with pytest.raises(CheckFailure, match="sign looks flipped"):
        grade_answer("Q1_1", "y - yhat", "yhat - y", draw, np.random.default_rng(0), asks="dJ")


def test_missing_and_non_string_answers():
    with pytest.raises(CheckFailure, match="Not attempted"):
        grade_answer("Q", None, "y", draw, np.random.default_rng(0), asks="dJ")
    with pytest.raises(CheckFailure, match="should be a string"):
        grade_answer("Q", 3.0, "y", draw, np.random.default_rng(0), asks="dJ")


def test_huge_powers_fail_cleanly():
    with pytest.raises(CheckFailure, match="could not be evaluated|does not equal"):
        grade_answer("Q", "10 ** 10 ** 10", "y", draw, np.random.default_rng(0), asks="dJ")


def test_limits_on_size():
    with pytest.raises(ExpressionError):
        parse("y" + " + y" * 300, VARS)


def test_evaluate_walks_the_tree():
    env = {"a": np.array([[1.0, 2.0]]), "b": np.array([[3.0], [4.0]])}
    assert evaluate(parse("a @ b - 2 ** 2 + -1", env), env) == 11 - 4 - 1
