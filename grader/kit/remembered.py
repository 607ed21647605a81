"""What the reference alone decides, computed once per version of the assignment.

A training run of the reference from a fixed start (the run's seed, the
handout's data) gives the same numbers in every grade, yet costs as much CPU
as the student's own run. `remembered(assignment, key, compute)` keeps the
result of `compute()` (a dict of arrays and numbers) in a file named by `key`,
in a folder named by the fingerprint grade-all's cache uses (the checks, the
reference, the data and settings, the grader's code), so any change to those
computes it afresh. Only results on fixed inputs belong here: inputs drawn per
submission (hidden checks seed them from a secret and the submission's digest)
differ in every grade.

The folder is root's and closed to everyone else (mode 700), and kept only
when grading as root: sandbox children run as other accounts and cannot read
the reference's outputs there. Otherwise, or when the folder cannot be used,
every grade computes afresh, as before.
"""
import functools
import hashlib
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

STORE = Path("/var/cache/backprop-grader/reference")


@functools.lru_cache(maxsize=None)
def _folder(slug, root):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    from ..assignment.config import load_assignment
    from ..assignment.seeds import fingerprint  # here: a student's local check never gets this far
    try:
        folder = STORE / slug / fingerprint(load_assignment(slug, root))
        os.makedirs(STORE, mode=0o700, exist_ok=True)
        info = os.stat(STORE)
        if info.st_uid != 0 or stat.S_IMODE(info.st_mode) & 0o077:
            return None  # not ours alone: never trust what is in it
        folder.mkdir(parents=True, exist_ok=True)
    except Exception:  # noqa: BLE001  only a cache: whatever stops it, every grade computes afresh
        return None
    return folder


def _load(path):
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError):
        return None


def _save(path, value):
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **value)
        os.replace(tmp, path)
    except OSError:
        pass  # the next grade computes it again


def remembered(assignment, key, compute):
    """`compute()` (a dict: name -> array or number), read back if this version of the
    assignment computed it before under `key`; numbers come back as 0-d arrays."""
    return _remembered(assignment.slug, assignment.root, key, compute)


def for_checks(check_file):
    """`remembered` for the assignment of this check file, as `remember(key, compute)`
    (`REMEMBER = remembered.for_checks(__file__)`, as bugs.catalogue reads its bugs)."""
    path = Path(check_file).resolve()  # <root>/assignments/<slug>/checks/<public|hidden>/<file>
    return functools.partial(_remembered, path.parents[2].name, path.parents[4])


def key_of(*inputs):
    """A key naming exactly these inputs: arrays by dtype, shape and bytes, lists and tuples
    item by item, anything else by its repr."""
    digest = hashlib.sha256()

    def add(value):
        if isinstance(value, np.ndarray):
            digest.update(f"array {value.dtype} {value.shape}".encode() + np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (list, tuple)):
            digest.update(f"{type(value).__name__} {len(value)}".encode())
            for item in value:
                add(item)
        else:
            digest.update(repr(value).encode())
        digest.update(b"\0")
    for value in inputs:
        add(value)
    return digest.hexdigest()


def _remembered(slug, root, key, compute):
    folder = _folder(slug, root)
    if folder is None:
        return compute()
    path = folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".npz")
    value = _load(path) if path.exists() else None
    if value is None:
        value = {name: np.asarray(v) for name, v in compute().items()}
        _save(path, value)
    return value
