"""The grader's side of the fork server: started once per run, confined before it
execs Python, asked for one child per check over a SOCK_SEQPACKET socket.

The fork server runs server.py's source text with landlock.py's beside it, with
no site-packages processing (-S) and sys.path set to the standard library and
site-packages, of which Landlock lets it read only the packages in its view.
"""
from __future__ import annotations

import atexit
import ctypes
import importlib.util
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import replace
from pathlib import Path

from . import landlock, readable, seccomp, server
from .errors import ChildGone, SandboxUnavailable
from .limits import apply_rlimits, child_env
from .workdirs import RunFolder

PROGRAM = "\n".join([
    "import json, sys, types",
    "landlock = sys.modules['landlock'] = types.ModuleType('landlock')",
    f"exec(compile({Path(landlock.__file__).read_text()!r}, 'landlock.py', 'exec'), landlock.__dict__)",
    "sys.path.extend(json.loads(sys.argv[1])['sys_path'])",
    f"exec(compile({Path(server.__file__).read_text()!r}, 'server.py', 'exec'), {{'__name__': '__main__'}})"])
SLOW_IMPORTS = {  # word in a source -> modules to preload
    "matplotlib": ("matplotlib", "matplotlib.pyplot"),
    "sklearn": ("sklearn", "sklearn.datasets", "sklearn.linear_model"),
}
PR_SET_PDEATHSIG = 1
_zygote = None   # this process's fork server

UNREACHABLE = ("The sandbox account cannot reach {path} ({folder} is not open to other users), so it "
               "cannot run Python. Keep the repository and its .venv under a folder others may enter "
               "(e.g. /work, /opt or /tmp), or grade as a normal user.")


def closed_folder(user, path):
    """The first folder on the way to `path` that `user` may not enter, or None."""
    for parent in reversed([Path(path), *Path(path).parents]):
        try:
            info = parent.stat()
        except OSError:
            continue
        if parent.is_dir() and not info.st_mode & 0o001 and info.st_uid != user.pw_uid:
            return parent
    return None


def check_reachable(user, paths):
    """Fail loudly, before any check runs, when the sandbox account cannot reach what it must read."""
    for path in paths:
        folder = closed_folder(user, path)
        if folder is not None:
            raise SandboxUnavailable(UNREACHABLE.format(path=path, folder=folder))


def preloads(folder: str | Path) -> list[str]:
    """Slow modules to import once in the fork server, because the submission imports them at
    the top of a file, so every check's child would (and they are installed: if not, the child's
    own import says so). An import inside a function is left to the checks that call it."""
    sources = [path.read_text(errors="replace") for path in Path(folder).rglob("*.py")]
    return sorted({module for word, modules in SLOW_IMPORTS.items()
                   if importlib.util.find_spec(word) and any(re.search(rf"^(?:import|from)\s+{word}\b", s, re.M)
                                                              for s in sources)
                   for module in modules})


def _confine_server(limits, user, run, view, listable):
    """Runs in the forked grader process before it execs the fork server."""
    apply_rlimits(limits, user is not None)
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    seccomp.install()
    landlock.confine(run.path, view + ["/proc", "/sys/devices/system/cpu"], listable)


class Zygote:
    """The fork server of this grading run: one sandboxed process that imports
    numpy once and forks a fresh child per check (see server.zygote)."""

    def __init__(self, limits, user, packages=(), preload=()):
        self.limits, self.user, self.key = limits, user, (limits, tuple(packages), tuple(preload))
        try:
            offered = packages + tuple(m.split(".")[0] for m in preload)
            view, listable = readable.sandbox_view(offered)
            absent = readable.not_offered(offered)
        except LookupError as missing:
            raise SandboxUnavailable(f"a package the sandbox needs is not installed: {missing}") from None
        self.run = RunFolder(user)
        if user is not None and any(closed_folder(user, folder) for folder in listable):
            view, listable = self._mirror(view, listable)
        if user is not None:
            try:
                check_reachable(user, view)
            except SandboxUnavailable:
                self.run.close()
                raise
        if preload:
            self.run.seed_font_cache()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.settimeout(limits.import_timeout)  # a fork server that stops reading costs no more
        config = {"control_fd": theirs.fileno(), "sys_path": listable, "not_offered": absent,
                  "preload": list(preload), "landlock": landlock.abi_version() > 0,
                  "child_readable": view + list(readable.PROC_FOR_CHILDREN) + [self.run.mpl_config],
                  "child_listable": listable}
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
        server_limits = replace(limits, cpu_seconds=24 * 3600)  # each child sets its own CPU limit
        self.errors = tempfile.TemporaryFile()  # why it failed to start, if it does
        try:
            self.proc = subprocess.Popen(
                [readable.interpreter(), "-I", "-S", "-B", "-c", PROGRAM, json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
                pass_fds=(theirs.fileno(),), env=child_env(self.run.path, self.run.mpl_config),
                cwd=self.run.path, start_new_session=True,
                preexec_fn=lambda: _confine_server(server_limits, user, self.run, view, listable), **kwargs)
        except (OSError, subprocess.SubprocessError) as exc:
            self.run.close()
            raise SandboxUnavailable(f"The sandbox's Python ({sys.executable}) could not start: {exc}") from None
        finally:
            theirs.close()
        self.control = ours
        self.exited = {}
        self.ahead = set()  # children forked for checks yet to come: spared by kill_user_processes
        self.waiting = deque()  # fork requests not yet answered, oldest first
        self.ready = False  # its "ready" is read on first use, so start-up overlaps other work
        self.start_timeout = limits.import_timeout + (20 if preload else 0)  # a font cache built once

    def _mirror(self, view, folders):
        """The view with its packages linked into the run's folder, which the account can enter."""
        def home(path):
            return next((f for f in folders if path.startswith(f + os.sep)), None)
        packages = [p for p in view if home(p)]
        mirror = self.run.mirror({p: os.path.relpath(p, home(p)) for p in packages})
        moved = [os.path.join(mirror, os.path.relpath(p, home(p))) if home(p) else p for p in view]
        return moved, [mirror]

    def _receive(self, timeout):
        if not select.select([self.control], [], [], timeout)[0]:
            raise TimeoutError
        try:
            message = self.control.recv(65536)
        except OSError:  # reset: it was killed
            message = b""
        if not message:
            raise ChildGone("the sandbox's fork server ended")
        try:
            return json.loads(message)
        except ValueError:
            raise ChildGone("the sandbox's fork server sent garbage") from None

    def alive(self):
        return self.proc.poll() is None

    def fork(self, workdir, fds):
        """Ask for a child serving `workdir` on `fds` (requests, responses, log), without
        waiting: returns a ticket for `forked`, so the fork overlaps the grader's own work."""
        if not self.ready:
            try:
                self.ready = self._receive(self.start_timeout).get("ready") is True
            except (ChildGone, TimeoutError, AttributeError):
                pass
            if self.ready and self.key[2]:
                self.run.keep_font_cache()
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
        if not isinstance(reply, dict):
            raise ChildGone("the sandbox's fork server sent garbage")
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

    def child_folder(self, staging):
        return self.run.child_folder(staging)

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.control.close()
        self.run.close()


def shutdown():
    """End this process's fork server and all its children now (the grader's watchdog)."""
    if _zygote is not None:
        _zygote.close()


def live_zygote(key):
    """This process's fork server if it is running for `key`, else None (never starts one)."""
    if _zygote is not None and _zygote.alive() and _zygote.key == key:
        return _zygote
    return None


def zygote_for(limits, user, packages=(), preload=()):
    """This process's fork server, started on first use and again if it died or stopped answering."""
    global _zygote
    key = (limits, tuple(packages), tuple(preload))
    if _zygote is None or not _zygote.alive() or _zygote.key != key:
        if _zygote is not None:
            _zygote.close()
        _zygote = Zygote(limits, user, tuple(packages), tuple(preload))
        atexit.register(_zygote.close)
    return _zygote
