"""A sandboxed autograder for backpropagation assignments."""
import os

# The grading process's own numpy work (reference values) is small: BLAS threads would only
# spin on the cores that the sandbox child and parallel grading need. An explicit setting wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
