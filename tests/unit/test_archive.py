"""One module reads zips: a class's zip (grade-all) gets the checks a student's zip gets,
with a class's caps; a cap changed in grader.submission.archive changes both."""
import stat
import zipfile

import pytest

from grader.classroom import batch
from grader.classroom.batch import BatchError, extract_class_zip, several_copies
from grader.submission import archive
from grader.submission.intake import IntakeError, extract_zip

BOMB = b"\0" * (3 << 20)  # compresses about a thousand times


def class_zip(path, files, links=(), compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as opened:
        for name, data in files:
            opened.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            opened.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize("files, links, words", [
    ([("alice/models.py", b"x = 1\n"), ("alice/big.bin", BOMB)], (), "compressed suspiciously well"),
    ([("alice/models.py", b"x = 1\n"), ("Alice/MODELS.py", b"x = 2\n")], (), "appears twice"),
    ([("alice/models.py", b"x = 1\n")], ["alice/util.py"], "symbolic link"),
    ([("alice/../../evil.py", b"x = 1\n")], (), "points outside"),
    ([("/tmp/evil.py", b"x = 1\n")], (), "absolute path"),
    ([("C:/evil.py", b"x = 1\n")], (), "absolute path"),
])
def test_a_class_zip_is_refused_like_a_students(tmp_path, files, links, words):
    path = class_zip(tmp_path / "class.zip", files, links)
    with pytest.raises(BatchError, match=words) as info:
        extract_class_zip(path, tmp_path / "out")
    assert str(info.value).startswith(f"{path} was not extracted: ")
    assert not (tmp_path / "out").exists()  # refused from its listing: nothing written


def test_a_class_zip_over_the_class_caps_is_refused(tmp_path, monkeypatch):
    path = class_zip(tmp_path / "class.zip", [(f"s{i}/models.py", b"x = 1\n" * 100) for i in range(5)])
    monkeypatch.setattr(batch, "CLASS_MAX_ENTRIES", 4)
    with pytest.raises(BatchError, match=r"it has 5 entries \(the limit is 4\)"):
        extract_class_zip(path, tmp_path / "out")
    monkeypatch.setattr(batch, "CLASS_MAX_ENTRIES", 5)
    monkeypatch.setattr(batch, "CLASS_MAX_BYTES", 1000)
    with pytest.raises(BatchError, match="unpacks to more than"):
        extract_class_zip(path, tmp_path / "out")
    monkeypatch.setattr(batch, "CLASS_MAX_BYTES", 3000)
    extract_class_zip(path, tmp_path / "out")
    assert sorted(p.parent.name for p in (tmp_path / "out").rglob("models.py")) == [f"s{i}" for i in range(5)]


def test_an_unreadable_class_zip_is_one_line(tmp_path):
    path = tmp_path / "class.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an end record and nothing else: a zip listing nothing
    extract_class_zip(path, tmp_path / "out")
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BatchError, match="was not extracted"):
        extract_class_zip(path, tmp_path / "out")


def test_the_listing_cap_is_one_place_for_students_classes_and_lookups(tmp_path, monkeypatch):
    path = class_zip(tmp_path / "s.zip", [(f"hw/f{i}.py", b"") for i in range(20)] + [("hw/models.py", b"x = 1\n")])
    assert len(archive.names(path)) == 21
    monkeypatch.setattr(archive, "MAX_LISTING", 10)
    with pytest.raises(IntakeError, match="21 entries, too many to read"):
        extract_zip(path, tmp_path / "student")
    with pytest.raises(BatchError, match="21 entries, too many to read"):
        extract_class_zip(path, tmp_path / "class")
    assert archive.names(path) is None
    assert several_copies(type("A", (), {"submit": ["models.py"]}), path) == ""  # intake will say why


def test_a_students_zip_keeps_its_own_sentences(tmp_path):
    path = class_zip(tmp_path / "s.zip", [("models.py", b"x = 1\n"), ("big.bin", BOMB)])
    with pytest.raises(IntakeError, match=r"^Your zip file was refused: the entry 'big.bin' is compressed"):
        extract_zip(path, tmp_path / "out")
    path = class_zip(tmp_path / "t.zip", [("models.py", b"x = 1\n")], links=["util.py"])
    with pytest.raises(IntakeError, match=r"^Your zip file was refused: the entry 'util.py' is a symbolic link\. "):
        extract_zip(path, tmp_path / "out")
    (tmp_path / "u.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IntakeError, match=r"^Your zip file could not be read \("):
        extract_zip(tmp_path / "u.zip", tmp_path / "out")
