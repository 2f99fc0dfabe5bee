"""Benchmark: nrnn's network against the naive textbook reference.

    python bench/bench_network.py [--repeat 5] [--samples N]
    pypy3  bench/bench_network.py

For [784, 16, 16, 10], [784, 30, 10] and [784, 128, 64, 10] it trains with
per-sample SGD and runs inference on real MNIST images (read from
../shared/mnist, or the folder in NRNN_MNIST_SOURCE), for nrnn and for
bench/naive_network.py in the same run, and prints samples per second as the
median of several repetitions, and the ratio.  Where numpy happens to be
installed it also times a numpy implementation of the same per-sample SGD,
for reference only (nrnn never needs numpy).
"""

import argparse
import gzip
import os
import platform
import statistics
import struct
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.naive_network import NaiveNetwork  # noqa: E402
from nrnn.network import Network  # noqa: E402

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
    args = parser.parse_args()
    count = args.samples or (4000 if ON_PYPY else 600)
    samples = load_mnist(count)
    naive_samples = samples[: max(50, count // (4 if ON_PYPY else 6))]
    print("%s %s, %d MNIST training samples per repetition, median of %d"
          % (platform.python_implementation(), platform.python_version(), count, args.repeat))
    print("%-20s %12s %12s %8s %12s %12s %8s" % ("layers", "train/s", "naive", "ratio", "infer/s", "naive", "ratio"))
    for sizes in ARCHITECTURES:
        ours, naive = Network(sizes, seed=0), NaiveNetwork(sizes, seed=0)
        if ON_PYPY:  # let the JIT compile both before timing
            train_with(ours)(samples[:1000])
            train_with(naive)(naive_samples)
        train = rate(train_with(ours), samples, args.repeat)
        naive_train = rate(train_with(naive), naive_samples, args.repeat)
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
