"""Benchmark: what the training-image distortions cost, against an SGD step.

    python -m bench.bench_augment [--images N] [--repeats R] [--data-dir DIR]
    pypy3  -m bench.bench_augment

Times, per image, each distortion of nrnn/train/augment.py (and deskewing, and a
drawn style) on the first N MNIST training images (DIR/mnist_train.csv, as
train.py makes it; synthetic digits if there is none: sparser, so the SGD
step is cheaper and the ratios larger), and one per-sample SGD step of the shipped
model's shape (784-500-10) measured in the same run.  Each figure is the
median of R repeats; the ratio to the SGD step is what training time grows
by (a 0.05 ratio: an epoch about 5% longer).  The first repeat runs before
timing starts, so PyPy's JIT has warmed up.  The clock is the process's CPU
time (``time.process_time``), so other programs on a busy machine do not
count.
"""

import argparse
import os
import platform
import statistics
import time

from nrnn.image.deskew import deskew
from nrnn.mnist.mnist_csv import read_samples
from nrnn.net.network import Network
from nrnn.net.prng import PCG32
from nrnn.train.augment import Augmenter
from nrnn.train.drawn_styles import STYLES, draw_choice, render_style
from tests.synthetic_digits import as_floats, synthetic_samples

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    ("shift 1 (the old recipe)", dict(shift=1)),
    ("shipped: shift 1, rotate 10, scale 0.1, thickness 0.3",
     dict(shift=1, rotate=10.0, scale=0.1, thickness=0.3)),
    ("rotate 15, scale 0.15, shear 0.2", dict(rotate=15.0, scale=0.15, shear=0.2)),
    ("thickness 0.5", dict(thickness=0.5)),
    ("elastic alpha 34, sigma 4 (Simard)", dict(elastic=34.0, sigma=4.0)),
]


def per_image(work, images, repeats):
    """Median CPU seconds per image of ``work(image)`` over ``repeats`` passes (after one warm-up)."""
    times = []
    for repeat in range(repeats + 1):
        start = time.process_time()
        for image in images:
            work(image)
        if repeat:
            times.append((time.process_time() - start) / len(images))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "data"))
    args = parser.parse_args()
    csv = os.path.join(args.data_dir, "mnist_train.csv")
    if os.path.exists(csv):
        samples = []
        for sample in read_samples(csv):
            samples.append(sample)
            if len(samples) == args.images:
                break
        source = csv
    else:
        samples = as_floats(synthetic_samples(args.images))
        source = "synthetic digits"
    images = [pixels for pixels, _ in samples]

    network = Network([784, 500, 10], seed=0)
    labels = {id(pixels): label for pixels, label in samples}  # (the same list objects as images)
    step = per_image(lambda x: network.train_sample(x, labels[id(x)], 0.01), images, args.repeats)

    print("interpreter  %s %s" % (platform.python_implementation(), platform.python_version()))
    print("images       %d from %s" % (len(images), source))
    print("%-56s %9s %8s" % ("per image", "us", "x step"))
    print("%-56s %9.1f %8.3f" % ("SGD step, 784-500-10 (the reference)", step * 1e6, 1.0))
    for name, options in CASES:
        augmenter = Augmenter(**options)
        rng = PCG32(1)
        cost = per_image(lambda x, augmenter=augmenter, rng=rng: augmenter(x, rng), images, args.repeats)
        print("%-56s %9.1f %8.3f" % (name, cost * 1e6, cost / step))
    cost = per_image(deskew, images, args.repeats)
    print("%-56s %9.1f %8.3f" % ("deskew", cost * 1e6, cost / step))
    rng = PCG32(2)
    digits = sorted(STYLES)
    cost = per_image(lambda x: render_style(digits[len(x) % len(digits)], draw_choice(rng)),
                     images[:max(1, len(images) // 4)], args.repeats)
    print("%-56s %9.1f %8.3f" % ("one drawn style (used for a FRACTION of the images)",
                                 cost * 1e6, cost / step))


if __name__ == "__main__":
    main()
