"""The autograder zip runs unchanged against a simulated /autograder tree."""
import json
import os
import subprocess
import sys
import zipfile

from gradescope_schema import validate
from grader.build.autograder import build_autograder
from grader.config import load_assignment


def test_run_autograder_grades_a_submission(tmp_path):
    slug = "a1_softsign"
    spec = load_assignment(slug)
    archive = build_autograder(slug, tmp_path / "dist")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        assert ".grader-secret" in names  # each build seeds hidden inputs with its own secret
        assert not any(n.startswith(("tests/", "student_template/")) for n in names)
        z.extractall(root / "source")
    (root / "submission" / "nested").mkdir(parents=True)
    (root / "submission" / "nested" / "models.py").write_text((spec.reference / "models.py").read_text())
    (root / "results").mkdir()
    script = root / "source" / "run_autograder"
    os.chmod(script, 0o755)
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    assert results["score"] == spec.total_points
    assert "nested/models.py" in results["output"]


def test_requirements_follow_pyproject(tmp_path):
    archive = build_autograder("a1_softsign", tmp_path)
    with zipfile.ZipFile(archive) as z:
        requirements = z.read("requirements.txt").decode()
    assert "numpy" in requirements and "gradescope-utils" in requirements and "tomli" in requirements
