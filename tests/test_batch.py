"""grade-all: parallel graders do not disturb each other; grades.csv is complete."""
import csv
import subprocess
import sys

from conftest import REPO, zip_files
from grader.build.template import template_files
from grader.config import load_assignment


def test_parallel_grading_matches_serial_scores(tmp_path):
    spec = load_assignment("a1_softsign")
    reference = (spec.reference / "models.py").read_text()
    folder = tmp_path / "subs"
    folder.mkdir()
    for i in range(3):
        zip_files(folder / f"alice{i}.zip", {"models.py": reference})
    (folder / "bob").mkdir()
    (folder / "bob" / "models.py").write_text(template_files("a1_softsign")["models.py"])
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", "a1_softsign", str(folder),
                           "-o", str(tmp_path / "out"), "-j", "4"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out" / "grades.csv") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"alice0", "alice1", "alice2", "bob"}
    assert [float(rows[f"alice{i}"]["total"]) for i in range(3)] == [spec.total_points] * 3
    assert float(rows["bob"]["total"]) == 0
    assert len(rows["bob"]) == 2 + 11  # submission, one column per item, total
    assert "alice0" in proc.stdout and "lost: 1.1" in proc.stdout
