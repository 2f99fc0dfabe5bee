"""The border of the picture: scenery hugs it, a digit reaches in.

What lies along the border of a photo is seldom the digit: a strip of
desk, a shadow's rim, the sheet's edge, a ruled line running off the
frame.  Measured on the pieces of a thresholded mask
(``morphology.Component``) and a band along the border, ``BAND`` of the
shorter side wide:

- ``reach``: the share of a piece's pixels beyond the band, how far it
  reaches into the picture.  A piece that touches the border with under
  ``EDGE_REACH`` of its pixels beyond the band hugs it: it is scenery
  (``scenery``), left out when the stroke width and the threshold are
  measured (it would dominate the histogram and the stroke width, and a
  faint digit would drown).  A digit the frame cuts reaches into the
  picture and is not scenery.
- ``spanning``: a piece touching the border and spanning 90% of the width
  or height, a ruled line, a grid, a sheet's edge: not a digit if
  anything else is.
- ``band_share``: the share of a mask in the band.  A real digit sits in
  the middle, so of two readings the one with less of its mask there is
  the likelier (``nrnn.image.readings``).

In a tiny image the digit touches the border and the band is all digit:
there ``nrnn.image.ink`` uses no band.
"""

from collections.abc import Sequence
from typing import Optional

from nrnn.image import morphology

__all__ = ["BAND", "EDGE_REACH", "band_share", "spanning", "reach", "frame_share", "scenery"]

Rows = list[list[float]]

#: The border band for the polarity trial, as a fraction of the shorter side.
BAND = 0.08

#: A piece touching the border with under this share of its pixels beyond
#: the border band is scenery (table, shadow rim), not ink: left out when
#: measuring the stroke width and the threshold.
EDGE_REACH = 0.5


def band_share(mask: Sequence[Sequence[int]], band: int) -> float:
    """Share of the mask's pixels that lie within ``band`` pixels of the border."""
    height, width = len(mask), len(mask[0])
    inside = total = 0
    for y, row in enumerate(mask):
        count = sum(row)
        total += count
        if y < band or y >= height - band:
            inside += count
        else:
            inside += sum(row[:band]) + sum(row[width - band:])
    return inside / total if total else 1.0


def spanning(piece: morphology.Component, width: int, height: int) -> bool:
    """A piece touching the border and spanning 90% of the width or height:
    a ruled line, a grid, a sheet's edge; not a digit if anything else is."""
    return ((piece.width >= 0.9 * width or piece.height >= 0.9 * height)
            and piece.touches_border(width, height))


def reach(piece: morphology.Component, width: int, height: int, band: int) -> float:
    """Share of a piece's pixels that lie at least ``band`` pixels from the
    border: how far it reaches into the picture."""
    inside = 0
    for y, start, stop in piece.runs:
        if band <= y < height - band:
            inside += max(0, min(stop, width - band) - max(start, band))
    return inside / piece.pixels if piece.pixels else 0.0


def frame_share(piece: morphology.Component, width: int, height: int) -> float:
    """Share of a piece's outline (its pixels with a side not on the piece)
    that lies on the picture's edge.  A stroke the frame cuts meets the
    edge across its width, a small part of its outline; a shadow over a
    corner, a strip of desk, lie along the edge.

    >>> cut = morphology.components([[1 if 2 <= x < 5 else 0 for x in range(8)] for _ in range(10)])[0]
    >>> round(frame_share(cut, 8, 10), 2)          # a bar cut at top and bottom
    0.27
    """
    mask = piece.box_mask(1)
    outline = on_edge = 0
    for j in range(1, len(mask) - 1):
        above, row, below = mask[j - 1], mask[j], mask[j + 1]
        y = piece.top + j - 1
        for i in range(1, len(row) - 1):
            if row[i] and not (above[i] and below[i] and row[i - 1] and row[i + 1]):
                outline += 1
                x = piece.left + i - 1
                on_edge += x == 0 or y == 0 or x == width - 1 or y == height - 1
    return on_edge / outline if outline else 0.0


def scenery(mask: Sequence[Sequence[int]], band: int,
            pieces: Optional[Sequence[morphology.Component]] = None) -> Optional[Rows]:
    """0/1 rows: the mask's pieces that touch the border and hug it (under
    ``EDGE_REACH`` of their pixels beyond the border ``band``): a strip of
    table, a shadow's rim, the sheet's edge.  None if there are none.  A
    digit the frame cuts reaches into the picture and is not scenery.
    ``pieces``: the mask's components, if the caller has them."""
    height, width = len(mask), len(mask[0])
    found: Optional[Rows] = None
    for piece in morphology.components(mask) if pieces is None else pieces:
        if piece.touches_border(width, height) and reach(piece, width, height, band) < EDGE_REACH:
            if found is None:
                found = [[0] * width for _ in range(height)]
            for y, start, stop in piece.runs:
                found[y][start:stop] = [1] * (stop - start)
    return found


if __name__ == "__main__":
    import doctest
    doctest.testmod()
