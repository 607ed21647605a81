"""One student's written answers as a PDF, one page per [[manual]] question.

Runs in `grader.submission.quarantine`'s limited process (task "manual_pdf"): it reads the
student's answers file, the markdown cells of their notebooks and their images,
all untrusted. Text reaches the PDF only escaped (shown as the student typed it,
never as HTML); images are decoded by Pillow from the student's own PNG and JPEG
files, each checked for size before decoding and re-encoded into a folder of our
own, the only folder the renderer may read; it may fetch nothing remote.
"""
import html
import json
import re
import shutil
import tempfile
from pathlib import Path

from ..assignment.config import heading_key as key

MAX_ANSWER_CHARS = 12_000      # of one question's answer from one file; the rest is cut with a note
MAX_LEFTOVER_CHARS = 4_000     # text under no question's heading
MAX_TEXT_BYTES = 2 * 2**20     # an answers file read at all
MAX_NOTEBOOK_BYTES = 20 * 2**20  # a notebook (its plots make it large), as grader.submission.intake caps it
MAX_IMAGE_BYTES = 8 * 2**20
MAX_IMAGE_PIXELS = 25_000_000
MAX_IMAGES = 12                # figures shown in one PDF
IMAGE_SIDE = 1400              # pixels of the longer side of a figure as embedded
IMAGE_BOX_CM = (16, 20)        # the most a figure takes of the page; a small one at most 0.02 cm a pixel
LONG_WORD = 90                 # characters after which an unbroken word may wrap
NO_ANSWER = "No answer was found for this question."
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)[\s#]*$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but tab and newline
# matplotlib's copy of DejaVu Sans: Greek letters and mathematical signs, which the PDF's own
# fonts lack (a student's σ or ∂ would print as a box); copied beside the document per style.
FONTS = {("normal", "normal"): "DejaVuSans.ttf", ("bold", "normal"): "DejaVuSans-Bold.ttf",
         ("normal", "italic"): "DejaVuSans-Oblique.ttf", ("bold", "italic"): "DejaVuSans-BoldOblique.ttf"}
CSS = """
@page { size: a4; margin: 2cm; }
body { font-family: Body; font-size: 10pt; }
h1 { font-size: 14pt; } h2 { font-size: 12pt; margin-bottom: 2pt; }
.question { font-size: 11pt; font-style: italic; }
.source { color: #555555; font-size: 9pt; margin-top: 8pt; }
.note { color: #9a0000; }
.missing { color: #9a0000; font-size: 12pt; }
"""


def _esc(text):
    """Text as the document shows it: escaped, without control characters (no font draws them)."""
    return html.escape(CONTROL.sub("", text))


def split_answers(text, labels):
    """({question index: its text}, text under no question's heading): a section starts at a
    markdown heading that begins with a question's label and ends at the next heading of its
    level or above (`## Q1.6` ends at a `#` or `##` heading). With a single question, text
    under no heading is its answer."""
    order = sorted(range(len(labels)), key=lambda i: -len(key(labels[i])))
    found, leftover, current, level = {}, [], None, 0
    for line in text.splitlines():
        match = HEADING.match(line)
        if match:
            heading = key(match.group(2))
            hit = next((i for i in order if key(labels[i]) and heading.startswith(key(labels[i]))), None)
            if hit is not None:
                current, level = hit, len(match.group(1))
                found.setdefault(hit, [])
                continue
            if len(match.group(1)) <= level:
                current, level = None, 0
        (leftover if current is None else found[current]).append(line)
    answers = {i: "\n".join(lines).strip() for i, lines in found.items()}
    rest = "\n".join(leftover).strip()
    if len(labels) == 1 and not answers and rest:
        return {0: rest}, ""
    return {i: a for i, a in answers.items() if a}, rest


def markdown_of_notebook(text):
    """The markdown cells of a notebook (plain JSON, nbformat 3 or 4), in order."""
    notebook = json.loads(text)
    cells = notebook.get("cells")
    if cells is None:
        cells = [c for sheet in notebook.get("worksheets", []) for c in sheet.get("cells", [])]
    chunks = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            chunks.append("".join(source) if isinstance(source, list) else str(source))
    return "\n\n".join(chunks)


def _read(path, notebook):
    cap = MAX_NOTEBOOK_BYTES if notebook else MAX_TEXT_BYTES
    with open(path, "rb") as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"it is larger than {cap // 2**20} MB")
    text = data.decode("utf-8", errors="replace")
    return markdown_of_notebook(text) if notebook else text


def _cut(text, limit):
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"[Cut here: {len(text) - limit:,} more characters are in the submission.]"


def _paragraphs(text):
    """Escaped text as paragraphs, line breaks kept; very long words may wrap."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [_esc(re.sub(rf"(\S{{{LONG_WORD}}})(?=\S)", "\\1 ", line)) for line in block.splitlines()]
        out.append("<p>" + "<br/>".join(lines) + "</p>")
    return "\n".join(out)


def _mentions(text, images):
    """The images (paths in the submission) whose file names the text mentions, in the order
    the text first does."""
    low = text.lower()
    hits = [(low.find(Path(name).name.lower()), name) for name in images if Path(name).name.lower() in low]
    return [name for _, name in sorted(hits)]


def _figure(image, workdir, number):
    """The student's image re-encoded as a PNG in `workdir`, or the reason it is not shown."""
    from PIL import Image
    path = Path(image)
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return None, f"larger than {MAX_IMAGE_BYTES // 2**20} MB"
    try:
        with Image.open(path, formats=["PNG", "JPEG"]) as opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                return None, f"{width} x {height} pixels is more than {MAX_IMAGE_PIXELS:,}"
            picture = opened.convert("RGB")
        picture.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
        target = Path(workdir) / f"figure{number}.png"
        picture.save(target, format="PNG")
        return (target, picture.size), ""
    except Image.DecompressionBombError:  # Pillow's own guard, at a higher count than ours
        return None, f"more than {MAX_IMAGE_PIXELS:,} pixels"
    except (OSError, ValueError, SyntaxError) as problem:
        return None, f"not a readable PNG or JPEG ({type(problem).__name__})"


class _Figures:
    """Figures placed so far, capped at MAX_IMAGES, each shown once."""

    def __init__(self, images, workdir):
        self.images, self.workdir, self.shown = images, workdir, []

    def html(self, name):
        if name in self.shown:
            return ""
        self.shown.append(name)
        label = _esc(name)
        if len(self.shown) > MAX_IMAGES:
            return f'<p class="note">[{label}: not shown, only {MAX_IMAGES} figures are.]</p>'
        made, why = _figure(self.images[name], self.workdir, len(self.shown))
        if made is None:
            return f'<p class="note">[{label}: not shown, {_esc(why)}.]</p>'
        (target, (width, height)), (box_width, box_height) = made, IMAGE_BOX_CM
        scale = min(box_width / width, box_height / height, 0.02)  # cm per pixel, ratio kept
        return (f'<p class="source">{label}</p>'
                f'<img src="{target.name}" style="width: {width * scale:.2f}cm; height: {height * scale:.2f}cm"/>')


def _answer_html(pieces, figures, limit=MAX_ANSWER_CHARS):
    """A question's answer: each source's text, then the figures it names."""
    out = []
    for source, text in pieces:
        shown, note = _cut(text, limit)
        out.append(f'<p class="source">From {_esc(source)}:</p>{_paragraphs(shown)}')
        out += [f'<p class="note">{_esc(note)}</p>'] if note else []
        out += [figures.html(name) for name in _mentions(text, figures.images)]
    return "\n".join(out)


def _fonts(workdir):
    """@font-face rules for FONTS, copied into `workdir` (the one folder the renderer may read)."""
    import matplotlib
    rules = []
    for (weight, style), name in FONTS.items():
        shutil.copyfile(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name, Path(workdir) / name)
        rules.append(f"@font-face {{ font-family: Body; src: url({name}); font-weight: {weight}; "
                     f"font-style: {style}; }}")
    return "\n".join(rules)


def build_html(job, workdir):
    """The HTML document for `job` (see `render`); its figures and fonts are written into `workdir`."""
    questions, labels = job["questions"], [q["label"] for q in job["questions"]]
    answers, leftovers, notes = {i: [] for i in range(len(questions))}, [], list(job.get("notes", []))
    for source, path, notebook in job["texts"]:
        try:
            found, rest = split_answers(_read(path, notebook), labels)
        except (OSError, ValueError, RecursionError, TypeError, AttributeError) as problem:
            notes.append(f"{source} could not be read ({problem}).")
            continue
        for i, text in found.items():
            answers[i].append((source, text))
        if rest and not notebook:  # a notebook's other cells are mostly the handout's own text
            leftovers.append((source, rest))
    figures = _Figures(dict(job["images"]), workdir)
    header = (f"<h1>{_esc(job['title'])}</h1><p>{_esc(job['student'])}</p>"
              + "".join(f'<p class="note">{_esc(n)}</p>' for n in notes))
    pages = []
    for i, question in enumerate(questions):
        body = _answer_html(answers[i], figures) if answers[i] else f'<p class="missing">{NO_ANSWER}</p>'
        points = f"{question['points']:g} point{'' if question['points'] == 1 else 's'}"
        pages.append(f"<h2>{_esc(question['label'])} ({points})</h2>"
                     f'<p class="question">{_esc(question["question"])}</p>{body}')
    unplaced = [name for name in figures.images if name not in figures.shown]
    if leftovers or unplaced:
        rest = "".join(_answer_html([piece], figures, MAX_LEFTOVER_CHARS) for piece in leftovers)
        pages.append("<h2>Not under any question's heading</h2>" + rest
                     + "".join(figures.html(name) for name in unplaced))
    return (f"<html><head><meta charset='utf-8'/><style>{_fonts(workdir)}{CSS}</style></head><body>{header}"
            + "<pdf:nextpage/>".join(pages) + "</body></html>")


def render(job):
    """Write job["output"], a PDF of one student's answers. `job`: title, student (a line naming
    them), questions [{label, question, points}], texts [(source label, path, is notebook)],
    images [(file name, path)], notes [for staff]. Returns {"ok": True} or {"error": why}."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy
    with tempfile.TemporaryDirectory() as workdir:
        document = build_html(job, workdir)
        policy = ResourceAccessPolicy.server(workdir, allow_remote=False, max_render_seconds=30)
        with open(job["output"], "wb") as out:
            status = pisa.CreatePDF(document, dest=out, path=str(Path(workdir) / "answers.html"),
                                    resource_policy=policy)
    return {"error": f"the PDF library reported {status.err} error(s)"} if status.err else {"ok": True}
