"""What a submitted .py file imports and defines, read from its syntax tree.

Intake needs both to stage the helper modules a graded file imports and to
suggest a rename only to a file that holds a missing file's definitions. The
file is parsed, never run, and only in `grader.submission.quarantine`'s limited
process: a crafted file can cost the parser a lot.
"""
import ast

IMPORTERS = ("import_module", "__import__")  # importlib.import_module("name"), __import__("name")


def _imported(node):
    """Module names one node imports: dotted names as written (`a.b`), and for
    `from a import b` both `a` and `a.b` (b may be a module of the package a)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        return ([base] if base else []) + [f"{base}.{a.name}".lstrip(".") for a in node.names if a.name != "*"]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return [node.args[0].value] if name in IMPORTERS else []
    return []


def defined_names(tree):
    """Top-level names the module defines (functions, classes, assigned names), in order."""
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return list(dict.fromkeys(names))


def scan(paths):
    """For each file: {"imports": [...], "defines": [...]}, or {"error": why} when it does not parse.
    Imports anywhere in the file count (inside a function too)."""
    out = []
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                tree = ast.parse(f.read())
            imports = sorted({name for node in ast.walk(tree) for name in _imported(node)})
            out.append({"imports": imports, "defines": defined_names(tree)})
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            out.append({"error": type(exc).__name__})
    return out
