"""Zip files, read safely: a student's submission (grader.submission.intake) and an instructor's
download of a whole class (grader.classroom.batch) go through the same checks.

An archive is judged from its listing before a byte is written: how many entries
it lists at all, names that could land outside the folder (absolute, `..`, a
backslash), links, names given twice, the total size and how well each entry is
compressed. Files are then written by us, never `extractall`, counting the bytes
actually read rather than trusting the sizes the listing claims. What the caller
leaves out (intake: environments, caches, litter) is decided first and is neither
counted nor written, but its names are checked all the same.
"""
from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Callable

MAX_LISTING = 100_000   # entries of a listing read at all, left-out ones included
MAX_RATIO = 200         # uncompressed / compressed size of one entry over 1 MB
RATIO_FROM = 1 << 20    # entries smaller than this may compress as well as they like
CHUNK = 1 << 20
# What a damaged or hostile archive can raise while being opened or read (encrypted: RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, OSError, ValueError, EOFError,
              NotImplementedError, RuntimeError, UnicodeDecodeError, IndexError, KeyError)

BROKEN, UNSAFE, TOO_BIG = "broken", "unsafe", "too big"

Split = Callable[[list], tuple[list, list]]


class ArchiveError(Exception):
    """The archive is refused; `kind` is BROKEN, UNSAFE or TOO_BIG and `why` says why in a
    clause the caller puts in its own sentence. `over` ("entries" or "bytes") names the cap
    that `kept` (the entries that would have been written) went over, if that was the reason."""

    def __init__(self, kind: str, why: str, over: str | None = None, kept: list = ()):
        super().__init__(why)
        self.kind, self.why, self.over, self.kept = kind, why, over, list(kept)


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def entry_parts(info: zipfile.ZipInfo) -> tuple:
    """The path of an entry as parts, with either kind of slash."""
    return PurePosixPath(info.filename.replace("\\", "/")).parts


def keep_all(listing: list) -> tuple[list, list]:
    return listing, []


def listing(opened: zipfile.ZipFile) -> list:
    """The entries of an open zip, refused past MAX_LISTING (nothing else is read)."""
    infos = opened.infolist()
    if len(infos) > MAX_LISTING:
        raise ArchiveError(TOO_BIG, f"it has {len(infos):,} entries, too many to read")
    return infos


def checked_entries(opened: zipfile.ZipFile, max_entries: int, max_bytes: int, used: tuple = (0, 0),
                    split: Split = keep_all) -> tuple[list, list]:
    """(entries to write, entries left out) once the whole listing passed every check.

    `split` divides the listing into kept and left-out entries (each left-out one paired with
    what the caller wants to say about it); only kept ones count towards `max_entries` and
    `max_bytes`. `used`: entries and bytes already unpacked elsewhere that share the caps
    (a zip found inside a zip)."""
    infos = listing(opened)
    for info in infos:  # names that could land outside the folder are refused even if left out
        name = info.filename
        if not name:
            raise ArchiveError(UNSAFE, "an entry has no name")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise ArchiveError(UNSAFE, f"the entry {name!r} has an absolute path")
        if ".." in entry_parts(info) or "\\" in name:
            raise ArchiveError(UNSAFE, f"the entry {name!r} points outside the folder")
    kept, dropped = split(infos)
    if len(kept) + used[0] > max_entries:
        raise ArchiveError(TOO_BIG, f"it has {len(kept) + used[0]} entries (the limit is {max_entries})",
                           "entries", kept)
    seen, total = set(), used[1]
    for info in kept:
        name = info.filename
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveError(UNSAFE, f"the entry {name!r} is a symbolic link")
        key = name.rstrip("/").lower()
        if key in seen:
            raise ArchiveError(UNSAFE, f"the name {name!r} appears twice")
        seen.add(key)
        total += info.file_size
        if total > max_bytes:
            raise ArchiveError(TOO_BIG, f"it unpacks to more than {megabytes(max_bytes)}", "bytes", kept)
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ArchiveError(TOO_BIG, f"the entry {name!r} is compressed suspiciously well (a zip bomb?)")
    return kept, dropped


def write_entries(opened: zipfile.ZipFile, infos: list, dest: Path, max_bytes: int, written: int = 0) -> None:
    """Write checked entries under `dest`, stopping once more than `max_bytes` were read."""
    Path(dest).mkdir(parents=True, exist_ok=True)
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts:
            continue
        target = Path(dest).joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with opened.open(info) as src, open(target, "wb") as out:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise ArchiveError(TOO_BIG, "it unpacks to more than its header says")
                out.write(chunk)


def extract(path: Path, dest: Path, max_entries: int, max_bytes: int, used: tuple = (0, 0),
            split: Split = keep_all) -> list:
    """Check the zip at `path`, then write what is kept into `dest`; returns what was left out.
    Every failure, an unreadable file included, is an ArchiveError."""
    try:
        with zipfile.ZipFile(path) as opened:
            kept, dropped = checked_entries(opened, max_entries, max_bytes, used, split)
            write_entries(opened, kept, dest, max_bytes, used[1])
    except ZIP_ERRORS as exc:
        raise ArchiveError(BROKEN, str(exc)) from None
    return dropped


def names(path: Path) -> list:
    """The paths of the files a zip lists (its listing capped like any other), or None when it
    cannot be read: for looking, not extracting."""
    try:
        with zipfile.ZipFile(path) as opened:
            return [PurePosixPath(i.filename) for i in listing(opened) if not i.filename.endswith("/")]
    except (ArchiveError, *ZIP_ERRORS):
        return None
