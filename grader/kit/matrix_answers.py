"""Expression answers in the forms students of matrix-calculus homework write.

A `language` for `grader.expressions.grade_answer`: an allow-list and the
meaning of `*`; the tree is walked by `grader.expressions.evaluate`, the one
evaluator of every assignment. It accepts, beyond the default allow-list:

- `np.` or `numpy.` before an allowed function, `np.dot(A, B)`,
  `np.matmul(A, B)` and `A.dot(B)`;
- the `axis=` and `keepdims=` keywords of `sum` (written out as literals:
  `sum(dLdZ, 1)` means axis 1);
- `*` between two arrays whose shapes do not broadcast but do conform for a
  matrix product (columns on the left = rows on the right), read as that
  product, the way MITx's checker read `W*dLdZ`. Where the shapes broadcast,
  `*` stays elementwise, as in numpy. Shapes that allow neither get a message
  naming both operands and their shapes.
"""
from __future__ import annotations

import ast
from collections.abc import Collection

import numpy as np

from .. import expressions as base

KEYWORDS = {"sum": ("axis", "keepdims")}


def _call_problem(node):
    if base.is_method_dot(node.func):
        return None if len(node.args) == 1 and not node.keywords else "A.dot(B) takes exactly one array"
    name = base.function_name(node.func)
    if name not in base.FUNCTIONS and name not in base.PRODUCTS:
        return "calling anything but the listed functions"
    unknown = [k.arg for k in node.keywords if k.arg not in KEYWORDS.get(name, ())]
    return f"the keyword {unknown[0]}= in {name}(...)" if unknown else None


def _forbidden(node, variables):
    """Describe `node` if this language does not admit it, else None."""
    if isinstance(node, ast.Call):
        return _call_problem(node)
    if isinstance(node, ast.Attribute) and (node.attr in ("T", "dot") or base.function_name(node) is not None):
        return None  # a prefix or method only stands as a call's function: see parse
    if isinstance(node, ast.Name) and node.id in base.PREFIXES:
        return None
    if isinstance(node, ast.keyword):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return None  # allowed only as a keyword's value: see parse
    return base._forbidden(node, variables)


def _misplaced(tree):
    """Prefixes, `.dot` and True/False anywhere but where they belong."""
    placed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            placed.add(id(node.func))
            if isinstance(node.func, ast.Attribute):
                placed.add(id(node.func.value))  # the `np` of np.sum, the `A` of A.dot
            placed.update(id(k.value) for k in node.keywords)
    for node in ast.walk(tree):
        prefix = isinstance(node, ast.Name) and node.id in base.PREFIXES
        method = isinstance(node, ast.Attribute) and (node.attr == "dot" or base.function_name(node) is not None)
        flag = isinstance(node, ast.Constant) and isinstance(node.value, bool)
        if (prefix or method or flag) and id(node) not in placed:
            return ast.unparse(node)
    return None


def parse(text: str, variables: Collection[str], name: str = "answer") -> ast.Expression:
    """`grader.expressions.parse` with this module's wider allow-list."""
    tree = base.parse(text, variables, name, forbidden=_forbidden)
    stray = _misplaced(tree)
    if stray:
        raise base.ExpressionError(base.NOT_ALLOWED.format(
            name=name, what=f"{stray!r} on its own (only as a call, e.g. np.sum(x) or A.dot(B))",
            allowed=base.allowed_text(variables)))
    return tree


def multiply(left: object, right: object, text: str = "") -> object:
    """`*` as elementwise product where shapes broadcast, else as a matrix product where
    they conform; else a ValueError that names the shapes."""
    a, b = np.asarray(left), np.asarray(right)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        pass
    else:
        return base.multiply(a, b, text or "*")
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]:
        return base.matrix_product(a, b, text or "*")
    raise ValueError(f"in {text or '*'}, the shapes {a.shape} and {b.shape} match neither elementwise "
                     f"nor as a matrix product (columns on the left must equal rows on the right)")
