"""The processes a grade starts beside the grader stay small: each costs every grade."""
import subprocess
import sys

from conftest import REPO


def test_the_deadline_watcher_loads_neither_numpy_nor_pytest():
    # the watcher is an interpreter of its own per grade: what it imports, every grade pays for
    heavy = "('numpy', 'pytest', 'grader.kit', 'grader.grading.results')"
    program = ("import sys; sys.path.append(sys.argv[1]); import grader.grading.deadline; "
               f"print(sorted(m for m in {heavy} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-I", "-c", program, str(REPO)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
