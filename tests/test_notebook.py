"""Notebook to module: definitions, imports and literal constants only, read in a
separate limited process; notebook-only lines are left out and named."""
import json

import nbformat
import pytest

from grader.submission import quarantine
from grader.submission.notebook import convert_all, notebook_to_module


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells] + [nbformat.v4.new_markdown_cell("x = 1")]
    return json.loads(nbformat.writes(nb))


def test_only_definitions_survive():
    nb = notebook("%matplotlib inline\n!pip install torch\nimport numpy as np\nfrom mlp import TwoLayerMLP",
                  "SIZES = (1, 2)\nnet = make()\nprint('hi')\ndef make():\n    return 'a %s' \\\n    % 'b'",
                  "class A:\n    pass\nA().train()",
                  "def broken(:\n    pass")
    out = notebook_to_module(nb, "work.ipynb", "mlp")
    namespace = {}
    exec(compile(out["source"], "mlp.py", "exec"), namespace)  # test-only: our own generated text
    assert out["names"] == ["A", "make"] and out["imports_module"]
    assert namespace["SIZES"] == (1, 2) and namespace["make"]() == "a b"
    assert "net" not in namespace and "TwoLayerMLP" not in namespace
    assert "!pip" not in out["source"] and "print" not in out["source"]
    assert out["notes"][0].startswith("work.ipynb: code cell 4 could not be parsed")


def test_colab_lines_are_left_out_with_a_note():
    nb = notebook("from google.colab import drive\ndrive.mount('/content/drive')\n"
                  "%cd /content/drive/MyDrive/a2\n!pip install -q numpy",
                  "import IPython.display as display\nimport numpy as np\ndef relu(z):\n    return np.maximum(0, z)")
    out = notebook_to_module(nb, "colab.ipynb", "mlp")
    assert "google" not in out["source"] and "IPython" not in out["source"] and "drive.mount" not in out["source"]
    assert "import numpy as np" in out["source"] and out["names"] == ["relu"] and not out["imports_module"]
    note = out["notes"][-1]
    assert "left out 4 line(s)" in note and "from google.colab import drive" in note and "!pip install" in note


def test_nbformat3_worksheets_and_list_sources_are_read():
    nb = {"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["def f():\n", "    return 1\n"]}]}]}
    assert notebook_to_module(nb, "old.ipynb", "mlp")["names"] == ["f"]


def test_unreadable_notebooks_get_an_error_not_an_exception(tmp_path):
    (tmp_path / "a.ipynb").write_text("{not json")
    (tmp_path / "b.ipynb").write_text("[1, 2]")
    (tmp_path / "c.ipynb").write_text("[" * 100000 + "]" * 100000)
    out = convert_all([str(tmp_path / n) for n in ("a.ipynb", "b.ipynb", "c.ipynb")], ["a", "b", "c"], "mlp")
    assert [o["error"] for o in out] == ["JSONDecodeError", "ValueError", "RecursionError"]


@pytest.mark.parametrize("depth", [200, 100000])
def test_deeply_nested_code_costs_only_the_separate_process(tmp_path, depth):
    path = tmp_path / "deep.ipynb"
    source = "x = " + "-" * depth + "1\ndef f():\n    return " + "(" * depth + "1" + ")" * depth
    path.write_text(json.dumps(notebook(source)))
    out = quarantine.run("notebooks", [str(path)], ["deep.ipynb"], "mlp")[0]
    assert "error" in out or "f" not in out["names"] or out["names"] == ["f"]


def test_a_process_past_its_deadline_is_a_failure_not_a_hang(tmp_path, monkeypatch):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook("x = 1")))
    monkeypatch.setattr(quarantine, "WALL_SECONDS", 1e-4)  # no interpreter starts that fast
    with pytest.raises(quarantine.QuarantineFailure, match="more than"):
        quarantine.run("notebooks", [str(path)], ["n.ipynb"], "mlp")
