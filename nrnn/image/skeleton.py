"""A second look at a digit: its strokes redrawn at MNIST's pen width.

People write with every pen there is: a fine pencil, a ballpoint, a fat
marker, a finger on a phone.  MNIST's digits were written with roughly one
pen, and after scaling into the 20 x 20 box their strokes are about 2 to 3
pixels wide.  A network trained on them has learned that width along with
the shapes: a marker "8" whose loops are half filled with ink, or a hair-thin
"1", is a pattern it has rarely seen.

So we also show the network the same digit redrawn with MNIST's pen:

1. ``thin`` peels the ink down to its *skeleton*, a one-pixel-wide line
   down the middle of every stroke (Zhang and Suen's thinning, 1984: remove
   boundary pixels whose removal keeps the shape connected, from the
   south-east side, then from the north-west, until nothing changes).
2. ``redraw`` traces the skeleton with a round pen of MNIST's width, with
   soft edges, and prepares the result the MNIST way again (crop, 20 x 20
   box, centre of mass), so the two looks are directly comparable.

``nrnn.recognition`` mixes the network's outputs over both looks: where
the writer's pen was MNIST-like the two agree, and where it was not, the
redrawn look pulls the answer towards the shape.

Shapes: ``inputs`` are the network's 784 floats in [0, 1] (28 x 28,
row-major, 1.0 = ink); the work is done on a 56 x 56 copy (every pixel
split in 2 x 2), fine enough that a 2-pixel stroke has a middle.

>>> bar = [0.0] * 784                     # a 4-pixel-wide vertical bar
>>> for y in range(4, 24):
...     for x in range(12, 16):
...         bar[28 * y + x] = 1.0
>>> again = redraw(bar)
>>> [round(v, 2) for v in again[28 * 14 + 10:28 * 14 + 18]]
[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
"""

from collections.abc import Sequence

from nrnn.image.preprocess import FIELD, to_mnist

__all__ = ["PEN_RADIUS", "SCALE", "thin", "redraw"]

#: The 28 x 28 field is redrawn at SCALE times its resolution.
SCALE = 2

#: Radius of the redrawing pen, in 56 x 56 pixels.  A stroke then measures
#: about 2 * PEN_RADIUS + 1 = 6 of them, 3 pixels in the 28 x 28 field
#: (before the MNIST recipe rescales the digit): MNIST's typical width.
PEN_RADIUS = 2.5

#: Ink at or above this level (of 1.0) is part of a stroke when thinning.
THRESHOLD = 0.35


def thin(mask: Sequence[bool], width: int, height: int) -> list[bool]:
    """Zhang-Suen thinning: the skeleton of a binary image, one pixel wide.

    ``mask`` has ``width * height`` entries, row-major, True = ink.  A
    boundary pixel P1 with neighbours P2..P9 (clockwise from north) is
    removed when

    - it has 2 to 6 ink neighbours (not an end point, not an inside pixel),
    - going round P2, P3, ..., P9, P2 there is exactly one change from
      background to ink (removing it does not split the stroke), and
    - P2 * P4 * P6 = 0 and P4 * P6 * P8 = 0 in the first sub-pass (the
      south-east boundary), P2 * P4 * P8 = 0 and P2 * P6 * P8 = 0 in the
      second (the north-west one),

    and the two sub-passes repeat until neither removes anything.  Pixels
    off the image count as background.

    >>> square = [True] * 9                  # a solid 3 x 3 block
    >>> [int(v) for v in thin(square, 3, 3)]
    [0, 0, 0, 0, 1, 0, 0, 0, 0]
    """
    # Speed (the same pixels come out): the image gets a one-pixel frame of
    # background, so a pixel's 3 x 3 square is three short reads of the
    # flat list with no bounds checks, and each sub-pass looks only at the ink still standing, not at
    # every pixel.  (Tests compare with the pixel-by-pixel reading.)
    framed_width = width + 2
    ink = [0] * (framed_width * (height + 2))
    for y in range(height):
        start = (y + 1) * framed_width + 1
        ink[start:start + width] = [1 if v else 0 for v in mask[y * width:(y + 1) * width]]
    standing = [index for index, v in enumerate(ink) if v]

    changed = True
    while changed:
        changed = False
        for first_pass in (True, False):
            remove = []
            for index in standing:
                # The 3 x 3 square around P1, its neighbours named as in Zhang
                # and Suen's paper (P2 .. P9 clockwise from north):
                #     P9 P2 P3
                #     P8 P1 P4
                #     P7 P6 P5
                above, below = index - framed_width, index + framed_width
                p9, p2, p3 = ink[above - 1:above + 2]
                p7, p6, p5 = ink[below - 1:below + 2]
                p8, p4 = ink[index - 1], ink[index + 1]
                if not 2 <= p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9 <= 6:
                    continue
                crossings = ((not p2 and p3) + (not p3 and p4) + (not p4 and p5) + (not p5 and p6)
                             + (not p6 and p7) + (not p7 and p8) + (not p8 and p9) + (not p9 and p2))
                if crossings != 1:
                    continue
                if first_pass and (p2 * p4 * p6 or p4 * p6 * p8):
                    continue
                if not first_pass and (p2 * p4 * p8 or p2 * p6 * p8):
                    continue
                remove.append(index)
            for index in remove:
                ink[index] = 0
            if remove:
                changed = True
                standing = [index for index in standing if ink[index]]
    return [v == 1 for y in range(height)
            for v in ink[(y + 1) * framed_width + 1:(y + 1) * framed_width + 1 + width]]


def _enlarge(inputs: Sequence[float]) -> list[float]:
    """The 28 x 28 field as 56 x 56: every pixel split into SCALE x SCALE."""
    big = []
    for y in range(FIELD):
        row = [v for v in inputs[y * FIELD:(y + 1) * FIELD] for _ in range(SCALE)]
        for _ in range(SCALE):
            big.extend(row)
    return big


def _pen(radius: float) -> list[tuple]:
    """(dx, dy, coverage) for a round pen centred on a pixel: a pixel at
    distance d from the centre is covered by ``radius + 1/2 - d`` of its
    width, clamped to [0, 1] (the soft edge nrnn/image/strokes.py also uses)."""
    reach = int(radius + 1.5)
    dots = []
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            coverage = min(1.0, radius + 0.5 - (dx * dx + dy * dy) ** 0.5)
            if coverage > 0.0:
                dots.append((dx, dy, coverage))
    return dots


def redraw(inputs: Sequence[float], pen_radius: float = PEN_RADIUS) -> list[float]:
    """The digit in ``inputs`` (784 floats) with its strokes redrawn by a
    round pen of ``pen_radius`` (56 x 56 pixels), prepared the MNIST way
    again: 784 floats in [0, 1].

    Inputs with no ink above ``THRESHOLD`` are returned unchanged (a copy):
    there is no stroke to find a middle of.
    """
    side = FIELD * SCALE
    big = _enlarge(inputs)
    skeleton = thin([v >= THRESHOLD for v in big], side, side)
    if not any(skeleton):
        return list(inputs)
    drawn = [0.0] * (side * side)
    pen = _pen(pen_radius)
    for index, on in enumerate(skeleton):
        if not on:
            continue
        y, x = divmod(index, side)
        for dx, dy, coverage in pen:
            px, py = x + dx, y + dy
            if 0 <= px < side and 0 <= py < side:
                spot = py * side + px
                if coverage > drawn[spot]:  # where strokes cross, ink is no darker
                    drawn[spot] = coverage
    return to_mnist(side, side, drawn)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
