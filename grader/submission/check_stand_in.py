"""What `import grader_check` finds while the grader imports a student's files.

A student may call the public checks from their own code (`from grader_check
import check_all` at the bottom of mlp.py, or in the notebook they submit).
Intake stages this file as grader_check.py beside the student's files, so that
import works in the sandbox, where the grader itself is not, and a call does
nothing: checking is the grader's work there, and a check that imported the
file it checks would check it again without end.
"""


def check(*args, **kwargs):
    """Nothing: the file is being graded or checked already."""


def check_all(*args, **kwargs):
    """Nothing: the file is being graded or checked already."""
