"""The child's import guard for installed packages the sandbox does not offer (grader.sandbox.server)."""
import pytest

from grader.sandbox import readable
from grader.sandbox.server import NotOffered


def test_not_offered_lists_what_is_installed_beside_the_offered_packages_only():
    absent = readable.not_offered(("sklearn",))
    assert "pytest" in absent and "numpy" not in absent and "sklearn" not in absent and "scipy" not in absent


def test_a_module_not_offered_is_absent_unless_the_submission_has_one_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guard = NotOffered(["pytest"])
    with pytest.raises(ModuleNotFoundError, match="No module named 'pytest.mark'"):
        guard.find_spec("pytest.mark")
    assert guard.find_spec("numpy") is None
    (tmp_path / "pytest.py").write_text("")  # the student's own pytest.py is theirs to import
    assert guard.find_spec("pytest") is None
