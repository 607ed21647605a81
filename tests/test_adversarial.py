"""Hostile and broken submissions (tests/adversarial/*.toml, read by adversarial_cases). Each case says
what it must score; every case must also leave a valid results.json, let
every check run, and keep the grader alive."""
import json
import time

import pytest

from adversarial_cases import case_files, load_case
from conftest import IS_ROOT, REPO, grade, lost, outputs, zip_files
from grader.assignment.config import load_assignment
from grader.build.template import template_files
from grader.failures import TIME_BUDGET
from grader.sandbox import landlock
from gradescope_schema import validate

CASES = case_files()
HAS_LANDLOCK = landlock.abi_version() >= 6
NEEDS = {"root": (IS_ROOT, "needs the grader to run as root"),
         "landlock": (HAS_LANDLOCK, "needs Landlock ABI 6"),
         "root-or-landlock": (IS_ROOT or HAS_LANDLOCK, "needs root or Landlock ABI 6")}


def submission(case):
    """The case's files: the base's submitted files, edited, plus any files it ships."""
    spec = load_assignment(case["slug"])
    if case["base"] == "reference":
        files = {n: (spec.reference / n).read_text() for n in spec.submit}
    else:
        files = {n: t for n, t in template_files(case["slug"]).items() if n in spec.submit}
    file = case["file"] or spec.submit[0]
    for edit in case["edit"]:
        assert files[file].count(edit["find"]) == 1, edit["find"]
        files[file] = files[file].replace(edit["find"], edit["replace"])
    files[file] += case["append"]
    files.update(case["extra_files"])
    return {name: text.replace("@REPO@", str(REPO)) for name, text in files.items()}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_gets_its_outcome(path, tmp_path):
    case = load_case(path)
    possible, reason = NEEDS.get(case["needs"], (True, ""))
    if not possible:
        pytest.skip(reason)
    out = tmp_path / "results.json"
    results = grade(case["slug"], zip_files(tmp_path / "submission.zip", submission(case)), out)
    if case["settle_seconds"]:
        time.sleep(case["settle_seconds"])  # give a daemon the chance to strike, then re-read
        results = json.loads(out.read_text())
    validate(results)
    assert not any(t["output"] == TIME_BUDGET for t in results["tests"]), "checks were left unrun"
    if case["lost"] is not None:
        assert lost(results) == sorted(case["lost"]), outputs(results)
    if case["max_score"] is not None:
        assert results["score"] <= case["max_score"], outputs(results)
    for number, text in case["output_contains"].items():
        assert text in outputs(results)[number], outputs(results)[number]
    if case["all_outputs_contain"] is not None:
        assert all(case["all_outputs_contain"] in o for o in outputs(results).values()), outputs(results)
    if case["same_output"] is not None:  # e.g. a function that timed out fails its later checks alike, at once
        assert len({outputs(results)[n] for n in case["same_output"]}) == 1, outputs(results)
    for text in case["output_not_contains"]:
        assert all(text not in t["output"] for t in results["tests"])
