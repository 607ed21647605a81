"""CPU seconds the sandbox's children used, for the per-item CPU report: each child's
own and its reaped children's, read from /proc just before it is killed (a killed child is
reaped by the fork server, so the grader's RUSAGE_CHILDREN never sees it)."""
import os

_closed = [0.0]  # CPU seconds of every child closed so far in this process


def cpu_seconds(pid):
    """User and system CPU seconds of process `pid` and its reaped children (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(n) for n in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def note_closed(pid):
    """Add the CPU of child `pid`, about to be killed, to the tally."""
    _closed[0] += cpu_seconds(pid)


def closed_children():
    """CPU seconds of the children closed so far."""
    return _closed[0]
