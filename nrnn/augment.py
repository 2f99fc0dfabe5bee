"""Data augmentation: small random shifts of the training images.

A network that has seen a "7" only where the writer put it learns that the
ink of a 7 lives in those exact pixels.  Moving each training image by a pixel
or two in a random direction shows it the same 7 in slightly different
places, so it must learn the shape instead of the position.  That is free
extra data: MNIST digits are centred by their centre of mass, but only to
within a pixel or so, and test digits wobble the same way.  (Nielsen's book,
chapter 6, gets a similar gain from shifted copies of the training set.)

Shapes.  An image is the network's input vector: 784 floats, the 28 x 28
pixels row by row, so pixel (row r, column c) is ``pixels[28 * r + c]``.
Shifting by (dx, dy) moves the ink dx columns to the right and dy rows down;
what moves out of the frame is lost and what comes in is background (0.0):

    shifted[28 r + c] = pixels[28 (r - dy) + (c - dx)]   if that is inside,
                        0.0                               otherwise.

>>> image = [0.0] * 784
>>> image[28 * 10 + 10] = 1.0            # one ink pixel at row 10, column 10
>>> moved = shift(image, 2, -1)          # two right, one up
>>> moved.index(1.0) == 28 * 9 + 12
True
>>> from nrnn.prng import PCG32
>>> rng = PCG32(7)
>>> all(-2 <= d <= 2 for _ in range(100) for d in random_shift(rng, 2))
True
"""

from typing import List, Sequence, Tuple

from .prng import PCG32

SIDE = 28


def shift(pixels: Sequence[float], dx: int, dy: int, side: int = SIDE) -> List[float]:
    """Return a new side*side image: ``pixels`` moved dx right and dy down.

    dx, dy may be negative (left, up).  A shift of (0, 0) returns a copy.
    """
    out = [0.0] * (side * side)
    if abs(dx) >= side or abs(dy) >= side:
        return out
    # Copy row slices rather than single pixels: one slice assignment per
    # row runs in C (CPython) or as a memcpy (PyPy), ~28x fewer steps.
    first_column, end_column = max(0, dx), min(side, side + dx)
    for row in range(max(0, dy), min(side, side + dy)):
        target = row * side
        source = (row - dy) * side - dx
        out[target + first_column:target + end_column] = \
            pixels[source + first_column:source + end_column]
    return out


def random_shift(rng: PCG32, max_shift: int) -> Tuple[int, int]:
    """Draw (dx, dy), each uniform in -max_shift..max_shift, from ``rng``.

    Always two calls of ``rng.below`` (even for max_shift 0), so the
    random stream stays in step however the shift is used; the training
    loop relies on that to replay an epoch when it resumes.
    """
    choices = 2 * max_shift + 1
    dx = rng.below(choices) - max_shift
    dy = rng.below(choices) - max_shift
    return dx, dy
