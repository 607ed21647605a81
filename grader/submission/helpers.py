"""The student's own modules that graded files import, and the file a missing one was saved as.

Students split their code into files of their own (`nn_helpers.py` beside
a4's `code_for_hw7.py`). Each submitted `.py` that a graded file imports,
directly or through another helper, is staged beside the graded files, found
by reading imports (`grader.submission.sources`, in quarantine), never by running code.

A submitted file named like a module the child gets from the interpreter
(the standard library, numpy, a package the assignment allows, or anything
those need) is never staged: `import random` then means the standard
library's module for the grader's own code in the child as for the student's,
and a file cannot stand in for a module the sandbox relies on.
"""
import ast
import functools
import math
import sys
from pathlib import Path

from ..sandbox import readable
from .sources import defined_names


@functools.lru_cache(maxsize=None)
def provided_modules(packages=()):
    """Top-level module names the child imports from outside the submission (`packages`:
    the assignment's, a tuple). Reading the installed packages' metadata takes a fraction
    of a second, so it is done only when a helper's name is in question, once."""
    allowed = list(readable.BASE_PACKAGES) + list(packages)
    names = set(sys.stdlib_module_names) | set(allowed)
    try:  # what the sandbox lets the child read: the allowed packages and all they need
        names |= {Path(p).name.split(".")[0] for p in readable.package_paths(allowed)}
    except (LookupError, OSError):
        pass  # a student's machine may lack an allowed package: its own name is listed anyway
    return names


def find_helpers(roots, candidates, scans, taken, packages=()):
    """The helpers staged files import: ([(module, path, importer)], [(module, path, importer)]):
    those to stage, and those left out because their name is a provided module's.

    `roots`: staged module name -> the file it was made from; `candidates`: submitted .py
    files that may be helpers; `scans`: path -> `grader.submission.sources.scan` result; `taken`:
    module names already staged (required, support, accepted helpers); `packages`: the
    assignment's allowed packages. Among files of one name, the one beside the importer
    wins, else the shallowest; a name that differs only in case counts when it is the only
    one (Windows and macOS import it so).
    """
    by_name, by_lower = {}, {}
    for path in candidates:
        by_name.setdefault(path.stem, []).append(path)
        by_lower.setdefault(path.stem.lower(), []).append(path)
    queue, seen, helpers, shadowed = list(roots.items()), set(taken), [], []
    while queue:
        importer, origin = queue.pop(0)
        for module in scans.get(origin, {}).get("imports", []):
            top = module.split(".")[0]
            paths = by_name.get(top) or (by_lower.get(top.lower()) if len(by_lower.get(top.lower(), [])) == 1 else [])
            if top in seen or not paths:
                continue
            seen.add(top)
            path = min(paths, key=lambda p: (p.parent != origin.parent, len(p.parts), str(p)))
            if top in provided_modules(tuple(packages)):
                shadowed.append((top, path, importer))
                continue
            helpers.append((top, path, importer))
            queue.append((top, path))
    return helpers, shadowed


def holder_of(reference_file, candidates, scans):
    """The candidate that defines at least half of what `reference_file` defines (the most
    of it), or None: only such a file is worth renaming to the missing one."""
    if not reference_file.is_file():
        return None, []
    wanted = defined_names(ast.parse(reference_file.read_text()))
    best, shared = None, []
    for path in candidates:
        have = set(scans.get(path, {}).get("defines", []))
        common = [name for name in wanted if name in have]  # in the reference's order
        if len(common) > len(shared):
            best, shared = path, common
    return (best, shared) if wanted and len(shared) >= math.ceil(len(wanted) / 2) else (None, [])
