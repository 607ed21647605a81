"""Grader processes forked from a warm one.

A grader process that starts from nothing spends about a quarter of a CPU
second importing numpy, pytest and the grader, and more reading what the
sandbox may see of the installed packages, before it grades. `grade-all` and
the Dask workers pay that once per worker thread instead: a warm process does
it, then forks one grader process per submission. The warm process never
grades and never reads a submission, so nothing of one student is in the next
one's grader. The fork ends up as a fresh process would: a session of its
own, standard input and output on /dev/null, standard error in a file, numpy's
global random state seeded anew, and the interpreter's normal exit (atexit
handlers, threads joined) when it returns from `main`.

Protocol, one JSON line each way: the caller sends {"request": ..., "errors":
path}; the warm process answers {"pid": ...} once the grader is forked, then
{"code": ...} (its exit code) when it ends. It leaves when its standard input
closes, which happens when the caller's process ends, however it ends; its
graders die with it (PR_SET_PDEATHSIG).
"""
import atexit
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading

# What a grade imports: loaded once here, before any fork.
PRELOAD = ("numpy.random", "pytest", "grader.grading.grade", "grader.grading.adapter", "grader.grading.figures",
           "grader.kit", "_pytest.faulthandler", "_pytest.helpconfig", "_pytest.skipping", "_pytest.tracemalloc",
           "_pytest.warnings")
COMMAND = [sys.executable, "-m", "grader.classroom.warm"]


class WarmGraders:
    """One warm process, serving one caller thread's grades one at a time."""

    def __init__(self):
        self.errors = tempfile.TemporaryFile()  # why it could not start, if it could not
        self.proc = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                     bufsize=0, start_new_session=True)  # unbuffered: a select sees every line

    def fork(self, request, errors_path):
        """A grader process for `request`; its standard error goes to `errors_path`.
        Raises OSError when the warm process is gone or cannot fork."""
        self.proc.stdin.write(json.dumps({"request": request, "errors": str(errors_path)}).encode() + b"\n")
        said = self._line(None)
        if said is None or "pid" not in said:
            raise OSError(said.get("error") if said else self._last_words())
        return Forked(self, said["pid"])

    def _line(self, timeout):
        """The warm process's next message; None at its end; TimeoutError when none came in time."""
        if timeout is not None and not select.select([self.proc.stdout], [], [], max(timeout, 0))[0]:
            raise TimeoutError
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def _last_words(self):
        return last_line(self.errors) or f"the warm grader process ended (exit code {self.proc.poll()})"

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()
        self.errors.close()


class Forked:
    """A grader process the warm one forked: what run_one needs of a Popen."""

    def __init__(self, warm, pid):
        self.warm, self.pid, self.returncode = warm, pid, None

    def wait(self, timeout=None):
        if self.returncode is None:
            try:
                said = self.warm._line(timeout)
            except TimeoutError:
                raise subprocess.TimeoutExpired("grader", timeout) from None
            self.returncode = said["code"] if said else -signal.SIGKILL  # the warm process died with it
        return self.returncode


def last_line(file):
    """The last line a process wrote to `file` (its standard error), or ''."""
    file.seek(0)
    said = file.read().decode("utf-8", "replace").strip().splitlines()
    return said[-1] if said else ""


_local = threading.local()
_packages_read = set()  # slugs whose package view the warm process has read
_started, _lock = [], threading.Lock()


def warm_graders():
    """This thread's warm process, started on first use and again if it died."""
    warm = getattr(_local, "warm", None)
    if warm is None or not warm.alive():
        warm = _local.warm = WarmGraders()
        with _lock:
            if not _started:
                atexit.register(close_all)
            _started.append(warm)
    return warm


def close_all():
    """End every warm process this process started, and wait for each (so their CPU counts)."""
    with _lock:
        started = list(_started)
        _started.clear()
    for warm in started:
        warm.close()


def pids():
    """The warm processes' pids: ours to wait for, never an orphan to reap."""
    with _lock:
        return {warm.proc.pid for warm in _started}


def _warm_up():
    for name in PRELOAD:
        importlib.import_module(name)
    gc.freeze()  # the forks' collections leave these objects alone, so their pages stay shared


def _read_packages(slug):
    """What every grade of `slug` reads of the installed packages (grader.sandbox.readable
    remembers it), read before the first fork instead of in each grader."""
    if slug in _packages_read:
        return
    _packages_read.add(slug)
    from ..assignment.config import ConfigError, load_assignment
    from ..sandbox import readable
    try:
        packages = tuple(load_assignment(slug).packages)
        readable.sandbox_view(packages)
        readable.not_offered(packages)
    except (ConfigError, LookupError, OSError):
        pass  # the grader process meets the same problem and reports it


def _become_grader(order):
    """In the fork: a grader process as a fresh interpreter would start it."""
    import numpy as np

    from .isolated import serve
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    errors = os.open(order["errors"], os.O_WRONLY | os.O_APPEND)
    for fd, target in ((devnull, 0), (devnull, 1), (errors, 2)):
        os.dup2(fd, target)
    os.close(devnull)
    os.close(errors)
    np.random.seed()
    return serve(order["request"])


def main():
    _warm_up()
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return 0
        order = json.loads(line)
        _read_packages(order["request"]["slug"])
        try:
            pid = os.fork()
        except OSError as problem:
            _say({"error": f"the grader process could not be forked: {problem}"})
            continue
        if pid == 0:
            return _become_grader(order)
        _say({"pid": pid})
        code = _wait(pid)
        if code is None:
            return 0  # our caller has gone: so do we, and the grader with us (PR_SET_PDEATHSIG)
        _say({"code": code})


def _wait(pid):
    """The grader's exit code, or None should our caller's end come first (our input closes)."""
    watch = os.pidfd_open(pid)
    try:
        ready = select.select([watch, sys.stdin.buffer], [], [])[0]
    finally:
        os.close(watch)
    if watch not in ready:
        return None
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
