"""Answers to the written questions, as Python expression strings.

Each answer is graded numerically: the autograder evaluates your expression
and the expected one on random values of the variables and compares them, so
any equivalent form earns full marks (for example the unsimplified chain rule
for Q1_1). Allowed: the question's variable names, numbers,
+ - * / @ **, .T, and exp, log, sum, sign, sigmoid, transpose, sqrt, abs, tanh.

Q1 (one example; column vectors): x (d, 1), y (1, 1) in {0, 1},
W1 (H, d), b1 (H, 1), a1 = W1 @ x + b1, h1 = sigmoid(a1),
W2 (1, H), b2 (1, 1), a2 = W2 @ h1 + b2, yhat = sigmoid(a2),
J = -y log(yhat) - (1 - y) log(1 - yhat).

Q3: theta, g (the gradient of the loss at theta), eta (step size),
lam (penalty weight); give theta at the next step.
"""

# Q1.1: dJ/da2, shape (1, 1)
Q1_1 = None

# Q1.2: dJ/db2, shape (1, 1)
Q1_2 = None

# Q1.3: dJ/dW2, shape (1, H)
Q1_3 = None

# Q1.4: dJ/dh1, shape (H, 1)
Q1_4 = None

# Q1.5: dJ/db1, shape (H, 1)
Q1_5_b1 = None

# Q1.5: dJ/dW1, shape (H, d)
Q1_5_W1 = None

# Q3.1: gradient descent on L(theta) + lam * ||theta||_2^2
Q3_1 = None

# Q3.2: (sub)gradient descent on L(theta) + lam * ||theta||_1
Q3_2 = None
