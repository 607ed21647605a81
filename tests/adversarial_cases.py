"""The hostile and broken submissions of tests/adversarial/*.toml, read strictly.

Each file is one case: a base submission (the reference or the template), edits to
it, and what grading it must give. Keys are declared in CASE and checked like the
manifest's (grader.assignment.config.read_table): a misspelt `lsot = [...]` is an error naming
the file, the key and the closest declared one, never an expectation silently
dropped. Every key is present in what `load_case` returns (None when unset)."""
from pathlib import Path

from grader.assignment.config import NUMBER, REQUIRED, Key, read_table, read_toml

FOLDER = Path(__file__).with_name("adversarial")
NEEDS = ("root", "landlock", "root-or-landlock")


def _one_of(*allowed):
    return lambda v: "" if v in allowed else f"must be one of {', '.join(allowed)}"


def _strings(value):
    return "" if all(isinstance(v, str) for v in value) else "must be a list of strings"


def _string_values(value):
    return "" if all(isinstance(v, str) for v in value.values()) else "must map names to strings"


CASE = {
    "description": Key(str, REQUIRED, "what the submission does"),
    "slug": Key(str, REQUIRED, "the assignment it is graded as"),
    "base": Key(str, REQUIRED, "the submission edited: the reference's files or the template's",
                _one_of("reference", "template")),
    "file": Key(str, None, "the submitted file `edit` and `append` change (default: the first submitted one)"),
    "edit": Key(list, [], "exact edits of `file`: {find, replace} tables, each `find` occurring once"),
    "append": Key(str, "", "text added at the end of `file`"),
    "extra_files": Key(dict, {}, "file name -> text, added to the submission", _string_values),
    "needs": Key(str, None, "what the case needs of the machine, else it is skipped", _one_of(*NEEDS)),
    "lost": Key(list, None, "exactly the items that must lose points", _strings),
    "max_score": Key(NUMBER, None, "the highest total it may score"),
    "output_contains": Key(dict, {}, "item number -> text its output must contain", _string_values),
    "all_outputs_contain": Key(str, None, "text every item's output must contain"),
    "same_output": Key(list, None, "items whose outputs must be identical", _strings),
    "output_not_contains": Key(list, [], "texts no output may contain", _strings),
    "settle_seconds": Key(NUMBER, 0, "seconds to wait before reading the results again (a daemon's chance)"),
}
EDIT = {
    "find": Key(str, REQUIRED, "text that occurs exactly once in the file"),
    "replace": Key(str, REQUIRED, "what replaces it"),
}


def case_files():
    return sorted(FOLDER.glob("*.toml"))


def load_case(path):
    """One case file, every CASE key present; its edits checked against EDIT."""
    where = f"tests/adversarial/{Path(path).name}"
    case = read_table(read_toml(path), CASE, where)
    case["edit"] = [read_table(edit, EDIT, f"{where} edit #{i + 1}") for i, edit in enumerate(case["edit"])]
    return case
