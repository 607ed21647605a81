"""Running untrusted student code in a child process with limits (docs/security.md).

What the rest of the grader uses is named in __all__: a `Workspace` (the staged
folder) served by a `Sandbox` (one child at a time, its `Student` proxy) or by
`Sandboxes` (one per check group), its `Limits`, the errors a call can raise, and
`InProcessStudent` (the same interface in-process, for `check` and benchmarks).
The rest of the package is its inside. The names load on first use, so importing
one submodule (the child's server does) loads nothing else.
"""
from __future__ import annotations

from importlib import import_module

_HOMES = {
    "Sandbox": "proxy", "Sandboxes": "proxy", "Student": "proxy", "Workspace": "proxy",
    "Limits": "limits",
    "InProcessStudent": "inprocess",
    "SandboxError": "errors", "SandboxUnavailable": "errors", "ModuleMissing": "errors",
    "ImportFailed": "errors", "CallFailed": "errors", "ChildGone": "errors", "ChildTimeout": "errors",
    "preloads": "forkserver",
    "setup_pool": "accounts",
}
__all__ = list(_HOMES)


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
