"""dist/<slug>-autograder.zip: what Gradescope unpacks into /autograder/source.

Its requirements.txt is requirements-gradescope.txt: the lock's packages for
grading (none of those only grade-all --cluster needs), each pinned to the
version the project's own tests ran with and to the hash of its wheel, so
Gradescope's image grades with the same numpy, pytest and friends (and a
rebuild months later still does, or stops loudly). The interpreter is
Ubuntu 22.04's python3, checked to be 3.10, the version the wheels are for.
"""
import zipfile
from pathlib import Path

from ..config import REPO_ROOT
from ..grade import validated
from ..seeds import SECRET_FILE, new_secret
from .hashes import HASHED

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y python3 python3-pip
# The hashed wheels are CPython 3.10's (Ubuntu 22.04's python3): another interpreter stops here.
python3 -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else
    "setup.sh: expected Python 3.10, found " + sys.version)'
python3 -m pip install --no-cache-dir --require-hashes --only-binary=:all: -r /autograder/source/requirements.txt
# Submissions run as the grader's own unprivileged accounts, made here once (docs/security.md).
cd /autograder/source && python3 -m grader setup-sandbox
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. The root folder and the
# interpreter can be overridden, which is how the tests run it locally.
ROOT="${{GRADER_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{GRADER_PYTHON:-python3}}"
cd "$ROOT/source" || exit 1
if [ "$(id -u)" = 0 ]; then
    chmod 700 "$ROOT/source" "$ROOT/results"   # out of reach of the sandbox user
fi
late=()   # Gradescope always writes the metadata; the tests may leave it out
if [ -f "$ROOT/submission_metadata.json" ]; then
    late=(--metadata "$ROOT/submission_metadata.json")
fi
"$PYTHON" -m grader grade {slug} "$ROOT/submission" -o "$ROOT/results/results.json" "${{late[@]}}"
status=$?
if [ "$status" != 0 ]; then
    # The grader failed, not the student: no results.json, so Gradescope shows its own
    # "autograder failed" state, with no score, instead of a 0 that looks real.
    rm -f "$ROOT/results/results.json"
    echo "{failed}"
fi
exit "$status"
"""
GRADER_FAILED = ("The autograder itself failed on this submission (the lines above say why); this is not a "
                 "grade. Course staff: fix the grader, then regrade.")


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
        run_autograder = RUN_AUTOGRADER.format(slug=slug, failed=GRADER_FAILED)
        for name, text in [("setup.sh", SETUP_SH), ("run_autograder", run_autograder)]:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        archive.writestr("requirements.txt", requirements(root))
        archive.writestr(SECRET_FILE, new_secret() + "\n")  # this build's own seed for hidden inputs
        _add_tree(archive, root, "grader")
        _add_tree(archive, root, Path("assignments") / slug)
        _add_tree(archive, root, assignment.reference.relative_to(root))
    return target
