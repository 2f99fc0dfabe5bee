"""Benchmark: one epoch of ``python train.py`` with the default network.

    python -m bench.bench_train [--source DIR] [--data-dir DIR] [--limit N]
    pypy3  -m bench.bench_train

Gets MNIST through the data API (``nrnn.data.ensure_csv``; the source is
--source, else $NRNN_MNIST_SOURCE, else ../shared/mnist), trains the default
network (train.py's defaults: 784,100,10, cross-entropy, per-sample SGD,
learning rate 0.1, seed 0) for one epoch with the training loop, evaluates
it on the test set, and prints:

* training samples/s (the SGD steps, including reading and shuffling the
  CSV stream) and the time an epoch of the full 60,000-image training set
  would take at that rate;
* test samples/s (forward passes) and the test accuracy;
* peak memory: the process's maximum resident set size
  (``resource.getrusage``; tracemalloc would slow CPython down several times
  and does not see PyPy's heap).

The shared training set holds 24,345 images, not 60,000: the accuracy is
for a 24,345-image epoch; the 60,000 figure is an extrapolation of the rate.
"""

import argparse
import os
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from nrnn.mnist import download
from nrnn.data import ensure_csv
from nrnn.mnist.mnist_csv import count_samples, read_samples
from nrnn.net.network import Network
from nrnn.progress import format_duration
from nrnn.train.config import TrainingConfig, TrainingState
from nrnn.train.training import Reporter, Trainer

FULL_TRAINING_SET = 60000


def default_source():
    return os.environ.get(download.SOURCE_ENV_VAR) or os.path.join(os.path.dirname(ROOT), "shared", "mnist")


def peak_memory_mb():
    try:
        import resource
    except ImportError:  # not on Unix
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


class Timer(Reporter):
    def epoch_started(self, epoch, config, state):
        self.start = time.perf_counter()

    def evaluation_started(self, epoch):
        self.trained = time.perf_counter()

    def epoch_finished(self, record, evaluation):
        self.finished = time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=default_source())
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "data"))
    parser.add_argument("--limit", type=int, default=None, help="train on the first N samples only")
    args = parser.parse_args()

    train_csv, test_csv = ensure_csv(args.data_dir, args.source, quiet=True)
    config = TrainingConfig(limit=args.limit)  # train.py's defaults
    available = count_samples(train_csv)
    samples = min(available, args.limit) if args.limit else available
    network = Network(config.sizes, bias=config.bias, cost=config.cost, seed=config.seed)
    timer = Timer()
    trainer = Trainer(network, config, TrainingState(samples), read_samples(train_csv),
                      read_samples(test_csv), timer)
    trainer.run()
    evaluation = trainer.last_evaluation
    train_seconds = timer.trained - timer.start
    test_seconds = timer.finished - timer.trained
    rate = samples / train_seconds
    memory = peak_memory_mb()

    print("interpreter       %s %s (%s)" % (platform.python_implementation(), platform.python_version(),
                                           platform.machine()))
    print("network           %r, %d parameters" % (network, network.parameter_count()))
    print("training set      %s (%d samples; the shared set, not the full 60,000)" % (train_csv, samples))
    print("training          %.1f s, %.0f samples/s" % (train_seconds, rate))
    print("60,000-sample epoch, extrapolated: %s" % format_duration(FULL_TRAINING_SET / rate))
    print("test              %d samples in %.1f s, %.0f samples/s" % (
        evaluation.count, test_seconds, evaluation.count / test_seconds))
    print("test accuracy     %.2f%% after one epoch" % (100 * evaluation.accuracy))
    print("peak memory       %s" % ("%.0f MB (max RSS)" % memory if memory is not None else "unknown"))


if __name__ == "__main__":
    main()
