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
    # BEGIN SOLUTION
    F, C, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(x_pad, HH, WW, stride)                        # (N, C, Ho, Wo, HH, WW)
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))      # (N, Ho, Wo, F)
    out = out.transpose(0, 3, 1, 2) + b.reshape(1, F, 1, 1)
    cache = (x, w, stride, pad)
    # END SOLUTION
    return out, cache


def conv2d_backward(dout, cache):
    """Backward pass of conv2d_forward.

    Inputs:
    - dout: (N, F, H_out, W_out)
    - cache: what conv2d_forward returned
    Returns (dx, dw, db) with the shapes of x, w and b.
    """
    # BEGIN SOLUTION
    x, w, stride, pad = cache
    F, C, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(x_pad, HH, WW, stride)
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))    # (F, C, HH, WW)
    dx_pad = np.zeros_like(x_pad, dtype=np.float64)
    for i in range(HH):      # each filter tap sends dout back to the inputs it touched
        for j in range(WW):
            contribution = np.tensordot(dout, w[:, :, i, j], axes=([1], [0]))  # (N, Ho, Wo, C)
            dx_pad[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride] += \
                contribution.transpose(0, 3, 1, 2)
    dx = dx_pad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    # END SOLUTION
    return dx, dw, db


def maxpool_forward(x, pool=2, stride=2):
    """Max over each (pool, pool) window.

    Inputs:
    - x: (N, C, H, W)
    Returns (out, cache), out: (N, C, (H - pool) // stride + 1, (W - pool) // stride + 1).
    """
    # BEGIN SOLUTION
    out = _windows(x, pool, pool, stride).max(axis=(4, 5))
    cache = (x, pool, stride)
    # END SOLUTION
    return out, cache


def maxpool_backward(dout, cache):
    """Backward pass of maxpool_forward: each window's gradient goes to its maximum.

    Where a window holds the maximum more than once, any split of its gradient
    among those entries is a valid answer (this one gives it all to the first).
    Returns dx with the shape of x.
    """
    # BEGIN SOLUTION
    x, pool, stride = cache
    _, _, H_out, W_out = dout.shape
    windows = _windows(x, pool, pool, stride)
    flat = windows.reshape(windows.shape[:4] + (pool * pool,))
    winner = flat.argmax(axis=4)                                     # (N, C, Ho, Wo)
    dx = np.zeros_like(x, dtype=np.float64)
    for i in range(pool):
        for j in range(pool):
            dx[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride] += dout * (winner == i * pool + j)
    # END SOLUTION
    return dx


def relu_forward(x):
    """max(x, 0) elementwise. Returns (out, cache)."""
    # BEGIN SOLUTION
    out, cache = np.maximum(x, 0), x
    # END SOLUTION
    return out, cache


def relu_backward(dout, cache):
    """Passes dout where the input was positive, 0 elsewhere (also at 0). Returns dx."""
    # BEGIN SOLUTION
    dx = dout * (cache > 0)
    # END SOLUTION
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
    # BEGIN SOLUTION
    if not train:
        return x, None
    keep = np.random.default_rng(seed).random(x.shape) >= p
    mask = keep / (1 - p)
    out, cache = x * mask, mask
    # END SOLUTION
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of dropout_forward at training time, with the forward pass's mask."""
    # BEGIN SOLUTION
    dx = dout * cache
    # END SOLUTION
    return dx


def softmax_loss(scores, y):
    """Softmax cross-entropy averaged over the batch, stable for large scores.

    Inputs:
    - scores: (N, K); y: (N,) integer labels
    Returns (loss, dscores): a float and dloss/dscores, (N, K).
    """
    # BEGIN SOLUTION
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    N = len(y)
    loss = -log_probs[np.arange(N), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    # END SOLUTION
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
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    counts, _ = np.histogram(x, bins=10)
    return {'min': float(x.min()), 'max': float(x.max()), 'mean': float(x.mean()),
            'std': float(x.std()), 'hist': counts}
    # END SOLUTION


class ConvNet(object):
    """conv - relu - pool - conv - relu - pool - affine - relu - dropout - affine - softmax.

    params: 'W1' (F1, C, 3, 3), 'b1' (F1,), 'W2' (F2, F1, 3, 3), 'b2' (F2,),
    'W3' (F2 * H/4 * W/4, hidden_dim), 'b3', 'W4' (hidden_dim, num_classes), 'b4'.
    """

    def __init__(self, input_shape=(1, 8, 8), num_filters=(8, 16), hidden_dim=64, num_classes=10,
                 dropout=0.5, seed=0):
        # BEGIN SOLUTION
        C, H, W = input_shape
        F1, F2 = num_filters
        rng = np.random.default_rng(seed)

        def he(*shape):  # variance 2 / fan_in keeps relu activations from shrinking layer by layer
            return rng.normal(0, np.sqrt(2 / np.prod(shape[1:] if len(shape) == 4 else shape[:1])), shape)
        self.params = {'W1': he(F1, C, 3, 3), 'b1': np.zeros(F1),
                       'W2': he(F2, F1, 3, 3), 'b2': np.zeros(F2),
                       'W3': he(F2 * (H // 4) * (W // 4), hidden_dim), 'b3': np.zeros(hidden_dim),
                       'W4': he(hidden_dim, num_classes), 'b4': np.zeros(num_classes)}
        self.dropout = dropout
        self.seed = seed
        self.steps = 0
        # END SOLUTION

    def loss(self, X, y=None):
        """Scores (N, num_classes) without y (dropout off); with y, (loss, grads) for a
        training step (dropout on), grads having the keys and shapes of params."""
        # BEGIN SOLUTION
        p = self.params
        train = y is not None
        h, conv1 = conv2d_forward(X, p['W1'], p['b1'], 1, 1)
        h, relu1 = relu_forward(h)
        h, pool1 = maxpool_forward(h)
        h, conv2 = conv2d_forward(h, p['W2'], p['b2'], 1, 1)
        h, relu2 = relu_forward(h)
        h, pool2 = maxpool_forward(h)
        h, fc1 = affine_forward(h, p['W3'], p['b3'])
        h, relu3 = relu_forward(h)
        h, drop = dropout_forward(h, self.dropout, train, None if not train else self.seed + self.steps)
        scores, fc2 = affine_forward(h, p['W4'], p['b4'])
        if not train:
            return scores

        loss, d = softmax_loss(scores, y)
        grads = {}
        d, grads['W4'], grads['b4'] = affine_backward(d, fc2)
        d = relu_backward(dropout_backward(d, drop), relu3)
        d, grads['W3'], grads['b3'] = affine_backward(d, fc1)
        d = relu_backward(maxpool_backward(d, pool2), relu2)
        d, grads['W2'], grads['b2'] = conv2d_backward(d, conv2)
        d = relu_backward(maxpool_backward(d, pool1), relu1)
        _, grads['W1'], grads['b1'] = conv2d_backward(d, conv1)
        return loss, grads
        # END SOLUTION

    def train(self, X, y, num_epochs=10, batch_size=50, learning_rate=1e-2, seed=0):
        """Adam on shuffled mini-batches; returns the list of mini-batch losses."""
        # BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        m = {k: np.zeros_like(v) for k, v in self.params.items()}
        v = {k: np.zeros_like(v) for k, v in self.params.items()}
        history, t = [], 0
        for _ in range(num_epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss, grads = self.loss(X[batch], y[batch])
                self.steps += 1   # also seeds the next dropout mask
                t += 1
                for k in self.params:
                    m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
                    v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
                    m_hat = m[k] / (1 - beta1 ** t)
                    v_hat = v[k] / (1 - beta2 ** t)
                    self.params[k] -= learning_rate * m_hat / (np.sqrt(v_hat) + eps)
                history.append(float(loss))
        return history
        # END SOLUTION

    def predict(self, X):
        """The most probable class of each image, (N,) integers."""
        return np.argmax(self.loss(X), axis=1)
