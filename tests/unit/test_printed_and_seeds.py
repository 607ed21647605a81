"""Printed output is read in linear time; hidden seeds depend on secret and submission."""
import math
import time

import pytest

from grader.assignment import seeds
from grader.kit import printed

OUTPUT = """loss = 0.25
dLdz = [ 0.72727273  0.1305405  -0.04729644
 -0.51229508]
dEdW1[11, 27] = -1.5e-03   dEdb1[3]: 2
dEdb2 0.5
Param 0 is CORRECT, error = 1.4e-09
Param 1 is WRONG, error = nan
Param 2 is WRONG
"""


def test_labels_values_and_arrays_over_lines():
    found = printed.labelled_values(OUTPUT)
    assert found["dLdz"] == [0.72727273, 0.1305405, -0.04729644, -0.51229508]
    assert found[printed.label("dEdW1", (11, 27))] == [-0.0015]
    assert found["dEdb1[3]"] == [2.0] and found["dEdb2"] == [0.5] and found["loss"] == [0.25]


def test_verdict_lines():
    lines = printed.verdicts(OUTPUT)
    assert lines[0] == (0, "CORRECT", 1.4e-09)
    assert lines[1][:2] == (1, "WRONG") and math.isnan(lines[1][2])
    assert lines[2] == (2, "WRONG", None)


def test_hostile_output_is_read_in_linear_time():
    hostile = "dEdW1" + " " * 65000 + "=" + "1" * 50000 + "\n" + ("dEdW1 [ " * 10000 + "\n") * 50
    start = time.process_time()
    printed.labelled_values(hostile)
    printed.verdicts(hostile)
    assert time.process_time() - start < 5  # generous: the backtracking version took minutes
    assert len(printed.tokens("x" * (printed.MAX_LINE * 3))) == 2  # one name, cut, and the line's end


def test_forged_megabytes_of_output_are_read_only_up_to_the_cap():
    """A forged reply can carry far more than the 64 KB the sandbox captures: what is read
    (and so the tokens held in memory) stays under MAX_TEXT, whatever the text's size."""
    flood = ("," * (printed.MAX_LINE - 1) + "\n") * 2000  # 4 MB of one-character tokens
    assert len(printed.tokens(flood)) <= printed.MAX_TEXT + printed.MAX_TEXT // printed.MAX_LINE + 1
    assert printed.labelled_values(flood + "loss = 1") == {}  # past the cap: not read


def test_first_occurrence_wins_and_unterminated_arrays_are_ignored():
    found = printed.labelled_values("a = 1\na = 2\nb = [1 2\n")
    assert found == {"a": [1.0]}


def test_hidden_seeds_follow_secret_and_submission(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    digest = seeds.submission_digest(tmp_path)
    same = seeds.check_seed("test_a", digest, "s1")
    assert same == seeds.check_seed("test_a", digest, "s1")
    assert same != seeds.check_seed("test_a", digest, "s2") and same != seeds.check_seed("test_b", digest, "s1")
    (tmp_path / "m.py").write_text("x = 2\n")
    assert seeds.check_seed("test_a", seeds.submission_digest(tmp_path), "s1") != same
    assert seeds.check_seed("test_a") == seeds.check_seed("test_a", "other digest")  # public: id only


@pytest.mark.parametrize("changed", ["layers.py", "nn_helpers.py", "sub/helper.py", "digits.npz"])
def test_changing_only_a_staged_helper_or_data_file_draws_new_hidden_inputs(tmp_path, changed):
    """Any file the child gets can change what it does, so the seed covers every one:
    a student holding the required files fixed cannot keep the hidden inputs fixed."""
    for name in ["m.py", "layers.py", "nn_helpers.py", "sub/helper.py", "digits.npz"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    before = seeds.submission_digest(tmp_path)
    (tmp_path / changed).write_text("x = 2\n")
    assert seeds.submission_digest(tmp_path) != before
    (tmp_path / changed).write_text("x = 1\n")
    assert seeds.submission_digest(tmp_path) == before


def test_secret_file_is_created_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv(seeds.ENV, raising=False)
    first = seeds.run_secret(tmp_path)
    assert first == seeds.run_secret(tmp_path) and len(first) == 64
    assert (tmp_path / seeds.SECRET_FILE).stat().st_mode & 0o077 == 0
    monkeypatch.setenv(seeds.ENV, "given")
    assert seeds.run_secret(tmp_path) == "given"
