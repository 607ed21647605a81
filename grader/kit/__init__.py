"""The check kit: what an assignment's checks are written with.

A check should read like its handout's question and call the kit for the
rest. The kit is plain Python and numpy (it ships in the student zip with
the public checks and runs on Windows), and it never sees the sandbox
itself: it works through the `student` fixture's interface (calls, `batch()`,
`set`, `fetch`), which grader.sandbox.inprocess also provides in-process.

Modules (import them as `from grader.kit import values, gradients, ...`):

values      every value from student code is checked before use:
            `array(got, shape, call, name)`, `number(got, call, name)`,
            `pair(result, call)`, `items(result, n, call, what)`,
            `entry(result, key, call)`, `sequence(values, n, call, name)`,
            `labels_of(predicted, n, call)`, `handle(got, call, what)` (an object
            left in the sandbox, e.g. from a factory), `kind_of(value)`.
problems    random problems: `away_from_zero`, `labels`, `one_hot`, `params`,
            `until_kink_free`, `classification`.
gradients   `loss_and_grads(result, call) -> (float, dict)`, `grad_of`,
            finite differences in one round trip: `numeric_gradient(student, x,
            stage, call[, read])` with stages `set_and_call`, `set_entry_and_call`,
            `call_with`; `elementwise_numeric` for elementwise functions;
            verdicts `agrees_with_own_loss` (public) and `matches_reference`
            (hidden; points at the loss when the gradient follows it).
bugs        standard wrong answers: `bug.given(value)` for check_close,
            `penalty_variants`, `batch_variants`, `gradient_variants`,
            `loss_variants`, `activation_variants`, `transposed`, `sign_flipped`
            and the Bug constants (PENALTY_TWICE, SUM_NOT_MEAN, ...); an
            assignment's own bugs: `BUGS = bugs.catalogue(__file__)` reads the
            bugs.toml beside the check file (hint and tag per bug; the
            assignment's own tags and their report sentences in `[tags]`).
items       a family of items (one question asked of several activations,
            parameters or questions): `@cases("act", {number: (title, value)})`
            on one function makes each row its own graded item.
training    train in the child, measure here: `hidden_labels`, `accuracy`;
            every training item is `@graded_run(item, run, points)` on its
            probe, graded by `require_run` (learns, and learns as the
            reference does), with what a figure of the run needs.
remembered  what the reference alone decides (a training run from a fixed
            start), computed once per version of the assignment:
            `remembered(assignment, key, compute)`, in a check file
            `REMEMBER = remembered.for_checks(__file__)`; `key_of(*inputs)`.
stability   softmax overflow probe: `large_scores`, `large_bias`,
            `stable_value` (message: "exp overflowed: subtract the row maximum").
shared      helpers an assignment's public and hidden checks both use, kept
            once in checks/public/shared.py: `SHARED = shared.of(__file__)`.
printed     printed output in linear time: `labelled_values`, `label`,
            `verdicts` ("Param i is CORRECT/WRONG, error = e" lines).

Everything a check file uses comes from here, one import:

    from grader.kit import bugs, check_close, number, partial_credit, partial_credit_over, weight

points      `@weight(p)` and `@number("1.2")` (gradescope-utils'); `@partial_credit(p)`,
            whose `set_score` knows the item's points, so `partial_credit_over(parts,
            set_score)` shares them out over zero-argument parts without restating them
            (grader.kit.points).
comparing   `check_close`, `check_gradient`, `as_array` (grader.compare); finite
            differences `batched_gradient`, `central_difference`, `perturbed`
            (grader.gradcheck); expression answers `grade_answer` (grader.expressions).
failing     `CheckFailure(message, tags, bugs)`, where `bugs` maps each tag to the
            sentence report.html prints ("25% added the penalty's gradient twice in 2.3");
            `likely(bug, message[, failure])` appends a known bug's diagnosis ("Likely
            bug: ...") and tags it (grader.vocabulary, the one registry of tags and bugs).
            Hidden feedback never quotes expected numbers: check_close says where and
            roughly how far a value is off.
"""
from gradescope_utils.autograder_utils.decorators import number, weight

from ..compare import as_array, check_close, check_gradient
from ..expressions import grade_answer
from ..failures import CheckFailure
from ..gradcheck import batched_gradient, central_difference, perturbed
from ..vocabulary import likely
from . import bugs, gradients, items, printed, problems, remembered, shared, stability, training, values
from .items import cases
from .points import partial_credit, partial_credit_over

__all__ = ["number", "weight", "partial_credit", "partial_credit_over", "cases", "check_close", "check_gradient",
           "as_array", "batched_gradient", "central_difference", "perturbed", "grade_answer", "CheckFailure",
           "likely", "bugs", "gradients", "items", "printed", "problems", "remembered", "shared", "stability",
           "training", "values"]
