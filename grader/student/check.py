"""`python -m grader check <slug> [folder]`: the public checks on a student's
working folder, with the autograder's messages, printed for a terminal, and a
look at `answers.py` (read, never run) for answers the autograder cannot read.
`grader_check.check("2.1")` in a notebook or script prints the same lines."""
import ast
import tempfile
from pathlib import Path

from ..assignment.config import load_assignment
from ..expressions import FUNCTIONS, NOT_A_STRING, ExpressionError, parse
from ..grading.grade import run_checks
from ..submission.intake import IntakeError, stage
from .local import NOTE as LOCAL, local_fixtures

NOTE = "Hidden checks run when you submit; they compare with the reference on inputs you have not seen."
ANSWERS_FILE = "answers.py"


def check(slug, folder, items=None):
    """Run the public checks on `folder`; print a line per item; return the results.
    `items`: item or part numbers ("2.1", "2"); only their checks run. None when nothing
    could be checked (the folder, or an item that is not public: the line says which)."""
    assignment = load_assignment(slug)
    folder = Path(folder).resolve()
    if not folder.exists():
        print(f"Cannot check {folder}: there is no such file or folder.")
        return None
    folder = folder if folder.is_dir() else folder.parent  # a file of the folder: check the whole folder
    trusted = None if assignment.reference.is_dir() else folder  # unpacked student zip: no reference/
    with tempfile.TemporaryDirectory(prefix="grader-check-") as workspace:
        try:
            staged = stage(assignment, folder, workspace, trusted=trusted, own_folder=True)
        except (IntakeError, FileNotFoundError) as problem:
            print(f"Cannot check {folder}: {problem}")
            return None
        out = Path(workspace) / "results.json"
        plugin = local_fixtures(staged, items)
        results = run_checks(assignment, staged, out, notes=staged.notes, dirs=[assignment.checks[0]], full=False,
                             fixture_module=plugin, sandboxed=False)
        if items and not results["tests"]:
            print(f"{slug} has no public item {' or '.join(map(str, items))}: its public items are "
                  f"{', '.join(plugin.collected)}. {NOTE}")
            return None
        answers = staged.folder / ANSWERS_FILE  # wherever in the folder it was found
        answered = ANSWERS_FILE in assignment.submit and answers.is_file()
        problems = answer_problems(answers.read_text()) if answered else []
    print(f"{slug}: public checks on {folder}\n  ({LOCAL})")
    for line in results["output"].splitlines():
        if not line.startswith("Graded "):  # where each file was found: noise in one's own folder
            print(f"  NOTE   {line}")
    for test in results["tests"]:
        if not test.get("max_score"):
            continue
        verdict = "OK  " if test["score"] >= test["max_score"] else "FAIL"
        print(f"  {verdict} {test['number']:>5} {test['name']}  ({test['score']:g}/{test['max_score']:g})")
        if test["output"]:
            print("\n".join("             " + line for line in test["output"].splitlines()))
    for problem in problems:
        print(f"  ANSWER {problem}")
    passed = sum(t["score"] >= t["max_score"] for t in results["tests"] if t.get("max_score"))
    total = sum(1 for t in results["tests"] if t.get("max_score"))
    print(f"{passed} of {total} public items pass. {NOTE}")
    return results


def answer_problems(source):
    """What reading answers.py finds before any grading: a syntax error, answers
    that are not strings, and expressions with constructs or functions the
    autograder does not accept. Names of variables are not checked here: which
    ones a question allows is part of the hidden checks."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{ANSWERS_FILE}, line {exc.lineno}: {exc.msg}; no answer in it can be graded until this is fixed."]
    problems = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.startswith("Q")):
            continue
        name, value = node.targets[0].id, node.value
        if isinstance(value, ast.Constant) and value.value is None:
            problems.append(f"{name}: not answered yet.")
        elif not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            problems.append(NOT_A_STRING.format(name=name, kind=f"{type(value).__name__} expression"))
        else:
            try:
                parse(value.value, _names(value.value), name)
            except ExpressionError as problem:  # the names listed would be the answer's own: cut them
                problems.append(str(problem).split(" Use the names")[0] + " The handout lists what is allowed.")
    return problems


def _names(text):
    """The variable names an expression uses (all accepted: see answer_problems)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(FUNCTIONS)
