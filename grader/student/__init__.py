"""The student's own check: `python -m grader check` and the calls a notebook makes."""
