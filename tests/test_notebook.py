"""Notebook to module: definitions, imports and literal constants only."""
import nbformat

from grader.notebook import notebook_to_module


def write(tmp_path, *cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells] + [nbformat.v4.new_markdown_cell("x = 1")]
    path = tmp_path / "work.ipynb"
    nbformat.write(notebook, str(path))
    return path


def test_only_definitions_survive(tmp_path):
    path = write(tmp_path,
                 "%matplotlib inline\n!pip install torch\nimport numpy as np\nfrom mlp import TwoLayerMLP",
                 "SIZES = (1, 2)\nnet = make()\nprint('hi')\ndef make():\n    return 'a %s' \\\n    % 'b'",
                 "class A:\n    pass\nA().train()",
                 "def broken(:\n    pass")
    source, names, notes = notebook_to_module(path, "work.ipynb", "mlp")
    namespace = {}
    exec(compile(source, "mlp.py", "exec"), namespace)  # test-only: our own generated text
    assert names == {"make", "A"}
    assert namespace["SIZES"] == (1, 2) and namespace["make"]() == "a b"
    assert "net" not in namespace and "TwoLayerMLP" not in namespace
    assert "!pip" not in source and "print" not in source
    assert len(notes) == 1 and notes[0].startswith("work.ipynb: code cell 4 could not be parsed")
