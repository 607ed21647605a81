"""The student zip: what it holds, and `grader check` run from it as a student would."""
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from grader.build.student import build_student
from grader.config import all_slugs, load_assignment


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    return {slug: build_student(slug, dist) for slug in all_slugs()}


@pytest.mark.parametrize("slug", all_slugs())
def test_release_holds_templates_and_public_checks_only(slug, releases):
    spec = load_assignment(slug)
    names = zipfile.ZipFile(releases[slug]).namelist()
    for name in spec.submit + spec.support + spec.data:
        assert f"{slug}/{name}" in names
    assert f"{slug}/handout.md" in names and f"{slug}/grader/__main__.py" in names
    assert f"{slug}/grader/kit/__init__.py" in names and f"{slug}/grader/bench.py" not in names
    assert not any("bench_probe" in n or "grader-secret" in n for n in names)
    assert any("/checks/public/" in n for n in names)
    assert not any("/checks/hidden/" in n or n.startswith(f"{slug}/reference") or "mutants" in n for n in names)
    with zipfile.ZipFile(releases[slug]) as archive:
        for name in spec.submit:
            assert "BEGIN SOLUTION" not in archive.read(f"{slug}/{name}").decode()


@pytest.mark.parametrize("slug", all_slugs())
def test_release_data_lacks_the_graded_labels(slug, releases, tmp_path):
    spec = load_assignment(slug)
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    for name, withheld in spec.release_withhold.items():
        with np.load(tmp_path / slug / name) as data:
            assert withheld and not set(withheld) & set(data.files)


@pytest.mark.parametrize("slug", all_slugs())
def test_student_runs_public_checks_from_the_release(slug, releases, tmp_path):
    spec = load_assignment(slug)
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / slug

    def check():
        return subprocess.run([sys.executable, "-m", "grader", "check", slug, "."], cwd=folder,
                              capture_output=True, text=True, timeout=300)
    before = check()
    assert before.returncode == 0, before.stderr[-2000:]
    assert "Not attempted" in before.stdout and before.stdout.splitlines()[-1].startswith("0 of")
    for name in spec.submit:
        (folder / name).write_text((spec.reference / name).read_text())
    after = check()
    assert "FAIL" not in after.stdout, after.stdout
    assert "public items pass" in after.stdout
