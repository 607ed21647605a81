"""Check every value that crosses from student code before using it.

Each function returns the value in the form the check needs, or raises a
CheckFailure whose message names the call, what it returned and what was
expected ("Net.loss(X, y): returned a tuple of 3; expected a pair
(loss, grads)"). A student's odd return value (a plain list, a tuple of the
wrong length, a dict, a 0-d array, an object, NaN) is the student's bug and
is said so; it never becomes "the autograder failed".
"""
from __future__ import annotations

import numpy as np

from ..compare import as_array, entry
from ..failures import CheckFailure

__all__ = ["array", "number", "items", "pair", "entry", "sequence", "labels_of", "kind_of", "handle"]


def kind_of(value: object) -> str:
    """Short words for what student code returned."""
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, dict):
        return "a dict with keys " + (", ".join(map(repr, list(value)[:6])) or "none")
    handle = getattr(value, "type_name", None)  # an object that stayed in the sandbox
    if handle:
        return f"a {handle} object"
    return "None" if value is None else f"a {type(value).__name__}"


def array(got: object, shape: tuple, call: str, name: str = "") -> np.ndarray:
    """`got` as a float64 array of `shape`, all finite (bool and integer arrays are numbers; an
    array lacking leading axes of length 1 stands for the full shape: grader.compare)."""
    return as_array(got, np.zeros(shape), name, call)


def number(got: object, call: str, name: str = "") -> float:
    """A plain float from a number, a 0-d array or an array holding one number."""
    where = f"{call}: {name}" if name else call
    if isinstance(got, np.ndarray) and got.size == 1 and got.ndim <= 2:
        got = got.reshape(())
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating, np.ndarray)):
        raise CheckFailure(f"{where} returned {kind_of(got)}; expected a single number.", ["wrong-type"])
    return float(as_array(got, 0.0, name, call))


def items(result: object, count: int, call: str, what: str) -> tuple:
    """A tuple or list of exactly `count` entries (e.g. `(loss, grads)`)."""
    if not isinstance(result, (tuple, list)) or len(result) != count:
        raise CheckFailure(f"{call} returned {kind_of(result)}; expected {what}.", ["wrong-type"])
    return tuple(result)


def pair(result: object, call: str, what: str = "a pair (loss, grads)") -> tuple:
    return items(result, 2, call, what)


def sequence(values: object, length: int, call: str, name: str) -> np.ndarray:
    """A list or 1-d array of `length` numbers (a history, say), as a float array."""
    where = f"{call}: {name}" if name else call
    if isinstance(values, (list, tuple)):
        if len(values) != length:
            raise CheckFailure(f"{where} holds {len(values)} values; expected {length}.", ["wrong-shape"])
        values = np.array([number(v, call, f"{name} entry {i}") for i, v in enumerate(values)])
    elif isinstance(values, np.ndarray) and values.ndim == 1 and len(values) != length:
        raise CheckFailure(f"{where} holds {len(values)} values; expected {length}.", ["wrong-shape"])
    return as_array(values, np.zeros(length), name, call)


PLAIN = (type(None), bool, int, float, complex, str, bytes, list, tuple, dict, np.ndarray, np.generic)


def handle(got: object, call: str, what: str) -> object:
    """An object that stays in the sandbox (returned by a constructor or factory), not plain data."""
    if isinstance(got, PLAIN):
        raise CheckFailure(f"{call} returned {kind_of(got)}; expected {what}.", ["wrong-type"])
    return got


def labels_of(predicted: object, count: int, call: str) -> np.ndarray:
    """Predicted class labels: `count` whole numbers (an integer array, or floats that are whole)."""
    checked = as_array(predicted, np.zeros(count), "", call)
    if not np.all(checked == np.round(checked)):
        raise CheckFailure(f"{call} returned numbers that are not whole; expected one class label per row.",
                           ["wrong-type"])
    return checked.astype(np.int64)
