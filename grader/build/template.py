"""Generate student_template/ from reference/ by cutting the solution blocks.

A block runs from a `# BEGIN SOLUTION` line to a `# END SOLUTION` line and is
replaced, at the marker's indentation, by a `raise NotImplementedError` that
names the enclosing function, or by the stub given on the marker line:
`# BEGIN SOLUTION stub: return 0.0`.
"""
import re
import shutil
from pathlib import Path

from ..assignment.config import REPO_ROOT

BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION(?:\s+stub:\s*(.*?))?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
DEF = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+(\w+)")
STUB = 'raise NotImplementedError("{name}: not implemented yet")'


class MarkerError(Exception):
    pass


def enclosing_name(lines, index, indent):
    """`Class.method` or `function` that contains line `index`."""
    names, limit = [], len(indent)
    for line in reversed(lines[:index]):
        match = DEF.match(line)
        if match and len(match.group(1)) < limit:
            names.append(match.group(3))
            limit = len(match.group(1))
            if limit == 0:
                break
    return ".".join(reversed(names)) or "solution"


def strip_solutions(text, filename="<text>"):
    """The template text of one reference file."""
    lines = text.splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if not begin:
            if END.match(lines[i]):
                raise MarkerError(f"{filename}:{i + 1}: END SOLUTION without BEGIN")
            out.append(lines[i])
            i += 1
            continue
        indent, stub = begin.group(1), begin.group(2)
        end = next((j for j in range(i + 1, len(lines)) if END.match(lines[j])), None)
        if end is None:
            raise MarkerError(f"{filename}:{i + 1}: BEGIN SOLUTION without END")
        if any(BEGIN.match(line) for line in lines[i + 1:end]):
            raise MarkerError(f"{filename}:{i + 1}: nested BEGIN SOLUTION")
        out.append(indent + (stub or STUB.format(name=enclosing_name(lines, i, indent))) + "\n")
        i = end + 1
    return "".join(out)


def template_files(slug, root=REPO_ROOT):
    """Template file name -> text, for every file of reference/<slug>/."""
    source = Path(root) / "reference" / slug
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(source)
            text = path.read_text()
            files[str(rel)] = strip_solutions(text, str(rel)) if path.suffix == ".py" else text
    return files


def build_template(slug, root=REPO_ROOT, check=False):
    """Write (or with `check`, compare) student_template/<slug>/; returns drifted files."""
    target = Path(root) / "student_template" / slug
    wanted = template_files(slug, root)
    present = {str(p.relative_to(target)) for p in target.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts} if target.exists() else set()
    drift = sorted(name for name in set(wanted) | present
                   if name not in wanted or name not in present or (target / name).read_text() != wanted[name])
    if not check:
        shutil.rmtree(target, ignore_errors=True)
        for name, text in wanted.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(text)
    return drift
