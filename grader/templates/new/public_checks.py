"""Public checks: your gradient against finite differences of your own loss."""
from grader.kit import gradients, number, weight

N, D = 8, 5
REG = 0.1


@weight(1.0)
@number("1.1")
def test_gradient_matches_finite_differences(student, rng):
    """loss: the gradient agrees with finite differences of your loss"""
    X, y, w = rng.normal(size=(N, D)), rng.integers(0, 2, N), rng.normal(size=D)
    call = f"loss(w: {w.shape}, X: {X.shape}, y, reg={REG})"
    _, grad = gradients.loss_and_grads(student.model.loss(w, X, y, reg=REG), call)

    def stage(batch, moved):
        batch.call_first(student.model.loss, moved, X, y, reg=REG)
    numeric = gradients.numeric_gradient(student, w, stage, call)
    gradients.agrees_with_own_loss(grad, numeric, call=call, name="grad")
