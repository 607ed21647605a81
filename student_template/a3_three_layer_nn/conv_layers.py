"""Layers of a small convolutional network in numpy, each a forward/backward pair,
and a ConvNet that chains them to classify 8x8 digits.

Images are NCHW: x is (N, C, H, W). Every forward returns (out, cache); its
backward takes the upstream gradient dout (the shape of out) and that cache.
What the cache holds is up to you.

    conv(3x3, pad 1) - relu - maxpool(2x2) - conv(3x3, pad 1) - relu - maxpool(2x2)
    - affine - relu - dropout - affine - softmax

This is the pattern of the original TensorFlow network (conv 5x5x32, pool,
conv 5x5x64, pool, fc 1024, dropout 0.5, softmax), scaled down to 8x8 inputs.
A loop over output positions is a correct answer too; the reference is
vectorised so that grading is quick.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, height, width, stride):
    """View of every (height, width) window of x's last two axes, at the given stride:
    (N, C, H_out, W_out, height, width). No copy."""
    return sliding_window_view(x, (height, width), axis=(2, 3))[:, :, ::stride, ::stride]


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Convolution (cross-correlation, as in every deep-learning library).

    Inputs:
    - x: (N, C, H, W) images
    - w: (F, C, HH, WW) filters
    - b: (F,) biases
    - stride: step between windows, in both directions
    - pad: zeros added on every side of H and W
    Returns (out, cache), out: (N, F, H_out, W_out) with
    H_out = (H + 2 pad - HH) // stride + 1 and W_out likewise.
    """
    raise NotImplementedError("conv2d_forward: not implemented yet")
    return out, cache


def conv2d_backward(dout, cache):
    """Backward pass of conv2d_forward.

    Inputs:
    - dout: (N, F, H_out, W_out)
    - cache: what conv2d_forward returned
    Returns (dx, dw, db) with the shapes of x, w and b.
    """
    raise NotImplementedError("conv2d_backward: not implemented yet")
    return dx, dw, db


def maxpool_forward(x, pool=2, stride=2):
    """Max over each (pool, pool) window.

    Inputs:
    - x: (N, C, H, W)
    Returns (out, cache), out: (N, C, (H - pool) // stride + 1, (W - pool) // stride + 1).
    """
    raise NotImplementedError("maxpool_forward: not implemented yet")
    return out, cache


def maxpool_backward(dout, cache):
    """Backward pass of maxpool_forward: each window's gradient goes to its maximum.

    Where a window holds the maximum more than once, any split of its gradient
    among those entries is a valid answer (this one gives it all to the first).
    Returns dx with the shape of x.
    """
    raise NotImplementedError("maxpool_backward: not implemented yet")
    return dx


def relu_forward(x):
    """max(x, 0) elementwise. Returns (out, cache)."""
    raise NotImplementedError("relu_forward: not implemented yet")
    return out, cache


def relu_backward(dout, cache):
    """Passes dout where the input was positive, 0 elsewhere (also at 0). Returns dx."""
    raise NotImplementedError("relu_backward: not implemented yet")
    return dx


def dropout_forward(x, p, train, seed=None):
    """Inverted dropout: at training time each entry is zeroed with probability p and
    the survivors are divided by (1 - p), so nothing changes at test time.

    Inputs:
    - x: any shape
    - p: probability of dropping an entry, 0 <= p < 1
    - train: True while training; False returns x unchanged
    - seed: seed of the mask's generator (the same seed gives the same mask)
    Returns (out, cache); the cache keeps the mask for the backward pass.
    """
    raise NotImplementedError("dropout_forward: not implemented yet")
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of dropout_forward at training time, with the forward pass's mask."""
    raise NotImplementedError("dropout_backward: not implemented yet")
    return dx


def softmax_loss(scores, y):
    """Softmax cross-entropy averaged over the batch, stable for large scores.

    Inputs:
    - scores: (N, K); y: (N,) integer labels
    Returns (loss, dscores): a float and dloss/dscores, (N, K).
    """
    raise NotImplementedError("softmax_loss: not implemented yet")
    return loss, dscores


def affine_forward(x, w, b):
    """x reshaped to (N, D) times w (D, M) plus b (M,). Returns (out, cache)."""
    out = x.reshape(len(x), -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    """Returns (dx, dw, db) for affine_forward."""
    x, w = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(len(x), -1).T @ dout, dout.sum(axis=0)


def layer_stats(x):
    """What TensorBoard's summaries showed, for any array (weights, net inputs,
    activations): {'min', 'max', 'mean', 'std'} as floats and 'hist', the counts
    of x's entries in 10 equal bins from min to max (np.histogram's bins)."""
    raise NotImplementedError("layer_stats: not implemented yet")


class ConvNet(object):
    """conv - relu - pool - conv - relu - pool - affine - relu - dropout - affine - softmax.

    params: 'W1' (F1, C, 3, 3), 'b1' (F1,), 'W2' (F2, F1, 3, 3), 'b2' (F2,),
    'W3' (F2 * H/4 * W/4, hidden_dim), 'b3', 'W4' (hidden_dim, num_classes), 'b4'.
    """

    def __init__(self, input_shape=(1, 8, 8), num_filters=(8, 16), hidden_dim=64, num_classes=10,
                 dropout=0.5, seed=0):
        raise NotImplementedError("ConvNet.__init__: not implemented yet")

    def loss(self, X, y=None):
        """Scores (N, num_classes) without y (dropout off); with y, (loss, grads) for a
        training step (dropout on), grads having the keys and shapes of params."""
        raise NotImplementedError("ConvNet.loss: not implemented yet")

    def train(self, X, y, num_epochs=10, batch_size=50, learning_rate=1e-2, seed=0):
        """Adam on shuffled mini-batches; returns the list of mini-batch losses."""
        raise NotImplementedError("ConvNet.train: not implemented yet")

    def predict(self, X):
        """The most probable class of each image, (N,) integers."""
        return np.argmax(self.loss(X), axis=1)
