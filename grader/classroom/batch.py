"""Grade a class: every submission in its own grader process, in parallel or on a Dask cluster.

The input may be a folder of submissions (each zip, sub-folder or loose
.py/.ipynb is one), a Gradescope "export submissions" folder (its
submission_metadata.yml names the students behind each sub-folder), the
export's zip, or any folder above an export. Results are cached by content,
so a second run grades only what is new or changed.
"""
import csv
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import yaml

from ..assignment.config import load_assignment
from ..assignment.late import apply_policy, lateness, parse_time, summary, utc
from ..grading import results
from ..grading.grade import validated
from ..sandbox.text import clean_text
from ..submission import archive
from . import warm
from .cache import CACHE_FILE, Cache, regrade_fingerprint, submission_digest
from .isolated import Interrupted, descendants, kill_tree, run_one
from .report import write_feedback, write_report

EXPORT_METADATA = "submission_metadata.yml"
EXPORT_SEARCH_DEPTH = 3
# A class's zip: every student's files at once (each student's share is capped again by intake).
CLASS_MAX_ENTRIES = archive.MAX_LISTING
CLASS_MAX_BYTES = 10 * 2**30
OUTPUTS = ("grades.csv", "report.html")
RESERVED = OUTPUTS + (CACHE_FILE,)  # names no submission's output folder may take
SEVERAL_COPIES = ("This upload holds {count} copies of {file} ({where}), so it looks like several "
                  "submissions and was not graded as one. Grade the folder that holds them with "
                  "grade-all, or keep one copy.")

class BatchError(Exception):
    """A problem of the instructor's input or output folder: one line, exit code != 0."""


@dataclass
class Submission:
    name: str
    path: Path
    people: list = field(default_factory=list)  # [{"name", "sid", "email"}]
    submitted: object = None  # when it was submitted (a Gradescope export says), else None
    own_due: object = None  # this submission's own due date (an extension in the export), if any


@dataclass
class Graded:
    submission: Submission
    results: dict
    problem: str = ""  # why it was not graded normally (refused, could not be graded), if so


def submission_timeout(assignment):
    """The overall cap on one submission: assignment.toml's [limits] submission_timeout."""
    return float(assignment.limits.submission_timeout)


# ----------------------------------------------------------------------------- finding submissions

def open_input(path, workspace):
    """The folder to look for submissions in: `path` itself, or a zip extracted into `workspace`."""
    path = Path(path)
    if not path.exists():
        raise BatchError(f"{path} does not exist")
    if path.is_dir():
        return path
    if not zipfile.is_zipfile(path):
        raise BatchError(f"{path} is neither a folder nor a zip of submissions")
    extract_class_zip(path, Path(workspace))
    entries = [p for p in Path(workspace).iterdir() if not _ignored(p.name)]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(workspace)


def extract_class_zip(path, dest):
    """The instructor's download of a whole class, through the same checks as a student's
    zip (grader.submission.archive) with a class's caps. Each student's own zip inside it is checked
    again by intake, with a student's caps, when that student is graded."""
    try:
        archive.extract(path, dest, CLASS_MAX_ENTRIES, CLASS_MAX_BYTES)
    except archive.ArchiveError as refused:
        raise BatchError(f"{path} was not extracted: {refused.why}") from None


def _ignored(name):
    return name.startswith(".") or name == "__MACOSX"


def find_export(folder):
    """The shallowest folder at or below `folder` holding Gradescope's metadata, or None."""
    level = [Path(folder)]
    for _ in range(EXPORT_SEARCH_DEPTH + 1):
        found = [f for f in level if (f / EXPORT_METADATA).is_file()]
        if len(found) > 1:
            raise BatchError("several Gradescope exports were found: "
                             + ", ".join(str(f) for f in found) + "; pass one of them")
        if found:
            return found[0]
        level = [d for f in level for d in sorted(f.iterdir()) if d.is_dir() and not _ignored(d.name)]
    return None


def find_submissions(folder, outdir=None):
    """The submissions in `folder` (the output folder, if it lies inside, is not one)."""
    folder = Path(folder)
    export = find_export(folder)
    if export is not None:
        return _export_submissions(export)
    skip = Path(outdir).resolve() if outdir else None
    entries = sorted(p for p in folder.iterdir() if not _ignored(p.name) and p.resolve() != skip)
    return distinct_names([Submission(p.stem if p.is_file() else p.name, p) for p in entries
                           if p.is_dir() or p.suffix.lower() in (".zip", ".py", ".ipynb")])


def folded(name):
    """`name` as the file systems an output folder may be copied to see it: macOS folds case
    and Unicode normal forms, Windows folds case and drops trailing dots and spaces."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).rstrip(". ").casefold())


def distinct_names(submissions):
    """The submissions, each named for an output folder (and a grades.csv row) no other one
    shares, even folded. A name no other folds to stays as it is (`bob` for bob.zip); names
    that clash, or clash with grade-all's own files, become the entry's full name (bob.zip,
    bob.py, bob.ipynb beside the folder bob), then, if still taken, that name and -2, -3..."""
    counts = Counter(folded(s.name) for s in submissions)
    reserved = {folded(name) for name in RESERVED}
    clashing = {id(s) for s in submissions if counts[folded(s.name)] > 1 or folded(s.name) in reserved}
    taken = reserved | {folded(s.name) for s in submissions if id(s) not in clashing}
    names = {}
    for s in sorted((s for s in submissions if id(s) in clashing), key=lambda s: s.path.name):
        name, number = s.path.name, 1
        while folded(name) in taken:
            number += 1
            name = f"{s.path.name}-{number}"
        taken.add(folded(name))
        names[id(s)] = name
    return [replace(s, name=names.get(id(s), s.name)) for s in submissions]


def claim_folders(outdir, submissions):
    """Make each submission's output folder, refusing to go on when two of them turn out to be
    one folder on this file system: a grade must never overwrite, or be taken for, another's."""
    owners = {}
    for submission in submissions:
        folder = outdir / submission.name
        try:
            folder.mkdir(exist_ok=True)
            where = (folder.stat().st_dev, folder.stat().st_ino)
        except OSError as problem:
            raise BatchError(f"cannot make the output folder {folder}: {problem.strerror or problem}") from None
        if where in owners:
            raise BatchError(f"{owners[where].path} and {submission.path} would share the output folder "
                             f"{folder}; rename one of them")
        owners[where] = submission


def _export_submissions(folder):
    """Gradescope's export: keys are sub-folder names; Ruby-style ':key:' fields."""
    try:
        metadata = yaml.safe_load((folder / EXPORT_METADATA).read_text()) or {}
    except yaml.YAMLError as problem:
        raise BatchError(f"{folder / EXPORT_METADATA} cannot be read: {problem}".splitlines()[0]) from None
    found = []
    for key, info in sorted(metadata.items(), key=lambda item: str(item[0])):
        path = folder / str(key)
        if path.name == str(key) and key not in (".", "..") and path.exists():  # a plain name, never a path
            people = [{k.lstrip(":"): str(v) for k, v in person.items()}
                      for person in (info or {}).get(":submitters", [])]
            found.append(Submission(str(key), path, people, *(_export_time(folder, key, info, field)
                                                              for field in (":created_at", ":due_date"))))
    return distinct_names(found)


def _export_time(folder, key, info, name):
    """A date and time of an export entry (PyYAML may have read it already), or None."""
    value = (info or {}).get(name)
    if value is None:
        return None
    try:
        return utc(value) if isinstance(value, datetime) else parse_time(value)
    except ValueError as problem:
        raise BatchError(f"{folder / EXPORT_METADATA}: {key} {name}: {problem}") from None


def due_date(assignment, submission, due=None):
    """When `submission` was due: its own extension (the export's, else [late_policy]
    extensions by SID or email) first, then `due` (--due), then [late_policy] due_date."""
    policy = assignment.late_policy
    extensions = policy.get("extensions", {})
    own = submission.own_due or next((extensions[person[k]] for person in submission.people
                                      for k in ("sid", "email") if person.get(k) in extensions), None)
    chosen = own or due or policy.get("due_date")
    return None if chosen is None else parse_time(chosen)


def deadline_key(assignment, submission, due):
    """What the lateness of `submission` depends on, for the cache."""
    return f"due {due_date(assignment, submission, due)} submitted {submission.submitted}"


def with_late_policy(assignment, submission, result, due):
    """`result` with the late policy applied, when a due date is known."""
    when = due_date(assignment, submission, due)
    if when is None:
        return result
    return apply_policy(result, assignment.late_policy, lateness(submission.submitted, when))


def several_copies(assignment, path):
    """Why `path` is refused as one submission (copies of a required file side by side), or ''."""
    names = _file_names(path)
    for wanted in assignment.submit:
        hits = [n for n in names if n.name == wanted]
        shallowest = min((len(n.parts) for n in hits), default=0)
        level = sorted(str(n) for n in hits if len(n.parts) == shallowest)
        if len(level) > 1:
            where = ", ".join(level[:3]) + (", ..." if len(level) > 3 else "")
            return SEVERAL_COPIES.format(count=len(hits), file=wanted, where=where)
    return ""


def _file_names(path):
    """Relative paths of the files in a folder or zip, without macOS litter and dotfiles."""
    path = Path(path)
    if path.is_dir():
        names = [Path(f).relative_to(path) / n for f, _, files in os.walk(path) for n in files]
    elif zipfile.is_zipfile(path):
        names = archive.names(path) or []  # unreadable: intake says what is wrong with it
    else:
        return []
    return [n for n in names if not any(_ignored(part) for part in n.parts)]


# ----------------------------------------------------------------------------- grading

def grade_one(slug, submission, outdir, timeout=None, should_stop=lambda: False):
    """Grade one submission into outdir/<name>/results.json, in a grader process of its own."""
    if timeout is None:
        timeout = submission_timeout(load_assignment(slug))
    return run_one(slug, submission.path, Path(outdir) / submission.name / "results.json", timeout, should_stop)


def grade_locally(slug, todo, outdir, jobs, timeout, stop):
    """Yield (submission, results, problem) as each is graded, `jobs` at a time on this machine."""
    halt = threading.Event()
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_one, slug, s, outdir, timeout,
                                   lambda: stop.is_set() or halt.is_set()): s for s in todo}
            try:
                pending = set(futures)
                while pending and not stop.is_set():
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in done:
                        try:
                            yield futures[future], future.result(), ""
                        except Interrupted:
                            pass
            finally:
                halt.set()
                for future in futures:
                    future.cancel()
    finally:
        warm.close_all()  # the warm grader processes leave, and their CPU is counted in ours


def progress(done, total, name, width=30):
    filled = int(width * done / max(total, 1))
    print(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {clean_text(name, 40)[:40]:<40}",
          end="" if done < total else "\n", file=sys.stderr, flush=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets may run as a formula


def spreadsheet_cell(value):
    """Text that a spreadsheet would run as a formula (a name such as =HYPERLINK(...)) with a
    single quote in front, so it shows as the text it is; numbers, negative ones too, stay numbers."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def write_csv(path, graded):
    """One row per submission: who, one column per item (by number), lateness and the points the
    late policy took, the total. Every text cell goes through spreadsheet_cell: names, SIDs and
    e-mails come from the students."""
    items = {}
    for entry in graded:
        for test in entry.results.get("tests", []):
            if test.get("max_score"):
                items.setdefault(test["number"], test["name"])
    table = [["submission", "name", "sid", "email"] + [f"{n} {name}" for n, name in items.items()]
             + ["lateness", "deduction", "total"]]
    for entry in graded:
        who = {k: "; ".join(p.get(k, "") for p in entry.submission.people) for k in ("name", "sid", "email")}
        scores = {t.get("number"): t["score"] for t in entry.results.get("tests", [])}
        table.append([entry.submission.name, who["name"], who["sid"], who["email"]]
                     + [scores.get(n, 0) for n in items] + [*summary(entry.results), entry.results["score"]])
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([spreadsheet_cell(cell) for cell in row] for row in table)


def _prepare_output(outdir):
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=outdir, prefix=".write-test-")
        probe.close()
    except OSError as problem:
        raise BatchError(f"cannot write to the output folder {outdir}: {problem.strerror or problem}") from None
    for name in OUTPUTS:  # never leave an earlier run's table beside this run's results
        (outdir / name).unlink(missing_ok=True)


def _on_signal(stop):
    def handler(signum, frame):
        if not stop.is_set():
            print("\nStopping: finishing the grades.csv of what was graded...", file=sys.stderr, flush=True)
        stop.set()
    return handler


def grade_all(slug, folder, outdir, jobs=1, force=False, cluster=None, timeout=None, due=None):
    """Grade every submission under `folder`; write results, feedback pages, grades.csv,
    report.html; print a table. `due` (a datetime) overrides [late_policy] due_date.
    Returns (graded entries, interrupted?). A manifest check-config rejects grades no one."""
    assignment = validated(slug)
    outdir = Path(outdir)
    with tempfile.TemporaryDirectory(prefix="grade-all-") as workspace:
        submissions = find_submissions(open_input(folder, workspace), outdir)
        _warn_unknown_times(assignment, submissions, due)
        _prepare_output(outdir)
        cache = Cache(outdir, regrade_fingerprint(assignment))
        for name in cache.forget_all_but({s.name for s in submissions}):
            shutil.rmtree(outdir / name, ignore_errors=True)
        cache.save()
        claim_folders(outdir, submissions)
        graded, todo = _settle_without_grading(assignment, submissions, outdir, cache, force, due)
        reused = len(graded)
        stop, already_running = threading.Event(), descendants({os.getpid()})
        previous = {sig: signal.signal(sig, _on_signal(stop)) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            fresh = _grade(assignment, todo, outdir, cache, graded, stop, jobs=jobs, cluster=cluster,
                           timeout=timeout or submission_timeout(assignment), due=due)
        finally:
            kill_tree(descendants({os.getpid()}) - already_running)  # whatever grading left behind
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    entries = [graded[s.name] for s in submissions if s.name in graded]
    write_csv(outdir / "grades.csv", entries)
    for entry in entries:
        write_feedback(outdir / entry.submission.name / "feedback.html", assignment, entry)
    write_report(outdir / "report.html", assignment, entries)
    print_table(assignment, entries, outdir)
    print(f"graded {fresh}, reused {reused} unchanged from an earlier run"
          + (f"; stopped early: {len(submissions) - len(entries)} not graded" if stop.is_set() else ""))
    return entries, stop.is_set()


def _warn_unknown_times(assignment, submissions, due):
    unknown = [s for s in submissions if s.submitted is None and due_date(assignment, s, due)]
    if unknown:
        print(f"warning: a due date is set but {len(unknown)} submission(s) carry no submission time "
              f"(only a Gradescope export does), so no late policy applies to them", file=sys.stderr)


def _settle_without_grading(assignment, submissions, outdir, cache, force, due):
    """Submissions whose result is known without grading them (cached, or refused as several
    submissions in one): {name: Graded}; and the others with their digests: [(submission, digest)].
    A digest covers the submission's bytes and its lateness."""
    graded, todo = {}, []
    for submission in submissions:
        target = outdir / submission.name / "results.json"
        digest = f"{submission_digest(assignment, submission.path)} {deadline_key(assignment, submission, due)}"
        entry = None if force else cache.lookup(submission.name, digest, target)
        if entry is not None:
            graded[submission.name] = Graded(submission, json.loads(target.read_text()), entry.get("problem", ""))
            continue
        problem = several_copies(assignment, submission.path)
        if problem:
            refused = with_late_policy(assignment, submission, results.fallback(problem), due)
            results.write_atomic(target, refused, indent=1)
            cache.store(submission.name, digest, problem)
            graded[submission.name] = Graded(submission, refused, problem)
        else:
            todo.append((submission, digest))
    return graded, todo


def _grade(assignment, todo, outdir, cache, graded, stop, jobs, cluster, timeout, due):
    """Grade `todo` into `graded` and the cache as results arrive; returns how many were graded."""
    digests = {s.name: d for s, d in todo}
    submissions = [s for s, _ in todo]
    if cluster:
        from .cluster import grade_on_cluster
        stream = grade_on_cluster(cluster, assignment, submissions, outdir, timeout, stop)
    else:
        stream = grade_locally(assignment.slug, submissions, outdir, jobs, timeout, stop)
    fresh = 0
    try:
        for submission, result, problem in stream:
            result = with_late_policy(assignment, submission, result, due)
            results.write_atomic(outdir / submission.name / "results.json", result, indent=1)
            graded[submission.name] = Graded(submission, result, problem)
            cache.store(submission.name, digests[submission.name], problem)
            fresh += 1
            progress(fresh, len(todo), submission.name)
    finally:
        stream.close()  # its own clean-up (threads, cluster futures) first
        cache.save()
        if 0 < fresh < len(todo):
            print(file=sys.stderr)  # end the progress bar's line
    return fresh


def print_table(assignment, entries, outdir):
    """One line per submission: its folder, the students' names where the export gives them,
    the score and the items lost."""
    names = [clean_text("; ".join(p.get("name", "") for p in e.submission.people), 60) for e in entries]
    folders = [clean_text(e.submission.name, 80) for e in entries]  # students' text: no terminal escapes
    width, name_width = max(map(len, folders + ["submission"])), max(map(len, names), default=0)
    column = (lambda text: f"  {text:<{max(name_width, 4)}}") if name_width else (lambda text: "")
    print(f"{'submission':<{width}}{column('name')}  score")
    for entry, folder, name in zip(entries, folders, names):
        lost = [t["number"] for t in entry.results.get("tests", []) if t["score"] < t["max_score"]]
        note = "   not graded: see report.html" if entry.problem else (f"   lost: {' '.join(lost)}" if lost else "")
        print(f"{folder:<{width}}{column(name)}  {entry.results['score']:>6g} / "
              f"{assignment.total_points:g}{note}")
    print(f"results: {outdir}/<submission>/results.json (and feedback.html), {outdir}/grades.csv, "
          f"{outdir}/report.html")
