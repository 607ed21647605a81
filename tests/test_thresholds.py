"""Training items: limits read from the settings, gaps to the reference's run, and the
thresholds tool, which must find every probed mutant on the side its `breaks` says."""
import math

import numpy as np
import pytest

from grader.thresholds import measure, report
from grader.training import limits, shortfalls, with_gaps

SETTINGS = {"num_epochs": 20, "min_test_accuracy": 0.9, "max_test_loss": 0.3, "max_test_scores_gap": 1e-6}


def test_limits_are_the_min_and_max_keys():
    assert sorted(limits(SETTINGS)) == [("test_accuracy", "min", 0.9), ("test_loss", "max", 0.3),
                                        ("test_scores_gap", "max", 1e-6)]


def test_shortfalls_name_each_missed_limit_and_count_nan_as_missed():
    good = {"test_accuracy": 0.95, "test_loss": 0.2, "test_scores_gap": 0.0}
    assert shortfalls(good, SETTINGS) == []
    bad = {"test_accuracy": 0.5, "test_loss": math.nan, "test_scores_gap": 0.0}
    assert [name for name, *_ in shortfalls(bad, SETTINGS)] == ["test_accuracy", "test_loss"]
    assert shortfalls(bad, SETTINGS)[0] == ("test_accuracy", 0.5, "at least", 0.9)


def test_gaps_are_relative_to_the_reference_run_and_arrays_count_only_by_their_gap():
    reference = {"test_loss": 0.2, "test_error": 0.0, "test_scores": np.array([[2.0, -4.0], [1.0, 0.0]])}
    measures = with_gaps({"test_loss": 0.22, "test_error": 0.5, "test_scores": np.array([[2.0, -4.0], [1.2, 0.0]])},
                         reference)
    assert measures["test_loss_gap"] == pytest.approx(0.1)
    assert measures["test_error_gap"] == 0.5          # absolute where the reference's is 0
    assert measures["test_scores_gap"] == pytest.approx(0.05)
    assert "test_scores" not in measures and measures["test_loss"] == 0.22
    assert math.isnan(with_gaps({"test_loss": math.nan}, reference)["test_loss_gap"])


@pytest.mark.parametrize("slug, seeds", [("a2_two_layer_mlp", 3), ("a1_softsign", 1)])
def test_every_probed_mutant_lands_on_its_side(slug, seeds):
    settings, results = measure(slug, seeds=seeds)
    lines = []
    assert report(slug, settings, results, out=lines.append) == 0, "\n".join(lines)
    names = [v.name for found in results.values() for v in found]
    assert "reference" in names and any("left_at_zero" in n for n in names)


def test_a_limit_that_forgives_a_frozen_layer_is_reported():
    settings, results = measure("a2_two_layer_mlp", seeds=1, overrides={"max_test_loss": 10, "min_test_accuracy": 0,
                                                                         "max_test_scores_gap": 10})
    lines = []
    assert report("a2_two_layer_mlp", settings, results, out=lines.append) > 0
    assert any(line.startswith("W1_gradient_left_at_zero") and "WRONG SIDE" in line for line in lines)


def test_command_line_tries_other_settings(capsys):
    from grader.cli import main
    assert main(["thresholds", "a2_two_layer_mlp", "--seeds", "1", "--set", "max_test_loss=0.25"]) == 0
    assert "test_loss <= 0.25" in capsys.readouterr().out
