"""grade-all's bookkeeping, in-process: the cache, its key and fingerprint, the terminal table,
and how a submission that keeps killing Dask workers (or a missing Dask) is reported."""
import importlib.util
import shutil
import zipfile
from types import SimpleNamespace

import pytest

from grader.assignment import seeds
from grader.assignment.config import load_assignment
from grader.classroom import cache as cache_module
from grader.classroom.batch import Graded, Submission, print_table, progress
from grader.classroom.cache import CACHE_FILE, Cache, fingerprint, regrade_fingerprint, submission_digest
from grader.classroom.cluster import ClusterAddressError, _outcome, plan

SLUG = "a1_softsign"
SPEC = load_assignment(SLUG)


def test_the_fingerprint_follows_checks_data_and_reference(tmp_path):
    shutil.copytree(SPEC.folder, tmp_path / "assignments" / SLUG)
    shutil.copytree(SPEC.reference, tmp_path / "reference" / SLUG)
    before = fingerprint(load_assignment(SLUG, tmp_path))
    assert fingerprint(load_assignment(SLUG, tmp_path)) == before
    for changed in [tmp_path / "assignments" / SLUG / "checks" / "hidden" / "test_extra.py",
                    tmp_path / "assignments" / SLUG / "data" / "extra.npz",
                    tmp_path / "reference" / SLUG / "models.py"]:
        with open(changed, "a") as f:
            f.write("\n# changed\n")
        after = fingerprint(load_assignment(SLUG, tmp_path))
        assert after != before, changed
        before = after


def test_changed_checks_invalidate_every_cached_result(tmp_path):
    results = tmp_path / "ann" / "results.json"
    results.parent.mkdir()
    results.write_text("{}")
    Cache(tmp_path, "checks-v1").store("ann", "digest")
    assert Cache(tmp_path, "checks-v1").lookup("ann", "digest", results) is not None
    assert Cache(tmp_path, "checks-v1").lookup("ann", "other", results) is None
    assert Cache(tmp_path, "checks-v2").lookup("ann", "digest", results) is None


def test_a_submission_that_keeps_killing_workers_is_reported_not_graded():
    class KilledWorker(Exception):  # what Dask raises once a task has taken down its workers too often
        pass

    future = SimpleNamespace(status="error", exception=lambda: KilledWorker("grade_task-1"))
    outcome = _outcome(future, "tcp://127.0.0.1:8786")
    assert outcome["problem"].startswith("This submission could not be graded: each Dask worker")
    assert outcome["results"]["score"] == 0 and outcome["problem"] in outcome["results"]["output"]


def _zip(path, files, when):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when), text)
    return path


def test_the_cache_key_is_what_is_graded_not_the_zips_bytes(tmp_path):
    models = (SPEC.reference / "models.py").read_text()
    first = _zip(tmp_path / "a.zip", {"models.py": models}, (2020, 1, 1, 0, 0, 0))
    rebuilt = _zip(tmp_path / "b.zip", {"models.py": models}, (2026, 5, 5, 12, 0, 0))  # same files, new times
    assert first.read_bytes() != rebuilt.read_bytes()
    assert submission_digest(SPEC, first) == submission_digest(SPEC, rebuilt)
    changed = _zip(tmp_path / "c.zip", {"models.py": models + "\n# edited\n"}, (2020, 1, 1, 0, 0, 0))
    extra = _zip(tmp_path / "d.zip", {"models.py": models, "notes.txt": "hi"}, (2020, 1, 1, 0, 0, 0))
    renamed = _zip(tmp_path / "e.zip", {"Models.py": models}, (2020, 1, 1, 0, 0, 0))
    digests = {submission_digest(SPEC, p) for p in (first, changed, extra, renamed)}
    assert len(digests) == 4  # the content, and what intake tells the student, decide
    broken = tmp_path / "f.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert submission_digest(SPEC, broken) != submission_digest(SPEC, tmp_path / "missing.zip")


def test_rotating_the_secret_regrades_and_the_cache_never_holds_it(tmp_path, monkeypatch):
    monkeypatch.setenv(seeds.ENV, "first secret")
    before = regrade_fingerprint(SPEC)
    assert regrade_fingerprint(SPEC) == before and before != fingerprint(SPEC)
    monkeypatch.setenv(seeds.ENV, "second secret")
    assert regrade_fingerprint(SPEC) != before
    Cache(tmp_path, regrade_fingerprint(SPEC)).save()
    assert "second secret" not in (tmp_path / CACHE_FILE).read_text()


def test_the_terminal_table_names_the_students_an_export_names(capsys):
    named = Graded(Submission("submission_101", None, [{"name": "Ada Lovelace", "sid": "101"}]),
                   {"score": 10, "tests": []})
    pair = Graded(Submission("submission_102", None, [{"name": "Pair One"}, {"name": "Pair Two"}]),
                  {"score": 0, "tests": [{"number": "1.1", "score": 0, "max_score": 1}]})
    print_table(SPEC, [named, pair], "graded")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["submission", "name", "score"]
    assert "Ada Lovelace" in lines[1] and "Pair One; Pair Two" in lines[2] and "lost: 1.1" in lines[2]
    print_table(SPEC, [Graded(Submission("alice", None), {"score": 1, "tests": []})], "graded")
    assert capsys.readouterr().out.splitlines()[0].split() == ["submission", "score"]  # a plain folder: no names


def test_students_text_reaches_the_terminal_without_escape_codes(capsys):
    """A file or person named with terminal escapes (clear the screen, retitle the window,
    move the cursor) is shown as plain text in the table and the progress bar."""
    hostile = "bob\x1b[2J\x1b]0;owned\x07\x1b[1A\r"
    print_table(SPEC, [Graded(Submission(hostile, None, [{"name": hostile}]), {"score": 1, "tests": []})], "graded")
    progress(1, 1, hostile)
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\x07" not in out and "bob" in out
    assert "\x1b" not in err and "bob" in err


def test_an_upload_that_breaks_intake_is_keyed_by_its_bytes_not_fatal(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("an odd zip")
    monkeypatch.setattr(cache_module, "stage", broken)
    upload = _zip(tmp_path / "odd.zip", {"models.py": "x = 1\n"}, (2020, 1, 1, 0, 0, 0))
    first = submission_digest(SPEC, upload)
    assert first == submission_digest(SPEC, upload)
    _zip(upload, {"models.py": "x = 2\n"}, (2020, 1, 1, 0, 0, 0))
    assert submission_digest(SPEC, upload) != first


def test_cluster_without_dask_installed_is_one_line_before_any_grading(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    with pytest.raises(ClusterAddressError, match="optional extra 'cluster'"):
        plan("local:2")
