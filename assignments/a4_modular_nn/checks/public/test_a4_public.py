"""Public checks: each module's backward pass against finite differences of
your own forward pass, on a batch of several columns. They need only your files.
In the autograder a backward pass equal to the reference's passes too
(`ref_at_hand`): a wrong forward pass is charged by its own item, not again here."""
import numpy as np

from grader.kit import (
    CheckFailure,
    as_array,
    batched_gradient,
    cases,
    central_difference,
    gradients,
    number,
    partial_credit,
    partial_credit_over,
    perturbed,
    values,
    weight,
)

M, N, B = 4, 3, 5  # Linear(M, N) on a batch of B columns


def weighted_sum(upstream, call):
    """The scalar sum(upstream * output): its gradient with respect to the module's
    input is what backward(upstream) must return."""
    return lambda output: float(np.sum(upstream * as_array(output, upstream, "output", call)))


@partial_credit(1.0)
@number("1.1")
def test_linear_backward_matches_finite_differences(student, ref_at_hand, rng, set_score=None):
    """Linear.backward: dLdA, dLdW and dLdW0 agree with finite differences of your forward"""
    A, W, W0, dLdZ = rng.normal(size=(M, B)), rng.normal(size=(M, N)), rng.normal(size=(N, 1)), rng.normal(size=(N, B))
    layer = student.code_for_hw7.Linear(M, N)
    student.set(layer, "W", W)
    student.set(layer, "W0", W0)
    call = f"Linear({M}, {N}).forward(A: {A.shape})"
    loss = weighted_sum(dLdZ, call)

    def moved_input(batch, moved):
        batch.call(layer.forward, moved)

    def moved_weight(name):
        def stage(batch, moved):
            batch.set(layer, name, moved)
            batch.call(layer.forward, A)
        return stage
    numeric = {"dLdA": batched_gradient(student, A, moved_input, loss),
               "dLdW": batched_gradient(student, W, moved_weight("W"), loss)}
    student.set(layer, "W", W)
    numeric["dLdW0"] = batched_gradient(student, W0, moved_weight("W0"), loss)
    student.set(layer, "W0", W0)
    layer.forward(A)
    backward = f"Linear({M}, {N}).backward(dLdZ: {dLdZ.shape}) after forward(A: {A.shape})"
    analytic = {"dLdA": lambda: layer.backward(dLdZ), "dLdW": lambda: student.fetch(layer.dLdW),
                "dLdW0": lambda: student.fetch(layer.dLdW0)}
    expected = {}
    if ref_at_hand:
        theirs = ref_at_hand.code_for_hw7.Linear(M, N)
        theirs.W, theirs.W0 = W.copy(), W0.copy()
        theirs.forward(A)
        expected = {"dLdA": theirs.backward(dLdZ), "dLdW": theirs.dLdW, "dLdW0": theirs.dLdW0}

    def agrees(name):
        gradients.agrees_with_own_loss(analytic[name](), numeric[name], call=backward, name=name, of="your forward",
                                       reference=expected.get(name))
    partial_credit_over([lambda name=name: agrees(name) for name in ("dLdA", "dLdW", "dLdW0")], set_score)


@weight(0.5)
@cases("name", {"2.1": ("Tanh.backward agrees with finite differences of your Tanh.forward", "Tanh"),
                "2.2": ("ReLU.backward agrees with finite differences of your ReLU.forward", "ReLU")})
def test_activation_backward_matches_finite_differences(student, ref_at_hand, rng, name):
    """Each activation's backward against finite differences of its own forward."""
    Z = rng.normal(size=(N, B))
    Z += np.sign(Z) * 0.05  # away from ReLU's kink, where finite differences mean nothing
    dLdA = rng.normal(size=(N, B))
    module = getattr(student.code_for_hw7, name)()
    call = f"{name}().forward(Z: {Z.shape})"
    numeric = batched_gradient(student, Z, lambda batch, moved: batch.call(module.forward, moved),
                               weighted_sum(dLdA, call))
    module.forward(Z)
    theirs = ref_at_hand and getattr(ref_at_hand.code_for_hw7, name)()
    expected = theirs and (theirs.forward(Z), theirs.backward(dLdA))[1]
    gradients.agrees_with_own_loss(module.backward(dLdA), numeric, name="dLdZ", of="your forward",
                                   call=f"{name}().backward(dLdA: {dLdA.shape}) after forward(Z)", reference=expected)


@weight(0.5)
@number("2.3")
def test_nll_backward_matches_finite_differences(student, ref_at_hand, rng):
    """NLL.backward is the gradient of NLL.forward(SoftMax.forward(Z), Y) with respect to Z"""
    Z, Y = rng.normal(size=(N, B)), np.eye(N)[:, rng.integers(0, N, B)]
    hw = student.code_for_hw7
    softmax, nll = hw.SoftMax(), hw.NLL()
    call = f"NLL().forward(SoftMax().forward(Z: {Z.shape}), Y: {Y.shape})"
    probabilities = student.batch()
    for moved in perturbed(Z):
        probabilities.call(softmax.forward, moved)
    losses = student.batch()
    for P in probabilities.run():
        losses.call(nll.forward, as_array(P, Z, "SoftMax output", call), Y)
    numeric = central_difference([values.number(loss, call, "loss") for loss in losses.run()], Z.shape)
    P = as_array(softmax.forward(Z), Z, "SoftMax output", call)
    nll.forward(P, Y)
    theirs = ref_at_hand and ref_at_hand.code_for_hw7.NLL()
    expected = theirs and (theirs.forward(P, Y), theirs.backward())[1]  # on your SoftMax output: graded on its own
    try:
        gradients.agrees_with_own_loss(nll.backward(), numeric, call=f"NLL().backward() after {call}", name="dLdZ",
                                       of="your SoftMax and NLL forward", reference=expected)
    except CheckFailure as failure:
        if np.allclose(P.sum(axis=0), 1):
            raise
        raise CheckFailure(failure.message + "\nThe columns of your SoftMax output do not sum to 1: Ypred - Y is "
                           "the gradient only for a softmax over each column (axis 0).", failure.tags,
                           failure.bugs) from None
