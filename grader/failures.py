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


# How report.html words a tag the harness itself emits ("25% <sentence> in 3.2");
# a check's own wrong answers carry their sentences (CheckFailure.bugs).
SENTENCES = {
    "transposed": "returned a transposed result", "sign-flip": "flipped a sign",
    "sum-vs-mean": "summed over the batch instead of averaging",
    "mean-vs-sum": "averaged over the batch where a sum was expected",
    "wrong-shape": "returned the wrong shape", "non-finite": "returned NaN or inf",
    "not-attempted": "did not attempt it", "exception": "raised an exception", "timeout": "timed out",
    "wrong-type": "returned the wrong type", "returned-none": "returned None",
    "missing-key": "left out a key of the returned dict", "scale": "was off by a constant factor",
    "zeros": "returned all zeros", "unparsable-expression": "wrote an expression the grader could not read",
    "wrong-expression": "wrote a wrong expression", "import-error": "did not import",
    "missing-file": "did not submit the file", "bad-submission": "sent a submission that could not be used",
    "crash": "crashed the process (exit, signal or limit)",
    "shape-mismatch": "wrote an expression whose shapes do not fit",
    "restates-question": "answered with the quantity the question asks for",
    "too-costly": "wrote an expression too costly to evaluate",
}


class CheckFailure(AssertionError):
    """The submission failed a check; `tags` name the likely bug classes and
    `bugs` maps a tag to the sentence report.html uses for it."""

    def __init__(self, message, tags=(), bugs=None):
        super().__init__(message)
        self.message = message
        self.tags = tuple(tags)
        self.bugs = dict(bugs or {})


def bug_sentences(tags, bugs=None):
    """tag -> report sentence for `tags`: the check's own first, else the harness's."""
    bugs = bugs or {}
    return {tag: bugs.get(tag) or SENTENCES[tag] for tag in tags if tag in bugs or tag in SENTENCES}


def student_raised(name, call, error):
    """The failure for an exception that student code raised in the child."""
    if error["type"] == "NotImplementedError":
        stub = re.match(r"([\w.]+): not implemented yet", error["message"])
        name = stub.group(1) if stub else name
        return CheckFailure(NOT_ATTEMPTED.format(name=name), tags=["not-attempted"])
    return CheckFailure(RAISED.format(call=call, traceback=clean_text(error["traceback"])),
                        tags=["exception"])
