"""The Python API: `grade` one submission, `grade_class` a folder of them.

These are the functions `python -m grader grade` and `grade-all` call; the
command line only prints what they return and turns what they raise into
its exit code (`exit_code`). A run the grader cannot finish raises: it never
returns a score of zero that looks earned.

    ConfigError          the assignment, its checks or a `metadata` file cannot be used  (exit 2)
    SandboxUnavailable   the sandbox cannot run on this machine                            (exit 2)
    EnvironmentFailure   grade_class: the grader cannot run here; no grades.csv written    (exit 2)
    ClusterRefused       grade_class: a `cluster` it cannot or may not use                 (exit 2)
    MissingPath          grade: a path given does not exist                                (exit 2)
    BatchError           grade_class: the input or output folder cannot be used            (exit 1)
    ValueError           grade_class: a `due` text that is not a date with a UTC offset
    NotFinal             the grader's own code failed on some items; all is written, and
                         `.results` holds it, but those scores are not final               (exit 2)
    Stopped              grade_class was interrupted (Ctrl-C, SIGTERM); `.results` holds
                         what was graded; a KeyboardInterrupt                              (exit 130)
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .assignment.config import ConfigError
from .assignment.late import parse_time
from .classroom.batch import BatchError
from .classroom.isolated import EnvironmentFailure
from .grading import grade as grading
from .grading.results import grader_faults
from .sandbox.errors import SandboxUnavailable


class MissingPath(ValueError):
    """A path given to grade() does not exist: nothing was graded."""


class ClusterRefused(ValueError):
    """grade_class: the `cluster` named is unusable here, or unsafe (a tcp:// scheduler without
    `insecure_cluster`): nothing was read or written."""


class NotFinal(Exception):
    """The grader's own code failed on some items (not the submission's fault). Everything
    was written; `results` (Results or ClassResults) holds it, but those scores are not final."""

    def __init__(self, message: str, results: Results | ClassResults):
        super().__init__(message)
        self.results = results


class Stopped(KeyboardInterrupt):
    """grade_class was interrupted; `results` holds what was graded (written and cached)."""

    def __init__(self, results: ClassResults):
        super().__init__("grading stopped early")
        self.results = results


EXIT_CODES = ((BatchError, 1), (Stopped, 130), (ConfigError, 2), (SandboxUnavailable, 2), (EnvironmentFailure, 2),
              (ClusterRefused, 2), (MissingPath, 2), (NotFinal, 2))
FAILURES = tuple(kind for kind, _ in EXIT_CODES)


def exit_code(problem: BaseException) -> int:
    """The command line's exit code for an exception of this API."""
    return next(code for kind, code in EXIT_CODES if isinstance(problem, kind))


@dataclass(frozen=True)
class Item:
    """One graded item, as results.json has it."""
    number: str
    name: str
    score: float
    max_score: float
    output: str  # what the student reads: what went wrong and the likely bug
    tags: tuple[str, ...]  # bug classes (sign-flip, transposed, not-attempted, ...)
    bugs: dict[str, str]  # tag -> the sentence report.html uses for it
    visibility: str

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass(frozen=True)
class Results:
    """One submission's grade. `raw` is Gradescope's results.json as a dict; `path` where it
    was written (None if nowhere). grade_class adds the submission's name (its output folder),
    the people a Gradescope export names, its feedback page and why it was not graded, if so."""
    slug: str
    score: float
    max_score: float
    items: tuple[Item, ...]
    output: str
    raw: dict
    path: Path | None = None
    name: str = ""
    people: tuple[dict, ...] = ()
    feedback: Path | None = None
    problem: str = ""

    @property
    def lost(self) -> list[str]:
        """Numbers of the items that did not get full marks."""
        return [item.number for item in self.items if not item.passed]

    @classmethod
    def of(cls, slug: str, raw: dict, path: Path | None = None, **more) -> Results:
        items = tuple(Item(t["number"], t["name"], t["score"], t["max_score"], t.get("output", ""),
                           tuple(t.get("tags", ())), dict(t.get("extra_data", {}).get("bugs", {})),
                           t.get("visibility", "visible"))
                      for t in raw.get("tests", []) if "number" in t)
        return cls(slug, raw["score"], sum(item.max_score for item in items), items, raw.get("output", ""), raw,
                   path, **more)


@dataclass(frozen=True)
class ClassResults:
    """A class's grades, one Results per submission in the order of grades.csv, and the
    files written: `folder`/<name>/results.json and feedback.html, grades.csv, report.html."""
    slug: str
    submissions: tuple[Results, ...]
    folder: Path
    grades_csv: Path
    report_html: Path


def grade(slug: str, submission: str | Path, out: str | Path | None = None, *,
          metadata: str | Path | None = None, verbose: bool = False) -> Results:
    """Grade one submission (a zip, folder, .py or .ipynb) in this process, its code in the sandbox.
    As with the command, a run far past the assignment's time budget ends this process (see
    grader.grading.deadline); grade_class gives each submission a process of its own.

    `out`: where to write results.json (default: nowhere kept). `metadata`: Gradescope's
    submission_metadata.json, for the late policy. `verbose`: pytest's report on stdout.
    Raises the exceptions the module's docstring lists; NotFinal after writing `out`.
    """
    if not Path(submission).exists():
        raise MissingPath(f"no file or folder {submission}")
    if metadata and not Path(metadata).is_file():
        raise MissingPath(f"no file {metadata} (Gradescope's metadata): without it no late policy applies")
    if out is not None and not Path(out).resolve().parent.is_dir():
        raise MissingPath(f"no folder {Path(out).resolve().parent} to write {Path(out).name} into")
    with tempfile.TemporaryDirectory(prefix="grader-api-") as scratch:
        target = Path(out).resolve() if out is not None else Path(scratch) / "results.json"
        raw = grading.grade(slug, submission, target, metadata=metadata, verbose=verbose)
    graded = Results.of(slug, raw, target if out is not None else None)
    faults = grader_faults(raw)
    if faults:
        raise NotFinal(f"the grader itself failed on {', '.join(faults)} (not the submission's fault), so this "
                       f"score is not final; results.json has the details", graded)
    return graded


def grade_class(slug: str, folder: str | Path, out: str | Path = "graded", *, jobs: int = 1,
                cluster: str | None = None, cluster_certs: str | Path | None = None, insecure_cluster: bool = False,
                force: bool = False, timeout: float | None = None, due: datetime | str | None = None) -> ClassResults:
    """Grade every submission in `folder` (a folder of zips, folders, .py or .ipynb files, a
    Gradescope export, its zip, or a folder above it), each in a grader process of its own,
    `jobs` at a time, or on a Dask `cluster` ("local:4", "tls://host:8786" with
    `cluster_certs`). Regrades only what changed since the last run into `out` (all with
    `force`). `timeout`: seconds per submission (default: assignment.toml's). `due`: the due
    date for the late policy (a datetime, or text with a UTC offset), else [late_policy]'s.
    Prints a progress bar and the table `grade-all` prints. Raises the exceptions the module's
    docstring lists; NotFinal and Stopped after writing everything graded.
    """
    from .classroom.batch import grade_all
    plan = None
    if cluster:  # refused before anything is read or written
        from .classroom.cluster import ClusterAddressError, plan as cluster_plan  # Dask's module: only when asked for
        try:
            plan = cluster_plan(cluster, certs=cluster_certs, insecure=insecure_cluster)
        except ClusterAddressError as problem:
            raise ClusterRefused(str(problem)) from None
    due = parse_time(due) if isinstance(due, str) else due
    out = Path(out)
    entries, interrupted = grade_all(slug, Path(folder), out, jobs=jobs, force=force, cluster=plan,
                                     timeout=timeout, due=due)
    graded = ClassResults(slug, tuple(
        Results.of(slug, e.results, out / e.submission.name / "results.json", name=e.submission.name,
                   people=tuple(e.submission.people), feedback=out / e.submission.name / "feedback.html",
                   problem=e.problem) for e in entries), out, out / "grades.csv", out / "report.html")
    if interrupted:  # the items never reached are not the grader's faults
        raise Stopped(graded)
    failed = [e.submission.name for e in entries if grader_faults(e.results)]
    if failed:
        raise NotFinal(f"the grader itself failed on {len(failed)} submission(s) ({', '.join(failed[:5])}"
                       f"{', ...' if len(failed) > 5 else ''}); their scores are not final (report.html lists them)",
                       graded)
    return graded
