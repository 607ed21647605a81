"""`python -m grader manual-pdfs` on a Gradescope export's zip (a2) and a folder of zips (a3):
a PDF per student with a page per [[manual]] question, and the class's bundle."""
import http.server
import json
import shutil
import subprocess
import sys
import threading
import zipfile

import pytest

from conftest import REPO
from grader.assignment.config import load_assignment
from grader.classroom.manual_pdf import NO_ANSWER

pypdf = pytest.importorskip("pypdf")
Image = pytest.importorskip("PIL.Image")
pytest.importorskip("xhtml2pdf")


def manual_pdfs(slug, source, out):
    proc = subprocess.run([sys.executable, "-m", "grader", "manual-pdfs", slug, str(source), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdfs = [out / "all-students.pdf", *(out / "students").glob("*.pdf")]
    return {pdf.stem: [page.extract_text() for page in pypdf.PdfReader(pdf).pages] for pdf in pdfs}


class _Counting(http.server.BaseHTTPRequestHandler):
    asked = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.asked.append(self.path)
        self.send_error(404)

    def log_message(self, *args):
        pass


def flat(text):
    return " ".join(text.split())


def test_a2_export_and_a3_folder_give_a_page_per_question_with_the_students_answers(tmp_path):
    export = tmp_path / "export"
    (export / "submission_101").mkdir(parents=True)
    (export / "submission_102").mkdir()
    handout = json.loads((REPO / "assignments" / "a2_two_layer_mlp" / "handout.ipynb").read_text())
    answer = next(cell for cell in handout["cells"] if "".join(cell["source"]).startswith("## Q1.6"))
    answer["source"] = "".join(answer["source"]) + "\nRecomputing repeats work."
    (export / "submission_101" / "handout.ipynb").write_text(json.dumps(handout))
    shutil.copy(REPO / "assignments" / "a2_two_layer_mlp" / "handout.ipynb", export / "submission_102")  # as given
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '101'\n"
        "submission_102:\n  :submitters:\n  - :name: Bob Idle\n    :sid: '102'\n")
    shutil.make_archive(str(tmp_path / "download"), "zip", tmp_path, "export")

    a2 = manual_pdfs("a2_two_layer_mlp", tmp_path / "download.zip", tmp_path / "a2")
    question = load_assignment("a2_two_layer_mlp").manual[0]["question"]
    assert sorted(a2) == ["all-students", "submission_101", "submission_102"]
    ada, bob = flat(" ".join(a2["submission_101"])), flat(" ".join(a2["submission_102"]))
    assert "Ada Lovelace (101)" in ada and question in ada and "Recomputing repeats work." in ada
    assert NO_ANSWER not in ada and "Part 2" not in ada  # the notebook's other cells are the handout's
    assert "Bob Idle (102)" in bob and question in bob and NO_ANSWER in bob
    assert a2["all-students"] == a2["submission_101"] + a2["submission_102"]

    figure = tmp_path / "moons.png"
    Image.new("RGB", (60, 40), "white").save(figure)
    folder = tmp_path / "a3-class"
    folder.mkdir()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)  # a student's links must not reach it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    written = (f'## Written 1\nMy derivation: σ′(z) = σ(1 − σ).\n<img src="{url}/a.png"> ![b]({url}/b.png)\n'
               f'<img src="file:///etc/passwd"> <link rel="stylesheet" href="{url}/c.css">\n\n'
               "## written 2 (tanh)\nThe boundary, moons.png, is smooth.\n")
    with zipfile.ZipFile(folder / "alice.zip", "w") as opened:
        opened.writestr("hw/written.md", written)
        opened.write(figure, "hw/moons.png")
        opened.writestr("hw/report.docx", "an answer staff must be told of")
        opened.writestr("hw/README.md", "the student release's own")

    try:
        a3 = manual_pdfs("a3_three_layer_nn", folder, tmp_path / "a3")
    finally:
        server.shutdown()
    assert _Counting.asked == []
    asked = [q["question"] for q in load_assignment("a3_three_layer_nn").manual]
    alice = a3["alice"]
    assert len(alice) == len(asked) == len(a3["all-students"])  # a page per question, in order
    for page, question in zip(alice, asked):
        assert question in flat(page)
    assert "My derivation: σ′(z) = σ(1 − σ)." in alice[0] and "is smooth." in alice[1] and "hw/moons.png" in alice[1]
    assert '<img src="file:///etc/passwd">' in flat(alice[0]) and "root:" not in "".join(alice)
    page = pypdf.PdfReader(tmp_path / "a3" / "students" / "alice.pdf").pages[0]
    fonts = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in name for name in fonts), fonts  # it has a σ; Helvetica would print a box
    assert [NO_ANSWER in page for page in alice] == [False, False, True, True]
    assert "hw/report.docx is in the submission but not in this PDF" in flat(alice[0]) and "README" not in alice[0]
