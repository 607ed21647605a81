"""`python -m grader check` on a student's own machine: their code is imported
into this process, without the sandbox.

A student checking their own folder runs only their own code, so there is
nothing to confine, and no fork server, sandbox account or Landlock is
needed: the check works wherever Python and numpy do. The price is that
nothing limits time or memory (Ctrl-C stops a loop), and `check` says so.
The autograder never uses this module: submissions always run in the sandbox.
"""
import contextlib
import io
import traceback
import types
from pathlib import Path

import pytest

from ..assignment.loader import load_modules
from ..failures import IMPORT_FAILED, MISSING_FILE, CheckFailure, clean_text, student_raised
from ..grading import fixtures
from ..kit.items import case_of
from ..sandbox import inprocess

NOTE = ("your code runs in this process, without the autograder's sandbox, so nothing limits its time or memory; "
        "Ctrl-C stops it")


class LocalModules:
    """The student's modules, each imported on first use. A missing file or an
    import that fails is the check's failure, worded as the autograder words it."""

    def __init__(self, staged):
        self._staged, self._loaded = staged, {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._loaded:
            self._loaded[name] = self._import(name)
        return self._loaded[name]

    def _import(self, name):
        staged, file = self._staged, self._staged.modules.get(name)
        if file is None:
            raise AttributeError(f"the assignment has no student module {name!r}")
        if staged.problem:
            raise CheckFailure(staged.problem, tags=["bad-submission"])
        if file in staged.missing:
            raise CheckFailure(MISSING_FILE.format(file=file, hint=staged.missing[file]), tags=["missing-file"])
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return getattr(load_modules(staged.folder, [name]), name)
        except (Exception, SystemExit) as exc:  # noqa: BLE001  the student's import may raise anything
            detail = student_traceback(exc, staged.folder)
            raise CheckFailure(IMPORT_FAILED.format(file=file, detail=detail), tags=["import-error"]) from None


def _student_frames(exc, folder):
    folder = Path(folder).resolve()
    return [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve().parent == folder]


def student_traceback(exc, folder):
    """The traceback through the student's own files only (by file name), then the exception."""
    frames = _student_frames(exc, folder)
    for frame in frames:
        frame.filename = Path(frame.filename).name
    if isinstance(exc, SyntaxError) and exc.filename:
        exc.filename = Path(exc.filename).name
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return clean_text("".join(lines))


def missing_name(exc):
    """An AttributeError of the stand-in reading a name the student's module or object lacks."""
    last = traceback.extract_tb(exc.__traceback__)[-1:]
    stand_in = Path(inprocess.__file__).resolve()
    return isinstance(exc, AttributeError) and bool(last) and Path(last[0].filename).resolve() == stand_in


def selected(number, items):
    """Whether item `number` is one of `items`, or in one of their parts ("2" holds "2.1")."""
    return any(number == str(i) or number.startswith(f"{i}.") for i in items)


def local_fixtures(staged, items=None):
    """grader.grading.fixtures with `student` importing the student's files into this process,
    and a hook that turns an exception out of their code into the check's failure.
    `items`: only the checks of these item (or part) numbers run; `collected` then lists
    every item number the checks hold."""
    @pytest.fixture
    def student():
        yield inprocess.InProcessStudent(LocalModules(staged))

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(pyfuncitem):
        try:
            return (yield)
        except AssertionError:  # a CheckFailure, or the check's own verdict
            raise
        except Exception as exc:
            frames = _student_frames(exc, staged.folder)
            if not frames and missing_name(exc):
                raise CheckFailure(f"{exc}: the check needs it.", tags=["exception"]) from None
            if not frames:
                raise  # the check's own fault: reported as one, as ever
            name = frames[0].name
            error = {"type": type(exc).__name__, "message": str(exc),
                     "traceback": student_traceback(exc, staged.folder)}
            raise student_raised(name, name, error) from None

    @pytest.hookimpl(tryfirst=True)  # before the grading plugin makes a record of each item
    def pytest_collection_modifyitems(config, items):
        module.collected = [number for number in (case_of(item)[0] for item in items) if number]
        if wanted:
            kept = [item for item in items if selected(case_of(item)[0] or "", wanted)]
            if not kept:  # nothing to run is no failure of the checks: the caller names what there is
                pytest.exit("no such item", returncode=pytest.ExitCode.OK)
            config.hook.pytest_deselected(items=[item for item in items if item not in kept])
            items[:] = kept

    wanted = [str(i) for i in items or ()]
    module = types.ModuleType("local_fixtures")
    module.__dict__.update({k: v for k, v in vars(fixtures).items() if not k.startswith("__")})
    module.student, module.pytest_pyfunc_call = student, pytest_pyfunc_call
    module.pytest_collection_modifyitems = pytest_collection_modifyitems
    return module
