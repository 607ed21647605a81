"""CPU seconds the sandbox's children used, for the per-item CPU report: each child's
own and its reaped children's, read from /proc just before it is killed (a killed child is
reaped by the fork server, so the grader's RUSAGE_CHILDREN never sees it)."""
import os

_closed = [0.0]  # CPU seconds of every child closed so far in this process


def cpu_seconds(pid):
    """CPU seconds of process `pid` (every thread, to the nanosecond where the kernel keeps
    schedstat, else in clock ticks) and of the children it reaped; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        own, reaped = (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    try:  # a child's checks take milliseconds: ticks of 10 ms would round most of them to 0
        threads = os.listdir(f"/proc/{pid}/task")
        own = max(own, sum(_thread_ns(pid, thread) for thread in threads) / 1e9)
    except OSError:
        pass
    return own + reaped


def _thread_ns(pid, thread):
    with open(f"/proc/{pid}/task/{thread}/schedstat") as f:
        return int(f.read().split()[0])


def note_closed(pid):
    """Add the CPU of child `pid`, about to be killed, to the tally."""
    _closed[0] += cpu_seconds(pid)


def closed_children():
    """CPU seconds of the children closed so far."""
    return _closed[0]
