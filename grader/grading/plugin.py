"""The pytest plugin that turns check outcomes into results.json.

Checks are plain pytest functions carrying gradescope-utils' attributes
(`__weight__`, `__number__`, `__visibility__`, `__tags__`, and `__score__`
set through `@partial_credit`); a family of items declared with
`grader.kit.items.cases` takes each item's number and title from its case. After every check the whole results file is
rewritten atomically, so a crash or a kill leaves the last good state.
"""
import time
from pathlib import Path

import pytest

from ..assignment.config import ConfigError
from ..failures import GRADER_FAULT, TIME_BUDGET, WATCHDOG, CheckFailure, clean_text
from ..kit.items import case_of
from ..sandbox.accounting import closed_children
from ..sandbox.errors import SandboxUnavailable
from ..vocabulary import sentences
from . import figures, results

GRADING = pytest.StashKey()  # config.stash[GRADING] is the GradingPlugin of this run


def check_points(assignment, items):
    """assignment.toml's points per part must equal the weights of that part's checks."""
    manifest = Path("assignments") / assignment.slug / "assignment.toml"
    weights = {}
    for item in items:
        part = item.number.split(".")[0]
        weights[part] = weights.get(part, 0.0) + item.max_score
    for part in sorted(set(weights) | set(assignment.parts)):
        want = float(assignment.parts.get(part, {}).get("points", 0))
        if abs(weights.get(part, 0.0) - want) > 1e-9:
            raise ConfigError(f"{manifest} [parts.{part}] points: part '{part}' has {want:g} points "
                              f"but its checks weigh {weights.get(part, 0.0):g}")


def item_records(items, hidden_folder=None, hidden_visibility="visible"):
    """A pending result for each collected check; a check without weight or number, or with a
    number another check has, is refused (results and reports name items by number).
    A check under `hidden_folder` is shown as `hidden_visibility` unless it sets its own."""
    records, seen = [], {}
    for item in items:
        fn = item.function
        number, title = case_of(item)
        if not hasattr(fn, "__weight__") or number is None:
            raise ConfigError(f"{item.nodeid}: every check needs @weight (or @partial_credit) and @number")
        if number in seen:
            raise ConfigError(f"{item.nodeid}: item {number} is also {seen[number]}")
        seen[number] = item.nodeid
        hidden = hidden_folder is not None and Path(hidden_folder) in Path(item.path).parents
        records.append(results.ItemResult(
            nodeid=item.nodeid, name=title, number=number, max_score=float(fn.__weight__),
            visibility=getattr(fn, "__visibility__", hidden_visibility if hidden else "visible"),
            tags=list(getattr(fn, "__tags__", ()))))
    return records


def uncollectable(report, assignment):
    """One line: which check file cannot be collected, and the error's last line."""
    lines = [line.strip() for line in str(report.longrepr).splitlines() if line.strip()]
    said = next((line[1:].strip() for line in reversed(lines) if line.startswith("E ")), lines[-1] if lines else "")
    where = Path("assignments") / assignment.slug / report.nodeid if report.nodeid else "the checks"
    return f"{where} cannot be collected: {said}"


def cpu_so_far():
    """CPU seconds of this process (all threads) and of the sandbox children closed so far.
    Taken around each check, so a slow check shows in `grade --verbose` and `make bench` the
    day it is written; a child forked ahead counts in the check that uses it."""
    return time.process_time() + closed_children()


class GradingPlugin:
    def __init__(self, assignment, staged, results_path, notes=(), budget=None, full=True):
        self.spec, self.staged, self.path = assignment, staged, results_path
        self.notes = list(notes)
        self.budget = budget or assignment.time_budget
        self.start = time.monotonic()
        self.items = {}
        self.faults = []
        self.full = full  # all checks collected, so points must add up to assignment.toml's
        self.unavailable = None  # set when the sandbox cannot run at all (not the student's fault)
        self.broken = ""  # why the checks cannot grade anyone (a check file or the manifest is wrong)
        self.cpu, self.cpu_at_start = {}, 0.0  # item number -> CPU seconds of its check (`cpu_so_far`)

    def pytest_configure(self, config):
        config.stash[GRADING] = self

    def pytest_collection_modifyitems(self, session, config, items):
        items.sort(key=lambda i: results.number_key(case_of(i)[0] or "999"))
        try:
            self.items = {record.nodeid: record for record in item_records(
                items, self.spec.checks[1], self.spec.hidden_visibility)}
            if self.full:
                check_points(self.spec, self.items.values())
        except ConfigError as problem:
            self.broken = str(problem)
            items[:] = []  # nothing runs: run_checks stops loudly, no one is scored
        self.write()

    def pytest_collectreport(self, report):
        if report.failed:
            self.faults.append((report.nodeid, str(report.longrepr)))
            self.broken = self.broken or uncollectable(report, self.spec)

    def pytest_runtest_setup(self, item):
        if hasattr(item.function, "__score__"):
            del item.function.__score__
        if getattr(item.function, "__training__", None):
            item.function.__training__ = None
        if time.monotonic() - self.start > self.budget:
            pytest.skip(TIME_BUDGET)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        record = self.items.get(item.nodeid)
        if record is not None:
            self.record(record, item, call, report)
        return report

    def pytest_runtest_logstart(self, nodeid, location):
        self.cpu_at_start = cpu_so_far()

    def pytest_runtest_logfinish(self, nodeid, location):
        record = self.items.get(nodeid)
        if record is not None:
            self.cpu[record.number] = cpu_so_far() - self.cpu_at_start
        self.write()

    def record(self, record, item, call, report):
        partial = getattr(item.function, "__score__", None)
        training = getattr(item.function, "__training__", None)  # a graded_run's record of both runs
        if report.when == "call" and isinstance(training, dict) and isinstance(training.get("student"), dict):
            record.figures.append(figures.of_training(training, record.number))
        if report.when == "call" and report.passed:
            record.status, record.output = "passed", ""
            record.score = record.max_score if partial is None else float(partial)
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            record.status, record.output = "failed", clean_text(reason)
            record.output = record.output.replace("Skipped: ", "")
        elif report.failed and record.status != "failed":
            record.status = "failed"
            record.score = 0.0 if partial is None else float(partial)
            record.output = self.explain(item, call.excinfo)
            exc = call.excinfo.value
            record.tags += list(getattr(exc, "tags", ()))
            record.bugs = sentences(record.tags, getattr(exc, "bugs", None))

    def explain(self, item, excinfo):
        exc = excinfo.value
        if isinstance(exc, CheckFailure):
            return clean_text(exc.message, 8000)
        if isinstance(exc, AssertionError):
            return clean_text(str(exc).split("\nassert")[0], 2000)
        if isinstance(exc, SandboxUnavailable):
            self.unavailable = exc
            item.session.shouldstop = "the sandbox cannot run here"  # every later check would fail alike
        self.faults.append((item.nodeid, str(excinfo.getrepr(style="short"))))
        return GRADER_FAULT

    def abandon(self):
        """The watchdog's last word: every check not finished failed, results written."""
        results.write_atomic(self.path, results.stop_pending(self.results(), WATCHDOG, "submission-timeout"))

    def results(self):
        """The results dict as it stands (what `write` puts on disk)."""
        extra = [{"name": f"Grader fault in {nodeid}", "score": 0, "max_score": 0, "status": "failed",
                  "output": text[-6000:], "visibility": "hidden"} for nodeid, text in self.faults]
        output = "\n".join(self.notes + ([GRADER_FAULT] if self.faults else []))
        built = results.build(self.items.values(), output=output,
                              execution_time=time.monotonic() - self.start, extra_tests=extra,
                              shown_after=figures.entries)
        built["extra_data"] = {"cpu_s": {number: round(seconds, 3) for number, seconds in self.cpu.items()}}
        return built

    def write(self):
        """Crash insurance: the results so far, on disk after every check."""
        results.write_atomic(self.path, self.results())
