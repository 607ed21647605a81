"""a5's full-batch training items (6.1-6.3) call `train` under their run's training timeout,
not the 10 s call timeout: a correct computeGrad written with loops takes 5-11 s there under load.
The checks run in-process on the reference, with a student that records the limit of each call."""
import importlib.util
import warnings
from types import SimpleNamespace

import pytest

from grader.assignment.config import load_assignment
from grader.assignment.loader import load_modules
from grader.sandbox.inprocess import InProcessStudent

SLUG = "a5_softmax_mlp"


class TimedStudent(InProcessStudent):
    """Remembers the time limit in force, as the sandbox's proxy does for later calls."""

    def __init__(self, modules, call_timeout):
        super().__init__(modules)
        self.limit = call_timeout

    def time_limit(self, seconds):
        self.limit = float(seconds)


def hidden_checks(spec):
    path = next(folder for folder in spec.checks if folder.name == "hidden") / "test_a5_hidden.py"
    loader = importlib.util.spec_from_file_location("a5_hidden_for_timeouts", path)
    module = importlib.util.module_from_spec(loader)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loader.loader.exec_module(module)
    return module


@pytest.mark.parametrize("check, runs", [
    ("test_xor_softmax_regression_cannot_fit", ["xor_softmax"]),
    ("test_xor_mlp_reaches_full_accuracy", ["xor_mlp"]),
    ("test_spiral_mlp_beats_softmax_regression", ["spiral_softmax", "spiral_mlp"])])
def test_full_batch_training_runs_under_the_training_timeout(check, runs):
    spec = load_assignment(SLUG)
    names = list(spec.modules) + [name.rsplit(".", 1)[0] for name in spec.support]
    ref = load_modules(spec.reference, names)
    modules = SimpleNamespace(**{name: SimpleNamespace(**vars(getattr(ref, name))) for name in spec.modules})
    limits = []
    for module in vars(modules).values():
        if hasattr(module, "train"):
            def train(*args, _train=module.train, **kwargs):
                limits.append(student.limit)
                return _train(*args, **kwargs)
            module.train = train
    student = TimedStudent(modules, spec.limits.call_timeout)
    graded = getattr(hidden_checks(spec), check)
    graded(student, ref, {}, spec)
    assert graded.__score__ == graded.__weight__   # the reference, full marks
    assert limits == [spec.run(run).timeout for run in runs]
    assert all(limit > spec.limits.call_timeout for limit in limits)
