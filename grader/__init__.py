"""A sandboxed autograder for backpropagation assignments."""
