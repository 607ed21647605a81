"""A two-layer fully-connected network (one hidden layer) with a softmax output.

    z1 = X W1 + b1,   h1 = f(z1),   scores = h1 W2 + b2

f is the hidden activation ('relu', 'sigmoid' or 'softplus'). The loss is the
softmax cross-entropy averaged over the N examples plus the L2 penalty
0.5 * reg * (sum(W1**2) + sum(W2**2)); biases are not penalised.

The activations and their derivatives are plain module-level functions, so you
can test each one on its own before you use it inside the network.
"""
import numpy as np

ACTIVATIONS = ('relu', 'sigmoid', 'softplus')


# ---------------------------------------------------------------------------
# Activations and their derivatives (elementwise, any shape)
# ---------------------------------------------------------------------------

def sigmoid(z):
    """Logistic sigmoid 1 / (1 + e^-z).

    Inputs:
    - z: array of any shape
    Returns an array of the same shape as z, with entries in (0, 1).
    """
    raise NotImplementedError("sigmoid: not implemented yet")


def relu(z):
    """Rectified linear unit max(0, z).

    Inputs:
    - z: array of any shape
    Returns an array of the same shape as z.
    """
    raise NotImplementedError("relu: not implemented yet")


def softplus(z):
    """Softplus log(1 + e^z), a smooth version of relu.

    Inputs:
    - z: array of any shape
    Returns an array of the same shape as z. Must not overflow for large z.
    """
    raise NotImplementedError("softplus: not implemented yet")


def sigmoid_grad(z):
    """Derivative of sigmoid with respect to its input z.

    Inputs:
    - z: array of any shape (the pre-activation, not sigmoid(z))
    Returns an array of the same shape as z.
    """
    raise NotImplementedError("sigmoid_grad: not implemented yet")


def relu_grad(z):
    """Derivative of relu with respect to its input z: 1.0 where z > 0, else 0.0.

    Inputs:
    - z: array of any shape (the pre-activation)
    Returns a float array of the same shape as z.
    """
    raise NotImplementedError("relu_grad: not implemented yet")


def softplus_grad(z):
    """Derivative of softplus with respect to its input z.

    Inputs:
    - z: array of any shape (the pre-activation)
    Returns an array of the same shape as z.
    """
    raise NotImplementedError("softplus_grad: not implemented yet")


def activation_functions(name):
    """The pair (f, f_grad) for an activation name in ACTIVATIONS.

    Raises ValueError('Unknown activation type') for any other name.
    """
    if name == 'relu':
        return relu, relu_grad
    if name == 'sigmoid':
        return sigmoid, sigmoid_grad
    if name == 'softplus':
        return softplus, softplus_grad
    raise ValueError('Unknown activation type')


# ---------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------

class TwoLayerMLP(object):
    """Input - fully connected - activation - fully connected - softmax.

    With D inputs, H hidden units and C classes, the parameters are stored in
    the dict self.params:
    - W1: (D, H) first-layer weights
    - b1: (H,) first-layer biases
    - W2: (H, C) second-layer weights
    - b2: (C,) second-layer biases
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4, activation='relu'):
        """Draw W1 and W2 from N(0, std^2) (W1 first) and set the biases to zero.

        Inputs:
        - input_size: D, the dimension of the inputs
        - hidden_size: H, the number of hidden units
        - output_size: C, the number of classes
        - std: standard deviation of the initial weights
        - activation: 'relu', 'sigmoid' or 'softplus'; anything else raises
          ValueError
        """
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)
        activation_functions(activation)   # raises ValueError for an unknown name
        self.activation = activation

    def loss(self, X, y=None, reg=0.0):
        """Class scores, or the loss and its gradients.

        Inputs:
        - X: (N, D) input data, one example per row
        - y: (N,) integer labels in 0 .. C-1, or None
        - reg: regularisation strength

        Returns:
        - if y is None: scores, (N, C), where scores[i, c] is the score of
          class c for example i;
        - otherwise (loss, grads): loss is a float, grads a dict with the same
          keys as self.params holding the gradient of the loss with respect
          to each parameter (same shapes: W1 (D, H), b1 (H,), W2 (H, C),
          b2 (C,)).
        """
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N = X.shape[0]
        f, f_grad = activation_functions(self.activation)

        # Forward pass.
        z1 = X @ W1 + b1            # (N, H)
        h1 = f(z1)                  # (N, H)
        scores = h1 @ W2 + b2       # (N, C)
        if y is None:
            return scores

        # Softmax cross-entropy. Subtracting each row's maximum leaves the
        # probabilities unchanged and keeps exp() from overflowing.
        shifted = scores - np.max(scores, axis=1, keepdims=True)
        log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        probs = np.exp(log_probs)   # (N, C), rows sum to 1
        loss = -np.mean(log_probs[np.arange(N), y])
        loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        # Backward pass: fill grads['W1'], grads['b1'], grads['W2'], grads['b2'].
        grads = {}
        raise NotImplementedError("TwoLayerMLP.loss: not implemented yet")
        return loss, grads

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=1e-5, num_epochs=10, batch_size=200, verbose=False):
        """Minibatch stochastic gradient descent.

        Every epoch visits the training data in a new random order, in
        max(N // batch_size, 1) minibatches, and then multiplies the learning
        rate by learning_rate_decay. The order is drawn from the global
        np.random after np.random.seed(1), so a run is repeatable.

        Inputs:
        - X: (N, D) training data; y: (N,) training labels
        - X_val: (N_val, D) validation data; y_val: (N_val,) validation labels
        - learning_rate: step size of the first epoch
        - learning_rate_decay: factor applied to the step size after each epoch
        - reg: regularisation strength
        - num_epochs: number of passes over the training data
        - batch_size: examples per step
        - verbose: print the loss and accuracies after every epoch

        Returns a dict of lists:
        - loss_history: minibatch loss, one per iteration
        - grad_magnitude_history: norm of grads['W1'], one per iteration
        - train_acc_history: accuracy on the epoch's last minibatch, one per epoch
        - val_acc_history: accuracy on X_val, one per epoch
        """
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)
        np.random.seed(1)

        loss_history = []
        grad_magnitude_history = []
        train_acc_history = []
        val_acc_history = []

        for epoch in range(num_epochs):
            perm = np.random.permutation(num_train)
            for it in range(iterations_per_epoch):
                batch = perm[it * batch_size:(it + 1) * batch_size]
                X_batch, y_batch = X[batch], y[batch]

                loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
                loss_history.append(loss)
                grad_magnitude_history.append(np.linalg.norm(grads['W1']))
                for p in self.params:
                    self.params[p] -= learning_rate * grads[p]

            train_acc = np.mean(self.predict(X_batch) == y_batch)
            val_acc = np.mean(self.predict(X_val) == y_val)
            train_acc_history.append(train_acc)
            val_acc_history.append(val_acc)
            if verbose:
                print('Epoch %d: loss %f, train_acc %f, val_acc %f'
                      % (epoch + 1, loss, train_acc, val_acc))

            learning_rate *= learning_rate_decay

        return {
            'loss_history': loss_history,
            'grad_magnitude_history': grad_magnitude_history,
            'train_acc_history': train_acc_history,
            'val_acc_history': val_acc_history,
        }

    def predict(self, X):
        """The class with the highest score for each example.

        Inputs:
        - X: (N, D) input data
        Returns y_pred: (N,) integer array of labels in 0 .. C-1.
        """
        raise NotImplementedError("TwoLayerMLP.predict: not implemented yet")
