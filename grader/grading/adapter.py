"""The one place sandbox errors become verdicts: the sandbox (grader/sandbox/)
knows nothing of grading and raises its own exceptions; here each becomes the
check failure a student reads, using what intake found about the submission."""
import re
from dataclasses import fields

from ..failures import (
    CHILD_GONE,
    IMPORT_FAILED,
    IMPORT_FAILED_SEE_ABOVE,
    MISSING_FILE,
    CheckFailure,
    clean_text,
    student_raised,
)
from ..sandbox.errors import CallFailed, ChildGone, ChildTimeout, ImportFailed, ModuleMissing
from ..sandbox.forkserver import preloads
from ..sandbox.limits import Limits
from ..sandbox.proxy import Sandboxes, Workspace
from ..sandbox.readable import BASE_PACKAGES

# The last line of an import that failed because the module is not there (or, installed
# but not offered, cannot be read: Landlock refuses its files).
NOT_THERE = re.compile(r"No module named '(\w+)|PermissionError: .*[\\/](?:site|dist)-packages[\\/](\w+)")
UNAVAILABLE = ("{module} cannot be imported while grading: besides your own files, only {allowed} can, "
               "as the handout says.")


def sandbox_limits(assignment):
    """The sandbox's Limits from the manifest's: the fields the sandbox knows."""
    known = {f.name for f in fields(Limits)}
    return Limits(**{f.name: getattr(assignment.limits, f.name) for f in fields(assignment.limits) if f.name in known})


def workspace(staged, assignment):
    """What the submission's sandboxes serve: its folder, and only the modules intake found."""
    absent = set(staged.modules) if staged.problem else {m for m, f in staged.modules.items() if f in staged.missing}
    return Workspace(str(staged.folder), dict(staged.modules), sandbox_limits(assignment), frozenset(absent),
                     packages=tuple(assignment.packages),  # the manifest's [sandbox] packages
                     preload=tuple(preloads(staged.folder)))


def unavailable(detail, packages=()):
    """`detail` (a child's traceback) with one more line when its error is a module that is
    neither submitted nor offered (`packages`: the assignment's), saying what is."""
    lines = [line for line in detail.splitlines() if line.strip()]
    found = NOT_THERE.search(lines[-1][:1000]) if lines else None
    allowed = list(BASE_PACKAGES) + list(packages)
    module = found and (found.group(1) or found.group(2))
    if not module or module in allowed:
        return detail
    names = ["the standard library"] + allowed
    names = ", ".join(names[:-1]) + " and " + names[-1]
    return detail.rstrip("\n") + "\n" + UNAVAILABLE.format(module=module, allowed=names)


def translator(staged, note, packages=()):
    """A function turning a sandbox error about `staged` into a CheckFailure. A module that
    does not import fails every check that uses it: its error goes once to `note` (the
    results' top output) and each item says so in one line. `packages`: those the
    assignment offers, named when student code imports one it does not."""
    import_errors = set()

    def translate(error):
        if isinstance(error, ModuleMissing):
            if staged.problem:
                return CheckFailure(staged.problem, tags=["bad-submission"])
            file = staged.modules[error.module]
            return CheckFailure(MISSING_FILE.format(file=file, hint=staged.missing[file]), tags=["missing-file"])
        if isinstance(error, ImportFailed):
            detail = unavailable(clean_text(error.detail), packages)
            if error.module not in import_errors:
                import_errors.add(error.module)
                note(IMPORT_FAILED.format(file=error.module, detail=detail))
            summary = ([line for line in detail.splitlines() if line.strip()] or ["no detail"])[-1].strip()
            return CheckFailure(IMPORT_FAILED_SEE_ABOVE.format(file=error.module, summary=summary[:200]),
                                tags=["import-error"])
        if isinstance(error, CallFailed):
            told = dict(error.error, traceback=unavailable(str(error.error.get("traceback", "")), packages))
            return student_raised(error.name, error.call, told)
        if isinstance(error, ChildGone):
            printed = clean_text(error.printed, 1500).strip()
            extra = f"\nIt printed:\n{printed}" if printed else ""
            return CheckFailure(CHILD_GONE.format(call=error.call, how=error.how) + extra,
                                tags=["timeout" if isinstance(error, ChildTimeout) else "crash"])
        return error  # SandboxUnavailable: the set-up's fault, handled by the plugin
    return translate


def sandboxes(staged, assignment, note):
    """The pool of sandboxes the checks of one submission use; `note(text)` adds to the
    results' top output."""
    return Sandboxes(workspace(staged, assignment), translator(staged, note, tuple(assignment.packages)))
