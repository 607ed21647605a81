"""a1_softsign: the reference reproduces the handout's numbers and the data is
what the handout says (training thresholds: tests/test_thresholds.py)."""
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from grader.assignment.config import load_assignment
from grader.assignment.loader import load_modules

SPEC = load_assignment("a1_softsign")


@pytest.fixture(scope="module")
def ref():
    return load_modules(SPEC.reference, ["models", "util"])


@pytest.fixture(scope="module")
def data():
    with np.load(SPEC.data_folder / "data.npz", allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_softsign_ce_derivatives_match_the_handout(ref):
    # The original handout's marked output for z = [0.375, -1.223, 2.511, -0.952], t = [0, 0, 1, 1].
    z = np.array([0.375, -1.223, 2.511, -0.952])
    t = np.array([0., 0., 1., 1.])
    np.testing.assert_allclose(ref.models.SoftsignCrossEntropy.derivatives(z, t),
                               [0.72727273, 0.1305405, -0.04729644, -0.51229508], rtol=1e-7)


def test_softsign_prime_formula(ref):
    z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(ref.models.softsign_prime(z), 1 / (1 + np.abs(z)) ** 2)


def test_data_is_digits_four_versus_nine_with_ten_percent_noise(data):
    assert data["X_train"].shape == (200, 64) and data["X_train"].shape[0] % 100 == 0
    assert data["X_val"].shape[1] == data["X_test"].shape[1] == 64
    for key in ("X_train", "X_val", "X_test"):
        assert data[key].dtype == np.float64 and 0 <= data[key].min() and data[key].max() <= 1
    assert set(np.unique(data["t_train_clean"])) == {0.0, 1.0}
    assert np.sum(data["t_train_clean"] != data["t_train_noisy"]) == 20


def test_data_rebuilds_from_the_script(tmp_path):
    subprocess.run([sys.executable, "-B", str(SPEC.folder / "build_data.py"), str(tmp_path)],
                   cwd=REPO, check=True, capture_output=True)
    assert (tmp_path / "data.npz").read_bytes() == (SPEC.data_folder / "data.npz").read_bytes()
    # The trained weights come out of floating-point training: equal to the last bits
    # on one numpy version, within rounding across versions (checked on numpy 2.2 and 2.4).
    with np.load(tmp_path / "trained_model.npz") as rebuilt, np.load(SPEC.data_folder / "trained_model.npz") as kept:
        for key in kept.files:
            np.testing.assert_allclose(rebuilt[key], kept[key], rtol=1e-9, atol=1e-12)


def test_printed_entries_are_valid_nonzero_indices(ref, data):
    trained = np.load(SPEC.data_folder / "trained_model.npz")
    model = ref.models.MultilayerPerceptron(trained["W1"], trained["b1"], trained["w2"], float(trained["b2"]))
    X, t = data["X_train"][:100], data["t_train_noisy"][:100]
    act = model.compute_activations(X)
    derivs = model.cost_derivatives(X, act, ref.models.LogisticCrossEntropy.derivatives(act["z"], t))
    for param, idx in ref.models.PRINTED_ENTRIES:
        assert abs(np.asarray(derivs[param])[idx]) > 1e-6, (param, idx)
