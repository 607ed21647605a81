"""Hidden checks: your functions against the reference on inputs you have not seen.

Every check feeds reference intermediates to the function under test, so one
bug upstream costs only the item it is in.
"""
import numpy as np

from grader.kit import bugs, cases, check_close, number, partial_credit, printed, problems, training, values, weight

MLP_CALL = "MultilayerPerceptron.cost_derivatives(X: (9, 7), act, dLdz: (9,))"
PRINTED_TOLERANCE = 1e-4  # printed values may be rounded by the student's formatting
BUGS = bugs.catalogue(__file__)


@weight(0.5)
@number("1.2")
def test_softsign_prime_matches_reference(student, ref, rng):
    """softsign_prime matches the reference on a 2-D array"""
    z = rng.normal(0, 5, (6, 7))
    check_close(student.models.softsign_prime(z), ref.models.softsign_prime(z),
                call="softsign_prime(z: (6, 7))", wrong_answers=[
                    BUGS.SOFTSIGN_ITSELF.given(ref.models.softsign(z)),
                    BUGS.NO_SQUARE.given(1 / (1 + np.abs(z))), BUGS.NO_ABS.given(1 / (1 + z) ** 2)])


@weight(1.0)
@number("2.2")
def test_softsign_ce_derivatives_match_reference(student, ref, rng):
    """SoftsignCrossEntropy.derivatives matches the reference"""
    z = rng.normal(0, 2, 50)
    t = problems.labels(rng, 50, 2).astype(float)
    s = ref.models.softsign(z)
    y = (s + 1) / 2
    dLdy = -t / y + (1 - t) / (1 - y)
    check_close(student.models.SoftsignCrossEntropy.derivatives(z, t),
                ref.models.SoftsignCrossEntropy.derivatives(z, t),
                call="SoftsignCrossEntropy.derivatives(z: (50,), t: (50,))", wrong_answers=[
                    BUGS.NO_HALF.given(dLdy * ref.models.softsign_prime(z)),
                    BUGS.SOFTSIGN_AS_DERIVATIVE.given(dLdy * 0.5 * s),
                    BUGS.NO_SOFTSIGN_DERIVATIVE.given(dLdy * 0.5), BUGS.LOGISTIC_DERIVATIVE.given(y - t)])


@weight(1.0)
@cases("name", {"3.2": "W1", "3.3": "b1", "3.4": "w2", "3.5": "b2"},
       title="cost_derivatives: '{name}' matches the reference")
def test_cost_derivatives_match_reference(student, ref, rng, name):
    """Each parameter's gradient is its own item, on a small random MLP (K=5 hidden, D=7 inputs, M=9 examples)."""
    M, D, K = 9, 7, 5
    params = problems.params(rng, {"W1": (K, D), "b1": (K,), "w2": (K,), "b2": ()})
    X = rng.normal(size=(M, D))
    model = ref.models.MultilayerPerceptron(**params)
    act = model.compute_activations(X)
    dLdz = rng.normal(size=M)

    def backward(dHdR):  # the hidden layer's gradients with a chosen softsign derivative
        dLdR = np.outer(dLdz, params["w2"]) * dHdR
        return {"W1": dLdR.T @ X / M, "b1": dLdR.mean(axis=0)}
    slips = bugs.activation_variants(backward, act["R"], ref.models.softsign,
                                     missing=BUGS.NO_SOFTSIGN_DERIVATIVE, as_function=BUGS.SOFTSIGN_AS_DERIVATIVE)
    got = student.models.MultilayerPerceptron(**params).cost_derivatives(X, act, dLdz)
    check_close(values.entry(got, name, MLP_CALL), model.cost_derivatives(X, act, dLdz)[name], call=MLP_CALL,
                name=f"'{name}'", batch_size=M, wrong_answers=slips.get(name, ()))


def printed_verdict(found, label, want):
    """'' if `found[label]` is `want` (within the printing tolerance), else what is wrong."""
    value = found.get(label)
    if value is None:
        return f"{label} was not found in the output"
    value, want = np.asarray(value, dtype=np.float64), np.asarray(want, dtype=np.float64).reshape(-1)
    if value.shape != want.shape or not np.allclose(value, want, rtol=PRINTED_TOLERANCE, atol=1e-10):
        flipped = value.shape == want.shape and np.allclose(value, -want, rtol=PRINTED_TOLERANCE)
        return f"{label} is wrong" + (" (sign flipped?)" if flipped else "")
    return ""


@partial_credit(1.5)
@number("4.1")
def test_print_derivatives_output(student, ref, data, set_score=None):
    """print_derivatives prints the marked values (checked entry by entry)"""
    student.models.print_derivatives()
    found = printed.labelled_values(student.stdout)
    X, t = data["data"]["X_train"][:100], data["data"]["t_train_noisy"][:100]
    trained = data["trained_model"]
    model = ref.models.MultilayerPerceptron(trained["W1"], trained["b1"], trained["w2"], float(trained["b2"]))
    act = model.compute_activations(X)
    derivs = model.cost_derivatives(X, act, ref.models.LogisticCrossEntropy.derivatives(act["z"], t))
    z, t_printed = np.array([0.375, -1.223, 2.511, -0.952]), np.array([0., 0., 1., 1.])
    wanted = [("dLdz", ref.models.SoftsignCrossEntropy.derivatives(z, t_printed))]
    wanted += [(printed.label("dEd" + param, idx), np.asarray(derivs[param])[idx])
               for param, idx in ref.models.PRINTED_ENTRIES]
    wrong = [text for text in (printed_verdict(found, label, want) for label, want in wanted) if text]
    set_score(set_score.points * (len(wanted) - len(wrong)) / len(wanted))
    if wrong:
        raise BUGS.PRINTED_WRONG.failure(f"{len(wanted) - len(wrong)} of {len(wanted)} printed entries are "
                                         "right; " + "; ".join(wrong) + ".")


@training.graded_run("5.1", "noisy_labels", 1.0)
def test_training_softsign_ce_noisy_labels(code, data, run, seed):
    """Training with softsign_ce on noisy labels learns the digits, exactly as the reference does

    After train_model(MultilayerPerceptron with {hidden_size} hidden units, SoftsignCrossEntropy,
    noisy labels, {epochs} epochs of batches of {batch_size} at learning rate {learning_rate:g}, weight
    decay {reg:g}, seed {seed}), the network
    """
    d = data["data"]
    models = code.models
    code.seed(seed)
    size = (d["X_train"].shape[1], run.hidden_size, 0.1)
    model = values.handle(models.MultilayerPerceptron.random_init(*size),
                          f"MultilayerPerceptron.random_init{size}", "a MultilayerPerceptron")
    _, losses = training.printed_losses(code, lambda: models.train_model(
        model, models.SoftsignCrossEntropy, d["X_train"], d["t_train_noisy"], d["X_val"],
        training.hidden_labels(d["t_val"]), num_epochs=run.epochs, learning_rate=run.learning_rate,
        batch_size=run.batch_size, weight_decay=run.reg, print_every=max(1, run.epochs // 50)))
    call = "compute_activations(X_test) after train_model"
    t = d["t_test"]
    z = values.array(values.entry(model.compute_activations(d["X_test"]), "z", call), t.shape, call, "'z'")
    y = 0.5 * (z / (1 + np.abs(z)) + 1)   # the softsign output, as in SoftsignCrossEntropy
    with np.errstate(divide="ignore"):   # a saturated wrong answer costs an infinite loss
        loss = np.mean(np.where(t == 1, -np.log(y), -np.log(1 - y)))
    return {"loss": float(loss), "error": float(np.mean((z > 0) != t)), "outputs": z, "history": np.array(losses),
            "history_unit": f"{max(1, run.epochs // 50)} epochs"}

