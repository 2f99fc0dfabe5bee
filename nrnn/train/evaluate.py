"""How good is a network?  Accuracy, loss and the confusion matrix.

Given labelled samples the network did not train on (the test set), run each
one forward and compare the most active output neuron with the label:

    accuracy = correct / count
    loss     = (1 / count) sum_x C(a_L(x), y(x))      the mean cost, with the
               network's own cost function (cross-entropy or quadratic)
               and y the one-hot vector of the label

Accuracy says how often the network is right; the loss also says how sure it
is, so it keeps falling (or starts rising: overfitting) when accuracy has
stopped moving.  The 10 x 10 confusion matrix says *which* mistakes it makes:

    confusion[true][predicted] = how many samples of digit ``true``
                                 the network called ``predicted``

The diagonal holds the correct answers; a large off-diagonal entry such as
confusion[4][9] means "4s taken for 9s".  Row ``d`` summed is the number of
d's in the test set, so confusion[d][d] / row sum is the accuracy on digit d.

>>> from nrnn.net.network import Network
>>> network = Network([4, 3, 2], seed=1)
>>> result = evaluate(network, [([1.0, 0.0, 0.0, 1.0], 0), ([0.0, 1.0, 1.0, 0.0], 1)])
>>> result.count, result.correct + result.wrong
(2, 2)
>>> sum(map(sum, result.confusion)) == result.count
True
"""

from collections.abc import Iterable
from typing import Optional

from nrnn.mnist import DIGITS as CLASSES
from nrnn.mnist.mnist_csv import nonzero_inputs
from nrnn.net.network import Network


class Evaluation:
    """The result of running a network over labelled samples.

    count, correct: samples seen and classified right.
    loss_total: sum of the per-sample costs (``loss`` is their mean).
    confusion: classes x classes counts, confusion[true][predicted].
    """

    def __init__(self, classes: int = CLASSES):
        self.classes = classes
        self.count = 0
        self.correct = 0
        self.loss_total = 0.0
        self.confusion = [[0] * classes for _ in range(classes)]

    def __repr__(self):
        return "Evaluation(count=%d, accuracy=%.4f, loss=%.4f)" % (
            self.count, self.accuracy, self.loss)

    @property
    def wrong(self) -> int:
        return self.count - self.correct

    @property
    def accuracy(self) -> float:
        """Fraction classified right, 0..1 (0 when there were no samples)."""
        return self.correct / self.count if self.count else 0.0

    @property
    def loss(self) -> float:
        """Mean cost per sample."""
        return self.loss_total / self.count if self.count else 0.0

    def add(self, label: int, output: list[float], cost: float) -> None:
        """Record one sample: its true label, the output activations and its cost."""
        predicted = output.index(max(output))
        self.count += 1
        self.correct += predicted == label
        self.loss_total += cost
        self.confusion[label][predicted] += 1

    def per_class_accuracy(self) -> list[Optional[float]]:
        """Accuracy on each true class (None for a class with no samples)."""
        result = []
        for label, row in enumerate(self.confusion):
            total = sum(row)
            result.append(row[label] / total if total else None)
        return result

    def worst_confusions(self, top: int = 3) -> list[tuple[int, int, int]]:
        """The ``top`` most frequent mistakes as (count, true, predicted)."""
        mistakes = [(self.confusion[t][p], t, p)
                    for t in range(self.classes) for p in range(self.classes)
                    if t != p and self.confusion[t][p]]
        # Most frequent first; ties in digit order, so the list is stable.
        mistakes.sort(key=lambda m: (-m[0], m[1], m[2]))
        return mistakes[:top]

    def to_dict(self) -> dict:
        return {"count": self.count, "correct": self.correct,
                "accuracy": self.accuracy, "loss": self.loss,
                "confusion": self.confusion}


def evaluate(network: Network, samples: Iterable[tuple[list[float], int]]) -> Evaluation:
    """Run ``network`` over ``samples``; return an Evaluation.

    ``samples``: (pixels, label) pairs, as ``nrnn.mnist.mnist_csv.read_samples``
    yields them; pixels has sizes[0] floats, or is compact (``bytes``,
    values 0..255, as ``read_samples(path, compact=True)`` yields them);
    label is 0..sizes[-1]-1.  Compact pixels go to the network as their
    nonzero entries, never expanded: the fastest way to the same outputs.
    The network is not changed.
    """
    classes = network.sizes[-1]
    result = Evaluation(classes)
    cost = network.cost.value
    for pixels, label in samples:
        if not 0 <= label < classes:
            raise ValueError("label %r outside 0..%d" % (label, classes - 1))
        if type(pixels) is bytes:
            output = network.feedforward_nonzero(*nonzero_inputs(pixels))
        else:
            output = network.feedforward(pixels)
        target = [0.0] * classes
        target[label] = 1.0
        result.add(label, output, cost(output, target))
    return result


def format_confusion(evaluation: Evaluation) -> str:
    """The confusion matrix as a text table, true digits down, predictions across.

    The last column is the accuracy on that digit (diagonal / row sum).

    >>> e = Evaluation(2)
    >>> e.add(0, [0.9, 0.1], 0.1); e.add(1, [0.8, 0.2], 1.0); e.add(1, [0.1, 0.9], 0.1)
    >>> print(format_confusion(e))
    true \\ predicted    0    1   accuracy
                   0    1    .     100.0%
                   1    1    1      50.0%
    """
    width = max(5, len(str(max(max(row) for row in evaluation.confusion))) + 1)
    lines = ["%16s%s%11s" % ("true \\ predicted",
                             "".join("%*d" % (width, p) for p in range(evaluation.classes)),
                             "accuracy")]
    for label, (row, accuracy) in enumerate(zip(evaluation.confusion, evaluation.per_class_accuracy())):
        # "." for zero keeps the eye on the mistakes that do happen.
        cells = "".join("%*s" % (width, count if count else ".") for count in row)
        shown = "%.1f%%" % (100 * accuracy) if accuracy is not None else "-"
        lines.append("%16d%s%11s" % (label, cells, shown))
    return "\n".join(lines)


def format_per_class(evaluation: Evaluation) -> str:
    """One line per digit: its accuracy and a bar; then the worst mistakes.

    >>> e = Evaluation(2)
    >>> e.add(0, [0.9, 0.1], 0.1); e.add(1, [0.8, 0.2], 1.0)
    >>> print(format_per_class(e))
    digit 0  100.00%  (1 of 1)       ####################
    digit 1    0.00%  (0 of 1)
    most frequent mistakes: 1 taken for 0 (1x)
    """
    lines = []
    accuracies = evaluation.per_class_accuracy()
    for label, accuracy in enumerate(accuracies):
        row = evaluation.confusion[label]
        if accuracy is None:
            lines.append("digit %d  no samples" % label)
            continue
        # The bar spans 80%..100%: every digit is above 80% once trained, and
        # the differences that matter are in the last few percent.
        filled = int(round(20 * max(0.0, accuracy - 0.8) / 0.2))
        counts = "(%d of %d)" % (row[label], sum(row))
        lines.append("digit %d  %6.2f%%  %-14s %s" % (label, 100 * accuracy, counts, "#" * filled))
    mistakes = evaluation.worst_confusions()
    if mistakes:
        lines.append("most frequent mistakes: " + ", ".join(
            "%d taken for %d (%dx)" % (true, predicted, count) for count, true, predicted in mistakes))
    return "\n".join(line.rstrip() for line in lines)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
