"""The sandbox accounts: a fixed pool of system accounts the grader created and
marked as its own, in one explicit set-up step (`python -m grader setup-sandbox`,
run by `make` and by the Gradescope setup script when root). Grading never
creates an account, and never uses one it did not mark: every process of a
claimed account is killed after each check, so a real person's account must
never be one.

A grader claims one account for its lifetime by holding a lock in a folder
only root may write; an account whose lock no live grader holds has no
legitimate processes, so whatever it still runs is swept when claimed.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import subprocess
import time

from .cleanup import kill_user_processes
from .errors import SandboxUnavailable
from .workdirs import root_folder

PREFIX = os.environ.get("GRADER_SANDBOX_PREFIX", "bpgrader")
POOL_SIZE = 8
MARKER = "backprop-grader sandbox account"
LOCK_DIR = "/run/backprop-grader"
WAIT_SECONDS = 120.0
SETUP_HINT = "run `python -m grader setup-sandbox` as root once (make does it)"

_claimed = None  # (passwd entry, lock fd) of this process's account


def pool_names(size=POOL_SIZE):
    return [f"{PREFIX}{i}" for i in range(size)]


def _marked(entry):
    return entry.pw_gecos == MARKER and entry.pw_uid != 0


def setup_pool(size: int = POOL_SIZE) -> list[str]:
    """Create the accounts of the pool that do not exist; refuse any that exists unmarked."""
    made = []
    for name in pool_names(size):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                            "--shell", "/usr/sbin/nologin", "--comment", MARKER, name], check=True, capture_output=True)
            made.append(name)
            continue
        if not _marked(entry):
            raise SandboxUnavailable(f"the account {name} exists but the grader did not create it; "
                                     f"remove it or set GRADER_SANDBOX_PREFIX to another prefix")
    return made


def _lock_folder():
    """An fd of LOCK_DIR, made if missing, refused unless root's and closed to others."""
    try:
        return root_folder(LOCK_DIR, 0o700, 0o077)
    except OSError as exc:
        raise SandboxUnavailable(f"the sandbox accounts' locks: {exc}") from None


def _try_lock(folder, name):
    """A held lock fd for `name`, or None if a live grader holds it. Never truncates, never follows a link."""
    fd = os.open(f"{name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _pool():
    """The marked accounts of the pool; SandboxUnavailable when there are none."""
    entries = []
    for name in pool_names(64):  # setup-sandbox --accounts may have made more than the default
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if _marked(entry):
            entries.append(entry)
    if not entries:
        raise SandboxUnavailable(f"no sandbox account exists: {SETUP_HINT}")
    return entries


def claim():
    """This process's account: a free one of the pool, swept of leftovers; waits while all are busy."""
    global _claimed
    if _claimed is not None:
        return _claimed[0]
    entries = _pool()
    folder = _lock_folder()
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while True:
            free = [(e, fd) for e in entries if (fd := _try_lock(folder, e.pw_name)) is not None]
            if free:
                kill_user_processes({e.pw_uid for e, _ in free})  # leftovers of graders killed from outside
                _claimed = free[0]
                for _, fd in free[1:]:
                    os.close(fd)
                return _claimed[0]
            if time.monotonic() > deadline:
                raise SandboxUnavailable(f"all {len(entries)} sandbox accounts stayed busy for {WAIT_SECONDS:g} s: "
                                         "run fewer graders at once, or add accounts with "
                                         "`python -m grader setup-sandbox --accounts N`")
            time.sleep(0.5)
    finally:
        os.close(folder)


def sandbox_user():
    """The account children run as: a claimed pool account when root, else None (ourselves)."""
    return claim() if os.geteuid() == 0 else None
