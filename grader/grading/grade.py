"""Grade one submission: intake, run the checks under the plugin, write results."""
import contextlib
import io
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest

from ..assignment.config import REPO_ROOT, ConfigError, check_files, load_assignment
from ..assignment.late import apply_policy, load_metadata, seconds_late
from ..sandbox.errors import SandboxUnavailable
from ..submission.intake import NOTHING_CHECKED, IntakeError, Staged, stage
from . import deadline, fixtures, results
from .plugin import GradingPlugin, check_points, item_records, uncollectable

PYTEST_CONFIG = Path(__file__).with_name("checks.ini")
WATCHDOG_MARGIN = 120.0  # past the time budget: one check's calls are bounded, but not their number
# pytest's own plugins that checks never use: each costs imports and hook calls in every grade
UNUSED_PLUGINS = [arg for name in ("debugging", "doctest", "junitxml", "pastebin", "legacypath", "setuponly",
                                   "setupplan", "stepwise", "subtests", "unittest")
                  for arg in ("-p", f"no:{name}")]
STOPPED = (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED)


def watchdog(plugin, out_path):
    """Should grading overrun its budget by far, a process of its own ends the run (see
    grader.grading.deadline): asked first, the grader fails every unfinished check in results.json,
    kills its sandbox and exits. Returns a function that ends the watch. A watcher that cannot
    start means this machine cannot grade (SandboxUnavailable: one line, exit 2), never a run
    without a deadline."""
    asked = threading.current_thread() is threading.main_thread() and deadline.ASK is not None
    try:
        watcher = deadline.start(plugin.budget + WATCHDOG_MARGIN, out_path, ask=asked)
    except OSError as problem:
        raise SandboxUnavailable(f"the grader's deadline watcher could not start: {problem}") from None
    if asked:  # signal handlers can only be set (and only run) in the main thread
        previous = signal.signal(deadline.ASK, lambda *_: _expire(plugin))

    def cancel():
        deadline.stop(watcher)
        if asked:
            signal.signal(deadline.ASK, previous)
    return cancel


def _expire(plugin):
    from ..sandbox import forkserver
    plugin.abandon()
    forkserver.shutdown()
    os._exit(0)


def pytest_args(assignment, dirs, quiet=True):
    dirs = [str(d) for d in (dirs or assignment.checks) if Path(d).is_dir()]
    return ["-c", str(PYTEST_CONFIG), "--rootdir", str(assignment.folder), "-p", "no:cacheprovider",
            "-p", "no:unraisableexception", "-p", "no:threadexception", *UNUSED_PLUGINS, "--import-mode=importlib",
            "--tb=native",  # results come from the exception itself: pytest's long report parses every frame's file
            "-q" if quiet else "-v", *dirs]


def run_pytest(args, plugins):
    """pytest on the checks with our plugins and none that is merely installed: a machine may hold
    any pytest plugin (hypothesis's alone costs 0.8 CPU-s a run), and none may change a grade."""
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return pytest.main(args, plugins=plugins)


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
                self.problem = self.problem or uncollectable(report, assignment)
    collector = Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        code = run_pytest(pytest_args(assignment, None) + ["--collect-only"], [collector])
    problem = collector.problem or (f"collecting the checks stopped pytest ({pytest.ExitCode(code).name})"
                                    if code in STOPPED else "")
    return [f"{assignment.slug}: {problem}"] if problem else []


def reference_imports(assignment):
    """The reference must import: hidden checks compare with it (the trusted process imports it)."""
    try:
        fixtures.load_reference(assignment)
    except Exception as problem:  # noqa: BLE001  whatever breaks it, no one can be graded
        return [f"{assignment.slug}: reference/{assignment.slug} does not import: {type(problem).__name__}: {problem}"]
    return []


def problems(assignment, collect=True):
    """Everything check-config reports: missing files, a reference that does not import, then
    (with `collect`) what collecting the checks finds."""
    return (check_files(assignment) or reference_imports(assignment)
            or (check_weights(assignment) if collect else []))


def validated(slug, root=REPO_ROOT, collect=True):
    """The assignment, if check-config finds nothing wrong; else ConfigError, one line. grade,
    grade-all and build call this first, so a broken manifest or check file scores no one.
    `collect=False` (grade): the run's own collection refuses the same checks (the plugin's
    `broken`) before any of them runs, so collecting twice would cost half a CPU second a grade."""
    assignment = load_assignment(slug, root)
    found = problems(assignment, collect)
    if found:
        more = f" (and {len(found) - 1} more: python -m grader check-config {slug})" if len(found) > 1 else ""
        raise ConfigError(found[0] + more)
    return assignment


def run_checks(assignment, staged, out_path, *, notes=(), dirs=None, full=True, quiet=True,
               fixture_module=fixtures, sandboxed=True):
    """Run the assignment's checks in this (trusted) process; returns the results dict
    (also written to `out_path` after every check, in case the process dies).

    `quiet`: pytest prints nothing (results.json says it all); else every check and failure.
    `sandboxed=False`: the fixtures run no sandbox (a student's local check), so no fork server.
    """
    plugin = GradingPlugin(assignment, staged, out_path, notes=notes, full=full)
    args = pytest_args(assignment, dirs, quiet)
    stop_watch = None
    try:
        stop_watch = watchdog(plugin, out_path)
        if sandboxed:  # imported only here: a student's local check needs no Unix-only module
            from . import adapter
            adapter.workspace(staged, assignment).zygote()  # starts while pytest collects and imports
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            code = run_pytest(args, [plugin, fixture_module])
        if plugin.unavailable:
            raise plugin.unavailable
        if plugin.broken or code in STOPPED:
            raise ConfigError(plugin.broken or f"pytest stopped before grading ({pytest.ExitCode(code).name})")
    except (SandboxUnavailable, ConfigError) as problem:
        results.write_atomic(out_path, results.fallback(f"{results.FALLBACK}\n{problem}"))
        raise
    finally:
        if stop_watch:
            stop_watch()
    return plugin.results()


def metadata_lateness(path):
    """Seconds late by Gradescope's submission_metadata.json; ConfigError if it cannot be read
    (else the late policy would silently not apply)."""
    try:
        return seconds_late(load_metadata(path))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as problem:
        raise ConfigError(f"{path} cannot be read for the late policy: {type(problem).__name__}: {problem}") from None


def staff_graded(assignment):
    """The written questions course staff grade, so students see they were not forgotten."""
    return [f"Graded by course staff, not by this autograder: {q['question']} "
            f"({q['points']:g} point{'' if q['points'] == 1 else 's'})." for q in assignment.manual]


def grade(slug, submission, out_path, metadata=None, verbose=False):
    """Grade `submission` (zip, folder or file) and return the results dict.

    `metadata`: Gradescope's submission_metadata.json, for the late policy.
    `verbose`: pytest's own report of every check on stdout.
    """
    try:
        assignment = validated(slug, collect=False)
        late = metadata_lateness(metadata) if metadata else None
    except ConfigError as problem:
        results.write_atomic(out_path, results.fallback(f"{results.FALLBACK}\n{problem}"))
        raise
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
    if late is not None:
        graded = apply_policy(graded, assignment.late_policy, late)
    results.write_atomic(out_path, graded, indent=1)
    return graded
