"""The deadline of a grading run, kept by a process of its own.

A thread of the grader cannot keep it: one long computation in C holds the
interpreter's lock, and then no other thread runs, nor any signal handler
written in Python. So a small separate interpreter waits. The grader holds the
write end of a pipe to its standard input: when the grader ends, for whatever
reason, the pipe closes and the watcher leaves.

At the deadline the watcher first asks (SIGUSR1: the grader fails its
unfinished checks in results.json and exits with 0). A grader that has not
ended GRACE seconds later is frozen (SIGSTOP, so it writes nothing more), its
unfinished checks are failed in results.json by the watcher, one line on
standard error says so, and it is killed. Its fork server and sandbox children
die with it (PR_SET_PDEATHSIG).
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE = 5.0  # seconds the grader gets to end by itself once asked
TAG = "submission-timeout"
ASK = getattr(signal, "SIGUSR1", None)  # None on Windows (a student's local check): no asking
PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def start(seconds, out_path, ask):
    """A watcher of this process that ends it `seconds` from now; `stop(watcher)` when done.
    `ask`: this process handles ASK (else the watcher goes straight to freezing it)."""
    code = f"import sys; sys.path.append({str(PACKAGE_PARENT)!r}); from grader.grading.deadline import main; main()"
    watcher = subprocess.Popen([sys.executable, "-I", "-c", code], stdin=subprocess.PIPE)
    request = {"pid": os.getpid(), "seconds": seconds, "output": str(out_path), "ask": ask}  # never on a command line
    watcher.stdin.write(json.dumps(request).encode() + b"\n")
    watcher.stdin.flush()
    return watcher


def stop(watcher):
    """Grading ended in time: the watcher leaves (after its last word, if it had begun one)."""
    watcher.stdin.close()
    watcher.wait()


def fail_unfinished(out_path):
    """results.json with every check the grader did not finish failed, and why. (Imported only
    here: the watcher, an interpreter of its own in every grade, needs them only at the deadline.)"""
    from ..failures import WATCHDOG
    from . import results
    try:
        with open(out_path) as f:
            graded = json.load(f)
    except (OSError, ValueError):
        graded = results.fallback()
    results.write_atomic(out_path, results.stop_pending(graded, WATCHDOG, TAG), indent=1)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _frozen(pid, seconds=2.0):
    """Wait until `pid` is stopped (its system call in progress finished) or gone."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in "tTZX":
                    return
        except (OSError, IndexError):
            return
        time.sleep(0.02)


def main():
    request = json.loads(sys.stdin.buffer.readline())
    ended = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), ended.set()), daemon=True).start()
    pid, out_path = request["pid"], request["output"]
    if ended.wait(request["seconds"]):
        return
    if request["ask"]:
        _signal(pid, ASK)
        if ended.wait(GRACE):
            return
    if hasattr(signal, "SIGSTOP"):
        _signal(pid, signal.SIGSTOP)
        _frozen(pid)
    else:
        _signal(pid, signal.SIGTERM)
        ended.wait(GRACE)
    fail_unfinished(out_path)
    print(f"grading stopped: it overran its time limit ({request['seconds']:g} s) and did not answer; "
          f"unfinished checks failed in {out_path}", file=sys.stderr, flush=True)
    _signal(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
