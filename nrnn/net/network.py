"""A multilayer perceptron of sigmoid neurons, trained by backpropagation: the fast one.

This computes exactly what ``reference.py`` (step 0 of the reading order)
computes, in the same notation, with the same four equations, but fast
enough to train on MNIST in pure Python.  Read reference.py first; this file
differs from it in three ways only, each said where it happens:

- sigma'(z^l) is written a^l (1 - a^l), from the activations the forward
  pass already has, instead of calling exp again;
- the first layer works on the nonzero inputs only (about 150 of MNIST's
  784 pixels): a zero input adds nothing to z^1 and its weights get a zero
  gradient;
- the inner loops (W a, W^T delta, W += c a^T) are matrix.py's kernels; their
  docstrings give the equation, so you need not open them to follow along.

Notation (as in reference.py, and Nielsen's book chapter 2, except that the
input is layer 0 here and layer 1 in the book).  Layers l = 0 (input) to L
(output); ``Network([784, 30, 10])`` has L = 2.  Layer l >= 1 has

    W^l = weights[l - 1]   n_l x n_(l-1): n_l rows of n_(l-1) floats;
                           W^l[j][k] connects neuron k of layer l-1 to neuron j
    b^l = biases[l - 1]    n_l floats (no biases at all in a bias-free network)

Feedforward, from a^0 = x (784 pixels in [0, 1]):

    z^l = W^l a^(l-1) + b^l,      a^l = sigma(z^l),      a^L is the output

Backpropagation.  For the cost C of one sample, delta^l = dC/dz^l is the
error of layer l and (*) multiplies elementwise:

    BP1  delta^L = dC/da^L (*) sigma'(z^L)       (cost.py: a - y for cross-entropy)
    BP2  delta^l = ((W^(l+1))^T delta^(l+1)) (*) sigma'(z^l),   sigma'(z^l) = a^l (1 - a^l)
    BP3  dC/db^l = delta^l
    BP4  dC/dW^l = delta^l (a^(l-1))^T,   dC/dW^l[j][k] = delta^l[j] a^(l-1)[k]

``gradient`` computes BP1 and BP2 and returns a ``Gradient``.  BP3 and BP4
need no arithmetic of their own: dC/dW^l is the outer product of two vectors
we already have, so a ``Gradient`` keeps the two factors (delta^l and
a^(l-1)) instead of an n_l x n_(l-1) matrix, and ``apply`` multiplies them
out straight into the weights.

Gradient descent moves every parameter against its gradient:

    W^l <- W^l - (eta / m) sum_x dC_x/dW^l,    b^l <- b^l - (eta / m) sum_x dC_x/db^l

over a mini-batch of m samples (m = 1: per-sample SGD, the default).  The
whole gradient is computed before any parameter moves, so BP2 always uses
the weights the forward pass used.  Per-sample SGD is literally a mini-batch
of one: both add (-eta/m delta^l) (a^(l-1))^T, so they agree to the last bit.

>>> network = Network([2, 3, 1], seed=1)
>>> network
Network([2, 3, 1], bias=True, cost='cross-entropy')
>>> len(network.weights[0]), len(network.weights[0][0])    # W^1 is 3 x 2
(3, 2)
>>> round(network.cost_value([1.0, 0.0], [1.0]), 4)
0.8897
>>> gradient = network.gradient([1.0, 0.0], [1.0])
>>> [round(d, 4) for d in gradient.deltas[2]]             # delta^2 = a^2 - y (BP1)
[-0.5892]
>>> network.apply(gradient, learning_rate=0.5)
>>> round(network.cost_value([1.0, 0.0], [1.0]), 4)       # one step later: lower
0.6173
"""

import math
from typing import Optional

# Absolute imports, so that ``python -m doctest nrnn/net/network.py`` works too.
from nrnn.net import matrix
from nrnn.net.cost import COSTS
from nrnn.net.fit_predict import FitPredictScore, checked_nonzero, target_problem
from nrnn.net.prng import PCG32
from nrnn.net.sigmoid import sigmoid

# Initial weights: N(0, 1/n_in) (the default) or N(0, 1); see initial_weights.
INITS = ("fan-in", "unit")


class Network(FitPredictScore):
    """A fully connected feedforward network of sigmoid neurons.

    ``sizes``: neurons per layer, input first, e.g. [784, 16, 16, 10].
    ``bias``: False builds a bias-free network: z^l = W^l a^(l-1), with no
    bias vectors at all (not zeros that would still train).
    ``cost``: "cross-entropy" (default; see cost.py for why) or "quadratic".
    ``seed``: seeds our own PCG32, so the same seed gives bit-identical
    initial weights on every supported interpreter.
    ``init``: "fan-in" draws W^l from N(0, 1/n_(l-1)) (the default), "unit"
    from N(0, 1) (to see why not: docs/exercises.md).

    fit, predict, predict_proba and score (the calls scikit-learn made
    familiar) come from fit_predict.py, built on the methods below.
    """

    def __init__(self, sizes, bias=True, cost="cross-entropy", seed=0, init="fan-in"):
        sizes = list(sizes)
        if len(sizes) < 2 or any(not isinstance(n, int) or n < 1 for n in sizes):
            raise ValueError("sizes must list at least two positive layer sizes, got %r" % (sizes,))
        if cost not in COSTS:
            raise ValueError("unknown cost %r; choose from %s" % (cost, ", ".join(sorted(COSTS))))
        if init not in INITS:
            raise ValueError("unknown init %r; choose from %s" % (init, ", ".join(INITS)))
        self.sizes = sizes
        self.cost = COSTS[cost]
        self.metadata = {}
        self.weights = initial_weights(sizes, PCG32(seed), init)
        self.biases = [[0.0] * n for n in sizes[1:]] if bias else None

    @classmethod
    def from_parameters(cls, weights: list, biases, cost: str = "cross-entropy") -> "Network":
        """A network with the given (already trained) weights and biases.

        ``weights[l - 1]`` = W^l is a list of n_l rows of n_(l-1) floats;
        ``biases`` a list of vectors b^l, or None for a bias-free network.
        The shapes are trusted: model_file.py checks them before calling this.
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
        return count + (sum(map(len, self.biases)) if self.biases is not None else 0)

    # --- Using the network ------------------------------------------------

    def feedforward(self, x: list) -> list:
        """Return the output activations a^L for input x (n_0 floats)."""
        return self._forward(x)[-1]

    def feedforward_nonzero(self, indices: list, values: list) -> list:
        """a^L for the input x given by its nonzero entries, x[indices[k]] = values[k].

        The very numbers feedforward(x) gives (the first layer only ever
        reads x's nonzero entries), for inputs that come sparse already:
        evaluating compact samples (mnist_csv.nonzero_inputs) skips
        building the 784 floats of x and searching them for nonzeros.
        """
        return self._forward(None, (indices, values))[-1]

    def classify(self, x: list) -> int:
        """The class (digit) whose output neuron is most active."""
        output = self.feedforward(x)
        return output.index(max(output))

    def cost_value(self, x: list, target) -> float:
        """C(x) for one sample; target is a class index or a vector of n_L floats."""
        return self.cost.value(self.feedforward(x), self._target_vector(target))

    # --- Learning ---------------------------------------------------------

    def gradient(self, x: list, target) -> "Gradient":
        """Backpropagation for one sample: the errors delta^l (BP1, BP2), as a ``Gradient``.

        ``x``: n_0 floats; ``target``: a class index or n_L floats.  BP3 and
        BP4 turn the errors into dC/db and dC/dW in ``Gradient.add_to``.
        """
        inputs = checked_nonzero(x, self.sizes[0])
        activations = self._forward(x, inputs)
        L = len(self.sizes) - 1
        y = self._target_vector(target)
        deltas: list = [None] * (L + 1)  # deltas[l] = delta^l; the input has none
        # dC/da^L (*) sigma'(z^L), both factors at once: cost.py's output_delta.
        deltas[L] = self.cost.output_delta(activations[L], y)                           # BP1
        for l in range(L - 1, 0, -1):
            # W^(l+1) = weights[l]; sigma'(z^l) = a^l (1 - a^l) from the forward pass.
            back = matrix.transpose_matvec(self._weights[l], deltas[l + 1])              # (W^(l+1))^T delta^(l+1)
            deltas[l] = [e * a * (1.0 - a) for e, a in zip(back, activations[l])]        # BP2
        return Gradient(deltas, activations, inputs, self.cost.value(activations[L], y))

    def apply(self, gradient: "Gradient", learning_rate: float) -> None:
        """The SGD step for one sample's gradient: p <- p - learning_rate * dC/dp."""
        gradient.add_to(self._training_weights(), self.biases, -learning_rate)

    def train_sample(self, x: list, target, learning_rate: float) -> float:
        """One step of per-sample SGD on (x, target); returns the sample's cost.

        The gradient first, then the step: W^l -= eta dC/dW^l, b^l -= eta dC/db^l.
        """
        gradient = self.gradient(x, target)
        self.apply(gradient, learning_rate)
        return gradient.cost

    def train_batch(self, batch: list, learning_rate: float) -> float:
        """One step of mini-batch SGD on ``batch``, a list of (x, target) pairs.

        Every sample's gradient is taken at the same weights and summed,
        scaled by -eta/m, into step matrices; then the step is added to the
        parameters once.  Returns the mean cost.
        """
        scale = -learning_rate / len(batch)
        weight_steps = [matrix.zeros(len(w), len(w[0])) for w in self.weights]
        bias_steps = [[0.0] * len(b) for b in self.biases] if self.biases is not None else None
        total = 0.0
        for x, target in batch:
            gradient = self.gradient(x, target)
            gradient.add_to(weight_steps, bias_steps, scale)
            total += gradient.cost
        for weights, step in zip(self.weights, weight_steps):
            matrix.add_into(weights, step)
        if self.biases is not None and bias_steps is not None:
            matrix.add_into(self.biases, bias_steps)
        return total / len(batch)

    def decay_weights(self, factor: float) -> None:
        """Multiply every weight (not the biases) by ``factor``.

        L2 regularization adds (lambda / 2n) sum w^2 to the cost, whose
        gradient step is w <- (1 - eta lambda / n) w: a shrink, applied here.
        """
        for weights in self._held_weights():  # entry by entry: rows or columns alike
            matrix.scale_matrix(weights, factor)

    def backprop(self, x: list, target) -> tuple:
        """The gradient of C for one sample as full matrices: (nabla_biases, nabla_weights).

        nabla_weights[l - 1] has the shape of weights[l - 1] and holds
        dC/dW^l (BP4); nabla_biases[l - 1] holds dC/db^l (BP3), or
        nabla_biases is None when the network has no biases.  For checking
        and teaching; training never builds these matrices.
        """
        nabla_weights = [matrix.zeros(len(w), len(w[0])) for w in self.weights]
        nabla_biases = [[0.0] * len(b) for b in self.biases] if self.biases is not None else None
        self.gradient(x, target).add_to(nabla_weights, nabla_biases, 1.0)
        return nabla_biases, nabla_weights

    # --- How W^1 is held (a speed detail: the math never depends on it) ---

    _columns: Optional[matrix.Columns]  # W^1 by columns while training holds it so, else None

    @property
    def weights(self) -> list:
        """[W^1, ..., W^L]: W^l = weights[l - 1] is n_l rows of n_(l-1) floats.

        On CPython, per-sample training holds W^1 by columns instead
        (matrix.BY_COLUMNS says why); reading ``weights`` writes them back
        into W^1's rows first, so what you read is always W as rows.  (A
        row list kept from before training is brought up to date the next
        time ``weights`` is read, not while training runs.)
        """
        if self._columns is not None:
            self._columns.copy_into(self._weights[0])
            self._columns = None
        return self._weights

    @weights.setter
    def weights(self, weights: list) -> None:
        self._weights = weights
        self._columns = None

    def _held_weights(self) -> list:
        """The weights as the kernels take them, W^1 as matrix.Columns if so held."""
        if self._columns is None:
            return self._weights
        return [self._columns] + self._weights[1:]

    def _training_weights(self) -> list:
        """_held_weights, with W^1 turned into columns first where that is faster."""
        if matrix.BY_COLUMNS and self._columns is None:
            self._columns = matrix.Columns.of(self._weights[0])
        return self._held_weights()

    # --- The machinery ----------------------------------------------------

    def _target_vector(self, target) -> list:
        """y for a class index (one-hot: 1.0 at the index) or a vector of n_L floats."""
        classes = self.sizes[-1]
        if isinstance(target, int) and 0 <= target < classes:
            y = [0.0] * classes
            y[target] = 1.0
            return y
        if isinstance(target, (list, tuple)) and len(target) == classes:
            return list(target)
        raise ValueError(target_problem(target, classes))

    def _forward(self, x: Optional[list], inputs=None) -> list:
        """Return the activations [a^0 = x, a^1, ..., a^L].

        ``inputs``: x's nonzero (indices, values), if already known (then
        x may be None: only the first layer reads x, through them).
        """
        # checked_nonzero is matrix.nonzero plus one cheap check of x (its
        # length, one sum): every public method comes through here or gradient.
        indices, values = inputs if inputs is not None else checked_nonzero(x, self.sizes[0])
        activations = [x]
        held = self._held_weights()
        for l in range(1, len(self.sizes)):
            weights = held[l - 1]                                            # W^l
            if l == 1:
                # Only the nonzero pixels: the zeros add nothing to W^1 x.
                z = matrix.sparse_matvec(weights, indices, values)
            else:
                z = matrix.matvec(weights, activations[l - 1])               # W^l a^(l-1)
            if self.biases is not None:
                z = [zj + bj for zj, bj in zip(z, self.biases[l - 1])]       # + b^l
            activations.append([sigmoid(zj) for zj in z])                    # a^l = sigma(z^l)
        return activations


class Gradient:
    """The gradient of one sample's cost, kept as the factors BP3 and BP4 name.

    deltas[l] = delta^l (deltas[0] is None); activations[l] = a^l;
    inputs = the nonzero (indices, values) of a^0 = x; cost = C.
    dC/db^l = delta^l (BP3) and dC/dW^l = delta^l (a^(l-1))^T (BP4).
    """

    __slots__ = ("deltas", "activations", "inputs", "cost")

    def __init__(self, deltas: list, activations: list, inputs: tuple, cost: float):
        self.deltas = deltas
        self.activations = activations
        self.inputs = inputs
        self.cost = cost

    def __repr__(self):
        return "Gradient(layers=%d, cost=%r)" % (len(self.deltas) - 1, self.cost)

    def add_to(self, weight_sinks: list, bias_sinks, scale: float) -> None:
        """Add scale * dC/dW^l to weight_sinks[l - 1] and scale * dC/db^l to
        bias_sinks[l - 1] (unless None), for every layer l.

        With the network's own parameters as sinks and scale = -eta this is
        the SGD step; with zero matrices and scale = 1 it writes the gradient.
        """
        # From the output layer down: BP2 has just read those weights, so they
        # are still in the CPU's cache (measurably faster than starting with
        # the big first layer, which pushes them out).
        for l in range(len(self.deltas) - 1, 0, -1):
            coefficients = [scale * d for d in self.deltas[l]]           # c = scale * delta^l
            if bias_sinks is not None:
                # b^l += scale * dC/db^l, and dC/db^l = delta^l.
                sink = bias_sinks[l - 1]
                sink[:] = [s + c for s, c in zip(sink, coefficients)]                    # BP3
            # W^l += scale * dC/dW^l = c (a^(l-1))^T: entry [j][k] += c[j] a^(l-1)[k].
            if l == 1:
                # x's zero entries get a zero gradient: only the nonzero columns change.
                matrix.sparse_add_outer(weight_sinks[0], coefficients, *self.inputs)     # BP4
            else:
                matrix.add_outer(weight_sinks[l - 1], coefficients, self.activations[l - 1])  # BP4


def initial_weights(sizes: list, rng: PCG32, init: str = "fan-in") -> list:
    """Draw every weight from N(0, 1/n_in), n_in = the layer's fan-in
    (init="fan-in"), or from N(0, 1) (init="unit").

    Why 1/n_in: z = sum_k w_k a_k, and with independent weights of variance
    s^2 its variance is s^2 sum_k a_k^2.  With unit-variance weights and an
    MNIST digit (sum_k a_k^2 is about 85: some 150 inked pixels, most near 1)
    z is spread over about +-9 (it would be +-28 = sqrt(784) if all 784
    pixels were 1): most hidden sigmoids start saturated near 0 or 1, where
    their slope a (1 - a) is nearly 0, and learning crawls.  With variance
    1/784 the same z is spread over about +-0.33, where the sigmoid is
    steep.

    Weights are drawn layer by layer, row by row, so a seed fixes them all.

    >>> [[round(w, 3) for w in row] for row in initial_weights([2, 2], PCG32(0))[0]]
    [[-0.572, 0.039], [-0.527, 0.818]]
    """
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = 1.0 / math.sqrt(n_in) if init == "fan-in" else 1.0
        layers.append([[rng.gaussian(0.0, std) for _ in range(n_in)] for _ in range(n_out)])
    return layers


if __name__ == "__main__":
    import doctest
    doctest.testmod()
