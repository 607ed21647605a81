"""Helpers for the harness's own tests: grading runs in a separate process,
exactly as an instructor or Gradescope would run it.

Tests under tests/unit/ run in-process in well under a second each
(`make test-fast`); every other test is marked `end_to_end`. GRADER_SECRET is fixed so that hidden inputs, and so the
expected outcomes, do not depend on the machine's secret."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("GRADER_SECRET", "the repository's own tests")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name != "unit":
            item.add_marker(pytest.mark.end_to_end)
IS_ROOT = os.geteuid() == 0


def grade(slug, submission, out):
    """Run `python -m grader grade` and return the results dict."""
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", slug, str(submission), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, errors="replace", timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(Path(out).read_text())


def scores(results):
    """number -> (score, max_score) for the graded items."""
    return {t["number"]: (t["score"], t["max_score"]) for t in results["tests"] if t.get("max_score")}


def lost(results):
    return sorted(n for n, (s, m) in scores(results).items() if s < m)


def outputs(results):
    return {t["number"]: t["output"] for t in results["tests"] if t.get("max_score")}


def zip_files(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


@pytest.fixture
def grade_files(tmp_path):
    """Grade a submission given as {file name: text}; returns the results dict."""
    counter = iter(range(1000))

    def run(slug, files):
        n = next(counter)
        folder = tmp_path / f"submission{n}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        return grade(slug, folder, tmp_path / f"results{n}.json")
    return run


@pytest.fixture
def no_histogram(monkeypatch):
    """report.html without drawing its histogram (a placeholder image), for tests of its text."""
    from grader.classroom import report

    def placeholder(fig):
        report.plt.close(fig)
        return "data:image/png;base64,AAAA"
    monkeypatch.setattr(report, "figure_uri", placeholder)


def pytest_terminal_summary(terminalreporter):
    """One line for the adversarial suite: how many cases ran and how many broke through."""
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
               if r.when == "call" and "test_adversarial.py::test_case_gets_its_outcome" in r.nodeid]
    if reports:
        breaches = sum(r.failed for r in reports)
        terminalreporter.write_line(f"adversarial: {len(reports)} cases, {breaches} breaches")
