"""The standard wrong answers: what a known bug makes a function return.

A `Bug` is a hint for the student ("the penalty gradient is added twice"),
a tag, and the sentence report.html uses ("added the penalty gradient
twice"). `bug.failure(message)` is the CheckFailure a check raises when it found the
bug itself; `bug.given(value)` is a WrongAnswer: the bug with the value it
would produce, ready for `check_close(..., wrong_answers=[...])`, which
names the bug when the student's result equals that value. A check that
knows bugs of its own keeps them in `bugs.toml` beside it, one table a bug
(`[NO_SQUARE]` with `hint`, `tag`, `sentence`), and reads them with
`BUGS = bugs.catalogue(__file__)`: wording is data an instructor can edit,
checked strictly like the manifest.

Sign flips, transposes (square results) and sum-vs-mean over a batch are
tried by grader.compare on every comparison; the helpers below build the
rest from the parts a check computes with the reference.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from numpy.typing import ArrayLike

from ..config import REQUIRED, Key, read_table, read_toml
from ..failures import CheckFailure

WrongAnswer = namedtuple("WrongAnswer", "hint tag value sentence")


class Bug(namedtuple("Bug", "hint tag sentence")):
    """A known mistake: hint for the student, tag, sentence for the report."""

    def given(self, value: object) -> WrongAnswer:
        return WrongAnswer(self.hint, self.tag, value, self.sentence)

    def failure(self, message: str) -> CheckFailure:
        """A CheckFailure for this bug, with `message` for the student."""
        return CheckFailure(message, [self.tag], {self.tag: self.sentence})


ENTRY = {"hint": Key(str, REQUIRED, "what the student is told the bug looks like"),
         "tag": Key(str, REQUIRED, "the bug's class, shared by bugs alike (report.html groups by it)"),
         "sentence": Key(str, REQUIRED, "what report.html says students did")}


def catalogue(check_file: str | Path) -> SimpleNamespace:
    """The bugs of the `bugs.toml` beside `check_file`, as attributes named by their tables."""
    path = Path(check_file).with_name("bugs.toml")
    return SimpleNamespace(**{name: Bug(**read_table(entry, ENTRY, f"{path.name} [{name}]"))
                              for name, entry in read_toml(path).items()})


PENALTY_TWICE = Bug("the penalty gradient is added twice", "reg-twice", "added the penalty gradient twice")
PENALTY_MISSING = Bug("the penalty gradient is missing", "reg-missing", "left out the penalty's gradient")
LOSS_PENALTY_MISSING = Bug("the L2 penalty is missing", "reg-missing", "left out the penalty")
LOSS_PENALTY_FACTOR = Bug("the L2 penalty lacks its factor 0.5", "reg-factor", "left out the penalty's factor 1/2")
SUM_NOT_MEAN = Bug("summed over the batch instead of averaging (missing 1/N)", "sum-vs-mean",
                   "summed over the batch instead of averaging")
LOSS_SUM_NOT_MEAN = Bug("the loss is summed over the batch instead of averaged", "sum-vs-mean",
                        "summed the loss over the batch instead of averaging")
DIVIDED_TWICE = Bug("divided by N twice", "mean-vs-sum", "divided by N twice")
TRANSPOSED = Bug("transposed", "transposed", "returned a transposed result")
SIGN_FLIP = Bug("the sign is flipped", "sign-flip", "flipped a sign")
MISSING_DERIVATIVE = Bug("the activation's derivative is missing", "missing-activation-derivative",
                         "left out the activation derivative")
FUNCTION_NOT_DERIVATIVE = Bug("the activation is used where its derivative belongs", "function-not-derivative",
                              "used the function where its derivative belongs")


def penalty_variants(data_part: ArrayLike, penalty: ArrayLike) -> list[WrongAnswer]:
    """A gradient `data_part + penalty` as it comes out with the penalty twice or missing."""
    return [PENALTY_TWICE.given(data_part + 2 * penalty), PENALTY_MISSING.given(data_part)]


def batch_variants(data_part: ArrayLike, penalty: ArrayLike, n: int) -> list[WrongAnswer]:
    """A gradient averaged over `n` examples, as it comes out not averaged or averaged twice."""
    return [SUM_NOT_MEAN.given(data_part * n + penalty), DIVIDED_TWICE.given(data_part / n + penalty)]


def gradient_variants(data_part: ArrayLike, penalty: ArrayLike, n: int) -> list[WrongAnswer]:
    """All four penalty and batch slips of an averaged, L2-penalised gradient."""
    return penalty_variants(data_part, penalty) + batch_variants(data_part, penalty, n)


def loss_variants(data_loss: float, penalty: float, n: int) -> list[WrongAnswer]:
    """An averaged loss plus a 0.5-weighted L2 penalty, under its common slips."""
    return [LOSS_PENALTY_MISSING.given(data_loss), LOSS_PENALTY_FACTOR.given(data_loss + 2 * penalty),
            LOSS_SUM_NOT_MEAN.given(data_loss * n + penalty)]


def activation_variants(backward: Callable, z: ArrayLike, function: Callable, missing: Bug = MISSING_DERIVATIVE,
                        as_function: Bug = FUNCTION_NOT_DERIVATIVE) -> list[WrongAnswer] | dict[str, list[WrongAnswer]]:
    """What `backward(dh_dz)` gives with the activation's derivative left out (all ones) and with the
    activation itself in its place. `backward` may return one array or a dict of them; the result
    is a list of WrongAnswers, or a dict name -> list."""
    z = np.asarray(z, dtype=np.float64)
    results = [(missing, backward(np.ones_like(z))), (as_function, backward(function(z)))]
    if isinstance(results[0][1], dict):
        return {name: [bug.given(value[name]) for bug, value in results] for name in results[0][1]}
    return [bug.given(value) for bug, value in results]


def transposed(expected: ArrayLike) -> list[WrongAnswer]:
    return [TRANSPOSED.given(np.asarray(expected).T)]


def sign_flipped(expected: ArrayLike) -> list[WrongAnswer]:
    return [SIGN_FLIP.given(-np.asarray(expected))]
