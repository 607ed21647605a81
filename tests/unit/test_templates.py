"""The grader's template files escape every value for what they write: HTML pages show a
student's text as text, a shell script keeps a value one word, a manifest keeps a title one
TOML string. Hostile values go into every field a student controls."""
import html
import re
import shlex
import sys
from types import SimpleNamespace

from grader.assignment.config import load_assignment
from grader.build import scaffold as scaffold_module
from grader.build.autograder import script
from grader.classroom import report as report_module
from grader.classroom.batch import Graded, Submission

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SPEC = load_assignment("a1_softsign")
HOSTILE = ["<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "{{ 7 * 7 }}{% raw %}", "a & b"]
RAW = ("<script>alert", "<img src=x", "'>")  # what must never reach a page as markup


def hostile_entry(value):
    """A submission whose every student-controlled field holds `value`."""
    tests = [{"number": "1.1", "name": "item", "max_score": 1.0, "score": 0.0, "status": "failed",
              "output": f"your code printed {value}", "tags": ["transposed"],
              "extra_data": {"bugs": {"transposed": value}}},  # a check may quote the student's values
             {"number": "1.2", "name": "item", "max_score": 1.0, "score": 1.0, "status": "passed", "output": value}]
    results = {"score": 1.0, "output": value, "tests": tests, "extra_data": {"intake": [value]}}
    return Graded(Submission(value, None, [{"name": value, "sid": value, "email": value}]), results)


def test_hostile_text_in_every_field_comes_out_escaped(tmp_path, no_histogram):
    entries = [hostile_entry(value) for value in HOSTILE]
    report = report_module.write_report(tmp_path / "report.html", SPEC, entries).read_text()
    figures = [(value, value, value) for value in HOSTILE]
    for entry in entries:
        page = report_module.write_feedback(tmp_path / "page.html", SPEC, entry, figures).read_text()
        assert not any(raw in page for raw in RAW) and "49" not in page
        assert entry.submission.name in html.unescape(page)  # shown as the text it is
        assert page.count("<figure>") == len(HOSTILE)
    assert not any(raw in report for raw in RAW) and "49" not in report
    for value in HOSTILE:
        assert html.unescape(report).count(value) >= 4  # name, students' names, SID, bug sentence
    sources = re.findall(r'<img alt="[^"]*" src="([^"]*)"', page)
    assert sources == ["%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
                       "%22%27%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E",
                       "%7B%7B%207%20%2A%207%20%7D%7D%7B%25%20raw%20%25%7D", "a%20%26%20b"]


def test_a_figure_source_is_a_png_data_uri_or_a_file_beside_the_page(tmp_path):
    entry = hostile_entry("ann")
    figures = [("Loss per epoch", "data:image/png;base64,iVBORw0KGgo=", "yours beside the reference's"),
               ("Boundary", "boundary 1.png", ""), ("x", "javascript:alert(1)", ""), ("y", "//evil.example/x.png", ""),
               ("z", "data:text/html,<script>alert(1)</script>", "")]
    page = report_module.write_feedback(tmp_path / "page.html", SPEC, entry, figures).read_text()
    assert re.findall(r'src="([^"]*)"', page) == ["data:image/png;base64,iVBORw0KGgo=", "boundary%201.png",
                                                 "javascript%3Aalert%281%29", "%2F%2Fevil.example%2Fx.png",
                                                 "data%3Atext%2Fhtml%2C%3Cscript%3Ealert%281%29%3C%2Fscript%3E"]
    assert "<strong>Loss per epoch</strong>: yours beside the reference's" in html.unescape(page)
    without = report_module.write_feedback(tmp_path / "none.html", SPEC, entry).read_text()
    assert "<figure>" not in without and 'id="figures"' not in without


def test_a_value_in_a_shell_script_stays_one_word():
    for slug in ("a1_softsign", "x; touch pwned", "$(reboot)", "a'b"):
        line = next(line for line in script("run_autograder", slug).splitlines() if " -m grader grade " in line)
        assert shlex.split(line)[4] == slug
    failed = next(line for line in script("run_autograder", "a1_softsign").splitlines() if "echo " in line)
    assert shlex.split(failed)[1].startswith("The autograder itself failed")


def test_a_new_assignments_title_stays_one_toml_string(tmp_path, monkeypatch):
    monkeypatch.setattr(scaffold_module, "build_template", lambda *args, **kwargs: None)
    monkeypatch.setattr(scaffold_module, "subprocess", SimpleNamespace(run=lambda *args, **kwargs: None))
    title = 'Nets "deep" \\ wide\nsubmit = ["x.py"] {{ slug }}'
    scaffold_module.scaffold("odd_title", root=tmp_path, title=title)
    manifest = tomllib.loads((tmp_path / "assignments/odd_title/assignment.toml").read_text())
    assert manifest["title"] == title and manifest["submit"] == ["model.py"]
    assert "test_odd_title_hidden.py" in {p.name for p in (tmp_path / "assignments/odd_title/checks/hidden").iterdir()}
