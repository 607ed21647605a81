"""A submitted notebook, turned into the module a check imports.

Only imports, top-level `def`/`class` statements and assignments of plain
literals (`ACTIVATIONS = ('relu', 'sigmoid')`) of its code cells are kept, so
training runs, plots and prints at the top level do not run when the module
is imported. Lines that only work inside a notebook are left out and named:
IPython magics and shell lines (`%...`, `!...`) and imports of notebook-only
packages (`from google.colab import drive`).

The notebook is read as plain JSON (nbformat 4, or 3's worksheets), never
with nbformat: this module runs in `grader.submission.quarantine`'s limited process.
"""
import ast
import json
import re

MAGIC = re.compile(r"^[%!]")  # at the start of a line; an indented "% (...)" is Python
NOTEBOOK_ONLY = ("google.colab", "IPython", "ipywidgets")
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
HEADER = "# Extracted by the grader from {notebook}: imports and definitions of its code cells.\n\n"


def definitions(source):
    """Top-level function and class names defined by Python `source`."""
    tree = ast.parse(source)
    return {node.name for node in tree.body if isinstance(node, KEPT[2:])}


def _literal_assignment(node):
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return False
    try:
        ast.literal_eval(node.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _imported(node):
    """Module names an import statement names (empty for anything else)."""
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def _within(name, packages):
    return any(name == p or name.startswith(p + ".") for p in packages)


def code_cells(notebook):
    """The source text of each code cell, numbered as a reader counts all cells."""
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3
        cells = [c for sheet in notebook.get("worksheets", []) for c in sheet.get("cells", [])]
    for number, cell in enumerate(cells, 1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", cell.get("input", ""))
            yield number, "".join(source) if isinstance(source, list) else str(source)


def notebook_to_module(notebook, label, module):
    """The module `module` as the notebook (parsed JSON) defines it: a dict of its
    source, the names it defines, notes for the student, and whether the notebook
    imports `module` itself (the handout's `from mlp import ...`).

    Such imports are dropped, or the module would import itself.
    """
    chunks, names, notes, dropped, imports_module = [], set(), [], [], False
    for number, text in code_cells(notebook):
        lines = text.splitlines()
        dropped += [line for line in lines if MAGIC.match(line)]
        try:
            tree = ast.parse("\n".join(line for line in lines if not MAGIC.match(line)))
        except SyntaxError as exc:
            notes.append(f"{label}: code cell {number} could not be parsed ({exc.msg}, line {exc.lineno}) "
                         "and was skipped.")
            continue
        for node in tree.body:
            imported = _imported(node)
            if module in imported:
                imports_module = True
            elif any(_within(name, NOTEBOOK_ONLY) for name in imported):
                dropped.append(ast.unparse(node))
            elif isinstance(node, KEPT) or _literal_assignment(node):
                chunks.append(f"# cell {number}\n{ast.unparse(node)}\n")
                if isinstance(node, KEPT[2:]):
                    names.add(node.name)
    if dropped:
        shown = "; ".join(line.strip()[:60] for line in dropped[:3]) + ("; ..." if len(dropped) > 3 else "")
        notes.append(f"{label}: left out {len(dropped)} line(s) that only work inside a notebook ({shown}).")
    return {"source": HEADER.format(notebook=label) + "\n".join(chunks), "names": sorted(names),
            "notes": notes, "imports_module": imports_module}


def convert_all(paths, labels, module):
    """`notebook_to_module` for each notebook file; an unreadable one gets {"error": why}."""
    out = []
    for path, label in zip(paths, labels):
        try:
            with open(path, encoding="utf-8") as f:
                notebook = json.load(f)
            if not isinstance(notebook, dict):
                raise ValueError("not a notebook")
            out.append(notebook_to_module(notebook, label, module))
        except (ValueError, RecursionError, MemoryError, TypeError, AttributeError, SyntaxError) as exc:
            out.append({"error": type(exc).__name__})
    return out
