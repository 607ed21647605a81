"""mutants.toml and tests/adversarial/*.toml are read strictly, each by one reader: a typo
is one line naming the file, the key and the closest declared key, never a field ignored."""
import re

import pytest

from adversarial_cases import case_files, load_case
from grader.assignment.config import ConfigError, all_slugs
from grader.authoring import mutants, thresholds
from grader.authoring.mutants import load_mutants
from grader.build import samples

MUTANT = """[[mutant]]
name = "m"
description = "a bug"
file = "m.py"
find = "a"
replace = "b"
breaks = ["1.1"]
diagnosis = "none"
"""
CASE = """description = "a case"
slug = "a1_softsign"
base = "reference"
lost = ["1.1"]
"""


def catalogue(tmp_path, text):
    path = tmp_path / "assignments" / "x" / "mutants.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return tmp_path


@pytest.mark.parametrize("text, message", [
    (MUTANT + "sampel = true\n", "[[mutant]] 'm': unknown key 'sampel'; did you mean 'sample'?"),
    (MUTANT + "prob = true\n", "[[mutant]] 'm': unknown key 'prob'; did you mean 'probe'?"),
    (MUTANT.replace("breaks =", "break ="), "[[mutant]] 'm': unknown key 'break'; did you mean 'breaks'?"),
    (MUTANT.replace("[[mutant]]", "[[mutnat]]"), "unknown key 'mutnat'; did you mean 'mutant'?"),
    (MUTANT + 'sample = "yes"\n', "[[mutant]] 'm': 'sample' must be true or false, not 'yes'"),
    (MUTANT.replace('breaks = ["1.1"]', "breaks = [1.1]"), "'breaks' must be a list of item numbers"),
    (MUTANT.replace('name = "m"\n', ""), "[[mutant]] #1: missing key 'name'"),
    (MUTANT.replace('diagnosis = "none"\n', ""), "[[mutant]] 'm': missing key 'diagnosis'"),
    (MUTANT.replace('"none"', '"sign-flips"'), "[[mutant]] 'm': 'diagnosis': unknown tag 'sign-flips'; did you mean "
                                                "'sign-flip'?"),
    (MUTANT.replace('"none"', '"nothing"'), "[[mutant]] 'm': 'diagnosis': unknown tag 'nothing'"),
])
def test_a_mutant_typo_is_refused_naming_file_key_and_closest(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        load_mutants("x", catalogue(tmp_path, text))
    assert str(info.value).startswith("assignments/x/mutants.toml")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_mutant_without_the_optional_flags_is_neither_a_sample_nor_a_probe(tmp_path):
    (mutant,) = load_mutants("x", catalogue(tmp_path, MUTANT))
    assert (mutant["sample"], mutant["probe"], mutant["breaks"]) == (False, False, ["1.1"])


@pytest.mark.parametrize("text, message", [
    (CASE.replace("lost =", "lsot ="), "unknown key 'lsot'; did you mean 'lost'?"),
    (CASE + 'output_not_contain = ["x"]\n', "unknown key 'output_not_contain'; did you mean 'output_not_contains'?"),
    (CASE + '[[edit]]\nfnid = "a"\nreplace = "b"\n', "edit #1: unknown key 'fnid'; did you mean 'find'?"),
    (CASE.replace('"reference"', '"referance"'), "'base' must be one of reference, template"),
    (CASE + 'needs = "rot"\n', "'needs' must be one of root, landlock, root-or-landlock"),
])
def test_an_adversarial_typo_is_refused_naming_file_key_and_closest(tmp_path, text, message):
    path = tmp_path / "case.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"^tests/adversarial/case\.toml.*" + re.escape(message)):
        load_case(path)


def test_every_committed_catalogue_and_case_passes_its_schema():
    counts = {slug: len(load_mutants(slug)) for slug in all_slugs()}
    assert all(n >= 8 for n in counts.values()), counts
    cases = [load_case(path) for path in case_files()]
    assert len(cases) >= 100 and all(c["lost"] is not None or c["max_score"] is not None
                                     or c["output_contains"] or c["all_outputs_contain"] is not None
                                     or c["output_not_contains"] for c in cases)


def test_samples_thresholds_and_the_mutant_tests_share_one_reader():
    assert samples.load_mutants is thresholds.load_mutants is mutants.load_mutants
    assert samples.mutant_files is thresholds.mutant_files is mutants.mutant_files
