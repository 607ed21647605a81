"""What a sandboxed process may read: the interpreter, its standard library,
the shared libraries it loads, a few system files, and only the installed
packages a submission may import (numpy, plus what the assignment declares,
with everything those need). Nothing else of site-packages, of /usr or of the
clone is visible, and data files that could rebuild withheld labels are cut
out of the packages that ship them (scikit-learn's bundled datasets).
"""
import csv
import functools
import importlib.metadata
import os
import re
import sys
import sysconfig

BASE_PACKAGES = ("numpy",)
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
                "/usr/share/zoneinfo", "/usr/share/fonts", "/usr/lib/locale")
PROC_FOR_CHILDREN = ("/proc/self", "/proc/cpuinfo", "/proc/meminfo", "/sys/devices/system/cpu")
WITHHELD = {"sklearn": ("datasets/data", "datasets/descr", "datasets/images")}


def interpreter():
    """The real interpreter binary: run directly, it needs no venv folder to start."""
    return os.path.realpath(sys.executable)


def stdlib_folders():
    """The base interpreter's standard library (a venv's own lib folder holds site-packages)."""
    stdlib = sysconfig.get_paths()["stdlib"]
    return sorted({stdlib} | {p for p in sys.path if p.startswith(sys.base_prefix) and "lib-dynload" in p})


def library_folders():
    """Folders of the shared libraries the interpreter and compiled packages load."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    candidates = [os.path.join(p, multiarch) for p in ("/usr/lib", "/lib")] + ["/lib64", "/usr/lib64"]
    return sorted({os.path.realpath(p) for p in candidates if multiarch and os.path.isdir(p)})


def interpreter_library():
    """The interpreter's own libpython, when it was built as a shared library outside the
    system's folders (pyenv, a custom prefix): the loader needs it before any import."""
    libdir, soname = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    path = os.path.join(libdir or "", soname or "")
    return [os.path.realpath(path)] if soname and sysconfig.get_config_var("Py_ENABLE_SHARED") and \
        os.path.isfile(path) else []


def _distribution_of(module):
    """The installed distribution that provides the top-level `module`: named in its
    top_level.txt or, lacking one (numpy's wheels), in its file list. Python 3.10's
    packages_distributions reads only the former, and Gradescope's Ubuntu 22.04 runs 3.10."""
    for dist in importlib.metadata.distributions():
        tops = (dist.read_text("top_level.txt") or "").split()
        if not tops:
            tops = {top.removesuffix(".py") for top in _top_entries(dist)}
        if module in tops:
            return dist
    raise LookupError(f"no installed package provides the module {module!r}")


def _top_entries(dist):
    """The first component of every path the distribution installed. Read from RECORD's
    first column, as `dist.files` does, without making a path object per file: numpy,
    scikit-learn and matplotlib list some 18,000 files, and that cost 0.1 CPU s a grade."""
    record = dist.read_text("RECORD")
    if record is None:
        return {file.parts[0] for file in dist.files or () if file.parts}
    return {row[0].split("/", 1)[0] for row in csv.reader(record.splitlines()) if row and row[0]}


def _requirements(dist):
    for line in dist.requires or ():
        if "extra ==" in line:
            continue
        yield re.split(r"[ ;<>=!~\[(]", line, maxsplit=1)[0]


def package_paths(modules):
    """Top-level files and folders (in site-packages, dist-packages or wherever each is
    installed) of `modules` and of all they require."""
    return list(_package_paths(tuple(modules)))


@functools.lru_cache(maxsize=64)
def _package_paths(modules):
    """Remembered for the process's life: reading the packages' metadata costs a tenth of a
    CPU second, and a warm grader process (grader.classroom.warm) reads it once for all its forks."""
    todo = [_distribution_of(m) for m in modules]
    seen, paths = set(), set()
    while todo:
        dist = todo.pop()
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for top in _top_entries(dist):
            if not top.endswith((".dist-info", ".egg-info", ".pth")) and top != "__pycache__" and top != "..":
                paths.add(str(dist.locate_file(top)))
        for name in _requirements(dist):
            try:
                todo.append(importlib.metadata.distribution(name))
            except importlib.metadata.PackageNotFoundError:
                pass
    return tuple(sorted(p for p in paths if os.path.exists(p)))


def package_folders(paths):
    """The folders holding the packages: they go on the child's sys.path and may be listed."""
    return sorted({os.path.dirname(p) for p in paths})


def expand(paths, listable):
    """`paths` as Landlock rules, with WITHHELD parts left out: a rule grants a whole
    subtree, so a folder holding a withheld part is granted entry by entry instead,
    and only listed (added to `listable`), which imports need."""
    folders = list(listable)
    withheld = {os.path.join(f, pkg, part) for f in folders for pkg, parts in WITHHELD.items() for part in parts}
    withheld.update(folders)  # where the standard library holds one: only the packages below
    out = []

    def grant(path):
        if path in withheld:
            return
        if any(w.startswith(path + os.sep) for w in withheld):
            listable.append(path)
            for name in sorted(os.listdir(path)):
                grant(os.path.join(path, name))
        else:
            out.append(path)
    for path in paths:
        grant(path)
    return out


def _module_name(entry):
    """The top-level module an entry of site-packages provides ('' for metadata and caches)."""
    if entry.endswith((".dist-info", ".egg-info", ".pth")) or entry.startswith(("_", ".")) or "-" in entry:
        return ""
    return entry.split(".")[0]


def not_offered(packages=()):
    """Top-level modules installed beside the offered packages but not offered. A child
    imports them as if absent (ModuleNotFoundError): otherwise an optional import in an offered
    package (numpy.f2py's `try: import charset_normalizer`) would meet a file Landlock refuses,
    a PermissionError no `except ImportError` catches, and what the grader's own environment
    happens to hold would change a student's grade."""
    offered = package_paths(list(BASE_PACKAGES) + list(packages))
    granted = {_module_name(os.path.basename(p)) for p in offered}
    installed = {_module_name(entry) for folder in package_folders(offered) for entry in os.listdir(folder)}
    return sorted(installed - granted - {""})


def sandbox_view(packages=()):
    """(readable, listable): what the fork server and its children may read, and the
    folders whose entries they may only list (site-packages: the import system lists it)."""
    folders = [interpreter(), *interpreter_library(), *stdlib_folders(), *library_folders(), *SYSTEM_FILES]
    packages = package_paths(list(BASE_PACKAGES) + list(packages))
    listable = package_folders(packages)
    return expand(folders + packages, listable), listable
