"""`make bench`: how fast grading is, what the sandbox costs, how well it scales.

Prints a table and asserts nothing. The naive baseline runs the same checks
with the submission imported into the grading process (never do that with
real submissions: it exists only to price the sandbox).
"""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from .assignment.config import all_slugs, load_assignment
from .assignment.loader import load_modules
from .build.samples import build_samples, write_zip
from .classroom.batch import Submission, grade_locally
from .grading import fixtures
from .grading.grade import run_checks
from .sandbox.inprocess import InProcessStudent
from .sandbox.limits import Limits
from .sandbox.proxy import Sandbox, Student, Workspace
from .submission.intake import stage


def naive_fixtures(staged):
    """grader.grading.fixtures with `student` importing the submission in-process."""
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


def reference_zip(slug, folder, header=""):
    """The reference as a submission zip; `header` goes on top of the first submitted file."""
    spec = load_assignment(slug)
    path = Path(folder) / f"{slug}{'-header' if header else ''}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i, name in enumerate(spec.submit):
            archive.writestr(name, (header if i == 0 else "") + (spec.reference / name).read_text())
    return path


MATPLOTLIB = "import matplotlib.pyplot as plt  # as most starters have it\n"


def matplotlib_cost(slug, folder, repeat=3):
    """Median seconds of a grade with a top-level matplotlib import, and without one."""
    out = Path(folder) / "results.json"
    command = [sys.executable, "-m", "grader", "grade", slug]
    plain, with_import = reference_zip(slug, folder), reference_zip(slug, folder, MATPLOTLIB)
    runs = [(timed(command + [str(plain), "-o", str(out)])[0], timed(command + [str(with_import), "-o", str(out)])[0])
            for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def costliest_items(results_path, count=5):
    """The `count` items of a results.json that took the most CPU, as 'number seconds' text."""
    cpu = json.loads(Path(results_path).read_text()).get("extra_data", {}).get("cpu_s", {})
    top = sorted(cpu.items(), key=lambda kv: -kv[1])[:count]
    return ", ".join(f"{number} {seconds:.2f}" for number, seconds in top) + f" (all items {sum(cpu.values()):.2f})"


def unique_class(slug, folder, students):
    """`students` submissions made from the assignment's samples in turn, each made unique by a
    comment with its number at the end of every .py file, so that grade-all's cache cannot help."""
    samples = sorted(build_samples(slug, Path(folder) / "samples").glob("*.zip"))
    out = Path(folder) / "class"
    out.mkdir()
    for i in range(students):
        with zipfile.ZipFile(samples[i % len(samples)]) as source, \
                zipfile.ZipFile(out / f"student{i:03}.zip", "w", zipfile.ZIP_DEFLATED) as copy:
            for info in source.infolist():
                data = source.read(info)
                copy.writestr(info, data + f"\n# student {i}\n".encode() if info.filename.endswith(".py") else data)
    return out


def varied_class(slug, folder, students):
    """`students` distinct submissions made from the samples: each renames the functions it defines
    and puts its top-level blocks in an order of its own (the similarity report's bench)."""
    samples = sorted(build_samples(slug, Path(folder) / "samples").glob("*.zip"))
    out = Path(folder) / "class"
    out.mkdir()
    for i in range(students):
        rng = random.Random(i)
        with zipfile.ZipFile(samples[i % len(samples)]) as source, \
                zipfile.ZipFile(out / f"student{i:03}.zip", "w", zipfile.ZIP_DEFLATED) as copy:
            for info in source.infolist():
                data = source.read(info)
                if info.filename.endswith(".py"):
                    blocks = re.split(r"\n(?=def |class )", data.decode())
                    head, rest = blocks[0], blocks[1:]
                    rng.shuffle(rest)
                    text = "\n".join([head] + rest)
                    for name in set(re.findall(r"^def (\w+)", text, re.M)):
                        text = re.sub(rf"\b{name}\b", f"{name}_{i}", text)
                    data = text.encode()
                copy.writestr(info, data)
    return out


def similarity_scale(students, jobs):
    """Wall and CPU seconds of `python -m grader similarity` over a varied class of the assignment
    with the most submitted code."""
    slug = max(all_slugs(), key=lambda s: sum((load_assignment(s).reference / n).stat().st_size
                                              for n in load_assignment(s).submit))
    folder = Path(tempfile.mkdtemp(prefix="bench-similarity-"))
    try:
        todo = varied_class(slug, folder, students)
        wall, cpu = timed([sys.executable, "-m", "grader", "similarity", slug, str(todo), "-o",
                           str(folder / "similarity.html"), "-j", str(jobs)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"slug": slug, "wall": wall, "cpu": cpu}


def class_scale(slug, students, jobs):
    """CPU seconds per grade and grades per minute of `grade-all -j jobs` over a class of unique
    submissions (every process of every grade counted: grade-all waits for each)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-class-"))
    try:
        todo = unique_class(slug, folder, students)
        wall, cpu = timed([sys.executable, "-m", "grader", "grade-all", slug, str(todo), "-o", str(folder / "graded"),
                           "-j", str(jobs)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"cpu_per_grade": cpu / students, "per_min": 60 * students / wall}


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
            "spread": (ratios[len(ratios) // 4], ratios[-1 - len(ratios) // 4]), "items": costliest_items(out)}


def run_drawn(slug, submission):
    """Entry point for one grade (in its own process) that prints the CPU seconds its pictures took
    in the grading process (every outermost grader.grading.figures.safely: recording checked, pixels set,
    PNG written) and the bytes of its figure entries in results.json."""
    from .grading import figures
    from .grading.grade import grade
    spent, depth, make = [0.0], [0], figures.safely

    def timed_safely(title, build):
        depth[0] += 1
        started = time.process_time()
        try:
            return make(title, build)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[0] += time.process_time() - started
    figures.safely = timed_safely
    with tempfile.TemporaryDirectory() as workspace:
        results = grade(slug, submission, Path(workspace) / "results.json")
    drawn = [t for t in results["tests"] if "figure" in (t.get("extra_data") or {})]
    print(json.dumps({"cpu_s": spent[0], "figures": len(drawn), "bytes": sum(len(t["output"]) for t in drawn)}))


def figure_cost(slug, submission):
    """What a grade's pictures cost: CPU seconds in the grading process, count, bytes in results.json."""
    run = subprocess.run([sys.executable, "-m", "grader.bench", "drawn", slug, str(submission)], check=True,
                         capture_output=True, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def run_naive(slug, submission):
    """Entry point for one naive run (in its own process, like a real grade)."""
    spec = load_assignment(slug)
    with tempfile.TemporaryDirectory() as workspace:
        staged = stage(spec, submission, workspace)
        with contextlib.redirect_stdout(io.StringIO()):
            score = run_checks(spec, staged, Path(workspace) / "results.json",
                               fixture_module=naive_fixtures(staged))["score"]
    if score != spec.total_points:
        raise SystemExit(f"naive run of the reference scored {score}, not {spec.total_points}")


def load_probe(spec):
    """The assignment's bench probe module (manifest: [bench] probe), or None."""
    if not spec.bench_probe:
        return None
    loader = importlib.util.spec_from_file_location(f"bench_probe_{spec.slug}", spec.folder / spec.bench_probe)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


def child_peak_mb(slug, submission):
    """Peak resident memory (VmHWM) of a sandbox child running the assignment's probe, or None."""
    spec = load_assignment(slug)
    probe = load_probe(spec)
    if probe is None:
        return None
    with tempfile.TemporaryDirectory() as workspace:
        staged = stage(spec, submission, workspace)
        workspace = Workspace(str(staged.folder), dict(staged.modules), Limits(call_timeout=120),
                              packages=tuple(spec.packages))
        sandbox = Sandbox(workspace)
        probe.run(Student(sandbox), fixtures.all_data(spec))
        status = Path(f"/proc/{sandbox.child.pid}/status").read_text()
        sandbox.close()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def throughput(slug, submission, jobs, copies):
    """Seconds to grade `copies` identical submissions on `jobs` grader processes
    (grade-all's pool, without its one-off CSV and report at the end)."""
    from .classroom import warm  # not at the top: the naive runs must not pay for it
    from .classroom.batch import Submission, grade_one
    folder = Path(tempfile.mkdtemp())
    submissions = [Submission(f"s{i}", Path(submission)) for i in range(copies)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda s: grade_one(slug, s, folder), submissions))
    elapsed = time.perf_counter() - start
    warm.close_all()  # the pool's warm grader processes (grade-all closes its own the same way)
    return elapsed


def main(quick=False, students=None):
    """The full bench, or with `quick` a subset in a few minutes: fewer repeats, a class of 10,
    no matplotlib or Dask rows."""
    cores = os.cpu_count() or 1
    students = students or (10 if quick else 100)
    tmp = tempfile.mkdtemp()
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"{'assignment':<18} {'grade s':>7} {'naive s':>7} {'sandbox x (IQR)':>17} {'cpu s':>6} {'child MB':>8}   "
          + "  ".join(f"{j} proc: subs/min (eff)" for j in range(1, cores + 1)))
    costliest, grade_cpu = {}, {}
    for slug in all_slugs():
        submission = reference_zip(slug, tmp)
        peak = child_peak_mb(slug, submission)
        cost = sandbox_cost(slug, submission, repeat=3 if quick else 5)
        costliest[slug], grade_cpu[slug] = cost["items"], cost["cpu"]
        copies = (2 if quick else 4) * cores
        times = {j: throughput(slug, submission, j, copies) for j in range(1, cores + 1)}
        scaling = "  ".join(f"{60 * copies / t:14.1f} ({times[1] / t / j:4.0%})" for j, t in times.items())
        spread = f"{cost['ratio']:.2f} ({cost['spread'][0]:.2f}-{cost['spread'][1]:.2f})"
        memory = f"{peak:8.0f}" if peak is not None else f"{'-':>8}"
        print(f"{slug:<18} {cost['grade']:7.2f} {cost['naive']:7.2f} {spread:>17} {cost['cpu']:6.2f} "
              f"{memory}   {scaling}")
    print("CPU s of the reference's costliest items (grade --verbose lists them all):")
    for slug in all_slugs():
        print(f"{slug:<18} {costliest[slug]}")
    print("pictures of the training runs (grader.grading.figures) in one grade of the reference:")
    for slug in all_slugs():
        drawn = figure_cost(slug, reference_zip(slug, tmp))
        print(f"{slug:<18} {drawn['figures']} figure(s), {drawn['cpu_s']:.3f} CPU s in the grader "
              f"({drawn['cpu_s'] / grade_cpu[slug]:.1%} of the grade's {grade_cpu[slug]:.2f}), "
              f"{drawn['bytes'] / 1024:.1f} KB in results.json")
    print(f"class scale: {students} unique submissions made from the samples, grade-all -j {cores}")
    rows = {slug: class_scale(slug, students, cores) for slug in all_slugs()}
    for slug, row in rows.items():
        print(f"{slug:<18} {row['cpu_per_grade']:6.2f} CPU s per grade {row['per_min']:7.1f} grades/min")
    print(f"{'average':<18} {statistics.mean(r['cpu_per_grade'] for r in rows.values()):6.2f} CPU s per grade "
          "(target <= 1.4)")
    compared = 50 if quick else 500
    row = similarity_scale(compared, cores)
    print(f"similarity report: {compared} varied submissions of {row['slug']}, -j {cores}: {row['wall']:.1f} s "
          f"({row['cpu']:.1f} CPU s; target: 500 in a few minutes)")
    if quick:
        return
    for slug in all_slugs():
        plain, with_import = matplotlib_cost(slug, tmp)
        print(f"{slug:<18} top-level 'import matplotlib.pyplot as plt': {with_import:.2f} s, without: {plain:.2f} s "
              f"(+{with_import - plain:.2f} s)")
    for slug in all_slugs():
        rates = cluster_throughput(slug, copies=4 * cores, workers=cores)
        print(f"{slug:<18} Dask LocalCluster({cores}): {rates['dask_per_min']:.1f} subs/min "
              f"({rates['dask_per_core_per_min']:.1f} per core), grade-all -j {cores}: {rates['pool_per_min']:.1f} "
              f"({rates['pool_per_core_per_min']:.1f} per core); cluster start-up {rates['cluster_startup_s']:.1f} s")
    print("targets: grade <= 10 s per submission; sandbox x <= 1.3; parallel efficiency >= 85%; "
          "matplotlib import <= +1.5 s; class scale <= 1.4 CPU s per grade on average")
    print("cpu s: CPU time of one grade, all its processes; parallel efficiency cannot exceed grade s / cpu s")


def cluster_throughput(slug, copies=16, workers=2):
    """Submissions per minute through a LocalCluster of `workers` processes vs grade-all's own
    pool of as many jobs, on `copies` copies of the reference (for `make bench`); the
    cluster's start-up is timed apart."""
    from .classroom.cluster import (  # not at the top: loading Dask costs the naive runs
        close,
        connect,
        grade_on_cluster,
        plan,
    )
    assignment = load_assignment(slug)
    files = {n: (assignment.reference / n).read_text() for n in assignment.submit}
    timeout = 300.0
    rates = {}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        todo = []
        for i in range(copies):
            write_zip(Path(tmp) / f"copy{i}.zip", files)
            todo.append(Submission(f"copy{i}", Path(tmp) / f"copy{i}.zip"))
        started = time.monotonic()
        cluster = plan(f"local:{workers}")
        client = connect(cluster)
        startup = time.monotonic() - started
        try:
            for label, run in [
                ("dask", lambda out: grade_on_cluster(cluster, assignment, todo, out, timeout, threading.Event(),
                                                      client)),
                ("pool", lambda out: grade_locally(slug, todo, out, workers, timeout, threading.Event())),
            ]:
                started = time.monotonic()
                count = sum(1 for _ in run(Path(tmp) / label))
                rates[label] = 60 * count / (time.monotonic() - started)
        finally:
            close(client)
    return {"cluster_startup_s": startup, "dask_per_min": rates["dask"], "pool_per_min": rates["pool"],
            "dask_per_core_per_min": rates["dask"] / workers, "pool_per_core_per_min": rates["pool"] / workers}


if __name__ == "__main__":
    if sys.argv[1:2] == ["naive"]:
        run_naive(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["drawn"]:
        run_drawn(sys.argv[2], sys.argv[3])
    else:
        parser = argparse.ArgumentParser(prog="python -m grader.bench", description=__doc__)
        parser.add_argument("--quick", action="store_true", help="a subset in a few minutes")
        parser.add_argument("--students", type=int, help="class size of the class-scale rows (100; 10 with --quick)")
        args = parser.parse_args()
        main(args.quick, args.students)
