"""An assignment as declared: its manifest, late policy, seeds and version, data, reference."""
