"""Late work: lateness from Gradescope's metadata, and the policy's deduction."""
import json
import subprocess
import sys

import pytest

from conftest import REPO
from grader.assignment.config import load_assignment
from grader.assignment.late import apply_policy, seconds_late

DUE = "2026-03-01T23:59:00-05:00"


def metadata(created, extension=None):
    users = [{"name": "Ada", "assignment": {"due_date": extension}}] if extension else []
    return {"created_at": created, "assignment": {"due_date": DUE}, "users": users}


def test_lateness_uses_the_students_own_due_date_first():
    assert seconds_late(metadata("2026-03-01T23:00:00-05:00")) == 0
    assert seconds_late(metadata("2026-03-02T01:59:00-05:00")) == 2 * 3600
    assert seconds_late(metadata("2026-03-02T01:59:00-05:00", extension="2026-03-03T23:59:00-05:00")) == 0


@pytest.mark.parametrize("late_days,score", [(0, 10), (0.5, 9), (1.5, 8), (3.2, 6), (6, 0)])
def test_per_day_policy(late_days, score):
    results = {"score": 10.0, "output": "Graded models.py."}
    out = apply_policy(results, {"kind": "per_day", "percent_per_day": 10, "max_days": 5}, late_days * 86400)
    assert out["score"] == pytest.approx(score)
    assert ("late" in out["output"]) == (late_days > 0)


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ValueError, match="late_policy"):
        apply_policy({"score": 1}, {"kind": "exponential"}, 100)


def test_default_policy_says_late_and_deducts_nothing(tmp_path):
    models = tmp_path / "models.py"
    models.write_text((load_assignment("a1_softsign").reference / "models.py").read_text())
    meta = tmp_path / "submission_metadata.json"
    meta.write_text(json.dumps(metadata("2026-03-03T01:59:00-05:00")))
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, "-m", "grader", "grade", "a1_softsign", str(models), "-o", str(out),
                    "--metadata", str(meta)], cwd=REPO, check=True, capture_output=True)
    results = json.loads(out.read_text())
    assert results["score"] == 10 and "Submitted 1 day(s) 2 hour(s) late" in results["output"]
    assert "no late penalty" in results["output"]
