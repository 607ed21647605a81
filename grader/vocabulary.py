"""The one vocabulary of bugs: every tag a result can carry, how report.html words it, and the
known bugs checks name.

A *tag* is a class of bugs ("mean-vs-sum"), the unit report.html counts. It has one report
sentence, declared once: in TAGS below for the tags the grader and the kit use, or in the
`[tags]` table of an assignment's bugs.toml for that assignment's own (grader.kit.bugs).
A tag may also ask a person to look at the submission (its `attention` reason), or name no
specific bug (`counted=False`: the report does not count it as a bug class).

A *bug* is one known mistake: a name, its tag and the hint the student reads. `likely` is the
one place a diagnosis joins a message ("Likely bug: <hint>.").
"""
from __future__ import annotations

import difflib
from collections import namedtuple

from .failures import CheckFailure

Tag = namedtuple("Tag", "sentence attention counted", defaults=("", True))

TAGS = {
    # what the harness says about a submission it could not run as asked
    "missing-file": Tag("did not submit the file", "a required file is missing or misnamed", False),
    "renamed-file": Tag("submitted a file under another name", "a required file was found under another name",
                        False),
    "bad-submission": Tag("sent a submission that could not be used", "the upload could not be used", False),
    "zip-in-zip": Tag("submitted a zip inside the zip", "a zip inside the zip", False),
    "python2": Tag("submitted Python 2 code", "Python 2 code", False),
    "import-error": Tag("did not import", "a file failed to import", False),
    "timeout": Tag("timed out", "a check timed out", False),
    "submission-timeout": Tag("ran past the time limit for the whole submission",
                              "grading hit the overall time limit", False),
    "crash": Tag("crashed the process (exit, signal or limit)", "the sandboxed code crashed", False),
    "not-attempted": Tag("did not attempt it", counted=False),
    "exception": Tag("raised an exception"),
    # what came back, before any value is compared
    "returned-none": Tag("returned None"),
    "wrong-type": Tag("returned the wrong type"),
    "missing-key": Tag("left out a key of the returned dict"),
    "wrong-shape": Tag("returned the wrong shape"),
    "non-finite": Tag("returned NaN or inf"),
    # values that are wrong: no bug named, then the slips every comparison tries
    "wrong-values": Tag("returned wrong values", counted=False),
    "gradient-check": Tag("returned a gradient that disagrees with finite differences", counted=False),
    "transposed": Tag("returned a transposed result"),
    "sign-flip": Tag("flipped a sign"),
    "sum-vs-mean": Tag("summed over the batch instead of averaging"),
    "mean-vs-sum": Tag("divided by N once too often (averaged where a sum was expected)"),
    "scale": Tag("was off by a constant factor"),
    "zeros": Tag("returned all zeros"),
    "printed-derivatives": Tag("printed wrong derivatives", counted=False),
    # the kit's standard wrong answers (grader.kit.bugs and the kit's modules)
    "reg-twice": Tag("added the penalty's gradient twice"),
    "reg-missing": Tag("left out the L2 penalty or its gradient"),
    "reg-factor": Tag("left out the penalty's factor 1/2"),
    "missing-activation-derivative": Tag("left out the activation's derivative"),
    "function-not-derivative": Tag("used the function where its derivative belongs"),
    "follows-wrong-loss": Tag("computed gradients that follow a wrong loss"),
    "unstable-softmax": Tag("computed a softmax that overflows (no max shift)"),
    "training": Tag("did not train well"),
    "training-gradient": Tag("trained differently from the reference (a gradient is off)"),
    # expression answers (grader.expressions)
    "unparsable-expression": Tag("wrote an expression the grader could not read"),
    "wrong-expression": Tag("wrote a wrong expression"),
    "shape-mismatch": Tag("wrote an expression whose shapes do not fit"),
    "restates-question": Tag("answered with the quantity the question asks for"),
    "too-costly": Tag("wrote an expression too costly to evaluate"),
}
ATTENTION = {tag: entry.attention for tag, entry in TAGS.items() if entry.attention}


class Bug(namedtuple("Bug", "name tag hint sentence")):
    """A known mistake: its name, tag, hint for the student and its tag's report sentence."""

    def given(self, value: object) -> WrongAnswer:
        """This bug with the value it would produce, for check_close(..., wrong_answers=[...])."""
        return WrongAnswer(self, value)

    def failure(self, message: str) -> CheckFailure:
        """A CheckFailure for this bug, found by the check itself; `message` says what is wrong."""
        return CheckFailure(message, [self.tag], {self.tag: self.sentence})


WrongAnswer = namedtuple("WrongAnswer", "bug value")


def standard(name: str, tag: str, hint: str) -> Bug:
    """A bug of one of the TAGS (its sentence is the tag's)."""
    return Bug(name, tag, hint, TAGS[tag].sentence)


LIKELY = "Likely bug: {hint}."


def likely(bug: Bug, message: str, failure: CheckFailure | None = None) -> CheckFailure:
    """`message` with the diagnosis `bug` appended, tagged as `bug`; `failure`, when the diagnosis
    explains a failure already raised, keeps its tags and sentences too."""
    tags, said = (failure.tags, failure.bugs) if failure else ((), {})
    return CheckFailure(f"{message}\n{LIKELY.format(hint=bug.hint)}", (*tags, bug.tag), {**said, bug.tag: bug.sentence})


def sentences(tags: list[str], given: dict | None = None) -> dict[str, str]:
    """tag -> report sentence for `tags`: TAGS' own, else the one the check gave (`given`: an
    assignment's own tag, worded by its bugs.toml)."""
    given = given or {}
    return {tag: TAGS[tag].sentence if tag in TAGS else given[tag] for tag in tags if tag in TAGS or tag in given}


def counted(tag: str) -> bool:
    """Whether report.html counts `tag` as a bug class (a tag of an assignment's own always is)."""
    return tag not in TAGS or TAGS[tag].counted


def known(tag: str, own: dict, where: str) -> str:
    """Nothing if `tag` is one of TAGS or of `own` (an assignment's), else what is wrong with it."""
    if tag in TAGS or tag in own:
        return ""
    close = difflib.get_close_matches(tag, [*TAGS, *own], n=1, cutoff=0.6)
    return f"{where}: unknown tag {tag!r}" + (f"; did you mean {close[0]!r}?" if close else
                                             " (declare it in the [tags] table of a bugs.toml)")


# The standard bugs: what grader.compare tries on every comparison, and the kit's
# (grader.kit.bugs, gradients, stability, training).
SIGN_FLIP = standard("SIGN_FLIP", "sign-flip", "the sign is flipped")
TRANSPOSED = standard("TRANSPOSED", "transposed", "transposed")
SUM_NOT_MEAN = standard("SUM_NOT_MEAN", "sum-vs-mean", "summed over the batch instead of averaging (missing 1/N)")
MEAN_NOT_SUM = standard("MEAN_NOT_SUM", "mean-vs-sum", "averaged over the batch where a sum is expected")
DIVIDED_TWICE = standard("DIVIDED_TWICE", "mean-vs-sum", "divided by N twice")
SCALED = standard("SCALED", "scale", "off by a constant factor")  # grader.compare words the factor it found
ZEROS = standard("ZEROS", "zeros", "the result is all zeros")
PENALTY_TWICE = standard("PENALTY_TWICE", "reg-twice", "the penalty gradient is added twice")
PENALTY_MISSING = standard("PENALTY_MISSING", "reg-missing", "the penalty gradient is missing")
LOSS_PENALTY_MISSING = standard("LOSS_PENALTY_MISSING", "reg-missing", "the L2 penalty is missing")
LOSS_PENALTY_FACTOR = standard("LOSS_PENALTY_FACTOR", "reg-factor", "the L2 penalty lacks its factor 0.5")
LOSS_SUM_NOT_MEAN = standard("LOSS_SUM_NOT_MEAN", "sum-vs-mean",
                             "the loss is summed over the batch instead of averaged")
MISSING_DERIVATIVE = standard("MISSING_DERIVATIVE", "missing-activation-derivative",
                              "the activation's derivative is missing")
FUNCTION_NOT_DERIVATIVE = standard("FUNCTION_NOT_DERIVATIVE", "function-not-derivative",
                                   "the activation is used where its derivative belongs")
FOLLOWS_WRONG_LOSS = standard("FOLLOWS_WRONG_LOSS", "follows-wrong-loss", "the gradient follows a wrong loss")
UNSTABLE_SOFTMAX = standard("UNSTABLE_SOFTMAX", "unstable-softmax", "exp overflowed: subtract the row maximum")
TRAINS_POORLY = standard("TRAINS_POORLY", "training", "the trained model falls short")
TRAINS_OFF_COURSE = standard("TRAINS_OFF_COURSE", "training-gradient", "training drifts from the reference's")
