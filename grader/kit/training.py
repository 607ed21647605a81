"""Train in the sandbox, measure in the trusted process.

The child trains with the student's code on the assignment's data; it
never receives the labels accuracy is measured on (the manifest's
[withhold] keeps them out of the staged data; `hidden_labels` gives the
placeholder to pass where the API wants them). The grader computes accuracy
from the predictions that come back, against labels only it holds.
"""
import numpy as np

from .bugs import Bug
from .values import labels_of

__all__ = ["hidden_labels", "accuracy", "require_accuracy", "require_error", "TRAINS_POORLY"]

TRAINS_POORLY = Bug("the trained model falls short", "training", "did not train well")


def hidden_labels(labels):
    """Zeros in place of labels the child must not see (same shape and dtype)."""
    return np.zeros_like(labels)


def accuracy(predicted, labels, call):
    """Fraction of `predicted` (validated: one whole number per example) equal to `labels`."""
    labels = np.asarray(labels)
    return float(np.mean(labels_of(predicted, len(labels), call) == labels))


def require_accuracy(value, minimum, what, examples):
    """Fail unless `value` >= `minimum`; `what` says how the model was trained."""
    if value < minimum:
        raise TRAINS_POORLY.failure(f"{what} classifies {value:.1%} of the {examples} held-out examples "
                                    f"correctly; at least {minimum:.0%} is needed.")


def require_error(value, maximum, what, examples):
    """Fail unless the error rate `value` <= `maximum`."""
    if value > maximum:
        raise TRAINS_POORLY.failure(f"{what} misclassifies {value:.1%} of the {examples} held-out examples; "
                                    f"at most {maximum:.0%} is allowed.")
