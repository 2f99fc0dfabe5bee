"""A tiny network that reliably reads the project's own demo digits.

The server and browser tests need "draw a 3, the page says 3" to be a
sure thing without depending on the shipped model.  So this module draws
the ten demo digits of ``nrnn/static/strokes.json`` (the strokes the page's
``/?demo=N`` replays) many times, each slanted, turned, squashed, shifted
and with a different pen (``nrnn.image.strokes``), puts every drawing through
the real preprocessing (``nrnn.image.preprocess.prepare``), and trains a
784-24-10 network on them.  A few seconds on CPython; the result is cached
for the whole test run.

``demo_png(digit)`` draws a demo digit as the page would (280 x 280, a dark
round pen 20 px wide), as PNG bytes.  It is opaque, dark on white; the
page's canvas is transparent, but preprocessing composites that over white,
so the network sees the same picture.
"""

import math
import random

from nrnn.image.png import Image, encode_gray8
from nrnn.image.preprocess import prepare
from nrnn.image.strokes import demo_digits, fit, render
from nrnn.net.network import Network

CANVAS = 280
PEN_WIDTH = 20.0
_SIDE = 56          # training drawings are small: rendering is the slow part
_VARIANTS = 24      # drawings per digit
_EPOCHS = 12
_cache = {}


def _image(coverage, side, name="<drawn>"):
    """Dark ink on white, as an opaque gray Image."""
    rgba = bytearray()
    for c in coverage:
        level = int(255 - 235 * c + 0.5)
        rgba += bytes((level, level, level, 255))
    return Image(side, side, bytes(rgba), name)


def _variant(strokes, rng):
    """The strokes slanted, turned, scaled and shifted a little, at random."""
    angle = math.radians(rng.uniform(-12, 12))
    shear = rng.uniform(-0.25, 0.25)
    sx, sy = rng.uniform(0.75, 1.1), rng.uniform(0.75, 1.1)
    cos, sin = math.cos(angle), math.sin(angle)
    transform = (sx * cos, sx * (shear * cos - sin), rng.uniform(-0.08, 0.08),
                 sy * sin, sy * (shear * sin + cos), rng.uniform(-0.08, 0.08))
    moved = fit(strokes, 1.0, 1.0, transform)
    # Each point wobbles by up to 1.5% of the box, as a hand does.
    return [[(x + rng.uniform(-0.015, 0.015), y + rng.uniform(-0.015, 0.015)) for x, y in stroke]
            for stroke in moved]


def training_samples(seed=0):
    """(inputs, digit) pairs: every demo digit drawn ``_VARIANTS`` times."""
    rng = random.Random(seed)
    samples = []
    for digit, strokes in sorted(demo_digits().items()):
        for _ in range(_VARIANTS):
            pen = rng.uniform(3.5, 6.5)
            drawing = render(fit(_variant(strokes, rng), _SIDE, _SIDE), _SIDE, _SIDE, pen)
            samples.append((prepare(_image(drawing, _SIDE)), digit))
    return samples


def demo_network() -> Network:
    """The trained 784-24-10 network (built once per test run)."""
    if "network" not in _cache:
        samples = training_samples()
        network = Network([784, 24, 10], seed=5)
        order = random.Random(1)
        for _ in range(_EPOCHS):
            order.shuffle(samples)
            for inputs, digit in samples:
                network.train_sample(inputs, digit, learning_rate=0.3)
        _cache["network"] = network
    return _cache["network"]


def demo_png(digit: int) -> bytes:
    """Demo digit ``digit`` as the page draws it: 280 x 280, pen 20 px, as PNG bytes."""
    strokes = fit(demo_digits()[digit], CANVAS, CANVAS)
    coverage = render(strokes, CANVAS, CANVAS, PEN_WIDTH)
    return encode_gray8(CANVAS, CANVAS, bytes(int(255 - 234 * c + 0.5) for c in coverage))
