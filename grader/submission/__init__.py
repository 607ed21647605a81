"""What a student handed in, read safely: zips, notebooks, sources, staging."""
