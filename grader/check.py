"""`python -m grader check <slug> [folder]`: the public checks on a student's
working folder, with the autograder's messages, printed for a terminal."""
import contextlib
import io
import tempfile
from pathlib import Path

from .config import load_assignment
from .grade import run_checks
from .intake import IntakeError, stage

NOTE = "Hidden checks run when you submit; they compare with the reference on inputs you have not seen."


def check(slug, folder):
    """Run the public checks on `folder`; print a line per item; return the results."""
    assignment = load_assignment(slug)
    folder = Path(folder).resolve()
    trusted = None if assignment.reference.is_dir() else folder  # unpacked student zip: no reference/
    with tempfile.TemporaryDirectory(prefix="grader-check-") as workspace:
        try:
            staged = stage(assignment, folder, workspace, trusted=trusted)
        except (IntakeError, FileNotFoundError) as problem:
            print(f"Cannot check {folder}: {problem}")
            return None
        out = Path(workspace) / "results.json"
        with contextlib.redirect_stdout(io.StringIO()):
            results = run_checks(assignment, staged, out, notes=staged.notes, dirs=[assignment.checks[0]],
                                 full=False)
    print(f"{slug}: public checks on {folder}")
    for test in results["tests"]:
        if not test.get("max_score"):
            continue
        verdict = "OK  " if test["score"] >= test["max_score"] else "FAIL"
        print(f"  {verdict} {test['number']:>5} {test['name']}  ({test['score']:g}/{test['max_score']:g})")
        if test["output"]:
            print("\n".join("             " + line for line in test["output"].splitlines()))
    passed = sum(t["score"] >= t["max_score"] for t in results["tests"] if t.get("max_score"))
    total = sum(1 for t in results["tests"] if t.get("max_score"))
    print(f"{passed} of {total} public items pass. {NOTE}")
    return results
