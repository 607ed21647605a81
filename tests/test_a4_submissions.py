"""a4: files shaped like real copies of the original homework grade fully, and
the Gradescope zip grades a4 from a simulated /autograder tree."""
import json
import os
import subprocess
import sys
import zipfile

from conftest import grade, lost, outputs, zip_files
from grader.assignment.config import load_assignment
from grader.build.autograder import build_autograder
from gradescope_schema import validate

SPEC = load_assignment("a4_modular_nn")
CODE = (SPEC.reference / "code_for_hw7.py").read_text()
ANSWERS = (SPEC.reference / "answers.py").read_text()


def test_copy_that_prints_every_iteration_and_tests_at_import_scores_full(tmp_path):
    """Most real copies run the file's tests when imported, and some print the
    accuracy on every iteration of sgd (2,000 lines in check 4.3)."""
    code = CODE.replace("            self.sgd_step(lrate)\n",
                        "            self.sgd_step(lrate)\n"
                        "            self.print_accuracy(it, X, Y, 0.0, every=1)\n")
    code = code.replace('if __name__ == "__main__":', "if True:")
    assert code.count("every=1") == 1 and "if True:" in code
    path = zip_files(tmp_path / "s.zip", {"hw7/code_for_hw7.py": code, "hw7/answers.py": ANSWERS})
    results = grade("a4_modular_nn", path, tmp_path / "r.json")
    assert lost(results) == [], outputs(results)


def split_into_a_helper_module(code):
    """code_for_hw7.py with its module classes moved to nn_helpers.py, as some students split it."""
    start, end = code.index("class Module:"), code.index("class Sequential:")
    names = "Module, Linear, Tanh, ReLU, SoftMax, NLL"
    return (code[:start] + f"from nn_helpers import {names}\n\n\n" + code[end:],
            "import numpy as np\n\n\n" + code[start:end])


def test_own_helper_module_is_graded_and_the_originals_helpers_are_replaced_by_ours(tmp_path):
    """Students zip the whole folder: the original modules_disp imports matplotlib at
    the top (not in the sandbox) and trains in classify; ours are staged instead. A
    module of the student's own that code_for_hw7.py imports is graded with it."""
    helper = ("import matplotlib.pyplot as plt\nimport numpy as np\n\n"
              "def classify(X, Y, nn, it=10000, lr=0.005):\n    nn.sgd(X, Y, it, lr)\n    plt.show()\n")
    code, own = split_into_a_helper_module(CODE)
    path = zip_files(tmp_path / "s.zip", {"hw7/code_for_hw7.py": code, "hw7/nn_helpers.py": own,
                                          "hw7/answers.py": ANSWERS, "hw7/modules_disp.py": helper,
                                          "hw7/expected_results.py": "test_1_values = None\n"})
    results = grade("a4_modular_nn", path, tmp_path / "r.json")
    assert lost(results) == [], outputs(results)
    assert ("Also used your own modules that the graded files import: hw7/nn_helpers.py "
            "(imported by code_for_hw7.py).") in results["output"]


def test_autograder_zip_grades_a4_in_a_simulated_autograder_tree(tmp_path):
    archive = build_autograder("a4_modular_nn", tmp_path / "dist")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    (root / "submission").mkdir(parents=True)
    for name in SPEC.submit:
        (root / "submission" / name).write_text((SPEC.reference / name).read_text())
    (root / "results").mkdir()
    os.chmod(root / "source" / "run_autograder", 0o755)
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    assert results["score"] == SPEC.total_points, outputs(results)
