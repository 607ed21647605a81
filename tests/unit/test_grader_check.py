"""grader_check: the public checks called from a notebook cell or a script, on the files as saved."""
import shutil

import pytest

from conftest import REPO
from grader.assignment.config import load_assignment
from grader.student.local import selected
from grader.submission.intake import CHECK_STAND_IN, stage

SLUG = "a2_two_layer_mlp"


@pytest.fixture
def grader_check(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO))  # where the release puts it: beside grader/
    import grader_check
    return grader_check


def reference_folder(folder):
    for name in load_assignment(SLUG).submit:
        shutil.copy(REPO / "reference" / SLUG / name, folder)
    return folder


def test_an_item_or_a_part_selects_its_checks():
    assert selected("2.1", ["2.1"]) and selected("2.1", ["2"]) and selected("2.10", ["2"])
    assert not selected("2.10", ["2.1"]) and not selected("12.1", ["2"]) and not selected("4.1", ["2", "3"])


def test_an_item_with_no_public_check_is_named_with_those_there_are(grader_check, tmp_path, capsys):
    assert grader_check.check("3.1", folder=reference_folder(tmp_path)) is None
    said = capsys.readouterr().out.strip().splitlines()
    assert said == [f"{SLUG} has no public item 3.1: its public items are 2.1, 2.2, 4.1. Hidden checks run when "
                    "you submit; they compare with the reference on inputs you have not seen."], said


def test_the_assignment_is_the_one_whose_first_file_the_folder_holds(grader_check, tmp_path):
    assert grader_check._slug(None, reference_folder(tmp_path)) == SLUG  # the repository holds five
    assert grader_check._slug("a1_softsign", tmp_path) == "a1_softsign"
    with pytest.raises(ValueError, match=r"holds the first file of none of a1_softsign, .*check_all\(slug="):
        grader_check._slug(None, tmp_path / "nowhere")


def test_a_script_checks_its_own_folder_and_a_notebook_the_current_one(grader_check, tmp_path, monkeypatch):
    script = tmp_path / "script"
    script.mkdir()
    namespace = {"__file__": str(script / "train.py"), "find": lambda: grader_check._caller_folder()}
    assert eval("(lambda: find())()", namespace) == script  # the caller's frame, as check() sees it
    monkeypatch.chdir(tmp_path)
    assert eval("(lambda: find())()", {"find": namespace["find"]}) == tmp_path  # a kernel: no __file__


def test_intake_stages_the_stand_in_never_the_students_copy(tmp_path):
    (tmp_path / "submitted").mkdir()
    folder = reference_folder(tmp_path / "submitted")
    (folder / "mlp.py").write_text("from grader_check import check_all\n" + (folder / "mlp.py").read_text())
    shutil.copy(REPO / "grader_check.py", folder)
    staged = stage(load_assignment(SLUG), folder, tmp_path / "work")
    assert (staged.folder / "grader_check.py").read_text() == CHECK_STAND_IN.read_text()
    assert any(n.startswith("Not used: grader_check.py. The autograder brings its own copy") for n in staged.notes)
    stand_in = {}
    exec(CHECK_STAND_IN.read_text(), stand_in)  # the grader's own file
    assert stand_in["check"]("2.1") is None and stand_in["check_all"](folder="x") is None
