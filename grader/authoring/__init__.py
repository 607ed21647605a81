"""Tools for writing an assignment: the mutant catalogue, thresholds, the manifest's docs."""
