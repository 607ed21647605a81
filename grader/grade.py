"""Grade one submission: intake, run the checks under the plugin, write results."""
import contextlib
import io
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from . import fixtures, results
from .config import ConfigError, load_assignment
from .intake import NOTHING_CHECKED, IntakeError, Staged, stage
from .late import apply_policy, load_metadata, seconds_late
from .plugin import GradingPlugin, check_points, item_records
from .sandbox.errors import SandboxUnavailable

PYTEST_CONFIG = Path(__file__).with_name("checks.ini")
WATCHDOG_MARGIN = 120.0  # past the time budget: one check's calls are bounded, but not their number


def watchdog(plugin):
    """A timer that, should grading overrun its budget by far, ends the run itself: every
    unfinished check failed in results.json, the sandbox killed, the process gone."""
    def expire():
        from .sandbox import forkserver
        plugin.abandon()
        forkserver.shutdown()
        os._exit(0)
    timer = threading.Timer(plugin.budget + WATCHDOG_MARGIN, expire)
    timer.daemon = True
    return timer


def pytest_args(assignment, dirs, quiet=True):
    dirs = [str(d) for d in (dirs or assignment.checks) if Path(d).is_dir()]
    return ["-c", str(PYTEST_CONFIG), "--rootdir", str(assignment.folder), "-p", "no:cacheprovider",
            "-p", "no:unraisableexception", "-p", "no:threadexception", "--import-mode=importlib",
            "--tb=native",  # results come from the exception itself: pytest's long report parses every frame's file
            "-q" if quiet else "-v", *dirs]


def check_weights(assignment):
    """Collect the checks without running them: the problems check-config reports (points of a
    part that its checks' weights do not add up to, a check without @weight or @number)."""
    class Collector:
        problem = ""

        def pytest_collection_modifyitems(self, items):
            try:
                check_points(assignment, item_records(items))
            except ConfigError as problem:
                self.problem = str(problem)

        def pytest_collectreport(self, report):
            if report.failed:
                self.problem = f"{report.nodeid} cannot be collected:\n{report.longrepr}"
    collector = Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(pytest_args(assignment, None) + ["--collect-only"], plugins=[collector])
    return [f"{assignment.slug}: {collector.problem}"] if collector.problem else []


def run_checks(assignment, staged, out_path, *, notes=(), dirs=None, full=True, quiet=True,
               fixture_module=fixtures, sandboxed=True):
    """Run the assignment's checks in this (trusted) process; returns the results dict
    (also written to `out_path` after every check, in case the process dies).

    `quiet`: pytest prints nothing (results.json says it all); else every check and failure.
    `sandboxed=False`: the fixtures run no sandbox (a student's local check), so no fork server.
    """
    plugin = GradingPlugin(assignment, staged, out_path, notes=notes, full=full)
    args = pytest_args(assignment, dirs, quiet)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    timer = watchdog(plugin)
    timer.start()
    try:
        if sandboxed:  # imported only here: a student's local check needs no Unix-only module
            from . import adapter
            adapter.workspace(staged, assignment).zygote()  # starts while pytest collects and imports
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            pytest.main(args, plugins=[plugin, fixture_module])
        if plugin.unavailable:
            raise plugin.unavailable
    except SandboxUnavailable as problem:
        results.write_atomic(out_path, results.fallback(f"{results.FALLBACK}\n{problem}"))
        raise
    finally:
        timer.cancel()
    return plugin.results()


def staff_graded(assignment):
    """The written questions course staff grade, so students see they were not forgotten."""
    return [f"Graded by course staff, not by this autograder: {q['question']} ({q['points']:g} points)."
            for q in assignment.manual]


def grade(slug, submission, out_path, metadata=None, verbose=False):
    """Grade `submission` (zip, folder or file) and return the results dict.

    `metadata`: Gradescope's submission_metadata.json, for the late policy.
    `verbose`: pytest's own report of every check on stdout.
    """
    assignment = load_assignment(slug)
    results.write_atomic(out_path, results.fallback())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-") as workspace:
        try:
            staged = stage(assignment, submission, workspace)
            notes = staged.notes
        except IntakeError as problem:
            empty = Path(workspace) / "empty"
            empty.mkdir()
            staged = Staged(empty, assignment.modules, problem=NOTHING_CHECKED, flags=["bad-submission"])
            notes = [str(problem)]
        graded = run_checks(assignment, staged, out_path, notes=notes + staff_graded(assignment),
                            quiet=not verbose)
    graded["execution_time"] = round(time.monotonic() - started, 3)
    graded.setdefault("extra_data", {})["intake"] = staged.flags  # for reports: what a person should look at
    if metadata and Path(metadata).is_file():
        graded = apply_policy(graded, assignment.late_policy, seconds_late(load_metadata(metadata)))
    results.write_atomic(out_path, graded, indent=1)
    return graded
