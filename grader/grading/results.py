"""Gradescope's results.json, built from plain records (no pytest here). Every output a
student reads goes through `grader.submission.scrub` here, so no path of the grading machine shows."""
import json
import os
import tempfile
from dataclasses import dataclass, field

from ..failures import GRADER_FAULT
from ..submission.scrub import scrub

PENDING = "Not run: the grader stopped before reaching this check."
FALLBACK = "The autograder failed before grading finished; please tell course staff."


@dataclass
class ItemResult:
    """One graded item as the student will see it."""
    nodeid: str
    name: str
    number: str
    max_score: float
    visibility: str = "visible"
    tags: list = field(default_factory=list)
    bugs: dict = field(default_factory=dict)  # tag -> report sentence, for report.html
    score: float = 0.0
    status: str = "pending"
    output: str = PENDING
    figures: list = field(default_factory=list)  # (title, data URI, caption) of its run: grader.grading.figures


def number_key(number):
    """Sort '1.10' after '1.9'."""
    return tuple(int(p) if p.isdigit() else 0 for p in str(number).split("."))


def test_entry(item):
    score = round(min(max(item.score, 0.0), item.max_score), 4)
    entry = {"name": item.name, "number": item.number, "score": score,
             "max_score": item.max_score,
             "status": "passed" if item.status == "passed" and score >= item.max_score else "failed",
             "output": scrub(item.output), "visibility": item.visibility}
    if item.tags:
        entry["tags"] = sorted(set(item.tags))
    if item.bugs:
        entry["extra_data"] = {"bugs": dict(sorted(item.bugs.items()))}
    return entry


def build(items, *, output, execution_time, extra_tests=(), shown_after=lambda item: []):
    """The whole results dict: one entry per item, in number order, each followed by
    `shown_after(item)` (its figures' entries: grader.grading.figures, which needs numpy,
    so this module stays light enough for the deadline watcher's interpreter)."""
    tests = [entry for i in sorted(items, key=lambda i: number_key(i.number))
             for entry in [test_entry(i)] + shown_after(i)]
    tests += list(extra_tests)
    return {"score": round(sum(t["score"] for t in tests), 4),
            "execution_time": round(execution_time, 3),
            "output": scrub(output), "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests}


def well_formed(graded):
    """Whether a grader's results, read from its file or sent by a Dask worker, can be used."""
    return isinstance(graded, dict) and isinstance(graded.get("tests"), list)


def grader_faults(results):
    """What in these results the grader itself failed on (not the submission): the items whose
    check broke in the grader's code or were never reached, the grader's fault entries, or the
    whole run. Empty when every score is the submission's own."""
    tests = results.get("tests", [])
    faults = [str(t.get("number") or t.get("name")) for t in tests
              if t.get("output") in (GRADER_FAULT, PENDING) or str(t.get("name", "")).startswith("Grader fault")]
    if not tests and str(results.get("output", "")).startswith(FALLBACK):
        faults.append("the whole submission")
    return faults


def stop_pending(graded, message, tag):
    """The checks still pending in the results dict `graded` fail with `message` and `tag`;
    the total follows. For a run stopped from outside (a time limit)."""
    for test in graded.get("tests", []):
        if test.get("output") == PENDING:
            test.update(score=0, status="failed", output=message, tags=sorted(set(test.get("tags", [])) | {tag}))
    graded["output"] = (graded.get("output", "") + "\n" + message).strip()
    graded["score"] = round(sum(t.get("score", 0) for t in graded.get("tests", [])), 4)
    return graded


def fallback(message=FALLBACK):
    return {"score": 0, "execution_time": 0, "output": scrub(message), "tests": []}


def write_atomic(path, results, indent=None):
    """Replace `path` in one step, so a reader never sees half a file, even if the grader
    is killed. No fsync: that guards only against the machine itself going down, which
    loses the run anyway. Written after every check, so compact unless `indent` is given."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(results, indent=indent))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
