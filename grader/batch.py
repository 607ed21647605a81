"""Grade a folder of submissions, each in its own grader process."""
import csv
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .config import load_assignment


def find_submissions(folder):
    """Each zip, each sub-folder and each loose .py/.ipynb file is one submission."""
    entries = sorted(p for p in Path(folder).iterdir() if not p.name.startswith("."))
    return [p for p in entries if p.is_dir() or p.suffix.lower() in (".zip", ".py", ".ipynb")]


def grade_one(slug, submission, outdir):
    target = outdir / submission.stem / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "grader", "grade", slug, str(submission), "-o", str(target)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(target) as f:
        return submission.stem, json.load(f)


def write_csv(path, graded):
    """One row per submission, one column per item (by number), and the total."""
    items = {}
    for _, result in graded:
        for test in result["tests"]:
            if test.get("max_score"):
                items.setdefault(test["number"], test["name"])
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission"] + [f"{n} {name}" for n, name in items.items()] + ["total"])
        for name, result in graded:
            scores = {t.get("number"): t["score"] for t in result["tests"]}
            writer.writerow([name] + [scores.get(n, 0) for n in items] + [result["score"]])


def grade_all(slug, folder, outdir, jobs=1):
    """Grade every submission in `folder`; write results, grades.csv; print a table."""
    assignment = load_assignment(slug)
    submissions = find_submissions(folder)
    outdir.mkdir(parents=True, exist_ok=True)
    graded = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_one, slug, s, outdir) for s in submissions]
        for done, future in enumerate(futures, 1):
            graded.append(future.result())
            print(f"\r[{done}/{len(submissions)}] graded", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    write_csv(outdir / "grades.csv", graded)
    width = max([len(name) for name, _ in graded] + [10])
    print(f"{'submission':<{width}}  score")
    for name, result in graded:
        lost = [t["number"] for t in result["tests"] if t["score"] < t["max_score"]]
        print(f"{name:<{width}}  {result['score']:>5g} / {assignment.total_points:g}"
              + (f"   lost: {' '.join(lost)}" if lost else ""))
    print(f"results: {outdir}/<submission>/results.json, {outdir}/grades.csv")
    return graded
