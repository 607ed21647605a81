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
        raise NotImplementedError("Layer.feedforward: not implemented yet")

    def backprop(self, delta):
        """From dL/d(this layer's output), (N, output_dim): sets self.dW and self.db
        (summed over the examples) and returns dL/d(this layer's input), (N, input_dim)."""
        raise NotImplementedError("Layer.backprop: not implemented yet")


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
        raise NotImplementedError("DeepNeuralNetwork.__init__: not implemented yet")

    def feedforward(self, X, actFun=None):
        """Runs every Layer and sets self.probs, (N, classes).

        actFun is accepted so that NeuralNetwork.predict and calculate_loss can call
        this method; each Layer applies its own activation.
        """
        raise NotImplementedError("DeepNeuralNetwork.feedforward: not implemented yet")
        return None

    def calculate_loss(self, X, y):
        """(summed cross-entropy + reg_lambda / 2 * sum over layers of sum W^2) / N, a float."""
        raise NotImplementedError("DeepNeuralNetwork.calculate_loss: not implemented yet")

    def backprop(self, X, y):
        """Runs feedforward, then each Layer's backprop from the last to the first.

        Returns [(dW, db), ...] in layer order: gradients of the summed
        cross-entropy, without the L2 term.
        """
        raise NotImplementedError("DeepNeuralNetwork.backprop: not implemented yet")

    def fit_model(self, X, y, epsilon=0.01, num_passes=20000, print_loss=True):
        """Full-batch gradient descent with the L2 term on every layer's W."""
        raise NotImplementedError("DeepNeuralNetwork.fit_model: not implemented yet")


def main():
    X, y = generate_data()
    model = DeepNeuralNetwork([2, 5, 5, 2], actFun_type='tanh')
    model.fit_model(X, y, num_passes=5000)
    print("Training accuracy: %.3f" % np.mean(model.predict(X) == y))
    model.visualize_decision_boundary(X, y)


if __name__ == "__main__":
    main()
