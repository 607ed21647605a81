"""Grade one submission: intake, run the checks under the plugin, write results."""
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from . import adapter, fixtures, results
from .config import load_assignment
from .intake import IntakeError, Staged, stage
from .late import apply_policy, load_metadata, seconds_late
from .plugin import GradingPlugin
from .sandbox import forkserver
from .sandbox.errors import SandboxUnavailable

PYTEST_CONFIG = Path(__file__).with_name("checks.ini")
WATCHDOG_MARGIN = 120.0  # past the time budget: one check's calls are bounded, but not their number


def watchdog(plugin):
    """A timer that, should grading overrun its budget by far, ends the run itself: every
    unfinished check failed in results.json, the sandbox killed, the process gone."""
    def expire():
        plugin.abandon()
        forkserver.shutdown()
        os._exit(0)
    timer = threading.Timer(plugin.budget + WATCHDOG_MARGIN, expire)
    timer.daemon = True
    return timer


def run_checks(assignment, staged, out_path, *, notes=(), dirs=None, full=True, quiet=True,
               fixture_module=fixtures):
    """Run the assignment's checks in this (trusted) process; returns pytest's exit code."""
    plugin = GradingPlugin(assignment, staged, out_path, notes=notes, full=full)
    dirs = [str(d) for d in (dirs or assignment.checks) if Path(d).is_dir()]
    args = ["-c", str(PYTEST_CONFIG), "--rootdir", str(assignment.folder),
            "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:threadexception", "--import-mode=importlib", "-q" if quiet else "-v", *dirs]
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    timer = watchdog(plugin)
    timer.start()
    try:
        adapter.workspace(staged, assignment).zygote()  # starts while pytest collects and imports
        code = pytest.main(args, plugins=[plugin, fixture_module])
        if plugin.unavailable:
            raise plugin.unavailable
    except SandboxUnavailable as problem:
        results.write_atomic(out_path, results.fallback(f"{results.FALLBACK}\n{problem}"))
        raise
    finally:
        timer.cancel()
    return code


def staff_graded(assignment):
    """The written questions course staff grade, so students see they were not forgotten."""
    return [f"Graded by course staff, not by this autograder: {q['question']} ({q['points']:g} points)."
            for q in assignment.manual]


def grade(slug, submission, out_path, metadata=None):
    """Grade `submission` (zip, folder or file) and return the results dict.

    `metadata`: Gradescope's submission_metadata.json, for the late policy.
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
            staged = Staged(empty, assignment.modules, problem=str(problem))
            notes = [str(problem)]
        run_checks(assignment, staged, out_path, notes=notes + staff_graded(assignment))
    with open(out_path) as f:
        graded = json.load(f)
    graded["execution_time"] = round(time.monotonic() - started, 3)
    if metadata and Path(metadata).is_file():
        graded = apply_policy(graded, assignment.late_policy, seconds_late(load_metadata(metadata)))
    results.write_atomic(out_path, graded, indent=1)
    return graded
