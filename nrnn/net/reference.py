"""Step 0 of the reading order: a neural network exactly as the equations write it.

This is the plainest network in nrnn: nested loops and list comprehensions,
no kernels, no tricks.  It is slow (use ``network.Network`` to train on
MNIST) but every line is one line of the math, and the tests check that the
fast ``Network`` computes exactly what this class computes (the same weights
to ~1e-12 after 100 SGD steps), so once you understand this file you know
what the fast one does.

Notation (Nielsen's, "Neural Networks and Deep Learning", chapter 2, except
that the input layer is layer 0 here; it is layer 1 in the book).  A network
of sizes [n_0, n_1, ..., n_L] has layers l = 0 (the input) to L (the output).
Layer l >= 1 has a weight matrix W^l (n_l rows of n_{l-1} floats: W^l[j][k]
connects neuron k of layer l-1 to neuron j of layer l) and a bias vector
b^l (n_l floats).  In Python, ``weights[l - 1]`` is W^l and ``biases[l - 1]``
is b^l: the lists have no entry for the input layer.

Feedforward, from a^0 = x:

    z^l = W^l a^(l-1) + b^l        the weighted input of layer l
    a^l = sigma(z^l)               its activation; a^L is the output

Backpropagation.  C is the cost of one sample, delta^l = dC/dz^l the error
of layer l, (*) the elementwise product:

    BP1  delta^L = dC/da^L (*) sigma'(z^L)                  the output error
    BP2  delta^l = ((W^(l+1))^T delta^(l+1)) (*) sigma'(z^l) the error handed back
    BP3  dC/db^l = delta^l
    BP4  dC/dW^l = delta^l (a^(l-1))^T,   dC/dW^l[j][k] = delta^l[j] a^(l-1)[k]

Stochastic gradient descent then moves every parameter a step against its
gradient, averaged over a mini-batch of m samples (m = 1: per-sample SGD):

    W^l <- W^l - (eta / m) sum dC/dW^l,      b^l <- b^l - (eta / m) sum dC/db^l

Two costs (cost.py explains them):

    quadratic       C = 1/2 sum_j (a_j - y_j)^2                  dC/da_j = a_j - y_j
    cross-entropy   C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]
                                                    dC/da_j = (a_j - y_j) / (a_j (1 - a_j))

A network [2, 2, 1] with hand-picked weights, and one step of SGD:

>>> net = ReferenceNetwork([2, 2, 1], weights=[[[0.5, -1.0], [1.0, 0.5]], [[1.0, -1.0]]],
...                        biases=[[0.0, 0.0], [0.0]], cost="quadratic")
>>> zs, activations = net.forward([1.0, 0.5])
>>> zs[1]                                   # z^1 = W^1 x + b^1
[0.0, 1.25]
>>> [round(a, 4) for a in activations[1]]   # a^1 = sigma(z^1)
[0.5, 0.7773]
>>> [round(d, 4) for d in net.errors([1.0, 0.5], [1.0])[2]]   # delta^2 (BP1)
[-0.1395]
>>> nabla_b, nabla_w = net.backprop([1.0, 0.5], [1.0])
>>> [round(g, 4) for g in nabla_w[0][0]]    # dC/dW^1, row 0 = delta^1[0] x^T (BP4)
[-0.0349, -0.0174]
>>> net.train_sample([1.0, 0.5], [1.0], learning_rate=1.0)
>>> round(net.weights[0][0][0], 4)          # 0.5 - 1.0 * (-0.0349)
0.5349
"""

import math
from collections.abc import Sequence
from typing import Optional

from nrnn.net.prng import PCG32
from nrnn.net.sigmoid import sigmoid, sigmoid_prime

COSTS = ("cross-entropy", "quadratic")


class ReferenceNetwork:
    """A fully connected network of sigmoid neurons, written as the math.

    ``sizes``: neurons per layer, input first, e.g. [2, 3, 1].
    ``bias``: False for a bias-free network, z^l = W^l a^(l-1).
    ``cost``: "cross-entropy" or "quadratic".
    ``seed``: initial weights from N(0, 1/n_(l-1)), drawn from PCG32(seed)
    in the same order as ``Network`` draws them, so both start equal.
    ``weights``, ``biases``: give the parameters instead (lists as above,
    ``biases`` None for a bias-free network); they are copied.
    """

    def __init__(self, sizes: Sequence[int], bias: bool = True, cost: str = "cross-entropy", seed: int = 0,
                 weights: Optional[list] = None, biases: Optional[list] = None):
        if cost not in COSTS:
            raise ValueError("unknown cost %r; choose from %s" % (cost, ", ".join(COSTS)))
        self.sizes = list(sizes)
        self.cost = cost
        if weights is None:
            rng = PCG32(seed)
            # Row by row, layer by layer: the order Network draws them in.
            weights = [[[rng.gaussian(0.0, 1.0 / math.sqrt(n_in)) for k in range(n_in)]
                        for j in range(n_out)]
                       for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
            biases = [[0.0] * n for n in self.sizes[1:]] if bias else None
        self.weights = [[list(row) for row in w] for w in weights]
        self.biases = [list(b) for b in biases] if biases is not None else None

    def __repr__(self):
        return "ReferenceNetwork(%r, bias=%r, cost=%r)" % (self.sizes, self.biases is not None, self.cost)

    # --- Feedforward ------------------------------------------------------

    def forward(self, x: list) -> tuple:
        """Return (zs, activations): zs[l] = z^l (zs[0] is None), activations[l] = a^l.

        activations[0] is the input x itself; activations[L] is the output.
        """
        zs: list = [None]
        activations = [x]
        for l in range(1, len(self.sizes)):
            W, a = self.weights[l - 1], activations[l - 1]
            z = [sum(W[j][k] * a[k] for k in range(len(a))) for j in range(len(W))]
            if self.biases is not None:
                z = [z[j] + self.biases[l - 1][j] for j in range(len(z))]
            zs.append(z)
            activations.append([sigmoid(zj) for zj in z])
        return zs, activations

    def feedforward(self, x: list) -> list:
        """The output a^L for the input x."""
        return self.forward(x)[1][-1]

    def cost_value(self, x: list, y: list) -> float:
        """C for one sample: x the input, y the target (n_L floats)."""
        a = self.feedforward(x)
        if self.cost == "quadratic":
            return 0.5 * sum((a[j] - y[j]) ** 2 for j in range(len(a)))
        return -sum(y[j] * math.log(a[j]) + (1 - y[j]) * math.log(1 - a[j]) for j in range(len(a)))

    # --- Backpropagation --------------------------------------------------

    def errors(self, x: list, y: list) -> list:
        """The errors of every layer for one sample: deltas[l] = delta^l = dC/dz^l.

        deltas[0] is None (the input has no weighted input).
        """
        zs, activations = self.forward(x)
        L = len(self.sizes) - 1
        a = activations[L]
        deltas: list = [None] * (L + 1)
        if self.cost == "quadratic":
            deltas[L] = [(a[j] - y[j]) * sigmoid_prime(zs[L][j]) for j in range(len(a))]  # BP1
        else:
            # dC/da_j = (a_j - y_j) / (a_j (1 - a_j)) and sigma'(z_j) = a_j (1 - a_j):
            # the two cancel, leaving a_j - y_j (and no division by a saturated 0).
            deltas[L] = [a[j] - y[j] for j in range(len(a))]                               # BP1
        for l in range(L - 1, 0, -1):
            W = self.weights[l]  # W^(l+1): it feeds layer l+1 from layer l
            deltas[l] = [sum(W[j][k] * deltas[l + 1][j] for j in range(len(W)))
                         * sigmoid_prime(zs[l][k]) for k in range(len(zs[l]))]              # BP2
        return deltas

    def backprop(self, x: list, y: list) -> tuple:
        """The gradient of C for one sample: (nabla_b, nabla_w).

        nabla_w[l - 1] = dC/dW^l, the shape of weights[l - 1];
        nabla_b[l - 1] = dC/db^l, or nabla_b is None for a bias-free network.
        """
        deltas = self.errors(x, y)
        activations = self.forward(x)[1]
        nabla_b: list = []  # stays empty for a bias-free network
        nabla_w = []
        for l in range(1, len(self.sizes)):
            if self.biases is not None:
                nabla_b.append(list(deltas[l]))                                             # BP3
            nabla_w.append([[deltas[l][j] * activations[l - 1][k] for k in range(self.sizes[l - 1])]
                            for j in range(self.sizes[l])])                                 # BP4
        return (nabla_b if self.biases is not None else None), nabla_w

    # --- Gradient descent -------------------------------------------------

    def update(self, nabla_b: Optional[list], nabla_w: list, learning_rate: float) -> None:
        """Take one step against the gradient: p <- p - learning_rate * dC/dp."""
        for l in range(len(self.weights)):
            W = self.weights[l]
            for j in range(len(W)):
                for k in range(len(W[j])):
                    W[j][k] -= learning_rate * nabla_w[l][j][k]
                if self.biases is not None and nabla_b is not None:
                    self.biases[l][j] -= learning_rate * nabla_b[l][j]

    def train_sample(self, x: list, y: list, learning_rate: float) -> None:
        """Per-sample SGD: the whole gradient first, then one step."""
        nabla_b, nabla_w = self.backprop(x, y)
        self.update(nabla_b, nabla_w, learning_rate)

    def train_batch(self, batch: list, learning_rate: float) -> None:
        """Mini-batch SGD on ``batch``, a list of (x, y): a step against the mean gradient."""
        m = len(batch)
        total_b, total_w = self.backprop(*batch[0])
        for x, y in batch[1:]:
            nabla_b, nabla_w = self.backprop(x, y)
            total_w = [[[t + g for t, g in zip(t_row, g_row)] for t_row, g_row in zip(t_w, g_w)]
                       for t_w, g_w in zip(total_w, nabla_w)]
            if total_b is not None:
                total_b = [[t + g for t, g in zip(t_b, g_b)] for t_b, g_b in zip(total_b, nabla_b)]
        self.update(total_b, total_w, learning_rate / m)


def one_hot(label: int, size: int = 10) -> list:
    """The target vector y for a class label: 1.0 at ``label``, 0.0 elsewhere.

    >>> one_hot(3, 5)
    [0.0, 0.0, 0.0, 1.0, 0.0]
    """
    return [1.0 if j == label else 0.0 for j in range(size)]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
