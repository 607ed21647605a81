"""One vocabulary of tags and bugs (grader.vocabulary): a tag reads one way in the report,
whichever submission or check it comes from, and a diagnosis is appended one way."""
import ast
from pathlib import Path

import pytest

import grader
from grader import vocabulary
from grader.classroom.batch import Graded, Submission
from grader.classroom.report import attention, bug_classes, words
from grader.failures import CheckFailure
from grader.kit import bugs

REPO = Path(grader.__file__).parents[1]


def graded(name, sentence):
    test = {"number": "1.1", "name": "item", "max_score": 1.0, "score": 0.0, "tags": ["mean-vs-sum"],
            "extra_data": {"bugs": {"mean-vs-sum": sentence}}}
    return Graded(Submission(name, None, []), {"score": 0.0, "tests": [test]})


def test_a_tag_reads_one_way_whichever_submission_the_report_meets_first():
    said = {"averaged the NLL over the batch", "divided the loss by N twice"}  # two checks' old wordings
    for first, second in [sorted(said), sorted(said, reverse=True)]:
        (bug,) = bug_classes([graded("a", first), graded("b", second)])
        assert words(bug.tag, bug.tests) == vocabulary.TAGS["mean-vs-sum"].sentence


def test_every_standard_bug_of_a_tag_carries_that_tags_one_sentence():
    standard = [value for value in vars(vocabulary).values() if isinstance(value, vocabulary.Bug)]
    assert len(standard) > 15 and all(bug.sentence == vocabulary.TAGS[bug.tag].sentence for bug in standard)
    assert bugs.DIVIDED_TWICE.sentence == vocabulary.MEAN_NOT_SUM.sentence


def test_likely_appends_one_diagnosis_and_keeps_what_the_failure_said():
    earlier = CheckFailure("Z has the wrong shape", ["wrong-shape"], {"wrong-shape": "returned the wrong shape"})
    failure = vocabulary.likely(bugs.TRANSPOSED, earlier.message, earlier)
    assert failure.message == "Z has the wrong shape\nLikely bug: transposed."
    assert failure.tags == ("wrong-shape", "transposed")
    assert failure.bugs == {"wrong-shape": "returned the wrong shape", "transposed": "returned a transposed result"}


@pytest.mark.parametrize("tag", sorted(vocabulary.ATTENTION))
def test_a_tag_that_asks_for_a_person_is_not_counted_as_a_bug(tag):
    entry = Graded(Submission("s", None, []), {"score": 0.0, "tests": [
        {"number": "1.1", "name": "item", "max_score": 1.0, "score": 0.0, "tags": [tag]}]})
    assert vocabulary.ATTENTION[tag] in attention(entry) and not bug_classes([entry])


def test_an_unknown_tag_is_refused_with_the_closest_known_one():
    assert vocabulary.known("mean-vs-sum", {}, "x") == ""
    assert vocabulary.known("own", {"own": "its sentence"}, "x") == ""
    assert "did you mean 'mean-vs-sum'" in vocabulary.known("mean-vs-summ", {}, "x")


def raised_tags(path):
    """The tags written as literals in the CheckFailure(...) calls of a source file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "CheckFailure":
            given = node.args[1:2] + [k.value for k in node.keywords if k.arg == "tags"]
            for value in given:
                for element in getattr(value, "elts", []):
                    if isinstance(element, ast.Constant):
                        yield element.value


def test_every_tag_the_grader_and_the_checks_raise_is_in_the_vocabulary():
    sources = [*Path(grader.__file__).parent.rglob("*.py"), *REPO.glob("assignments/*/checks/*/*.py")]
    found = {(path.name, tag) for path in sources for tag in raised_tags(path)}
    assert len(found) > 20 and not {(name, tag) for name, tag in found if tag not in vocabulary.TAGS}
