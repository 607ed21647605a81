"""Fixtures every check can ask for: student, ref, data, rng, assignment."""
import zlib

import numpy as np
import pytest

from . import adapter
from .loader import load_modules
from .plugin import GRADING
from .sandbox.proxy import Student


def _grading(request):
    return request.config.stash[GRADING]


@pytest.fixture(scope="session")
def sandboxes(request):
    grading = _grading(request)
    pool = adapter.sandboxes(grading.staged, grading.spec)
    yield pool
    pool.close()


@pytest.fixture
def student(request, sandboxes):
    """The submission, running in a fresh sandbox child for this check; consecutive checks
    marked @pytest.mark.shared_child("group") share one (for checks that only read values)."""
    marker = request.node.get_closest_marker("shared_child")
    group = marker.args[0] if marker else None
    sandbox = sandboxes.take(group)
    try:
        yield Student(sandbox)
    finally:
        sandboxes.release(sandbox, group)


@pytest.fixture(scope="session")
def ref(request):
    """The reference solution, imported in the trusted process."""
    spec = _grading(request).spec
    names = list(spec.modules) + [name.rsplit(".", 1)[0] for name in spec.support]
    return load_modules(spec.reference, names)


@pytest.fixture(scope="session")
def data(request):
    """Every data file of the assignment, labels included: file stem -> arrays."""
    spec = _grading(request).spec
    out = {}
    for name in spec.data:
        with np.load(spec.data_folder / name, allow_pickle=False) as f:
            out[name.rsplit(".", 1)[0]] = {k: f[k] for k in f.files}
    return out


@pytest.fixture
def rng(request):
    """A generator seeded by the check's id: the same inputs on every run."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(scope="session")
def assignment(request):
    """The assignment's settings (thresholds, limits)."""
    return _grading(request).spec
