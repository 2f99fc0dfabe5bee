"""A pen lying on the sheet, a thumb holding it: dark things in the photo that are not the digit.

People photograph a note with the pen they wrote it with lying on it, or
held in their hand, a thumb reaching in from the edge.  Either is far
darker than a faint digit: Otsu's threshold falls between it and all the
rest, the digit falls under it, and the pen or the thumb is the largest
piece of ink.  So ``nrnn.image.ink`` measures the threshold again without
them, and keeps a digit it then finds beside them.  Here they are told by
their shape:

- A pen (a pencil, a ruler) is a straight bar (``bar_width``, from the
  piece's second moments): at least ``PEN_LONG`` times longer than wide,
  filling ``PEN_FILL`` of its rectangle, and at least ``PEN_WIDE`` of the
  frame's shorter side wide (``pen_width``).  A 1 is a bar too, but a
  thin one: a bar gives way only to a digit beside it (``beside_pen``), a
  piece with strokes ``PEN_THICKER`` times thinner and at least
  ``PEN_REACH`` of the bar's length.
- A thumb or a finger holding the sheet is such a pen, a broad one.
  Both are looked for where they reach in from the border
  (``reaching_in``): a bar, or a piece at least ``THUMB_WIDE`` of the
  frame's shorter side wide, touching the border, that holds most of the
  mask's ink, bits of a faint digit beside it.  Lit skin is hardly darker
  than paper, and only its rounded rim stands out of the window's paper,
  in strips as narrow as strokes: then the whole finger is looked for over
  the paper of the widest window (``nrnn.image.tophat``).
- Beside a bar reaching in from the border, a digit is told by its shape
  (no bar itself) as well as by its strokes: ``BENT_THICKER`` times
  thinner than the bar will do.  A pen is as wide as a marker's stroke or
  wider; a digit lying next to it in a photo is a fifth to half as tall as
  the pen is long, and a faint one holds a hundredth of its ink.
- A grey marker digit is as wide as a pen reaching in beside it, but far
  fainter: ink ``FAINTER`` as strong as the pen's, in the shape of a
  digit (``STROKES``), will do too.
- So is one beside a pen lying wholly in the picture, as long as a pen
  (``PEN_SPAN`` of the frame), if it holds ``RIVAL`` of the pen's ink in
  a digit's shape (``rival``): a 1's stem is a bar too, but as long as
  the digit is tall, and beside a 1 nothing holds that much but a blot.
- A glossy pen's highlights cut it into strips along it, none a bar:
  where the pieces touching the border hold most of the ink, they are
  looked at once more with the gaps between them closed (``GLOSS``).

A piece's strokes are as wide as ``piece_stroke`` says: the stroke width
(``tophat.stroke_width``) of its own mask.
"""

import math
from collections.abc import Sequence

from nrnn.image import border, morphology, tophat

__all__ = ["PEN_LONG", "PEN_FILL", "PEN_WIDE", "PEN_THICKER", "PEN_SHARE", "PEN_REACH", "BENT_THICKER", "THUMB_WIDE",
           "THUMB_REACH", "FAINTER", "STROKES", "PEN_SPAN", "RIVAL", "RIVAL_STROKES", "GLOSS",
           "bar_width", "pen_width", "reaching_in", "beside_pen", "rival", "piece_stroke"]

Rows = list[list[float]]

#: A pen lying in the picture: a straight bar PEN_LONG times longer than
#: wide, filling PEN_FILL of its rectangle, at least PEN_WIDE of the
#: frame's shorter side wide (a 1 written with a ballpoint is a bar too,
#: but a thin one), and PEN_THICKER times thicker than the strokes of a
#: piece with PEN_SHARE of its ink and PEN_REACH of its length, which is
#: the digit (not a speck of grain or a remnant of a ruled line: a pen
#: is far longer and darker than a digit written beside it).
PEN_LONG, PEN_FILL, PEN_WIDE = 5.0, 0.8, 0.03
PEN_THICKER, PEN_SHARE, PEN_REACH = 2.0, 0.01, 0.15

#: Beside a bar reaching in from the border, a digit that is no bar
#: itself needs strokes only BENT_THICKER times thinner (a pen is no wider
#: than a bold pen's stroke is twice; the flag of a 1 the frame cuts is
#: drawn with the 1's own pen).
BENT_THICKER = 1.5

#: A thumb or a finger holding the sheet, reaching in from the edge: at
#: least this share of the frame's shorter side wide (a stroke is a tenth
#: of the digit's height or less, the digit under half the frame's).
THUMB_WIDE = 0.06

#: ... with at least this share of its pixels beyond the border band: a
#: pen lying across a corner, its shadow beside it, is one broad wedge,
#: half of it in the band.  (Scenery hugging the edge, a strip of table,
#: has under ``border.EDGE_REACH`` there and was set aside before.)
THUMB_REACH = 0.25

#: A glossy pen's highlights, a pixel or a few wide along it, cut it into
#: strips: gaps up to GLOSS - 1 pixels wide are closed to find it whole.
GLOSS = 5

#: A pen is black or coloured plastic: a digit beside one reaching in
#: whose ink stands at most FAINTER as far out of the paper (on average
#: over its pixels) is no part of it, however wide its strokes.  A 1's
#: flag is drawn with the 1's own pen, as dark.
FAINTER = 0.5

#: ... and shaped like a digit: strokes a STROKES th of its size or thinner
#: (a grey marker's 0 or 3 has them a fifth to a quarter; a blot of JPEG
#: noise or of shadow, half).
STROKES = 3.0

#: ... or, beside a pen lying wholly in the picture and spanning at least
#: PEN_SPAN of the frame's longer side, holding at least RIVAL of its ink
#: in a digit's shape, and either ``FAINTER`` as strong or with strokes a
#: RIVAL_STROKES th of its size or thinner.  (A pen is twice as long as a
#: digit is tall or longer, and a digit's strokes run three to four times
#: its height: a marker digit with strokes half the pen's width and half
#: as dark holds about 0.4 of its ink, its strokes a fifth to a seventh of
#: its size.  A stroke of the digit itself is a bar too, a 1's or a 6's
#: stem, but its other strokes are drawn with the same pen, as dark, and
#: a fat marker's are a third of their size; beside a grey 1 nothing
#: holds that much but a scrap of shadow, a blot darker than the 1.)
PEN_SPAN, RIVAL, RIVAL_STROKES = 0.4, 0.2, 4.0


def bar_width(piece: morphology.Component) -> float:
    """The width of ``piece`` if it is a straight bar (a pen), else 0.

    From its second moments: a filled rectangle L long and w wide has
    variance L^2 / 12 along its axis and w^2 / 12 across; a bar is at least
    ``PEN_LONG`` times longer than wide and fills most of that rectangle
    (a digit's strokes, bent, fill little of theirs).
    """
    n = piece.pixels
    if n < 20:
        return 0.0
    sx = sy = sxx = syy = sxy = 0.0
    for y, start, stop in piece.runs:
        count = stop - start
        xs = (start + stop - 1) * count / 2  # sum of x over the run
        xxs = _squares(stop - 1) - _squares(start - 1)  # and of x * x
        sx += xs
        sy += y * count
        sxx += xxs
        syy += y * y * count
        sxy += y * xs
    mx, my = sx / n, sy / n
    vxx, vyy, vxy = sxx / n - mx * mx, syy / n - my * my, sxy / n - mx * my
    half, spread = (vxx + vyy) / 2, math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy)
    length, across = math.sqrt(12 * (half + spread)), math.sqrt(12 * max(half - spread, 0.0) + 1)
    if length < PEN_LONG * across or n < PEN_FILL * length * across:
        return 0.0
    return n / length


def _squares(n: int) -> int:
    """0^2 + 1^2 + ... + n^2 (0 for n < 1)."""
    return n * (n + 1) * (2 * n + 1) // 6 if n > 0 else 0


def pen_width(piece: morphology.Component, width: int, height: int) -> float:
    """The width of ``piece`` if it may be a pen lying in the picture (a
    straight bar at least ``PEN_WIDE`` of the shorter side wide), else 0."""
    bar = bar_width(piece)
    thick = max(bar, piece_stroke(piece)) if bar else 0.0
    return thick if thick >= PEN_WIDE * min(width, height) else 0.0


def reaching_in(bright: Rows, pieces: Sequence[morphology.Component], threshold: float, window: int,
                band: int) -> list[morphology.Component]:
    """A thumb or a finger holding the sheet, or a pen reaching in from its
    edge: the pieces that touch the border and either are straight bars
    (``pen_width``: a pen, however little of it lies in the picture) or
    reach into the picture (``THUMB_REACH`` of their pixels beyond the
    border band) at least ``THUMB_WIDE`` of the shorter side wide, if
    they hold most of the mask's ink (``pieces``, cut at ``threshold``
    from the top-hat of ``bright`` over a ``window`` wide).  Else none.

    Lit skin is little darker than the paper, and darker toward its rim,
    as anything round: the opening keeps its middle as "paper" and only
    the rim stands out, in strips no wider than a stroke.  So if a piece
    reaches in from the border, they are looked for once more in the
    top-hat over the widest window's paper, which lifts out the whole
    finger.  A glossy pen cut into strips by its highlights is found with
    the gaps closed (``_closed``).
    """
    height, width = len(bright), len(bright[0])
    shorter = min(width, height)

    def reaching(piece: morphology.Component) -> bool:
        return piece.touches_border(width, height) and border.reach(piece, width, height, band) >= border.EDGE_REACH

    def broad(pieces: Sequence[morphology.Component]) -> list[morphology.Component]:
        found = [piece for piece in pieces if piece.touches_border(width, height) and (
            pen_width(piece, width, height)
            or border.reach(piece, width, height, band) >= THUMB_REACH and piece_stroke(piece) >= THUMB_WIDE * shorter)]
        return found if sum(piece.mass for piece in found) >= 0.5 * sum(piece.mass for piece in pieces) else []

    found = broad(pieces)
    total = sum(piece.mass for piece in pieces)
    if not found and sum(piece.mass for piece in pieces if piece.touches_border(width, height)) >= 0.5 * total:
        # A glossy pen: its highlights cut it into strips, none a bar.
        whole = [piece for piece in _closed(pieces, width, height)
                 if piece.touches_border(width, height) and pen_width(piece, width, height)]
        if sum(piece.mass for piece in whole) >= 0.5 * total:
            return whole
    widest = tophat.odd(tophat.WINDOW_MAX * shorter)
    if found or widest <= window or not any(reaching(piece) for piece in pieces):
        return found
    wide = tophat.top_hat(bright, tophat.background(bright, widest))
    return broad(morphology.components(tophat.above(wide, threshold), wide))


def _closed(pieces: Sequence[morphology.Component], width: int, height: int) -> list[morphology.Component]:
    """The pieces with gaps up to ``GLOSS`` - 1 pixels wide between and
    within them closed (a max filter, then a min filter), each weighing
    the ink of the pieces it holds."""
    mask = [[0] * width for _ in range(height)]
    for piece in pieces:
        for y, start, stop in piece.runs:
            mask[y][start:stop] = [1] * (stop - start)
    filled = morphology.min_filter(morphology.max_filter(mask, GLOSS), GLOSS)
    closed = morphology.components([[int(v) for v in row] for row in filled])
    owner = [[-1] * width for _ in range(height)]
    for index, whole in enumerate(closed):
        whole.mass = 0.0
        for y, start, stop in whole.runs:
            owner[y][start:stop] = [index] * (stop - start)
    for piece in pieces:
        y, start, _ = piece.runs[0]
        closed[owner[y][start]].mass += piece.mass
    return closed


def beside_pen(piece: morphology.Component, pen: morphology.Component, thick: float,
               thicker: float = PEN_THICKER, reaching: bool = False) -> bool:
    """Whether ``piece`` is a digit beside the bar ``pen``, ``thick``
    wide: a size of at least ``PEN_REACH`` of its length, and strokes
    ``thicker`` times thinner; or, beside a pen ``reaching`` in from the
    border, a digit in grey marker as wide as the pen: ink ``FAINTER`` as
    strong and the shape of a digit, no bar (a line), strokes a
    ``STROKES`` th of its size or thinner (no blot).  (A bar wholly inside
    the picture may be a 1: then what is left is faint, a rim of
    something painted over, and only thin strokes will do.)"""
    size = max(piece.width, piece.height)
    if size < PEN_REACH * max(pen.width, pen.height):
        return False
    stroke = piece_stroke(piece)
    if stroke * thicker <= thick:
        return True
    return (reaching and piece.mass / piece.pixels <= FAINTER * pen.mass / pen.pixels
            and _digit_shaped(piece, stroke, size))


def rival(piece: morphology.Component, pen: morphology.Component, width: int, height: int) -> bool:
    """Whether ``piece`` is a digit beside the bar ``pen`` lying wholly in
    a ``width`` x ``height`` picture, its strokes however wide: a pen
    spanning ``PEN_SPAN`` of the longer side; the shape of a digit (no
    bar, strokes a ``STROKES`` th of its size or thinner), a size of at
    least ``PEN_REACH`` of the pen's length, ``RIVAL`` of its ink, and
    either ink ``FAINTER`` as strong (on average over its pixels) or
    strokes a ``RIVAL_STROKES`` th of its size or thinner."""
    size, length = max(piece.width, piece.height), max(pen.width, pen.height)
    if length < PEN_SPAN * max(width, height) or piece.mass < RIVAL * pen.mass or size < PEN_REACH * length:
        return False
    stroke = piece_stroke(piece)
    return (_digit_shaped(piece, stroke, size)
            and (piece.mass / piece.pixels <= FAINTER * pen.mass / pen.pixels or RIVAL_STROKES * stroke <= size))


def _digit_shaped(piece: morphology.Component, stroke: float, size: int) -> bool:
    """Strokes ``stroke`` wide, a ``STROKES`` th of the ``size`` or
    thinner (no blot), and no bar (a line)."""
    return STROKES * stroke <= size and not bar_width(piece)


def piece_stroke(piece: morphology.Component) -> float:
    """``stroke_width`` of one piece, on a mask of its box."""
    return tophat.stroke_width(piece.box_mask())
