"""report.html shows staff the class at a glance: per item how many had full marks, part or none
and which bugs were found in it; per bug class who had it, linked to their pages."""
import re

from grader.assignment.config import load_assignment
from grader.classroom import report as report_module
from grader.classroom.batch import Graded, Submission

SENTENCES = {"mean-vs-sum": "summed the loss instead of averaging it", "transposed": "returned the transpose",
             "wrong-values": "", "sign-flip": "", "not-attempted": ""}  # '': no sentence, the tag's words
MAX = {"1.1": 2.0, "1.2": 1.0, "2.1": 1.0}


def student(name, scores, tags=None):
    """scores: item -> points; tags: item -> its tags."""
    tags = tags or {}
    tests = [{"number": n, "name": f"item {n}", "max_score": MAX[n], "score": scores.get(n, MAX[n]),
              "tags": tags.get(n, []), "extra_data": {"bugs": {t: SENTENCES[t] for t in tags.get(n, [])}}}
             for n in MAX]
    results = {"score": sum(t["score"] for t in tests), "output": "", "tests": tests}
    return Graded(Submission(name, None, [{"name": name.title()}]), results)


CLASS = [
    student("ann", {}),
    student("bob", {"1.1": 1.0, "1.2": 0.0}, {"1.1": ["mean-vs-sum"], "1.2": ["transposed"]}),
    student("cy", {"1.1": 0.0, "1.2": 0.0, "2.1": 0.0},
            {"1.1": ["mean-vs-sum", "wrong-values"], "1.2": ["transposed"], "2.1": ["sign-flip"]}),
    student("dee", {"1.1": 0.5, "2.1": 0.0}, {"1.1": ["mean-vs-sum"], "2.1": ["sign-flip"]}),
    student("eve", {n: 0.0 for n in MAX}, {n: ["not-attempted"] for n in MAX}),
]
ROW = re.compile(r'<tr><td>([^<]*)</td><td>(\d+)%</td><td class="full">(\d+)</td><td class="partial">(\d+)</td>'
                 r'<td class="none">(\d+)</td><td class="bar-cell">.*?</td><td class="bugs">([^<]*)</td></tr>')


def test_a_small_class_shows_the_right_counts(tmp_path, no_histogram):
    words = report_module.words  # a registry tag reads as grader.vocabulary says, whatever the check wrote
    page = report_module.write_report(tmp_path / "report.html", load_assignment("a1_softsign"), CLASS).read_text()
    assert ROW.findall(page) == [
        ("1.1 item 1.1", "20", "1", "2", "2", f"{words('mean-vs-sum')} (3)"),
        ("1.2 item 1.2", "40", "2", "0", "3", f"{words('transposed')} (2)"),
        ("2.1 item 2.1", "40", "2", "0", "3", f"{words('sign-flip')} (2)"),
    ]
    bugs = page.split('id="bugs">')[1].split("</ul>")[0].split("<li>")[1:]
    assert bugs[0].startswith(f"60% (3 of 5): {words('mean-vs-sum')} (in 1.1)")
    assert re.findall(r'<a href="([^"]+)">', bugs[0]) == [f"{n}/feedback.html" for n in ("bob", "cy", "dee")]
    assert "(Bob)" in bugs[0] and "eve" not in "".join(bugs)  # the untouched template has no bug class
