"""Compare what student code returned with the reference, and say what is wrong.

Order of checks (stop at the first failure): returned something array-like
at all, a number or an exact ndarray of a real dtype, the shape, finite
values, then values within `rtol` and an `atol` scaled to the reference.
When values are off, known wrong answers are tried to name the likely bug.

What counts as right is the mathematics, not the form (docs/decisions.md,
"Shapes and types that are right"): boolean and integer results are numbers
(`z > 0` is ReLU's derivative), and a result may lack leading axes of length
1 (`np.sum(delta, axis=0)` for a (1, H) bias): such an array broadcasts back
to exactly the expected shape with the same numbers, wherever the assignment
adds it to a parameter. Any other shape, (H, 1) for (1, H) included, is wrong.
"""
import numpy as np

from .failures import CheckFailure
from .vocabulary import MEAN_NOT_SUM, SCALED, SIGN_FLIP, SUM_NOT_MEAN, TRANSPOSED, ZEROS, likely

RTOL = 1e-6          # relative tolerance for float64 results
ATOL_SCALE = 1e-8    # absolute tolerance, as a fraction of the largest reference entry
SHOWN_ENTRIES = 3    # mismatching entries quoted in a message (never the whole array)


def fmt(x):
    return f"{x:.6g}"


def _index(idx):
    return "(" + ", ".join(str(int(i)) for i in idx) + ")" if len(idx) != 1 else f"[{int(idx[0])}]"


NUMBERS = (bool, int, float, np.bool_, np.integer, np.floating)  # scalars; arrays: exact ndarray only
REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floats: all used as numbers by numpy


def same_when_broadcast(got, want):
    """Whether an array of shape `got` stands for one of shape `want`: `want` with leading
    axes of length 1 dropped (or `want` itself). Such an array, added to or subtracted
    from a parameter of shape `want`, leaves its shape and gives the same numbers."""
    extra = len(want) - len(got)
    return extra >= 0 and tuple(want[extra:]) == tuple(got) and all(n == 1 for n in want[:extra])
def type_name(value):
    """The type of a value from student code, in words: an object left in the sandbox (or,
    in-process, outside the plain types) says its own type through its public `type_name`."""
    return getattr(value, "type_name", None) or type(value).__name__


def _at(idx, words=" at index"):
    """Where in an array, or nothing for a scalar (which has no index to name)."""
    return f"{words} {_index(idx)}" if len(idx) else ""


def as_array(got, expected, name, call):
    """Validate type, dtype and shape; return `got` as a float64 array of `expected`'s shape."""
    expected = np.asarray(expected)
    where = f"{call}: {name}" if name else call
    if got is None:
        raise CheckFailure(f"{where} is None; expected {_kind(expected)}. "
                           "Did you forget a return statement?", ["returned-none"])
    if type(got) is not np.ndarray and not isinstance(got, NUMBERS):  # subclasses of ndarray too
        what = type_name(got)
        raise CheckFailure(f"{where} is a {what}; expected {_kind(expected)}.", ["wrong-type"])
    array = np.asarray(got)
    if array.dtype.kind not in REAL_KINDS:
        raise CheckFailure(f"{where} has dtype {array.dtype}; expected real numbers.", ["wrong-type"])
    if not same_when_broadcast(array.shape, expected.shape):
        raise CheckFailure(f"{where} has shape {array.shape}, expected {expected.shape}"
                           f"{_shape_hint(array.shape, expected.shape)}.", _shape_tags(array.shape, expected.shape))
    array = array.astype(np.float64).reshape(expected.shape)
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0] if array.ndim else ()
        raise CheckFailure(f"{where} contains {int(bad.sum())} non-finite value(s) (NaN or inf)"
                           f"{_at(first, ', the first at index')}.", ["non-finite"])
    return array


def _kind(expected):
    return "a number" if expected.ndim == 0 else f"a numpy array of shape {expected.shape}"


def _shape_hint(got, want):
    if len(got) == len(want) == 2 and got == want[::-1]:
        return " (transposed?)"
    if len(got) == len(want) + 1:
        return " (an extra axis: did you forget to sum or average over the batch?)"
    if len(got) + 1 == len(want) or (want and not got):
        return " (an axis is missing: summed over the wrong axis, or keepdims?)"
    return ""


def _shape_tags(got, want):
    return ["transposed"] if len(got) == len(want) == 2 and got == want[::-1] else ["wrong-shape"]


def check_close(got, expected, *, call, name="", rtol=RTOL, atol_scale=ATOL_SCALE,
                batch_size=None, wrong_answers=(), hint=True):
    """Fail with an explanation unless `got` matches `expected`.

    `expected` is secret (the reference on hidden inputs), so the message says
    where and roughly how far `got` is off, never the expected numbers.
    `wrong_answers` is a sequence of grader.vocabulary.WrongAnswer (`bug.given(value)`):
    results a known bug would produce, so the message can name the bug
    (grader.kit.bugs builds them). `hint=False` names no bug.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = as_array(got, expected, name, call)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    atol = atol_scale * (scale if scale > 0 else 1.0)
    close = np.abs(got - expected) <= atol + rtol * np.abs(expected)
    if close.all():
        return
    where = f"{call}: {name}" if name else call
    rel = np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected))
    wrong = [_index(tuple(i)) for i in np.argwhere(~close)[:SHOWN_ENTRIES]] if got.ndim else []
    more = ", ..." if (~close).sum() > SHOWN_ENTRIES else ""
    entries = (f"is wrong in {int((~close).sum())} of {close.size} entries (at {', '.join(wrong)}{more})"
               if got.ndim else "is wrong")
    message = (f"{where} {entries}; the largest relative error is about {float(np.max(rel)):.0e} "
               f"(tolerance {rtol:g}).")
    bug = diagnose(got, expected, batch_size, wrong_answers, rtol, atol) if hint else None
    raise likely(bug, message) if bug else CheckFailure(message, ["wrong-values"])


def diagnose(got, expected, batch_size, wrong_answers, rtol, atol):
    """The known bug (a grader.vocabulary.Bug) that explains `got`, or None."""
    def same(a):
        a = np.asarray(a, dtype=np.float64)
        return a.shape == got.shape and np.allclose(got, a, rtol=max(rtol, 1e-6), atol=atol)
    candidates = list(wrong_answers) + [SIGN_FLIP.given(-expected)]
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1]:
        candidates.append(TRANSPOSED.given(expected.T))
    if batch_size:
        candidates += [SUM_NOT_MEAN.given(expected * batch_size), MEAN_NOT_SUM.given(expected / batch_size)]
    for bug, wrong in candidates:
        if same(wrong):
            return bug
    factor = _constant_factor(got, expected, rtol, atol)
    if factor:
        return SCALED._replace(hint=factor)
    if np.allclose(got, 0):
        return ZEROS
    return None


MOST = 0.75  # share of the entries a constant factor must explain before it is named


def _constant_factor(got, expected, rtol, atol):
    """The hint 'off by a constant factor of r' when got = r * expected at most entries (at
    every one, or it says at how many), r is neither 0 nor 1 and two non-zero entries show it;
    else the empty string."""
    nonzero = np.abs(expected) > atol
    if nonzero.sum() < 2:  # one number is always "off by a factor"
        return ""
    r = float(np.median(got[nonzero] / expected[nonzero]))
    if abs(r) < 1e-12 or abs(r - 1) <= 1e-3:  # no factor: the difference lies elsewhere
        return ""
    agree = np.isclose(got, r * expected, rtol=max(rtol, 1e-6), atol=atol)
    if (agree & nonzero).sum() < 2 or agree.mean() < MOST:
        return ""
    where = "" if agree.all() else f" in {int(agree.sum())} of {agree.size} entries"
    return f"off by a constant factor of {fmt(r)}{where}"


def check_gradient(got, numeric, *, call, name="", of="your loss", threshold=1e-6, batch_size=None):
    """Fail unless an analytic gradient agrees with finite differences.

    `numeric` comes from the student's own function, so it may be quoted.
    `batch_size`: of a loss averaged over a batch, so that a missing 1/N is named
    as check_close names it.
    """
    numeric = np.asarray(numeric, dtype=np.float64)
    got = as_array(got, numeric, name, call)
    rel = np.abs(got - numeric) / np.maximum(1e-8, np.abs(got) + np.abs(numeric))
    if not rel.size or rel.max() <= threshold:
        return
    worst = np.unravel_index(np.argmax(rel), rel.shape) if rel.ndim else ()
    where = f"{call}: {name}" if name else call
    message = (f"{where} does not match finite differences of {of}: max relative error "
               f"{fmt(rel[worst])}{_at(worst)} (allowed {threshold:g}); "
               f"yours {fmt(got[worst])}, finite differences {fmt(numeric[worst])}.")
    bug = diagnose(got, numeric, batch_size, (), 1e-4, 1e-10)
    raise likely(bug, message) if bug else CheckFailure(message, ["gradient-check"])


def entry(result, key, call):
    """`result[key]` for a dict the student returned, or a failure saying what is missing."""
    if not isinstance(result, dict):
        what = type_name(result)
        raise CheckFailure(f"{call} returned a {what}; expected a dict with key {key!r}.", ["wrong-type"])
    if key not in result:
        raise CheckFailure(f"{call} returned a dict without the key {key!r} "
                           f"(its keys: {', '.join(map(repr, result)) or 'none'}).", ["missing-key"])
    return result[key]
