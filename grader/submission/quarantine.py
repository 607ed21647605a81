"""Read hostile text (notebooks, source that may be Python 2, the imports of submitted
source, expression answers) in a separate process.

Parsing a submitted file runs none of its code, but a crafted file can still
cost gigabytes of memory, minutes of CPU or a crash of the parser (deeply
nested JSON or expressions), and an expression answer can ask for a number
with millions of digits: one call in C that nothing inside the process can
interrupt. So the grader never does this itself: a fresh interpreter does,
with a memory cap, a CPU cap and a wall-clock deadline (it is killed from
outside), and hands back plain JSON. It runs on every platform (the limits that need
`resource` apply where it exists), because students' local checks use it too.
"""
import importlib
import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

MEMORY_BYTES = 1 << 30
CPU_SECONDS = 20
WALL_SECONDS = 40
MAX_REPLY_BYTES = 64 * 2**20
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
TASKS = {  # task -> (module under grader, function)
    "notebooks": ("submission.notebook", "convert_all"), "python2": ("submission.python2", "diagnose"),
    "sources": ("submission.sources", "scan"), "expression": ("expressions", "answer_values"),
    "manual_pdf": ("classroom.manual_pdf", "render")}
OVER_CPU = -getattr(signal, "SIGXCPU", 0) or None  # the exit status of a process over its CPU limit


class QuarantineFailure(Exception):
    """The separate process did not give an answer; the message says how it ended.
    `limit`: it was stopped by its time or CPU limit (the input's cost, not a fault)."""

    def __init__(self, message, limit=False):
        super().__init__(message)
        self.limit = limit


def _command(task, entry="main"):
    # -I: no current folder or environment on the path, so no file beside the grader (a student's
    # json.py in a local check) can stand in for a module; the grader's folder goes last.
    code = (f"import sys; sys.path.append({str(PACKAGE_PARENT)!r}); "
            f"from grader.submission.quarantine import {entry}; {entry}({task!r})")
    return [sys.executable, "-I", "-c", code]


def run(task, *args):
    """The JSON answer of `task(*args)` computed in a limited separate process."""
    try:
        proc = subprocess.run(_command(task), input=json.dumps(args).encode(),
                              capture_output=True, timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise QuarantineFailure(f"it took more than {WALL_SECONDS} s", limit=True) from None
    if proc.returncode == OVER_CPU:
        raise QuarantineFailure(f"it used more than {CPU_SECONDS} s of CPU", limit=True)
    if proc.returncode != 0 or len(proc.stdout) > MAX_REPLY_BYTES:
        last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise QuarantineFailure(last[0][:200])
    return json.loads(proc.stdout)


class Server:
    """A limited process kept for many small requests of one task (a line of JSON each way),
    so that a submission's expression answers pay for one interpreter and numpy, not one each.
    Each request has its own wall-clock deadline; past it, or when the process ends (its CPU
    limit counts all its requests), the process is killed and the next request starts another."""

    def __init__(self, task):
        self.task, self.proc, self.errors = task, None, None

    def ask(self, *args, seconds=WALL_SECONDS):
        """The JSON answer of the task's function on `args`."""
        if self.proc is None or self.proc.poll() is not None:
            self.errors = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(_command(self.task, "serve"), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self.errors)
        replies, proc = queue.Queue(), self.proc
        threading.Thread(target=lambda: replies.put(proc.stdout.readline(MAX_REPLY_BYTES)), daemon=True).start()
        try:
            self.proc.stdin.write(json.dumps(args).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # the process has ended: its reader gets no line, and the code below says why
        try:
            line = replies.get(timeout=seconds)
        except queue.Empty:
            self.close()
            raise QuarantineFailure(f"it took more than {seconds:g} s", limit=True) from None
        if not line.endswith(b"\n"):
            self.close()
            if self.proc.returncode == OVER_CPU:
                raise QuarantineFailure(f"it used more than {CPU_SECONDS} s of CPU", limit=True)
            self.errors.seek(0)
            last = self.errors.read().decode(errors="replace").strip().splitlines()[-1:]
            raise QuarantineFailure((last or [f"exit code {self.proc.returncode}"])[0][:200])
        return json.loads(line)

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def _limit_self():
    try:
        import resource  # not on Windows, where a student's own files are the only input
    except ImportError:
        return
    for kind, value in ((resource.RLIMIT_AS, MEMORY_BYTES), (resource.RLIMIT_CPU, CPU_SECONDS)):
        _, hard = resource.getrlimit(kind)
        if hard == resource.RLIM_INFINITY or hard > value:
            resource.setrlimit(kind, (value, value))


def main(task):
    _limit_self()
    module, function = TASKS[task]
    args = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(getattr(importlib.import_module(f"grader.{module}"), function)(*args)))


def serve(task):
    """`main` for many requests: one line of JSON arguments in, one line of JSON out, until EOF."""
    _limit_self()
    module, function = TASKS[task]
    function = getattr(importlib.import_module(f"grader.{module}"), function)
    for line in sys.stdin.buffer:
        sys.stdout.write(json.dumps(function(*json.loads(line))) + "\n")
        sys.stdout.flush()
