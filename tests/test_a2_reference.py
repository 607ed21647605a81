"""a2_two_layer_mlp: the reference reproduces the notebook's numbers, and the
data is what the handout says."""
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from grader.assignment.loader import load_modules

FOLDER = REPO / "assignments" / "a2_two_layer_mlp"
DATA = FOLDER / "data" / "digits.npz"
ACTIVATIONS = ["sigmoid", "relu", "softplus"]


@pytest.fixture(scope="module")
def ref():
    return load_modules(REPO / "reference" / "a2_two_layer_mlp", ["mlp", "utils"])


def toy_net(ref, activation):
    np.random.seed(0)
    return ref.mlp.TwoLayerMLP(4, 10, 3, std=1e-1, activation=activation)


def toy_data():
    np.random.seed(1)
    return 10 * np.random.randn(5, 4), np.array([0, 1, 2, 2, 1])


@pytest.mark.parametrize("activation, expected", [
    ("sigmoid", 1.182248),
    ("relu", 1.303788),      # CS231n's value
    ("softplus", 1.320973),  # the seed notebook's "relu" figure
])
def test_toy_loss(ref, activation, expected):
    X, y = toy_data()
    loss, _ = toy_net(ref, activation).loss(X, y, reg=0.1)
    assert abs(loss - expected) < 1e-6


def test_toy_relu_scores_match_cs231n(ref):
    X, _ = toy_data()
    scores = toy_net(ref, "relu").loss(X)
    assert scores.shape == (5, 3)
    np.testing.assert_allclose(scores[0], [-0.81233741, -1.27654624, -0.70335995], atol=1e-8)


# Finite differences with h = 1e-5 limit how small rel_error can be: the
# sigmoid net's b1 has an entry of 3e-6 whose relative error is 1.9e-7 (the
# rest stay below 1.2e-8), and softplus's b1 reaches 9.3e-9. Every hidden
# pre-activation is at least 0.058 from 0, so relu's kink is never crossed.
GRADCHECK_LIMIT = {"sigmoid": 1e-6, "relu": 1e-7, "softplus": 1e-7}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_toy_gradients_match_finite_differences(ref, activation):
    X, y = toy_data()
    net = toy_net(ref, activation)
    _, grads = net.loss(X, y, reg=0.1)
    assert set(grads) == set(net.params)
    for name, param in net.params.items():
        assert grads[name].shape == param.shape, name
        numeric = ref.utils.eval_numerical_gradient(lambda _: net.loss(X, y, reg=0.1)[0], param,
                                                    verbose=False)
        assert ref.utils.rel_error(numeric, grads[name]) < GRADCHECK_LIMIT[activation], name
        assert np.max(np.abs(numeric - grads[name])) < 1e-9, name


@pytest.mark.parametrize("activation, learning_rate, epochs, expected", [
    ("sigmoid", 0.5, 100, 0.109268),
    ("relu", 0.1, 50, 0.017856),
])
def test_toy_training_final_loss(ref, activation, learning_rate, epochs, expected):
    X, y = toy_data()
    stats = toy_net(ref, activation).train(X, y, X, y, learning_rate=learning_rate, reg=1e-5,
                                           num_epochs=epochs)
    assert abs(stats["loss_history"][-1] - expected) < 1e-6
    assert len(stats["grad_magnitude_history"]) == epochs   # one iteration per epoch here
    assert len(stats["val_acc_history"]) == len(stats["train_acc_history"]) == epochs


def test_predict_is_the_argmax_of_the_scores(ref):
    X, _ = toy_data()
    net = toy_net(ref, "relu")
    pred = net.predict(X)
    assert pred.shape == (5,) and np.issubdtype(pred.dtype, np.integer)
    np.testing.assert_array_equal(pred, np.argmax(net.loss(X), axis=1))


def test_unknown_activation_is_rejected(ref):
    with pytest.raises(ValueError, match="Unknown activation type"):
        ref.mlp.TwoLayerMLP(4, 10, 3, activation="tanh")
    assert ref.mlp.ACTIVATIONS == ("relu", "sigmoid", "softplus")


def test_activations_are_stable_for_large_inputs(ref):
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(ref.mlp.softplus(z), [0, np.log1p(np.exp(-30)), np.log(2), 30, 1000])
        np.testing.assert_allclose(ref.mlp.sigmoid(z), [0, 1 / (1 + np.exp(30)), 0.5, 1 / (1 + np.exp(-30)), 1])
    np.testing.assert_array_equal(ref.mlp.relu_grad(z), [0, 0, 0, 1, 1])


def test_digits_data(ref, monkeypatch):
    monkeypatch.setattr(ref.utils, "DATA_FILE", str(DATA))
    X_train, y_train, X_val, y_val, X_test, y_test = ref.utils.get_digits_data()
    assert X_train.shape == (1000, 64) and X_val.shape == (300, 64) and X_test.shape == (497, 64)
    assert y_train.shape == (1000,) and y_val.shape == (300,) and y_test.shape == (497,)
    for X in (X_train, X_val, X_test):
        assert X.dtype == np.float64
    for y in (y_train, y_val, y_test):
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert np.abs(X_train.mean(axis=0)).max() < 1e-12
    # Pixels 0..16 minus one shared mean image: differences between images are integers.
    for X in (X_train, X_val, X_test):
        diffs = X - X_train[0]
        assert np.allclose(diffs, np.round(diffs), atol=1e-9) and np.abs(diffs).max() <= 16


def test_digits_rebuild_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, "-B", str(FOLDER / "build_data.py"), str(tmp_path)],
                   cwd=REPO, check=True, capture_output=True)
    assert (tmp_path / "digits.npz").read_bytes() == DATA.read_bytes()
