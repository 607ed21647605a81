"""grade-all --cluster: a LocalCluster, then a real `dask scheduler` with two `dask worker`
processes on 127.0.0.1 (stopped by pid), one of which is killed mid-run."""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import REPO, zip_files
from grader.build.samples import build_samples
from grader.config import load_assignment

distributed = pytest.importorskip("distributed")

SLUG = "a1_softsign"
REFERENCE = (load_assignment(SLUG).reference / "models.py").read_text()


def grade_all(folder, out, *extra):
    return subprocess.run([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def grades(out):
    with open(out / "grades.csv") as f:
        return {row["submission"]: {k: v for k, v in row.items() if k != "submission"} for row in csv.DictReader(f)}


@pytest.mark.parametrize("address", ["local:0", "local:two"])
def test_a_bad_local_worker_count_is_one_line(tmp_path, address):
    (tmp_path / "in").mkdir()
    zip_files(tmp_path / "in" / "s.zip", {"models.py": REFERENCE})
    run = grade_all(tmp_path / "in", tmp_path / "out", "--cluster", address)
    assert run.returncode == 1 and run.stderr.strip().splitlines() == [
        f"error: --cluster {address}: the number of local workers must be a positive integer"], run.stderr


def test_local_cluster_gives_the_scores_of_one_local_job(tmp_path):
    samples = build_samples(SLUG, tmp_path / "samples")
    serial = grade_all(samples, tmp_path / "serial", "-j", "1")
    assert serial.returncode == 0, serial.stderr[-2000:]
    clustered = grade_all(samples, tmp_path / "cluster", "--cluster", "local:2")
    assert clustered.returncode == 0, clustered.stderr[-2000:]
    assert grades(tmp_path / "cluster") == grades(tmp_path / "serial")
    assert len(grades(tmp_path / "serial")) >= 5


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers as separate processes, like on a few machines."""
    logs = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "2"}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen(dask + ["--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "w"))]
    for i in range(2):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
             "--no-dashboard", "--name", f"worker{i}"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{i}.log", "w")))
    try:
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def class_folder(root, count):
    root.mkdir()
    for i in range(count):
        zip_files(root / f"student{i}.zip", {"models.py": REFERENCE})
    return root


def test_a_scheduler_and_two_workers_grade_a_class(cluster, tmp_path):
    address, _ = cluster
    folder = class_folder(tmp_path / "subs", 4)
    proc = grade_all(folder, tmp_path / "out", "--cluster", address)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [float(r["total"]) for r in grades(tmp_path / "out").values()] == [10.0] * 4
    again = grade_all(folder, tmp_path / "out", "--cluster", address)
    assert "graded 0, reused 4" in again.stdout  # the cache works the same: nothing is sent again


def test_a_worker_with_other_code_is_refused_by_name(cluster):
    from grader.cluster import check_workers
    from grader.isolated import EnvironmentFailure
    address, _ = cluster
    with distributed.Client(address, timeout="30s") as client:
        with pytest.raises(EnvironmentFailure, match=r"Dask worker tcp://127\.0\.0\.1:\d+ has a different grader"):
            check_workers(client, SLUG, "0" * 16)


def start_grade_all(address, folder, out):
    """grade-all on the cluster, in the background, for a test to interfere with."""
    return subprocess.Popen([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out),
                             "--cluster", address], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_killing_a_worker_mid_run_still_grades_everyone(cluster, tmp_path):
    address, procs = cluster
    out = tmp_path / "out"
    run = start_grade_all(address, class_folder(tmp_path / "subs", 6), out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        try:
            if json.loads((out / ".grade-all-cache.json").read_text())["submissions"]:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before a worker could be killed"
    os.kill(procs[2].pid, signal.SIGKILL)  # one worker dies while the other keeps going
    stdout, stderr = run.communicate(timeout=180)
    assert run.returncode == 0, stderr[-2000:]
    assert procs[2].wait(5) == -signal.SIGKILL
    assert [float(r["total"]) for r in grades(out).values()] == [10.0] * 6


def test_losing_the_scheduler_fails_loudly_and_keeps_what_was_written(cluster, tmp_path):
    address, procs = cluster
    out = tmp_path / "out"
    run = start_grade_all(address, class_folder(tmp_path / "subs", 4), out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None and not list(out.glob("*/results.json")):
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before the scheduler could be stopped"
    os.kill(procs[0].pid, signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 2 and "lost the connection to the Dask scheduler" in stderr
    assert "Traceback" not in stderr and not (out / "grades.csv").exists()
    for path in out.glob("*/results.json"):
        assert "score" in json.loads(path.read_text())

