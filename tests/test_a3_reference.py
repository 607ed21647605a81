"""a3_three_layer_nn: the reference reproduces the original assignment's printed
losses, its gradients agree with finite differences, and the data is what the
handout says."""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from grader.assignment.config import load_assignment
from grader.assignment.loader import load_modules

SLUG = "a3_three_layer_nn"
FOLDER = REPO / "assignments" / SLUG
ACTIVATIONS = ["tanh", "sigmoid", "relu"]


@pytest.fixture(scope="module")
def ref():
    return load_modules(REPO / "reference" / SLUG,
                        ["three_layer_neural_network", "n_layer_neural_network", "conv_layers"])


@pytest.fixture(scope="module")
def moons(ref):
    return ref.three_layer_neural_network.generate_data()


def numeric_gradient(f, x, h=1e-5):
    """Central differences of the scalar f() with respect to x, changed in place."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


# ---------------------------------------------------------------------------
# The values the original prints
# ---------------------------------------------------------------------------

def test_generate_data_is_the_handouts_moons_and_the_graders_copy(moons):
    X, y = moons
    assert X.shape == (200, 2) and y.shape == (200,) and np.bincount(y).tolist() == [100, 100]
    with np.load(FOLDER / "data" / "moons.npz") as data:
        np.testing.assert_array_equal(data["X_train"], X)
        np.testing.assert_array_equal(data["y_train"], y)


def test_tanh_losses_and_accuracy_match_the_original(ref, moons, capsys):
    X, y = moons
    model = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type="tanh")
    model.fit_model(X, y, num_passes=1001)
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["Loss after iteration 0: 0.432387", "Loss after iteration 1000: 0.068947"]
    model.fit_model(X, y, num_passes=19000 - 1, print_loss=False)  # 20,000 steps in all
    assert np.mean(model.predict(X) == y) == 0.975


@pytest.mark.parametrize("act, printed", [("sigmoid", "0.628571"), ("relu", "0.560274")])
def test_loss_at_iteration_0_matches_the_original(ref, moons, capsys, act, printed):
    X, y = moons
    ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=act).fit_model(X, y, num_passes=1)
    assert capsys.readouterr().out == f"Loss after iteration 0: {printed}\n"


def test_only_the_penalty_divided_by_n_gives_the_original_loss(ref, moons):
    """The contract's first formula (mean cross-entropy + undivided penalty) gives 0.476359."""
    X, y = moons
    model = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    model.fit_model(X, y, num_passes=1, print_loss=False)
    loss = model.calculate_loss(X, y)
    penalty = model.reg_lambda / 2 * (np.sum(model.W1 ** 2) + np.sum(model.W2 ** 2))
    assert round(loss, 6) == 0.432387
    assert round(loss - penalty / len(X) + penalty, 6) == 0.476359


# ---------------------------------------------------------------------------
# Part 1: activations and gradients
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["tanh", "Tanh", "TANH", "Sigmoid", "ReLU", "relu"])
def test_activation_names_are_case_insensitive(ref, spelling):
    net = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    z = np.linspace(-2, 2, 9)
    np.testing.assert_array_equal(net.actFun(z, spelling), net.actFun(z, spelling.lower()))
    np.testing.assert_array_equal(net.diff_actFun(z, spelling), net.diff_actFun(z, spelling.lower()))


def test_unknown_activation_is_rejected(ref):
    with pytest.raises(ValueError, match="Unknown activation type"):
        ref.three_layer_neural_network.NeuralNetwork(2, 3, 2).actFun(np.zeros(3), "softsign")


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_derivatives_match_finite_differences_and_relu_is_0_at_0(ref, act):
    net = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    z = np.array([-30.0, -2.0, -0.3, 0.2, 1.5, 30.0])
    h = 1e-6
    numeric = (net.actFun(z + h, act) - net.actFun(z - h, act)) / (2 * h)
    np.testing.assert_allclose(net.diff_actFun(z, act), numeric, atol=1e-8)
    with np.errstate(over="raise"):
        assert net.actFun(np.array([-1000.0]), "sigmoid")[0] == 0.0
    assert net.diff_actFun(np.array([0.0]), "relu")[0] == 0.0


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_backprop_is_n_times_the_gradient_of_the_loss(ref, act):
    rng = np.random.default_rng(3)
    net = ref.three_layer_neural_network.NeuralNetwork(2, 4, 2, actFun_type=act, reg_lambda=0.0)
    net.b1 = rng.normal(0, 0.5, (1, 4))  # off ReLU's kink
    X, y = rng.normal(size=(11, 2)), rng.integers(0, 2, 11)
    net.calculate_loss(X, y)
    grads = dict(zip(["W1", "W2", "b1", "b2"], net.backprop(X, y)))
    for name, grad in grads.items():
        numeric = numeric_gradient(lambda: net.calculate_loss(X, y), getattr(net, name))
        assert grad.shape == getattr(net, name).shape
        assert rel_error(grad, 11 * numeric) < 1e-6, name


def test_softmax_is_stable(ref):
    net = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2)
    net.W2 = net.W2 * 5000
    with np.errstate(over="raise", invalid="raise"):
        net.predict(np.array([[2.0, -1.0], [-3.0, 0.5]]))
    assert np.all(np.isfinite(net.probs))


def test_modules_import_without_a_display_and_without_plotting(tmp_path):
    """Importing must not load matplotlib or sklearn (each check imports the files)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    code = ("import sys, three_layer_neural_network, n_layer_neural_network, conv_layers\n"
            "print(sorted(m for m in ('matplotlib', 'sklearn') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-B", "-c", code], cwd=REPO / "reference" / SLUG, env=env,
                          capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# ---------------------------------------------------------------------------
# Part 2: the n-layer network
# ---------------------------------------------------------------------------

def test_deep_network_layout_and_initialisation(ref):
    deep = ref.n_layer_neural_network.DeepNeuralNetwork([2, 5, 4, 3], actFun_type="relu", seed=4)
    assert isinstance(deep, ref.three_layer_neural_network.NeuralNetwork)
    assert [layer.W.shape for layer in deep.layers] == [(2, 5), (5, 4), (4, 3)]
    assert [layer.actFun_type for layer in deep.layers] == ["relu", "relu", None]
    np.random.seed(4)
    for layer, (n_in, n_out) in zip(deep.layers, [(2, 5), (5, 4), (4, 3)]):
        np.testing.assert_array_equal(layer.W, np.random.randn(n_in, n_out) / np.sqrt(n_in))
        np.testing.assert_array_equal(layer.b, np.zeros((1, n_out)))


def test_two_layer_deep_network_is_the_three_layer_network(ref, moons):
    X, y = moons
    shallow = ref.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type="tanh")
    deep = ref.n_layer_neural_network.DeepNeuralNetwork([2, 3, 2], actFun_type="tanh")
    np.testing.assert_array_equal(deep.layers[0].W, shallow.W1)
    assert deep.calculate_loss(X, y) == pytest.approx(shallow.calculate_loss(X, y), rel=1e-12)
    shallow.fit_model(X, y, num_passes=1001, print_loss=False)
    deep.fit_model(X, y, num_passes=1001, print_loss=False)
    assert round(deep.calculate_loss(X, y), 6) == 0.068947


@pytest.mark.parametrize("dims", [[3, 4, 2], [2, 5, 4, 3], [3, 4, 4, 3, 4, 2]])
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_deep_backprop_matches_finite_differences(ref, dims, act):
    rng = np.random.default_rng(len(dims))
    deep = ref.n_layer_neural_network.DeepNeuralNetwork(dims, actFun_type=act, reg_lambda=0.0)
    for layer in deep.layers:
        layer.b = rng.normal(0, 0.5, layer.b.shape)
    X, y = rng.normal(size=(7, dims[0])), rng.integers(0, dims[-1], 7)
    for layer, (dW, db) in zip(deep.layers, deep.backprop(X, y)):
        assert rel_error(dW, 7 * numeric_gradient(lambda: deep.calculate_loss(X, y), layer.W)) < 1e-5
        assert rel_error(db, 7 * numeric_gradient(lambda: deep.calculate_loss(X, y), layer.b)) < 1e-5


def test_deep_loss_penalises_every_layer_and_divides_by_n(ref):
    rng = np.random.default_rng(5)
    deep = ref.n_layer_neural_network.DeepNeuralNetwork([3, 4, 4, 2], reg_lambda=0.3)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    penalty = 0.3 / 2 * sum(np.sum(layer.W ** 2) for layer in deep.layers)
    deep.feedforward(X)
    cross_entropy = -np.sum(np.log(deep.probs[np.arange(6), y]))
    assert deep.calculate_loss(X, y) == pytest.approx((cross_entropy + penalty) / 6, rel=1e-12)


# ---------------------------------------------------------------------------
# Part 3: convolutional layers
# ---------------------------------------------------------------------------

def naive_conv(x, w, b, stride, pad):
    """conv2d by loops over every output entry, the way a first solution is written."""
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1))
    for n, f, i, j in np.ndindex(*out.shape):
        out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] * w[f]) + b[f]
    return out


CONV_CASES = [((2, 3, 7, 5), (4, 3, 3, 3), 1, 0), ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),
              ((1, 3, 6, 5), (2, 3, 3, 2), 1, 1), ((2, 1, 8, 8), (2, 1, 5, 5), 1, 2)]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
def test_conv_forward_and_backward(ref, x_shape, w_shape, stride, pad):
    conv = ref.conv_layers
    rng = np.random.default_rng(sum(x_shape))
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    out, cache = conv.conv2d_forward(x, w, b, stride, pad)
    np.testing.assert_allclose(out, naive_conv(x, w, b, stride, pad), atol=1e-12)
    dout = rng.normal(size=out.shape)
    dx, dw, db = conv.conv2d_backward(dout, cache)
    loss = lambda: np.sum(conv.conv2d_forward(x, w, b, stride, pad)[0] * dout)  # noqa: E731
    for got, wrt in ((dx, x), (dw, w), (db, b)):
        assert got.shape == wrt.shape
        assert rel_error(got, numeric_gradient(loss, wrt)) < 1e-6


@pytest.mark.parametrize("pool, stride", [(2, 2), (3, 2), (2, 1)])
def test_maxpool_forward_and_backward(ref, pool, stride):
    conv = ref.conv_layers
    rng = np.random.default_rng(pool * 10 + stride)
    x = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) * 0.1
    out, cache = conv.maxpool_forward(x, pool, stride)
    assert out.shape == (2, 3, (7 - pool) // stride + 1, (6 - pool) // stride + 1)
    dout = rng.normal(size=out.shape)
    numeric = numeric_gradient(lambda: np.sum(conv.maxpool_forward(x, pool, stride)[0] * dout), x)
    np.testing.assert_allclose(conv.maxpool_backward(dout, cache), numeric, atol=1e-8)


def test_dropout_and_relu_layers(ref):
    conv = ref.conv_layers
    x = np.random.default_rng(0).uniform(1, 2, (100, 100))
    out, mask = conv.dropout_forward(x, 0.3, True, 5)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out[kept], x[kept] / 0.7)
    np.testing.assert_array_equal(conv.dropout_forward(x, 0.3, True, 5)[0], out)
    assert conv.dropout_forward(x, 0.3, False, 5)[0] is x
    np.testing.assert_allclose(conv.dropout_backward(np.ones_like(x), mask), out / x, rtol=1e-12)
    relu_out, relu_cache = conv.relu_forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(relu_out, [0, 0, 2])
    np.testing.assert_array_equal(conv.relu_backward(np.ones(3), relu_cache), [0, 0, 1])


def test_softmax_loss_is_stable_and_averaged(ref):
    conv = ref.conv_layers
    scores = np.array([[1000.0, 0.0, -1000.0], [0.0, 2000.0, 1.0]])
    with np.errstate(over="raise", invalid="raise"):
        loss, dscores = conv.softmax_loss(scores, np.array([0, 0]))
    assert loss == pytest.approx(1000.0)
    np.testing.assert_allclose(dscores, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-12)


def test_layer_stats(ref):
    x = np.arange(20.0).reshape(4, 5)
    stats = ref.conv_layers.layer_stats(x)
    assert (stats["min"], stats["max"], stats["mean"]) == (0.0, 19.0, 9.5)
    assert stats["std"] == pytest.approx(np.sqrt(33.25))
    assert stats["hist"].tolist() == [2] * 10


def test_convnet_reaches_the_digits_bar(ref):
    run = load_assignment(SLUG).run("digits")
    with np.load(FOLDER / "data" / "digits.npz") as data:
        digits = {k: data[k] for k in data.files}
    net = ref.conv_layers.ConvNet(seed=run.seed)
    history = net.train(digits["X_train"][:run.examples], digits["y_train"][:run.examples], num_epochs=run.epochs,
                        batch_size=run.batch_size, learning_rate=run.learning_rate, seed=run.seed)
    assert len(history) == run.epochs * -(-run.examples // run.batch_size) and history[-1] < history[0]
    X, y = digits["X_test"][:run.held_out], digits["y_test"][:run.held_out]
    assert np.mean(net.predict(X) == y) >= run.min_accuracy + 0.02


def test_three_layer_networks_clear_the_moons_bar(ref):
    run = load_assignment(SLUG).run("moons")
    with np.load(FOLDER / "data" / "moons.npz") as data:
        X, y, X_test, y_test = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
    for act in ACTIVATIONS:
        net = ref.three_layer_neural_network.NeuralNetwork(2, run.hidden_size, 2, actFun_type=act, reg_lambda=run.reg,
                                                           seed=run.seed)
        net.fit_model(X, y, epsilon=run.learning_rate, num_passes=run.iterations, print_loss=False)
        assert np.mean(net.predict(X_test) == y_test) >= run.min_accuracy + 0.015, act


def test_data_rebuilds_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, "-B", str(FOLDER / "build_data.py"), str(tmp_path)],
                   cwd=REPO, check=True, capture_output=True)
    for name in ("moons.npz", "circles.npz", "digits.npz"):
        assert (tmp_path / name).read_bytes() == (FOLDER / "data" / name).read_bytes(), name
    with np.load(FOLDER / "data" / "digits.npz") as data:
        assert data["X_train"].shape == (1297, 1, 8, 8) and data["X_test"].shape == (500, 1, 8, 8)
        assert data["X_train"].min() == 0.0 and data["X_train"].max() == 1.0
        assert set(np.unique(data["y_test"])) == set(range(10))


# ---------------------------------------------------------------------------
# The kit piece a3's checks added: spellings a student's code accepts
# ---------------------------------------------------------------------------

def test_accepted_spelling_is_the_first_that_works():
    from grader.failures import CheckFailure
    from grader.kit import spellings
    shape, answer = (1, 3), np.array([[0.46, -0.76, 0.96]])

    def only_capitalised(name):
        if name == "Tanh":
            return answer
        raise CheckFailure("Your code raised an exception", ["exception"])
    assert spellings.accepted(only_capitalised, ("tanh", "Tanh"), shape) == "Tanh"
    assert spellings.accepted(lambda name: None, ("tanh", "Tanh"), shape) == "tanh"  # neither: the real call fails
    assert spellings.accepted(lambda name: answer, ("tanh", "Tanh"), shape) == "tanh"

    def stub(name):
        raise CheckFailure("Not attempted", ["not-attempted"])
    with pytest.raises(CheckFailure):
        spellings.accepted(stub, ("tanh", "Tanh"), shape)


@pytest.mark.parametrize("unknown", [0, 0.0, np.float64(0), np.zeros((1, 3)), np.ones((3, 1)), np.ones(3),
                                     "tanh", [[0.46, -0.76, 0.96]]])
def test_an_answer_that_is_not_an_activation_means_the_name_was_not_understood(unknown):
    """Real code answers an unknown name with 0 (an `out = 0` before the if-chain): the
    capitalised spelling is still tried, and taken."""
    from grader.kit import spellings
    answer = np.array([[0.46, -0.76, 0.96]])
    assert spellings.accepted(lambda name: answer if name == "Tanh" else unknown, ("tanh", "Tanh"), (1, 3)) == "Tanh"
