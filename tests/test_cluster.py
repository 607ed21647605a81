"""grade-all --cluster over mutual TLS: a LocalCluster, then a real `dask scheduler` with two
`dask worker` processes on 127.0.0.1 (stopped by pid), one of which is killed mid-run; and
outsiders without the cluster's credentials, who can neither connect nor run code."""
import asyncio
import csv
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, zip_files
from grader.assignment.config import load_assignment
from grader.build.samples import build_samples

distributed = pytest.importorskip("distributed")

SLUG = "a1_softsign"
REFERENCE = (load_assignment(SLUG).reference / "models.py").read_text()


def grade_all(folder, out, *extra):
    return subprocess.run([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def grades(out):
    with open(out / "grades.csv") as f:
        return {row["submission"]: {k: v for k, v in row.items() if k != "submission"} for row in csv.DictReader(f)}


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
def certs(tmp_path_factory):
    """The credentials of the module's cluster, written by the grader's own command."""
    folder = tmp_path_factory.mktemp("dask") / "certs"
    made = subprocess.run([sys.executable, "-m", "grader", "cluster-certs", str(folder)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, certs):
    """A scheduler and two workers as separate processes, like on a few machines, started
    with the command lines README.md gives."""
    logs = tmp_path_factory.mktemp("dask")
    address = f"tls://127.0.0.1:{_free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "2"}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    tls = ["--tls-ca-file", str(certs / "ca.pem")]
    procs = [subprocess.Popen(dask + ["--host", "tls://127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                      "--no-dashboard", *tls, "--tls-cert", str(certs / "scheduler.pem"),
                                      "--tls-key", str(certs / "scheduler.key")],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "w"))]
    for i in range(2):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
             "--no-dashboard", "--name", f"worker{i}", *tls, "--tls-cert", str(certs / "worker.pem"),
             "--tls-key", str(certs / "worker.key")],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{i}.log", "w")))
    try:
        with client_of(address, certs) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def client_of(address, certs):
    from grader.classroom.cluster_certs import client_security
    return distributed.Client(address, security=client_security(certs), timeout="30s")


def class_folder(root, count):
    root.mkdir()
    for i in range(count):
        zip_files(root / f"student{i}.zip", {"models.py": REFERENCE})
    return root


def test_a_scheduler_and_two_workers_grade_a_class(cluster, certs, tmp_path):
    address, _ = cluster
    folder = class_folder(tmp_path / "subs", 4)
    proc = grade_all(folder, tmp_path / "out", "--cluster", address, "--cluster-certs", str(certs))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [float(r["total"]) for r in grades(tmp_path / "out").values()] == [10.0] * 4
    again = grade_all(folder, tmp_path / "out", "--cluster", address, "--cluster-certs", str(certs))
    assert "graded 0, reused 4" in again.stdout  # the cache works the same: nothing is sent again


def test_a_worker_with_other_code_is_refused_by_name(cluster, certs):
    from grader.classroom.cluster import check_workers
    from grader.classroom.isolated import EnvironmentFailure
    address, _ = cluster
    with client_of(address, certs) as client:
        with pytest.raises(EnvironmentFailure, match=r"Dask worker tls://127\.0\.0\.1:\d+ has a different grader"):
            check_workers(client, SLUG, "0" * 16)


OUTSIDERS = ["plain tcp", "tls without a certificate", "a certificate of another authority"]


def outsider(kind, ca):
    """(scheme, connection arguments) of someone without the client's key who trusts the
    cluster's authority (its certificate, ca.pem, is no secret)."""
    from grader.classroom.cluster_certs import local_security
    if kind == "plain tcp":
        return "tcp", {}
    if kind == "tls without a certificate":
        context = ssl.create_default_context(cadata=ca)
        context.check_hostname = False
    else:
        context = local_security().get_connection_args("client")["ssl_context"]
        context.load_verify_locations(cadata=ca)
    return "tls", {"ssl_context": context, "require_encryption": True}


def servers(client):
    """(address, operation) of every process of a cluster that runs a function on request:
    the scheduler (for all workers, as Client.run asks), each worker and each nanny."""
    found = [(client.scheduler.address, "broadcast")]
    for address, worker in client.scheduler_info()["workers"].items():
        found += [(address, "run")] + ([(worker["nanny"], "run")] if worker.get("nanny") else [])
    return found


def run_as(address, operation, marker, connection_args):
    """Ask a server to write `marker`, with the request Client.run sends; the exception if refused."""
    from distributed.core import rpc
    from distributed.protocol.pickle import dumps
    request = {"function": dumps(Path(marker).write_text), "args": dumps(("ran",)), "kwargs": dumps({})}

    async def ask():
        async with rpc(address, connection_args=connection_args, timeout=5) as server:
            if operation == "broadcast":
                return await server.broadcast(msg={"op": "run", **request})
            return await server.run(**request)
    try:
        return asyncio.run(asyncio.wait_for(ask(), 30))
    except Exception as problem:  # noqa: BLE001  the caller asserts on whatever failed
        return problem


@pytest.fixture(scope="module")
def local_cluster():
    """What `--cluster local:1` starts, in this process."""
    from grader.classroom.cluster import close, connect, plan
    client = connect(plan("local:1"))
    yield client
    close(client)


def every_server(cluster, certs, local_cluster):
    """(address, operation, the authority's certificate) of both clusters' servers."""
    with client_of(cluster[0], certs) as client:
        remote = servers(client)
    return ([(*server, (certs / "ca.pem").read_text()) for server in remote]
            + [(*server, local_cluster.security.tls_ca_file) for server in servers(local_cluster)])


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_an_outsider_can_neither_connect_nor_run_code(cluster, certs, local_cluster, tmp_path, kind):
    found = every_server(cluster, certs, local_cluster)
    assert len(found) == 1 + 2 + 1 + 2 and all(a.startswith("tls://127.0.0.1:") for a, _, _ in found), found
    for address, operation, ca in found:
        scheme, connection_args = outsider(kind, ca)
        marker = tmp_path / f"{operation}-{address.rsplit(':', 1)[1]}"
        outcome = run_as(f"{scheme}://{address.partition('://')[2]}", operation, marker, connection_args)
        assert isinstance(outcome, OSError) and not marker.exists(), (address, outcome)


def test_the_same_request_with_the_client_certificate_runs(cluster, certs, local_cluster, tmp_path):
    """So the outsiders above fail for want of credentials, not because of their request."""
    from grader.classroom.cluster_certs import client_security
    for address, security in [(cluster[0], client_security(certs)),
                              (local_cluster.scheduler.address, local_cluster.security)]:
        marker = tmp_path / address.rsplit(":", 1)[1]
        outcome = run_as(address, "broadcast", marker, security.get_connection_args("client"))
        assert marker.read_text() == "ran", outcome


def start_grade_all(address, certs, folder, out):
    """grade-all on the cluster, in the background, for a test to interfere with."""
    return subprocess.Popen([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out),
                             "--cluster", address, "--cluster-certs", str(certs)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killing_a_worker_mid_run_still_grades_everyone(cluster, certs, tmp_path):
    address, procs = cluster
    out = tmp_path / "out"
    run = start_grade_all(address, certs, class_folder(tmp_path / "subs", 6), out)
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


def test_losing_the_scheduler_fails_loudly_and_keeps_what_was_written(cluster, certs, tmp_path):
    address, procs = cluster
    out = tmp_path / "out"
    run = start_grade_all(address, certs, class_folder(tmp_path / "subs", 4), out)
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

