"""Draw ``nrnn/static/photo.jpg``: a phone photo of a digit, made by the project.

    python -m data.draw_photo [OUT.jpg]

A "2" written with a blue ballpoint on squared paper and photographed with
a phone held upright: 900 x 1200 pixels as a viewer shows it, lit unevenly
(brighter at the top), with the soft shadow of the phone across the bottom
right corner, a faint grain, saved as a JPEG at a phone's quality (85,
4:2:0) and, as phones do, stored *sideways* (1200 x 900) with an EXIF tag
saying "rotate 90 degrees clockwise to view" (orientation 6).

Everything that makes photos hard is here on purpose: the grid lines, the
shadow (a large dark region touching the border), the light gradient, the
rotation.  ``python predict.py nrnn/static/photo.jpg`` reads it; the drawing
page shows it with ``/?photo=photo.jpg``.

Standard library and nrnn only (``nrnn.image.strokes`` draws the pen,
``nrnn.image.jpeg_encoder`` writes the file, ``nrnn.net.prng`` makes the grain), so
the file is reproduced byte for byte by running this script again.
"""

import math
import os
import struct
import sys

from nrnn.atomic import write_bytes_atomic
from nrnn.image.jpeg_encoder import encode_rgb8
from nrnn.image.strokes import render
from nrnn.net.prng import PCG32

HERE = os.path.dirname(os.path.abspath(__file__))

OUT = os.path.join(os.path.dirname(HERE), "nrnn", "static", "photo.jpg")
WIDTH, HEIGHT = 900, 1200       # as a viewer shows it (portrait)
PAPER = (226, 228, 222)         # white paper in indoor light
GRID = (150, 178, 214)          # light blue squares
INK = (30, 42, 120)             # blue ballpoint
GRID_STEP = 60
PEN_WIDTH = 9.0
SEED = 7
ORIENTATION = 6                 # stored turned 90 degrees anticlockwise


def two():
    """The pen path of the "2": a hook, a diagonal, a base line."""
    points = []
    for i in range(24):  # the hook: from the left, over the top, down the right
        t = math.radians(200 + 190 * i / 23)
        points.append((450 + 150 * math.cos(t), 470 + 140 * math.sin(t)))
    x, y = points[-1]
    for i in range(1, 16):  # down to the bottom left
        points.append((x + (300 - x) * i / 15, y + (790 - y) * i / 15))
    for i in range(1, 10):  # the base, to the right
        points.append((300 + 330 * i / 9, 790 + 8 * i / 9))
    return points


def scene() -> bytes:
    """The photo as a viewer shows it: RGB bytes, WIDTH x HEIGHT."""
    ink = render([two()], WIDTH, HEIGHT, PEN_WIDTH)
    rng = PCG32(SEED)
    pixels = bytearray()
    for y in range(HEIGHT):
        light = 1.04 - 0.16 * y / HEIGHT
        for x in range(WIDTH):
            # The phone's shadow: darkest in the bottom right corner.
            reach = math.hypot(WIDTH - x, HEIGHT - y) / 420.0
            shade = 0.55 + 0.45 * min(1.0, reach) ** 2
            on_grid = x % GRID_STEP < 2 or y % GRID_STEP < 2
            base = GRID if on_grid else PAPER
            cover = ink[y * WIDTH + x]
            grain = rng.below(9) - 4
            for paper, pen in zip(base, INK):
                value = (paper * (1.0 - cover) + pen * cover) * light * shade + grain
                pixels.append(min(255, max(0, int(value + 0.5))))
    return bytes(pixels)


def stored_sideways(pixels: bytes) -> bytes:
    """Turn the picture 90 degrees anticlockwise, as a phone held upright
    stores it: stored pixel (x, y) is shown at (HEIGHT - 1 - y, x)."""
    turned = bytearray()
    for row in range(WIDTH):                 # stored rows: WIDTH of them
        x = WIDTH - 1 - row
        for column in range(HEIGHT):         # stored columns: HEIGHT
            start = 3 * (column * WIDTH + x)
            turned += pixels[start:start + 3]
    return bytes(turned)


def with_orientation(jpeg: bytes, orientation: int) -> bytes:
    """Insert an EXIF segment (APP1) holding only the orientation tag."""
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)   # SHORT, 1 value
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    data = encode_rgb8(HEIGHT, WIDTH, stored_sideways(scene()), quality=85, subsampling="4:2:0")
    write_bytes_atomic(out, with_orientation(data, ORIENTATION))
    print("wrote %s (%d bytes)" % (out, os.path.getsize(out)))


if __name__ == "__main__":
    main()
