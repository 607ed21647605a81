"""The README's examples are real runs: its Python API example is run as it stands, on the
samples of its `make grade` table, and the table grade-all prints then must match the
README's rows (the API's grade_class is what grade-all runs, and prints the table)."""
import ast
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


def readme_api_example():
    """The fenced Python block of the README's section 'Python API'."""
    section = (REPO / "README.md").read_text().split("\n## Python API\n")[1].split("\n## ")[0]
    return section.split("```python\n")[1].split("```")[0]


def test_the_readme_api_example_runs_and_its_table_is_what_grade_all_prints(tmp_path):
    rows, graded = readme_table()
    zips = sample_zips(SLUG)
    assert graded == len(zips) and len(rows) >= 3
    samples = tmp_path / "dist" / "samples" / SLUG  # where the example reads them, as make grade writes them
    samples.mkdir(parents=True)
    for row in rows:
        name = row.split()[0]
        (samples / f"{name}.zip").write_bytes(zips[f"{name}.zip"])
    proc = subprocess.run([sys.executable, "-c", readme_api_example()], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == "reference: 10 / 10, lost []", lines

    start = lines.index(next(line for line in lines if line.startswith("submission ")))
    printed = {line.split()[0]: " ".join(line.split()) for line in lines[start + 1:start + 1 + len(rows)]}
    assert {row.split()[0]: " ".join(row.split()) for row in rows} == printed

    # The example's own lines agree with the table: the score, and a bug tag on each item lost.
    said = dict(line.split(": ", 1) for line in lines if line.split(":")[0] in printed)
    for row in rows:
        name, score = row.split()[0], row.split()[1]
        lost = row.split("lost:")[1].split() if "lost:" in row else []
        total, tags = said[name].split(", bug tags ")
        assert total == score and sorted(ast.literal_eval(tags)) == sorted(lost), (row, said[name])
        assert all(ast.literal_eval(tags).values()), said[name]
    assert lines[-1] == "wrote graded/a1_softsign/grades.csv and graded/a1_softsign/report.html", lines[-1]
    assert (tmp_path / "graded" / SLUG / "report.html").is_file() and (tmp_path / "reference.json").is_file()
