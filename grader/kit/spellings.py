"""Names a student's code may spell its own way.

Assignments pass names as strings ('tanh'); a handout may have printed them
another way ('Tanh'), and real solutions often accept one spelling only.
A check asks once which spelling works and uses it from then on.
"""
from ..failures import CheckFailure

__all__ = ["accepted"]


def accepted(probe, spellings):
    """The first of `spellings` for which `probe(spelling)` returns something other than None
    without raising. A stub not attempted yet stops the search (its own message says so); if no
    spelling works, the first is returned, so the check's real call fails with the student's error."""
    for spelling in spellings:
        try:
            if probe(spelling) is not None:
                return spelling
        except CheckFailure as failure:
            if "not-attempted" in failure.tags:
                raise
    return spellings[0]
