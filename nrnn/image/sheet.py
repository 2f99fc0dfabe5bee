"""The sheet on the desk: in a photo that shows the sheet's edges, only the sheet can hold the digit.

People photograph a small note, an index card or a sheet held at arm's
length, and the desk shows around it, or the thumb that holds the sheet.  Ink is found as what stands out of
the paper *around it* (``nrnn.image.ink``), and the paper is estimated by a
grey-level opening with a square window: along the sheet's edges, and
above all at its corners when it lies askew, the window cannot follow the
sheet's outline, so slivers of desk stand out of the "paper" as strongly as
ink does, and far more strongly than a faint pencil digit.  So before the
ink is looked for, the desk is painted over with the paper next to it, and
the photo reads as if the sheet filled the frame.

How the sheet is found (``sheet_mask``)
---------------------------------------
1. The desk reaches the frame: unless ``DESK_EDGE`` of the frame's edge is
   darker than Otsu's threshold of the brightness (the caller's
   ``level``), there is no desk, and most photos end here.  Split the
   brightness at that threshold: the sheet is brighter than the desk.  The sheet is the largest
   bright piece, with its holes (the digit, written darker on it) filled.
2. The desk is what is left that touches the frame's border: a sheet
   that fills the frame has no desk, and nothing changes.  It must be
   broad (``BROAD``): a digit cropped tight touches the border with its
   strokes, which are dark too, but narrow.  The sheet must be large,
   convex, mostly paper, and turn at four corners (``MIN_SHEET``,
   ``CONVEX``, ``MAX_MARKS``, ``CORNERS``: a quadrilateral, perhaps cut by
   the frame), not a bright rule along an edge, nor a digit's thick light
   strokes on a dark canvas (small, bent, or round and mostly hole).
3. The edge between them must be *sharp*.  A sheet's edge jumps from paper
   to desk within a pixel or two of the working image; the edge of a
   shadow, the other large darker thing in a photo of paper, fades over
   many.  So wherever a row or column crosses from the sheet onto broad
   desk, the brightness one pixel inside the sheet is compared with the
   brighter of one pixel and ``BROAD`` out on the desk (a stroke reaching
   the border rises again beyond its width), along at least ``MIN_EDGE``
   of the frame's shorter side: the median of
   those steps must be at least ``SHARP`` of the difference between the
   sheet's and the desk's median brightness, and that difference at least
   ``MIN_STEP`` levels.  A lighting gradient split in two, or a shadow,
   fails this, and the photo is read as it is.
4. Nothing is written on the desk (``DESK_MARKS``): the darker side of a
   fold or of a hard-edged shadow across the sheet passes every test
   above, and may hold the digit.  Nor does the digit stand on it
   (``_strokes_on``): a digit that reaches the shadow's edge joins the
   "desk", and would be painted over with it; a desk is broad, a stroke
   is not.

How the desk is painted (``paint_desk``)
----------------------------------------
The sheet is shrunk by ``INSET`` pixels (its edge is a blend of paper and
desk, and would pass for a dark rule), then each row is continued from
the sheet outward: desk to the left of the sheet's first pixel takes that
pixel's value, to the right of its last pixel that one's, gaps in between
the value on their left.  Rows the sheet does not reach copy the nearest
row that it does.  The paper's slow changes run on into the desk, so the
opening sees no edge at all.
"""

import math
from collections.abc import Sequence
from typing import Optional

from nrnn.image import morphology

__all__ = ["SHARP", "MIN_STEP", "INSET", "BROAD", "MIN_SHEET", "CONVEX", "MAX_MARKS", "CORNERS", "DESK_MARKS",
           "sheet_mask", "paint_desk"]

Rows = list[list[float]]
Mask = list[list[int]]

#: The median step across the sheet's edge, as a share of the sheet's and
#: the desk's difference: a sheet's edge is sharp, a shadow's soft.
SHARP = 0.7

#: The sheet must be at least this many gray levels brighter than the desk.
MIN_STEP = 20

#: The sheet's outermost pixels (a blend with the desk) are painted over too.
INSET = 2

#: The sheet (with the marks on it) covers at least MIN_SHEET of the frame,
#: at least CONVEX of its convex hull, and the marks (the digit, darker than
#: the sheet) at most MAX_MARKS of it.
MIN_SHEET, CONVEX, MAX_MARKS = 0.15, 0.9, 0.3

#: ... and its hull has corners: at least this share of the hull's whole
#: turn is made at its four sharpest corners (a thick 0 is convex too).
CORNERS = 0.5

#: The desk must darken at least this share of the frame's edge
#: (a sheet lying inside the frame: all of it; a sheet cut by the frame on
#: three sides: a quarter or so; a thumb holding the sheet: a few percent).
DESK_EDGE = 0.03

#: The desk must cover at least this share of the frame: a sliver is left to
#: the ink finder's own handling of scenery along the border.
MIN_DESK = 0.01

#: The sheet's edge onto broad desk must be at least this share of the
#: frame's shorter side long (counted in crossings of rows and columns).
MIN_EDGE = 0.25

#: The desk is bare: at most this share of it is darker than the desk by
#: half the sheet's step onto it (writing, on the darker side of a fold).
DESK_MARKS = 0.005

#: ... and be broad: across most of it, at least this share of the frame's
#: shorter side.  Strokes that touch the frame (a digit cropped tight) are
#: dark and reach the border too, but they are at most a tenth of the
#: digit's height wide.
BROAD = 0.12


def _median(values: list[float]) -> float:
    values.sort()
    return values[len(values) // 2]


def _hull(mask: Mask) -> list[tuple[int, int]]:
    """The convex hull of the mask's pixels (as unit squares), its corners
    in order: Andrew's monotone chain over each row's outermost pixel corners."""
    points = []
    for y, flags in enumerate(mask):
        runs = morphology.mask_runs(flags)
        if runs:
            left, right = runs[0][0], runs[-1][1]
            points += [(left, y), (left, y + 1), (right, y), (right, y + 1)]
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def turn(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def chain(ordered):
        hull: list[tuple[int, int]] = []
        for point in ordered:
            while len(hull) >= 2 and turn(hull[-2], hull[-1], point) <= 0:
                hull.pop()
            hull.append(point)
        return hull[:-1]

    return chain(points) + chain(points[::-1])


def _hull_shape(mask: Mask) -> tuple[float, float]:
    """(area, cornerness) of the mask's convex hull: its area (the
    shoelace formula), and the share of its whole turn (360 degrees) made
    at its four sharpest corners.  A quadrilateral turns at four corners
    (its sides, however ragged, hardly turn); a round blob turns a little
    everywhere."""
    hull = _hull(mask)
    sides = list(zip(hull, hull[1:] + hull[:1]))
    area = abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in sides)) / 2.0
    headings = [math.atan2(b[1] - a[1], b[0] - a[0]) for a, b in sides]
    turns = sorted(((after - before) % (2 * math.pi) for before, after in zip(headings, headings[1:] + headings[:1])),
                   reverse=True)
    return area, sum(turns[:4]) / (2 * math.pi) if turns else 0.0


def _breadth(mask: Mask) -> float:
    """The median, over the mask's pixels, of the shorter of the horizontal
    and the vertical run through each: a stroke's width, a desk's breadth."""
    across = morphology.run_lengths(mask)
    down = list(zip(*morphology.run_lengths([list(c) for c in zip(*mask)])))
    shorter = [min(a, b) for row, column in zip(across, down) for a, b in zip(row, column) if a]
    return _median(shorter) if shorter else 0.0


def _steps(gray: Sequence[Sequence[float]], sheet: Mask, broad: float) -> list[float]:
    """Brightness one pixel inside the sheet minus the brighter of one
    pixel and ``broad`` pixels out on the desk, wherever a row crosses
    from the sheet onto more than ``broad`` pixels of desk.  A sheet's edge
    steps down at once and stays down; a shadow's fades (one pixel out is
    still bright), and a stroke that reaches the border, joined to the
    desk by a shadow beside it, rises again beyond its width."""
    far = max(2, int(broad))
    steps = []
    for values, flags in zip(gray, sheet):
        width = len(flags)
        runs = morphology.mask_runs(flags)
        for k, (start, stop) in enumerate(runs):
            if stop - start < 2:
                continue
            before = runs[k - 1][1] if k else 0
            after = runs[k + 1][0] if k + 1 < len(runs) else width
            if start - before > far:
                steps.append(values[start + 1] - max(values[start - 2], values[start - far]))
            if after - stop > far:
                steps.append(values[stop - 2] - max(values[stop + 1], values[stop - 1 + far]))
    return steps


def _strokes_on(desk: Mask, broad: float) -> bool:
    """Whether a stroke stands on the desk.  A desk, a thumb, are
    ``broad``: an opening that wide keeps them.  What it removes is
    narrow: along the border, the thin wedge of desk where the frame cuts
    a sheet's corner; away from it, and at least that long, a stroke of
    the digit reaching the "desk", which is then a hard shadow's darker
    side (or a fold's) and must not be painted over."""
    height, width = len(desk), len(desk[0])
    size = max(3, int(broad) | 1)
    kept = morphology.opening(desk, size)
    thin = [[1 if d and not k else 0 for d, k in zip(row, wide)] for row, wide in zip(desk, kept)]
    return any(max(piece.width, piece.height) >= size and not piece.touches_border(width, height)
               for piece in morphology.components(thin))


def sheet_mask(gray: Sequence[Sequence[float]], level: float) -> Optional[Mask]:
    """0/1 rows, 1 on the sheet (holes filled), if the photo shows a sheet
    with sharp edges on a darker desk (see the module docstring); else None.
    ``level``: Otsu's threshold of the brightness."""
    height, width = len(gray), len(gray[0])
    # The desk reaches the frame's edge: most photos, paper to the edge,
    # end here, at the cost of one look along the edge.
    edge = list(gray[0]) + list(gray[-1]) + [row[0] for row in gray] + [row[-1] for row in gray]
    if sum(1 for v in edge if v <= level) < DESK_EDGE * len(edge):
        return None
    bright = [[1 if v > level else 0 for v in row] for row in gray]
    pieces = morphology.components(bright)
    if not pieces:
        return None
    sheet = [[0] * width for _ in range(height)]
    for y, start, stop in pieces[0].runs:
        sheet[y][start:stop] = [1] * (stop - start)
    # What is not the sheet: the desk if it reaches the border, else a hole
    # in the sheet (the digit, a dark mark on it).
    desk = [[0] * width for _ in range(height)]
    desk_pixels = marks = 0
    for piece in morphology.components([[1 - v for v in row] for row in sheet]):
        target = desk if piece.touches_border(width, height) else sheet
        for y, start, stop in piece.runs:
            target[y][start:stop] = [1] * (stop - start)
        if target is desk:
            desk_pixels += piece.pixels
        else:
            marks += piece.pixels
    # A sheet is large, convex (a quadrilateral, perhaps cut by the frame)
    # and mostly paper.  Thick light strokes on a dark canvas are a bright
    # piece on a dark ground too, but small, or bent, or (a 0) mostly hole.
    sheet_pixels = pieces[0].pixels + marks
    if sheet_pixels < MIN_SHEET * width * height or marks > MAX_MARKS * sheet_pixels:
        return None
    hull_area, cornerness = _hull_shape(sheet)
    if sheet_pixels < CONVEX * hull_area or cornerness < CORNERS:
        return None
    broad = BROAD * min(width, height)
    if desk_pixels < MIN_DESK * width * height or _breadth(desk) < broad:
        return None
    paper = _median([v for row, flags in zip(gray, sheet) for v, f in zip(row, flags) if f])
    desk_level = _median([v for row, flags in zip(gray, sheet) for v, f in zip(row, flags) if not f])
    if paper - desk_level < MIN_STEP:
        return None
    # Nothing is written on a desk: a fold or a hard-edged shadow across
    # the sheet, whose darker side holds the digit, is no desk.
    written = desk_level - (paper - desk_level) / 2
    writing = sum(1 for row, flags in zip(gray, desk) for v, f in zip(row, flags) if f and v < written)
    if writing > DESK_MARKS * desk_pixels:
        return None
    # Across the edge both ways: along the rows, and along the columns.
    steps = _steps(gray, sheet, broad) + _steps([list(c) for c in zip(*gray)], [list(c) for c in zip(*sheet)], broad)
    if len(steps) < MIN_EDGE * min(width, height) or _median(steps) < SHARP * (paper - desk_level):
        return None
    # Last, as it costs the most: no stroke stands on the desk.
    if _strokes_on(desk, broad):
        return None
    return sheet


def paint_desk(plane: Sequence[Sequence[float]], sheet: Mask) -> Rows:
    """``plane`` with everything off the sheet (shrunk by ``INSET``)
    painted with the paper next to it (see the module docstring)."""
    inner = [[int(v) for v in row] for row in morphology.min_filter(sheet, 2 * INSET + 1)]
    painted: list[Optional[list[float]]] = []
    for values, flags in zip(plane, inner):
        runs = morphology.mask_runs(flags)
        if not runs:
            painted.append(None)
            continue
        row = list(values)
        first, last = runs[0][0], runs[-1][1] - 1
        row[:first] = [row[first]] * first
        row[last + 1:] = [row[last]] * (len(row) - last - 1)
        for (_, stop), (start, _) in zip(runs, runs[1:]):
            row[stop:start] = [row[stop - 1]] * (start - stop)
        painted.append(row)
    reached = [y for y, row in enumerate(painted) if row is not None]
    if not reached:
        return [list(row) for row in plane]
    out: Rows = []
    for y, done in enumerate(painted):
        if done is None:  # a row the sheet misses: the nearest row it reaches
            done = list(painted[min(reached, key=lambda r: abs(r - y))] or ())
        out.append(done)
    return out
