"""Public checks: your functions against finite differences of your own code.

They need only your models.py, so they run the same on your machine
(`python -m grader check a1_softsign .`) as in the autograder.
"""
import numpy as np

from grader.kit import gradients, number, partial_credit, partial_credit_over, problems, values, weight

FORWARD = "MultilayerPerceptron.compute_activations(X)"


@weight(0.5)
@number("1.1")
def test_softsign_prime_matches_finite_differences(student, rng):
    """softsign_prime agrees with finite differences of softsign"""
    z = problems.away_from_zero(rng, 20)  # softsign has a kink at 0
    numeric = gradients.elementwise_numeric(student.models.softsign, z, "softsign(z)")
    gradients.agrees_with_own_loss(student.models.softsign_prime(z), numeric, call="softsign_prime(z: (20,))",
                                   of="softsign")


@weight(0.5)
@number("2.1")
def test_softsign_ce_derivatives_match_finite_differences(student, rng):
    """SoftsignCrossEntropy.derivatives agrees with finite differences of its value"""
    z = problems.away_from_zero(rng, 20, high=3.0)
    t = problems.labels(rng, 20, 2).astype(float)
    loss = student.models.SoftsignCrossEntropy
    numeric = gradients.elementwise_numeric(lambda v: loss.value(v, t), z, "SoftsignCrossEntropy.value(z, t)")
    gradients.agrees_with_own_loss(loss.derivatives(z, t), numeric, of="SoftsignCrossEntropy.value",
                                   call="SoftsignCrossEntropy.derivatives(z: (20,), t: (20,))", threshold=1e-5)


@partial_credit(1.0)
@number("3.1")
def test_cost_derivatives_match_finite_differences(student, rng, set_score=None):
    """MultilayerPerceptron.cost_derivatives agrees with finite differences of the cost"""
    M, D, K = 6, 4, 3
    X = rng.normal(size=(M, D))
    t = problems.labels(rng, M, 2).astype(float)
    params = problems.params(rng, {"W1": (K, D), "b1": (K,), "w2": (K,), "b2": ()})
    model = student.models.MultilayerPerceptron(**params)
    act = model.compute_activations(X)
    dLdz = 1 / (1 + np.exp(-values.array(values.entry(act, "z", FORWARD), (M,), FORWARD, "'z'"))) - t
    call = f"cost_derivatives(X: {X.shape}, act, dLdz: {dLdz.shape})"
    got = model.cost_derivatives(X, act, dLdz)

    def cost(act):  # the mean logistic cross-entropy of the network's output
        z = values.array(values.entry(act, "z", FORWARD), (M,), FORWARD, "'z'")
        return np.mean(np.where(t, np.logaddexp(0, -z), np.logaddexp(0, z)))

    def agrees(name):  # the network's parameters are plain attributes (see __init__)
        stage = gradients.set_and_call(model, name, model.compute_activations, X, first=False)
        numeric = gradients.numeric_gradient(student, params[name], stage, FORWARD, read=cost)
        student.set(model, name, params[name])
        gradients.agrees_with_own_loss(values.entry(got, name, call), numeric, name=f"'{name}'", call=call,
                                       of="the mean logistic cross-entropy cost", threshold=1e-5, batch_size=M)
    partial_credit_over([lambda name=name: agrees(name) for name in params], set_score)
