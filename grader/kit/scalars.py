"""A number a submission returned, in any of the forms real code produces."""
import numpy as np

from ..compare import as_array


def as_number(got, call, name="result"):
    """`got` as a float when it is a number or an array holding exactly one (a (1, 1)
    loss is the same number: numpy 2 refuses `float()` of some such shapes, so real
    code returns them); otherwise the usual type and shape message."""
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(())
    return float(as_array(got, 0.0, name, call))
