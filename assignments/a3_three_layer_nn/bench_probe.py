"""`make bench`'s probe for a3: one ConvNet training run like check 7.3's, in the sandbox."""


def run(student, data):
    d = data["digits"]
    net = student.conv_layers.ConvNet(seed=0)
    net.train(d["X_train"], d["y_train"], num_epochs=3, batch_size=20, learning_rate=0.01, seed=0)
