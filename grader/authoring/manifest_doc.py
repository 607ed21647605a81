"""docs/manifest.md, the reference of assignment.toml's keys, generated from their declarations
in grader/assignment/config.py (and the sandbox's limits), so the docs cannot drift from the parser.

`python -m grader.authoring.manifest_doc` rewrites it; a unit test fails while it is stale.
"""
from datetime import date, datetime
from pathlib import Path

from ..assignment import config

OUTPUT = config.REPO_ROOT / "docs" / "manifest.md"
TABLES = [  # heading, declared keys, what the table is
    ("Top level", config.TOP, "Keys outside any table."),
    ("[limits]", config.LIMITS, "Per sandbox child, plus the cap for a whole submission."),
    ("[sandbox]", config.schema(config.SandboxAccess), "What a child may read besides the standard library "
     "and numpy."),
    ("[training.<run>]", config.TRAINING_RUN, "One training run a check makes, read in a check as "
     "`assignment.run(\"<run>\").<key>`; a key left out reads as an error naming it."),
    ("[parts.<n>]", config.PART, "One per part, numbered; the part's checks must weigh its points."),
    ("[[manual]]", config.MANUAL, "One per question course staff grade."),
    ("[late_policy]", config.LATE_POLICY, "How late work is marked down."),
    ("[bench]", config.schema(config.Bench), "What `make bench` runs of the assignment."),
]
WITHHELD = ("`[withhold]` and `[release_withhold]` map a file named in `data` to the names of the arrays "
            "kept from the child, or left out of the student zip.")


def _default(declared):
    if declared.default is config.REQUIRED:
        return "required"
    if declared.default is None:
        return "unset"
    if isinstance(declared.default, (date, datetime)):
        return declared.default.isoformat()
    return f"`{declared.default!r}`"


def _range(declared):
    return (declared.valid.__doc__ or "") if declared.valid else ""


def _cell(text):
    return text.replace("|", "\\|")


def render():
    """The text of docs/manifest.md."""
    lines = ["# assignment.toml keys", "",
             "Generated from grader/assignment/config.py by `python -m grader.authoring.manifest_doc`;",
             "do not edit by hand.",
             "`python -m grader check-config <slug>` checks a manifest against these declarations: an",
             "unknown key is an error naming the closest declared one.", ""]
    for heading, declared, about in TABLES:
        lines += [f"## {heading}", "", about, "", "| key | type | default | range | meaning |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| `{name}` | {config.type_name(key.type)} | {_cell(_default(key))} | {_cell(_range(key))} "
                  f"| {_cell(key.help)} |" for name, key in declared.items()]
        lines.append("")
    lines += ["## [withhold], [release_withhold]", "", WITHHELD, ""]
    return "\n".join(lines)


def main():
    Path(OUTPUT).write_text(render())
    print(f"wrote {OUTPUT.relative_to(config.REPO_ROOT)}")


if __name__ == "__main__":
    main()
