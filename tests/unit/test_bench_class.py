"""The class-scale bench grades unique students: grade-all's cache must not serve any of them."""
import zipfile

from grader.assignment.config import load_assignment
from grader.bench import unique_class
from grader.classroom.cache import submission_digest


def test_every_student_of_the_class_is_unique_and_keeps_its_samples_files(tmp_path):
    folder = unique_class("a1_softsign", tmp_path, 20)
    students = sorted(folder.glob("*.zip"))
    assert len(students) == 20
    spec = load_assignment("a1_softsign")
    assert len({submission_digest(spec, path) for path in students}) == 20  # what grade-all's cache keys on
    samples = sorted((tmp_path / "samples").glob("*.zip"))
    for i, student in enumerate(students):
        with zipfile.ZipFile(samples[i % len(samples)]) as sample, zipfile.ZipFile(student) as copy:
            assert sample.namelist() == copy.namelist()
            for name in sample.namelist():
                if name.endswith(".py"):  # the sample's code, then a comment naming the student
                    assert copy.read(name) == sample.read(name) + f"\n# student {i}\n".encode()
