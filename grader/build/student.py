"""dist/<slug>-student.zip: what students download.

One folder holding the template files, the data (minus the labels the
autograder measures accuracy on), the handout, and what
`python -m grader check <slug> .` needs: the grader package and the
assignment's settings and public checks. No reference, no hidden checks.
"""
import tempfile
import zipfile
from pathlib import Path

from ..config import REPO_ROOT, load_assignment
from ..intake import copy_data
from .template import template_files

NOT_SHIPPED = {Path("grader/bench.py")}  # instructors' benchmark: imports submissions in-process


def student_files(slug, root=REPO_ROOT):
    """Zip path -> local file, for every file of the release except the data."""
    assignment = load_assignment(slug, root)
    root = Path(root)
    files = {f"{slug}/{name}": assignment.template / name for name in template_files(slug, root)}
    for handout in ("handout.md", "handout.ipynb"):
        if (assignment.folder / handout).exists():
            files[f"{slug}/{handout}"] = assignment.folder / handout
    files[f"{slug}/assignments/{slug}/assignment.toml"] = assignment.folder / "assignment.toml"
    for path in sorted((assignment.folder / "checks" / "public").glob("*.py")):
        files[f"{slug}/assignments/{slug}/checks/public/{path.name}"] = path
    for path in sorted((root / "grader").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(root) not in NOT_SHIPPED:
            files[f"{slug}/{path.relative_to(root)}"] = path
    return files


def build_student(slug, dist, root=REPO_ROOT):
    assignment = load_assignment(slug, root)
    target = Path(dist) / f"{slug}-student.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as tmp:
        for name, path in student_files(slug, root).items():
            archive.write(path, name)
        for name in assignment.data:
            copy = Path(tmp) / name
            copy_data(assignment.data_folder / name, copy, assignment.release_withhold.get(name, []))
            archive.write(copy, f"{slug}/{name}")
    return target
