"""What is never part of a submission (Python environments, caches, version control, macOS
litter, the release's data) is left out of a zip or folder before anything is counted,
decided from the listing alone; a zip still refused names its largest folders."""
import stat
import zipfile

import pytest

from grader.submission import archive, intake
from grader.submission.intake import IntakeError, extract_zip, survey

VENV_FILES = 9000  # a venv with numpy and matplotlib holds about this many


def venv_entries(top, files=VENV_FILES):
    """A listing shaped like a real virtual environment's (pyvenv.cfg, bin links, site-packages)."""
    top = f"{top}/" if top else ""
    names = [f"{top}pyvenv.cfg", f"{top}bin/activate", f"{top}include/site/python3.11/"]
    return names + [f"{top}lib/python3.11/site-packages/numpy/core/m{i}.py" for i in range(files)]


def make_zip(path, names, links=()):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "" if name.endswith("/") else "x = 1\n")
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/usr/bin/python3")
    return path


def test_a_zipped_folder_with_its_environment_and_caches_is_accepted(tmp_path):
    own = ["hw1/models.py", "hw1/report.pdf", "hw1/env/notes.txt"]
    names = own + venv_entries("hw1/.venv") + venv_entries("hw1/myenv", 200) + [
        "hw1/venv/lib/x.py", "hw1/__pycache__/models.cpython-311.pyc", "hw1/.git/HEAD",
        "hw1/.ipynb_checkpoints/models-checkpoint.py", "__MACOSX/hw1/._models.py", "hw1/.DS_Store",
        "hw1/data.npz", "hw1/trained_model.npz"]
    path = make_zip(tmp_path / "s.zip", names, links=["hw1/.venv/bin/python", "hw1/myenv/lib64"])
    notes = extract_zip(path, tmp_path / "out", shipped={"data.npz", "trained_model.npz"})
    out = tmp_path / "out"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == sorted(own)
    assert notes == ["Left out of your zip, as never part of a submission: hw1/.venv/ (9,003 files), "
                     "hw1/myenv/lib/ (200 files), hw1/myenv/bin/ (1 file), hw1/venv/ (1 file), "
                     "hw1/__pycache__/ (1 file), hw1/.git/ (1 file), hw1/.ipynb_checkpoints/ (1 file), "
                     "hw1/myenv/include/ and 4 more."]


def test_an_environment_made_in_the_submission_folder_itself_leaves_the_students_files(tmp_path):
    path = make_zip(tmp_path / "s.zip", venv_entries("", 50) + ["models.py", "helpers/util2.py"])
    extract_zip(path, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["models.py", "util2.py"]


def test_a_zip_still_too_large_names_its_largest_folders(tmp_path, monkeypatch):
    names = ["hw/models.py"] + [f"hw/plots/p{i}.png" for i in range(1500)] + [f"hw/runs/r{i}.txt" for i in range(600)]
    path = make_zip(tmp_path / "s.zip", names)
    with pytest.raises(IntakeError) as info:
        extract_zip(path, tmp_path / "out")
    assert ("it has 2101 entries (the limit is 2000); its largest folders are hw/plots/ (1,500 entries), "
            "hw/runs/ (600 entries): leave out what the handout does not ask for") in str(info.value)
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 5000)
    path = make_zip(tmp_path / "t.zip", ["hw/models.py"] + [f"hw/runs/r{i}.txt" for i in range(900)])
    with pytest.raises(IntakeError) as info:
        extract_zip(path, tmp_path / "out2")
    assert "it unpacks to more than 0.0 MB; its largest folders are hw/runs/ (0.0 MB)" in str(info.value)


def test_a_listing_past_the_outer_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_LISTING", 500)
    path = make_zip(tmp_path / "s.zip", ["models.py"] + venv_entries(".venv")[:600])
    with pytest.raises(IntakeError, match="601 entries, too many to read"):
        extract_zip(path, tmp_path / "out")


def test_path_tricks_are_still_refused_even_under_left_out_names(tmp_path):
    for name in ["../.venv/x.py", ".venv/../../evil.py"]:
        path = make_zip(tmp_path / "s.zip", ["models.py", name])
        with pytest.raises(IntakeError, match="outside"):
            extract_zip(path, tmp_path / "out")


def test_a_folder_submission_skips_environments_without_entering_them(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_ENTRIES", 50)
    (tmp_path / "models.py").write_text("x = 1\n")
    for top in (".venv", "myenv"):
        (tmp_path / top).mkdir()
        (tmp_path / top / "pyvenv.cfg").write_text("home = /usr/bin\n")
        for part in ("lib", "bin"):
            (tmp_path / top / part).mkdir()
            for i in range(60):
                (tmp_path / top / part / f"f{i}.py").write_text("")
    (tmp_path / "myenv" / "mine.py").write_text("")
    assert [str(rel) for rel, _ in survey(tmp_path)] == ["models.py", "myenv/mine.py"]
