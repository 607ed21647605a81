"""Public checks: your network against finite differences of your own loss,
and the shapes and keys the notebook relies on. They need only your files."""
from grader.kit import cases, gradients, number, partial_credit, partial_credit_over, problems, values, weight

N, D, H, C = 5, 4, 6, 3
REG = 0.05
SHAPES = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def hidden_inputs(X, params):
    return [X @ params["W1"] + params["b1"]]  # kept away from ReLU's kink


def reference_gradients(ref, activation, params, X, y):
    """The reference's gradients for `params`, or {} without a reference."""
    if ref is None:
        return {}
    theirs = ref.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    theirs.params = {k: v.copy() for k, v in params.items()}
    return theirs.loss(X, y, reg=REG)[1]


@partial_credit(1.0)
@cases("activation", {"2.1": "sigmoid", "2.2": "relu"},
       title="{activation} network: every gradient agrees with finite differences of your loss")
def test_gradients_match_finite_differences(student, ref_at_hand, rng, activation, set_score=None):
    """Each activation's network against its own loss: needs no reference, so it can be public (in the
    autograder, a gradient equal to the reference's passes even if the loss is wrong)."""
    X, y, params = problems.classification(rng, N, D, C, SHAPES, preactivations=hidden_inputs)
    net = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation=activation)
    call = f"TwoLayerMLP(activation={activation!r}).loss(X: {X.shape}, y: {y.shape}, reg={REG})"
    student.set(net, "params", params)
    _, grads = gradients.loss_and_grads(net.loss(X, y, reg=REG), call)
    expected = reference_gradients(ref_at_hand, activation, params, X, y)

    def agrees(name):
        stage = gradients.set_entry_and_call(net, "params", params, name, net.loss, X, y, reg=REG)
        numeric = gradients.numeric_gradient(student, params[name], stage, call)
        student.set(net, "params", params)
        gradients.agrees_with_own_loss(values.entry(grads, name, call), numeric, name=f"grads['{name}']",
                                       call=call, of="your loss", threshold=1e-6, reference=expected.get(name),
                                       batch_size=N)
    partial_credit_over([lambda name=name: agrees(name) for name in params], set_score)


@weight(0.5)
@number("4.1")
def test_train_returns_histories(student, rng):
    """train returns the four histories with one entry per iteration or epoch"""
    X, y = rng.normal(size=(40, D)), problems.labels(rng, 40, C)
    net = student.mlp.TwoLayerMLP(D, H, C, std=0.1, activation="sigmoid")
    settings = dict(learning_rate=1e-3, learning_rate_decay=0.95, reg=1e-5, num_epochs=3, batch_size=10, verbose=False)
    call = f"train(X: (40, 4), y, X, y, {', '.join(f'{k}={v}' for k, v in settings.items())})"
    stats = net.train(X, y, X, y, **settings)
    for key, length in [("loss_history", 12), ("grad_magnitude_history", 12),
                        ("train_acc_history", 3), ("val_acc_history", 3)]:  # 4 iterations per epoch, 3 epochs
        values.sequence(values.entry(stats, key, call), length, call, f"'{key}'")
