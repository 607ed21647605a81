"""One way to write a training item (grader.kit.training.graded_run): tables of cases, items
that are all or nothing, and the record a figure of the run reads, bounded and kept on the check."""
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from grader.assignment.config import TRAINING_RUN, TrainingRun
from grader.failures import CheckFailure
from grader.kit import training
from grader.kit.items import expand


def toy_run(**settings):
    return TrainingRun({**{key: None for key in TRAINING_RUN}, "seed": 3, "timeout": 5.0, **settings}, "toy")


def grade(probe_result, run, whole=False):
    """The score require_run gives a student whose run returns `probe_result`."""
    reference = {"accuracy": 0.97, "outputs": [1.0, 2.0]}

    def probe(code, data, settings, seed):
        return reference if code.name == "reference" else probe_result
    scores = []
    try:
        training.require_run(probe, SimpleNamespace(name="student"), SimpleNamespace(name="reference"), None, run,
                             "The net", 2.0, scores.append, whole=whole)
    except CheckFailure:
        pass
    return scores[0]


def test_a_run_with_limits_of_one_kind_only_is_all_or_nothing():
    # a3's moons items have an accuracy bar only: missing it is worth nothing, not half
    assert grade({"accuracy": 0.5, "outputs": [1.0, 2.0]}, toy_run(min_accuracy=0.9)) == 0.0
    assert grade({"accuracy": 0.95, "outputs": [9.0, 2.0]}, toy_run(min_accuracy=0.9)) == 2.0


def test_a_whole_item_needs_both_halves():
    both = toy_run(min_accuracy=0.9, max_outputs_gap=1e-6)
    assert grade({"accuracy": 0.95, "outputs": [1.0, 2.5]}, both) == 1.0
    assert grade({"accuracy": 0.95, "outputs": [1.0, 2.5]}, both, whole=True) == 0.0
    assert grade({"accuracy": 0.95, "outputs": [1.0, 2.0]}, both, whole=True) == 2.0


@pytest.mark.parametrize("kind, value, bound, words", [
    ("max_accuracy", 1.0, 0.75, "at most 75%"), ("min_margin", 0.1, 0.3, "at least 30% more")])
def test_other_limits_say_what_was_missed(kind, value, bound, words):
    measure = kind[4:]
    with pytest.raises(CheckFailure, match=words):
        training.require_run(lambda *_: {measure: value, "examples": 4}, None, SimpleNamespace(), None,
                             toy_run(**{kind: bound}), "The net", 1.0, lambda _: None)


def test_the_record_is_bounded_and_drops_what_is_malformed():
    inputs = training.lattice(np.array([[0.0, -1.0], [2.0, 1.0]]))
    assert inputs.shape == (training.GRID_CELLS ** 2, 2) and inputs[0, 0] < 0 < 2 < inputs[-1, 0]
    history = np.linspace(1.0, 0.1, 1000)
    history[-1] = np.inf
    good = {"accuracy": np.array(0.9), "outputs": np.ones(3), "history": history, "history_unit": "epoch",
            **training.boundary(lambda cells: np.zeros(len(cells)), np.zeros((5, 2)), np.arange(5), "predict")}
    record = training.recorded(good)
    assert record["measures"] == {"accuracy": 0.9}   # a 0-d array too: the reference's run comes back so
    assert len(record["history"]) == training.HISTORY_ENTRIES and math.isnan(record["history"][-1])
    assert record["history_steps"][0] == 1 and record["history_steps"][-1] == 1000
    assert len(record["grid"]) == training.GRID_CELLS ** 2 and record["points_y"] == [0, 1, 2, 3, 4]
    for bad in ({"grid": good["grid"][:5]}, {"grid": good["grid"] + 0.5}, {"points_X": good["points_X"] + np.inf},
                {"points_y": np.arange(4)}):
        assert "grid" not in training.recorded({**good, **bad})


def test_a_predict_that_fails_on_the_lattice_costs_the_figure_only():
    def predict(cells):
        return np.full(len(cells), 0.5)   # not whole numbers: a CheckFailure
    assert training.boundary(predict, np.zeros((4, 2)), np.zeros(4), "predict") == {}


def test_a_table_of_cases_makes_one_item_per_row_and_keeps_both_runs_records():
    @training.graded_run({"4.3": "tanh", "4.4": "relu"}, "toy_{case}", 0.5)
    def test_toy(code, data, run, seed, case, ref):
        """a {case} net learns

        A {case} net ({epochs} epochs)
        """
        if code.name == "student" and case == "relu":
            raise CheckFailure("relu went wrong", ["wrong-values"])
        return {"accuracy": 0.95, "examples": 10, "history": [0.5, 0.4], "seed_seen": float(seed),
                "ref_seen": float(ref.name == "reference")}
    assert sorted(test_toy.probes) == ["4.3", "4.4"] and test_toy.probes["4.4"].training_run == "toy_relu"
    assert [(number, title) for number, title, _ in expand(test_toy)] == [("4.3", "a tanh net learns"),
                                                                           ("4.4", "a relu net learns")]
    student = SimpleNamespace(name="student", time_limit=lambda seconds: None)
    assignment = SimpleNamespace(slug="toy", root=Path("/nonexistent"),
                                 run=lambda name: toy_run(epochs=2, min_accuracy=0.9))
    test_toy(student, SimpleNamespace(name="reference"), None, assignment, case="tanh")
    kept = test_toy.__training__
    assert test_toy.__score__ == 0.5 and kept["item"] == "4.3" and kept["limits"] == [["accuracy", "min", 0.9]]
    assert kept["student"]["measures"] == {"accuracy": 0.95, "seed_seen": 3.0, "ref_seen": 1.0}
    assert kept["reference"]["history"] == [0.5, 0.4]
    with pytest.raises(CheckFailure):
        test_toy(student, SimpleNamespace(name="reference"), None, assignment, case="relu")
    assert test_toy.__training__["student"] is None and test_toy.__training__["reference"] is not None


def test_the_reference_runs_only_where_a_limit_or_the_figure_needs_it():
    calls = []

    def probe(code, data, settings, seed):
        calls.append(code.name)
        return {"accuracy": 0.95, "examples": 10, "outputs": [1.0]}
    student, ref = SimpleNamespace(name="student"), SimpleNamespace(name="reference")
    kept = []
    training.require_run(probe, student, ref, None, toy_run(min_accuracy=0.9), "The net", 1.0, lambda _: None,
                         keep=kept.append, reference_run=False)
    assert calls == ["student"] and kept[0]["reference"] is None
    training.require_run(probe, student, ref, None, toy_run(max_outputs_gap=1e-6), "The net", 1.0, lambda _: None,
                         reference_run=False)
    assert calls == ["student", "reference", "student"]   # a gap limit needs the reference's run
