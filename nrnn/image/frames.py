"""Frames around the digit: a form's printed box, a circle drawn round it, the sides of a cell.

People write a digit in a box on a form, or circle it, and photograph
it.  The box is often the piece with the most ink, and the digit inside
it would be kept with it: the 28 x 28 input would show a rectangle with a
small digit in it.  So of the pieces of a thresholded mask
(``morphology.Component``), one is a *frame* around another (``frames``)
when it is an outline (at most ``FRAME_FILL`` of its box inked) with ink
on all four sides of the other, along the row and the column through that
piece's middle, and that piece is at least ``FRAMED_SIZE`` of the frame's
shorter side (not a speck, nor the dot in a dotted zero).  The digit is
what the frame holds (``nrnn.image.ink``'s ``choose_components``), and a
frame around the digit is never kept with it.

A row of cells across the page loses its long lines with a ruled page's
(``nrnn.image.paper_lines``), and what stays of the digit's cell is its
two sides, with stubs of those lines, near the digit and heavy enough to
be kept with it.  The sides of a cell come in pairs (``cell_sides``): a
piece left of the digit and a piece right of it (``SIDE_OUTSIDE`` of
their ink beyond its columns), each reaching past its top and its bottom
by more than a stroke.  No digit breaks into a piece with a taller one on
each side.
"""

from collections.abc import Sequence

from nrnn.image import morphology

__all__ = ["FRAME_FILL", "FRAMED_SIZE", "SIDE_OUTSIDE", "cell_sides", "frames"]

#: A frame (a form's printed box, a circle drawn round the digit): a piece
#: with ink left, right, above and below another, covering at most
#: FRAME_FILL of its own box (an outline), while the piece inside is at
#: least FRAMED_SIZE of the frame's shorter side (a digit, not a speck or
#: the dot in a dotted zero).  The piece inside is the digit.
FRAME_FILL, FRAMED_SIZE = 0.25, 0.3

#: The sides of a printed cell in a row of them: pieces left and right of
#: the digit, SIDE_OUTSIDE of their ink beyond its box's columns.
SIDE_OUTSIDE = 0.75


def cell_sides(main: morphology.Component, pieces: Sequence[morphology.Component],
               stroke: float) -> list[morphology.Component]:
    """The two sides of a printed cell around ``main``, if ``pieces`` hold
    them: a piece left of it and a piece right of it (``SIDE_OUTSIDE`` of
    their ink beyond its columns), each reaching past its top and its
    bottom by more than a stroke.  (A row of cells across the page: the
    ruled-line step lifts the long lines along it, and what stays is each
    cell's sides, with stubs of those lines.  No digit breaks into a piece
    and two taller ones on either side of it.)
    """
    def outside(piece, left_of):
        if piece is main or piece.top >= main.top - stroke or piece.bottom <= main.bottom + stroke:
            return False
        if left_of:
            beyond = sum(max(0, min(stop, main.left) - start) for _, start, stop in piece.runs)
        else:
            beyond = sum(max(0, stop - max(start, main.right + 1)) for _, start, stop in piece.runs)
        return beyond >= SIDE_OUTSIDE * piece.pixels
    left = [piece for piece in pieces if outside(piece, True)]
    right = [piece for piece in pieces if outside(piece, False)]
    return left + right if left and right else []


def frames(frame: morphology.Component, piece: morphology.Component) -> bool:
    """Whether ``frame`` is a box or a ring around ``piece``: an outline
    (at most ``FRAME_FILL`` of its box inked) with ink on the lines through
    ``piece``'s centre on all four sides of ``piece``'s box, and ``piece``
    at least ``FRAMED_SIZE`` of its shorter side.

    >>> rows = [[1] * 20] + [[1] + [0] * 18 + [1] for _ in range(18)] + [[1] * 20]
    >>> for y in range(6, 14):
    ...     rows[y][9] = 1                      # a 1 in a box
    >>> frame, one = morphology.components(rows)
    >>> frames(frame, one), frames(one, frame)
    (True, False)
    >>> for y in range(1, 19):
    ...     rows[y][19] = 0                     # the box open on its right
    >>> frame, one = morphology.components(rows)
    >>> frames(frame, one)
    False
    """
    if (piece.left <= frame.left or piece.right >= frame.right or piece.top <= frame.top
            or piece.bottom >= frame.bottom
            or max(piece.width, piece.height) < FRAMED_SIZE * min(frame.width, frame.height)
            or frame.pixels > FRAME_FILL * frame.width * frame.height):
        return False
    cx, cy = (piece.left + piece.right) // 2, (piece.top + piece.bottom) // 2
    left = right = above = below = False
    for y, start, stop in frame.runs:
        if y == cy:
            left = left or start < piece.left
            right = right or stop > piece.right + 1
        if start <= cx < stop:
            above = above or y < piece.top
            below = below or y > piece.bottom
    return left and right and above and below


if __name__ == "__main__":
    import doctest
    doctest.testmod()
