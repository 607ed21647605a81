"""Ending a sandbox account's processes: after every check, and leftovers of a
grader that was killed before it could clean up."""
import os
import signal


def processes_of(uids):
    """(pid, pgid) of every process owned by one of `uids`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat("/proc/" + name).st_uid in uids:
                    found.append((int(name), os.getpgid(int(name))))
            except OSError:
                pass  # it ended while we looked
    return found


def kill_user_processes(uids, spare=()):
    """SIGKILL every process of `uids`, daemons included, but those in `spare` and their
    process groups (the fork server, children forked ahead for later checks)."""
    for pid, pgid in processes_of(set(uids)):
        if pid not in spare and pgid not in spare:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
