"""Grading a class: grade-all, its processes, cache, late policy, cluster and report."""
