"""In-process stand-ins for the sandbox proxy, behind the same interface as
`proxy.Student` / `proxy.Ref` / `proxy.Batch`.

They import code into the calling process, so they are for trusted code
only: `make bench` prices the sandbox against them, and unit tests drive
the check kit with them. Never use them on a submission.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

PLAIN = (dict, list, tuple, np.ndarray, int, float, str, bool, type(None), np.generic)


class Direct:
    """Stand-in for a sandbox Ref: calls capture stdout like the child does; objects
    come back wrapped, as handles do."""

    def __init__(self, obj, owner):
        self._obj, self._owner = obj, owner

    @property
    def type_name(self):
        return type(self._obj).__name__

    def __getattr__(self, name):
        return _wrap(getattr(self._obj, name), self._owner)

    def __call__(self, *args, **kwargs):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            result = self._obj(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()})
        self._owner.stdout = buffer.getvalue()
        return _wrap(result, self._owner)


def _wrap(value, owner):
    return value if isinstance(value, PLAIN) else Direct(value, owner)


def _unwrap(value):
    return value._obj if isinstance(value, Direct) else value


class InProcessStudent:
    """The `student` fixture's interface over modules imported in this process
    (`modules`: any object whose attributes are the modules)."""

    def __init__(self, modules: object):
        self._modules, self.stdout = modules, ""

    def __getattr__(self, name: str) -> Direct:
        return Direct(getattr(self._modules, name), self)

    def fetch(self, ref: object) -> object:
        return _unwrap(ref)

    def set(self, ref: object, name: str, value: object) -> None:
        setattr(_unwrap(ref), name, value)

    def seed(self, seed: int) -> None:
        np.random.seed(seed)

    def time_limit(self, seconds: float) -> None:
        pass

    def batch(self) -> DirectBatch:
        return DirectBatch(self)


class DirectBatch:
    """Stand-in for proxy.Batch: the staged steps run when `run` is called."""

    def __init__(self, student):
        self._student, self._steps = student, []

    def call(self, ref, *args, **kwargs):
        self._steps.append(lambda: ref(*args, **kwargs))

    def call_first(self, ref, *args, **kwargs):
        def first():
            result = ref(*args, **kwargs)
            return result[0] if type(result) in (tuple, list) and result else result
        self._steps.append(first)

    def set(self, ref, name, value):
        self._steps.append(lambda: self._student.set(ref, name, value))

    def run(self):
        return [step() for step in self._steps]
