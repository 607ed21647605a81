"""The standard wrong answers: what a known bug makes a function return.

Bugs and their tags are grader.vocabulary's (one registry): a `Bug` has a
name, a tag, the hint the student reads ("the penalty gradient is added
twice") and its tag's report sentence. `bug.failure(message)` is the
CheckFailure a check raises when it found the bug itself;
`vocabulary.likely(bug, message)` appends the diagnosis to a message;
`bug.given(value)` is the bug with the value it would produce, ready for
`check_close(..., wrong_answers=[...])`, which names the bug when the
student's result equals that value.

A check that knows bugs of its own keeps them in `bugs.toml` beside it, one
table a bug (`[NO_SQUARE]` with `hint` and `tag`), and reads them with
`BUGS = bugs.catalogue(__file__)`. A tag is one of the vocabulary's, or the
assignment's own, declared once with its report sentence in the `[tags]`
table of a bugs.toml: the public checks' (which the hidden catalogue also
reads, as the public checks ship to students without the hidden ones) or
the hidden checks'. Wording is data an instructor can edit, checked strictly
like the manifest.

Sign flips, transposes (square results) and sum-vs-mean over a batch are
tried by grader.compare on every comparison; the helpers below build the
rest from the parts a check computes with the reference.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from numpy.typing import ArrayLike

from ..assignment.config import REQUIRED, ConfigError, Key, read_table, read_toml
from ..vocabulary import (  # noqa: F401  the standard bugs, for checks: bugs.SIGN_FLIP, ...
    DIVIDED_TWICE,
    FUNCTION_NOT_DERIVATIVE,
    LOSS_PENALTY_FACTOR,
    LOSS_PENALTY_MISSING,
    LOSS_SUM_NOT_MEAN,
    MISSING_DERIVATIVE,
    PENALTY_MISSING,
    PENALTY_TWICE,
    SIGN_FLIP,
    SUM_NOT_MEAN,
    TAGS,
    TRANSPOSED,
    Bug,
    WrongAnswer,
    known,
)

TAGS_TABLE = "tags"  # the table of an assignment's own tags: tag = its report sentence
ENTRY = {"hint": Key(str, REQUIRED, "what the student is told the bug looks like"),
         "tag": Key(str, REQUIRED, "the bug's class (report.html counts by it): grader.vocabulary's "
                    "or one of a [tags] table")}


def own_tags(path: Path) -> dict[str, str]:
    """The `[tags]` of the bugs.toml at `path` (if it exists), each a new tag with its sentence."""
    tags = read_toml(path).get(TAGS_TABLE, {}) if path.is_file() else {}
    for tag, sentence in tags.items():
        if tag in TAGS or not isinstance(sentence, str):
            raise ConfigError(f"{path.name} [{TAGS_TABLE}] {tag}: " + (
                "is grader.vocabulary's already" if tag in TAGS else "must be a string, the report's sentence"))
    return tags


def catalogue(check_file: str | Path) -> SimpleNamespace:
    """The bugs of the `bugs.toml` beside `check_file`, as attributes named by their tables."""
    path = Path(check_file).with_name("bugs.toml")
    tags = own_tags(path)
    if path.parent.name == "hidden":  # the public checks' tags are the hidden checks' too
        public = own_tags(path.parent.parent / "public" / "bugs.toml")
        twice = sorted(set(tags) & set(public))
        if twice:
            raise ConfigError(f"{path.name} [{TAGS_TABLE}]: {', '.join(twice)} declared in the public "
                              "bugs.toml already")
        tags = {**public, **tags}
    bugs = {}
    for name, entry in read_toml(path).items():
        if name == TAGS_TABLE:
            continue
        where = f"{path.name} [{name}]"
        entry = read_table(entry, ENTRY, where)
        problem = known(entry["tag"], tags, where)
        if problem:
            raise ConfigError(problem)
        bugs[name] = Bug(name, entry["tag"], entry["hint"], tags.get(entry["tag"]) or TAGS[entry["tag"]].sentence)
    return SimpleNamespace(**bugs)


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
