"""grade-all end to end: layouts, refusals, the cache, the per-submission cap, Ctrl-C,
environment failures. Every run is a real `python -m grader grade-all` process."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from conftest import REPO, zip_files
from grader.assignment.config import load_assignment
from grader.build.template import template_files
from grader.classroom.batch import BatchError, Submission, claim_folders, find_submissions, folded

SLUG = "a1_softsign"
SPEC = load_assignment(SLUG)
REFERENCE = (SPEC.reference / "models.py").read_text()
TEMPLATE = template_files(SLUG)["models.py"]
LOOPS = REFERENCE.replace("def softsign_prime(z):", "def softsign_prime(z):\n    while True:\n        pass", 1)


def grade_all(folder, out, *extra, timeout=300):
    return subprocess.run([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def rows(out):
    with open(out / "grades.csv") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_parallel_grading_matches_serial_scores(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for i in range(3):
        zip_files(folder / f"alice{i}.zip", {"models.py": REFERENCE})
    (folder / "bob").mkdir()
    (folder / "bob" / "models.py").write_text(TEMPLATE)
    proc = grade_all(folder, tmp_path / "out", "-j", "4")
    assert proc.returncode == 0, proc.stderr
    graded = rows(tmp_path / "out")
    assert set(graded) == {"alice0", "alice1", "alice2", "bob"}
    assert [float(graded[f"alice{i}"]["total"]) for i in range(3)] == [SPEC.total_points] * 3
    assert float(graded["bob"]["total"]) == 0
    assert len(graded["bob"]) == 7 + 11  # submission, name, sid, email, one column per item, lateness, deduction, total
    assert graded["bob"]["lateness"] == "" and graded["bob"]["deduction"] == "0"  # no due date: no late policy
    assert "alice0" in proc.stdout and "lost: 1.1" in proc.stdout


def make_export(root):
    """A Gradescope export of two submissions, with the students' names in its metadata."""
    export = root / "assignment_123_export"
    for key, text in [("submission_101", REFERENCE), ("submission_102", TEMPLATE)]:
        (export / key / "hw").mkdir(parents=True)
        (export / key / "hw" / "models.py").write_text(text)
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '101'\n    :email: ada@uni.edu\n"
        "  :created_at: 2026-01-01 10:00:00.000000000 -08:00\n"
        "submission_102:\n  :submitters:\n  - :name: Pair One\n    :sid: '201'\n    :email: one@uni.edu\n"
        "  - :name: Pair Two\n    :sid: '202'\n    :email: two@uni.edu\n")
    return export


def test_export_folder_its_zip_and_its_parent_give_the_same_grades(tmp_path):
    export = make_export(tmp_path / "download")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(export.rglob("*")):
            z.write(path, str(path.relative_to(export.parent)))
    seen = []
    for source in (export, archive, tmp_path / "download"):
        out = tmp_path / f"out-{len(seen)}"
        proc = grade_all(source, out, "-j", "2", "--due", "2026-01-01T08:30:00-08:00")
        assert proc.returncode == 0, proc.stderr
        graded = rows(out)
        assert set(graded) == {"submission_101", "submission_102"}
        assert graded["submission_101"]["lateness"] == "1 hour(s) 30 minute(s)"  # the export's :created_at:
        assert graded["submission_102"]["lateness"] == "unknown"
        assert graded["submission_101"]["name"] == "Ada Lovelace" and graded["submission_101"]["email"] == "ada@uni.edu"
        assert graded["submission_102"]["sid"] == "201; 202"
        seen.append({k: float(v["total"]) for k, v in graded.items()})
    assert seen[0] == seen[1] == seen[2] == {"submission_101": SPEC.total_points, "submission_102": 0}
    report = (tmp_path / "out-0" / "report.html").read_text()
    assert "<td>1 hour(s) 30 minute(s)</td>" in report
    late = json.loads((tmp_path / "out-0" / "submission_101" / "results.json").read_text())
    assert "Submitted 1 hour(s) 30 minute(s) late" in late["output"]
    assert "Ada Lovelace" in report and "201; 202" in report and 'href="submission_101/feedback.html"' in report


def test_a_folder_holding_several_submissions_is_not_graded_as_one(tmp_path):
    folder = tmp_path / "class"
    for student in ("ann", "ben", "cat"):
        (folder / "section1" / student).mkdir(parents=True)
        (folder / "section1" / student / "models.py").write_text(REFERENCE)
    zip_files(folder / "dan.zip", {"hw1/models.py": REFERENCE, "hw1/old/models.py": TEMPLATE})
    out = folder / "graded"  # inside the class folder: not a submission itself
    proc = grade_all(folder, out, "-j", "2")
    assert proc.returncode == 0, proc.stderr
    graded = rows(out)
    assert set(graded) == {"section1", "dan"}
    assert float(graded["section1"]["total"]) == 0 and float(graded["dan"]["total"]) == SPEC.total_points
    result = json.loads((out / "section1" / "results.json").read_text())
    assert "3 copies of models.py" in result["output"] and "not graded as one" in result["output"]
    assert "not graded" in proc.stdout.split("section1")[1].splitlines()[0]
    assert "3 copies of models.py" in (out / "report.html").read_text()


def test_second_run_grades_only_what_changed(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for name, text in [("ann", REFERENCE), ("ben", TEMPLATE), ("cat", REFERENCE)]:
        zip_files(folder / f"{name}.zip", {"models.py": text})
    out = tmp_path / "out"
    started = time.monotonic()
    first = grade_all(folder, out, "-j", "2")
    first_took = time.monotonic() - started
    assert first.returncode == 0 and "graded 3, reused 0" in first.stdout, first.stderr
    started = time.monotonic()
    second = grade_all(folder, out, "-j", "2")
    assert time.monotonic() - started < first_took  # loosely: the real measure is the count
    assert second.returncode == 0 and "graded 0, reused 3" in second.stdout
    assert float(rows(out)["ann"]["total"]) == SPEC.total_points
    zip_files(folder / "ben.zip", {"models.py": REFERENCE})   # changed
    (folder / "cat.zip").unlink()                             # removed
    third = grade_all(folder, out, "-j", "2")
    assert "graded 1, reused 1" in third.stdout
    assert set(rows(out)) == {"ann", "ben"} and float(rows(out)["ben"]["total"]) == SPEC.total_points
    assert not (out / "cat").exists()
    forced = grade_all(folder, out, "-j", "2", "--force")
    assert "graded 2, reused 0" in forced.stdout


def test_a_submission_over_its_cap_is_stopped_with_valid_results(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    zip_files(folder / "looping.zip", {"models.py": LOOPS})
    zip_files(folder / "misnamed.zip", {"model.py": REFERENCE})
    proc = grade_all(folder, tmp_path / "out", "-j", "2", "--timeout", "4")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "out" / "looping" / "results.json").read_text())
    not_run = [t for t in result["tests"] if "longer than the 4 s" in t["output"]]
    assert not_run and all(t["score"] == 0 for t in not_run)
    assert result["score"] == sum(t["score"] for t in result["tests"])
    attention = (tmp_path / "out" / "report.html").read_text().split('id="attention">')[1].split("</ul>")[0]
    assert "looping" in attention and "overall time limit" in attention
    assert "misnamed" in attention and "missing or misnamed" in attention


def _stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[19]), os.stat(f"/proc/{pid}").st_uid  # parent, start time, uid
    except (OSError, IndexError, ValueError):
        return None


def _tree(root):
    table = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(p))}
    found, frontier = {}, {root}
    while frontier:
        frontier = {pid for pid, (parent, _, _) in table.items() if parent in frontier and pid not in found}
        found.update({pid: table[pid] for pid in frontier})
    return found


def _orphaned(pid, uids):
    """Whether `pid` belongs to a sandbox tree whose grader is gone (its top was reparented to
    init); a tree under a live grader (another test's, when tests run in parallel) is not."""
    while (info := _stat(pid)) and info[2] in uids:
        pid = info[0]
    return pid == 1


def _running(pid, started):
    """Whether the process `pid` that started at `started` still runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0] != "Z" and int(fields[19]) == started
    except (OSError, IndexError, ValueError):
        return False


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def test_ctrl_c_stops_within_seconds_kills_everything_and_keeps_what_was_graded(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    zip_files(folder / "aaa_slowpoke_zed.zip", {"models.py": LOOPS})
    for i in range(10):
        zip_files(folder / f"student_lovelace_{i}.zip", {"models.py": REFERENCE})
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(out), "-j", "2"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen, names_on_command_lines = {}, set()
    cache = out / ".grade-all-cache.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for pid, info in _tree(proc.pid).items():
            seen[pid] = info
            if "lovelace" in _cmdline(pid) or "slowpoke" in _cmdline(pid):
                names_on_command_lines.add(_cmdline(pid))
        try:
            if len(json.loads(cache.read_text())["submissions"]) >= 2:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    assert proc.poll() is None, "grade-all finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    interrupted = time.monotonic()
    try:
        stdout, stderr = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert time.monotonic() - interrupted < 10
    assert proc.returncode == 130, stderr[-2000:]
    assert not names_on_command_lines
    left = [pid for pid, (_, started, _) in seen.items() if (now := _stat(pid)) and now[1] == started]
    assert not left, f"still running after grade-all ended: {[_cmdline(p)[:80] for p in left]}"
    sandbox_uids = {uid for _, _, uid in seen.values()} - {os.geteuid()}
    if sandbox_uids:  # as root the sandbox runs as accounts of its own: none of their processes may outlive the run
        ended = max(started for _, started, _ in seen.values())
        stray = [p for p in os.listdir("/proc") if p.isdigit() and (s := _stat(p)) and s[2] in sandbox_uids
                 and s[1] <= ended and _orphaned(int(p), sandbox_uids)]
        assert not stray
    graded = rows(out)
    assert 2 <= len(graded) < 11 and "aaa_slowpoke_zed" not in graded
    assert all(float(r["total"]) == SPEC.total_points for r in graded.values())
    assert "not graded" in stdout and (out / "report.html").exists()


def test_ctrl_c_while_grading_expression_towers_stops_promptly_and_leaves_no_process(tmp_path):
    """Power towers in a4's answers (issue 23) are evaluated in a limited process of the grader's:
    they grade to zero with a message, and Ctrl-C meanwhile ends grade-all with nothing left
    running (grader, sandbox, answer evaluator, deadline watcher)."""
    spec = load_assignment("a4_modular_nn")
    files = {name: (spec.reference / name).read_text() for name in spec.submit}
    towers = dict(files, **{"answers.py": 'Q1_1_A = "9**9**9**9"\nQ1_1_B = "-(A @ dLdZ.T) ** 9**9**9**9"\n'
                                          'Q1_1_C = "sum(dLdZ, 9**9**9**9)"\n'})
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    zip_files(folder / "aaa_towers.zip", towers)
    for i in range(6):  # an a4 grade takes about a second: enough of them that one is under way at Ctrl-C
        zip_files(folder / f"bbb_reference_{i}.zip", files)
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade-all", spec.slug, str(folder), "-o", str(out),
                             "-j", "1"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen, deadline, graded = {}, time.monotonic() + 180, 0
    while time.monotonic() < deadline and proc.poll() is None and graded < 1:
        seen.update(_tree(proc.pid))
        time.sleep(0.05)
        try:
            graded = len(json.loads((out / ".grade-all-cache.json").read_text())["submissions"])
        except (OSError, ValueError, KeyError):
            pass
    first = set(seen)
    while time.monotonic() < deadline and proc.poll() is None and not set(seen) - first - {proc.pid}:
        seen.update(_tree(proc.pid))  # the next grader is under way
        time.sleep(0.05)
    time.sleep(1.0)
    seen.update(_tree(proc.pid))
    assert proc.poll() is None, "grade-all finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    left = [pid for pid, (_, started, _) in seen.items() if (now := _stat(pid)) and now[1] == started]
    assert not left, f"still running after grade-all ended: {[_cmdline(p)[:80] for p in left]}"
    towers = {t["number"]: t for t in json.loads((out / "aaa_towers" / "results.json").read_text())["tests"]}
    assert all(towers[n]["score"] == 0 and "Q1_1_" in towers[n]["output"] for n in ("5.1", "5.2", "5.3"))


def test_a_killed_grade_all_takes_its_warm_process_and_every_grader_along(tmp_path):
    """Graders are forked from a warm process per worker thread: killed outright, grade-all cleans up
    nothing itself, so the warm process must leave when its input closes and the graders with it."""
    folder = tmp_path / "subs"
    folder.mkdir()
    zip_files(folder / "looping.zip", {"models.py": LOOPS})
    command = [sys.executable, "-m", "grader", "grade-all", SLUG, str(folder), "-o", str(tmp_path / "out"), "-j", "1"]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    seen, deadline = {}, time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and len(seen) < 5:  # warm, grader, watcher, sandbox
        seen.update(_tree(proc.pid))
        time.sleep(0.05)
    assert any("grader.classroom.warm" in _cmdline(pid) for pid in seen), [_cmdline(p)[:80] for p in seen]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left, gone_by = seen, time.monotonic() + 10  # at once, not when the looping check's limits end it
    while left and time.monotonic() < gone_by:
        time.sleep(0.1)
        left = [pid for pid, (_, started, _) in seen.items() if _running(pid, started)]
    assert not left, f"still running after grade-all was killed: {[_cmdline(p)[:80] for p in left]}"


ENVIRONMENT_FAILS = {  # what the warm process runs instead of grader.classroom.warm's main
    "the grader": "import sys; sys.executable = '/nonexistent/python'; "
                  "from grader.classroom.warm import main; sys.exit(main())",
    "the warm process": "raise SystemExit('the warm process could not start')"}


@pytest.mark.parametrize("failing", ENVIRONMENT_FAILS)
def test_a_grader_that_cannot_start_stops_the_run_without_a_table(tmp_path, failing):
    folder = tmp_path / "subs"
    folder.mkdir()
    for i in range(3):
        zip_files(folder / f"s{i}.zip", {"models.py": REFERENCE})
    out = tmp_path / "out"
    out.mkdir()
    (out / "grades.csv").write_text("stale,table\n")
    warm = ENVIRONMENT_FAILS[failing]
    script = (f"import sys, grader.classroom.warm as w; w.COMMAND = [sys.executable, '-c', {warm!r}]; "
              "from grader.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", script, "grade-all", SLUG, str(folder), "-o", str(out),
                           "-j", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "could not start" in proc.stderr and "no grades.csv" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # a line, no traceback
    assert not (out / "grades.csv").exists() and not (out / "report.html").exists()


@pytest.mark.parametrize("problem", ["missing input", "unwritable output"])
def test_instructor_mistakes_get_one_line(tmp_path, problem):
    folder, out = tmp_path / "subs", tmp_path / "out"
    if problem == "missing input":
        expect = "does not exist"
    else:
        folder.mkdir()
        out.write_text("a file where the output folder should be")
        expect = "cannot write to the output folder"
    proc = grade_all(folder, out)
    assert proc.returncode == 1 and expect in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_every_submission_gets_a_folder_of_its_own_even_where_file_systems_fold_names(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("bob.zip", "carl.py", "carl.ipynb", "ann.zip"):
        (folder / name).write_bytes(b"")
    for name in ("bob", "Dana", "dana", "dana-2", "Jos\u00e9", "Jose\u0301", "eve", "eve.", "eve ", "grades.csv"):
        (folder / name).mkdir()
    named = {s.path.name: s.name for s in find_submissions(folder)}
    assert named == {"ann.zip": "ann", "bob": "bob", "bob.zip": "bob.zip", "carl.ipynb": "carl.ipynb",
                     "carl.py": "carl.py", "Dana": "Dana", "dana": "dana-3", "dana-2": "dana-2",
                     "Jose\u0301": "Jose\u0301", "Jos\u00e9": "Jos\u00e9-2", "eve": "eve", "eve ": "eve -2",
                     "eve.": "eve.-2", "grades.csv": "grades.csv-2"}
    assert len({folded(name) for name in named.values()}) == len(named)
    assert {s.path.name: s.name for s in find_submissions(folder)} == named  # the same on every run
    export = tmp_path / "export"
    for key in ("sub_1", "SUB_1", "report.html"):
        (export / key).mkdir(parents=True)
    (export / "submission_metadata.yml").write_text("sub_1: {}\nSUB_1: {}\nreport.html: {}\n")
    assert sorted(s.name for s in find_submissions(export)) == ["SUB_1", "report.html-2", "sub_1-2"]


def test_two_submissions_never_write_one_folder(tmp_path):
    ann, bob = Submission("ann", tmp_path / "ann.zip"), Submission("bob", tmp_path / "bob.zip")
    out = tmp_path / "out"
    out.mkdir()
    claim_folders(out, [ann, bob])
    assert (out / "ann").is_dir() and (out / "bob").is_dir()
    (out / "bob").rmdir()
    (out / "bob").symlink_to("ann")  # a file system that takes bob for ann (as one folding case would)
    with pytest.raises(BatchError, match="would share the output folder"):
        claim_folders(out, [ann, bob])


def test_a_zip_a_folder_and_a_script_of_one_name_get_a_row_each(tmp_path):
    folder = tmp_path / "subs"
    (folder / "bob").mkdir(parents=True)
    (folder / "bob" / "models.py").write_text(TEMPLATE)
    zip_files(folder / "bob.zip", {"models.py": REFERENCE})
    (folder / "Bob.py").write_text(REFERENCE)
    out = tmp_path / "out"
    proc = grade_all(folder, out, "-j", "2")
    assert proc.returncode == 0, proc.stderr
    graded = rows(out)
    assert set(graded) == {"bob", "bob.zip", "Bob.py"}
    assert float(graded["bob"]["total"]) == 0 and float(graded["bob.zip"]["total"]) == SPEC.total_points
    for name in graded:
        assert json.loads((out / name / "results.json").read_text())["score"] == float(graded[name]["total"])


def test_a_grade_whose_watch_broke_leaves_no_stale_warm_process_behind(tmp_path, monkeypatch):
    """The warm process serves one grade at a time; if run_one leaves before reading a grader's end
    (a bug while watching), the next grade must get a fresh warm process, not its stale line."""
    from grader.classroom import isolated, warm
    watch, calls = isolated._watch, []

    def breaks_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug while watching")
        return watch(*args, **kwargs)
    monkeypatch.setattr(isolated, "_watch", breaks_once)
    submission = zip_files(tmp_path / "s.zip", {"models.py": REFERENCE})
    try:
        with pytest.raises(RuntimeError, match="a bug while watching"):
            isolated.run_one(SLUG, submission, tmp_path / "1" / "results.json", 300)
        assert isolated.run_one(SLUG, submission, tmp_path / "2" / "results.json", 300)["score"] == SPEC.total_points
    finally:
        warm.close_all()
