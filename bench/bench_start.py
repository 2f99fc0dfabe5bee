"""Benchmark: how long ``predict.py data/handwriting.png`` takes, start to answer.

    python -m bench.bench_start [--repeat 7] [--python pypy3 ...] [--image PATH]

For each interpreter it runs, alternating so that all see the same machine
load, ``--repeat`` times each:

    bare      ``python -c pass``: the interpreter's own start, the floor
    cold      predict.py with an empty model cache (the JSON is parsed)
    warm      predict.py with the parsed copy in the cache (model_cache.py)

and prints the median of each and its ratio to the bare start: the wall
time, and the CPU time the run used (user + system; on a busy machine the
wall time also counts the waits for a free core, the CPU time does not).
``python -m bench.bench_phases`` splits the warm start into its phases
(imports, model, decode, prepare, the two looks, printing).

The model cache goes to a temporary folder (``NRNN_CACHE_DIR``), never the
user's own.  Python's own bytecode cache is on, as for a user (a first run
writes it, the timed runs read it), also in a temporary folder
(``PYTHONPYCACHEPREFIX``): a ``PYTHONDONTWRITEBYTECODE`` in the environment
would make every run compile nrnn's modules again, which no installed
copy does.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import resource
except ImportError:  # not on Windows: wall times only
    resource = None  # type: ignore[assignment]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(command, env):
    """(wall seconds, CPU seconds or None) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - start
    if before is None:
        return elapsed, None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interpreter(python):
    """The interpreter ``python`` names, as a path: a launcher in front of
    it (a version manager's shim on PATH is a shell script) would be timed
    too, and it can cost more than the interpreter's own start."""
    found = subprocess.run([python, "-c", "import sys; print(sys.executable)"],
                           stdout=subprocess.PIPE, check=True, text=True).stdout.strip()
    return found or python


def measure(python, image, repeat):
    """{"bare"/"cold"/"warm": (median wall, median CPU or None)}."""
    folder = tempfile.mkdtemp(prefix="nrnn-bench-start-")
    try:
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "bytecode")
        predict = [python, os.path.join(ROOT, "predict.py"), image]
        warm_env = dict(env, NRNN_CACHE_DIR=os.path.join(folder, "warm"))
        run(predict, warm_env)  # fills the warm cache and writes the bytecode
        times = {"bare": [], "cold": [], "warm": []}
        for number in range(repeat):
            times["bare"].append(run([python, "-c", "pass"], env))
            cold_env = dict(env, NRNN_CACHE_DIR=os.path.join(folder, "cold-%d" % number))
            times["cold"].append(run(predict, cold_env))
            times["warm"].append(run(predict, warm_env))
        medians = {}
        for name, pairs in times.items():
            cpu = [c for _, c in pairs if c is not None]
            medians[name] = (statistics.median(w for w, _ in pairs), statistics.median(cpu) if cpu else None)
        return medians
    finally:
        shutil.rmtree(folder, True)


def arguments(doc: str) -> argparse.Namespace:
    """The command line of this bench and of bench_phases (``doc``: the
    module's docstring, whose first paragraph is the help's description)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--python", action="append", help="interpreter(s) to time (default: this one)")
    parser.add_argument("--image", default=os.path.join("data", "handwriting.png"))
    return parser.parse_args()


def main():
    args = arguments(__doc__)
    print("predict.py %s, median of %d runs (seconds; x = times the bare start)" % (args.image, args.repeat))
    print("wall: time to the answer; cpu: user + system time of the run")
    for python in args.python or [sys.executable]:
        medians = measure(interpreter(python), args.image, args.repeat)
        for which, kind in ((0, "wall"), (1, "cpu")):
            bare, cold, warm = (medians[name][which] for name in ("bare", "cold", "warm"))
            if bare is None:
                continue
            print("%-10s %-4s  bare %.3f   cold cache %.3f (%.1fx)   warm cache %.3f (%.1fx)   cold/warm %.2f"
                  % (os.path.basename(python), kind, bare, cold, cold / bare, warm, warm / bare, cold / warm))

if __name__ == "__main__":
    main()
