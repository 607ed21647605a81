"""student_template/ is generated from reference/ and never edited by hand."""
import subprocess
import sys

import pytest

from conftest import REPO
from grader.assignment.config import all_slugs
from grader.build.template import MarkerError, build_template, strip_solutions


@pytest.mark.parametrize("slug", all_slugs())
def test_committed_template_matches_generator(slug):
    assert build_template(slug, check=True) == []


def test_check_flag_reports_drift(tmp_path):
    (tmp_path / "reference" / "x").mkdir(parents=True)
    (tmp_path / "reference" / "x" / "m.py").write_text("def f():\n    # BEGIN SOLUTION\n"
                                                       "    return 1\n    # END SOLUTION\n")
    assert build_template("x", root=tmp_path, check=True) == ["m.py"]
    assert build_template("x", root=tmp_path) == ["m.py"]
    assert build_template("x", root=tmp_path, check=True) == []
    (tmp_path / "student_template" / "x" / "m.py").write_text("edited by hand\n")
    assert build_template("x", root=tmp_path, check=True) == ["m.py"]


def test_cli_check_passes_on_committed_templates():
    proc = subprocess.run([sys.executable, "-m", "grader", "build", "template", "all", "--check"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_stub_names_the_method_and_keeps_the_docstring():
    source = ('class Loss:\n    @staticmethod\n    def derivatives(z, t):\n        """Doc."""\n'
              '        # BEGIN SOLUTION\n        return z - t\n        # END SOLUTION\n')
    assert strip_solutions(source) == ('class Loss:\n    @staticmethod\n    def derivatives(z, t):\n'
                                       '        """Doc."""\n        raise NotImplementedError('
                                       '"Loss.derivatives: not implemented yet")\n')


def test_marker_may_give_its_own_stub():
    source = "def cost():\n    # BEGIN SOLUTION stub: return 0.0\n    return 42.0\n    # END SOLUTION\n"
    assert strip_solutions(source) == "def cost():\n    return 0.0\n"


@pytest.mark.parametrize("source", ["def f():\n    # BEGIN SOLUTION\n    pass\n",
                                    "def f():\n    pass\n    # END SOLUTION\n",
                                    "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION\n"])
def test_unbalanced_markers_are_errors(source):
    with pytest.raises(MarkerError):
        strip_solutions(source, "m.py")


@pytest.mark.parametrize("slug", all_slugs())
def test_template_imports_cleanly(slug):
    folder = REPO / "student_template" / slug
    for module in folder.glob("*.py"):
        proc = subprocess.run([sys.executable, "-B", "-c", f"import {module.stem}"], cwd=folder,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
