"""Zip intake refuses unsafe archives before extracting anything, and finds
required files wherever a student put them."""
import os
import stat
import zipfile

import pytest

from conftest import grade, zip_files
from grader.assignment.config import load_assignment
from grader.submission.intake import NOTHING_CHECKED, IntakeError, extract_zip, find_files, stage

SPEC = load_assignment("a1_softsign")


def refused(path, tmp_path):
    dest = tmp_path / "out"
    with pytest.raises(IntakeError) as info:
        extract_zip(path, dest)
    assert not dest.exists() or not any(dest.rglob("*")), "something was extracted"
    return str(info.value)


@pytest.mark.parametrize("name,words", [("../evil.py", "outside"), ("a/../../evil.py", "outside"),
                                        ("/etc/evil.py", "absolute"), ("C:/evil.py", "absolute"),
                                        ("..\\evil.py", "outside")])
def test_paths_outside_the_folder_are_refused(name, words, tmp_path):
    path = zip_files(tmp_path / "s.zip", {"models.py": "x = 1\n", name: "boom\n"})
    assert words in refused(path, tmp_path)
    assert not (tmp_path / "evil.py").exists()


def test_symlink_entries_are_refused(tmp_path):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("models.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in refused(path, tmp_path)


def test_duplicate_names_are_refused(tmp_path):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("models.py", "a = 1\n")
        archive.writestr("Models.py", "a = 2\n")
    assert "twice" in refused(path, tmp_path)


def test_too_many_entries_are_refused(tmp_path):
    path = zip_files(tmp_path / "s.zip", {f"f{i}.txt": "" for i in range(2001)})
    assert "entries" in refused(path, tmp_path)


def test_compression_bomb_is_refused(tmp_path):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", b"\0" * (50 * 2**20))
    assert "zip bomb" in refused(path, tmp_path)


def test_broken_zip_gets_a_message(tmp_path):
    path = tmp_path / "s.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "could not be read" in refused(path, tmp_path)


def test_files_are_found_at_any_depth_ignoring_macos_litter(tmp_path):
    (tmp_path / "__MACOSX" / "hw").mkdir(parents=True)
    (tmp_path / "__MACOSX" / "hw" / "models.py").write_text("junk")
    (tmp_path / "hw" / "deep").mkdir(parents=True)
    (tmp_path / "hw" / "deep" / "models.py").write_text("real = True\n")
    found, missing, notes = find_files(tmp_path, ["models.py"])
    assert found["models.py"] == tmp_path / "hw" / "deep" / "models.py" and not missing


def test_staged_data_withholds_labels(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "models.py").write_text("")
    staged = stage(SPEC, tmp_path / "sub", tmp_path / "work")
    import numpy as np
    with np.load(staged.folder / "data.npz") as f:
        assert "t_val" not in f.files and "t_test" not in f.files and "X_val" in f.files
    assert sorted(os.listdir(staged.folder)) == ["data.npz", "grader_check.py",  # the grader's stand-in
                                                 "models.py", "trained_model.npz", "util.py"]


def test_refused_zip_still_gets_valid_results_naming_the_problem(tmp_path):
    path = zip_files(tmp_path / "s.zip", {"../evil.py": "x", "models.py": "x"})
    results = grade("a1_softsign", path, tmp_path / "r.json")
    assert results["score"] == 0 and results["output"].count("outside") == 1
    assert all(t["output"] == NOTHING_CHECKED for t in results["tests"] if t.get("max_score"))
    assert results["extra_data"]["intake"] == ["bad-submission"]
    assert not (tmp_path / "evil.py").exists()


def test_misnamed_file_is_one_headline_and_short_items(tmp_path):
    path = zip_files(tmp_path / "s.zip", {"model.py": (SPEC.reference / "models.py").read_text()})
    results = grade("a1_softsign", path, tmp_path / "r.json")
    assert results["score"] == 0
    assert results["output"].count("models.py was not found") == 1 and "rename it models.py" in results["output"]
    items = [t["output"] for t in results["tests"] if t.get("max_score")]
    assert all(o.startswith("models.py was not found") and "model.py" not in o and len(o) < 120 for o in items), items
