"""`python -m grader similarity`: which submissions of a class share code beyond what the
student template gives everyone, as an HTML report of the closest pairs side by side.

Student files are text here, never imported or run. Each submission is opened by intake
(the zip reader's caps); only the files the manifest names are read, each capped in size,
and binaries are skipped. copydetect tokenizes them (every name becomes a placeholder, so
renaming does not hide a copy) and keeps winnowed fingerprints, less those of the student
template. Tokenizing runs regular expressions over student text, so it happens in worker
processes whose CPU time and memory the kernel caps: a pathological file costs its worker,
and the report names it. Every pair is screened at once (a sparse product of the fingerprint
sets); only the closest pairs are compared in full, for the highlighted regions.
"""
from __future__ import annotations

import html
import io
import multiprocessing
import os
import resource
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assignment.config import load_assignment
from ..build.template import template_files
from ..submission.intake import IntakeError, find_files, unpack
from .batch import find_submissions, open_input

MAX_FILE_BYTES = 256 * 2**10   # one compared file; a larger one is left out, and the report says so
MAX_SUBMISSIONS = 3000         # a class; pairs grow with its square
NOISE = 25                     # copydetect's defaults: shorter matches are noise,
GUARANTEE = 30                 # matches this long are always found
CPU_SECONDS = 10               # tokenizing one submission, enforced by the kernel
WORKER_MEMORY = 1 << 30        # address space a worker may add to what it had at start
class SimilarityError(Exception):
    """The report cannot be made: one line for the instructor."""


NO_COPYDETECT = ("the similarity report needs copydetect, an instructor-only extra: "
                 "pip install -c grader/build/requirements-lock.txt -e '.[similarity]' (make installs it)")


@dataclass
class Entry:
    """One submission's compared text (its submitted files, one after another) and what was left out."""
    name: str
    text: str = ""
    notes: list = field(default_factory=list)
    fingerprint: object = None


@dataclass
class Pair:
    first: Entry
    second: Entry
    similarity: tuple  # the share of each one's fingerprinted code found in the other
    slices: tuple      # copydetect's matching regions of each text


def compared_text(files: dict, notes: list) -> str:
    """The texts of `files` (name -> path), each under a header line; too large or binary files are
    left out with a note."""
    parts = []
    for name, path in files.items():
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
        except OSError as problem:
            notes.append(f"{name} left out: unreadable ({problem.strerror})")
            continue
        if size > MAX_FILE_BYTES:
            notes.append(f"{name} left out: {size / 2**10:.0f} KB (at most {MAX_FILE_BYTES // 2**10} KB compared)")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or "\0" in text:
            notes.append(f"{name} left out: not UTF-8 text")
            continue
        parts.append(f"# ---- {name} ----\n{text}\n")
    return "".join(parts)


def read_submission(assignment, submission, workdir) -> Entry:
    entry = Entry(submission.name)
    wanted = assignment.submit + assignment.extra_modules
    try:
        root, _ = unpack(submission.path, Path(workdir) / "unpacked")
        found, missing, _ = find_files(root, wanted)
    except IntakeError as problem:
        entry.notes.append(str(problem))
        return entry
    entry.notes += [f"{name} not found" for name in missing if name in assignment.submit]
    entry.text = compared_text(found, entry.notes)
    return entry


def _start_worker():
    used = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (used + WORKER_MEMORY, hard))


def _fingerprint(text, boilerplate):
    """copydetect's fingerprint of one text; the kernel ends the worker past CPU_SECONDS more."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + 1 + CPU_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    from copydetect import CodeFingerprint
    return CodeFingerprint("submission.py", NOISE, GUARANTEE - NOISE + 1, boilerplate, language="python",
                           fp=io.StringIO(text))


def fingerprint_all(entries, boilerplate, jobs):
    """Each entry's fingerprint, made in `jobs` worker processes; one that fails or is ended is noted."""
    todo = [e for e in entries if e.text]
    with multiprocessing.get_context("fork").Pool(max(1, jobs), initializer=_start_worker) as pool:
        pending = [(e, pool.apply_async(_fingerprint, (e.text, boilerplate))) for e in todo]
        for entry, result in pending:
            try:
                entry.fingerprint = result.get(timeout=2 * CPU_SECONDS + 1)
            except multiprocessing.TimeoutError:
                entry.notes.append(f"not compared: tokenizing took too long (limit: {CPU_SECONDS} CPU seconds)")
            except Exception as problem:  # noqa: BLE001  a worker's failure is that submission's note
                entry.notes.append(f"not compared: tokenizing failed ({type(problem).__name__})")


def screened(entries, count):
    """The `count` pairs (i, j) of entries sharing the largest share of fingerprints, all pairs
    counted at once as a sparse product."""
    from scipy.sparse import csr_matrix
    rows, columns = [], []
    for i, entry in enumerate(entries):
        hashes = np.fromiter(entry.fingerprint.hashes, dtype=np.int64)
        rows.append(np.full(len(hashes), i))
        columns.append(hashes)
    if not entries or not sum(len(c) for c in columns):
        return []
    _, column = np.unique(np.concatenate(columns), return_inverse=True)
    row = np.concatenate(rows)
    sets = csr_matrix((np.ones(len(row), dtype=np.int32), (row, column.ravel())),
                      shape=(len(entries), column.max() + 1))
    shared = (sets @ sets.T).toarray().astype(float)
    sizes = np.maximum(np.diag(shared), 1)
    score = np.triu((shared / sizes[:, None] + shared / sizes[None, :]) / 2, k=1)
    order = np.argsort(score, axis=None)[::-1][:count]
    return [divmod(int(k), len(entries)) for k in order if score.flat[k] > 0]


def closest_pairs(entries, count):
    """The `count` most similar pairs, by copydetect's full comparison of the best screened ones."""
    from copydetect import compare_files
    compared = [e for e in entries if e.fingerprint is not None]
    pairs = []
    for i, j in screened(compared, 3 * count):
        _, similarity, slices = compare_files(compared[i].fingerprint, compared[j].fingerprint)
        pairs.append(Pair(compared[i], compared[j], tuple(float(s) for s in similarity), slices))
    pairs.sort(key=lambda p: -sum(p.similarity))
    return pairs[:count]


def highlighted(entry, slices):
    from copydetect.utils import highlight_overlap
    if len(slices) == 0 or slices.shape[-1] == 0:
        return html.escape(entry.text)
    return highlight_overlap(entry.text, slices, "<mark>", "</mark>", truncate=8, escape_html=True)[0]


def render(slug, entries, pairs):
    """The report: the closest pairs ranked, then each pair side by side, matching regions marked.
    Every name and text from a submission is escaped."""
    style = ("body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:2px 6px}.side{display:flex;gap:1em}.side pre{flex:1;overflow:auto;background:#f6f6f6;"
             "padding:.5em;font-size:12px}mark{background:#fc8}")
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Similarity: {html.escape(slug)}</title>"
           f"<style>{style}</style></head><body><h1>Similarity of {html.escape(slug)}</h1>",
           f"<p>{len(entries)} submissions; code the student template gives everyone is ignored, and names "
           "(variables, functions) are compared as placeholders. A share is how much of one submission's "
           "fingerprinted code is found in the other. A high share is a lead to read, not a verdict.</p>",
           "<table><tr><th>#</th><th>submission</th><th>share</th><th>submission</th><th>share</th></tr>"]
    for k, pair in enumerate(pairs, 1):
        out.append(f"<tr><td><a href='#pair{k}'>{k}</a></td><td>{html.escape(pair.first.name)}</td>"
                   f"<td>{pair.similarity[0]:.0%}</td><td>{html.escape(pair.second.name)}</td>"
                   f"<td>{pair.similarity[1]:.0%}</td></tr>")
    out.append("</table>")
    noted = [e for e in entries if e.notes]
    if noted:
        out.append("<h2>Left out or partly read</h2><ul>")
        out += [f"<li>{html.escape(e.name)}: {html.escape('; '.join(e.notes))}</li>" for e in noted]
        out.append("</ul>")
    for k, pair in enumerate(pairs, 1):
        out.append(f"<h2 id='pair{k}'>{k}. {html.escape(pair.first.name)} ({pair.similarity[0]:.0%}) and "
                   f"{html.escape(pair.second.name)} ({pair.similarity[1]:.0%})</h2><div class='side'>"
                   f"<pre>{highlighted(pair.first, pair.slices[0])}</pre>"
                   f"<pre>{highlighted(pair.second, pair.slices[1])}</pre></div>")
    out.append("</body></html>\n")
    return "\n".join(out)


def template_fingerprints(assignment):
    """The fingerprints of the student template's submitted files: code everyone starts from."""
    from copydetect import CodeFingerprint
    files = template_files(assignment.slug, assignment.root)
    text = "".join(f"# ---- {n} ----\n{files[n]}\n" for n in assignment.submit + assignment.extra_modules
                   if n in files)
    whole = CodeFingerprint("template.py", NOISE, 1, language="python", fp=io.StringIO(text))
    return np.array(sorted(whole.hashes), dtype=np.int64)


def similarity(slug, folder, output, pairs=50, jobs=None):
    """Write the report of `folder`'s submissions to `output`; returns (entries, closest pairs)."""
    try:
        import copydetect  # noqa: F401  only to refuse early, with the way to install it
    except ImportError:
        raise SimilarityError(NO_COPYDETECT) from None
    assignment = load_assignment(slug)
    with tempfile.TemporaryDirectory(prefix="similarity-") as workspace:
        submissions = find_submissions(open_input(folder, Path(workspace) / "class"))
        if len(submissions) > MAX_SUBMISSIONS:
            raise SimilarityError(f"{len(submissions)} submissions in {folder}; at most {MAX_SUBMISSIONS} "
                                  "are compared at once")
        entries = [read_submission(assignment, s, Path(workspace) / f"s{i}") for i, s in enumerate(submissions)]
    for entry in entries:
        if not entry.text and not entry.notes:
            entry.notes.append("no submitted file to compare")
    fingerprint_all(entries, template_fingerprints(assignment), jobs or os.cpu_count() or 1)
    closest = closest_pairs(entries, pairs)
    Path(output).write_text(render(slug, entries, closest))
    return entries, closest
