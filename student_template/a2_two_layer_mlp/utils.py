"""Helpers for the notebook: a numerical gradient, an error measure, a picture
of many small images at once, and the data loader."""
import os

import numpy as np

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'digits.npz')


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Gradient of f at x by central differences, one entry at a time.

    Each entry of x is moved by +h and -h in place, f is evaluated, and the
    entry is put back; so x must be the very array f reads (for example a
    parameter of the network), not a copy.

    Inputs:
    - f: function called as f(x), returning a float
    - x: float array of any shape
    - verbose: print every entry's index and gradient
    - h: step size
    Returns grad: array of the same shape as x.
    """
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        f_plus = f(x)
        x[index] = old - h
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)
        if verbose:
            print(index, grad[index])
    return grad


def rel_error(x, y):
    """Largest elementwise relative error |x - y| / (|x| + |y|), with the
    denominator kept away from zero."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile N small images into one square-ish grid image.

    Each image is scaled on its own so that its smallest value maps to 0 and
    its largest to ubound.

    Inputs:
    - Xs: (N, H, W, C) or (N, H, W) images
    - ubound: the value the brightest pixel of each image maps to
    - padding: blank pixels between neighbouring images
    Returns the grid: (G*H + (G-1)*padding, G*W + (G-1)*padding, C), or without
    the last axis for (N, H, W) input, where G = ceil(sqrt(N)).
    """
    Xs = np.asarray(Xs, dtype=np.float64)
    N, H, W = Xs.shape[:3]
    G = int(np.ceil(np.sqrt(N)))
    grid = np.zeros((G * H + (G - 1) * padding, G * W + (G - 1) * padding) + Xs.shape[3:])
    for n in range(N):
        row, col = divmod(n, G)
        top, left = row * (H + padding), col * (W + padding)
        img = Xs[n]
        span = img.max() - img.min()
        scaled = (img - img.min()) / span if span > 0 else np.zeros_like(img)
        grid[top:top + H, left:left + W] = ubound * scaled
    return grid


def get_digits_data():
    """The tuple (X_train, y_train, X_val, y_val, X_test, y_test) from digits.npz.

    digits.npz sits next to this file. The images are flattened into rows of
    X (8x8 digits: 64 features) and the training mean has already been
    subtracted from all three sets; the labels are integers 0..9. The copy
    handed to students has no test labels (the autograder keeps them to
    measure accuracy): y_test is then None.
    """
    with np.load(DATA_FILE, allow_pickle=False) as f:
        return tuple(f[key] if key in f.files else None
                     for key in ('X_train', 'y_train', 'X_val', 'y_val', 'X_test', 'y_test'))
