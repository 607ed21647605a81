"""Sandbox processes: a fork server started with limits (and Landlock, and as
an unprivileged user when root), and the per-check children it forks, spoken
to over two pipes and killed from outside with SIGKILL when they overrun."""
import atexit
import fcntl
import json
import os
import pwd
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

from . import landlock, server

SERVER_SOURCE = Path(server.__file__).read_text()
SANDBOX_USER = os.environ.get("GRADER_SANDBOX_USER", "student")
POOL_SIZE = 32
_claimed = None  # (passwd entry, held lock file) of this process's sandbox account
_zygote = None   # this process's fork server
PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
READABLE = list(landlock.SYSTEM_FOLDERS) + landlock.python_folders()  # all a child may read


@dataclass(frozen=True)
class Limits:
    """Per-child limits; assignment.toml's [limits] table overrides these."""
    call_timeout: float = 10.0
    import_timeout: float = 10.0
    memory_mb: int = 2048
    cpu_seconds: int = 120
    file_mb: int = 16
    processes: int = 64


class ChildGone(Exception):
    """The child ended, or overran its time and was killed."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class ChildTimeout(ChildGone):
    pass


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here at all: a fault of the set-up, not of a submission."""


def sandbox_user():
    """The unprivileged account this grader's children run as, or None when not root.

    Leftover processes of the account are killed after every check, so two
    graders running at once must not share one: each claims a free account
    from a pool (student, student1, ...) by holding a lock for its lifetime.
    """
    global _claimed
    if os.geteuid() != 0:
        return None
    if _claimed is None:
        for name in [SANDBOX_USER] + [f"{SANDBOX_USER}{i}" for i in range(1, POOL_SIZE)]:
            lock = open(f"/tmp/grader-sandbox-{name}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            _claimed = (_ensure_user(name), lock)
            break
        else:
            raise RuntimeError(f"all {POOL_SIZE} sandbox accounts are busy")
    return _claimed[0]


def _ensure_user(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        return pwd.getpwnam(name)


def child_env(workdir):
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in PASSED_THROUGH_ENV if k in os.environ})
    return env


def _apply_limits(limits, as_other_user, workdir, readable):
    def setlimit(kind, value):
        resource.setrlimit(kind, (value, value))
    setlimit(resource.RLIMIT_CPU, limits.cpu_seconds)
    setlimit(resource.RLIMIT_AS, limits.memory_mb * 2**20)
    setlimit(resource.RLIMIT_FSIZE, limits.file_mb * 2**20)
    setlimit(resource.RLIMIT_CORE, 0)
    setlimit(resource.RLIMIT_NOFILE, 256)
    if as_other_user:  # NPROC counts every process of the uid: only safe for a uid of our own
        setlimit(resource.RLIMIT_NPROC, limits.processes)
    landlock.confine(workdir, readable)


def kill_user_processes(uid, spare=()):
    """Kill every process of the sandbox uid, daemons included, but those in `spare`
    (the fork server, and children forked ahead for later checks with what they started)."""
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in spare:
            try:
                if os.stat("/proc/" + name).st_uid == uid and os.getpgid(int(name)) not in spare:
                    os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass


def describe_exit(returncode, limits):
    if returncode is None:
        return "it stopped answering"
    if returncode >= 0:
        return f"it exited with status {returncode}"
    name = signal.Signals(-returncode).name
    why = {"SIGXCPU": f"over the {limits.cpu_seconds} s CPU limit",
           "SIGXFSZ": f"wrote a file or output over the {limits.file_mb} MB limit",
           "SIGKILL": "killed from outside (time or memory limit)",
           "SIGSEGV": "crashed (segmentation fault), often from running out of memory"}.get(name)
    return f"it was ended by {name}" + (f": {why}" if why else "")


UNREACHABLE = ("The sandbox account cannot reach {path} ({folder} is not open to other users), so it "
               "cannot run Python. Keep the repository and its .venv under a folder others may enter "
               "(e.g. /work, /opt or /tmp), or grade as a normal user.")


def check_reachable(user):
    """Fail loudly, before any check runs, when the sandbox account cannot run our Python."""
    for path in {os.path.realpath(sys.executable), sys.prefix, *[p for p in READABLE if "site-packages" in p]}:
        folder = Path(path)
        for parent in [folder, *folder.parents]:
            mode = parent.stat().st_mode if parent.exists() else 0o755
            if parent.is_dir() and not mode & 0o001 and parent.stat().st_uid != user.pw_uid:
                raise SandboxUnavailable(UNREACHABLE.format(path=path, folder=parent))


class Zygote:
    """The fork server of this grading run: one sandboxed process that imports
    numpy once and forks a fresh child per check (see server.zygote)."""

    def __init__(self, limits, user):
        self.limits, self.user = limits, user
        if user is not None:
            check_reachable(user)
        self.root = tempfile.mkdtemp(prefix="grader-run-")  # children's work folders live here
        if user is not None:
            os.chown(self.root, user.pw_uid, user.pw_gid)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
        zygote_limits = replace(limits, cpu_seconds=24 * 3600)  # each child sets its own CPU limit
        self.errors = tempfile.TemporaryFile()  # why it failed to start, if it does
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", "-c", SERVER_SOURCE, str(theirs.fileno())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
                pass_fds=(theirs.fileno(),), env=child_env(self.root), cwd=self.root, start_new_session=True,
                preexec_fn=lambda: _apply_limits(zygote_limits, user is not None, self.root, READABLE), **kwargs)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxUnavailable(f"The sandbox's Python ({sys.executable}) could not start: {exc}") from None
        finally:
            theirs.close()
        self.control = ours
        self.exited = {}
        self.ahead = set()  # children forked for checks yet to come: spared by kill_user_processes
        self.waiting = deque()  # fork requests not yet answered, oldest first
        self.ready = False  # its "ready" is read on first use, so start-up overlaps other work

    def _receive(self, timeout):
        if not select.select([self.control], [], [], timeout)[0]:
            raise TimeoutError
        try:
            message = self.control.recv(65536)
        except OSError:  # reset: it was killed
            message = b""
        if not message:
            raise ChildGone("the sandbox's fork server ended")
        return json.loads(message)

    def alive(self):
        return self.proc.poll() is None

    def fork(self, workdir, fds):
        """Ask for a child serving `workdir` on `fds` (requests, responses, log), without
        waiting: returns a ticket for `forked`, so the fork overlaps the grader's own work."""
        if not self.ready:
            try:
                self.ready = self._receive(self.limits.import_timeout).get("ready") is True
            except (ChildGone, TimeoutError):
                pass
            if not self.ready:
                self.errors.seek(0)
                said = self.errors.read(2000).decode("utf-8", "replace").strip() or "it said nothing"
                raise SandboxUnavailable(f"The sandbox's Python ({sys.executable}) could not start: {said}")
        request = json.dumps({"workdir": workdir, "cpu_seconds": self.limits.cpu_seconds}).encode()
        socket.send_fds(self.control, [request], fds)
        ticket = {}
        self.waiting.append(ticket)
        return ticket

    def forked(self, ticket):
        """The pid the fork server gave the child of `ticket`."""
        while not ticket:
            self._take(self._receive(self.limits.import_timeout))
        if "error" in ticket:
            raise ChildGone(f"it could not be started: {ticket['error']}")
        return ticket["forked"]

    def _take(self, reply):
        if "exited" in reply:
            self.exited[reply["exited"]] = reply["code"]
        else:  # the fork server answers fork requests in order
            self.waiting.popleft().update(reply)

    def exit_code(self, pid, timeout=2.0):
        """How child `pid` ended, once the fork server has reaped it (None if unknown)."""
        deadline = time.monotonic() + timeout
        while pid not in self.exited and time.monotonic() < deadline:
            try:
                self._take(self._receive(max(deadline - time.monotonic(), 0)))
            except (TimeoutError, ChildGone):
                break
        return self.exited.pop(pid, None)

    def spared(self):
        """The pids kill_user_processes leaves alone: this server and the children forked ahead."""
        pids = {self.proc.pid}
        for child in self.ahead:
            try:
                pids.add(child.pid)
            except (ChildGone, TimeoutError):
                pass
        return pids

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.control.close()
        shutil.rmtree(self.root, ignore_errors=True)


def live_zygote(limits):
    """This process's fork server if it is running with `limits`, else None (never starts one)."""
    if _zygote is not None and _zygote.alive() and _zygote.limits == limits:
        return _zygote
    return None


def zygote_for(limits, user):
    """This process's fork server, started on first use and again if a child killed it."""
    global _zygote
    if _zygote is None or not _zygote.alive() or _zygote.limits != limits:
        if _zygote is not None:
            _zygote.close()
        _zygote = Zygote(limits, user)
        atexit.register(_zygote.close)
    return _zygote


class Child:
    """A child forked for one check, spoken to over two pipes, killed from outside."""

    def __init__(self, zygote, workdir):
        self.zygote, self.limits, self.user = zygote, zygote.limits, zygote.user
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        self.log = tempfile.TemporaryFile()
        try:
            self._ticket = zygote.fork(workdir, [req_r, resp_w, self.log.fileno()])
        finally:
            os.close(req_r)
            os.close(resp_w)
        self.requests = os.fdopen(self._req_w, "wb")

    @property
    def pid(self):
        """Read from the fork server's reply on first use."""
        return self.zygote.forked(self._ticket)

    def request(self, body, timeout, on_send, on_receive):
        """Send one request and wait for the reply, at most `timeout` seconds."""
        self.send(body, on_send)
        return self.receive(timeout, on_receive)

    def send(self, body, on_send=None):
        try:
            server.write_message(self.requests, body, on_send)
        except (BrokenPipeError, OSError):
            raise self._gone() from None

    def receive(self, timeout, on_receive=None):
        """The reply to the oldest request not yet answered, waiting at most `timeout` seconds."""
        reader = _DeadlineReader(self._resp_r, time.monotonic() + timeout)
        try:
            return server.check_reply(server.read_message(reader, on_receive))
        except TimeoutError:
            self.kill()
            raise ChildTimeout(f"it did not finish within {timeout:g} s and was stopped") from None
        except EOFError:
            raise self._gone() from None
        except server.WireError:
            self.kill()
            raise ChildGone("it wrote something that is not a reply on the grader's channel") from None

    def _gone(self):
        try:
            code = self.zygote.exit_code(self.pid)
        except ChildGone as never_started:
            return never_started
        except TimeoutError:
            code = None
        self.kill()
        return ChildGone(describe_exit(code, self.limits))

    def output(self, limit=4000):
        """What the child printed outside of calls (import time, crashes)."""
        self.log.seek(0)
        return self.log.read(limit).decode("utf-8", "replace")

    def kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ChildGone, TimeoutError):
            pass
        if self.user is not None:
            kill_user_processes(self.user.pw_uid, spare=self.zygote.spared())

    def close(self):
        self.kill()
        for stream in (self.requests, self.log):
            try:
                stream.close()
            except OSError:
                pass
        os.close(self._resp_r)


class _DeadlineReader:
    """File-like `read(n)` over a pipe that raises TimeoutError at a deadline."""

    def __init__(self, fd, deadline):
        self.fd, self.deadline = fd, deadline

    def read(self, n):
        chunks, remaining = [], n
        while remaining:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


def fresh_workdir(staging, user, parent):
    """A folder of its own for one child, inside `parent`, holding hard links to the staged
    files: nothing is copied. The files stay the grader's and read-only, so a child running
    as the sandbox account cannot change them for the next check; it may add its own."""
    workdir = tempfile.mkdtemp(prefix="child-", dir=parent)
    for folder, _, files in os.walk(staging):
        target = os.path.normpath(os.path.join(workdir, os.path.relpath(folder, staging)))
        os.makedirs(target, exist_ok=True)
        if user is not None:
            os.chown(target, user.pw_uid, user.pw_gid)
        for name in files:
            try:
                os.link(os.path.join(folder, name), os.path.join(target, name))
            except OSError:  # another file system: a copy, still the grader's
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
    os.chmod(workdir, 0o700)
    return workdir
