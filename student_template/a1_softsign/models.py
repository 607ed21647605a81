"""Loss functions and backprop for a one-hidden-layer softsign network.

The file has two halves that know nothing about each other:

- loss classes take the model output z (before the output nonlinearity) and
  the targets t, and return the loss and dL/dz, elementwise;
- model classes turn inputs X into z and, given dL/dz, backpropagate to the
  derivatives of the mean cost with respect to their parameters.

Keeping the output nonlinearity inside the loss class keeps the formulas short
and numerically safe (see LogisticCrossEntropy).

Run ``python models.py`` to check your derivatives and print the values that
are marked.
"""
import os

import numpy as np

import util

DATA_DIR = os.path.dirname(os.path.abspath(__file__))

# Entries of the cost derivatives printed by print_derivatives(): (parameter, index).
PRINTED_ENTRIES = [
    ('W1', (11, 27)),
    ('W1', (74, 36)),
    ('b1', (91,)),
    ('b1', (32,)),
    ('w2', (55,)),
    ('w2', (44,)),
    ('b2', ()),
]


# ---------------------------------------------------------------------------
# Nonlinearities
# ---------------------------------------------------------------------------

def logistic(z):
    """Logistic sigmoid 1 / (1 + e^-z), elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def softsign(z):
    """Softsign z / (1 + |z|), elementwise; a sigmoid-shaped map onto (-1, 1)."""
    return z / (1.0 + np.abs(z))


def softsign_prime(z):
    """Derivative of softsign with respect to its argument, elementwise.

    Inputs:
    - z: array of any shape
    Returns an array of the same shape as z.
    """
    raise NotImplementedError("softsign_prime: not implemented yet")


def cross_entropy(y, t):
    """Cross-entropy -t log y - (1 - t) log(1 - y) of predictions y in (0, 1)."""
    return -t * np.log(y) - (1 - t) * np.log(1 - y)


# ---------------------------------------------------------------------------
# Losses: each pairs an output nonlinearity with a loss, elementwise in z
# ---------------------------------------------------------------------------

class LogisticCrossEntropy(object):
    """y = logistic(z) followed by cross-entropy."""

    @staticmethod
    def value(z, t):
        """Loss per example. z: (N,), t: (N,) in {0, 1}. Returns (N,).

        -log(logistic(z)) = log(1 + e^-z) and -log(1 - logistic(z)) =
        log(1 + e^z); logaddexp evaluates both without overflow.
        """
        return np.where(t, np.logaddexp(0, -z), np.logaddexp(0, z))

    @staticmethod
    def derivatives(z, t):
        """dL/dz per example. z: (N,), t: (N,). Returns (N,).

        The logistic derivative y(1 - y) cancels against the cross-entropy
        denominator, leaving the famously simple y - t.
        """
        return logistic(z) - t


class LogisticSquaredError(object):
    """y = logistic(z) followed by the squared error 0.5 (y - t)^2."""

    @staticmethod
    def value(z, t):
        """Loss per example. z: (N,), t: (N,). Returns (N,)."""
        y = logistic(z)
        return 0.5 * (y - t) ** 2

    @staticmethod
    def derivatives(z, t):
        """dL/dz per example. z: (N,), t: (N,). Returns (N,).

        dL/dy = y - t times dy/dz = y(1 - y): the second factor vanishes when
        the unit saturates, even if the prediction is badly wrong.
        """
        y = logistic(z)
        return (y - t) * y * (1 - y)


class SoftsignCrossEntropy(object):
    """s = softsign(z), y = (s + 1) / 2, followed by cross-entropy."""

    @staticmethod
    def value(z, t):
        """Loss per example. z: (N,), t: (N,). Returns (N,)."""
        y = 0.5 * (softsign(z) + 1.0)
        return cross_entropy(y, t)

    @staticmethod
    def derivatives(z, t):
        """dL/dz per example, by the chain rule dL/dy * dy/ds * ds/dz.

        Inputs:
        - z: (N,) model outputs
        - t: (N,) targets in {0, 1}
        Returns dLdz: (N,).
        """
        raise NotImplementedError("SoftsignCrossEntropy.derivatives: not implemented yet")


# ---------------------------------------------------------------------------
# Models: X -> z, and backprop from dL/dz to the parameters
# ---------------------------------------------------------------------------

class LinearModel(object):
    """z = X w + b.

    Parameters:
    - w: (D,) weights
    - b: scalar bias
    """

    def __init__(self, w, b):
        self.w = w
        self.b = b

    @classmethod
    def random_init(cls, num_inputs, std):
        """Draw w: (num_inputs,) and then the scalar b from N(0, std^2)."""
        w = np.random.normal(0., std, size=num_inputs)
        b = np.random.normal(0., std)
        return cls(w, b)

    def compute_activations(self, X):
        """X: (M, D). Returns {'z': (M,)}."""
        return {'z': X @ self.w + self.b}

    def get_predictions(self, act):
        """Predict class 1 where z > 0. Returns a bool array (M,)."""
        return act['z'] > 0.

    def cost_derivatives(self, X, act, dLdz):
        """Derivatives of the mean cost over the batch.

        Inputs:
        - X: (M, D) inputs
        - act: dict from compute_activations
        - dLdz: (M,) loss derivatives, one per example
        Returns {'w': (D,), 'b': scalar}.
        """
        M = X.shape[0]
        return {'w': dLdz @ X / M, 'b': np.mean(dLdz)}

    def gradient_descent_update(self, derivs, learning_rate):
        """Take one step against the gradient."""
        self.w -= learning_rate * derivs['w']
        self.b -= learning_rate * derivs['b']

    def apply_weight_decay(self, decay_param, learning_rate):
        """Shrink the weights (not the bias) towards zero."""
        self.w *= 1. - decay_param * learning_rate


class MultilayerPerceptron(object):
    """One hidden layer of softsign units.

        R = X W1^T + b1,   H = softsign(R),   z = H w2 + b2

    Parameters (K hidden units, D inputs):
    - W1: (K, D) input-to-hidden weights, one row per hidden unit
    - b1: (K,) hidden biases
    - w2: (K,) hidden-to-output weights
    - b2: scalar output bias
    """

    def __init__(self, W1, b1, w2, b2):
        self.W1 = W1
        self.b1 = b1
        self.w2 = w2
        self.b2 = b2

    @classmethod
    def random_init(cls, num_inputs, num_hid, std):
        """Draw W1, b1, w2, b2 from N(0, std^2), in that order."""
        W1 = np.random.normal(0., std, size=(num_hid, num_inputs))
        b1 = np.random.normal(0., std, size=num_hid)
        w2 = np.random.normal(0., std, size=num_hid)
        b2 = np.random.normal(0., std)
        return cls(W1, b1, w2, b2)

    def compute_activations(self, X):
        """Forward pass.

        Inputs:
        - X: (M, D)
        Returns {'R': (M, K), 'H': (M, K), 'z': (M,)}; backprop needs R and H.
        """
        R = X @ self.W1.T + self.b1
        H = softsign(R)
        z = H @ self.w2 + self.b2
        return {'R': R, 'H': H, 'z': z}

    def get_predictions(self, act):
        """Predict class 1 where z > 0. Returns a bool array (M,)."""
        return act['z'] > 0.

    def cost_derivatives(self, X, act, dLdz):
        """Backprop from dL/dz to the derivatives of the mean cost.

        The cost is the average of the per-example losses over the batch, so
        every derivative is averaged over the M examples too.

        Inputs:
        - X: (M, D) inputs
        - act: dict from compute_activations, with 'R': (M, K), 'H': (M, K)
        - dLdz: (M,) loss derivatives, one per example
        Returns a dict with
        - 'W1': (K, D)
        - 'b1': (K,)
        - 'w2': (K,)
        - 'b2': scalar
        """
        raise NotImplementedError("MultilayerPerceptron.cost_derivatives: not implemented yet")

    def gradient_descent_update(self, derivs, learning_rate):
        """Take one step against the gradient."""
        self.W1 -= learning_rate * derivs['W1']
        self.b1 -= learning_rate * derivs['b1']
        self.w2 -= learning_rate * derivs['w2']
        self.b2 -= learning_rate * derivs['b2']

    def apply_weight_decay(self, decay_param, learning_rate):
        """Shrink the weights (not the biases) towards zero."""
        self.W1 *= 1. - decay_param * learning_rate
        self.w2 *= 1. - decay_param * learning_rate


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def load_data():
    """Read data.npz (next to this file) into a dict of arrays.

    Keys: X_train (N, 64), t_train_clean (N,), t_train_noisy (N,), X_val,
    t_val, X_test, t_test.
    """
    with np.load(os.path.join(DATA_DIR, 'data.npz'), allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


def load_trained_model():
    """The partially trained MultilayerPerceptron stored in trained_model.npz."""
    path = os.path.join(DATA_DIR, 'trained_model.npz')
    with np.load(path, allow_pickle=False) as f:
        return MultilayerPerceptron(f['W1'], f['b1'], f['w2'], float(f['b2']))


# ---------------------------------------------------------------------------
# Checking and marking
# ---------------------------------------------------------------------------

def check_derivatives():
    """Compare your derivatives with finite differences on random inputs."""
    print('Checking the softsign derivatives...')
    z = np.random.normal(size=100)
    t = np.random.binomial(1, 0.5, size=100)
    util.check_loss_derivatives(SoftsignCrossEntropy, z, t)
    print()

    X = np.random.normal(size=(10, 5))
    t = np.random.binomial(1, 0.5, size=10)
    model = MultilayerPerceptron.random_init(5, 4, 0.1)
    for param in ['W1', 'b1', 'w2', 'b2']:
        print('Checking {} derivatives...'.format(param))
        util.check_cost_derivatives(model, LogisticCrossEntropy, param, X, t)
        print()


def print_derivatives():
    """Print the values that are marked: dL/dz of the softsign loss on four
    fixed inputs, then chosen entries of the cost derivatives of the trained
    model on the first 100 training examples (noisy labels)."""
    z = np.array([0.375, -1.223, 2.511, -0.952])
    t = np.array([0., 0., 1., 1.])
    print('dLdz =', SoftsignCrossEntropy.derivatives(z, t))

    data = load_data()
    model = load_trained_model()
    X = data['X_train'][:100, :]
    t = data['t_train_noisy'][:100]
    act = model.compute_activations(X)
    dLdz = LogisticCrossEntropy.derivatives(act['z'], t)
    derivs = model.cost_derivatives(X, act, dLdz)
    for param, idx in PRINTED_ENTRIES:
        name = 'dEd' + param
        if idx:
            name += '[' + ', '.join(str(i) for i in idx) + ']'
        print(name, '=', float(np.asarray(derivs[param])[idx]))


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

def train_model(model, loss_fn, X_train, t_train, X_val, t_val, num_epochs=1000,
                learning_rate=0.1, batch_size=100, weight_decay=0.001, print_every=10):
    """Mini-batch gradient descent with weight decay.

    Inputs:
    - model: LinearModel or MultilayerPerceptron, updated in place
    - loss_fn: a loss class
    - X_train: (N, D), t_train: (N,); N a multiple of batch_size
    - X_val: (N_val, D), t_val: (N_val,)
    Every print_every epochs it prints the mean loss and the error rate on
    both sets. Returns the model.
    """
    def loss_and_error(X, t):
        act = model.compute_activations(X)
        loss = loss_fn.value(act['z'], t).mean()
        err = np.mean(model.get_predictions(act) != t)
        return loss, err

    for epoch in range(num_epochs):
        for X_batch, t_batch in util.get_batches(X_train, t_train, batch_size):
            act = model.compute_activations(X_batch)
            dLdz = loss_fn.derivatives(act['z'], t_batch)
            derivs = model.cost_derivatives(X_batch, act, dLdz)
            model.gradient_descent_update(derivs, learning_rate)
            model.apply_weight_decay(weight_decay, learning_rate)

        if epoch % print_every == 0:
            train_loss, train_err = loss_and_error(X_train, t_train)
            val_loss, val_err = loss_and_error(X_val, t_val)
            print('Epoch {}; train_loss={:1.5f}, train_err={:1.5f}, '
                  'val_loss={:1.5f}, val_err={:1.5f}'.format(
                      epoch, train_loss, train_err, val_loss, val_err))
    return model


LOSS_FUNCTIONS = {
    'logistic_ce': LogisticCrossEntropy,
    'logistic_se': LogisticSquaredError,
    'softsign_ce': SoftsignCrossEntropy,
}


def train_from_scratch(model_str, loss_str, noisy=False, init_std=0.1, num_hid=100,
                       init_model=None, **kwargs):
    """Build a fresh model and train it on the assignment data.

    Inputs:
    - model_str: 'linear' or 'mlp'
    - loss_str: 'logistic_ce', 'logistic_se' or 'softsign_ce'
    - noisy: train on t_train_noisy (10% of labels flipped) instead of t_train_clean
    - init_std: standard deviation of the random initial parameters
    - num_hid: hidden units of the MLP
    - init_model: start from this model instead of a random one
    - kwargs: passed on to train_model (num_epochs, learning_rate, ...)
    Returns the trained model.
    """
    if model_str not in ('linear', 'mlp'):
        raise RuntimeError('Unknown model class: {}'.format(model_str))
    if loss_str not in LOSS_FUNCTIONS:
        raise RuntimeError('Unknown loss function: {}'.format(loss_str))
    loss_fn = LOSS_FUNCTIONS[loss_str]

    data = load_data()
    X_train = data['X_train']
    t_train = data['t_train_noisy'] if noisy else data['t_train_clean']
    num_inputs = X_train.shape[1]

    if init_model is not None:
        model = init_model
    elif model_str == 'linear':
        model = LinearModel.random_init(num_inputs, init_std)
    else:
        model = MultilayerPerceptron.random_init(num_inputs, num_hid, init_std)

    return train_model(model, loss_fn, X_train, t_train, data['X_val'], data['t_val'],
                       **kwargs)


if __name__ == '__main__':
    check_derivatives()
    print_derivatives()
