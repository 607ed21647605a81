"""Grade a folder of submissions, each in its own grader process, in parallel.

The folder may be plain (each zip, sub-folder or loose .py/.ipynb is one
submission) or a Gradescope "export submissions" folder, whose
submission_metadata.yml names the students behind each sub-folder.
"""
import csv
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import load_assignment
from .report import write_report

EXPORT_METADATA = "submission_metadata.yml"


@dataclass
class Submission:
    name: str
    path: Path
    people: list = field(default_factory=list)  # [{"name", "sid", "email"}]


def find_submissions(folder):
    folder = Path(folder)
    if (folder / EXPORT_METADATA).is_file():
        return _export_submissions(folder)
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    return [Submission(p.stem, p) for p in entries
            if p.is_dir() or p.suffix.lower() in (".zip", ".py", ".ipynb")]


def _export_submissions(folder):
    """Gradescope's export: keys are sub-folder names; Ruby-style ':key:' fields."""
    metadata = yaml.safe_load((folder / EXPORT_METADATA).read_text()) or {}
    found = []
    for key, info in sorted(metadata.items()):
        path = folder / str(key)
        if path.exists():
            people = [{k.lstrip(":"): str(v) for k, v in person.items()}
                      for person in (info or {}).get(":submitters", [])]
            found.append(Submission(str(key), path, people))
    return found


def grade_one(slug, submission, outdir):
    target = outdir / submission.name / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "grader", "grade", slug, str(submission.path), "-o", str(target)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(target) as f:
        return json.load(f)


def progress(done, total, name, width=30):
    filled = int(width * done / max(total, 1))
    print(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {name[:40]:<40}",
          end="" if done < total else "\n", file=sys.stderr, flush=True)


def write_csv(path, graded):
    """One row per submission: who, one column per item (by number), the total."""
    items = {}
    for _, result in graded:
        for test in result["tests"]:
            if test.get("max_score"):
                items.setdefault(test["number"], test["name"])
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "name", "sid", "email"]
                        + [f"{n} {name}" for n, name in items.items()] + ["total"])
        for submission, result in graded:
            who = {k: "; ".join(p.get(k, "") for p in submission.people) for k in ("name", "sid", "email")}
            scores = {t.get("number"): t["score"] for t in result["tests"]}
            writer.writerow([submission.name, who["name"], who["sid"], who["email"]]
                            + [scores.get(n, 0) for n in items] + [result["score"]])


def grade_all(slug, folder, outdir, jobs=1):
    """Grade every submission in `folder`; write results, grades.csv, report.html; print a table."""
    assignment = load_assignment(slug)
    submissions = find_submissions(folder)
    outdir.mkdir(parents=True, exist_ok=True)
    graded = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_one, slug, s, outdir): s for s in submissions}
        for done, future in enumerate(as_completed(futures), 1):
            graded[futures[future].name] = future.result()
            progress(done, len(submissions), futures[future].name)
    graded = [(s, graded[s.name]) for s in submissions]
    write_csv(outdir / "grades.csv", graded)
    write_report(outdir / "report.html", assignment, [(s.name, r) for s, r in graded])
    width = max([len(s.name) for s, _ in graded] + [10])
    print(f"{'submission':<{width}}  score")
    for submission, result in graded:
        lost = [t["number"] for t in result["tests"] if t["score"] < t["max_score"]]
        print(f"{submission.name:<{width}}  {result['score']:>6g} / {assignment.total_points:g}"
              + (f"   lost: {' '.join(lost)}" if lost else ""))
    print(f"results: {outdir}/<submission>/results.json, {outdir}/grades.csv, {outdir}/report.html")
    return graded
