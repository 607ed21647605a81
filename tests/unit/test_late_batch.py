"""grade-all's late policy: when each submission was due and submitted, the deduction
(grader.assignment.late, as in `grade`), and the grades.csv columns that show them."""
import csv
import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from grader.assignment.config import load_assignment
from grader.assignment.late import parse_time
from grader.classroom.batch import Graded, Submission, due_date, find_submissions, with_late_policy, write_csv

SPEC = load_assignment("a1_softsign")
DUE = "2026-03-01T23:59:00-05:00"
POLICY = {"kind": "per_day", "percent_per_day": 10, "max_days": 5, "due_date": DUE,
          "extensions": {"202": "2026-03-04T23:59:00-05:00"}}
LATE_SPEC = dataclasses.replace(SPEC, late_policy=POLICY)


def export(tmp_path):
    folder = tmp_path / "export"
    for key in ("submission_1", "submission_2", "submission_3"):
        (folder / key).mkdir(parents=True)
    (folder / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada\n    :sid: '101'\n"
        "  :created_at: 2026-03-02 06:59:00.000000000 -05:00\n"
        "submission_2:\n  :submitters:\n  - :name: Ben\n    :sid: '202'\n"
        "  :created_at: 2026-03-03 10:00:00.000000000 -05:00\n"
        "submission_3:\n  :submitters:\n  - :name: Cat\n    :sid: '303'\n")
    return {s.name: s for s in find_submissions(folder)}


def test_the_export_gives_submission_times(tmp_path):
    found = export(tmp_path)
    assert found["submission_1"].submitted == parse_time("2026-03-02T06:59:00-05:00")
    assert found["submission_3"].submitted is None


def test_own_extension_first_then_due_option_then_manifest(tmp_path):
    found = export(tmp_path)
    override = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    assert due_date(LATE_SPEC, found["submission_1"]) == parse_time(DUE)
    assert due_date(LATE_SPEC, found["submission_1"], override) == override
    assert due_date(LATE_SPEC, found["submission_2"], override) == parse_time("2026-03-04T23:59:00-05:00")
    assert due_date(SPEC, found["submission_1"]) is None  # no due date anywhere: no late policy


def graded(submission):
    """A result of 10 points."""
    return {"score": 10.0, "output": "", "tests": [{"number": "1.1", "name": "a", "score": 10.0, "max_score": 10}]}


def test_grade_all_deducts_as_grade_does_and_grades_csv_shows_it(tmp_path):
    found = export(tmp_path)
    entries = [Graded(s, with_late_policy(LATE_SPEC, s, graded(s), None)) for s in found.values()]
    late = entries[0].results
    assert late["score"] == 9.0 and "Submitted 7 hour(s) 0 minute(s) late" in late["output"]
    assert entries[1].results["score"] == 10.0  # within the student's own extension
    write_csv(tmp_path / "grades.csv", entries)
    with open(tmp_path / "grades.csv") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    first = [rows["submission_1"][k] for k in ("lateness", "deduction", "total")]
    assert first == ["7 hour(s) 0 minute(s)", "1.0", "9.0"]
    assert [rows["submission_2"][k] for k in ("lateness", "deduction")] == ["on time", "0.0"]
    assert rows["submission_3"]["lateness"] == "unknown" and rows["submission_3"]["total"] == "10.0"


@pytest.mark.parametrize("days,score", [(0.5, 9), (1.5, 8), (6, 0)])
def test_days_late_cost_what_the_policy_says(tmp_path, days, score):
    submission = Submission("s", tmp_path, submitted=parse_time(DUE) + timedelta(days=days))
    assert with_late_policy(LATE_SPEC, submission, graded(submission), None)["score"] == pytest.approx(score)


def test_a_due_date_may_be_written_as_toml_date_time_or_text():
    from grader.assignment.config import parse_manifest, parse_toml
    raw = parse_toml('title = "t"\norigin = "o"\nsubmit = ["m.py"]\n[parts.1]\npoints = 1\n'
                     '[late_policy]\ndue_date = 2026-03-01T23:59:00-05:00\n'
                     'extensions = {"101" = "2026-03-02T23:59:00Z"}\n')
    spec = parse_manifest(raw, "x")
    ann = Submission("ann", None, [{"sid": "101"}])
    assert due_date(spec, Submission("ben", None)) == parse_time(DUE)
    assert due_date(spec, ann) == datetime(2026, 3, 2, 23, 59, tzinfo=timezone.utc)
