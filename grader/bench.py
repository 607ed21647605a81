"""`make bench`: how fast grading is, what the sandbox costs, how well it scales.

Prints a table and asserts nothing. The naive baseline runs the same checks
with the submission imported into the grading process (never do that with
real submissions: it exists only to price the sandbox).
"""
import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from . import fixtures
from .config import all_slugs, load_assignment
from .grade import run_checks
from .intake import stage
from .loader import load_modules
from .sandbox.limits import Limits
from .sandbox.proxy import Sandbox, Student, Workspace

PLAIN = (dict, list, tuple, np.ndarray, int, float, str, bool, type(None), np.generic)


class Direct:
    """In-process stand-in for a sandbox Ref: calls capture stdout like the child does."""

    def __init__(self, obj, owner):
        self._obj, self._owner = obj, owner

    def __getattr__(self, name):
        return _wrap(getattr(self._obj, name), self._owner)

    def __call__(self, *args, **kwargs):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            result = self._obj(*[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()})
        self._owner.stdout = buffer.getvalue()
        return _wrap(result, self._owner)


def _wrap(value, owner):
    return value if isinstance(value, PLAIN) else Direct(value, owner)


def _unwrap(value):
    return value._obj if isinstance(value, Direct) else value


class InProcessStudent:
    """The `student` fixture's interface over modules imported in this process."""

    def __init__(self, modules):
        self._modules, self.stdout = modules, ""

    def __getattr__(self, name):
        return Direct(getattr(self._modules, name), self)

    def fetch(self, ref):
        return _unwrap(ref)

    def set(self, ref, name, value):
        setattr(_unwrap(ref), name, value)

    def seed(self, seed):
        np.random.seed(seed)

    def time_limit(self, seconds):
        pass

    def batch(self):
        return DirectBatch(self)


class DirectBatch:
    """In-process stand-in for proxy.Batch."""

    def __init__(self, student):
        self._student, self._steps = student, []

    def call(self, ref, *args, **kwargs):
        self._steps.append(lambda: ref(*args, **kwargs))

    def call_first(self, ref, *args, **kwargs):
        def first():
            result = ref(*args, **kwargs)
            return result[0] if type(result) in (tuple, list) and result else result
        self._steps.append(first)

    def set(self, ref, name, value):
        self._steps.append(lambda: self._student.set(ref, name, value))

    def run(self):
        return [step() for step in self._steps]


def naive_fixtures(staged):
    """grader.fixtures with `student` importing the submission in-process."""
    @pytest.fixture
    def student():
        yield InProcessStudent(load_modules(staged.folder, list(staged.modules)))
    module = types.ModuleType("naive_fixtures")
    module.__dict__.update({k: v for k, v in vars(fixtures).items() if not k.startswith("__")})
    module.student = student
    return module


def timed(command):
    """Wall seconds and CPU seconds (the command and every process it waited for) of a run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def reference_zip(slug, folder):
    spec = load_assignment(slug)
    path = Path(folder) / f"{slug}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in spec.submit:
            archive.write(spec.reference / name, name)
    return path


def sandbox_cost(slug, submission, repeat=9):
    """Medians of a full `python -m grader grade` (process start included) and of the naive
    run, taken in alternation so that a slow spell of the machine hits both alike; the
    ratio is the median of the pairs' ratios, with their range."""
    out = Path(tempfile.mkdtemp()) / "results.json"
    graded, naive = [], []
    for _ in range(repeat):
        graded.append(timed([sys.executable, "-m", "grader", "grade", slug, str(submission), "-o", str(out)]))
        naive.append(timed([sys.executable, "-m", "grader.bench", "naive", slug, str(submission)]))
    ratios = sorted(g[0] / n[0] for g, n in zip(graded, naive))
    return {"grade": statistics.median(g[0] for g in graded), "naive": statistics.median(n[0] for n in naive),
            "cpu": statistics.median(g[1] for g in graded), "ratio": statistics.median(ratios),
            "spread": (ratios[len(ratios) // 4], ratios[-1 - len(ratios) // 4])}


def run_naive(slug, submission):
    """Entry point for one naive run (in its own process, like a real grade)."""
    spec = load_assignment(slug)
    with tempfile.TemporaryDirectory() as workspace:
        staged = stage(spec, submission, workspace)
        with contextlib.redirect_stdout(io.StringIO()):
            run_checks(spec, staged, Path(workspace) / "results.json", fixture_module=naive_fixtures(staged))
        score = json.loads((Path(workspace) / "results.json").read_text())["score"]
    if score != spec.total_points:
        raise SystemExit(f"naive run of the reference scored {score}, not {spec.total_points}")


def child_peak_mb(slug, submission):
    """Peak resident memory (VmHWM) of the sandbox child that runs the training check."""
    spec = load_assignment(slug)
    with tempfile.TemporaryDirectory() as workspace:
        staged = stage(spec, submission, workspace)
        sandbox = Sandbox(Workspace(str(staged.folder), dict(staged.modules), Limits(call_timeout=120)))
        student = Student(sandbox)
        module = getattr(student, next(iter(staged.modules)))
        data = fixtures_data(spec)
        if slug == "a1_softsign":
            model = module.MultilayerPerceptron.random_init(64, 100, 0.1)
            module.train_model(model, module.SoftsignCrossEntropy, data["X_train"], data["t_train_noisy"],
                               data["X_val"], data["X_val"][:, 0] * 0, print_every=10**9)
        else:
            net = module.TwoLayerMLP(64, 64, 10, std=0.1)
            net.train(data["X_train"], data["y_train"], data["X_val"], data["y_val"], num_epochs=20)
        status = Path(f"/proc/{sandbox.child.pid}/status").read_text()
        sandbox.close()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def fixtures_data(spec):
    with np.load(spec.data_folder / spec.data[0], allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def throughput(slug, submission, jobs, copies):
    """Seconds to grade `copies` identical submissions on `jobs` grader processes
    (grade-all's pool, without its one-off CSV and report at the end)."""
    from .batch import Submission, grade_one  # not at the top: the naive runs must not pay for it
    folder = Path(tempfile.mkdtemp())
    submissions = [Submission(f"s{i}", Path(submission)) for i in range(copies)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda s: grade_one(slug, s, folder), submissions))
    return time.perf_counter() - start


def main():
    cores = os.cpu_count() or 1
    tmp = tempfile.mkdtemp()
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"{'assignment':<18} {'grade s':>7} {'naive s':>7} {'sandbox x (IQR)':>17} {'cpu s':>6} {'child MB':>8}   "
          + "  ".join(f"{j} proc: subs/min (eff)" for j in range(1, cores + 1)))
    for slug in all_slugs():
        submission = reference_zip(slug, tmp)
        peak = child_peak_mb(slug, submission)
        cost = sandbox_cost(slug, submission)
        copies = 8 * cores
        times = {j: throughput(slug, submission, j, copies) for j in range(1, cores + 1)}
        scaling = "  ".join(f"{60 * copies / t:14.1f} ({times[1] / t / j:4.0%})" for j, t in times.items())
        spread = f"{cost['ratio']:.2f} ({cost['spread'][0]:.2f}-{cost['spread'][1]:.2f})"
        print(f"{slug:<18} {cost['grade']:7.2f} {cost['naive']:7.2f} {spread:>17} {cost['cpu']:6.2f} {peak:8.0f}   {scaling}")
    print("targets: grade <= 10 s per submission; sandbox x <= 1.3; parallel efficiency >= 85%")
    print("cpu s: CPU time of one grade, all its processes; parallel efficiency cannot exceed grade s / cpu s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["naive"]:
        run_naive(sys.argv[2], sys.argv[3])
    else:
        main()
