"""The canvas in a screenshot: a drawing sent with the app around it.

People often send a screenshot of the app they drew in rather than the
drawing itself: a paint program's window (a toolbar, a workspace of
another colour around the canvas, a status bar), a web page with its
canvas (a title, buttons), a phone app (status bar, toolbar, palette).
Read whole, that picture is no drawing (its "paper" is the page, and the
icons and words are ink) and no photo either: the photo reading takes the
bright canvas on a gray workspace for light ink, or the toolbar's icons
for the digit.  The digit is on the canvas, so the canvas is cut out and
read as the drawing it is.

A canvas is a rectangle of one colour with the strokes on it: so, in the
picture shrunk to a couple of hundred pixels a side (``canvas_box``, gray
levels):

1. Candidate paper: a gray value that ``PAPER_SHARE`` of the pixels have
   exactly (counted on every ``STRIDE``-th pixel).  An app's surfaces are
   flat, each one exact, and so are their averages when the picture is
   shrunk; a photo's paper has grain and a slope of light.  (A
   messenger's JPEG flattens some of it into blocks of one value, and a
   gallery's padding is flat: the rules below leave those out.)  The
   paper is then what lies within ``SAME`` levels of it (a JPEG's
   ripples).
2. The 8-connected pieces of that level (``morphology.components``).
   A piece is a canvas when
   - its box is at least ``CANVAS_SHARE`` of the picture and ``SMALLEST``
     pixels a side;
   - it is neither the page nor a bar (a toolbar, a status bar, a
     palette: flat, with icons and words on it): at most ``LONG`` times
     longer than wide, and reaching at most two sides of the picture (a
     drawing's paper reaches all four, a bar three, a phone's canvas,
     across the screen, two);
   - its level fills ``FILL`` of its box (strokes take the rest, however
     fat; a 0's hole is paper too, though no part of the piece);
   - something is drawn in it: ``DRAWN`` of its box is not paper, but
     its rim is (``RIM`` of the box's outermost pixels): a canvas has a
     margin of blank paper, while the hole of a fat 0 has strokes in its
     corners, a round patch of paper that a lamp made pure white is
     round, and paper that strokes cut in two ends at them.
3. Of those, the largest that holds none of the others: a white canvas
   on a gray workspace is inside the workspace's own box, and is bigger
   than the toolbar and the app bar.

The box comes back a shrunk pixel inside the piece's (the shrinking
mixed the canvas's edge with what lies outside).  The caller cuts it out
of the full picture and reads it as a drawing (``nrnn.image.preprocess``),
however much of it a fat brush covers.

>>> page = [[200] * 40 for _ in range(40)]
>>> for y in range(8, 36):
...     page[y][6:34] = [255] * 28          # a white canvas on a gray page
>>> for y in range(14, 30):
...     page[y][19:22] = [0] * 3            # a 1 on it
>>> canvas_box([v for row in page for v in row], 40, 40)
(7, 9, 33, 35)
"""

from collections import Counter
from collections.abc import Sequence
from typing import Optional

from nrnn.image import morphology

__all__ = ["canvas_box"]

#: A candidate paper level: PAPER_SHARE of every STRIDE-th pixel exactly
#: that value; its paper, what lies within SAME levels of it.
PAPER_SHARE, STRIDE, SAME = 0.05, 7, 1

#: A canvas's box: CANVAS_SHARE of the picture, SMALLEST pixels a side,
#: its paper FILL of it, and DRAWN of it not paper.
CANVAS_SHARE, SMALLEST, FILL, DRAWN = 0.02, 12, 0.6, 0.002

#: No bar: at most LONG times longer than wide.  Paper on RIM of the
#: box's outermost pixels.
LONG, RIM = 3.0, 0.97


def canvas_box(gray: Sequence[float], width: int, height: int) -> Optional[tuple[int, int, int, int]]:
    """(left, top, right, bottom), right and bottom exclusive: the canvas
    holding the drawing in ``gray`` (``width`` x ``height``, row-major), a
    pixel inside its edge; or None (see the module docstring)."""
    if min(width, height) < SMALLEST:
        return None
    sample = gray[::STRIDE]
    levels = [level for level, count in Counter(sample).most_common(3) if count >= PAPER_SHARE * len(sample)]
    if not levels:
        return None  # a photo: nothing in it is flat
    rounded = bytes(map(round, gray))  # so that each level's mask is made at C speed
    canvases = []
    for level in levels:
        is_paper = bytes(1 if abs(value - level) <= SAME + 0.5 else 0 for value in range(256))
        flat = rounded.translate(is_paper)
        mask = [flat[y * width:(y + 1) * width] for y in range(height)]
        for piece in morphology.components(mask):
            box_area = piece.width * piece.height
            sides = (piece.left == 0) + (piece.top == 0) + (piece.right == width - 1) + (piece.bottom == height - 1)
            if (box_area < CANVAS_SHARE * width * height or min(piece.width, piece.height) < SMALLEST
                    or sides > 2 or max(piece.width, piece.height) > LONG * min(piece.width, piece.height)):
                continue
            paper = sum(sum(row[piece.left:piece.right + 1]) for row in mask[piece.top:piece.bottom + 1])
            if FILL * box_area <= paper <= (1 - DRAWN) * box_area and _blank_rim(mask, piece):
                canvases.append((box_area, piece.left, piece.top, piece.right, piece.bottom))
    innermost = [canvas for canvas in canvases if not any(other is not canvas and _holds(canvas, other)
                                                          for other in canvases)]
    if not innermost:
        return None
    _, left, top, right, bottom = max(innermost)
    return left + 1, top + 1, right, bottom


def _holds(outer: tuple[int, int, int, int, int], inner: tuple[int, int, int, int, int]) -> bool:
    """Whether box ``outer`` (area, left, top, right, bottom) holds ``inner``."""
    return outer[1] <= inner[1] and outer[2] <= inner[2] and outer[3] >= inner[3] and outer[4] >= inner[4]


def _blank_rim(mask: Sequence[Sequence[int]], piece: morphology.Component) -> bool:
    """Whether ``RIM`` of the outermost pixels of ``piece``'s box are paper
    (``mask``: 1 where the paper's level is)."""
    across = piece.right + 1 - piece.left
    down = range(piece.top, piece.bottom + 1)
    paper = (sum(mask[piece.top][piece.left:piece.right + 1]) + sum(mask[piece.bottom][piece.left:piece.right + 1])
             + sum(mask[y][piece.left] for y in down) + sum(mask[y][piece.right] for y in down))
    return paper >= RIM * 2 * (across + len(down))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
