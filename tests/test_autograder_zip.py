"""The autograder zip runs unchanged against a simulated /autograder tree."""
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO
from grader.assignment.config import all_slugs, load_assignment
from grader.build.autograder import build_autograder
from grader.build.hashes import gradescope_pins, hashed_requirements
from gradescope_schema import validate

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
    # hidden checks: after the due date
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_due_date"}


def test_requirements_pin_the_versions_the_tests_run_with(tmp_path):
    archive = build_autograder("a1_softsign", tmp_path)
    with zipfile.ZipFile(archive) as z:
        lines = z.read("requirements.txt").decode().splitlines()
        setup = z.read("setup.sh").decode()
    assert "--require-hashes --only-binary=:all: -r /autograder/source/requirements.txt" in setup
    assert "(3, 10)" in setup  # the wheels' interpreter, checked before installing
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^ ]+ --hash=sha256:[0-9a-f]{64}", line) for line in lines), lines
    pins = dict(line.split(" ")[0].split("==") for line in lines)
    assert [f"{n}=={v}" for n, v in pins.items()] == gradescope_pins()  # regenerated after every edit of the lock
    with open(REPO / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    names = {canonicalize_name(n) for n in pins}
    assert all(canonicalize_name(Requirement(d).name) in names for d in project["dependencies"])  # tomli too
    for extra in ("cluster", "similarity"):  # the instructors' extras never reach Gradescope
        only = {canonicalize_name(Requirement(d).name) for d in project["optional-dependencies"][extra]}
        assert only and not only & names
    assert not {"dask", "tornado", "psutil", "tqdm"} & names
    installed = {name: metadata.version(name) for name in pins if is_installed(name)}
    assert installed == {name: pins[name] for name in installed}
    assert {"numpy", "pytest", "gradescope-utils"} <= set(installed)


def test_hashes_are_of_the_wheels_pip_picks(tmp_path):
    def download(pins, folder):  # what `pip download` leaves: one wheel per pin
        for pin in pins:
            name, version = pin.split("==")
            (folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(pin.encode())
    lines = hashed_requirements(["numpy==2.2.6", "gradescope-utils==0.5.0"], download)
    assert lines[1] == f"gradescope-utils==0.5.0 --hash=sha256:{hashlib.sha256(b'gradescope-utils==0.5.0').hexdigest()}"
    with pytest.raises(SystemExit, match="no wheel for scipy==1.15.3"):
        hashed_requirements(["scipy==1.15.3"], lambda pins, folder: None)


def is_installed(name):
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False
