"""One step of backpropagation with every number printed: ``python -m nrnn.net.walkthrough``.

A [2, 2, 2] network with hand-picked weights goes through one forward pass,
the four equations of backpropagation and one step of gradient descent.
Every z, a, delta and derivative is printed with the arithmetic that makes
it, and every derivative beside its finite difference
(C(p + h) - C(p - h)) / 2h, so you can check each line with a pencil and see
that the equations give the true slope of the cost.

docs/backprop.md walks through this output line by line; the test suite
checks that the page shows exactly what this prints.  Change a weight below
(or an equation in reference.py), run it again, and watch what moves; a
derivative that no longer matches its finite difference is marked ``<-- differs``.

    python -m nrnn.net.walkthrough                        quadratic cost (the default)
    python -m nrnn.net.walkthrough --cost cross-entropy

The first lines of the forward pass and of BP1:

>>> print(sections()[1].splitlines()[0])
z^1[0] = 0.1*1.0 + 0.4*0.5 + 0.2 = 0.5
>>> print(sections("cross-entropy")[2].splitlines()[0])
delta^2[0] = a - y = 0.464036 - 1.0 = -0.535964   finite difference -0.535964
"""

import sys
from typing import Optional

from nrnn.cli import OneLineParser
from nrnn.net.gradcheck import TOLERANCE, error, numeric_delta, numeric_derivative
from nrnn.net.network import Network
from nrnn.net.reference import ReferenceNetwork

# The network, the sample and the step size.  Change them and run again.
WEIGHTS = [
    [[0.1, 0.4],      # W^1: row j holds the weights into neuron j of layer 1
     [-0.3, 0.2]],
    [[0.5, -0.6],     # W^2
     [0.3, 0.8]],
]
BIASES = [[0.2, -0.1], [-0.2, 0.1]]   # b^1, b^2
X = [1.0, 0.5]                        # the input, a^0
Y = [1.0, 0.0]                        # the target
LEARNING_RATE = 0.5                   # eta


def f(value: float) -> str:
    """A number as the page prints it: up to 6 decimals, e.g. 0.5, -0.133298."""
    text = ("%.6f" % value).rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text == "-0.0" else text


def factor(value: float) -> str:
    """A number inside a product: in parentheses when negative."""
    return "(%s)" % f(value) if value < 0 else f(value)


def plus(terms: list) -> str:
    """Terms joined by + and -: ['0.1*1.0', '-0.2'] -> '0.1*1.0 - 0.2'."""
    return " + ".join(terms).replace(" + -", " - ")


def vector(values: list) -> str:
    return "[" + ", ".join(f(v) for v in values) + "]"


def beside(analytic: float, numeric: float) -> str:
    """The finite difference column, flagged when it disagrees."""
    return "finite difference %s%s" % (f(numeric), "" if error(analytic, numeric) <= TOLERANCE else "  <-- differs")


def aligned(pairs: list) -> str:
    """Lines of (text, finite difference), the second column aligned."""
    width = max(len(text) for text, _ in pairs)
    return "\n".join("%-*s   %s" % (width, text, note) for text, note in pairs)


def sections(cost: str = "quadratic") -> list:
    """The walkthrough as a list of texts, one per section of docs/backprop.md."""
    net = ReferenceNetwork([2, 2, 2], cost=cost, weights=WEIGHTS, biases=BIASES)
    assert net.biases is not None  # built from BIASES
    zs, activations = net.forward(X)
    deltas = net.errors(X, Y)
    nabla_b, nabla_w = net.backprop(X, Y)
    out = []

    lines = ["network [2, 2, 2], sigmoid neurons, %s cost, learning rate eta = %g" % (cost, LEARNING_RATE),
             "input  x = a^0 = %s" % vector(X),
             "target y       = %s" % vector(Y)]
    for l in (1, 2):
        lines.append("W^%d = %s   b^%d = %s" % (l, " ".join(vector(row) for row in net.weights[l - 1]),
                                              l, vector(net.biases[l - 1])))
    out.append("\n".join(lines))

    lines = []
    for l in (1, 2):
        for j in range(2):
            terms = ["%s*%s" % (f(net.weights[l - 1][j][k]), factor(activations[l - 1][k])) for k in range(2)]
            lines.append("z^%d[%d] = %s = %s" % (l, j, plus(terms + [f(net.biases[l - 1][j])]), f(zs[l][j])))
            lines.append("a^%d[%d] = sigma(%s) = %s" % (l, j, f(zs[l][j]), f(activations[l][j])))
    a = activations[2]
    if cost == "quadratic":
        lines.append("C = 1/2 [(%s - %s)^2 + (%s - %s)^2] = %s"
                     % (f(a[0]), f(Y[0]), f(a[1]), f(Y[1]), f(net.cost_value(X, Y))))
    else:
        lines.append("C = -[ln %s + ln(1 - %s)] = %s" % (f(a[0]), f(a[1]), f(net.cost_value(X, Y))))
    out.append("\n".join(lines))

    pairs = []
    for j in range(2):
        if cost == "quadratic":
            text = "delta^2[%d] = (a - y) a (1 - a) = (%s) * %s * %s = %s" % (
                j, plus([f(a[j]), "-" + f(Y[j])]), f(a[j]), f(1 - a[j]), f(deltas[2][j]))
        else:
            text = "delta^2[%d] = a - y = %s = %s" % (j, plus([f(a[j]), "-" + f(Y[j])]), f(deltas[2][j]))
        pairs.append((text, beside(deltas[2][j], numeric_delta(net, X, Y, 2, j))))
    out.append(aligned(pairs))

    pairs = []
    a1 = activations[1]
    for k in range(2):
        back = plus(["%s*%s" % (f(net.weights[1][j][k]), factor(deltas[2][j])) for j in range(2)])
        text = "delta^1[%d] = (%s) * %s * %s = %s" % (k, back, f(a1[k]), f(1 - a1[k]), f(deltas[1][k]))
        pairs.append((text, beside(deltas[1][k], numeric_delta(net, X, Y, 1, k))))
    out.append(aligned(pairs))

    pairs = []
    for l in (2, 1):
        for j in range(2):
            text = "dC/db^%d[%d] = delta^%d[%d] = %s" % (l, j, l, j, f(nabla_b[l - 1][j]))
            numeric = numeric_derivative(net, X, Y, net.biases[l - 1], j)
            pairs.append((text, beside(nabla_b[l - 1][j], numeric)))
    out.append(aligned(pairs))

    pairs = []
    for l in (2, 1):
        for j in range(2):
            for k in range(2):
                text = "dC/dW^%d[%d][%d] = delta^%d[%d] a^%d[%d] = %s * %s = %s" % (
                    l, j, k, l, j, l - 1, k, f(deltas[l][j]), factor(activations[l - 1][k]),
                    f(nabla_w[l - 1][j][k]))
                numeric = numeric_derivative(net, X, Y, net.weights[l - 1][j], k)
                pairs.append((text, beside(nabla_w[l - 1][j][k], numeric)))
    out.append(aligned(pairs))

    before = net.cost_value(X, Y)
    old_weights = [[list(row) for row in w] for w in net.weights]
    old_biases = [list(b) for b in net.biases]
    net.update(nabla_b, nabla_w, LEARNING_RATE)
    lines = []
    for l in (1, 2):
        for j in range(2):
            for k in range(2):
                lines.append("W^%d[%d][%d] = %s - %g * %s = %s" % (
                    l, j, k, f(old_weights[l - 1][j][k]), LEARNING_RATE, factor(nabla_w[l - 1][j][k]),
                    f(net.weights[l - 1][j][k])))
        for j in range(2):
            lines.append("b^%d[%d]    = %s - %g * %s = %s" % (
                l, j, f(old_biases[l - 1][j]), LEARNING_RATE, factor(nabla_b[l - 1][j]), f(net.biases[l - 1][j])))
    lines.append("C before the step = %s, after = %s" % (f(before), f(net.cost_value(X, Y))))
    fast = Network.from_parameters([[list(row) for row in w] for w in old_weights],
                                   [list(b) for b in old_biases], cost)
    fast.train_sample(X, Y, LEARNING_RATE)
    same = all(abs(p - q) <= 1e-12 for w_fast, w_ref in zip(fast.weights, net.weights)
               for r_fast, r_ref in zip(w_fast, w_ref) for p, q in zip(r_fast, r_ref))
    lines.append("Network.train_sample takes the same step (to 1e-12): %s" % ("yes" if same else "NO"))
    out.append("\n".join(lines))
    return out


TITLES = ["the network", "1. forward pass: z^l = W^l a^(l-1) + b^l, a^l = sigma(z^l)",
          "2. BP1, the output error: delta^2 = dC/da^2 (*) sigma'(z^2)",
          "3. BP2, the error handed back: delta^1 = ((W^2)^T delta^2) (*) sigma'(z^1)",
          "4. BP3: dC/db^l = delta^l",
          "5. BP4: dC/dW^l[j][k] = delta^l[j] a^(l-1)[k]",
          "6. one step of gradient descent: p <- p - eta dC/dp"]


def main(argv: Optional[list[str]] = None) -> int:
    parser = OneLineParser(prog="python -m nrnn.net.walkthrough",
                           description="One step of backpropagation on a [2, 2, 2] network, every number printed.")
    parser.add_argument("--cost", choices=["quadratic", "cross-entropy"], default="quadratic",
                        help="cost function (default: quadratic, whose BP1 shows sigma' at work)")
    args = parser.parse_args(argv)
    for title, text in zip(TITLES, sections(args.cost)):
        sys.stdout.write("== %s\n%s\n\n" % (title, text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
