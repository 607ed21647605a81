"""Grading one submission: the pytest run, its plugin and fixtures, results.json."""
