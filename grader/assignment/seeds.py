"""Seeds for the inputs checks draw.

Public checks draw from the check's id alone, so a student sees the same
inputs on every run. Hidden checks draw from a secret plus a digest of every
file staged for the child: the same submission gets the same inputs (and score) on
every regrade, while probing submissions cannot learn the inputs, since any
change to the code draws new ones.

The secret comes from the environment variable GRADER_SECRET, else from the
file `.grader-secret` at the repository root, created once (random, mode
600) on first use; `build autograder` writes a fresh one into every
autograder zip, so each build has its own.
"""
import hashlib
import os
import secrets
import zlib
from pathlib import Path

from .config import REPO_ROOT

GRADER = Path(__file__).resolve().parents[1]  # the grader package: its code decides grades too
SECRET_FILE = ".grader-secret"
ENV = "GRADER_SECRET"


def new_secret():
    return secrets.token_hex(32)


def run_secret(root=REPO_ROOT):
    """GRADER_SECRET, else the repository's secret file (created if absent, never followed as a link)."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    path = Path(root) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd) as f:
            return f.read().strip()
    with os.fdopen(fd, "w") as f:
        secret = new_secret()
        f.write(secret + "\n")
    return secret


def tree_digest(root, digest=None):
    """SHA-256 over the names and bytes of every file under `root` (a link by its target), in
    a fixed order, `__pycache__` left out; a file alone by its bytes. Adds to `digest` if given."""
    digest = digest or hashlib.sha256()
    root = Path(root)
    if root.is_file():
        digest.update(root.read_bytes())
        return digest
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.relative_to(root)
        if "__pycache__" not in name.parts:
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            digest.update(name.as_posix().encode() + b"\0" + data + b"\0")
    return digest


def submission_digest(folder):
    """The digest of every file staged for the child (required files, helper modules, support
    files, data): whatever can change what the child does changes the hidden inputs."""
    return tree_digest(folder).hexdigest()


def check_seed(nodeid, digest=None, secret=None):
    """The seed of one check: its id alone (public), or keyed by secret and digest (hidden)."""
    if secret is None:
        return zlib.crc32(nodeid.encode())
    keyed = hashlib.sha256(f"{secret}\0{digest}\0{nodeid}".encode()).digest()
    return int.from_bytes(keyed[:8], "little")


def fingerprint(assignment):
    """A short hash of everything that decides a grade besides the submission."""
    digest = hashlib.sha256()
    for part in (assignment.folder, assignment.reference, GRADER):
        digest.update(str(part.name).encode())
        tree_digest(part, digest)
    return digest.hexdigest()[:16]
