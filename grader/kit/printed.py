"""Numbers a student's code printed, read in linear time.

Printed output is hostile input: a line of 65,000 spaces must not cost
minutes in a backtracking regular expression, and a child that forges its
reply can send megabytes where the sandbox captures 64 KB. Only the first
MAX_TEXT characters are read, cut into lines, each cut to MAX_LINE characters
(at most MAX_LINES lines), and each line is read once, left to right, by a
tokenizer whose patterns cannot backtrack beyond one token: time and memory
grow linearly with MAX_TEXT at most. Then:

- `labelled_values(text)`: every `label = number` or `label = [numbers]`
  (`=` or `:` or nothing between, any spacing, any float format, an index
  such as `dW[11, 27]` part of the label, arrays over several lines);
  label -> list of floats, first occurrence wins.
- `verdicts(text)`: every `Param i is CORRECT|WRONG, error = e` line, as
  (i, verdict, e) with e a float (NaN when printed so) or None.
"""
from __future__ import annotations

import math
import re

__all__ = ["MAX_TEXT", "MAX_LINE", "MAX_LINES", "tokens", "labelled_values", "label", "verdicts"]

MAX_TEXT = 256 * 1024  # characters read in all: four times what the sandbox captures of one call
MAX_LINE = 2000      # characters read per line
MAX_LINES = 20000    # lines read per text
MAX_ARRAY = 100000   # tokens read for one printed array
_TOKEN = re.compile(r"\s+|([A-Za-z_]\w*)|([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)|(.)")
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "NaN": math.nan, "Inf": math.inf}


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: 'name', 'number', 'punct', and 'end' at each line's end."""
    out = []
    for line in text[:MAX_TEXT].splitlines()[:MAX_LINES]:
        line, pos = line[:MAX_LINE], 0
        while pos < len(line):
            match = _TOKEN.match(line, pos)
            pos = match.end()
            if match.group(1):
                out.append(("name", match.group(1)))
            elif match.group(2):
                out.append(("number", match.group(2)))
            elif match.group(3):
                out.append(("punct", match.group(3)))
        out.append(("end", ""))
    return out


def label(name: str, index: tuple = ()) -> str:
    """The normalised label `labelled_values` uses: `dW[11,27]`, `loss`."""
    return name + (f"[{','.join(str(i) for i in index)}]" if index else "")


def _number(token):
    kind, text = token
    if kind == "number":
        return float(text)
    if kind == "name" and text in _SPECIAL:
        return _SPECIAL[text]
    return None


def _index(toks, i):
    """Integers in `[a, b]` groups from toks[i]; (index, next position)."""
    index = []
    while i < len(toks) and toks[i] == ("punct", "["):
        j, group = i + 1, []
        while j < len(toks) and toks[j][0] == "number" and toks[j][1].isdigit():
            group.append(int(toks[j][1]))
            j += 1
            if j < len(toks) and toks[j] == ("punct", ","):
                j += 1
        if not group or j >= len(toks) or toks[j] != ("punct", "]"):
            break
        index += group
        i = j + 1
    return tuple(index), i


def _values(toks, i):
    """A number, or the numbers of a bracketed array (over lines); (values or None, next position)."""
    if i < len(toks) and toks[i] == ("punct", "["):
        values, j = [], i + 1
        while j < len(toks) and j - i < MAX_ARRAY and toks[j] != ("punct", "]"):
            value = _number(toks[j])
            if value is not None:
                values.append(value)
            elif toks[j][0] not in ("end",) and toks[j] not in (("punct", ","), ("punct", "[")):
                return None, j
            j += 1
        return (values, j + 1) if values and j < len(toks) else (None, j)
    value = _number(toks[i]) if i < len(toks) else None
    return ([value], i + 1) if value is not None else (None, i)


def labelled_values(text: str) -> dict[str, list[float]]:
    """label -> printed values (a list of floats), for every labelled number or array in `text`."""
    toks, found, i = tokens(text), {}, 0
    while i < len(toks):
        kind, name = toks[i]
        if kind != "name" or name in _SPECIAL:
            i += 1
            continue
        index, j = _index(toks, i + 1)
        if j < len(toks) and toks[j] in (("punct", "="), ("punct", ":")):
            j += 1
        values, after = _values(toks, j)
        if values is not None:
            found.setdefault(label(name, index), values)
            i = after
        else:
            i = max(j, i + 1)
    return found


def verdicts(text: str) -> list[tuple[int, str, float | None]]:
    """(parameter index, 'CORRECT' or 'WRONG', error or None) per `Param i is ... error = e` line."""
    out, line = [], []
    for token in tokens(text):
        if token[0] != "end":
            line.append(token)
            continue
        words = [t for t in line if t[0] != "punct"]
        if (len(words) >= 4 and words[0] == ("name", "Param") and words[1][0] == "number"
                and words[1][1].isdigit() and words[2] == ("name", "is") and words[3][1] in ("CORRECT", "WRONG")):
            error = None
            for k, word in enumerate(words[4:-1], start=4):
                if word == ("name", "error"):
                    error = _number(words[k + 1])
                    break
            out.append((int(words[1][1]), words[3][1], error))
        line = []
    return out
