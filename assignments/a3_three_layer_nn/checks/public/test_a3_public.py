"""Public checks: your derivatives and gradients against finite differences of
your own functions, and the properties of dropout and layer_stats. They need
only your files, so they run the same on your machine."""
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit

from grader.compare import as_array, check_close, check_gradient, partial_credit_over
from grader.failures import CheckFailure
from grader.gradcheck import batched_gradient

CAPITALISED = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}
N, H = 7, 4  # examples and hidden units of the small three-layer problems
# Finite differences (h = 1e-5) of a sigmoid net 5 layers deep reach 1e-6 relative error on
# gradient entries near 1e-5; every bug in the catalogue is off by far more than 1e-5.
GRADIENT_TOLERANCE = 1e-5


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


def off_kink(rng, shape, scale=1.0):
    """Normal draws at least 0.05 away from 0, where ReLU has its kink."""
    z = rng.normal(0, scale, shape)
    return np.where(np.abs(z) < 0.05, 0.05 * np.sign(z) + 0.05 * (z == 0), z)


def derivative_agrees(student, rng, act):
    name = activation_name(student, act)
    net = student.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    z, h = off_kink(rng, (4, 5), 2.0), 1e-5
    call = f"diff_actFun(z: (4, 5), {name!r})"
    f = lambda x: as_array(net.actFun(x, name), z, "", f"actFun(z: (4, 5), {name!r})")  # noqa: E731
    check_gradient(net.diff_actFun(z, name), (f(z + h) - f(z - h)) / (2 * h), call=call,
                   of=f"your actFun(z, {name!r})")


@partial_credit(1.0)
@number("1.2")
def test_diff_actFun_matches_finite_differences(student, rng, set_score=None):
    """diff_actFun agrees with finite differences of actFun (tanh, sigmoid, relu)"""
    partial_credit_over([lambda act=act: derivative_agrees(student, rng, act) for act in CAPITALISED],
                        1.0, set_score)


def three_layer_problem(rng):
    X = rng.normal(size=(N, 2))
    params = {"W1": rng.normal(0, 1, (2, H)), "b1": rng.normal(0, 0.5, (1, H)),
              "W2": rng.normal(0, 1, (H, 2)), "b2": rng.normal(0, 0.5, (1, 2))}
    while np.min(np.abs(X @ params["W1"] + params["b1"])) < 1e-2:  # away from ReLU's kink
        params["b1"] = rng.normal(0, 0.5, (1, H))
    return X, rng.integers(0, 2, N), params


def backprop_agrees(student, rng, act, set_score):
    X, y, params = three_layer_problem(rng)
    name = activation_name(student, act)
    # reg_lambda = 0: backprop leaves the penalty to fit_model, so only the cross-entropy counts
    net = student.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=name, reg_lambda=0.0)
    for key, value in params.items():
        student.set(net, key, value)
    call = f"NeuralNetwork(2, {H}, 2, actFun_type={name!r}).backprop(X: {X.shape}, y) after calculate_loss"
    net.calculate_loss(X, y)  # runs feedforward, which backprop relies on
    grads = net.backprop(X, y)
    if not isinstance(grads, (tuple, list)) or len(grads) != 4:
        raise CheckFailure(f"{call} should return the tuple (dW1, dW2, db1, db2).", ["wrong-type"])

    def agrees(key, got):
        def stage(batch, moved):
            batch.set(net, key, moved)
            batch.call(net.calculate_loss, X, y)
        numeric = batched_gradient(student, params[key], stage, lambda loss: as_array(loss, 0.0, "loss", call))
        student.set(net, key, params[key])
        # calculate_loss is a mean over the N examples, backprop a sum: N times its gradient
        check_gradient(got, N * numeric, name=f"d{key}", call=call, of=f"your calculate_loss (times N = {N})", threshold=GRADIENT_TOLERANCE)
    keys = ("W1", "W2", "b1", "b2")
    partial_credit_over([lambda k=k, g=g: agrees(k, g) for k, g in zip(keys, grads)], 1.0, set_score)


@partial_credit(1.0)
@number("3.1")
def test_backprop_tanh_matches_finite_differences(student, rng, set_score=None):
    """tanh network: each gradient of backprop agrees with finite differences of your loss"""
    backprop_agrees(student, rng, "tanh", set_score)


@partial_credit(1.0)
@number("3.2")
def test_backprop_sigmoid_matches_finite_differences(student, rng, set_score=None):
    """sigmoid network: each gradient of backprop agrees with finite differences of your loss"""
    backprop_agrees(student, rng, "sigmoid", set_score)


@partial_credit(1.0)
@number("3.3")
def test_backprop_relu_matches_finite_differences(student, rng, set_score=None):
    """relu network: each gradient of backprop agrees with finite differences of your loss"""
    backprop_agrees(student, rng, "relu", set_score)


def deep_agrees(student, rng, dims, act):
    """DeepNeuralNetwork(dims).backprop against finite differences of its calculate_loss."""
    name = activation_name(student, act)
    net = student.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=name, reg_lambda=0.0)
    layers = student.fetch(net.layers)
    if not isinstance(layers, (list, tuple)) or len(layers) != len(dims) - 1:
        raise CheckFailure(f"DeepNeuralNetwork({dims}).layers should be a list of {len(dims) - 1} Layers.",
                           ["wrong-type"])
    X, y = rng.normal(size=(N, dims[0])), rng.integers(0, dims[-1], N)
    params = []
    for layer, (n_in, n_out) in zip(layers, zip(dims[:-1], dims[1:])):
        W, b = rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.5, (1, n_out))
        student.set(layer, "W", W)
        student.set(layer, "b", b)   # non-zero biases keep ReLU units off their kink
        params.append({"W": W, "b": b})
    call = f"DeepNeuralNetwork({dims}, actFun_type={name!r}).backprop(X: {X.shape}, y)"
    grads = net.backprop(X, y)
    if not isinstance(grads, (list, tuple)) or len(grads) != len(layers):
        raise CheckFailure(f"{call} should return a list of {len(layers)} pairs (dW, db).", ["wrong-type"])
    for i, (layer, pair) in enumerate(zip(layers, grads)):
        for key, got in zip(("W", "b"), pair):
            def stage(batch, moved, layer=layer, key=key):
                batch.set(layer, key, moved)
                batch.call(net.calculate_loss, X, y)
            numeric = batched_gradient(student, params[i][key], stage,
                                       lambda loss: as_array(loss, 0.0, "loss", call))
            student.set(layer, key, params[i][key])
            check_gradient(got, N * numeric, name=f"layer {i} d{key}", call=call,
                           of=f"your calculate_loss (times N = {N})", threshold=GRADIENT_TOLERANCE)


def deep_check(student, rng, act, set_score):
    depths = [[3, 4, 2], [2, 5, 4, 3], [3, 4, 4, 3, 4, 2]]  # 2, 3 and 5 Layers
    partial_credit_over([lambda dims=dims: deep_agrees(student, rng, dims, act) for dims in depths],
                        0.5, set_score)


@partial_credit(0.5)
@number("5.3")
def test_deep_backprop_tanh_matches_finite_differences(student, rng, set_score=None):
    """DeepNeuralNetwork (tanh, 2, 3 and 5 layers): backprop agrees with finite differences"""
    deep_check(student, rng, "tanh", set_score)


@partial_credit(0.5)
@number("5.4")
def test_deep_backprop_sigmoid_matches_finite_differences(student, rng, set_score=None):
    """DeepNeuralNetwork (sigmoid, 2, 3 and 5 layers): backprop agrees with finite differences"""
    deep_check(student, rng, "sigmoid", set_score)


@partial_credit(0.5)
@number("5.5")
def test_deep_backprop_relu_matches_finite_differences(student, rng, set_score=None):
    """DeepNeuralNetwork (relu, 2, 3 and 5 layers): backprop agrees with finite differences"""
    deep_check(student, rng, "relu", set_score)


def sum_of(out, dout, call):
    """The scalar sum(out * dout), whose gradient a backward pass computes."""
    return float(np.sum(as_array(out, dout, "out", call) * dout))


def conv_agrees(student, rng, set_score):
    conv = student.conv_layers
    x, w, b = rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    stride, pad = 2, 1
    call = f"conv2d_backward(dout, cache) after conv2d_forward(x: {x.shape}, w: {w.shape}, b, {stride}, {pad})"
    out, cache = conv.conv2d_forward(x, w, b, stride, pad)
    dout = rng.normal(size=np.shape(out))
    grads = conv.conv2d_backward(dout, cache)
    if not isinstance(grads, (tuple, list)) or len(grads) != 3:
        raise CheckFailure(f"{call} should return (dx, dw, db).", ["wrong-type"])
    inputs = {"x": x, "w": w, "b": b}

    def agrees(key, got):
        def stage(batch, moved):
            batch.call_first(conv.conv2d_forward, *[moved if k == key else v for k, v in inputs.items()],
                             stride, pad)
        numeric = batched_gradient(student, inputs[key], stage, lambda o: sum_of(o, dout, call))
        check_gradient(got, numeric, name=f"d{key}", call=call, of="your conv2d_forward")
    partial_credit_over([lambda k=k, g=g: agrees(k, g) for k, g in zip(inputs, grads)], 1.5, set_score)


@partial_credit(1.5)
@number("6.2")
def test_conv2d_backward_matches_finite_differences(student, rng, set_score=None):
    """conv2d_backward (stride 2, padding 1) agrees with finite differences of conv2d_forward"""
    conv_agrees(student, rng, set_score)


@partial_credit(1.0)
@number("6.5")
def test_maxpool_backward_matches_finite_differences(student, rng, set_score=None):
    """maxpool_backward agrees with finite differences of maxpool_forward (no ties)"""
    conv = student.conv_layers

    def agrees(shape, pool, stride):
        x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values: no ties
        call = f"maxpool_backward(dout, cache) after maxpool_forward(x: {shape}, {pool}, {stride})"
        out, cache = conv.maxpool_forward(x, pool, stride)
        dout = rng.normal(size=np.shape(out))
        numeric = batched_gradient(student, x, lambda batch, moved: batch.call_first(
            conv.maxpool_forward, moved, pool, stride), lambda o: sum_of(o, dout, call))
        check_gradient(conv.maxpool_backward(dout, cache), numeric, name="dx", call=call,
                       of="your maxpool_forward")
    partial_credit_over([lambda: agrees((2, 3, 6, 6), 2, 2), lambda: agrees((1, 2, 7, 5), 3, 2)],
                        1.0, set_score)


@partial_credit(1.5)
@number("6.8")
def test_dropout_scales_masks_and_reuses_the_mask(student, rng, set_score=None):
    """dropout: survivors scaled by 1/(1-p), identity at test time, one mask per seed, reused backward"""
    conv = student.conv_layers
    x, p = rng.uniform(1, 2, (40, 50)), 0.3
    call = f"dropout_forward(x: {x.shape}, p={p}, train=True, seed=7)"
    out, cache = conv.dropout_forward(x, p, True, 7)
    out = as_array(out, x, "out", call)
    kept = out != 0

    def scaled():
        if not np.allclose(out[kept], x[kept] / (1 - p)):
            raise CheckFailure(f"{call}: kept entries should be x / (1 - p) = x / {1 - p:g} (inverted dropout); "
                               f"got x times {np.median(out[kept] / x[kept]):.4g}.", ["dropout-scale"])
        share = kept.mean()  # 2,000 entries: 0.7 +- 0.03 is five standard deviations
        if abs(share - (1 - p)) > 0.05:
            raise CheckFailure(f"{call}: {share:.1%} of the entries were kept; about {1 - p:.0%} should be "
                               f"(p is the probability of dropping).", ["dropout-rate"])

    def identity_at_test():
        got, _ = conv.dropout_forward(x, p, False, 7)
        check_close(got, x, call=f"dropout_forward(x, p={p}, train=False, seed=7)", name="out",
                    wrong_answers=[("dropout is applied at test time too", "dropout-at-test", out)])

    def same_seed_same_mask():
        again, _ = conv.dropout_forward(x, p, True, 7)
        check_close(again, out, call=f"{call}, called twice", name="the second output")

    def backward_reuses_mask():
        dout = rng.normal(size=x.shape)
        check_close(conv.dropout_backward(dout, cache), dout * out / x, name="dx",
                    call="dropout_backward(dout, cache)", wrong_answers=[
                        ("the kept gradients are not divided by (1 - p)", "dropout-scale", dout * kept)])
    partial_credit_over([scaled, identity_at_test, same_seed_same_mask, backward_reuses_mask], 1.5, set_score)


@partial_credit(0.5)
@number("6.10")
def test_layer_stats_match_numpy(student, rng, set_score=None):
    """layer_stats returns min, max, mean, std and a 10-bin histogram"""
    x = rng.normal(1.0, 2.0, (3, 4, 5))
    stats = student.conv_layers.layer_stats(x)
    call = f"layer_stats(x: {x.shape})"
    if not isinstance(stats, dict):
        raise CheckFailure(f"{call} should return a dict.", ["wrong-type"])
    expected = {"min": x.min(), "max": x.max(), "mean": x.mean(), "std": x.std(),
                "hist": np.histogram(x, bins=10)[0]}

    def matches(key):
        if key not in stats:
            raise CheckFailure(f"{call} has no key {key!r}.", ["missing-key"])
        wrong = [("the sample standard deviation (ddof=1) was used; use np.std's default", "ddof",
                  x.std(ddof=1))] if key == "std" else []
        check_close(stats[key], expected[key], call=call, name=repr(key), wrong_answers=wrong)
    partial_credit_over([lambda k=k: matches(k) for k in expected], 0.5, set_score)
