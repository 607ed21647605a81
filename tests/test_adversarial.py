"""Hostile and broken submissions (tests/adversarial/*.toml): each case says
what it must score; every case must also leave a valid results.json."""
import sys
from pathlib import Path

import pytest

from conftest import lost, outputs
from gradescope_schema import validate
from grader.build.template import template_files
from grader.config import load_assignment

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CASES = sorted(Path(__file__).with_name("adversarial").glob("*.toml"))


def submission(case):
    """The case's files: a base (reference or template) with edits and an appended tail."""
    spec = load_assignment(case["slug"])
    file = case.get("file", spec.submit[0])
    if case["base"] == "reference":
        text = (spec.reference / file).read_text()
    else:
        text = template_files(case["slug"])[file]
    for edit in case.get("edit", []):
        assert text.count(edit["find"]) == 1, edit["find"]
        text = text.replace(edit["find"], edit["replace"])
    return {file: text + case.get("append", "")}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_gets_its_outcome(path, grade_files):
    case = tomllib.loads(path.read_text())
    results = grade_files(case["slug"], submission(case))
    validate(results)
    if "lost" in case:
        assert lost(results) == sorted(case["lost"]), outputs(results)
    if "max_score" in case:
        assert results["score"] <= case["max_score"], outputs(results)
    for number, text in case.get("output_contains", {}).items():
        assert text in outputs(results)[number]
    if "all_outputs_contain" in case:
        assert all(case["all_outputs_contain"] in o for o in outputs(results).values()), outputs(results)
