"""Grade a class on a Dask cluster: one task per submission, graded on a worker exactly as
`grade` would, in a grader process with its own sandbox.

No shared file system is assumed: a submission travels to the worker as bytes
(capped like an upload) and its results come back as data. Every worker must
run the same grader and assignment as the client (the fingerprint of
grader.classroom.cache); one that does not is named and the run refused. A worker that
dies mid-task has its task rerun elsewhere by the scheduler; a submission
that takes down more than `ALLOWED_FAILURES` workers is reported as not graded.
Workers run as root, so every connection is mutual TLS (grader.classroom.cluster_certs);
a plain tcp:// scheduler is used only when the instructor says so.
"""
import asyncio
import importlib.util
import io
import logging
import os
import signal
import tempfile
import time
import zipfile
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path

from ..assignment.seeds import fingerprint
from ..grading import results
from ..submission.intake import MAX_TOTAL_BYTES
from .cluster_certs import CertificateError, client_security, local_security
from .isolated import EnvironmentFailure, become_subreaper, run_one

ALLOWED_FAILURES = 2     # worker deaths a task may cause before it is given up
RETRIES = 1              # reruns of a task that raised (not the submission's fault)
LOST_AFTER = 15.0        # seconds without the scheduler before the run fails
# Dask's HTTP pages (logs, call stacks, worker details) have no authentication: a local cluster serves none.
NO_HTTP_PAGES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
NOT_GRADED = "This submission could not be graded: {why}."
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)  # one and the same only from Python 3.11
LOST = ("lost the connection to the Dask scheduler at {address}; results already written stay valid "
        "and cached: run again to grade the rest")


class ClusterAddressError(ValueError):
    """--cluster names no usable cluster, or one it may not use: the instructor's input, one line."""


@dataclass(frozen=True)
class Cluster:
    """Where to grade, checked before anything is graded: `workers` > 0 for a LocalCluster of
    that many processes; `security` is how the client proves itself to a tls:// scheduler."""
    address: str
    workers: int = 0
    security: object = None


NO_DASK = ("--cluster needs Dask, the optional extra 'cluster' (make installs it): "
           "pip install -c grader/build/requirements-lock.txt -e '.[cluster]'")


def extra_installed():
    """Whether the optional extra 'cluster' (Dask and the TLS credentials' library) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("distributed", "cryptography"))


def plan(address, certs=None, insecure=False):
    """The Cluster that --cluster `address` names; ClusterAddressError if it is unusable (Dask not
    installed, too). A tcp:// scheduler lets whoever reaches it run code as root on the workers:
    only with `insecure`."""
    if not extra_installed():
        raise ClusterAddressError(NO_DASK)
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise ClusterAddressError(f"--cluster {address}: the number of local workers must be a positive integer")
        return Cluster(address, workers=int(count or os.cpu_count() or 1))
    if address.startswith("tls://"):
        if not certs:
            raise ClusterAddressError(f"--cluster {address}: give the folder of the client's certificate with "
                                      f"--cluster-certs DIR (python -m grader cluster-certs DIR writes one)")
        try:
            return Cluster(address, security=client_security(certs))
        except CertificateError as problem:
            raise ClusterAddressError(str(problem)) from None
    if address.startswith("tcp://"):
        if not insecure:
            raise ClusterAddressError(f"--cluster {address}: a tcp:// scheduler lets anyone who can reach it run "
                                      f"code as root on its workers; use tls:// with --cluster-certs, or pass "
                                      f"--insecure-cluster to grade there anyway")
        return Cluster(address)
    raise ClusterAddressError(f"--cluster {address}: give local[:N], tls://host:port with --cluster-certs, "
                              f"or tcp://host:port with --insecure-cluster")


def connect(cluster):
    """A Client for `cluster`; a LocalCluster gets fresh credentials and listens on tls://127.0.0.1."""
    import dask
    from distributed import Client, LocalCluster
    quiet_logs()
    if cluster.workers:
        security = local_security()
        # Its processes share our terminal's process group: they ignore Ctrl-C, which is ours to handle.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                                  **NO_HTTP_PAGES}):
                local = LocalCluster(n_workers=cluster.workers, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", protocol="tls://", security=security,
                                     dashboard_address=None, silence_logs=logging.CRITICAL)
        finally:
            signal.signal(signal.SIGINT, previous)
        return Client(local, security=security)
    try:
        return Client(cluster.address, security=cluster.security, timeout="10s")
    except (OSError, *TIMEOUTS) as problem:
        raise EnvironmentFailure(f"cannot reach the Dask scheduler at {cluster.address}: {problem}") from None


def quiet_logs():
    """Dask's client logs every failed reconnect with a traceback; grade-all reports faults
    once, in one line, itself."""
    for name in list(logging.root.manager.loggerDict) + ["distributed", "tornado", "asyncio"]:
        if name.split(".")[0] in ("distributed", "tornado", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def worker_fingerprint(slug):
    """Run on each worker: its fingerprint of the grader and the assignment."""
    try:
        from ..assignment.config import load_assignment
        return fingerprint(load_assignment(slug))
    except Exception as problem:  # noqa: BLE001  a worker without the assignment says so, not the call
        return f"unusable ({type(problem).__name__}: {problem})"


def check_workers(client, slug, expected):
    """Refuse a cluster whose workers grade with other code than ours, naming the first such worker."""
    found = client.run(worker_fingerprint, slug)
    if not found:
        raise EnvironmentFailure("the Dask cluster has no workers")
    for worker, theirs in sorted(found.items()):
        if theirs != expected:
            raise EnvironmentFailure(f"Dask worker {worker} has a different grader or assignment "
                                     f"({theirs}, here {expected}); install the same project on every worker")


def pack(path):
    """(file name, bytes) of a submission; a folder travels as a zip. None if over the cap."""
    path = Path(path)
    if path.is_file():  # a zip's own name is the student's; a .py or .ipynb keeps its name, which intake reads
        name = "submission.zip" if zipfile.is_zipfile(path) else path.name
        return (name, path.read_bytes()) if path.stat().st_size <= MAX_TOTAL_BYTES else None
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, _, files in os.walk(path):
            for name in sorted(files):
                file = Path(folder) / name
                if file.is_symlink():
                    continue
                total += file.stat().st_size
                if total > MAX_TOTAL_BYTES:
                    return None
                archive.write(file, str(file.relative_to(path)))
    return "submission.zip", buffer.getvalue()


def grade_task(slug, expected, filename, payload, timeout):
    """On a worker: grade one submission given as bytes; returns {"results": ...} or why not."""
    from distributed import get_worker

    from ..assignment.config import load_assignment
    worker = get_worker().address
    theirs = fingerprint(load_assignment(slug))
    if theirs != expected:
        return {"refused": f"Dask worker {worker} has a different grader or assignment ({theirs}, here {expected})"}
    become_subreaper()
    with tempfile.TemporaryDirectory(prefix="grade-task-") as workspace:
        submission = Path(workspace) / "in" / filename
        submission.parent.mkdir()
        submission.write_bytes(payload)
        try:
            return {"results": run_one(slug, submission, Path(workspace) / "out" / "results.json", timeout)}
        except EnvironmentFailure as problem:
            return {"refused": f"Dask worker {worker}: {problem}"}


def grade_on_cluster(cluster, assignment, todo, outdir, timeout, stop, client=None):
    """Yield (submission, results, problem) as workers finish; like batch.grade_locally.
    With `client` given, it is used and left open (the bench times start-up apart)."""
    from distributed import wait
    become_subreaper()  # a LocalCluster's workers, and what they start, stay below us
    address = cluster.address
    own_client = client is None
    client = client or connect(cluster)
    try:
        expected = fingerprint(assignment)
        check_workers(client, assignment.slug, expected)
        futures = {}
        for submission in todo:
            packed = pack(submission.path)
            if packed is None:
                yield submission, *_not_graded(f"it is larger than {MAX_TOTAL_BYTES // 2**20} MB")
                continue
            future = client.submit(grade_task, assignment.slug, expected, *packed, timeout, pure=False,
                                   retries=RETRIES)  # a random key: no student's name on the scheduler
            futures[future] = submission
        pending, lost_since = set(futures), None
        while pending and not stop.is_set():
            try:
                done, pending = wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
            except TIMEOUTS:
                done = set()
            except (CancelledError, OSError):  # the client gave up on the scheduler: every future is gone
                raise EnvironmentFailure(LOST.format(address=address)) from None
            lost_since = _check_connection(client, address, lost_since)
            for future in done:
                outcome = _outcome(future, address)
                if "refused" in outcome:
                    raise EnvironmentFailure(outcome["refused"])
                problem = outcome.get("problem", "")
                graded = outcome["results"]
                target = outdir / futures[future].name / "results.json"
                results.write_atomic(target, graded, indent=1)
                yield futures[future], graded, problem
        if pending:
            client.cancel(list(pending))
    finally:
        if own_client:
            close(client)


def close(client):
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def _outcome(future, address):
    """A finished future as {"results"/"problem"} or {"refused"}; a worker that sends back
    anything else stops the run, as a grader process that cannot run does."""
    if future.status == "finished":
        outcome = future.result()
        if isinstance(outcome, dict) and (isinstance(outcome.get("refused"), str)
                                          or results.well_formed(outcome.get("results"))):
            return outcome
        raise EnvironmentFailure(f"a worker of the Dask cluster at {address} sent back something that is "
                                 f"not a grader's results")
    if future.status == "cancelled":
        raise EnvironmentFailure(LOST.format(address=address))
    error = future.exception()
    if type(error).__name__ == "KilledWorker":
        why = "each Dask worker that tried to grade it died (the scheduler gave up on it)"
    else:
        why = f"grading it failed on the worker ({type(error).__name__}: {error})"
    graded, problem = _not_graded(why)
    return {"results": graded, "problem": problem}


def _not_graded(why):
    problem = NOT_GRADED.format(why=why)
    return results.fallback(problem), problem


def _check_connection(client, address, lost_since):
    """Fail loudly once the scheduler has been unreachable for LOST_AFTER seconds."""
    if client.status == "running":
        return None
    lost_since = lost_since or time.monotonic()
    if time.monotonic() - lost_since > LOST_AFTER:
        raise EnvironmentFailure(LOST.format(address=address))
    return lost_since

