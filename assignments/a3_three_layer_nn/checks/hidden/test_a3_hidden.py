"""Hidden checks: your code against the reference on inputs you have not seen,
the handout's loss values, and training to accuracy bars on held-out points.

Each check sets the parameters itself, so a bug in one function costs the
items that call it and no others.
"""
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import as_array, check_close, entry, partial_credit_over
from grader.failures import CheckFailure

CAPITALISED = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}
N, H = 9, 5      # examples and hidden units of the small three-layer problems (no two sizes alike)
REG = 0.1
STABLE = "Likely bug: exp overflowed: subtract each row's maximum from the scores before exp."


def activation_name(student, act):
    """'tanh' if your actFun accepts it, else the handout's 'Tanh' (tried once)."""
    net = student.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    for name in (act, CAPITALISED[act]):
        try:
            if net.actFun(np.array([[0.5]]), name) is not None:
                return name
        except CheckFailure as failure:
            if "not-attempted" in failure.tags:
                raise
    return act


# ---------------------------------------------------------------------------
# Part 1: activations
# ---------------------------------------------------------------------------

def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


ACTIVATION_SLIPS = {  # what a common slip computes instead of the activation or its derivative
    "actFun": {"sigmoid": [("e^z was used instead of e^-z", "sign-flip", lambda z: sigmoid(-z))]},
    "diff_actFun": {
        "tanh": [("tanh' was written as 1 - z^2; it is 1 - tanh(z)^2", "tanh-derivative", lambda z: 1 - z ** 2)],
        "sigmoid": [("sigmoid' was written as s; it is s * (1 - s)", "sigmoid-derivative", sigmoid)],
        "relu": [("ReLU' is 1 at z = 0; the handout takes it as 0 there (z > 0)", "relu-derivative",
                  lambda z: (z >= 0) * 1.0),
                 ("ReLU' passes negative inputs", "relu-derivative", lambda z: np.ones_like(z)),
                 ("ReLU' is taken where the input is negative", "relu-derivative", lambda z: (z < 0) * 1.0)]},
}


def activation_matches(student, ref, act, method):
    name = activation_name(student, act)
    z = np.concatenate([np.linspace(-4, 4, 17), [0.0, 1e-3, -1e-3, 30.0, -30.0]]).reshape(2, 11)
    expected = getattr(ref.three_layer_neural_network.NeuralNetwork(2, 3, 2), method)(z, act)
    got = getattr(student.three_layer_neural_network.NeuralNetwork(2, 3, 2), method)(z, name)
    slips = [(text, tag, f(z)) for text, tag, f in ACTIVATION_SLIPS[method].get(act, [])]
    if method == "diff_actFun":
        slips.append(("the activation is used where its derivative belongs", "function-not-derivative",
                      ref.three_layer_neural_network.NeuralNetwork(2, 3, 2).actFun(z, act)))
    check_close(got, expected, call=f"{method}(z: (2, 11), {name!r}) (z includes 0 and +-1e-3)",
                wrong_answers=slips)


@partial_credit(1.0)
@number("1.1")
def test_actFun_matches_reference(student, ref, set_score=None):
    """actFun matches the reference for tanh, sigmoid and relu"""
    partial_credit_over([lambda a=a: activation_matches(student, ref, a, "actFun") for a in CAPITALISED],
                        1.0, set_score)


@partial_credit(1.0)
@number("1.3")
def test_diff_actFun_matches_reference(student, ref, set_score=None):
    """diff_actFun matches the reference, at 0 and around it too"""
    partial_credit_over([lambda a=a: activation_matches(student, ref, a, "diff_actFun") for a in CAPITALISED],
                        1.0, set_score)


# ---------------------------------------------------------------------------
# Part 2 and 3: the three-layer network's forward and backward passes
# ---------------------------------------------------------------------------

def three_layer_problem(rng, scale=1.0):
    X = rng.normal(size=(N, 2))
    params = {"W1": rng.normal(0, scale, (2, H)), "b1": rng.normal(0, 0.5, (1, H)),
              "W2": rng.normal(0, scale, (H, 2)), "b2": rng.normal(0, 0.5, (1, 2))}
    while np.min(np.abs(X @ params["W1"] + params["b1"])) < 1e-2:  # away from ReLU's kink
        params["b1"] = rng.normal(0, 0.5, (1, H))
    return X, rng.integers(0, 2, N), params


def three_layer_nets(student, ref, act, params, reg=REG):
    """The same network on both sides: yours in the sandbox, the reference here."""
    mine = student.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=activation_name(student, act),
                                                           reg_lambda=reg)
    for key, value in params.items():
        student.set(mine, key, value)
    theirs = ref.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=act, reg_lambda=reg)
    for key, value in params.items():
        setattr(theirs, key, value.copy())
    return mine, theirs


@weight(1.0)
@number("2.1")
def test_feedforward_matches_reference(student, ref, rng):
    """feedforward sets z1, a1, z2 and probs as the reference does"""
    X, y, params = three_layer_problem(rng)
    mine, theirs = three_layer_nets(student, ref, "tanh", params)
    mine.calculate_loss(X, y)   # calls feedforward with the network's activation, as the starter does
    theirs.calculate_loss(X, y)
    call = f"feedforward(X: {X.shape}, actFun) (through calculate_loss)"
    for key in ("z1", "a1", "z2", "probs"):
        expected = getattr(theirs, key)
        wrong = [("the softmax normalises over examples (axis 0) instead of classes", "softmax-axis",
                  np.exp(theirs.z2) / np.exp(theirs.z2).sum(axis=0))] if key == "probs" else []
        check_close(student.fetch(getattr(mine, key)), expected, call=call, name=f"self.{key}", wrong_answers=wrong)


@weight(1.0)
@number("2.2")
def test_calculate_loss_matches_reference(student, ref, rng):
    """calculate_loss matches the reference (penalty included, all divided by N)"""
    X, y, params = three_layer_problem(rng)
    mine, theirs = three_layer_nets(student, ref, "relu", params)
    expected = theirs.calculate_loss(X, y)
    cross_entropy = -np.sum(np.log(theirs.probs[np.arange(N), y]))
    penalty = REG / 2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    biases = REG / 2 * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))
    check_close(mine.calculate_loss(X, y), expected, call=f"calculate_loss(X: {X.shape}, y), reg_lambda={REG}",
                name="loss", wrong_answers=[
                    ("the loss is not divided by N", "sum-vs-mean", cross_entropy + penalty),
                    ("the penalty is not divided by N (the starter divides the whole sum)", "reg-not-averaged",
                     cross_entropy / N + penalty),
                    ("the cross-entropy is averaged and then divided by N again", "mean-vs-sum",
                     (cross_entropy / N + penalty) / N),
                    ("the penalty includes the biases", "reg-on-biases", (cross_entropy + penalty + biases) / N),
                    ("the penalty is missing", "reg-missing", cross_entropy / N)])


@weight(0.5)
@number("2.3")
def test_softmax_is_stable_for_large_scores(student, ref, rng):
    """feedforward's softmax stays finite when the scores are in the thousands"""
    X, y, params = three_layer_problem(rng)
    params["W2"] = params["W2"] * 2000
    mine, theirs = three_layer_nets(student, ref, "tanh", params)
    mine.predict(X)
    theirs.predict(X)
    call = f"feedforward(X: {X.shape}, actFun) with scores z2 of size ~1000"
    try:
        check_close(student.fetch(mine.probs), theirs.probs, call=call, name="self.probs")
    except CheckFailure as failure:
        if "non-finite" not in failure.tags:
            raise
        raise CheckFailure(f"{failure.message}\n{STABLE}", ["softmax-overflow"]) from None


@weight(0.5)
@number("2.4")
def test_predict_matches_reference(student, ref, rng):
    """predict returns the reference's class for every example"""
    X, _, params = three_layer_problem(rng)
    mine, theirs = three_layer_nets(student, ref, "sigmoid", params)
    check_close(mine.predict(X), theirs.predict(X), call=f"predict(X: {X.shape})", name="classes")


def with_derivative(theirs, X, y, derivative):
    """The reference's summed gradients (dW1, db1), with another activation derivative."""
    delta3 = theirs.probs.copy()
    delta3[np.arange(len(y)), y] -= 1
    delta2 = (delta3 @ theirs.W2.T) * derivative(theirs.z1)
    return {"W1": X.T @ delta2, "b1": delta2.sum(axis=0, keepdims=True)}


def backprop_matches(student, ref, rng, act, set_score):
    X, y, params = three_layer_problem(rng)
    mine, theirs = three_layer_nets(student, ref, act, params)
    call = f"backprop(X: {X.shape}, y) after calculate_loss, actFun_type={act!r}"
    mine.calculate_loss(X, y)  # feedforward first, as fit_model does
    got = mine.backprop(X, y)
    theirs.calculate_loss(X, y)
    slips = [(text, tag, with_derivative(theirs, X, y, f))
             for text, tag, f in ACTIVATION_SLIPS["diff_actFun"].get(act, [])]
    expected = dict(zip(("W1", "W2", "b1", "b2"), theirs.backprop(X, y)))
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        raise CheckFailure(f"{call} should return the tuple (dW1, dW2, db1, db2).", ["wrong-type"])

    def matches(key, value):
        wrong = [(text, tag, slipped[key]) for text, tag, slipped in slips if key in slipped]
        if key.startswith("W"):
            wrong.append(("the penalty's gradient is included; fit_model adds it", "reg-twice",
                          expected[key] + REG * params[key]))
        check_close(value, expected[key], call=call, name=f"d{key}", batch_size=N, wrong_answers=wrong)
    partial_credit_over([lambda k=k, v=v: matches(k, v) for k, v in zip(("W1", "W2", "b1", "b2"), got)],
                        1.0, set_score)


@partial_credit(1.0)
@number("3.4")
def test_backprop_tanh_matches_reference(student, ref, rng, set_score=None):
    """tanh network: each gradient of backprop matches the reference (summed over examples)"""
    backprop_matches(student, ref, rng, "tanh", set_score)


@partial_credit(1.0)
@number("3.5")
def test_backprop_sigmoid_matches_reference(student, ref, rng, set_score=None):
    """sigmoid network: each gradient of backprop matches the reference (summed over examples)"""
    backprop_matches(student, ref, rng, "sigmoid", set_score)


@partial_credit(1.0)
@number("3.6")
def test_backprop_relu_matches_reference(student, ref, rng, set_score=None):
    """relu network: each gradient of backprop matches the reference (summed over examples)"""
    backprop_matches(student, ref, rng, "relu", set_score)


# ---------------------------------------------------------------------------
# Part 4: training the three-layer network
# ---------------------------------------------------------------------------

def loss_after(student, ref, moons, act, passes):
    """Loss of NeuralNetwork(2, 3, 2, act) after each number of fit_model steps in `passes`."""
    X, y = moons["X_train"], moons["y_train"]
    mine = student.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=activation_name(student, act))
    theirs = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=act)
    done = 0
    for total in passes:
        mine.fit_model(X, y, epsilon=0.01, num_passes=total - done, print_loss=False)
        theirs.fit_model(X, y, epsilon=0.01, num_passes=total - done, print_loss=False)
        done = total
        # printed to 6 decimals in the handout; 1e-5 allows for summation order over many steps
        check_close(mine.calculate_loss(X, y), theirs.calculate_loss(X, y), rtol=1e-5, name="loss",
                    call=f"NeuralNetwork(2, 3, 2, {act!r}): loss at iteration {total - 1} of fit_model "
                         f"(epsilon 0.01) on the handout's moons")


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
                        0.5, set_score)


def moons_accuracy(student, data, assignment, act):
    moons, bar = data["moons"], assignment.thresholds
    student.time_limit(bar["train_timeout"])
    name = activation_name(student, act)
    net = student.three_layer_neural_network.NeuralNetwork(2, bar["moons_hidden"], 2, actFun_type=name)
    net.fit_model(moons["X_train"], moons["y_train"], epsilon=bar["moons_epsilon"],
                  num_passes=bar["moons_passes"], print_loss=False)
    predicted = as_array(net.predict(moons["X_test"]), moons["y_test"], "", "predict(X_test) after fit_model")
    accuracy = float(np.mean(predicted == moons["y_test"]))
    if accuracy < bar["min_moons_accuracy"]:
        raise CheckFailure(
            f"NeuralNetwork(2, {bar['moons_hidden']}, 2, {name!r}) trained by your fit_model "
            f"({bar['moons_passes']} passes, epsilon {bar['moons_epsilon']}, seed 0) classifies {accuracy:.1%} of "
            f"1,000 held-out moons correctly; at least {bar['min_moons_accuracy']:.0%} is needed.", ["training"])


@weight(0.5)
@number("4.3")
def test_tanh_network_classifies_held_out_moons(student, data, assignment):
    """a tanh network trained by your fit_model classifies held-out moons"""
    moons_accuracy(student, data, assignment, "tanh")


@weight(0.5)
@number("4.4")
def test_sigmoid_network_classifies_held_out_moons(student, data, assignment):
    """a sigmoid network trained by your fit_model classifies held-out moons"""
    moons_accuracy(student, data, assignment, "sigmoid")


@weight(0.5)
@number("4.5")
def test_relu_network_classifies_held_out_moons(student, data, assignment):
    """a relu network trained by your fit_model classifies held-out moons"""
    moons_accuracy(student, data, assignment, "relu")


# ---------------------------------------------------------------------------
# Part 5: the n-layer network
# ---------------------------------------------------------------------------

@weight(0.5)
@number("5.1")
def test_deep_network_inherits_and_keeps_its_layers(student):
    """DeepNeuralNetwork inherits NeuralNetwork and keeps one Layer per pair of widths"""
    mark = "grader_marks_NeuralNetwork"
    student.set(student.three_layer_neural_network.NeuralNetwork, mark, 1)
    net = student.n_layer_neural_network.DeepNeuralNetwork([2, 4, 3, 2], actFun_type=activation_name(student, "tanh"))
    try:
        student.fetch(getattr(net, mark))
    except CheckFailure:
        raise CheckFailure("DeepNeuralNetwork does not inherit NeuralNetwork from three_layer_neural_network.py "
                           "(class DeepNeuralNetwork(NeuralNetwork): ...).", ["inheritance"]) from None
    layers = student.fetch(net.layers)
    if not isinstance(layers, (list, tuple)) or len(layers) != 3:
        raise CheckFailure("DeepNeuralNetwork([2, 4, 3, 2]).layers should be a list of 3 Layers.", ["wrong-type"])
    for i, (layer, shape) in enumerate(zip(layers, [(2, 4), (4, 3), (3, 2)])):
        for key, want in (("W", shape), ("b", (1, shape[1]))):
            value = as_array(student.fetch(getattr(layer, key)), np.zeros(want), f"layers[{i}].{key}",
                             "DeepNeuralNetwork([2, 4, 3, 2])")
            if key == "W" and not value.any():
                raise CheckFailure(f"DeepNeuralNetwork([2, 4, 3, 2]).layers[{i}].W is all zeros.", ["zeros"])


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
    steps = [(f"{call}.feedforward(X: {X.shape})", "output", lambda: mine.feedforward(X), lambda: theirs.feedforward(X)),
             (f"{call}.backprop(delta: {delta.shape})", "returned delta", lambda: mine.backprop(delta),
              lambda: theirs.backprop(delta)),
             (f"{call}.backprop", "self.dW", lambda: student.fetch(mine.dW), lambda: theirs.dW),
             (f"{call}.backprop", "self.db", lambda: student.fetch(mine.db), lambda: theirs.db)]
    partial_credit_over([lambda c=c, n=n, g=g, e=e: check_close(g(), e(), call=c, name=n, batch_size=N)
                         for c, n, g, e in steps], 1.0, set_score)


def deep_nets(student, ref, rng, dims, act, reg=REG):
    """The same DeepNeuralNetwork on both sides, with the grader's weights."""
    mine = student.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=activation_name(student, act),
                                                           reg_lambda=reg)
    theirs = ref.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=act, reg_lambda=reg)
    layers = student.fetch(mine.layers)
    if not isinstance(layers, (list, tuple)) or len(layers) != len(dims) - 1:
        raise CheckFailure(f"DeepNeuralNetwork({dims}).layers should be a list of {len(dims) - 1} Layers.",
                           ["wrong-type"])
    for layer, other, (n_in, n_out) in zip(layers, theirs.layers, zip(dims[:-1], dims[1:])):
        other.W, other.b = rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.5, (1, n_out))
        student.set(layer, "W", other.W.copy())
        student.set(layer, "b", other.b.copy())
    return mine, theirs


DEEP_SHAPES = [([3, 4, 2], "tanh"), ([2, 5, 4, 3], "sigmoid"), ([3, 4, 4, 3, 4, 2], "relu")]


@partial_credit(1.0)
@number("5.6")
def test_deep_loss_matches_reference(student, ref, rng, set_score=None):
    """DeepNeuralNetwork.calculate_loss matches the reference for 2, 3 and 5 layers"""
    def matches(dims, act):
        mine, theirs = deep_nets(student, ref, rng, dims, act)
        X, y = rng.normal(size=(N, dims[0])), rng.integers(0, dims[-1], N)
        expected = theirs.calculate_loss(X, y)
        weights = [np.sum(layer.W ** 2) for layer in theirs.layers]
        cross_entropy = expected * N - REG / 2 * sum(weights)
        check_close(mine.calculate_loss(X, y), expected, name="loss",
                    call=f"DeepNeuralNetwork({dims}, {act!r}, reg_lambda={REG}).calculate_loss(X: {X.shape}, y)",
                    wrong_answers=[
                        ("the penalty covers only the last layer", "reg-last-layer-only",
                         (cross_entropy + REG / 2 * weights[-1]) / N),
                        ("the penalty is not divided by N", "reg-not-averaged", (cross_entropy + REG / 2 * sum(weights)
                                                                                 * N) / N),
                        ("the loss is not divided by N", "sum-vs-mean", expected * N),
                        ("the penalty is missing", "reg-missing", cross_entropy / N)])
    partial_credit_over([lambda d=d, a=a: matches(d, a) for d, a in DEEP_SHAPES], 1.0, set_score)


@partial_credit(1.5)
@number("5.7")
def test_deep_backprop_matches_reference(student, ref, rng, set_score=None):
    """DeepNeuralNetwork.backprop matches the reference for 2, 3 and 5 layers (summed, no penalty)"""
    def matches(dims, act):
        mine, theirs = deep_nets(student, ref, rng, dims, act)
        X, y = rng.normal(size=(N, dims[0])), rng.integers(0, dims[-1], N)
        call = f"DeepNeuralNetwork({dims}, {act!r}).backprop(X: {X.shape}, y)"
        got, expected = mine.backprop(X, y), theirs.backprop(X, y)
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            raise CheckFailure(f"{call} should return a list of {len(expected)} pairs (dW, db).", ["wrong-type"])
        for i, (pair, (dW, db), layer) in enumerate(zip(got, expected, theirs.layers)):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise CheckFailure(f"{call}: entry {i} should be a pair (dW, db).", ["wrong-type"])
            check_close(pair[0], dW, call=call, name=f"layer {i} dW", batch_size=N, wrong_answers=[
                ("the penalty's gradient is included; fit_model adds it", "reg-twice", dW + REG * layer.W)])
            check_close(pair[1], db, call=call, name=f"layer {i} db", batch_size=N)
    partial_credit_over([lambda d=d, a=a: matches(d, a) for d, a in DEEP_SHAPES], 1.5, set_score)


def deep_training(student, ref, rng, data, assignment, name):
    """fit_model from the grader's weights: the reference's loss, then the accuracy bar."""
    points, bar = data[name], assignment.thresholds
    dims, passes, epsilon = bar["deep_dims"], bar["deep_passes"], bar["deep_epsilon"]
    least = bar[f"min_deep_{name}_accuracy"]
    student.time_limit(bar["train_timeout"])
    mine, theirs = deep_nets(student, ref, rng, dims, "tanh", reg=0.01)
    X, y = points["X_train"], points["y_train"]
    mine.fit_model(X, y, epsilon=epsilon, num_passes=passes, print_loss=False)
    theirs.fit_model(X, y, epsilon=epsilon, num_passes=passes, print_loss=False)
    call = f"DeepNeuralNetwork({dims}, 'tanh').fit_model on {name} ({passes} passes, epsilon {epsilon})"
    check_close(mine.calculate_loss(X, y), theirs.calculate_loss(X, y), rtol=1e-5, call=call,
                name="training loss afterwards")
    predicted = as_array(mine.predict(points["X_test"]), points["y_test"], "", f"predict(X_test) after {call}")
    accuracy = float(np.mean(predicted == points["y_test"]))
    if accuracy < least:
        raise CheckFailure(f"{call} classifies {accuracy:.1%} of the held-out points correctly; "
                           f"at least {least:.0%} is needed.", ["training"])


@weight(1.25)
@number("5.8")
def test_deep_network_trains_on_moons(student, ref, rng, data, assignment):
    """DeepNeuralNetwork.fit_model on make_moons: the reference's loss and a held-out accuracy bar"""
    deep_training(student, ref, rng, data, assignment, "moons")


@weight(1.25)
@number("5.9")
def test_deep_network_trains_on_circles(student, ref, rng, data, assignment):
    """DeepNeuralNetwork.fit_model on make_circles: the reference's loss and a held-out accuracy bar"""
    deep_training(student, ref, rng, data, assignment, "circles")


# ---------------------------------------------------------------------------
# Part 6: convolutional layers
# ---------------------------------------------------------------------------

CONV_CASES = [((2, 3, 7, 5), (4, 3, 3, 3), 1, 0),   # odd sizes
              ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),   # stride 2, padding 1
              ((1, 3, 6, 5), (2, 3, 3, 2), 1, 1)]   # a kernel that is not square


def pair_of(result, call, what="(out, cache)"):
    if not isinstance(result, (tuple, list)) or len(result) != (3 if what == "(dx, dw, db)" else 2):
        raise CheckFailure(f"{call} should return {what}.", ["wrong-type"])
    return result


def flipped(w):
    return w[:, :, ::-1, ::-1].copy()


@partial_credit(1.5)
@number("6.1")
def test_conv2d_forward_matches_reference(student, ref, rng, set_score=None):
    """conv2d_forward matches the reference (odd sizes, stride 2, padding 1)"""
    def matches(x_shape, w_shape, stride, pad):
        x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
        call = f"conv2d_forward(x: {x_shape}, w: {w_shape}, b, stride={stride}, pad={pad})"
        out, _ = pair_of(student.conv_layers.conv2d_forward(x, w, b, stride, pad), call)
        expected, _ = ref.conv_layers.conv2d_forward(x, w, b, stride, pad)
        check_close(out, expected, call=call, name="out", wrong_answers=[
            ("the kernel is flipped (a true convolution); use cross-correlation", "kernel-flipped",
             ref.conv_layers.conv2d_forward(x, flipped(w), b, stride, pad)[0])])
    partial_credit_over([lambda c=c: matches(*c) for c in CONV_CASES], 1.5, set_score)


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
        _, mine = pair_of(student.conv_layers.conv2d_forward(x, w, b, stride, pad), call)
        got = pair_of(student.conv_layers.conv2d_backward(dout, mine), call, "(dx, dw, db)")
        dx, dw, db = conv.conv2d_backward(dout, cache)
        unflipped, _, _ = conv.conv2d_backward(dout, (x, flipped(w), stride, pad))
        if np.shape(got[0]) != x.shape and pad and np.shape(got[0])[2:] == tuple(np.add(x.shape[2:], 2 * pad)):
            raise CheckFailure(f"{call}: dx has shape {np.shape(got[0])}, the padded input's; expected {x.shape}. "
                               "Likely bug: the padding was not removed from dx.", ["padding-not-removed"])
        check_close(got[0], dx, call=call, name="dx", wrong_answers=[
            ("dx correlates dout with the kernel instead of convolving: flip the kernel (w[:, :, ::-1, ::-1])",
             "kernel-not-flipped", unflipped)])
        check_close(got[1], dw, call=call, name="dw")
        check_close(got[2], db, call=call, name="db", wrong_answers=[
            ("db is averaged over the positions instead of summed", "mean-vs-sum",
             dout.mean(axis=(0, 2, 3)))])
    partial_credit_over([lambda c=c: matches(*c) for c in CONV_CASES[1:]], 1.5, set_score)


@partial_credit(0.5)
@number("6.4")
def test_maxpool_forward_matches_reference(student, ref, rng, set_score=None):
    """maxpool_forward matches the reference (2x2 stride 2, 3x3 stride 2)"""
    def matches(shape, pool, stride):
        x = rng.normal(size=shape)
        call = f"maxpool_forward(x: {shape}, pool={pool}, stride={stride})"
        out, _ = pair_of(student.conv_layers.maxpool_forward(x, pool, stride), call)
        check_close(out, ref.conv_layers.maxpool_forward(x, pool, stride)[0], call=call, name="out")
    partial_credit_over([lambda: matches((2, 3, 6, 6), 2, 2), lambda: matches((1, 2, 7, 5), 3, 2)],
                        0.5, set_score)


@partial_credit(1.0)
@number("6.6")
def test_maxpool_backward_matches_reference(student, ref, rng, set_score=None):
    """maxpool_backward sends each window's gradient to its maximum, ties included"""
    conv = ref.conv_layers

    def distinct():
        x = rng.normal(size=(2, 3, 6, 6))
        out, cache = conv.maxpool_forward(x, 2, 2)
        dout = rng.normal(size=out.shape)
        _, mine = pair_of(student.conv_layers.maxpool_forward(x, 2, 2), "maxpool_forward(x: (2, 3, 6, 6))")
        every_cell = np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3)
        check_close(student.conv_layers.maxpool_backward(dout, mine), conv.maxpool_backward(dout, cache),
                    call="maxpool_backward(dout: (2, 3, 3, 3), cache)", name="dx", wrong_answers=[
                        ("the gradient goes to every cell of the window, not only its maximum",
                         "maxpool-every-cell", every_cell),
                        ("the gradient is spread evenly over the window", "maxpool-average", every_cell / 4)])

    def tied():
        # integers in 0..2: most 2x2 windows hold their maximum more than once
        x = rng.integers(0, 3, (2, 2, 4, 4)).astype(np.float64)
        out, _ = conv.maxpool_forward(x, 2, 2)
        dout = rng.uniform(1, 2, out.shape)
        call = "maxpool_backward(dout: (2, 2, 2, 2), cache) on windows with tied maxima"
        _, mine = pair_of(student.conv_layers.maxpool_forward(x, 2, 2), call)
        dx = as_array(student.conv_layers.maxpool_backward(dout, mine), x, "dx", call)
        on_max = x == np.repeat(np.repeat(out, 2, axis=2), 2, axis=3)
        if np.any(dx[~on_max] != 0):
            raise CheckFailure(f"{call}: dx is non-zero off the window maxima.", ["maxpool-every-cell"])
        window_sums = dx.reshape(2, 2, 2, 2, 2, 2).sum(axis=(3, 5))
        if not np.allclose(window_sums, dout):
            raise CheckFailure(f"{call}: the entries of dx in each window should add up to that window's "
                               "gradient (any split among tied maxima is accepted).", ["maxpool-ties"])
    partial_credit_over([distinct, tied], 1.0, set_score)


@partial_credit(0.5)
@number("6.7")
def test_relu_layer_matches_reference(student, ref, rng, set_score=None):
    """relu_forward and relu_backward match the reference (the gradient at 0 is 0)"""
    x = np.concatenate([rng.normal(size=20), [0.0, 0.0, 1e-4, -1e-4]]).reshape(4, 6)
    dout = rng.normal(size=x.shape)

    def forward():
        out, _ = pair_of(student.conv_layers.relu_forward(x), "relu_forward(x: (4, 6))")
        check_close(out, np.maximum(x, 0), call="relu_forward(x: (4, 6))", name="out")

    def backward():
        _, cache = pair_of(student.conv_layers.relu_forward(x), "relu_forward(x: (4, 6))")
        check_close(student.conv_layers.relu_backward(dout, cache), ref.conv_layers.relu_backward(dout, x),
                    call="relu_backward(dout, cache), x with zeros", name="dx", wrong_answers=[
                        ("the gradient passes where x == 0 (use x > 0)", "relu-derivative", dout * (x >= 0)),
                        ("the gradient passes where x < 0", "relu-derivative", dout * (x < 0))])
    partial_credit_over([forward, backward], 0.5, set_score)


@partial_credit(0.5)
@number("6.9")
def test_softmax_loss_matches_reference(student, ref, rng, set_score=None):
    """softmax_loss: loss and dscores match the reference, also for scores in the thousands"""
    def matches(scale):
        scores, y = rng.normal(0, scale, (8, 5)), rng.integers(0, 5, 8)
        call = f"softmax_loss(scores: (8, 5) of size ~{scale}, y)"
        loss, dscores = ref.conv_layers.softmax_loss(scores, y)
        got = pair_of(student.conv_layers.softmax_loss(scores, y), call, "(loss, dscores)")
        try:
            check_close(got[0], loss, call=call, name="loss", batch_size=8)
            check_close(got[1], dscores, call=call, name="dscores", batch_size=8)
        except CheckFailure as failure:
            if "non-finite" not in failure.tags:
                raise
            raise CheckFailure(f"{failure.message}\n{STABLE}", ["softmax-overflow"]) from None
    partial_credit_over([lambda: matches(1.0), lambda: matches(1000.0)], 0.5, set_score)


# ---------------------------------------------------------------------------
# Part 7: the convolutional network
# ---------------------------------------------------------------------------

SMALL = dict(num_filters=(3, 4), hidden_dim=6, num_classes=5, dropout=0.0, seed=0)


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
    X, y = rng.normal(size=(4, 1, 8, 8)), rng.integers(0, 5, 4)
    call = f"ConvNet({', '.join(f'{k}={v}' for k, v in SMALL.items())}).loss(X: {X.shape}, y)"
    loss, grads = theirs.loss(X, y)
    got = pair_of(mine.loss(X, y), call, "(loss, grads)")
    parts = [lambda: check_close(mine.loss(X), theirs.loss(X), call=call.replace(", y)", ")"), name="scores"),
             lambda: check_close(got[0], loss, call=call, name="loss")]
    parts += [lambda k=k: check_close(entry(got[1], k, call), grads[k], call=call, name=f"grads[{k!r}]",
                                      batch_size=len(X)) for k in sorted(grads)]
    partial_credit_over(parts, 1.5, set_score)


@weight(1.0)
@number("7.2")
def test_convnet_train_takes_adam_steps(student, ref, rng):
    """ConvNet.train: five Adam steps on one batch give the reference's losses"""
    mine, theirs = small_nets(student, ref, rng)
    X, y = rng.normal(size=(10, 1, 8, 8)), rng.integers(0, 5, 10)
    kwargs = dict(num_epochs=5, batch_size=10, learning_rate=0.01, seed=0)
    call = "ConvNet.train(X: (10, 1, 8, 8), y, num_epochs=5, batch_size=10, learning_rate=0.01) (one batch per epoch)"
    history = mine.train(X, y, **kwargs)
    if not isinstance(history, (list, np.ndarray)) or len(history) != 5:
        raise CheckFailure(f"{call} should return a list of 5 losses, one per step.", ["training"])
    check_close(np.asarray(history, dtype=float), theirs.train(X, y, **kwargs), call=call, name="losses",
                rtol=1e-5)


@weight(1.5)
@number("7.3")
def test_convnet_classifies_held_out_digits(student, data, assignment):
    """a ConvNet trained with your code classifies held-out 8x8 digits"""
    digits, bar = data["digits"], assignment.thresholds
    student.time_limit(bar["train_timeout"])
    net = student.conv_layers.ConvNet(seed=0)
    net.train(digits["X_train"], digits["y_train"], num_epochs=bar["conv_epochs"],
              batch_size=bar["conv_batch_size"], learning_rate=bar["conv_learning_rate"], seed=0)
    predicted = as_array(net.predict(digits["X_test"]), digits["y_test"], "", "ConvNet.predict(X_test) after train")
    accuracy = float(np.mean(predicted == digits["y_test"]))
    if accuracy < bar["min_digits_accuracy"]:
        raise CheckFailure(f"ConvNet() trained with your code ({bar['conv_epochs']} epochs of Adam, seed 0) "
                           f"classifies {accuracy:.1%} of 500 held-out digits correctly; at least "
                           f"{bar['min_digits_accuracy']:.0%} is needed.", ["training"])
