"""A bounded shuffle buffer: randomise a stream's order in constant memory.

Stochastic gradient descent wants the samples in a fresh random order every
epoch.  Seeing them in stored order (and MNIST CSV files are often grouped or
sorted) lets the network drift towards whatever it saw last.  A full shuffle
needs the whole data set in memory, which is exactly what streaming from CSV
avoids.  A shuffle buffer is the compromise (the one TensorFlow's
``Dataset.shuffle`` uses):

1. fill a buffer with the first ``buffer_size`` samples;
2. for each further sample, pick a random slot, yield what is there and put
   the new sample in its place;
3. at the end, shuffle what is left in the buffer and yield it.

Every output is a uniformly random choice among the ``buffer_size`` samples
waiting, so the order is random *locally*.  The trade-off: a sample can only
move *earlier* by fewer than ``buffer_size`` places (it cannot be yielded before
it has been read), though it can be delayed arbitrarily.  With the buffer as
large as the data set this is a full uniform shuffle; with a buffer of
10,000 of MNIST's 60,000 samples, every output is drawn from a sixth of the
data, which in practice mixes the classes well, at the memory cost of
``buffer_size`` samples.  What a sample costs is up to the stream: as a list
of 784 floats ~6.5 kB (10,000 take ~65 MB), as the compact samples training
reads (784 bytes, mnist_csv.py) 785 bytes in a ``SampleBlock`` (7.9 MB,
below).  ``buffer_size`` 0 or 1 keeps the file order.

The generator is our PCG32, so a seed gives the same order on every Python.

>>> from nrnn.net.prng import PCG32
>>> list(shuffled(range(5), 0, PCG32(1)))
[0, 1, 2, 3, 4]
>>> order = list(shuffled(range(10), 4, PCG32(1)))
>>> sorted(order) == list(range(10)), order == list(shuffled(range(10), 4, PCG32(1)))
(True, True)

Compact samples in one block.  ``shuffled_samples`` shuffles ``(pixels,
label)`` samples the same way, in the same order, but copies compact ones
(pixels as ``bytes``) into one ``bytearray`` of fixed-size records,
``SampleBlock``, instead of keeping 10,000 ``bytes`` objects and 10,000
tuples.  On CPython that saves the objects' headers, ~10%.  On PyPy it
saves far more: its garbage collector moves an object that survives a
while into the *old* generation, and every sample waits in the buffer long
enough to get there; when it leaves, it is old garbage, which only a full
(major) collection frees, and PyPy lets old garbage grow to about 0.8
times the live heap before it runs one.  A block is written over in place:
no sample ever becomes old garbage, and PyPy's heap stays nearer what is
live: a one-epoch training run on PyPy peaks about 9 MiB lower.

>>> samples = [(bytes([k, 2 * k]), k % 10) for k in range(12)]
>>> list(shuffled_samples(samples, 4, PCG32(1))) == list(shuffled(samples, 4, PCG32(1)))
True
>>> block = SampleBlock(3, pixels=2)
>>> block.append((bytes([5, 255]), 7))
>>> block.append((bytes([0, 1]), 3))
>>> len(block), list(block[1][0]), block[1][1], list(block.block)
(2, [0, 1], 3, [5, 255, 7, 0, 1, 3, 0, 0, 0])
"""

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

from nrnn.net.prng import PCG32

Item = TypeVar("Item")


def shuffled(iterable: Iterable[Item], buffer_size: int, rng: PCG32) -> Iterator[Item]:
    """Yield the items of ``iterable`` in a random order, holding at most
    ``buffer_size`` of them; 0 or 1 yields them in order.

    Deterministic: the same items, buffer size and seed give the same order.
    """
    if buffer_size < 0:
        raise ValueError("buffer_size must be >= 0, got %r" % (buffer_size,))
    if buffer_size <= 1:
        yield from iterable
        return
    yield from _through_buffer(iterable, [], buffer_size, rng)


def shuffled_samples(samples: Iterable[tuple], buffer_size: int, rng: PCG32) -> Iterator[tuple]:
    """``shuffled`` for ``(pixels, label)`` samples: the same order, to the
    sample, but compact samples (pixels: ``bytes``, label 0..255) are held
    in a ``SampleBlock`` rather than as objects (see the module docstring).

    Samples of other kinds (pixels as a list of floats) go into a list.
    """
    if buffer_size < 0:
        raise ValueError("buffer_size must be >= 0, got %r" % (buffer_size,))
    samples = iter(samples)
    first = next(samples, None)
    if first is None:
        return
    samples = itertools.chain([first], samples)
    pixels = first[0]
    if buffer_size <= 1 or not isinstance(pixels, bytes):
        yield from shuffled(samples, buffer_size, rng)
        return
    yield from _through_buffer(samples, SampleBlock(buffer_size, pixels=len(pixels)), buffer_size, rng)


def _through_buffer(iterable: Iterable, buffer, buffer_size: int, rng: PCG32) -> Iterator:
    """The shuffle itself (steps 1-3 of the module docstring), through
    ``buffer``: an empty list, or anything that acts as one (SampleBlock)."""
    for item in iterable:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        slot = rng.below(buffer_size)
        yield buffer[slot]  # (a SampleBlock gives a copy: safe to overwrite now)
        buffer[slot] = item
    rng.shuffle(buffer)
    yield from buffer


class SampleBlock:
    """Up to ``capacity`` compact samples in one ``bytearray``, as a list of them.

    Record k is ``block[k * r : (k + 1) * r]`` with r = pixels + 1: the pixel
    bytes, then the label as one byte.  Holds ``(pixels, label)`` with
    ``pixels`` a ``bytes`` of length ``pixels`` and ``label`` in 0..255;
    ``block[k]`` gives back a copy, ``block[k] = sample`` writes over record
    k in place.  The whole block is allocated at once (no growing, which on
    PyPy would leave the smaller blocks behind as garbage).
    """

    def __init__(self, capacity: int, pixels: int):
        self.pixels = pixels
        self.record = pixels + 1
        self.capacity = capacity
        self.count = 0
        self.block = bytearray(capacity * self.record)

    def __repr__(self):
        return "SampleBlock(%d of %d samples of %d pixels)" % (self.count, self.capacity, self.pixels)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> tuple[bytes, int]:
        if not 0 <= index < self.count:
            raise IndexError("sample %r of %d" % (index, self.count))
        start = index * self.record
        end = start + self.pixels
        return bytes(self.block[start:end]), self.block[end]

    def __setitem__(self, index: int, sample: tuple[bytes, int]) -> None:
        if not 0 <= index < self.count:
            raise IndexError("sample %r of %d" % (index, self.count))
        pixels, label = sample
        if len(pixels) != self.pixels:
            raise ValueError("a sample of %d pixels in a block of %d-pixel samples" % (len(pixels), self.pixels))
        start = index * self.record
        end = start + self.pixels
        self.block[start:end] = pixels
        self.block[end] = label

    def append(self, sample: tuple[bytes, int]) -> None:
        if self.count == self.capacity:
            raise IndexError("the block is full (%d samples)" % self.capacity)
        self.count += 1
        try:
            self[self.count - 1] = sample
        except (TypeError, ValueError):
            self.count -= 1
            raise

    def __iter__(self) -> Iterator[tuple[bytes, int]]:
        for index in range(self.count):
            yield self[index]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
