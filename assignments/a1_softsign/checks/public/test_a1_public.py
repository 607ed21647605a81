"""Public checks: your functions against finite differences of your own code.

They need only your models.py, so they run the same on your machine
(`python -m grader check a1_softsign .`) as in the autograder.
"""
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import as_array, check_gradient, entry, partial_credit_over
from grader.gradcheck import H, batched_gradient


FORWARD = "MultilayerPerceptron.compute_activations(X)"


def away_from_zero(rng, size, low=0.2, high=4.0):
    """Inputs with |z| >= low: softsign has a kink at 0."""
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def elementwise_derivative(f, z, call):
    """Finite differences of an elementwise function, all entries at once."""
    plus = as_array(f(z + H), z, "", call)
    minus = as_array(f(z - H), z, "", call)
    return (plus - minus) / (2 * H)


@weight(0.5)
@number("1.1")
def test_softsign_prime_matches_finite_differences(student, rng):
    """softsign_prime agrees with finite differences of softsign"""
    z = away_from_zero(rng, 20)
    numeric = elementwise_derivative(student.models.softsign, z, "softsign(z)")
    check_gradient(student.models.softsign_prime(z), numeric, call="softsign_prime(z: (20,))",
                   of="softsign")


@weight(0.5)
@number("2.1")
def test_softsign_ce_derivatives_match_finite_differences(student, rng):
    """SoftsignCrossEntropy.derivatives agrees with finite differences of its value"""
    z = away_from_zero(rng, 20, high=3.0)
    t = rng.integers(0, 2, 20).astype(float)
    loss = student.models.SoftsignCrossEntropy
    numeric = elementwise_derivative(lambda v: loss.value(v, t), z, "SoftsignCrossEntropy.value(z, t)")
    check_gradient(loss.derivatives(z, t), numeric, call="SoftsignCrossEntropy.derivatives(z: (20,), t: (20,))",
                   of="SoftsignCrossEntropy.value", threshold=1e-5)


@partial_credit(1.0)
@number("3.1")
def test_cost_derivatives_match_finite_differences(student, rng, set_score=None):
    """MultilayerPerceptron.cost_derivatives agrees with finite differences of the cost"""
    M, D, K = 6, 4, 3
    X = rng.normal(size=(M, D))
    t = rng.integers(0, 2, M).astype(float)
    params = {"W1": rng.normal(0, 0.5, (K, D)), "b1": rng.normal(0, 0.5, K),
              "w2": rng.normal(0, 0.5, K), "b2": float(rng.normal(0, 0.5))}
    model = student.models.MultilayerPerceptron(**params)
    act = model.compute_activations(X)
    dLdz = 1 / (1 + np.exp(-as_array(entry(act, "z", FORWARD), t, "'z'", FORWARD))) - t
    call = f"cost_derivatives(X: {X.shape}, act, dLdz: {dLdz.shape})"
    got = model.cost_derivatives(X, act, dLdz)

    def cost(act):
        z = as_array(entry(act, "z", FORWARD), t, "'z'", FORWARD)
        return np.mean(np.where(t, np.logaddexp(0, -z), np.logaddexp(0, z)))

    def agrees(name):
        def stage(batch, moved):  # the network's parameters are plain attributes (see __init__)
            batch.set(model, name, moved if np.ndim(moved) else float(moved))
            batch.call(model.compute_activations, X)
        numeric = batched_gradient(student, params[name], stage, cost)
        student.set(model, name, params[name])
        check_gradient(entry(got, name, call), numeric, name=f"'{name}'", call=call,
                       of="the mean logistic cross-entropy cost", threshold=1e-5)
    partial_credit_over([lambda name=name: agrees(name) for name in params], 1.0, set_score)
