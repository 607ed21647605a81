"""A submitted notebook, turned into the module a check imports.

Only imports, top-level `def`/`class` statements and assignments of plain
literals (`ACTIVATIONS = ('relu', 'sigmoid')`) of its code cells are kept, so training runs, plots and prints at the top level do not run when the
module is imported. IPython magics and shell lines (`%...`, `!...`) are dropped.
"""
import ast
import re

MAGIC = re.compile(r"^[%!]")  # at the start of a line; an indented "% (...)" is Python
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


def _kept(node, module):
    if isinstance(node, KEPT):
        return not _imports_module(node, module)
    return _literal_assignment(node)


def _imports_module(node, module):
    if isinstance(node, ast.ImportFrom):
        return node.module == module
    return isinstance(node, ast.Import) and any(alias.name == module for alias in node.names)


def notebook_to_module(path, label, module):
    """(source of `module`, names it defines, notes) from the notebook at `path`.

    Imports of `module` itself (the notebook may import the very file it
    replaces) are dropped, or the module would import itself.
    """
    import nbformat  # here, not at the top: it takes 60 ms to import and most submissions have no notebook

    notebook = nbformat.read(str(path), as_version=4)
    chunks, names, notes = [], set(), []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not MAGIC.match(line))
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            notes.append(f"{label}: code cell {number} could not be parsed ({exc.msg}, line {exc.lineno}) and was skipped.")
            continue
        for node in tree.body:
            if _kept(node, module):
                chunks.append(f"# cell {number}\n{ast.unparse(node)}\n")
                if isinstance(node, KEPT[2:]):
                    names.add(node.name)
    return HEADER.format(notebook=label) + "\n".join(chunks), names, notes
