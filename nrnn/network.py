"""A multilayer perceptron of sigmoid neurons, trained by backpropagation.

Shapes.  ``Network([784, 30, 10])`` has L = 2 layers of weights.  Layer l
(counting from 0) maps the n_l activations of the layer before it to n_{l+1}
neurons:

    weights[l]  n_{l+1} x n_l matrix (a list of n_{l+1} rows of n_l floats);
                weights[l][j][i] connects input i to neuron j
    biases[l]   n_{l+1} floats (absent altogether in a bias-free network)

Feedforward.  Starting from the input a_0 = x (784 pixels in [0, 1]):

    z_{l+1} = W_l a_l + b_l,        a_{l+1} = sigma(z_{l+1})

and the last activation a_L is the output, one neuron per digit.

Backpropagation.  For a cost C of one sample, the error of a layer is
delta_l = dC/dz_l.  The four equations of backpropagation are

    (BP1)  delta_L     = dC/da_L (*) sigma'(z_L)                (output error;
                         the cost module gives it: a - y for cross-entropy)
    (BP2)  delta_l     = (W_l^T delta_{l+1}) (*) sigma'(z_l)    (error flows back)
    (BP3)  dC/db_l     = delta_{l+1}
    (BP4)  dC/dW_l     = delta_{l+1} a_l^T,  i.e. dC/dW_l[j][i] = delta_{l+1}[j] a_l[i]

where (*) multiplies elementwise and sigma'(z) = a (1 - a).  (This module
numbers weight layers from 0 and activations from 0 = input, so W_l sits
between a_l and a_{l+1}; Nielsen's book numbers from the first hidden layer.)

Gradient descent moves every parameter against its gradient:

    W_l <- W_l - (eta / m) sum_x dC_x/dW_l,    b_l <- b_l - (eta / m) sum_x dC_x/db_l

over a mini-batch of m samples (m = 1: per-sample SGD, the default).
Per-sample SGD is literally a mini-batch of one here: both add
(-eta/m * delta) a^T to the parameters, so the two agree to the last bit.

>>> network = Network([2, 3, 1], seed=1)
>>> network
Network([2, 3, 1], bias=True, cost='cross-entropy')
>>> len(network.weights[0]), len(network.weights[0][0])
(3, 2)
>>> before = network.cost_value([1.0, 0.0], [1.0])
>>> _ = network.train_sample([1.0, 0.0], [1.0], learning_rate=0.5)
>>> network.cost_value([1.0, 0.0], [1.0]) < before
True
"""

import math

from . import matrix
from .cost import COSTS
from .prng import PCG32
from .sigmoid import sigmoid


class Network:
    """A fully connected feedforward network of sigmoid neurons.

    ``sizes``: neurons per layer, input first, e.g. [784, 16, 16, 10].
    ``bias``: False builds a bias-free network: z = W a, with no bias vectors
    at all (not zeros that would still train).
    ``cost``: "cross-entropy" (default; see cost.py for why) or "quadratic".
    ``seed``: seeds our own PCG32, so the same seed gives bit-identical
    initial weights on every supported interpreter.
    """

    def __init__(self, sizes, bias=True, cost="cross-entropy", seed=0):
        sizes = list(sizes)
        if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
            raise ValueError("sizes must list at least two positive layer sizes, got %r" % (sizes,))
        if cost not in COSTS:
            raise ValueError("unknown cost %r; choose from %s" % (cost, ", ".join(sorted(COSTS))))
        self.sizes = sizes
        self.cost = COSTS[cost]
        self.metadata = {}
        self.weights = initial_weights(sizes, PCG32(seed))
        self.biases = [[0.0] * n for n in sizes[1:]] if bias else None

    @classmethod
    def from_parameters(cls, weights: list, biases, cost: str = "cross-entropy") -> "Network":
        """A network with the given (already trained) weights and biases.

        ``weights[l]`` is a list of n_{l+1} rows of n_l floats; ``biases`` is
        a list of vectors, or None for a bias-free network.  The shapes are
        trusted: model_file.py checks them before calling this.
        """
        network = cls.__new__(cls)
        network.sizes = [len(weights[0][0])] + [len(layer) for layer in weights]
        network.cost = COSTS[cost]
        network.metadata = {}
        network.weights = weights
        network.biases = biases
        return network

    @property
    def has_bias(self) -> bool:
        return self.biases is not None

    def __repr__(self):
        return "Network(%r, bias=%r, cost=%r)" % (self.sizes, self.has_bias, self.cost.name)

    def parameter_count(self) -> int:
        """Number of trainable numbers: all weights, plus biases if any."""
        count = sum(len(w) * len(w[0]) for w in self.weights)
        return count + (sum(map(len, self.biases)) if self.has_bias else 0)

    # --- Using the network ------------------------------------------------

    def feedforward(self, x: list) -> list:
        """Return the output activations a_L for input x (n_0 floats)."""
        return self._forward(x)[-1]

    def classify(self, x: list) -> int:
        """The class (digit) whose output neuron is most active."""
        output = self.feedforward(x)
        return output.index(max(output))

    def cost_value(self, x: list, target) -> float:
        """C(x) for one sample; target is a class index or a vector of n_L floats."""
        return self.cost.value(self.feedforward(x), self._target_vector(target))

    # --- Learning ---------------------------------------------------------

    def train_sample(self, x: list, target, learning_rate: float) -> float:
        """One step of per-sample SGD on (x, target); returns the sample's cost.

        The parameters change in place: W_l -= eta delta_{l+1} a_l^T,
        b_l -= eta delta_{l+1}.
        """
        return self._backpropagate(x, target, -learning_rate, self.weights, self.biases)

    def train_batch(self, batch: list, learning_rate: float) -> float:
        """One step of mini-batch SGD on ``batch``, a list of (x, target) pairs.

        Gradients of all m samples are summed (each already scaled by
        -eta/m), then added to the parameters once.  Returns the mean cost.
        """
        scale = -learning_rate / len(batch)
        weight_steps = [matrix.zeros(len(w), len(w[0])) for w in self.weights]
        bias_steps = [[0.0] * len(b) for b in self.biases] if self.has_bias else None
        total = 0.0
        for x, target in batch:
            total += self._backpropagate(x, target, scale, weight_steps, bias_steps)
        for weights, step in zip(self.weights, weight_steps):
            matrix.add_into(weights, step)
        if self.has_bias:
            matrix.add_into(self.biases, bias_steps)
        return total / len(batch)

    def decay_weights(self, factor: float) -> None:
        """Multiply every weight (not the biases) by ``factor``.

        L2 regularization adds (lambda / 2n) sum w^2 to the cost, whose
        gradient step is w <- (1 - eta lambda / n) w: a shrink, applied here.
        """
        for weights in self.weights:
            matrix.scale_matrix(weights, factor)

    def backprop(self, x: list, target) -> tuple:
        """The gradient of C for one sample: (nabla_biases, nabla_weights).

        nabla_weights[l] has the shape of weights[l] and holds dC/dW_l
        (BP4); nabla_biases[l] holds dC/db_l (BP3), or is None when the
        network has no biases.  Used by the gradient check; training uses the
        same code path with the update folded in.
        """
        nabla_weights = [matrix.zeros(len(w), len(w[0])) for w in self.weights]
        nabla_biases = [[0.0] * len(b) for b in self.biases] if self.has_bias else None
        self._backpropagate(x, target, 1.0, nabla_weights, nabla_biases)
        return nabla_biases, nabla_weights

    # --- The machinery ----------------------------------------------------

    def _target_vector(self, target) -> list:
        if isinstance(target, int):
            y = [0.0] * self.sizes[-1]
            y[target] = 1.0
            return y
        return list(target)

    def _forward(self, x: list, inputs=None) -> list:
        """Return the activations [a_0 = x, a_1, ..., a_L].

        The first layer multiplies only the nonzero inputs (see matrix.py).
        """
        indices, values = inputs if inputs is not None else matrix.nonzero(x)
        activations = [x]
        for layer, weights in enumerate(self.weights):
            if layer == 0:
                z = matrix.sparse_matvec(weights, indices, values)
            else:
                z = matrix.matvec(weights, activations[-1])
            if self.biases is not None:
                z = [zj + bj for zj, bj in zip(z, self.biases[layer])]
            activations.append([sigmoid(zj) for zj in z])
        return activations

    def _backpropagate(self, x, target, scale, weight_sinks, bias_sinks) -> float:
        """Add scale * dC/dW_l to weight_sinks[l] (and scale * dC/db_l to
        bias_sinks[l]) for every layer; return the sample's cost.

        With the network's own parameters as sinks and scale = -eta this *is*
        an SGD step.  Each layer's error is carried back (BP2) before that
        layer's weights are touched, so the step uses the weights the forward
        pass used.
        """
        inputs = matrix.nonzero(x)
        activations = self._forward(x, inputs)
        output = activations[-1]
        y = self._target_vector(target)
        delta = self.cost.output_delta(output, y)                        # BP1
        for layer in range(len(self.weights) - 1, -1, -1):
            if layer > 0:
                a = activations[layer]
                back = matrix.transpose_matvec(self.weights[layer], delta)
                previous_delta = [e * aj * (1.0 - aj) for e, aj in zip(back, a)]  # BP2
            coefficients = [scale * d for d in delta]
            if bias_sinks is not None:                                    # BP3
                sink = bias_sinks[layer]
                sink[:] = [s + c for s, c in zip(sink, coefficients)]
            if layer == 0:                                                # BP4
                matrix.sparse_add_outer(weight_sinks[0], coefficients, *inputs)
            else:
                matrix.add_outer(weight_sinks[layer], coefficients, activations[layer])
                delta = previous_delta
        return self.cost.value(output, y)


def initial_weights(sizes: list, rng: PCG32) -> list:
    """Draw every weight from N(0, 1/n_in), n_in = the layer's fan-in.

    Why 1/n_in: z = sum_i w_i a_i adds n_in terms, so with unit-variance
    weights its variance grows with n_in (784 for MNIST): z would be around
    +-28, every sigmoid saturated at 0 or 1 with slope ~0, and learning
    would crawl.  Scaling the standard deviation by 1/sqrt(n_in) keeps z of
    order 1, where the sigmoid is steep.

    Weights are drawn layer by layer, row by row, so a seed fixes them all.
    """
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = 1.0 / math.sqrt(n_in)
        layers.append([[rng.gaussian(0.0, std) for _ in range(n_in)] for _ in range(n_out)])
    return layers
