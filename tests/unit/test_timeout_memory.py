"""A function that timed out fails at once when called again, and no other function does:
two modules' functions of one name (prob1d.train, prob2a.train) are two functions."""
import pytest

from grader.sandbox.errors import ChildTimeout
from grader.sandbox.proxy import Sandbox, Workspace


def sandbox_whose_calls(slow):
    """A Sandbox without a child: a call to a function named in `slow` times out, any other
    returns its label; `sent` records what reached the (missing) child."""
    sandbox = Sandbox(Workspace(folder="", modules={"prob1d": "", "prob2a": "", "models": ""}))
    sandbox.imported = {"prob1d", "prob2a", "models"}
    sandbox.sent = []

    def request(body, call, timeout):
        sandbox.sent.append(call)
        if call.split("(")[0] in slow:
            raise ChildTimeout(f"it did not finish within {timeout:g} s and was stopped", call)
        return {"ok": True, "value": call}
    sandbox._request = request
    return sandbox


def call(sandbox, module, *path):
    ref = sandbox.module(module)
    for name in path:
        ref = getattr(ref, name)
    return sandbox.call(ref, (), {})


def test_a_timeout_is_remembered_by_module_and_name():
    sandbox = sandbox_whose_calls({"train"})
    with pytest.raises(ChildTimeout) as first:
        call(sandbox, "prob1d", "train")
    with pytest.raises(ChildTimeout) as again:
        call(sandbox, "prob1d", "train")
    assert again.value is first.value and len(sandbox.sent) == 1  # the same verdict, nothing sent again
    with pytest.raises(ChildTimeout) as other:
        call(sandbox, "prob2a", "train")  # a function of its own: it runs (and here times out too)
    assert other.value is not first.value and len(sandbox.sent) == 2


def test_another_modules_function_of_the_same_name_still_runs():
    sandbox = sandbox_whose_calls({"train"})
    with pytest.raises(ChildTimeout):
        call(sandbox, "prob1d", "train")
    sandbox._request = lambda body, text, timeout: {"ok": True, "value": "trained"}
    assert call(sandbox, "prob2a", "train") == "trained"
    assert call(sandbox, "models", "MLP", "train") == "trained"  # a class's method of that name too
