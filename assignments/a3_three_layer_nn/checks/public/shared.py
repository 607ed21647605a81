"""What a3's public and hidden checks share (loaded by grader.kit.shared.of)."""
import numpy as np

from grader.kit import spellings

CAPITALISED = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU"}
PROBE_Z = np.array([[0.5, -1.0, 2.0]])  # no activation is zero everywhere here


def activation_name(student, act):
    """'tanh' if your actFun answers it with an array of z's shape, else the handout's 'Tanh'
    (tried once, named in any message). The network is built with every argument the handout's
    signature names: real code makes actFun_type required, or checks it in the constructor."""
    def answer(name):
        net = student.three_layer_neural_network.NeuralNetwork(2, 3, 2, actFun_type=name, reg_lambda=0.01, seed=0)
        return net.actFun(PROBE_Z, name)
    return spellings.accepted(answer, (act, CAPITALISED[act]), PROBE_Z.shape)
