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
point, with tables of the products for every Cb and Cr value, for a
whole plane at once (see the comment above ``_fixed``).

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


# How the conversion is computed.  Every output is Y plus a correction
# that depends on Cb and/or Cr, kept in 16-bit fixed point (x 65536) like
# libjpeg, then shifted down and clamped:
#
#     channel = clamp(Y + ((P[Cb] + Q[Cr]) >> 16))
#
# R: P = 0,  Q = 65536 * round(1.402 (Cr - 128))   (libjpeg rounds R, B first)
# G: P = -0.34414 (Cb - 128) * 65536 + 32768,  Q = -0.71414 (Cr - 128) * 65536
# B: P = 65536 * round(1.772 (Cb - 128)),  Q = 0
#
# Done for a whole plane at once "SIMD within a register": each pixel gets
# a 32-bit lane of one big integer holding Y * 65536 + P + Q (+ 2**24, to
# keep every lane positive; it is 256 after the shift).  ``bytes.translate``
# fills each byte of the lanes from a table, one integer addition adds all
# the lanes (no lane can carry into the next: values stay below 2**25), and
# the top two bytes of each lane are then the shifted result, 256 + channel
# before clamping.  Clamping is two more table translations and a bitwise
# and/or, all in C.


def _fixed(values) -> tuple[bytes, ...]:
    """Four 256-byte tables: byte k (big-endian) of ``values[i]`` (0 <= v < 2**32)."""
    return tuple(bytes((v >> (24 - 8 * k)) & 255 for v in values) for k in range(4))


_BIAS = 1 << 23  # added to P and to Q: 2**24 in all, 256 after the shift
_RED_Q = _fixed([(((_fix(1.402) * (i - 128) + ONE_HALF) >> SCALE_BITS) << 16) + 2 * _BIAS
                 for i in range(256)])
_BLUE_P = _fixed([(((_fix(1.772) * (i - 128) + ONE_HALF) >> SCALE_BITS) << 16) + 2 * _BIAS
                  for i in range(256)])
_GREEN_P = _fixed([-_fix(0.34414) * (i - 128) + ONE_HALF + _BIAS for i in range(256)])
_GREEN_Q = _fixed([-_fix(0.71414) * (i - 128) + _BIAS for i in range(256)])
# For the top byte h of a result (256 + channel = 256 h + low byte): keep the
# low byte when h is 1, saturate to 255 when h is 2 or more, 0 when h is 0.
_KEEP = bytes(255 if h == 1 else 0 for h in range(256))
_SATURATE = bytes(255 if h >= 2 else 0 for h in range(256))
_TIMES_256 = [i << 8 for i in range(256)]
_ink: Optional[list[int]] = None


def _channel(luma: bytes, terms) -> bytes:
    """clamp(Y + ((sum of table[plane] for plane, table in terms) >> 16) - 256)."""
    count = len(luma)
    lanes = bytearray(4 * count)
    lanes[1::4] = luma  # Y * 65536: the second byte of each lane
    total = int.from_bytes(lanes, "big")
    for plane, tables in terms:
        lanes = bytearray(4 * count)
        for k, table in enumerate(tables):
            if table.count(0) != 256:
                lanes[k::4] = plane.translate(table)
        total += int.from_bytes(lanes, "big")
    result = total.to_bytes(4 * count, "big")
    high, low = result[0::4], result[1::4]
    keep = int.from_bytes(high.translate(_KEEP), "big")
    saturate = int.from_bytes(high.translate(_SATURATE), "big")
    return ((int.from_bytes(low, "big") & keep) | saturate).to_bytes(count, "big")


def ycbcr_to_rgb(luma: bytes, blue: bytes, red: bytes) -> tuple[bytes, bytes, bytes]:
    """Three planes of equal length (Y, Cb, Cr) to (R, G, B) planes."""
    luma, blue, red = bytes(luma), bytes(blue), bytes(red)
    return (_channel(luma, [(red, _RED_Q)]),
            _channel(luma, [(blue, _GREEN_P), (red, _GREEN_Q)]),
            _channel(luma, [(blue, _BLUE_P)]))


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


# ------------------------------------------------------------ upsampling
#
# The filters are written "SIMD within a register", as png.py adds rows: a
# row of n samples becomes one big integer with a 16-bit *lane* per sample
# (``_widen``), and one integer addition or shift then works on every lane
# at once, in C.  Lanes cannot spill into each other: no sum here exceeds
# 4 * 1020 + 8 < 2**16, and after a right shift the bits that came in from
# the neighbouring lane are masked off.  A row's left neighbours are the
# lanes shifted by one lane (the first lane repeating itself), likewise its
# right neighbours.


class _Lanes:
    """Constants for rows of ``n`` 16-bit lanes (cached per length)."""

    _cache: dict = {}

    def __init__(self, n: int):
        self.n = n
        self.ones = int.from_bytes(b"\x00\x01" * n, "big")
        self.low12 = int.from_bytes(b"\x0f\xff" * n, "big")
        self.low14 = int.from_bytes(b"\x3f\xff" * n, "big")
        self.full = (1 << (16 * n)) - 1
        self.top = 16 * (n - 1)

    @classmethod
    def of(cls, n: int) -> "_Lanes":
        lanes = cls._cache.get(n)
        if lanes is None:
            lanes = cls._cache[n] = cls(n)
        return lanes

    def left(self, x: int) -> int:
        """Each lane replaced by its left neighbour (the first by itself)."""
        return (x >> 16) | ((x >> self.top) << self.top)

    def right(self, x: int) -> int:
        """Each lane replaced by its right neighbour (the last by itself)."""
        return ((x << 16) & self.full) | (x & 0xFFFF)


def _widen(row: Samples) -> int:
    wide = bytearray(2 * len(row))
    wide[1::2] = row
    return int.from_bytes(wide, "big")


def _narrow(x: int, n: int) -> bytes:
    """The low byte of each of ``n`` lanes (every lane holds 0..255)."""
    return x.to_bytes(2 * n, "big")[1::2]


def _interleave(even: int, odd: int, n: int, width: int) -> bytes:
    out = bytearray(2 * n)
    out[0::2] = _narrow(even, n)
    out[1::2] = _narrow(odd, n)
    return bytes(out[:width])


def upsample_h2v1(row: Samples, width: int) -> bytes:
    """One row doubled across with the triangle filter, cut to ``width``."""
    lanes = _Lanes.of(len(row))
    samples = _widen(row)
    tripled = 3 * samples
    even = ((tripled + lanes.left(samples) + lanes.ones) >> 2) & lanes.low14
    odd = ((tripled + lanes.right(samples) + 2 * lanes.ones) >> 2) & lanes.low14
    return _interleave(even, odd, len(row), width)


def _h2v2_row(sums: int, lanes: _Lanes, width: int) -> bytes:
    """The horizontal pass of 2x2, on column sums ``3 * nearer + farther``."""
    tripled = 3 * sums
    even = ((tripled + lanes.left(sums) + 8 * lanes.ones) >> 4) & lanes.low12
    odd = ((tripled + lanes.right(sums) + 7 * lanes.ones) >> 4) & lanes.low12
    return _interleave(even, odd, lanes.n, width)


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
        lanes = _Lanes.of(samples_wide)
        wide = [_widen(row) for row in rows]
        for y in range(samples_high):
            nearer = 3 * wide[y]
            out.append(_h2v2_row(nearer + wide[max(y - 1, 0)], lanes, width))
            out.append(_h2v2_row(nearer + wide[min(y + 1, last)], lanes, width))
    elif fancy and factor_x == 2 and factor_y == 1 and samples_wide > 2:
        out = [upsample_h2v1(row, width) for row in rows]
    elif fancy and factor_x == 1 and factor_y == 2:
        lanes = _Lanes.of(samples_wide)
        wide = [_widen(row) for row in rows]
        for y in range(samples_high):
            nearer = 3 * wide[y] + lanes.ones
            above = ((nearer + wide[max(y - 1, 0)]) >> 2) & lanes.low14
            below = ((nearer + wide[min(y + 1, last)] + lanes.ones) >> 2) & lanes.low14
            out.append(_narrow(above, samples_wide)[:width])
            out.append(_narrow(below, samples_wide)[:width])
    else:
        for row in rows:
            stretched = _box_row(row, factor_x, width)
            out.extend([stretched] * factor_y)
    return b"".join(out[:height])


if __name__ == "__main__":
    import doctest
    doctest.testmod()
