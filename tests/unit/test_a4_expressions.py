"""The matrix-answer language a4's question 1.1 is graded with
(grader/kit/matrix_answers.py): the forms real answers take, and messages
that name the shapes when they do not fit."""
import numpy as np
import pytest

from grader.expressions import grade_answer
from grader.failures import CheckFailure
from grader.kit import matrix_answers


def draw(rng):
    """One example through Linear(m, n), m != n (as check 5.x draws it)."""
    m, n = (int(k) for k in rng.choice(np.arange(2, 7), 2, replace=False))
    A, W, W0, dLdZ = rng.normal(size=(m, 1)), rng.normal(size=(m, n)), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    return dict(A=A, W=W, W0=W0, Z=W.T @ A + W0, dLdZ=dLdZ, dLdA=W @ dLdZ)


def grade(text, expected):
    grade_answer("Q", text, expected, draw, np.random.default_rng(3), asks="dLdA", language=matrix_answers)


@pytest.mark.parametrize("text, expected", [
    ("W*dLdZ", "W @ dLdZ"),                      # MITx: * as the matrix product
    ("np.dot(W, dLdZ)", "W @ dLdZ"),
    ("numpy.matmul(W, dLdZ)", "W @ dLdZ"),
    ("W.dot(dLdZ)", "W @ dLdZ"),
    ("A*transpose(dLdZ)", "A @ transpose(dLdZ)"),  # (m,1) * (1,n) broadcasts to the outer product
    ("A.dot(np.transpose(dLdZ))", "A @ transpose(dLdZ)"),
    ("A @ dLdZ.T", "A @ transpose(dLdZ)"),
    ("np.sum(dLdZ, axis=1, keepdims=True)", "dLdZ"),
    ("sum(dLdZ, 1, keepdims=True)", "dLdZ"),     # the 1 stays an integer axis
    ("2 * dLdZ / 2", "dLdZ")])
def test_accepted_forms(text, expected):
    grade(text, expected)


@pytest.mark.parametrize("text, words", [
    ("A * dLdZ", "in A * dLdZ, the shapes"),
    ("A @ dLdZ", "a matrix product of shapes"),
    ("W.T @ dLdZ", "the left has"),
    ("dLdZ.T", "transposed?"),
    ("np.sum(dLdZ)", "it has shape ()"),
    ("np.sum(dLdZ, out=A)", "the keyword out="),
    ("np.linalg.inv(W)", "calling anything but"),
    ("np", "on its own"),
    ("W.dot", "on its own"),
    ("True", "on its own"),
    ("np.sum(dLdZ, axis=True)", "could not be evaluated"),
    ("__import__('os')", "the name '__import__'")])
def test_refused_or_wrong_forms_say_why(text, words):
    with pytest.raises(CheckFailure) as info:
        grade(text, "dLdZ" if "sum" in text or text.startswith("dLdZ") else "W @ dLdZ")
    assert words in info.value.message, info.value.message


def test_default_language_is_unchanged():
    """Without `language`, np. prefixes stay refused (a2's answers are graded as before)."""
    with pytest.raises(CheckFailure, match="calling anything but"):
        grade_answer("Q", "np.dot(W, dLdZ)", "W @ dLdZ", draw, np.random.default_rng(0), asks="dJ")
