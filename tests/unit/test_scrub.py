"""No path of the grading machine reaches a student, and an import of a package the
sandbox does not offer says what it does offer."""
import sys
import sysconfig
import tempfile

import pytest

from grader.assignment.config import REPO_ROOT
from grader.grading import results
from grader.grading.adapter import unavailable
from grader.submission.scrub import scrub

TMP = tempfile.gettempdir()
SITE = sysconfig.get_paths()["purelib"]


@pytest.mark.parametrize("text,shown", [
    (f"PermissionError: [Errno 13] Permission denied: '{SITE}/scipy/__init__.py'",
     "PermissionError: [Errno 13] Permission denied: '<site-packages>/scipy/__init__.py'"),
    ("see /usr/local/lib/python3.10/dist-packages/torch/__init__.py", "see <site-packages>/torch/__init__.py"),
    (f"FileNotFoundError: '{TMP}/grader-run-1a2b/child-9f8e/plots/loss.png'", "FileNotFoundError: 'plots/loss.png'"),
    (f"written to {TMP}/grader-x7y/staged/models.py", "written to models.py"),
    (f"  File \"{REPO_ROOT}/grader/kit/values.py\", line 3", "  File \"<grader>/grader/kit/values.py\", line 3"),
    (f"  File \"{sysconfig.get_paths()['stdlib']}/json/decoder.py\"", "  File \"<python>/json/decoder.py\""),
    (f"python at {sys.prefix}/bin/python", "python at <python>/bin/python"),
])
def test_machine_paths_become_short_names(text, shown):
    assert scrub(text) == shown


@pytest.mark.parametrize("text", ["dW = X.T @ dY / N", "1/2 * (x/y)", "expected a/b, got c/d", "https://example.org/x"])
def test_text_that_is_not_a_machine_path_is_left_alone(text):
    assert scrub(text) == text


def test_every_output_a_student_reads_is_scrubbed():
    item = results.ItemResult("t::a", "a", "1.1", 1.0, output=f"open('{TMP}/grader-run-a/child-b/x.npz')")
    built = results.build([item], output=f"Importing models.py failed: '{SITE}/scipy/__init__.py'", execution_time=0)
    assert built["tests"][0]["output"] == "open('x.npz')" and "<site-packages>/scipy" in built["output"]
    assert str(REPO_ROOT) not in results.fallback(f"no sandbox: {REPO_ROOT}/grader/sandbox")["output"]


@pytest.mark.parametrize("last,module", [
    ("PermissionError: [Errno 13] Permission denied: '/x/lib/python3.11/site-packages/scipy/__init__.py'", "scipy"),
    ("ModuleNotFoundError: No module named 'torch'", "torch"),
    ("ModuleNotFoundError: No module named 'tensorflow.keras'", "tensorflow"),
])
def test_a_module_not_offered_is_named_with_what_is(last, module):
    told = unavailable(f'  File "models.py", line 1, in <module>\n{last}\n', ["sklearn", "matplotlib"])
    assert told.endswith(f"\n{module} cannot be imported while grading: besides your own files, only the "
                         "standard library, numpy, sklearn and matplotlib can, as the handout says.")


@pytest.mark.parametrize("last", ["ModuleNotFoundError: No module named 'sklearn'", "ValueError: bad shape", ""])
def test_other_errors_are_left_as_they_are(last):
    assert unavailable(last, ["sklearn"]) == last


def test_an_import_inside_a_function_is_explained_too():
    from grader.grading.adapter import translator
    from grader.sandbox.errors import CallFailed
    error = {"type": "ModuleNotFoundError", "message": "No module named 'torch'",
             "traceback": "  File \"models.py\", line 9, in softsign_prime\n"
                          "ModuleNotFoundError: No module named 'torch'\n"}
    failure = translator(None, print, ("matplotlib",))(CallFailed("softsign_prime", "softsign_prime(z)", error))
    assert failure.message.endswith("torch cannot be imported while grading: besides your own files, only the "
                                    "standard library, numpy and matplotlib can, as the handout says.")
