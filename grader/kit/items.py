"""Families of graded items: one check function, a table of cases.

A handout often asks one question several times (the gradient for each
activation, each parameter, each question of a sheet). Written as a
function per item, the family repeats its declaration; written as
`@cases(...)`, it is one function and a table whose every row is its own
graded item, with its own number and title, in results.json and the
report. The weight (`@weight` / `@partial_credit`) is the family's.

    @weight(0.5)
    @cases("act", {"4.3": "tanh", "4.4": "relu"}, title="a {act} network classifies held-out moons")
    def test_network_classifies_held_out_moons(student, data, act):
        ...

Where titles do not follow one pattern, each row gives its own:
`{"4.3": ("a tanh network classifies held-out moons", "tanh"), ...}`.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest

MARK = "graded"  # the per-case mark the grading plugin reads: number and title


def cases(argnames: str, table: dict[str, tuple], title: str | None = None) -> pytest.MarkDecorator:
    """`table` maps an item number to (title, value, ...): one value per name in `argnames`.
    With a `title` template ("{act} network: ..."), a row is just its value(s), and the
    title is the template filled in with them."""
    names = [name.strip() for name in argnames.split(",")]
    params = []
    for number, row in table.items():
        if title is None:
            text, *values = row
        else:
            values = list(row) if isinstance(row, tuple) else [row]
            text = title.format(**dict(zip(names, values)))
        if len(values) != len(names):
            raise TypeError(f"case {number}: {len(values)} values for {len(names)} names ({argnames})")
        params.append(pytest.param(*values, id=number, marks=getattr(pytest.mark, MARK)(number=number, title=text)))
    return pytest.mark.parametrize(names, params)


def case_of(item: pytest.Item) -> tuple[str | None, str]:
    """(number, title) of a collected pytest item: its case's, else the function's own
    (`@number` and the first docstring line, as gradescope-utils has them)."""
    marker = item.get_closest_marker(MARK)
    if marker is not None:
        return marker.kwargs["number"], marker.kwargs["title"]
    doc = (item.function.__doc__ or "").strip()
    return getattr(item.function, "__number__", None), doc.splitlines()[0] if doc else item.name


def expand(function: Callable) -> list[tuple[str, str, dict]]:
    """[(number, title, kwargs)] of a check function outside pytest (the kit's own tests run
    each check directly): one entry per case, or the function's own if it has none."""
    for mark in getattr(function, "pytestmark", ()):
        rows = [(p, m) for p in mark.args[1] for m in p.marks if m.name == MARK] if mark.name == "parametrize" else []
        if rows:
            return [(m.kwargs["number"], m.kwargs["title"], dict(zip(mark.args[0], p.values))) for p, m in rows]
    doc = (function.__doc__ or "").strip()
    return [(function.__number__, doc.splitlines()[0] if doc else function.__name__, {})]
