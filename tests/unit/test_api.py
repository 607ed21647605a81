"""grader.api: results as objects, and every way a run can fail raises a type the command line
maps to its exit code; none returns a score."""
import json

import pytest

from grader import api, cli
from grader.assignment.config import ConfigError
from grader.classroom.batch import BatchError
from grader.classroom.isolated import EnvironmentFailure
from grader.failures import GRADER_FAULT
from grader.sandbox.errors import SandboxUnavailable

SLUG = "a1_softsign"
RAW = {"score": 1.5, "output": "Graded models.py (found at models.py).", "tests": [
    {"name": "softsign", "number": "1.1", "score": 1, "max_score": 1, "output": "", "visibility": "visible"},
    {"name": "prime", "number": "1.2", "score": 0.5, "max_score": 2, "output": "Likely bug: a sign.",
     "tags": ["sign-flip"], "extra_data": {"bugs": {"sign-flip": "flipped a sign"}}, "visibility": "hidden"},
    {"name": "Grader fault in x", "score": 0, "max_score": 0, "output": "trace"}]}


def test_results_hold_each_item_with_its_tags_and_bug_sentences(tmp_path):
    results = api.Results.of(SLUG, RAW, tmp_path / "r.json")
    assert (results.score, results.max_score, results.lost, results.path) == (1.5, 3, ["1.2"], tmp_path / "r.json")
    second = results.items[1]
    assert (second.number, second.tags, second.bugs, second.visibility, second.passed) == (
        "1.2", ("sign-flip",), {"sign-flip": "flipped a sign"}, "hidden", False)
    assert [item.number for item in results.items] == ["1.1", "1.2"] and results.raw is RAW


def test_a_grader_fault_raises_not_final_after_writing(tmp_path, monkeypatch):
    faulty = {**RAW, "tests": RAW["tests"][:1] + [{**RAW["tests"][1], "output": GRADER_FAULT}]}

    def fake_grade(slug, submission, out_path, **options):
        out_path.write_text(json.dumps(faulty))
        return faulty
    monkeypatch.setattr("grader.grading.grade.grade", fake_grade)
    with pytest.raises(api.NotFinal, match=r"failed on 1\.2 .*not final") as raised:
        api.grade(SLUG, tmp_path, tmp_path / "r.json")
    assert raised.value.results.score == 1.5 and json.loads((tmp_path / "r.json").read_text()) == faulty
    assert api.exit_code(raised.value) == 2


@pytest.mark.parametrize("where", ["submission", "metadata", "output"])
def test_a_missing_path_grades_nothing(tmp_path, monkeypatch, where):
    monkeypatch.setattr("grader.grading.grade.grade", lambda *a, **k: pytest.fail("graded"))
    paths = {"submission": tmp_path, "metadata": None, "output": tmp_path / "r.json"}
    paths[where] = tmp_path / "no" / "such"
    with pytest.raises(api.MissingPath, match="no (file|folder)"):
        api.grade(SLUG, paths["submission"], paths["output"], metadata=paths["metadata"])


def test_each_failure_has_the_exit_code_the_readme_gives():
    codes = {kind: api.exit_code(kind("x")) for kind in (BatchError, ConfigError, SandboxUnavailable,
                                                         EnvironmentFailure, api.ClusterRefused, api.MissingPath)}
    assert codes == {BatchError: 1, ConfigError: 2, SandboxUnavailable: 2, EnvironmentFailure: 2,
                     api.ClusterRefused: 2, api.MissingPath: 2}
    stopped = api.Stopped(results=None)
    assert isinstance(stopped, KeyboardInterrupt) and api.exit_code(stopped) == 130


def test_an_unsafe_cluster_is_refused_before_anything_is_read_or_written(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.classroom.cluster.extra_installed", lambda: True)  # without Dask it is refused too
    with pytest.raises(api.ClusterRefused, match="tcp://"):
        api.grade_class(SLUG, tmp_path / "nowhere", tmp_path / "out", cluster="tcp://10.0.0.1:8786")
    assert not (tmp_path / "out").exists()


def test_the_command_line_grades_through_the_api(monkeypatch, tmp_path, capsys):
    calls = []
    monkeypatch.setattr(api, "grade", lambda *a, **k: calls.append((a, k)) or api.Results.of(SLUG, RAW, tmp_path))
    assert cli.main(["grade", SLUG, str(tmp_path), "-o", str(tmp_path / "r.json")]) == 0
    assert calls == [((SLUG, str(tmp_path), str(tmp_path / "r.json")), {"metadata": None, "verbose": False})]
    assert capsys.readouterr().out.strip() == f"{SLUG}: 1.5 / 3; results written to {tmp_path}"
