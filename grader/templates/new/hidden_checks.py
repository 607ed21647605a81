"""Hidden checks: your functions against the reference on inputs you have not seen."""
from grader.kit import bugs, check_close, gradients, number, weight

BUGS = bugs.catalogue(__file__)  # this folder's bugs.toml: hints for students, tags for the report
N, D = 9, 4
REG = 0.2


def problem(student, ref, rng):
    X, y, w = rng.normal(size=(N, D)), rng.integers(0, 2, N), rng.normal(size=D)
    call = f"loss(w: {w.shape}, X: {X.shape}, y, reg={REG})"
    return X, y, w, call, gradients.loss_and_grads(student.model.loss(w, X, y, reg=REG), call)


@weight(1.0)
@number("1.2")
def test_loss_matches_reference(student, ref, rng):
    """loss: the value matches the reference"""
    X, y, w, call, (got, _) = problem(student, ref, rng)
    expected, _ = ref.model.loss(w, X, y, reg=REG)
    data_loss, _ = ref.model.loss(w, X, y)
    check_close(got, expected, call=call, name="loss",
                wrong_answers=bugs.loss_variants(data_loss, expected - data_loss, N))


@weight(1.0)
@number("1.3")
def test_gradient_matches_reference(student, ref, rng):
    """loss: the gradient matches the reference"""
    X, y, w, call, (_, grad) = problem(student, ref, rng)
    _, expected = ref.model.loss(w, X, y, reg=REG)
    _, data_part = ref.model.loss(w, X, y)

    def own_numeric():
        def stage(batch, moved):
            batch.call_first(student.model.loss, moved, X, y, reg=REG)
        return gradients.numeric_gradient(student, w, stage, call)
    gradients.matches_reference(grad, expected, call=call, name="grad", own_numeric=own_numeric,
                                wrong_answers=bugs.gradient_variants(data_part, expected - data_part, N))


@weight(1.0)
@number("2.1")
def test_predict_matches_reference(student, ref, data, rng):
    """predict returns the reference's class for every test point"""
    X = data["data"]["X_test"]
    w = rng.normal(size=X.shape[1])
    check_close(student.model.predict(w, X), ref.model.predict(w, X), call=f"predict(w, X_test: {X.shape})",
                name="classes", wrong_answers=[BUGS.PROBABILITIES.given(ref.model.sigmoid(X @ w))])
