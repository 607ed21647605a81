"""Fixtures every check can ask for: student, ref, ref_at_hand, data, rng, assignment."""
from pathlib import Path

import numpy as np
import pytest

from ..assignment import seeds
from ..assignment.loader import load_modules
from .plugin import GRADING


def _grading(request):
    return request.config.stash[GRADING]


@pytest.fixture(scope="session")
def sandboxes(request):
    from . import adapter
    grading = _grading(request)
    pool = adapter.sandboxes(grading.staged, grading.spec, lambda text: grading.notes.insert(0, text))  # the headline
    yield pool
    pool.close()


@pytest.fixture
def student(request, sandboxes):
    """The submission, running in a fresh sandbox child for this check; consecutive checks
    marked @pytest.mark.shared_child("group") share one (for checks that only read values)."""
    from ..sandbox.proxy import Student  # see `sandboxes`
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
    return load_reference(_grading(request).spec)


def load_reference(spec):
    """The reference's submitted and support modules, as a namespace."""
    names = list(spec.modules) + [name.rsplit(".", 1)[0] for name in spec.support]
    return load_modules(spec.reference, names)


@pytest.fixture(scope="session")
def ref_at_hand(request):
    """The reference where it exists (the autograder, an instructor's checkout), else None (a
    student's own check): public checks pass a right gradient whose own loss is wrong with it."""
    return request.getfixturevalue("ref") if _grading(request).spec.reference.is_dir() else None


def all_data(assignment):
    """Every data file of the assignment, labels included: file stem -> arrays."""
    out = {}
    for name in assignment.data:
        with np.load(assignment.data_folder / name, allow_pickle=False) as f:
            out[name.rsplit(".", 1)[0]] = {k: f[k] for k in f.files}
    return out


@pytest.fixture(scope="session")
def data(request):
    """Every data file of the assignment, labels included: file stem -> arrays."""
    return all_data(_grading(request).spec)


@pytest.fixture(scope="session")
def submission_digest(request):
    """A digest of everything staged for the child: the same files get the same hidden inputs."""
    return seeds.submission_digest(_grading(request).staged.folder)


@pytest.fixture
def rng(request, submission_digest):
    """A generator for the check's inputs: seeded by the check's id in public checks; in
    hidden ones also by the run's secret and the submission's digest (see grader.assignment.seeds)."""
    hidden = grading_hidden(request)
    return np.random.default_rng(seeds.check_seed(request.node.nodeid, submission_digest,
                                                  seeds.run_secret() if hidden else None))


def grading_hidden(request):
    """Whether the running check is one of the assignment's hidden checks."""
    hidden = _grading(request).spec.checks[1].resolve()
    return hidden in Path(request.node.path).resolve().parents


@pytest.fixture(scope="session")
def assignment(request):
    """The assignment's manifest (training runs, limits): grader.assignment.config.Assignment."""
    return _grading(request).spec

