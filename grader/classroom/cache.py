"""Which submissions grade-all must grade again.

A result is reused when what is graded and the assignment's fingerprint (its
checks, reference, data and settings, and the grader's own code) are both
unchanged. What is graded is the folder intake stages, with intake's notes:
a zip rebuilt with new timestamps, or unpacked into a folder, is the same
submission. The same fingerprint tells a Dask worker that runs other code
from the client's; the cache's own also covers the grading secret (a digest
of it), since the secret draws the hidden inputs.
"""
import hashlib
import json
import tempfile
import time
from pathlib import Path

from ..assignment import seeds
from ..assignment.seeds import fingerprint
from ..grading import results
from ..submission.intake import stage

CACHE_FILE = ".grade-all-cache.json"
SAVE_EVERY = 1.0  # seconds: rewriting the whole file per submission is quadratic in the class size


def regrade_fingerprint(assignment):
    """The fingerprint, and the secret the hidden inputs are drawn with: rotating it regrades.
    Only a digest of the secret enters, so the cache file never holds it."""
    secret = hashlib.sha256(b"grading secret\0" + seeds.run_secret().encode()).hexdigest()
    return hashlib.sha256(f"{fingerprint(assignment)}\0{secret}".encode()).hexdigest()[:16]


def submission_digest(assignment, path):
    """A hash of what grading sees: intake's staged folder (whatever it holds) and its notes
    and flags. Intake runs here with the caps it has in the grader process (and reads
    notebooks in its quarantine); an upload it refuses, or that breaks it, is hashed by its bytes
    and the reason, and never stops the run: grading it says what is wrong."""
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="grade-all-digest-") as workspace:
        try:
            staged = stage(assignment, path, workspace)
        except Exception as problem:  # noqa: BLE001  (any upload intake cannot take: the grader process says why)
            digest.update(f"refused\0{type(problem).__name__}: {problem}\0".encode())
            seeds.tree_digest(path, digest)
            return digest.hexdigest()
        seeds.tree_digest(staged.folder, digest)
        told = {"notes": staged.notes, "flags": staged.flags, "missing": staged.missing, "problem": staged.problem}
        digest.update(json.dumps(told, sort_keys=True, default=str).encode())
    return digest.hexdigest()


class Cache:
    """outdir/.grade-all-cache.json: submission name -> content digest (and why it was not graded)."""

    def __init__(self, outdir, assignment_fingerprint):
        self.path = Path(outdir) / CACHE_FILE
        self.fingerprint = assignment_fingerprint
        self.saved_at = 0.0
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError):
            saved = {}
        self.known = saved.get("submissions", {}) if isinstance(saved, dict) else {}
        if not (isinstance(saved, dict) and saved.get("fingerprint") == assignment_fingerprint):
            self.known = {name: {"digest": None} for name in self.known}  # names kept, to clean up

    def lookup(self, name, digest, results_path):
        """The entry saved for `name` if its content and the checks are unchanged, else None."""
        entry = self.known.get(name)
        if not (isinstance(entry, dict) and entry.get("digest") == digest):
            return None
        try:
            json.loads(Path(results_path).read_text())
        except (OSError, ValueError):
            return None
        return entry

    def store(self, name, digest, problem=""):
        """Remember a graded submission; written out at most every SAVE_EVERY s (and by `save`)."""
        self.known[name] = {"digest": digest, "problem": problem}
        if time.monotonic() - self.saved_at > SAVE_EVERY:
            self.save()

    def forget_all_but(self, names):
        """Entries of submissions no longer in the folder; returns their names."""
        gone = sorted(set(self.known) - set(names))
        for name in gone:
            del self.known[name]
        return gone

    def save(self):
        self.saved_at = time.monotonic()
        results.write_atomic(self.path, {"fingerprint": self.fingerprint, "submissions": self.known}, indent=1)
