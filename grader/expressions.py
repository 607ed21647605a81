"""Expression answers: a student writes math as a Python string, e.g. "W2.T @ (yhat - y)".

The string is parsed with `ast` and walked by our own evaluator over an
allow-list (variables of the question, numbers, + - * / @ **, unary minus,
`.T`, a few numpy functions). Nothing is ever passed to `eval` or `compile`.
Answers are graded numerically: on several random draws of the variables the
student's expression must match the reference expression.

A student's answer is parsed and evaluated only in `grader.submission.quarantine`'s
limited process (`answer_values`), never in the grader: one long computation
in C cannot be interrupted from inside the process that runs it. The evaluator
is also bounded by construction: every number is a float (no exact integer
grows digit by digit), integers appear only as a literal `axis` of `sum`, and
no result may hold more than MAX_ELEMENTS numbers, checked before computing.

Each question declares what it `asks` for (e.g. "dLdA"): that quantity, and
anything defined from it, is never a variable an answer may use.
"""
import ast
import math
import operator
import sys

import numpy as np

from .compare import type_name
from .failures import CheckFailure
from .submission import quarantine

MAX_LENGTH = 500
MAX_NODES = 200
MAX_ELEMENTS = 10**6   # numbers in any value an answer computes (the variables are small matrices)
MAX_RETURNED = 10**4   # numbers of one result sent back from the limited process; larger: its shape only
LANGUAGES = ("grader.expressions", "grader.kit.matrix_answers")  # what the limited process may import
_EVALUATOR = quarantine.Server("expression")  # started on the first answer, kept for the run


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


FUNCTIONS = {"exp": np.exp, "log": np.log, "sum": np.sum, "sign": np.sign, "sigmoid": _sigmoid,
             "transpose": np.transpose, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh}
PRODUCTS = ("dot", "matmul")  # matrix products as functions (only the matrix-answer language admits them)
PREFIXES = ("np", "numpy")
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.MatMult: operator.matmul, ast.Pow: operator.pow}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}

NOT_ANSWERED = "Not attempted: {name} has no answer yet."
NOT_A_STRING = "{name} should be a string holding an expression, e.g. \"W2.T @ (yhat - y)\"; it is a {kind}."
UNPARSABLE = "{name}: {text!r} is not a valid expression ({why})."
NOT_ALLOWED = "{name}: not allowed in an answer: {what}. {allowed}"
RESTATES = ("{name}: {text!r} uses {asked}, the quantity the question asks for; an answer must give it "
            "in terms of the other variables, so this one earns no points.")
DOES_NOT_EVALUATE = "{name}: {text!r} could not be evaluated with the question's shapes: {why}"
TOO_COSTLY = "{name}: {text!r} could not be evaluated within the grader's limits ({why})."
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
    except (SyntaxError, MemoryError, RecursionError) as exc:
        why = getattr(exc, "msg", "too deeply nested")
        raise ExpressionError(UNPARSABLE.format(name=name, text=text, why=why)) from None
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


def function_name(func):
    """'sum' for `sum`, `np.sum` or `numpy.sum`; None for anything else."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in PREFIXES:
        return func.attr
    return None


def is_method_dot(func):
    """`A.dot` in `A.dot(B)`."""
    return isinstance(func, ast.Attribute) and func.attr == "dot" and function_name(func) is None


def _room(shape, text):
    """Refuse, before computing it, a value with more than MAX_ELEMENTS numbers."""
    if math.prod(shape) > MAX_ELEMENTS:
        raise ValueError(f"in {text}, the result would have shape {tuple(shape)}, "
                         f"more than {MAX_ELEMENTS:,} numbers")


def elementwise(op, left, right, text):
    _room(np.broadcast_shapes(np.shape(left), np.shape(right)), text)
    return op(left, right)


def matrix_product(a, b, text):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] != b.shape[0]:
        raise ValueError(f"in {text}, a matrix product of shapes {a.shape} and {b.shape} is undefined "
                         f"(the left has {a.shape[1]} column(s), the right {b.shape[0]} row(s))")
    _room(a.shape[:-1] + b.shape[-1:], text)
    return a @ b


def multiply(left, right, text):
    """`*` of the default language: numpy's elementwise product."""
    return elementwise(operator.mul, left, right, text)


def _option(node):
    """A function's option (`axis`, `keepdims`): an integer or True/False written out, never computed."""
    negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    value = node.operand if negative else node
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and abs(value.value) < 32:
        return -value.value if negative else value.value
    raise ValueError(f"the option {ast.unparse(node)!r} should be a small whole number or True/False")


def _call(node, walk):
    text = ast.unparse(node)
    if is_method_dot(node.func):
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"{text}: A.dot(B) takes exactly one array")
        return matrix_product(walk(node.func.value), walk(node.args[0]), text)
    name = function_name(node.func)
    if name in PRODUCTS:
        if len(node.args) != 2 or node.keywords:
            raise ValueError(f"{text}: {name} takes exactly two arrays")
        return matrix_product(walk(node.args[0]), walk(node.args[1]), text)
    if not node.args:
        raise ValueError(f"{text}: {name} needs an array")
    if name != "sum" and (len(node.args) > 1 or node.keywords):
        raise ValueError(f"{text}: {name} takes exactly one array")
    options = [_option(a) for a in node.args[1:]]
    return FUNCTIONS[name](walk(node.args[0]), *options, **{k.arg: _option(k.value) for k in node.keywords})


def evaluate(tree, env, multiply=multiply):
    """Walk an allowed tree with numpy values from `env`; `multiply(left, right, text)` is
    what `*` means in the answer's language. Every number is a float."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return np.float64(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            left, right, text = walk(node.left), walk(node.right), ast.unparse(node)
            if isinstance(node.op, ast.Mult):
                return multiply(left, right, text)
            if isinstance(node.op, ast.MatMult):
                return matrix_product(left, right, text)
            return elementwise(BINARY[type(node.op)], left, right, text)
        if isinstance(node, ast.UnaryOp):
            return UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Attribute):
            return np.transpose(walk(node.value))  # only .T reaches here
        if isinstance(node, ast.Call):
            return _call(node, walk)
        raise ExpressionError(f"unexpected {type(node).__name__}")
    with np.errstate(all="ignore"):
        return np.asarray(walk(tree), dtype=np.float64)


def _encode(value, limit=MAX_RETURNED):
    value = np.asarray(value, dtype=np.float64)
    return {"shape": list(value.shape), "values": value.ravel().tolist() if value.size <= limit else None}


def _decode(value):
    if value["values"] is None:
        return np.empty(0), tuple(value["shape"])
    return np.array(value["values"], dtype=np.float64).reshape(value["shape"]), tuple(value["shape"])


def _names_used(text, names):
    """Which of `names` the expression `text` mentions (none if it does not parse)."""
    try:
        tree = ast.parse(text[:MAX_LENGTH].strip(), mode="eval")
    except (SyntaxError, MemoryError, RecursionError):
        return []
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & set(names))


def answer_values(text, name, asked, language, envs):
    """The student's answer `text` on each of `envs`: {"values": [...]} or {"problem", "tags"}.
    Runs in `grader.submission.quarantine`'s limited process only."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown answer language {language}")
    __import__(language)
    language = sys.modules[language]
    envs = [{k: _decode(v)[0] for k, v in env.items()} for env in envs]
    try:
        tree = language.parse(text, set(envs[0]), name)
    except ExpressionError as problem:
        used = _names_used(text, asked)
        if used:
            return {"problem": RESTATES.format(name=name, text=text, asked=" and ".join(used)),
                    "tags": ["restates-question"]}
        return {"problem": str(problem), "tags": ["unparsable-expression"]}
    values = []
    for env in envs:
        try:
            values.append(_encode(evaluate(tree, env, language.multiply)))
        except (ValueError, TypeError, ArithmeticError) as exc:
            return {"problem": DOES_NOT_EVALUATE.format(name=name, text=text, why=exc), "tags": ["shape-mismatch"]}
        except (MemoryError, RecursionError) as exc:
            return {"problem": TOO_COSTLY.format(name=name, text=text, why=type(exc).__name__), "tags": ["too-costly"]}
    return {"values": values}


def _student_values(name, answer, asked, language, envs):
    """`answer_values` in the limited process; a limit it hit is the answer's fault, anything
    else the grader's (raised as is, so the check shows a grader fault)."""
    try:
        return _EVALUATOR.ask(answer, name, sorted(asked), language.__name__,
                              [{k: _encode(v, limit=math.inf) for k, v in env.items()} for env in envs])
    except quarantine.QuarantineFailure as failure:
        if not failure.limit:
            raise
        return {"problem": TOO_COSTLY.format(name=name, text=answer, why=failure), "tags": ["too-costly"]}


def grade_answer(name, answer, expected, draw, rng, *, asks, trials=5, rtol=1e-6, language=None):
    """Fail unless the student's `answer` string equals the `expected` expression.

    `draw(rng)` returns a dict of consistent variable values for one trial.
    `asks`: the name of the quantity the question asks for, or a tuple of it and the
    variables defined from it; none of them is a variable the answer may use.
    `language` (a module with `parse` and `multiply`, e.g. grader.kit.matrix_answers)
    widens the forms accepted in the student's answer; this module's own by default.
    """
    language = language or sys.modules[__name__]
    asked = {asks} if isinstance(asks, str) else set(asks)
    if not asked:
        raise ValueError(f"{name}: the question must declare what it asks for")
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        raise CheckFailure(NOT_ANSWERED.format(name=name), ["not-attempted"])
    if not isinstance(answer, str):
        kind = type_name(answer)
        raise CheckFailure(NOT_A_STRING.format(name=name, kind=kind), ["wrong-type"])
    envs = [{k: v for k, v in draw(rng).items() if k not in asked} for _ in range(trials)]
    reference = parse(expected, envs[0], "expected")
    wants = [evaluate(reference, env) for env in envs]
    if any(want.size > MAX_RETURNED for want in wants):
        raise ValueError(f"{name}: the expected value is larger than answers may return")
    reply = _student_values(name, answer, asked, language, envs)
    if "problem" in reply:
        raise CheckFailure(reply["problem"], reply["tags"])
    for want, (got, shape) in zip(wants, map(_decode, reply["values"])):
        if shape != want.shape:
            detail = f"; it has shape {shape}, expected {want.shape}"
            detail += " (transposed?)" if shape == want.shape[::-1] else ""
            raise CheckFailure(WRONG.format(name=name, text=answer, detail=detail), ["wrong-shape"])
        if not np.allclose(got, want, rtol=rtol, atol=1e-10 * max(1.0, float(np.max(np.abs(want))))):
            sign = "; the sign looks flipped" if np.allclose(got, -want, rtol=rtol) else ""
            raise CheckFailure(WRONG.format(name=name, text=answer, detail=sign), ["wrong-expression"])
