"""The naive reference: a textbook network written with nested index loops.

This is how a first neural network is usually written: dense lists, three
nested ``for`` loops, no tricks.  It computes the same mathematics as
nrnn.network (sigmoid neurons, cross-entropy or quadratic cost, per-sample
SGD, N(0, 1/fan_in) initial weights from the same PCG32 stream) and exists
only as the yardstick that bench_network.py measures nrnn against.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nrnn.network import initial_weights  # noqa: E402
from nrnn.prng import PCG32  # noqa: E402


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class NaiveNetwork:
    def __init__(self, sizes, seed=0):
        self.sizes = sizes
        self.weights = initial_weights(sizes, PCG32(seed))
        self.biases = [[0.0] * n for n in sizes[1:]]

    def forward(self, x):
        activations = [x]
        for layer in range(len(self.weights)):
            w, b, a = self.weights[layer], self.biases[layer], activations[-1]
            out = []
            for j in range(len(w)):
                z = b[j]
                for i in range(len(a)):
                    z += w[j][i] * a[i]
                out.append(sigmoid(z))
            activations.append(out)
        return activations

    def feedforward(self, x):
        return self.forward(x)[-1]

    def train_sample(self, x, label, learning_rate):
        activations = self.forward(x)
        output = activations[-1]
        delta = [output[j] - (1.0 if j == label else 0.0) for j in range(len(output))]
        for layer in range(len(self.weights) - 1, -1, -1):
            w, b, a = self.weights[layer], self.biases[layer], activations[layer]
            previous = []
            if layer > 0:
                for i in range(len(a)):
                    e = 0.0
                    for j in range(len(w)):
                        e += w[j][i] * delta[j]
                    previous.append(e * a[i] * (1.0 - a[i]))
            for j in range(len(w)):
                b[j] -= learning_rate * delta[j]
                for i in range(len(a)):
                    w[j][i] -= learning_rate * delta[j] * a[i]
            delta = previous
