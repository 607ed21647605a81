"""Read hostile files (notebooks, source that may be Python 2, the imports of submitted
source) in a separate process.

Parsing a submitted file runs none of its code, but a crafted file can still
cost gigabytes of memory, minutes of CPU or a crash of the parser (deeply
nested JSON or expressions). So the grader never parses one itself: a fresh
interpreter does, with a memory cap, a CPU cap and a wall-clock deadline,
and hands back plain JSON. It runs on every platform (the limits that need
`resource` apply where it exists), because students' local checks use it too.
"""
import json
import subprocess
import sys
from pathlib import Path

MEMORY_BYTES = 1 << 30
CPU_SECONDS = 20
WALL_SECONDS = 40
MAX_REPLY_BYTES = 64 * 2**20
PACKAGE_PARENT = Path(__file__).resolve().parents[1]


class QuarantineFailure(Exception):
    """The separate process did not give an answer; the message says how it ended."""


def run(task, *args):
    """The JSON answer of `task(*args)` computed in a limited separate process."""
    # -I: no current folder or environment on the path, so no file beside the grader (a student's
    # json.py in a local check) can stand in for a module; the grader's folder goes last.
    code = f"import sys; sys.path.append({str(PACKAGE_PARENT)!r}); from grader.quarantine import main; main({task!r})"
    try:
        proc = subprocess.run([sys.executable, "-I", "-c", code], input=json.dumps(args).encode(),
                              capture_output=True, timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise QuarantineFailure(f"reading it took more than {WALL_SECONDS} s") from None
    if proc.returncode != 0 or len(proc.stdout) > MAX_REPLY_BYTES:
        last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise QuarantineFailure(last[0][:200])
    return json.loads(proc.stdout)


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
    from . import notebook, python2, sources
    tasks = {"notebooks": notebook.convert_all, "python2": python2.diagnose, "sources": sources.scan}
    args = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(tasks[task](*args)))
