"""Public checks: your derivatives and gradients against finite differences of
your own functions, and the properties of dropout and layer_stats. They need
only your files, so they run the same on your machine. In the autograder a
gradient equal to the reference's passes too (`ref_at_hand`): a wrong forward
function or loss is charged by its own item, not again here."""
import numpy as np

from grader.kit import (
    bugs,
    cases,
    check_close,
    gradients,
    number,
    partial_credit,
    partial_credit_over,
    problems,
    shared,
    values,
)

N, H = 7, 4  # examples and hidden units of the small three-layer problems
# backprop's gradients are sums, calculate_loss is a mean: backprop = N * d(calculate_loss).
# Central differences of a sigmoid net 5 Layers deep err by ~1e-6 relative on entries near
# 1e-5; every catalogued bug is off by far more.
TOLERANCE = 1e-5
BUGS = bugs.catalogue(__file__)
SHARED = shared.of(__file__)  # checks/public/shared.py: what public and hidden checks share
CAPITALISED, activation_name = SHARED.CAPITALISED, SHARED.activation_name


def derivative_agrees(student, ref, rng, act):
    name = activation_name(student, act)
    net = student.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=name, reg_lambda=0.01, seed=0)
    z = problems.away_from_zero(rng, (4, 5), 0.05)
    numeric = gradients.elementwise_numeric(lambda x: net.actFun(x, name), z, f"actFun(z: (4, 5), {name!r})")
    theirs = ref and ref.three_layer_neural_network.NeuralNetwork(2, 3, 2).diff_actFun(z, act)
    gradients.agrees_with_own_loss(net.diff_actFun(z, name), numeric, call=f"diff_actFun(z: (4, 5), {name!r})",
                                   of=f"your actFun(z, {name!r})", reference=theirs)


@partial_credit(1.0)
@number("1.2")
def test_diff_actFun_matches_finite_differences(student, ref_at_hand, rng, set_score=None):
    """diff_actFun agrees with finite differences of actFun (tanh, sigmoid, relu)"""
    partial_credit_over([lambda act=act: derivative_agrees(student, ref_at_hand, rng, act) for act in CAPITALISED],
                        set_score)


@partial_credit(1.0)
@cases("act", {"3.1": "tanh", "3.2": "sigmoid", "3.3": "relu"},
       title="{act} network: each gradient of backprop agrees with finite differences of your loss")
def test_backprop_matches_finite_differences(student, ref_at_hand, rng, act, set_score=None):
    """Each activation's network: backprop's gradients are N times those of your own calculate_loss."""
    shapes = {"W1": (2, H), "b1": (1, H), "W2": (H, 2), "b2": (1, 2)}
    X, y, params = problems.classification(rng, N, 2, 2, shapes, std=1.0,
                                           preactivations=lambda X, p: [X @ p["W1"] + p["b1"]])
    name = activation_name(student, act)
    # reg_lambda = 0: backprop leaves the penalty to fit_model, so only the cross-entropy counts
    net = student.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=name, reg_lambda=0.0, seed=0)
    for key, value in params.items():
        student.set(net, key, value)
    call = (f"NeuralNetwork(2, {H}, 2, actFun_type={name!r}, reg_lambda=0).backprop(X: {X.shape}, y) "
            "after calculate_loss")
    net.calculate_loss(X, y)  # runs feedforward, which backprop relies on
    grads = values.items(net.backprop(X, y), 4, call, "the tuple (dW1, dW2, db1, db2)")
    expected = dict(zip(("W1", "W2", "b1", "b2"), reference_backprop(ref_at_hand, act, params, X, y)))

    def agrees(key, got):
        stage = gradients.set_and_call(net, key, net.calculate_loss, X, y, first=False)
        numeric = gradients.numeric_gradient(student, params[key], stage, call)
        student.set(net, key, params[key])
        gradients.agrees_with_own_loss(got, N * numeric, name=f"d{key}", call=call, threshold=TOLERANCE,
                                       of=f"your calculate_loss (times N = {N})", reference=expected.get(key))
    partial_credit_over([lambda k=k, g=g: agrees(k, g) for k, g in zip(("W1", "W2", "b1", "b2"), grads)], set_score)


def reference_backprop(ref, act, params, X, y):
    """The reference's (dW1, dW2, db1, db2) for `params`, or () without a reference."""
    if ref is None:
        return ()
    theirs = ref.three_layer_neural_network.NeuralNetwork(2, H, 2, actFun_type=act, reg_lambda=0.0)
    for key, value in params.items():
        setattr(theirs, key, value.copy())
    theirs.calculate_loss(X, y)
    return theirs.backprop(X, y)


def reference_deep_backprop(ref, dims, act, params, X, y):
    """The reference's [(dW, db), ...] for `params`, or Nones without a reference."""
    if ref is None:
        return [(None, None)] * len(params)
    theirs = ref.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=act, reg_lambda=0.0)
    for layer, layer_params in zip(theirs.layers, params):
        layer.W, layer.b = layer_params["W"].copy(), layer_params["b"].copy()
    return theirs.backprop(X, y)


def deep_agrees(student, ref, rng, dims, act):
    """DeepNeuralNetwork(dims).backprop against finite differences of its calculate_loss."""
    name = activation_name(student, act)
    net = student.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=name, reg_lambda=0.0, seed=0)
    layers = values.items(student.fetch(net.layers), len(dims) - 1, f"DeepNeuralNetwork({dims}).layers",
                          f"a list of {len(dims) - 1} Layers")
    X, y = rng.normal(size=(N, dims[0])), problems.labels(rng, N, dims[-1])
    params = [{"W": rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), "b": rng.normal(0, 0.5, (1, n_out))}
              for n_in, n_out in zip(dims[:-1], dims[1:])]   # non-zero biases keep ReLU off its kink
    for layer, layer_params in zip(layers, params):
        for key, value in layer_params.items():
            student.set(layer, key, value)
    call = f"DeepNeuralNetwork({dims}, actFun_type={name!r}, reg_lambda=0).backprop(X: {X.shape}, y)"
    grads = values.items(net.backprop(X, y), len(layers), call, f"a list of {len(layers)} pairs (dW, db)")
    expected = reference_deep_backprop(ref, dims, act, params, X, y)
    for i, (layer, pair) in enumerate(zip(layers, grads)):
        for key, got, theirs in zip(("W", "b"), values.pair(pair, call, "a pair (dW, db)"), expected[i]):
            stage = gradients.set_and_call(layer, key, net.calculate_loss, X, y, first=False)
            numeric = gradients.numeric_gradient(student, params[i][key], stage, call)
            student.set(layer, key, params[i][key])
            gradients.agrees_with_own_loss(got, N * numeric, name=f"layer {i} d{key}", call=call, reference=theirs,
                                           threshold=TOLERANCE, of=f"your calculate_loss (times N = {N})")


@partial_credit(0.5)
@cases("act", {"5.3": "tanh", "5.4": "sigmoid", "5.5": "relu"},
       title="DeepNeuralNetwork ({act}, 2, 3 and 5 layers): backprop agrees with finite differences")
def test_deep_backprop_matches_finite_differences(student, ref_at_hand, rng, act, set_score=None):
    """Each activation's deep network, at three depths: a third of the credit per depth."""
    depths = [[3, 4, 2], [2, 5, 4, 3], [3, 4, 4, 3, 4, 2]]  # 2, 3 and 5 Layers
    partial_credit_over([lambda dims=dims: deep_agrees(student, ref_at_hand, rng, dims, act) for dims in depths],
                        set_score)


def weighted_sum(dout, call):
    """The scalar sum(out * dout), whose gradient a backward pass computes, from a forward's out."""
    return lambda out: float(np.sum(values.array(out, dout.shape, call, "out") * dout))


def conv_agrees(student, ref, rng, set_score):
    conv = student.conv_layers
    inputs = {"x": rng.normal(size=(2, 2, 5, 4)), "w": rng.normal(size=(3, 2, 3, 3)), "b": rng.normal(size=3)}
    stride, pad = 2, 1
    call = f"conv2d_backward(dout, cache) after conv2d_forward(x: (2, 2, 5, 4), w: (3, 2, 3, 3), b, {stride}, {pad})"
    out, cache = values.pair(conv.conv2d_forward(*inputs.values(), stride, pad), call, "a pair (out, cache)")
    dout = rng.normal(size=values.array(out, (2, 3, 3, 2), call, "out").shape)
    grads = values.items(conv.conv2d_backward(dout, cache), 3, call, "(dx, dw, db)")
    expected = dict(zip(inputs, ref.conv_layers.conv2d_backward(
        dout, ref.conv_layers.conv2d_forward(*inputs.values(), stride, pad)[1]))) if ref else {}

    def agrees(key, got):
        stage = gradients.call_with(conv.conv2d_forward, lambda moved: (
            [moved if k == key else v for k, v in inputs.items()] + [stride, pad], {}), first=True)
        numeric = gradients.numeric_gradient(student, inputs[key], stage, call, read=weighted_sum(dout, call))
        gradients.agrees_with_own_loss(got, numeric, name=f"d{key}", call=call, of="your conv2d_forward",
                                       reference=expected.get(key))
    partial_credit_over([lambda k=k, g=g: agrees(k, g) for k, g in zip(inputs, grads)], set_score)


@partial_credit(1.5)
@number("6.2")
def test_conv2d_backward_matches_finite_differences(student, ref_at_hand, rng, set_score=None):
    """conv2d_backward (stride 2, padding 1) agrees with finite differences of conv2d_forward"""
    conv_agrees(student, ref_at_hand, rng, set_score)


@partial_credit(1.0)
@number("6.5")
def test_maxpool_backward_matches_finite_differences(student, ref_at_hand, rng, set_score=None):
    """maxpool_backward agrees with finite differences of maxpool_forward (no ties)"""
    conv = student.conv_layers

    def agrees(shape, pool, stride):
        x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values: no ties
        call = f"maxpool_backward(dout, cache) after maxpool_forward(x: {shape}, {pool}, {stride})"
        out, cache = values.pair(conv.maxpool_forward(x, pool, stride), call, "a pair (out, cache)")
        size = (shape[0], shape[1], (shape[2] - pool) // stride + 1, (shape[3] - pool) // stride + 1)
        dout = rng.normal(size=values.array(out, size, call, "out").shape)
        stage = gradients.call_with(conv.maxpool_forward, lambda moved: ((moved, pool, stride), {}), first=True)
        numeric = gradients.numeric_gradient(student, x, stage, call, read=weighted_sum(dout, call))
        theirs = ref_at_hand and ref_at_hand.conv_layers
        expected = theirs and theirs.maxpool_backward(dout, theirs.maxpool_forward(x, pool, stride)[1])
        gradients.agrees_with_own_loss(conv.maxpool_backward(dout, cache), numeric, name="dx", call=call,
                                       of="your maxpool_forward", reference=expected)
    partial_credit_over([lambda: agrees((2, 2, 4, 4), 2, 2), lambda: agrees((1, 2, 7, 5), 3, 2)], set_score)


@partial_credit(1.5)
@number("6.8")
def test_dropout_scales_masks_and_reuses_the_mask(student, rng, set_score=None):
    """dropout: survivors scaled by 1/(1-p), identity at test time, one mask per seed, reused backward"""
    conv = student.conv_layers
    x, p = rng.uniform(1, 2, (40, 50)), 0.3
    call = f"dropout_forward(x: {x.shape}, p={p}, train=True, seed=7)"
    out, cache = values.pair(conv.dropout_forward(x, p, True, 7), call, "a pair (out, cache)")
    out = values.array(out, x.shape, call, "out")
    kept = out != 0

    def scaled():
        if not np.allclose(out[kept], x[kept] / (1 - p)):
            raise BUGS.DROPOUT_SCALE.failure(f"{call}: kept entries should be x / (1 - p) = x / {1 - p:g} (inverted "
                                        f"dropout); got x times {np.median(out[kept] / x[kept]):.4g}.")
        share = kept.mean()  # 2,000 entries: 0.7 +- 0.05 is about five standard deviations
        if abs(share - (1 - p)) > 0.05:
            raise BUGS.DROPOUT_RATE.failure(
                f"{call}: {share:.1%} of the entries were kept; about {1 - p:.0%} should be (p is the "
                "probability of dropping an entry).")

    def identity_at_test():
        got, _ = values.pair(conv.dropout_forward(x, p, False, 7), call, "a pair (out, cache)")
        check_close(got, x, call=f"dropout_forward(x, p={p}, train=False, seed=7)", name="out",
                    wrong_answers=[BUGS.DROPOUT_AT_TEST.given(out)])

    def same_seed_same_mask():
        again, _ = values.pair(conv.dropout_forward(x, p, True, 7), call, "a pair (out, cache)")
        check_close(again, out, call=f"{call}, called twice", name="the second output")

    def backward_reuses_mask():
        dout = rng.normal(size=x.shape)
        check_close(conv.dropout_backward(dout, cache), dout * out / x, name="dx",
                    call="dropout_backward(dout, cache)", wrong_answers=[BUGS.DROPOUT_SCALE.given(dout * kept)])
    partial_credit_over([scaled, identity_at_test, same_seed_same_mask, backward_reuses_mask], set_score)


@partial_credit(0.5)
@number("6.10")
def test_layer_stats_match_numpy(student, rng, set_score=None):
    """layer_stats returns min, max, mean, std and a 10-bin histogram"""
    x = rng.normal(1.0, 2.0, (3, 4, 5))
    call = f"layer_stats(x: {x.shape})"
    stats = student.conv_layers.layer_stats(x)
    expected = {"min": x.min(), "max": x.max(), "mean": x.mean(), "std": x.std(),
                "hist": np.histogram(x, bins=10)[0]}

    def matches(key):
        wrong = [BUGS.SAMPLE_STD.given(x.std(ddof=1))] if key == "std" else []
        check_close(values.entry(stats, key, call), expected[key], call=call, name=repr(key), wrong_answers=wrong)
    partial_credit_over([lambda k=k: matches(k) for k in expected], set_score)
