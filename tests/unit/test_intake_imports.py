"""Intake reads a submission's imports and definitions (never running it): the modules a
graded file imports are staged, and a rename is suggested only to the file holding a
missing file's definitions."""
from pathlib import Path

import pytest

from grader.assignment.config import load_assignment
from grader.submission.helpers import find_helpers, provided_modules
from grader.submission.intake import stage
from grader.submission.sources import scan

A1 = load_assignment("a1_softsign")
A2 = load_assignment("a2_two_layer_mlp")
A3 = load_assignment("a3_three_layer_nn")


def write(folder, files):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_imports_are_read_wherever_they_are_written(tmp_path):
    path = write(tmp_path, {"m.py": (
        "import numpy as np, a_top\nfrom b_pkg.c_mod import thing\nfrom d_pkg import e_mod\nfrom d_pkg import *\n"
        "from . import f_rel\n"
        "def g():\n    import h_inner\n    return __import__('i_dunder')\n"
        "class K:\n    j = importlib.import_module('j_lib')\n"
        "X: int = 3\nY = Z = 1\n")}) / "m.py"
    (report,) = scan([str(path)])
    assert set(report["imports"]) == {"numpy", "a_top", "b_pkg.c_mod", "b_pkg.c_mod.thing", "d_pkg",
                                      "d_pkg.e_mod", "f_rel", "h_inner", "i_dunder", "j_lib"}
    assert report["defines"] == ["g", "K", "X", "Y", "Z"]


def test_a_file_that_does_not_parse_is_named_not_fatal(tmp_path):
    path = write(tmp_path, {"m.py": "print 'old'\n"}) / "m.py"
    assert scan([str(path)]) == [{"error": "SyntaxError"}]


def helpers_of(roots, files, taken=(), packages=()):
    scans = {Path(p): r for p, r in files.items()}
    candidates = [p for p in scans if p not in roots.values()]
    return find_helpers(roots, candidates, scans, set(taken), packages)


def test_helpers_are_found_through_helpers_beside_their_importer():
    root = Path("s/hw/code.py")
    found, shadowed = helpers_of({"code": root}, {
        root: {"imports": ["nn_helpers", "numpy"]},
        Path("s/nn_helpers.py"): {"imports": []},             # farther from the importer: not this one
        Path("s/hw/nn_helpers.py"): {"imports": ["maths.linear"]},
        Path("s/hw/maths.py"): {"imports": ["nn_helpers"]},   # a cycle ends
        Path("s/hw/unused.py"): {"imports": []}})
    assert found == [("nn_helpers", Path("s/hw/nn_helpers.py"), "code"),
                     ("maths", Path("s/hw/maths.py"), "nn_helpers")] and shadowed == []


def test_a_name_differing_in_case_is_used_only_when_unique():
    root = Path("code.py")
    files = {root: {"imports": ["Helpers", "Tools"]}, Path("helpers.py"): {"imports": []},
             Path("tools.py"): {"imports": []}, Path("TOOLS.py"): {"imports": []}}
    found, _ = helpers_of({"code": root}, files)
    assert found == [("Helpers", Path("helpers.py"), "code")]


@pytest.mark.parametrize("name", ["numpy", "random", "json", "os", "matplotlib", "scipy"])
def test_a_file_named_like_a_provided_module_is_never_staged(name):
    """A student's numpy.py or random.py must not stand in for the module the child needs;
    scipy comes with sklearn, which a3 allows."""
    root = Path("three_layer_neural_network.py")
    found, shadowed = helpers_of({"three_layer_neural_network": root},
                                 {root: {"imports": [name]}, Path(f"{name}.py"): {"imports": []}},
                                 packages=A3.packages)
    assert found == [] and shadowed == [(name, Path(f"{name}.py"), "three_layer_neural_network")]
    assert name in provided_modules(tuple(A3.packages))


def test_support_and_graded_files_are_not_helpers():
    root = Path("mlp.py")
    found, _ = helpers_of({"mlp": root, "answers": Path("answers.py")},
                          {root: {"imports": ["utils", "answers"]}, Path("utils.py"): {"imports": []}},
                          taken={"mlp", "answers", "utils"})
    assert found == []


def missing_headline(spec, files, tmp_path):
    staged = stage(spec, write(tmp_path / "sub", files), tmp_path / "work")
    return next(n for n in staged.notes if "was not found" in n)


def test_a_graded_file_is_never_suggested_as_another_missing_one(tmp_path):
    files = {n: (A3.reference / n).read_text() for n in ["three_layer_neural_network.py", "conv_layers.py"]}
    assert "rename" not in missing_headline(A3, files, tmp_path)


def test_a_close_name_without_the_definitions_is_not_suggested(tmp_path):
    files = {"mlp.py": (A2.reference / "mlp.py").read_text(), "layers.py": "class Layer:\n    pass\n"}
    assert "rename" not in missing_headline(A2, files, tmp_path)


@pytest.mark.parametrize("name", ["model.py", "hw1/my_solution.py"])
def test_the_file_holding_the_definitions_is_suggested(name, tmp_path):
    files = {name: (A1.reference / "models.py").read_text(), "notes.py": "x = 1\n"}
    line = missing_headline(A1, files, tmp_path)
    assert f"({name} defines DATA_DIR, PRINTED_ENTRIES, logistic, softsign, ...: rename it models.py)" in line
