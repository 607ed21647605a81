"""The pytest plugin, driven with pytester on small synthetic checks."""
import json

import pytest

from grader.assignment.config import Assignment, ConfigError
from grader.failures import GRADER_FAULT, TIME_BUDGET
from grader.grading import fixtures
from grader.grading.plugin import GradingPlugin, check_points
from grader.grading.results import ItemResult, grader_faults, number_key
from grader.submission.intake import Staged
from gradescope_schema import validate

pytest_plugins = ["pytester"]

CHECKS = '''
import json
from gradescope_utils.autograder_utils.decorators import number, partial_credit, tags, visibility, weight
from grader.failures import CheckFailure

@weight(1)
@number("1.1")
def test_passes():
    """A passing check"""

@partial_credit(2)
@number("1.2")
def test_partial(set_score=None):
    set_score(0.5)
    raise CheckFailure("half right", ["sign-flip"])

@weight(1)
@number("1.10")
@visibility("after_due_date")
@tags("extra")
def test_plain_assert():
    assert 1 == 2, "numbers differ"

@weight(1)
@number("1.3")
def test_grader_bug():
    {}["missing"]

@weight(1)
@number("1.4")
def test_sees_earlier_results_on_disk(results_path):
    written = {t.get("number"): t for t in json.load(open(results_path))["tests"]}
    assert written["1.1"]["status"] == "passed" and written["1.2"]["score"] == 0.5
'''


def run(pytester, tmp_path, checks=CHECKS, budget=None, parts=None):
    pytester.makepyfile(test_checks=checks)
    out = tmp_path / "results.json"
    spec = Assignment(slug="x", title="x", origin="x", submit=[], parts=parts or {"1": {"points": 6}})
    plugin = GradingPlugin(spec, Staged(tmp_path, {}), out, notes=["note"], budget=budget)
    conftest = f"import pytest\n@pytest.fixture\ndef results_path():\n    return {str(out)!r}\n"
    pytester.makeconftest(conftest)
    pytester.runpytest_inprocess("-p", "no:cacheprovider", plugins=[plugin, fixtures])
    return json.loads(out.read_text())


def test_outcomes_become_gradescope_entries(pytester, tmp_path):
    results = run(pytester, tmp_path)
    validate(results)
    tests = {t["number"]: t for t in results["tests"] if t["max_score"]}
    assert [t["number"] for t in results["tests"][:5]] == ["1.1", "1.2", "1.3", "1.4", "1.10"]
    assert tests["1.1"]["name"] == "A passing check" and tests["1.1"]["status"] == "passed"
    assert tests["1.2"]["score"] == 0.5 and tests["1.2"]["output"] == "half right"
    assert tests["1.2"]["tags"] == ["sign-flip"]
    assert tests["1.2"]["extra_data"] == {"bugs": {"sign-flip": "flipped a sign"}}  # report.html's words
    assert tests["1.10"]["output"] == "numbers differ" and tests["1.10"]["visibility"] == "after_due_date"
    assert tests["1.10"]["tags"] == ["extra"]
    assert tests["1.3"]["output"] == GRADER_FAULT
    assert tests["1.4"]["status"] == "passed"
    faults = [t for t in results["tests"] if t["max_score"] == 0]
    assert len(faults) == 1 and faults[0]["visibility"] == "hidden" and "KeyError" in faults[0]["output"]
    assert results["score"] == 2.5 and "note" in results["output"]


def test_time_budget_lists_remaining_checks(pytester, tmp_path):
    results = run(pytester, tmp_path, budget=-1)
    assert all(t["output"] == TIME_BUDGET and t["score"] == 0 for t in results["tests"])
    assert len(results["tests"]) == 5


def test_points_must_match_assignment_toml():
    spec = Assignment(slug="x", title="x", origin="x", submit=[], parts={"1": {"points": 2}})
    with pytest.raises(ConfigError, match="part '1' has 2 points but its checks weigh 1"):
        check_points(spec, [ItemResult("a", "a", "1.1", 1.0)])


def test_numbers_sort_numerically():
    assert sorted(["1.10", "1.9", "2.1", "1.2"], key=number_key) == ["1.2", "1.9", "1.10", "2.1"]


def plugin_run(pytester, tmp_path, files, points):
    """Run `files` ({relative path: source}) under a plugin whose assignment lives in pytester's
    folder, so checks/hidden/ is the assignment's own; returns (plugin, results)."""
    for name, source in files.items():
        path = pytester.path / "assignments" / "x" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    out = tmp_path / "results.json"
    spec = Assignment(slug="x", title="x", origin="x", submit=[], parts={"1": {"points": points}}, root=pytester.path)
    plugin = GradingPlugin(spec, Staged(tmp_path, {}), out)
    folders = [str(folder) for folder in spec.checks if folder.is_dir()]
    pytester.runpytest_inprocess("-p", "no:cacheprovider", *folders, plugins=[plugin, fixtures])
    return plugin, json.loads(out.read_text())


ONE_CHECK = '''
from gradescope_utils.autograder_utils.decorators import number, visibility, weight
@weight(1)
@number("1.{n}")
def test_{n}():
    open({marker!r}, "a").write("ran")
'''


def one_check(n, marker, extra=""):
    return ONE_CHECK.format(n=n, marker=str(marker)).replace("def test_", extra + "def test_")


def test_hidden_checks_take_the_manifests_visibility_and_a_broken_fixture_is_the_graders_fault(pytester, tmp_path):
    """One run, two things: hidden checks' visibility (a check's own wins), and a fixture that
    raises marks its item as the grader's failure, not the student's."""
    broken = "import pytest\n@pytest.fixture\ndef broken():\n    raise RuntimeError('grader bug')\n"
    plugin, results = plugin_run(pytester, tmp_path, {
        "checks/public/test_public.py": one_check(1, tmp_path / "ran"),
        "checks/hidden/test_hidden.py": one_check(2, tmp_path / "ran"),
        "checks/hidden/test_own.py": one_check(3, tmp_path / "ran", extra='@visibility("after_published")\n'),
        "checks/public/conftest.py": broken,
        "checks/public/test_fixture.py": one_check(4, tmp_path / "ran").replace("def test_4():",
                                                                                "def test_4(broken):")}, 4)
    assert not plugin.broken
    graded = {t["number"]: t for t in results["tests"] if t["max_score"]}
    assert {n: t["visibility"] for n, t in graded.items()} == {
        "1.1": "visible", "1.2": "after_due_date", "1.3": "after_published", "1.4": "visible"}
    assert graded["1.4"]["output"] == GRADER_FAULT and grader_faults(results)[0] == "1.4"


@pytest.mark.parametrize("files,points,words", [
    ({"checks/public/test_a.py": "one"}, 2, "[parts.1] points: part '1' has 2 points but its checks weigh 1"),
    ({"checks/public/test_a.py": "one", "checks/hidden/test_b.py": "import no_such_module_here\n"}, 1,
     "assignments/x/checks/hidden/test_b.py cannot be collected: ModuleNotFoundError"),
    ({"checks/public/test_a.py": "one", "checks/hidden/test_b.py": "def test_unweighed():\n    pass\n"}, 1,
     "every check needs @weight"),
])
def test_a_grader_side_problem_runs_no_check_and_says_why_in_one_line(pytester, tmp_path, files, points, words):
    marker = tmp_path / "ran"
    files = {name: one_check(1, marker) if source == "one" else source for name, source in files.items()}
    plugin, _ = plugin_run(pytester, tmp_path, files, points)
    assert words in plugin.broken and "\n" not in plugin.broken
    assert not marker.exists()  # no check ran, so no one gets a score from it


CPU_CHECKS = '''
import time
from gradescope_utils.autograder_utils.decorators import number, weight

@weight(1)
@number("1.1")
def test_busy():
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass

@weight(1)
@number("1.2")
def test_idle():
    time.sleep(0.3)
'''


def test_each_items_cpu_seconds_are_reported(pytester, tmp_path):
    cpu = run(pytester, tmp_path, CPU_CHECKS, parts={"1": {"points": 2}})["extra_data"]["cpu_s"]
    assert list(cpu) == ["1.1", "1.2"]
    assert cpu["1.1"] >= 0.25 and cpu["1.2"] < 0.1  # CPU, not wall time


def test_a_sandbox_childs_cpu_is_read_before_it_is_killed():
    import subprocess
    import sys

    from grader.sandbox import accounting
    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                              "while time.process_time() < end: pass\nprint(flush=True)\ntime.sleep(30)"],
                             stdout=subprocess.PIPE)
    try:
        child.stdout.readline()
        before = accounting.closed_children()
        accounting.note_closed(child.pid)
        assert accounting.closed_children() - before >= 0.25
    finally:
        child.kill()
        child.wait()
