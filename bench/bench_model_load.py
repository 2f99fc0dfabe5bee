"""Benchmark: how long loading a model file takes.

    python -m bench.bench_model_load [--model PATH] [--repeat 9]
    python -m bench.bench_model_load --compare-with OLD_MODEL_FILE.py

Times ``nrnn.net.model_file.load_model`` on the shipped 784-500-10 model
(data/model.json.gz) and prints the median of ``--repeat`` loads, and where
the time goes: reading and inflating the gzip data, ``json.loads``, and the
rest (checking every field and number, building the Network).

``--compare-with FILE`` also times another version of nrnn/net/model_file.py
(e.g. ``git show main:nrnn/net/model_file.py > /tmp/model_file_before.py``),
alternating the two load by load so that both see the same machine load,
and prints the ratio "FILE's time / this model_file.py's time" (above 1:
this one loads faster).  Both must give the very same weights; the script
checks that they do.
"""

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import time

from nrnn.net import model_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_module(path):
    """Another version of nrnn/net/model_file.py, imported inside the package."""
    spec = importlib.util.spec_from_file_location("nrnn._compared_model_file", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # relative imports resolve inside nrnn
    return module


def seconds(load, path):
    start = time.perf_counter()
    load(path)
    return time.perf_counter() - start


def phases(path, repeat):
    """Median seconds of the steps of a load: inflate, json.loads, the rest."""
    inflate, parse = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        raw = model_file.read_capped(path, model_file.MAX_FILE_BYTES, model_file.ModelFileError,
                                     "the model file", "MAX_FILE_BYTES")
        if raw[:2] == model_file.GZIP_MAGIC:
            raw = model_file._gunzip(raw, path, model_file.JsonBudget(path))
        middle = time.perf_counter()
        json.loads(raw.decode("utf-8"), parse_constant=float)
        inflate.append(middle - start)
        parse.append(time.perf_counter() - middle)
    return statistics.median(inflate), statistics.median(parse)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=model_file.SHIPPED_MODEL, help="model file to load")
    parser.add_argument("--repeat", type=int, default=9, help="timed loads (the median is reported)")
    parser.add_argument("--compare-with", metavar="FILE",
                        help="another version of nrnn/net/model_file.py to time against this one")
    args = parser.parse_args()
    print("%s %s, %s, median of %d loads" % (platform.python_implementation(),
                                             platform.python_version(), args.model, args.repeat))
    loads = [("this model_file.py", model_file.load_model)]
    if args.compare_with:
        before = load_module(args.compare_with)
        loads.append((args.compare_with, before.load_model))
        ours, theirs = model_file.load_model(args.model), before.load_model(args.model)
        if (ours.weights, ours.biases) != (theirs.weights, theirs.biases):
            sys.exit("the two loaders give different weights")
    for _, load in loads:  # warm up: caches, the JIT on PyPy
        load(args.model)
    times = [[] for _ in loads]
    for _ in range(args.repeat):
        for (_, load), measured in zip(loads, times):
            measured.append(seconds(load, args.model))
    medians = [statistics.median(measured) for measured in times]
    for (name, _), median in zip(loads, medians):
        print("%-40s %8.3f s" % (name, median))
    if args.compare_with:
        print("ratio (before / now): %.2fx" % (medians[1] / medians[0]))
    inflate, parse = phases(args.model, args.repeat)
    print("of which: read + inflate %.3f s, json.loads %.3f s, checks and the rest %.3f s"
          % (inflate, parse, medians[0] - inflate - parse))


if __name__ == "__main__":
    main()
