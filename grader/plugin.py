"""The pytest plugin that turns check outcomes into results.json.

Checks are plain pytest functions carrying gradescope-utils' attributes
(`__weight__`, `__number__`, `__visibility__`, `__tags__`, and `__score__`
set through `@partial_credit`); a family of items declared with
`grader.kit.items.cases` takes each item's number and title from its case. After every check the whole results file is
rewritten atomically, so a crash or a kill leaves the last good state.
"""
import time

import pytest

from . import results
from .config import ConfigError
from .failures import GRADER_FAULT, TIME_BUDGET, WATCHDOG, CheckFailure, bug_sentences, clean_text
from .kit.items import case_of
from .sandbox.accounting import closed_children
from .sandbox.errors import SandboxUnavailable

GRADING = pytest.StashKey()  # config.stash[GRADING] is the GradingPlugin of this run


def check_points(assignment, items):
    """assignment.toml's points per part must equal the weights of that part's checks."""
    weights = {}
    for item in items:
        part = item.number.split(".")[0]
        weights[part] = weights.get(part, 0.0) + item.max_score
    for part in sorted(set(weights) | set(assignment.parts)):
        want = float(assignment.parts.get(part, {}).get("points", 0))
        if abs(weights.get(part, 0.0) - want) > 1e-9:
            raise ConfigError(f"assignment.toml: part '{part}' has {want:g} points "
                              f"but its checks weigh {weights.get(part, 0.0):g}")


def item_records(items):
    """A pending result for each collected check; a check without weight or number, or with a
    number another check has, is refused (results and reports name items by number)."""
    records, seen = [], {}
    for item in items:
        fn = item.function
        number, title = case_of(item)
        if not hasattr(fn, "__weight__") or number is None:
            raise ConfigError(f"{item.nodeid}: every check needs @weight (or @partial_credit) and @number")
        if number in seen:
            raise ConfigError(f"{item.nodeid}: item {number} is also {seen[number]}")
        seen[number] = item.nodeid
        records.append(results.ItemResult(
            nodeid=item.nodeid, name=title, number=number, max_score=float(fn.__weight__),
            visibility=getattr(fn, "__visibility__", "visible"), tags=list(getattr(fn, "__tags__", ()))))
    return records


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
        self.cpu, self.cpu_at_start = {}, 0.0  # item number -> CPU seconds of its check (`cpu_so_far`)

    def pytest_configure(self, config):
        config.stash[GRADING] = self

    def pytest_collection_modifyitems(self, session, config, items):
        items.sort(key=lambda i: results.number_key(case_of(i)[0] or "999"))
        self.items = {record.nodeid: record for record in item_records(items)}
        if self.full:
            check_points(self.spec, self.items.values())
        self.write()

    def pytest_collectreport(self, report):
        if report.failed:
            self.faults.append((report.nodeid, str(report.longrepr)))

    def pytest_runtest_setup(self, item):
        if hasattr(item.function, "__score__"):
            del item.function.__score__
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
        if report.when == "call" and report.passed:
            record.status, record.output = "passed", ""
            record.score = record.max_score if partial is None else float(partial)
        elif report.skipped:
            record.status, record.output = "failed", clean_text(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
            record.output = record.output.replace("Skipped: ", "")
        elif report.failed and record.status != "failed":
            record.status = "failed"
            record.score = 0.0 if partial is None else float(partial)
            record.output = self.explain(item, call.excinfo)
            exc = call.excinfo.value
            record.tags += list(getattr(exc, "tags", ()))
            record.bugs = bug_sentences(record.tags, getattr(exc, "bugs", None))

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
        for record in self.items.values():
            if record.status == "pending":
                record.status, record.score, record.output = "failed", 0.0, WATCHDOG
        self.write()

    def results(self):
        """The results dict as it stands (what `write` puts on disk)."""
        extra = [{"name": f"Grader fault in {nodeid}", "score": 0, "max_score": 0, "status": "failed",
                  "output": text[-6000:], "visibility": "hidden"} for nodeid, text in self.faults]
        output = "\n".join(self.notes + ([GRADER_FAULT] if self.faults else []))
        built = results.build(self.items.values(), output=output,
                              execution_time=time.monotonic() - self.start, extra_tests=extra)
        built["extra_data"] = {"cpu_s": {number: round(seconds, 3) for number, seconds in self.cpu.items()}}
        return built

    def write(self):
        """Crash insurance: the results so far, on disk after every check."""
        results.write_atomic(self.path, self.results())
