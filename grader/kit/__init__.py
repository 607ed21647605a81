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
bugs        standard wrong answers: `Bug(hint, tag, sentence).given(value)`,
            `penalty_variants`, `batch_variants`, `gradient_variants`,
            `loss_variants`, `activation_variants`, `transposed`, `sign_flipped`
            and the Bug constants (PENALTY_TWICE, SUM_NOT_MEAN, ...); an
            assignment's own bugs: `BUGS = bugs.catalogue(__file__)` reads the
            bugs.toml beside the check file.
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

Comparison itself is grader.compare (`check_close`, `check_gradient`,
`partial_credit_over`), which the kit builds on; failures are
grader.failures.CheckFailure(message, tags, bugs), where `bugs` maps each
tag to the sentence report.html prints ("25% added the penalty gradient
twice in 2.3"). Hidden feedback never quotes expected numbers: check_close
says where and roughly how far a value is off.
"""
from . import bugs, gradients, items, printed, problems, remembered, shared, stability, training, values  # noqa: F401
