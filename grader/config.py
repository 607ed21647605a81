"""An assignment's settings, read from assignments/<slug>/assignment.toml."""
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox.limits import Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # Gradescope's image runs Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[1]


class ConfigError(Exception):
    pass


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
    thresholds: dict = field(default_factory=dict)
    manual: list = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    time_budget: float = 600.0
    late_policy: dict = field(default_factory=dict)
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


def load_assignment(slug, root=REPO_ROOT):
    path = Path(root) / "assignments" / slug / "assignment.toml"
    if not path.is_file():
        known = ", ".join(all_slugs(root)) or "none"
        raise ConfigError(f"no assignment {slug!r} (known: {known})")
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    where = f"{path.relative_to(root)}"
    for key in ("title", "origin", "submit", "parts"):
        if key not in raw:
            raise ConfigError(f"{where}: missing key '{key}'")
    for number, part in raw["parts"].items():
        if "points" not in part:
            raise ConfigError(f"{where}: part '{number}' has no points")
    known_limits = set(Limits.__dataclass_fields__)
    unknown = set(raw.get("limits", {})) - known_limits
    if unknown:
        raise ConfigError(f"{where}: unknown [limits] keys {sorted(unknown)}")
    return Assignment(
        slug=slug, title=raw["title"], origin=raw["origin"], submit=raw["submit"],
        support=raw.get("support", []), data=raw.get("data", []),
        withhold=raw.get("withhold", {}), notebook=raw.get("notebook", []),
        release_withhold=raw.get("release_withhold", {}), parts=raw["parts"],
        thresholds=raw.get("thresholds", {}), manual=raw.get("manual", []),
        limits=Limits(**raw.get("limits", {})), time_budget=raw.get("time_budget", 600.0),
        late_policy=raw.get("late_policy", {}), root=Path(root))


def all_slugs(root=REPO_ROOT):
    return sorted(p.parent.name for p in (Path(root) / "assignments").glob("*/assignment.toml"))
