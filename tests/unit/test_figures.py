"""Pictures of the student's training run: drawn from the run's own numbers, checked like any
value from the child, never costing a point, shown in results.json and feedback.html."""
import base64
import io
import json
from types import SimpleNamespace

import numpy as np
import pytest

from grader.assignment.config import TRAINING_RUN, TrainingRun, load_assignment
from grader.classroom.batch import Graded, Submission
from grader.classroom.report import write_feedback
from grader.failures import CheckFailure
from grader.grading import figures
from grader.grading.results import ItemResult, build
from grader.kit import training
from grader.kit.training import require_run
from gradescope_schema import validate

pytest_plugins = ["pytester"]

MOONS = np.random.default_rng(0).normal(size=(60, 2)), np.arange(60) % 2
LATTICE, BOX = training.lattice(MOONS[0]), figures.box_of(MOONS[0])


def record(shift=0.0, history=None):
    """A run's record: regions split at x = shift, a falling loss, an accuracy."""
    grid = (LATTICE[:, 0] > shift).astype(int)
    return {"grid": grid, "history": np.exp(-np.arange(50) / 10) + 0.1 if history is None else history,
            "accuracy": 0.96}


def png_of(uri):
    from PIL import Image
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_a_run_is_drawn_small_beside_the_reference_and_from_its_own_numbers():
    how = dict(measure="accuracy", bound=0.95, points=MOONS, box=BOX)
    same, words = figures.draw(record(), record(), **how)
    assert len(figures.panels(record(), record(), **how)) == 4  # two regions, the loss, the bar
    assert len(same) < 20_000 and png_of(same).size == (4 * (figures.SIDE + figures.GAP) + figures.GAP,
                                                        figures.SIDE + 2 * figures.GAP)
    assert len(png_of(same).getcolors()) <= len(figures.PALETTE)
    assert "decision regions" in words and "loss" in words and "the bar: at least 0.95" in words
    assert figures.draw(record(shift=1.0), record(), **how)[0] != same  # other regions, another picture
    falling, words = figures.draw(record(history=np.linspace(2, 1, 50)), record(), **how)
    assert falling != same and "yours 1," in words  # another loss curve, and its last value in words


@pytest.mark.parametrize("odd", [
    "a string", [[1.0, 2.0], [3.0, 4.0]], [], np.full(10, np.nan), None, object(), [1.0, "x"], 3.5, [10**400],
    {"loss": 1.0},
], ids=range(10))
def test_a_history_from_the_child_is_checked_before_drawing(odd):
    values = figures.curve(odd)
    assert values is None or (values.ndim == 1 and np.isnan(values).all())
    uri, words = figures.draw({"history": odd}, record())  # the reference's curve is still drawn
    assert png_of(uri).size[0] > 0 and "loss" in words


def test_a_long_history_is_thinned_and_non_finite_values_become_gaps():
    values = figures.curve(np.r_[np.ones(20_000), np.inf])
    assert len(values) == figures.MAX_CURVE and np.isnan(values[-1]) and values[0] == 1


@pytest.mark.parametrize("odd", [np.zeros(17), np.full(figures.GRID ** 2, 0.5), np.full(figures.GRID ** 2, -1),
                                 np.full(figures.GRID ** 2, np.nan), "grid", np.full(figures.GRID ** 2, 10**6),
                                 [10**400] * figures.GRID ** 2], ids=range(7))
def test_predicted_regions_from_the_child_are_checked_before_drawing(odd):
    assert figures.classes(odd) is None
    chosen = figures.panels({"grid": odd}, record(), points=MOONS, box=BOX)
    assert [kind for kind, _ in chosen] == ["regions", "curves"] and chosen[0][1][-1] == "the reference's model"


def toy_run(**limits):
    return TrainingRun({**{key: None for key in TRAINING_RUN}, "seed": 0, **limits}, "toy")


def graded_toy(student_run):
    """Score and picture of a toy training item: the reference's run records regions, a loss and
    accuracy 0.97; the record require_run keeps is drawn as the plugin draws it."""
    runs = {"reference": {**record(), "accuracy": 0.97, "outputs": [1.0, 2.0], "points_X": MOONS[0],
                          "points_y": MOONS[1]}, "student": student_run}

    def probe(code, data, run, seed):
        return runs[code.name]
    probe.training_item, probe.training_run = "9.9", "toy"
    scores, kept = [], []
    try:
        require_run(probe, SimpleNamespace(name="student"), SimpleNamespace(name="reference"), None,
                    toy_run(min_accuracy=0.9, max_outputs_gap=1e-5), "The net", 2.0, scores.append, keep=kept.append)
    except CheckFailure:
        pass
    return scores[0], figures.of_training(kept[0], "9.9")


def test_a_training_item_keeps_both_runs_for_the_picture_and_never_grades_the_record():
    # a history of another length and odd regions: no gap is measured on them, no point is lost
    student = {"accuracy": 0.95, "outputs": [1.0, 2.0], "history": [3.0, 2.0], "grid": "odd",
               "points_X": MOONS[0], "points_y": MOONS[1]}
    score, (title, uri, caption) = graded_toy(student)
    assert score == 2.0 and title.startswith("9.9") and png_of(uri)
    assert "yours 0.95" in caption and "the reference's 0.97" in caption  # each run's own measure
    assert "decision regions of the reference's model" in caption and "of your model" not in caption
    assert "yours 2," in caption  # the student's own last loss


def test_a_drawing_failure_is_a_sentence_not_a_lost_point(monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("no room to draw")
    monkeypatch.setattr(figures, "draw", broken)
    score, picture = graded_toy({"accuracy": 0.95, "outputs": [1.0, 2.0], **record()})
    assert score == 2.0
    assert picture == ("9.9: your training beside the reference's", None, figures.NOT_DRAWN.format("MemoryError"))


def test_figures_are_informational_entries_in_results_and_shown_in_feedback(tmp_path):
    uri, _ = figures.draw(record(), record(), measure="accuracy", bound=0.9, points=MOONS, box=BOX)
    drawn = ItemResult(nodeid="a", name="trains", number="5.1", max_score=1.0, score=1.0, status="passed",
                       output="", visibility="after_due_date", figures=[("5.1: yours", uri, "Blue & orange.")])
    secret = ItemResult(nodeid="b", name="secret", number="5.2", max_score=1.0, visibility="hidden",
                        figures=[("5.2: hidden", uri, "not for students")])
    results = build([secret, drawn], output="", execution_time=1.0, shown_after=figures.entries)  # as the plugin does
    validate(results)
    assert [t["number"] for t in results["tests"]] == ["5.1", "5.1.0", "5.2", "5.2.0"]
    entry = results["tests"][1]
    assert entry["max_score"] == 0 and entry["output_format"] == "html" and entry["visibility"] == "after_due_date"
    assert f'src="{uri}"' in entry["output"] and "Blue &amp; orange." in entry["output"]
    assert results["score"] == 1.0
    assert figures.figures_of(json.loads(json.dumps(results))) == [("5.1: yours", uri, "Blue & orange.")]
    page = write_feedback(tmp_path / "feedback.html", load_assignment("a1_softsign"),
                          Graded(Submission("s", None, []), results)).read_text()
    assert page.count("<img") == 1 and f'src="{uri}"' in page and "not for students" not in page
    assert "5.1.0" not in page  # a figure is not listed as an item


def test_a_forged_figure_uri_is_not_put_in_the_page():
    forged = {"tests": [{"output": '<img src="javascript:alert(1)">', "extra_data": {"figure": {"title": "t"}}}]}
    assert figures.figures_of(forged) == [("t", None, "")]


TRAINING = {"item": "2.1", "run": "toy", "limits": [["accuracy", "min", 0.9], ["outputs_gap", "max", 1e-05]],
            "reference": {"measures": {"accuracy": 0.97}, "history": [2.0, 1.0, 0.5], "history_unit": "epoch",
                          "grid": [0] * 800 + [1] * 800, "points_X": MOONS[0].tolist(), "points_y": MOONS[1].tolist()}}
CHECKS = f"""
from gradescope_utils.autograder_utils.decorators import number, weight
from grader.failures import CheckFailure
TRAINING = {TRAINING!r}

@weight(1)
@number("2.1")
def test_trains():
    test_trains.__training__ = {{**TRAINING, "student": {{**TRAINING["reference"], "history": [3.0, 2.5, 2.0]}}}}
    raise CheckFailure("trained differently", ["training-gradient"])

@weight(1)
@number("2.2")
def test_stops_early():
    test_stops_early.__training__ = {{**TRAINING, "student": None}}  # the student's run raised
    raise CheckFailure("predict returned strings", ["wrong-type"])
"""


def test_a_graded_runs_record_left_on_the_check_is_drawn_after_its_item(pytester, tmp_path):
    """The record graded_run leaves on the check (docs/decisions.md, "Training runs") becomes the
    item's picture, whatever the verdict; a student's run that raised is not drawn."""
    from grader.assignment.config import Assignment
    from grader.grading import fixtures
    from grader.grading.plugin import GradingPlugin
    from grader.submission.intake import Staged
    pytester.makepyfile(test_checks=CHECKS)
    out = tmp_path / "results.json"
    spec = Assignment(slug="x", title="x", origin="x", submit=[], parts={"2": {"points": 2}})
    pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[GradingPlugin(spec, Staged(tmp_path, {}), out),
                                                                     fixtures])
    results = json.loads(out.read_text())
    validate(results)
    assert [t["number"] for t in results["tests"]] == ["2.1", "2.1.0", "2.2"] and results["score"] == 0
    (_, drawn, words), = figures.figures_of(results)
    assert "decision regions of your model" in words and "loss per epoch" in words and "yours 2," in words
    assert "the bar: at least 0.9" in words and png_of(drawn).size[0] > 4 * figures.SIDE


def test_a_run_without_the_reference_is_drawn_alone():
    student = {"measures": {"accuracy": 0.85}, "history": [2.0, 1.0], "history_unit": "epoch"}
    title, uri, caption = figures.of_training({"limits": [["accuracy", "min", 0.8]], "student": student,
                                               "reference": None}, "7.3")
    assert title.startswith("7.3") and png_of(uri) and "yours 0.85" in caption and "reference's none" in caption
