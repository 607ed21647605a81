"""The public checks from inside a notebook or a script:

    from grader_check import check, check_all
    check("2.1")     # one item (or "2": every public item of part 2)
    check_all()      # every public item

Each prints what `python -m grader check <slug> .` prints for those items: OK or
FAIL, the points, and what looks wrong. The checks read your files as saved on
disk (`mlp.py`, `answers.py`, ...), the files you will submit, not the
definitions living in a notebook's kernel: save in your editor (and the notebook,
if your code is in it) before calling. Your code runs in this process, with no
sandbox and no time limit; interrupt the kernel (or Ctrl-C) to stop a loop.

The folder checked is the running script's, or in a notebook the kernel's
current folder (the notebook's own); `folder=` picks another. The assignment is
the one this grader holds (the student release holds one); else the one whose
first file (`mlp.py` for a2) is in the folder; `slug=` names it.
"""
import sys
from pathlib import Path

from grader.assignment.config import REPO_ROOT, all_slugs, load_assignment
from grader.student.check import check as check_folder


def check(item, folder=None, slug=None):
    """Run the public checks of `item` ("2.1", or a part, "2") on the files in `folder`."""
    folder = Path(folder) if folder else _caller_folder()
    check_folder(_slug(slug, folder), folder, items=[str(item)])


def check_all(folder=None, slug=None):
    """Run every public check on the files in `folder`."""
    folder = Path(folder) if folder else _caller_folder()
    check_folder(_slug(slug, folder), folder)


def _caller_folder():
    """The folder of the script that called us; in a notebook or a console, the current folder."""
    script = sys._getframe(2).f_globals.get("__file__")
    return Path(script).resolve().parent if script else Path.cwd()


def _slug(slug, folder):
    """The assignment: `slug`, else the only one here, else the only one whose first file is in `folder`."""
    known = all_slugs(REPO_ROOT)
    if slug or len(known) == 1:
        return slug or known[0]
    present = [s for s in known if (folder / load_assignment(s).submit[0]).is_file()]
    if len(present) != 1:
        raise ValueError(f"which assignment? {folder} holds the first file of {', '.join(present) or 'none'} "
                         f"of {', '.join(known)}; name it, e.g. check_all(slug={known[0]!r})")
    return present[0]
