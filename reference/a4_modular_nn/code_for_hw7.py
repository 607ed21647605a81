"""A neural network built from modules, trained by stochastic gradient descent.

Columns are examples: a batch of b inputs with d features is a (d, b) array,
and labels are one-hot columns, Y of shape (k, b). Every module has

    forward(input)  -> output, keeping what backward will need
    backward(dL/d output) -> dL/d input
    sgd_step(lrate)  (only Linear has weights to move)

and Sequential chains them: forward through the list, backward through it in
reverse, then one gradient step. NLL with SoftMax gives backward's starting
value Ypred - Y, the gradient with respect to SoftMax's input.

Run this file as a script to run the checks at its end; importing it runs
nothing.
"""
import numpy as np

import modules_disp as disp
from expected_results import test_1_values, test_2_values


class Module:
    def sgd_step(self, lrate):  # modules without weights do nothing
        pass


class Linear(Module):
    """Z = W^T A + W0, with W of shape (m, n) and W0 of shape (n, 1)."""

    def __init__(self, m, n):
        self.m, self.n = (m, n)  # (in size, out size)
        self.W0 = np.zeros([self.n, 1])  # (n, 1)
        self.W = np.random.normal(0, 1.0 * m ** (-.5), [m, n])  # (m, n)

    def forward(self, A):
        """A: (m, b) -> Z: (n, b). Keeps A for backward."""
        # BEGIN SOLUTION
        self.A = A
        return self.W.T @ A + self.W0
        # END SOLUTION

    def backward(self, dLdZ):
        """dLdZ: (n, b) -> dLdA: (m, b). Stores dLdW (m, n) and dLdW0 (n, 1),
        each summed over the b examples of the batch."""
        # BEGIN SOLUTION
        self.dLdW = self.A @ dLdZ.T
        self.dLdW0 = np.sum(dLdZ, axis=1, keepdims=True)
        return self.W @ dLdZ
        # END SOLUTION

    def sgd_step(self, lrate):
        """One gradient descent step on W and W0 with the stored gradients."""
        # BEGIN SOLUTION
        self.W = self.W - lrate * self.dLdW
        self.W0 = self.W0 - lrate * self.dLdW0
        # END SOLUTION


class Tanh(Module):
    def forward(self, Z):
        """Z: (n, b) -> A = tanh(Z): (n, b). Keeps A for backward."""
        # BEGIN SOLUTION
        self.A = np.tanh(Z)
        return self.A
        # END SOLUTION

    def backward(self, dLdA):
        """dLdA: (n, b) -> dLdZ: (n, b), from the stored A."""
        # BEGIN SOLUTION
        return dLdA * (1 - self.A ** 2)  # tanh'(z) = 1 - tanh(z)^2
        # END SOLUTION


class ReLU(Module):
    def forward(self, Z):
        """Z: (n, b) -> A = max(Z, 0): (n, b). Keeps A for backward."""
        # BEGIN SOLUTION
        self.A = np.maximum(Z, 0)
        return self.A
        # END SOLUTION

    def backward(self, dLdA):
        """dLdA: (n, b) -> dLdZ: (n, b); the derivative at 0 is taken as 0."""
        # BEGIN SOLUTION
        return dLdA * (self.A != 0)
        # END SOLUTION


class SoftMax(Module):
    def forward(self, Z):
        """Z: (k, b) -> class probabilities (k, b), each column summing to 1."""
        # BEGIN SOLUTION
        E = np.exp(Z - np.max(Z, axis=0, keepdims=True))  # the shift cancels; exp cannot overflow
        return E / np.sum(E, axis=0, keepdims=True)
        # END SOLUTION

    def backward(self, dLdZ):
        """NLL.backward already gives dL/dZ for SoftMax's input: pass it on."""
        # BEGIN SOLUTION
        return dLdZ
        # END SOLUTION

    def class_fun(self, Ypred):
        """Ypred: (k, b) -> the most probable class of each column, integers of shape (b,)."""
        # BEGIN SOLUTION
        return np.argmax(Ypred, axis=0)
        # END SOLUTION


class NLL(Module):
    def forward(self, Ypred, Y):
        """Negative log-likelihood summed over the batch (a number). Keeps both inputs."""
        # BEGIN SOLUTION
        self.Ypred = Ypred
        self.Y = Y
        return float(-np.sum(Y * np.log(Ypred)))
        # END SOLUTION

    def backward(self):
        """dL/dZ for the SoftMax input Z: Ypred - Y, shape (k, b)."""
        # BEGIN SOLUTION
        return self.Ypred - self.Y
        # END SOLUTION


class Sequential:
    def __init__(self, modules, loss):  # a list of modules, a loss module
        self.modules = modules
        self.loss = loss

    def sgd(self, X, Y, iters=100, lrate=0.005):
        """Each iteration: one random column of X (np.random.randint(N)), then
        forward, loss, backward and one step."""
        D, N = X.shape
        # BEGIN SOLUTION
        for it in range(iters):
            i = np.random.randint(N)
            Xt, Yt = X[:, i:i + 1], Y[:, i:i + 1]
            self.loss.forward(self.forward(Xt), Yt)
            self.backward(self.loss.backward())
            self.sgd_step(lrate)
        # END SOLUTION

    def forward(self, Xt):
        for m in self.modules:
            Xt = m.forward(Xt)
        return Xt

    def backward(self, delta):
        # delta is dLdA or dLdZ, depending on the module it passes through
        for m in self.modules[::-1]:
            delta = m.backward(delta)

    def sgd_step(self, lrate):
        for m in self.modules:
            m.sgd_step(lrate)

    def print_accuracy(self, it, X, Y, cur_loss, every=250):
        """Accuracy on the whole data set and the current loss, every `every` iterations."""
        if it % every == 1:
            cf = self.modules[-1].class_fun
            acc = np.mean(cf(self.forward(X)) == cf(Y))
            print('Iteration =', it, '\tAcc =', acc, '\tLoss =', cur_loss, flush=True)


######################################################################
#   Data sets: X is (2, N); labels become one-hot columns (2, N)
######################################################################

def super_simple_separable_through_origin():
    X = np.array([[2, 3, 9, 12],
                  [5, 1, 6, 5]])
    y = np.array([[1, 0, 1, 0]])
    return X, for_softmax(y)


def super_simple_separable():
    X = np.array([[2, 3, 9, 12],
                  [5, 2, 6, 5]])
    y = np.array([[1, 0, 1, 0]])
    return X, for_softmax(y)


def xor():
    X = np.array([[1, 2, 1, 2],
                  [1, 2, 2, 1]])
    y = np.array([[1, 1, 0, 0]])
    return X, for_softmax(y)


def xor_more():
    X = np.array([[1, 2, 1, 2, 2, 4, 1, 3],
                  [1, 2, 2, 1, 3, 1, 3, 3]])
    y = np.array([[1, 1, 0, 0, 1, 1, 0, 0]])
    return X, for_softmax(y)


def hard():
    X = np.array([[-0.23390341, 1.18151883, -2.46493986, 1.55322202, 1.27621763,
                   2.39710997, -1.3440304, -0.46903436, -0.64673502, -1.44029872,
                   -1.37537243, 1.05994811, -0.93311512, 1.02735575, -0.84138778,
                   -2.22585412, -0.42591102, 1.03561105, 0.91125595, -2.26550369],
                  [-0.92254932, -1.1030963, -2.41956036, -1.15509002, -1.04805327,
                   0.08717325, 0.8184725, -0.75171045, 0.60664705, 0.80410947,
                   -0.11600488, 1.03747218, -0.67210575, 0.99944446, -0.65559838,
                   -0.40744784, -0.58367642, 1.0597278, -0.95991874, -1.41720255]])
    y = np.array([[1., 1., 0., 1., 1., 1., 0., 0., 0., 0., 0., 1., 1.,
                   1., 0., 0., 0., 1., 1., 0.]])
    return X, for_softmax(y)


def for_softmax(y):
    return np.vstack([1 - y, y])


######################################################################
#   Checks you can run yourself (python code_for_hw7.py)
######################################################################

def unit_test(name, expected, actual):
    if actual is None:
        print(name + ": unimplemented")
    elif np.allclose(expected, actual):
        print(name + ": OK")
    else:
        print(name + ": FAILED")
        print("expected: " + str(expected))
        print("but was: " + str(actual))


def sgd_test(nn, test_values):
    """One full-batch step (lrate 0.005) on super_simple_separable with a
    network of four modules, checking every intermediate value in turn."""
    lrate = 0.005
    X, Y = super_simple_separable()
    assert len(nn.modules) == 4
    (linear_1, f_1, linear_2, f_2) = nn.modules
    Loss = nn.loss

    unit_test('linear_1.W', test_values['linear_1.W'], linear_1.W)
    unit_test('linear_1.W0', test_values['linear_1.W0'], linear_1.W0)
    unit_test('linear_2.W', test_values['linear_2.W'], linear_2.W)
    unit_test('linear_2.W0', test_values['linear_2.W0'], linear_2.W0)

    z_1 = linear_1.forward(X)
    unit_test('z_1', test_values['z_1'], z_1)
    a_1 = f_1.forward(z_1)
    unit_test('a_1', test_values['a_1'], a_1)
    z_2 = linear_2.forward(a_1)
    unit_test('z_2', test_values['z_2'], z_2)
    a_2 = f_2.forward(z_2)
    unit_test('a_2', test_values['a_2'], a_2)

    loss = Loss.forward(a_2, Y)
    unit_test('loss', test_values['loss'], loss)
    dloss = Loss.backward()
    unit_test('dloss', test_values['dloss'], dloss)

    dL_dz2 = f_2.backward(dloss)
    unit_test('dL_dz2', test_values['dL_dz2'], dL_dz2)
    dL_da1 = linear_2.backward(dL_dz2)
    unit_test('dL_da1', test_values['dL_da1'], dL_da1)
    dL_dz1 = f_1.backward(dL_da1)
    unit_test('dL_dz1', test_values['dL_dz1'], dL_dz1)
    dL_dX = linear_1.backward(dL_dz1)
    unit_test('dL_dX', test_values['dL_dX'], dL_dX)

    linear_1.sgd_step(lrate)
    unit_test('updated_linear_1.W', test_values['updated_linear_1.W'], linear_1.W)
    unit_test('updated_linear_1.W0', test_values['updated_linear_1.W0'], linear_1.W0)
    linear_2.sgd_step(lrate)
    unit_test('updated_linear_2.W', test_values['updated_linear_2.W'], linear_2.W)
    unit_test('updated_linear_2.W0', test_values['updated_linear_2.W0'], linear_2.W0)


def trained_weights(nn):
    """Each Linear layer's W with W0 as one more row, as nested lists."""
    return [np.vstack([nn.modules[0].W, nn.modules[0].W0.T]).tolist(),
            np.vstack([nn.modules[2].W, nn.modules[2].W0.T]).tolist()]


def nn_tanh_test():
    np.random.seed(0)
    nn = Sequential([Linear(2, 3), Tanh(), Linear(3, 2), SoftMax()], NLL())
    X, Y = super_simple_separable()
    nn.sgd(X, Y, iters=1, lrate=0.005)
    return trained_weights(nn)


def nn_relu_test():
    np.random.seed(0)
    nn = Sequential([Linear(2, 3), ReLU(), Linear(3, 2), SoftMax()], NLL())
    X, Y = super_simple_separable()
    nn.sgd(X, Y, iters=2, lrate=0.005)
    return trained_weights(nn)


def nn_pred_test():
    np.random.seed(0)
    nn = Sequential([Linear(2, 3), ReLU(), Linear(3, 2), SoftMax()], NLL())
    X, Y = super_simple_separable()
    nn.sgd(X, Y, iters=1, lrate=0.005)
    Ypred = nn.forward(X)
    return nn.modules[-1].class_fun(Ypred).tolist(), [nn.loss.forward(Ypred, Y)]


if __name__ == "__main__":
    print("TEST 1: one step of a tanh network")
    np.random.seed(0)
    sgd_test(Sequential([Linear(2, 3), Tanh(), Linear(3, 2), SoftMax()], NLL()), test_1_values)

    print("TEST 2: one step of a relu network")
    np.random.seed(0)
    sgd_test(Sequential([Linear(2, 3), ReLU(), Linear(3, 2), SoftMax()], NLL()), test_2_values)

    print("TEST 3: a relu network on the hard data set (should reach Acc = 1.0)")
    np.random.seed(0)
    X, Y = hard()
    nn = Sequential([Linear(2, 10), ReLU(), Linear(10, 10), ReLU(), Linear(10, 2), SoftMax()], NLL())
    disp.classify(X, Y, nn, it=100000)

    print("TEST 4: short training runs")
    print(nn_tanh_test())
    print(nn_relu_test())
    print(nn_pred_test())  # ([0, 0, 0, 0], [8.56575061835767])
