"""Deskewing: stand a slanted digit upright, from its second moments.

People write with a slant, each their own: a 1 leaning right, a 7 leaning
left.  A network must otherwise learn every digit at every slant.  Undoing
the slant before the network sees the image, in training and at recognition
alike, removes that variation from the problem.  (LeCun et al.'s MNIST
table lists deskewed inputs as one of the cheapest gains for simple
classifiers.)

The slant, from moments.  Treat the ink as a mass spread over the pixels,
I(x, y) at column x, row y (y down).  Its centre and its second moments are

    m = sum I,   x_bar = sum I x / m,   y_bar = sum I y / m,
    var_y  = sum I (y - y_bar)^2 / m,
    cov_xy = sum I (x - x_bar)(y - y_bar) / m.

If the ink leans, x grows (or shrinks) with y; the least-squares slope of x
against y is

    alpha = cov_xy / var_y          (columns per row).

The shear x -> x - alpha (y - y_bar) makes that slope zero.  Done by inverse
mapping (see augment.py), output pixel (x, y) reads the input at
(x + alpha (y - y_bar), y): each row moves sideways by its own amount, read
with linear interpolation between the two nearest columns.  The row
y = y_bar does not move, so the centre of mass stays where it was.

A bar leaning half a column per row, drawn as two-pixel runs, stands up:

>>> leaning = [0.0] * 784
>>> for row in range(6, 22):
...     column = 10 + (row - 6) // 2          # one column right every two rows
...     leaning[28 * row + column] = leaning[28 * row + column + 1] = 1.0
>>> round(slant(leaning), 3)
0.494
>>> def centres(pixels):                  # each inked row's centre column
...     return [round(sum(c * pixels[28 * r + c] for c in range(28)) / sum(pixels[28 * r:28 * r + 28]), 1)
...             for r in range(28) if sum(pixels[28 * r:28 * r + 28]) > 0]
>>> centres(leaning)[:6], max(centres(leaning))
([10.5, 10.5, 11.5, 11.5, 12.5, 12.5], 17.5)
>>> upright = deskew(leaning)
>>> min(centres(upright)), max(centres(upright))
(13.7, 14.3)
>>> abs(round(slant(upright), 6))
0.0
"""

import math
from collections.abc import Sequence

from nrnn.mnist import SIDE


def moments(pixels: Sequence[float], side: int = SIDE) -> tuple[float, float, float, float, float]:
    """(m, x_bar, y_bar, var_y, cov_xy) of a side x side image (see the module docstring).

    An image with no ink gives (0.0, 0.0, 0.0, 0.0, 0.0).
    """
    mass = sum_x = sum_y = 0.0
    index = 0
    for y in range(side):
        row_mass = 0.0
        for x in range(side):
            value = pixels[index + x]
            if value:
                row_mass += value
                sum_x += value * x
        mass += row_mass
        sum_y += row_mass * y
        index += side
    if mass <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    x_bar, y_bar = sum_x / mass, sum_y / mass
    var_y = cov_xy = 0.0
    index = 0
    for y in range(side):
        dy = y - y_bar
        for x in range(side):
            value = pixels[index + x]
            if value:
                var_y += value * dy * dy
                cov_xy += value * (x - x_bar) * dy
        index += side
    return mass, x_bar, y_bar, var_y / mass, cov_xy / mass


def slant(pixels: Sequence[float], side: int = SIDE) -> float:
    """alpha = cov_xy / var_y: columns the ink moves right per row down (0.0 if undefined)."""
    mass, _, _, var_y, cov_xy = moments(pixels, side)
    if mass <= 0.0 or var_y <= 0.0:
        return 0.0
    return cov_xy / var_y


def deskew(pixels: Sequence[float], side: int = SIDE) -> list[float]:
    """The image sheared upright: out(x, y) = in(x + alpha (y - y_bar), y).

    pixels: side*side floats, row-major (784 for a 28 x 28 MNIST input).
    Returns a new list of the same length; an image without ink, or with
    all its ink in one row, comes back unchanged (as a copy).
    """
    mass, _, y_bar, var_y, cov_xy = moments(pixels, side)
    if mass <= 0.0 or var_y <= 0.0:
        return list(pixels)
    alpha = cov_xy / var_y
    out = [0.0] * (side * side)
    for y in range(side):
        offset = alpha * (y - y_bar)       # this row's source is `offset` columns right
        whole = math.floor(offset)
        fraction = offset - whole
        base = y * side
        for x in range(side):
            left = x + whole
            value = 0.0
            if 0 <= left < side:
                value += (1.0 - fraction) * pixels[base + left]
            if 0 <= left + 1 < side and fraction:
                value += fraction * pixels[base + left + 1]
            out[base + x] = value
    return out


if __name__ == "__main__":
    import doctest
    doctest.testmod()
