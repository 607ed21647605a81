"""Every check of every assignment, run in-process on a submission whose every
function returns odd values (a list, a wrong-length tuple, a dict, a 0-d or
complex array, an object, NaN): each check passes or fails with a
CheckFailure for the student, never with an error of the grader's own."""
import importlib.util
import inspect
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from oddities import odd

from grader.assignment.config import all_slugs, load_assignment
from grader.assignment.loader import load_modules
from grader.failures import CheckFailure
from grader.grading.fixtures import all_data
from grader.kit import items
from grader.sandbox.inprocess import InProcessStudent
from grader.student.local import missing_name


class Submission:
    """Any module, class or object of a submission: a class gives an object, a
    function returns whatever `answer()` draws."""

    def __init__(self, answer, name="module"):
        self._answer, self._name = answer, name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Submission(self._answer, name)

    def __call__(self, *args, **kwargs):
        return Submission(self._answer, "object") if self._name[:1].isupper() else self._answer()


def checks():
    """(slug, item) for every graded item of every assignment: a check function, its number
    and the arguments of its case (a family of items runs once a case)."""
    found = []
    for slug in all_slugs():
        spec = load_assignment(slug)
        for folder in spec.checks:
            for path in sorted(folder.glob("test_*.py")):
                loader = importlib.util.spec_from_file_location(f"odd_{slug}_{path.stem}", path)
                module = importlib.util.module_from_spec(loader)
                loader.loader.exec_module(module)
                found += [(slug, SimpleNamespace(function=f, number=number, args=args))
                          for name, f in sorted(vars(module).items())
                          if name.startswith("test_") and hasattr(f, "__weight__")
                          for number, _, args in items.expand(f)]
    return found


CHECKS = checks()
SHARED = {}


def fixtures(slug):
    """The fixtures a check may ask for, but `student` (reference and data loaded once)."""
    if slug not in SHARED:
        spec = load_assignment(slug)
        names = list(spec.modules) + [name.rsplit(".", 1)[0] for name in spec.support]
        reference = load_modules(spec.reference, names)
        SHARED[slug] = {"ref": reference, "ref_at_hand": reference, "data": all_data(spec), "assignment": spec}
    return SHARED[slug]


@pytest.mark.parametrize("slug,check", CHECKS, ids=[f"{s}-{c.number}" for s, c in CHECKS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_check_answers_odd_values_with_a_check_failure(slug, check, data):
    spec = fixtures(slug)["assignment"]
    modules = SimpleNamespace(**{name: Submission(lambda: data.draw(odd)) for name in spec.modules})
    given_fixtures = {**fixtures(slug), "student": InProcessStudent(modules), "rng": np.random.default_rng(0),
                      "set_score": lambda score: None}
    wanted = {name: given_fixtures[name] for name in inspect.signature(check.function).parameters
              if name not in check.args}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's overflow warnings on odd numbers
        try:
            check.function(**wanted, **check.args)
        except CheckFailure as failure:
            assert failure.message.strip() and failure.tags
        except AttributeError as exc:  # a method the odd object lacks: the sandbox reports it as the student's error
            assert missing_name(exc), exc
