"""Benchmark: how long ``predict.py data/handwriting.png`` takes, start to answer.

    python -m bench.bench_start [--repeat 7] [--python pypy3 ...] [--image PATH]

For each interpreter it runs, alternating so that all see the same machine
load, ``--repeat`` times each:

    bare      ``python -c pass``: the interpreter's own start, the floor
    cold      predict.py with an empty model cache (the JSON is parsed)
    warm      predict.py with the parsed copy in the cache (model_cache.py)

and prints the median wall time of each and its ratio to the bare start.
The model cache goes to a temporary folder (``NRNN_CACHE_DIR``), never the
user's own.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wall(command, env):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(python, image, repeat):
    warm_cache = tempfile.mkdtemp(prefix="nrnn-bench-cache-")
    try:
        predict = [python, os.path.join(ROOT, "predict.py"), image]
        warm_env = dict(os.environ, NRNN_CACHE_DIR=warm_cache)
        wall(predict, warm_env)  # fills the warm cache
        times = {"bare": [], "cold": [], "warm": []}
        for _ in range(repeat):
            times["bare"].append(wall([python, "-c", "pass"], os.environ))
            cold_cache = tempfile.mkdtemp(prefix="nrnn-bench-cold-")
            try:
                times["cold"].append(wall(predict, dict(os.environ, NRNN_CACHE_DIR=cold_cache)))
            finally:
                shutil.rmtree(cold_cache, True)
            times["warm"].append(wall(predict, warm_env))
        return {name: statistics.median(values) for name, values in times.items()}
    finally:
        shutil.rmtree(warm_cache, True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--python", action="append", help="interpreter(s) to time (default: this one)")
    parser.add_argument("--image", default=os.path.join("data", "handwriting.png"))
    args = parser.parse_args()
    print("predict.py %s, median of %d runs (seconds; x = times the bare start)" % (args.image, args.repeat))
    for python in args.python or [sys.executable]:
        medians = measure(python, args.image, args.repeat)
        bare = medians["bare"]
        print("%-10s bare %.3f   cold cache %.3f (%.1fx)   warm cache %.3f (%.1fx)   cold/warm %.2f"
              % (os.path.basename(python), bare, medians["cold"], medians["cold"] / bare,
                 medians["warm"], medians["warm"] / bare, medians["cold"] / medians["warm"]))


if __name__ == "__main__":
    main()
