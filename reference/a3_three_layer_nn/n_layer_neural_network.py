"""A network of any depth, built from Layer objects, reusing the activations
and prediction of the three-layer NeuralNetwork.

layer_dims lists every width, input and output included: [2, 5, 5, 2] is
three Layers (2->5, 5->5, 5->2) kept in self.layers. Hidden Layers apply
actFun_type; the last Layer is linear and the network applies the softmax.
Like the three-layer network, backprop returns gradients SUMMED over the
examples without the L2 term, and fit_model adds reg_lambda * W to every
layer's weight gradient.
"""
import numpy as np

from three_layer_neural_network import NeuralNetwork, generate_data


class Layer(object):
    """One affine map followed by an activation: a = act(X W + b)."""

    def __init__(self, input_dim, output_dim, actFun_type):
        """
        Inputs:
        - input_dim, output_dim: widths; W is (input_dim, output_dim), b is (1, output_dim)
        - actFun_type: 'tanh', 'sigmoid', 'relu' (any case), or None for a linear layer
        Draws W from numpy's global generator: randn(input_dim, output_dim) / sqrt(input_dim).
        """
        self.actFun_type = actFun_type
        self.W = np.random.randn(input_dim, output_dim) / np.sqrt(input_dim)
        self.b = np.zeros((1, output_dim))

    def feedforward(self, X):
        """Keeps X and the net input z for backprop; returns the activation, (N, output_dim)."""
        # BEGIN SOLUTION
        self.X = X
        self.z = X @ self.W + self.b
        if self.actFun_type is None:
            return self.z
        # NeuralNetwork's activation methods never use self, so a Layer can borrow them
        return NeuralNetwork.actFun(self, self.z, self.actFun_type)
        # END SOLUTION

    def backprop(self, delta):
        """From dL/d(this layer's output), (N, output_dim): sets self.dW and self.db
        (summed over the examples) and returns dL/d(this layer's input), (N, input_dim)."""
        # BEGIN SOLUTION
        if self.actFun_type is not None:
            delta = delta * NeuralNetwork.diff_actFun(self, self.z, self.actFun_type)  # dL/dz
        self.dW = self.X.T @ delta
        self.db = np.sum(delta, axis=0, keepdims=True)
        return delta @ self.W.T
        # END SOLUTION


class DeepNeuralNetwork(NeuralNetwork):
    """Layers in sequence, softmax output, L2 penalty on every layer's W."""

    def __init__(self, layer_dims, actFun_type='tanh', reg_lambda=0.01, seed=0):
        """
        Inputs:
        - layer_dims: widths from input to output, e.g. [2, 5, 5, 2]
        - actFun_type: activation of the hidden Layers
        - reg_lambda: weight of the L2 penalty
        - seed: seeds numpy's global generator; the Layers then draw their W in order
        """
        # BEGIN SOLUTION
        self.layer_dims = list(layer_dims)
        self.actFun_type = actFun_type
        self.reg_lambda = reg_lambda
        np.random.seed(seed)
        last = len(self.layer_dims) - 2
        self.layers = [Layer(n_in, n_out, None if i == last else actFun_type)
                       for i, (n_in, n_out) in enumerate(zip(self.layer_dims[:-1], self.layer_dims[1:]))]
        # END SOLUTION

    def feedforward(self, X, actFun=None):
        """Runs every Layer and sets self.probs, (N, classes).

        actFun is accepted so that NeuralNetwork.predict and calculate_loss can call
        this method; each Layer applies its own activation.
        """
        # BEGIN SOLUTION
        out = X
        for layer in self.layers:
            out = layer.feedforward(out)
        shifted = out - out.max(axis=1, keepdims=True)
        exp_scores = np.exp(shifted)
        self.probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
        # END SOLUTION
        return None

    def calculate_loss(self, X, y):
        """(summed cross-entropy + reg_lambda / 2 * sum over layers of sum W^2) / N, a float."""
        # BEGIN SOLUTION
        num_examples = len(X)
        self.feedforward(X)
        data_loss = -np.sum(np.log(self.probs[np.arange(num_examples), y]))
        data_loss += self.reg_lambda / 2 * sum(np.sum(np.square(layer.W)) for layer in self.layers)
        return data_loss / num_examples
        # END SOLUTION

    def backprop(self, X, y):
        """Runs feedforward, then each Layer's backprop from the last to the first.

        Returns [(dW, db), ...] in layer order: gradients of the summed
        cross-entropy, without the L2 term.
        """
        # BEGIN SOLUTION
        self.feedforward(X)
        delta = self.probs.copy()
        delta[np.arange(len(X)), y] -= 1
        for layer in reversed(self.layers):
            delta = layer.backprop(delta)
        return [(layer.dW, layer.db) for layer in self.layers]
        # END SOLUTION

    def fit_model(self, X, y, epsilon=0.01, num_passes=20000, print_loss=True):
        """Full-batch gradient descent with the L2 term on every layer's W."""
        # BEGIN SOLUTION
        for i in range(num_passes):
            grads = self.backprop(X, y)
            for layer, (dW, db) in zip(self.layers, grads):
                layer.W += -epsilon * (dW + self.reg_lambda * layer.W)
                layer.b += -epsilon * db
            if print_loss and i % 1000 == 0:
                print("Loss after iteration %i: %f" % (i, self.calculate_loss(X, y)))
        # END SOLUTION


def main():
    X, y = generate_data()
    model = DeepNeuralNetwork([2, 5, 5, 2], actFun_type='tanh')
    model.fit_model(X, y, num_passes=5000)
    print("Training accuracy: %.3f" % np.mean(model.predict(X) == y))
    model.visualize_decision_boundary(X, y)


if __name__ == "__main__":
    main()
