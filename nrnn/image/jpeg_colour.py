"""From decoded JPEG components to RGB: chroma upsampling and colour conversion.

A colour JPEG usually stores Y (brightness) at full resolution and the two
colour-difference components Cb and Cr at half resolution across
(4:2:2, sampling factors 2x1) or both ways (4:2:0, 2x2).  Before the
colours can be converted, Cb and Cr must be stretched back to full size.

Upsampling
----------
*Box*: repeat each chroma sample over the 2x2 (or whatever) pixels it
covers.  Simple, but colour edges come out blocky.

*Fancy* (libjpeg's default, and what cameras' own decoders approximate):
each chroma sample sits at the *centre* of the pixels it covers, so an
output pixel is interpolated from the nearest sample (weight 3/4) and the
next nearest (1/4), in each direction that was subsampled; a "triangle"
filter.  For 2x2 (h2v2), first down the columns then across::

    column sum  c = 3 * nearer_row + farther_row          (0..1020)
    even pixel  (3 * c[i] + c[i-1] + 8) >> 4
    odd pixel   (3 * c[i] + c[i+1] + 7) >> 4

The unequal rounding constants (8 and 7) come from libjpeg: they avoid
always rounding the same way.  At the image edges the edge sample is
repeated.  2x1 uses ``(3 s[i] + s[i-1] + 1) >> 2`` and
``(3 s[i] + s[i+1] + 2) >> 2``; 1x2 the same down the columns.  As libjpeg
does, fancy upsampling is used for 2x1 and 2x2 only when the subsampled
component is more than 2 samples wide, always for 1x2, and never for other
ratios (4:1:1's 4x1, 3x2...) nor for images decoded at 1/8 size: those
repeat samples.

Colour conversion
-----------------
JFIF YCbCr to RGB (the inverse of the encoder's transform)::

    R = Y + 1.402    (Cr - 128)
    G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128)
    B = Y + 1.772    (Cb - 128)

rounded and clamped to 0..255, computed as libjpeg does in 16-bit fixed
point, with tables of the products for every Cb and Cr value so a pixel
costs three look-ups and additions (done with ``map`` to stay in C).

Adobe CMYK (255 = no ink, as Photoshop writes it) goes to RGB as
``R = C * K / 255`` (rounded), likewise G from M and B from Y; YCCK is
YCbCr-coded CMY plus K: convert Y, Cb, Cr to R', G', B' as above, take
C = 255 - R', ..., then as CMYK.

>>> ycbcr_to_rgb(bytes([128, 76]), bytes([128, 85]), bytes([128, 255]))   # gray, red
(b'\\x80\\xfe', b'\\x80\\x00', b'\\x80\\x00')
>>> list(upsample_h2v1(bytes([0, 100, 200]), 6))
[0, 25, 75, 125, 175, 200]
"""

import operator
from typing import Optional, Union

__all__ = ["upsample", "upsample_h2v1", "ycbcr_to_rgb", "cmyk_to_rgb", "ycck_to_rgb"]

# A plane or a row of 8-bit samples: the decoder fills bytearrays, tables give bytes.
Samples = Union[bytes, bytearray]

SCALE_BITS = 16
ONE_HALF = 1 << (SCALE_BITS - 1)


def _fix(x: float) -> int:
    return int(x * (1 << SCALE_BITS) + 0.5)


# An index offset so that Y + (a table entry) is always a valid index of
# _CLAMP (R and B corrections stay within +-227).
_OFFSET = 384
_CLAMP = bytes([0] * _OFFSET + list(range(256)) + [255] * _OFFSET)
_RED_CR = [((_fix(1.402) * (i - 128) + ONE_HALF) >> SCALE_BITS) + _OFFSET for i in range(256)]
_BLUE_CB = [((_fix(1.772) * (i - 128) + ONE_HALF) >> SCALE_BITS) + _OFFSET for i in range(256)]
_TIMES_256 = [i << 8 for i in range(256)]
_green: Optional[list[int]] = None
_ink: Optional[list[int]] = None


def _green_table() -> list[int]:
    """G - Y for every (Cb, Cr), indexed ``Cb * 256 + Cr`` (built on first use)."""
    global _green
    if _green is None:
        green_cb = [-_fix(0.34414) * (i - 128) + ONE_HALF for i in range(256)]
        green_cr = [-_fix(0.71414) * (i - 128) for i in range(256)]
        _green = [((b + r) >> SCALE_BITS) + _OFFSET for b in green_cb for r in green_cr]
    return _green


def ycbcr_to_rgb(luma: bytes, blue: bytes, red: bytes) -> tuple[bytes, bytes, bytes]:
    """Three planes of equal length (Y, Cb, Cr) to (R, G, B) planes."""
    clamp = _CLAMP.__getitem__
    add = operator.add
    r = bytes(map(clamp, map(add, luma, map(_RED_CR.__getitem__, red))))
    b = bytes(map(clamp, map(add, luma, map(_BLUE_CB.__getitem__, blue))))
    pairs = map(add, map(_TIMES_256.__getitem__, blue), red)
    g = bytes(map(clamp, map(add, luma, map(_green_table().__getitem__, pairs))))
    return r, g, b


def _ink_table() -> list[int]:
    """round(a * b / 255) for every (a, b), indexed ``a * 256 + b``."""
    global _ink
    if _ink is None:
        table = []
        for a in range(256):
            for b in range(256):
                t = a * b + 128
                table.append(((t >> 8) + t) >> 8)
        _ink = table
    return _ink


def cmyk_to_rgb(cyan: bytes, magenta: bytes, yellow: bytes, black: bytes) -> tuple[bytes, bytes, bytes]:
    """Adobe (inverted) CMYK planes to (R, G, B): R = C * K / 255, rounded."""
    table = _ink_table().__getitem__
    red, green, blue = (bytes(map(table, map(operator.add, map(_TIMES_256.__getitem__, plane), black)))
                        for plane in (cyan, magenta, yellow))
    return red, green, blue


def ycck_to_rgb(luma: bytes, blue: bytes, red: bytes, black: bytes) -> tuple[bytes, bytes, bytes]:
    """YCCK planes to (R, G, B): YCbCr to R'G'B', C = 255 - R' etc., then CMYK."""
    invert = bytes(range(255, -1, -1))
    r, g, b = ycbcr_to_rgb(luma, blue, red)
    return cmyk_to_rgb(r.translate(invert), g.translate(invert), b.translate(invert), black)


def _interleave(even: list[int], odd: list[int], width: int) -> bytes:
    out = bytearray(2 * len(even))
    out[0::2] = bytes(even)
    out[1::2] = bytes(odd)
    return bytes(out[:width])


def upsample_h2v1(row: Samples, width: int) -> bytes:
    """One row doubled across with the triangle filter, cut to ``width``."""
    left = row[:1] + row[:-1]
    right = row[1:] + row[-1:]
    even = [(3 * s + a + 1) >> 2 for s, a in zip(row, left)]
    odd = [(3 * s + b + 2) >> 2 for s, b in zip(row, right)]
    return _interleave(even, odd, width)


def _h2v2_row(near: Samples, far: Samples, width: int) -> bytes:
    sums = [3 * a + b for a, b in zip(near, far)]
    left = sums[:1] + sums[:-1]
    right = sums[1:] + sums[-1:]
    even = [(3 * c + a + 8) >> 4 for c, a in zip(sums, left)]
    odd = [(3 * c + b + 7) >> 4 for c, b in zip(sums, right)]
    return _interleave(even, odd, width)


def _h1v2_row(near: Samples, far: Samples, bias: int) -> bytes:
    return bytes((3 * a + b + bias) >> 2 for a, b in zip(near, far))


def _box_row(row: Samples, factor: int, width: int) -> bytes:
    if factor == 1:
        return bytes(row[:width])
    out = bytearray(factor * len(row))
    for phase in range(factor):
        out[phase::factor] = row
    return bytes(out[:width])


def upsample(plane: Samples, stride: int, samples_wide: int, samples_high: int,
             factor_x: int, factor_y: int, width: int, height: int, fancy: bool) -> bytes:
    """Stretch one component to ``width`` x ``height`` pixels (bytes, row-major).

    ``plane`` holds rows of ``stride`` samples, of which the first
    ``samples_wide`` x ``samples_high`` are image (the rest is block
    padding).  Each sample covers ``factor_x`` x ``factor_y`` pixels.
    ``fancy`` asks for the triangle filter where libjpeg would use it.
    """
    rows = [plane[y * stride:y * stride + samples_wide] for y in range(samples_high)]
    last = samples_high - 1
    out = []
    if fancy and factor_x == 2 and factor_y == 2 and samples_wide > 2:
        for y in range(samples_high):
            above, below = rows[max(y - 1, 0)], rows[min(y + 1, last)]
            out.append(_h2v2_row(rows[y], above, width))
            out.append(_h2v2_row(rows[y], below, width))
    elif fancy and factor_x == 2 and factor_y == 1 and samples_wide > 2:
        out = [upsample_h2v1(row, width) for row in rows]
    elif fancy and factor_x == 1 and factor_y == 2:
        for y in range(samples_high):
            near = rows[y][:width]
            out.append(_h1v2_row(near, rows[max(y - 1, 0)][:width], 1))
            out.append(_h1v2_row(near, rows[min(y + 1, last)][:width], 2))
    else:
        for row in rows:
            stretched = _box_row(row, factor_x, width)
            out.extend([stretched] * factor_y)
    return b"".join(out[:height])


if __name__ == "__main__":
    import doctest
    doctest.testmod()
