"""Families of items (`kit.items.cases`) and bug catalogues (`kit.bugs.catalogue`):
each case is its own graded item, and every catalogue is strict and fully used."""
import re

import pytest

from grader.assignment.config import ConfigError, all_slugs, load_assignment
from grader.grading.plugin import item_records
from grader.kit import bugs, items

FAMILY = '''
from gradescope_utils.autograder_utils.decorators import number, weight
from grader.kit.items import cases

@weight(0.5)
@cases("act, depth", {"2.10": ("a deep relu net", "relu", 3), "2.9": ("a tanh net", "tanh", 1)})
def test_family(act, depth):
    assert act == "tanh"

@weight(1.0)
@number("1.1")
def test_single():
    """the only one"""
'''


def collected(tmp_path):
    (tmp_path / "test_demo.py").write_text(FAMILY)

    class Keep:
        def pytest_collection_modifyitems(self, items):
            self.records = item_records(items)
    keep = Keep()
    pytest.main(["-q", "-p", "no:cacheprovider", "--collect-only", str(tmp_path)], plugins=[keep])
    return {record.number: record for record in keep.records}


def test_each_case_is_an_item_with_its_own_number_title_and_the_family_weight(tmp_path):
    records = collected(tmp_path)
    assert sorted(records) == ["1.1", "2.10", "2.9"]
    assert (records["2.9"].name, records["2.9"].max_score) == ("a tanh net", 0.5)
    assert (records["2.10"].name, records["2.10"].max_score) == ("a deep relu net", 0.5)
    assert records["1.1"].name == "the only one"


def test_two_items_with_one_number_are_refused(tmp_path):
    (tmp_path / "test_clash.py").write_text(FAMILY.replace('@number("1.1")', '@number("2.9")'))
    problems = []

    class Keep:
        def pytest_collection_modifyitems(self, items):
            try:
                item_records(items)
            except ConfigError as problem:
                problems.append(str(problem))
    pytest.main(["-q", "-p", "no:cacheprovider", "--collect-only", str(tmp_path)], plugins=[Keep()])
    assert len(problems) == 1 and "item 2.9 is also" in problems[0]


def test_expand_gives_each_case_its_arguments():
    namespace = {}
    exec(FAMILY, namespace)
    assert items.expand(namespace["test_family"]) == [("2.10", "a deep relu net", {"act": "relu", "depth": 3}),
                                                      ("2.9", "a tanh net", {"act": "tanh", "depth": 1})]
    assert items.expand(namespace["test_single"]) == [("1.1", "the only one", {})]


def test_a_title_template_is_filled_in_with_each_rows_values():
    mark = items.cases("act, depth", {"1.1": ("tanh", 2), "1.2": ("relu", 3)}, title="{act} net, {depth} layers")
    assert [(p.values, p.marks[0].kwargs) for p in mark.args[1]] == [
        (("tanh", 2), {"number": "1.1", "title": "tanh net, 2 layers"}),
        (("relu", 3), {"number": "1.2", "title": "relu net, 3 layers"})]
    single = items.cases("act", {"2.1": "tanh"}, title="{act} only")
    assert single.args[1][0].values == ("tanh",) and single.args[1][0].marks[0].kwargs["title"] == "tanh only"


def test_a_row_with_too_few_values_is_refused():
    with pytest.raises(TypeError, match="case 3.1: 1 values for 2 names"):
        items.cases("act, depth", {"3.1": ("title", "relu")})


def write_catalogue(tmp_path, text, folder="hidden", public=None):
    (tmp_path / folder).mkdir(exist_ok=True)
    (tmp_path / folder / "bugs.toml").write_text(text)
    if public is not None:
        (tmp_path / "public").mkdir(exist_ok=True)
        (tmp_path / "public" / "bugs.toml").write_text(public)
    return bugs.catalogue(tmp_path / folder / "test_x.py")


def test_catalogue_reads_bugs_by_name_with_their_tags_sentence(tmp_path):
    found = write_catalogue(tmp_path, '[tags]\nmissing-square = "s"\n\n[NO_SQUARE]\nhint = "h"\n'
                            'tag = "missing-square"\n\n[AVERAGED]\nhint = "a"\ntag = "mean-vs-sum"\n')
    assert found.NO_SQUARE == bugs.Bug("NO_SQUARE", "missing-square", "h", "s")
    assert found.AVERAGED.sentence == bugs.DIVIDED_TWICE.sentence  # one sentence per tag, wherever it is used


def test_hidden_checks_use_the_public_checks_tags_and_declare_none_twice(tmp_path):
    public = '[tags]\nmini-batch = "made wrong mini-batches"\n'
    found = write_catalogue(tmp_path, '[DROPPED]\nhint = "h"\ntag = "mini-batch"\n', public=public)
    assert found.DROPPED.sentence == "made wrong mini-batches"
    with pytest.raises(ConfigError, match="mini-batch declared in the public bugs.toml already"):
        write_catalogue(tmp_path, '[tags]\nmini-batch = "again"\n', public=public)


@pytest.mark.parametrize("entry,problem", [
    ('hint = "h"\ntag = "sign-flip"\nsentense = "s"\n', "[B]: unknown key 'sentense'"),
    ('tag = "sign-flip"\n', "[B]: missing key 'hint'"),
    ('hint = "h"\ntag = 3\n', "[B]: 'tag' must be a string"),
    ('hint = "h"\ntag = "sign-flips"\n', "[B]: unknown tag 'sign-flips'; did you mean 'sign-flip'?"),
    ('hint = "h"\ntag = "mine"\n', "[B]: unknown tag 'mine' (declare it in the [tags] table"),
])
def test_catalogue_is_strict(tmp_path, entry, problem):
    with pytest.raises(ConfigError, match=re.escape(f"bugs.toml {problem}")):
        write_catalogue(tmp_path, "[B]\n" + entry)


@pytest.mark.parametrize("tags,problem", [('sign-flip = "s"', "sign-flip: is grader.vocabulary's already"),
                                          ("mine = 3", "mine: must be a string")])
def test_an_assignments_own_tags_are_new_and_worded(tmp_path, tags, problem):
    with pytest.raises(ConfigError, match=re.escape(f"bugs.toml [tags] {problem}")):
        write_catalogue(tmp_path, f"[tags]\n{tags}\n")


def check_files_with_catalogues():
    for slug in all_slugs():
        for folder in load_assignment(slug).checks:
            if (folder / "bugs.toml").exists():
                yield pytest.param(folder, id=f"{slug}-{folder.name}")


@pytest.mark.parametrize("folder", list(check_files_with_catalogues()))
def test_every_catalogued_bug_is_used_and_every_used_bug_catalogued(folder):
    source = "\n".join(path.read_text() for path in folder.glob("test_*.py"))
    used = set(re.findall(r"\bBUGS\.([A-Z0-9_]+)", source))
    known = set(vars(bugs.catalogue(folder / "bugs.toml")))
    assert used - known == set(), "used but not in bugs.toml"
    assert known - used == set(), "in bugs.toml but never used"
