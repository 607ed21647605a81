"""report.html and the students' feedback pages: what they say, and that headless Chromium
renders them (figures shown, links to each student's page that resolve)."""
import re
import shutil
import subprocess

import pytest

from grader.assignment.config import load_assignment
from grader.classroom import report as report_module
from grader.classroom.batch import Graded, Submission
from grader.classroom.report import attention, bug_classes, write_feedback, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SENTENCES = {"transposed": "returned the transpose of the expected matrix"}


def result(tags_by_number, visibility=None):
    tests = [{"number": n, "name": f"item {n}", "max_score": 1.0, "score": 0.0 if n in tags_by_number else 1.0,
              "status": "failed" if n in tags_by_number else "passed",
              "tags": tags_by_number.get(n, []), "output": f"feedback for {n}" if n in tags_by_number else "",
              "visibility": (visibility or {}).get(n, "visible"),
              "extra_data": {"bugs": {t: SENTENCES[t] for t in tags_by_number.get(n, []) if t in SENTENCES}}}
             for n in ("1.1", "1.2", "2.1")]
    return {"score": sum(t["score"] for t in tests), "output": "", "tests": tests}


def entry(name, tags, people=(), **kwargs):
    return Graded(Submission(name, None, list(people)), result(tags, **kwargs))


NESTED = entry("sub_6", {})
NESTED.results["extra_data"] = {"intake": ["zip-in-zip", "notebook"]}  # intake's flags: a person should look
GRADED = [
    entry("sub_1", {}, [{"name": "Ada Lovelace", "sid": "101", "email": "ada@uni.edu"}]),
    entry("sub_2", {"1.2": ["transposed"]}, [{"name": "Alan Turing", "sid": "102"}]),
    entry("sub_3", {"1.2": ["transposed", "wrong-values"], "2.1": ["transposed", "sign-flip"]}),
    entry("sub_4", {"2.1": ["sign-flip"], "1.1": ["missing-file"]}),
    entry("sub_5", {"1.1": ["import-error"], "1.2": ["timeout"]}, visibility={"2.1": "hidden"}),
    NESTED,
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Written once for the tests that only read it (drawing the histogram is most of the cost)."""
    folder = tmp_path_factory.mktemp("report")
    assignment = load_assignment("a1_softsign")
    for graded in GRADED:
        write_feedback(folder / graded.submission.name / "feedback.html", assignment, graded)
    return write_report(folder / "report.html", assignment, GRADED)


def test_each_bug_class_counts_once_per_submission():
    counts = {bug.tag: (bug.count, bug.items) for bug in bug_classes(GRADED)}
    assert counts["transposed"] == (2, ["1.2", "2.1"])  # sub_3 has it twice: counted once
    assert counts["sign-flip"] == (2, ["2.1"])
    assert "wrong-values" not in counts and "missing-file" not in counts  # generic, or a matter of attention


def test_report_is_self_contained_and_reads_in_words(report):
    text = report.read_text()
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', text)) == 1
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "33% (2 of 6): returned a transposed result (in 1.2, 2.1)" in text  # the vocabulary's words, not a check's
    who = text.split("returned a transposed result")[1].split("</li>")[0]  # who had it, linked to their pages
    assert '<a href="sub_2/feedback.html">sub_2</a> (Alan Turing)' in who and 'href="sub_3/feedback.html"' in who
    assert "sub_1" not in who
    assert "flipped a sign" in text  # no sentence given: the vocabulary's
    assert not re.search(r"\b(sign-flip|missing-file|import-error|wrong-values)\b", text)


def test_report_names_students_and_gives_median_and_spread(report):
    text = report.read_text()
    assert "Ada Lovelace" in text and "101" in text and "Alan Turing" in text
    assert 'href="sub_2/feedback.html"' in text
    assert "median 1.50" in text and "range 1 to 3" in text


def test_needs_attention_lists_what_a_person_must_look_at(report):
    needs = report.read_text().split('id="attention">')[1].split("</ul>")[0]
    assert "sub_4" in needs and "missing or misnamed" in needs
    assert "sub_5" in needs and "failed to import" in needs and "timed out" in needs
    assert "sub_6" in needs and "zip inside the zip" in needs
    assert "sub_2" not in needs
    assert attention(GRADED[0]) == [] and attention(NESTED) == ["a zip inside the zip"]


def test_an_untouched_template_or_a_zero_needs_attention():
    template = entry("template", {n: ["not-attempted"] for n in ("1.1", "1.2", "2.1")})
    zero = entry("zero", {n: ["sign-flip"] for n in ("1.1", "1.2", "2.1")})
    assert attention(template) == ["submitted the unmodified template: no item was attempted"]
    assert attention(zero) == ["scored 0 on every item"]
    assert "not-attempted" not in {bug.tag for bug in bug_classes([template])}


def test_histogram_has_one_bar_per_score_and_whole_counts(monkeypatch):
    drawn = []
    monkeypatch.setattr(report_module, "figure_uri", drawn.append)
    scores = [0, 0, 2.5, 2.5, 2.5, 7.25, 10]
    report_module.score_histogram(load_assignment("a1_softsign"), scores)
    ax = drawn[0].axes[0]
    assert sorted(round(bar.get_height()) for bar in ax.patches) == [1, 1, 2, 3]  # never two scores in one bar
    assert all(float(tick).is_integer() for tick in ax.get_yticks())


def test_pass_rates_are_a_table_readable_with_many_items(tmp_path, no_histogram):
    tests = [{"number": f"{i}.1", "name": f"item {i}", "max_score": 1.0, "score": float(i % 2), "tags": []}
             for i in range(40)]
    many = [Graded(Submission("s", None), {"score": 20.0, "output": "", "tests": tests})]
    table = write_report(tmp_path / "report.html", load_assignment("a1_softsign"), many).read_text()
    rows = table.split('id="pass-rates">')[1].split("</table>")[0]
    assert rows.count("<tr><td>") == 40 and "<td>39.1 item 39</td><td>100%</td>" in rows


def test_feedback_page_shows_what_the_student_sees(report):
    page = (report.parent / "sub_5" / "feedback.html").read_text()
    assert "feedback for 1.1" in page and "item 2.1" not in page  # hidden items left out
    assert "Autograder score: 1 / 2" not in page and "Autograder score: 1 / 3" in page


def chromium_dom(url, tmp_path):
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
                           "--dump-dom", url], capture_output=True, text=True, timeout=120)
    return proc.stdout, proc.stderr[-2000:]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_renders_the_report_and_a_students_page(report, tmp_path):
    dom, errors = chromium_dom(report.as_uri(), tmp_path)
    assert 'data-figures-shown="1"' in dom, errors
    assert "Ada Lovelace" in dom and "median" in dom and 'id="attention"' in dom
    link = re.search(r'href="(sub_2/feedback\.html)"', dom).group(1)
    page, errors = chromium_dom((report.parent / link).as_uri(), tmp_path)
    assert "Alan Turing" in page and "Autograder score: 2 / 3" in page, errors
