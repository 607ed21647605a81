"""Every catalogued bug loses points on exactly the items it breaks."""
import pytest

from conftest import lost, outputs
from grader.build.samples import load_mutants, mutant_files
from grader.config import all_slugs, load_assignment

CASES = [(slug, m) for slug in all_slugs() for m in load_mutants(slug)]


def test_catalog_is_large_enough():
    for slug in all_slugs():
        mutants = load_mutants(slug)
        assert len(mutants) >= 8, slug
        assert sum(bool(m.get("sample")) for m in mutants) >= 5, slug


@pytest.mark.parametrize("slug,mutant", CASES, ids=[f"{s}-{m['name']}" for s, m in CASES])
def test_mutant_loses_exactly_the_items_it_breaks(slug, mutant, grade_files):
    results = grade_files(slug, mutant_files(load_assignment(slug), mutant))
    assert lost(results) == sorted(mutant["breaks"]), outputs(results)
    for number in mutant["breaks"]:
        assert outputs(results)[number].strip(), f"item {number} lost points without saying why"
