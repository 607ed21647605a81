"""Hidden checks: your functions against the reference on inputs you have not seen.

Every check feeds reference intermediates to the function under test, so one
bug upstream costs only the item it is in.
"""
import re

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from grader.compare import as_array, check_close, entry
from grader.failures import CheckFailure

MLP_CALL = "MultilayerPerceptron.cost_derivatives(X: (9, 7), act, dLdz: (9,))"
PRINTED_TOLERANCE = 1e-4  # printed values may be rounded by the student's formatting


@weight(0.5)
@number("1.2")
def test_softsign_prime_matches_reference(student, ref, rng):
    """softsign_prime matches the reference on a 2-D array"""
    z = rng.normal(0, 5, (6, 7))
    softsign = ref.models.softsign
    check_close(student.models.softsign_prime(z), ref.models.softsign_prime(z),
                call="softsign_prime(z: (6, 7))", wrong_answers=[
                    ("returned softsign itself, not its derivative", "function-not-derivative", softsign(z)),
                    ("the square in 1 / (1 + |z|)^2 is missing", "missing-square", 1 / (1 + np.abs(z))),
                    ("|z| was written as z", "missing-abs", 1 / (1 + z) ** 2)])


@weight(1.0)
@number("2.2")
def test_softsign_ce_derivatives_match_reference(student, ref, rng):
    """SoftsignCrossEntropy.derivatives matches the reference"""
    z = rng.normal(0, 2, 50)
    t = rng.integers(0, 2, 50).astype(float)
    s = ref.models.softsign(z)
    y = (s + 1) / 2
    dLdy = -t / y + (1 - t) / (1 - y)
    check_close(student.models.SoftsignCrossEntropy.derivatives(z, t),
                ref.models.SoftsignCrossEntropy.derivatives(z, t),
                call="SoftsignCrossEntropy.derivatives(z: (50,), t: (50,))", wrong_answers=[
                    ("the factor dy/ds = 1/2 is missing", "missing-chain-factor", dLdy * ref.models.softsign_prime(z)),
                    ("softsign is used where its derivative belongs", "function-not-derivative", dLdy * 0.5 * s),
                    ("the softsign derivative ds/dz is missing", "missing-activation-derivative", dLdy * 0.5),
                    ("y - t was used, as for the logistic loss", "wrong-loss-derivative", y - t)])


def mlp_problem(ref, rng):
    """A small random MLP (K=5 hidden, D=7 inputs, M=9 examples: no two sizes equal)."""
    M, D, K = 9, 7, 5
    params = {"W1": rng.normal(0, 0.5, (K, D)), "b1": rng.normal(0, 0.5, K),
              "w2": rng.normal(0, 0.5, K), "b2": float(rng.normal(0, 0.5))}
    X = rng.normal(size=(M, D))
    model = ref.models.MultilayerPerceptron(**params)
    act = model.compute_activations(X)
    dLdz = rng.normal(size=M)
    return params, X, act, dLdz, model.cost_derivatives(X, act, dLdz)


def backprop_bugs(ref, params, X, act, dLdz):
    """What W1 and b1 come out as under the common hidden-layer bugs."""
    dLdH = np.outer(dLdz, params["w2"])
    bugs = {"W1": [], "b1": []}
    for text, tag, dHdR in [
            ("the softsign derivative is missing", "missing-activation-derivative", 1.0),
            ("softsign is used where its derivative belongs", "function-not-derivative",
             ref.models.softsign(act["R"]))]:
        dLdR = dLdH * dHdR
        bugs["W1"].append((text, tag, dLdR.T @ X / len(X)))
        bugs["b1"].append((text, tag, dLdR.mean(axis=0)))
    return bugs


def check_parameter(student, ref, rng, name):
    params, X, act, dLdz, expected = mlp_problem(ref, rng)
    model = student.models.MultilayerPerceptron(**params)
    got = model.cost_derivatives(X, act, dLdz)
    check_close(entry(got, name, MLP_CALL), expected[name], call=MLP_CALL, name=f"'{name}'",
                batch_size=len(X), wrong_answers=backprop_bugs(ref, params, X, act, dLdz).get(name, ()))


@weight(1.0)
@number("3.2")
def test_cost_derivatives_W1_matches_reference(student, ref, rng):
    """cost_derivatives: 'W1' matches the reference"""
    check_parameter(student, ref, rng, "W1")


@weight(1.0)
@number("3.3")
def test_cost_derivatives_b1_matches_reference(student, ref, rng):
    """cost_derivatives: 'b1' matches the reference"""
    check_parameter(student, ref, rng, "b1")


@weight(1.0)
@number("3.4")
def test_cost_derivatives_w2_matches_reference(student, ref, rng):
    """cost_derivatives: 'w2' matches the reference"""
    check_parameter(student, ref, rng, "w2")


@weight(1.0)
@number("3.5")
def test_cost_derivatives_b2_matches_reference(student, ref, rng):
    """cost_derivatives: 'b2' matches the reference"""
    check_parameter(student, ref, rng, "b2")


NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"


def printed_label(param, idx):
    label = "dEd" + param
    return label + ("[" + ", ".join(map(str, idx)) + "]" if idx else "")


def find_printed(text, param, idx):
    """The number printed after `dEdW1[11, 27] =` (spacing and '=' optional), or None."""
    pattern = re.escape("dEd" + param) + (r"\s*\[\s*" + r"\s*,\s*".join(map(str, idx)) + r"\s*\]" if idx else r"(?![\[\w])")
    match = re.search(pattern + r"\s*[=:]?\s*" + NUMBER, text)
    return float(match.group(1)) if match else None


def find_dLdz(text):
    match = re.search(r"dLdz\s*[=:]?\s*\[([^\]]*)\]", text)
    return np.array([float(v) for v in re.findall(NUMBER, match.group(1))]) if match else None


@partial_credit(1.5)
@number("4.1")
def test_print_derivatives_output(student, ref, data, set_score=None):
    """print_derivatives prints the marked values (checked entry by entry)"""
    student.models.print_derivatives()
    text = student.stdout
    z = np.array([0.375, -1.223, 2.511, -0.952])
    t = np.array([0., 0., 1., 1.])
    X = data["data"]["X_train"][:100]
    tt = data["data"]["t_train_noisy"][:100]
    trained = data["trained_model"]
    model = ref.models.MultilayerPerceptron(trained["W1"], trained["b1"], trained["w2"], float(trained["b2"]))
    act = model.compute_activations(X)
    derivs = model.cost_derivatives(X, act, ref.models.LogisticCrossEntropy.derivatives(act["z"], tt))

    wrong = []
    printed = find_dLdz(text)
    expected = ref.models.SoftsignCrossEntropy.derivatives(z, t)
    if printed is None or printed.shape != expected.shape or not np.allclose(printed, expected, rtol=PRINTED_TOLERANCE):
        wrong.append("dLdz" + (" was not found in the output" if printed is None else " is wrong"))
    for param, idx in ref.models.PRINTED_ENTRIES:
        label = printed_label(param, idx)
        value = find_printed(text, param, idx)
        want = float(np.asarray(derivs[param])[idx])
        if value is None:
            wrong.append(f"{label} was not found in the output")
        elif not np.isclose(value, want, rtol=PRINTED_TOLERANCE, atol=1e-10):
            sign = " (sign flipped?)" if np.isclose(value, -want, rtol=PRINTED_TOLERANCE) else ""
            wrong.append(f"{label} is wrong{sign}")
    total = 1 + len(ref.models.PRINTED_ENTRIES)
    set_score(1.5 * (total - len(wrong)) / total)
    if wrong:
        raise CheckFailure(f"{total - len(wrong)} of {total} printed entries are right; "
                           + "; ".join(wrong) + ".", ["printed-derivatives"])


@weight(1.0)
@number("5.1")
def test_training_softsign_ce_noisy_labels(student, data, assignment):
    """Training with softsign_ce on noisy labels classifies held-out digits well"""
    d = data["data"]
    models = student.models
    run = assignment.run("noisy_labels")
    student.seed(run.seed)
    student.time_limit(run.timeout)
    model = models.MultilayerPerceptron.random_init(d["X_train"].shape[1], 100, 0.1)
    # The child never sees validation or test labels: zeros stand in for t_val.
    models.train_model(model, models.SoftsignCrossEntropy, d["X_train"], d["t_train_noisy"],
                       d["X_val"], np.zeros(len(d["X_val"])), print_every=10**9)
    call = "compute_activations(X_test) after train_model"
    z = as_array(entry(model.compute_activations(d["X_test"]), "z", call), d["t_test"], "'z'", call)
    error = float(np.mean((z > 0) != d["t_test"]))
    limit = run.max_error
    if error > limit:
        raise CheckFailure(f"After train_model(MultilayerPerceptron, SoftsignCrossEntropy, noisy labels, "
                           f"1000 epochs, seed 0), {error:.1%} of {len(z)} held-out digits are misclassified; "
                           f"at most {limit:.0%} is needed.", ["training"])
