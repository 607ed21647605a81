"""Sample submissions, made from the reference and the assignment's bug catalog.

assignments/<slug>/mutants.toml (read by grader.authoring.mutants) lists realistic bugs
as exact text edits of a reference file. The same catalog feeds `make grade`
(those marked `sample`) and the mutant tests (all of them), so samples never
drift from the reference.
"""
import io
import shutil
import zipfile
from pathlib import Path

from ..assignment.config import REPO_ROOT, load_assignment
from ..authoring.mutants import load_mutants, mutant_files
from .template import template_files

SAMPLE_TIME = (2020, 1, 1, 0, 0, 0)  # every entry's timestamp: rebuilding gives the same bytes


def zip_bytes(files, folder="", junk=False):
    """A zip as students make them: optionally inside a folder, with macOS litter. The same
    files always give the same bytes (fixed timestamps), so a rebuild changes nothing."""
    entries = {}
    for name, text in files.items():
        entries[f"{folder}{name}"] = text
        if junk:
            entries[f"__MACOSX/{folder}._{name}"] = b"\x00\x05\x16\x07"
    if junk:
        entries[f"{folder}.DS_Store"] = b"\x00\x00\x00\x01Bud1"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=SAMPLE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def sample_zips(slug, root=REPO_ROOT):
    """File name -> bytes of every sample submission of `slug`."""
    assignment = load_assignment(slug, root)
    reference = {n: (assignment.reference / n).read_text() for n in assignment.submit}
    template = {n: t for n, t in template_files(slug, root).items() if n in assignment.submit}
    zips = {"reference.zip": zip_bytes(reference, folder=f"{slug}/", junk=True), "template.zip": zip_bytes(template)}
    for mutant in load_mutants(slug, root):
        if mutant["sample"]:
            zips[f"{mutant['name']}.zip"] = zip_bytes(mutant_files(assignment, mutant))
    return zips


def write_zip(path, files, folder="", junk=False):
    Path(path).write_bytes(zip_bytes(files, folder, junk))


def write_samples(folder, zips):
    """Write `zips` (name -> bytes) into `folder`, leaving alone those already up to date and
    removing any other file; returns the names written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.name not in zips:
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    written = []
    for name, data in zips.items():
        path = folder / name
        if not (path.is_file() and not path.is_symlink() and path.read_bytes() == data):
            path.unlink(missing_ok=True)
            path.write_bytes(data)
            written.append(name)
    return written


def build_samples(slug, folder, root=REPO_ROOT):
    write_samples(folder, sample_zips(slug, root))
    return Path(folder)
