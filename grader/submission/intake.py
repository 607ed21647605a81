"""From whatever a student handed in to a staged folder a sandbox child can use.

A submission is a zip, a folder or a single file, each with size caps
checked before it is read. Zips go through grader.submission.archive (checked from
their listing, then written by us), after what is never part of a submission
is left out (`left_out`). Notebooks and files that may be
Python 2 are parsed only in `grader.submission.quarantine`'s limited process. What
intake finds wrong becomes one headline each at the top of the results.
"""
import io
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from ..failures import clean_text
from . import archive, helpers, python2, quarantine
from .archive import entry_parts as _parts, megabytes as _mb
from .notebook import definitions

# Caps for every kind of submission (a zip, a folder, a single file), checked before reading.
MAX_ENTRIES = 2000                # files and folders
MAX_TOTAL_BYTES = 200 * 2**20
MAX_SOURCE_BYTES = 2 * 2**20      # one submitted .py file
MAX_NOTEBOOK_BYTES = 20 * 2**20   # one .ipynb (plots make them large); read only in grader.submission.quarantine
MAX_LISTED = 8                    # file names listed in one message
MAX_SCANNED = 200                 # submitted .py files read for their imports and definitions
# Never part of a submission, wherever they are (as is every name starting with "."): macOS
# litter, caches, Python environments. Left out before anything is counted (see `left_out`).
NEVER_SUBMITTED = ("__MACOSX", "__pycache__", "venv", "site-packages")
VENV_PARTS = ("bin", "lib", "lib64", "include", "share", "Lib", "Include", "Scripts", "pyvenv.cfg")
MAX_FOLDERS_NAMED = 3

BROKEN_ZIP = "Your zip file could not be read ({why}). Please upload it again."
UNSAFE_ZIP = "Your zip file was refused: {why}. Zip the files themselves and upload again."
TOO_BIG = "Your zip file was refused: {why}."
FOLDER_TOO_BIG = "Your submission was refused: {why}. Submit only the files the handout asks for."
MISSING = "{file} was not found in your {where}{hint}, so nothing in it could be checked."
HELD = " Your submission holds: {held}."
RELEASE_FOLDERS = ("grader", "assignments")  # beside a student's files in the unpacked student zip
CHECK_MODULE = "grader_check"  # students' call of the public checks; its stand-in is staged instead
CHECK_STAND_IN = Path(__file__).with_name("check_stand_in.py")
SEE_ABOVE = " (see the message at the top)"
NOTHING_CHECKED = "Nothing could be checked: the message at the top says why."


class IntakeError(Exception):
    """The submission as a whole cannot be used; the message says why."""


@dataclass
class Staged:
    folder: Path                                  # what every child gets a copy of
    modules: dict                                 # module name -> file name
    missing: dict = field(default_factory=dict)   # file name -> hint text
    notes: list = field(default_factory=list)     # what intake did, for the student
    flags: list = field(default_factory=list)     # for reports: missing-file, renamed-file, zip-in-zip,
                                                  # notebook, python2, unused-files (bad-submission: grade.py)
    problem: str = ""                             # why nothing could be used, if so


def left_out(parts, venvs=(), shipped=()):
    """Whether a path (its parts) is never part of a submission: a name starting with "."
    (`.venv`, `.git`, `.ipynb_checkpoints`, `.DS_Store`), one of NEVER_SUBMITTED, the
    folders of a Python environment (`venvs`: the parts of each folder holding a
    `pyvenv.cfg`; its other files stay), or a data file the release shipped (`shipped`)."""
    return (any(p in NEVER_SUBMITTED or (p.startswith(".") and p not in (".", "..")) for p in parts)
            or (bool(parts) and parts[-1] in shipped)
            or any(parts[i] in VENV_PARTS and parts[:i] in venvs for i in range(len(parts))))


def split_listing(infos, shipped=()):
    """(kept, left out): a zip's entries, decided from its listing alone; each left-out one
    comes with the path that made it so (`hw/.venv/`), for the note that names them."""
    venvs = {_parts(i)[:-1] for i in infos if _parts(i)[-1:] == ("pyvenv.cfg",)}
    kept, dropped = [], []
    for info in infos:
        parts = _parts(info)
        if not left_out(parts, venvs, shipped):
            kept.append(info)
            continue
        cut = next(i for i in range(1, len(parts) + 1) if left_out(parts[:i], venvs, shipped))
        dropped.append((info, "/".join(parts[:cut]) + ("/" if cut < len(parts) or info.is_dir() else "")))
    return kept, dropped


def left_out_note(dropped):
    """One line naming what was left out of a zip: folders, most files first, then files
    (macOS litter and dotfiles, which nobody misses, aside)."""
    groups = {}
    for info, label in dropped:
        groups[label] = groups.get(label, 0) + (not info.is_dir())
    shown = [_label(label) + (f" ({n:,} file{'s' * (n != 1)})" if label.endswith("/") and n else "")
             for label, n in sorted(groups.items(), key=lambda g: (not g[0].endswith("/"), -g[1]))
             if "__MACOSX" not in label and not PurePosixPath(label).name.startswith("._")
             and not (PurePosixPath(label).name.startswith(".") and not label.endswith("/"))]
    return f"Left out of your zip, as never part of a submission: {_names(shown)}." if shown else ""


def largest_folders(infos, by_size):
    """The few folders holding the most entries (or bytes): what to leave out of a refused zip."""
    paths = [_parts(i) for i in infos]
    depth = 0
    while paths and all(len(p) > depth + 1 and p[depth] == paths[0][depth] for p in paths):
        depth += 1  # everything is in one folder: look inside it
    totals = {}
    for info, parts in zip(infos, paths):
        if len(parts) > depth + 1:
            key = "/".join(parts[:depth + 1]) + "/"
            entries, size = totals.get(key, (0, 0))
            totals[key] = (entries + 1, size + info.file_size)
    ranked = sorted(totals.items(), key=lambda t: -t[1][1 if by_size else 0])[:MAX_FOLDERS_NAMED]
    shown = [f"{_label(k)} ({_mb(size) if by_size else f'{n:,} entries'})" for k, (n, size) in ranked]
    return f"; its largest folders are {', '.join(shown)}: leave out what the handout does not ask for" if shown else ""


def extract_zip(path, dest, used=(0, 0), shipped=()):
    """Check the zip, then write what is kept (see grader.submission.archive); returns notes for the
    student (what was left out). `used`: entries and bytes already unpacked (a zip found
    inside a zip shares the caps)."""
    try:
        dropped = archive.extract(path, dest, MAX_ENTRIES, MAX_TOTAL_BYTES, used,
                                  lambda listing: split_listing(listing, shipped))
    except archive.ArchiveError as refused:
        raise IntakeError(_refusal(refused)) from None
    return list(filter(None, [left_out_note(dropped)]))


def _refusal(refused):
    """The student's sentence for a refused zip; one over a cap names its largest folders."""
    if refused.kind == archive.BROKEN:
        return BROKEN_ZIP.format(why=refused.why)
    if refused.kind == archive.UNSAFE:
        return UNSAFE_ZIP.format(why=refused.why)
    hint = largest_folders(refused.kept, by_size=refused.over == "bytes") if refused.over else ""
    return TOO_BIG.format(why=refused.why + hint)


def _label(path):
    """A submitted file's name as a message may show it (names come from the student)."""
    return clean_text(str(path), 120)


def _names(labels):
    shown = ", ".join(labels[:MAX_LISTED])
    if not labels:
        return "no files"
    return shown + (f" and {len(labels) - MAX_LISTED} more" if len(labels) > MAX_LISTED else "")


def unpack(submission, dest, shipped=()):
    """(the folder holding the submission's files, notes): a zip is extracted into `dest`,
    leaving out what is never part of a submission, which the notes name."""
    submission = Path(submission)
    if submission.is_dir():
        return submission, []
    if not submission.exists():
        raise IntakeError(f"No submission was found at {submission}.")
    if zipfile.is_zipfile(submission) or submission.suffix.lower() == ".zip":
        return Path(dest), extract_zip(submission, dest, shipped=shipped)
    limit = {".py": MAX_SOURCE_BYTES, ".ipynb": MAX_NOTEBOOK_BYTES}.get(submission.suffix.lower(), MAX_TOTAL_BYTES)
    size = submission.stat().st_size
    if size > limit:
        raise IntakeError(FOLDER_TOO_BIG.format(
            why=f"{_label(submission.name)} is {_mb(size)} (a {submission.suffix} file may be at most {_mb(limit)})"))
    Path(dest).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(submission, Path(dest) / submission.name)
    return Path(dest), []


def survey(root, capped=True, shipped=()):
    """Every regular file under `root` as (relative path, size), shallowest first;
    links and what is never part of a submission (`left_out`) are skipped, and
    never entered.

    `capped`: refuse more than MAX_ENTRIES entries or MAX_TOTAL_BYTES, counted
    while walking, so a folder of a million files costs no more than the cap.
    A student's own working folder (local check) is not capped.
    """
    files, entries, seen, total, stack = [], 0, 0, 0, [Path(root)]
    try:
        while stack:
            folder = stack.pop()
            venvs = {()} if os.path.lexists(folder / "pyvenv.cfg") else set()
            with os.scandir(folder) as listing:
                for entry in listing:
                    seen += 1
                    if capped and seen > archive.MAX_LISTING:
                        raise IntakeError(FOLDER_TOO_BIG.format(
                            why=f"it holds more than {archive.MAX_LISTING:,} files and folders"))
                    if left_out((entry.name,), venvs, shipped) or entry.is_symlink():
                        continue
                    entries += 1
                    if capped and entries > MAX_ENTRIES:
                        why = f"it holds more than {MAX_ENTRIES} files and folders"
                        raise IntakeError(FOLDER_TOO_BIG.format(why=why))
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        size = entry.stat(follow_symlinks=False).st_size
                        total += size
                        if capped and total > MAX_TOTAL_BYTES:
                            raise IntakeError(FOLDER_TOO_BIG.format(why=f"it holds more than {_mb(MAX_TOTAL_BYTES)}"))
                        files.append((Path(entry.path).relative_to(root), size))
    except OSError as exc:
        raise IntakeError(f"Your submission could not be read ({type(exc).__name__}: {exc.strerror}).") from None
    return sorted(files, key=lambda f: (len(f[0].parts), str(f[0])))


def find_files(root, wanted, files=None):
    """Locate each wanted file name at any depth. Returns (found, missing, notes).

    A file whose name differs only in case (`Models.py`) is taken when it is
    the only one; `missing` maps a name not found to a hint (several case
    variants), else to "" (`stage` may find the file it was saved as).
    """
    files = survey(root) if files is None else files
    by_name = {}
    for rel, _ in files:
        by_name.setdefault(rel.name, []).append(rel)
    found, missing, notes = {}, {}, []
    for name in wanted:
        paths = by_name.get(name) or [rel for rel, _ in files if rel.name.lower() == name.lower()]
        if len(paths) > 1 and name not in by_name:
            missing[name] = f"{_names([_label(p) for p in paths])} differ from it only in case: keep one, named {name}"
            continue
        if paths:
            found[name] = Path(root) / paths[0]
            if paths[0].name != name:
                notes.append(f"Graded {_label(paths[0])} as {name}: the names differ only in upper and lower case.")
            if len(paths) > 1:
                notes.append(f"Several files are named {name}; graded {_label(paths[0])}.")
            continue
        missing[name] = ""
    return found, missing, notes


def stage(assignment, submission, workspace, trusted=None, own_folder=False):
    """Build the folder each child copies: student files, support files, data.

    Support files and data come from the assignment (reference/ and data/), or
    from `trusted` when a student checks their own folder without those.
    `own_folder`: a student's working folder checked locally, not a
    submission: no size caps and no list of unused files.
    The notes start with the problems (one headline each), then what was done.
    """
    workspace = Path(workspace)
    shipped = release_data(assignment)
    root, notes = unpack(submission, workspace / "unpacked", shipped)
    files = survey(root, capped=not own_folder, shipped=shipped)
    if own_folder:
        files = [(rel, size) for rel, size in files if rel.parts[0] not in RELEASE_FOLDERS]
    submitted = {_label(rel): root / rel for rel, _ in files}
    found, missing, found_notes = find_files(root, assignment.submit, files)
    notes += found_notes
    flags = []
    if missing and not own_folder:
        more, missing, more_notes = search_inner_zip(root, files, missing, workspace / "inner", submitted, shipped)
        found.update(more)
        notes += more_notes
        flags += ["zip-in-zip"] if more_notes else []
    flags += ["renamed-file"] if any(path.name != name for name, path in found.items()) else []
    headlines, used = [], set(found.values())
    folder = workspace / "staged"
    folder.mkdir(parents=True)
    for name, path in found.items():
        _copy_source(path, folder / name)
        notes.append(f"Graded {name} (found at {_label(_shown(path, root, workspace))}).")
    notebooks = [(label, path) for label, path in submitted.items() if path.suffix.lower() == ".ipynb"]
    for name in [n for n in assignment.notebook if n in missing]:
        source, chosen, note, importers = from_notebook(notebooks, assignment.reference / name)
        notes += note
        if source is not None:
            (folder / name).write_text(source)
            used.add(submitted[chosen])
            del missing[name]
            flags.append("notebook")
        elif importers:
            missing[name] = "; ".join(filter(None, [missing[name], (
                f"{', '.join(importers)} imports {Path(name).stem} instead of defining it: "
                f"submit {name} itself, or paste the code of {name} into the notebook's cells")]))
    roots = {Path(name).stem: path for name, path in found.items()}
    roots.update({Path(name).stem: folder / name for name in assignment.notebook if (folder / name).exists()
                  and name not in found})
    extra = getattr(assignment, "extra_modules", [])  # manifest key `extra_modules`; none until declared
    for name, path in find_files(root, extra, files)[0].items():
        _copy_source(path, folder / name)
        used.add(path)
        roots[Path(name).stem] = path
        notes.append(f"Also used {name}, a helper module this assignment accepts.")
    notes += stage_helpers(assignment, folder, roots, submitted, used, missing)
    old_code = python2_headlines({p.name: p for p in sorted(folder.iterdir()) if p.suffix == ".py"})
    headlines += old_code
    flags += ["python2"] if old_code else []
    flags += ["missing-file"] if missing else []
    for name, hint in missing.items():
        headlines.append(MISSING.format(file=name, where="folder" if own_folder else "submission",
                                        hint=f" ({hint})" if hint else "")
                         + ("" if own_folder else HELD.format(held=_names(sorted(submitted)))))
        missing[name] = SEE_ABOVE  # each check's own message stays short
    unused = [] if own_folder else unused_files(assignment, submitted, used)
    notes += unused
    flags += ["unused-files"] if unused else []
    for name in assignment.support:
        shutil.copyfile(Path(trusted or assignment.reference) / name, folder / name)
    shutil.copyfile(CHECK_STAND_IN, folder / f"{CHECK_MODULE}.py")
    for name in assignment.data:
        copy_data(Path(trusted or assignment.data_folder) / name, folder / name, assignment.withhold.get(name, []))
    for path in folder.iterdir():
        if path.is_file():
            os.chmod(path, 0o444)  # every child's folder links to these files: read-only to all
    return Staged(folder, assignment.modules, missing, headlines + notes, flags)


def stage_helpers(assignment, folder, roots, submitted, used, missing):
    """Stage the submission's own modules that staged files import (see grader.submission.helpers), and
    give each missing file without a hint the submitted file holding its definitions, if any.
    `roots`: staged module name -> the file it came from. Returns notes for the student."""
    copies = {n.lower() for n in assignment.support}
    candidates = [path for path in submitted.values() if path.suffix == ".py" and path not in used
                  and path.name.lower() not in copies and path.stat().st_size <= MAX_SOURCE_BYTES][:MAX_SCANNED]
    if not candidates:
        return []
    read = list(roots.values()) + candidates
    try:
        scans = dict(zip(read, quarantine.run("sources", [str(p) for p in read])))
    except quarantine.QuarantineFailure as why:
        return [f"Your other .py files could not be read ({why}), so none of them was used."]
    taken = set(roots) | {Path(n).stem for n in assignment.support} | {CHECK_MODULE}
    found, shadowed = helpers.find_helpers(roots, candidates, scans, taken, assignment.packages)
    notes, labels = [], {path: label for label, path in submitted.items()}
    for module, path, importer in found:
        _copy_source(path, folder / f"{module}.py")
        used.add(path)
    if found:
        notes.append("Also used your own modules that the graded files import: " + "; ".join(
            f"{labels[path]} (imported by {importer}.py)" for _, path, importer in found) + ".")
    if shadowed:
        used.update(path for _, path, _ in shadowed)  # not in the list of unused files: this note says why
        notes.append(f"Not used: {_names([labels[path] for _, path, _ in shadowed])}, named like modules that "
                     f"Python or the autograder provides ({', '.join(module for module, _, _ in shadowed)}): "
                     "the imports of those names get the provided modules. Rename your files and their imports.")
    for name in [n for n, hint in missing.items() if not hint]:
        holder, shared = helpers.holder_of(assignment.reference / name, [p for p in candidates if p not in used],
                                           scans)
        if holder is not None:
            missing[name] = (f"{labels[holder]} defines {', '.join(shared[:4])}"
                             f"{', ...' if len(shared) > 4 else ''}: rename it {name}")
    return notes


def release_data(assignment):
    """Names of the data files the student release ships (the grader brings its own)."""
    shipped = set(assignment.data)
    folder = Path(assignment.reference) / "data"
    return shipped | ({p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set())


def search_inner_zip(root, files, missing, dest, submitted, shipped=()):
    """(found, missing, notes) after unpacking the one zip a submission holds, when
    a required file is missing: within what is left of the same caps, one level
    only. Its files replace it in `submitted`."""
    zips = [rel for rel, _ in files if rel.suffix.lower() == ".zip"]
    if len(zips) != 1:
        return {}, missing, []
    left = extract_zip(root / zips[0], dest, used=(len(files), sum(size for _, size in files)), shipped=shipped)
    inner_files = survey(dest, shipped=shipped)
    del submitted[_label(zips[0])]
    submitted.update({_label(zips[0] / rel): dest / rel for rel, _ in inner_files})
    found, missing, notes = find_files(dest, list(missing), inner_files)
    return found, missing, notes + [f"Your submission held another zip, {_label(zips[0])}: its files were "
                                    "unpacked and searched too (one level only; next time submit the files themselves)."
                                    ] + left


def _shown(path, root, workspace):
    try:
        return path.relative_to(root)
    except ValueError:
        return path.relative_to(workspace / "inner")


def _copy_source(path, target):
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise IntakeError(FOLDER_TOO_BIG.format(
            why=f"{_label(path.name)} is {_mb(size)} (a source file may be at most {_mb(MAX_SOURCE_BYTES)})"))
    shutil.copyfile(path, target)


def python2_headlines(sources):
    """One line per staged source file that is Python 2 code (file name -> path)."""
    texts = {name: path.read_text(errors="replace") for name, path in sources.items()}
    flagged = [name for name, text in texts.items() if python2.looks_like_python2(text)]
    if not flagged:
        return []
    try:
        reports = quarantine.run("python2", [str(sources[name]) for name in flagged])
    except quarantine.QuarantineFailure:
        return []  # the import's own error message still says what is wrong
    lines = (python2.headline(name, report, texts[name].splitlines()) for name, report in zip(flagged, reports))
    return [line for line in lines if line]


def unused_files(assignment, submitted, used):
    """What the student handed in that grading does not use, and why, in a few lines."""
    own = {n.lower() for n in assignment.support + assignment.data} | {f"{CHECK_MODULE}.py"}
    copies, sources, others, notes = [], [], [], []
    for label, path in sorted(submitted.items()):
        if path in used:
            continue
        if path.name.lower() in own:
            copies.append(label)
        elif path.suffix == ".py":
            sources.append(label)
        else:
            others.append(label)
    if copies:
        notes.append(f"Not used: {_names(copies)}. The autograder brings its own copy, so changes to it are not seen.")
    if sources:
        notes.append(f"Not used: {_names(sources)}. Only {', '.join(assignment.submit)} and the files they "
                     "import are graded, and no graded file imports these.")
    if others:
        notes.append(f"Also not used: {_names(others)}.")
    return notes


def from_notebook(notebooks, reference_file):
    """Module source for a file missing from the submission, from its best notebook.

    Returns (source or None, the notebook's label, notes, labels of notebooks
    that import the module instead of defining it). The notebook whose
    definitions share the most names with the reference file wins (without a
    reference, in a student's local check: the one defining the most, among
    those not importing the module); none sharing any name means the file
    stays missing. Notebooks are read in
    `grader.submission.quarantine`'s limited process, never here.
    """
    wanted = definitions(reference_file.read_text()) if reference_file.is_file() else None
    notes, readable = [], []
    for label, path in notebooks:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            notes.append(f"{label} was not read: it is {_mb(size)} and a notebook may be at most "
                         f"{_mb(MAX_NOTEBOOK_BYTES)} (clear its outputs before submitting).")
        else:
            readable.append((label, path))
    if not readable:
        return None, None, notes, []
    try:
        converted = quarantine.run("notebooks", [str(p) for _, p in readable], [label for label, _ in readable],
                                 reference_file.stem)
    except quarantine.QuarantineFailure as why:
        return None, None, notes + [f"Your notebooks could not be read: {why}."], []
    best, best_names, chosen, importers, per_notebook = None, set(), None, [], {}
    for (label, _), result in zip(readable, converted):
        if "error" in result:
            notes.append(f"{label} could not be read as a notebook ({result['error']}).")
            continue
        per_notebook[label] = result["notes"]
        if result["imports_module"]:
            importers.append(label)
            if wanted is None:  # with nothing to compare, a notebook that uses the module is not it
                continue
        shared = set(result["names"]) & (set(result["names"]) if wanted is None else wanted)
        if len(shared) > len(best_names):
            best, best_names, chosen = result["source"], shared, label
    if best is None:  # what each notebook's cells lacked may say why none could be used
        return None, None, notes + [n for found in per_notebook.values() for n in found], importers
    notes += per_notebook[chosen] + [f"Graded {reference_file.name} made from the notebook {chosen} "
                                     f"(it defines {', '.join(sorted(best_names))})."]
    return best, chosen, notes, []


def copy_data(source, target, withheld):
    """A data file without the arrays named in `withheld` (labels a reader must not see)."""
    if not withheld:
        shutil.copyfile(source, target)
        return
    with np.load(source, allow_pickle=False) as data:
        kept = {k: data[k] for k in data.files if k not in withheld}
    buffer = io.BytesIO()
    np.savez(buffer, **kept)
    target.write_bytes(buffer.getvalue())
