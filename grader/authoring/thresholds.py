"""`python -m grader thresholds <slug>`: do the training items tell correct code from broken?

For each training probe in the assignment's checks (grader.kit.training), this
trains the reference and every mutant marked `probe = true` in mutants.toml
over several seeds, in this process (the code is ours, so no sandbox), and
prints each measure's spread per variant, how many seeds meet the current
limits, and whether that agrees with the mutant's `breaks`. A limit belongs
between the worst correct run and the best broken one, with room on both
sides; the summary under each table gives both ends.
"""
import contextlib
import io
import shutil
import statistics
import tempfile
import warnings
from dataclasses import dataclass, field
from importlib import util as import_util
from pathlib import Path

import numpy as np

from ..assignment.config import TRAINING_RUN, TrainingRun, load_assignment, read_table
from ..assignment.loader import load_modules
from ..grading.fixtures import all_data, load_reference
from ..kit.training import limits, measures_of, shortfalls, with_gaps, with_seed
from .mutants import load_mutants, mutant_files


@dataclass
class Variant:
    name: str
    files: dict
    breaks: list
    runs: list = field(default_factory=list)  # per seed: a dict of measures, or the exception's name


def find_probes(assignment):
    """item -> probe function, from every check file of the assignment."""
    probes = {}
    for folder in assignment.checks:
        for path in sorted(Path(folder).glob("test_*.py")):
            spec = import_util.spec_from_file_location(f"_probe_{assignment.slug}_{path.stem}", path)
            module = import_util.module_from_spec(spec)
            with warnings.catch_warnings():  # pytest's marks warn when a check file is imported outside pytest
                warnings.simplefilter("ignore")
                spec.loader.exec_module(module)
            for check in vars(module).values():
                probes.update(getattr(check, "probes", None) or {})
    return probes


def variants(assignment):
    """The reference, then every mutant marked `probe = true`."""
    found = [Variant("reference", {n: (assignment.reference / n).read_text() for n in assignment.submit}, [])]
    for mutant in load_mutants(assignment.slug, assignment.root):
        if mutant["probe"]:
            found.append(Variant(mutant["name"], mutant_files(assignment, mutant), mutant["breaks"]))
    return found


def load_code(assignment, files, folder):
    """A variant's modules as the probe sees them: `code.<module>` and `code.seed`."""
    folder = Path(folder)
    for name, text in files.items():
        (folder / name).write_text(text)
    for name in assignment.support:
        shutil.copy(assignment.reference / name, folder / name)
    for name in assignment.data:
        shutil.copy(assignment.data_folder / name, folder / name)
    names = list(assignment.modules) + [name.rsplit(".", 1)[0] for name in assignment.support]
    return with_seed(load_modules(folder, names))


def run_probe(probe, code, data, settings, seed, ref, assignment):
    """One training run; a crash is that run's result (broken code may raise or overflow).
    Only the measures count here: the record is for figures."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return measures_of(probe(code, data, settings, seed, ref=ref, assignment=assignment))
        except Exception as error:  # noqa: BLE001 - any failure of broken code is a failed run
            return type(error).__name__


def passes(run, settings):
    return isinstance(run, dict) and not shortfalls(run, settings)


def settings_of(assignment, name, overrides):
    """The probe's [training.<name>] with the command line's `--set` values, checked as the manifest is."""
    run = assignment.run(name)
    raw = {key: value for key, value in {**run, **overrides}.items() if value is not None}
    return TrainingRun(read_table(raw, TRAINING_RUN, f"[training.{name}] with --set"), name)


def measure(slug, seeds=10, overrides=None, items=None):
    """Train every variant under every probe (or those of `items`): {item: (settings, [Variant with
    runs])}. The reference's run of the same seed gives each run its gaps (a crash of the reference
    itself is a bug here)."""
    assignment = load_assignment(slug)
    probes = {item: probe for item, probe in find_probes(assignment).items() if not items or item in items}
    data = all_data(assignment)
    found = variants(assignment) if probes else []
    results = {}
    with tempfile.TemporaryDirectory() as root:
        codes = {}
        for variant in found:
            (Path(root) / variant.name).mkdir()
            codes[variant.name] = load_code(assignment, variant.files, Path(root) / variant.name)
        for item, probe in sorted(probes.items()):
            settings = settings_of(assignment, probe.training_run, overrides or {})
            ref = with_seed(load_reference(assignment))  # what the check's `ref` is: the reference's own folder
            reference = [run_probe(probe, ref, data, settings, seed, ref, assignment) for seed in range(seeds)]
            results[item] = (settings, [Variant(v.name, v.files, v.breaks, [
                with_gaps(run, expected) if isinstance(run, dict) else run
                for run, expected in zip([run_probe(probe, codes[v.name], data, settings, seed, ref, assignment)
                                          for seed in range(seeds)], reference)]) for v in found])
    return results


def spread(values):
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return "-"
    return f"{min(values):.3g} {statistics.median(values):.3g} {max(values):.3g}"


def report(slug, results, out=print):
    """Print one table per training item; return the number of variants on the wrong side."""
    wrong = 0
    if not results:
        out(f"{slug}: no training probes (grader.kit.training.graded_run)")
    for item, (settings, found) in results.items():
        bounds = limits(settings)
        names = sorted({k for v in found for run in v.runs if isinstance(run, dict) for k in run})
        out(f"{slug} item {item} [training.{settings.name}]: {len(found[0].runs)} seeds; limits: "
            + ", ".join(f"{m} {'>=' if k == 'min' else '<='} {b:g}" for m, k, b in bounds))
        out(f"{'variant':40s} {'should':>6s} {'passes':>7s}  " + "  ".join(f"{n + ' min/med/max':>26s}" for n in names))
        for v in found:
            should_fail = item in v.breaks
            n_pass = sum(passes(run, settings) for run in v.runs)
            off = n_pass > 0 if should_fail else n_pass < len(v.runs)
            wrong += off
            cells = "  ".join(f"{spread([r[n] for r in v.runs if isinstance(r, dict)]):>26s}" for n in names)
            crashes = sorted({r for r in v.runs if isinstance(r, str)})
            out(f"{v.name:40s} {'fail' if should_fail else 'pass':>6s} {n_pass:>3d}/{len(v.runs):<3d}  {cells}"
                + (f"  raised {', '.join(crashes)}" if crashes else "") + ("  <-- WRONG SIDE" if off else ""))
        for measure_name, kind, bound in bounds:
            out("  " + margin(found, item, settings, measure_name, kind, bound))
        out("")
    return wrong


def margin(found, item, settings, name, kind, bound):
    """Against one limit: the worst correct run, and the nearest broken run that only this limit fails."""
    others = {key: value for key, value in settings.items() if key != f"{kind}_{name}"}
    correct = [r[name] for v in found if item not in v.breaks for r in v.runs if isinstance(r, dict)]
    alone = [r[name] for v in found if item in v.breaks for r in v.runs if passes(r, others)]
    worst = (max if kind == "max" else min)(correct, default=float("nan"))
    text = f"{name}: limit {bound:g}; worst correct run {worst:.4g}; "
    if not alone:
        return text + "every broken run also misses another limit"
    nearest = (min if kind == "max" else max)(alone)
    return text + f"nearest broken run that only this limit stops {nearest:.4g} ({len(alone)} such runs)"
