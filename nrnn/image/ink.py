"""Finding the ink in a photo of a digit: paper that is not white, light that is not even.

A phone photo of a digit on paper is not a drawing.  The paper is gray, and
a different gray in every corner: brighter under the lamp, darker toward the
edge of the sheet, a shadow of the phone across one side, the desk showing
past the edge.  Reading "ink = whatever differs from the typical brightness"
then calls the shadow ink, the digit's bounding box becomes the whole photo
and the digit itself shrinks to a few pixels of the 28 x 28 input.  So here
the paper is estimated *locally*, the ink is what stands out from the paper
*around it*, and of all that stands out we keep the one digit-sized thing
in the middle.

The steps (``find_ink``), each with its reason
-----------------------------------------------
1. Polarity (``polarities``): is the ink darker or lighter than most of the
   paper?  Compare how far the 2nd and the 98th percentiles stray from the
   median: the side that strays further is the ink's.  Percentiles, not the
   darkest and lightest pixel, so one glint or one black corner cannot
   decide it.  This is only a first vote: both polarities are read (step
   7), because a white frame around a gray photo, or a large shadow, can
   outvote the ink.  A clear vote for light ink is checked on the photo
   less its slow light (``_vote``): under a hard shadow over most of the
   sheet the lit paper, not the ink, strays furthest from the median.
2. Make the ink bright: ``x = 255 - gray`` for dark ink, ``x = gray`` for
   light ink.  Everything below is written once, for bright ink.
3. Stroke width (``stroke_width``): threshold a first, rough top-hat (step
   4 with the smallest window) and take the median, over ink pixels, of the
   shorter of the horizontal and vertical run through each pixel: across a
   stroke a run is as long as the stroke is wide.
4. Paper (``background``): the grey-level *opening* of x (see
   ``nrnn.image.morphology``) with a window of about 3 stroke widths, clamped to
   15%..30% of the image's shorter side.  The opening removes every bright
   thing narrower than its window, the strokes, and keeps the paper's slow
   changes and the shadows.  Why these sizes: narrower than ~3 strokes and a
   thick stroke or a loop's inside survives as "paper"; wider than ~30% and
   it can no longer follow a shadow's edge.  Ink = x - paper (the top-hat):
   strokes on a background that is 0 everywhere, shadow or not.  Strokes
   wider than the window (a fat marker in a tight crop, where the window is
   held to 30%; the junction of two thick strokes) stay in the "paper" as a
   bump: where the paper stands out of the paper around it, and over a
   window four times as wide, as strongly as ink, touching the ink, away
   from the border, with a sharp edge (a glare fades), it is ink
   (``_fat_strokes``).
   Printed lines of ruled or squared paper are thin, so they stay in the
   top-hat with the strokes: found by their shape (families of long,
   straight, thin lines across the frame) and lifted off, strokes lying
   on them or crossing them kept (``nrnn.image.paper_lines``).
5. Threshold (``otsu_threshold``): Otsu's threshold on the ink splits the
   histogram into "paper noise" and "ink" wherever the two groups are most
   distinct, so it adapts to a faint pencil or a bold marker.  It is
   measured away from a band along the border and away from the scenery
   (``_scenery``: pieces of a first mask that touch the border and hug it,
   a strip of desk, a shadow's rim, which would dominate the histogram and
   the stroke width of step 3; looked for again once thick strokes have
   widened the window, which lifts a strip narrower than it out of the
   paper), and never set under ``NOISE_RATIO / 2`` times
   the paper's noise.  If the strongest ink is under ``MIN_CONTRAST``
   levels or ``BLANK_RATIO`` times the noise, the photo is blank.  If one
   piece spanning the frame (a line the lifting missed: a single one, or
   a bent one, which the digit crosses) holds most of the mask, the
   threshold is raised: Otsu again on what lies above it.
   If all that is then left in the mask touches the border (a pen lying
   across the sheet from its edge, far darker than a faint digit), the
   threshold is measured again without it, and a digit that then stands
   out, away from the border, is kept instead.  So with a pen lying wholly
   inside the picture, a straight bar (``_bar_width``), if the digit found
   without it is made of strokes ``PEN_THICKER`` times thinner (a 1 alone
   is a bar too).  And so with a thumb or a finger holding the sheet
   (``_thumbs``): broad pieces reaching in from the border that hold most
   of the mask's ink, bits of a faint digit beside them.  Lit skin is
   hardly darker than paper, and only its rounded rim stands out of the
   window's paper, in strips as narrow as strokes: then the whole finger
   is looked for over the paper of the widest window.
6. Pieces (``choose_components``): the thresholded mask's 8-connected
   components.  The digit is the piece with the most ink, a piece touching
   the image's edge counting much less (a shadow's rim, the sheet's edge, a
   finger), and a straight bar not at all when another piece of some ink
   has strokes ``PEN_THICKER`` times thinner (a pen lying in the picture),
   nor an outline with ink on all four sides of a sizable piece
   (``_frames``: a form's printed box, a circle drawn round the digit):
   the digit is what it frames.
   Nearby pieces with at least ``PIECE_SHARE`` of its ink are kept (a 5's
   cap, a 4's stem, a 7's crossbar drawn apart); so are small pieces inside
   its box (a stroke broken by the threshold).  The rest goes: specks, a
   ruled line across the frame, the desk.
7. Which polarity (``_better``): the wrong one finds the paper *between*
   the strokes: a loop's inside, the gap between a stroke and a shadow,
   or the bright rim of the sheet along the edge, or a lamp's glare on the
   paper around the digit.  First, a finding whose edge fades, away from
   the other's box, loses to one whose edge is sharp (``_fades``,
   ``_sharp``): ink in focus has an edge, the paper under a glare only
   brightens slowly.  Then a finding framed by a printed box beats one
   inside that box (the paper between the box's lines and the strokes,
   standing out as light ink), unless that one is clearly thinner.  Then
   a finding lying inside the other's box, with the other's ink on three
   or four sides of it, loses (it is the digit's holes and bays), unless
   it stands much further out of its paper's noise or is much thinner (a
   thin digit amid the cells of squared paper), and never when the
   percentile vote clearly chose the other (the slits between a fat
   marker's strokes are thin and as clear as the strokes), nor when the
   clear vote chose it and the other's edge hardly falls (the paper
   inside a faint box); a finding whose digit hugs the border loses to
   one whose digit does not; then one whose ink
   stands much further out of its paper's noise (the wrong polarity finds
   the paper beside thick strokes, uneven under a shadow); then the thinner
   finding wins (a digit is strokes, the wrong polarity finds blobs),
   decisively only if much thinner when the percentile vote was clear;
   last, less mask in the border band (a real digit sits in the middle;
   scenery hugging the border, which is there by its nature, not counted).
8. Soft ink: MNIST digits are gray strokes with soft edges, not a 0/1 mask.
   Inside the kept pieces (grown by a pixel to keep the anti-aliased rim)
   the output is the top-hat over the paper's brightness there, stretched
   so strong ink is 1.0; outside, 0.  Light multiplies: in a shadow the
   ink stands out by fewer gray levels but by the same share of its
   paper, so the half of a digit under a shadow is not fainter.

A colour photo whose gray ink is faint (under ``LOW_CONTRAST``: a pale
blue pen on beige paper, similar brightness, different colour) is also read
in the colour channel whose extremes stray furthest from its median, and
that reading is kept if its ink stands clearly further out of the noise.

A photo whose ink hardly stands out of its grain (under ``NOISE_RATIO``
times the noise, or none found: a dim room, a phone's high ISO) is read
once more with each pixel averaged with its 8 neighbours (``_box3``), and
that reading is kept if its ink stands clearly further out of the noise:
the grain falls about threefold, a stroke two pixels wide hardly at all (a
stroke one pixel wide to a third: there only half of ``MIN_CONTRAST`` is
asked of the ink).

Before all this, flat margins are cut (``flat_margins``): whole rows and
columns at the edges that are one flat colour, the frame around a photo
pasted on a page or letterboxed by a phone's gallery.  Real paper is never
that flat, ink never is, and such a frame would otherwise outvote the ink
in step 1 and count as the "edge" in steps 4-7.  Then, if the photo
shows a whole sheet on a darker desk, the desk is painted over with the
paper next to it (``nrnn.image.sheet``): the square window of step 4
cannot follow an askew sheet's corners, and slivers of desk would stand
out as strongly as ink.

A photo cropped tight to its digit (in a phone's gallery, a margin of a
few pixels) breaks what the steps above assume of the border: the
strokes run into it, so a stroke spanning the frame passes for a ruled
line, the strokes in the border band for scenery, and, the digit filling
most of the picture, the top-hat's median is ink, not the paper's noise.
The clear vote's polarity then finds nothing, or a sliver, and the paper
between the strokes wins.  So when a clear vote's reading lost, hugs the
edge, had most of its mask in one piece spanning the frame or much of it
in the border band (over ``SETTLED_BAND``), it is read once more with
the photo set in a margin of its own paper (``_tight_crop``): each
edge's paper (a high percentile along a stretch of the edge, which
passes over a stroke crossing it but keeps a strip of table lying along
it) carried outward, ``PAD`` of the shorter side wide.  There the strokes
end on paper, as they do on the sheet.  That reading wins if its digit
reaches into the border band and its box holds the first reading's (a
ruled line the lifting missed, no longer spanning the wider frame, is no
digit around the digit), and either the first reading was of the same
polarity, most of its mask one piece spanning the frame (then set aside
as a line, slivers of the digit left) or much of it in the border band
(a fat marker's strokes, wider than the first window, stand out only by
their edges, and those run into the edge: a speck of them is left) and
the new reading fills the frame (``TIGHT_FILL``: a thumb or a shadow's
rim, carried into the margin with the digit, does not), or ``_better``
prefers it.

Tiny images (shorter side under ``TINY``) get guards: in a 28 x 28 crop the
digit touches the border, and the border band is all digit, so there the
edge penalty, the border band and the polarity trial are not used.

All of this runs on a small working image (``nrnn.image.preprocess`` shrinks a
photo to at most 256 pixels a side first): the steps are O(pixels) but in
pure Python, and 256 pixels are plenty for a 20 x 20 digit.
"""

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from typing import Callable, Optional

from nrnn.image import morphology, paper_lines, sheet

__all__ = ["MIN_CONTRAST", "PIECE_SHARE", "InkFound", "polarities", "otsu_threshold",
           "stroke_width", "background_window", "background", "choose_components", "find_ink"]

Rows = list[list[float]]

#: Ink weaker than this many gray levels (of 255) above the local paper, at
#: its strongest, is no ink: stretching it would invent a digit from grain.
#: Lower than a drawing's (32): the paper's own changes are gone, and a
#: pencil line in a photo may be only 15-25 levels darker than the paper.
MIN_CONTRAST = 12

#: ... and so is ink whose strongest is under BLANK_RATIO times the paper's
#: noise (the top-hat's median: most pixels are paper).  Blank paper's
#: grain stands about 3 times above that median; a digit in a dim photo,
#: plainly visible, only 6 to 8 times (it was 8, and such photos were
#: called blank).
BLANK_RATIO = 5

#: The threshold is never under NOISE_RATIO / 2 times the paper's noise.
NOISE_RATIO = 8

#: A piece with at least this share of the main piece's ink, near it, is part
#: of the digit (a 5's cap, a 4's stem).
PIECE_SHARE = 0.10

#: A pen lying in the picture: a straight bar PEN_LONG times longer than
#: wide, filling PEN_FILL of its rectangle, at least PEN_WIDE of the
#: frame's shorter side wide (a 1 written with a ballpoint is a bar too,
#: but a thin one), and PEN_THICKER times thicker than the strokes of a
#: piece with PEN_SHARE of its ink and PEN_REACH of its length, which is
#: the digit (not a remnant of a ruled line).
PEN_LONG, PEN_FILL, PEN_WIDE = 5.0, 0.8, 0.03
PEN_THICKER, PEN_SHARE, PEN_REACH = 2.0, 0.03, 0.25

#: A thumb or a finger holding the sheet, reaching in from the edge: at
#: least this share of the frame's shorter side wide (a stroke is a tenth
#: of the digit's height or less, the digit under half the frame's).
THUMB_WIDE = 0.06

#: A frame (a form's printed box, a circle drawn round the digit): a piece
#: with ink left, right, above and below another, covering at most
#: FRAME_FILL of its own box (an outline), while the piece inside is at
#: least FRAMED_SIZE of the frame's shorter side (a digit, not a speck or
#: the dot in a dotted zero).  The piece inside is the digit.
FRAME_FILL, FRAMED_SIZE = 0.25, 0.3

#: The sides of a printed cell in a row of them: pieces left and right of
#: the digit, SIDE_OUTSIDE of their ink beyond its box's columns.
SIDE_OUTSIDE = 0.75

#: Background window, as fractions of the shorter side, and in stroke widths.
WINDOW_MIN, WINDOW_MAX, WINDOW_STROKES = 0.15, 0.30, 3

#: The border band for the polarity trial, as a fraction of the shorter side.
BAND = 0.08

#: Images whose shorter side is under this many pixels are "tiny": a digit
#: may fill them, so touching the border says nothing.
TINY = 48

#: One polarity's finding is "thinner" than the other's by this factor, and
#: "clearly thinner" (enough to overturn a clear percentile vote) by this one.
THINNER, CLEARLY_THINNER = 1.5, 3.0

#: A clear polarity vote is not second-guessed when its finding is this
#: thin (stroke width over the box's longer side) and has at most this share
#: of its mask in the border band (more, and it is read again set in a
#: margin of its paper: ``_tight_crop``).
SETTLED_THINNESS, SETTLED_BAND = 0.12, 0.05

#: A clear percentile vote for light ink is checked on the photo less its
#: slow light: each pixel less the mean of a square VOTE_WINDOW of the
#: shorter side wide around it.  There the light side must still stray
#: VOTE_LEAN times as far as the dark, or both polarities are read (``_vote``).
VOTE_WINDOW, VOTE_LEAN = 0.5, 1.4

#: The soft ink is the top-hat over the paper's brightness, never over less
#: than this many gray levels (a black paper would make noise of it).
DIMMEST = 16.0

#: At most this many times the threshold is raised to cut ruled lines away.
RAISES = 2

#: Colour is tried when the gray ink's strongest level is under this.
LOW_CONTRAST = 24

#: A piece touching the border counts this much of its ink when choosing.
BORDER_PENALTY = 0.25

#: A piece touching the border with under this share of its pixels beyond
#: the border band is scenery (table, shadow rim), not ink: left out when
#: measuring the stroke width and the threshold.
EDGE_REACH = 0.5

#: A digit's hole or bay (a 0's inside, a 4's triangle, a 5's bowl) covers
#: at least this share of the digit's box; a finding far smaller than the
#: one around it is not its hole.
HOLE_SHARE = 0.05

#: A stroke has a sharp edge: this percentile of the falls in brightness
#: across the ends of its runs (two pixels out) is over the threshold
#: (``_fat_strokes``, ``_fades``); a glare fades.
SHARP_EDGE = 0.9

#: A finding's edge is judged (``_fades``) at the ends of its runs more than
#: FADE_GAP pixels outside the other finding's box, if there are FADE_ENDS.
FADE_GAP, FADE_ENDS = 3, 8

#: ... and it loses only to a finding whose edge falls by this many times
#: its threshold (``_sharp``).
SHARPER = 1.5

#: Paper inside a faint printed box, read as light ink: half its edge,
#: away from the digit, falls by less than this share of its threshold
#: (two pixels out is past the box's thin line, on paper as bright).
PAPER_EDGE = 0.5

#: Of two polarities' findings, one whose ink stands this many times
#: further out of its paper's noise (``_clarity``) is the ink: the other
#: is the paper around it (``_better``).
CLEARER = 1.5

#: Paper whose noise (the top-hat's median) is under this many gray levels
#: is quiet: its noise is not measured finer than that (``_clarity``).
QUIET = 1.0

#: A photo cropped tight to its digit: strokes running into the edge look
#: like scenery there.  The clear vote's polarity is read again on the photo
#: set in a margin of its own paper PAD of its shorter side wide, the
#: paper along each edge taken as the PAD_PERCENTILE (toward the paper's
#: side) of the PAD_SPAN of that edge around each point (``_set_in_paper``).
PAD, PAD_SPAN, PAD_PERCENTILE = 0.15, 0.4, 0.75

#: A digit cropped tight spans at least this share of the frame's width and
#: of its height (a margin of a few percent a side).
TIGHT_FILL = 0.8

#: A whole row or column at the edge within this many levels of one value
#: is a flat margin (a frame around a pasted photo), cut before reading.
MARGIN_FLAT = 3


def _odd(value: float) -> int:
    size = int(value)
    return size if size % 2 else size + 1


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value ``fraction`` of the way through a sorted list (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered))))]


def _spreads(plane: Rows, ordered: Optional[Sequence[float]] = None) -> tuple[float, float]:
    """(median - 2nd percentile, 98th percentile - median): how far the
    darkest and the lightest few percent stray from the typical pixel.
    ``ordered``: the plane's values sorted, if the caller has them."""
    if ordered is None:
        ordered = sorted(v for row in plane for v in row)
    median = _percentile(ordered, 0.5)
    return median - _percentile(ordered, 0.02), _percentile(ordered, 0.98) - median


def polarities(gray: Rows, ordered: Optional[Sequence[float]] = None) -> list[str]:
    """"dark" (ink darker than the paper), "light", or both, most likely first.

    dark_spread = median - 2nd percentile, light_spread = 98th - median;
    the larger one wins if it is at least twice the other, else both are
    returned (the caller tries each).

    >>> polarities([[200] * 95 + [40] * 5])
    ['dark']
    >>> polarities([[10] * 90 + [250] * 10])
    ['light']
    """
    dark, light = _spreads(gray, ordered)
    if dark >= 2 * light:
        return ["dark"]
    if light >= 2 * dark:
        return ["light"]
    return ["dark", "light"] if dark >= light else ["light", "dark"]


def _vote(plane: Rows, ordered: Optional[Sequence[float]] = None) -> list[str]:
    """``polarities``, a clear vote for light ink checked on the photo less
    its slow light.

    A hard shadow over more than half the sheet makes shadowed paper the
    median pixel: the lit paper strays from it far more than the ink does,
    and the vote says "light ink", clearly.  Less its slow light
    (``_detail``), the shadow's edge strays as far either way and the ink
    still one way.  So a clear vote for light ink stands only if there the
    light side strays ``VOTE_LEAN`` times as far as the dark; else both
    polarities are read, the side that strays further there first.  (A
    clear vote for dark ink stands: a shadow over less than half the sheet
    only adds to the dark side; checked too, it lost five of the
    benchmark's 3,000 photos and saved none, small digits whose ink is
    hardly 2% of the picture, where the few percent the vote looks at
    are the strokes' rims.)
    """
    order = polarities(plane, ordered)
    if order != ["light"]:
        return order
    height, width = len(plane), len(plane[0])
    dark, light = _spreads(_detail(plane, int(VOTE_WINDOW * min(width, height))))
    if light >= VOTE_LEAN * dark:
        return order
    return ["dark", "light"] if dark >= light else ["light", "dark"]


def otsu_threshold(values: Sequence[float]) -> int:
    """Otsu's threshold for values in [0, 255]: the level t maximising the
    between-class variance  w0 * w1 * (mu0 - mu1)**2  of the two groups
    v <= t and v > t (w = share of the values, mu = mean).  Values are binned
    to whole levels; the first best t is returned; ink is v > t.

    >>> otsu_threshold([10] * 60 + [12] * 20 + [100] * 15 + [110] * 5)
    12
    """
    histogram = [0] * 256
    for level, count in Counter(map(int, values)).items():  # counted at C speed
        histogram[min(255, max(0, level))] += count
    return _otsu(histogram)


def _sorted_histogram(ordered: Sequence[float]) -> list[int]:
    """``otsu_threshold``'s histogram of values already sorted: how many
    fall in each whole level (int(v), clamped to 0..255), counted by
    bisecting at the 255 level boundaries instead of looking at each value
    (a step of Python per value on PyPy, where Counter is written in Python).

    >>> _sorted_histogram([-3.0, 0.5, 1.0, 1.9, 254.5, 300.0])[:3], _sorted_histogram([255.0])[255]
    ([2, 2, 0], 1)
    """
    below = [bisect.bisect_left(ordered, level) for level in range(1, 256)]  # values < level
    return [below[0]] + [b - a for a, b in zip(below, below[1:])] + [len(ordered) - below[-1]]


def _otsu(histogram: Sequence[int]) -> int:
    """Otsu's threshold from the 256 counts of whole levels (see otsu_threshold)."""
    total = sum(histogram)
    grand = sum(level * count for level, count in enumerate(histogram))
    best_level, best_score = 0, -1.0
    below = below_sum = 0
    for level in range(255):
        below += histogram[level]
        below_sum += level * histogram[level]
        above = total - below
        if below == 0 or above == 0:
            continue
        mean_below = below_sum / below
        mean_above = (grand - below_sum) / above
        score = below * above * (mean_below - mean_above) ** 2
        if score > best_score:
            best_level, best_score = level, score
    return best_level


def stroke_width(mask: Sequence[Sequence[int]]) -> float:
    """Median over mask pixels of min(horizontal run, vertical run) through
    the pixel: a stroke's width (0.0 for an empty mask).

    >>> bar = [[1 if 2 <= x < 5 else 0 for x in range(8)] for _ in range(10)]
    >>> stroke_width(bar)                      # a vertical bar 3 wide
    3
    """
    down = morphology.run_lengths([list(column) for column in zip(*mask)])
    # Row by row, run by run: every pixel of a horizontal run of ``length``
    # has min(length, its vertical run), and only the mask's pixels are
    # looked at, not every pixel of the image.
    shorter: list[int] = []
    for row, row_down in zip(mask, zip(*down)):
        for start, stop in morphology.mask_runs(row):
            length = stop - start
            shorter += [d if d < length else length for d in row_down[start:stop]]
    if not shorter:
        return 0.0
    shorter.sort()
    return shorter[len(shorter) // 2]


def background_window(width_of_stroke: float, width: int, height: int) -> int:
    """Odd window for the opening: WINDOW_STROKES stroke widths, clamped to
    WINDOW_MIN..WINDOW_MAX of the shorter side (at least 3).

    >>> background_window(10, 256, 200), background_window(4, 256, 200), background_window(40, 256, 200)
    (31, 31, 61)
    """
    shorter = min(width, height)
    size = min(max(WINDOW_STROKES * width_of_stroke, WINDOW_MIN * shorter), WINDOW_MAX * shorter)
    return max(3, _odd(size))


def background(bright: Rows, window: int) -> Rows:
    """The paper under bright ink: the grey-level opening (see nrnn.image.morphology)."""
    return morphology.opening(bright, window)


def _above(rows: Rows, level: float) -> list[list[int]]:
    """0/1 rows: 1 where the value is over ``level``.  (Every threshold in
    this module is drawn here: PyPy compiles the loop once, not once a place.)"""
    return [[1 if v > level else 0 for v in row] for row in rows]


def _top_hat(bright: Rows, paper: Rows) -> Rows:
    return [[a - b for a, b in zip(row, under)] for row, under in zip(bright, paper)]


def _band_share(mask: Sequence[Sequence[int]], band: int) -> float:
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


def _spanning(piece: morphology.Component, width: int, height: int) -> bool:
    """A piece touching the border and spanning 90% of the width or height:
    a ruled line, a grid, a sheet's edge; not a digit if anything else is."""
    return ((piece.width >= 0.9 * width or piece.height >= 0.9 * height)
            and piece.touches_border(width, height))


def _reach(piece: morphology.Component, width: int, height: int, band: int) -> float:
    """Share of a piece's pixels that lie at least ``band`` pixels from the
    border: how far it reaches into the picture."""
    inside = 0
    for y, start, stop in piece.runs:
        if band <= y < height - band:
            inside += max(0, min(stop, width - band) - max(start, band))
    return inside / piece.pixels if piece.pixels else 0.0


def choose_components(pieces: Sequence[morphology.Component], width: int, height: int,
                      stroke: float = 1.0, band: int = 0) -> list[morphology.Component]:
    """The pieces that make up the digit (see the module docstring, step 6).

    ``pieces`` come from ``morphology.components`` with ink as weights.
    Main piece: most ink, a piece touching the border counting only
    ``BORDER_PENALTY`` of it, and of that only the share of its pixels
    that lies beyond the border ``band`` (not in tiny images: a shadow's
    rim or a strip of table hugs the edge, a digit the frame cuts reaches
    into the picture); a piece spanning 90% of
    the width or height and touching the border (a ruled line, a sheet's
    edge) is never the digit if anything else is there; nor is a straight
    bar (a pen) when a piece with ``PEN_SHARE`` of its ink has strokes
    ``PEN_THICKER`` times thinner; nor is a frame around another piece
    (``_frames``: a form's printed box, a circle drawn round the digit),
    which the piece inside it is.  Kept with it:
    pieces near it (within 30% of its larger side) with ``PIECE_SHARE`` of
    its ink, and smaller pieces inside its box, unless they touch the border
    or frame it.
    """
    if not pieces:
        return []
    tiny = min(width, height) < TINY

    def spanning(piece):
        return _spanning(piece, width, height)

    def score(piece):
        if tiny or not piece.touches_border(width, height):
            return piece.mass
        return piece.mass * BORDER_PENALTY * (_reach(piece, width, height, band) if band else 1.0)

    candidates = [piece for piece in pieces if not spanning(piece)] or list(pieces)
    main = max(candidates, key=score)
    # A pen (a pencil, a ruler) lying in the picture: a straight bar with
    # both ends inside, many times thicker than the strokes of another
    # sizable piece.  That piece is the digit.
    thick = 0.0 if main.touches_border(width, height) else _pen_width(main, width, height)
    if thick:
        # (Not a pen: a thick 1 in a printed box or cell, beside its sides.)
        sides = _cell_sides(main, candidates, stroke)
        if any(piece is not main and piece.mass >= PEN_SHARE * main.mass
               and not piece.touches_border(width, height) and _beside_pen(piece, main, thick)
               and not _frames(piece, main) and piece not in sides
               for piece in candidates):
            candidates = [piece for piece in candidates if piece is not main]
            main = max(candidates, key=score)
    # A box or a circle around the digit: the digit is what it frames.
    framed = [piece for piece in candidates if _frames(main, piece)]
    while framed:
        candidates = [piece for piece in candidates if piece is not main]
        main = max(framed, key=score)
        framed = [piece for piece in candidates if _frames(main, piece)]
    margin = 0.3 * max(main.width, main.height) + stroke
    sides = _cell_sides(main, candidates, stroke)
    kept = [main]
    for piece in candidates:
        if piece is main or _frames(piece, main) or piece in sides:
            continue
        if piece.touches_border(width, height) and not tiny and not main.touches_border(width, height):
            continue
        near = (piece.right >= main.left - margin and piece.left <= main.right + margin
                and piece.bottom >= main.top - margin and piece.top <= main.bottom + margin)
        inside = (piece.left >= main.left - stroke and piece.right <= main.right + stroke
                  and piece.top >= main.top - stroke and piece.bottom <= main.bottom + stroke)
        if near and (piece.mass >= PIECE_SHARE * main.mass or (inside and piece.pixels >= 2)):
            kept.append(piece)
    return kept


def _cell_sides(main: morphology.Component, pieces: Sequence[morphology.Component],
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


def _frames(frame: morphology.Component, piece: morphology.Component) -> bool:
    """Whether ``frame`` is a box or a ring around ``piece``: an outline
    (at most ``FRAME_FILL`` of its box inked) with ink on the lines through
    ``piece``'s centre on all four sides of ``piece``'s box, and ``piece``
    at least ``FRAMED_SIZE`` of its shorter side.

    >>> rows = [[1] * 20] + [[1] + [0] * 18 + [1] for _ in range(18)] + [[1] * 20]
    >>> for y in range(6, 14):
    ...     rows[y][9] = 1                      # a 1 in a box
    >>> frame, one = morphology.components(rows)
    >>> _frames(frame, one), _frames(one, frame)
    (True, False)
    >>> for y in range(1, 19):
    ...     rows[y][19] = 0                     # the box open on its right
    >>> frame, one = morphology.components(rows)
    >>> _frames(frame, one)
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


def _bar_width(piece: morphology.Component) -> float:
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


def _pen_width(piece: morphology.Component, width: int, height: int) -> float:
    """The width of ``piece`` if it may be a pen lying in the picture (a
    straight bar at least ``PEN_WIDE`` of the shorter side wide), else 0."""
    bar = _bar_width(piece)
    thick = max(bar, _piece_stroke(piece)) if bar else 0.0
    return thick if thick >= PEN_WIDE * min(width, height) else 0.0


def _thumbs(bright: Rows, pieces: Sequence[morphology.Component], threshold: float, window: int,
            band: int) -> list[morphology.Component]:
    """A thumb or a finger holding the sheet: the pieces that touch the
    border, reach into the picture (``EDGE_REACH``: not scenery hugging
    it) and are at least ``THUMB_WIDE`` of the shorter side wide, if they
    hold most of the mask's ink (``pieces``, cut at ``threshold`` from the
    top-hat of ``bright`` over a ``window`` wide).  Else none.

    Lit skin is little darker than the paper, and darker toward its rim,
    as anything round: the opening keeps its middle as "paper" and only
    the rim stands out, in strips no wider than a stroke.  So if a piece
    reaches in from the border, they are looked for once more in the
    top-hat over the widest window's paper, which lifts out the whole
    finger.
    """
    height, width = len(bright), len(bright[0])
    shorter = min(width, height)

    def reaching(piece: morphology.Component) -> bool:
        return piece.touches_border(width, height) and _reach(piece, width, height, band) >= EDGE_REACH

    def broad(pieces: Sequence[morphology.Component]) -> list[morphology.Component]:
        found = [piece for piece in pieces if reaching(piece) and _piece_stroke(piece) >= THUMB_WIDE * shorter]
        return found if sum(piece.mass for piece in found) >= 0.5 * sum(piece.mass for piece in pieces) else []

    found = broad(pieces)
    widest = _odd(WINDOW_MAX * shorter)
    if found or widest <= window or not any(reaching(piece) for piece in pieces):
        return found
    wide = _top_hat(bright, background(bright, widest))
    return broad(morphology.components(_above(wide, threshold), wide))


def _beside_pen(piece: morphology.Component, pen: morphology.Component, thick: float) -> bool:
    """Whether ``piece`` is a digit beside the bar ``pen``, ``thick``
    wide: strokes ``PEN_THICKER`` times thinner, a size of at least
    ``PEN_REACH`` of its length."""
    return (max(piece.width, piece.height) >= PEN_REACH * max(pen.width, pen.height)
            and _piece_stroke(piece) * PEN_THICKER <= thick)


def _piece_stroke(piece: morphology.Component) -> float:
    """``stroke_width`` of one piece, on a mask of its box."""
    return stroke_width(piece.box_mask())


class InkFound:
    """What ``find_ink`` found in one plane for one polarity.

    ink:      soft ink rows in [0, 1] (0 off the digit), or None if blank
    stages:   (name, function giving rows in [0, 1]) to show how it was
              found; drawn only when asked for (most readings never are)
    band:     share of the thresholded mask in the border band (scenery left out)
    threshold: the threshold the mask was cut at, gray levels over the paper
    falls:    (x, y, fall) at each end of the kept pieces' runs: how far the
              brightness falls (bright ink's) from the run's end pixel to
              (x, y), two pixels out (``_fades``)
    strength: the strongest ink (top-hat) away from the border, gray levels
    noise:    the paper's noise there (the top-hat's median), gray levels
    edge:     the main piece hugs the border: touches it and spans the frame
              or lies mostly in the border band (never in tiny images)
    box:      (left, top, right, bottom) of the kept pieces, inclusive
    frame:    the box of a frame around them that was left out (a form's
              printed box, ``_frames``), or None
    thinness: the kept pieces' stroke width over their box's longer side
              (a digit's strokes: about 0.05-0.2; a blob: 0.3 and more)
    spanned:  most of the mask was one piece spanning the frame (``_spanning``,
              not hugging the edge: a line the lifting missed, or a digit in
              a photo cropped tight)
    """

    def __init__(self, ink: Optional[Rows], stages: list, band: float, strength: float,
                 box: Optional[tuple[int, int, int, int]] = None, thinness: float = 1.0,
                 noise: float = 0.0, edge: bool = False, threshold: float = 0.0,
                 falls: Sequence[tuple[int, int, float]] = (),
                 frame: Optional[tuple[int, int, int, int]] = None, spanned: bool = False):
        self.ink, self.stages, self.band, self.strength = ink, stages, band, strength
        self.box, self.thinness, self.noise, self.edge = box, thinness, noise, edge
        self.threshold, self.falls, self.frame, self.spanned = threshold, falls, frame, spanned


def _inner_values(rows: Rows, band: int, ignore: Optional[Rows] = None) -> list[float]:
    """All values at least ``band`` pixels from the border (all if none are),
    except where ``ignore`` (0/1 rows, the same shape) is 1."""
    height, width = len(rows), len(rows[0])
    if height <= 2 * band or width <= 2 * band:
        band = 0
    if ignore is None:
        values: list[float] = []
        for row in rows[band:height - band]:
            values += row[band:width - band]  # a slice at a time, no step of Python per value
        return values
    return [v for row, skip in zip(rows[band:height - band], ignore[band:height - band])
            for v, s in zip(row[band:width - band], skip[band:width - band]) if not s]


def _threshold(top_hat: Rows, band: int, ignore: Optional[Rows] = None) -> tuple[float, float, float]:
    """(threshold, strongest, noise) of the top-hat, all measured away from
    the border band, where a strip of desk or a shadow's rim would dominate
    the histogram, and away from ``ignore`` (the scenery hugging the edge,
    see ``_scenery``).  noise = the median (most pixels are paper, even on
    squared paper).  The threshold is Otsu's, never under NOISE_RATIO/2
    times the noise."""
    inner = _inner_values(top_hat, band, ignore) or _inner_values(top_hat, band)
    inner.sort()
    noise = _percentile(inner, 0.5)
    threshold = max(_otsu(_sorted_histogram(inner)), NOISE_RATIO / 2 * noise, MIN_CONTRAST / 2)
    return threshold, inner[-1], noise


def _scenery(mask: Sequence[Sequence[int]], band: int,
             pieces: Optional[Sequence[morphology.Component]] = None) -> Optional[Rows]:
    """0/1 rows: the mask's pieces that touch the border and hug it (under
    ``EDGE_REACH`` of their pixels beyond the border ``band``): a strip of
    table, a shadow's rim, the sheet's edge.  None if there are none.  A
    digit the frame cuts reaches into the picture and is not scenery.
    ``pieces``: the mask's components, if the caller has them."""
    height, width = len(mask), len(mask[0])
    found: Optional[Rows] = None
    for piece in morphology.components(mask) if pieces is None else pieces:
        if piece.touches_border(width, height) and _reach(piece, width, height, band) < EDGE_REACH:
            if found is None:
                found = [[0] * width for _ in range(height)]
            for y, start, stop in piece.runs:
                found[y][start:stop] = [1] * (stop - start)
    return found


def _pooled(rows: Rows, pick) -> Rows:
    """Each 2 x 2 block's darkest (``pick`` = min) or brightest (max) value."""
    width = len(rows[0])
    if pick is min:
        pairs = [[b if b < a else a for a, b in zip(row[0::2], row[1::2])] for row in rows]
        blocks = [[b if b < a else a for a, b in zip(upper, lower)] for upper, lower in zip(pairs[0::2], pairs[1::2])]
    else:
        pairs = [[b if b > a else a for a, b in zip(row[0::2], row[1::2])] for row in rows]
        blocks = [[b if b > a else a for a, b in zip(upper, lower)] for upper, lower in zip(pairs[0::2], pairs[1::2])]
    if width % 2:
        for block, upper, lower in zip(blocks, rows[0::2], rows[1::2]):
            block.append(pick(upper[-1], lower[-1]))
    if len(rows) % 2:
        last = rows[-1]
        blocks.append([pick(a, b) for a, b in zip(last[0::2], last[1::2])] + ([last[-1]] if width % 2 else []))
    return blocks


def _edge_falls(bright: Rows, runs, width: int) -> list[tuple[int, int, float]]:
    """(x, y, fall) at each end of ``runs`` ((y, start, stop) of ink in
    ``bright``, the ink bright): how far the brightness falls from the
    run's end pixel to (x, y), two pixels out.  Across a stroke's edge it
    falls to the paper's; across a glare's rim, hardly."""
    return ([(start - 2, y, bright[y][start] - bright[y][start - 2]) for y, start, stop in runs if start >= 2]
            + [(stop + 1, y, bright[y][stop - 1] - bright[y][stop + 1]) for y, start, stop in runs
               if stop + 1 < width])


def _fat_strokes(bright: Rows, paper: Rows, window: int, threshold: float,
                 top_hat: Rows) -> tuple[Rows, bool]:
    """``paper`` with the ink it kept taken out (see ``_find_in``), and
    whether it had any.

    The opening keeps everything wider than its window as paper.  The
    paper seen through a window four times as wide lies under it: measured
    at half the resolution, for a quarter of the work (each 2 x 2 block's
    darkest pixel, opened with half the window: a wide window's paper is
    smooth).  Where the two differ by more than ``threshold``, in a piece
    that does not touch the border (a shadow's body reaches in from the
    edge), that touches the ink already found, and that stands out of the
    narrower paper around it by as much (a bump in it, not a dip of the
    wider paper beside a dark thing, which no wide window can avoid), and
    whose edge is sharp (``SHARP_EDGE``: a glare's fades), the narrower
    window kept a piece of the digit.
    """
    height, width = len(bright), len(bright[0])
    wider = _odd(min(4 * window, min(width, height)))
    if wider <= window:
        return paper, False
    coarse = morphology.opening(_pooled(bright, min), max(3, _odd(wider / 2)))
    # Most photos end here, at half the resolution: nowhere does even the
    # brightest of a block of the paper stand out of the wide paper.
    if not any(a - b > threshold for high, low in zip(_pooled(paper, max), coarse) for a, b in zip(high, low)):
        return paper, False
    wide_paper = [[v for v in coarse[y // 2] for _ in (0, 1)][:width] for y in range(height)]
    ink = _above(top_hat, threshold)
    lifted = [list(row) for row in paper]
    fat = False
    for piece in morphology.components(_above(_top_hat(paper, wide_paper), threshold)):
        if piece.touches_border(width, height):
            continue
        # Touching the ink: a pixel of it next to one of the piece's runs.
        if not any(any(row[max(0, start - 1):stop + 1]) for y, start, stop in piece.runs
                   for row in ink[max(0, y - 1):y + 2]):
            continue
        # The ring of paper two pixels around the piece, in its box grown by two.
        left, top = piece.left - 2, piece.top - 2
        inside = piece.box_mask(2)
        grown = morphology.dilate(inside, 5)
        ring = sorted(paper[top + j][left + i] for j, (row, near) in enumerate(zip(inside, grown))
                      for i, (a, b) in enumerate(zip(row, near)) if b and not a
                      and 0 <= top + j < height and 0 <= left + i < width)
        level = sorted(v for y, start, stop in piece.runs for v in paper[y][start:stop])
        if not ring or _percentile(level, 0.5) - _percentile(ring, 0.5) <= threshold:
            continue
        # And a stroke's edge is sharp: across the piece's ends, two pixels
        # out, the brightness falls by as much, somewhere along its edge
        # (where it meets paper, not the rest of the stroke).  A glare, a
        # soft shadow, fade slowly.
        steps = sorted(fall for _, _, fall in _edge_falls(bright, piece.runs, width))
        if not steps or _percentile(steps, SHARP_EDGE) <= threshold:
            continue
        fat = True
        for y, start, stop in piece.runs:
            lifted[y][start:stop] = wide_paper[y][start:stop]
    return (lifted, True) if fat else (paper, False)


def _find_in(plane: Rows, polarity: str, least: float = MIN_CONTRAST) -> InkFound:
    """One polarity's finding in ``plane`` (steps 2-6 and 8 of the module
    docstring); ink whose strongest is under ``least`` levels is none."""
    height, width = len(plane), len(plane[0])
    shorter = min(width, height)
    band = 0 if shorter < TINY else max(1, int(BAND * shorter))
    bright = [[255.0 - v for v in row] for row in plane] if polarity == "dark" else [list(row) for row in plane]

    window = background_window(0, width, height)
    paper = background(bright, window)
    top_hat = _top_hat(bright, paper)
    threshold, strongest, noise = _threshold(top_hat, band)
    mask = _above(top_hat, threshold)
    # Scenery along the edge (a strip of table, a shadow's rim) is no
    # stroke: left in, it would set the stroke width, hence the window, and
    # the threshold, and a faint digit would drown.
    scenery = _scenery(mask, band) if band else None
    if scenery is not None:
        threshold, strongest, noise = _threshold(top_hat, band, scenery)
        mask = [[1 if v > threshold and not s else 0 for v, s in zip(row, skip)]
                for row, skip in zip(top_hat, scenery)]
    stroke = stroke_width(mask)
    wanted = background_window(stroke, width, height)
    if wanted > window:
        window = wanted
        paper = background(bright, window)
        top_hat = _top_hat(bright, paper)
        threshold, strongest, noise = _threshold(top_hat, band, scenery)
        # A wider window lifts wider things out of the paper: a strip of
        # table along the edge, narrower than the new window, now stands
        # out as the strongest "ink" and would set the threshold over a
        # faint digit.  It is scenery like the first.
        grown = _scenery(_above(top_hat, threshold), band) if band else None
        if grown is not None:
            scenery = grown if scenery is None else [[a or b for a, b in zip(old, new)]
                                                     for old, new in zip(scenery, grown)]
            threshold, strongest, noise = _threshold(top_hat, band, scenery)
    # Strokes wider than the window (a fat marker in a tight crop, where
    # the window is held to WINDOW_MAX of the frame; a junction of thick
    # strokes) are left in the paper, and a square of the digit goes
    # missing.  Where the paper itself stands out as strongly as ink over
    # the paper of a window four times as wide, away from the border,
    # touching the ink and with a sharp edge, it is ink: the paper there
    # is the wider window's.
    paper, fat = _fat_strokes(bright, paper, window, threshold, top_hat)
    if fat:
        top_hat = _top_hat(bright, paper)
        threshold, strongest, noise = _threshold(top_hat, band, scenery)
    # Lines of ruled or squared paper are thin, so the opening leaves them
    # in the top-hat with the strokes.  Found by their shape (straight,
    # spanning the frame, parallel) in everything that stands out of the
    # noise, and lifted off where no stroke lies on them (see
    # nrnn.image.paper_lines), before the threshold is chosen: left in,
    # they join the digit, fall in pieces inside its box, or make the
    # whole mask one piece that spans the frame.  Not in tiny images,
    # where one stroke of the digit spans the frame.
    lines: list[paper_lines.Line] = []
    if band:
        floor = max(NOISE_RATIO / 2 * noise, MIN_CONTRAST / 2)
        stands_out = _above(top_hat, floor)
        if scenery is not None:
            stands_out = [[0 if s else m for m, s in zip(row, skip)] for row, skip in zip(stands_out, scenery)]
        cleaned, lines = paper_lines.remove_lines(top_hat, stands_out, floor)
        if lines:
            top_hat = cleaned
            threshold, strongest, noise = _threshold(top_hat, band, scenery)

    def shown_paper(paper=paper):
        return [[(255.0 - v if polarity == "dark" else v) / 255.0 for v in row] for row in paper]

    top = max(strongest, 1.0)

    def shown_ink(top_hat=top_hat, top=top):
        return [[min(1.0, v / top) for v in row] for row in top_hat]

    stages = [("paper (%s ink, window %d px)" % (polarity, window), shown_paper),
              ("ink above the paper (%sthreshold %.0f of %.0f)"
               % ("%d paper lines lifted, " % len(lines) if lines else "", threshold, strongest), shown_ink)]
    if strongest < max(least, BLANK_RATIO * noise):
        return InkFound(None, stages, 1.0, strongest, noise=noise)
    mask = _above(top_hat, threshold)
    pieces = morphology.components(mask, top_hat)
    def spanned_by_one(pieces: list[morphology.Component]) -> bool:
        # Most of the mask is one piece spanning the frame.  (A strip of
        # table spans the frame too, but hugs its edge: raising the
        # threshold over it would only cut the digit away.)
        total = sum(piece.mass for piece in pieces)
        return any(_spanning(piece, width, height) and piece.mass >= total / 2
                   and not (band and _reach(piece, width, height, band) < EDGE_REACH) for piece in pieces)

    spanned = spanned_by_one(pieces)
    for _ in range(RAISES):
        # Lines of ruled or squared paper a little fainter than the ink:
        # while most of the mask is one piece spanning the frame, which
        # the digit may be tangled in, split off the faint part (Otsu
        # again, on what is above the threshold).
        if not spanned_by_one(pieces):
            break
        above = [v for v in _inner_values(top_hat, band, scenery) if v > threshold]
        raised = otsu_threshold(above) if len(above) > 1 else threshold
        if raised <= threshold:
            break
        threshold = raised
        mask = _above(top_hat, threshold)
        pieces = morphology.components(mask, top_hat)
    # A pen lying across the sheet from its edge, far darker than a faint
    # digit: Otsu's threshold falls between it and all the rest, and the
    # digit falls under it.  If all that is left touches the border, the
    # threshold is measured again without it (and a rim of two pixels
    # around it); a digit that then stands out of the noise, away from the
    # border, is the ink.
    # So with a pen lying wholly inside the picture, a straight bar
    # (``_bar_width``): then the digit found without it must be made of
    # strokes PEN_THICKER times thinner (a digit 1 alone is a bar too,
    # and without it there is only grain, or a smudge).
    # A thumb or a finger holding the sheet is such a pen, a broad one,
    # but bits of a faint digit stand above the threshold it sets.  So if
    # broad pieces reaching in from the border hold most of the mask's ink
    # (``_thumbs``), the threshold is measured again without them, and
    # the digit found must have strokes PEN_THICKER times thinner than
    # they are wide.
    pens = [piece for piece in pieces if not piece.touches_border(width, height)]
    thumbs = _thumbs(bright, pieces, threshold, window, band) if band and pens else []
    aside = ""  # what the threshold was measured again without, for the stage's name
    if band and pieces and (thumbs or all(_pen_width(piece, width, height) for piece in pens)):
        intruders: Rows = [[0.0] * width for _ in range(height)] if scenery is None else [list(row) for row in scenery]
        for piece in thumbs or pieces:
            for y, start, stop in piece.runs:
                left, right = max(0, start - 2), min(width, stop + 2)
                for line in intruders[max(0, y - 2):y + 3]:
                    line[left:right] = [1.0] * (right - left)
        retry, retry_strongest, retry_noise = _threshold(top_hat, band, intruders)
        if retry_strongest >= max(least, BLANK_RATIO * retry_noise):
            retry_mask = [[1 if v > retry and not s else 0 for v, s in zip(row, skip)]
                          for row, skip in zip(top_hat, intruders)]
            retry_pieces = morphology.components(retry_mask, top_hat)
            inside = [piece for piece in retry_pieces if not piece.touches_border(width, height)]
            beside = ([(thumb, _piece_stroke(thumb)) for thumb in thumbs] if thumbs
                      else [(pen, _pen_width(pen, width, height)) for pen in pens])
            if beside and inside:
                digit = max(inside, key=lambda piece: piece.pixels)
                if not all(digit.pixels >= PEN_SHARE * pen.pixels and _beside_pen(digit, pen, thick)
                           for pen, thick in beside):
                    inside = []
                # A thumb holds the sheet beside the digit.  A fat digit
                # the frame cuts is broad too, and what is found without
                # it, a sliver of its own strokes, lies in its box.
                if any(_within((digit.left, digit.top, digit.right, digit.bottom),
                               (thumb.left, thumb.top, thumb.right, thumb.bottom)) for thumb in thumbs):
                    inside = []
            if inside:
                threshold, mask, pieces, scenery = retry, retry_mask, retry_pieces, intruders
                aside = ", %s set aside (threshold %.0f without it)" % (
                    "the thumb" if thumbs else "the pen" if pens else "what touches the border", retry)
    # Scenery hugging the border (a shadow's rim, a strip of table) is in
    # the band by its nature, and in the dark reading of a dark digit:
    # counted, it would make the digit's own polarity look like the one
    # with ink at the edge.
    edge_pieces = _scenery(mask, band, pieces) if band else None
    band_share = _band_share(mask if edge_pieces is None else
                             [[m and not e for m, e in zip(row, skip)] for row, skip in zip(mask, edge_pieces)],
                             band) if band else 0.0
    kept = choose_components(pieces, width, height, stroke, band)
    keep = [[0] * width for _ in range(height)]
    kept_pixels = 0
    for piece in kept:
        kept_pixels += piece.pixels
        for y, start, stop in piece.runs:
            keep[y][start:stop] = [1] * (stop - start)

    def shown_pieces(mask=mask):
        return [[1.0 if k else 0.35 * v for v, k in zip(row, flags)] for row, flags in zip(mask, keep)]

    stages.append(("pieces kept (bright) and dropped (dim)%s" % aside, shown_pieces))
    if kept_pixels < 3:
        return InkFound(None, stages, band_share, strongest, noise=noise, spanned=spanned)
    box = (min(p.left for p in kept), min(p.top for p in kept),
           max(p.right for p in kept), max(p.bottom for p in kept))
    thinness = stroke_width(keep) / max(box[2] - box[0] + 1, box[3] - box[1] + 1)
    # Light multiplies: ink in a shadow stands out of its paper by as large
    # a share of the paper's brightness as ink in the light, but by fewer
    # gray levels.  So the soft ink is the top-hat over the paper's own
    # brightness there (the paper's gray: 255 - paper for dark ink), and a
    # digit that a shadow's edge crosses comes out as dark on both sides.
    def contrast(y: int, start: int, stop: int) -> list[float]:
        papers = paper[y][start:stop]
        if polarity == "dark":
            papers = [255.0 - p for p in papers]
        return [v / max(p, DIMMEST) for v, p in zip(top_hat[y][start:stop], papers)]

    levels: list[float] = []  # the contrast under the kept pieces, a run at a time
    for piece in kept:
        for y, start, stop in piece.runs:
            levels += contrast(y, start, stop)
    levels.sort()
    strong = max(_percentile(levels, 0.9), 1e-6)
    # Grown by a pixel each way (8 neighbours), run by run: the stroke's
    # anti-aliased rim is part of it.
    rim = [[0] * width for _ in range(height)]
    for piece in kept:
        for y, start, stop in piece.runs:
            left, right = max(0, start - 1), min(width, stop + 1)
            for row in rim[max(0, y - 1):y + 2]:
                row[left:right] = [1] * (right - left)
    ink = [[0.0] * width for _ in range(height)]
    for y, flags in enumerate(rim):
        for start, stop in morphology.mask_runs(flags):  # only the grown pixels are looked at
            ink[y][start:stop] = [min(1.0, v / strong) for v in contrast(y, start, stop)]
    main = kept[0]
    edge = bool(band) and main.touches_border(width, height) and (
        _spanning(main, width, height) or _reach(main, width, height, band) < EDGE_REACH)
    # How sharp the pieces' edge is (``_fades``), and where.
    falls = _edge_falls(bright, [run for piece in kept for run in piece.runs], width)
    frame = next(((piece.left, piece.top, piece.right, piece.bottom) for piece in pieces
                  if _frames(piece, main)), None)
    return InkFound(ink, stages, band_share, strongest, box, thinness, noise, edge, threshold, falls, frame,
                    spanned)


def _encloses(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    """True if ``inner`` lies strictly inside ``outer`` (a gap on every side)."""
    return outer[0] < inner[0] and outer[1] < inner[1] and inner[2] < outer[2] and inner[3] < outer[3]


def _within(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    """True if ``inner`` lies inside ``outer`` (edges may touch)."""
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0] + 1) * (box[3] - box[1] + 1)


def _sides(outer: InkFound, inner: InkFound) -> int:
    """On how many of the four sides of ``inner``'s box ``outer``'s ink
    lies, along a row or a column through its middle half (at a quarter,
    half and three quarters across): 4 for a hole (a 0's inside), 3 for a
    bay (a 5's bowl, whose opening the middle row alone can miss), 1 or 2
    for paper that only lies beside a stroke (between it and a shadow)."""
    # Only findings with ink come here (``_better``), and those have a box.
    assert inner.box is not None and outer.ink is not None
    left, top, right, bottom = inner.box
    rows = [outer.ink[top + (bottom - top) * k // 4] for k in (1, 2, 3)]
    columns = [[line[left + (right - left) * k // 4] for line in outer.ink] for k in (1, 2, 3)]
    return sum((any(any(row[:left]) for row in rows), any(any(row[right + 1:]) for row in rows),
                any(any(column[:top]) for column in columns), any(any(column[bottom + 1:]) for column in columns)))


def _fades(found: InkFound, other: InkFound) -> bool:
    """True if ``found``'s edge fades where it is not next to ``other``.

    A stroke has an edge: two pixels out from the end of a run of ink, the
    brightness has fallen to the paper's, by more than the threshold the
    ink was cut at (``SHARP_EDGE`` of the ends do).  A lamp's glare on the
    paper, read as light ink, brightens the paper slowly: across its rim
    the brightness hardly falls.  Its edge is sharp only where the other
    polarity's strokes cut into it, so the ends inside ``other``'s box
    (grown by ``FADE_GAP``) are not counted; and with fewer than
    ``FADE_ENDS`` left (a finding inside the other's box: a loop's
    inside) nothing is said.
    """
    falls = _away_falls(found, other)
    return len(falls) >= FADE_ENDS and _percentile(falls, SHARP_EDGE) < found.threshold


def _away_falls(found: InkFound, other: InkFound) -> list[float]:
    """The falls across ``found``'s edge (``InkFound.falls``) more than
    ``FADE_GAP`` pixels outside ``other``'s box, sorted."""
    if other.box is None:
        return []
    left, top, right, bottom = other.box
    return sorted(fall for x, y, fall in found.falls
                  if not (left - FADE_GAP <= x <= right + FADE_GAP and top - FADE_GAP <= y <= bottom + FADE_GAP))


def _paper_edge(found: InkFound, other: InkFound) -> bool:
    """True if half of ``found``'s edge, away from ``other``, hardly falls
    (by under ``PAPER_EDGE`` of its threshold): it is paper bounded by
    faint thin lines (a faint printed box), two pixels out as bright."""
    falls = _away_falls(found, other)
    return len(falls) >= FADE_ENDS and _percentile(falls, 0.5) < PAPER_EDGE * found.threshold


def _sharp(found: InkFound) -> bool:
    """True if ``found``'s edge is clearly sharp: ``SHARP_EDGE`` of the
    falls across it (``InkFound.falls``) reach ``SHARPER`` times its
    threshold.  Strokes photographed in focus do (about twice); blurred
    ones, and a loop's inside between them, fall by less than the
    threshold."""
    falls = sorted(fall for _, _, fall in found.falls)
    return len(falls) >= FADE_ENDS and _percentile(falls, SHARP_EDGE) >= SHARPER * found.threshold


def _better(first: InkFound, second: InkFound, confident: bool) -> InkFound:
    """Of two polarities' findings, the likelier digit (module docstring, step 7).

    ``first`` is the percentile vote's choice; ``confident`` says whether
    the vote was clear (one side strayed twice as far).

    First, a finding whose edge fades away from the other (``_fades``)
    loses to one whose edge is sharp (``_sharp``): it is the paper
    brightened by a lamp's glare or the phone's flash around the digit,
    whose strokes are the other's ink.  (However clear the vote: a glare
    is what the light side's few percent are.  And only to a sharp edge:
    in a blurred photo the digit's edge fades too, and a 6's loop, inside
    the digit's box, has no edge of its own to judge.)

    Then a finding framed by a box (``frame``: a form's printed box) wins
    over one lying inside that box: the paper inside a box narrower than
    the background window stands out as light "ink" between the box's dark
    lines, with the digit as its holes.  Unless that one is ``THINNER``:
    around a faint 0, the light reading can find its hole, a blob, framed
    by a ring of lit paper, with the 0's strokes inside that ring.  (Not
    merely thinner: the paper inside a tight box is as thin as a fat
    marker's strokes.)

    Then a finding whose box lies strictly inside the other's, covering
    at least ``HOLE_SHARE`` of it, loses if the other's ink lies on three
    or four sides of it: it is a hole or a bay of the digit (a 0's inside,
    a 5's bowl), "ink" of the opposite polarity.  (Paper that only lies
    beside a stroke, between it and a shadow, is on one or two sides; the
    rim of a shadow arching over the digit is many times its size.)  It
    does not lose if it stands ``CLEARER`` times further out of its
    paper's noise (it is the ink, the other the paper around thick
    strokes), or is ``CLEARLY_THINNER`` (a hole is a blob; a thin digit
    amid the bright cells of squared paper is the digit); but it always
    loses to the clear vote's choice: the slits between a fat marker's
    strokes are thin and as clear as the strokes, while the cells around a
    digit on squared paper are never the vote's choice (most of the
    picture is paper, and the ink strays from it).  Nor is the clear
    vote's choice the hole of a finding half of whose edge, away from it,
    hardly falls (``_paper_edge``): that is the paper inside a faint
    printed box, bounded by its thin lines, the digit its hole.

    Then a finding whose digit hugs the border (``edge``) loses to one
    whose digit does not: it is scenery, the sheet's edge seen as a bright
    line, a strip of table.  Then a finding whose ink stands ``CLEARER``
    times further out of its paper's noise wins (``_clarity``): the wrong
    polarity reads the paper beside thick strokes, whose unevenness (a
    shadow's slope) makes its noise.  Then a confident vote is overturned
    only by a finding ``CLEARLY_THINNER`` times thinner: a digit is made
    of strokes, while the wrong polarity finds blobs of paper (between
    strokes and a shadow).  An unsure vote is settled by: thinner by
    ``THINNER``; else less of the mask in the border band (by 0.05); else
    ``first``.
    """
    if first.ink is None or second.ink is None:
        return first if second.ink is None else second
    for fading, other in ((first, second), (second, first)):
        if _fades(fading, other) and _sharp(other) and not _fades(other, fading):
            return other
    for framed, other in ((first, second), (second, first)):
        if (framed.frame is not None and other.box is not None and _within(other.box, framed.frame)
                and other.thinness * THINNER > framed.thinness):
            return framed
    for outer, inner in ((first, second), (second, first)):
        assert outer.box is not None and inner.box is not None  # both have ink, so a box
        if (_encloses(outer.box, inner.box) and _area(inner.box) >= HOLE_SHARE * _area(outer.box)
                and _sides(outer, inner) >= 3
                and not (confident and inner is first and _paper_edge(outer, inner))
                and ((confident and outer is first)
                     or (_clarity(inner) < CLEARER * _clarity(outer)
                         and inner.thinness * CLEARLY_THINNER > outer.thinness))):
            return outer
    if first.edge != second.edge:
        return second if first.edge else first
    # The paper around thick strokes, read as ink of the other polarity,
    # is made of the paper's own unevenness (a shadow's slope, the
    # opening's window following a stroke), so its top-hat is high
    # everywhere and its noise with it; true ink stands out of flat paper.
    if _clarity(first) >= CLEARER * _clarity(second):
        return first
    if _clarity(second) >= CLEARER * _clarity(first):
        return second
    if confident:
        return second if second.thinness * CLEARLY_THINNER <= first.thinness else first
    if first.thinness * THINNER <= second.thinness:
        return first
    if second.thinness * THINNER <= first.thinness:
        return second
    return second if second.band < first.band - 0.05 else first


def flat_margins(gray: Rows, tolerance: float = MARGIN_FLAT) -> tuple[int, int, int, int]:
    """(left, top, right, bottom), right and bottom exclusive: the part of
    the image inside its flat margins.  A margin is a run of whole rows (or
    columns) at an edge, each flat (all its pixels within ``tolerance``
    levels) and the colour of the outermost, more than ``MIN_CONTRAST``
    levels from the image's median: a frame of one colour around a pasted photo, a
    letterbox, cut with one line more (where frame and photo blend).  No
    ink can be there (ink differs from its paper), so cutting them loses
    nothing, and real paper, lit unevenly and noisy, is almost never that
    flat along a whole line.  A flat margin the colour of most of the image
    (a clean drawing's paper) is kept.

    >>> photo = [[150 - 5 * y, 140 + 7 * y, 160, 145 + 3 * y, 170 - 6 * y] for y in range(6)]
    >>> frame = [[0] * 7] + [[0] + row + [0] for row in photo] + [[0] * 7]
    >>> flat_margins(frame)                 # 1 flat line each way, and 1 more
    (2, 2, 5, 6)
    """
    height, width = len(gray), len(gray[0])

    def flat(line):
        return max(line) - min(line) <= tolerance

    def first_uneven(lines):
        # The frame is one colour: a flat line of another colour after it
        # (a drawing's paper inside a letterbox) is the picture's own.
        count, colour = 0, None
        for line in lines:
            if not flat(line) or (colour is not None and abs(line[0] - colour) > tolerance):
                break
            colour = line[0] if colour is None else colour
            count += 1
        return count

    def cut(lines):
        # One line more than the margin: the line where the frame meets the
        # photo is a mix of the two (the image was shrunk, or JPEG-coded),
        # a bright or dark rule along the edge that would pass for ink.
        count = first_uneven(lines)
        return count + 1 if count else 0

    top = cut(gray)
    bottom = height - cut(reversed(gray))
    if bottom - top < 3:
        return 0, 0, width, height  # all flat: blank, nothing to cut
    columns = list(zip(*gray[top:bottom]))
    left = cut(columns)
    right = width - cut(reversed(columns))
    if right - left < 3:
        return 0, 0, width, height
    if (left, top, right, bottom) == (0, 0, width, height):
        return 0, 0, width, height  # no margin (most photos): no need to sort every pixel
    # A margin the colour of most of the image is its paper (a clean
    # drawing's, whose ink is faint): not a frame, and cutting it would
    # leave the digit touching the edge.
    paper = _percentile(sorted(v for row in gray for v in row), 0.5)
    if top and abs(gray[0][0] - paper) <= MIN_CONTRAST:
        top = 0
    if bottom < height and abs(gray[-1][-1] - paper) <= MIN_CONTRAST:
        bottom = height
    if left and abs(gray[top][0] - paper) <= MIN_CONTRAST:
        left = 0
    if right < width and abs(gray[bottom - 1][-1] - paper) <= MIN_CONTRAST:
        right = width
    return left, top, right, bottom


def _uncrop(rows: Rows, box: tuple[int, int, int, int], width: int, height: int) -> Rows:
    """``rows`` (the crop ``box`` of a ``width`` x ``height`` image) put back
    in place, 0.0 around."""
    left, top, right, _ = box
    before, after = [0.0] * left, [0.0] * (width - right)
    out = [[0.0] * width for _ in range(top)]
    out += [before + list(row) + after for row in rows]
    out += [[0.0] * width for _ in range(height - len(out))]
    return out


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


def _find_set_in_paper(plane: Rows, polarity: str, least: float) -> InkFound:
    """``_find_in`` on ``plane`` set in a margin of its paper (``PAD``),
    the finding cut back to ``plane``'s frame."""
    height, width = len(plane), len(plane[0])
    margin = max(2, int(PAD * min(width, height)))
    found = _find_in(_set_in_paper(plane, margin, polarity), polarity, least)

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


def _tight_crop(plane: Rows, polarity: str, least: float, best: InkFound, same: bool) -> InkFound:
    """``best``, or the reading of ``plane`` set in a margin of its paper
    (``_find_set_in_paper``) if that is a digit running into the border
    band whose box holds ``best``'s, and either ``best`` is of the ``same``
    polarity and most of its mask was one piece spanning the frame
    (``spanned``: its threshold was raised and that piece set aside as a
    line, leaving slivers of the digit) or much of it in the border band
    (a fat stroke's edges running into the edge, a speck of them left)
    and the new reading fills the frame, or ``_better`` prefers it.

    Called when a clear vote's own reading lost, hugs the edge, had most
    of its mask in one piece spanning the frame or much of it in the
    border band: in a photo cropped tight to its digit the
    strokes run into the edge and pass for scenery, a stroke spanning the
    frame for a ruled line, and the paper between the strokes wins as
    ink.  In a margin of paper the digit ends on paper, as on the sheet.
    (Its box must hold ``best``'s: a ruled line the lifting missed,
    which no longer spans the wider frame, is not the digit.)
    """
    height, width = len(plane), len(plane[0])
    again = _find_set_in_paper(plane, polarity, least)
    if not _near_edge(again, width, height):
        return best
    if best.ink is None:
        return again
    assert again.box is not None and best.box is not None  # both found ink
    left, top, right, bottom = again.box
    if not _within(best.box, (left - 2, top - 2, right + 2, bottom + 2)):  # (a rim of blur)
        return best
    if same:
        # Much of the mask in the border band, and what is found in the
        # margin of paper fills the frame, as a digit cropped tight does
        # (not a thumb or a shadow's rim carried in with the digit).
        filling = right - left + 1 >= TIGHT_FILL * width and bottom - top + 1 >= TIGHT_FILL * height
        return again if best.spanned or (best.band > SETTLED_BAND and filling) else best
    return again if _better(again, best, True) is again else best


def _near_edge(found: InkFound, width: int, height: int) -> bool:
    """True if ``found``'s digit reaches into the border band (``BAND``)."""
    if found.box is None:
        return False
    band = max(1, int(BAND * min(width, height)))
    left, top, right, bottom = found.box
    return left < band or top < band or right >= width - band or bottom >= height - band


def _clarity(found: InkFound) -> float:
    """How far the ink stands out of the paper's noise: strength / noise.
    A colour channel is noisier than the gray mix of three: comparing
    strengths alone would prefer it whenever the ink has any colour.
    Noise under ``QUIET`` counts as ``QUIET``: clean paper has none to
    compare (a messenger's JPEG of flat paper: 1.0 in the digit's reading,
    0.5 in the paper inside a 2's hook, which is no twice clearer ink)."""
    return found.strength / max(found.noise, QUIET)


def _cropped(channels: Callable[[], dict[str, Rows]], box: tuple[int, int, int, int]):
    left, top, right, bottom = box
    return lambda: {name: [row[left:right] for row in plane[top:bottom]]
                    for name, plane in channels().items()}


def _detail(plane: Rows, window: int) -> Rows:
    """Each value less the mean of the ``window`` x ``window`` square
    around it (cut at the edges): the photo without its slow light.  A
    shadow's edge leaves a dip on one side and a bump as large on the
    other; ink leaves a dip.  The means come from a summed-area table
    (each entry the sum of everything above and left of it), four lookups
    a pixel whatever the window.

    >>> _detail([[10.0, 10.0, 10.0], [10.0, 10.0, 10.0]], 3)
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    >>> [round(v, 2) for v in _detail([[0.0, 0.0, 90.0, 90.0]], 3)[0]]
    [0.0, -30.0, 30.0, 0.0]
    """
    height, width = len(plane), len(plane[0])
    half = window // 2
    table = [[0.0] * (width + 1)]  # table[y][x]: the sum of plane[:y][:x]
    for row in plane:
        total, sums = 0.0, [0.0]
        for v in row:
            total += v
            sums.append(total)
        table.append([above + here for above, here in zip(table[-1], sums)])
    starts = [max(0, x - half) for x in range(width)]
    stops = [min(width, x + half + 1) for x in range(width)]
    out = []
    for y, row in enumerate(plane):
        top, bottom = max(0, y - half), min(height, y + half + 1)
        # column[x]: the sum of plane[top:bottom] left of x
        column = [lower - upper for upper, lower in zip(table[top], table[bottom])]
        out.append([v - (column[stop] - column[start]) / ((bottom - top) * (stop - start))
                    for v, start, stop in zip(row, starts, stops)])
    return out


def _box3(rows: Rows) -> Rows:
    """Each value the mean of the 3 x 3 square around it (edges repeated)."""
    def across(row):
        padded = [row[0]] + list(row) + [row[-1]]
        return [a + b + c for a, b, c in zip(padded, padded[1:], padded[2:])]
    sums = [across(row) for row in rows]
    padded = [sums[0]] + sums + [sums[-1]]
    return [[(a + b + c) / 9.0 for a, b, c in zip(up, mid, down)]
            for up, mid, down in zip(padded, padded[1:], padded[2:])]


def _painted(channels: Callable[[], dict[str, Rows]], on_desk: list[list[int]]):
    """``channels`` with the desk painted over in each (see nrnn.image.sheet)."""
    return lambda: {name: sheet.paint_desk(plane, on_desk) for name, plane in channels().items()}


def find_ink(gray: Rows, channels: Optional[Callable[[], dict[str, Rows]]] = None,
             ordered: Optional[Sequence[float]] = None) -> InkFound:
    """The digit's soft ink in a photo: an ``InkFound`` whose ``ink`` is rows
    in [0, 1] (or None if the photo is blank), with its ``stages`` (a list
    of (name, function giving rows in [0, 1])) and ``box``.

    ``gray`` is the brightness, rows of floats in [0, 255]; ``channels``
    optionally a function giving the colour planes ({"red": rows, "green":
    rows, "blue": rows}, the same shape), called only when the gray ink is
    faint (under ``LOW_CONTRAST``).  ``ordered``, if given, is every value
    of ``gray`` sorted (the caller had them sorted: they are not sorted again).
    """
    height, width = len(gray), len(gray[0])
    crop = flat_margins(gray)
    if crop != (0, 0, width, height):
        left, top, right, bottom = crop
        found = find_ink([row[left:right] for row in gray[top:bottom]],
                         _cropped(channels, crop) if channels is not None else None)
        if found.ink is not None:
            found.ink = _uncrop(found.ink, crop, width, height)
            assert found.box is not None  # ink found, so a box too
            found.box = (found.box[0] + left, found.box[1] + top, found.box[2] + left, found.box[3] + top)
        found.stages = [(name, lambda rows=rows: _uncrop(rows(), crop, width, height))
                        for name, rows in found.stages]
        return found
    tiny = min(height, width) < TINY
    # A photo of the whole sheet, the desk around it: the desk is painted
    # over with the paper next to it (see nrnn.image.sheet), so its edges
    # and corners cannot pass for ink.
    on_desk = None if tiny else sheet.sheet_mask(gray, _otsu(_sorted_histogram(ordered)) if ordered is not None
                                                 else otsu_threshold([v for row in gray for v in row]))
    if on_desk is not None:
        gray, ordered = sheet.paint_desk(gray, on_desk), None
        if channels is not None:
            channels = _painted(channels, on_desk)

    def read(name: str, plane: Rows, ordered: Optional[Sequence[float]] = None,
             least: float = MIN_CONTRAST) -> InkFound:
        order = polarities(plane, ordered) if tiny else _vote(plane, ordered)
        choice = _find_in(plane, order[0], least)
        confident = len(order) == 1
        # A clear vote whose finding looks like a digit (strokes, away from
        # the border, not what is left once a piece spanning the frame was
        # set aside) is not second-guessed: that saves half the work.
        settled = (confident and choice.ink is not None and choice.thinness <= SETTLED_THINNESS
                   and choice.band <= SETTLED_BAND and not choice.spanned)
        if not tiny and not settled:
            other = "light" if order[0] == "dark" else "dark"
            second = _find_in(plane, other, least)
            best = _better(choice, second, confident)
            crowded = choice.ink is not None and choice.band > SETTLED_BAND  # much of its mask in the border band
            if confident and (best is not choice or choice.edge or choice.spanned or crowded):
                best = _tight_crop(plane, order[0], least, best, best is choice)
            choice = best
        choice.stages = [("%s %s" % (name, stage), rows) for stage, rows in choice.stages]
        return choice

    best = read("gray", gray, ordered)
    if channels is not None and best.strength < LOW_CONTRAST:
        # Faint in gray: read the one channel whose few extreme percent
        # stray furthest from its median (cheap to measure), and keep it
        # if its ink stands clearly further out of the paper's noise.
        planes = channels()
        name = max(sorted(planes), key=lambda name: max(_spreads(planes[name])))
        choice = read(name, planes[name])
        if choice.ink is not None and (best.ink is None or _clarity(choice) > 1.25 * _clarity(best)):
            best = choice
    if best.ink is None or _clarity(best) < NOISE_RATIO:
        # Grain (a dim photo): the paper's noise sets the threshold's
        # floor, and faint strokes fall under it.  Averaging each pixel
        # with its 8 neighbours cuts the grain about threefold and a
        # stroke two pixels wide or more hardly at all: read that too, and
        # keep it if its ink stands clearly further out of the noise.
        # (A stroke a pixel or two wide keeps a half to a third of its
        # strength: half the contrast is asked of it.)
        smooth = read("gray smoothed", _box3(gray), least=MIN_CONTRAST / 2)
        if smooth.ink is not None and (best.ink is None or _clarity(smooth) > 1.25 * _clarity(best)):
            best = smooth
    if on_desk is not None:
        best.stages.insert(0, ("the sheet, the desk painted as paper",
                               lambda painted=gray: [[v / 255.0 for v in row] for row in painted]))
    return best

if __name__ == "__main__":
    import doctest
    doctest.testmod()
