"""Every catalogued bug loses points on exactly the items it breaks, diagnosed as its `diagnosis`."""
import json
import re
import subprocess
import sys

import pytest

from conftest import REPO, lost, outputs
from grader.assignment.config import all_slugs, load_assignment
from grader.authoring.mutants import NO_DIAGNOSIS, load_mutants, mutant_files
from grader.vocabulary import counted

CASES = [(slug, m) for slug in all_slugs() for m in load_mutants(slug)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """slug -> the folder where grade-all wrote every mutant's results: each assignment's
    mutants graded once, as a class, two at a time (as an instructor grades them)."""
    done = {}

    def grade_class(slug):
        if slug not in done:
            folder = tmp_path_factory.mktemp(f"{slug}-mutants")
            for mutant in load_mutants(slug):
                for name, text in mutant_files(load_assignment(slug), mutant).items():
                    path = folder / "class" / mutant["name"] / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text)
            run = subprocess.run([sys.executable, "-m", "grader", "grade-all", slug, str(folder / "class"),
                                  "-o", str(folder / "graded"), "-j", "2"], cwd=REPO, capture_output=True,
                                 text=True, timeout=1200)
            assert run.returncode == 0, run.stderr[-2000:]
            done[slug] = folder / "graded"
        return done[slug]
    return grade_class


def test_catalog_is_large_enough():
    for slug in all_slugs():
        mutants = load_mutants(slug)
        assert len(mutants) >= 8, slug
        assert sum(m["sample"] for m in mutants) >= 5, slug


@pytest.mark.parametrize("slug,mutant", CASES, ids=[f"{s}-{m['name']}" for s, m in CASES])
def test_mutant_loses_exactly_the_items_it_breaks(slug, mutant, graded):
    results = json.loads((graded(slug) / mutant["name"] / "results.json").read_text())
    assert lost(results) == sorted(mutant["breaks"]), outputs(results)
    for number in mutant["breaks"]:
        assert outputs(results)[number].strip(), f"item {number} lost points without saying why"
    named = {tag for test in results["tests"] if test.get("number") in mutant["breaks"]
             for tag in test.get("tags", []) if counted(tag)}  # the bug classes report.html counts it under
    if mutant["diagnosis"] == NO_DIAGNOSIS:
        assert not named, f"now diagnosed as {sorted(named)}: say which in its 'diagnosis'"
    else:
        assert mutant["diagnosis"] in named, f"diagnosed as {sorted(named) or 'nothing'}"


DRAWN = {"a1_softsign": ("5.1", "cost_derivatives_loop", "b2_not_averaged"),  # item, a correct variant, a bug
         "a3_three_layer_nn": ("5.8", "deep_softmax_via_logsumexp", "deep_first_layer_never_updated"),
         "a5_softmax_mlp": ("6.3", "self_contained_prob1b", "relu_mask_inverted")}


@pytest.mark.parametrize("slug", sorted(DRAWN))
def test_feedback_draws_each_students_own_training_run(slug, graded):
    """feedback.html shows the training item's picture, drawn from that student's own run: a bug
    that trains differently draws another picture than a correct variant does."""
    item, correct, broken = DRAWN[slug]
    pictures = {}
    for name in (correct, broken):
        page = (graded(slug) / name / "feedback.html").read_text()
        found = re.findall(f'<img alt="{re.escape(item)}: [^"]*" src="(data:image/png;base64,[^"]+)"', page)
        assert len(found) == 1, name
        pictures[name] = found[0]
    assert pictures[correct] != pictures[broken]
