"""Answers to question 1.1 (the Linear module's backward pass), as Python
expression strings.

One example (b = 1), column vectors: A (m, 1) is the module's input,
W (m, n), W0 (n, 1), Z = W^T A + W0 (n, 1), dLdZ (n, 1) and dLdA (m, 1).
Use any of A, Z, dLdA, dLdZ, W, W0, except the quantity the question asks
for (1.1.A may not use dLdA: an answer that restates the question earns nothing).

Each answer is graded numerically: the autograder evaluates your expression
and the expected one on random values with m != n and compares them, so any
equivalent form earns full marks. Allowed: those names, numbers, + - * / @ **,
.T, A.dot(B), and transpose, dot, sum (with axis= and keepdims=), exp, log,
tanh, sqrt, abs, sign, each with or without np. in front. `*` is elementwise
where the shapes match elementwise (numpy broadcasting) and a matrix product
where they only match as one (as MITx read `W*dLdZ`); prefer `@`.
"""

# 1.1.A: dLdA, shape (m, 1)
# BEGIN SOLUTION stub: Q1_1_A = None
Q1_1_A = "W @ dLdZ"
# END SOLUTION

# 1.1.B: dLdW, shape (m, n)
# BEGIN SOLUTION stub: Q1_1_B = None
Q1_1_B = "A @ transpose(dLdZ)"
# END SOLUTION

# 1.1.C: dLdW0, shape (n, 1)
# BEGIN SOLUTION stub: Q1_1_C = None
Q1_1_C = "dLdZ"
# END SOLUTION
