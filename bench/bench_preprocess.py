"""Benchmark: what preparing a big image costs, in time and memory.

    python -m bench.bench_preprocess [--runs 3] [--baseline-worktree PATH]

Builds five images in memory (nothing is read or written): a 2000 x 2000
gray drawing (a bar on flat gray), a 1080 x 1080 colour "phone photo" (a
digit under a shadow, uneven light, noise), a 280 x 280 opaque drawing
(black on white, as a canvas saved without transparency), and
4,000,000 x 1 and 1 x 4,000,000 gray lines, and times
``nrnn.image.preprocess.prepare`` on each
(median of ``--runs``), then measures its peak memory with tracemalloc
(CPython only; the image itself is built before tracing starts).

``--baseline-worktree PATH`` runs the same measurements with another
checkout's nrnn (e.g. the main branch) in a subprocess and prints the ratio
of the medians, so both figures come from the same run on the same machine.

``--predict FILE`` times the whole command instead, start to answer:
``predict.py FILE`` in a fresh interpreter (this one), alternately in this
checkout and the baseline's, e.g. a 12-megapixel phone JPEG::

    pypy3 bench/bench_preprocess.py --predict ../shared/jpeg/made/digit_phone_4032x3024.jpg \
        --runs 7 --baseline-worktree /tmp/before
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _opaque(width, height, red, green=None, blue=None):
    from nrnn.image.png import Image
    rgba = bytearray(4 * width * height)
    rgba[0::4] = red
    rgba[1::4] = green if green is not None else red
    rgba[2::4] = blue if blue is not None else red
    rgba[3::4] = b"\xff" * (width * height)
    return Image(width, height, bytes(rgba), "bench")


def images():
    """(label, Image) pairs, built without nrnn's pipeline."""
    paper, ink = b"\x80" * 2000, b"\x80" * 900 + b"\x14" * 200 + b"\x80" * 900
    yield "2000x2000 gray drawing", _opaque(2000, 2000, b"".join(
        ink if 500 <= y < 1500 else paper for y in range(2000)))
    rng = random.Random(1)
    side = 1080
    planes = [bytearray(side * side) for _ in range(3)]
    for y in range(side):
        for x in range(side):
            level = 215 - 50 * x / side - (70 if x > 0.66 * side + 0.1 * (y - side / 2) else 0)
            # a "7": a bar and a slanted stroke, 24 px wide
            stroke = (300 <= y < 324 and 380 <= x < 700) or (
                324 <= y < 800 and abs(x - (700 - (y - 324) * 0.5)) < 12)
            level = level * (0.4 if stroke else 1.0) + rng.gauss(0, 3)
            for plane, tint in zip(planes, (1.0, 0.97, 0.9)):
                plane[y * side + x] = min(255, max(0, int(level * tint)))
    yield "1080x1080 colour photo", _opaque(side, side, *planes)
    # An opaque 280 x 280 drawing (a canvas saved without transparency):
    # black strokes on white, a ring and a bar, 14 px wide.
    side = 280
    drawing = bytearray(b"\xff" * (side * side))
    for y in range(side):
        for x in range(side):
            ring = abs(((x - 140) ** 2 / 60 ** 2 + (y - 110) ** 2 / 70 ** 2) ** 0.5 - 1) < 0.1
            if ring or (120 <= x < 134 and 110 <= y < 250):
                drawing[y * side + x] = 0
    yield "280x280 opaque drawing", _opaque(side, side, bytes(drawing))
    line = bytes((i * 37) % 256 for i in range(4_000_000))
    yield "4000000x1 gray line", _opaque(4_000_000, 1, line)
    yield "1x4000000 gray line", _opaque(1, 4_000_000, line)


def measure(runs):
    """{label: (median seconds, peak bytes or None)} for this process's nrnn."""
    from nrnn.errors import NrnnError
    from nrnn.image.preprocess import prepare

    def once(image):
        try:
            prepare(image)
        except NrnnError:  # "no ink found" is an answer too
            pass

    results = {}
    for label, image in images():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            once(image)
            times.append(time.perf_counter() - started)
        peak = None
        if platform.python_implementation() == "CPython":
            import tracemalloc  # PyPy has no _tracemalloc
            tracemalloc.start()
            once(image)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        results[label] = (statistics.median(times), peak)
    return results


def predict_times(path, checkouts, runs):
    """Median wall time of ``predict.py path`` (a fresh interpreter, this
    one, each time) in each checkout, run alternately so that the
    machine's load falls on all of them alike."""
    times = {checkout: [] for checkout in checkouts}
    for _ in range(runs):
        for checkout in checkouts:
            started = time.perf_counter()
            subprocess.run([sys.executable, os.path.join(checkout, "predict.py"), path], cwd=checkout,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[checkout].append(time.perf_counter() - started)
    return {checkout: statistics.median(values) for checkout, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-worktree", metavar="PATH")
    parser.add_argument("--predict", metavar="FILE",
                        help="instead: time 'predict.py FILE' end to end (and in the baseline)")
    parser.add_argument("--worker", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.predict:
        checkouts = [ROOT] + ([os.path.abspath(args.baseline_worktree)] if args.baseline_worktree else [])
        medians = predict_times(os.path.abspath(args.predict), checkouts, args.runs)
        print("%s %s; predict.py %s, median of %d runs, alternating"
              % (platform.python_implementation(), platform.python_version(), args.predict, args.runs))
        line = "this checkout %.2f s" % medians[ROOT]
        if args.baseline_worktree:
            before = medians[checkouts[1]]
            line += "   before %.2f s   time ratio %.2f" % (before, medians[ROOT] / before)
        print(line)
        return
    if args.worker:
        print(json.dumps(measure(args.runs)))
        return
    print("%s %s; median of %d runs" % (platform.python_implementation(), platform.python_version(), args.runs))
    ours = measure(args.runs)
    theirs = {}
    if args.baseline_worktree:
        output = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker",
                                 os.path.abspath(args.baseline_worktree), "--runs", str(args.runs)],
                                # run as a script from bench/: nrnn comes from PYTHONPATH, the worktree's
                                env=dict(os.environ, PYTHONPATH=os.path.abspath(args.baseline_worktree)),
                                stdout=subprocess.PIPE, check=True, text=True).stdout
        theirs = json.loads(output)
    for label, (seconds, peak) in ours.items():
        line = "%-24s %7.3f s  peak %s" % (label, seconds, "%.0f MB" % (peak / 1e6) if peak else "-")
        if label in theirs:
            before, before_peak = theirs[label]
            line += "   before %7.3f s  peak %s   time ratio %.2f" % (
                before, "%.0f MB" % (before_peak / 1e6) if before_peak else "-", seconds / before)
        print(line)


if __name__ == "__main__":
    main()
