"""Digits drawn in the styles MNIST has few of, to mix into training.

MNIST was written in the early 1990s by American census employees and
students, and it shows: its 4s are mostly open at the top, its 7s have no
bar across, its 1s are mostly a single stroke.  People elsewhere write a 4
closed at the top (and the network then reads a 9), a 7 crossed or with a
long flag, a 1 with a long flag and a foot, a 0 with a slash, a 6 with a
flat top (read as a 5), a 2 with a loop.  Drawing those with our own pen
(``strokes.py``) and mixing a few into training shows the network that they
exist.

Each style is a list of strokes in the unit box (x right, y down, 0..1),
built from lines and elliptic arcs.  A drawn sample varies it, every time:

    slant      x += slant (y - 0.5)            (italics, either way)
    rotation   a small turn about the centre
    width      x about the centre scaled by a factor (narrow or wide digits)
    wobble     x += a sin(2 pi (y + p)), y += b sin(2 pi (x + q))
               (a hand is not a ruler: gentle bends of the strokes)
    pen        the pen's width

then renders it at ``CANVAS`` x ``CANVAS`` pixels with ``strokes.render``
and brings it to 28 x 28 by MNIST's own recipe (``preprocess.to_mnist``:
crop, scale the longer side to 20 pixels, centre the mass), exactly as a
user's drawing is prepared.  The test set is never touched: these digits
only replace some training images (of the same label), so the class balance
and the number of samples an epoch stay as they were.

Like augment.py, every sample consumes the same number of random draws
(``DRAWS_PER_SAMPLE`` uniforms), used or not, so a resumed epoch replays
exactly.  (Unlike augment.py's distortions, a drawn digit may differ in the
last bit between CPython 3.10+ and CPython 3.9 or PyPy: ``strokes.render``
measures distances with ``math.hypot``, which CPython 3.10 made more
accurate.  On one interpreter it is the same, run after run.)

>>> sorted(STYLES)
[0, 1, 2, 4, 5, 6, 7, 9]
>>> [name for name, _ in STYLES[4]]
['open-top 4', 'closed-top 4']
>>> from nrnn.net.prng import PCG32
>>> choice = draw_choice(PCG32(3))
>>> pixels = render_style(4, choice)
>>> len(pixels), max(pixels)
(784, 1.0)
>>> pixels == render_style(4, draw_choice(PCG32(3)))
True
"""

import math
from collections.abc import Sequence

from nrnn.image.preprocess import to_mnist
from nrnn.image.strokes import render
from nrnn.net.prng import PCG32

Point = tuple[float, float]
Stroke = list[Point]

#: The side of the square canvas the strokes are rendered on before
#: ``to_mnist`` brings them to 28 x 28 (about what a drawing page gives).
CANVAS = 64

#: Ranges of the random variations (see the module docstring).
SLANT = 0.3          # x += s (y - 0.5), s in [-SLANT, SLANT]
ROTATION = 10.0      # degrees, either way
WIDTH = (0.7, 1.2)   # horizontal scale
WOBBLE = 0.03        # amplitude of the sine bends, in unit-box widths
PEN = (0.06, 0.13)   # pen width, as a fraction of the canvas (4 to 8 pixels)

#: Uniform draws per sample: whether to use it, style, slant, rotation,
#: width, two wobble amplitudes, two wobble phases, pen.
DRAWS_PER_SAMPLE = 10


def line(x0: float, y0: float, x1: float, y1: float) -> Stroke:
    return [(x0, y0), (x1, y1)]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 16) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` degrees (0 = right,
    90 = down, since y points down)."""
    points = []
    for k in range(steps + 1):
        angle = math.radians(start + (end - start) * k / steps)
        points.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))
    return points


def _joined(*parts: Stroke) -> Stroke:
    """One stroke through several pieces, drawn without lifting the pen."""
    points: Stroke = []
    for part in parts:
        points.extend(part)
    return points


STYLES: dict[int, list[tuple[str, list[Stroke]]]] = {
    0: [("slashed 0", [arc(0.5, 0.5, 0.3, 0.45, 0, 360, 24), line(0.78, 0.1, 0.22, 0.9)])],
    1: [("flagged 1", [_joined(line(0.25, 0.35, 0.58, 0.05), line(0.58, 0.05, 0.58, 0.95))]),
        ("flagged 1 with a foot", [_joined(line(0.25, 0.35, 0.58, 0.05), line(0.58, 0.05, 0.58, 0.95)),
                                   line(0.28, 0.95, 0.88, 0.95)])],
    2: [("calligraphic 2", [_joined(arc(0.5, 0.3, 0.3, 0.24, 195, 380, 12),
                                    line(0.78, 0.38, 0.25, 0.82),
                                    arc(0.3, 0.86, 0.09, 0.08, 270, 20, 8),
                                    line(0.38, 0.88, 0.9, 0.9))])],
    4: [("open-top 4", [line(0.2, 0.05, 0.2, 0.58) + [(0.85, 0.58)], line(0.68, 0.05, 0.68, 0.95)]),
        ("closed-top 4", [_joined(line(0.68, 0.05, 0.12, 0.66), line(0.12, 0.66, 0.88, 0.66)),
                          line(0.68, 0.05, 0.68, 0.95)])],
    5: [("flat-top 5", [_joined(line(0.3, 0.08, 0.27, 0.45), arc(0.5, 0.66, 0.3, 0.27, 225, 495, 14)),
                        line(0.3, 0.08, 0.82, 0.08)])],
    6: [("flat-top 6", [_joined(line(0.82, 0.06, 0.35, 0.06), line(0.35, 0.06, 0.22, 0.66),
                                arc(0.5, 0.7, 0.28, 0.25, 180, 540, 20))]),
        ("straight-stem 6", [_joined(line(0.7, 0.04, 0.24, 0.66), arc(0.5, 0.7, 0.27, 0.25, 180, 540, 20))])],
    7: [("flagged 7", [_joined(line(0.15, 0.32, 0.15, 0.1), line(0.15, 0.1, 0.86, 0.1),
                               line(0.86, 0.1, 0.42, 0.95))]),
        ("crossed 7", [_joined(line(0.14, 0.1, 0.86, 0.1), line(0.86, 0.1, 0.42, 0.95)),
                       line(0.33, 0.55, 0.82, 0.52)])],
    9: [("straight-stem 9", [_joined(arc(0.48, 0.3, 0.28, 0.23, 0, -360, 20), line(0.76, 0.3, 0.72, 0.95))]),
        ("closed-top 9", [_joined(arc(0.45, 0.32, 0.27, 0.25, -10, -370, 20), line(0.72, 0.28, 0.68, 0.96))])],
}


def draw_choice(rng: PCG32) -> list[float]:
    """``DRAWS_PER_SAMPLE`` uniforms in [0, 1): one sample's random choices."""
    return [rng.uniform() for _ in range(DRAWS_PER_SAMPLE)]


def _between(low: float, high: float, u: float) -> float:
    return low + (high - low) * u


def vary(strokes: Sequence[Stroke], choice: Sequence[float]) -> list[Stroke]:
    """The strokes slanted, turned, narrowed or widened and bent as ``choice`` says."""
    slant = _between(-SLANT, SLANT, choice[2])
    theta = math.radians(_between(-ROTATION, ROTATION, choice[3]))
    width = _between(WIDTH[0], WIDTH[1], choice[4])
    wobble_x, wobble_y = _between(-WOBBLE, WOBBLE, choice[5]), _between(-WOBBLE, WOBBLE, choice[6])
    phase_x, phase_y = choice[7], choice[8]
    cos, sin = math.cos(theta), math.sin(theta)
    out = []
    for stroke in strokes:
        points = []
        for x, y in stroke:
            x += wobble_x * math.sin(2 * math.pi * (y + phase_x))
            y += wobble_y * math.sin(2 * math.pi * (x + phase_y))
            u, v = (x - 0.5) * width + slant * (y - 0.5), y - 0.5
            points.append((0.5 + cos * u - sin * v, 0.5 + sin * u + cos * v))
        out.append(points)
    return out


def render_style(digit: int, choice: Sequence[float]) -> list[float]:
    """A 784-float MNIST-style input: a style of ``digit`` varied by ``choice``."""
    styles = STYLES[digit]
    _, strokes = styles[min(len(styles) - 1, int(choice[1] * len(styles)))]
    # A margin of a fifth of the canvas: turned and slanted strokes stay on it.
    margin = CANVAS * 0.2
    inner = CANVAS - 2 * margin
    placed = [[(margin + x * inner, margin + y * inner) for x, y in stroke] for stroke in vary(strokes, choice)]
    pen = _between(PEN[0], PEN[1], choice[9]) * CANVAS
    return to_mnist(CANVAS, CANVAS, render(placed, CANVAS, CANVAS, pen))


def maybe_replace(label: int, pixels: Sequence[float], choice: Sequence[float], fraction: float) -> Sequence[float]:
    """``pixels``, or (with probability ``fraction``, decided by choice[0]) a
    drawn style of the same digit if there is one."""
    if choice[0] < fraction and label in STYLES:
        return render_style(label, choice)
    return pixels


if __name__ == "__main__":
    import doctest
    doctest.testmod()
