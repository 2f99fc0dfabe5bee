"""Area averaging: make an image smaller (or larger) by averaging areas, exactly.

When an image is made ``target`` pixels wide from ``source`` pixels, new
pixel j covers the old coordinates [j*s, (j+1)*s) with s = source/target,
and its value is the *area average* of the old pixels under it: each old
pixel counts in proportion to how much of it lies inside.  That is what a
camera sensor does (a pixel integrates the light falling on its area) and it
gives MNIST's soft gray edges.

Exact integers instead of fractions
-----------------------------------
Measure lengths in units of 1/target of an old pixel.  Then new pixel j
covers [j*source, (j+1)*source), old pixel i covers [i*target, (i+1)*target),
every overlap is a whole number, the overlaps of one new pixel add up to
``source``, and

    new[j] = (sum over i of overlap(i, j) * old[i]) / source

with integer sums all the way and a single division at the end.  Only the
first and the last old pixel under a new one can be partly covered; all
those in between are wholly covered and weigh ``target`` each.  So one new
pixel is described by a *span* ``(first, last, first_weight, last_weight)``
and its sum is ``first_weight*old[first] + target*sum(old[first+1:last]) +
last_weight*old[last]``: the middle is one ``sum`` of a slice, which runs at
C speed however many old pixels it covers.  A 4,000,000-pixel row shrunk to
256 costs 256 steps of Python, not 4,000,000.

Two dimensions
--------------
Averaging over a rectangle is averaging the row averages, so an image is
shrunk in two 1-D passes.  ``shrink_plane`` does the vertical pass first,
one of two ways, whichever costs fewer Python steps:

* by columns: column x is ``plane[x::width]`` (a C-speed slice) and its
  spans are summed as above: ``width * new_height`` steps;
* by whole rows: each row is packed into one big Python integer, 32 bits a
  pixel (``int.from_bytes``), so that adding two packed rows adds all their
  pixels at once, each in its own 32-bit field, and multiplying by a weight
  multiplies them all.  No field can overflow into its neighbour: a field
  holds at most 255 * height < 2**32.  About ``height`` steps of Python,
  each a C-speed operation on a whole row.

then the horizontal pass on the few rows left.

>>> area_spans(5, 2)            # 2 new pixels over 5 old: [0, 2.5) and [2.5, 5)
[(0, 2, 2, 1), (2, 4, 1, 2)]
>>> shrink_plane(bytes([0, 0, 100, 200, 200]), 5, 1, 2, 1)
[20.0, 180.0]
"""

import struct
from collections.abc import Sequence
from typing import Optional

__all__ = ["area_spans", "area_weights", "shrink_plane", "shrink_mix", "resize_rows", "fit_within"]

Span = tuple[int, int, int, int]

#: Bytes per pixel in a packed row: sums of up to 16 million rows of 8-bit
#: values fit in 32 bits.
_FIELD = 4


def area_spans(source_size: int, target_size: int) -> list[Span]:
    """For each of ``target_size`` new pixels, ``(first, last, first_weight,
    last_weight)``: the old pixels first..last it covers and the integer
    overlaps of the first and last (every pixel in between weighs
    ``target_size``).  When first == last the one weight is ``source_size``.
    Weights are in units of 1/target_size of an old pixel and add up to
    ``source_size`` for every new pixel.  Works for enlarging too.

    >>> area_spans(3, 2)        # each new pixel covers 1.5 old ones
    [(0, 1, 2, 1), (1, 2, 1, 2)]
    >>> area_spans(2, 4)        # enlarging: each new pixel inside one old one
    [(0, 0, 2, 2), (0, 0, 2, 2), (1, 1, 2, 2), (1, 1, 2, 2)]
    """
    spans = []
    for j in range(target_size):
        start, stop = j * source_size, (j + 1) * source_size
        first, last = start // target_size, (stop - 1) // target_size
        if first == last:
            spans.append((first, first, source_size, source_size))
        else:
            spans.append((first, last, (first + 1) * target_size - start, stop - last * target_size))
    return spans


def area_weights(source_size: int, target_size: int) -> list[list[tuple[int, float]]]:
    """The spans written out: for each new pixel the list of ``(old index,
    weight)``, weights = overlap / source_size as floats summing to 1.

    The division is of two integers, so it is correctly rounded: a weight
    that should be 1 or 1/2 is exactly that.  Meant for small sizes (the
    list has one entry per old pixel covered); big images use the spans.

    >>> area_weights(4, 2)
    [[(0, 0.5), (1, 0.5)], [(2, 0.5), (3, 0.5)]]
    >>> area_weights(2, 3)[1]                       # covers [2/3, 4/3)
    [(0, 0.5), (1, 0.5)]
    """
    table = []
    for first, last, first_weight, last_weight in area_spans(source_size, target_size):
        if first == last:
            table.append([(first, first_weight / source_size)])
            continue
        inner = target_size / source_size
        table.append([(first, first_weight / source_size)]
                     + [(i, inner) for i in range(first + 1, last)]
                     + [(last, last_weight / source_size)])
    return table


def _span_sums(values: Sequence[float], spans: Sequence[Span], inner: int) -> list[float]:
    """sum over each span of weight * value (see the module docstring)."""
    sums: list[float] = []
    for first, last, first_weight, last_weight in spans:
        if first == last:
            sums.append(first_weight * values[first])
        else:
            sums.append(first_weight * values[first] + inner * sum(values[first + 1:last])
                        + last_weight * values[last])
    return sums


def _packed(row: bytes, field: int) -> int:
    """One row of bytes as a big integer, pixel x in bytes field*x .. field*x + field-1."""
    buffer = bytearray(field * len(row))
    buffer[0::field] = row
    return int.from_bytes(buffer, "little")


def _unpacked(number: int, width: int, field: int) -> tuple[int, ...]:
    return struct.unpack("<%d%s" % (width, "I" if field == 4 else "Q"),
                         number.to_bytes(field * width, "little"))


def shrink_plane(plane: bytes, width: int, height: int,
                 new_width: int, new_height: int) -> list[float]:
    """Area-average a plane of bytes (``width * height``, row-major) to
    ``new_width * new_height`` floats in [0, 255], row-major.

    New sizes must not exceed the old ones.  Costs about
    ``min(height, width * new_height) + new_height * new_width`` steps of
    Python plus C-speed work proportional to the plane's size, and memory
    for a few rows (see the module docstring).
    """
    return shrink_mix([(plane, 1)], width, height, new_width, new_height)


def shrink_mix(planes: Sequence[tuple[bytes, int]], width: int, height: int,
               new_width: int, new_height: int, rgba: Optional[bytes] = None) -> list[float]:
    """Area-average a weighted mix of planes: sum of w * plane / sum of w,
    e.g. the luma (299 R + 587 G + 114 B) / 1000 of an RGB image's three
    planes, for the price of one horizontal pass (mixing is linear, so
    mixing the rows before averaging them is the same as after).

    ``rgba``, if given, is the RGBA image the three planes (red, green,
    blue, in that order) were cut from: a row of it read as one big integer
    already holds each pixel in its own 32-bit field (red in the low byte,
    then green, blue, alpha), so each plane's packed row is that integer
    shifted and masked, with no row of it spread out by itself.  The same
    integers, the same result.

    >>> shrink_mix([(bytes([0, 200]), 3), (bytes([100, 100]), 1)], 2, 1, 1, 1)
    [100.0]
    """
    for plane, _weight in planes:
        if not (0 < new_width <= width and 0 < new_height <= height) or len(plane) != width * height:
            raise ValueError("cannot shrink %d bytes as %d x %d to %d x %d"
                             % (len(plane), width, height, new_width, new_height))
    total_weight = sum(weight for _, weight in planes)
    # A field must hold 255 * (sum of weights) * height without overflowing.
    field = _FIELD if 255 * total_weight * height < 2 ** (8 * _FIELD) else 2 * _FIELD

    def from_planes(y: int) -> int:
        return sum(weight * _packed(plane[y * width:(y + 1) * width], field) for plane, weight in planes)

    packed_row = from_planes
    if rgba is not None and field == 4 and len(planes) == 3 and len(rgba) == 4 * width * height:
        pixels = rgba
        low_bytes = int.from_bytes(b"\xff\x00\x00\x00" * width, "little")  # the low byte of every field
        (_, red), (_, green), (_, blue) = planes

        def from_rgba(y: int) -> int:  # the same integer as from_planes(y)
            whole = int.from_bytes(pixels[4 * width * y:4 * width * (y + 1)], "little")
            return (red * (whole & low_bytes) + green * ((whole >> 8) & low_bytes)
                    + blue * ((whole >> 16) & low_bytes))
        packed_row = from_rgba

    divisor = total_weight
    rows: Sequence[Sequence[float]]  # bytes, tuples or lists of integer sums
    if new_height == height:
        if len(planes) == 1 and total_weight == 1:
            rows = [planes[0][0][y * width:(y + 1) * width] for y in range(height)]
        else:
            rows = [_unpacked(packed_row(y), width, field) for y in range(height)]
    elif width * new_height <= height:
        # Few columns, many rows (e.g. 1 x 4,000,000): sum down each column.
        down = area_spans(height, new_height)
        sums: list[list[float]] = [[0] * width for _ in range(new_height)]
        for plane, weight in planes:
            for x in range(width):
                for y, value in enumerate(_span_sums(plane[x::width], down, new_height)):
                    sums[y][x] += weight * value
        rows = sums
        divisor *= height
    else:
        down = area_spans(height, new_height)
        unpacked: list[tuple[int, ...]] = []
        cached_index, cached = -1, 0  # a boundary row is shared by two new rows
        for first, last, first_weight, last_weight in down:
            if first != cached_index:
                cached = packed_row(first)
            total = first_weight * cached
            if last != first:
                inner = 0
                for y in range(first + 1, last):
                    inner += packed_row(y)
                cached_index, cached = last, packed_row(last)
                total += new_height * inner + last_weight * cached
            else:
                cached_index = first
            unpacked.append(_unpacked(total, width, field))
        rows = unpacked
        divisor *= height
    if new_width != width:
        rows = _across(rows, width, new_width, 255 * total_weight * height * width)
        divisor *= width
    return [v / divisor for row in rows for v in row]


def _across(rows: Sequence[Sequence[float]], width: int, new_width: int, largest: int) -> Sequence[Sequence[float]]:
    """The horizontal pass on rows of integer sums (each sum at most
    ``largest`` once this pass is done): the vertical pass turned a quarter.
    Each column, packed into one big integer (64 bits a row), is summed
    over its spans as a packed row is: about ``width + new_width`` steps of
    Python for the whole image, where summing row by row takes
    ``new_width`` a row.  The same integers either way: integer sums are
    exact in any order.  Row by row when that is fewer steps (a few long
    rows: a 4,000,000 x 1 image would make 4,000,000 columns of one), or
    if a sum could reach 2**63: the fields are read back as signed 64-bit
    numbers, which PyPy keeps as small integers (unsigned ones over 2**63
    would be big integers there).
    """
    across = area_spans(width, new_width)
    height = len(rows)
    if new_width * height <= width + new_width or largest >= 2 ** 63:
        return [_span_sums(row, across, new_width) for row in rows]
    packing = struct.Struct("<%dq" % height)
    columns = [int.from_bytes(packing.pack(*column), "little") for column in zip(*rows)]
    new_columns = []
    for first, last, first_weight, last_weight in across:
        total = first_weight * columns[first]
        if last != first:
            total += new_width * sum(columns[first + 1:last]) + last_weight * columns[last]
        new_columns.append(packing.unpack(total.to_bytes(packing.size, "little")))
    return list(zip(*new_columns))


def resize_rows(rows: Sequence[Sequence[float]], new_width: int, new_height: int) -> list[list[float]]:
    """Area-average a list of rows of floats to ``new_height`` rows of
    ``new_width``, either way (shrinking or enlarging), using the spans.

    >>> resize_rows([[0.0, 3.0, 6.0]], 2, 2)
    [[1.0, 5.0], [1.0, 5.0]]
    """
    old_width, old_height = len(rows[0]), len(rows)
    across = area_spans(old_width, new_width)
    narrow = [[v / old_width for v in _span_sums(row, across, new_width)] for row in rows]
    down = area_spans(old_height, new_height)
    columns = [[v / old_height for v in _span_sums(column, down, new_height)]
               for column in zip(*narrow)]
    return [list(row) for row in zip(*columns)]


def fit_within(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size ``width`` x ``height`` scaled to fit ``longest`` on its longer
    side, aspect ratio kept (rounded, at least 1); unchanged if it already fits.

    >>> fit_within(2000, 1500, 256), fit_within(4_000_000, 1, 256), fit_within(90, 70, 256)
    ((256, 192), (256, 1), (90, 70))
    """
    if max(width, height) <= longest:
        return width, height
    scale = longest / max(width, height)
    return max(1, min(longest, int(width * scale + 0.5))), max(1, min(longest, int(height * scale + 0.5)))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
