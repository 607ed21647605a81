"""Odd values student code really returns where an array or a number is expected."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


class Handle:
    """What an object left in the sandbox looks like to a check."""
    type_name = "Net"


odd = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=5), st.just(Handle()), st.just(object()),
              hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
              hnp.arrays(st.sampled_from([np.int64, np.bool_, np.float32, np.complex128]),
                         hnp.array_shapes(min_dims=0, max_dims=2, max_side=4))),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner), st.tuples(inner, inner, inner),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=6)
