"""Why did the network answer that?  ``python predict.py IMAGE --explain``.

The network's answer is the output neuron k with the largest activation
a_k = sigma(z_k), and z_k is a plain sum over the neurons of the last hidden
layer (activations h_j, weights w_kj = W_{L-1}[k][j]) plus a bias:

    z_k = sum_j h_j w_kj + b_k

So each hidden neuron j *contributes* c_j = h_j w_kj to the winner's z_k,
and the contributions add up exactly to z_k - b_k.  A neuron contributes a
lot when it is active (h_j near 1) and strongly connected to the winner;
a negative c_j argues against the answer.  What a hidden neuron responds to
is shown by its weight picture (``nrnn/inside/weights.py``; for a second hidden
layer, the weighted sum of the first layer's pictures).

Against the runner-up r the same sum tells what separated them:

    z_k - z_r = sum_j h_j (w_kj - w_rj) + (b_k - b_r)

For a network with one hidden layer that is all there is to show: every
path from the pixels to the answer runs through those neurons.  For a
network with no hidden layer the "neurons" are the 784 pixels themselves.

Two looks.  ``recognize`` asks the network twice (the digit as prepared,
and redrawn at MNIST's stroke width) and answers with a weighted mean of
the two outputs (recognition.FIRST_LOOK).  The explanation takes the
network apart on the first look, the prepared input (``Recognition.inputs``:
deskewed first, for a model trained on deskewed digits), and shows both
looks' outputs beside the answer's.

>>> from nrnn.net.network import Network
>>> from nrnn.recognition import recognize_inputs
>>> network = Network([4, 3, 2], seed=2)
>>> answer = recognize_inputs([1.0, 0.0, 0.5, 0.0], network, looks=1)
>>> why = explain(network, answer)
>>> abs(sum(why.contributions) + why.bias - why.z[why.digit]) < 1e-12
True
"""

import textwrap
from collections.abc import Sequence

from nrnn.inside.weights import neuron_pictures, side_by_side, text_picture
from nrnn.net import matrix
from nrnn.net.model_file import deskews
from nrnn.net.network import Network
from nrnn.net.sigmoid import sigmoid
from nrnn.recognition import Recognition, text_art

__all__ = ["layer_values", "hidden_activations", "Explanation", "explain", "explanation_text"]


def layer_values(network: Network, x: Sequence[float]) -> tuple[list[list[float]], list[list[float]]]:
    """(zs, activations) of every layer for input x: ``activations[0]`` is x,
    ``activations[l]`` = sigma(``zs[l - 1]``) for the l-th layer of neurons,
    ``zs[-1]`` the output layer's z (10 for a digit recognizer)."""
    indices, values = matrix.nonzero(list(x))
    activations = [list(x)]
    zs = []
    for layer, weights in enumerate(network.weights):
        if layer == 0:  # only the inked pixels: most of a digit's 784 are 0
            z = matrix.sparse_matvec(weights, indices, values)
        else:
            z = matrix.matvec(weights, activations[-1])
        if network.biases is not None:
            z = [zj + bj for zj, bj in zip(z, network.biases[layer])]
        zs.append(z)
        activations.append([sigmoid(zj) for zj in z])
    return zs, activations


def hidden_activations(network: Network, x: Sequence[float]) -> list[list[float]]:
    """The activations of each hidden layer for input x (none for a network
    without hidden layers): what the drawing page's strip shows."""
    return layer_values(network, x)[1][1:-1]


class Explanation:
    """The facts behind one answer (all from the first look, except where named).

    digit, runner_up:  the reported answer and the next digit in its ranking
    layer:             which activations feed the output layer: 0 = the
                       pixels (no hidden layer), else hidden layer ``layer``
    units:             how many neurons (or pixels) that layer has
    hidden:            their activations h_j
    weights, bias:     w_kj for the winner k, and b_k (0.0 without biases)
    contributions:     c_j = h_j w_kj for every j; they sum to z_k - b_k
    separation:        h_j (w_kj - w_rj) for every j; with b_k - b_r they
                       sum to z_k - z_r
    z, first_outputs:  the output layer's z and sigma(z), 10 each
    looks:             each look's 10 outputs; ``outputs`` their weighted mean
    shares:            outputs normalised to sum to 1 (the "percentages")
    """

    def __init__(self, network: Network, answer: Recognition):
        zs, activations = layer_values(network, answer.inputs)
        last = network.weights[-1]
        k, r = answer.digit, answer.ranking[1]
        self.name = answer.name
        self.inputs = list(answer.inputs)
        self.digit, self.runner_up = k, r
        self.layer = len(network.weights) - 1
        self.hidden = activations[-2]
        self.units = len(self.hidden)
        self.weights = list(last[k])
        biases = network.biases[-1] if network.biases is not None else [0.0] * len(last)
        self.bias, self.runner_up_bias = biases[k], biases[r]
        self.contributions = [h * w for h, w in zip(self.hidden, last[k])]
        self.separation = [h * (wk - wr) for h, wk, wr in zip(self.hidden, last[k], last[r])]
        self.z = zs[-1]
        self.first_outputs = activations[-1]
        self.first_digit = self.first_outputs.index(max(self.first_outputs))
        self.looks = answer.looks
        self.outputs = answer.outputs
        self.shares = answer.probabilities

    def top(self, values: Sequence[float], count: int, positive: bool = True) -> list[int]:
        """Indices of the ``count`` largest (or most negative) values, that sign only."""
        order = sorted(range(len(values)), key=lambda j: -values[j] if positive else values[j])
        return [j for j in order[:count] if (values[j] > 0) == positive and values[j] != 0.0]

    def as_dict(self, count: int = 6, places: int = 6) -> dict:
        """The explanation as JSON-ready fields (``--json --explain``)."""
        def entry(j, values):
            return {"neuron": j, "activation": round(self.hidden[j], places),
                    "weight": round(self.weights[j], places), "contribution": round(values[j], places)}

        def rounded(values):
            return [round(v, places) for v in values]

        return {
            "explained_look": "first: the prepared input, as 'input' shows it",
            "layer": self.layer,
            "units": self.units,
            "digit": self.digit,
            "z": round(self.z[self.digit], places),
            "bias": round(self.bias, places),
            "contributions_total": round(sum(self.contributions), places),
            "for": [entry(j, self.contributions) for j in self.top(self.contributions, count)],
            "against": [entry(j, self.contributions) for j in self.top(self.contributions, count, False)],
            "runner_up": self.runner_up,
            "runner_up_z": round(self.z[self.runner_up], places),
            "separation_total": round(sum(self.separation), places),
            "separated_by": [{"neuron": j, "activation": round(self.hidden[j], places),
                              "difference": round(self.separation[j], places)}
                             for j in self.top(self.separation, count)],
            "first_look_z": rounded(self.z),
            "first_look_outputs": rounded(self.first_outputs),
            "looks": [rounded(look) for look in self.looks],
            "outputs": rounded(self.outputs),
            "shares": rounded(self.shares),
            "input": rounded(self.inputs),
        }


def explain(network: Network, answer: Recognition) -> Explanation:
    """Take the network apart on ``answer``'s input (see the module docstring)."""
    return Explanation(network, answer)


def _unit_name(why: Explanation, j: int) -> str:
    if why.layer == 0:
        return "pixel (%d, %d)" % (j % 28, j // 28)
    return "#%d" % j


def explanation_text(network: Network, why: Explanation, count: int = 6) -> str:
    """The explanation for a person, as printed by ``predict.py --explain``."""
    k, r = why.digit, why.runner_up
    lines = []
    looks = len(why.looks)
    lines.append(_wrap("What the network saw: the prepared 28x28 input%s%s" % (
        ", deskewed (this model was trained on deskewed digits)" if deskews(network) else "",
        "; this is the first of its two looks, the second redraws the strokes at MNIST's width"
        if looks == 2 else "")))
    lines.append(text_art(why.inputs))
    what = "pixels" if why.layer == 0 else "neurons of hidden layer %d" % why.layer
    lines.append("")
    lines.append(_wrap("Why %d: output neuron %d adds up the %d %s, each activation h_j times its "
                       "weight w_%dj, plus its bias:" % (k, k, why.units, what, k)))
    lines.append("  z_%d = sum_j h_j w_%dj + b_%d = %.3f + (%.3f) = %.3f" % (
        k, k, k, sum(why.contributions), why.bias, why.z[k]))
    if why.layer == 1:
        lines.append("  (one hidden layer: every path from the pixels to the answer runs through these neurons)")
    elif why.layer > 1:
        lines.append("  (the last of %d hidden layers: these neurons see the pixels through the layers before)"
                     % why.layer)
    if why.first_digit != k:
        lines.append("  (on this first look alone the network would answer %d; both looks "
                     "together answer %d)" % (why.first_digit, k))
    favour = why.top(why.contributions, count)
    against = why.top(why.contributions, 3, positive=False)
    lines.append("The %s that pushed hardest for %d (h_j x w_%dj):" % (
        "pixels" if why.layer == 0 else "neurons", k, k))
    for j in favour:
        lines.append("  %-8s h = %.2f  x  w = %+.2f  =  %+.3f" % (
            _unit_name(why, j), why.hidden[j], why.weights[j], why.contributions[j]))
    if against:
        lines.append("and against it: " + ", ".join("%s %+.3f" % (_unit_name(why, j), why.contributions[j])
                                                    for j in against))
    if why.layer > 0 and favour:
        pictures = neuron_pictures(network, why.layer - 1)
        lines.append("")
        lines.append(_wrap("What those neurons look for (their weight pictures%s; # + . where ink "
                           "raises the neuron, = - , where ink lowers it):" % (
                               "" if why.layer == 1 else ", drawn as sums of the first layer's pictures")))
        for start in range(0, len(favour), 3):
            blocks = ["%s  h = %.2f\n%s" % (_unit_name(why, j), why.hidden[j],
                                            text_picture(pictures[j], compact=True))
                      for j in favour[start:start + 3]]
            lines.append(side_by_side(blocks))
    lines.append("")
    lines.append("%d against the runner-up %d: z_%d - z_%d = %.3f - (%.3f) = %.3f" % (
        k, r, k, r, why.z[k], why.z[r], why.z[k] - why.z[r]))
    lines.append("  = sum_j h_j (w_%dj - w_%dj) + (b_%d - b_%d) = %.3f + (%.3f)" % (
        k, r, k, r, sum(why.separation), why.bias - why.runner_up_bias))
    lines.append(_wrap("  most of the difference came from: " + ", ".join(
        "%s %+.3f" % (_unit_name(why, j), why.separation[j]) for j in why.top(why.separation, 4))))
    lines.append("")
    lines.append("The ten outputs (z and sigmoid(z) on the first look%s):" % (
        "; the answer mixes both looks, 0.7 and 0.3" if looks == 2 else ""))
    columns = ["digit", "z", "sigmoid(z)"] + (["2nd look", "answer"] if looks == 2 else []) + ["share"]
    lines.append("%5s %9s %11s" % tuple(columns[:3]) + "".join(" %10s" % c for c in columns[3:]))
    for digit in range(len(why.z)):
        row = "%5d %9.3f %11.6f" % (digit, why.z[digit], why.looks[0][digit])
        if looks == 2:
            row += " %10.6f %10.6f" % (why.looks[1][digit], why.outputs[digit])
        row += " %9.1f%%" % (100.0 * why.shares[digit])
        if digit == k:
            row += "  <- the answer"
        lines.append(row)
    lines.append(_wrap("Each output is a separate yes/no score in [0, 1]; they need not add up to 1. "
                       "The shares are the outputs divided by their sum: they add up to 100% and "
                       "rank the digits, but they are not probabilities: a share of 99% does not "
                       "mean the network is right 99 times in 100."))
    return "\n".join(lines)


def _wrap(text: str, width: int = 92) -> str:
    """Prose folded to ``width`` columns, continued lines indented like the first."""
    indent = text[:len(text) - len(text.lstrip())]
    return textwrap.fill(text, width, subsequent_indent=indent + ("  " if indent else ""))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
