"""An assignment's catalogue of realistic bugs, assignments/<slug>/mutants.toml, read strictly.

Each `[[mutant]]` is an exact text edit of one reference file. The same catalogue
makes the sample submissions (`sample = true`, grader.build.samples), the mutant
tests (every mutant must lose exactly the items it `breaks`, diagnosed as its
`diagnosis`) and the training
thresholds (`probe = true`, grader.authoring.thresholds); this module is the one place
that reads it. Keys are declared in MUTANT, checked like the manifest's
(grader.assignment.config.read_table): a misspelt `sampel = true` is an error naming the
file, the key and the closest declared one, never a mutant silently left out.
"""
from __future__ import annotations

from pathlib import Path

from ..assignment.config import REPO_ROOT, REQUIRED, ConfigError, Key, read_table, read_toml
from ..kit.bugs import own_tags
from ..vocabulary import known

NO_DIAGNOSIS = "none"  # `diagnosis` of a mutant no item names a specific bug for (yet)
CATALOGUE = {
    "mutant": Key(list, REQUIRED, "[[mutant]] tables, one realistic bug each"),
}
MUTANT = {
    "name": Key(str, REQUIRED, "a short identifier (the sample's file name)"),
    "description": Key(str, REQUIRED, "the bug in words"),
    "file": Key(str, REQUIRED, "the submitted file the edit applies to"),
    "find": Key(str, REQUIRED, "text that occurs exactly once in the reference's file"),
    "replace": Key(str, REQUIRED, "what replaces it"),
    "breaks": Key(list, REQUIRED, "numbers of the items that must lose points; every other keeps full marks",
                  lambda v: "" if all(isinstance(n, str) for n in v) else "must be a list of item numbers"),
    "diagnosis": Key(str, REQUIRED, "the tag its broken items must name (grader.vocabulary's or the "
                     f"assignment's own), or '{NO_DIAGNOSIS}' where none names a specific bug"),
    "sample": Key(bool, False, "also a sample submission for `make grade`"),
    "probe": Key(bool, False, "also trained over seeds by `python -m grader thresholds`"),
}


def load_mutants(slug: str, root: Path = REPO_ROOT) -> list[dict]:
    """The mutants of `slug`, every MUTANT key present (defaults filled in)."""
    where = f"assignments/{slug}/mutants.toml"
    raw = read_table(read_toml(Path(root) / where), CATALOGUE, where)
    mutants = [read_table(entry, MUTANT, f"{where} [[mutant]] {_label(entry, i)}")
               for i, entry in enumerate(raw["mutant"])]
    checks = Path(root) / "assignments" / slug / "checks"
    tags = {NO_DIAGNOSIS: "", **own_tags(checks / "public" / "bugs.toml"), **own_tags(checks / "hidden" / "bugs.toml")}
    for mutant in mutants:
        problem = known(mutant["diagnosis"], tags, f"{where} [[mutant]] {mutant['name']!r}: 'diagnosis'")
        if problem:
            raise ConfigError(problem)
    return mutants


def problems(assignment) -> list[str]:
    """What check-config finds wrong in the assignment's mutants.toml, as messages: a key, type or
    range the strict reader refuses, or an edit that does not apply to the reference once."""
    if not (assignment.folder / "mutants.toml").is_file():
        return []
    try:
        mutants = load_mutants(assignment.slug, assignment.root)
    except ConfigError as problem:
        return [str(problem)]
    found = []
    for mutant in mutants:
        try:
            mutant_files(assignment, mutant)
        except (ConfigError, ValueError, OSError) as problem:
            found.append(f"{assignment.slug}: {problem}")
    return found


def _label(entry, index):
    name = entry.get("name") if isinstance(entry, dict) else None
    return repr(name) if isinstance(name, str) else f"#{index + 1}"


def mutant_files(assignment, mutant: dict) -> dict[str, str]:
    """The submitted files of the reference with one bug applied."""
    files = {name: (assignment.reference / name).read_text() for name in assignment.submit}
    if mutant["file"] not in files:
        raise ConfigError(f"mutants.toml: mutant {mutant['name']!r}: 'file' must be one of {sorted(files)}")
    text = files[mutant["file"]]
    if text.count(mutant["find"]) != 1:
        raise ValueError(f"mutants.toml: mutant {mutant['name']!r}: 'find' must occur exactly once "
                         f"in {mutant['file']} (found {text.count(mutant['find'])})")
    files[mutant["file"]] = text.replace(mutant["find"], mutant["replace"])
    return files
