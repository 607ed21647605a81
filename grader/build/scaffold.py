"""`python -m grader new <slug>`: a new assignment that already grades.

Writes assignments/<slug>/ (manifest, handout, one public and one hidden
check written with the kit, the hidden checks' bugs.toml, mutants.toml, a
data script and its data) and reference/<slug>/ (a small L2-regularised
logistic regression with its student parts between solution markers), from
the files in grader/templates/new/, then generates the template. The
result passes `make test` as it stands; replace the example with the real
assignment piece by piece, keeping it passing.
"""
import re
import subprocess
import sys
from pathlib import Path

from ..assignment.config import REPO_ROOT, ConfigError
from ..render import render
from .template import build_template

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

# grader/templates/new/<template> -> where it goes: real files a linter reads, filled in with
# the slug and the title (grader.render).
FILES = {
    "assignment.toml": "assignments/{slug}/assignment.toml",
    "handout.md": "assignments/{slug}/handout.md",
    "build_data.py": "assignments/{slug}/build_data.py",
    "public_checks.py": "assignments/{slug}/checks/public/test_{slug}_public.py",
    "hidden_checks.py": "assignments/{slug}/checks/hidden/test_{slug}_hidden.py",
    "bugs.toml": "assignments/{slug}/checks/hidden/bugs.toml",
    "mutants.toml": "assignments/{slug}/mutants.toml",
    "model.py": "reference/{slug}/model.py",
}


def scaffold(slug, root=REPO_ROOT, title=None):
    """Write the new assignment's files; returns the folders written."""
    if not SLUG.match(slug):
        raise ConfigError(f"slug {slug!r}: use lower-case letters, digits and '_', starting with a letter")
    root = Path(root)
    folder, reference = root / "assignments" / slug, root / "reference" / slug
    for existing in (folder, reference):
        if existing.exists():
            raise ConfigError(f"{existing.relative_to(root)} already exists")
    title = title or slug.replace("_", " ").capitalize()
    for template, target in FILES.items():
        path = root / target.format(slug=slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render("new", template, slug=slug, title=title))
    subprocess.run([sys.executable, str(folder / "build_data.py")], check=True)
    build_template(slug, root=root)
    return [folder, reference, root / "student_template" / slug]
