"""a5_softmax_mlp: the reference reproduces the original's numbers, its
gradient check is honest (NaN is WRONG, also in the template), the data is
what the handout says, and the training bars hold with margin."""
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from grader.assignment.config import load_assignment
from grader.assignment.loader import load_modules

SPEC = load_assignment("a5_softmax_mlp")
MODULES = ["prob1a", "prob1b", "prob1c", "prob1d", "prob2a", "prob2b", "hw2_utils"]
DATA = SPEC.reference / "data"
_hidden = importlib.util.spec_from_file_location("a5_hidden", SPEC.folder / "checks" / "hidden" / "test_a5_hidden.py")
HIDDEN = importlib.util.module_from_spec(_hidden)  # the hidden checks' own start(): the same draws
_hidden.loader.exec_module(HIDDEN)
start = HIDDEN.start


@pytest.fixture(scope="module")
def ref():
    return load_modules(SPEC.reference, MODULES)


@pytest.fixture(scope="module")
def template():
    return load_modules(SPEC.template, ["prob1a"])


def relative_errors(ref, module, X, y, theta, reg, eps):
    numeric = ref.prob1a.numerical_gradient(module.computeCost, X, y, theta, reg, eps)
    return [ref.prob1a.relative_error(n, g) for n, g in zip(numeric, module.computeGrad(X, y, theta, reg))]


def test_softmax_check_point_of_the_original(ref):
    """The original 1a check point: central differences with eps = 1e-5 give an error of
    about 1.4e-8, above the original 1e-8 bar and far below ours."""
    np.random.seed(0)
    X, y = ref.hw2_utils.load_data("xor.dat")
    theta = (0.01 * np.random.randn(2, 2), np.zeros((1, 2)) + 1.0)
    errors = relative_errors(ref, ref.prob1a, X, y, theta, 1e-3, 1e-5)
    assert 1e-8 < max(errors) < 2e-8 < ref.prob1a.GRADIENT_BAR / 10


@pytest.mark.parametrize("module, widths", [("prob1a", [3, 4]), ("prob1c", [3, 5, 4]), ("prob2b", [3, 5, 6, 4])])
def test_gradients_pass_the_reference_check(ref, module, widths, capsys):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, widths[0])), rng.integers(0, widths[-1], 8)
    theta = tuple(p for a, b in zip(widths[:-1], widths[1:])
                  for p in (rng.normal(size=(a, b)), rng.normal(size=(1, b))))
    model = getattr(ref, module)
    assert max(relative_errors(ref, model, X, y, theta, 0.1, 1e-5)) < 1e-8
    ref.prob1a.check_gradients(ref.prob1a.numerical_gradient(model.computeCost, X, y, theta, 0.1),
                               model.computeGrad(X, y, theta, 0.1))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(theta) and all(" is CORRECT, error = " in line for line in lines)


def test_template_gradient_check_prints_wrong_for_nan(template, capsys):
    """The original starter printed CORRECT for an empty implementation (0/0 is NaN)."""
    zeros = (np.zeros((2, 2)), np.zeros((1, 2)))
    template.prob1a.check_gradients(zeros, zeros)
    assert capsys.readouterr().out.splitlines() == ["Param 0 is WRONG, error = nan", "Param 1 is WRONG, error = nan"]


def test_numerical_gradient_restores_theta(ref):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 4, 5)
    theta = (rng.normal(size=(3, 4)), rng.normal(size=(1, 4)))
    before = [p.copy() for p in theta]
    ref.prob1a.computeNumGrad(X, y, theta, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip(before, theta))


def test_cost_is_stable_for_large_scores(ref):
    X, y = np.eye(3), np.array([0, 1, 2])
    theta = (np.zeros((3, 3)), np.array([[1000.0, -1000.0, 0.0]]))
    assert np.isclose(ref.prob1a.computeCost(X, y, theta, 0.0), (0 + 2000 + 1000) / 3)
    _, probs = ref.prob1a.predict(X, theta)
    assert np.allclose(probs.sum(axis=1), 1)


def test_mini_batches_cover_every_row_once(ref):
    X, y = np.arange(46.0).reshape(23, 2), np.arange(23)
    batches = [ref.prob2a.create_mini_batch(X, y, s, s + 5) for s in range(0, 23, 5)]
    assert [len(b) for b, _ in batches] == [5, 5, 5, 5, 3]
    assert np.array_equal(np.concatenate([b for _, b in batches]), y)


def test_data_matches_the_original_files(ref):
    sizes = {"xor.dat": (4, 2, [2, 2]), "spiral_train.dat": (300, 2, [100, 100, 100]),
             "iris_train.dat": (110, 4, None), "iris_test.dat": (40, 4, None)}
    for name, (rows, features, counts) in sizes.items():
        X, y = ref.hw2_utils.load_data(name)
        assert X.shape == (rows, features) and y.dtype.kind == "i"
        assert counts is None or np.bincount(y).tolist() == counts
    assert (DATA / "iris_train.dat").stat().st_size == 1980 and (DATA / "iris_test.dat").stat().st_size == 720
    X, y = ref.hw2_utils.load_data("xor.dat")
    assert np.array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_spiral_is_cs231n_generator(ref):
    np.random.seed(0)
    X, _ = ref.hw2_utils.load_data("spiral_train.dat")
    for k in range(3):
        r = np.linspace(0.0, 1, 100)
        t = np.linspace(k * 4, (k + 1) * 4, 100) + np.random.randn(100) * 0.2
        assert np.allclose(X[100 * k:100 * (k + 1)], np.c_[r * np.sin(t), r * np.cos(t)], atol=1e-15)


def test_data_rebuilds_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, "-B", str(SPEC.folder / "build_data.py"), str(tmp_path)],
                   check=True, capture_output=True)
    for path in DATA.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_scripts_import_without_running(tmp_path):
    """Importing a script trains nothing, plots nothing and reads no file, from any folder."""
    code = "import " + ", ".join(MODULES)
    program = f"import sys; sys.path.insert(0, {str(SPEC.reference)!r}); {code}"
    proc = subprocess.run([sys.executable, "-B", "-c", program],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_gradient_check_scripts_print_correct(tmp_path):
    """prob1a and prob1c run from another folder: their checks say CORRECT and XOR is fitted."""
    for script, accuracy in [("prob1a.py", "75.00"), ("prob1c.py", "100.00")]:
        proc = subprocess.run([sys.executable, "-B", str(SPEC.reference / script)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        lines = proc.stdout.splitlines()
        assert proc.returncode == 0, proc.stderr
        assert all("CORRECT" in line for line in lines if line.startswith("Param")) and lines[0].startswith("Param 0")
        assert lines[-1] == f"training accuracy: {accuracy}"


def accuracy(model, X, y, theta):
    return float(np.mean(np.argmax(model.predict(X, theta)[0], axis=1) == y))


def test_training_bars_hold_with_margin_at_the_graders_settings(ref):
    """The runs the hidden checks make, on the reference: every bar passes with room."""
    load = ref.hw2_utils.load_data
    run = SPEC.run("xor_mlp")
    X, y = load("xor.dat")
    theta = ref.prob1c.train(X, y, start(run.seed, [2, run.hidden_size, 2], run.std), run.iterations,
                             run.learning_rate, run.reg, check=0)
    assert accuracy(ref.prob1c, X, y, theta) == run.min_accuracy == 1.0
    X, y = load("spiral_train.dat")
    soft, mlp = SPEC.run("spiral_softmax"), SPEC.run("spiral_mlp")
    soft_theta = ref.prob1a.train(X, y, start(soft.seed, [2, 3], soft.std), soft.iterations, soft.learning_rate,
                                  soft.reg, check=0)
    mlp_theta = ref.prob1c.train(X, y, start(mlp.seed, [2, mlp.hidden_size, 3], mlp.std), mlp.iterations,
                                 mlp.learning_rate, mlp.reg, check=0)
    softmax_accuracy = accuracy(ref.prob1a, X, y, soft_theta)
    assert accuracy(ref.prob1c, X, y, mlp_theta) >= max(mlp.min_accuracy, softmax_accuracy + mlp.min_margin) + 0.05
    (X, y), (X_val, y_val) = load("iris_train.dat"), load("iris_test.dat")
    for name, model, depth in [("iris_mlp1", ref.prob2a, 1), ("iris_mlp2", ref.prob2b, 2)]:
        run = SPEC.run(name)
        np.random.seed(run.seed)
        theta = model.train(X, y, start(run.seed, [4] + [run.hidden_size] * depth + [3], run.std), run.epochs,
                            run.batch_size, run.learning_rate, run.reg)
        assert accuracy(model, X_val, y_val, theta) >= run.min_accuracy + 0.05, name
