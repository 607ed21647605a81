"""Written answers for manual grading (grader.classroom.manual_pdf): which text goes under which question,
and that a student's text and files cannot make the PDF show markup, read a file of the
machine or fetch anything."""
import json
import zlib

import pytest

from grader import cli
from grader.assignment.config import ConfigError, load_assignment, parse_manifest, read_toml
from grader.classroom import manual, manual_pdf

pypdf = pytest.importorskip("pypdf")
Image = pytest.importorskip("PIL.Image")
pytest.importorskip("xhtml2pdf")

LABELS = ["Q1", "Q1.6", "Written 2"]


def test_headings_that_begin_with_a_label_file_the_text_under_it_whatever_their_case_and_punctuation():
    text = ("intro line\n## q 1.6 (my answer)\nsix\n### Q1\none\n# written-2\ntwo\n## Notes\nstill two\n"
            "# Appendix\nnot an answer\n## Q1\nmore of one\n### Derivation\nstill one\n## Part 2\nnot either")
    found, rest = manual_pdf.split_answers(text, LABELS)  # Q1.6 is not taken for Q1
    assert found == {1: "six", 0: "one\nmore of one\n### Derivation\nstill one", 2: "two\n## Notes\nstill two"}
    assert rest == "intro line\n# Appendix\nnot an answer\n## Part 2\nnot either"


def test_text_without_headings_answers_a_single_question_and_is_kept_aside_otherwise():
    assert manual_pdf.split_answers("all of it", ["Q1.6"]) == ({0: "all of it"}, "")
    assert manual_pdf.split_answers("all of it", LABELS) == ({}, "all of it")
    assert manual_pdf.split_answers("## Q1\n\n   \n", LABELS) == ({}, "")  # an empty section is no answer


def test_a_notebook_gives_its_markdown_cells_in_order():
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## Q1.6\n", "kept"]},
                          {"cell_type": "code", "source": "## Q1\nnot an answer"},
                          {"cell_type": "markdown", "source": "after"}]}
    assert manual_pdf.markdown_of_notebook(json.dumps(notebook)) == "## Q1.6\nkept\n\nafter"


def test_every_assignment_labels_its_questions_distinctly():
    for slug in ("a1_softsign", "a2_two_layer_mlp", "a3_three_layer_nn", "a5_softmax_mlp"):
        labels = [q["label"] for q in manual.questions(load_assignment(slug))]
        assert labels and not any(label.startswith("Question") for label in labels), slug


@pytest.mark.parametrize("labels, words", [(["Q1", "Q1.6"], "begins the label of #2"),
                                           (["Q 1.6", "q1-6"], "begins the label of #2"),
                                           (["?!"], "has no letter or digit")])
def test_labels_that_could_take_each_others_answers_are_refused(labels, words):
    raw = read_toml(load_assignment("a2_two_layer_mlp").folder / "assignment.toml")
    raw["manual"] = [{"label": label, "question": "q", "points": 1} for label in labels]
    with pytest.raises(ConfigError, match=words):
        parse_manifest(raw, "a2_two_layer_mlp")


def _job(tmp_path, text, images=()):
    answers = tmp_path / "written.md"
    answers.write_text(text)
    return {"title": "A title", "student": "Ada <b>Lovelace</b>", "notes": [], "output": str(tmp_path / "out.pdf"),
            "questions": [{"label": "Q1", "question": "First question?", "points": 2},
                          {"label": "Q2", "question": "Second question?", "points": 1}],
            "texts": [["written.md", str(answers), False]], "images": [list(i) for i in images]}


def test_student_markup_and_control_characters_never_reach_the_document_as_such(tmp_path):
    text = ('## Q1\n<img src="http://127.0.0.1:9/a.png"> ![b](http://127.0.0.1:9/b.png) <img src="file:///etc/passwd">\n'
            '<link rel="stylesheet" href="http://127.0.0.1:9/c.css"><script>alert(1)</script>\x00\x1b[31m\x9b')
    document = manual_pdf.build_html(_job(tmp_path, text), str(tmp_path))
    assert "<img" not in document and "<script" not in document and "<link" not in document
    assert not any(c in document for c in "\x00\x1b\x9b")
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in document and "Ada &lt;b&gt;" in document
    assert "Second question?" in document and manual_pdf.NO_ANSWER in document


def test_a_huge_answer_is_cut_with_a_note(tmp_path):
    document = manual_pdf.build_html(_job(tmp_path, "## Q1\n" + "word " * 10_000), str(tmp_path))
    assert "Cut here: 37,999 more characters" in document
    assert document.count("word") < manual_pdf.MAX_ANSWER_CHARS // 5 + 10


def _png(path, size):
    Image.new("RGB", size, "white").save(path)
    return path


def test_figures_are_shown_where_mentioned_and_bad_ones_are_named_not_decoded(tmp_path):
    fine = _png(tmp_path / "boundary.png", (40, 30))
    for side, name in ((6000, "big.png"), (60000, "bomb.png")):  # 36 million pixels; 3.6 billion
        data = bytearray(_png(tmp_path / name, (1, 1)).read_bytes())  # its header claims side x side
        data[16:24] = side.to_bytes(4, "big") * 2
        data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # and its checksum fits
        (tmp_path / name).write_bytes(bytes(data))
    (tmp_path / "fake.jpg").write_bytes(b"<svg onload=alert(1)>")
    images = [("boundary.png", fine), ("bomb.png", tmp_path / "bomb.png"), ("big.png", tmp_path / "big.png"),
              ("fake.jpg", tmp_path / "fake.jpg"),
              ("unmentioned.png", _png(tmp_path / "unmentioned.png", (8, 8)))]
    text = "## Q1\nSee boundary.png, BOMB.PNG and big.png.\n## Q2\nfake.jpg"
    document = manual_pdf.build_html(_job(tmp_path, text, [(n, str(p)) for n, p in images]), str(tmp_path))
    q1, q2, rest = document.split("<pdf:nextpage/>")
    assert q1.count("<img") == 1 and "bomb.png: not shown, more than 25,000,000 pixels" in q1
    assert "big.png: not shown, 6000 x 6000 pixels is more than 25,000,000" in q1
    assert "fake.jpg: not shown, not a readable PNG or JPEG" in q2
    assert "Not under any question" in rest and rest.count("<img") == 1  # unmentioned.png


def test_a_student_whose_answers_cannot_be_rendered_still_gets_the_questions_and_the_run_says_so(
        tmp_path, monkeypatch):
    asked = []

    def run(task, job):
        asked.append(job)
        if len(asked) == 1:
            raise manual.quarantine.QuarantineFailure("it took more than 40 s", limit=True)
        return {"ok": True}

    monkeypatch.setattr(manual.quarantine, "run", run)
    job = _job(tmp_path, "## Q1\nanything")
    assert manual.render(job, tmp_path / "ada.pdf") == "it took more than 40 s"
    assert asked[1]["texts"] == [] and asked[1]["images"] == [] and asked[1]["questions"] == job["questions"]
    assert asked[1]["notes"] == ["The answers could not be rendered (it took more than 40 s): read the "
                                 "submission itself."]


def test_without_the_extra_the_command_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(manual, "extra_installed", lambda: False)
    assert cli.main(["manual-pdfs", "a2_two_layer_mlp", "nowhere"]) == 2
    assert "needs the optional extra `manual`" in capsys.readouterr().err
