"""Synthetic "digits" for fast training tests: learnable, tiny, reproducible.

Digit d is a 5x5 blob of ink whose place on the 28x28 canvas depends on d
(two rows of five places), jittered by up to a pixel and with random ink
levels, drawn from our PCG32.  A small network learns them in an epoch or
two, which is what end-to-end tests of the training loop need; real MNIST
would take minutes.
"""

import os

from nrnn.mnist.mnist_csv import write_samples
from nrnn.net.prng import PCG32


def synthetic_samples(count: int, seed: int = 0) -> list:
    """``count`` (pixels, label) pairs; pixels are 784 integers 0..255."""
    rng = PCG32(seed, 7)
    samples = []
    for index in range(count):
        label = index % 10 if index < 10 else rng.below(10)
        top = 5 + (label // 5) * 12 + rng.below(3) - 1
        left = 2 + (label % 5) * 5 + rng.below(3) - 1
        pixels = [0] * 784
        for row in range(top, top + 5):
            for column in range(left, left + 5):
                pixels[28 * row + column] = 128 + rng.below(128)
        samples.append((pixels, label))
    return samples


def as_floats(samples: list) -> list:
    """The same samples as the network sees them: (pixels / 255, label)."""
    return [([p / 255.0 for p in pixels], label) for pixels, label in samples]


def write_data_dir(directory: str, train: int = 300, test: int = 100, seed: int = 0) -> tuple:
    """Write mnist_train.csv and mnist_test.csv into ``directory`` (the layout
    nrnn.data.ensure_csv looks for); return their paths."""
    os.makedirs(directory, exist_ok=True)
    train_path = os.path.join(directory, "mnist_train.csv")
    test_path = os.path.join(directory, "mnist_test.csv")
    write_samples(train_path, synthetic_samples(train, seed))
    write_samples(test_path, synthetic_samples(test, seed + 1000))
    return train_path, test_path
