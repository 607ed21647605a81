"""A three-layer network (input, one hidden layer, softmax output) trained
with full-batch gradient descent on the make_moons data.

    z1 = X W1 + b1,   a1 = actFun(z1),   z2 = a1 W2 + b2,   probs = softmax(z2)

Examples are rows: X is (N, 2). The loss is the starter's: the summed
cross-entropy plus reg_lambda / 2 * (sum W1^2 + sum W2^2), all divided by N.
backprop returns gradients SUMMED over the examples without the penalty;
fit_model adds reg_lambda * W to each weight gradient before the step.

Plotting is imported only where it is used, so the file imports (and grades)
on a machine without a display.
"""
import numpy as np

ACTIVATIONS = ('tanh', 'sigmoid', 'relu')


def generate_data():
    """The make_moons data of the handout: 200 points, noise 0.20, seed 0.

    Returns X (200, 2) and y (200,) with labels 0 and 1.
    """
    from sklearn import datasets  # here, not at the top: importing sklearn takes most of a second
    np.random.seed(0)
    X, y = datasets.make_moons(200, noise=0.20)
    return X, y


def plot_decision_boundary(pred_func, X, y):
    """Colour the plane by pred_func's class and scatter the points on top."""
    import matplotlib.pyplot as plt
    x_min, x_max = X[:, 0].min() - .5, X[:, 0].max() + .5
    y_min, y_max = X[:, 1].min() - .5, X[:, 1].max() + .5
    xx, yy = np.meshgrid(np.arange(x_min, x_max, 0.01), np.arange(y_min, y_max, 0.01))
    Z = pred_func(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.Spectral)
    plt.show()


class NeuralNetwork(object):
    """One hidden layer, softmax output, L2 penalty on the two weight matrices."""

    def __init__(self, nn_input_dim, nn_hidden_dim, nn_output_dim, actFun_type='tanh', reg_lambda=0.01, seed=0):
        """
        Inputs:
        - nn_input_dim, nn_hidden_dim, nn_output_dim: layer widths
        - actFun_type: 'tanh', 'sigmoid' or 'relu', in any case ('Tanh' works too)
        - reg_lambda: weight of the L2 penalty
        - seed: seeds numpy's global generator before the weights are drawn
        """
        self.nn_input_dim = nn_input_dim
        self.nn_hidden_dim = nn_hidden_dim
        self.nn_output_dim = nn_output_dim
        self.actFun_type = actFun_type
        self.reg_lambda = reg_lambda

        np.random.seed(seed)
        self.W1 = np.random.randn(self.nn_input_dim, self.nn_hidden_dim) / np.sqrt(self.nn_input_dim)
        self.b1 = np.zeros((1, self.nn_hidden_dim))
        self.W2 = np.random.randn(self.nn_hidden_dim, self.nn_output_dim) / np.sqrt(self.nn_hidden_dim)
        self.b2 = np.zeros((1, self.nn_output_dim))

    def actFun(self, z, type):
        """The activation named by type ('tanh', 'sigmoid', 'relu', any case), elementwise.

        Inputs:
        - z: net input, any shape
        Returns an array of z's shape.
        """
        # BEGIN SOLUTION
        name = type.lower()
        if name == 'tanh':
            return np.tanh(z)
        if name == 'sigmoid':
            # exp(-log(1 + e^-z)) is 1 / (1 + e^-z) without overflow for very negative z
            return np.exp(-np.logaddexp(0, -z))
        if name == 'relu':
            return np.maximum(z, 0)
        raise ValueError('Unknown activation type %r' % type)
        # END SOLUTION

    def diff_actFun(self, z, type):
        """Derivative of the activation with respect to its net input z (not its output).

        ReLU's derivative is taken as 0 at z = 0.
        Inputs:
        - z: net input, any shape
        Returns an array of z's shape.
        """
        # BEGIN SOLUTION
        name = type.lower()
        if name == 'tanh':
            return 1 - np.tanh(z) ** 2
        if name == 'sigmoid':
            s = np.exp(-np.logaddexp(0, -z))
            return s * (1 - s)
        if name == 'relu':
            return (z > 0).astype(np.float64)
        raise ValueError('Unknown activation type %r' % type)
        # END SOLUTION

    def feedforward(self, X, actFun):
        """Forward pass; sets self.z1, self.a1, self.z2 and self.probs.

        Inputs:
        - X: (N, nn_input_dim)
        - actFun: the activation as a one-argument function
        Returns None (the results stay on self).
        """
        # BEGIN SOLUTION
        self.z1 = X @ self.W1 + self.b1                              # (N, H)
        self.a1 = actFun(self.z1)                                    # (N, H)
        self.z2 = self.a1 @ self.W2 + self.b2                        # (N, C)
        shifted = self.z2 - self.z2.max(axis=1, keepdims=True)       # exp cannot overflow
        exp_scores = np.exp(shifted)
        self.probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
        # END SOLUTION
        return None

    def calculate_loss(self, X, y):
        """(summed cross-entropy + reg_lambda / 2 * (sum W1^2 + sum W2^2)) / N.

        Inputs:
        - X: (N, nn_input_dim); y: (N,) integer labels
        Returns a float.
        """
        num_examples = len(X)
        self.feedforward(X, lambda x: self.actFun(x, type=self.actFun_type))
        # data_loss: the cross-entropy SUMMED over the N examples (the division by N comes below)
        # BEGIN SOLUTION
        data_loss = -np.sum(np.log(self.probs[np.arange(num_examples), y]))
        # END SOLUTION
        # The penalty, added before dividing by N as the original starter does
        data_loss += self.reg_lambda / 2 * (np.sum(np.square(self.W1)) + np.sum(np.square(self.W2)))
        return (1. / num_examples) * data_loss

    def predict(self, X):
        """The most probable class of each row of X: (N,) integers."""
        self.feedforward(X, lambda x: self.actFun(x, type=self.actFun_type))
        return np.argmax(self.probs, axis=1)

    def backprop(self, X, y):
        """Gradients of the SUMMED cross-entropy, using what feedforward left on self.

        Call feedforward(X, ...) first, as fit_model does. The penalty's gradient
        is not included (fit_model adds it).
        Inputs:
        - X: (N, nn_input_dim); y: (N,) integer labels
        Returns (dW1, dW2, db1, db2) with the shapes of W1, W2, b1, b2.
        """
        # BEGIN SOLUTION
        num_examples = len(X)
        delta3 = self.probs.copy()                                   # dL/dz2, (N, C)
        delta3[np.arange(num_examples), y] -= 1
        dW2 = self.a1.T @ delta3                                     # (H, C)
        db2 = np.sum(delta3, axis=0, keepdims=True)                  # (1, C)
        delta2 = (delta3 @ self.W2.T) * self.diff_actFun(self.z1, type=self.actFun_type)  # (N, H)
        dW1 = X.T @ delta2                                           # (D, H)
        db1 = np.sum(delta2, axis=0, keepdims=True)                  # (1, H)
        # END SOLUTION
        return dW1, dW2, db1, db2

    def fit_model(self, X, y, epsilon=0.01, num_passes=20000, print_loss=True):
        """Full-batch gradient descent, num_passes steps of size epsilon.

        Prints the loss every 1000 steps when print_loss is true.
        """
        for i in range(0, num_passes):
            self.feedforward(X, lambda x: self.actFun(x, type=self.actFun_type))
            dW1, dW2, db1, db2 = self.backprop(X, y)

            # The penalty's gradient (biases are not penalised)
            dW2 += self.reg_lambda * self.W2
            dW1 += self.reg_lambda * self.W1

            self.W1 += -epsilon * dW1
            self.b1 += -epsilon * db1
            self.W2 += -epsilon * dW2
            self.b2 += -epsilon * db2

            if print_loss and i % 1000 == 0:
                print("Loss after iteration %i: %f" % (i, self.calculate_loss(X, y)))

    def visualize_decision_boundary(self, X, y):
        """Plot the decision boundary of the trained network (never called by the grader)."""
        plot_decision_boundary(lambda x: self.predict(x), X, y)


def main():
    X, y = generate_data()
    model = NeuralNetwork(nn_input_dim=2, nn_hidden_dim=3, nn_output_dim=2, actFun_type='tanh')
    model.fit_model(X, y)
    print("Training accuracy: %.3f" % np.mean(model.predict(X) == y))
    model.visualize_decision_boundary(X, y)


if __name__ == "__main__":
    main()
