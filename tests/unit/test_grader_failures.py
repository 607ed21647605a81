"""A grader-side failure is never a silent zero: it stops grading with one line, or marks the
results as not final (exit 2, report.html, run_autograder leaves no results.json)."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import REPO
from grader import cli
from grader.assignment.config import ConfigError
from grader.build.autograder import GRADER_FAILED, build_autograder, script as autograder_script
from grader.classroom.batch import Graded, Submission
from grader.classroom.report import attention, write_report
from grader.failures import GRADER_FAULT
from grader.grading.grade import metadata_lateness, validated
from grader.grading.results import FALLBACK, PENDING, grader_faults

SLUG = "a1_softsign"


def small_repo(root, edit=None):
    """One assignment (manifest, checks, reference) under `root`, its manifest edited by `edit`."""
    for folder in (f"assignments/{SLUG}", f"reference/{SLUG}"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = root / "assignments" / SLUG / "assignment.toml"
    if edit:
        manifest.write_text(edit(manifest.read_text()))
    return root


def more_points(text):
    """Part 1 is worth one point more than its checks weigh."""
    head, part, rest = text.partition("[parts.1]")
    line = next(line for line in rest.splitlines() if line.startswith("points"))
    return head + part + rest.replace(line, f"points = {float(line.split('=')[1]) + 1:g}", 1)


def test_a_points_mismatch_stops_validation_and_the_autograder_build(tmp_path):
    root = small_repo(tmp_path / "repo", more_points)
    with pytest.raises(ConfigError, match=rf"assignments/{SLUG}/assignment.toml \[parts.1\] points: part '1'"):
        validated(SLUG, root)
    with pytest.raises(ConfigError, match=r"\[parts.1\] points"):
        build_autograder(SLUG, tmp_path / "dist", root)
    assert not (tmp_path / "dist" / f"{SLUG}-autograder.zip").exists()


@pytest.mark.parametrize("path,words", [
    (f"reference/{SLUG}/models.py", f"reference/{SLUG}/models.py does not exist"),
    (f"assignments/{SLUG}/data/data.npz", f"assignments/{SLUG}/data/data.npz does not exist"),
])
def test_a_missing_data_or_reference_file_stops_validation(tmp_path, path, words):
    root = small_repo(tmp_path / "repo")
    (root / path).unlink()
    with pytest.raises(ConfigError, match=words):
        validated(SLUG, root)


def test_a_reference_that_does_not_import_stops_validation(tmp_path):
    root = small_repo(tmp_path / "repo")
    models = root / "reference" / SLUG / "models.py"
    models.write_text("import numpy_misspelt\n" + models.read_text())
    with pytest.raises(ConfigError, match=f"reference/{SLUG} does not import: ModuleNotFoundError"):
        validated(SLUG, root)


@pytest.mark.parametrize("text", ["{not json", '{"assignment": {"due_date": "2026-03-01T23:59:00-05:00"}}',
                                  '{"created_at": "yesterday", "assignment": {"due_date": "2026-03-01T23:59:00Z"}}'])
def test_gradescope_metadata_the_late_policy_cannot_use_is_an_error(tmp_path, text):
    path = tmp_path / "submission_metadata.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="cannot be read for the late policy"):
        metadata_lateness(path)


def results_with(outputs, **top):
    tests = [{"name": f"item {n}", "number": n, "score": 0, "max_score": 1, "output": o} for n, o in outputs.items()]
    return {"score": 0, "output": "", "tests": tests, **top}


@pytest.mark.parametrize("graded,faults", [
    (results_with({"1.1": "wrong", "1.2": GRADER_FAULT}), ["1.2"]),
    (results_with({"1.1": "wrong", "1.2": PENDING}), ["1.2"]),  # the grader stopped before reaching it
    (results_with({"1.1": "wrong"}) | {"tests": [{"name": "Grader fault in x", "score": 0, "max_score": 0}]},
     ["Grader fault in x"]),
    ({"score": 0, "output": FALLBACK, "tests": []}, ["the whole submission"]),
    (results_with({"1.1": "wrong", "1.2": "Not attempted: f still raises NotImplementedError."}), []),
])
def test_grader_faults_are_told_apart_from_the_students_mistakes(graded, faults, tmp_path):
    assert grader_faults(graded) == faults
    entry = Graded(Submission("ann", tmp_path), graded)
    assert any("the grader failed" in reason for reason in attention(entry)) == bool(faults)


def test_report_never_calls_a_run_with_a_grader_fault_normal(tmp_path):
    from grader.assignment.config import load_assignment
    entry = Graded(Submission("ann", tmp_path), results_with({"1.1": PENDING}))
    page = write_report(tmp_path / "report.html", load_assignment(SLUG), [entry]).read_text()
    assert "graded normally" not in page and "the grader failed on it" in page


def test_grade_exits_2_when_the_grader_failed_on_an_item(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("grader.grading.grade.grade",
                        lambda *a, **k: results_with({"1.1": "wrong", "1.2": GRADER_FAULT}))
    status = cli.main(["grade", SLUG, str(tmp_path), "-o", str(tmp_path / "r.json")])
    said = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(said) == 1 and "failed on 1.2" in said[0] and "not final" in said[0]


def run_autograder(tmp_path, exit_status):
    """run_autograder with a stand-in for Python that writes a results.json and exits as told."""
    root = tmp_path / "autograder"
    for folder in ("source", "results", "submission"):
        (root / folder).mkdir(parents=True)
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho \'{{"score": 0, "tests": []}}\' > "{root}/results/results.json"\n'
                    f"echo 'error: the grader broke' >&2\nexit {exit_status}\n")
    fake.chmod(0o755)
    script = tmp_path / "run_autograder"
    script.write_text(autograder_script("run_autograder", SLUG))
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": str(fake)}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
    return proc, root / "results" / "results.json"


@pytest.mark.parametrize("exit_status", [2, 1])
def test_on_gradescope_a_grader_failure_leaves_no_score_that_looks_real(tmp_path, exit_status):
    proc, results = run_autograder(tmp_path, exit_status)
    assert proc.returncode == exit_status and not results.exists()
    assert GRADER_FAILED in proc.stdout and "the grader broke" in proc.stderr


def test_on_gradescope_a_normal_run_keeps_its_results(tmp_path):
    proc, results = run_autograder(tmp_path, 0)
    assert proc.returncode == 0 and json.loads(results.read_text())["score"] == 0 and GRADER_FAILED not in proc.stdout


def test_grade_all_refuses_a_bad_due_date_in_one_line(tmp_path, capsys):
    status = cli.main(["grade-all", SLUG, str(tmp_path), "-o", str(tmp_path / "out"), "--due", "2026-03-01"])
    said = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(said) == 1 and "UTC offset" in said[0]
    assert not (tmp_path / "out").exists()

