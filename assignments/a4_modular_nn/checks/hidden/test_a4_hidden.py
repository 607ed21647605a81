"""Hidden checks: each module against the reference on unseen batches, one SGD
step value by value, Sequential.sgd on fixed seeds, training on `hard`, and
the expression answers of question 1.1."""
import numpy as np
import pytest

from grader.kit import (
    CheckFailure,
    bugs,
    cases,
    check_close,
    grade_answer,
    likely,
    matrix_answers,
    number,
    partial_credit,
    partial_credit_over,
    training,
    values,
    weight,
)

M, N, B = 4, 3, 5  # Linear(M, N) on a batch of B columns
LRATE = 0.005

BUGS = bugs.catalogue(__file__)  # this homework's bugs: hint, tag, sentence for report.html


def one_hot(rng, k, b):
    return np.eye(k)[:, rng.integers(0, k, b)]


def linear_pair(student, ref, W, W0):
    """Linear(M, N) with the same weights in your code and in the reference."""
    mine, theirs = student.code_for_hw7.Linear(*W.shape), ref.code_for_hw7.Linear(*W.shape)
    student.set(mine, "W", W)
    student.set(mine, "W0", W0)
    theirs.W, theirs.W0 = W.copy(), W0.copy()
    return mine, theirs


# ---------------------------------------------------------------------------
# 1. Linear
# ---------------------------------------------------------------------------

@weight(0.5)
@number("1.2")
def test_linear_forward_matches_reference(student, ref, rng):
    """Linear.forward returns W^T A + W0 for a batch of columns"""
    A, W, W0 = rng.normal(size=(M, B)), rng.normal(size=(M, N)), rng.normal(size=(N, 1))
    mine, theirs = linear_pair(student, ref, W, W0)
    call = f"Linear({M}, {N}).forward(A: {A.shape})"
    try:
        got = mine.forward(A)
    except CheckFailure as failure:
        if "matmul" not in failure.message:
            raise
        raise likely(BUGS.W_NOT_TRANSPOSED, failure.message, failure) from None
    check_close(got, theirs.forward(A), call=call, name="Z", wrong_answers=[BUGS.BIAS_MISSING.given(W.T @ A)])


@partial_credit(1.5)
@number("1.3")
def test_linear_backward_matches_reference(student, ref, rng, set_score=None):
    """Linear.backward: dLdA, dLdW and dLdW0 match the reference on a batch"""
    A, W, W0, dLdZ = rng.normal(size=(M, B)), rng.normal(size=(M, N)), rng.normal(size=(N, 1)), rng.normal(size=(N, B))
    mine, theirs = linear_pair(student, ref, W, W0)
    theirs.forward(A)
    expected = {"dLdA": theirs.backward(dLdZ), "dLdW": theirs.dLdW, "dLdW0": theirs.dLdW0}
    call = f"Linear({M}, {N}).backward(dLdZ: {dLdZ.shape}) after forward(A: {A.shape})"
    mine.forward(A)
    got = {"dLdA": mine.backward(dLdZ)}
    slips = {"dLdA": [BUGS.RETURNS_DLDZ.given(dLdZ)], "dLdW": [BUGS.DLDW_TRANSPOSED.given(dLdZ @ A.T)],
             "dLdW0": [BUGS.BIAS_NOT_SUMMED.given(dLdZ), BUGS.BIAS_AVERAGED.given(dLdZ.mean(axis=1, keepdims=True)),
                       BUGS.BIAS_WRONG_AXIS.given(dLdZ.sum(axis=0, keepdims=True))]}

    def matches(name):
        value = got["dLdA"] if name == "dLdA" else student.fetch(getattr(mine, name))
        check_close(value, expected[name], call=call, name=name, wrong_answers=slips[name])
    partial_credit_over([lambda name=name: matches(name) for name in ("dLdA", "dLdW", "dLdW0")], set_score)


@weight(0.5)
@number("1.4")
def test_linear_sgd_step_matches_reference(student, ref, rng):
    """Linear.sgd_step moves W and W0 against their gradients"""
    W, W0 = rng.normal(size=(M, N)), rng.normal(size=(N, 1))
    dLdW, dLdW0 = rng.normal(size=(M, N)), rng.normal(size=(N, 1))
    mine, theirs = linear_pair(student, ref, W, W0)
    student.set(mine, "dLdW", dLdW)
    student.set(mine, "dLdW0", dLdW0)
    theirs.dLdW, theirs.dLdW0 = dLdW, dLdW0
    mine.sgd_step(0.1)
    theirs.sgd_step(0.1)
    call = "Linear.sgd_step(0.1) with dLdW and dLdW0 set"
    for name, gradient in (("W", dLdW), ("W0", dLdW0)):
        before = {"W": W, "W0": W0}[name]
        check_close(student.fetch(getattr(mine, name)), getattr(theirs, name), call=call, name=name,
                    wrong_answers=[BUGS.STEP_UPHILL.given(before + 0.1 * gradient), BUGS.NOT_STEPPED.given(before)])


# ---------------------------------------------------------------------------
# 2. Activations, SoftMax, NLL
# ---------------------------------------------------------------------------

def tanh_slips(Z, dLdA):
    """What Tanh.backward(dLdA) gives after forward(Z) under its common slips."""
    return [BUGS.TANH_AT_OUTPUT.given(dLdA * (1 - np.tanh(np.tanh(Z)) ** 2)),
            BUGS.TANH_WITH_Z.given(dLdA * (1 - Z ** 2)), bugs.MISSING_DERIVATIVE.given(dLdA)]


def relu_slips(Z, dLdA):
    """What ReLU.backward(dLdA) gives after forward(Z) under its common slips."""
    return [BUGS.MASK_FROM_GRADIENT.given(dLdA * (dLdA > 0)), BUGS.MASK_INVERTED.given(dLdA * (Z < 0)),
            BUGS.NO_MASK.given(dLdA)]


@partial_credit(0.5)
@cases("name, slips", {"2.4": ("Tanh: forward and backward match the reference on a batch", "Tanh", tanh_slips),
                       "2.5": ("ReLU: forward and backward match the reference on a batch", "ReLU", relu_slips)})
def test_activation_matches_reference(student, ref, rng, name, slips, set_score=None):
    """Each activation's forward and backward against the reference's, half the credit each."""
    Z, dLdA = rng.normal(size=(N, B)), rng.normal(size=(N, B))
    Z += np.sign(Z) * 0.05  # no exact zeros: ReLU'(0) is a convention, not the point here
    mine, theirs = getattr(student.code_for_hw7, name)(), getattr(ref.code_for_hw7, name)()
    forward = f"{name}().forward(Z: {Z.shape})"
    results = {}

    def forward_matches():
        results["A"] = mine.forward(Z)
        check_close(results["A"], theirs.forward(Z), call=forward, name="A")

    def backward_matches():
        if "A" not in results:
            mine.forward(Z)
        theirs.forward(Z)
        check_close(mine.backward(dLdA), theirs.backward(dLdA), call=f"{name}().backward(dLdA) after {forward}",
                    name="dLdZ", wrong_answers=slips(Z, dLdA))
    partial_credit_over([forward_matches, backward_matches], set_score)


@weight(0.5)
@number("2.6")
def test_softmax_forward_matches_reference(student, ref, rng):
    """SoftMax.forward: each column of a batch becomes probabilities"""
    Z = rng.normal(size=(N, B)) * 3
    expected = ref.code_for_hw7.SoftMax().forward(Z)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    check_close(student.code_for_hw7.SoftMax().forward(Z), expected, call=f"SoftMax().forward(Z: {Z.shape})",
                name="probabilities", wrong_answers=[BUGS.SOFTMAX_ROWS.given(E / E.sum(axis=1, keepdims=True)),
                                                     BUGS.SOFTMAX_WHOLE_BATCH.given(np.exp(Z) / np.exp(Z).sum())])


@weight(0.5)
@number("2.7")
def test_softmax_class_fun_returns_flat_integers(student, ref, rng):
    """SoftMax.class_fun returns one integer class per column"""
    Ypred = ref.code_for_hw7.SoftMax().forward(rng.normal(size=(N, B + 2)))
    expected = ref.code_for_hw7.SoftMax().class_fun(Ypred)
    call = f"SoftMax().class_fun(Ypred: {Ypred.shape})"
    got = student.code_for_hw7.SoftMax().class_fun(Ypred)
    if isinstance(got, np.ndarray) and got.shape == (1, B + 2):
        got = got.reshape(-1)  # a (1, b) row holds the same classes
    if isinstance(got, np.ndarray) and got.ndim == 1 and got.size == B + 2 and got.dtype.kind == "f":
        raise BUGS.CLASS_FLOATS.failure(f"{call} returned floats; class indices are integers (np.argmax gives them).")
    wrong_axis = np.argmax(Ypred, axis=1)
    if isinstance(got, np.ndarray) and got.shape == wrong_axis.shape and np.array_equal(got, wrong_axis):
        raise BUGS.CLASS_WRONG_AXIS.failure(
            f"{call} returned the argmax over axis 1 (one value per class); columns "
            f"are examples, so take it over axis 0: one class per column, shape ({B + 2},).")
    check_close(got, expected, call=call, name="classes")


@weight(0.5)
@number("2.8")
def test_nll_forward_matches_reference(student, ref, rng):
    """NLL.forward is the negative log-likelihood summed over the batch"""
    Ypred, Y = ref.code_for_hw7.SoftMax().forward(rng.normal(size=(N, B))), one_hot(rng, N, B)
    expected = ref.code_for_hw7.NLL().forward(Ypred, Y)
    call = f"NLL().forward(Ypred: {Ypred.shape}, Y: {Y.shape})"
    got = values.number(student.code_for_hw7.NLL().forward(Ypred, Y), call, "loss")
    check_close(got, expected, call=call, name="loss",
                wrong_answers=[BUGS.LOSS_AVERAGED.given(expected / B), BUGS.LOSS_SIGN.given(-expected)])


@weight(0.5)
@number("2.9")
def test_nll_backward_matches_reference(student, ref, rng):
    """NLL.backward returns Ypred - Y, the gradient at SoftMax's input"""
    Ypred, Y = ref.code_for_hw7.SoftMax().forward(rng.normal(size=(N, B))), one_hot(rng, N, B)
    theirs = ref.code_for_hw7.NLL()
    theirs.forward(Ypred, Y)
    mine = student.code_for_hw7.NLL()
    mine.forward(Ypred, Y)
    check_close(mine.backward(), theirs.backward(), call="NLL().backward() after forward(Ypred, Y)", name="dLdZ",
                wrong_answers=[BUGS.GRADIENT_AT_OUTPUT.given(-Y / Ypred),
                               BUGS.GRADIENT_AVERAGED.given((Ypred - Y) / B)])


# ---------------------------------------------------------------------------
# 3. One step of SGD on [Linear, Tanh, Linear, SoftMax] + NLL, value by value
# ---------------------------------------------------------------------------

D, H, K = 3, 4, 2  # input size, hidden units, classes


def step_problem(rng):
    X, Y = rng.normal(size=(D, B)), one_hot(rng, K, B)
    weights = {"W1": rng.normal(0, D ** -.5, (D, H)), "b1": rng.normal(0, 0.1, (H, 1)),
               "W2": rng.normal(0, H ** -.5, (H, K)), "b2": rng.normal(0, 0.1, (K, 1))}
    return X, Y, weights


FORWARD = ("z_1", "a_1", "z_2", "a_2")          # outputs of linear_1, f_1, linear_2, f_2
BACKWARD = ("dL_dz2", "dL_da1", "dL_dz1", "dL_dX")  # outputs of their backward, last module first


def reference_step(ref, X, Y, weights):
    """Every value of one step, in the order sgd_test in the handout's file checks them."""
    hw = ref.code_for_hw7
    layers, loss = [hw.Linear(D, H), hw.Tanh(), hw.Linear(H, K), hw.SoftMax()], hw.NLL()
    linear_1, linear_2 = layers[0], layers[2]
    linear_1.W, linear_1.W0, linear_2.W, linear_2.W0 = (weights[k].copy() for k in ("W1", "b1", "W2", "b2"))
    v, value = {}, X
    for name, module in zip(FORWARD, layers):
        value = v[name] = module.forward(value)
    v["loss"] = loss.forward(value, Y)
    value = v["dloss"] = loss.backward()
    for name, module in zip(BACKWARD, layers[::-1]):
        value = v[name] = module.backward(value)
    v["gradients"] = {"W1": linear_1.dLdW, "b1": linear_1.dLdW0, "W2": linear_2.dLdW, "b2": linear_2.dLdW0}
    for layer in (linear_1, linear_2):
        layer.sgd_step(LRATE)
    v["updated"] = {"W1": linear_1.W, "b1": linear_1.W0, "W2": linear_2.W, "b2": linear_2.W0}
    return v


def your_modules(student, weights):
    hw = student.code_for_hw7
    lin1, lin2 = hw.Linear(D, H), hw.Linear(H, K)
    for layer, W, W0 in ((lin1, "W1", "b1"), (lin2, "W2", "b2")):
        student.set(layer, "W", weights[W])
        student.set(layer, "W0", weights[W0])
    return {"linear_1": lin1, "f_1": hw.Tanh(), "linear_2": lin2, "f_2": hw.SoftMax(), "Loss": hw.NLL()}


# Each item: the stage (the value), the call that computes it from the reference's
# values of the stages before (earlier calls only prime what the module stores), its text.
STAGES = {
    "3.1": ("z_1", lambda m, v, X, Y: m["linear_1"].forward(X), "linear_1.forward(X)"),
    "3.2": ("a_1", lambda m, v, X, Y: m["f_1"].forward(v["z_1"]), "f_1.forward(z_1)"),
    "3.3": ("z_2", lambda m, v, X, Y: m["linear_2"].forward(v["a_1"]), "linear_2.forward(a_1)"),
    "3.4": ("a_2", lambda m, v, X, Y: m["f_2"].forward(v["z_2"]), "f_2.forward(z_2)"),
    "3.5": ("loss", lambda m, v, X, Y: m["Loss"].forward(v["a_2"], Y), "Loss.forward(a_2, Y)"),
    "3.6": ("dloss", lambda m, v, X, Y: (m["Loss"].forward(v["a_2"], Y), m["Loss"].backward())[1],
            "Loss.backward() after Loss.forward(a_2, Y)"),
    "3.7": ("dL_dz2", lambda m, v, X, Y: m["f_2"].backward(v["dloss"]), "f_2.backward(dloss)"),
    "3.8": ("dL_da1", lambda m, v, X, Y: (m["linear_2"].forward(v["a_1"]), m["linear_2"].backward(v["dL_dz2"]))[1],
            "linear_2.backward(dL_dz2) after linear_2.forward(a_1)"),
    "3.9": ("dL_dz1", lambda m, v, X, Y: (m["f_1"].forward(v["z_1"]), m["f_1"].backward(v["dL_da1"]))[1],
            "f_1.backward(dL_da1) after f_1.forward(z_1)"),
    "3.10": ("dL_dX", lambda m, v, X, Y: (m["linear_1"].forward(X), m["linear_1"].backward(v["dL_dz1"]))[1],
             "linear_1.backward(dL_dz1) after linear_1.forward(X)"),
}


def stage_slips(stage, v, weights):
    """Wrong values a common slip in the stage's module gives, to name it."""
    if stage in ("dL_da1", "dL_dX"):
        return [BUGS.RETURNS_DLDZ.given(v["dL_dz2" if stage == "dL_da1" else "dL_dz1"])]
    if stage == "dL_dz1":
        return tanh_slips(v["z_1"], v["dL_da1"])
    if stage == "a_2":
        E = np.exp(v["z_2"])
        return [BUGS.SOFTMAX_ROWS.given(E / E.sum(axis=1, keepdims=True))]
    if stage in ("z_1", "z_2"):
        return [BUGS.BIAS_MISSING.given(v[stage] - weights["b1" if stage == "z_1" else "b2"])]
    return {"loss": [BUGS.LOSS_AVERAGED.given(v["loss"] / B)],
            "dloss": [BUGS.GRADIENT_AVERAGED.given(v["dloss"] / B)]}.get(stage, [])


@weight(0.25)
@cases("stage, compute, text", {number: (f"one SGD step: {stage} = {text}, from the reference's earlier values",
                                         stage, compute, text) for number, (stage, compute, text) in STAGES.items()})
def test_step_value_matches_reference(student, ref, rng, stage, compute, text):
    """Each value of one SGD step, from the reference's earlier values: a slip shows in its own stage."""
    X, Y, weights = step_problem(rng)
    expected = reference_step(ref, X, Y, weights)
    got = compute(your_modules(student, weights), expected, X, Y)
    call = f"one step of [Linear({D}, {H}), Tanh(), Linear({H}, {K}), SoftMax()] on X: {X.shape}: {text}"
    if stage == "loss":
        got = values.number(got, call, "loss")
    check_close(got, expected[stage], call=call, name=stage, wrong_answers=stage_slips(stage, expected, weights))


@partial_credit(0.25)
@number("3.11")
def test_step_updated_weights(student, ref, rng, set_score=None):
    """one SGD step: updated_linear_1/2 W and W0 after sgd_step, from the reference's gradients"""
    X, Y, weights = step_problem(rng)
    expected = reference_step(ref, X, Y, weights)
    modules = your_modules(student, weights)
    for layer, W, W0 in (("linear_1", "W1", "b1"), ("linear_2", "W2", "b2")):
        student.set(modules[layer], "dLdW", expected["gradients"][W])
        student.set(modules[layer], "dLdW0", expected["gradients"][W0])
        modules[layer].sgd_step(LRATE)
    names = {"W1": ("linear_1", "W"), "b1": ("linear_1", "W0"), "W2": ("linear_2", "W"), "b2": ("linear_2", "W0")}

    def matches(key):
        layer, attribute = names[key]
        check_close(student.fetch(getattr(modules[layer], attribute)), expected["updated"][key],
                    call=f"{layer}.sgd_step({LRATE}) with the reference's gradients",
                    name=f"updated_{layer}.{attribute}")
    partial_credit_over([lambda key=key: matches(key) for key in names], set_score)


# ---------------------------------------------------------------------------
# 4. Sequential.sgd
# ---------------------------------------------------------------------------

def sgd_net(hw, activation, sizes=(2, 3, 2)):
    """Sequential([Linear, activation, ..., Linear, SoftMax], NLL); `activation` is a
    class name of `hw` or a class."""
    make = getattr(hw, activation) if isinstance(activation, str) else activation
    layers = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        layers += [hw.Linear(m, n), make()]
    return hw.Sequential(layers[:-1] + [hw.SoftMax()], hw.NLL())


def one_index(N):
    i = np.random.randint(N)
    return i, i


def trained(ref, seed, activation, X, Y, iters, draw=one_index):
    """The reference's weights after `iters` steps whose columns come from `draw(N)`
    (the column for X, the column for Y)."""
    np.random.seed(seed)
    net = sgd_net(ref.code_for_hw7, activation)
    for _ in range(iters):
        i, j = draw(X.shape[1])
        net.loss.forward(net.forward(X[:, i:i + 1]), Y[:, j:j + 1])
        net.backward(net.loss.backward())
        net.sgd_step(LRATE)
    return [w for m in net.modules[::2] for w in (m.W, m.W0)]


def known_bugs(ref, activation):
    """(bug, draw, activation) of bugs a step or two on one column can hide by luck."""
    known = [(BUGS.OFF_BY_ONE, lambda N: (np.random.randint(N - 1),) * 2, activation),
             (BUGS.SEPARATE_DRAWS, lambda N: (np.random.randint(N), np.random.randint(N)), activation)]
    if activation == "ReLU":
        masked_by_gradient = type("MaskFromGradient", (ref.code_for_hw7.ReLU,),
                                  {"backward": lambda self, dLdA: dLdA * (dLdA > 0)})
        known.append((BUGS.MASK_FROM_GRADIENT, one_index, masked_by_gradient))
    return known


def revealing_seed(ref, rng, activation, X, Y, iters):
    """A seed at which every parameter moves (a ReLU net can see no gradient at all in
    two steps, hiding a frozen layer) and each known bug ends with other weights than
    correct code, so that none of them passes by luck; and those weights, to name the bug."""
    for _ in range(1000):
        seed = int(rng.integers(1, 2 ** 31))
        right = trained(ref, seed, activation, X, Y, iters)
        if any(np.allclose(a, b) for a, b in zip(right, trained(ref, seed, activation, X, Y, 0))):
            continue
        wrong = [(bug, trained(ref, seed, module, X, Y, iters, draw))
                 for bug, draw, module in known_bugs(ref, activation)]
        if all(any(not np.allclose(a, b) for a, b in zip(right, weights)) for _, weights in wrong):
            return seed, wrong
    raise RuntimeError("no seed among 1000 tells every known sgd bug from correct code")


@weight(1.0)
@cases("activation, iters", {
    "4.1": ("Sequential.sgd: a tanh net's weights after 1 iteration (fixed seed) match the reference", "Tanh", 1),
    "4.2": ("Sequential.sgd: a relu net's weights after 2 iterations (fixed seed) match the reference", "ReLU", 2)})
def test_sgd_matches_reference(student, ref, rng, activation, iters):
    """A net's weights after a few iterations of Sequential.sgd, at a seed where every known sgd bug shows."""
    X, Y = ref.code_for_hw7.hard()
    seed, wrong = revealing_seed(ref, rng, activation, X, Y, iters)
    np.random.seed(seed)
    theirs = sgd_net(ref.code_for_hw7, activation)
    theirs.sgd(X, Y, iters=iters, lrate=LRATE)
    expected = [w for m in theirs.modules[::2] for w in (m.W, m.W0)]
    student.seed(seed)
    mine = sgd_net(student.code_for_hw7, activation)
    call = (f"np.random.seed({seed}); Sequential([Linear(2, 3), {activation}(), Linear(3, 2), SoftMax()], NLL())"
            f".sgd(X, Y, iters={iters}, lrate={LRATE}) on hard()")
    mine.sgd(X, Y, iters=iters, lrate=LRATE)
    modules = values.items(student.fetch(mine.modules), 4, f"{call}, then reading .modules",
                           "the list of the 4 modules Sequential was given")
    got = [student.fetch(getattr(m, name)) for m in modules[::2] for name in ("W", "W0")]
    for k, name in enumerate(("linear_1.W", "linear_1.W0", "linear_2.W", "linear_2.W0")):
        check_close(got[k], expected[k], call=call, name=name,
                    wrong_answers=[bug.given(weights[k]) for bug, weights in wrong])


@training.graded_run("4.3", "hard", 1.5, whole=True)
def test_hard_data_set_trained_to_full_accuracy(code, data, run, seed, ref):
    """a 2-10-10-2 relu net trained with your code classifies every point of hard() correctly

    np.random.seed({seed}); a 2-10-10-2 relu net, sgd(X, Y, iters={iterations}, lrate={learning_rate}) on hard(),
    then forward(X)
    """
    X, Y = ref.code_for_hw7.hard()
    code.seed(seed)
    net = sgd_net(code.code_for_hw7, "ReLU", (2, 10, 10, 2))
    net.sgd(X, Y, iters=run.iterations, lrate=run.learning_rate)
    call = "forward(X) after sgd on hard()"
    got = values.array(net.forward(X), Y.shape, call, "Ypred")
    labels = np.argmax(Y, axis=0)

    def predict(cells):
        return np.argmax(values.array(net.forward(cells.T), (Y.shape[0], len(cells)), call, "Ypred"), axis=0)
    return {"accuracy": training.accuracy(np.argmax(got, axis=0), labels, call), "outputs": got,
            "examples": f"{len(labels)} points of hard() it trained on",
            **training.boundary(predict, X.T, labels, "forward after sgd")}


# ---------------------------------------------------------------------------
# 5. Question 1.1: expressions
# ---------------------------------------------------------------------------

def draw_linear(rng):
    """One example (b = 1) through Linear(m, n), with m != n so that a wrong
    orientation shows in the shape."""
    m, n = (int(k) for k in rng.choice(np.arange(2, 7), 2, replace=False))
    A, W, W0, dLdZ = rng.normal(size=(m, 1)), rng.normal(size=(m, n)), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    return dict(A=A, W=W, W0=W0, Z=W.T @ A + W0, dLdZ=dLdZ, dLdA=W @ dLdZ)


@weight(1.0)
@cases("name, asks", {"5.1": ("1.1.A: dLdA", "Q1_1_A", "dLdA"), "5.2": ("1.1.B: dLdW", "Q1_1_B", "dLdW"),
                      "5.3": ("1.1.C: dLdW0", "Q1_1_C", "dLdW0")})
@pytest.mark.shared_child("answers")
def test_answer_1_1(student, ref, rng, name, asks):
    """Answer `name` of answers.py against the reference's, in the matrix-answer language
    (the three questions share one child: they only read strings). `asks` is never a
    variable of the answer: draw_linear's dLdA is one only for 1.1.B and 1.1.C."""
    grade_answer(name, student.fetch(getattr(student.answers, name)), getattr(ref.answers, name),
                 draw_linear, rng, asks=asks, language=matrix_answers)
