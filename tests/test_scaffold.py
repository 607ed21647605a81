"""`python -m grader new <slug>` in a copy of the repository: the new
assignment passes the repository's own per-assignment tests as it stands."""
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from grader.assignment.config import ConfigError
from grader.build.scaffold import scaffold

IGNORED = shutil.ignore_patterns(".venv", ".git", "__pycache__", "dist", "graded", ".pytest_cache", ".hypothesis",
                                 ".grader-secret")


SLUG = "scaffolded"  # not "demo": an instructor may have made that one already to try `new`


def test_new_assignment_passes_the_per_assignment_tests(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=IGNORED)
    run = subprocess.run([sys.executable, "-m", "grader", "new", SLUG], cwd=copy, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for folder in (f"assignments/{SLUG}/checks/public", f"assignments/{SLUG}/checks/hidden",
                   f"assignments/{SLUG}/data", f"reference/{SLUG}", f"student_template/{SLUG}"):
        assert any((copy / folder).iterdir()), folder
    assert "BEGIN SOLUTION" in (copy / f"reference/{SLUG}/model.py").read_text()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", SLUG,
                            "tests/test_scores.py", "tests/test_mutants.py", "tests/unit/test_template.py",
                            "tests/test_student_release.py", "tests/unit/test_manifest.py",
                            "tests/unit/test_kit_items.py"],
                           cwd=copy, capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and not (REPO / "assignments" / SLUG).exists()


@pytest.mark.parametrize("slug", ["Demo", "1demo", "de-mo", "a1_softsign"])
def test_bad_or_taken_slugs_are_refused(slug):
    with pytest.raises(ConfigError):
        scaffold(slug)
