"""Benchmark: nrnn's network against the naive textbook reference.

    python -m bench.bench_network [--repeat 5] [--samples N]
    pypy3  -m bench.bench_network
    python -m bench.bench_network --compare-with OLD_NETWORK.py

For [784, 16, 16, 10], [784, 30, 10] and [784, 128, 64, 10] it trains with
per-sample SGD and runs inference on real MNIST images (read from
../shared/mnist, or the folder in NRNN_MNIST_SOURCE), for nrnn and for the
plain reference network (nrnn/net/reference.py, nested loops, no kernels) in the
same run, and prints samples per second as the median of several
repetitions, and the ratio.

``--compare-with FILE`` times another version of nrnn/net/network.py instead of
the reference (e.g. ``git show main:nrnn/net/network.py > /tmp/before.py``),
alternating the two repetition by repetition so that both see the same
machine load: the ratio is then "this network.py / FILE".  Where numpy happens to be
installed it also times a numpy implementation of the same per-sample SGD,
for reference only (nrnn never needs numpy).
"""

import argparse
import gzip
import importlib.util
import os
import platform
import statistics
import struct
import time

from nrnn.net.network import Network
from nrnn.net.reference import ReferenceNetwork, one_hot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHITECTURES = ([784, 16, 16, 10], [784, 30, 10], [784, 128, 64, 10])
ON_PYPY = platform.python_implementation() == "PyPy"


def load_mnist(count):
    folder = os.environ.get("NRNN_MNIST_SOURCE", os.path.join(os.path.dirname(ROOT), "shared", "mnist"))
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as images:
        magic, n, rows, cols = struct.unpack(">IIII", images.read(16))
        raw = images.read(784 * count)
    with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as labels:
        labels.read(8)
        label_bytes = labels.read(count)
    scale = [i / 255.0 for i in range(256)]
    return [([scale[b] for b in raw[k * 784:(k + 1) * 784]], label_bytes[k]) for k in range(count)]


def rate(run, samples, repeat):
    """Median samples/s of ``repeat`` timed runs of ``run(samples)``."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(samples)
        rates.append(len(samples) / (time.perf_counter() - start))
    return statistics.median(rates)


def train_with(network):
    def run(samples):
        for x, label in samples:
            network.train_sample(x, label, 0.1)
    return run


def train_reference(network):
    targets = [one_hot(label) for label in range(10)]

    def run(samples):
        for x, label in samples:
            network.train_sample(x, targets[label], 0.1)
    return run


def rates_alternating(runs, samples, repeat):
    """Median samples/s of each of ``runs``, timed in turn, ``repeat`` rounds."""
    rates = [[] for _ in runs]
    for _ in range(repeat):
        for run, measured in zip(runs, rates):
            start = time.perf_counter()
            run(samples)
            measured.append(len(samples) / (time.perf_counter() - start))
    return [statistics.median(measured) for measured in rates]


def load_network_class(path):
    """The Network class of another version of nrnn/net/network.py."""
    spec = importlib.util.spec_from_file_location("nrnn._compared_network", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # relative imports resolve inside nrnn
    return module.Network


def compare(path, samples, repeat):
    Before = load_network_class(path)
    print("%-20s %12s %12s %8s %12s %12s %8s" % ("layers", "train/s", "before", "ratio",
                                                 "infer/s", "before", "ratio"))
    for sizes in ARCHITECTURES:
        ours, before = Network(sizes, seed=0), Before(sizes, seed=0)
        if ON_PYPY:
            train_with(ours)(samples[:1000])
            train_with(before)(samples[:1000])
        train, train_before = rates_alternating([train_with(ours), train_with(before)], samples, repeat)
        infer, infer_before = rates_alternating([infer_with(ours), infer_with(before)], samples, repeat)
        print("%-20s %12.0f %12.0f %7.3fx %12.0f %12.0f %7.3fx" % (
            ",".join(map(str, sizes)), train, train_before, train / train_before,
            infer, infer_before, infer / infer_before))


def infer_with(network):
    def run(samples):
        for x, _ in samples:
            network.feedforward(x)
    return run


def numpy_trainer(sizes):
    try:
        import numpy as np
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 1 / np.sqrt(n), (m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(m) for m in sizes[1:]]

    def run(samples):
        for x, label in samples:
            activations = [np.asarray(x)]
            for w, b in zip(weights, biases):
                activations.append(1 / (1 + np.exp(-(w @ activations[-1] + b))))
            delta = activations[-1].copy()
            delta[label] -= 1
            for layer in range(len(weights) - 1, -1, -1):
                previous = weights[layer].T @ delta * activations[layer] * (1 - activations[layer]) if layer else None
                weights[layer] -= 0.1 * np.outer(delta, activations[layer])
                biases[layer] -= 0.1 * delta
                delta = previous
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (median is reported)")
    parser.add_argument("--samples", type=int, default=0, help="samples per repetition (default: by interpreter)")
    parser.add_argument("--layers", metavar="SIZES", action="append",
                        help="time this architecture only, e.g. 784,30,10 (repeatable; default: all three)")
    parser.add_argument("--compare-with", metavar="FILE",
                        help="time this version of nrnn/net/network.py against FILE, another version of it")
    args = parser.parse_args()
    global ARCHITECTURES
    if args.layers:
        ARCHITECTURES = [[int(n) for n in text.split(",")] for text in args.layers]
    count = args.samples or (4000 if ON_PYPY else 600)
    samples = load_mnist(count)
    if args.compare_with:
        print("%s %s, %d MNIST training samples per repetition, median of %d, alternating"
              % (platform.python_implementation(), platform.python_version(), count, args.repeat))
        compare(args.compare_with, samples, args.repeat)
        return
    naive_samples = samples[: max(50, count // (4 if ON_PYPY else 6))]
    print("%s %s, %d MNIST training samples per repetition, median of %d"
          % (platform.python_implementation(), platform.python_version(), count, args.repeat))
    print("%-20s %12s %12s %8s %12s %12s %8s" % ("layers", "train/s", "naive", "ratio", "infer/s", "naive", "ratio"))
    for sizes in ARCHITECTURES:
        ours, naive = Network(sizes, seed=0), ReferenceNetwork(sizes, seed=0)
        if ON_PYPY:  # let the JIT compile both before timing
            train_with(ours)(samples[:1000])
            train_reference(naive)(naive_samples)
        train = rate(train_with(ours), samples, args.repeat)
        naive_train = rate(train_reference(naive), naive_samples, args.repeat)
        infer = rate(infer_with(ours), samples, args.repeat)
        naive_infer = rate(infer_with(naive), naive_samples, args.repeat)
        print("%-20s %12.0f %12.0f %7.1fx %12.0f %12.0f %7.1fx" % (
            ",".join(map(str, sizes)), train, naive_train, train / naive_train,
            infer, naive_infer, infer / naive_infer))
        numpy_run = numpy_trainer(sizes)
        if numpy_run is not None:
            print("%-20s %12.0f   (numpy, same per-sample SGD, for reference)"
                  % ("", rate(numpy_run, samples, args.repeat)))


if __name__ == "__main__":
    main()
