"""Realistic submissions that are not one clean file per required name: each is graded
(or refused) with one clear message at the top, and items stay short."""
import json
import zipfile

import nbformat

from conftest import REPO, grade, scores, zip_files
from grader.assignment.config import load_assignment
from grader.submission.intake import stage
from grader.submission.python2 import diagnose, headline, looks_like_python2

A1 = load_assignment("a1_softsign")
A2 = load_assignment("a2_two_layer_mlp")
MODELS = (A1.reference / "models.py").read_text()
MLP = (A2.reference / "mlp.py").read_text()
ANSWERS = (A2.reference / "answers.py").read_text()


def python2_models():
    """a1's models.py as a student of an older course would hand it in."""
    text = MODELS
    for old, new in [("print('Checking the softsign derivatives...')", "print 'Checking the softsign derivatives...'"),
                     ("print('Checking {} derivatives...'.format(param))",
                      "print 'Checking %s derivatives...' % param"),
                     ("print('dLdz =', SoftsignCrossEntropy.derivatives(z, t))",
                      "print 'dLdz =', SoftsignCrossEntropy.derivatives(z, t)")]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.replace("        print()\n", "        print\n")


def full(results):
    return all(s == m for s, m in scores(results).values())


def code_notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My work")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


def test_python2_file_gets_one_line_saying_so(tmp_path):
    results = grade("a1_softsign", zip_files(tmp_path / "s.zip", {"models.py": python2_models()}), tmp_path / "r.json")
    assert results["score"] == 0
    lines = [line for line in results["output"].splitlines() if "Python 2" in line]
    assert len(lines) == 1 and lines[0].startswith("models.py is Python 2 code")
    assert results["extra_data"]["intake"] == ["python2"]
    assert "print is a function in Python 3" in lines[0] and "line 308: print 'Checking the softsign" in lines[0]


def test_python2_names_in_a_file_that_compiles_are_named(tmp_path):
    path = tmp_path / "models.py"
    path.write_text("def f(d):\n    for i in xrange(3):\n        pass\n"
                    "    return d.has_key('a')  # xrange in a comment\n")
    report = diagnose([str(path)])[0]
    line = headline("models.py", report, path.read_text().splitlines())
    assert report["compiles"] and "uses Python 2 names" in line and "xrange is range" in line and "has_key" in line
    assert [tuple(f) for f in report["findings"]] == [(2, "xrange"), (4, "has_key")]


def test_python3_code_that_only_looks_old_is_not_flagged(tmp_path):
    text = 'def f():\n    """\n    print the result\n    """\n    xrange = range\n    return list(xrange(2))\n'
    path = tmp_path / "m.py"
    path.write_text(text)
    assert looks_like_python2(text)
    assert headline("m.py", diagnose([str(path)])[0], text.splitlines()) is None


def test_upper_case_file_name_is_graded_and_said(tmp_path):
    results = grade("a1_softsign", zip_files(tmp_path / "s.zip", {"hw1/Models.py": MODELS}), tmp_path / "r.json")
    assert full(results), results["output"]
    assert "Graded hw1/Models.py as models.py: the names differ only in upper and lower case." in results["output"]
    assert results["extra_data"]["intake"] == ["renamed-file"]


def test_two_case_variants_are_not_guessed(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Models.py").write_text(MODELS)
    (tmp_path / "sub" / "MODELS.py").write_text(MODELS)
    staged = stage(A1, tmp_path / "sub", tmp_path / "work")
    assert "models.py" in staged.missing and "differ from it only in case" in staged.notes[0]


def test_zip_inside_a_zip_is_unpacked_once_and_said(tmp_path):
    inner = zip_files(tmp_path / "hw1.zip", {"hw1/models.py": MODELS})
    outer = tmp_path / "submission.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, "hw1.zip")
    results = grade("a1_softsign", outer, tmp_path / "r.json")
    assert full(results), results["output"]
    assert "Your submission held another zip, hw1.zip: its files were unpacked" in results["output"]
    assert results["extra_data"]["intake"] == ["zip-in-zip"]


def test_helper_modules_the_graded_file_imports_are_staged_and_named(tmp_path):
    mlp = MLP.replace("import numpy as np\n", "import numpy as np\n\nfrom layers import affine\n", 1)
    layers = "import random\nfrom maths import dot\n\ndef affine(x, w, b):\n    return dot(x, w) + b\n"
    files = {"mlp.py": mlp, "lib/layers.py": layers, "lib/maths.py": "def dot(a, b):\n    return a @ b\n",
             "lib/random.py": "x = 1\n", "notes.py": "# scratch\n",
             "answers.py": ANSWERS, "utils.py": "# my edited copy\n", "plot.png": "png", "README.txt": "hi"}
    folder = tmp_path / "sub"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    staged = stage(A2, folder, tmp_path / "work")
    notes = "\n".join(staged.notes)
    assert ("Also used your own modules that the graded files import: lib/layers.py (imported by mlp.py); "
            "lib/maths.py (imported by layers.py).") in notes
    assert ("Not used: lib/random.py, named like modules that Python or the autograder provides (random): the "
            "imports of those names get the provided modules. Rename your files and their imports.") in notes
    assert "Not used: notes.py. Only mlp.py, answers.py and the files they import are graded" in notes
    assert "Not used: utils.py. The autograder brings its own copy" in notes
    assert "Also not used: README.txt, plot.png." in notes
    assert (staged.folder / "layers.py").exists() and (staged.folder / "maths.py").exists()
    assert not (staged.folder / "random.py").exists() and staged.flags == ["unused-files"]


def test_declared_helper_module_is_staged(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "mlp.py").write_text(MLP)
    (folder / "answers.py").write_text(ANSWERS)
    (folder / "layers.py").write_text("print 'old'\n")
    spec = load_assignment("a2_two_layer_mlp")
    spec.extra_modules = ["layers.py"]  # the manifest key `extra_modules`
    staged = stage(spec, folder, tmp_path / "work")
    assert (staged.folder / "layers.py").exists()
    assert "Also used layers.py, a helper module this assignment accepts." in staged.notes
    assert staged.notes[0].startswith("layers.py is Python 2 code") and not any("Not used" in n for n in staged.notes)


def test_colab_notebook_is_graded_with_a_note(tmp_path):
    cells = ["from google.colab import drive\ndrive.mount('/content/drive')",
             "!pip install numpy\n%matplotlib inline",
             MLP,
             "net = TwoLayerMLP(4, 10, 3)\nprint(net.loss(np.zeros((2, 4))))"]
    files = {"a2/colab_mlp.ipynb": code_notebook(*cells), "a2/answers.py": ANSWERS}
    results = grade("a2_two_layer_mlp", zip_files(tmp_path / "s.zip", files), tmp_path / "r.json")
    assert "Graded mlp.py made from the notebook a2/colab_mlp.ipynb" in results["output"]
    assert "left out 3 line(s) that only work inside a notebook" in results["output"]
    assert full(results), {t["number"]: t["output"] for t in results["tests"] if t["score"] < t.get("max_score", 0)}
    assert results["extra_data"]["intake"] == ["notebook"]


def test_handout_notebook_importing_mlp_gets_the_fix(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "handout.ipynb").write_text((A2.folder / "handout.ipynb").read_text())
    (folder / "answers.py").write_text(ANSWERS)
    staged = stage(A2, folder, tmp_path / "work")
    headline = staged.notes[0]
    assert headline.startswith("mlp.py was not found in your submission")
    assert "handout.ipynb imports mlp instead of defining it: submit mlp.py itself" in headline
    assert staged.missing == {"mlp.py": " (see the message at the top)"}
    assert staged.flags == ["missing-file", "unused-files"]
    assert json.loads((folder / "handout.ipynb").read_text())  # untouched


def test_zipped_assignment_folder_with_its_venv_is_graded(tmp_path):
    """The student README has the venv made inside the assignment folder; zipping that
    folder gives thousands of entries, left out before the entries are counted."""
    venv = {f"hw1/.venv/lib/python3.11/site-packages/numpy/core/m{i}.py": "" for i in range(8935)}
    files = {"hw1/models.py": MODELS, "hw1/.venv/pyvenv.cfg": "home = /usr/bin\n", **venv,
             "hw1/__pycache__/models.cpython-311.pyc": "", "hw1/data.npz": "", "hw1/util.py": ""}
    results = grade("a1_softsign", zip_files(tmp_path / "s.zip", files), tmp_path / "r.json")
    assert full(results), results["output"]
    assert ("Left out of your zip, as never part of a submission: hw1/.venv/ (8,936 files), "
            "hw1/__pycache__/ (1 file), hw1/data.npz.") in results["output"]


def test_a_package_the_sandbox_does_not_offer_is_named_without_the_graders_paths(tmp_path):
    """Installed for the grader but not offered to the child, scipy fails with a PermissionError
    on its file; the student reads no path of the grading machine, and what can be imported."""
    results = grade("a1_softsign", zip_files(tmp_path / "s.zip", {"models.py": "import scipy.special\n" + MODELS}),
                    tmp_path / "r.json")
    assert results["score"] == 0
    assert ("scipy cannot be imported while grading: besides your own files, only the standard library and numpy "
            "can, as the handout says.") in results["output"]
    everything = json.dumps(results)
    assert str(REPO) not in everything and "site-packages/scipy" not in everything.replace("<site-packages>/", "")
