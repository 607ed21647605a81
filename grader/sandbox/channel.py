"""The grader's end of one child: two pipes, every read and every write bounded by
a deadline, so a child that stops reading or writing costs its time limit and no
more; the child is then killed from outside. The child's folder is measured after
its first reply (what its import wrote) and then twice a second by a watcher: a
child that fills the disk (many files, each under the file size limit, or a
flood of empty ones) is killed."""
import fcntl
import os
import select
import signal
import tempfile
import threading
import time

from . import accounting, server
from .cleanup import kill_user_processes
from .errors import ChildGone, ChildTimeout

WATCH_EVERY = 0.5      # seconds between two measures of a child's folder
MOST_ENTRIES = 20_000  # files and folders a child may make (each costs an inode, even when empty)


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


def folder_mb(path):
    """The disk space the files under `path` take, in MB; infinite past MOST_ENTRIES entries,
    or when a folder cannot be read or is nested too deep to walk (no honest child makes one)."""
    try:
        return _folder_mb(path)
    except (RecursionError, OSError):
        return float("inf")


def _raise_unless_gone(error):
    if not isinstance(error, FileNotFoundError):  # removed while we looked: not the child's fault
        raise error


def _folder_mb(path):
    used, entries = 0, 0
    for top, folders, files in os.walk(path, onerror=_raise_unless_gone):
        entries += len(folders) + len(files)
        if entries > MOST_ENTRIES:
            return float("inf")
        for name in files:
            try:
                used += os.lstat(os.path.join(top, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return used / 2**20


class Child:
    """A child forked for one check, spoken to over two pipes, killed from outside."""

    def __init__(self, zygote, workdir):
        self.zygote, self.limits, self.user, self.workdir = zygote, zygote.limits, zygote.user, workdir
        self._closed, self._watcher, self.over_disk, self._first_measured = threading.Event(), None, False, False
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        fcntl.fcntl(self._req_w, fcntl.F_SETFL, os.O_NONBLOCK)
        self.log = tempfile.TemporaryFile()
        try:
            self._ticket = zygote.fork(workdir, [req_r, resp_w, self.log.fileno()])
        finally:
            os.close(req_r)
            os.close(resp_w)

    @property
    def pid(self):
        """Read from the fork server's reply on first use."""
        return self.zygote.forked(self._ticket)

    def request(self, body, timeout, on_send, on_receive):
        """Send one request and wait for the reply, both within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self.send(body, on_send, deadline)
        return self.receive(timeout, on_receive, deadline)

    def send(self, body, on_send=None, deadline=None):
        data = memoryview(server.pack_message(body, on_send))
        deadline = deadline or time.monotonic() + self.limits.call_timeout
        try:
            while data:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [self._req_w], [], left)[1]:
                    self.kill()
                    raise ChildTimeout("it stopped reading what the grader sent and was stopped")
                data = data[os.write(self._req_w, data[:1 << 16]):]
        except (BrokenPipeError, OSError):
            raise self._gone() from None

    def receive(self, timeout, on_receive=None, deadline=None):
        """The reply to the oldest request not yet answered, waiting at most `timeout` seconds
        (or until `deadline`, when sending the request used part of them)."""
        self._watch_disk()
        reader = _DeadlineReader(self._resp_r, deadline or time.monotonic() + timeout)
        try:
            reply = server.check_reply(server.read_message(reader, on_receive, bounded=True))
            if not self._first_measured:  # what the import wrote decides the same way on every run
                self._first_measured = True
                if self._over_disk():
                    raise self._gone()
            return reply
        except TimeoutError:
            self.kill()
            raise ChildTimeout(f"it did not finish within {timeout:g} s and was stopped") from None
        except EOFError:
            raise self._gone() from None
        except server.WireError:
            self.kill()
            raise ChildGone("it wrote something that is not a reply on the grader's channel") from None

    def _watch_disk(self):
        """From the first wait for a reply on, a thread measures the child's folder and kills the child past
        the disk limit. It only sends the signal: the pid is read here, the fork server is ours."""
        if self._watcher is not None:
            return
        try:
            pid = self.pid
        except (ChildGone, TimeoutError):
            return  # it never started: the request fails on its own

        def watch():
            while not self._closed.wait(WATCH_EVERY):
                if self._over_disk():
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                    return
        self._watcher = threading.Thread(target=watch, name="disk-watch", daemon=True)
        self._watcher.start()

    def _over_disk(self):
        self.over_disk = self.over_disk or folder_mb(self.workdir) > self.limits.disk_mb
        return self.over_disk

    def _gone(self):
        if self.over_disk:
            self.kill()
            return ChildGone(f"it filled its folder past the disk limits ({self.limits.disk_mb} MB, {MOST_ENTRIES} "
                             "files, folders nested no deeper than can be measured) and was stopped")
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
            kill_user_processes({self.user.pw_uid}, spare=self.zygote.spared())

    def close(self):
        self._closed.set()
        if "forked" in self._ticket:  # a child never started has used nothing
            accounting.note_closed(self._ticket["forked"])
        self.kill()
        self.log.close()
        for fd in (self._req_w, self._resp_r):
            os.close(fd)


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
