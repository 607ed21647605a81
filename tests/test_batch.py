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
    assert len(rows["bob"]) == 5 + 11  # submission, name, sid, email, one column per item, total
    assert "alice0" in proc.stdout and "lost: 1.1" in proc.stdout


def test_gradescope_export_layout_carries_names_over(tmp_path):
    spec = load_assignment("a1_softsign")
    export = tmp_path / "export"
    for key, text in [("submission_101", (spec.reference / "models.py").read_text()),
                      ("submission_102", template_files("a1_softsign")["models.py"])]:
        (export / key / "hw").mkdir(parents=True)
        (export / key / "hw" / "models.py").write_text(text)
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '101'\n    :email: ada@uni.edu\n"
        "  :created_at: 2026-01-01 10:00:00.000000000 -08:00\n"
        "submission_102:\n  :submitters:\n  - :name: Pair One\n    :sid: '201'\n    :email: one@uni.edu\n"
        "  - :name: Pair Two\n    :sid: '202'\n    :email: two@uni.edu\n")
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", "a1_softsign", str(export),
                           "-o", str(tmp_path / "out"), "-j", "2"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out" / "grades.csv") as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert rows["submission_101"]["name"] == "Ada Lovelace" and rows["submission_101"]["email"] == "ada@uni.edu"
    assert float(rows["submission_101"]["total"]) == spec.total_points
    assert rows["submission_102"]["sid"] == "201; 202" and float(rows["submission_102"]["total"]) == 0
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
