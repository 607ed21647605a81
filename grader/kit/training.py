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
reference's does (every limit on a gap); a run with limits of one kind
only, or an item declared `whole=True`, is all or nothing.

Where an item needs more: a table of cases (`{"4.3": "tanh", ...}` for
`item`) makes one graded item per row, the probe taking the row's value as
`case`; a probe that names `ref` also gets the reference's modules, one
that names `assignment` can read another run's settings. Besides its
measures a probe may return what a figure of the run needs (RECORD_KEYS);
`recorded` bounds it, and the graded check keeps both runs' records as
`__training__` (docs/decisions.md, "Training runs").
"""
import contextlib
import functools
import inspect
import io
import re
from types import SimpleNamespace

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit

from ..failures import CheckFailure
from ..sandbox import CallFailed, ChildTimeout
from ..vocabulary import TRAINS_OFF_COURSE, TRAINS_POORLY
from .items import cases as table_of_cases
from .remembered import remembered
from .values import labels_of

__all__ = ["hidden_labels", "accuracy", "TRAINS_POORLY", "TRAINS_OFF_COURSE",
           "graded_run", "with_seed", "with_gaps", "limits", "shortfalls", "require_run", "measures_of",
           "lattice", "boundary", "history_of", "recorded", "RECORD_KEYS"]


def hidden_labels(labels):
    """Zeros in place of labels the child must not see (same shape and dtype)."""
    return np.zeros_like(labels)


def accuracy(predicted, labels, call):
    """Fraction of `predicted` (validated: one whole number per example) equal to `labels`."""
    labels = np.asarray(labels)
    return float(np.mean(labels_of(predicted, len(labels), call) == labels))


def graded_run(item, run, points, whole=False, reference_run=True):
    """Graded item `item`, worth `points`, made from its probe and trained with the
    [training.<run>] settings under their timeout. The probe's docstring names the item (its
    first line, as for every check) and, in its second paragraph, the run as messages say it,
    with the settings in braces ("{epochs} epochs, seed {seed}"). `item` may be a table
    {number: case} (or {number: (title, case)}): one item per row, each worth `points`, "{case}"
    in both paragraphs and in `run`.
    `whole`: all or nothing, rather than half per kind of limit. `reference_run=False`: where no
    limit compares with the reference, its run (only the figure's) is skipped, as too costly to
    repeat in a grade that cannot reuse it. The probe of each item stays
    reachable as `.probes[number]`, for `python -m grader thresholds`."""
    table = item if isinstance(item, dict) else {item: None}

    def make(probe):
        title, _, what = inspect.cleandoc(probe.__doc__ or "").partition("\n\n")
        if not what.strip():
            raise TypeError(f"{probe.__name__}: the docstring's second paragraph must name the run")
        rows = {n: case if isinstance(case, tuple) else (title.format(case=case), case) for n, case in table.items()}
        probes = {n: bound_probe(probe, n, run.format(case=case), case, isinstance(item, dict))
                  for n, (_, case) in rows.items()}

        def grade(student, ref, data, assignment, case, set_score):
            one = probes[next(n for n, (_, c) in rows.items() if c == case)]
            settings = assignment.run(one.training_run)
            student.time_limit(settings.timeout)
            words = " ".join(what.split()).format(**settings, case=case)
            graded.__training__ = None
            require_run(one, student, ref, data, settings, words, points, set_score, assignment,
                        whole=whole, keep=lambda record: setattr(graded, "__training__", record),
                        reference_run=reference_run)

        if isinstance(item, dict):
            def check(student, ref, data, assignment, case, set_score=None):
                grade(student, ref, data, assignment, case, set_score)
            check = table_of_cases("case", rows)(check)
        else:
            def check(student, ref, data, assignment, set_score=None):
                grade(student, ref, data, assignment, None, set_score)
            check = number(item)(check)
        check.__doc__ = title
        check.__name__ = probe.__name__
        graded = partial_credit(points)(check)
        graded.probes = probes
        return graded
    return make


def bound_probe(probe, item, run, case, has_case):
    """The probe of one item, `one(code, data, settings, seed, ref, assignment)`, calling
    `probe(code, data, settings, seed)` with its case and whichever of `ref` (the reference's
    modules) and `assignment` (another run's settings) it names; named by `training_item` and
    `training_run`."""
    wanted = inspect.signature(probe).parameters

    @functools.wraps(probe)
    def one(code, data, settings, seed, ref=None, assignment=None):
        extra = {name: value for name, value in [("ref", ref), ("assignment", assignment)] if name in wanted}
        return probe(code, data, settings, seed, **extra, **(dict(case=case) if has_case else {}))
    one.training_item, one.training_run, one.takes_ref = item, run, True  # require_run passes ref, assignment
    return one


def with_seed(modules):
    """Trusted modules as a probe's `code`: the same names plus `seed`, `set` and `fetch`, as on
    `student` (here objects are at hand: `fetch` gives back what it is given)."""
    return SimpleNamespace(**vars(modules), seed=np.random.seed, set=setattr, fetch=lambda value: value)


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
    ("accuracy", "min"): lambda value, bound: f"classifies {value:.1%} of them correctly (at least {bound:.0%} "
                                              "is needed)",
    ("accuracy", "max"): lambda value, bound: f"classifies {value:.1%} of them correctly (this model can classify "
                                              f"at most {bound:.0%}: is it still the model the handout asks for?)",
    ("error", "max"): lambda value, bound: f"misclassifies {value:.1%} of them (at most {bound:.0%} is allowed)",
    ("loss", "max"): lambda value, bound: f"has a cross-entropy of {value:.3g} on them (at most {bound:g} is "
                                          "allowed)",
    ("margin", "min"): lambda value, bound: f"classifies {value:.1%} more of them correctly than the simpler model "
                                            f"(at least {bound:.0%} more is needed)",
}
OFF_COURSE = {  # what a missed gap limit says: which of the run's results left the reference's
    "outputs": "its outputs on the examples differ from the reference's by about {gap:.0e} of their largest "
               "entry",
    "loss": "the reference's cost of its trained parameters differs from that of the reference's own by a "
            "relative {gap:.0e}",
}
RECORD_KEYS = ("history", "grad_history", "history_unit", "grid", "points_X", "points_y",  # for the figure
               "examples")  # what a probe returns besides its measures
HISTORY_ENTRIES = 200   # a history longer than this is kept at evenly spaced steps
GRID_CELLS = 40         # the decision-boundary grid is GRID_CELLS x GRID_CELLS


def measures_of(result):
    """A probe's measures: everything it returned but the record."""
    return {name: value for name, value in result.items() if name not in RECORD_KEYS}


def lattice(X, cells=GRID_CELLS):
    """The inputs of a cells x cells grid over the box of the 2-D points X, a tenth wider on
    every side: row i * cells + j is (xs[j], ys[i])."""
    X = np.asarray(X, dtype=float)
    low, high = X.min(axis=0), X.max(axis=0)
    low, high = low - (high - low) / 10, high + (high - low) / 10
    xs, ys = np.linspace(low[0], high[0], cells), np.linspace(low[1], high[1], cells)
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def boundary(predict, X, y, call):
    """The record of a 2-D run's decision regions: `predict` (the trained model's) on the
    lattice over the points X, and the points with their labels `y`: the training points,
    which students have (never held-out labels: the figure is shown to them). Asked after the
    item's measures; a predict that fails on the lattice leaves the figure out ({}), never
    costs the item."""
    inputs = lattice(X)
    try:
        grid = labels_of(predict(inputs), len(inputs), f"{call} on a {GRID_CELLS}x{GRID_CELLS} grid")
    except (CheckFailure, CallFailed, ChildTimeout):
        return {}
    return {"grid": grid, "points_X": np.asarray(X, dtype=float), "points_y": np.asarray(y).astype(np.int64)}


def history_of(value, unit, name="history"):
    """A history for the record (`name`: history or grad_history) from what a training call
    returned, if it is a flat list of numbers; else none (not every handout's train returns one)."""
    try:
        history = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return {}
    return {name: history, "history_unit": unit} if history.ndim == 1 and history.size else {}


def thinned(history):
    """At most HISTORY_ENTRIES evenly spaced entries of a history (NaN where not finite), and
    the step each was taken after (1-based)."""
    steps = np.unique(np.linspace(0, history.size - 1, min(history.size, HISTORY_ENTRIES)).astype(int))
    return [float(v) if np.isfinite(v) else float("nan") for v in history[steps]], [int(k) + 1 for k in steps]


def recorded(result):
    """The figure's record of one run as plain lists (docs/decisions.md, "Training runs"), from
    values already checked where they crossed from the child, bounded again here: a field
    that is not what it should be is left out (a figure is never worth a grade)."""
    if not isinstance(result, dict):
        return None
    out = {"measures": {name: float(value) for name, value in measures_of(result).items()  # 0-d: remembered's
                        if np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number)}}
    for name in ("history", "grad_history"):
        history = np.asarray(result.get(name, []), dtype=float).ravel()
        if 0 < history.size <= 10 ** 6:
            out[name], out[f"{name}_steps"] = thinned(history)
            out["history_unit"] = str(result.get("history_unit", "step"))
    grid, X, y = (np.asarray(result.get(name, [])) for name in ("grid", "points_X", "points_y"))
    if (grid.shape == (GRID_CELLS ** 2,) and np.issubdtype(grid.dtype, np.integer) and X.ndim == 2
            and X.shape[1] == 2 and 0 < len(X) <= 10 ** 4 and y.shape == (len(X),)
            and np.all(np.isfinite(X.astype(float)))):
        out.update(grid=grid.astype(int).tolist(), points_X=X.astype(float).tolist(), points_y=y.astype(int).tolist())
    return out


def require_run(probe, student, ref, data, run, what, points, set_score, assignment=None, whole=False, keep=None,
                reference_run=True):
    """Grade one training item: half of `points` if the student's run from `run.seed` meets every
    limit on a measure, half if its outputs stay within `max_outputs_gap` of the reference's run
    from the same seed (what rounding explains); a run with limits of one kind only, or `whole`,
    scores all or nothing. `what` names the run for the message. Given the `assignment`, the
    reference's run is computed once per version of it (grader.kit.remembered); without a limit
    on a gap it is only the figure's, and `reference_run=False` skips it. `keep` receives the
    figure's record of both runs, before any verdict."""
    takes_ref = getattr(probe, "takes_ref", False)
    compared = any(name.endswith("_gap") for name, _, _ in limits(run))

    def trained(code):
        return probe(code, data, run, run.seed, **({"ref": ref, "assignment": assignment} if takes_ref else {}))

    reference = None
    if compared or reference_run:
        reference = (trained(with_seed(ref)) if assignment is None else
                     remembered(assignment, f"training {probe.training_item} {probe.training_run}",
                                lambda: trained(with_seed(ref))))
    record = {"item": getattr(probe, "training_item", None), "run": getattr(probe, "training_run", None),
              "limits": [list(limit) for limit in limits(run)], "student": None, "reference": recorded(reference)}
    if keep:
        keep(record)
    mine = trained(student)
    record["student"] = recorded(mine)
    examples = mine.get("examples") or len(np.asarray(mine["outputs"]))
    examples = examples if isinstance(examples, str) else f"{examples} held-out examples"
    missed = shortfalls(with_gaps(measures_of(mine), measures_of(mine if reference is None else reference)), run)
    kind_of = {name: kind for name, kind, _ in limits(run)}
    poor = [MISSED[name, kind_of[name]](value, bound) for name, value, bound in missed if not name.endswith("_gap")]
    off_course = [(name[:-4], value) for name, value, _ in missed if name.endswith("_gap")]
    if whole or len({name.endswith("_gap") for name in kind_of}) < 2:
        set_score(points * (not poor and not off_course))
    else:
        set_score(points / 2 * (not poor) + points / 2 * (not off_course))
    found = []
    if poor:
        found.append((TRAINS_POORLY, f"{what}, on the {examples}, " + "; ".join(poor) + "."))
    if off_course:
        name, gap = off_course[0]
        found.append((TRAINS_OFF_COURSE, "Trained from the same start as the reference, "
                      + OFF_COURSE[name].format(gap=gap)
                      + ", more than rounding explains: some gradient differs, if only a bias's."))
    if found:
        raise CheckFailure("\n".join(text for _, text in found), [bug.tag for bug, _ in found],
                           {bug.tag: bug.sentence for bug, _ in found})
