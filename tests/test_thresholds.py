"""Training items: limits read from the settings, gaps to the reference's run, and the
thresholds tool, which must find every probed mutant on the side its `breaks` says."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from grader.assignment.config import TRAINING_RUN, ConfigError, TrainingRun
from grader.authoring.thresholds import measure, report
from grader.failures import CheckFailure
from grader.kit.training import limits, require_run, shortfalls, with_gaps

SETTINGS = {"epochs": 20, "min_accuracy": 0.9, "max_loss": 0.3, "max_error": None, "max_outputs_gap": 1e-6}


def test_limits_are_the_min_and_max_keys():
    assert sorted(limits(SETTINGS)) == [("accuracy", "min", 0.9), ("loss", "max", 0.3),
                                        ("outputs_gap", "max", 1e-6)]


def test_shortfalls_name_each_missed_limit_and_count_nan_as_missed():
    good = {"accuracy": 0.95, "loss": 0.2, "outputs_gap": 0.0}
    assert shortfalls(good, SETTINGS) == []
    bad = {"accuracy": 0.5, "loss": math.nan, "outputs_gap": 0.0}
    assert [name for name, *_ in shortfalls(bad, SETTINGS)] == ["accuracy", "loss"]
    assert shortfalls(bad, SETTINGS)[0] == ("accuracy", 0.5, 0.9)


def test_gaps_are_relative_to_the_reference_run_and_arrays_count_only_by_their_gap():
    reference = {"loss": 0.2, "error": 0.0, "outputs": np.array([[2.0, -4.0], [1.0, 0.0]])}
    measures = with_gaps({"loss": 0.22, "error": 0.5, "outputs": np.array([[2.0, -4.0], [1.2, 0.0]])}, reference)
    assert measures["loss_gap"] == pytest.approx(0.1)
    assert measures["error_gap"] == 0.5          # absolute where the reference's is 0
    assert measures["outputs_gap"] == pytest.approx(0.05)
    assert "outputs" not in measures and measures["loss"] == 0.22
    assert math.isnan(with_gaps({"loss": math.nan}, reference)["loss_gap"])


@pytest.mark.parametrize("slug, seeds, broken, items", [
    ("a2_two_layer_mlp", 3, "left_at_zero", None),
    ("a1_softsign", 1, "left_at_zero", None),
    ("a3_three_layer_nn", 1, "first_layer_never_updated", ["5.8", "5.9"]),  # the moons and the ConvNet: make thresholds
    ("a5_softmax_mlp", 1, "relu_mask_inverted", ["6.2"])])
def test_every_probed_mutant_lands_on_its_side(slug, seeds, broken, items):
    results = measure(slug, seeds=seeds, items=items)
    assert sorted(results) == sorted(items or results)
    lines = []
    assert report(slug, results, out=lines.append) == 0, "\n".join(lines)
    names = [v.name for _, found in results.values() for v in found]
    assert "reference" in names and any(broken in n for n in names)


def test_a_limit_that_forgives_a_frozen_layer_is_reported():
    results = measure("a2_two_layer_mlp", seeds=1, overrides={"max_loss": 10, "min_accuracy": 0,
                                                              "max_outputs_gap": 10})
    lines = []
    assert report("a2_two_layer_mlp", results, out=lines.append) > 0
    assert any(line.startswith("W1_gradient_left_at_zero") and "WRONG SIDE" in line for line in lines)


def test_command_line_tries_other_settings(capsys):
    from grader.cli import main
    assert main(["thresholds", "a2_two_layer_mlp", "--seeds", "1", "--set", "max_loss=0.25"]) == 0
    assert "loss <= 0.25" in capsys.readouterr().out


def test_a_misspelt_setting_is_refused_by_name():
    with pytest.raises(ConfigError, match="max_loss"):
        measure("a2_two_layer_mlp", seeds=1, overrides={"max_los": 0.25})


def toy_run(**limits_):
    return TrainingRun({**{key: None for key in TRAINING_RUN}, "seed": 0, **limits_}, "toy")


@pytest.mark.parametrize("student_run, score, tags", [
    ({"accuracy": 0.95, "outputs": [1.0, 2.0]}, 2.0, None),
    ({"accuracy": 0.95, "outputs": [1.0, 2.5]}, 1.0, ("training-gradient",)),
    ({"accuracy": 0.5, "outputs": [1.0, 2.0]}, 1.0, ("training",)),
    ({"accuracy": 0.5, "outputs": [0.0, 9.0]}, 0.0, ("training", "training-gradient")),
])
def test_a_training_item_scores_learning_and_following_the_reference_apart(student_run, score, tags):
    runs = {"reference": {"accuracy": 0.97, "outputs": [1.0, 2.0]}, "student": student_run}
    probe = lambda code, data, run, seed: runs[code.name]  # noqa: E731
    scores = []
    student, ref = SimpleNamespace(name="student"), SimpleNamespace(name="reference")
    try:
        require_run(probe, student, ref, None, toy_run(min_accuracy=0.9, max_outputs_gap=1e-5), "The net", 2.0,
                    scores.append)
        failure = None
    except CheckFailure as raised:
        failure = raised
    assert scores == [score]
    assert (failure.tags if failure else None) == tags
    if failure:  # the student's own figures and the bar, never the reference's
        assert "97" not in failure.message and "2.0" not in failure.message
