"""Names a student's code may spell its own way.

Assignments pass names as strings ('tanh'); a handout may have printed them
another way ('Tanh'), and real solutions often accept one spelling only.
A check asks once which spelling works and uses it from then on.

A spelling works only if the answer is one a known name could give: real code
answers an unknown name with None, 0 or an exception alike, and taking 0 as
understood would grade the rest against the wrong spelling.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..failures import CheckFailure

__all__ = ["accepted", "understood"]


def understood(answer: object, shape: tuple) -> bool:
    """True if `answer` is a numeric array of `shape` with a non-zero entry (every probe asks
    at a point where each known name's answer is non-zero)."""
    return (isinstance(answer, np.ndarray) and answer.shape == tuple(shape)
            and (answer.dtype.kind in "biuf") and bool(np.any(answer)))


def accepted(probe: Callable[[str], object], spellings: Sequence[str], shape: tuple) -> str:
    """The first of `spellings` for which `probe(spelling)` returns an answer `understood` at
    `shape`. A stub not attempted yet stops the search (its own message says so); if no spelling
    works, the first is returned, so the check's real call fails with the student's error."""
    for spelling in spellings:
        try:
            if understood(probe(spelling), shape):
                return spelling
        except CheckFailure as failure:
            if "not-attempted" in failure.tags:
                raise
    return spellings[0]
