"""dist/<slug>-student.zip: what students download.

One folder holding the template files, the data (minus the labels the
autograder measures accuracy on), the handout, and what
`python -m grader check <slug> .` needs: the grader package, the
assignment's settings and public checks, a requirements.txt and a README
saying how to install and run it; and `grader_check.py`, the same check
called from a notebook or script. No reference, no hidden checks.
"""
import ast
import json
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from ..assignment.config import REPO_ROOT, load_assignment
from ..submission.intake import copy_data
from .template import template_files

NOT_SHIPPED = {Path("grader/bench.py"),  # instructors' benchmark: imports submissions in-process
               Path("grader/classroom/cluster.py"),  # grading on Dask: needs dask and distributed, of no use
               # to a student
               Path("grader/classroom/cluster_certs.py"),  # the Dask cluster's TLS credentials, likewise
               Path("grader/classroom/manual.py"),  # staff's PDFs of written answers
               Path("grader/classroom/manual_pdf.py"),
               Path("grader/classroom/similarity.py"),  # staff's comparison of a class's code (copydetect)
               Path("grader/authoring/mutants.py"),  # reads mutants.toml, which is the instructors' alone
               Path("grader/templates/new")}  # `grader new`'s example assignment, with its reference and mutants
REQUIREMENT_OF = {  # what a released file imports -> what provides it (as pyproject.toml pins it)
    "numpy": "numpy>=1.24", "pytest": "pytest>=7.4", "gradescope_utils": "gradescope-utils>=0.5",
    "tomli": "tomli>=2.0; python_version < '3.11'", "matplotlib": "matplotlib>=3.7", "sklearn": "scikit-learn>=1.3",
    "yaml": "pyyaml>=6.0", "nbformat": "nbformat>=5.9", "jinja2": "jinja2>=3.1",
}

README = """# {title}

Everything for this assignment is in this folder: {files} (what you
complete), the handout, the data, and the public checks with what runs them
(`grader/`, `assignments/`).

## Set up once

You need Python 3.10 or newer. Make a virtual environment beside this
folder, not inside it, so that zipping this folder never sweeps it in.
From this folder:

```
# Linux, macOS
python3 -m venv ../{slug}-venv
../{slug}-venv/bin/python -m pip install -r requirements.txt

# Windows
py -m venv ..\\{slug}-venv
..\\{slug}-venv\\Scripts\\python -m pip install -r requirements.txt
```

This installs everything the files here import: the plots of the
scripts as well as the check.
{notebook}
## Check your work

```
../{slug}-venv/bin/python -m grader check {slug} .          # Linux, macOS
..\\{slug}-venv\\Scripts\\python -m grader check {slug} .      # Windows
```

This runs the public checks, a subset of what the autograder runs, on the
files in this folder, and reads `answers.py` (if the assignment has one)
for answers the autograder could not read. It prints one line per item and
what looks wrong. Your code runs in the checking process itself, without
the autograder's sandbox, so nothing limits its time: Ctrl-C stops a loop.
The check runs on Windows, macOS and Linux.

The same check runs from a notebook cell or the end of a script in this
folder: `from grader_check import check, check_all`, then `check("1.1")`
for one item (`check("1")` for a part) or `check_all()`. It reads your
files as saved, the ones you submit, so save them first.

## Submit

{submit}, named exactly so, alone or in a zip. Files you add beside them
are not used, and the results say so.
"""
NOTEBOOK_SETUP = """
To open `handout.ipynb`, also install Jupyter, `../{slug}-venv/bin/python -m pip install notebook`,
then run `../{slug}-venv/bin/python -m notebook` (on Windows, `..\\{slug}-venv\\Scripts\\python`
in both).
"""


def student_files(slug, root=REPO_ROOT):
    """Zip path -> local file, for every file of the release except the data."""
    assignment = load_assignment(slug, root)
    root = Path(root)
    files = {f"{slug}/{name}": assignment.template / name for name in template_files(slug, root)}
    for handout in ("handout.md", "handout.ipynb"):
        if (assignment.folder / handout).exists():
            files[f"{slug}/{handout}"] = assignment.folder / handout
    files[f"{slug}/assignments/{slug}/assignment.toml"] = assignment.folder / "assignment.toml"
    files[f"{slug}/grader_check.py"] = root / "grader_check.py"
    for path in sorted((assignment.folder / "checks" / "public").glob("*")):
        if path.suffix in (".py", ".toml"):  # the checks and their bug catalogue
            files[f"{slug}/assignments/{slug}/checks/public/{path.name}"] = path
    for path in sorted((root / "grader").rglob("*")):
        shipped = not NOT_SHIPPED & {path.relative_to(root), *path.relative_to(root).parents}
        if path.is_file() and "__pycache__" not in path.parts and shipped:
            files[f"{slug}/{path.relative_to(root)}"] = path
    return files


def imported_modules(text, notebook=False):
    """Top-level names of the modules a file (or a notebook's code cells) imports, outside
    `try: ... except ImportError` (an optional import)."""
    if notebook:
        cells = json.loads(text).get("cells", [])
        text = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("%", "!")))
    tree = ast.parse(text)
    optional = {id(node) for handler in ast.walk(tree) if isinstance(handler, ast.Try)
                and any(_catches_import_error(h) for h in handler.handlers)
                for statement in handler.body for node in ast.walk(statement)}
    names = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _catches_import_error(handler):
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(c, ast.Name) and c.id in ("ImportError", "ModuleNotFoundError") for c in caught)


def release_requirements(files):
    """requirements.txt's lines: what the released files (zip path -> local file) import,
    besides the standard library and the release's own modules. An import with no known
    requirement stops the build, so the release never ships a file that cannot import."""
    own = {PurePosixPath(name).stem for name in files} | {PurePosixPath(name).parent.name for name in files}
    needed = {}
    for name, path in files.items():
        if name.endswith((".py", ".ipynb")):
            for module in imported_modules(path.read_text(), notebook=name.endswith(".ipynb")):
                if module not in sys.stdlib_module_names and module not in own and module != "__future__":
                    needed.setdefault(module, name)
    unknown = sorted(set(needed) - set(REQUIREMENT_OF))
    if unknown:
        raise ValueError(f"student release: {needed[unknown[0]]} imports {unknown[0]}, which no requirement "
                         "provides; add it to REQUIREMENT_OF in grader/build/student.py")
    return sorted({REQUIREMENT_OF[module] for module in needed}, key=str.lower)


def generated_files(assignment, files):
    """requirements.txt and README.md, written for this assignment's release `files`."""
    notebook = (assignment.folder / "handout.ipynb").exists()
    names = [f"`{n}`" for n in assignment.submit]
    submit = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    readme = README.format(title=assignment.title, slug=assignment.slug, files=", ".join(names),
                           notebook=NOTEBOOK_SETUP.format(slug=assignment.slug) if notebook else "",
                           submit=submit[0].upper() + submit[1:])
    return {"requirements.txt": "\n".join(release_requirements(files)) + "\n", "README.md": readme}


def build_student(slug, dist, root=REPO_ROOT):
    assignment = load_assignment(slug, root)
    target = Path(dist) / f"{slug}-student.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as tmp:
        files = student_files(slug, root)
        for name, path in files.items():
            archive.write(path, name)
        for name, text in generated_files(assignment, files).items():
            archive.writestr(f"{slug}/{name}", text)
        for name in assignment.data:
            copy = Path(tmp) / name
            copy_data(assignment.data_folder / name, copy, assignment.release_withhold.get(name, []))
            archive.write(copy, f"{slug}/{name}")
    return target
