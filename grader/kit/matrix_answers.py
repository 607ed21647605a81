"""Expression answers in the forms students of matrix-calculus homework write.

A `language` for `grader.expressions.grade_answer` that accepts, beyond the
default allow-list:

- `np.` or `numpy.` before an allowed function, `np.dot(A, B)`,
  `np.matmul(A, B)` and `A.dot(B)`;
- the `axis=` and `keepdims=` keywords of `sum` (integer literals stay
  integers, so `sum(dLdZ, 1)` means axis 1);
- `*` between two arrays whose shapes do not broadcast but do conform for a
  matrix product (columns on the left = rows on the right), read as that
  product, the way MITx's checker read `W*dLdZ`. Where the shapes broadcast,
  `*` stays elementwise, as in numpy. Shapes that allow neither get a message
  naming both operands and their shapes.

The tree is walked by our own evaluator, never passed to `eval`.
"""
import ast

import numpy as np

from .. import expressions as base

PREFIXES = ("np", "numpy")
PRODUCTS = ("dot", "matmul")
KEYWORDS = {"sum": ("axis", "keepdims")}


def _function(func):
    """'sum' for `sum`, `np.sum` or `numpy.sum`; None for anything else."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in PREFIXES:
        return func.attr
    return None


def _is_method_dot(func):
    return isinstance(func, ast.Attribute) and func.attr == "dot" and _function(func) is None


def _call_problem(node):
    if _is_method_dot(node.func):
        return None if len(node.args) == 1 and not node.keywords else "A.dot(B) takes exactly one array"
    name = _function(node.func)
    if name not in base.FUNCTIONS and name not in PRODUCTS:
        return "calling anything but the listed functions"
    unknown = [k.arg for k in node.keywords if k.arg not in KEYWORDS.get(name, ())]
    return f"the keyword {unknown[0]}= in {name}(...)" if unknown else None


def _forbidden(node, variables):
    """Describe `node` if this language does not admit it, else None."""
    if isinstance(node, ast.Call):
        return _call_problem(node)
    if isinstance(node, ast.Attribute) and (node.attr in ("T", "dot") or _function(node) is not None):
        return None  # a prefix or method only stands as a call's function: see parse
    if isinstance(node, ast.Name) and node.id in PREFIXES:
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
        prefix = isinstance(node, ast.Name) and node.id in PREFIXES
        method = isinstance(node, ast.Attribute) and (node.attr == "dot" or _function(node) is not None)
        flag = isinstance(node, ast.Constant) and isinstance(node.value, bool)
        if (prefix or method or flag) and id(node) not in placed:
            return ast.unparse(node)
    return None


def parse(text, variables, name="answer"):
    """`grader.expressions.parse` with this module's wider allow-list."""
    tree = base.parse(text, variables, name, forbidden=_forbidden)
    stray = _misplaced(tree)
    if stray:
        raise base.ExpressionError(base.NOT_ALLOWED.format(
            name=name, what=f"{stray!r} on its own (only as a call, e.g. np.sum(x) or A.dot(B))",
            allowed=base.allowed_text(variables)))
    return tree


def star(left, right, text=""):
    """`*` as elementwise product where shapes broadcast, else as a matrix product where
    they conform; else a ValueError that names the shapes."""
    a, b = np.asarray(left), np.asarray(right)
    try:
        np.broadcast_shapes(a.shape, b.shape)
        return a * b
    except ValueError:
        pass
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]:
        return a @ b
    raise ValueError(f"in {text or '*'}, the shapes {a.shape} and {b.shape} match neither elementwise "
                     f"nor as a matrix product (columns on the left must equal rows on the right)")


def _matrix_product(a, b, text):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] != b.shape[0]:
        raise ValueError(f"in {text}, a matrix product of shapes {a.shape} and {b.shape} is undefined "
                         f"(the left has {a.shape[1]} column(s), the right {b.shape[0]} row(s))")
    return a @ b


def evaluate(tree, env):
    """Walk an allowed tree with numpy values from `env`."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            left, right, text = walk(node.left), walk(node.right), ast.unparse(node)
            if isinstance(node.op, ast.Mult):
                return star(left, right, text)
            if isinstance(node.op, ast.MatMult):
                return _matrix_product(left, right, text)
            return base.BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            return base.UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Attribute):
            return np.transpose(walk(node.value))  # only .T reaches here
        if isinstance(node, ast.Call):
            args = [walk(a) for a in node.args]
            if _is_method_dot(node.func):
                return _matrix_product(walk(node.func.value), args[0], ast.unparse(node))
            name = _function(node.func)
            if name in PRODUCTS:
                return _matrix_product(*args, ast.unparse(node))
            return base.FUNCTIONS[name](*args, **{k.arg: walk(k.value) for k in node.keywords})
        raise base.ExpressionError(f"unexpected {type(node).__name__}")
    with np.errstate(all="ignore"):
        return np.asarray(walk(tree), dtype=np.float64)
