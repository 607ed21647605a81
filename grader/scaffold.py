"""`python -m grader new <slug>`: a new assignment that already grades.

Writes assignments/<slug>/ (manifest, handout, one public and one hidden
check written with the kit, the hidden checks' bugs.toml, mutants.toml, a
data script and its data) and reference/<slug>/ (a small L2-regularised
logistic regression with its student parts between solution markers), then
generates the template. The
result passes `make test` as it stands; replace the example with the real
assignment piece by piece, keeping it passing.
"""
import re
import subprocess
import sys
from pathlib import Path

from .build.template import build_template
from .config import REPO_ROOT, ConfigError

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

MANIFEST = '''title = "{title}"
origin = "Describe the course and document this assignment comes from"
submit = ["model.py"]
data = ["data.npz"]
time_budget = 120

# Labels the child never receives while graded, and that the student zip leaves out.
[withhold]
"data.npz" = ["y_test"]
[release_withhold]
"data.npz" = ["y_test"]

[limits]
call_timeout = 5

[parts.1]
title = "loss and gradient"
points = 3
[parts.2]
title = "predict"
points = 1

[[manual]]
question = "Explain what the penalty does to the weights"
points = 1
'''

HANDOUT = '''# {title}

Write `model.py`: an L2-regularised logistic regression on inputs `X (N, D)`
with labels `y (N,)` in {{0, 1}}.

1. `loss(w, X, y, reg=0.0)` returns `(loss, grad)`: the mean cross-entropy of
   `sigmoid(X @ w)` plus `0.5 * reg * sum(w ** 2)`, and its gradient, shape `(D,)`.
2. `predict(w, X)` returns the class of every row, shape `(N,)`.

Check your work with `python -m grader check {slug} .` before submitting.
'''

REFERENCE = '''"""L2-regularised logistic regression: the example a new assignment starts from."""
import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), computed without overflow."""
    return np.exp(-np.logaddexp(0, -z))


def loss(w, X, y, reg=0.0):
    """Mean cross-entropy of sigmoid(X @ w) plus 0.5 * reg * |w|^2, and its gradient.

    Inputs: w (D,), X (N, D), y (N,) in {0, 1}. Returns (loss: float, grad: (D,)).
    """
    # BEGIN SOLUTION
    z = X @ w
    data_loss = np.mean(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
    value = data_loss + 0.5 * reg * np.sum(w * w)
    dz = (sigmoid(z) - y) / len(y)
    grad = X.T @ dz + reg * w
    return float(value), grad
    # END SOLUTION


def predict(w, X):
    """The class of every row of X (N, D): 1 where X @ w > 0, else 0, shape (N,)."""
    # BEGIN SOLUTION
    return (X @ w > 0).astype(np.int64)
    # END SOLUTION
'''

BUILD_DATA = '''"""Build data/data.npz: two Gaussian clouds, 200 training and 100 test points.

Run from the repository root: .venv/bin/python assignments/{slug}/build_data.py
Deterministic: the same bytes every run.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data.npz")


def clouds(rng, n):
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 3)) + np.outer(2 * y - 1, [1.0, -0.5, 0.25])
    return X, y


if __name__ == "__main__":
    rng = np.random.default_rng(576)
    X_train, y_train = clouds(rng, 200)
    X_test, y_test = clouds(rng, 100)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez(OUT, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
'''

PUBLIC = '''"""Public checks: your gradient against finite differences of your own loss."""
from grader.kit import gradients, number, weight

N, D = 8, 5
REG = 0.1


@weight(1.0)
@number("1.1")
def test_gradient_matches_finite_differences(student, rng):
    """loss: the gradient agrees with finite differences of your loss"""
    X, y, w = rng.normal(size=(N, D)), rng.integers(0, 2, N), rng.normal(size=D)
    call = f"loss(w: {{w.shape}}, X: {{X.shape}}, y, reg={{REG}})"
    _, grad = gradients.loss_and_grads(student.model.loss(w, X, y, reg=REG), call)

    def stage(batch, moved):
        batch.call_first(student.model.loss, moved, X, y, reg=REG)
    numeric = gradients.numeric_gradient(student, w, stage, call)
    gradients.agrees_with_own_loss(grad, numeric, call=call, name="grad")
'''

HIDDEN = '''"""Hidden checks: your functions against the reference on inputs you have not seen."""
from grader.kit import bugs, check_close, gradients, number, weight

BUGS = bugs.catalogue(__file__)  # this folder's bugs.toml: hints for students, tags for the report
N, D = 9, 4
REG = 0.2


def problem(student, ref, rng):
    X, y, w = rng.normal(size=(N, D)), rng.integers(0, 2, N), rng.normal(size=D)
    call = f"loss(w: {{w.shape}}, X: {{X.shape}}, y, reg={{REG}})"
    return X, y, w, call, gradients.loss_and_grads(student.model.loss(w, X, y, reg=REG), call)


@weight(1.0)
@number("1.2")
def test_loss_matches_reference(student, ref, rng):
    """loss: the value matches the reference"""
    X, y, w, call, (got, _) = problem(student, ref, rng)
    expected, _ = ref.model.loss(w, X, y, reg=REG)
    data_loss, _ = ref.model.loss(w, X, y)
    check_close(got, expected, call=call, name="loss",
                wrong_answers=bugs.loss_variants(data_loss, expected - data_loss, N))


@weight(1.0)
@number("1.3")
def test_gradient_matches_reference(student, ref, rng):
    """loss: the gradient matches the reference"""
    X, y, w, call, (_, grad) = problem(student, ref, rng)
    _, expected = ref.model.loss(w, X, y, reg=REG)
    _, data_part = ref.model.loss(w, X, y)

    def own_numeric():
        def stage(batch, moved):
            batch.call_first(student.model.loss, moved, X, y, reg=REG)
        return gradients.numeric_gradient(student, w, stage, call)
    gradients.matches_reference(grad, expected, call=call, name="grad", own_numeric=own_numeric,
                                wrong_answers=bugs.gradient_variants(data_part, expected - data_part, N))


@weight(1.0)
@number("2.1")
def test_predict_matches_reference(student, ref, data, rng):
    """predict returns the reference's class for every test point"""
    X = data["data"]["X_test"]
    w = rng.normal(size=X.shape[1])
    check_close(student.model.predict(w, X), ref.model.predict(w, X), call=f"predict(w, X_test: {{X.shape}})",
                name="classes", wrong_answers=[BUGS.PROBABILITIES.given(ref.model.sigmoid(X @ w))])
'''

BUGS_TOML = '''# Bugs the hidden checks name: `hint` tells the student what the result looks
# like, `tag` groups alike bugs: one of grader.vocabulary's, or this assignment's
# own, declared once in [tags] with what report.html says students did.

[tags]
predict-returns-scores = "returned probabilities instead of classes"

[PROBABILITIES]
hint = "predict returns probabilities; it should return the classes 0 and 1"
tag = "predict-returns-scores"
'''

MUTANTS = '''# Realistic bugs, each an exact edit of reference/{slug}/model.py. `breaks`: the
# items that must lose points (every other item keeps full marks); `diagnosis`:
# the tag they must name ("none": no specific bug); `sample`: also a sample
# submission for `make grade`.

[[mutant]]
name = "penalty_gradient_twice"
description = "the penalty's gradient is added twice"
file = "model.py"
find = "grad = X.T @ dz + reg * w"
replace = "grad = X.T @ dz + 2 * reg * w"
breaks = ["1.1", "1.3"]
diagnosis = "reg-twice"
sample = true

[[mutant]]
name = "penalty_gradient_missing"
description = "the penalty's gradient is left out"
file = "model.py"
find = "grad = X.T @ dz + reg * w"
replace = "grad = X.T @ dz"
breaks = ["1.1", "1.3"]
diagnosis = "reg-missing"
sample = true

[[mutant]]
name = "gradient_not_averaged"
description = "the data gradient is summed over the batch, not averaged"
file = "model.py"
find = "dz = (sigmoid(z) - y) / len(y)"
replace = "dz = sigmoid(z) - y"
breaks = ["1.1", "1.3"]
diagnosis = "sum-vs-mean"
sample = true

[[mutant]]
name = "gradient_sign_flipped"
description = "y - sigmoid(z) in place of sigmoid(z) - y"
file = "model.py"
find = "dz = (sigmoid(z) - y) / len(y)"
replace = "dz = (y - sigmoid(z)) / len(y)"
breaks = ["1.1", "1.3"]
diagnosis = "none"
sample = true

[[mutant]]
name = "penalty_without_half"
description = "the loss adds reg * |w|^2, without the 1/2"
file = "model.py"
find = "value = data_loss + 0.5 * reg * np.sum(w * w)"
replace = "value = data_loss + reg * np.sum(w * w)"
breaks = ["1.1", "1.2"]
diagnosis = "reg-factor"
sample = true

[[mutant]]
name = "loss_summed"
description = "the cross-entropy is summed over the batch"
file = "model.py"
find = "data_loss = np.mean("
replace = "data_loss = np.sum("
breaks = ["1.1", "1.2"]
diagnosis = "sum-vs-mean"

[[mutant]]
name = "predict_returns_probabilities"
description = "predict returns sigmoid(X @ w) instead of classes"
file = "model.py"
find = "return (X @ w > 0).astype(np.int64)"
replace = "return sigmoid(X @ w)"
breaks = ["2.1"]
diagnosis = "predict-returns-scores"

[[mutant]]
name = "predict_inverted"
description = "predict compares the wrong way round"
file = "model.py"
find = "return (X @ w > 0).astype(np.int64)"
replace = "return (X @ w < 0).astype(np.int64)"
breaks = ["2.1"]
diagnosis = "none"
'''


def scaffold(slug, root=REPO_ROOT, title=None):
    """Write the new assignment's files; returns the folders written."""
    if not SLUG.match(slug):
        raise ConfigError(f"slug {slug!r}: use lower-case letters, digits and '_', starting with a letter")
    root = Path(root)
    folder, reference = root / "assignments" / slug, root / "reference" / slug
    for existing in (folder, reference):
        if existing.exists():
            raise ConfigError(f"{existing.relative_to(root)} already exists")
    title = title or slug.replace("_", " ").capitalize()
    files = {
        folder / "assignment.toml": MANIFEST.format(title=title),
        folder / "handout.md": HANDOUT.format(title=title, slug=slug),
        folder / "build_data.py": BUILD_DATA.format(slug=slug),
        folder / "checks" / "public" / f"test_{slug}_public.py": PUBLIC.format(),
        folder / "checks" / "hidden" / f"test_{slug}_hidden.py": HIDDEN.format(),
        folder / "checks" / "hidden" / "bugs.toml": BUGS_TOML,
        folder / "mutants.toml": MUTANTS.format(slug=slug),
        reference / "model.py": REFERENCE,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run([sys.executable, str(folder / "build_data.py")], check=True)
    build_template(slug, root=root)
    return [folder, reference, root / "student_template" / slug]
