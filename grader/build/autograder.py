"""dist/<slug>-autograder.zip: what Gradescope unpacks into /autograder/source.

Its requirements.txt is requirements-gradescope.txt: the lock's packages for
grading (none of those only grade-all --cluster needs), each pinned to the
version the project's own tests ran with and to the hash of its wheel, so
Gradescope's image grades with the same numpy, pytest and friends (and a
rebuild months later still does, or stops loudly). The interpreter is
Ubuntu 22.04's python3, checked to be 3.10, the version the wheels are for.
setup.sh and run_autograder are templates (grader/templates/autograder/),
every value in them shell-quoted.
"""
import zipfile
from pathlib import Path

from ..assignment.config import REPO_ROOT
from ..assignment.seeds import SECRET_FILE, new_secret
from ..grading.grade import validated
from ..render import render
from .hashes import HASHED

SCRIPTS = ("setup.sh", "run_autograder")  # grader/templates/autograder/: Gradescope's two entry points
GRADER_FAILED = ("The autograder itself failed on this submission (the lines above say why); this is not a "
                 "grade. Course staff: fix the grader, then regrade.")


def script(name, slug):
    """setup.sh or run_autograder for `slug`, from its template."""
    return render("autograder", name, slug=slug, failed=GRADER_FAILED)


def requirements(root=REPO_ROOT):
    """The hashed pins, without their comments."""
    lines = [line for line in (Path(root) / HASHED).read_text().splitlines() if line and not line.startswith("#")]
    return "\n".join(lines) + "\n"


def _add_tree(archive, root, folder):
    for path in sorted((root / folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, str(path.relative_to(root)))


def build_autograder(slug, dist, root=REPO_ROOT):
    """The zip, only from an assignment check-config accepts (else ConfigError, no zip)."""
    assignment = validated(slug, root)
    root = Path(root)
    target = Path(dist) / f"{slug}-autograder.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SCRIPTS:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, script(name, slug))
        archive.writestr("requirements.txt", requirements(root))
        archive.writestr(SECRET_FILE, new_secret() + "\n")  # this build's own seed for hidden inputs
        _add_tree(archive, root, "grader")
        _add_tree(archive, root, Path("assignments") / slug)
        _add_tree(archive, root, assignment.reference.relative_to(root))
    return target
