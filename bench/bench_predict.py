"""Benchmark: how well, and how fast, the shipped model reads digits.

    python -m bench.bench_predict [--limit N] [--model PATH] [--scale 10]
    pypy3  -m bench.bench_predict            # the full 10,000 test images

Prints four figures for the model (default: the shipped data/model.json.gz):

1. User-style PNGs: how many of ../shared/pngsuite/digits (13 digits saved
   the ways paint programs, canvases and scanners save them) it reads
   right, and which it misses.
2. MNIST test set, raw: accuracy on the first ``--limit`` test images (all
   10,000 by default) given as the 28 x 28 inputs the model was trained on,
   read straight from ../shared/mnist's IDX files.
3. The same images re-drawn as a user would: each pixel a ``--scale`` x
   ``--scale`` square, inverted to black ink on white, pasted at a seeded
   random position on a ``--canvas`` (default 400 x 300) sheet, encoded as a
   PNG with nrnn.image.png and read back through ``nrnn.recognition.recognize``
   (decode, preprocess, feedforward).  Everything stays in memory; nothing
   is written into the repository.  The gap between 2 and 3 is what the
   preprocessing loses (or gains).
4. Start-to-answer time of ``python predict.py data/handwriting.png``
   (median wall time of ``--runs`` subprocesses, same interpreter as this
   script), beside the interpreter's bare start-up (``python -c pass``).
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import struct
import subprocess
import sys
import time

from nrnn.image import png
from nrnn.net.prng import PCG32
from nrnn.recognition import load_recognizer, recognize, recognize_inputs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHARED = os.environ.get("NRNN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
SHIPPED_MODEL = os.path.join(ROOT, "data", "model.json.gz")
HANDWRITING = os.path.join(ROOT, "data", "handwriting.png")

IDX_IMAGES = struct.Struct(">IIII")  # magic 2051, count, rows, columns
IDX_LABELS = struct.Struct(">II")    # magic 2049, count


def mnist_test(folder, limit):
    """The first ``limit`` (784 bytes, label) pairs of the MNIST test set."""
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "rb") as handle:
        magic, count, rows, columns = IDX_IMAGES.unpack(handle.read(IDX_IMAGES.size))
        if (magic, rows, columns) != (2051, 28, 28):
            sys.exit("error: %s: not an MNIST image file" % handle.name)
        count = min(count, limit)
        images = [handle.read(784) for _ in range(count)]
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), "rb") as handle:
        magic, _ = IDX_LABELS.unpack(handle.read(IDX_LABELS.size))
        if magic != 2049:
            sys.exit("error: %s: not an MNIST label file" % handle.name)
        labels = list(handle.read(count))
    return list(zip(images, labels))


def user_style_png(pixels, scale, canvas_width, canvas_height, rng):
    """The 28 x 28 MNIST ``pixels`` as a user's drawing: scaled by ``scale``
    (each pixel a square), black on white, at a random place on the canvas."""
    side = 28 * scale
    left = rng.below(canvas_width - side + 1)
    top = rng.below(canvas_height - side + 1)
    white_row = b"\xff" * canvas_width
    rows = [white_row] * top
    for y in range(28):
        drawn = bytes(255 - v for v in pixels[y * 28:(y + 1) * 28] for _ in range(scale))
        row = white_row[:left] + drawn + white_row[left + side:]
        rows.extend([row] * scale)
    rows.extend([white_row] * (canvas_height - top - side))
    return png.encode_gray8(canvas_width, canvas_height, b"".join(rows))


def pngsuite_digits(network):
    folder = os.path.join(SHARED, "pngsuite", "digits")
    manifest_path = os.path.join(folder, "manifest.json")
    if not os.path.exists(manifest_path):
        print("1. user-style PNGs: skipped (%s not found)" % manifest_path)
        return
    with open(manifest_path) as handle:
        entries = json.load(handle)["images"]
    misses = []
    for entry in entries:
        with open(os.path.join(folder, entry["name"]), "rb") as handle:
            answer = recognize(handle.read(), network, name=entry["name"])
        if answer.digit != entry["label"]:
            misses.append("%s (label %d, read %d at %.1f%%)"
                          % (entry["name"], entry["label"], answer.digit, 100 * answer.confidence))
    print("1. user-style PNGs (%s): %d of %d right; misses: %s"
          % (folder, len(entries) - len(misses), len(entries), "; ".join(misses) or "none"))


def mnist_accuracy(network, args):
    folder = os.path.join(SHARED, "mnist")
    if not os.path.exists(os.path.join(folder, "t10k-images-idx3-ubyte.gz")):
        print("2./3. MNIST: skipped (%s not found)" % folder)
        return
    samples = mnist_test(folder, args.limit)
    count = len(samples)
    started = time.perf_counter()
    raw_right = 0
    raw_digits = []
    for pixels, label in samples:
        digit = recognize_inputs([v / 255.0 for v in pixels], network).digit
        raw_digits.append(digit)
        raw_right += digit == label
    raw_seconds = time.perf_counter() - started
    print("2. MNIST test, raw 28x28 inputs: %d of %d right = %.2f%%  (%.2f ms an image)"
          % (raw_right, count, 100.0 * raw_right / count, 1000 * raw_seconds / count))

    rng = PCG32(args.seed)
    started = time.perf_counter()
    drawn_right = changed = 0
    progress_every = max(1, count // 10)
    for index, (pixels, label) in enumerate(samples):
        data = user_style_png(pixels, args.scale, args.canvas[0], args.canvas[1], rng)
        digit = recognize(data, network, name="mnist-%d.png" % index).digit
        drawn_right += digit == label
        changed += digit != raw_digits[index]
        if args.progress and (index + 1) % progress_every == 0:
            sys.stderr.write("   ... %d/%d redrawn, %d right so far\n" % (index + 1, count, drawn_right))
    drawn_seconds = time.perf_counter() - started
    print("3. MNIST test redrawn x%d black on white at a random place on %dx%d (seed %d), "
          "PNG -> recognize(): %d of %d right = %.2f%%  (answer differs from raw on %d; %.1f ms an image)"
          % (args.scale, args.canvas[0], args.canvas[1], args.seed, drawn_right, count,
             100.0 * drawn_right / count, changed, 1000 * drawn_seconds / count))


def wall_times(command, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def start_to_answer(args):
    command = [sys.executable, os.path.join(ROOT, "predict.py"), "data/handwriting.png"]
    if args.model != SHIPPED_MODEL:
        command += ["--model", args.model]
    bare = wall_times([sys.executable, "-c", "pass"], args.runs)
    answer = wall_times(command, args.runs)
    print("4. start to answer, `%s predict.py data/handwriting.png`: median %.3f s of %d "
          "(min %.3f, max %.3f); bare interpreter start-up `-c pass`: median %.3f s"
          % (os.path.basename(sys.executable), statistics.median(answer), args.runs,
             min(answer), max(answer), statistics.median(bare)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SHIPPED_MODEL)
    parser.add_argument("--limit", type=int, default=10000, help="MNIST test images to use (default: all)")
    parser.add_argument("--scale", type=int, default=10, help="pixel size of a redrawn MNIST digit")
    parser.add_argument("--canvas", type=int, nargs=2, default=[400, 300], metavar=("W", "H"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="predict.py runs to time")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    args = parser.parse_args()
    if args.canvas[0] < 28 * args.scale or args.canvas[1] < 28 * args.scale:
        parser.error("a %dx%d canvas cannot hold a %d-pixel digit" % (args.canvas[0], args.canvas[1], 28 * args.scale))

    print("%s %s on %s; model %s" % (platform.python_implementation(), platform.python_version(),
                                     platform.machine(), os.path.relpath(args.model, ROOT)))
    started = time.perf_counter()
    network = load_recognizer(args.model)
    print("   model %r loaded in %.2f s" % (network.sizes, time.perf_counter() - started))
    sys.stdout.flush()
    pngsuite_digits(network)
    sys.stdout.flush()
    mnist_accuracy(network, args)
    sys.stdout.flush()
    start_to_answer(args)


if __name__ == "__main__":
    main()
