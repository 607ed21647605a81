"""The reference's results on fixed inputs are computed once per version of an assignment,
kept where only root reads them, and never taken from a folder others can write or read."""
import os

import numpy as np
import pytest

from grader.assignment.config import load_assignment
from grader.kit import remembered as store

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="results are kept only when grading as root")


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "STORE", tmp_path / "reference")
    store._folder.cache_clear()
    yield tmp_path / "reference"
    store._folder.cache_clear()


def counted():
    calls = []

    def compute():
        calls.append(1)
        return {"outputs": np.arange(6.0).reshape(2, 3) / 7, "loss": 0.1 + 0.2}
    return calls, compute


def test_a_second_grade_reads_what_the_first_computed_bit_for_bit(fresh_store):
    calls, compute = counted()
    a4 = load_assignment("a4_modular_nn")
    first = store.remembered(a4, "4.3", compute)
    second = store.remembered(a4, "4.3", compute)
    assert len(calls) == 1
    assert np.array_equal(first["outputs"], second["outputs"]) and second["outputs"].dtype == np.float64
    assert float(second["loss"]) == 0.1 + 0.2
    assert os.stat(fresh_store).st_mode & 0o777 == 0o700  # a sandbox account cannot read the expected values


def test_each_key_and_each_assignment_has_its_own_result(fresh_store):
    calls, compute = counted()
    store.remembered(load_assignment("a4_modular_nn"), "4.3", compute)
    store.remembered(load_assignment("a4_modular_nn"), "4.4", compute)
    store.remembered(load_assignment("a1_softsign"), "4.3", compute)
    assert len(calls) == 3


@pytest.mark.parametrize("mode", [0o755, 0o707, 0o770])
def test_a_store_others_can_reach_is_never_used(fresh_store, mode):
    fresh_store.mkdir(mode=0o700)
    os.chmod(fresh_store, mode)
    calls, compute = counted()
    a4 = load_assignment("a4_modular_nn")
    store.remembered(a4, "4.3", compute)
    store.remembered(a4, "4.3", compute)
    assert len(calls) == 2 and list(fresh_store.iterdir()) == []


def test_a_damaged_file_is_computed_again(fresh_store):
    calls, compute = counted()
    a4 = load_assignment("a4_modular_nn")
    store.remembered(a4, "4.3", compute)
    for path in fresh_store.rglob("*.npz"):
        path.write_bytes(b"not an npz")
    again = store.remembered(a4, "4.3", compute)
    assert len(calls) == 2 and again["outputs"].shape == (2, 3)


def test_no_sandbox_view_reaches_the_store():
    from grader.sandbox.readable import sandbox_view
    readable, listable = sandbox_view(("sklearn", "matplotlib"))
    store_path = str(store.STORE)
    for path in readable + listable:
        assert not (store_path + "/").startswith(path.rstrip("/") + "/"), path


def test_a_training_item_trains_the_reference_once_and_scores_alike(fresh_store):
    from types import SimpleNamespace

    from grader.assignment.config import TRAINING_RUN, TrainingRun
    from grader.kit.training import require_run
    trained = []

    def probe(code, data, run, seed):
        trained.append(code.name)
        return {"accuracy": 0.97 if code.name == "reference" else 0.95, "outputs": [1.0, 2.0 + 1e-3 * len(trained)]}
    probe.training_item, probe.training_run = "9.9", "toy"
    run = TrainingRun({**{key: None for key in TRAINING_RUN}, "seed": 0, "min_accuracy": 0.9,
                       "max_outputs_gap": 1e-2}, "toy")
    student, ref = SimpleNamespace(name="student"), SimpleNamespace(name="reference")
    scores = []
    for _ in range(3):
        require_run(probe, student, ref, None, run, "The net", 2.0, scores.append, load_assignment("a1_softsign"))
    assert trained == ["reference", "student", "student", "student"] and scores == [2.0, 2.0, 2.0]
