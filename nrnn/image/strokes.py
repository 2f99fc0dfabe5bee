"""Pen strokes drawn as anti-aliased pixels: handwriting made by the program.

The project needs digits it drew itself: the sample ``data/handwriting.png``,
the drawing page's demo (``/?demo=3`` replays a digit through the page's own
pointer handlers), and the tests, which train a tiny network on jittered
copies of those digits so that "the page shows a 3" is a reliable check.

A *stroke* is a polyline, the path a pen tip follows between pen-down and
pen-up: a list of ``(x, y)`` points, x to the right, y down, in pixels.  A
digit is a list of strokes.  ``nrnn/static/strokes.json`` holds one digit of
each kind (0-9) in a unit box (0..1 on both axes), sampled from arcs and
lines; ``demo_digits`` reads it and ``fit`` maps it onto a canvas.

Rendering a round pen of radius r: a pixel whose centre is at distance d
from the path is covered by about ``r + 1/2 - d`` of its width, clamped to
[0, 1].  That is the exact coverage of a straight edge crossing a pixel at
right angles, and close enough elsewhere: it gives the soft 1-pixel edge a
canvas or a scanner gives.  Where strokes cross, the larger coverage wins
(ink does not get darker than black).

>>> pixels = render([[(1.5, 2.5), (4.5, 2.5)]], 7, 5, pen_width=2.0)
>>> for row in range(5):
...     print(" ".join("%.1f" % v for v in pixels[row * 7:(row + 1) * 7]))
0.0 0.0 0.0 0.0 0.0 0.0 0.0
0.1 0.5 0.5 0.5 0.5 0.1 0.0
0.5 1.0 1.0 1.0 1.0 0.5 0.0
0.1 0.5 0.5 0.5 0.5 0.1 0.0
0.0 0.0 0.0 0.0 0.0 0.0 0.0
"""

import json
import math
import os
from collections.abc import Sequence
from typing import Optional

__all__ = ["STROKES_FILE", "demo_digits", "fit", "render"]

Point = tuple[float, float]
Stroke = list[Point]

#: The demo digits, shared with the drawing page (app.js loads it too).
STROKES_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "strokes.json")


def demo_digits(path: str = STROKES_FILE) -> dict[int, list[Stroke]]:
    """The demo digits: {digit: strokes}, points in the unit box."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return {int(digit): [[(float(x), float(y)) for x, y in stroke] for stroke in strokes]
            for digit, strokes in document.items()}


def fit(strokes: Sequence[Stroke], width: float, height: float,
        transform: Optional[Sequence[float]] = None) -> list[Stroke]:
    """Map unit-box strokes onto a ``width`` x ``height`` canvas.

    ``transform`` is an optional 2 x 3 affine map ``(a, b, c, d, e, f)``
    applied in the unit box first, about its centre (0.5, 0.5)::

        x' = a (x - .5) + b (y - .5) + c + .5,   y' = d (x - .5) + e (y - .5) + f + .5

    (the tests use it to slant, turn, shrink and shift their training
    digits).
    """
    a, b, c, d, e, f = transform if transform is not None else (1, 0, 0, 0, 1, 0)
    mapped = []
    for stroke in strokes:
        points = []
        for x, y in stroke:
            u, v = x - 0.5, y - 0.5
            points.append(((a * u + b * v + c + 0.5) * width, (d * u + e * v + f + 0.5) * height))
        mapped.append(points)
    return mapped


def render(strokes: Sequence[Stroke], width: int, height: int, pen_width: float) -> list[float]:
    """Ink coverage of each pixel, ``width * height`` floats in [0, 1], row-major.

    Pixel (i, j) (column i, row j) has its centre at (i + 0.5, j + 0.5).
    Only the pixels inside each segment's bounding box (grown by the pen)
    are visited, which keeps a 300 x 300 drawing to a fraction of a second.
    """
    coverage = [0.0] * (width * height)
    radius = pen_width / 2.0
    reach = radius + 0.5  # beyond this distance a pixel gets no ink
    for stroke in strokes:
        # A single point (a dot) is a segment of length zero.
        segments = list(zip(stroke, stroke[1:])) or [(stroke[0], stroke[0])]
        for (x0, y0), (x1, y1) in segments:
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy
            left = max(0, int(math.floor(min(x0, x1) - reach)))
            right = min(width - 1, int(math.ceil(max(x0, x1) + reach)))
            top = max(0, int(math.floor(min(y0, y1) - reach)))
            bottom = min(height - 1, int(math.ceil(max(y0, y1) + reach)))
            for j in range(top, bottom + 1):
                cy = j + 0.5
                row = j * width
                for i in range(left, right + 1):
                    cx = i + 0.5
                    # Distance from the pixel centre to the segment: project
                    # onto the segment, clamp to its ends.
                    if length2:
                        t = ((cx - x0) * dx + (cy - y0) * dy) / length2
                        t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
                    else:
                        t = 0.0
                    distance = math.hypot(cx - x0 - t * dx, cy - y0 - t * dy)
                    ink = reach - distance
                    if ink > 0.0:
                        ink = 1.0 if ink > 1.0 else ink
                        if ink > coverage[row + i]:
                            coverage[row + i] = ink
    return coverage


if __name__ == "__main__":
    import doctest
    doctest.testmod()
