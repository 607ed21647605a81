"""Same submission, same score; a killed grader still leaves a valid results.json;
the zip validator survives arbitrary bytes."""
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, grade, zip_files
from grader.assignment.config import load_assignment
from grader.authoring.mutants import load_mutants, mutant_files
from grader.submission.intake import IntakeError, extract_zip
from gradescope_schema import validate


def comparable(results):
    return [(t.get("number"), t["score"], t["output"]) for t in results["tests"]]


def test_scores_repeat_across_runs_and_blas_threads(tmp_path, monkeypatch):
    spec = load_assignment("a1_softsign")
    mutant = next(m for m in load_mutants("a1_softsign") if m["name"] == "sum_instead_of_mean")
    submission = zip_files(tmp_path / "s.zip", mutant_files(spec, mutant))
    runs = [grade("a1_softsign", submission, tmp_path / f"r{i}.json") for i in range(3)]
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    runs.append(grade("a1_softsign", submission, tmp_path / "threads.json"))
    assert all(comparable(r) == comparable(runs[0]) for r in runs[1:])
    assert 0 < runs[0]["score"] < spec.total_points


def test_killing_the_grader_leaves_valid_results(tmp_path):
    spec = load_assignment("a1_softsign")
    submission = zip_files(tmp_path / "s.zip", {"models.py": (spec.reference / "models.py").read_text()})
    delays = random.Random(7).sample([i / 10 for i in range(1, 25)], 6)
    for n, delay in enumerate(delays):
        out = tmp_path / f"r{n}.json"
        proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", "a1_softsign", str(submission),
                                 "-o", str(out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if out.exists():  # killed before the fallback was written: nothing to read yet
            validate(json.loads(out.read_text()))


def valid_zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hw/models.py", "def f():\n    return 1\n" * 20)
        archive.writestr("hw/notes.txt", "x" * 3000)
    return buffer.getvalue()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=2000),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=12).map(
        lambda edits: _mutate(valid_zip_bytes(), edits))))
def test_zip_validator_never_crashes(tmp_path, data):
    path = tmp_path / "fuzz.zip"
    path.write_bytes(data)
    dest = tmp_path / f"out{random.random()}"
    try:
        extract_zip(path, dest)
    except IntakeError:
        pass
    if dest.exists():
        for written in dest.rglob("*"):
            assert dest.resolve() in written.resolve().parents


def _mutate(blob, edits):
    blob = bytearray(blob)
    for offset, value in edits:
        blob[offset % len(blob)] = value
    return bytes(blob)
