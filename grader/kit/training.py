"""Train in the sandbox, measure in the trusted process.

The child trains with the student's code on the assignment's data; it
never receives the labels accuracy is measured on (the manifest's
[withhold] keeps them out of the staged data; `hidden_labels` gives the
placeholder to pass where the API wants them). The grader computes accuracy
from the predictions that come back, against labels only it holds.

A training item that must fail for any one wrong or zero gradient is
declared as its run, the probe: one function that trains with `code` and
returns what it measures, made into graded item 4.4 (2 points, the
[training.digits] settings) by `graded_run`:

    @graded_run("4.4", "digits", 2.0)
    def test_digits_training(code, data, run, seed):
        '''a network trained with your code learns the digits

        A relu network trained with your code ({epochs} epochs, seed {seed})
        '''
        ...
        return {"loss": ..., "accuracy": ..., "outputs": ...}

`code` is the `student` fixture while grading, and trusted modules
(`with_seed`) for the reference's run and for `python -m grader thresholds`,
which trains the same probe over many seeds to set the limits: the limits
mean something only if they are derived from exactly the run the check makes.
The reference's run from the same seed turns each measure into a relative
gap, `<measure>_gap`; the gap of the outputs catches bugs that still learn
well (a bias that never trains). A limit is a [training.<run>] key
`min_<measure>` or `max_<measure>`. `require_run` grades both halves:
the model learns (every limit on a measure), and it learns as the
reference's does (every limit on a gap).

A probe may also return what its run records for the feedback's picture
(RECORD: `history`, the loss per epoch or step, and its `history_unit`;
`grad_history`; `grid`, the predicted class on
`grader.figures.lattice(points_X)`; `points_X`/`points_y`, the grader's own
data points, never values from the child). Never graded, the record of both
runs is left on the check as `__training__` (docs/decisions.md, "Training
runs"), and the plugin draws it after the item (grader.figures).
"""
import contextlib
import inspect
import io
import re
from types import SimpleNamespace

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit

from ..failures import CheckFailure
from ..sandbox.errors import SandboxUnavailable
from .bugs import Bug
from .remembered import remembered
from .values import labels_of

__all__ = ["hidden_labels", "accuracy", "require_accuracy", "require_error", "TRAINS_POORLY", "TRAINS_OFF_COURSE",
           "graded_run", "with_seed", "with_gaps", "limits", "shortfalls", "require_run"]

RECORD = ("history", "grad_history", "history_unit", "grid", "points_X", "points_y")  # drawn, never graded
TRAINS_POORLY = Bug("the trained model falls short", "training", "did not train well")
TRAINS_OFF_COURSE = Bug("training drifts from the reference's", "training-gradient",
                        "trained differently from the reference (a gradient is off)")


def hidden_labels(labels):
    """Zeros in place of labels the child must not see (same shape and dtype)."""
    return np.zeros_like(labels)


def accuracy(predicted, labels, call):
    """Fraction of `predicted` (validated: one whole number per example) equal to `labels`."""
    labels = np.asarray(labels)
    return float(np.mean(labels_of(predicted, len(labels), call) == labels))


def require_accuracy(value, minimum, what, examples):
    """Fail unless `value` >= `minimum`; `what` says how the model was trained."""
    if value < minimum:
        raise TRAINS_POORLY.failure(f"{what} classifies {value:.1%} of the {examples} held-out examples "
                                    f"correctly; at least {minimum:.0%} is needed.")


def require_error(value, maximum, what, examples):
    """Fail unless the error rate `value` <= `maximum`."""
    if value > maximum:
        raise TRAINS_POORLY.failure(f"{what} misclassifies {value:.1%} of the {examples} held-out examples; "
                                    f"at most {maximum:.0%} is allowed.")


def graded_run(item, run, points):
    """Graded item `item`, worth `points`, made from its probe and trained with the
    [training.<run>] settings under their timeout. The probe's docstring names the item (its
    first line, as for every check) and, in its second paragraph, the run as messages say it,
    with the settings in braces ("{epochs} epochs, seed {seed}"). The probe stays reachable as
    `.probe`, for `python -m grader thresholds`."""
    def make(probe):
        title, _, what = inspect.cleandoc(probe.__doc__ or "").partition("\n\n")
        if not what.strip():
            raise TypeError(f"{probe.__name__}: the docstring's second paragraph must name the run")

        @partial_credit(points)
        @number(item)
        def check(student, ref, data, assignment, set_score=None):
            settings = assignment.run(run)
            student.time_limit(settings.timeout)
            check.__training__ = None
            require_run(probe, student, ref, data, settings, " ".join(what.split()).format(**settings), points,
                        set_score, assignment, keep=lambda record: setattr(check, "__training__", record))
        probe.training_item, probe.training_run = item, run
        check.__name__, check.__doc__, check.probe = probe.__name__, title, probe
        return check
    return make


def with_seed(modules):
    """Trusted modules as a probe's `code`: the same names plus `seed`, `set` and `fetch`, as on
    `student` (here objects are at hand: `fetch` gives back what it is given)."""
    return SimpleNamespace(**vars(modules), seed=np.random.seed, set=setattr, fetch=lambda value: value)


def record_calls(**calls):
    """The RECORD fields whose call succeeds, each as returned (grader.figures checks them before
    drawing); a call that fails leaves its field out: a picture never costs a point."""
    out = {}
    for name, call in calls.items():
        try:
            out[name] = call()
        except SandboxUnavailable:
            raise
        except Exception:  # noqa: BLE001  whatever the student's code does, only the picture is lost
            continue
    return out


PRINTED_LOSS = re.compile(r"train_loss\s*=\s*([-+0-9.eEnaifNAIF]+)")


def printed_losses(code, call):
    """`call()`'s result, and the training losses it printed ("train_loss=..."), as floats: from
    the child's captured output for student code, captured here for trusted code."""
    if isinstance(code, SimpleNamespace):  # trusted modules (`with_seed`)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            result = call()
        text = buffer.getvalue()
    else:
        result = call()
        text = code.stdout
    losses = []
    for found in PRINTED_LOSS.findall(text):
        try:
            losses.append(float(found))
        except ValueError:
            losses.append(float("nan"))
    return result, losses


def with_gaps(measures, reference):
    """The scalar measures, plus each measure's distance from the reference's run.

    The distance is the largest difference relative to the reference's largest
    entry (absolute where that is 0). An array measure (the network's outputs
    on the test set) counts only through its gap: a scalar such as the loss can
    land on the reference's value by chance, all the outputs cannot.
    """
    out = {}
    for name, value in measures.items():
        if name in RECORD:
            continue
        value, expected = np.asarray(value, dtype=float), np.asarray(reference[name], dtype=float)
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        out[f"{name}_gap"] = float(np.max(np.abs(value - expected))) / (scale or 1.0)
        if value.ndim == 0:
            out[name] = float(value)
    return out


def limits(run):
    """(measure, 'min'/'max', bound) for every `min_*`/`max_*` key the run sets."""
    return [(key[4:], key[:3], value) for key, value in run.items()
            if key[:4] in ("min_", "max_") and value is not None]


def shortfalls(measures, run):
    """The limits a run misses, as (measure, value, bound); NaN misses every limit."""
    return [(name, measures[name], bound) for name, kind, bound in limits(run)
            if not (measures[name] >= bound if kind == "min" else measures[name] <= bound)]


MISSED = {  # what a missed limit says, from the student's own measure and the bar
    "accuracy": lambda value, bound: f"classifies {value:.1%} of them correctly (at least {bound:.0%} is needed)",
    "error": lambda value, bound: f"misclassifies {value:.1%} of them (at most {bound:.0%} is allowed)",
    "loss": lambda value, bound: f"has a cross-entropy of {value:.3g} on them (at most {bound:g} is allowed)",
}


def recorded(result):
    """A run's record as plain lists for the plugin's picture: its scalar measures and its RECORD
    fields (grader.figures checks them again before drawing)."""
    if not isinstance(result, dict):
        return None
    out = {"measures": {name: float(value) for name, value in result.items()  # 0-d arrays: remembered's
                        if name not in RECORD and np.ndim(value) == 0
                        and np.issubdtype(np.asarray(value).dtype, np.number)}}
    for name in RECORD:
        if name in result:
            value = result[name]
            out[name] = value.tolist() if isinstance(value, np.ndarray) else value
    return out


def require_run(probe, student, ref, data, run, what, points, set_score, assignment=None, keep=None):
    """Grade one training item: half of `points` if the student's run from `run.seed` meets every
    limit on a measure, half if its outputs stay within `max_outputs_gap` of the reference's run
    from the same seed (what rounding explains). `what` names the run for the message. Given the
    `assignment`, the reference's run is computed once per version of it (grader.kit.remembered).
    `keep` receives the record of both runs for the picture, before any verdict (the student's is
    None if that run raised)."""
    def reference_run():
        return probe(with_seed(ref), data, run, run.seed)
    reference = (reference_run() if assignment is None else
                 remembered(assignment, f"training {probe.training_item} {probe.training_run}", reference_run))
    record = {"item": getattr(probe, "training_item", None), "run": getattr(probe, "training_run", None),
              "limits": [list(limit) for limit in limits(run)], "student": None, "reference": recorded(reference)}
    if keep:
        keep(record)
    mine = probe(student, data, run, run.seed)
    record["student"] = recorded(mine)
    examples = len(np.asarray(mine["outputs"]))
    missed = shortfalls(with_gaps(mine, reference), run)
    poor = [MISSED[name](value, bound) for name, value, bound in missed if not name.endswith("_gap")]
    off_course = [value for name, value, _ in missed if name.endswith("_gap")]
    set_score(points / 2 * (not poor) + points / 2 * (not off_course))
    found = []
    if poor:
        found.append((TRAINS_POORLY, f"{what}, on the {examples} held-out examples, " + "; ".join(poor) + "."))
    if off_course:
        found.append((TRAINS_OFF_COURSE, "Trained from the same initial weights as the reference, its outputs on "
                      f"the held-out examples differ from the reference's by about {off_course[0]:.0e} of their "
                      "largest entry, more than rounding explains: some gradient differs, if only a bias's."))
    if found:
        raise CheckFailure("\n".join(text for _, text in found), [bug.tag for bug, _ in found],
                           {bug.tag: bug.sentence for bug, _ in found})
