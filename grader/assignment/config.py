"""An assignment's manifest, assignments/<slug>/assignment.toml, read strictly.

Every key is declared once, with its type, default, help text and range: a
table read into a record is a dataclass whose fields are declared with `key()`
(the top level is `Assignment`, [limits] is `Limits`, whose per-child part the
sandbox owns); a table read into a dict is a dict of `Key`s. The parser
(`read_table`) and docs/manifest.md (grader/authoring/manifest_doc.py) are derived from
them (`python -m grader check-config all` loads every manifest). A key that is
not declared is an error naming the key and the closest declared one, at
any level: a misspelt `time_budjet` or `[withold]` must not load silently
with the default in its place (withheld labels would reach the child).

Top-level keys: the fields of Assignment. Tables:
    [limits]             Limits: per child, plus the cap for a whole submission
    [sandbox]            SandboxAccess: what the child may read besides the stdlib and numpy
    [training.<run>]     TRAINING_RUN: settings and bars of one training run a check makes
    [parts.<n>]          PART: title and points of part n
    [[manual]]           MANUAL: questions course staff grade
    [late_policy]        LATE_POLICY
    [withhold], [release_withhold]: data file -> array names
    [bench]              Bench: the assignment's probe for `make bench`

This module is the one place that reads TOML (`read_toml`).
"""
import copy
import difflib
import re
import sys
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import datetime
from pathlib import Path

from ..sandbox.limits import Limits as ChildLimits
from .late import parse_time

if sys.version_info >= (3, 11):
    import tomllib
else:  # Gradescope's image runs Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED = object()


class ConfigError(Exception):
    pass


def read_toml(path):
    """A TOML file as a dict; a syntax error names the file."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as problem:
        raise ConfigError(f"{path}: {problem}") from None


def parse_toml(text, where="<text>"):
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise ConfigError(f"{where}: {problem}") from None


@dataclass(frozen=True)
class Key:
    """One declared key: accepted type(s), default (REQUIRED if none) and help text.
    `valid(value)` returns the reason a value is out of range, or ''."""
    type: object
    default: object
    help: str
    valid: object = None


def key(default, help, valid=None, *, kind=None, read=None):
    """A key declared as a field of a record (Assignment, Limits, ...). A record as the default
    (e.g. `Limits()`) makes the key a table read into that record; `read(raw, where, top)` builds
    the value of a table read another way (top: the checked top-level keys); `kind` overrides
    the type the field's annotation gives (float: any number)."""
    metadata = {"help": help, "valid": valid, "kind": kind, "read": read,
                "default": {} if is_dataclass(default) else default}
    if default is REQUIRED:
        return field(metadata=metadata)
    if read:
        return field(default_factory=lambda: read(copy.deepcopy(default), "", {}), metadata=metadata)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def schema(record):
    """The Keys of a record's declared fields (those with help text), in declaration order."""
    out, types = {}, typing.get_type_hints(record)  # the annotations as types, even if written as text
    for f in fields(record):
        if "help" not in f.metadata:
            continue
        kind = f.metadata.get("kind") or (dict if is_dataclass(types[f.name])
                                          else {float: NUMBER}.get(types[f.name], types[f.name]))
        default = f.metadata.get("default", f.default)
        out[f.name] = Key(kind, REQUIRED if default is MISSING else default, f.metadata["help"],
                          f.metadata.get("valid"))
    return out


def _positive(value):
    """> 0"""
    return "" if value > 0 else "must be > 0"


def _fraction(value):
    """0 to 1"""
    return "" if 0 <= value <= 1 else "must be between 0 and 1"


def _at_least_zero(value):
    """>= 0"""
    return "" if value >= 0 else "must be >= 0"


def _percent(value):
    """0 to 100"""
    return "" if 0 <= value <= 100 else "must be between 0 and 100"


def _python_files(value):
    """.py file names, no folders"""
    bad = [v for v in value if not isinstance(v, str) or not v.endswith(".py") or "/" in v or "\\" in v]
    return f"must name .py files in the submission's folder, not {bad}" if bad else ""


def _time(value):
    """with a UTC offset"""
    try:
        parse_time(value)
    except (TypeError, ValueError) as problem:
        return f"must be a date and time with its UTC offset ({problem})"
    return ""


def _extensions(value):
    """each a date and time with a UTC offset"""
    return "; ".join(f"{k!r} {_time(t)}" for k, t in value.items() if _time(t))


def _str_list(value):
    """strings"""
    return "" if all(isinstance(v, str) for v in value) else "must be a list of strings"


def _late_kind(value):
    """none | per_day"""
    return "" if value in ("none", "per_day") else "must be 'none' or 'per_day'"


def _one_of(*allowed):
    def valid(value):
        return "" if value in allowed else f"must be one of {', '.join(allowed)}"
    valid.__doc__ = " | ".join(allowed)
    return valid


NUMBER = (int, float)
TIME = (str, datetime)  # TOML's own date-times, or ISO 8601 text
VISIBILITIES = ("after_due_date", "after_published", "hidden", "visible")  # Gradescope's values
TRAINING_RUN = {
    "timeout": Key(NUMBER, 60.0, "seconds the training call may take (replaces call_timeout)", _positive),
    "seed": Key(int, 0, "seed of numpy's global generator in the child before training", _at_least_zero),
    "epochs": Key(int, None, "passes over the training data", _positive),
    "iterations": Key(int, None, "training steps", _positive),
    "batch_size": Key(int, None, "examples per step", _positive),
    "examples": Key(int, None, "training examples the run uses: the first N of the data (all when unset)",
                    _positive),
    "held_out": Key(int, None, "held-out examples measured: the first N (all when unset)", _positive),
    "hidden_size": Key(int, None, "hidden units", _positive),
    "std": Key(NUMBER, None, "scale of the initial weights", _positive),
    "learning_rate": Key(NUMBER, None, "step size", _positive),
    "learning_rate_decay": Key(NUMBER, None, "step size factor per epoch", _positive),
    "reg": Key(NUMBER, None, "L2 penalty weight", _at_least_zero),
    "min_accuracy": Key(NUMBER, None, "lowest accuracy that passes (fraction)", _fraction),
    "max_accuracy": Key(NUMBER, None, "highest accuracy that passes (fraction): a model that cannot fit the data",
                        _fraction),
    "min_margin": Key(NUMBER, None, "lowest lead in accuracy over the simpler model the check also trains "
                      "(fraction)", _fraction),
    "max_error": Key(NUMBER, None, "highest error rate that passes (fraction)", _fraction),
    "max_loss": Key(NUMBER, None, "highest loss of the trained model that passes (on the data "
                    "the check measures)", _at_least_zero),
    "max_outputs_gap": Key(NUMBER, None, "highest distance of the trained network's outputs from the "
                           "reference's, trained from the same start (relative to their largest entry)",
                           _at_least_zero),
    "max_loss_gap": Key(NUMBER, None, "highest distance of the (reference's) cost of the trained parameters from "
                        "that of the reference's own run from the same start (relative)", _at_least_zero),
}
PART = {
    "title": Key(str, "", "what the part grades"),
    "points": Key(NUMBER, REQUIRED, "points of the part; its checks' weights must add up to this",
                  _at_least_zero),
}
MANUAL = {
    "question": Key(str, REQUIRED, "the question staff grade"),
    "points": Key(NUMBER, REQUIRED, "its points", _at_least_zero),
    "label": Key(str, "", "what the heading of its answer starts with, e.g. 'Q1.6' (default 'Question <n>'); "
                 "see `python -m grader manual-pdfs`"),
}
LATE_POLICY = {
    "kind": Key(str, "none", "'none' (say it was late, deduct nothing) or 'per_day'",
                _late_kind),
    "percent_per_day": Key(NUMBER, None, "percent off the score per started day late (required by 'per_day')",
                           _percent),
    "max_days": Key(NUMBER, None, "later than this many days scores 0", _at_least_zero),
    "due_date": Key(TIME, None, "due date with UTC offset, e.g. '2026-03-01T23:59:00-05:00', for grade-all "
                    "(on Gradescope its own due date counts)", _time),
    "extensions": Key(dict, {}, "a student's SID or email -> their own due date, for grade-all",
                      _extensions),
}


def type_name(kind):
    if kind == NUMBER:
        return "a number"
    if kind == TIME:
        return "a date and time"
    return {bool: "true or false", int: "an integer", str: "a string", list: "a list", dict: "a table"}[kind]


def read_table(raw, schema_or_record, where):
    """`raw` checked against a dict of Keys or a record's declared fields: defaults filled in,
    unknown keys, types and ranges refused."""
    declared = schema(schema_or_record) if is_dataclass(schema_or_record) else schema_or_record
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table, not {type(raw).__name__}")
    for name in raw:
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(declared)})"
            raise ConfigError(f"{where}: unknown key '{name}'{hint}")
    out = {}
    for name, declaration in declared.items():
        if name not in raw:
            if declaration.default is REQUIRED:
                raise ConfigError(f"{where}: missing key '{name}' ({declaration.help})")
            out[name] = copy.deepcopy(declaration.default)
            continue
        value = raw[name]
        kinds = declaration.type if isinstance(declaration.type, tuple) else (declaration.type,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise ConfigError(f"{where}: '{name}' must be {type_name(declaration.type)}, not {value!r}")
        problem = declaration.valid(value) if declaration.valid else ""
        if problem:
            raise ConfigError(f"{where}: '{name}' {problem} (got {value!r})")
        out[name] = float(value) if declaration.type == NUMBER else value
    return out


@dataclass(frozen=True)
class Limits(ChildLimits):
    """The manifest's [limits]: the sandbox's per-child limits (declared in grader/sandbox/limits.py)
    plus the cap for a whole submission; grader.grading.adapter hands the sandbox its own part."""
    submission_timeout: float = key(900.0, "overall cap in seconds for grading one submission "
                                    "(intake, every check, results); must be >= time_budget", _positive)


@dataclass(frozen=True)
class SandboxAccess:
    """The manifest's [sandbox]."""
    packages: list = key([], "extra importable packages the child may read besides the standard "
                         "library and numpy, e.g. ['matplotlib', 'sklearn']", _str_list)


@dataclass(frozen=True)
class Bench:
    """The manifest's [bench]."""
    probe: str = key("", "a .py file in the assignment's folder whose `run(student, data)` trains "
                     "once in the sandbox, for the child-memory figure of `make bench` ('' = none)")


class TrainingRun(dict):
    """One [training.<run>] table, every TRAINING_RUN key present (None when unset).
    `run.epochs` reads a key; reading one the manifest leaves unset is an error naming it."""

    def __init__(self, values, name):
        super().__init__(values)
        self.name = name

    def __getattr__(self, key):
        if key not in TRAINING_RUN:
            raise AttributeError(key)
        if self[key] is None:
            raise ConfigError(f"assignment.toml: [training.{self.name}] has no '{key}' ({TRAINING_RUN[key].help})")
        return self[key]


def late_policy(raw, where):
    """The checked [late_policy], without the keys left unset (grader.assignment.late reads it)."""
    policy = {k: v for k, v in read_table(raw, LATE_POLICY, where).items() if v is not None}
    if policy["kind"] == "per_day" and "percent_per_day" not in policy:
        raise ConfigError(f"{where}: kind 'per_day' needs 'percent_per_day' (else a late student loses nothing)")
    return policy


def _late_policy(raw, where, top):
    return late_policy(raw, f"{where} [late_policy]")


def _parts(raw, where, top):
    parts = {}
    for number, part in raw.items():
        if not number.isdigit():
            raise ConfigError(f"{where}: part '{number}' must be numbered ([parts.1], [parts.2], ...)")
        parts[number] = read_table(part, PART, f"{where} [parts.{number}]")
    if not parts:
        raise ConfigError(f"{where}: no [parts.<n>] tables")
    return parts


def _training(raw, where, top):
    return {name: TrainingRun(read_table(run, TRAINING_RUN, f"{where} [training.{name}]"), name)
            for name, run in raw.items()}


def _manual(raw, where, top):
    manual = [read_table(q, MANUAL, f"{where} [[manual]] #{i + 1}") for i, q in enumerate(raw)]
    _distinct_labels(manual, where)
    return manual


def _withheld(table):
    """The reader of [withhold] or [release_withhold]: data file -> array names."""
    def read(raw, where, top):
        out, data = {}, top.get("data", [])
        for name, arrays in raw.items():
            if name not in data:
                close = difflib.get_close_matches(name, data, n=1)
                raise ConfigError(f"{where} [{table}]: '{name}' is not one of the data files {data}"
                                  + (f"; did you mean '{close[0]}'?" if close else ""))
            if not isinstance(arrays, list) or _str_list(arrays):
                raise ConfigError(f"{where} [{table}]: '{name}' must list array names")
            out[name] = arrays
        return out
    return read


@dataclass
class Assignment:
    """An assignment: its slug and root, then the manifest's top-level keys, each declared here once
    (type from the annotation, default, help, range); parse_manifest and docs/manifest.md read them."""
    slug: str
    title: str = key(REQUIRED, "the assignment's title, shown in reports")
    origin: str = key(REQUIRED, "the course and document the assignment comes from")
    submit: list = key(REQUIRED, "files a student submits (module name = file stem)", _python_files)
    parts: dict = key(REQUIRED, "[parts.<n>] tables: each part's title and points", read=_parts)
    extra_modules: list = key([], "optional helper .py files a student may submit beside the required "
                              "ones (e.g. ['layers.py']); staged when present", _python_files)
    notebook: list = key([], "submitted files that may instead come from a notebook's code cells", _str_list)
    support: list = key([], "trusted files from reference/<slug> staged beside the submission", _str_list)
    data: list = key([], "data files from assignments/<slug>/data staged for the child", _str_list)
    time_budget: float = key(600.0, "seconds for all checks of one submission; later checks are "
                             "'Not run: time budget'", _positive)
    withhold: dict = key({}, "data file -> arrays the child never receives (labels the grader scores on)",
                         read=_withheld("withhold"))
    release_withhold: dict = key({}, "data file -> arrays left out of the student zip",
                                 read=_withheld("release_withhold"))
    limits: Limits = key(Limits(), "per-child limits and the cap for one submission")
    sandbox: SandboxAccess = key(SandboxAccess(), "what the child may read besides the standard library "
                                 "and numpy")
    training: dict = key({}, "training runs: [training.<run>] tables", read=_training)
    manual: list = key([], "[[manual]] questions graded by course staff", read=_manual)
    late_policy: dict = key({}, "deduction for late work", read=_late_policy)
    hidden_visibility: str = key("after_due_date", "when students see the results of checks/hidden items "
                                 "on Gradescope (a check's own @visibility wins)", _one_of(*VISIBILITIES))
    bench: Bench = key(Bench(), "the assignment's probe for `make bench`")
    root: Path = REPO_ROOT

    @property
    def packages(self):
        """The [sandbox] packages (the name the sandbox's callers use)."""
        return self.sandbox.packages

    @property
    def bench_probe(self):
        return self.bench.probe

    @property
    def folder(self):
        return self.root / "assignments" / self.slug

    @property
    def reference(self):
        return self.root / "reference" / self.slug

    @property
    def template(self):
        return self.root / "student_template" / self.slug

    @property
    def checks(self):
        return [self.folder / "checks" / "public", self.folder / "checks" / "hidden"]

    @property
    def data_folder(self):
        return self.folder / "data"

    @property
    def modules(self):
        """Importable module name -> the submitted file it comes from."""
        return {Path(name).stem: name for name in self.submit}

    @property
    def total_points(self):
        return sum(part["points"] for part in self.parts.values())

    def run(self, name):
        """The [training.<name>] settings; an unknown run names the closest one."""
        if name not in self.training:
            close = difflib.get_close_matches(name, list(self.training), n=1, cutoff=0.5)
            raise ConfigError(f"assignment.toml of {self.slug}: no [training.{name}]"
                              + (f"; did you mean [training.{close[0]}]?" if close else ""))
        return self.training[name]


TOP = schema(Assignment)
LIMITS = schema(Limits)


def heading_key(text):
    """A [[manual]] label or a student's heading as they are compared: letters and digits, lower case
    ("Q1.6" ~ "q 1-6")."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _distinct_labels(manual, where):
    """No [[manual]] label may begin another's (as `heading_key`s), or an answer headed with the
    longer one could be filed under the shorter."""
    keys = [heading_key(q["label"] or f"Question {n}") for n, q in enumerate(manual, 1)]
    for a, first in enumerate(keys):
        if not first:
            raise ConfigError(f"{where}: [[manual]] #{a + 1} label {manual[a]['label']!r} has no letter or digit")
        for b, second in enumerate(keys):
            if a != b and second.startswith(first):
                raise ConfigError(f"{where}: [[manual]] #{a + 1} label {manual[a]['label']!r} "
                                  f"begins the label of #{b + 1} ({manual[b]['label']!r})")


def parse_manifest(raw, slug, where="assignment.toml", root=REPO_ROOT):
    """An Assignment from the dict of an assignment.toml; ConfigError names what is wrong.
    Every declared key is read the same way: checked (read_table), then a record's table
    into its record, any other table by its field's `read`."""
    top, records = read_table(raw, Assignment, where), typing.get_type_hints(Assignment)
    for declared in fields(Assignment):
        if declared.name not in top:
            continue
        if declared.metadata.get("read"):
            top[declared.name] = declared.metadata["read"](top[declared.name], where, top)
        elif is_dataclass(records.get(declared.name)):
            record = records[declared.name]
            top[declared.name] = record(**read_table(top[declared.name], record, f"{where} [{declared.name}]"))
    if top["limits"].submission_timeout < top["time_budget"]:
        raise ConfigError(f"{where}: [limits] submission_timeout ({top['limits'].submission_timeout:g} s) is "
                          f"shorter than time_budget ({top['time_budget']:g} s)")
    unknown_notebook = set(top["notebook"]) - set(top["submit"])
    if unknown_notebook:
        raise ConfigError(f"{where}: 'notebook' lists {sorted(unknown_notebook)}, which are not in 'submit'")
    return Assignment(slug=slug, root=Path(root), **top)


def load_assignment(slug, root=REPO_ROOT):
    path = Path(root) / "assignments" / slug / "assignment.toml"
    if not path.is_file():
        known = ", ".join(all_slugs(root)) or "none"
        raise ConfigError(f"no assignment {slug!r} (known: {known})")
    return parse_manifest(read_toml(path), slug, str(path.relative_to(root)), root)


def check_files(assignment):
    """Files the manifest names that do not exist, as messages (empty when all is well)."""
    wanted = [assignment.reference / name for name in assignment.submit + assignment.support]
    wanted += [assignment.data_folder / name for name in assignment.data]
    wanted += [assignment.folder / assignment.bench_probe] if assignment.bench_probe else []
    return [f"{assignment.slug}: {path.relative_to(assignment.root)} does not exist"
            for path in wanted if not path.is_file()]


def all_slugs(root=REPO_ROOT):
    return sorted(p.parent.name for p in (Path(root) / "assignments").glob("*/assignment.toml"))

