"""Sample submissions, made from the reference and the assignment's bug catalog.

assignments/<slug>/mutants.toml lists realistic bugs as exact text edits of a
reference file. The same catalog feeds `make grade` (those marked `sample`)
and the mutant tests (all of them), so samples never drift from the reference.
"""
import shutil
import zipfile
from pathlib import Path

from ..config import REPO_ROOT, load_assignment, read_toml
from .template import template_files


def load_mutants(slug, root=REPO_ROOT):
    return read_toml(Path(root) / "assignments" / slug / "mutants.toml")["mutant"]


def mutant_files(assignment, mutant):
    """The submitted files of the reference with one bug applied."""
    files = {name: (assignment.reference / name).read_text() for name in assignment.submit}
    text = files[mutant["file"]]
    if text.count(mutant["find"]) != 1:
        raise ValueError(f"mutants.toml: mutant {mutant['name']!r}: 'find' must occur exactly once "
                         f"in {mutant['file']} (found {text.count(mutant['find'])})")
    files[mutant["file"]] = text.replace(mutant["find"], mutant["replace"])
    return files


def write_zip(path, files, folder="", junk=False):
    """A zip as students make them: optionally inside a folder, with macOS litter."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}{name}", text)
            if junk:
                archive.writestr(f"__MACOSX/{folder}._{name}", b"\x00\x05\x16\x07")
        if junk:
            archive.writestr(f"{folder}.DS_Store", b"\x00\x00\x00\x01Bud1")


def build_samples(slug, folder, root=REPO_ROOT):
    assignment = load_assignment(slug, root)
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    reference = {n: (assignment.reference / n).read_text() for n in assignment.submit}
    template = {n: t for n, t in template_files(slug, root).items() if n in assignment.submit}
    write_zip(folder / "reference.zip", reference, folder=f"{slug}/", junk=True)
    write_zip(folder / "template.zip", template)
    for mutant in load_mutants(slug, root):
        if mutant.get("sample"):
            write_zip(folder / f"{mutant['name']}.zip", mutant_files(assignment, mutant))
    return folder
