"""dist/<slug>-student.zip: what students download.

One folder holding the template files, the data (minus the labels the
autograder measures accuracy on), the handout, and what
`python -m grader check <slug> .` needs: the grader package, the
assignment's settings and public checks, a requirements.txt and a README
saying how to install and run it. No reference, no hidden checks.
"""
import tempfile
import zipfile
from pathlib import Path

from ..config import REPO_ROOT, load_assignment
from ..intake import copy_data
from .template import template_files

NOT_SHIPPED = {Path("grader/bench.py")}  # instructors' benchmark: imports submissions in-process
REQUIREMENTS = ["numpy>=1.24", "pytest>=7.4", "gradescope-utils>=0.5", "tomli>=2.0; python_version < '3.11'"]
NOTEBOOK_REQUIREMENTS = ["matplotlib>=3.7"]

README = """# {title}

Everything for this assignment is in this folder: {files} (what you
complete), the handout, the data, and the public checks with what runs them
(`grader/`, `assignments/`).

## Set up once

You need Python 3.10 or newer. From this folder:

```
python -m venv .venv
.venv/bin/python -m pip install -r requirements.txt        (Linux, macOS)
.venv\\Scripts\\python -m pip install -r requirements.txt    (Windows)
```
{notebook}
## Check your work

```
.venv/bin/python -m grader check {slug} .          (Linux, macOS)
.venv\\Scripts\\python -m grader check {slug} .      (Windows)
```

This runs the public checks, a subset of what the autograder runs, on the
files in this folder, and reads `answers.py` (if the assignment has one)
for answers the autograder could not read. It prints one line per item and
what looks wrong. Your code runs in the checking process itself, without
the autograder's sandbox, so nothing limits its time: Ctrl-C stops a loop.
The check runs on Windows, macOS and Linux.

## Submit

{submit}, named exactly so, alone or in a zip. Files you add beside them
are not used, and the results say so.
"""
NOTEBOOK_SETUP = """
To open `handout.ipynb`, also install Jupyter: `python -m pip install notebook`,
then `.venv/bin/python -m notebook` (`.venv\\\\Scripts\\\\python -m notebook` on Windows).
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
    for path in sorted((assignment.folder / "checks" / "public").glob("*")):
        if path.suffix in (".py", ".toml"):  # the checks and their bug catalogue
            files[f"{slug}/assignments/{slug}/checks/public/{path.name}"] = path
    for path in sorted((root / "grader").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(root) not in NOT_SHIPPED:
            files[f"{slug}/{path.relative_to(root)}"] = path
    return files


def generated_files(assignment):
    """requirements.txt and README.md, written for this assignment."""
    notebook = (assignment.folder / "handout.ipynb").exists()
    requirements = REQUIREMENTS + (NOTEBOOK_REQUIREMENTS if notebook else [])
    names = [f"`{n}`" for n in assignment.submit]
    submit = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    readme = README.format(title=assignment.title, slug=assignment.slug, files=", ".join(names),
                           notebook=NOTEBOOK_SETUP if notebook else "", submit=submit[0].upper() + submit[1:])
    return {"requirements.txt": "\n".join(requirements) + "\n", "README.md": readme}


def build_student(slug, dist, root=REPO_ROOT):
    assignment = load_assignment(slug, root)
    target = Path(dist) / f"{slug}-student.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as tmp:
        for name, path in student_files(slug, root).items():
            archive.write(path, name)
        for name, text in generated_files(assignment).items():
            archive.writestr(f"{slug}/{name}", text)
        for name in assignment.data:
            copy = Path(tmp) / name
            copy_data(assignment.data_folder / name, copy, assignment.release_withhold.get(name, []))
            archive.write(copy, f"{slug}/{name}")
    return target
