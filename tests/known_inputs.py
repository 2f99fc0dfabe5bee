"""Inputs whose answers are known, made by the tests themselves: a network
whose outputs can be worked out on paper, small PNG digits, MNIST's four
IDX files in miniature, and a model file that inflates to a memory bomb.

Shared by several test modules (a test module never imports another).
"""

import math
import os
import struct
import zlib

from nrnn.image import png
from nrnn.mnist import download, idx
from nrnn.mnist.download import MNIST_FILES
from nrnn.net.network import Network

MiB = 1024 * 1024

# Output k of KNOWN_NETWORK is sigmoid(bias_k), its weights all zero, so for
# any input the outputs are exactly these (sigmoid(ln 9) = 0.9, etc.).
KNOWN_OUTPUTS = [0.1, 0.1, 0.1, 0.9, 0.1, 0.75, 0.1, 0.1, 0.5, 0.1]
# Worked by hand: the outputs sum to 0.9 + 0.75 + 0.5 + 7 * 0.1 = 2.85.
KNOWN_PROBABILITIES = [a / 2.85 for a in KNOWN_OUTPUTS]
# 3, 5, 8, then the seven tied 0.1s in digit order.
KNOWN_RANKING = [3, 5, 8, 0, 1, 2, 4, 6, 7, 9]


def known_network() -> Network:
    """784 -> 10 with zero weights and biases logit(KNOWN_OUTPUTS)."""
    biases = [math.log(a / (1.0 - a)) for a in KNOWN_OUTPUTS]
    return Network.from_parameters([[[0.0] * 784 for _ in range(10)]], [biases])


def bar_digit_png(width: int = 56, height: int = 56) -> bytes:
    """A dark vertical bar (a "1") on white paper, as a paint program saves it."""
    pixels = bytes(0 if width * 0.4 <= x < width * 0.55 and height * 0.15 <= y < height * 0.85 else 255
                   for y in range(height) for x in range(width))
    return png.encode_gray8(width, height, pixels)


def seven_png() -> bytes:
    """A "7" in dark red ink on cream RGB paper, 90 x 70, off centre."""
    rows = []
    for y in range(70):
        row = bytearray()
        for x in range(90):
            ink = (10 <= y < 16 and 30 <= x < 70) or (16 <= y < 60 and abs(x - (70 - (y - 16) * 0.5)) < 3)
            row += bytes((120, 10, 20)) if ink else bytes((250, 245, 225))
        rows.append(bytes(row))
    return png.encode_rgb8(90, 70, b"".join(rows))


def make_mnist_folder(folder, images=3):
    """The four files, tiny and gzip'ed; return name -> MD5."""
    os.makedirs(folder, exist_ok=True)
    for split in ("train", "test"):
        pixels = [bytes((k * 13 + i) % 256 for i in range(784)) for k in range(images)]
        idx.write_images(os.path.join(folder, download.IMAGE_FILES[split]), pixels)
        idx.write_labels(os.path.join(folder, download.LABEL_FILES[split]), [k % 10 for k in range(images)])
    return {name: download.file_digest(os.path.join(folder, name)) for name in MNIST_FILES}


def metadata_bomb(megabytes: int) -> bytes:
    """A gzip'ed "model" whose metadata is ``megabytes`` MB of ``[],``.

    Built in well under a second, without compressing 512 MB: after a full
    flush deflate forgets the past, so every 1 MB block compresses to the
    same bytes, computed once and repeated.  The CRC and length are real:
    ``gzip -dc`` reads the file.
    """
    head = b'{"format": "nrnn-model", "version": 1, "sizes": [784, 10], "metadata": ['
    block = b"[]," * (MiB // 3)
    tail = b'[]]}'
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate
    parts = [squeezer.compress(head) + squeezer.flush(zlib.Z_FULL_FLUSH)]
    segment = squeezer.compress(block) + squeezer.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        parts.append(segment)
        crc = zlib.crc32(block, crc)
    parts.append(squeezer.compress(tail) + squeezer.flush())
    crc = zlib.crc32(tail, crc)
    size = len(head) + megabytes * len(block) + len(tail)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"".join(parts)
            + struct.pack("<II", crc, size & 0xFFFFFFFF))
