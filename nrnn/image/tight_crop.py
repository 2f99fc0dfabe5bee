"""A photo cropped tight to its digit: read again, set in a margin of its own paper.

A photo cropped tight to its digit (in a phone's gallery, a margin of a
few pixels) breaks what ``nrnn.image.ink`` assumes of the border: the
strokes run into it, so a stroke spanning the frame passes for a ruled
line, the strokes in the border band for scenery, and, the digit filling
most of the picture, the top-hat's median is ink, not the paper's noise.
The clear vote's polarity then finds nothing, or a sliver, and the paper
between the strokes wins.  So when a clear vote's reading lost, hugs the
edge, had most of its mask in one piece spanning the frame or much of it
in the border band (over ``SETTLED_BAND``), it is read once more with
the photo set in a margin of its own paper (``tight_crop``): each
edge's paper (``_edge_paper``: a high percentile along a stretch of the
edge, which passes over a stroke crossing it but keeps a strip of table
lying along it) carried outward, ``PAD`` of the shorter side wide
(``_set_in_paper``).  There the strokes end on paper, as they do on the
sheet.  That reading wins if its digit reaches into the border band and
its box holds the first reading's (a ruled line the lifting missed, no
longer spanning the wider frame, is no digit around the digit), and
either the first reading was of the same polarity, most of its mask one
piece spanning the frame (then set aside as a line, slivers of the digit
left) or much of it in the border band (a fat marker's strokes, wider
than the first window, stand out only by their edges, and those run into
the edge: a speck of them is left) and the new reading fills the frame
(``TIGHT_FILL``: a thumb or a shadow's rim, carried into the margin with
the digit, does not), or ``nrnn.image.readings``' ``better`` prefers it.

The reading itself is the caller's: ``find_in`` is ``nrnn.image.ink``'s
reading of one polarity in a plane, passed in (ink.py calls this module,
so this module does not import ink.py: data flows one way).
"""

import bisect
from collections.abc import Sequence
from typing import Callable, Optional

from nrnn.image import border, readings
from nrnn.image.readings import InkFound

__all__ = ["SETTLED_BAND", "PAD", "PAD_SPAN", "PAD_PERCENTILE", "TIGHT_FILL", "tight_crop"]

Rows = list[list[float]]

#: How a plane is read for one polarity: (plane, "dark" or "light", the
#: least contrast that is ink) -> what was found.
Reader = Callable[[Rows, str, float], InkFound]

#: A clear polarity vote's reading with more than this share of its mask
#: in the border band is read again set in a margin of its paper (and
#: ``nrnn.image.ink`` second-guesses it).
SETTLED_BAND = 0.05

#: A photo cropped tight to its digit: strokes running into the edge look
#: like scenery there.  The clear vote's polarity is read again on the photo
#: set in a margin of its own paper PAD of its shorter side wide, the
#: paper along each edge taken as the PAD_PERCENTILE (toward the paper's
#: side) of the PAD_SPAN of that edge around each point (``_set_in_paper``).
PAD, PAD_SPAN, PAD_PERCENTILE = 0.15, 0.4, 0.75

#: A digit cropped tight spans at least this share of the frame's width and
#: of its height (a margin of a few percent a side).
TIGHT_FILL = 0.8


def _edge_paper(line: Sequence[float], polarity: str) -> list[float]:
    """The paper along one edge of the picture: at each point, the
    ``PAD_PERCENTILE`` toward the paper's side (the bright side for dark
    ink) of the ``PAD_SPAN`` of the edge around it.  A stroke the edge
    cuts across covers a short stretch of it and is passed over; paper lit
    unevenly, or a strip of table lying along the edge, covers the whole
    stretch and is kept.

    >>> _edge_paper([200, 200, 40, 40, 200, 200, 200, 200, 200, 200], "dark")
    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]
    """
    half = max(1, int(PAD_SPAN * len(line) / 2))
    rank = PAD_PERCENTILE if polarity == "dark" else 1.0 - PAD_PERCENTILE
    window = sorted(line[:half])
    out = []
    for i in range(len(line)):
        if i + half < len(line):  # slide: the point half a span ahead comes in
            bisect.insort(window, line[i + half])
        if i - half - 1 >= 0:     # and the one half a span behind goes out
            del window[bisect.bisect_left(window, line[i - half - 1])]
        out.append(window[min(len(window) - 1, int(rank * len(window)))])
    return out


def _set_in_paper(plane: Rows, margin: int, polarity: str) -> Rows:
    """``plane`` in a margin ``margin`` pixels wide of its own paper: each
    edge's paper (``_edge_paper``) carried straight out, the corners the
    mean of the two edges that meet there.  A stroke that the picture's
    edge cut now ends on paper, as it does on the sheet; what lay along
    the edge (a strip of table, a shadow) still reaches the new one."""
    top, bottom = _edge_paper(plane[0], polarity), _edge_paper(plane[-1], polarity)
    left = _edge_paper([row[0] for row in plane], polarity)
    right = _edge_paper([row[-1] for row in plane], polarity)

    def across(line: list[float], first: float, last: float) -> list[float]:
        return [first] * margin + line + [last] * margin

    above = across(top, (top[0] + left[0]) / 2, (top[-1] + right[0]) / 2)
    below = across(bottom, (bottom[0] + left[-1]) / 2, (bottom[-1] + right[-1]) / 2)
    return ([list(above) for _ in range(margin)]
            + [across(list(row), left[y], right[y]) for y, row in enumerate(plane)]
            + [list(below) for _ in range(margin)])


def _find_set_in_paper(plane: Rows, polarity: str, least: float, find_in: Reader) -> InkFound:
    """``find_in`` on ``plane`` set in a margin of its paper (``PAD``),
    the finding cut back to ``plane``'s frame."""
    height, width = len(plane), len(plane[0])
    margin = max(2, int(PAD * min(width, height)))
    found = find_in(_set_in_paper(plane, margin, polarity), polarity, least)

    def cut(rows: Rows) -> Rows:
        return [row[margin:margin + width] for row in rows[margin:margin + height]]

    def inside(box: Optional[tuple[int, int, int, int]]) -> Optional[tuple[int, int, int, int]]:
        if box is None:
            return None
        return (max(0, box[0] - margin), max(0, box[1] - margin),
                min(width - 1, box[2] - margin), min(height - 1, box[3] - margin))

    if found.ink is not None:
        found.ink = cut(found.ink)
    found.box, found.frame = inside(found.box), inside(found.frame)
    found.falls = [(x - margin, y - margin, fall) for x, y, fall in found.falls]
    found.stages = [("set in a margin of its paper, " + name, lambda rows=rows: cut(rows()))
                    for name, rows in found.stages]
    return found


def tight_crop(plane: Rows, polarity: str, least: float, best: InkFound, same: bool,
               find_in: Reader) -> InkFound:
    """``best``, or the reading of ``plane`` set in a margin of its paper
    (``_find_set_in_paper``, read by ``find_in``) if that is a digit
    running into the border band whose box holds ``best``'s, and either
    ``best`` is of the ``same`` polarity and most of its mask was one
    piece spanning the frame (``spanned``: its threshold was raised and
    that piece set aside as a line, leaving slivers of the digit) or much
    of it in the border band
    (a fat stroke's edges running into the edge, a speck of them left)
    and the new reading fills the frame, or ``readings.better`` prefers it.

    Called when a clear vote's own reading lost, hugs the edge, had most
    of its mask in one piece spanning the frame or much of it in the
    border band, or found none because strokes wider than the paper's
    window filled the frame: in a photo cropped tight to its digit the
    strokes run into the edge and pass for scenery, a stroke spanning the
    frame for a ruled line, and the paper between the strokes wins as
    ink.  In a margin of paper the digit ends on paper, as on the sheet.
    (Its box must hold ``best``'s: a ruled line the lifting missed,
    which no longer spans the wider frame, is not the digit.)
    """
    height, width = len(plane), len(plane[0])
    again = _find_set_in_paper(plane, polarity, least, find_in)
    if not _near_edge(again, width, height):
        return best
    if best.ink is None:
        return again
    assert again.box is not None and best.box is not None  # both found ink
    left, top, right, bottom = again.box
    if not readings.within(best.box, (left - 2, top - 2, right + 2, bottom + 2)):  # (a rim of blur)
        return best
    if same:
        # Much of the mask in the border band, and what is found in the
        # margin of paper fills the frame, as a digit cropped tight does
        # (not a thumb or a shadow's rim carried in with the digit).
        filling = right - left + 1 >= TIGHT_FILL * width and bottom - top + 1 >= TIGHT_FILL * height
        return again if best.spanned or (best.band > SETTLED_BAND and filling) else best
    return again if readings.better(again, best, True) is again else best


def _near_edge(found: InkFound, width: int, height: int) -> bool:
    """True if ``found``'s digit reaches into the border band (``border.BAND``)."""
    if found.box is None:
        return False
    band = max(1, int(border.BAND * min(width, height)))
    left, top, right, bottom = found.box
    return left < band or top < band or right >= width - band or bottom >= height - band


if __name__ == "__main__":
    import doctest
    doctest.testmod()
