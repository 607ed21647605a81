"""The reference scores full marks and the template zero, on every item, as zips."""
import pytest

from conftest import grade, lost, scores, zip_files
from grader.assignment.config import all_slugs, load_assignment
from grader.build.template import template_files
from gradescope_schema import validate


@pytest.mark.parametrize("slug", all_slugs())
def test_reference_zip_scores_full_marks(slug, tmp_path):
    spec = load_assignment(slug)
    files = {f"{slug}/{n}": (spec.reference / n).read_text() for n in spec.submit}
    results = grade(slug, zip_files(tmp_path / "ref.zip", files), tmp_path / "r.json")
    validate(results)
    assert lost(results) == [], results
    assert results["score"] == spec.total_points
    assert sum(t["max_score"] for t in results["tests"]) == spec.total_points
    assert all(q["question"] in results["output"] for q in spec.manual)


@pytest.mark.parametrize("slug", all_slugs())
def test_template_zip_scores_zero_on_every_item(slug, tmp_path):
    spec = load_assignment(slug)
    files = {n: t for n, t in template_files(slug).items() if n in spec.submit}
    results = grade(slug, zip_files(tmp_path / "tpl.zip", files), tmp_path / "r.json")
    validate(results)
    assert results["score"] == 0
    assert all(score == 0 for score, _ in scores(results).values())
    assert all("Not attempted" in t["output"] for t in results["tests"] if t["max_score"])
