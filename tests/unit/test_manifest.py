"""assignment.toml is read strictly: unknown keys, wrong types and ranges fail at load."""
import copy
import dataclasses

import pytest

from grader.assignment.config import (
    LIMITS,
    TOP,
    TRAINING_RUN,
    ConfigError,
    all_slugs,
    check_files,
    load_assignment,
    parse_manifest,
    parse_toml,
    read_toml,
)
from grader.grading.grade import check_weights

GOOD = {
    "title": "t", "origin": "o", "submit": ["model.py"], "data": ["d.npz"], "time_budget": 100,
    "withhold": {"d.npz": ["y_test"]},
    "limits": {"call_timeout": 5},
    "training": {"digits": {"epochs": 3, "min_accuracy": 0.9}},
    "parts": {"1": {"title": "p", "points": 2}},
    "manual": [{"question": "q", "points": 1}],
    "late_policy": {"kind": "per_day", "percent_per_day": 10, "max_days": 3},
}


def edited(path, value):
    raw = copy.deepcopy(GOOD)
    *outer, last = path
    table = raw
    for key in outer:
        table = table[key]
    if value is KeyError:
        del table[last]
    else:
        table[last] = value
    return raw


def test_good_manifest_loads_with_defaults():
    spec = parse_manifest(GOOD, "x")
    assert spec.limits.call_timeout == 5.0 and spec.limits.memory_mb == LIMITS["memory_mb"].default
    assert spec.run("digits").epochs == 3 and spec.run("digits").min_accuracy == 0.9
    assert spec.extra_modules == [] and spec.packages == [] and spec.bench_probe == ""
    assert spec.late_policy["kind"] == "per_day" and spec.total_points == 2


@pytest.mark.parametrize("path,wrong,closest", [
    (("time_budjet",), 5, "time_budget"),
    (("withold",), {"d.npz": ["y_test"]}, "withhold"),
    (("limits", "call_timout"), 5, "call_timeout"),
    (("training", "digits", "min_acuracy"), 0.9, "min_accuracy"),
    (("parts", "1", "point"), 2, "points"),
    (("late_policy", "percent_per_days"), 5, "percent_per_day"),
    (("sandbox",), {"package": ["sklearn"]}, "packages"),
    (("bench",), {"prob": "p.py"}, "probe"),
])
def test_a_misspelt_key_in_any_table_names_the_closest(path, wrong, closest):
    raw = edited(path, wrong)
    key = path[-1] if path[-1] not in ('sandbox', 'bench') else list(wrong)[0]
    with pytest.raises(ConfigError, match=f"unknown key '{key}'.*'{closest}'"):
        parse_manifest(raw, "x")


def test_a_misspelt_manual_question_key_fails():
    raw = edited(("manual",), [{"questoin": "q", "points": 1}])
    with pytest.raises(ConfigError, match="did you mean 'question'"):
        parse_manifest(raw, "x")


@pytest.mark.parametrize("path,value,words", [
    (("time_budget",), "600", "must be a number"),
    (("time_budget",), -1, "must be > 0"),
    (("limits", "memory_mb"), 1.5, "must be an integer"),
    (("limits", "processes"), True, "must be an integer"),
    (("training", "digits", "min_accuracy"), 85, "between 0 and 1"),
    (("late_policy", "kind"), "weekly", "'none' or 'per_day'"),
    (("late_policy", "percent_per_day"), 150, "between 0 and 100"),
    (("parts", "1", "points"), KeyError, "missing key 'points'"),
    (("title",), KeyError, "missing key 'title'"),
    (("submit",), ["model.ipynb"], ".py files"),
    (("submit",), [1], ".py files"),
    (("extra_modules",), ["helpers/layers.py"], ".py files"),
    (("withhold",), {"other.npz": ["y"]}, "not one of the data files"),
    (("limits", "submission_timeout"), 10, "shorter than time_budget"),
    (("notebook",), ["other.py"], "not in 'submit'"),
    (("late_policy", "percent_per_day"), KeyError, "kind 'per_day' needs 'percent_per_day'"),
    (("late_policy", "due_date"), "2026-03-01T23:59:00", "no UTC offset"),
    (("late_policy", "extensions"), {"12345": "next week"}, "'12345' must be a date and time"),
    (("hidden_visibility",), "later", "must be one of after_due_date"),
])
def test_types_and_ranges_are_checked_at_load(path, value, words):
    with pytest.raises(ConfigError, match=words):
        parse_manifest(edited(path, value), "x")


def test_unknown_training_run_names_the_closest():
    with pytest.raises(ConfigError, match=r"did you mean \[training.digits\]"):
        parse_manifest(GOOD, "x").run("digit")


def test_unset_training_key_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="has no 'learning_rate'"):
        parse_manifest(GOOD, "x").run("digits").learning_rate  # noqa: B018  reading it is what fails


def test_every_declared_key_has_help_text():
    for table in (TOP, LIMITS, TRAINING_RUN):
        assert all(key.help for key in table.values())


@pytest.mark.parametrize("slug", all_slugs())
def test_repository_manifests_are_valid(slug):
    spec = load_assignment(slug)
    assert check_files(spec) == [] and check_weights(spec) == []


def test_check_config_finds_points_the_checks_do_not_weigh():
    spec = load_assignment(all_slugs()[0])
    parts = {**spec.parts, "1": {**spec.parts["1"], "points": spec.parts["1"]["points"] + 1}}
    problems = check_weights(dataclasses.replace(spec, parts=parts))
    assert len(problems) == 1 and "part '1'" in problems[0]


def test_toml_syntax_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("title = \n")
    with pytest.raises(ConfigError, match="bad.toml"):
        read_toml(path)
    with pytest.raises(ConfigError, match="here"):
        parse_toml("x = [", "here")


def test_late_policy_without_max_days_applies():
    from grader.assignment.late import apply_policy
    policy = parse_manifest(edited(("late_policy", "max_days"), KeyError), "x").late_policy
    assert apply_policy({"score": 10, "output": ""}, policy, 1.5 * 86400)["score"] == 8.0


def test_docs_key_reference_is_generated_from_the_declarations():
    from grader.authoring import manifest_doc
    assert manifest_doc.OUTPUT.read_text() == manifest_doc.render(), \
        "docs/manifest.md is stale: run python -m grader.authoring.manifest_doc"


def test_limits_are_declared_once_by_the_sandbox():
    from grader.sandbox.limits import Limits as ChildLimits
    child = {f.name: f.default for f in dataclasses.fields(ChildLimits)}
    assert {name: LIMITS[name].default for name in child} == child
    assert set(LIMITS) - set(child) == {"submission_timeout"}
    assert list(TOP)[:4] == ["title", "origin", "submit", "parts"]


def test_sandbox_package_imports_nothing_else_of_the_grader():
    import ast
    from pathlib import Path

    import grader.sandbox
    for path in Path(grader.sandbox.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level < 2 and not (node.module or "").startswith("grader"), (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("grader") for a in node.names), path.name


def _mutant_catalogue(tmp_path, text):
    from grader.assignment.config import REPO_ROOT, load_assignment
    spec = load_assignment("a1_softsign")
    folder = tmp_path / "assignments" / "a1_softsign"
    folder.mkdir(parents=True)
    (folder / "mutants.toml").write_text(text)
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "a1_softsign").symlink_to(REPO_ROOT / "reference" / "a1_softsign")
    return dataclasses.replace(spec, root=tmp_path)


MUTANT = ('[[mutant]]\nname = "m"\ndescription = "d"\nfile = "{file}"\nfind = "{find}"\nreplace = "x"\nbreaks = []\n'
          'diagnosis = "none"\n')


@pytest.mark.parametrize("text,words", [
    (MUTANT.format(file="models.py", find="def ") + "sampel = true\n", "did you mean 'sample'"),
    (MUTANT.format(file="models.py", find="def ").replace("breaks = []", "breaks = [1]"),
     "list of item numbers"),
    (MUTANT.format(file="util.py", find="def "), "'file' must be one of"),
    (MUTANT.format(file="models.py", find="no such text"), "must occur exactly once"),
    ("[[mutnat]]\nname = 'm'\n", "did you mean 'mutant'"),
])
def test_check_config_refuses_a_broken_mutant_catalogue(tmp_path, text, words):
    from grader.authoring.mutants import problems
    spec = _mutant_catalogue(tmp_path, text)
    found = problems(spec)
    assert len(found) == 1 and words in found[0], found


@pytest.mark.parametrize("slug", all_slugs())
def test_repository_mutant_catalogues_are_valid(slug):
    from grader.authoring.mutants import problems
    assert problems(load_assignment(slug)) == []
