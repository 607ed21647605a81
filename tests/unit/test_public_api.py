"""The sandbox package names its public API, and naming it loads nothing: the child's
server imports one submodule of the package and must not pull in the grader's side."""
import subprocess
import sys

import pytest

import grader.sandbox as sandbox
from conftest import REPO
from grader.sandbox import errors, proxy


def test_every_public_name_is_the_object_its_module_defines():
    assert sandbox.Sandbox is proxy.Sandbox and sandbox.ChildTimeout is errors.ChildTimeout
    for name in sandbox.__all__:
        value = getattr(sandbox, name)
        assert value.__module__.startswith("grader.sandbox."), name
    with pytest.raises(AttributeError, match="no attribute 'Sandbx'"):
        sandbox.Sandbx  # noqa: B018  reading it is what fails


def test_importing_one_submodule_loads_no_other():
    program = ("import sys, grader.sandbox.errors; "
               "print(sorted(m for m in sys.modules if m.startswith('grader.sandbox.')))")
    proc = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['grader.sandbox.errors']"
