"""report.html: self-contained, with its three figures, rendered by headless Chromium."""
import re
import shutil
import subprocess

import pytest

from grader.config import load_assignment
from grader.failures import bug_sentences
from grader.report import bug_counts, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def result(score, tags_by_number):
    tests = [{"number": n, "name": f"item {n}", "max_score": 1.0, "score": 0.0 if n in tags_by_number else 1.0,
              "tags": tags_by_number.get(n, []), "output": "",
              "extra_data": {"bugs": bug_sentences(tags_by_number.get(n, []))}} for n in ("1.1", "1.2", "2.1")]
    return {"score": score, "tests": tests}


GRADED = [("alice", result(3, {})), ("bob", result(2, {"1.2": ["transposed"]})),
          ("carol", result(1, {"1.2": ["transposed", "wrong-values"], "2.1": ["sign-flip"]})),
          ("dave", result(2, {"2.1": ["sign-flip"]}))]


@pytest.fixture
def report(tmp_path):
    return write_report(tmp_path / "report.html", load_assignment("a1_softsign"), GRADED)


def test_bug_classes_are_counted_per_item():
    counts = bug_counts(GRADED)
    assert counts[("1.2", "item 1.2", "transposed")] == 2 and counts[("2.1", "item 2.1", "sign-flip")] == 2
    assert not any(tag == "wrong-values" for _, _, tag in counts)


def test_report_is_self_contained(report):
    text = report.read_text()
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', text)) == 3
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "50% returned a transposed result in 1.2" in text


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_renders_every_figure(report, tmp_path):
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
                           "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert 'data-figures-shown="3"' in proc.stdout, proc.stderr[-2000:]
