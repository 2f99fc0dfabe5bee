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
reads (784 bytes, mnist_csv.py) under 1 kB (~9 MB).  ``buffer_size`` 0 or
1 keeps the file order.

The generator is our PCG32, so a seed gives the same order on every Python.

>>> from nrnn.net.prng import PCG32
>>> list(shuffled(range(5), 0, PCG32(1)))
[0, 1, 2, 3, 4]
>>> order = list(shuffled(range(10), 4, PCG32(1)))
>>> sorted(order) == list(range(10)), order == list(shuffled(range(10), 4, PCG32(1)))
(True, True)
"""

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
    buffer: list[Item] = []
    for item in iterable:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        slot = rng.below(buffer_size)
        yield buffer[slot]
        buffer[slot] = item
    rng.shuffle(buffer)
    yield from buffer


if __name__ == "__main__":
    import doctest
    doctest.testmod()
