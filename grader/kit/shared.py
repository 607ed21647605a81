"""Helpers an assignment's public and hidden checks both use, kept once in
checks/public/shared.py (which ships to students with the public checks).

Check files are imported by path (pytest's importlib mode), so a plain
`import shared` beside them finds nothing; `shared.of(__file__)` loads the
file once per process, from a public or a hidden check alike."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def of(check_file: str) -> ModuleType:
    """checks/public/shared.py of the assignment whose check file is `check_file`."""
    path = Path(check_file).resolve().parents[1] / "public" / "shared.py"
    name = f"grader_checks_shared.{path.parents[2].name}"  # the assignment's slug
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
