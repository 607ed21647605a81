"""Python 2 leftovers in a submitted file, named in one line instead of a bare SyntaxError.

`looks_like_python2` is a cheap scan the grader runs itself (linear regular
expressions, no parsing); only a file it flags goes to `diagnose`, which
compiles and tokenizes it in `grader.submission.quarantine`'s limited process.
"""
import io
import re
import tokenize

PREFILTER = re.compile(
    r"^[ \t]*(?:print|exec)[ \t]+[^ \t(=.,)\n]|^[ \t]*print[ \t]*$"
    r"|^[ \t]*(?:except|raise)[ \t]+[\w.]+[ \t]*,"
    r"|\b(?:xrange|raw_input|unichr|basestring|has_key|iteritems|itervalues|iterkeys)\b", re.M)

WHY = {
    "print": "print is a function in Python 3: print(...)",
    "exec": "exec is a function in Python 3: exec(...)",
    "except": "'except E, e:' is written 'except E as e:'",
    "raise": "'raise E, message' is written 'raise E(message)'",
    "`": "backticks are written repr(...)",
    "xrange": "xrange is range in Python 3",
    "raw_input": "raw_input is input in Python 3",
    "unichr": "unichr is chr in Python 3",
    "basestring": "basestring is str in Python 3",
    "has_key": "d.has_key(k) is written k in d",
    "iteritems": "d.iteritems() is d.items() in Python 3",
    "itervalues": "d.itervalues() is d.values() in Python 3",
    "iterkeys": "d.iterkeys() is d.keys() in Python 3",
}
RENAMED = {"xrange", "raw_input", "unichr", "basestring"}
METHODS = {"has_key", "iteritems", "itervalues", "iterkeys"}
STATEMENT_START = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT}
AFTER_A_NAME = {"(", ")", "=", ".", ",", ";", ":"}  # print/exec used as names, not statements
OPENING, CLOSING = {"(", "[", "{"}, {")", "]", "}"}


def looks_like_python2(text):
    return PREFILTER.search(text) is not None


def _findings(source):
    """(line, kind) of each Python 2 construct the tokenizer sees (not in strings or comments)."""
    found, previous = [], None
    statement, depth = None, 0  # a print/exec/except/raise statement being read, and bracket depth in it
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text, line = tok.type, tok.string, tok.start[0]
            starts = previous is None or previous.type in STATEMENT_START or previous.string in (":", ";")
            if statement in ("print", "exec"):  # the token after the keyword tells statement from call
                if not (kind == tokenize.OP and text in AFTER_A_NAME) and kind not in STATEMENT_START:
                    found.append((line, statement))
                statement = None
            elif statement in ("except", "raise") and kind == tokenize.OP:
                depth += (text in OPENING) - (text in CLOSING)
                if text == "," and depth == 0:
                    found.append((line, statement))
                if text in (",", ":") and depth == 0:
                    statement = None
            if kind in (tokenize.NEWLINE, tokenize.NL):
                statement = None
            if kind == tokenize.NAME and starts and text in ("print", "exec", "except", "raise"):
                statement, depth = text, 0
            if text == "`":
                found.append((line, text))
            if kind == tokenize.NAME and (text in RENAMED or (text in METHODS and previous and previous.string == ".")):
                found.append((line, text))
            if kind != tokenize.COMMENT:
                previous = tok
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # what was found before the tokenizer gave up still stands
    return found


def _defines(source, names):
    """Which of `names` the file defines itself (`xrange = range` for both versions)."""
    return {n for n in names
            if re.search(rf"^[ \t]*(?:{n}[ \t]*=[^=]|def[ \t]+{n}\b|import[^\n]*\b{n}\b)", source, re.M)}


def diagnose(paths):
    """For each file: {"compiles": bool, "findings": [[line, kind], ...]}."""
    out = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            source = f.read()
        try:
            compile(source, path, "exec", dont_inherit=True, flags=0x400)  # PyCF_ONLY_AST: nothing runs
            compiles = True
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            compiles = False
        defined = _defines(source, RENAMED)
        findings = [(line, kind) for line, kind in _findings(source) if kind not in defined]
        out.append({"compiles": compiles, "findings": findings})
    return out


def headline(file, report, lines):
    """The one line a student reads, or None when the file is not Python 2 code.

    `lines` are the file's lines, to quote the first offending one.
    """
    findings = report["findings"]
    if not findings:
        return None
    kinds = []
    for _, kind in findings:
        if kind not in kinds:
            kinds.append(kind)
    if report["compiles"] and not set(kinds) & (RENAMED | METHODS):
        return None
    first_line, first_kind = findings[0]
    quoted = lines[first_line - 1].strip()[:80] if first_line <= len(lines) else ""
    more = "; ".join(WHY[k] for k in kinds[1:4])
    start = (f"{file} is Python 2 code, which Python 3 cannot run" if not report["compiles"]
             else f"{file} uses Python 2 names that Python 3 does not have")
    return (f"{start}: {WHY[first_kind]} (line {first_line}: {quoted})"
            + (f"; also {more}" if more else "") + f". {len(findings)} place(s) in all.")
