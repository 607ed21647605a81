"""Points, stated once: `@partial_credit(points)` gives its check a `set_score` that knows them.

The grading plugin reads a check's `__weight__` and, after a partial-credit
check, its `__score__` (the attributes gradescope-utils' decorators set).
Here `set_score` also carries the item's points (`set_score.points`), so
`partial_credit_over(parts, set_score)` shares them out without being told
them again.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from ..failures import CheckFailure


class Score:
    """A partial-credit check's `set_score`: call it with the points earned."""

    def __init__(self, check: Callable, points: float):
        self.check, self.points = check, points

    def __call__(self, score: float) -> None:
        self.check.__score__ = score


def partial_credit(points: float) -> Callable:
    """The check is worth `points`, and sets its score itself through its `set_score` argument."""
    def decorate(function):
        @functools.wraps(function)
        def check(*args, **kwargs):
            kwargs["set_score"] = Score(check, points)
            return function(*args, **kwargs)
        check.__weight__ = points
        return check
    return decorate


def partial_credit_over(parts: list[Callable], set_score: Score) -> None:
    """Run each zero-argument check in `parts`; credit the item's points in proportion to
    those that pass, then fail with every message if any did not (a line that
    several parts' messages share, such as a verdict on the loss, is said once)."""
    failures = []
    for part in parts:
        try:
            part()
        except CheckFailure as failure:
            failures.append(failure)
    set_score(set_score.points * (len(parts) - len(failures)) / len(parts))
    if failures:
        lines = [line for f in failures for line in f.message.splitlines()]
        once = [line for i, line in enumerate(lines) if line not in lines[:i]]
        raise CheckFailure("\n".join(once), [t for f in failures for t in f.tags],
                           {tag: text for f in failures for tag, text in f.bugs.items()})
