"""`python -m grader grade` as an instructor types it: mistakes get one line and a
non-zero exit; pytest's own report only with --verbose; it says where it wrote."""
import json
import shutil
import subprocess
import sys

from conftest import REPO, zip_files


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_missing_path_is_one_line_and_fails(tmp_path):
    proc = run("a1_softsign", tmp_path / "nowhere.zip", "-o", tmp_path / "r.json")
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"error: no file or folder {tmp_path / 'nowhere.zip'}"]


def test_missing_output_folder_is_one_line_and_fails(tmp_path):
    proc = run("a1_softsign", tmp_path, "-o", tmp_path / "no" / "r.json")
    assert proc.returncode != 0 and proc.stderr.strip().splitlines() == [
        f"error: no folder {tmp_path / 'no'} to write r.json into"]


def test_unknown_assignment_is_one_line_and_fails(tmp_path):
    proc = run("a9_nothing", tmp_path, "-o", tmp_path / "r.json")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1 and "a9_nothing" in proc.stderr


def test_quiet_by_default_verbose_on_request_and_says_where_it_wrote(tmp_path):
    submission = zip_files(tmp_path / "s.zip", {"model.py": "x = 1\n"})
    quiet = run("a1_softsign", submission, cwd=tmp_path)
    written = tmp_path / "results.json"
    assert quiet.returncode == 0 and json.loads(written.read_text())["score"] == 0
    assert quiet.stdout.strip().splitlines() == [f"a1_softsign: 0 / 10; results written to {written}"]
    loud = run("a1_softsign", submission, "-o", tmp_path / "r.json", "--verbose")
    assert "FAILED" in loud.stdout and "models.py was not found" in loud.stdout


def test_a_file_that_does_not_import_is_explained_once_at_the_top(tmp_path, grade_files):
    source = (REPO / "reference/a1_softsign/models.py").read_text() + "\ndef broken(:\n    pass\n"
    results = grade_files("a1_softsign", {"models.py": source})
    assert results["output"].startswith("Importing models.py failed") and "def broken(:" in results["output"]
    assert results["score"] == 0 and len(results["tests"]) > 5
    for test in results["tests"]:
        assert test["output"].startswith("Importing models.py failed (SyntaxError"), test
        assert "def broken" not in test["output"]


def test_a_manifest_check_config_rejects_scores_no_one_anywhere(tmp_path):
    """Part 1 worth a point more than its checks weigh: grade, grade-all and build all stop
    with one line naming the file and key, exit 2, and leave no score behind."""
    from unit.test_grader_failures import more_points, small_repo
    repo = small_repo(tmp_path / "repo", more_points)
    shutil.copytree(REPO / "grader", repo / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(REPO / "reference/a1_softsign/models.py", submissions / "ann.py")
    commands = {"grade": ["grade", "a1_softsign", submissions / "ann.py", "-o", tmp_path / "r.json"],
                "grade-all": ["grade-all", "a1_softsign", submissions, "-o", tmp_path / "graded"],
                "build": ["build", "autograder", "a1_softsign", "--dist", tmp_path / "dist"]}
    for name, args in commands.items():
        proc = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=repo,
                              capture_output=True, text=True, timeout=600)
        said = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(said) == 1, (name, proc.stdout, proc.stderr)
        assert "assignments/a1_softsign/assignment.toml [parts.1] points" in said[0], name
        assert "/ 10" not in proc.stdout and "/ 11" not in proc.stdout, name
    assert json.loads((tmp_path / "r.json").read_text())["tests"] == []
    assert not (tmp_path / "graded" / "grades.csv").exists() and not (tmp_path / "dist").exists()
