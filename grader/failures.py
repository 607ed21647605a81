"""What a check says when the submission falls short, and the messages it uses.

A `CheckFailure` is a verdict on the student's code, shown to the student.
Anything else raised inside a check is a fault of the grader itself.
"""
import re

from .sandbox.text import clean_text  # noqa: F401  checks import it from here

NOT_ATTEMPTED = "Not attempted: {name} still raises NotImplementedError."
RAISED = "Your code raised an exception in {call}:\n{traceback}"
CHILD_GONE = "{call} could not finish: {how}."
IMPORT_FAILED = "Importing {file} failed, so nothing in it could be checked:\n{detail}"
IMPORT_FAILED_SEE_ABOVE = ("Importing {file} failed ({summary}), so nothing in it could be checked; "
                           "the whole error is at the top, above the items.")
MISSING_FILE = "{file} was not found in your submission{hint}, so nothing in it could be checked."
GRADER_FAULT = "The autograder failed on this check; please tell course staff."
TIME_BUDGET = "Not run: the grader's time budget for this submission ran out."
WATCHDOG = "Not finished: grading this submission overran its time limit and was stopped."


class CheckFailure(AssertionError):
    """The submission failed a check; `tags` name the likely bug classes and
    `bugs` maps a tag to the sentence report.html uses for it (grader.vocabulary)."""

    def __init__(self, message, tags=(), bugs=None):
        super().__init__(message)
        self.message = message
        self.tags = tuple(tags)
        self.bugs = dict(bugs or {})


def student_raised(name, call, error):
    """The failure for an exception that student code raised in the child."""
    if error["type"] == "NotImplementedError":
        stub = re.match(r"([\w.]+): not implemented yet", error["message"])
        name = stub.group(1) if stub else name
        return CheckFailure(NOT_ATTEMPTED.format(name=name), tags=["not-attempted"])
    return CheckFailure(RAISED.format(call=call, traceback=clean_text(error["traceback"])),
                        tags=["exception"])
