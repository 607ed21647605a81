"""Public checks: your gradients against finite differences of your own cost,
your finite differences against the grader's, what your gradient check
prints, and your mini-batches. They need only your files."""
import numpy as np

from grader.kit import (
    CheckFailure,
    bugs,
    cases,
    gradients,
    number,
    partial_credit,
    partial_credit_over,
    printed,
    problems,
    values,
    weight,
)

N, REG = 7, 0.1
NAMES = ("W", "b", "W2", "b2", "W3", "b3")
MODELS = {"prob1a": [3, 4], "prob1c": [3, 5, 4], "prob2b": [3, 5, 6, 4]}  # layer widths, d .. k
BUGS = bugs.catalogue(__file__)


def draw(rng, module):
    """(X, y, theta) for `module`'s model, every ReLU pre-activation away from its kink."""
    widths = MODELS[module]
    shapes = {}
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        shapes[NAMES[2 * i]], shapes[NAMES[2 * i + 1]] = (fan_in, fan_out), (1, fan_out)

    def hidden_preactivations(X, params):
        pre, h = [], X
        for i in range(len(widths) - 2):
            pre.append(h @ params[NAMES[2 * i]] + params[NAMES[2 * i + 1]])
            h = np.maximum(0, pre[-1])
        return pre or [np.ones(1)]
    X, y, params = problems.classification(rng, N, widths[0], widths[-1], shapes,
                                           preactivations=hidden_preactivations)
    return X, y, tuple(params.values())


def own_cost_gradient(student, module, X, y, theta, i, call):
    """Finite differences of the student's computeCost with respect to theta[i], in one round trip."""
    cost = getattr(student, module).computeCost

    def stage(batch, moved):
        batch.call(cost, X, y, theta[:i] + (moved,) + theta[i + 1:], REG)
    return gradients.numeric_gradient(student, theta[i], stage, f"{module}.computeCost")


@partial_credit(1.0)
@cases("module", {
    "1.3": ("softmax regression: computeGrad agrees with finite differences of your computeCost", "prob1a"),
    "2.3": ("one hidden layer: computeGrad agrees with finite differences of your computeCost", "prob1c"),
    "3.3": ("two hidden layers: computeGrad agrees with finite differences of your computeCost", "prob2b")})
def test_gradients_match_finite_differences(student, ref_at_hand, rng, module, set_score=None):
    """Each model's computeGrad against the student's own computeCost: no reference needed (in the
    autograder, a gradient equal to the reference's passes even if computeCost is wrong)."""
    X, y, theta = draw(rng, module)
    call = f"{module}.computeGrad(X: {X.shape}, y, theta, reg={REG})"
    grads = values.items(getattr(student, module).computeGrad(X, y, theta, REG), len(theta), call,
                         f"a tuple of {len(theta)} gradients in theta's order")
    expected = getattr(ref_at_hand, module).computeGrad(X, y, theta, REG) if ref_at_hand else [None] * len(theta)

    def agrees(i):
        numeric = own_cost_gradient(student, module, X, y, theta, i, call)
        gradients.agrees_with_own_loss(grads[i], numeric, call=call, name=f"d{NAMES[i]}", of="your computeCost",
                                       reference=expected[i], batch_size=len(X))
    partial_credit_over([lambda i=i: agrees(i) for i in range(len(theta))], set_score)


@weight(1.0)
@cases("module", {
    "4.1": ("prob1a.computeNumGrad matches the grader's finite differences and restores theta", "prob1a"),
    "4.2": ("prob1c.computeNumGrad matches the grader's finite differences and restores theta", "prob1c")})
def test_numerical_gradient(student, rng, module):
    """computeNumGrad against the grader's finite differences of the same computeCost, and theta
    left as it was: theta lives in the child, so the check reads it back after the call."""
    X, y, theta = draw(rng, module)
    code = getattr(student, module)
    call = f"{module}.computeNumGrad(X: {X.shape}, y, theta, reg={REG})"
    student.set(code, "_grader_theta", theta)
    numeric = values.items(code.computeNumGrad(X, y, code._grader_theta, REG), len(theta), call,
                           f"a tuple of {len(theta)} arrays in theta's order")
    after = values.items(student.fetch(code._grader_theta), len(theta), call, "theta")
    for i, param in enumerate(theta):
        if not np.allclose(values.array(after[i], param.shape, call, f"theta[{i}] afterwards"), param,
                           rtol=1e-12, atol=1e-14):
            raise BUGS.NOT_RESTORED.failure(f"{call} changed theta[{i}] ({NAMES[i]}): after each entry is moved "
                                            "by +eps and -eps it must be put back to its original value.")
    for i, param in enumerate(theta):
        got = values.array(numeric[i], param.shape, call, f"d{NAMES[i]}")
        trusted = own_cost_gradient(student, module, X, y, theta, i, call)
        gradients.agrees_with_own_loss(got, trusted, call=call, name=f"d{NAMES[i]}",
                                       of="your computeCost (the grader's own central differences, h = 1e-5)")
    independent_of_computeGrad(student, code, X, y, theta, numeric, call)


def independent_of_computeGrad(student, code, X, y, theta, numeric, call):
    """A numerical gradient that is computeGrad's output in disguise checks nothing: computeNumGrad
    is called again with computeGrad replaced (by computeCost, which returns no gradient at all) and
    must give the same arrays. computeGrad is put back afterwards."""
    original = student.fetch(code.computeGrad)
    student.set(code, "computeGrad", code.computeCost)
    try:
        again = values.items(code.computeNumGrad(X, y, theta, REG), len(theta), call, f"a tuple of {len(theta)}")
        same = all(np.array_equal(values.array(a, p.shape, call, ""), values.array(n, p.shape, call, ""))
                   for a, n, p in zip(again, numeric, theta))
    except CheckFailure:
        same = False
    finally:
        student.set(code, "computeGrad", original)
    if not same:
        raise BUGS.USES_ANALYTIC.failure(
            f"{call} changes when computeGrad is replaced: a numerical gradient must come from computeCost "
            "alone (central differences), or it cannot check computeGrad.")


def expect_verdicts(student, code, nabla_n, nabla, expected, case):
    """Call check_gradients(nabla_n, nabla) and compare the printed verdicts with `expected`."""
    call = f"check_gradients(nabla_n, nabla) with {case}"
    code.check_gradients(nabla_n, nabla)
    found = printed.verdicts(student.stdout)
    got = [verdict for _, verdict in sorted((i, v) for i, v, _ in found)]
    if [i for i, _, _ in found] != list(range(len(expected))) or got != expected:
        shown = ", ".join(f"Param {i} is {v}" for i, v, _ in found) or "no 'Param i is CORRECT/WRONG' line"
        raise BUGS.WRONG_VERDICT.failure(f"{call} printed {shown}; expected "
                                         + ", ".join(f"Param {i} is {v}" for i, v in enumerate(expected)) + ".")


@weight(1.0)
@cases("module", {
    "4.3": ("prob1a's gradient check prints CORRECT and WRONG where it should (NaN is WRONG)", "prob1a"),
    "4.4": ("prob1c's gradient check prints CORRECT and WRONG where it should (NaN is WRONG)", "prob1c")})
def test_gradient_check_verdicts(student, rng, module):
    """Your numerical gradient against trusted ones prints CORRECT; one slightly off, one wrong
    tensor and all-zero gradients (error NaN) print WRONG where they should."""
    X, y, theta = draw(rng, module)
    code = getattr(student, module)
    call = f"{module}.computeNumGrad(X: {X.shape}, y, theta, reg={REG})"
    nabla_n = values.items(code.computeNumGrad(X, y, theta, REG), len(theta), call, f"a tuple of {len(theta)} arrays")
    nabla_n = tuple(values.array(g, p.shape, call, f"d{NAMES[i]}") for i, (g, p) in enumerate(zip(nabla_n, theta)))
    trusted = tuple(own_cost_gradient(student, module, X, y, theta, i, call) for i in range(len(theta)))
    count, last = len(theta), len(theta) - 1
    expect_verdicts(student, code, nabla_n, trusted, ["CORRECT"] * count,
                    "your computeNumGrad and correct analytic gradients")
    slightly_off = trusted[:last] + (trusted[last] * (1 + 1e-3),)
    expect_verdicts(student, code, trusted, slightly_off, ["CORRECT"] * last + ["WRONG"],
                    "the last gradient 0.1% off")
    one_wrong = (-trusted[0],) + trusted[1:]
    expect_verdicts(student, code, trusted, one_wrong, ["WRONG"] + ["CORRECT"] * last,
                    "the first gradient's sign flipped")
    zeros = tuple(np.zeros_like(g) for g in trusted)
    expect_verdicts(student, code, zeros, zeros, ["WRONG"] * count,
                    "all-zero gradients on both sides (error NaN, as from an empty implementation)")


@weight(1.0)
@number("5.1")
def test_create_mini_batch_covers_every_row_once(student):
    """create_mini_batch: batches of 5 over 23 rows give each row once, the last batch 3 rows"""
    rows, size = 23, 5
    X = np.arange(rows * 2, dtype=float).reshape(rows, 2)  # row i is [2i, 2i+1]: rows can be told apart
    y = np.arange(rows) % 3
    batch = student.batch()
    for start in range(0, rows, size):
        batch.call(student.prob2a.create_mini_batch, X, y, start, start + size)
    seen = []
    for start, result in zip(range(0, rows, size), batch.run()):
        call = f"create_mini_batch(X: {X.shape}, y, {start}, {start + size})"
        mb_x, mb_y = values.pair(result, call, "a pair (mb_x, mb_y)")
        expected = min(size, rows - start)
        if isinstance(mb_x, np.ndarray) and mb_x.ndim == 2 and len(mb_x) == expected + 1:
            raise BUGS.BAD_BATCHES.failure(f"{call} returned {expected + 1} rows: rows start .. end - 1 are wanted "
                                           "(end is excluded, as in X[start:end]); neighbouring batches share a row.")
        mb_x = values.array(mb_x, (expected, 2), call, "mb_x")
        mb_y = values.array(mb_y, (expected,), call, "mb_y") if np.ndim(mb_y) == 1 else \
            values.array(mb_y, (expected, 1), call, "mb_y").reshape(-1)
        taken = (mb_x[:, 0] / 2).astype(int)
        if not np.array_equal(mb_x, X[taken]) or not np.array_equal(mb_y, y[taken]) or \
                not np.array_equal(taken, np.arange(start, start + expected)):
            raise BUGS.BAD_BATCHES.failure(f"{call} should return rows {start} .. {start + expected - 1} of X and "
                                           "y, in order and with their own labels.")
        seen += taken.tolist()
    if sorted(seen) != list(range(rows)):
        raise BUGS.BAD_BATCHES.failure("The batches do not hold every row exactly once.")
