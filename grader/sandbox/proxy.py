"""The `student` object checks use: names on the child's side, called remotely.

`student.<module>.<function>(x)` sends the call to a child process and
returns plain data; an object that is not plain data stays in the child and
comes back as a `Ref` that can be called or have attributes read with `fetch`.

This side of the boundary knows nothing of grading: it serves a folder and
module names and raises errors.py's exceptions, which a `translate` function
given by the caller may turn into something else (grader/grading/adapter.py turns
them into check failures).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .accounts import sandbox_user
from .channel import Child
from .errors import CallFailed, ChildGone, ChildTimeout, ImportFailed, ModuleMissing, SandboxError, SandboxUnavailable
from .forkserver import Zygote, live_zygote, zygote_for
from .limits import Limits
from .server import MAX_CAPTURED_OUTPUT, WireError
from .text import clean_text
from .workdirs import remove_tree


class Ref:
    """A module, object or attribute path in the child."""

    __slots__ = ("_sandbox", "_base", "_path", "_type")

    def __init__(self, sandbox, base, path=(), type_name=None):
        self._sandbox, self._base, self._path, self._type = sandbox, base, tuple(path), type_name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Ref(self._sandbox, self._base, self._path + (name,), self._type)

    def __call__(self, *args, **kwargs):
        return self._sandbox.call(self, args, kwargs)

    @property
    def type_name(self):
        """The type of the object this handle stands for (a value a call returned), for messages
        ("a Net object"); None for a module, a function or an attribute. (A student attribute
        named `type_name` is out of reach of checks, as are `label` and the others here.)"""
        return self._type if self._base[0] == "handle" and not self._path else None

    @property
    def label(self):
        """`MultilayerPerceptron.cost_derivatives` style name for messages."""
        head = [self._type] if self._base[0] == "handle" else []
        return ".".join(head + list(self._path)) or str(self._base[1])

    @property
    def timeout_key(self):
        """What a timeout is remembered by: the module (or the object's type) and the path, so
        that `prob1d.train` timing out says nothing about `prob2a.train`."""
        return (self._type if self._base[0] == "handle" else self._base[1], *self._path)

    def target(self):
        return {"base": list(self._base), "path": list(self._path)}

    def wire(self):
        return {"$ref": self.target()}

    def __repr__(self):
        if self._base[0] == "handle" and not self._path:
            return f"<{self._type} object in your code>"
        return f"<{self.label}>"


def describe(value):
    """Short text for an argument or result: arrays by dtype and shape."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.dtype == np.float64 else f"{value.dtype} array{value.shape}"
    if isinstance(value, Ref):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + f" of {len(value)}"
    if isinstance(value, dict):
        return "dict(" + ", ".join(value) + ")"
    text = repr(value)
    return text if len(text) < 30 else text[:27] + "..."


def call_body(ref, args, kwargs):
    return {"op": "call", "target": ref.target(), "args": list(args), "kwargs": kwargs}


def set_body(ref, name, value):
    return {"op": "set", "target": ref.target(), "name": name, "value": value}


def call_text(ref, args, kwargs):
    described = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{ref.label}({', '.join(described)})"


def _to_wire(value):
    if isinstance(value, Ref):
        return value.wire()
    raise TypeError(f"a check tried to send a {type(value).__name__} to the child")


Translate = Callable[[SandboxError], Exception]  # what the caller raises instead of a sandbox error


def _unchanged(error):
    return error


@dataclass
class Workspace:
    """What every sandbox of one submission shares: the folder the children get, the
    modules they may import, and what earlier checks learnt about them."""
    folder: str
    modules: dict                      # importable module name -> its file
    limits: Limits = field(default_factory=Limits)
    absent: frozenset = frozenset()    # declared modules that cannot be imported (ModuleMissing)
    packages: tuple = ()               # installed packages the children may import besides numpy
    preload: tuple = ()                # slow modules the fork server imports once
    imported: set = field(default_factory=set)        # modules that imported cleanly in some child
    import_failures: dict = field(default_factory=dict)  # module -> the error its import gave
    timed_out: dict = field(default_factory=dict)     # Ref.timeout_key of a function -> the timeout it gave

    def zygote(self) -> Zygote:
        return zygote_for(self.limits, sandbox_user(), self.packages, self.preload)

    def live_zygote(self) -> Zygote | None:
        return live_zygote((self.limits, self.packages, self.preload))


class Sandbox:
    """One child process for one check (or one group of checks): forked ahead by
    `Sandboxes`, or started on first use."""

    def __init__(self, workspace: Workspace, translate: Translate = _unchanged):
        self.workspace, self.limits, self.translate = workspace, workspace.limits, translate
        self.child = None
        self.workdir = None
        self.imported = set()
        self.importing = []  # modules whose import was sent ahead, by `ahead`
        self.gone = False  # its child died or was killed
        self.on_first_import = lambda: None  # called when a module is first known to import cleanly
        self.last_stdout = ""
        self.call_timeout = self.limits.call_timeout

    def module(self, name: str) -> Ref:
        if name not in self.workspace.modules:
            raise AttributeError(f"the assignment has no student module {name!r}")
        return Ref(self, ("module", name))

    def _start(self):
        for attempt in (1, 2):  # a previous check's child may have killed or stalled the fork server
            zygote = self.workspace.zygote()
            try:
                self.workdir = zygote.child_folder(self.workspace.folder)
                self.child = Child(zygote, self.workdir)
                self.child.pid  # noqa: B018  a child that could not be forked fails here, not later
                return
            except SandboxUnavailable:
                raise
            except (OSError, ChildGone, TimeoutError) as error:
                zygote.close()
                if attempt == 2 and isinstance(error, ChildGone):
                    raise  # its child could not start (the account's process limit): as before, the check's
                if attempt == 2:
                    raise SandboxUnavailable(f"the sandbox's fork server stopped answering: {error!r}") from None

    @classmethod
    def ahead(cls, workspace: Workspace, translate: Translate) -> Sandbox | None:
        """A sandbox for a later check, forked now and already importing the modules that
        imported cleanly before, so that work overlaps the running check (None if it fails)."""
        zygote = workspace.live_zygote()  # a fork server that died is restarted when a check needs it
        if zygote is None:
            return None
        sandbox = cls(workspace, translate)
        try:
            sandbox.workdir = zygote.child_folder(workspace.folder)
            sandbox.child = Child(zygote, sandbox.workdir)
            zygote.ahead.add(sandbox.child)
            sandbox.importing = sorted(workspace.imported)
            sandbox.child.send({"op": "import", "modules": sandbox.importing})
        except (OSError, SandboxError, TimeoutError):
            sandbox.close()
            return None
        return sandbox

    def claim(self) -> None:
        """This sandbox now serves the running check: it is no longer spared between checks."""
        if self.child is not None:
            self.child.zygote.ahead.discard(self.child)

    def still_answers(self) -> bool:
        """Whether a child forked ahead imported cleanly and still answers a request. Asked
        once the previous check's processes are gone, so nothing but the child itself can
        end it later: a check that killed it (kill(-1)) costs the next check nothing."""
        try:
            reply = self.child.receive(self.limits.import_timeout, self._from_wire)
            if not reply["ok"]:  # it imported cleanly before: a cold child tells it afresh
                return False
            self._keep_stdout(reply)
            self.child.request({"op": "import", "modules": []}, self.limits.import_timeout, None, None)
        except ChildGone:
            return False
        self.imported.update(self.importing)
        return True

    def _import(self, module):
        workspace = self.workspace
        file = workspace.modules[module]
        if module in workspace.absent:
            raise ModuleMissing(module)
        if module in workspace.import_failures:  # failed in an earlier check: do not wait again
            raise workspace.import_failures[module]
        try:
            reply = self._request({"op": "import", "modules": [module]}, f"importing {file}",
                                  self.limits.import_timeout)
            if not reply["ok"]:
                raise ImportFailed(file, reply["error"]["traceback"] or reply["error"]["message"])
        except (ImportFailed, ChildGone) as failure:
            workspace.import_failures[module] = failure
            raise
        self.imported.add(module)
        if module not in workspace.imported:
            workspace.imported.add(module)
            self.on_first_import()

    def _request(self, body, call, timeout):
        try:
            if self.child is None:
                self._start()
            reply = self.child.request(body, timeout, _to_wire, self._from_wire)
        except ChildGone as gone:
            self.gone = True
            raise type(gone)(gone.how, call, self.child.output() if self.child else "") from None
        self._keep_stdout(reply)
        return reply

    def _keep_stdout(self, reply):
        self.last_stdout = clean_text(reply.get("stdout", ""), MAX_CAPTURED_OUTPUT + 200)

    def _from_wire(self, tag, payload):
        if tag != "$handle" or not isinstance(payload, dict) or type(payload.get("id")) is not int:
            raise WireError(f"unexpected {tag} in a reply")
        return Ref(self, ("handle", payload["id"]), (), str(payload.get("type"))[:80])

    def _ensure_imported(self, ref):
        if ref._base[0] == "module" and ref._base[1] not in self.imported:
            self._import(ref._base[1])

    def call(self, ref: Ref, args: tuple, kwargs: dict, timeout: float | None = None) -> object:
        """Call `ref(*args, **kwargs)` in the child."""
        return self._answer(call_body(ref, args, kwargs), call_text(ref, args, kwargs), ref,
                            timeout or self.call_timeout)

    def many(self, bodies: list[dict], text: str, ref: Ref) -> list:
        """Several request bodies in one round trip, within one call's time limit."""
        return self._answer({"op": "many", "requests": bodies}, text, ref, self.call_timeout)

    def fetch(self, ref: Ref) -> object:
        """The value of an attribute in the child, as plain data."""
        return self._answer({"op": "get", "target": ref.target()}, f"reading {ref.label}", ref)

    def set(self, ref: Ref, name: str, value: object) -> None:
        """Set attribute `name` of a child-side object (e.g. a network's params)."""
        self._answer(set_body(ref, name, value), f"setting {ref.label}.{name}", ref)

    def seed(self, seed: int) -> None:
        """Seed the child's legacy global numpy generator, as the original APIs use it."""
        self._answer({"op": "seed", "seed": int(seed)}, "seeding numpy", None)

    def _answer(self, body, call, ref, timeout=None):
        """Send one request about `ref`; a function that timed out before fails at once, alike."""
        label, key = (ref.label, ref.timeout_key) if ref is not None else ("seed", ("seed",))
        try:
            if key in self.workspace.timed_out:
                raise self.workspace.timed_out[key]
            if ref is not None:
                self._ensure_imported(ref)
            try:
                reply = self._request(body, call, timeout or self.limits.call_timeout)
            except ChildTimeout as timeout_error:
                self.workspace.timed_out[key] = timeout_error
                raise
            if not reply["ok"]:
                raise CallFailed(label, call, reply["error"])
        except SandboxError as error:
            raise self.translate(error) from None
        return reply["value"]

    def close(self) -> None:
        if self.child is not None:
            self.claim()
            self.child.close()
        if self.workdir:
            remove_tree(self.workdir)


class Sandboxes:
    """Hands each check a fresh sandbox. While a check runs, the next check's child is
    being forked and imports the modules that imported cleanly before, on the other core.

    Consecutive checks of one group (checks that only read values, such as answers to
    questions) share the group's child: one fork instead of one per check.
    """

    def __init__(self, workspace: Workspace, translate: Translate = _unchanged):
        self.workspace, self.translate = workspace, translate
        self.next = None  # forked ahead for the next check
        self.kept = None  # (group, sandbox) of the last check, if it had a group

    def take(self, group: str | None = None) -> Sandbox:
        if self.kept is not None:
            kept_group, sandbox = self.kept
            self.kept = None
            if kept_group == group and not sandbox.gone and sandbox.child and sandbox.child.zygote.alive():
                sandbox.call_timeout, sandbox.last_stdout = self.workspace.limits.call_timeout, ""
                return sandbox
            self.release(sandbox)
        sandbox, self.next = self.next, None
        if sandbox is None or not sandbox.child.zygote.alive() or not sandbox.still_answers():
            if sandbox is not None:
                sandbox.close()
            sandbox = Sandbox(self.workspace, self.translate)
            sandbox.on_first_import = self._prepare_next  # the next check's child need not wait for this one's end
        sandbox.claim()
        self._prepare_next()
        return sandbox

    def release(self, sandbox: Sandbox, group: str | None = None) -> None:
        if group is not None:
            self.kept = (group, sandbox)
            return
        sandbox.close()
        self._prepare_next()

    def _prepare_next(self):
        if self.next is None and self.workspace.imported:
            self.next = Sandbox.ahead(self.workspace, self.translate)

    def close(self) -> None:
        for sandbox in (self.next, self.kept and self.kept[1]):
            if sandbox:
                sandbox.close()
        self.next = self.kept = None


class Student:
    """What the `student` fixture gives a check: `student.<module>` and helpers."""

    def __init__(self, sandbox: Sandbox):
        self._sandbox = sandbox

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._sandbox.module(name)

    def fetch(self, ref: Ref) -> object:
        return self._sandbox.fetch(ref)

    def set(self, ref: Ref, name: str, value: object) -> None:
        self._sandbox.set(ref, name, value)

    def seed(self, seed: int) -> None:
        self._sandbox.seed(seed)

    def batch(self) -> Batch:
        """Collect calls and sets to send in one round trip (finite differences)."""
        return Batch(self._sandbox)

    def time_limit(self, seconds: float) -> None:
        """Allow each later call in this check up to `seconds` (training runs)."""
        self._sandbox.call_timeout = float(seconds)

    @property
    def stdout(self) -> str:
        """What the last call printed."""
        return self._sandbox.last_stdout


class Batch:
    """Calls and attribute sets run in the child in one request, in order."""

    def __init__(self, sandbox: Sandbox):
        self._sandbox, self._bodies, self._first = sandbox, [], None

    def call(self, ref: Ref, *args, **kwargs) -> None:
        self._first = self._first or (ref, args, kwargs)
        self._bodies.append(call_body(ref, args, kwargs))

    def call_first(self, ref: Ref, *args, **kwargs) -> None:
        """Like call, but of a tuple or list result only the first item comes back
        (the loss of `(loss, grads)`), which is all finite differences need."""
        self.call(ref, *args, **kwargs)
        self._bodies[-1]["first"] = True

    def set(self, ref: Ref, name: str, value: object) -> None:
        self._bodies.append(set_body(ref, name, value))

    def run(self) -> list:
        """The results in order (None for each set)."""
        ref, args, kwargs = self._first
        text = f"{len(self._bodies)} calls like {call_text(ref, args, kwargs)}"
        return self._sandbox.many(self._bodies, text, ref)
