"""grade-all's bookkeeping, in-process: the cache and its fingerprint, and how a submission
that keeps killing Dask workers is reported."""
import shutil
from types import SimpleNamespace

from grader.cache import Cache, fingerprint
from grader.cluster import _outcome
from grader.config import load_assignment

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
