"""Written answers out to manual grading: one PDF per student and one for the class.

For each submission of a class (a folder, a Gradescope export or its zip, found
as grade-all finds them), the student's written answers (an answers file, the
markdown cells of their notebooks, the PNG and JPEG figures they hand in) become
one PDF with a page per [[manual]] question of assignment.toml, in order, each
headed by the question: what staff upload to Gradescope's manual-grading
assignment. `all-students.pdf` holds every student's PDF, in the same order.
The student's files are read and rendered only in `grader.submission.quarantine`'s limited
process (grader.classroom.manual_pdf); this process only unpacks and lists them.
"""
import importlib.util
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..assignment.config import load_assignment
from ..submission import quarantine
from ..submission.intake import IntakeError, survey, unpack
from .batch import BatchError, find_submissions, open_input

ANSWER_FILES = ("written.md", "written.txt")  # where a student writes answers; any depth, any case
IMAGES = (".png", ".jpg", ".jpeg")
# Reports in another file or format, or a zip inside the submission: named on the first page for
# staff, never read. The student release's own README.md and requirements.txt are not.
NOT_INCLUDED = (".pdf", ".docx", ".doc", ".odt", ".tex", ".html", ".md", ".txt", ".zip")
RELEASED = ("readme.md", "requirements.txt")
BUNDLE = "all-students.pdf"
STUDENTS = "students"  # the folder of the per-student PDFs, so no submission's name can be the bundle's
MAX_NAMED = 8
NEEDS = "the optional extra `manual` (pip install -e '.[manual]'; `make` installs it)"


def extra_installed():
    return all(importlib.util.find_spec(name) is not None for name in ("xhtml2pdf", "pypdf", "PIL"))


def questions(assignment):
    """[[manual]] questions with the label a student's heading starts with ("Question n" if unset)."""
    return [{"label": q["label"] or f"Question {n}", "question": q["question"], "points": q["points"]}
            for n, q in enumerate(assignment.manual, 1)]


def student_line(submission):
    names = "; ".join(" ".join(filter(None, (p.get("name"), p.get("sid") and f"({p['sid']})")))
                      for p in submission.people)
    return f"{names} - submission {submission.name}" if names else f"Submission {submission.name}"


def job_for(assignment, submission, workspace):
    """What the limited process renders for `submission` (see manual_pdf.render)."""
    job = {"title": f"{assignment.title}: written answers", "student": student_line(submission),
           "questions": questions(assignment), "texts": [], "images": [], "notes": []}
    try:
        root, _ = unpack(submission.path, workspace)
        files = survey(root)
    except IntakeError as problem:
        job["notes"].append(f"The submission could not be read: {problem}")
        return job
    unread = []
    for rel, _ in files:
        name, path = rel.name.lower(), str(root / rel)
        if name in ANSWER_FILES or rel.suffix.lower() == ".ipynb":
            job["texts"].append((rel.as_posix(), path, rel.suffix.lower() == ".ipynb"))
        elif rel.suffix.lower() in IMAGES:
            job["images"].append((rel.as_posix(), path))
        elif rel.suffix.lower() in NOT_INCLUDED and name not in RELEASED:
            unread.append(rel.as_posix())
    if unread:
        more = f" and {len(unread) - MAX_NAMED} more" if len(unread) > MAX_NAMED else ""
        job["notes"].append(f"{', '.join(unread[:MAX_NAMED])}{more} {'is' if len(unread) == 1 else 'are'} in the "
                            f"submission but not in this PDF: only {', '.join(ANSWER_FILES)}, notebooks and "
                            "PNG/JPEG figures are read.")
    return job


def render(job, output):
    """Render `job` into `output` in the limited process; on failure, a PDF of the questions
    that says so (never a missing page). Returns '' or why the student's answers are not in it."""
    try:
        answer = quarantine.run("manual_pdf", dict(job, output=str(output)))
        why = answer.get("error", "")
    except quarantine.QuarantineFailure as failure:
        why = str(failure)
    if not why:
        return ""
    bare = dict(job, texts=[], images=[], output=str(output),
                notes=[f"The answers could not be rendered ({why}): read the submission itself."])
    try:
        answer = quarantine.run("manual_pdf", bare)
    except quarantine.QuarantineFailure as failure:
        answer = {"error": str(failure)}
    if "error" in answer:
        raise BatchError(f"the PDF of {job['student']} could not be written: {answer['error']}")
    return why


def write_pdfs(slug, source, outdir, jobs=1, say=print):
    """One PDF per submission in `outdir`/STUDENTS (`jobs` at once) and the class's BUNDLE in
    `outdir`; returns the names of submissions whose answers could not be rendered (their PDF
    says so)."""
    from pypdf import PdfWriter
    assignment = load_assignment(slug)
    if not assignment.manual:
        raise BatchError(f"{slug} has no [[manual]] questions in its assignment.toml")
    outdir = Path(outdir)
    try:
        (outdir / STUDENTS).mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise BatchError(f"cannot make the output folder {outdir / STUDENTS}: {problem.strerror or problem}") from None
    failed, bundle = [], PdfWriter()
    with tempfile.TemporaryDirectory() as tmp:
        submissions = find_submissions(open_input(source, Path(tmp) / "class"), outdir)
        if not submissions:
            raise BatchError(f"no submissions found in {source}")

        def pdf_of(submission):
            return outdir / STUDENTS / f"{submission.name}.pdf"

        def one(number):
            submission = submissions[number]
            return render(job_for(assignment, submission, Path(tmp) / f"s{number}"), pdf_of(submission))

        with ThreadPoolExecutor(max(1, jobs)) as pool:  # each render is a process of its own
            for submission, why in zip(submissions, pool.map(one, range(len(submissions)))):
                if why:
                    failed.append(submission.name)
                    say(f"warning: {submission.name}: answers not rendered ({why}); its PDF says so")
                bundle.append(str(pdf_of(submission)))
    with open(outdir / BUNDLE, "wb") as f:
        bundle.write(f)
    say(f"{slug}: {len(submissions)} PDF(s) of written answers in {outdir / STUDENTS}, all of them in "
        f"{outdir / BUNDLE}")
    return failed
