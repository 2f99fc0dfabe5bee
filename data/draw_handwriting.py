"""Draw ``data/handwriting.png``: the sample digit the project drew itself.

    python -m data.draw_handwriting [OUT.png]

A "3" written with a felt pen on a sheet of paper and photographed: 400 x 300
pixels of RGB, blue-black ink whose line gets thicker where the pen presses
harder and thinner at the quick ends, on off-white paper that is lit
unevenly (brighter at the top left) and has a faint grain.  None of that is
what MNIST looks like (white on black, 28 x 28, centred), which is the
point: ``predict.py`` has to turn it into MNIST's form first.

Standard library and nrnn only (``nrnn.image.strokes`` draws the pen,
``nrnn.image.png`` writes the file, ``nrnn.net.prng`` makes the grain), so the file
is reproduced byte for byte by running this script again.
"""

import math
import os
import sys

from nrnn.image.png import write_png
from nrnn.image.strokes import render
from nrnn.net.prng import PCG32

HERE = os.path.dirname(os.path.abspath(__file__))

WIDTH, HEIGHT = 400, 300
PAPER = (238, 234, 224)      # off-white, a little warm
INK = (28, 32, 58)           # blue-black felt pen
SEED = 2024


def arc(cx, cy, rx, ry, start, stop, steps, wobble=0.0, phase=0.0):
    """Points on an elliptic arc, angles in degrees (0 = right, 90 = down),
    the radius wavering by +-``wobble`` pixels as a hand does."""
    points = []
    for i in range(steps + 1):
        t = math.radians(start + (stop - start) * i / steps)
        r = 1.0 + wobble * math.sin(3.1 * t + phase) / max(rx, ry)
        points.append((cx + rx * r * math.cos(t), cy + ry * r * math.sin(t)))
    return points


def slant(points, shear, origin_y):
    """Lean the writing to the right, as most hands do."""
    return [(x + shear * (origin_y - y), y) for x, y in points]


def three():
    """The pen path of the "3", and the pen width along it."""
    upper = arc(198, 100, 52, 46, -165, 88, 26, wobble=3.0)
    lower = arc(200, 187, 62, 57, -86, 150, 30, wobble=4.0, phase=1.0)
    path = slant(upper + lower[1:], 0.12, 150)
    # Pressure: thin at the quick start and end, heavier through the curves.
    widths = []
    for i in range(len(path) - 1):
        t = i / (len(path) - 2)
        widths.append(11.0 + 9.0 * math.sin(math.pi * min(1.0, 0.15 + 0.95 * t)) ** 0.7)
    return path, widths


def draw():
    path, widths = three()
    # The pen width changes along the stroke, so draw it in short runs,
    # each with its own width; overlapping runs keep the larger coverage.
    coverage = [0.0] * (WIDTH * HEIGHT)
    run = 4
    for start in range(0, len(path) - 1, run):
        piece = path[start:start + run + 1]
        piece_widths = widths[start:start + run]
        width = sum(piece_widths) / len(piece_widths)
        for index, value in enumerate(render([piece], WIDTH, HEIGHT, width)):
            if value > coverage[index]:
                coverage[index] = value

    rng = PCG32(SEED)
    pixels = bytearray()
    for y in range(HEIGHT):
        for x in range(WIDTH):
            # Light falls from the top left: up to ~7% darker at the far corner.
            light = 1.0 - 0.07 * ((x / WIDTH) ** 2 + (y / HEIGHT) ** 2) / 2
            grain = rng.gaussian(0.0, 2.0)
            ink = coverage[y * WIDTH + x] * 0.96  # felt pens never quite reach black
            for paper, pen in zip(PAPER, INK):
                value = (paper * light + grain) * (1.0 - ink) + pen * ink
                pixels.append(min(255, max(0, int(value + 0.5))))
    return bytes(pixels)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = argv[0] if argv else os.path.join(HERE, "handwriting.png")
    write_png(out, WIDTH, HEIGHT, draw(), mode="RGB")
    print("wrote %s (%d x %d)" % (out, WIDTH, HEIGHT))


if __name__ == "__main__":
    main()
