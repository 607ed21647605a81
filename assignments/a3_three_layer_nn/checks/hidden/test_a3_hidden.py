"""Hidden checks: your code against the reference on inputs you have not seen,
the handout's loss values, and training to accuracy bars on held-out points.

Each check sets the parameters itself, so a bug in one function costs the
items that call it and no others.
"""
import copy

import numpy as np

from grader.kit import (
    CheckFailure,
    bugs,
    cases,
    check_close,
    gradients,
    likely,
    number,
    partial_credit,
    partial_credit_over,
    problems,
    remembered,
    shared,
    stability,
    training,
    values,
    weight,
)

N, H = 9, 5      # examples and hidden units of the small three-layer problems (no two sizes alike)
REG = 0.1
SHAPES = {"W1": (2, H), "b1": (1, H), "W2": (H, 2), "b2": (1, 2)}
BUGS = bugs.catalogue(__file__)
SHARED = shared.of(__file__)  # checks/public/shared.py: what public and hidden checks share
CAPITALISED, activation_name = SHARED.CAPITALISED, SHARED.activation_name
REMEMBER = remembered.for_checks(__file__)  # the reference's runs from fixed starts, once per version


def same_training_loss(student, mine, theirs, X, y, call):
    """The weights your network trained to, measured with the reference's calculate_loss, against the
    reference's own run from the same weights. The reference measures both sides, so a wrong
    calculate_loss costs only its own item (2.2, 5.6), and a loss written into calculate_loss as a
    table earns nothing. 1e-5 relative: rounding differs with the order of sums over many steps;
    any wrong or missing gradient is far off."""
    measure = copy.deepcopy(theirs)
    for holder, key, value in weights_held(student, mine, measure, call):
        setattr(holder, key, values.array(value, getattr(holder, key).shape, call, key))
    try:
        check_close(measure.calculate_loss(X, y), theirs.calculate_loss(X, y), rtol=1e-5, call=call,
                    name="the reference's loss of your trained weights")
    except CheckFailure as failure:
        if "wrong-values" not in failure.tags:
            raise
        raise likely(BUGS.OTHER_PATH, failure.message) from None


def weights_held(student, mine, theirs, call):
    """(reference object, attribute, your value) for each of the network's W1, b1, W2, b2."""
    return [(theirs, key, student.fetch(getattr(mine, key))) for key in ("W1", "b1", "W2", "b2")]


# ---------------------------------------------------------------------------
# Part 1: activations
# ---------------------------------------------------------------------------

def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


ACTIVATION_SLIPS = {  # a common slip, and what it computes instead of the activation or its derivative
    "actFun": {"sigmoid": [(BUGS.SIGMOID_SIGN, lambda z: sigmoid(-z))]},
    "diff_actFun": {"tanh": [(BUGS.TANH_DERIVATIVE, lambda z: 1 - z ** 2)],
                    "sigmoid": [(BUGS.SIGMOID_DERIVATIVE, sigmoid)],
                    "relu": [(BUGS.RELU_DERIVATIVE_AT_ZERO, lambda z: (z >= 0) * 1.0),
                             (BUGS.RELU_DERIVATIVE_PASSES_NEGATIVES, np.ones_like),
                             (BUGS.RELU_DERIVATIVE_INVERTED, lambda z: (z < 0) * 1.0)]},
}


@partial_credit(1.0)
@cases("method", {"1.1": ("actFun matches the reference for tanh, sigmoid and relu", "actFun"),
                  "1.3": ("diff_actFun matches the reference, at 0 and around it too", "diff_actFun")})
def test_activation_matches_reference(student, ref, method, set_score=None):
    """actFun or diff_actFun against the reference, at and near 0 too: a third of the credit per activation."""
    z = np.concatenate([np.linspace(-4, 4, 17), [0.0, 1e-3, -1e-3, 30.0, -30.0]]).reshape(2, 11)

    def matches(act):
        name = activation_name(student, act)
        theirs = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2)
        mine = student.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=name, reg_lambda=0.01, seed=0)
        got = getattr(mine, method)(z, name)
        slips = [bug.given(f(z)) for bug, f in ACTIVATION_SLIPS[method].get(act, [])]
        if method == "diff_actFun":
            slips.append(bugs.FUNCTION_NOT_DERIVATIVE.given(theirs.actFun(z, act)))
        check_close(got, getattr(theirs, method)(z, act), wrong_answers=slips,
                    call=f"{method}(z: (2, 11), {name!r}) (z includes 0 and +-1e-3)")
    partial_credit_over([lambda a=a: matches(a) for a in CAPITALISED], set_score)


# ---------------------------------------------------------------------------
# Part 2 and 3: the three-layer network's forward and backward passes
# ---------------------------------------------------------------------------

def three_layer_problem(rng):
    """Inputs, labels and parameters with every hidden net input away from ReLU's kink."""
    return problems.classification(rng, N, 2, 2, SHAPES, std=1.0,
                                   preactivations=lambda X, p: [X @ p["W1"] + p["b1"]])


def three_layer_nets(student, ref, act, params, reg=REG):
    """The same network on both sides: yours in the sandbox, the reference here."""
    mine = student.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=activation_name(student, act),
                                                           reg_lambda=reg, seed=0)
    for key, value in params.items():
        student.set(mine, key, value)
    theirs = ref.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=act, reg_lambda=reg)
    for key, value in params.items():
        setattr(theirs, key, value.copy())
    return mine, theirs


def three_layer_case(student, ref, rng, act):
    """A fresh problem and the network built on both sides: X, y, params, yours, the reference's."""
    X, y, params = three_layer_problem(rng)
    return (X, y, params, *three_layer_nets(student, ref, act, params))


@weight(1.0)
@number("2.1")
def test_feedforward_matches_reference(student, ref, rng):
    """feedforward sets z1, a1, z2 and probs as the reference does"""
    X, y, _, mine, theirs = three_layer_case(student, ref, rng, "tanh")
    mine.calculate_loss(X, y)   # calls feedforward with the network's activation, as the starter does
    theirs.calculate_loss(X, y)
    call = f"feedforward(X: {X.shape}, actFun) (through calculate_loss)"
    over_examples = np.exp(theirs.z2) / np.exp(theirs.z2).sum(axis=0)
    for key in ("z1", "a1", "z2", "probs"):
        expected = getattr(theirs, key)
        wrong = [BUGS.SOFTMAX_AXIS.given(over_examples)] if key == "probs" else []
        check_close(student.fetch(getattr(mine, key)), expected, call=call, name=f"self.{key}", wrong_answers=wrong)


@weight(1.0)
@number("2.2")
def test_calculate_loss_matches_reference(student, ref, rng):
    """calculate_loss matches the reference (penalty included, all divided by N)"""
    X, y, params, mine, theirs = three_layer_case(student, ref, rng, "relu")
    expected = theirs.calculate_loss(X, y)
    cross_entropy = -np.sum(np.log(theirs.probs[np.arange(N), y]))
    penalty = REG / 2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    biases = REG / 2 * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    call = f"calculate_loss(X: {X.shape}, y), reg_lambda={REG}"
    check_close(values.number(mine.calculate_loss(X, y), call, "loss"), expected, call=call,
                name="loss", wrong_answers=[
                    bugs.LOSS_SUM_NOT_MEAN.given(cross_entropy + penalty),
                    BUGS.PENALTY_NOT_AVERAGED.given(cross_entropy / N + penalty),
                    BUGS.AVERAGED_TWICE.given((cross_entropy / N + penalty) / N),
                    BUGS.PENALTY_ON_BIASES.given((cross_entropy + penalty + biases) / N),
                    bugs.LOSS_PENALTY_MISSING.given(cross_entropy / N)])


@weight(0.5)
@number("2.3")
def test_softmax_is_stable_for_large_scores(student, ref, rng):
    """feedforward's softmax stays finite when the scores are in the thousands"""
    X, y, params = three_layer_problem(rng)
    params["b2"] = stability.large_bias(rng, 2).reshape(1, 2)
    mine, theirs = three_layer_nets(student, ref, "tanh", params)
    mine.predict(X)
    theirs.predict(X)
    call = f"feedforward(X: {X.shape}, actFun) with scores z2 of size ~1000"
    probs = stability.stable_value(student.fetch(mine.probs), (N, 2), call, "self.probs")
    check_close(probs, theirs.probs, call=call, name="self.probs")


@weight(0.5)
@number("2.4")
def test_predict_matches_reference(student, ref, rng):
    """predict returns the reference's class for every example"""
    X, _, _, mine, theirs = three_layer_case(student, ref, rng, "sigmoid")
    check_close(mine.predict(X), theirs.predict(X), call=f"predict(X: {X.shape})", name="classes")


def with_derivative(theirs, X, y, derivative):
    """The reference's summed gradients (dW1, db1), with another activation derivative."""
    delta3 = theirs.probs.copy()
    delta3[np.arange(len(y)), y] -= 1
    delta2 = (delta3 @ theirs.W2.T) * derivative(theirs.z1)
    return {"W1": X.T @ delta2, "b1": delta2.sum(axis=0, keepdims=True)}


@partial_credit(1.0)
@cases("act", {"3.4": "tanh", "3.5": "sigmoid", "3.6": "relu"},
       title="{act} network: each gradient of backprop matches the reference (summed over examples)")
def test_backprop_matches_reference(student, ref, rng, act, set_score=None):
    """Each activation's network: dW1, dW2, db1 and db2 against the reference, a quarter of the credit each."""
    X, y, params, mine, theirs = three_layer_case(student, ref, rng, act)
    call = f"backprop(X: {X.shape}, y) after calculate_loss, actFun_type={activation_name(student, act)!r}"
    mine.calculate_loss(X, y)  # feedforward first, as fit_model does
    got = mine.backprop(X, y)
    theirs.calculate_loss(X, y)
    slips = [(bug, with_derivative(theirs, X, y, f)) for bug, f in ACTIVATION_SLIPS["diff_actFun"].get(act, [])]
    expected = dict(zip(("W1", "W2", "b1", "b2"), theirs.backprop(X, y)))
    got = values.items(got, 4, call, "the tuple (dW1, dW2, db1, db2)")

    def own_numeric(key):
        """N times finite differences of your calculate_loss without the penalty (what backprop computes)."""
        def numeric():
            student.set(mine, "reg_lambda", 0.0)
            stage = gradients.set_and_call(mine, key, mine.calculate_loss, X, y, first=False)
            own = N * gradients.numeric_gradient(student, params[key], stage, call)
            student.set(mine, key, params[key])
            student.set(mine, "reg_lambda", REG)
            return own
        return numeric

    def matches(key, value):
        wrong = [bug.given(slipped[key]) for bug, slipped in slips if key in slipped]
        if key.startswith("W"):
            wrong.append(BUGS.PENALTY_IN_BACKPROP.given(expected[key] + REG * params[key]))
        gradients.matches_reference(value, expected[key], call=call, name=f"d{key}", batch_size=N,
                                    wrong_answers=wrong, own_numeric=own_numeric(key))
    partial_credit_over([lambda k=k, v=v: matches(k, v) for k, v in zip(("W1", "W2", "b1", "b2"), got)], set_score)


# ---------------------------------------------------------------------------
# Part 4: training the three-layer network
# ---------------------------------------------------------------------------

UNPUBLISHED = 150  # the losses are also compared on the first 150 moons, a setting no handout prints


def reference_weights(ref, X, y, act, passes):
    """The reference's W1, b1, W2, b2 (as "<key> <total>") after each number of fit_model steps in
    `passes`: a run from a fixed start, so computed once per version of the assignment."""
    def train():
        theirs = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=act, reg_lambda=0.01, seed=0)
        kept, done = {}, 0
        for total in passes:
            theirs.fit_model(X, y, epsilon=0.01, num_passes=total - done, print_loss=False)
            done = total
            kept.update({f"{key} {total}": getattr(theirs, key).copy() for key in ("W1", "b1", "W2", "b2")})
        return kept
    return REMEMBER(remembered.key_of("fit_model", act, X, y, list(passes)), train)


def loss_after(student, ref, moons, act, passes):
    """Loss of NeuralNetwork(2, 3, 2, act) after each number of fit_model steps in `passes`, on the
    handout's moons and on the first UNPUBLISHED of them."""
    name = activation_name(student, act)
    for count, where in [(None, "the handout's moons"), (UNPUBLISHED, f"the first {UNPUBLISHED} of the moons")]:
        X, y = moons["X_train"][:count], moons["y_train"][:count]
        mine = student.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=name, reg_lambda=0.01, seed=0)
        theirs = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=act, reg_lambda=0.01, seed=0)
        trained = reference_weights(ref, X, y, act, passes)
        done = 0
        for total in passes:
            mine.fit_model(X, y, epsilon=0.01, num_passes=total - done, print_loss=False)
            for key in ("W1", "b1", "W2", "b2"):
                setattr(theirs, key, trained[f"{key} {total}"].copy())
            done = total
            call = (f"NeuralNetwork(2, 3, 2, actFun_type={name!r}): loss at iteration {total - 1} of fit_model "
                    f"(epsilon 0.01) on {where}")
            same_training_loss(student, mine, theirs, X, y, call)


@weight(1.0)
@number("4.1")
def test_tanh_losses_at_iterations_0_and_1000(student, ref, data):
    """tanh, 3 hidden units: the handout's losses at iterations 0 and 1000 (0.432387, 0.068947)"""
    student.time_limit(60)
    loss_after(student, ref, data["moons"], "tanh", [1, 1001])


@partial_credit(0.5)
@number("4.2")
def test_sigmoid_and_relu_losses_at_iteration_0(student, ref, data, set_score=None):
    """sigmoid and relu, 3 hidden units: the handout's losses at iteration 0 (0.628571, 0.560274)"""
    partial_credit_over([lambda a=a: loss_after(student, ref, data["moons"], a, [1]) for a in ("sigmoid", "relu")],
                        set_score)


@training.graded_run({"4.3": "tanh", "4.4": "sigmoid", "4.5": "relu"}, "moons", 0.5)
def test_network_classifies_held_out_moons(code, data, run, seed, case):
    """a {case} network trained by your fit_model classifies held-out moons

    NeuralNetwork(2, {hidden_size}, 2) with the {case} activation (reg_lambda={reg:g}, seed={seed}) trained by
    your fit_model ({iterations} passes, epsilon {learning_rate:g})
    """
    moons = data["moons"]
    code.seed(seed)
    name = activation_name(code, case)
    net = code.three_layer_neural_network.NeuralNetwork(2, run.hidden_size, 2, actFun_type=name,
                                                       reg_lambda=run.reg, seed=seed)
    net.fit_model(moons["X_train"], moons["y_train"], epsilon=run.learning_rate, num_passes=run.iterations,
                  print_loss=False)
    X, y = moons["X_test"], moons["y_test"]
    call = "predict(X_test) after fit_model"
    measured = {"accuracy": training.accuracy(net.predict(X), y, call), "examples": len(y)}
    return {**measured, **training.boundary(net.predict, moons["X_train"], moons["y_train"], "predict after fit_model")}


# ---------------------------------------------------------------------------
# Part 5: the n-layer network
# ---------------------------------------------------------------------------

def layers_of(student, net, dims):
    return values.items(student.fetch(net.layers), len(dims) - 1, f"DeepNeuralNetwork({dims}).layers",
                        f"a list of {len(dims) - 1} Layers")


@weight(0.5)
@number("5.1")
def test_deep_network_inherits_and_keeps_its_layers(student):
    """DeepNeuralNetwork inherits NeuralNetwork and keeps one Layer per pair of widths"""
    mark = "grader_marks_NeuralNetwork"  # a class attribute only subclasses of NeuralNetwork see
    student.set(student.three_layer_neural_network.NeuralNetwork, mark, 1)
    dims = [2, 4, 3, 2]
    net = student.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=activation_name(student, "tanh"),
                                                          reg_lambda=0.01, seed=0)
    try:
        student.fetch(getattr(net, mark))
    except CheckFailure:
        raise BUGS.NOT_INHERITED.failure("DeepNeuralNetwork does not inherit NeuralNetwork from "
                                         "three_layer_neural_network.py (class DeepNeuralNetwork(NeuralNetwork): "
                                         "...).") from None
    for i, (layer, shape) in enumerate(zip(layers_of(student, net, dims), [(2, 4), (4, 3), (3, 2)])):
        W = values.array(student.fetch(layer.W), shape, f"DeepNeuralNetwork({dims})", f"layers[{i}].W")
        values.array(student.fetch(layer.b), (1, shape[1]), f"DeepNeuralNetwork({dims})", f"layers[{i}].b")
        if not W.any():
            raise CheckFailure(f"DeepNeuralNetwork({dims}).layers[{i}].W is all zeros; draw it as "
                               "randn(in, out) / sqrt(in).", ["zeros"])


@partial_credit(1.0)
@number("5.2")
def test_layer_matches_reference(student, ref, rng, set_score=None):
    """Layer: feedforward's output, backprop's returned delta and its dW, db match the reference"""
    X, W, b = rng.normal(size=(N, 4)), rng.normal(size=(4, 3)), rng.normal(size=(1, 3))
    delta = rng.normal(size=(N, 3))
    name = activation_name(student, "sigmoid")
    mine = student.n_layer_neural_network.Layer(4, 3, name)
    theirs = ref.n_layer_neural_network.Layer(4, 3, "sigmoid")
    student.set(mine, "W", W)
    student.set(mine, "b", b)
    theirs.W, theirs.b = W, b
    call = f"Layer(4, 3, {name!r})"
    steps = [(f"{call}.feedforward(X: {X.shape})", "output", lambda: mine.feedforward(X),
              lambda: theirs.feedforward(X)),
             (f"{call}.backprop(delta: {delta.shape})", "returned delta", lambda: mine.backprop(delta),
              lambda: theirs.backprop(delta)),
             (f"{call}.backprop", "self.dW", lambda: student.fetch(mine.dW), lambda: theirs.dW),
             (f"{call}.backprop", "self.db", lambda: student.fetch(mine.db), lambda: theirs.db)]
    partial_credit_over([lambda c=c, n=n, g=g, e=e: check_close(g(), e(), call=c, name=n, batch_size=N)
                         for c, n, g, e in steps], set_score)


def deep_nets(student, ref, weights, dims, act, name, reg=REG):
    """The same DeepNeuralNetwork on both sides, with weights drawn by the grader's generator;
    `name` is `act` as your code spells it."""
    mine = student.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=name, reg_lambda=reg, seed=0)
    theirs = ref.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=act, reg_lambda=reg, seed=0)
    for layer, other, (n_in, n_out) in zip(layers_of(student, mine, dims), theirs.layers, zip(dims[:-1], dims[1:])):
        other.W, other.b = weights.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), weights.normal(0, 0.5, (1, n_out))
        student.set(layer, "W", other.W.copy())
        student.set(layer, "b", other.b.copy())
    return mine, theirs


DEEP_SHAPES = [([3, 4, 2], "tanh"), ([2, 5, 4, 3], "sigmoid"), ([3, 4, 4, 3, 4, 2], "relu")]


def at_every_depth(student, ref, rng, matches, set_score):
    """`matches(X, y, mine, theirs, dims, name)` for the 2-, 3- and 5-Layer networks, a third of
    the item's points each (`name`: the activation as your code spells it): the networks drawn first, then
    the problem."""
    def one(dims, act):
        name = activation_name(student, act)
        mine, theirs = deep_nets(student, ref, rng, dims, act, name)
        X, y = rng.normal(size=(N, dims[0])), problems.labels(rng, N, dims[-1])
        matches(X, y, mine, theirs, dims, name)
    partial_credit_over([lambda d=d, a=a: one(d, a) for d, a in DEEP_SHAPES], set_score)


@partial_credit(1.0)
@number("5.6")
def test_deep_loss_matches_reference(student, ref, rng, set_score=None):
    """DeepNeuralNetwork.calculate_loss matches the reference for 2, 3 and 5 layers"""
    def matches(X, y, mine, theirs, dims, name):
        expected = theirs.calculate_loss(X, y)
        penalties = [REG / 2 * np.sum(layer.W ** 2) for layer in theirs.layers]
        cross_entropy = expected * N - sum(penalties)
        call = f"DeepNeuralNetwork({dims}, {name!r}, reg_lambda={REG}).calculate_loss(X: {X.shape}, y)"
        check_close(values.number(mine.calculate_loss(X, y), call, "loss"), expected, name="loss", call=call,
                    wrong_answers=[BUGS.PENALTY_LAST_LAYER.given((cross_entropy + penalties[-1]) / N),
                                   BUGS.PENALTY_NOT_AVERAGED.given(cross_entropy / N + sum(penalties)),
                                   bugs.LOSS_SUM_NOT_MEAN.given(expected * N),
                                   bugs.LOSS_PENALTY_MISSING.given(cross_entropy / N)])
    at_every_depth(student, ref, rng, matches, set_score)


@partial_credit(1.5)
@number("5.7")
def test_deep_backprop_matches_reference(student, ref, rng, set_score=None):
    """DeepNeuralNetwork.backprop matches the reference for 2, 3 and 5 layers (summed, no penalty)"""
    def matches(X, y, mine, theirs, dims, name):
        call = f"DeepNeuralNetwork({dims}, {name!r}, reg_lambda={REG}).backprop(X: {X.shape}, y)"
        expected = theirs.backprop(X, y)
        got = values.items(mine.backprop(X, y), len(expected), call, f"a list of {len(expected)} pairs (dW, db)")
        for i, (pair, (dW, db), layer) in enumerate(zip(got, expected, theirs.layers)):
            dW_got, db_got = values.pair(pair, call, "a pair (dW, db)")
            check_close(dW_got, dW, call=call, name=f"layer {i} dW", batch_size=N,
                        wrong_answers=[BUGS.PENALTY_IN_BACKPROP.given(dW + REG * layer.W)])
            check_close(db_got, db, call=call, name=f"layer {i} db", batch_size=N)
    at_every_depth(student, ref, rng, matches, set_score)


def deep_training(code, points, run, seed):
    """DeepNeuralNetwork([2, h, h, 2], 'tanh') from weights drawn with `seed`, trained by its
    fit_model on `points`: its accuracy and probabilities on the held-out points."""
    dims = [2, run.hidden_size, run.hidden_size, 2]
    name = activation_name(code, "tanh")
    net = code.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=name, reg_lambda=run.reg, seed=0)
    weights = np.random.default_rng(seed)
    for layer, (n_in, n_out) in zip(layers_of(code, net, dims), zip(dims[:-1], dims[1:])):
        code.set(layer, "W", weights.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)))
        code.set(layer, "b", weights.normal(0, 0.5, (1, n_out)))
    net.fit_model(points["X_train"], points["y_train"], epsilon=run.learning_rate, num_passes=run.iterations,
                  print_loss=False)
    X, y = points["X_test"], points["y_test"]
    call = f"DeepNeuralNetwork({dims}, {name!r}).predict(X_test) after fit_model"
    predicted = net.predict(X)
    probs = values.array(code.fetch(net.probs), (len(y), 2), call, "self.probs")
    return {"accuracy": training.accuracy(predicted, y, call), "outputs": probs,
            **training.boundary(net.predict, points["X_train"], points["y_train"], "predict after fit_model")}


@training.graded_run("5.8", "deep_moons", 1.25)
def test_deep_network_trains_on_moons(code, data, run, seed):
    """DeepNeuralNetwork.fit_model on make_moons: a held-out accuracy bar, and training as the reference's does

    A 2-{hidden_size}-{hidden_size}-2 tanh DeepNeuralNetwork trained by your fit_model from the grader's weights
    ({iterations} passes, epsilon {learning_rate:g}, reg_lambda {reg:g}, weights from seed {seed})
    """
    return deep_training(code, data["moons"], run, seed)


@training.graded_run("5.9", "deep_circles", 1.25)
def test_deep_network_trains_on_circles(code, data, run, seed):
    """DeepNeuralNetwork.fit_model on make_circles: a held-out accuracy bar, and training as the reference's does

    A 2-{hidden_size}-{hidden_size}-2 tanh DeepNeuralNetwork trained by your fit_model from the grader's weights
    ({iterations} passes, epsilon {learning_rate:g}, reg_lambda {reg:g}, weights from seed {seed})
    """
    return deep_training(code, data["circles"], run, seed)


# ---------------------------------------------------------------------------
# Part 6: convolutional layers
# ---------------------------------------------------------------------------

CONV_CASES = [((2, 3, 7, 5), (4, 3, 3, 3), 1, 0),   # odd sizes
              ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),   # stride 2, padding 1
              ((1, 3, 6, 5), (2, 3, 3, 2), 1, 1)]   # a kernel that is not square


def flipped(w):
    return w[:, :, ::-1, ::-1].copy()


def forward(result, call):
    return values.pair(result, call, "a pair (out, cache)")


@partial_credit(1.5)
@number("6.1")
def test_conv2d_forward_matches_reference(student, ref, rng, set_score=None):
    """conv2d_forward matches the reference (odd sizes, stride 2, padding 1)"""
    def matches(x_shape, w_shape, stride, pad):
        x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
        call = f"conv2d_forward(x: {x_shape}, w: {w_shape}, b, stride={stride}, pad={pad})"
        out, _ = forward(student.conv_layers.conv2d_forward(x, w, b, stride, pad), call)
        expected, _ = ref.conv_layers.conv2d_forward(x, w, b, stride, pad)
        check_close(out, expected, call=call, name="out", wrong_answers=[
            BUGS.KERNEL_FLIPPED.given(ref.conv_layers.conv2d_forward(x, flipped(w), b, stride, pad)[0])])
    partial_credit_over([lambda c=c: matches(*c) for c in CONV_CASES], set_score)


@partial_credit(1.5)
@number("6.3")
def test_conv2d_backward_matches_reference(student, ref, rng, set_score=None):
    """conv2d_backward matches the reference: dx, dw and db"""
    conv = ref.conv_layers

    def matches(x_shape, w_shape, stride, pad):
        x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
        call = f"conv2d_backward(dout, cache) after conv2d_forward(x: {x_shape}, w: {w_shape}, b, {stride}, {pad})"
        out, cache = conv.conv2d_forward(x, w, b, stride, pad)
        dout = rng.normal(size=out.shape)
        _, mine = forward(student.conv_layers.conv2d_forward(x, w, b, stride, pad), call)
        dx_got, dw_got, db_got = values.items(student.conv_layers.conv2d_backward(dout, mine), 3, call,
                                              "(dx, dw, db)")
        dx, dw, db = conv.conv2d_backward(dout, cache)
        padded = x_shape[:2] + tuple(int(n) + 2 * pad for n in x_shape[2:])
        if pad and getattr(dx_got, "shape", None) == padded:
            raise likely(BUGS.PADDING_KEPT, f"{call}: dx has shape {padded}, the padded input's; expected "
                                            f"{x_shape}.")
        unflipped, _, _ = conv.conv2d_backward(dout, (x, flipped(w), stride, pad))
        check_close(dx_got, dx, call=call, name="dx", wrong_answers=[BUGS.KERNEL_NOT_FLIPPED.given(unflipped)])
        check_close(dw_got, dw, call=call, name="dw")
        check_close(db_got, db, call=call, name="db")
    partial_credit_over([lambda c=c: matches(*c) for c in CONV_CASES[1:]], set_score)


@partial_credit(0.5)
@number("6.4")
def test_maxpool_forward_matches_reference(student, ref, rng, set_score=None):
    """maxpool_forward matches the reference (2x2 stride 2, 3x3 stride 2)"""
    def matches(shape, pool, stride):
        x = rng.normal(size=shape)
        call = f"maxpool_forward(x: {shape}, pool={pool}, stride={stride})"
        out, _ = forward(student.conv_layers.maxpool_forward(x, pool, stride), call)
        check_close(out, ref.conv_layers.maxpool_forward(x, pool, stride)[0], call=call, name="out")
    partial_credit_over([lambda: matches((2, 3, 6, 6), 2, 2), lambda: matches((1, 2, 7, 5), 3, 2)], set_score)


@partial_credit(1.0)
@number("6.6")
def test_maxpool_backward_matches_reference(student, ref, rng, set_score=None):
    """maxpool_backward sends each window's gradient to its maximum, ties included"""
    conv = ref.conv_layers

    def distinct():
        x = rng.normal(size=(2, 3, 6, 6))
        out, cache = conv.maxpool_forward(x, 2, 2)
        dout = rng.normal(size=out.shape)
        _, mine = forward(student.conv_layers.maxpool_forward(x, 2, 2), "maxpool_forward(x: (2, 3, 6, 6))")
        every_cell = np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3)
        check_close(student.conv_layers.maxpool_backward(dout, mine), conv.maxpool_backward(dout, cache),
                    call="maxpool_backward(dout: (2, 3, 3, 3), cache)", name="dx",
                    wrong_answers=[BUGS.POOL_EVERY_CELL.given(every_cell), BUGS.POOL_AVERAGE.given(every_cell / 4)])

    def tied():
        # integers in 0..2: most 2x2 windows hold their maximum more than once
        x = rng.integers(0, 3, (2, 2, 4, 4)).astype(np.float64)
        out, _ = conv.maxpool_forward(x, 2, 2)
        dout = rng.uniform(1, 2, out.shape)
        call = "maxpool_backward(dout: (2, 2, 2, 2), cache) on windows with tied maxima"
        _, mine = forward(student.conv_layers.maxpool_forward(x, 2, 2), call)
        dx = values.array(student.conv_layers.maxpool_backward(dout, mine), x.shape, call, "dx")
        on_max = x == np.repeat(np.repeat(out, 2, axis=2), 2, axis=3)
        if np.any(dx[~on_max] != 0):
            raise BUGS.POOL_EVERY_CELL.failure(f"{call}: dx is non-zero off the window maxima.")
        if not np.allclose(dx.reshape(2, 2, 2, 2, 2, 2).sum(axis=(3, 5)), dout):
            raise BUGS.POOL_TIES.failure(
                f"{call}: the entries of dx in each window should add up to that window's gradient "
                "(any split among tied maxima is accepted).")
    partial_credit_over([distinct, tied], set_score)


@partial_credit(0.5)
@number("6.7")
def test_relu_layer_matches_reference(student, ref, rng, set_score=None):
    """relu_forward and relu_backward match the reference (the gradient at 0 is 0)"""
    x = np.concatenate([rng.normal(size=20), [0.0, 0.0, 1e-4, -1e-4]]).reshape(4, 6)
    dout = rng.normal(size=x.shape)

    def relu_forward():
        out, _ = forward(student.conv_layers.relu_forward(x), "relu_forward(x: (4, 6))")
        check_close(out, np.maximum(x, 0), call="relu_forward(x: (4, 6))", name="out")

    def relu_backward():
        _, cache = forward(student.conv_layers.relu_forward(x), "relu_forward(x: (4, 6))")
        check_close(student.conv_layers.relu_backward(dout, cache), ref.conv_layers.relu_backward(dout, x),
                    call="relu_backward(dout, cache), x with zeros", name="dx",
                    wrong_answers=[BUGS.RELU_BACKWARD_AT_ZERO.given(dout * (x >= 0)),
                                   BUGS.RELU_BACKWARD_INVERTED.given(dout * (x < 0))])
    partial_credit_over([relu_forward, relu_backward], set_score)


@partial_credit(0.5)
@number("6.9")
def test_softmax_loss_matches_reference(student, ref, rng, set_score=None):
    """softmax_loss: loss and dscores match the reference, also for scores in the thousands"""
    def matches(scores):
        y = problems.labels(rng, len(scores), scores.shape[1])
        size = "~1000" if np.abs(scores).max() > 100 else "~1"
        call = f"softmax_loss(scores: {scores.shape} of size {size}, y)"
        loss, dscores = ref.conv_layers.softmax_loss(scores, y)
        got_loss, got_dscores = values.pair(student.conv_layers.softmax_loss(scores, y), call, "(loss, dscores)")
        check_close(stability.stable_value(got_loss, (), call, "loss"), loss, call=call, name="loss",
                    batch_size=len(y))
        check_close(stability.stable_value(got_dscores, scores.shape, call, "dscores"), dscores, call=call,
                    name="dscores", batch_size=len(y))
    partial_credit_over([lambda: matches(rng.normal(size=(8, 5))), lambda: matches(stability.large_scores(rng, 8, 5))],
                        set_score)


# ---------------------------------------------------------------------------
# Part 7: the convolutional network
# ---------------------------------------------------------------------------

SMALL = dict(input_shape=(1, 8, 8), num_filters=(3, 4), hidden_dim=6, num_classes=5, dropout=0.0, seed=0)
# The handout's defaults, passed as such: the digits run is the handout's network
DIGITS_NET = dict(input_shape=(1, 8, 8), num_filters=(8, 16), hidden_dim=64, num_classes=10, dropout=0.5)
SMALL_CALL = f"ConvNet({', '.join(f'{k}={v}' for k, v in SMALL.items())})"


def small_nets(student, ref, rng):
    """A small ConvNet without dropout on both sides, with the grader's parameters."""
    theirs = ref.conv_layers.ConvNet(**SMALL)
    params = {k: rng.normal(0, 0.5, v.shape) for k, v in theirs.params.items()}
    theirs.params = {k: v.copy() for k, v in params.items()}
    mine = student.conv_layers.ConvNet(**SMALL)
    student.set(mine, "params", params)
    return mine, theirs


@partial_credit(1.5)
@number("7.1")
def test_convnet_loss_matches_reference(student, ref, rng, set_score=None):
    """ConvNet.loss: scores, loss and every gradient match the reference (dropout 0)"""
    mine, theirs = small_nets(student, ref, rng)
    X, y = rng.normal(size=(4, 1, 8, 8)), problems.labels(rng, 4, 5)
    call = f"{SMALL_CALL}.loss(X: {X.shape}, y)"
    loss, grads = theirs.loss(X, y)
    got_loss, got_grads = gradients.loss_and_grads(mine.loss(X, y), call)
    parts = [lambda: check_close(mine.loss(X), theirs.loss(X), call=f"{SMALL_CALL}.loss(X: {X.shape})",
                                 name="scores"),
             lambda: check_close(got_loss, loss, call=call, name="loss")]
    parts += [lambda k=k: check_close(gradients.grad_of(got_grads, k, call), grads[k], call=call,
                                      name=f"grads[{k!r}]", batch_size=len(X)) for k in sorted(grads)]
    partial_credit_over(parts, set_score)


@weight(1.0)
@number("7.2")
def test_convnet_train_takes_adam_steps(student, ref, rng):
    """ConvNet.train: five Adam steps on one batch give the reference's losses"""
    mine, theirs = small_nets(student, ref, rng)
    X, y = rng.normal(size=(10, 1, 8, 8)), problems.labels(rng, 10, 5)
    kwargs = dict(num_epochs=5, batch_size=10, learning_rate=0.01, seed=0)
    call = "ConvNet.train(X: (10, 1, 8, 8), y, num_epochs=5, batch_size=10, learning_rate=0.01) (one batch per epoch)"
    history = values.sequence(mine.train(X, y, **kwargs), 5, call, "the returned losses")
    # 1e-5: the order of the examples in the batch may differ, and with it the rounding
    check_close(history, theirs.train(X, y, **kwargs), call=call, name="losses", rtol=1e-5)


@training.graded_run("7.3", "digits", 1.5, reference_run=False)  # the reference's ConvNet: ~10 s per grade
def test_convnet_classifies_held_out_digits(code, data, run, seed, ref):
    """a ConvNet trained with your code classifies held-out 8x8 digits

    ConvNet() from the grader's initial weights, trained with your code ({epochs} epoch(s) of Adam on the first
    {examples} training digits, seed {seed}), measured on the first {held_out} held-out digits
    """
    digits = data["digits"]
    code.seed(seed)
    net = code.conv_layers.ConvNet(**DIGITS_NET, seed=seed)
    # The reference's He-normal start: the handout leaves the initialisation to the student,
    # and a correct net started at 0.01 scale does not learn in a run this short.
    code.set(net, "params", ref.conv_layers.ConvNet(**DIGITS_NET, seed=seed).params)
    X_train, y_train = digits["X_train"][:run.examples], digits["y_train"][:run.examples]
    losses = net.train(X_train, y_train, num_epochs=run.epochs, batch_size=run.batch_size,
                       learning_rate=run.learning_rate, seed=seed)
    X, y = digits["X_test"][:run.held_out], digits["y_test"][:run.held_out]
    accuracy = training.accuracy(net.predict(X), y, "ConvNet.predict(X_test) after train")
    return {"accuracy": accuracy, "examples": len(y), **training.history_of(losses, "iteration")}
