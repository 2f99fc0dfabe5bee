"""Benchmark: the data layer, as a user without internet would run it.

    python -m bench.bench_data [--source DIR] [--repeat 5]
    pypy3  -m bench.bench_data

Using ../shared/mnist (or --source, or $NRNN_MNIST_SOURCE) as the source,
into a temporary data folder, it measures:

1. fetch + convert of both sets (``nrnn.data.ensure_csv``), wall time;
2. lines/s of the streaming CSV reader over the training CSV (median of
   ``--repeat`` runs), and of ``count_samples``;
2b. lines/s of the two fast-path parsers, ``parse_by_split`` (CPython's)
   and ``parse_by_scanning`` (PyPy's), over the test CSV, interleaved run
   by run, and of reading compact samples against reading floats (the
   compact reading expands nothing; training expands a sample when used);
3. peak memory (tracemalloc) while streaming the whole training CSV, to
   show it is constant (CPython only: tracemalloc does not see PyPy's heap).

Note which training set was used: the shared one holds 24,345 images, not
60,000; lines/s and peak memory do not depend on that, fetch time does.
"""

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time

from nrnn import data
from nrnn.mnist import download, mnist_csv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ON_PYPY = platform.python_implementation() == "PyPy"


def default_source():
    return os.environ.get(download.SOURCE_ENV_VAR) or os.path.join(os.path.dirname(ROOT), "shared", "mnist")


def read_all(path):
    count = 0
    for _pixels, _label in mnist_csv.read_samples(path):
        count += 1
    return count


def parse_all(path, parse):
    count = 0
    with open(path, "rb") as handle:
        for line in handle:
            count += parse(line) is not None
    return count


def interleaved(runs, repeat, lines):
    """{name: median lines/s} of the callables in ``runs``, timed in turn."""
    rates = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            rates[name].append(lines / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=default_source())
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print("%s %s on %s" % (platform.python_implementation(), platform.python_version(), platform.machine()))
    print("source: %s" % args.source)
    folder = tempfile.mkdtemp(prefix="nrnn-bench-")
    try:
        started = time.perf_counter()
        train_csv, test_csv = data.ensure_csv(folder, source=args.source, quiet=True)
        prepare_seconds = time.perf_counter() - started
        train_lines = mnist_csv.count_samples(train_csv)
        test_lines = mnist_csv.count_samples(test_csv)
        print("fetch + convert (%d train + %d test images): %.2f s"
              % (train_lines, test_lines, prepare_seconds))
        print("CSV sizes: train %.1f MB, test %.1f MB"
              % (os.path.getsize(train_csv) / 1e6, os.path.getsize(test_csv) / 1e6))

        rates = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            count = read_all(train_csv)
            rates.append(count / (time.perf_counter() - started))
        print("read_samples: median %.0f lines/s (min %.0f, max %.0f, %d runs of %d lines)"
              % (statistics.median(rates), min(rates), max(rates), args.repeat, count))

        parsers = interleaved({
            "split": lambda: parse_all(test_csv, mnist_csv.parse_by_split),
            "scan": lambda: parse_all(test_csv, mnist_csv.parse_by_scanning),
        }, args.repeat, test_lines)
        chosen = "scan" if mnist_csv.parse_fast is mnist_csv.parse_by_scanning else "split"
        print("fast-path parsers over the test CSV (median of %d, interleaved; this interpreter uses %s):"
              % (args.repeat, chosen))
        print("  parse_by_split    %6.0f lines/s" % parsers["split"])
        print("  parse_by_scanning %6.0f lines/s  (%.2fx split)"
              % (parsers["scan"], parsers["scan"] / parsers["split"]))
        readings = interleaved({
            "floats": lambda: read_all(test_csv),
            "compact": lambda: sum(1 for _ in mnist_csv.read_samples(test_csv, compact=True)),
        }, args.repeat, test_lines)
        print("read_samples over the test CSV: floats %.0f lines/s, compact %.0f lines/s (%.2fx)"
              % (readings["floats"], readings["compact"], readings["compact"] / readings["floats"]))

        started = time.perf_counter()
        mnist_csv.count_samples(train_csv)
        print("count_samples: %.0f lines/s" % (train_lines / (time.perf_counter() - started)))

        if ON_PYPY:
            print("peak memory: not measured (tracemalloc does not trace PyPy)")
        else:
            import tracemalloc

            tracemalloc.start()
            read_all(train_csv)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print("peak memory streaming the whole training CSV: %.0f kB" % (peak / 1e3))
            tracemalloc.start()
            for _ in mnist_csv.read_samples(train_csv, limit=1000):
                pass
            _, peak_small = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print("  (first 1,000 lines only: %.0f kB)" % (peak_small / 1e3))
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
