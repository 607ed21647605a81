"""Hidden checks: costs, gradients and predictions against the reference on
unseen inputs, training runs at settings the grader fixes, and the epoch of
mini-batches."""
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader import figures as drawing
from grader.compare import check_close, partial_credit_over
from grader.kit import bugs, gradients, problems, remembered, stability, training, values
from grader.kit.items import cases

N, REG = 9, 0.1
NAMES = ("W", "b", "W2", "b2", "W3", "b3")
MODELS = {"prob1a": [3, 4], "prob1c": [3, 5, 4], "prob2b": [3, 5, 6, 4]}  # layer widths, d .. k
DESCENT_RTOL = 1e-8   # correct rewrites match the reference to 2e-13; one wrong gradient is off by >= 1.6e-5
SPIRAL_MARGIN = 0.3   # the MLP's spiral accuracy must exceed softmax regression's by this much
CHECK_EVERY = 10      # full-batch train's `check` (print the cost every 10 steps), passed as the handout's default

BUGS = bugs.catalogue(__file__)
REMEMBER = remembered.for_checks(__file__)  # the reference's runs from fixed starts, once per version


def draw(rng, module, std=0.5):
    """(X, y, theta) for `module`'s model, every ReLU pre-activation away from its kink."""
    widths = MODELS[module]

    def one():
        theta = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            theta += [rng.normal(0, std, (fan_in, fan_out)), rng.normal(0, std, (1, fan_out))]
        return rng.normal(size=(N, widths[0])), problems.labels(rng, N, widths[-1]), tuple(theta)
    return problems.until_kink_free(one, lambda p: hidden_preactivations(p[0], p[2]) or [np.ones(1)])


def hidden_preactivations(X, theta):
    pre, h = [], X
    for W, b in zip(theta[0:-2:2], theta[1:-2:2]):
        pre.append(h @ W + b)
        h = np.maximum(0, pre[-1])
    return pre


def backprop(X, y, theta, reg, mask="h_pre", label_shift=0, bias_reg=False):
    """Trusted gradients of any depth, or as a named slip computes them (for the hints):
    the ReLU mask from h_pre > 0, from the incoming gradient ("gradient") or from
    h_pre < 0 ("inverted"); labels shifted; biases penalised."""
    pre = hidden_preactivations(X, theta)
    layers = [X] + [np.maximum(0, z) for z in pre]
    scores = layers[-1] @ theta[-2] + theta[-1]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), (y - label_shift) % scores.shape[1]] -= 1
    delta, grads = p / len(y), []
    for k in range(len(theta) // 2 - 1, -1, -1):
        W, b = theta[2 * k], theta[2 * k + 1]
        grads = [layers[k].T @ delta + reg * W, delta.sum(axis=0, keepdims=True) + (reg * b if bias_reg else 0)] + grads
        if k:
            incoming = delta @ W.T
            gate = {"h_pre": pre[k - 1] > 0, "gradient": incoming > 0, "inverted": pre[k - 1] < 0}[mask]
            delta = incoming * gate
    return grads


def cost_matches(student, ref, rng, module, set_score, points):
    """computeCost without and with the penalty, and with scores of size ~1000 (stability)."""
    X, y, theta = draw(rng, module)
    mine, theirs = getattr(student, module), getattr(ref, module)
    weights = theta[0::2]

    def case(reg, params, scale_note=""):
        call = f"{module}.computeCost(X: {X.shape}, y, theta, reg={reg}){scale_note}"
        expected = theirs.computeCost(X, y, params, reg)
        data_loss = theirs.computeCost(X, y, params, 0.0)
        penalty = 0.5 * reg * sum(np.sum(W * W) for W in weights)
        biased = penalty + 0.5 * reg * sum(np.sum(b * b) for b in params[1::2])
        got = mine.computeCost(X, y, params, reg)
        got = stability.stable_value(got, (), call, "cost") if scale_note else values.number(got, call, "cost")
        check_close(got, expected, call=call, name="cost", wrong_answers=bugs.loss_variants(data_loss, penalty, N)
                    + [BUGS.BIAS_PENALISED.given(data_loss + biased)])
    large = theta[:-1] + (stability.large_bias(rng, theta[-1].shape[1]).reshape(1, -1),)
    mine.computeCost(X, y, theta, 0.0)  # not written yet, or raising: one message, not one per case
    partial_credit_over([lambda: case(0.0, theta), lambda: case(REG, theta),
                         lambda: case(REG, large, " with a bias of size ~1000")], points, set_score)


def gradients_match(student, ref, rng, module, set_score, points):
    X, y, theta = draw(rng, module)
    mine, theirs = getattr(student, module), getattr(ref, module)
    call = f"{module}.computeGrad(X: {X.shape}, y, theta, reg={REG})"
    expected = theirs.computeGrad(X, y, theta, REG)
    data_part = theirs.computeGrad(X, y, theta, 0.0)
    slips = [(BUGS.BIAS_PENALISED, backprop(X, y, theta, REG, bias_reg=True)),
             (BUGS.ONE_HOT_SHIFTED, backprop(X, y, theta, REG, label_shift=1))]
    if len(theta) > 2:
        slips += [(BUGS.MASK_FROM_GRADIENT, backprop(X, y, theta, REG, mask="gradient")),
                  (BUGS.MASK_INVERTED, backprop(X, y, theta, REG, mask="inverted"))]
    grads = values.items(mine.computeGrad(X, y, theta, REG), len(theta), call,
                         f"a tuple of {len(theta)} gradients in theta's order")

    def own_numeric(i):
        def stage(batch, moved):
            batch.call(mine.computeCost, X, y, theta[:i] + (moved,) + theta[i + 1:], REG)
        return gradients.numeric_gradient(student, theta[i], stage, f"{module}.computeCost")

    def matches(i):
        wrong = bugs.gradient_variants(data_part[i], expected[i] - data_part[i], N)
        wrong += [bug.given(value[i]) for bug, value in slips]
        gradients.matches_reference(grads[i], expected[i], call=call, name=f"d{NAMES[i]}",
                                    own_numeric=lambda: own_numeric(i), wrong_answers=wrong)
    partial_credit_over([lambda i=i: matches(i) for i in range(len(theta))], points, set_score)


def predict_matches(student, ref, rng, module):
    X, _, theta = draw(rng, module)
    call = f"{module}.predict(X: {X.shape}, theta)"
    scores, probs = values.pair(getattr(student, module).predict(X, theta), call, "a pair (scores, probs)")
    expected_scores, expected_probs = getattr(ref, module).predict(X, theta)
    check_close(scores, expected_scores, call=call, name="scores", wrong_answers=[BUGS.SWAPPED.given(expected_probs)])
    probs = values.array(probs, expected_probs.shape, call, "probs")
    if not np.allclose(probs.sum(axis=1), 1.0):
        raise BUGS.NOT_NORMALISED.failure(f"{call}: the rows of probs do not sum to 1; probs is the softmax of each "
                                          "row of scores.")
    check_close(probs, expected_probs, call=call, name="probs")


# The three models' items weigh differently; the items of equal weight are one family.
@partial_credit(1.5)
@cases("module", {
    "1.1": ("softmax regression: computeCost without and with the penalty, and for large scores", "prob1a"),
    "2.1": ("one hidden layer: computeCost without and with the penalty, and for large scores", "prob1c")})
def test_cost_matches_reference(student, ref, rng, module, set_score=None):
    """computeCost of the two shallow models, at the family's weight."""
    cost_matches(student, ref, rng, module, set_score, 1.5)


@partial_credit(1.0)
@number("3.1")
def test_mlp2_cost_matches_reference(student, ref, rng, set_score=None):
    """two hidden layers: computeCost without and with the penalty, and for large scores"""
    cost_matches(student, ref, rng, "prob2b", set_score, 1.0)


@partial_credit(2.0)
@number("1.2")
def test_softmax_gradients_match_reference(student, ref, rng, set_score=None):
    """softmax regression: computeGrad's dW and db match the reference"""
    gradients_match(student, ref, rng, "prob1a", set_score, 2.0)


@partial_credit(3.0)
@cases("module", {"2.2": ("one hidden layer: each gradient of computeGrad matches the reference", "prob1c"),
                  "3.2": ("two hidden layers: each gradient of computeGrad matches the reference", "prob2b")})
def test_mlp_gradients_match_reference(student, ref, rng, module, set_score=None):
    """computeGrad of the two MLPs, where the ReLU mask can go wrong too."""
    gradients_match(student, ref, rng, module, set_score, 3.0)


@weight(1.0)
@number("1.4")
def test_softmax_predict_matches_reference(student, ref, rng):
    """softmax regression: predict returns the reference's scores and probabilities"""
    predict_matches(student, ref, rng, "prob1a")


@weight(0.5)
@cases("module", {"2.4": ("one hidden layer: predict returns the reference's scores and probabilities", "prob1c"),
                  "3.4": ("two hidden layers: predict returns the reference's scores and probabilities", "prob2b")})
def test_mlp_predict_matches_reference(student, ref, rng, module):
    """predict of the two MLPs."""
    predict_matches(student, ref, rng, module)


def start(seed, widths, std):
    """The grader's starting parameters: weights and biases ~ std * N(0, 1), layer by layer."""
    rng, theta = np.random.default_rng(seed), []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        theta += [std * rng.standard_normal((fan_in, fan_out)), std * rng.standard_normal((1, fan_out))]
    return tuple(theta)


def trained(student, module, theta0, args, call, **keywords):
    """Train in the child; the returned parameters, checked, as a tuple."""
    result = getattr(student, module).train(*args, **keywords)
    got = values.items(result, len(theta0), call, f"a tuple of {len(theta0)} trained parameters")
    return tuple(values.array(g, p.shape, call, f"trained {NAMES[i]}") for i, (g, p) in enumerate(zip(got, theta0)))


def descends_like_reference(mine, theirs, cost, X, y, reg, call):
    """Both trained from the same start: the reference's cost of the student's parameters must
    equal that of the reference's own, which no model with one wrong gradient reaches."""
    got, expected = cost(X, y, mine, reg), cost(X, y, theirs, reg)
    off = abs(got / expected - 1)
    if not off <= DESCENT_RTOL:
        raise BUGS.WRONG_DESCENT.failure(f"{call}: from the grader's start, the trained parameters end at a cost "
                                         f"off the reference's by a relative {off:.0e} (allowed {DESCENT_RTOL:g}): a "
                                         "gradient or the update step is wrong (every parameter moves by -step_size "
                                         "times its own gradient, all computed at the same theta, n_e times).")


def full_batch_run(student, ref, module, ref_module, run, data, widths, show=None):
    """Train `module`'s model from the grader's start; returns the student's trained parameters
    after checking they match the reference's descent. `show(mine, theirs)`, if given, sees both
    trained parameters first (to draw them, whatever the check then finds)."""
    X, y = data
    theta0 = start(run.seed, widths, run.std)
    args = (X, y, theta0, run.iterations, run.learning_rate, run.reg)
    call = (f"{module}.train(X: {X.shape}, y, theta, n_e={run.iterations}, step_size={run.learning_rate:g}, "
            f"reg={run.reg:g}, check={CHECK_EVERY})")
    student.time_limit(run.timeout)
    mine = trained(student, module, theta0, args, call, check=CHECK_EVERY)
    theirs = reference_train(ref, ref_module, args, check=0)
    if show:
        show(mine, theirs)
    descends_like_reference(mine, theirs, getattr(ref, ref_module).computeCost, X, y, run.reg, call)
    return mine


def reference_train(ref, module, args, **options):
    """The reference's trained parameters from the grader's fixed start: the same in every
    grade, so computed once per version of the assignment."""
    def train():
        return {str(i): p for i, p in enumerate(getattr(ref, module).train(*args, **options))}
    kept = REMEMBER(remembered.key_of(module, args, options), train)
    return tuple(kept[str(i)] for i in range(len(kept)))


def reference_accuracy(ref_module, X, y, theta):
    """Accuracy of trained parameters, computed here with the reference's forward pass
    (predict is graded on its own)."""
    scores, _ = ref_module.predict(X, theta)
    return float(np.mean(np.argmax(scores, axis=1) == y))


@weight(1.0)
@number("6.1")
def test_xor_softmax_regression_cannot_fit(student, ref, assignment):
    """XOR: softmax regression trained with your code follows gradient descent and stays below 100%"""
    run, xor = assignment.run("xor_softmax"), ref.hw2_utils.load_data("xor.dat")
    theta = full_batch_run(student, ref, "prob1a", "prob1a", run, xor, [2, 2])
    if reference_accuracy(ref.prob1a, *xor, theta) == 1.0:
        raise training.TRAINS_POORLY.failure("prob1a.train fitted XOR perfectly: a linear model cannot; is prob1a "
                                             "still softmax regression?")


@weight(1.5)
@number("6.2")
def test_xor_mlp_reaches_full_accuracy(student, ref, assignment):
    """XOR: the one-hidden-layer MLP trained with your code classifies all four points"""
    run, xor = assignment.run("xor_mlp"), ref.hw2_utils.load_data("xor.dat")
    theta = full_batch_run(student, ref, "prob1c", "prob1c", run, xor, [2, run.hidden_size, 2])
    training.require_accuracy(reference_accuracy(ref.prob1c, *xor, theta), run.min_accuracy,
                              f"An MLP with {run.hidden_size} hidden units trained with your prob1c.train", 4)


SPIRAL_TITLE = "6.3: your training beside the reference's"


def spiral_picture(ref, run, spiral, theta, theirs, bar):
    """The MLP's decision regions on the spirals from your trained parameters beside the
    reference's from the same start, both drawn with the reference's forward pass (trusted)."""
    X, y = spiral
    lattice, box = drawing.lattice(X)

    def record(parameters):
        return {"grid": np.argmax(ref.prob1c.predict(lattice, parameters)[0], axis=1),
                "accuracy": reference_accuracy(ref.prob1c, X, y, parameters)}
    caption = (f"The MLP trained with your prob1d.train and, from the same start, the reference's ({run.iterations} "
               "steps); regions from the trained parameters through the reference's forward pass.")
    return drawing.figure(SPIRAL_TITLE, caption, record(theta), record(theirs),
                          measure="accuracy", bound=bar, points=spiral, box=box)


@weight(1.5)
@number("6.3")
def test_spiral_mlp_beats_softmax_regression(student, ref, assignment, figures):
    """spirals: the MLP (prob1d) beats softmax regression (prob1b) by a clear margin"""
    X, y = spiral = ref.hw2_utils.load_data("spiral_train.dat")
    soft_run, mlp_run = assignment.run("spiral_softmax"), assignment.run("spiral_mlp")
    softmax = full_batch_run(student, ref, "prob1b", "prob1a", soft_run, spiral, [2, 3])
    soft_accuracy = reference_accuracy(ref.prob1a, X, y, softmax)
    bar = max(mlp_run.min_accuracy, soft_accuracy + SPIRAL_MARGIN)
    mlp = full_batch_run(student, ref, "prob1d", "prob1c", mlp_run, spiral, [2, mlp_run.hidden_size, 3],
                         show=lambda mine, theirs: figures.append(drawing.safely(
                             SPIRAL_TITLE, lambda: spiral_picture(ref, mlp_run, spiral, mine, theirs, bar))))
    mlp_accuracy = reference_accuracy(ref.prob1c, X, y, mlp)
    training.require_accuracy(mlp_accuracy, bar,
                              f"The MLP trained with prob1d.train (softmax regression: {soft_accuracy:.1%})", len(y))


@weight(1.5)
@cases("module, depth", {"6.4": ("IRIS: the one-hidden-layer MLP (prob2a) reaches the validation bar", "prob2a", 1),
                         "6.5": ("IRIS: the two-hidden-layer MLP (prob2b) reaches the validation bar", "prob2b", 2)})
def test_iris_validation_accuracy(student, ref, assignment, module, depth):
    """Mini-batch training on IRIS, validation accuracy over the bar; then one batch per epoch
    (the shuffle order cannot matter) must follow the reference's descent."""
    run = assignment.run(f"iris_mlp{depth}")
    (X, y), (X_val, y_val) = ref.hw2_utils.load_data("iris_train.dat"), ref.hw2_utils.load_data("iris_test.dat")
    model = getattr(ref, module)
    theta0 = start(run.seed, [4] + [run.hidden_size] * depth + [3], run.std)
    student.time_limit(run.timeout)
    student.seed(run.seed)
    call = (f"{module}.train(X: {X.shape}, y, theta, n_e={run.epochs}, n_b={run.batch_size}, "
            f"step_size={run.learning_rate:g}, reg={run.reg:g})")
    args = (X, y, theta0, run.epochs, run.batch_size, run.learning_rate, run.reg)
    theta = trained(student, module, theta0, args, call)
    training.require_accuracy(reference_accuracy(model, X_val, y_val, theta), run.min_accuracy,
                              f"An MLP with {depth} hidden layer(s) trained with your {module}.train", len(y_val))
    one_batch = (X, y, theta0, run.epochs, len(X), run.learning_rate, run.reg)
    call = f"{module}.train(X: {X.shape}, y, theta, n_e={run.epochs}, n_b={len(X)}, ...)"
    descends_like_reference(trained(student, module, theta0, one_batch, call), reference_train(ref, module, one_batch),
                            model.computeCost, X, y, run.reg, call)


@weight(1.0)
@number("5.2")
def test_train_takes_one_step_per_batch_including_the_last(student, ref):
    """prob2a.train: an epoch over 10 rows in batches of 4 takes 3 steps (the last batch has 2 rows)"""
    rng = np.random.default_rng(5)
    X, y = np.tile(rng.normal(size=(1, 4)), (10, 1)), np.ones(10, dtype=int)  # identical rows: order cannot matter
    theta0 = start(1, [4, 6, 3], 0.5)
    args = (X, y, theta0, 2, 4, 0.5, 0.0)
    call = "prob2a.train(X: (10, 4) identical rows, y, theta, n_e=2, n_b=4, step_size=0.5, reg=0)"
    mine = trained(student, "prob2a", theta0, args, call)
    expected = ref.prob2a.train(*args)
    fewer = ref.prob2a.train(X, y, theta0, 2, 5, 0.5, 0.0)  # two steps per epoch: the last batch dropped
    cost = ref.prob1c.computeCost
    if np.isclose(cost(X, y, mine, 0.0), cost(X, y, fewer, 0.0), rtol=1e-9, atol=0):
        raise BUGS.LAST_BATCH_DROPPED.failure(f"{call} took 2 steps per epoch, not 3: the last, partial batch of 2 "
                                              "rows was dropped.")
    descends_like_reference(mine, expected, cost, X, y, 0.0, call)
