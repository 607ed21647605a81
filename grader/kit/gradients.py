"""Gradients: the (loss, grads) pairing, finite differences staged in the
sandbox, and the verdicts a gradient check gives.

Finite differences of the student's own loss run in the child, all in one
round trip (grader.gradcheck.batched_gradient): `stage(batch, moved)` adds the
calls that evaluate the loss at `moved`; the helpers below build the usual
stages. Two verdicts:

- public checks: `agrees_with_own_loss` - the analytic gradient against
  finite differences of the student's own loss (numbers may be quoted, they
  come from the student's code); in the autograder a gradient equal to the
  reference's passes too, so a wrong loss is charged once, by its own item;
- hidden checks: `matches_reference` - against the reference; when it fails
  but agrees with the student's own loss, the hint points at the loss, once,
  and names no gradient bug (the backward pass follows a wrong forward pass).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..compare import as_array, check_close, check_gradient
from ..failures import CheckFailure
from ..gradcheck import H, batched_gradient
from ..vocabulary import FOLLOWS_WRONG_LOSS
from .values import array, entry, number, pair

__all__ = ["loss_and_grads", "grad_of", "numeric_gradient", "elementwise_numeric", "set_and_call", "set_entry_and_call",
           "call_with", "agrees_with_own_loss", "matches_reference", "FOLLOWS_OWN_LOSS", "DISAGREES_WITH_OWN_LOSS",
           "OWN_LOSS_RTOL"]

FOLLOWS_OWN_LOSS = ("It agrees with finite differences of your own loss, so the backward pass follows "
                    "your forward pass: look for the mistake in the forward pass and the loss.")
DISAGREES_WITH_OWN_LOSS = "It also disagrees with finite differences of your own loss: the backward pass is wrong."
NOT_THE_REFERENCE = "It does not match the reference's gradient either: the gradient itself is wrong."
OWN_LOSS_RTOL = 1e-5  # "agrees with your own loss": loose enough for central differences at h=1e-5
Stage = Callable[[object, np.ndarray], None]  # stage(batch, moved): adds the calls giving the loss at `moved`


def loss_and_grads(result: object, call: str) -> tuple[float, object]:
    """`(loss, grads)` as returned by a loss function: a float and a dict."""
    loss, grads = pair(result, call)
    return number(loss, call, "loss"), grads


def grad_of(grads: object, name: str, call: str) -> object:
    """grads[name] from a returned dict, or a failure naming the missing key."""
    return entry(grads, name, call)


def numeric_gradient(student: object, x: ArrayLike, stage: Stage, call: str, read: Callable | None = None,
                     h: float = H) -> np.ndarray:
    """Finite differences (step `h`) of the student's loss with respect to `x`, in one round trip.
    The last call `stage` adds for each point must return the loss (use `batch.call_first`
    for a function returning `(loss, grads)`), or what `read(result)` turns into the loss."""
    return batched_gradient(student, x, stage, read or (lambda value: number(value, call, "loss")), h=h)


def elementwise_numeric(f: Callable, z: ArrayLike, call: str) -> np.ndarray:
    """Finite differences of an elementwise function `f` (in the sandbox) at every entry of `z`,
    in two calls."""
    plus = array(f(z + H), np.shape(z), call)
    minus = array(f(z - H), np.shape(z), call)
    return (plus - minus) / (2 * H)


def set_and_call(obj: object, attribute: str, function: object, *args, first: bool = True, **kwargs) -> Stage:
    """A stage that sets `obj.attribute = moved` and evaluates `function(*args, **kwargs)`
    (its first result if `first`)."""
    def stage(batch, moved):
        batch.set(obj, attribute, moved if np.ndim(moved) else float(moved))
        (batch.call_first if first else batch.call)(function, *args, **kwargs)
    return stage


def set_entry_and_call(obj: object, attribute: str, values: dict, key: str, function: object, *args,
                       first: bool = True, **kwargs) -> Stage:
    """A stage for parameters kept in a dict attribute (`net.params`): sets
    `obj.attribute = {**values, key: moved}` and evaluates `function`."""
    def stage(batch, moved):
        batch.set(obj, attribute, {**values, key: moved})
        (batch.call_first if first else batch.call)(function, *args, **kwargs)
    return stage


def call_with(function: object, arguments: Callable[[np.ndarray], tuple[tuple, dict]], first: bool = False) -> Stage:
    """A stage for a loss that takes the parameter as an argument: `arguments(moved)` returns
    (args, kwargs) for `function` (e.g. a theta tuple with one entry moved)."""
    def stage(batch, moved):
        args, kwargs = arguments(moved)
        (batch.call_first if first else batch.call)(function, *args, **kwargs)
    return stage


def agrees_with_own_loss(got: object, numeric: ArrayLike, *, call: str, name: str = "", of: str = "your loss",
                         threshold: float = 1e-6, reference: ArrayLike | None = None,
                         batch_size: int | None = None) -> None:
    """Public verdict: the analytic gradient agrees with finite differences of the student's own loss.
    `batch_size`, for a loss averaged over a batch: a missing 1/N is named as the hidden checks name it.

    One bug, one charge: where the reference's gradient is at hand (`reference`: in the autograder,
    not in a student's own check, whose zip has no reference), a gradient equal to it passes even
    when the student's loss disagrees with it; that loss is wrong, and the item that grades the
    loss says so. A gradient that matches neither fails, and the message says both."""
    got = as_array(got, numeric, name, call)  # a wrong type or shape fails either way
    try:
        check_gradient(got, numeric, call=call, name=name, of=of, threshold=threshold, batch_size=batch_size)
    except CheckFailure as failure:
        if reference is None:
            raise
        try:
            check_close(got, reference, call=call, name=name, hint=False)
        except CheckFailure:
            raise CheckFailure(f"{failure.message}\n{NOT_THE_REFERENCE}", failure.tags, failure.bugs) from None


def _agrees(got, numeric):
    got = np.asarray(got, dtype=np.float64)
    return got.shape == np.shape(numeric) and np.allclose(got, numeric, rtol=OWN_LOSS_RTOL, atol=1e-8)


def matches_reference(got: object, expected: ArrayLike, *, call: str, name: str = "",
                      own_numeric: Callable[[], np.ndarray] | None = None, wrong_answers: Sequence = (),
                      batch_size: int | None = None) -> None:
    """Hidden verdict: `got` matches the reference's gradient.

    `own_numeric()` (called only when the values are wrong) gives finite differences of the
    student's own loss. If they agree with `got`, the failure points at the loss and names no
    gradient bug; otherwise it names the likely gradient bug and says the backward pass is wrong.
    """
    got = as_array(got, expected, name, call)  # a wrong type or shape is not about the loss
    try:
        check_close(got, expected, call=call, name=name, wrong_answers=wrong_answers, batch_size=batch_size)
    except CheckFailure as failure:
        if own_numeric is None:
            raise
        try:
            numeric = own_numeric()
        except CheckFailure:  # the student's loss cannot be evaluated: the first verdict stands
            raise failure from None
        if _agrees(got, numeric):
            try:
                check_close(got, expected, call=call, name=name, hint=False)
            except CheckFailure as plain:
                raise FOLLOWS_WRONG_LOSS.failure(f"{plain.message}\n{FOLLOWS_OWN_LOSS}") from None
        raise CheckFailure(f"{failure.message}\n{DISAGREES_WITH_OWN_LOSS}", failure.tags, failure.bugs) from None

