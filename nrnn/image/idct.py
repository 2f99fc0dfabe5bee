"""The inverse DCT of JPEG: 64 frequency coefficients back to an 8x8 block.

A JPEG stores each 8x8 block of samples as 64 coefficients ``F(u, v)`` of
cosine patterns (``u`` across, ``v`` down; ``F(0, 0)`` is the *DC*, eight
times the block's mean).  The decoder multiplies each by its quantisation
step and sums the patterns (ITU T.81, A.3.3)::

    f(x, y) = 1/4 sum_u sum_v C(u) C(v) F(u, v) cos((2x+1) u pi / 16)
                                                cos((2y+1) v pi / 16)

with C(0) = 1/sqrt(2) and C(k) = 1 for k > 0; then adds 128 (the level
shift) and clamps to 0..255.  The sum is *separable*: a 1-D 8-point IDCT
of each column, then of each row, 2 * 8 * 8 * 8 = 1024 multiplications done
naively.

``idct_8x8`` does it the way libjpeg's default ("islow") method does, so its
output is bit-identical to libjpeg's: integer arithmetic with the cosines
scaled by 2**13 (``CONST_BITS``), two extra bits of precision kept between
the passes (``PASS1_BITS``), and the Loeffler-Ligtenberg-Moschytz
factorisation of the 1-D transform, which needs 12 multiplications instead
of 64.  Two shortcuts carry most of the speed in pure Python: a column whose
AC terms are all zero is a constant (its DC), and so is such a row of the
intermediate result.  Most blocks of a photo have only a few nonzero
coefficients, many only the DC.

Reduced sizes (``idct_scaled``): an n x n output (n = 4 or 2) whose
samples are the means of the (8/n) x (8/n) squares of the full 8x8 result,
computed straight from the coefficients, as libjpeg's reduced IDCTs do.
For n = 1 the mean of the whole block is just the DC:
``pixel = DC * Q / 8 + 128``, rounded as libjpeg rounds it (``dc_pixel``).

>>> block = [0] * 64
>>> block[0] = 10                    # DC only: a flat block
>>> out = bytearray(64)
>>> idct_8x8(block, [16] * 64, out, 0, 8)
>>> out[0], out[63]                   # 128 + 10 * 16 / 8
(148, 148)
>>> block[1] = 5                     # a horizontal ripple: left lighter than right
>>> idct_8x8(block, [16] * 64, out, 0, 8)
>>> list(out[:8])
[162, 160, 156, 151, 145, 140, 136, 134]
>>> dc_pixel(10, 16)
148
"""

import math
from collections.abc import Sequence

__all__ = ["idct_8x8", "idct_scaled", "dc_pixel", "clamp_table"]

CONST_BITS = 13
PASS1_BITS = 2

# Cosine constants of the LLM factorisation, times 2**13, rounded.
FIX_0_298631336 = 2446
FIX_0_390180644 = 3196
FIX_0_541196100 = 4433
FIX_0_765366865 = 6270
FIX_0_899976223 = 7373
FIX_1_175875602 = 9633
FIX_1_501321110 = 12299
FIX_1_847759065 = 15137
FIX_1_961570560 = 16069
FIX_2_053119869 = 16819
FIX_2_562915447 = 20995
FIX_3_072711026 = 25172


def clamp_table() -> list[int]:
    """``table[x & 1023] = clamp(x + 128, 0, 255)`` for x in -512..511.

    libjpeg looks results up in such a table rather than clamping, and
    masks with 1023; values beyond +-512 (only corrupt data makes them)
    wrap around.  Using the same table keeps the output identical.
    """
    table = []
    for index in range(1024):
        x = index - 1024 if index >= 512 else index
        table.append(min(255, max(0, x + 128)))
    return table


_LIMIT = clamp_table()
# A row of 8 equal samples, ready to paste: the constant-row shortcut.
_FLAT_ROWS = [bytes((value,)) * 8 for value in range(256)]


def idct_8x8(coefficients: Sequence[int], quantisation: Sequence[int],
             out: bytearray, offset: int, stride: int) -> None:
    """Dequantise and inverse-transform one block into ``out``.

    ``coefficients`` and ``quantisation`` are 64 integers in natural
    (row-major) order.  Row ``y`` of the result goes to
    ``out[offset + y * stride : offset + y * stride + 8]``.
    """
    limit = _LIMIT
    workspace = [0] * 64
    # Pass 1: columns.  Results keep PASS1_BITS extra bits of precision.
    for column in range(8):
        c0, c1, c2, c3, c4, c5, c6, c7 = coefficients[column::8]
        if not (c1 or c2 or c3 or c4 or c5 or c6 or c7):
            # Only the DC term: the whole column is that one value.
            workspace[column::8] = [(c0 * quantisation[column]) << PASS1_BITS] * 8
            continue
        q0, q1, q2, q3, q4, q5, q6, q7 = quantisation[column::8]
        # Even part: the terms of cos(0), cos(2 pi/8) ... of the 1-D IDCT.
        z2 = c2 * q2
        z3 = c6 * q6
        z1 = (z2 + z3) * FIX_0_541196100
        tmp2 = z1 - z3 * FIX_1_847759065
        tmp3 = z1 + z2 * FIX_0_765366865
        z2 = c0 * q0
        z3 = c4 * q4
        # The rounding of the final right shift is folded in here (+ 2**10).
        tmp0 = ((z2 + z3) << CONST_BITS) + 1024
        tmp1 = ((z2 - z3) << CONST_BITS) + 1024
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        # Odd part.
        tmp0 = c7 * q7
        tmp1 = c5 * q5
        tmp2 = c3 * q3
        tmp3 = c1 * q1
        z1 = tmp0 + tmp3
        z2 = tmp1 + tmp2
        z3 = tmp0 + tmp2
        z4 = tmp1 + tmp3
        z5 = (z3 + z4) * FIX_1_175875602
        tmp0 *= FIX_0_298631336
        tmp1 *= FIX_2_053119869
        tmp2 *= FIX_3_072711026
        tmp3 *= FIX_1_501321110
        z1 *= -FIX_0_899976223
        z2 *= -FIX_2_562915447
        z3 = z3 * -FIX_1_961570560 + z5
        z4 = z4 * -FIX_0_390180644 + z5
        tmp0 += z1 + z3
        tmp1 += z2 + z4
        tmp2 += z2 + z3
        tmp3 += z1 + z4
        shift = CONST_BITS - PASS1_BITS
        workspace[column::8] = [
            (tmp10 + tmp3) >> shift, (tmp11 + tmp2) >> shift,
            (tmp12 + tmp1) >> shift, (tmp13 + tmp0) >> shift,
            (tmp13 - tmp0) >> shift, (tmp12 - tmp1) >> shift,
            (tmp11 - tmp2) >> shift, (tmp10 - tmp3) >> shift,
        ]
    # Pass 2: rows, removing the scale factors (8 and the extra bits).
    shift = CONST_BITS + PASS1_BITS + 3
    for row in range(0, 64, 8):
        w0, w1, w2, w3, w4, w5, w6, w7 = workspace[row:row + 8]
        if not (w1 or w2 or w3 or w4 or w5 or w6 or w7):
            out[offset:offset + 8] = _FLAT_ROWS[limit[((w0 + 16) >> 5) & 1023]]
            offset += stride
            continue
        z1 = (w2 + w6) * FIX_0_541196100
        tmp2 = z1 - w6 * FIX_1_847759065
        tmp3 = z1 + w2 * FIX_0_765366865
        tmp0 = ((w0 + w4) << CONST_BITS) + (1 << (shift - 1))
        tmp1 = ((w0 - w4) << CONST_BITS) + (1 << (shift - 1))
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        z1 = w7 + w1
        z2 = w5 + w3
        z3 = w7 + w3
        z4 = w5 + w1
        z5 = (z3 + z4) * FIX_1_175875602
        z1 *= -FIX_0_899976223
        z2 *= -FIX_2_562915447
        z3 = z3 * -FIX_1_961570560 + z5
        z4 = z4 * -FIX_0_390180644 + z5
        tmp0 = w7 * FIX_0_298631336 + z1 + z3
        tmp1 = w5 * FIX_2_053119869 + z2 + z4
        tmp2 = w3 * FIX_3_072711026 + z2 + z3
        tmp3 = w1 * FIX_1_501321110 + z1 + z4
        out[offset:offset + 8] = bytes((
            limit[((tmp10 + tmp3) >> shift) & 1023], limit[((tmp11 + tmp2) >> shift) & 1023],
            limit[((tmp12 + tmp1) >> shift) & 1023], limit[((tmp13 + tmp0) >> shift) & 1023],
            limit[((tmp13 - tmp0) >> shift) & 1023], limit[((tmp12 - tmp1) >> shift) & 1023],
            limit[((tmp11 - tmp2) >> shift) & 1023], limit[((tmp10 - tmp3) >> shift) & 1023],
        ))
        offset += stride


def flat_block(value: int, out: bytearray, offset: int, stride: int, size: int = 8) -> None:
    """Fill a ``size`` x ``size`` block of ``out`` with one sample value."""
    row = bytes((value,)) * size
    for _ in range(size):
        out[offset:offset + size] = row
        offset += stride


def dc_pixel(dc: int, step: int) -> int:
    """The one pixel of a block decoded at 1/8 size: its mean, from the DC.

    ``clamp(((DC * Q + 4) >> 3) + 128)``: the mean is DC * Q / 8, rounded
    half up; the same numbers libjpeg gives when it scales by 1/8.
    """
    return _LIMIT[((dc * step + 4) >> 3) & 1023]


def _averaging_matrix(size: int) -> list[list[float]]:
    """``A[x][u]``: the mean over output group ``x`` of the 1-D basis ``u``.

    Output sample x of an n-point reduced IDCT covers the 8/n samples
    ``i`` of the full block with ``i * n // 8 == x``; averaging the 8-point
    IDCT over them gives ``A[x][u] = mean_i C(u)/2 cos((2i+1) u pi / 16)``.
    (For n = 2 the even frequencies 2, 4, 6 average to 0.)
    """
    group = 8 // size
    matrix = []
    for x in range(size):
        row = []
        for u in range(8):
            c = math.sqrt(0.5) if u == 0 else 1.0
            row.append(sum(c / 2 * math.cos((2 * i + 1) * u * math.pi / 16)
                           for i in range(x * group, (x + 1) * group)) / group)
        matrix.append(row)
    return matrix


_AVERAGING = {4: _averaging_matrix(4), 2: _averaging_matrix(2)}


def idct_scaled(coefficients: Sequence[int], quantisation: Sequence[int], size: int,
                out: bytearray, offset: int, stride: int) -> None:
    """An n x n block (n = ``size``, 4 or 2): the 8x8 IDCT averaged over
    each (8/n) x (8/n) square, computed directly from the coefficients::

        g(x, y) = sum_u sum_v A[x][u] A[y][v] F(u, v) Q(u, v) + 128

    (see ``_averaging_matrix``), rounded half up and clamped.  libjpeg's
    reduced IDCTs compute the same averages in integers; results agree
    within a level.  Same layout as ``idct_8x8`` with rows of n samples.
    """
    if size == 2:
        _idct_2x2(coefficients, quantisation, out, offset, stride)
        return
    matrix = _AVERAGING[size]
    columns = []
    for u in range(8):
        column = coefficients[u::8]
        if any(column):
            values = [c * q for c, q in zip(column, quantisation[u::8])]
            columns.append((u, [sum(a * f for a, f in zip(basis, values)) for basis in matrix]))
    for y in range(size):
        row = [0.0] * 8
        for u, transformed in columns:
            row[u] = transformed[y]
        samples = []
        for basis in matrix:
            value = math.floor(sum(a * r for a, r in zip(basis, row)) + 128.5)
            samples.append(0 if value < 0 else 255 if value > 255 else value)
        out[offset:offset + size] = bytes(samples)
        offset += stride


# For n = 2 only frequencies 0, 1, 3, 5, 7 count, and the two output
# samples of a 1-D transform are "even part + odd part" and "even - odd".
_WEIGHTS_2 = tuple(_AVERAGING[2][0][u] for u in (0, 1, 3, 5, 7))


def _idct_2x2(coefficients, quantisation, out, offset, stride):
    """``idct_scaled`` for n = 2, written out (4:2:0 chroma at 1/8 size)."""
    w0, w1, w3, w5, w7 = _WEIGHTS_2
    left = []  # per frequency row v: the 1-D result for column x = 0 and x = 1
    right = []
    for v in (0, 8, 24, 40, 56):
        f = coefficients[v:v + 8]
        q = quantisation[v:v + 8]
        even = w0 * f[0] * q[0]
        odd = w1 * f[1] * q[1] + w3 * f[3] * q[3] + w5 * f[5] * q[5] + w7 * f[7] * q[7]
        left.append(even + odd)
        right.append(even - odd)
    samples = []
    for column in (left, right):
        even = w0 * column[0]
        odd = w1 * column[1] + w3 * column[2] + w5 * column[3] + w7 * column[4]
        samples.append((even + odd, even - odd))
    for y in (0, 1):
        row = []
        for x in (0, 1):
            value = math.floor(samples[x][y] + 128.5)
            row.append(0 if value < 0 else 255 if value > 255 else value)
        out[offset:offset + 2] = bytes(row)
        offset += stride


if __name__ == "__main__":
    import doctest
    doctest.testmod()
