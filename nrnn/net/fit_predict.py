"""fit, predict, score: the network behind the interface scikit-learn made familiar.

network.py is the math: ``train_sample`` takes one SGD step, ``classify``
answers for one input.  This module wraps them in the calls people already
know, so that training a network is one line::

    network = Network([784, 30, 10])
    network.fit(train, epochs=3, batch_size=10, learning_rate=0.5, test=test)
    network.predict(pixels)          # -> 7
    network.score(test)              # -> 0.9468

``fit`` is Nielsen's ``SGD`` in spirit (his book, chapter 1): every epoch,
shuffle the training samples, cut them into mini-batches of ``batch_size``,
take one gradient step per mini-batch, then measure the test accuracy.
Unlike his, it prints nothing: it returns one ``Epoch`` a pass (and hands
each to ``progress`` as it ends, if you give one).

A *sample* is always a ``(pixels, label)`` pair, here, in network.py and
all through nrnn: ``pixels`` is the input vector (784 floats in [0, 1] for
an MNIST digit), ``label`` the digit as an ``int`` 0..9.  The CSV file
stores the label first, but ``mnist_csv.read_samples`` already yields
``(pixels, label)``: ``network.fit(list(read_samples(path)))`` works as it is.

Bad input is refused with one line that says what is wrong, as a
``ValueError`` (a programming mistake, not a bad file: nrnn's own
``NrnnError`` is for files and user input):

>>> from nrnn.net.network import Network
>>> network = Network([4, 3, 2], seed=1)
>>> network.predict([0.0, 1.0, 1.0])
Traceback (most recent call last):
ValueError: pixels has 3 values, but the network's input layer has 4 neurons
>>> network.score([([0.0, 1.0, 1.0, 0.0], 2)])
Traceback (most recent call last):
ValueError: samples[0]: label 2 is outside 0..1 (the network has 2 outputs)

The checks cost next to nothing: network.py checks (``checked_nonzero``)
the length of every input and that the sum of its values is finite (a NaN or an infinity
anywhere makes the sum NaN or infinite, a string makes it fail), and only
when that fails does ``pixels_problem`` look at each value to name the bad
one.  (The sum is over the nonzero inputs network.py picks out anyway, so a
value that is false, such as None, counts as a zero.)

``predict_proba`` gives the scores of the ten digits as *shares* that sum to
1: the sigmoid outputs divided by their sum.  They rank the digits as the
outputs do, but they are not calibrated probabilities (see nrnn/recognition.py):

>>> proba = network.predict_proba([1.0, 0.0, 0.0, 1.0])
>>> [round(share, 3) for share in proba], round(sum(proba), 12)
([0.576, 0.424], 1.0)
>>> network.predict([1.0, 0.0, 0.0, 1.0])
0
"""

import math
import numbers
from collections.abc import Sequence
from typing import Callable, NamedTuple, Optional

from nrnn.net import matrix
from nrnn.net.prng import PCG32

#: One labelled sample: the input vector and its class (digit).
Sample = tuple[Sequence[float], int]


class Epoch(NamedTuple):
    """What one pass over the training samples did.

    epoch:         1 for the first pass
    epochs:        how many passes ``fit`` makes in all
    loss:          the mean training cost of the pass's samples, each taken
                   just before its own step (so it lags the network a little)
    test_accuracy: the fraction of ``test`` classified right after the
                   pass, or None without ``test``
    """

    epoch: int
    epochs: int
    loss: float
    test_accuracy: Optional[float]


class FitPredictScore:
    """fit / predict / predict_proba / score for ``Network`` (a mixin: it
    adds methods and no state; every method calls network.py's own)."""

    # What it calls, all defined by the class it is mixed into (Network).
    sizes: list[int]
    feedforward: Callable[..., list[float]]
    classify: Callable[..., int]
    train_sample: Callable[..., float]
    train_batch: Callable[..., float]

    def fit(self, samples: Sequence[Sample], epochs: int = 1, batch_size: int = 1,
            learning_rate: float = 0.1, test: Optional[Sequence[Sample]] = None,
            progress: Optional[Callable[[Epoch], None]] = None, seed: int = 0) -> list[Epoch]:
        """Train by stochastic gradient descent: ``epochs`` passes over ``samples``.

        ``samples``: (pixels, label) pairs, all checked before training
        starts.  Each pass shuffles them (with ``seed``: the same call gives
        the same network), then takes one step per mini-batch of
        ``batch_size`` samples: W <- W - (eta / m) sum_x dC_x/dW with
        eta = ``learning_rate``, m = ``batch_size`` (1: per-sample SGD).
        After each pass, ``score(test)`` if ``test`` is given, and
        ``progress(epoch)`` if given.  Returns the ``Epoch`` of every pass.
        """
        samples = check_samples(samples, self.sizes, "samples")
        if test is not None:
            test = check_samples(test, self.sizes, "test")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError("epochs must be a whole number >= 1, got %r" % (epochs,))
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError("batch_size must be a whole number >= 1, got %r" % (batch_size,))
        if not isinstance(learning_rate, (int, float)) or not 0.0 < learning_rate < math.inf:
            raise ValueError("learning_rate must be a finite number > 0, got %r" % (learning_rate,))
        rng = PCG32(seed)
        history = []
        for epoch in range(1, epochs + 1):
            rng.shuffle(samples)
            loss_total = 0.0
            for start in range(0, len(samples), batch_size):
                if batch_size == 1:
                    pixels, label = samples[start]
                    loss_total += self.train_sample(pixels, label, learning_rate)
                else:
                    batch = samples[start:start + batch_size]
                    loss_total += self.train_batch(batch, learning_rate) * len(batch)
            accuracy = self._accuracy(test) if test is not None else None
            history.append(Epoch(epoch, epochs, loss_total / len(samples), accuracy))
            if progress is not None:
                progress(history[-1])
        return history

    def predict(self, pixels: Sequence[float]) -> int:
        """The class (digit) for one input: the most active output neuron."""
        return self.classify(pixels)

    def predict_proba(self, pixels: Sequence[float]) -> list[float]:
        """The output activations as shares summing to 1: a_k / sum_j a_j.

        Named after scikit-learn's method, but these are normalised sigmoid
        outputs, not calibrated probabilities: they rank the classes, and
        0.9 does not mean "right nine times in ten".
        """
        return shares(self.feedforward(pixels))

    def score(self, samples: Sequence[Sample]) -> float:
        """The fraction of ``samples`` ((pixels, label) pairs) classified right."""
        return self._accuracy(check_samples(samples, self.sizes, "samples"))

    def _accuracy(self, samples: list[Sample]) -> float:
        """score() for samples already checked."""
        classify = self.classify
        return sum(classify(pixels) == label for pixels, label in samples) / len(samples)


def shares(outputs: Sequence[float]) -> list[float]:
    """Outputs a_k >= 0 as shares a_k / sum_j a_j; equal shares if all are 0.

    >>> shares([0.6, 0.2, 0.2])
    [0.6, 0.2, 0.2]
    >>> shares([0.0, 0.0])
    [0.5, 0.5]
    """
    total = sum(outputs)
    if total > 0.0:
        return [a / total for a in outputs]
    return [1.0 / len(outputs)] * len(outputs)  # every sigmoid underflowed to 0.0


# --- Checking what goes in --------------------------------------------------

def check_samples(samples: Sequence[Sample], sizes: list[int], name: str) -> list[Sample]:
    """``samples`` as a new list of (pixels, label) pairs, each checked
    (see pixels_problem and label_problem); ValueError naming the first bad one."""
    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__iter__"):
        raise ValueError("%s must be a list of (pixels, label) pairs, got %s"
                         % (name, type(samples).__name__))
    samples = list(samples)
    if not samples:
        raise ValueError("%s is empty: give at least one (pixels, label) pair" % name)
    inputs, classes = sizes[0], sizes[-1]
    for index, sample in enumerate(samples):
        where = "%s[%d]" % (name, index)
        if not isinstance(sample, (tuple, list)) or len(sample) != 2:
            raise ValueError("%s is not a (pixels, label) pair: %s" % (where, _shown(sample)))
        pixels, label = sample
        if isinstance(pixels, int) and isinstance(sample[1], (list, tuple)):
            raise ValueError("%s is (label, pixels); samples are (pixels, label) pairs "
                             "(turn them round: [(pixels, label) for label, pixels in ...])" % where)
        problem = pixels_problem(pixels, inputs) or label_problem(label, classes)
        if problem:
            raise ValueError("%s: %s" % (where, problem))
    return samples


def pixels_problem(pixels, inputs: int) -> Optional[str]:
    """What is wrong with ``pixels`` as the input to a network with ``inputs``
    input neurons, or None: it must hold exactly ``inputs`` finite numbers.

    >>> pixels_problem([0.5] * 100, 784)
    "pixels has 100 values, but the network's input layer has 784 neurons"
    >>> pixels_problem([0.0, float("nan")], 2)
    'pixels[1] is nan; every input must be a finite number'
    >>> pixels_problem([0.0, 1.0], 2) is None
    True
    """
    if isinstance(pixels, (str, bytes)) or not hasattr(pixels, "__len__"):
        hint = ": is the sample (label, pixels)? samples are (pixels, label)" if isinstance(pixels, int) else ""
        return "pixels must be a list of %d numbers, got %s%s" % (inputs, _shown(pixels), hint)
    if len(pixels) == inputs and finite_sum(pixels):
        return None
    if len(pixels) != inputs:
        return ("pixels has %d values, but the network's input layer has %d neurons"
                % (len(pixels), inputs))
    # Something is wrong with a value: find the first one to name it.
    for index, value in enumerate(pixels):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return "pixels[%d] is %s, not a number" % (index, _shown(value))
        if not math.isfinite(value):
            return "pixels[%d] is %r; every input must be a finite number" % (index, value)
    return "pixels' values are too large: their sum overflows a float"


def checked_nonzero(pixels, inputs: int) -> tuple[list, list]:
    """``matrix.nonzero(pixels)``, the (indices, values) of the nonzero
    inputs that network.py's first layer works on, once ``pixels`` passed
    the cheap check: ``inputs`` values whose sum is finite.  Otherwise a
    ValueError saying what is wrong (see pixels_problem).

    >>> checked_nonzero([0.0, 0.5, 0.0], 3)
    ([1], [0.5])
    >>> checked_nonzero(7, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: pixels must be a list of 3 numbers, got 7 (an int): ... samples are (pixels, label)
    """
    try:
        indices, values = matrix.nonzero(pixels)
        if len(pixels) == inputs and math.isfinite(sum(values)):
            return indices, values
    except TypeError:  # not a list, or a value that is not a number
        pass
    raise ValueError(pixels_problem(pixels, inputs))


def finite_sum(values: Sequence[float]) -> bool:
    """Whether ``values`` are numbers whose sum is finite: one pass in C
    that a NaN, an infinity or a value that is not a number fails.

    >>> finite_sum([0.5, 1.0]), finite_sum([0.5, float("inf")]), finite_sum([0.5, "a"])
    (True, False, False)
    """
    try:
        return math.isfinite(sum(values))
    except TypeError:
        return False


def label_problem(label, classes: int) -> Optional[str]:
    """What is wrong with ``label`` as the class of a sample for a network
    with ``classes`` outputs, or None: it must be an int 0..classes-1.

    >>> label_problem("3", 10)
    "label must be an int 0..9, got '3' (a str)"
    >>> label_problem(12, 10)
    'label 12 is outside 0..9 (the network has 10 outputs)'
    """
    if isinstance(label, bool) or not isinstance(label, int):
        return "label must be an int 0..%d, got %s" % (classes - 1, _shown(label))
    if not 0 <= label < classes:
        return "label %d is outside 0..%d (the network has %d outputs)" % (label, classes - 1, classes)
    return None


def target_problem(target, classes: int) -> str:
    """Why ``target`` is neither a class index nor a vector of ``classes``
    numbers (for network.py, which accepts both)."""
    if isinstance(target, (list, tuple)):
        return "the target vector has %d values, but the network has %d outputs" % (len(target), classes)
    return label_problem(target, classes) or "bad target %s" % _shown(target)


def _shown(value) -> str:
    """A short description of ``value`` for a message: its repr (cut) and type."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    kind = type(value).__name__
    return "%s (%s %s)" % (text, "an" if kind[0] in "aeiou" else "a", kind)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
