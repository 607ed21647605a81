"""An assignment's manifest, assignments/<slug>/assignment.toml, read strictly.

Every key is declared once below, with its type, default and help text
(`python -m grader check-config all` loads every manifest). A key that is
not declared is an error naming the key and the closest declared one, at
any level: a misspelt `time_budjet` or `[withold]` must not load silently
with the default in its place (withheld labels would reach the child).

Top-level keys: see TOP. Tables:
    [limits]             LIMITS: per child, plus the cap for a whole submission
    [sandbox]            SANDBOX: what the child may read besides the stdlib and numpy
    [training.<run>]     TRAINING_RUN: settings and bars of one training run a check makes
    [parts.<n>]          PART: title and points of part n
    [[manual]]           MANUAL: questions course staff grade
    [late_policy]        LATE_POLICY
    [withhold], [release_withhold]: data file -> array names
    [bench]              BENCH: the assignment's probe for `make bench`

This module is the one place that reads TOML (`read_toml`).
"""
import difflib
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .late import parse_time

if sys.version_info >= (3, 11):
    import tomllib
else:  # Gradescope's image runs Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[1]
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


def _positive(value):
    return "" if value > 0 else "must be > 0"


def _fraction(value):
    return "" if 0 <= value <= 1 else "must be between 0 and 1"


def _at_least_zero(value):
    return "" if value >= 0 else "must be >= 0"


def _python_files(value):
    bad = [v for v in value if not isinstance(v, str) or not v.endswith(".py") or "/" in v or "\\" in v]
    return f"must name .py files in the submission's folder, not {bad}" if bad else ""


def _time(value):
    try:
        parse_time(value)
    except (TypeError, ValueError) as problem:
        return f"must be a date and time with its UTC offset ({problem})"
    return ""


def _str_list(value):
    return "" if all(isinstance(v, str) for v in value) else "must be a list of strings"


NUMBER = (int, float)
TIME = (str, datetime)  # TOML's own date-times, or ISO 8601 text
VISIBILITIES = ("after_due_date", "after_published", "hidden", "visible")  # Gradescope's values
TOP = {
    "title": Key(str, REQUIRED, "the assignment's title, shown in reports"),
    "origin": Key(str, REQUIRED, "the course and document the assignment comes from"),
    "submit": Key(list, REQUIRED, "files a student submits (module name = file stem)", _python_files),
    "extra_modules": Key(list, [], "optional helper .py files a student may submit beside the required "
                         "ones (e.g. ['layers.py']); staged when present", _python_files),
    "notebook": Key(list, [], "submitted files that may instead come from a notebook's code cells", _str_list),
    "support": Key(list, [], "trusted files from reference/<slug> staged beside the submission", _str_list),
    "data": Key(list, [], "data files from assignments/<slug>/data staged for the child", _str_list),
    "time_budget": Key(NUMBER, 600.0, "seconds for all checks of one submission; later checks are "
                       "'Not run: time budget'", _positive),
    "withhold": Key(dict, {}, "data file -> arrays the child never receives (labels the grader scores on)"),
    "release_withhold": Key(dict, {}, "data file -> arrays left out of the student zip"),
    "limits": Key(dict, {}, "per-child limits and the cap for one submission"),
    "sandbox": Key(dict, {}, "what the child may read besides the standard library and numpy"),
    "training": Key(dict, {}, "training runs: [training.<run>] tables"),
    "parts": Key(dict, REQUIRED, "[parts.<n>] tables: each part's title and points"),
    "manual": Key(list, [], "[[manual]] questions graded by course staff"),
    "late_policy": Key(dict, {}, "deduction for late work"),
    "hidden_visibility": Key(str, "after_due_date", "when students see the results of checks/hidden items "
                             "on Gradescope: " + ", ".join(VISIBILITIES) + " (a check's own @visibility wins)",
                             lambda v: "" if v in VISIBILITIES else f"must be one of {', '.join(VISIBILITIES)}"),
    "bench": Key(dict, {}, "the assignment's probe for `make bench`"),
}
LIMITS = {
    "call_timeout": Key(NUMBER, 10.0, "seconds one call into student code may take", _positive),
    "import_timeout": Key(NUMBER, 10.0, "seconds importing the submission may take", _positive),
    "memory_mb": Key(int, 2048, "address space of a child, MB", _positive),
    "cpu_seconds": Key(int, 120, "CPU seconds of a child", _positive),
    "file_mb": Key(int, 16, "largest file a child may write, MB", _positive),
    "disk_mb": Key(int, 256, "most a child may keep in its folder, MB", _positive),
    "processes": Key(int, 64, "processes the sandbox account may run", _positive),
    "submission_timeout": Key(NUMBER, 900.0, "overall cap in seconds for grading one submission "
                              "(intake, every check, results); must be >= time_budget", _positive),
}
SANDBOX = {
    "packages": Key(list, [], "extra importable packages the child may read besides the standard "
                    "library and numpy, e.g. ['matplotlib', 'sklearn']", _str_list),
}
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
    "max_error": Key(NUMBER, None, "highest error rate that passes (fraction)", _fraction),
    "max_loss": Key(NUMBER, None, "highest loss of the trained model that passes (on the data "
                    "the check measures)", _at_least_zero),
    "max_outputs_gap": Key(NUMBER, None, "highest distance of the trained network's outputs from the "
                           "reference's, trained from the same start (relative to their largest entry)",
                           _at_least_zero),
}
PART = {
    "title": Key(str, "", "what the part grades"),
    "points": Key(NUMBER, REQUIRED, "points of the part; its checks' weights must add up to this",
                  _at_least_zero),
}
MANUAL = {
    "question": Key(str, REQUIRED, "the question staff grade"),
    "points": Key(NUMBER, REQUIRED, "its points", _at_least_zero),
}
LATE_POLICY = {
    "kind": Key(str, "none", "'none' (say it was late, deduct nothing) or 'per_day'",
                lambda v: "" if v in ("none", "per_day") else "must be 'none' or 'per_day'"),
    "percent_per_day": Key(NUMBER, None, "percent off the score per started day late (required by 'per_day')",
                           lambda v: "" if 0 <= v <= 100 else "must be between 0 and 100"),
    "max_days": Key(NUMBER, None, "later than this many days scores 0", _at_least_zero),
    "due_date": Key(TIME, None, "due date with UTC offset, e.g. '2026-03-01T23:59:00-05:00', for grade-all "
                    "(on Gradescope its own due date counts)", _time),
    "extensions": Key(dict, {}, "a student's SID or email -> their own due date, for grade-all",
                      lambda v: "; ".join(f"{k!r} {_time(t)}" for k, t in v.items() if _time(t))),
}
BENCH = {
    "probe": Key(str, "", "a .py file in the assignment's folder whose `run(student, data)` trains "
                 "once in the sandbox, for the child-memory figure of `make bench` ('' = none)"),
}


def _type_name(kind):
    if kind == NUMBER:
        return "a number"
    if kind == TIME:
        return "a date and time"
    return {bool: "true or false", int: "an integer", str: "a string", list: "a list", dict: "a table"}[kind]


def read_table(raw, schema, where):
    """`raw` checked against `schema`: defaults filled in, unknown keys, types and ranges refused."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table, not {type(raw).__name__}")
    for name in raw:
        if name not in schema:
            close = difflib.get_close_matches(name, list(schema), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(schema)})"
            raise ConfigError(f"{where}: unknown key '{name}'{hint}")
    out = {}
    for name, key in schema.items():
        if name not in raw:
            if key.default is REQUIRED:
                raise ConfigError(f"{where}: missing key '{name}' ({key.help})")
            out[name] = key.default
            continue
        value = raw[name]
        kinds = key.type if isinstance(key.type, tuple) else (key.type,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise ConfigError(f"{where}: '{name}' must be {_type_name(key.type)}, not {value!r}")
        problem = key.valid(value) if key.valid else ""
        if problem:
            raise ConfigError(f"{where}: '{name}' {problem} (got {value!r})")
        out[name] = float(value) if key.type == NUMBER else value
    return out


@dataclass(frozen=True)
class Limits:
    """The manifest's [limits]; grader.fixtures turns it into the sandbox's own record."""
    call_timeout: float = LIMITS["call_timeout"].default
    import_timeout: float = LIMITS["import_timeout"].default
    memory_mb: int = LIMITS["memory_mb"].default
    cpu_seconds: int = LIMITS["cpu_seconds"].default
    file_mb: int = LIMITS["file_mb"].default
    disk_mb: int = LIMITS["disk_mb"].default
    processes: int = LIMITS["processes"].default
    submission_timeout: float = LIMITS["submission_timeout"].default


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
    """The checked [late_policy], without the keys left unset (grader.late reads it)."""
    policy = {k: v for k, v in read_table(raw, LATE_POLICY, where).items() if v is not None}
    if policy["kind"] == "per_day" and "percent_per_day" not in policy:
        raise ConfigError(f"{where}: kind 'per_day' needs 'percent_per_day' (else a late student loses nothing)")
    return policy


@dataclass
class Assignment:
    slug: str
    title: str
    origin: str
    submit: list
    support: list = field(default_factory=list)
    data: list = field(default_factory=list)
    withhold: dict = field(default_factory=dict)
    notebook: list = field(default_factory=list)  # submitted files that may come from a .ipynb
    release_withhold: dict = field(default_factory=dict)  # data file -> arrays left out of the student zip
    parts: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)  # run name -> TrainingRun
    manual: list = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    time_budget: float = 600.0
    late_policy: dict = field(default_factory=lambda: late_policy({}, "[late_policy]"))
    extra_modules: list = field(default_factory=list)
    packages: list = field(default_factory=list)  # [sandbox] packages
    bench_probe: str = ""
    hidden_visibility: str = TOP["hidden_visibility"].default
    root: Path = REPO_ROOT

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


def _withheld(raw, where, data):
    out = {}
    for name, arrays in raw.items():
        if name not in data:
            close = difflib.get_close_matches(name, data, n=1)
            raise ConfigError(f"{where}: '{name}' is not one of the data files {data}"
                              + (f"; did you mean '{close[0]}'?" if close else ""))
        if not isinstance(arrays, list) or _str_list(arrays):
            raise ConfigError(f"{where}: '{name}' must list array names")
        out[name] = arrays
    return out


def parse_manifest(raw, slug, where="assignment.toml", root=REPO_ROOT):
    """An Assignment from the dict of an assignment.toml; ConfigError names what is wrong."""
    top = read_table(raw, TOP, where)
    limits = Limits(**read_table(top["limits"], LIMITS, f"{where} [limits]"))
    if limits.submission_timeout < top["time_budget"]:
        raise ConfigError(f"{where}: [limits] submission_timeout ({limits.submission_timeout:g} s) is shorter "
                          f"than time_budget ({top['time_budget']:g} s)")
    parts = {}
    for number, part in top["parts"].items():
        if not number.isdigit():
            raise ConfigError(f"{where}: part '{number}' must be numbered ([parts.1], [parts.2], ...)")
        parts[number] = read_table(part, PART, f"{where} [parts.{number}]")
    if not parts:
        raise ConfigError(f"{where}: no [parts.<n>] tables")
    training = {name: TrainingRun(read_table(run, TRAINING_RUN, f"{where} [training.{name}]"), name)
                for name, run in top["training"].items()}
    manual = [read_table(q, MANUAL, f"{where} [[manual]] #{i + 1}") for i, q in enumerate(top["manual"])]
    unknown_notebook = set(top["notebook"]) - set(top["submit"])
    if unknown_notebook:
        raise ConfigError(f"{where}: 'notebook' lists {sorted(unknown_notebook)}, which are not in 'submit'")
    return Assignment(
        slug=slug, title=top["title"], origin=top["origin"], submit=top["submit"],
        support=top["support"], data=top["data"],
        withhold=_withheld(top["withhold"], f"{where} [withhold]", top["data"]),
        notebook=top["notebook"],
        release_withhold=_withheld(top["release_withhold"], f"{where} [release_withhold]", top["data"]),
        parts=parts, training=training, manual=manual, limits=limits, time_budget=top["time_budget"],
        late_policy=late_policy(top["late_policy"], f"{where} [late_policy]"),
        extra_modules=top["extra_modules"],
        packages=read_table(top["sandbox"], SANDBOX, f"{where} [sandbox]")["packages"],
        bench_probe=read_table(top["bench"], BENCH, f"{where} [bench]")["probe"],
        hidden_visibility=top["hidden_visibility"], root=Path(root))


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

