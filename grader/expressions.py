"""Expression answers: a student writes math as a Python string, e.g. "W2.T @ (yhat - y)".

The string is parsed with `ast` and walked by our own evaluator over an
allow-list (variables of the question, numbers, + - * / @ **, unary minus,
`.T`, a few numpy functions). Nothing is ever passed to `eval` or `compile`.
Answers are graded numerically: on several random draws of the variables the
student's expression must match the reference expression.
"""
import ast
import operator
import sys

import numpy as np

from .failures import CheckFailure

MAX_LENGTH = 500
MAX_NODES = 200


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


FUNCTIONS = {"exp": np.exp, "log": np.log, "sum": np.sum, "sign": np.sign, "sigmoid": _sigmoid,
             "transpose": np.transpose, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.MatMult: operator.matmul, ast.Pow: operator.pow}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}

NOT_ANSWERED = "Not attempted: {name} has no answer yet."
NOT_A_STRING = "{name} should be a string holding an expression, e.g. \"W2.T @ (yhat - y)\"; it is a {kind}."
UNPARSABLE = "{name}: {text!r} is not a valid expression ({why})."
NOT_ALLOWED = "{name}: not allowed in an answer: {what}. {allowed}"
DOES_NOT_EVALUATE = "{name}: {text!r} could not be evaluated with the question's shapes: {why}"
WRONG = "{name}: {text!r} does not equal the expected expression (checked numerically on random values{detail})."


class ExpressionError(Exception):
    """The answer was not understood; the message says what was not."""


def allowed_text(variables):
    return (f"Use the names {', '.join(sorted(variables))}, numbers, + - * / @ **, .T "
            f"and the functions {', '.join(sorted(FUNCTIONS))}.")


def parse(text, variables, name="answer", forbidden=None):
    """Check `text` against the allow-list (`forbidden(node, variables)` names what it refuses,
    this module's `_forbidden` by default); returns the parsed tree."""
    forbidden = forbidden or _forbidden
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"{name}: the answer is longer than {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(UNPARSABLE.format(name=name, text=text, why=exc.msg)) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"{name}: the answer has more than {MAX_NODES} parts.")
    problems = []
    for node in nodes:
        what = forbidden(node, variables)
        if what and what not in problems:
            problems.append(what)
    if problems:
        problems.sort(key=lambda p: not p.startswith(("the name", "the attribute")))  # most telling first
        what = "; ".join(problems[:4])
        raise ExpressionError(NOT_ALLOWED.format(name=name, what=what, allowed=allowed_text(variables)))
    return tree


def _forbidden(node, variables):
    """Describe `node` if the allow-list does not admit it, else return None."""
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in BINARY or type(node) in UNARY:
        return None
    if isinstance(node, ast.BinOp):
        return None if type(node.op) in BINARY else f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return None if type(node.op) in UNARY else f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return None if ok else f"the constant {node.value!r}"
    if isinstance(node, ast.Name):
        return None if node.id in variables or node.id in FUNCTIONS else f"the name '{node.id}'"
    if isinstance(node, ast.Attribute):
        return None if node.attr == "T" else f"the attribute '.{node.attr}'"
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            return "calling anything but the listed functions"
        return "keyword arguments" if node.keywords else None
    return f"a {type(node).__name__} expression"


def evaluate(tree, env):
    """Walk the allowed tree with numpy values from `env`."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            return BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Attribute):
            return np.transpose(walk(node.value))
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*[walk(a) for a in node.args])
        raise ExpressionError(f"unexpected {type(node).__name__}")
    with np.errstate(all="ignore"):
        return np.asarray(walk(tree), dtype=np.float64)


def grade_answer(name, answer, expected, draw, rng, trials=5, rtol=1e-6, language=None):
    """Fail unless the student's `answer` string equals the `expected` expression.

    `draw(rng)` returns a dict of consistent variable values for one trial.
    `language` (a module with `parse` and `evaluate`, e.g. grader.kit.matrix_answers)
    widens the forms accepted in the student's answer; this module's own by default.
    """
    language = language or sys.modules[__name__]
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        raise CheckFailure(NOT_ANSWERED.format(name=name), ["not-attempted"])
    if not isinstance(answer, str):
        kind = getattr(answer, "_type", None) or type(answer).__name__
        raise CheckFailure(NOT_A_STRING.format(name=name, kind=kind), ["wrong-type"])
    env = draw(rng)
    try:
        tree = language.parse(answer, env, name)
    except ExpressionError as problem:
        raise CheckFailure(str(problem), ["unparsable-expression"]) from None
    reference = parse(expected, env, "expected")
    for trial in range(trials):
        env = env if trial == 0 else draw(rng)
        want = evaluate(reference, env)
        try:
            got = language.evaluate(tree, env)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise CheckFailure(DOES_NOT_EVALUATE.format(name=name, text=answer, why=exc),
                               ["shape-mismatch"]) from None
        if got.shape != want.shape:
            detail = f"; it has shape {got.shape}, expected {want.shape}"
            detail += " (transposed?)" if got.shape == want.shape[::-1] else ""
            raise CheckFailure(WRONG.format(name=name, text=answer, detail=detail), ["wrong-shape"])
        if not np.allclose(got, want, rtol=rtol, atol=1e-10 * max(1.0, float(np.max(np.abs(want))))):
            sign = "; the sign looks flipped" if np.allclose(got, -want, rtol=rtol) else ""
            raise CheckFailure(WRONG.format(name=name, text=answer, detail=sign), ["wrong-expression"])
