"""Paths of the grading machine, taken out of every text a student reads.

Errors out of student code can name the grader's own files (a package the
sandbox does not offer fails with a PermissionError on its path in
site-packages), and the child's folder lives under the machine's temporary
folder. `grader.grading.results` runs every output a student sees through `scrub`, so
no message has to remember to. Linear: one pass finds absolute paths, and
each is shortened with string operations.
"""
import functools
import os
import re
import sys
import sysconfig
import tempfile

from ..assignment.config import REPO_ROOT

PATH = re.compile(r"(?<![\w.)\]])/[^\s'\"()<>,;]+")  # an absolute path, up to a space, quote or bracket
PACKAGE_FOLDERS = ("/site-packages/", "/dist-packages/")
RUN_FOLDERS = ("child-", "staged", "unpacked", "inner")  # under a grader-... folder: where the student's files are


@functools.lru_cache(maxsize=None)
def _roots():
    """(folder, what a student reads instead), longest first, as given and as resolved."""
    paths = sysconfig.get_paths()
    named = [(str(REPO_ROOT), "<grader>"), (paths["stdlib"], "<python>"), (paths["platstdlib"], "<python>"),
             (sys.prefix, "<python>"), (sys.exec_prefix, "<python>")]
    roots = {os.path.realpath(folder): label for folder, label in named}
    roots.update({folder: label for folder, label in named})
    return sorted(roots.items(), key=lambda r: -len(r[0]))


def _shorten(match):
    path = match.group(0)
    for marker in PACKAGE_FOLDERS:
        if marker in path:
            return "<site-packages>/" + path.split(marker, 1)[1]
    runs = os.path.join(tempfile.gettempdir(), "grader-")
    if path.startswith(runs):
        parts = path[len(runs):].split("/")
        keep = 2 if len(parts) > 2 and parts[1].startswith(RUN_FOLDERS) else 1
        return "/".join(parts[keep:]) or "."
    for folder, label in _roots():
        if path == folder or path.startswith(folder + "/"):
            return label + path[len(folder):]
    return path


def scrub(text):
    """`text` with the grading machine's folders replaced by short names (a path inside the
    child's own folder becomes relative, as the student's own files are named)."""
    return PATH.sub(_shorten, text) if "/" in text else text
