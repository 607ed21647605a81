"""From whatever a student handed in to a staged folder a sandbox child can use.

A submission is a zip, a folder or a single file. Zips are checked entry by
entry before a byte is written; files are then written by us (never
`extractall`), so a name can only land inside the extraction folder.
"""
import difflib
import io
import os
import shutil
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from .notebook import definitions, notebook_to_module

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 200 * 2**20
MAX_RATIO = 200
IGNORED_PARTS = ("__MACOSX",)
# What a damaged or hostile archive can raise while being opened or read (encrypted: RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, OSError, ValueError, EOFError,
              NotImplementedError, RuntimeError, UnicodeDecodeError, IndexError, KeyError)

BROKEN_ZIP = "Your zip file could not be read ({why}). Please upload it again."
UNSAFE_ZIP = "Your zip file was refused: {why}. Zip the files themselves and upload again."
TOO_BIG = "Your zip file was refused: {why}."


class IntakeError(Exception):
    """The submission as a whole cannot be used; the message says why."""


@dataclass
class Staged:
    folder: Path                                  # what every child gets a copy of
    modules: dict                                 # module name -> file name
    missing: dict = field(default_factory=dict)   # file name -> hint text
    notes: list = field(default_factory=list)     # what intake did, for the student
    problem: str = ""                             # why nothing could be used, if so


def check_zip(archive):
    """Refuse unsafe or oversized archives before anything is extracted."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise IntakeError(TOO_BIG.format(why=f"it has {len(infos)} entries (the limit is {MAX_ENTRIES})"))
    seen, total = set(), 0
    for info in infos:
        name = info.filename
        if not name:
            raise IntakeError(UNSAFE_ZIP.format(why="an entry has no name"))
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise IntakeError(UNSAFE_ZIP.format(why=f"the entry {name!r} has an absolute path"))
        if ".." in parts or "\\" in name:
            raise IntakeError(UNSAFE_ZIP.format(why=f"the entry {name!r} points outside the folder"))
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise IntakeError(UNSAFE_ZIP.format(why=f"the entry {name!r} is a symbolic link"))
        key = name.rstrip("/").lower()
        if key in seen:
            raise IntakeError(UNSAFE_ZIP.format(why=f"the name {name!r} appears twice"))
        seen.add(key)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise IntakeError(TOO_BIG.format(why=f"it unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB"))
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise IntakeError(TOO_BIG.format(why=f"the entry {name!r} is compressed suspiciously well (a zip bomb?)"))


def extract_zip(path, dest):
    """Check, then write each file ourselves, trusting no size the header claims."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive)
            _write_entries(archive, dest)
    except ZIP_ERRORS as exc:
        raise IntakeError(BROKEN_ZIP.format(why=exc)) from None


def _write_entries(archive, dest):
    written = 0
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts or _ignored(parts):
            continue
        target = Path(dest).joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, open(target, "wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > MAX_TOTAL_BYTES:
                    raise IntakeError(TOO_BIG.format(why="it unpacks to more than its header says"))
                out.write(chunk)


def _ignored(parts):
    return any(p in IGNORED_PARTS or p.startswith(".") for p in parts)


def unpack(submission, dest):
    """The folder holding the submission's files (a zip is extracted into `dest`)."""
    submission = Path(submission)
    if submission.is_dir():
        return submission
    if not submission.exists():
        raise IntakeError(f"No submission was found at {submission}.")
    if zipfile.is_zipfile(submission) or submission.suffix.lower() == ".zip":
        extract_zip(submission, dest)
        return Path(dest)
    Path(dest).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(submission, Path(dest) / submission.name)
    return Path(dest)


def find_files(root, wanted):
    """Locate each wanted file name at any depth. Returns (found, missing, notes)."""
    candidates = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if not _ignored((d,)))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not _ignored((name,)) and path.is_file() and not path.is_symlink():
                candidates.setdefault(name, []).append(rel / name)
    found, missing, notes = {}, {}, []
    for name in wanted:
        paths = sorted(candidates.get(name, []), key=lambda p: (len(p.parts), str(p)))
        if paths:
            found[name] = Path(root) / paths[0]
            if len(paths) > 1:
                notes.append(f"Several files are named {name}; graded {paths[0]}.")
            continue
        close = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1, cutoff=0.6)
        by_lower = {c.lower(): c for c in candidates}
        missing[name] = f" (did you mean {by_lower[close[0]]}?)" if close else ""
    return found, missing, notes


def stage(assignment, submission, workspace, trusted=None):
    """Build the folder each child copies: student files, support files, data.

    Support files and data come from the assignment (reference/ and data/), or
    from `trusted` when a student checks their own folder without those.
    """
    workspace = Path(workspace)
    root = unpack(submission, workspace / "unpacked")
    found, missing, notes = find_files(root, assignment.submit)
    folder = workspace / "staged"
    folder.mkdir(parents=True)
    for name, path in found.items():
        shutil.copyfile(path, folder / name)
        notes.append(f"Graded {name} (found at {path.relative_to(root)}).")
    for name in [n for n in assignment.notebook if n in missing]:
        source, note = from_notebook(root, assignment.reference / name)
        notes += note
        if source is not None:
            (folder / name).write_text(source)
            del missing[name]
    for name in assignment.support:
        shutil.copyfile(Path(trusted or assignment.reference) / name, folder / name)
    for name in assignment.data:
        copy_data(Path(trusted or assignment.data_folder) / name, folder / name, assignment.withhold.get(name, []))
    for path in folder.iterdir():
        if path.is_file():
            os.chmod(path, 0o444)  # every child's folder links to these files: read-only to all
    return Staged(folder, assignment.modules, missing, notes)


def from_notebook(root, reference_file):
    """Module source for a file missing from the submission, from its best notebook.

    The notebook whose definitions share the most names with the reference
    file wins; none sharing any name means the file stays missing.
    """
    wanted = definitions(reference_file.read_text())
    best, best_names, chosen, notes = None, set(), None, []
    for path in sorted(Path(root).rglob("*.ipynb"), key=lambda p: (len(p.parts), str(p))):
        rel = path.relative_to(root)
        if _ignored(rel.parts) or path.is_symlink():
            continue
        try:
            source, names, cell_notes = notebook_to_module(path, str(rel), reference_file.stem)
        except Exception as exc:  # nbformat raises many kinds on malformed JSON
            notes.append(f"{rel} could not be read as a notebook ({type(exc).__name__}).")
            continue
        notes += cell_notes
        if len(names & wanted) > len(best_names):
            best, best_names, chosen = source, names & wanted, rel
    if best is None:
        return None, notes
    notes.append(f"Graded {reference_file.name} made from the notebook {chosen} "
                 f"(it defines {', '.join(sorted(best_names))}).")
    return best, notes


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
