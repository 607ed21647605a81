"""Import trusted modules (reference solutions) from a folder, without leaving
their plain names (`models`, `util`, ...) in `sys.modules` for others to clash with."""
import importlib
import sys
from pathlib import Path
from types import SimpleNamespace


def load_modules(folder, names):
    """A namespace of freshly imported modules `names` from `folder`."""
    folder = str(Path(folder).resolve())
    local = {p.stem for p in Path(folder).glob("*.py")}
    saved = {n: sys.modules.pop(n) for n in local if n in sys.modules}
    sys.path.insert(0, folder)
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep reference/ clean
    try:
        return SimpleNamespace(**{n: importlib.import_module(n) for n in names})
    finally:
        sys.dont_write_bytecode = bytecode
        sys.path.remove(folder)
        for n in local:
            sys.modules.pop(n, None)
        sys.modules.update(saved)
