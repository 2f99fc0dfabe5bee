"""Is my backpropagation right?  Check every partial derivative, name the equation.

    python -m nrnn.net.gradcheck                      both networks, both costs
    python -m nrnn.net.gradcheck --layers 3,4,2 --cost quadratic --no-bias

Change an equation in nrnn/net/reference.py or nrnn/net/network.py, run this, and it
tells you in a few seconds whether the gradient is still right, and if not,
which layer and which of the four equations to look at.

The idea: a derivative is a limit of differences, so it can be measured
without any calculus.  Nudge one parameter p up and down by h and watch the
cost C:

    dC/dp  ~  (C(p + h) - C(p - h)) / 2h          (central difference, error ~h^2)

Backpropagation must agree with that for every weight, every bias, and every
error delta^l = dC/dz^l (measured by nudging z^l itself, in a forward pass
written here, independent of the code being checked).  Checking the errors
as well as the parameters is what lets us name the equation:

    delta^L wrong                      BP1 (the output error; the cost's derivative)
    delta^L right, a lower delta wrong BP2 (the error handed back a layer)
    every delta right, dC/db wrong     BP3
    every delta right, dC/dW wrong     BP4

Three more checks:

    step       one ``train_sample`` equals "the whole gradient, then
               p <- p - eta dC/dp", and one ``train_batch`` the step against
               the mean gradient; this catches a backward pass that updates
               W^(l+1) before BP2 has used it
    agreement  Network and ReferenceNetwork, started from the same weights,
               still agree (to 1e-12) after 20 per-sample and 5 mini-batch steps
    exit status 0 when everything agrees, 1 otherwise

The error shown is |analytic - numeric| / max(|analytic|, |numeric|, 1e-4):
relative, except that derivatives below 1e-4 are compared absolutely, since
a finite difference cannot resolve them much better.  Up to 1e-5 is "ok".

>>> from nrnn.net.reference import ReferenceNetwork
>>> net = ReferenceNetwork([2, 2, 1], seed=1)
>>> x, y = [0.5, 0.0], [1.0]
>>> nabla_b, nabla_w = net.backprop(x, y)
>>> round(nabla_w[0][0][0], 9)                               # dC/dW^1[0][0], by BP4
0.014813492
>>> numeric = numeric_derivative(net, x, y, net.weights[0][0], 0)   # by nudging W^1[0][0]
>>> round(numeric, 9)
0.014813492
>>> "%.0e" % error(nabla_w[0][0][0], numeric)
'5e-10'
>>> rows = check_gradients(net, [0.5, 0.0], [1.0])
>>> [(row.layer, row.quantity, row.ok) for row in rows[:3]]
[(2, 'delta', True), (2, 'W', True), (2, 'b', True)]
>>> diagnose(rows, "nrnn/net/reference.py")
'all four equations agree with the finite differences'
"""

import argparse
import inspect
import linecache
import os
import sys
import textwrap
import traceback
from typing import Any, Optional, TextIO, Union

from nrnn.cli import EXIT_FAILED, EXIT_OK, OneLineParser
from nrnn.net.cost import COSTS
from nrnn.net.network import Network
from nrnn.net.reference import ReferenceNetwork
from nrnn.net.sigmoid import sigmoid

# What is checked: the fast Network or the ReferenceNetwork (same sizes,
# weights, biases and backprop; cost a Cost object or its name).
Checked = Union[Network, ReferenceNetwork]

H = 1e-5            # the nudge of the central difference
TOLERANCE = 1e-5    # largest error still "ok"
FLOOR = 1e-4        # below this, derivatives are compared absolutely
STEP_TOLERANCE = 1e-12

QUANTITIES = {"delta": "delta^%d = dC/dz^%d", "W": "dC/dW^%d", "b": "dC/db^%d"}

EQUATIONS = {
    "BP1": "delta^L = dC/da^L (*) sigma'(z^L)",
    "BP2": "delta^l = ((W^(l+1))^T delta^(l+1)) (*) sigma'(z^l)",
    "BP3": "dC/db^l = delta^l",
    "BP4": "dC/dW^l = delta^l (a^(l-1))^T",
}


def error(analytic: float, numeric: float) -> float:
    """|analytic - numeric| / max(|analytic|, |numeric|, FLOOR)."""
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), FLOOR)


class Row:
    """One line of the table: one quantity of one layer, and its worst entry."""

    def __init__(self, layer: int, quantity: str):
        self.layer = layer
        self.quantity = quantity      # "delta", "W" or "b"
        self.count = 0
        self.worst = 0.0
        self.index: Optional[tuple] = None  # (j,) or (j, k) of the worst entry
        self.analytic = self.numeric = 0.0

    def add(self, index: tuple, analytic: float, numeric: float) -> None:
        self.count += 1
        e = error(analytic, numeric)
        if self.index is None or e > self.worst:
            self.worst, self.index, self.analytic, self.numeric = e, index, analytic, numeric

    @property
    def ok(self) -> bool:
        return self.worst <= TOLERANCE

    @property
    def name(self) -> str:
        return QUANTITIES[self.quantity].replace("%d", str(self.layer))

    def describe(self) -> str:
        """e.g. 'layer 2, dC/dW^2[1][0]: analytic 0.0123, numeric 0.0456 (error 0.73)'."""
        entry = QUANTITIES[self.quantity].split(" = ")[-1].replace("%d", str(self.layer))
        entry += "".join("[%d]" % i for i in self.index or ())
        return "layer %d, %s: analytic %.10g, numeric %.10g (error %.2g)" % (
            self.layer, entry, self.analytic, self.numeric, self.worst)

    def __repr__(self):
        return "Row(%d, %r, worst=%.2g)" % (self.layer, self.quantity, self.worst)


# --- Measuring ------------------------------------------------------------

def _cost_name(network) -> str:
    return network.cost if isinstance(network.cost, str) else network.cost.name


def nudged_cost(network: Checked, x: list, y: list, layer: int, j: int, h: float) -> float:
    """C with z^layer[j] replaced by z^layer[j] + h: a forward pass of our own."""
    a = x
    for l in range(1, len(network.sizes)):
        W = network.weights[l - 1]
        z = [sum(W[i][k] * a[k] for k in range(len(a))) for i in range(len(W))]
        if network.biases is not None:
            z = [z[i] + network.biases[l - 1][i] for i in range(len(z))]
        if l == layer:
            z[j] += h
        a = [sigmoid(zi) for zi in z]
    return COSTS[_cost_name(network)].value(a, y)


def numeric_derivative(network: Checked, x: list, y: list, holder: list, index: int) -> float:
    """(C(p + h) - C(p - h)) / 2h for the parameter holder[index]."""
    original = holder[index]
    holder[index] = original + H
    plus = network.cost_value(x, y)
    holder[index] = original - H
    minus = network.cost_value(x, y)
    holder[index] = original
    return (plus - minus) / (2 * H)


def analytic_gradient(network: Checked, x: list, y: list) -> tuple:
    """(deltas, nabla_b, nabla_w) from either kind of network."""
    if isinstance(network, Network):
        deltas = network.gradient(x, y).deltas
    else:
        deltas = network.errors(x, y)
    nabla_b, nabla_w = network.backprop(x, y)
    return deltas, nabla_b, nabla_w


class ShapeError(Exception):
    """An analytic gradient of the wrong shape; the message names the equation."""


def check_shapes(network: Checked, deltas: Optional[list], nabla_b: Optional[list], nabla_w: list) -> None:
    """Raise ShapeError unless every delta^l, dC/db^l and dC/dW^l has its layer's shape."""
    def wrong(label, what, found, expected):
        raise ShapeError("%s is wrong: %s has %s, it should have %s (%s)"
                         % (label, what, found, expected, EQUATIONS[label]))

    L = len(network.sizes) - 1
    for l in range(L, 0, -1):
        n, n_before = network.sizes[l], network.sizes[l - 1]
        label = "BP1" if l == L else "BP2"
        if deltas is not None and len(deltas[l]) != n:
            wrong(label, "delta^%d" % l, "%d entries" % len(deltas[l]), n)
        if nabla_b is not None and len(nabla_b[l - 1]) != n:
            wrong("BP3", "dC/db^%d" % l, "%d entries" % len(nabla_b[l - 1]), n)
        rows = nabla_w[l - 1]
        if len(rows) != n or any(len(row) != n_before for row in rows):
            wrong("BP4", "dC/dW^%d" % l, "rows of %s entries" % "/".join(sorted({str(len(r)) for r in rows}))
                  if len(rows) == n else "%d rows" % len(rows),
                  "%d rows of %d (the shape of W^%d)" % (n, n_before, l))


def numeric_delta(network: Checked, x: list, y: list, layer: int, j: int) -> float:
    """dC/dz^layer[j] by a central difference, nudging z itself."""
    return (nudged_cost(network, x, y, layer, j, H) - nudged_cost(network, x, y, layer, j, -H)) / (2 * H)


def check_gradients(network: Checked, x: list, y: list) -> list:
    """Rows for every layer, output first: delta, W and (if any) b.

    Raises ShapeError for a gradient of the wrong shape, and whatever the
    network's own code raises.
    """
    deltas, nabla_b, nabla_w = analytic_gradient(network, x, y)
    check_shapes(network, deltas, nabla_b, nabla_w)
    rows = []
    for l in range(len(network.sizes) - 1, 0, -1):
        row = Row(l, "delta")
        for j in range(network.sizes[l]):
            row.add((j,), deltas[l][j], numeric_delta(network, x, y, l, j))
        rows.append(row)
        row = Row(l, "W")
        for j, weights in enumerate(network.weights[l - 1]):
            for k in range(len(weights)):
                row.add((j, k), nabla_w[l - 1][j][k], numeric_derivative(network, x, y, weights, k))
        rows.append(row)
        if network.biases is not None:
            row = Row(l, "b")
            for j in range(network.sizes[l]):
                row.add((j,), nabla_b[l - 1][j], numeric_derivative(network, x, y, network.biases[l - 1], j))
            rows.append(row)
    return rows


# --- Naming the equation ----------------------------------------------------

def equation_lines(path: str, label: str) -> list:
    """The numbers of the lines marked ``# <label>`` in ``path``."""
    try:
        with open(path, encoding="utf-8") as source:
            return [number for number, line in enumerate(source, 1) if "# " + label in line]
    except OSError:
        return []


def _where(path: str, label: str) -> str:
    """e.g. 'the line marked BP2 (nrnn/net/reference.py line 148)'."""
    numbers = equation_lines(path, label)
    shown = os.path.relpath(path) if os.path.isabs(path) else path
    if len(numbers) > 1:
        return "the lines marked %s (%s lines %s)" % (label, shown, " and ".join(map(str, numbers)))
    return "the line marked %s (%s%s)" % (label, shown, " line %d" % numbers[0] if numbers else "")


def diagnose(rows: list, path: str) -> str:
    """Which equation to look at, from the pattern of wrong rows."""
    L = max(row.layer for row in rows)
    wrong = [row for row in rows if not row.ok]
    if not wrong:
        return "all four equations agree with the finite differences"
    bad_deltas = sorted(row.layer for row in wrong if row.quantity == "delta")
    if L in bad_deltas:
        text = ("BP1 is wrong: the output error delta^%d of layer %d (%s), and so every "
                "layer below it.  Look at %s" % (L, L, EQUATIONS["BP1"], _where(path, "BP1")))
        if path.endswith("network.py"):
            text += " and at the cost's derivative, output_delta in nrnn/net/cost.py"
        return text + "."
    if bad_deltas:
        top = bad_deltas[-1]
        return ("BP2 is wrong: delta^%d is right but delta^%d is not, so the error handed back "
                "from layer %d to layer %d is wrong (%s)%s.  Look at %s."
                % (L, top, top + 1, top, EQUATIONS["BP2"],
                   ", and with it every layer below" if top > 1 else "", _where(path, "BP2")))
    lines = []
    for quantity, label in (("b", "BP3"), ("W", "BP4")):
        layers = sorted(row.layer for row in wrong if row.quantity == quantity)
        if layers:
            lines.append("%s is wrong: every error delta^l is right, but %s is wrong in layer%s %s (%s).  "
                         "Look at %s."
                         % (label, "dC/db" if quantity == "b" else "dC/dW", "s" if len(layers) > 1 else "",
                            ", ".join(map(str, layers)), EQUATIONS[label], _where(path, label)))
    return "\n".join(lines)


def _raised(error: BaseException) -> str:
    """One line for an exception raised by the checked code, naming its line."""
    if isinstance(error, ShapeError):
        return str(error)
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if os.sep + "nrnn" + os.sep in f.filename and not f.filename.endswith("gradcheck.py")]
    frame = (ours or frames)[-1]
    line = (frame.line or "").strip()
    # The marker may sit at the end of a statement that spans a few lines.
    nearby = "".join(linecache.getline(frame.filename, (frame.lineno or 0) + i) for i in range(3))
    label = next((l for l in EQUATIONS if "# " + l in nearby), None)
    text = "%s: %s, at %s line %d: %s" % (type(error).__name__, error, os.path.relpath(frame.filename),
                                         frame.lineno or 0, line)
    if label:
        text += "\nthat is the line marked %s (%s): look at the shapes it pairs" % (label, EQUATIONS[label])
    return text


# --- The step and the agreement ---------------------------------------------

def _copy(network):
    weights = [[list(row) for row in w] for w in network.weights]
    biases = [list(b) for b in network.biases] if network.biases is not None else None
    if isinstance(network, Network):
        return Network.from_parameters(weights, biases, network.cost.name)
    return type(network)(network.sizes, cost=network.cost, weights=weights, biases=biases)


def largest_difference(a, b) -> float:
    """Largest |difference| between two networks' parameters."""
    worst = 0.0
    for wa, wb in zip(a.weights, b.weights):
        for ra, rb in zip(wa, wb):
            worst = max([worst] + [abs(p - q) for p, q in zip(ra, rb)])
    if a.biases is not None:
        for ba, bb in zip(a.biases, b.biases):
            worst = max([worst] + [abs(p - q) for p, q in zip(ba, bb)])
    return worst


def _step_by_hand(network, batch: list, learning_rate: float):
    """A copy of ``network`` moved by p <- p - (eta / m) sum dC/dp, the gradients all taken first."""
    gradients = [network.backprop(x, y) for x, y in batch]
    for nabla_b, nabla_w in gradients:
        check_shapes(network, None, nabla_b, nabla_w)
    moved = _copy(network)
    m = len(batch)
    for l, weights in enumerate(moved.weights):
        for j, row in enumerate(weights):
            for k in range(len(row)):
                row[k] -= learning_rate / m * sum(g[1][l][j][k] for g in gradients)
        if moved.biases is not None:
            for j in range(len(moved.biases[l])):
                moved.biases[l][j] -= learning_rate / m * sum(g[0][l][j] for g in gradients)
    return moved


def check_step(network: Checked, batch: list, learning_rate: float = 0.5) -> list:
    """[(what, largest difference)] for train_sample and train_batch against a step by hand."""
    results = []
    stepped = _copy(network)
    stepped.train_sample(batch[0][0], batch[0][1], learning_rate)
    results.append(("one train_sample = gradient, then update",
                    largest_difference(stepped, _step_by_hand(network, batch[:1], learning_rate))))
    stepped = _copy(network)
    stepped.train_batch(batch, learning_rate)
    results.append(("one train_batch of %d = the mean gradient's step" % len(batch),
                    largest_difference(stepped, _step_by_hand(network, batch, learning_rate))))
    return results


def check_agreement(fast: Network, reference: ReferenceNetwork, samples: list, learning_rate: float = 0.5) -> float:
    """Largest parameter difference after 20 per-sample and 5 mini-batch steps of both."""
    for x, y in samples[:20]:
        fast.train_sample(x, y, learning_rate)
        reference.train_sample(x, y, learning_rate)
    for start in range(0, 15, 3):
        fast.train_batch(samples[start:start + 3], learning_rate)
        reference.train_batch(samples[start:start + 3], learning_rate)
    return largest_difference(fast, reference)


def samples_for(sizes: list, count: int, seed: int) -> list:
    """``count`` (x, y) pairs: inputs in [0, 1] with some exact zeros (the
    sparse first layer must be checked too), targets in [0, 1]."""
    from nrnn.net.prng import PCG32
    rng = PCG32(seed, 7)
    samples = []
    for _ in range(count):
        x = [0.0 if rng.below(3) == 0 else rng.uniform() for _ in range(sizes[0])]
        y = [float(rng.below(2)) for _ in range(sizes[-1])]
        samples.append((x, y))
    return samples


# --- The report -------------------------------------------------------------

def _layers(text: str) -> list:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a comma-separated list of layer sizes such as 4,5,3,2"
                                         % text) from None
    if len(sizes) < 2 or min(sizes) < 1 or sum(a * b for a, b in zip(sizes, sizes[1:])) > 2000:
        raise argparse.ArgumentTypeError("give 2 or more positive sizes and at most 2000 weights, got %s" % text)
    return sizes


def run(sizes: list, costs: list, bias: bool, seed: int, out: TextIO = sys.stdout) -> bool:
    """Print every check; return True when everything agrees."""
    import nrnn.net.network
    import nrnn.net.reference
    # getsourcefile is None only for a module without source: not these two.
    files = {"reference": inspect.getsourcefile(nrnn.net.reference) or "",
             "network": inspect.getsourcefile(nrnn.net.network) or ""}
    samples = samples_for(sizes, 21, seed)
    x, y = samples[20]
    all_ok = True
    out.write("Gradient check: layers %s, %s, seed %d; input %s\n"
              % (",".join(map(str, sizes)), "with biases" if bias else "no biases", seed,
                 "[" + ", ".join("%.3g" % v for v in x) + "]"))
    out.write("numeric = (C(p + h) - C(p - h)) / 2h, h = %g; error up to %g is ok\n" % (H, TOLERANCE))
    for kind in ("reference", "network"):
        label = "nrnn/net/%s.py" % kind
        results: dict[str, Any] = {}  # cost: its list of Rows, or the exception its check raised
        for cost in costs:
            reference = ReferenceNetwork(sizes, bias=bias, cost=cost, seed=seed)
            network = reference if kind == "reference" else Network.from_parameters(
                _copy(reference).weights, _copy(reference).biases, cost)
            try:
                results[cost] = check_gradients(network, x, y)
            except Exception as raised:  # the code under check raised: report it, keep going
                results[cost] = raised
        out.write("\n%s (%s)\n" % (label, "ReferenceNetwork" if kind == "reference" else "Network"))
        tables = [c for c in costs if isinstance(results[c], list)]
        if tables:
            header = "%-5s  %-18s %5s" % ("layer", "derivative", "count")
            out.write((header + "".join("  %-22s" % c for c in tables)).rstrip() + "\n")
            for i, row in enumerate(results[tables[0]]):
                line = "%5d  %-18s %5d" % (row.layer, row.name, row.count)
                for cost in tables:
                    other = results[cost][i]
                    line += "  %-22s" % ("%.0e  %s" % (other.worst, "ok" if other.ok else "WRONG"))
                out.write(line.rstrip() + "\n")
        # [(costs, verdict, examples)], costs with the same verdict together
        verdicts: list[tuple[list[str], str, list[str]]] = []
        for cost in costs:
            result = results[cost]
            example = None
            if isinstance(result, list):
                verdict = diagnose(result, files[kind])
                wrong = [row for row in result if not row.ok]
                if wrong:
                    # The topmost wrong quantity is where the mistake shows first.
                    example = max(wrong, key=lambda row: (row.layer, row.quantity == "delta")).describe()
            elif isinstance(result, ShapeError):
                verdict = "%s.  Look at %s." % (result, _where(files[kind], str(result)[:3]))
            else:
                verdict = "the gradient could not be computed: " + _raised(result)
            all_ok = all_ok and verdict.startswith("all four")
            if verdicts and verdicts[-1][1] == verdict:
                verdicts[-1][0].append(cost)
            else:
                verdicts.append(([cost], verdict, []))
            if example:
                verdicts[-1][2].append("%s, for example %s" % (cost, example))
        for names, verdict, examples in verdicts:
            _write_wrapped(out, "\n".join(["%s: %s" % (" and ".join(names), verdict)] + examples))

    out.write("\nstep checks (largest parameter difference; up to %g is ok)\n" % STEP_TOLERANCE)
    for kind in ("reference", "network"):
        for cost in costs:
            reference = ReferenceNetwork(sizes, bias=bias, cost=cost, seed=seed)
            network = reference if kind == "reference" else Network.from_parameters(
                _copy(reference).weights, _copy(reference).biases, cost)
            try:
                steps = check_step(network, samples[:3])
            except Exception as raised:
                all_ok = False
                out.write("  nrnn/net/%s.py, %s: %s\n" % (kind, cost, _raised(raised)))
                continue
            for what, difference in steps:
                ok = difference <= STEP_TOLERANCE
                all_ok = all_ok and ok
                out.write("  %-23s %-13s %-48s %.0e  %s\n" % ("nrnn/net/%s.py" % kind, cost, what, difference,
                                                               "ok" if ok else "WRONG"))
                if not ok:
                    out.write("    the step does not use the gradient computed before it: does the "
                              "backward pass update W^(l+1) before BP2 has used it?\n")
    out.write("\nagreement: Network and ReferenceNetwork from the same weights, after 20 per-sample and 5 "
              "mini-batch steps\n")
    for cost in costs:
        reference = ReferenceNetwork(sizes, bias=bias, cost=cost, seed=seed)
        fast = Network.from_parameters(_copy(reference).weights, _copy(reference).biases, cost)
        try:
            difference = check_agreement(fast, reference, samples[:20])
        except Exception as raised:
            all_ok = False
            out.write("  %s: %s\n" % (cost, _raised(raised)))
            continue
        ok = difference <= STEP_TOLERANCE
        all_ok = all_ok and ok
        out.write("  %-13s largest difference %.0e  %s\n" % (cost, difference, "ok" if ok else "WRONG"))
        if not ok:
            out.write("    they compute different things: the checks above say which one is wrong\n")
    out.write("\n%s\n" % ("everything agrees" if all_ok else "something is WRONG (see above)"))
    return all_ok


def _write_wrapped(out, text: str) -> None:
    for number, paragraph in enumerate(text.split("\n")):
        out.write(textwrap.fill(paragraph, width=100, initial_indent="    " if number else "",
                                subsequent_indent="    ") + "\n")


def main(argv: Optional[list[str]] = None) -> int:
    parser = OneLineParser(prog="python -m nrnn.net.gradcheck",
                                     description="Check backpropagation against finite differences "
                                                 "and name the equation that is wrong.")
    parser.add_argument("--layers", type=_layers, default=[4, 5, 3, 2], metavar="SIZES",
                        help="neurons per layer, input first (default: 4,5,3,2)")
    parser.add_argument("--cost", choices=sorted(COSTS), help="check one cost only (default: both)")
    parser.add_argument("--no-bias", action="store_false", dest="bias", help="a bias-free network")
    parser.add_argument("--seed", type=int, default=1, help="seed of the weights and samples (default: 1)")
    args = parser.parse_args(argv)
    costs = [args.cost] if args.cost else ["cross-entropy", "quadratic"]
    return EXIT_OK if run(args.layers, costs, args.bias, args.seed) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
