"""a2's handout.ipynb runs from top to bottom against the reference solution,
as a student's kernel would run it (without IPython: magics are dropped), both
with the instructor's data and inside the student release (no test labels)."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import REPO
from grader.build.student import build_student

SLUG = "a2_two_layer_mlp"
NOTEBOOK = REPO / "assignments" / SLUG / "handout.ipynb"

# Runs each cell in one namespace and names the cell that fails.
RUNNER = """
import json, sys
ns = {"__name__": "__main__"}
for i, source in enumerate(json.load(open("cells.json"))):
    print("--- cell %d" % i, flush=True)
    exec(compile(source, "<cell %d>" % i, "exec"), ns)
"""


def code_cells(path):
    """The source of each code cell, with IPython magics and shell lines removed."""
    nb = nbformat.read(path, as_version=4)
    return ["\n".join(line for line in cell.source.splitlines()
                      if not line.lstrip().startswith(("%", "!")))
            for cell in nb.cells if cell.cell_type == "code"]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The student zip, built once for the tests that unpack it."""
    return build_student(SLUG, tmp_path_factory.mktemp("dist"))


def instructor_folder(tmp_path, release):
    shutil.copy(REPO / "reference" / SLUG / "mlp.py", tmp_path)
    shutil.copy(REPO / "reference" / SLUG / "utils.py", tmp_path)
    shutil.copy(REPO / "assignments" / SLUG / "data" / "digits.npz", tmp_path)
    shutil.copy(NOTEBOOK, tmp_path)
    shutil.copy(REPO / "grader_check.py", tmp_path)  # the notebook's last cell calls the public checks
    return tmp_path


def student_folder(tmp_path, release):
    """The student zip unpacked, as a student gets it, with the reference's mlp.py dropped in."""
    with zipfile.ZipFile(release) as archive:
        archive.extractall(tmp_path)
    shutil.copy(REPO / "reference" / SLUG / "mlp.py", tmp_path / SLUG)
    return tmp_path / SLUG


@pytest.mark.parametrize("where", [instructor_folder, student_folder], ids=["instructor", "student_release"])
def test_notebook_runs_against_the_reference(tmp_path, where, release):
    folder = where(tmp_path, release)
    (folder / "cells.json").write_text(json.dumps(code_cells(folder / "handout.ipynb")))
    (folder / "run.py").write_text(RUNNER)
    env = {**os.environ, "MPLBACKEND": "Agg", "A2_QUICK": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "run.py"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert ("test labels are held back" in proc.stdout) == (where is student_folder), proc.stdout[-2000:]

    # Every "difference" the notebook prints is tiny with the reference.
    differences = re.findall(r"difference[^:\n]*: (\S+)", proc.stdout)
    assert len(differences) == 4, proc.stdout
    assert all(float(d) < 1e-6 for d in differences), differences
    assert "validation accuracy" in proc.stdout


def test_restart_and_run_all_in_a_jupyter_kernel_inside_the_student_release(tmp_path, monkeypatch, release):
    """What a student does: unzip, add mlp.py, open the notebook, Kernel -> Restart & Run All;
    then save a bug in mlp.py and check one part from a cell of the same kernel."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    folder = student_folder(tmp_path, release)
    monkeypatch.setenv("A2_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(folder / "handout.ipynb", as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(
        "from pathlib import Path\n"  # the sigmoid's derivative written as s: 2.1 breaks, 2.2 (relu) does not
        "Path('mlp.py').write_text(Path('mlp.py').read_text().replace('return s * (1 - s)', 'return s'))\n"
        "from grader_check import check\n"
        "check('2')")]
    resources = {"metadata": {"path": str(folder)}}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "y_test not in your copy of the data" in printed and "test labels are held back" in printed
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]

    def lines(cell):
        return [line.strip() for o in cell.outputs for line in o.get("text", "").splitlines()]
    correct, broken = lines(nb.cells[-2]), lines(nb.cells[-1])  # the handout's check_all(), then check('2')
    assert [line.split("  (")[0] for line in correct if line.startswith(("OK", "FAIL"))] == [
        "OK     2.1 sigmoid network: every gradient agrees with finite differences of your loss",
        "OK     2.2 relu network: every gradient agrees with finite differences of your loss",
        "OK     4.1 train returns the four histories with one entry per iteration or epoch"], correct
    assert correct[-1].startswith("3 of 3 public items pass."), correct
    assert [line for line in broken if line.startswith(("OK", "FAIL"))] == [
        "FAIL   2.1 sigmoid network: every gradient agrees with finite differences of your loss  (0.5/1)",
        "OK     2.2 relu network: every gradient agrees with finite differences of your loss  (1/1)"], broken
    assert any(line.startswith("TwoLayerMLP(activation='sigmoid').loss(") and "grads['W1'] does not match "
               "finite differences of your loss" in line for line in broken), broken
    assert broken[-1].startswith("1 of 2 public items pass."), broken


def test_notebook_has_no_outputs_and_is_built_by_its_script(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in nb.cells if cell.cell_type == "code")
    assert nb.metadata.kernelspec.name == "python3"
    out = tmp_path / "handout.ipynb"
    subprocess.run([sys.executable, "-B", str(REPO / "assignments" / SLUG / "build_notebook.py"), str(out)],
                   cwd=REPO, check=True, capture_output=True)
    assert out.read_bytes() == NOTEBOOK.read_bytes()
