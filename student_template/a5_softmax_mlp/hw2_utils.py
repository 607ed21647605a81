"""Reading the data files and drawing pictures; shared by the six scripts.

Read it, but do not change it: the autograder uses its own copy.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_data(name):
    """(X, y) from a comma-separated data file: X (N, d) floats, y (N,) integer labels.

    The file is looked up next to this script, in `data/` first (the layout of
    the original course repository), then in this folder itself (the layout of
    the release). Never relative to the working folder, so a script runs the
    same from anywhere.
    """
    for folder in (os.path.join(HERE, 'data'), HERE):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            table = np.loadtxt(path, delimiter=',', ndmin=2)
            return table[:, :-1], table[:, -1].astype(int)
    raise FileNotFoundError('%s: not found in %s/data or %s' % (name, HERE, HERE))


def output_path(name):
    """out/<name> in the folder you run the script from (created if needed): pictures
    go where you are working, never into the folder that holds the scripts."""
    os.makedirs('out', exist_ok=True)
    return os.path.join('out', name)


def plot_decision_boundary(predict, theta, X, y, path, step=0.02):
    """Save a picture of the class each point of the plane gets, with the data on top.

    `predict(X, theta)` is the model's prediction function (it returns
    (scores, probs)); only 2-D inputs can be drawn.
    """
    import matplotlib
    matplotlib.use('Agg')  # files only: works without a display
    import matplotlib.pyplot as plt

    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    scores, _ = predict(np.c_[xx.ravel(), yy.ravel()], theta)
    plt.figure()
    plt.contourf(xx, yy, np.argmax(scores, axis=1).reshape(xx.shape), cmap=plt.cm.Spectral, alpha=0.8)
    plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.Spectral)
    plt.xlim(xx.min(), xx.max())
    plt.ylim(yy.min(), yy.max())
    plt.savefig(path)
    plt.close()


def plot_losses(curves, path):
    """Save loss-versus-epoch curves, e.g. {'training': [...], 'validation': [...]}."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    plt.figure()
    for label, values in curves.items():
        plt.plot(range(1, len(values) + 1), values, label=label)
    plt.xlabel('epoch')
    plt.ylabel('loss')
    plt.legend()
    plt.savefig(path)
    plt.close()
