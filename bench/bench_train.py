"""Benchmark: an epoch of ``python train.py`` with the default network, before and after.

    python -m bench.bench_train [--repeat 3] [--epochs 1] [--limit N] [--no-memory]
    pypy3  -m bench.bench_train

Gets MNIST through the data API (``nrnn.data.ensure_csv``; the source is
--source, else $NRNN_MNIST_SOURCE, else ../shared/mnist) and trains the
default network (train.py's defaults: 784,100,10, cross-entropy, per-sample
SGD, learning rate 0.1, seed 0), each run in a child process of its own, with
the data path of train.py ("after") and the path it replaced ("before"),
interleaved run by run so that both see the same machine load:

* before: samples as 784 floats (a 10,000-sample shuffle buffer of float
  lists), the CSV split at its commas on every interpreter, and the test
  set parsed again for every evaluation;
* after: samples as 784 bytes, expanded when used (nrnn/mnist/mnist_csv.py), the
  bytes-level parser on PyPy, and the test set parsed once (``ReadOnce``).

It prints, as medians over --repeat runs of each:

1. the epoch's time and the share of it spent reading the CSV files (time
   inside the readers' ``next``: file reading and parsing);
2. the time of the evaluation on the test set after each epoch (with the
   after path, the first one also parses the test set: see epoch 2 for the
   evaluations that follow);
3. the peak memory of a default ``train.py --epochs 1`` (the child's maximum
   resident set size from ``os.wait4``; tracemalloc would slow CPython down
   several times and does not see PyPy's heap), for ``train.py`` itself
   (after) and ``train.py`` with the before data path put back in (before).
   Both runs save the same model file, bit for bit (checked: the digest of
   the weights is printed).  ``--floor`` adds a train.py that holds no
   samples at all (no shuffle buffer, the test set read again each epoch):
   what the interpreter, the modules and the network take without data.

The shared training set holds 24,345 images, not 60,000.
"""

import argparse
import hashlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from nrnn.data import ensure_csv
from nrnn.mnist import download, mnist_csv
from nrnn.mnist.mnist_csv import ReadOnce, count_samples, read_samples
from nrnn.net.network import Network
from nrnn.train.config import TrainingConfig, TrainingState
from nrnn.train.training import Reporter, Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PATHS = ("before", "after")


def default_source():
    return os.environ.get(download.SOURCE_ENV_VAR) or os.path.join(os.path.dirname(ROOT), "shared", "mnist")


class TimedReader:
    """Wraps a reader; adds the seconds spent inside its iterator to ``.seconds``."""

    def __init__(self, reader):
        self.reader = reader
        self.seconds = 0.0

    def __iter__(self):
        clock = time.perf_counter
        iterator = iter(self.reader)
        while True:
            started = clock()
            try:
                sample = next(iterator)
            except StopIteration:
                self.seconds += clock() - started
                return
            self.seconds += clock() - started
            yield sample


class Timer(Reporter):
    def __init__(self):
        self.epochs = []

    def epoch_started(self, epoch, config, state):
        self.start = time.perf_counter()

    def evaluation_started(self, epoch):
        self.trained = time.perf_counter()

    def epoch_finished(self, record, evaluation):
        now = time.perf_counter()
        self.epochs.append({"train": self.trained - self.start, "evaluate": now - self.trained,
                            "accuracy": record["test_accuracy"]})


def use_path(path):
    """Put the 'before' data path back in (or leave the 'after' one)."""
    if path == "before":
        # The parser CPython uses, on every interpreter (parse_fast is
        # looked up at each reading).
        mnist_csv.parse_fast = mnist_csv.parse_by_split


def readers(path, train_csv, test_csv):
    compact = path == "after"
    train = read_samples(train_csv, compact=compact)
    test = read_samples(test_csv, compact=compact)
    return train, test


def weights_digest(network):
    text = json.dumps([network.weights, network.biases])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def child_timing(args):
    """One timed training run in this process; prints a JSON line."""
    use_path(args.child)
    train_csv, test_csv = ensure_csv(args.data_dir, args.source, quiet=True)
    config = TrainingConfig(limit=args.limit, epochs=args.epochs)
    available = count_samples(train_csv)
    samples = min(available, args.limit) if args.limit else available
    network = Network(config.sizes, bias=config.bias, cost=config.cost, seed=config.seed)
    train, test = readers(args.child, train_csv, test_csv)
    train, test = TimedReader(train), TimedReader(test)
    timer = Timer()
    started = time.perf_counter()
    Trainer(network, config, TrainingState(samples), train, ReadOnce(test) if args.child == "after" else test,
            timer).run()
    total = time.perf_counter() - started
    print(json.dumps({"total": total, "reading": train.seconds + test.seconds, "epochs": timer.epochs,
                      "samples": samples, "digest": weights_digest(network)}))


def child_train_py(args, argv):
    """``train.py`` itself, with the before data path put back in if asked."""
    from nrnn.train import command, session
    use_path(args.child)
    if args.child == "before":
        session.read_samples = lambda path, skip_bad=False, compact=False: read_samples(path, skip_bad)
        session.ReadOnce = lambda reader: reader
    sys.stdout = io.StringIO()  # -q prints the final line only; keep the JSON line alone
    status = command.main(argv)
    sys.stdout = sys.__stdout__
    from nrnn.net.model_file import load_model
    model = argv[argv.index("--model") + 1]
    print(json.dumps({"status": status, "digest": weights_digest(load_model(model))}))


def run_child(arguments):
    """Run this script as a child; return (its JSON line, its peak RSS in MiB)."""
    process = subprocess.Popen([sys.executable, "-m", "bench.bench_train"] + arguments,
                               stdout=subprocess.PIPE, cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = status
    if status != 0:
        raise SystemExit("child %s failed (status %d)" % (" ".join(arguments), status))
    # Linux reports kilobytes, macOS bytes.
    peak = usage.ru_maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else usage.ru_maxrss / 1024.0
    return json.loads(output.decode().strip().splitlines()[-1]), peak


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=default_source())
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "data"))
    parser.add_argument("--limit", type=int, default=None, help="train on the first N samples only (timing runs)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of the timing runs (default: 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path (default: 3)")
    parser.add_argument("--no-memory", action="store_true", help="skip the train.py runs for peak memory")
    parser.add_argument("--floor", action="store_true",
                        help="also the peak memory of a train.py that holds no samples at all "
                             "(--shuffle-buffer 0, the test set read again each epoch)")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--train-py", metavar="JSON", help=argparse.SUPPRESS)  # its argv
    args = parser.parse_args()
    if args.child and args.train_py:
        return child_train_py(args, json.loads(args.train_py))
    if args.child:
        return child_timing(args)

    train_csv, test_csv = ensure_csv(args.data_dir, args.source, quiet=True)
    common = ["--data-dir", args.data_dir, "--source", args.source, "--epochs", str(args.epochs)]
    if args.limit:
        common += ["--limit", str(args.limit)]
    timings = {path: [] for path in PATHS}
    memory = {path: [] for path in PATHS + ("floor",)}
    digests = {path: set() for path in PATHS}
    folder = tempfile.mkdtemp(prefix="nrnn-bench-train-")
    for _ in range(args.repeat):
        for path in PATHS:
            result, _peak = run_child(["--child", path] + common)
            timings[path].append(result)
            digests[path].add(result["digest"])
        if args.no_memory:
            continue
        for path in PATHS:
            model = os.path.join(folder, "%s.json" % path)
            argv = ["--epochs", "1", "--data-dir", args.data_dir, "--source", args.source,
                    "--model", model, "--overwrite", "-q"]
            result, peak = run_child(["--child", path, "--train-py", json.dumps(argv)])
            memory[path].append(peak)
            digests[path].add("train.py " + result["digest"])
        if args.floor:  # another shuffle order, so other weights: no digest
            argv = ["--epochs", "1", "--data-dir", args.data_dir, "--source", args.source,
                    "--model", os.path.join(folder, "floor.json"), "--overwrite", "-q", "--shuffle-buffer", "0"]
            memory["floor"].append(run_child(["--child", "before", "--train-py", json.dumps(argv)])[1])

    samples = timings["after"][0]["samples"]
    print("interpreter       %s %s (%s)" % (platform.python_implementation(), platform.python_version(),
                                           platform.machine()))
    print("training set      %s (%d samples an epoch; the shared set has 24,345, not 60,000)"
          % (train_csv, samples))
    print("runs              %d of each path, interleaved; medians" % args.repeat)
    print()
    print("%-48s %12s %12s %8s" % ("", "before", "after", "ratio"))

    def row(name, before, after, unit="s", ratio=True):
        shown = "%.1f " + unit.replace("%", "%%")
        print("%-48s %12s %12s %8s" % (name, shown % before, shown % after,
                                        "%.2fx" % (before / after) if ratio and after else ""))

    def figure(path, key):
        return median([result[key] for result in timings[path]])

    row("%d epoch%s, training + evaluation" % (args.epochs, "" if args.epochs == 1 else "s"),
        figure("before", "total"), figure("after", "total"))
    row("  of which reading CSV", figure("before", "reading"), figure("after", "reading"))
    share = {path: 100 * median([r["reading"] / r["total"] for r in timings[path]]) for path in PATHS}
    row("  reading CSV, share of the time", share["before"], share["after"], unit="%", ratio=False)
    for epoch in range(args.epochs):
        evaluations = {path: median([r["epochs"][epoch]["evaluate"] for r in timings[path]]) for path in PATHS}
        note = " (parses the test set)" if epoch == 0 else ""
        row("evaluation after epoch %d%s" % (epoch + 1, note), evaluations["before"], evaluations["after"])
    if not args.no_memory:
        row("peak memory, train.py --epochs 1", median(memory["before"]), median(memory["after"]), unit="MiB")
    if memory["floor"]:
        print("%-48s %12s %12s" % ("  holding no samples at all (--shuffle-buffer 0)", "",
                                  "%.1f MiB" % median(memory["floor"])))
    accuracy = {path: timings[path][0]["epochs"][-1]["accuracy"] for path in PATHS}
    print()
    print("test accuracy     before %.2f%%, after %.2f%%" % (100 * accuracy["before"], 100 * accuracy["after"]))
    same = digests["before"] == digests["after"] and len(digests["after"]) == (1 if args.no_memory else 2)
    print("weights           %s (%s)" % ("identical" if same else "DIFFERENT",
                                         ", ".join(sorted(digests["after"]))))


if __name__ == "__main__":
    main()
