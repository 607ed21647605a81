"""An assignment as its author writes it: manifest, mutants, scaffold, thresholds, data."""
