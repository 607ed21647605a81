"""`make bench`'s probe for a2: one training run like check 4.4's, in the sandbox."""


def run(student, data):
    d = data["digits"]
    net = student.mlp.TwoLayerMLP(64, 64, 10, std=0.1)
    net.train(d["X_train"], d["y_train"], d["X_val"], d["y_val"] * 0, num_epochs=20)
