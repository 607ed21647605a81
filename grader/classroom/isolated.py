"""Grade one submission in a grader process of its own, and leave nothing behind.

`grade-all` and the Dask workers both go through `run_one`. The grader process
is forked from a warm one (grader.classroom.warm), which is told the
submission's path and the output path on its standard input, never on a
command line, so other submissions (and other users) cannot read students'
names in /proc/<pid>/cmdline. While it runs, what the grader process starts
(its fork server, the sandbox children, their orphans) is noted by ancestry,
and killed when it ends, is capped or is interrupted, whatever account it runs
as; the calling process becomes a child subreaper, so orphans stay below it.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..grading import results
from . import warm

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
GRACE = 3.0  # seconds a grader process gets to finish its results file after SIGINT
CAPPED = "Not run: grading this submission took longer than the {limit:g} s the assignment allows."


class EnvironmentFailure(RuntimeError):
    """The grader cannot run here (e.g. no sandbox): no submission's fault, so stop the run."""


class Interrupted(Exception):
    """The run was asked to stop (Ctrl-C) while this submission was being graded."""


def _prctl(option, value):
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the grader's sandbox needs Linux anyway
        pass


def become_subreaper():
    """Orphans of our grader processes come back to us instead of to init."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def _processes():
    """pid -> (state, parent pid) of every process on the machine."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                table[int(name)] = (fields[0], int(fields[1]))
            except (OSError, IndexError, ValueError):
                pass
    return table


def descendants(roots, table=None):
    """Pids of every living process below any of `roots`."""
    table = table if table is not None else _processes()
    found, frontier = set(), set(roots)
    while frontier:
        frontier = {pid for pid, (_, parent) in table.items() if parent in frontier} - found
        found |= frontier
    return found


def kill_tree(pids):
    """Stop `pids` and all below them (stopped processes cannot fork), then kill them all,
    and collect those that had been re-parented to us."""
    pids, table = set(pids), _processes()
    for _ in range(20):
        alive = {p for p in pids | descendants(pids, table) if p in table and table[p][0] != "Z"}
        new = alive - pids
        pids |= alive
        for pid in alive:
            _signal(pid, signal.SIGSTOP)
        if not new:
            break
        table = _processes()
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    reap_orphans()


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def reap_orphans():
    """Collect dead orphans re-parented to us, never a warm process a thread still waits for."""
    ours = warm.pids()
    for pid, (state, parent) in _processes().items():
        if state == "Z" and parent == os.getpid() and pid not in ours:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


TRACK_EVERY = 0.25  # seconds between looks at what a grader process has started


def run_one(slug, submission, out_path, timeout, should_stop=lambda: False):
    """Grade `submission` into `out_path` in a fresh grader process; return the results dict.

    The process is forked from this thread's warm one (grader.classroom.warm).
    Past `timeout` seconds the grader is stopped and the checks it did not reach say so.
    Raises EnvironmentFailure when the grader cannot run here, Interrupted when
    `should_stop()` turns true meanwhile.
    """
    become_subreaper()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    request = {"slug": slug, "submission": str(submission), "output": str(out_path)}
    with tempfile.NamedTemporaryFile() as errors:
        try:
            proc = warm.warm_graders().fork(request, errors.name)
        except OSError as problem:
            raise EnvironmentFailure(f"the grader could not start: {problem}") from None
        try:
            capped, stopped = _watch(proc, time.monotonic() + timeout, should_stop)
        except BaseException:
            proc.warm.close()  # the grader's end unread: a fresh warm process serves the next grade
            raise
        if stopped:
            raise Interrupted(str(submission))
        if proc.returncode == 2:
            raise EnvironmentFailure(warm.last_line(errors) or "the grader could not start")
    graded = _read(out_path)
    if capped:
        graded = cap_results(graded, timeout)
    results.write_atomic(out_path, graded, indent=1)
    return graded


def _watch(proc, deadline, should_stop):
    """Wait for the grader process, noting what it starts; stop it at the deadline or on request.
    Whatever it started and left running is killed. Returns (capped, stopped)."""
    tree, capped, stopped = {proc.pid}, False, False
    while True:
        try:
            proc.wait(min(TRACK_EVERY, max(deadline - time.monotonic(), 0)))
            break
        except subprocess.TimeoutExpired:
            pass
        tree |= descendants({proc.pid})
        stopped = should_stop()
        capped = not stopped and time.monotonic() > deadline
        if stopped or capped:
            _interrupt(proc)
            break
    tree |= descendants(tree)
    tree.discard(proc.pid)
    kill_tree(tree)
    return capped, stopped


def _interrupt(proc):
    """SIGINT first, so the grader finishes its results file; SIGKILL after a grace period."""
    try:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(GRACE)
    except (OSError, subprocess.TimeoutExpired):
        kill_tree({proc.pid})
        proc.wait()


def _read(out_path):
    try:
        with open(out_path) as f:
            graded = json.load(f)
        if results.well_formed(graded):
            return graded
    except (OSError, ValueError):
        pass
    return results.fallback()


def cap_results(graded, limit):
    """The checks the grader did not reach lose their points, and say why."""
    return results.stop_pending(graded, CAPPED.format(limit=limit), "submission-timeout")


def serve(request):
    """The grader process (forked by grader.classroom.warm): grade `request`; exit code 2 when
    the grader cannot run here."""
    from ..assignment.config import ConfigError
    from ..grading.grade import grade
    from ..sandbox.errors import SandboxUnavailable

    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a killed grade-all or Dask worker takes us along;
    try:                                      # the sandbox then ends itself when we are gone
        grade(request["slug"], request["submission"], request["output"])
    except (ConfigError, SandboxUnavailable) as problem:
        print(f"{problem}".replace("\n", " "), file=sys.stderr)
        return 2
    return 0
