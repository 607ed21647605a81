"""Training items: the probe that a check and `python -m grader thresholds` share.

A training item trains a network with the submission's code and compares what
it measures (test accuracy, test loss, ...) with limits in assignment.toml.
Its thresholds are only meaningful if the tool that derives them trains
exactly as the check does, so the training lives in one function of the
check file, marked with the item it serves:

    @training_probe("4.4")
    def digits_training(code, data, settings, seed):
        ...
        return {"test_loss": ..., "test_accuracy": ..., "test_scores": ...}

`code` is the `student` fixture while grading, and a variant's modules in
the trusted process while measuring (the reference while grading too: see
`with_seed`). The same run of the reference from the same seed turns each
measure into a relative gap, `<measure>_gap`, which catches bugs that still
learn well (a bias that never trains). A limit is a settings key
`min_<name>` or `max_<name>`, for a measure or a gap.
"""
from types import SimpleNamespace

import numpy as np


def training_probe(item):
    """Mark a function as the training run behind graded item `item`."""
    def mark(probe):
        probe.training_item = item
        return probe
    return mark


def with_seed(modules):
    """Trusted modules as a probe's `code` or `ref`: the same names plus `seed`, as on `student`."""
    return SimpleNamespace(**vars(modules), seed=np.random.seed)


def with_gaps(measures, reference):
    """The scalar measures, plus each measure's distance from the reference's run.

    The distance is the largest difference relative to the reference's largest
    entry (absolute where that is 0). An array measure (the network's outputs
    on the test set) counts only through its gap: a scalar such as the loss can
    land on the reference's value by chance, all 500 outputs cannot.
    """
    out = {}
    for name, value in measures.items():
        value, expected = np.asarray(value, dtype=float), np.asarray(reference[name], dtype=float)
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        out[f"{name}_gap"] = float(np.max(np.abs(value - expected))) / (scale or 1.0)
        if value.ndim == 0:
            out[name] = float(value)
    return out


def limits(settings):
    """(measure, kind, bound) for every `min_*`/`max_*` key of the settings."""
    return [(key[4:], key[:3], value) for key, value in settings.items()
            if key[:4] in ("min_", "max_")]


def shortfalls(measures, settings):
    """The limits a run misses, as (measure, value, 'at least'/'at most', bound)."""
    missed = []
    for name, kind, bound in limits(settings):
        value = measures[name]
        if (kind == "min" and not value >= bound) or (kind == "max" and not value <= bound):
            missed.append((name, value, "at least" if kind == "min" else "at most", bound))
    return missed
