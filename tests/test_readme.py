"""The README's example of `make grade`'s table is a real run: its rows are checked against
grade-all on the same samples."""
import re
import subprocess
import sys

from conftest import REPO
from grader.build.samples import sample_zips

SLUG = "a1_softsign"


def readme_table():
    """The rows of the README's example table, and the count its last line says was graded."""
    block = (REPO / "README.md").read_text().split("```\nsubmission ")[1].split("```")[0]
    rows = [line for line in block.splitlines()[1:] if line and not line.startswith(("results:", "graded "))]
    graded = int(re.search(r"^graded (\d+), reused 0", block, re.M).group(1))
    return rows, graded


def test_the_readme_table_is_what_grade_all_prints(tmp_path):
    rows, graded = readme_table()
    zips = sample_zips(SLUG)
    assert graded == len(zips) and len(rows) >= 3
    for row in rows:
        name = row.split()[0]
        (tmp_path / f"{name}.zip").write_bytes(zips[f"{name}.zip"])
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", SLUG, str(tmp_path), "-o",
                           str(tmp_path / "graded"), "-j", "2"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = {line.split()[0]: " ".join(line.split()) for line in proc.stdout.splitlines()[1:len(rows) + 1]}
    assert {row.split()[0]: " ".join(row.split()) for row in rows} == printed
