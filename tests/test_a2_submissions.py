"""a2: a notebook can stand in for mlp.py, and expression answers are graded
by value, never run."""
import re

import nbformat

from conftest import REPO, grade, lost, outputs, zip_files
from grader.assignment.config import load_assignment

SPEC = load_assignment("a2_two_layer_mlp")
REFERENCE = (SPEC.reference / "mlp.py").read_text()
ANSWERS = (SPEC.reference / "answers.py").read_text()


def notebook_with(*cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# My work")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(notebook)


def test_notebook_alone_scores_full_on_the_code_items(tmp_path):
    notebook = notebook_with(
        "%matplotlib inline\n%load_ext autoreload\nimport numpy as np\nimport matplotlib.pyplot as plt",
        "from mlp import TwoLayerMLP  # the notebook's own import of the file it replaces",
        REFERENCE,
        "!ls -la\nnet = TwoLayerMLP(4, 10, 3)\nraise SystemExit('top-level code must not run at import')",
        "print('training...')\nwhile True:\n    pass",
        "from grader_check import check_all  # the handout's own check cell\ncheck_all()")
    path = zip_files(tmp_path / "s.zip", {"work/handout.ipynb": notebook, "work/answers.py": ANSWERS})
    results = grade("a2_two_layer_mlp", path, tmp_path / "r.json")
    assert lost(results) == [], outputs(results)
    assert "made from the notebook work/handout.ipynb" in results["output"]


def test_python_file_wins_over_a_notebook(tmp_path):
    """... and a call of the public checks left in mlp.py, with the release's grader_check.py
    zipped along, costs nothing: the sandbox imports the grader's stand-in, whose calls do nothing."""
    notebook = notebook_with("class TwoLayerMLP:\n    pass")
    mlp = "from grader_check import check_all\n" + REFERENCE + "\ncheck_all()\n"
    path = zip_files(tmp_path / "s.zip", {"mlp.py": mlp, "answers.py": ANSWERS, "handout.ipynb": notebook,
                                          "grader_check.py": (REPO / "grader_check.py").read_text()})
    results = grade("a2_two_layer_mlp", path, tmp_path / "r.json")
    assert lost(results) == [] and "Graded mlp.py (found at mlp.py)" in results["output"]
    assert "Not used: grader_check.py. The autograder brings its own copy" in results["output"]


def test_unreadable_notebook_is_named(tmp_path):
    path = zip_files(tmp_path / "s.zip", {"handout.ipynb": "{not json", "answers.py": ANSWERS})
    results = grade("a2_two_layer_mlp", path, tmp_path / "r.json")
    assert "handout.ipynb could not be read as a notebook" in results["output"]
    assert "mlp.py was not found" in outputs(results)["1.1"]
    assert outputs(results)["5.1"] == ""  # answers still graded


def test_equivalent_answer_forms_score_full_and_hostile_one_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    answers = ANSWERS
    for old, new in [('"(yhat - y) @ h1.T"', '"(yhat - y) * transpose(h1)"'),
                     ('"W2.T @ (yhat - y)"', '"W2.T * (sigmoid(a2) - y)"'),
                     ('"yhat - y"\n# END SOLUTION\n\n# Q1.2',
                      '"(yhat - y) / ((1 - yhat) * yhat) * exp(-a2) / (1 + exp(-a2)) ** 2"\n# END SOLUTION\n\n# Q1.2'),
                     ('"theta - eta * (g + 2 * lam * theta)"', '"(1 - 2 * eta * lam) * theta - eta * g"'),
                     ('"theta - eta * (g + lam * sign(theta))"',
                      f'"__import__(\'os\').system(\'touch {marker}\')"')]:
        assert answers.count(old) == 1, old
        answers = answers.replace(old, new)
    path = zip_files(tmp_path / "s.zip", {"mlp.py": REFERENCE, "answers.py": answers})
    results = grade("a2_two_layer_mlp", path, tmp_path / "r.json")
    assert lost(results) == ["5.8"], outputs(results)
    assert "not allowed in an answer" in outputs(results)["5.8"] and "__import__" in outputs(results)["5.8"]
    assert not marker.exists()


def test_shifted_softmax_then_log_of_probabilities_is_stable_enough(tmp_path):
    """The common CS231n form (max shift, probabilities, then log) passes the stability item."""
    ours = ("        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))\n"
            "        probs = np.exp(log_probs)   # (N, C), rows sum to 1\n"
            "        loss = -np.mean(log_probs[np.arange(N), y])\n")
    assert REFERENCE.count(ours) == 1
    alternative = REFERENCE.replace(ours, (
        "        probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)\n"
        "        loss = -np.sum(np.log(probs[np.arange(N), y])) / N\n"))
    path = zip_files(tmp_path / "s.zip", {"mlp.py": alternative, "answers.py": ANSWERS})
    results = grade("a2_two_layer_mlp", path, tmp_path / "r.json")
    assert lost(results) == [], outputs(results)


def test_gradients_that_follow_a_loss_without_its_half_get_one_hint_on_the_loss(tmp_path):
    """reg * sum(W^2) in the loss and 2 * reg * W in the gradients: the backward pass is right for
    the loss written, so the gradient items point at the loss, once, and name no gradient bug."""
    from grader.kit.gradients import FOLLOWS_OWN_LOSS
    edits = [("loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))",
              "loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))"),
             ("+ reg * W2     # (H, C)", "+ 2 * reg * W2"), ("+ reg * W1          # (D, H)", "+ 2 * reg * W1")]
    text = REFERENCE
    for find, replace in edits:
        assert text.count(find) == 1
        text = text.replace(find, replace)
    results = grade("a2_two_layer_mlp", zip_files(tmp_path / "s.zip", {"mlp.py": text, "answers.py": ANSWERS}),
                    tmp_path / "r.json")
    for number in ("2.3", "2.4", "2.5"):
        output = outputs(results)[number]
        assert output.count(FOLLOWS_OWN_LOSS) == 1 and "Likely bug" not in output, output
    assert "Likely bug: the L2 penalty lacks its factor 0.5" in outputs(results)["1.2"]
    for number in ("1.2", "1.3", "1.4", "2.3", "2.4", "2.5", "4.2", "4.3"):  # hidden: no expected numbers
        assert not re.search(r"\d\.\d{3,}", outputs(results)[number]), outputs(results)[number]
