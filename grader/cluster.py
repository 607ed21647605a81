"""Grade a class on a Dask cluster: one task per submission, graded on a worker exactly as
`grade` would, in a grader process with its own sandbox.

No shared file system is assumed: a submission travels to the worker as bytes
(capped like an upload) and its results come back as data. Every worker must
run the same grader and assignment as the client (the fingerprint of
grader.cache); one that does not is named and the run refused. A worker that
dies mid-task has its task rerun elsewhere by the scheduler; a submission
that takes down more than `ALLOWED_FAILURES` workers is reported as not graded.
"""
import asyncio
import io
import logging
import os
import signal
import tempfile
import time
import zipfile
from concurrent.futures import CancelledError
from pathlib import Path

from . import results
from .cache import fingerprint
from .intake import MAX_TOTAL_BYTES
from .isolated import EnvironmentFailure, become_subreaper, run_one

ALLOWED_FAILURES = 2     # worker deaths a task may cause before it is given up
RETRIES = 1              # reruns of a task that raised (not the submission's fault)
LOST_AFTER = 15.0        # seconds without the scheduler before the run fails
NOT_GRADED = "This submission could not be graded: {why}."
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)  # one and the same only from Python 3.11
LOST = ("lost the connection to the Dask scheduler at {address}; results already written stay valid "
        "and cached: run again to grade the rest")


class ClusterAddressError(ValueError):
    """--cluster names no usable cluster: the instructor's input, one line."""


def connect(address):
    """A Client for `address`: tcp://host:port, or local[:N] for a LocalCluster of N processes."""
    import dask
    from distributed import Client, LocalCluster
    quiet_logs()
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise ClusterAddressError(f"--cluster {address}: the number of local workers must be a positive integer")
        workers = int(count or os.cpu_count() or 1)
        # Its processes share our terminal's process group: they ignore Ctrl-C, which is ours to handle.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.CRITICAL)
        finally:
            signal.signal(signal.SIGINT, previous)
        return Client(cluster)
    try:
        return Client(address, timeout="10s")
    except (OSError, *TIMEOUTS) as problem:
        raise EnvironmentFailure(f"cannot reach the Dask scheduler at {address}: {problem}") from None


def quiet_logs():
    """Dask's client logs every failed reconnect with a traceback; grade-all reports faults
    once, in one line, itself."""
    for name in list(logging.root.manager.loggerDict) + ["distributed", "tornado", "asyncio"]:
        if name.split(".")[0] in ("distributed", "tornado", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def worker_fingerprint(slug):
    """Run on each worker: its fingerprint of the grader and the assignment."""
    try:
        from .config import load_assignment
        return fingerprint(load_assignment(slug))
    except Exception as problem:  # a worker without the assignment says so instead of failing the call
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
    from .config import load_assignment
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


def grade_on_cluster(address, assignment, todo, outdir, timeout, stop, client=None):
    """Yield (submission, results, problem) as workers finish; like batch.grade_locally.
    With `client` given, it is used and left open (the bench times start-up apart)."""
    from distributed import wait
    become_subreaper()  # a LocalCluster's workers, and what they start, stay below us
    own_client = client is None
    client = client or connect(address)
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
    """A finished future as {"results"/"problem"} or {"refused"}."""
    if future.status == "finished":
        return future.result()
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

