"""`make bench`'s probe for a1: one training run like check 5.1's, in the sandbox."""


def run(student, data):
    models, d = student.models, data["data"]
    model = models.MultilayerPerceptron.random_init(d["X_train"].shape[1], 100, 0.1)
    models.train_model(model, models.SoftsignCrossEntropy, d["X_train"], d["t_train_noisy"],
                       d["X_val"], d["X_val"][:, 0] * 0, print_every=10**9)
