"""Build handout.ipynb for a2_two_layer_mlp.

Run from the repository root:

    .venv/bin/python assignments/a2_two_layer_mlp/build_notebook.py

The notebook is written without outputs and with fixed cell ids, so running
the script twice gives the same file. tests/test_a2_notebook.py runs every
code cell against the reference solution.
"""
import os
import sys
import textwrap

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'handout.ipynb')


def md(text):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())


def code(text):
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip())


CELLS = [
    md(r"""
    # Assignment 2: a two-layer MLP

    This notebook has three parts:

    1. **Backprop by hand.** Derive the gradients of a tiny sigmoid network
       for one example (Q1.1-Q1.6).
    2. **A two-layer MLP in numpy.** Complete `TwoLayerMLP` in `mlp.py`, check
       it on a toy problem, then train it to classify handwritten digits.
    3. **Regularisation.** Write the gradient-descent update for an L2 and an
       L1 penalty (Q3.1-Q3.2).

    The programming part follows BU CS542's problem set 4, which in turn was
    adapted from Stanford's CS231n.

    **Where answers go.** The code goes into `mlp.py`. The answers to Q1.1-Q1.5
    and Q3.1-Q3.2 go into `answers.py`, each as a *string* holding a Python
    expression, for example

    ```python
    Q1_1 = "..."
    ```

    The autograder reads each string, checks that it uses only allowed names and
    operations, and evaluates it on random values of the variables. Any
    expression equal to the right one earns full marks, however it is written.
    You may use the question's variable names, numbers, the operators
    `+ - * / @ **`, `.T`, and the functions `exp`, `log`, `sum`, `sign`,
    `sigmoid`, `transpose`, `sqrt`, `abs` (the docstring at the top of
    `answers.py` has the full list). Q1.6 is a short written answer for the
    course staff.
    """),

    md(r"""
    ## Part 1: backprop by hand

    Take a network with one hidden layer of $H$ sigmoid units and a single
    sigmoid output, trained with the cross-entropy loss. For one example
    $x$ with label $y \in \{0, 1\}$, all vectors being columns:

    $$a_1 = W_1 x + b_1, \qquad h_1 = \sigma(a_1), \qquad
      a_2 = W_2 h_1 + b_2, \qquad \hat y = \sigma(a_2),$$

    $$J = -y \log \hat y - (1 - y) \log (1 - \hat y),
      \qquad \sigma(z) = \frac{1}{1 + e^{-z}}.$$

    The shapes are $x$: (d, 1), $W_1$: (H, d), $b_1$: (H, 1), $W_2$: (1, H),
    $b_2$: (1, 1); so $a_1$ and $h_1$ are (H, 1), and $a_2$, $\hat y$, $y$
    are (1, 1). There is no regularisation here.

    A gradient has the shape of the variable it is taken with respect to:
    $\nabla_{W_1} J$ is (H, d), like $W_1$. Work backwards from the loss and
    reuse each result in the next question; simplify where you can (the
    derivative of the sigmoid can be written with the sigmoid itself).

    As an example of the format, the derivative with respect to the prediction,
    $\nabla_{\hat y} J = \frac{\hat y - y}{\hat y (1 - \hat y)}$, would be
    written `"(yhat - y) / (yhat * (1 - yhat))"`.

    Names you may use: `x`, `y`, `W1`, `b1`, `a1`, `h1`, `W2`, `b2`, `a2`,
    `yhat`. Use `@` for matrix products and `*` for elementwise ones.

    | Question | Asks for | Shape | Variable in `answers.py` |
    |---|---|---|---|
    | Q1.1 | $\nabla_{a_2} J$ | (1, 1) | `Q1_1` |
    | Q1.2 | $\nabla_{b_2} J$ | (1, 1) | `Q1_2` |
    | Q1.3 | $\nabla_{W_2} J$ | (1, H) | `Q1_3` |
    | Q1.4 | $\nabla_{h_1} J$ | (H, 1) | `Q1_4` |
    | Q1.5 | $\nabla_{b_1} J$ and $\nabla_{W_1} J$ | (H, 1) and (H, d) | `Q1_5_b1`, `Q1_5_W1` |

    **Q1.6 (written, graded by the course staff).** Backprop uses the values
    that the forward pass computed ($a_1$, $h_1$, $\hat y$, ...). In a few
    sentences: what would happen to the cost of computing all the gradients if
    those values were not kept, and each one had to be recomputed whenever a
    gradient needs it? Write your answer in the next cell, under its heading.
    """),

    md(r"""
    ## Q1.6 (your answer)
    """),

    md(r"""
    ## Part 2: a two-layer MLP in numpy

    `mlp.py` defines the class `TwoLayerMLP`. With $D$ inputs, $H$ hidden
    units and $C$ classes it computes, for a batch `X` of shape (N, D),

    ```
    z1 = X @ W1 + b1        (N, H)
    h1 = f(z1)              (N, H)    f: relu, sigmoid or softplus
    scores = h1 @ W2 + b2   (N, C)
    ```

    with `W1` (D, H), `b1` (H,), `W2` (H, C), `b2` (C,) stored in the dict
    `net.params`. The scores go through a softmax, and the loss is the
    cross-entropy averaged over the batch plus an L2 penalty on the weights:

    $$L = \frac{1}{N} \sum_{i=1}^{N} -\log \frac{e^{s_{i, y_i}}}{\sum_{c} e^{s_{i, c}}}
          + \frac{\text{reg}}{2} \left( \|W_1\|^2 + \|W_2\|^2 \right).$$

    The forward pass, the loss and the training loop are written for you.
    Read `TwoLayerMLP.loss` first: it subtracts each row's largest score before
    taking exponentials, which changes nothing mathematically but keeps
    `exp` from overflowing.

    Your parts, all in `mlp.py`:

    - the activations `sigmoid(z)`, `relu(z)`, `softplus(z)`;
    - their derivatives `sigmoid_grad(z)`, `relu_grad(z)`, `softplus_grad(z)`,
      taken with respect to the pre-activation `z`;
    - the backward pass at the end of `TwoLayerMLP.loss`, which fills
      `grads['W1']`, `grads['b1']`, `grads['W2']`, `grads['b2']` (each the
      shape of its parameter, and including the gradient of the penalty);
    - `TwoLayerMLP.predict`.

    Until a part is written it raises `NotImplementedError`. Note that
    `loss(X, y)` returns the loss *and* the gradients, so it only runs once the
    backward pass is written; `loss(X)` (the scores) needs only the
    activations. Write vectorised code: no loop over the examples is needed.

    The first cell loads the tools. If you edit `mlp.py` while the notebook is
    open, the `autoreload` cell makes the notebook pick up your changes.
    """),

    code(r"""
    import os

    import matplotlib.pyplot as plt
    import numpy as np

    from mlp import TwoLayerMLP
    from utils import eval_numerical_gradient, get_digits_data, rel_error, visualize_grid

    plt.rcParams['figure.figsize'] = (8.0, 6.0)
    plt.rcParams['image.interpolation'] = 'nearest'
    plt.rcParams['image.cmap'] = 'gray'
    """),

    code(r"""
    # Reload mlp.py and utils.py automatically after you edit them.
    %load_ext autoreload
    %autoreload 2
    """),

    md(r"""
    ### A toy problem

    Five random 4-dimensional points in three classes, and a network with 10
    hidden units. The seeds are fixed, so everyone gets the same weights and
    data, and the numbers below can be compared exactly.
    """),

    code(r"""
    def make_toy_net(activation, std=1e-1):
        np.random.seed(0)
        return TwoLayerMLP(4, 10, 3, std=std, activation=activation)


    def make_toy_data():
        np.random.seed(1)
        X = 10 * np.random.randn(5, 4)
        y = np.array([0, 1, 2, 2, 1])
        return X, y


    X, y = make_toy_data()
    print('X =', X)
    print('y =', y)
    """),

    md(r"""
    ### Step 1: the activations and the scores

    Write `sigmoid`, `relu` and `softplus` in `mlp.py`. Softplus is
    $\log(1 + e^z)$; compute it so that it does not overflow when $z$ is
    large (numpy has a function for $\log(e^a + e^b)$). Then check the scores
    of the ReLU network: the difference should be below `1e-7`.
    """),

    code(r"""
    net = make_toy_net('relu')
    scores = net.loss(X)
    expected_scores = np.array([
        [-0.81233741, -1.27654624, -0.70335995],
        [-0.17129677, -1.18803311, -0.47310444],
        [-0.51590475, -1.01354314, -0.85042150],
        [-0.15419291, -0.48629638, -0.52901952],
        [-0.00618733, -0.12435261, -0.15226949]])
    print(scores)
    print('difference:', np.max(np.abs(scores - expected_scores)))
    """),

    md(r"""
    ### Step 2: the backward pass and the loss

    Write the derivatives `sigmoid_grad`, `relu_grad`, `softplus_grad` and the
    backward pass in `TwoLayerMLP.loss`. Start from the gradient of the
    averaged loss with respect to the scores,
    $\partial L / \partial s_{i,c} = (p_{i,c} - [c = y_i]) / N$, where
    `probs` holds $p$, and go back layer by layer. The penalty
    $\frac{\text{reg}}{2}\|W\|^2$ adds `reg * W` to the gradient of `W`, once.

    First the loss of the sigmoid network, which should differ from the value
    in the cell by less than `1e-6`:
    """),

    code(r"""
    net = make_toy_net('sigmoid')
    loss, _ = net.loss(X, y, reg=0.1)
    print('loss:', loss)
    print('difference from 1.182248:', abs(loss - 1.182248))
    """),

    md(r"""
    Now compare every gradient with a numerical one: `eval_numerical_gradient`
    nudges each entry of a parameter up and down by `h = 1e-5` and measures
    how the loss changes. Correct code gives relative errors of about `1e-7`
    or smaller; a bug typically gives `1e-2` or more. (For the sigmoid
    network one entry of `b1` is tiny, about `3e-6`, so its relative error is
    around `2e-7` even when everything is right.)
    """),

    code(r"""
    def check_gradients(net, reg=0.1):
        _, grads = net.loss(X, y, reg=reg)
        for name in ['W1', 'b1', 'W2', 'b2']:
            def f(_):
                return net.loss(X, y, reg=reg)[0]
            numerical = eval_numerical_gradient(f, net.params[name], verbose=False)
            print('%s max relative error: %e' % (name, rel_error(numerical, grads[name])))


    check_gradients(make_toy_net('sigmoid'))
    """),

    md(r"""
    ### Step 3: training on the toy data

    `TwoLayerMLP.train` runs minibatch gradient descent and records the loss
    and the size of the gradient of `W1` at every iteration. It calls
    `predict` to measure accuracy, so write `predict` now: it returns the
    class with the highest score for each row of `X`, shape (N,).

    With the toy data (5 examples, batch size 200) every epoch is one step on
    the whole set. The final loss of the sigmoid network should be about
    `0.109268`. Look at the gradient magnitude: it stays small during the
    whole run. Saturated sigmoid units pass back little gradient, so the
    first layer learns slowly.
    """),

    code(r"""
    def plot_toy_run(stats):
        fig, (ax1, ax2) = plt.subplots(2, 1)
        ax1.plot(stats['loss_history'])
        ax1.set_xlabel('iteration')
        ax1.set_ylabel('training loss')
        ax2.plot(stats['grad_magnitude_history'])
        ax2.set_xlabel('iteration')
        ax2.set_ylabel(r'$\|\nabla_{W_1} L\|$')
        fig.tight_layout()
        plt.show()


    net = make_toy_net('sigmoid')
    stats = net.train(X, y, X, y, learning_rate=0.5, reg=1e-5, num_epochs=100)
    print('final training loss:', stats['loss_history'][-1], '(expected about 0.109268)')
    plot_toy_run(stats)
    """),

    md(r"""
    ### Step 4: ReLU

    The same checks with ReLU hidden units, $\max(0, z)$. The loss should be
    within `1e-6` of `1.303788`, and after training for 50 epochs the loss
    should be about `0.017856`. Compare the gradient magnitudes with the
    sigmoid run.
    """),

    code(r"""
    net = make_toy_net('relu')
    loss, _ = net.loss(X, y, reg=0.1)
    print('loss:', loss)
    print('difference from 1.303788:', abs(loss - 1.303788))
    check_gradients(net)
    """),

    code(r"""
    net = make_toy_net('relu')
    stats = net.train(X, y, X, y, learning_rate=0.1, reg=1e-5, num_epochs=50)
    print('final training loss:', stats['loss_history'][-1], '(expected about 0.017856)')
    plot_toy_run(stats)
    """),

    md(r"""
    ### Step 5: softplus

    Softplus, $\log(1 + e^z)$, is a smooth version of ReLU: close to 0 for
    very negative $z$, close to $z$ for large $z$, and differentiable
    everywhere. Its derivative is a function you have already written.

    **A note on the number 1.320973.** An older version of this notebook gave
    `1.320973` as the expected loss of the *ReLU* network. That is not what
    ReLU gives: the ReLU loss of the toy model is `1.303788`, the value of the
    original CS231n exercise. `1.320973` is the loss of the same toy model with
    *softplus* hidden units, which is why softplus is part of this assignment.
    If you see `1.320973` from your ReLU network, check that `relu` really is
    $\max(0, z)$.
    """),

    code(r"""
    net = make_toy_net('softplus')
    loss, _ = net.loss(X, y, reg=0.1)
    print('loss:', loss)
    print('difference from 1.320973:', abs(loss - 1.320973))
    check_gradients(net)
    """),

    md(r"""
    ### Step 6: handwritten digits

    Now a real data set: scikit-learn's handwritten digits, 1,797 grey-scale
    images of 8x8 pixels (values 0 to 16) in ten classes, flattened into 64
    features. `get_digits_data()` reads them from `digits.npz`, split into
    1,000 training, 300 validation and 497 test images. The mean training
    image has already been subtracted from all three sets.

    (The original assignment used MNIST, 28x28 images. If your course staff
    rebuilt `digits.npz` from MNIST, the cells below work unchanged: they read
    the input size from the data.)
    """),

    code(r"""
    X_train, y_train, X_val, y_val, X_test, y_test = get_digits_data()
    for name, array in [('X_train', X_train), ('y_train', y_train), ('X_val', X_val),
                        ('y_val', y_val), ('X_test', X_test), ('y_test', y_test)]:
        if array is None:
            print(name, 'not in your copy of the data (the autograder keeps it)')
        else:
            print(name, array.shape, array.dtype)

    input_size = X_train.shape[1]
    side = int(round(np.sqrt(input_size)))   # images are side x side pixels
    """),

    md(r"""
    Next, train one network per activation, with 64 hidden units and
    minibatches of 100. The learning rate starts at 0.1 and is multiplied by
    0.95 after every epoch: large steps early on, smaller ones as training
    settles. With the reference solution each network trains in well under a
    second and reaches a validation accuracy of about 0.96 (sigmoid) and 0.98
    (ReLU and softplus). Feel free to try other settings once your code works.
    """),

    code(r"""
    # The repository's own test of this notebook sets A2_QUICK=1 to train for
    # fewer epochs; leave it unset.
    num_epochs = 3 if os.environ.get('A2_QUICK') else 30

    nets, runs = {}, {}
    for activation in ['sigmoid', 'relu', 'softplus']:
        np.random.seed(0)
        net = TwoLayerMLP(input_size, 64, 10, std=1e-1, activation=activation)
        runs[activation] = net.train(X_train, y_train, X_val, y_val,
                                     learning_rate=1e-1, learning_rate_decay=0.95,
                                     reg=0.05, num_epochs=num_epochs, batch_size=100)
        nets[activation] = net
        train_acc = np.mean(net.predict(X_train) == y_train)
        val_acc = np.mean(net.predict(X_val) == y_val)
        print('%-8s train accuracy %.3f, validation accuracy %.3f' % (activation, train_acc, val_acc))
    """),

    md(r"""
    The curves below show, for each network, the gradient magnitude of `W1`
    and the loss per iteration, and the accuracy per epoch (on the last
    minibatch of the epoch and on the validation set). Look for a loss that
    goes down and then flattens, and for a gap between training and validation
    accuracy that would point to overfitting.
    """),

    code(r"""
    def plot_run(stats, title):
        fig, (ax1, ax2, ax3) = plt.subplots(3, 1)
        ax1.plot(stats['grad_magnitude_history'])
        ax1.set_ylabel(r'$\|\nabla_{W_1} L\|$')
        ax1.set_title(title)
        ax2.plot(stats['loss_history'])
        ax2.set_xlabel('iteration')
        ax2.set_ylabel('loss')
        ax3.plot(stats['train_acc_history'], label='train (last minibatch)')
        ax3.plot(stats['val_acc_history'], label='validation')
        ax3.set_xlabel('epoch')
        ax3.set_ylabel('accuracy')
        ax3.legend()
        fig.tight_layout()
        plt.show()


    for activation, stats in runs.items():
        plot_run(stats, activation)
    """),

    md(r"""
    Each column of `W1` holds the weights one hidden unit applies to the
    pixels, so it can be shown as an image of the same size as the inputs.
    Units of a trained network often look like strokes or parts of digits;
    units that still look like noise have learnt little.
    """),

    code(r"""
    def show_weights(net, title):
        W1 = net.params['W1']                    # (input_size, hidden)
        images = W1.T.reshape(-1, side, side)    # one image per hidden unit
        plt.imshow(visualize_grid(images, padding=1).astype('uint8'))
        plt.title(title)
        plt.axis('off')
        plt.show()


    for activation, net in nets.items():
        show_weights(net, activation)
    """),

    md(r"""
    The test labels are not in your copy of the data: the autograder keeps
    them and measures the test accuracy of a network trained with your code.
    Course staff, who have the labels, can look at the test set here, once,
    at the very end:
    """),

    code(r"""
    for activation, net in nets.items():
        if y_test is None:
            print('%-8s test labels are held back by the autograder' % activation)
        else:
            print('%-8s test accuracy %.3f' % (activation, np.mean(net.predict(X_test) == y_test)))
    """),

    md(r"""
    ## Part 3: regularisation and the update rule

    A penalty on the size of the parameters discourages overfitting. Write the
    parameters of the model as one vector $\theta$, the loss as
    $\mathcal{L}(\theta)$, and let $g = \nabla_\theta \mathcal{L}$ be the
    gradient of the loss alone at the current parameters $\theta$. One step
    of gradient descent with step size $\eta$ on a penalised objective
    produces new parameters; give them as an expression in `theta`, `g`,
    `eta` and `lam`.

    | Question | Objective | Variable in `answers.py` |
    |---|---|---|
    | Q3.1 | $\mathcal{L}(\theta) + \lambda \|\theta\|_2^2$ | `Q3_1` |
    | Q3.2 | $\mathcal{L}(\theta) + \lambda \|\theta\|_1$ | `Q3_2` |

    Note the penalty here is $\lambda\|\theta\|_2^2$, without the factor
    $\frac{1}{2}$ that `TwoLayerMLP.loss` uses. The L1 norm
    $\sum_j |\theta_j|$ has no derivative where some $\theta_j = 0$; use a
    subgradient, taking the derivative of $|t|$ at $t = 0$ to be 0.
    """),

    md(r"""
    ## Before you submit

    - Run every cell of this notebook from the top (Kernel -> Restart & Run
      All) and check that each difference is as small as the text says.
    - Run the public checks: the cell below (`check("2.1")` runs one item,
      `check("2")` a part), or from a terminal in the folder with your files
      (the README of the assignment's zip says how to install what they
      need): `python -m grader check a2_two_layer_mlp .`. Either way they
      read `mlp.py` and `answers.py` as saved on disk, so save them first.
    - Submit a zip with `mlp.py` and `answers.py`. This notebook imports
      `mlp.py` rather than containing your code, so it cannot stand in for
      `mlp.py`: submitting it alone earns no points for Part 2. For your
      answer to Q1.6, put this notebook in the zip too (the staff read the
      cell under the heading `## Q1.6`), or write it in `written.md`.
    """),

    code("""
    from grader_check import check_all

    check_all()
    """),
]


def build():
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
        'language_info': {'name': 'python'},
    }
    for i, cell in enumerate(CELLS):
        cell.id = 'a2-cell-%02d' % i   # fixed ids keep the file reproducible
    nb.cells = CELLS
    nbformat.validate(nb)
    return nb


def main(out=OUT):
    nbformat.write(build(), out)
    print('wrote', out)


if __name__ == '__main__':
    main(*sys.argv[1:])
