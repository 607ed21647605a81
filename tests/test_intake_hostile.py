"""Size caps for every kind of submission, and notebooks that try to hurt the grader:
each is refused or skipped with a message, and none is parsed in the grading process."""
import json
import resource
import zipfile

import pytest

from conftest import grade, zip_files
from grader.assignment.config import load_assignment
from grader.submission.intake import MAX_ENTRIES, NOTHING_CHECKED, IntakeError, stage

A1 = load_assignment("a1_softsign")
A2 = load_assignment("a2_two_layer_mlp")


def a2_folder(tmp_path, notebook_text):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "answers.py").write_text((A2.reference / "answers.py").read_text())
    (folder / "work.ipynb").write_text(notebook_text)
    return folder


def test_notebook_over_the_cap_is_not_read(tmp_path):
    folder = a2_folder(tmp_path, '{"cells": [], "pad": "' + "x" * (21 * 2**20) + '"}')
    staged = stage(A2, folder, tmp_path / "work")
    assert "mlp.py" in staged.missing
    assert any("work.ipynb was not read" in n and "at most 20.0 MB" in n for n in staged.notes), staged.notes


def test_large_notebook_is_parsed_outside_the_grading_process(tmp_path, monkeypatch):
    def parsed_here(*args):
        raise AssertionError("a notebook was parsed in the grading process")
    monkeypatch.setattr("grader.submission.notebook.convert_all", parsed_here)
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {"image/png": "iVBOR" + "A" * 2**20}} for _ in range(12)]
    cells = [{"cell_type": "code", "source": (A2.reference / "mlp.py").read_text(), "metadata": {},
              "outputs": outputs, "execution_count": 1}]
    folder = a2_folder(tmp_path, json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    staged = stage(A2, folder, tmp_path / "work")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert "mlp.py" not in staged.missing and (staged.folder / "mlp.py").exists()
    assert grown_mb < 100, f"the grading process grew by {grown_mb:.0f} MB"


@pytest.mark.parametrize("text", ["[" * 200000 + "]" * 200000, '{"cells": [' + "{" * 5000])
def test_nested_or_broken_notebook_json_is_named_and_skipped(tmp_path, text):
    staged = stage(A2, a2_folder(tmp_path, text), tmp_path / "work")
    assert "mlp.py" in staged.missing
    assert any("work.ipynb could not be read as a notebook" in n for n in staged.notes), staged.notes


def test_deeply_nested_code_in_a_notebook_costs_only_its_cell(tmp_path):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "def relu(z):\n    return " + "(" * 50000 + "z" + ")" * 50000}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    staged = stage(A2, a2_folder(tmp_path, text), tmp_path / "work")
    assert "mlp.py" in staged.missing
    assert any("could not be parsed" in n or "could not be read" in n for n in staged.notes), staged.notes


def test_huge_source_file_in_a_zip_is_refused_with_one_message(tmp_path):
    source = (A1.reference / "models.py").read_text() + "\n# padding\n" * (300 * 1024)
    results = grade("a1_softsign", zip_files(tmp_path / "s.zip", {"models.py": source}), tmp_path / "r.json")
    assert results["score"] == 0 and "models.py is 3.2 MB (a source file may be at most 2.0 MB)" in results["output"]
    assert all(t["output"] == NOTHING_CHECKED for t in results["tests"] if t.get("max_score"))


def test_huge_single_py_file_is_refused(tmp_path):
    path = tmp_path / "models.py"
    path.write_text("x = 1\n" * (600 * 1024))
    with pytest.raises(IntakeError, match="a .py file may be at most 2.0 MB"):
        stage(A1, path, tmp_path / "work")


def test_folder_with_thousands_of_files_is_refused_while_walking(tmp_path):
    folder = tmp_path / "sub"
    for i in range(MAX_ENTRIES + 500):
        (folder / f"d{i % 7}").mkdir(parents=True, exist_ok=True)
        (folder / f"d{i % 7}" / f"f{i}.txt").write_text("")
    (folder / "models.py").write_text((A1.reference / "models.py").read_text())
    with pytest.raises(IntakeError, match=f"more than {MAX_ENTRIES} files and folders"):
        stage(A1, folder, tmp_path / "work")
    results = grade("a1_softsign", folder, tmp_path / "r.json")
    assert results["score"] == 0 and "more than 2000 files" in results["output"]


def test_a_students_own_folder_is_not_capped_in_a_local_check(tmp_path):
    folder = tmp_path / "sub"
    (folder / "venv").mkdir(parents=True)
    for i in range(MAX_ENTRIES + 10):
        (folder / "venv" / f"f{i}.txt").write_text("")
    (folder / "models.py").write_text("")
    staged = stage(A1, folder, tmp_path / "work", own_folder=True)
    assert (staged.folder / "models.py").exists() and not any("Not used" in n for n in staged.notes)


def test_zip_inside_a_zip_shares_the_outer_caps(tmp_path):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        for i in range(MAX_ENTRIES - 10):
            archive.writestr(f"f{i}.txt", "")
    outer = zip_files(tmp_path / "outer.zip", {f"g{i}.txt": "" for i in range(20)})
    with zipfile.ZipFile(outer, "a") as archive:
        archive.write(inner, "inner.zip")
    with pytest.raises(IntakeError, match="entries"):
        stage(A1, outer, tmp_path / "work")


def test_links_in_a_folder_submission_are_not_followed(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "models.py").symlink_to(A1.reference / "models.py")
    (folder / "loop").symlink_to(folder)  # a walk that followed links would never end
    staged = stage(A1, folder, tmp_path / "work")
    assert "models.py" in staged.missing and not (staged.folder / "models.py").exists()


def test_intake_and_notebooks_need_no_unix_only_module(tmp_path):
    """What a student's check uses from intake runs where fcntl, pwd and resource do not exist."""
    import subprocess
    import sys
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": (A2.reference / "mlp.py").read_text()}
    folder = a2_folder(tmp_path, json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    script = ("import sys\nfor name in ('fcntl', 'pwd', 'resource'):\n    sys.modules[name] = None\n"
              "from grader.submission.intake import stage\nfrom grader.submission.notebook import definitions\n"
              "from types import SimpleNamespace as S\nfrom pathlib import Path\n"
              f"spec = S(submit=['mlp.py', 'answers.py'], notebook=['mlp.py'], support=[], data=[], withhold={{}},\n"
              f"         reference=Path({str(A2.reference)!r}), modules={{}})\n"
              f"staged = stage(spec, {str(folder)!r}, {str(tmp_path / 'work')!r}, own_folder=True)\n"
              "print(sorted(definitions((staged.folder / 'mlp.py').read_text())))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "TwoLayerMLP" in proc.stdout


def test_zip_bomb_inside_a_zip_is_refused(tmp_path):
    import zipfile as zf
    inner = tmp_path / "inner.zip"
    with zf.ZipFile(inner, "w", zf.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", b"\0" * (50 * 2**20))
    outer = zip_files(tmp_path / "outer.zip", {"notes.txt": "hi"})
    with zf.ZipFile(outer, "a") as archive:
        archive.write(inner, "inner.zip")
    with pytest.raises(IntakeError, match="zip bomb"):
        stage(A1, outer, tmp_path / "work")


def test_notebook_with_half_a_million_cells_is_handled_apart(tmp_path):
    cells = [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None}] * 500000
    folder = a2_folder(tmp_path, json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    staged = stage(A2, folder, tmp_path / "work")
    assert "mlp.py" in staged.missing  # no definitions shared with mlp.py: named missing, nothing hung
