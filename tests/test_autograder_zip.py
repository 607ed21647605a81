"""The autograder zip runs unchanged against a simulated /autograder tree."""
import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO
from gradescope_schema import validate
from grader.build.autograder import build_autograder
from grader.config import all_slugs, load_assignment

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@pytest.mark.parametrize("slug", all_slugs())
def test_run_autograder_grades_a_submission(slug, tmp_path):
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
    for name in spec.submit:
        (root / "submission" / "nested" / name).write_text((spec.reference / name).read_text())
    (root / "results").mkdir()
    script = root / "source" / "run_autograder"
    os.chmod(script, 0o755)
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    assert results["score"] == spec.total_points
    assert f"nested/{spec.submit[0]}" in results["output"]
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_due_date"}  # hidden checks: after the due date


def test_requirements_pin_the_versions_the_tests_run_with(tmp_path):
    archive = build_autograder("a1_softsign", tmp_path)
    with zipfile.ZipFile(archive) as z:
        pins = dict(line.split("==") for line in z.read("requirements.txt").decode().splitlines())
        setup = z.read("setup.sh").decode()
    assert "-r /autograder/source/requirements.txt" in setup
    with open(REPO / "pyproject.toml", "rb") as f:
        wanted = [Requirement(d) for d in tomllib.load(f)["project"]["dependencies"]]
    names = {canonicalize_name(n) for n in pins}
    assert all(canonicalize_name(r.name) in names for r in wanted)  # tomli too: Gradescope runs 3.10
    installed = {name: metadata.version(name) for name in pins if is_installed(name)}
    assert installed == {name: pins[name] for name in installed}
    assert {"numpy", "pytest", "gradescope-utils"} <= set(installed)


def is_installed(name):
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False
