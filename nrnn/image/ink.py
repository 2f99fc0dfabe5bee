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
3. Stroke width (``tophat.stroke_width``): threshold a first, rough
   top-hat (step 4 with the smallest window) and take the median, over
   ink pixels, of the shorter of the horizontal and vertical run through
   each pixel: across a stroke a run is as long as the stroke is wide.
4. Paper (``tophat.background``, see ``nrnn.image.tophat``): the
   grey-level *opening* of x (see ``nrnn.image.morphology``) with a window
   of about 3 stroke widths, clamped to 15%..30% of the image's shorter
   side.  The opening removes every bright
   thing narrower than its window, the strokes, and keeps the paper's slow
   changes and the shadows.  Why these sizes: narrower than ~3 strokes and a
   thick stroke or a loop's inside survives as "paper"; wider than ~30% and
   it can no longer follow a shadow's edge.  Ink = x - paper (the top-hat):
   strokes on a background that is 0 everywhere, shadow or not.  Strokes
   wider than the window (a fat marker in a tight crop, where the window is
   held to 30%; the junction of two thick strokes) stay in the "paper" as a
   bump: where the paper stands out of the paper around it, and over a
   window four times as wide, as strongly as ink, touching the ink, away
   from the border or cut by it across its width only (a tight crop; a
   shadow's body lies along the edge), with a sharp edge (a glare fades),
   it is ink (``_fat_strokes``).
   Printed lines of ruled or squared paper are thin, so they stay in the
   top-hat with the strokes: found by their shape (families of long,
   straight, thin lines across the frame) and lifted off, strokes lying
   on them or crossing them kept (``nrnn.image.paper_lines``).
5. Threshold (``otsu_threshold``): Otsu's threshold on the ink splits the
   histogram into "paper noise" and "ink" wherever the two groups are most
   distinct, so it adapts to a faint pencil or a bold marker.  It is
   measured away from a band along the border and away from the scenery
   (``nrnn.image.border``: pieces of a first mask that touch the border
   and hug it, a strip of desk, a shadow's rim, which would dominate the
   histogram and the stroke width of step 3; looked for again once thick
   strokes have widened the window, which lifts a strip narrower than it
   out of the paper), and never set under ``NOISE_RATIO / 2`` times the
   paper's noise.  If the strongest ink is under ``MIN_CONTRAST``
   levels or ``BLANK_RATIO`` times the noise, the photo is blank.  If one
   piece spanning the frame (a line the lifting missed: a single one, or
   a bent one, which the digit crosses) holds most of the mask, the
   threshold is raised: Otsu again on what lies above it.
   If all that is then left in the mask touches the border (a pen lying
   across the sheet from its edge, far darker than a faint digit), the
   threshold is measured again without it (and its soft rim, which the
   lower threshold joins to it), and a digit that then stands out, away
   from the border, is kept instead.  So with a pen lying wholly
   inside the picture, a straight bar, if the digit found without it is
   made of strokes ``PEN_THICKER`` times thinner (a 1 alone is a bar
   too).  And so with a thumb or a finger holding the sheet: broad pieces
   reaching in from the border that hold most of the mask's ink, bits of
   a faint digit beside them.  How a pen and a thumb are told by their
   shape: ``nrnn.image.pen_and_thumb``.
6. Pieces (``choose_components``): the thresholded mask's 8-connected
   components.  The digit is the piece with the most ink, a piece touching
   the image's edge counting much less (a shadow's rim, the sheet's edge, a
   finger), and a straight bar not at all when another piece of some ink
   has strokes ``PEN_THICKER`` times thinner, or a fifth of its ink in a
   digit's shape (a pen lying in the picture: ``pen_and_thumb.rival``),
   nor an outline with ink on all four sides of a sizable piece (a form's
   printed box, a circle drawn round the digit: ``nrnn.image.frames``):
   the digit is what it frames.
   Nearby pieces with at least ``PIECE_SHARE`` of its ink are kept (a 5's
   cap, a 4's stem, a 7's crossbar drawn apart); so are small pieces inside
   its box (a stroke broken by the threshold).  The rest goes: specks, a
   ruled line across the frame, the desk.
7. Which polarity (``readings.better``): the wrong one finds the paper
   *between* the strokes: a loop's inside, the gap between a stroke and a
   shadow, or the bright rim of the sheet along the edge, or a lamp's
   glare on the paper around the digit.  Its edge fades, it lies in the
   digit's box with ink on three or four sides, it hugs the border, it
   stands less far out of its paper's noise, it is a blob, not strokes:
   the rules, in their order, are in ``nrnn.image.readings``.
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
few pixels) breaks what the steps above assume of the border: its
strokes run into the edge and pass for a ruled line or for scenery, and
the paper between them wins.  So a clear vote's reading that lost, or
looks cut by the edge, is read once more with the photo set in a margin
of its own paper, where the strokes end on paper as they do on the sheet
(``nrnn.image.tight_crop``: when, and when that reading wins).

Tiny images (shorter side under ``TINY``) get guards: in a 28 x 28 crop the
digit touches the border, and the border band is all digit, so there the
edge penalty, the border band and the polarity trial are not used.

All of this runs on a small working image (``nrnn.image.preprocess`` shrinks a
photo to at most 256 pixels a side first): the steps are O(pixels) but in
pure Python, and 256 pixels are plenty for a 20 x 20 digit.
"""

import bisect
from collections import Counter
from collections.abc import Sequence
from typing import Callable, Optional

from nrnn.image import border, frames, morphology, paper_lines, pen_and_thumb, readings, sheet, tight_crop, tophat
from nrnn.image.readings import InkFound

__all__ = ["MIN_CONTRAST", "PIECE_SHARE", "InkFound", "polarities", "otsu_threshold", "choose_components",
           "find_ink"]

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

#: Images whose shorter side is under this many pixels are "tiny": a digit
#: may fill them, so touching the border says nothing.
TINY = 48

#: A clear polarity vote is not second-guessed when its finding is this
#: thin (stroke width over the box's longer side) and has at most
#: ``tight_crop.SETTLED_BAND`` of its mask in the border band (more, and it
#: is read again set in a margin of its paper: ``nrnn.image.tight_crop``).
SETTLED_THINNESS = 0.12

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

#: A bump in the paper touching the picture's edge is a fat stroke the
#: frame cuts when at most CUT_SHARE of its outline lies on the edge and
#: it stands out of the paper round it at CUT_RING of that ring's levels.
CUT_SHARE, CUT_RING = 0.2, 0.9

#: A whole row or column at the edge within this many levels of one value
#: is a flat margin (a frame around a pasted photo), cut before reading.
MARGIN_FLAT = 3


def _spreads(plane: Rows, ordered: Optional[Sequence[float]] = None) -> tuple[float, float]:
    """(median - 2nd percentile, 98th percentile - median): how far the
    darkest and the lightest few percent stray from the typical pixel.
    ``ordered``: the plane's values sorted, if the caller has them."""
    if ordered is None:
        ordered = sorted(v for row in plane for v in row)
    median = tophat.percentile(ordered, 0.5)
    return median - tophat.percentile(ordered, 0.02), tophat.percentile(ordered, 0.98) - median


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
    bar (a pen, ``nrnn.image.pen_and_thumb``) when a piece with ``PEN_SHARE``
    of its ink has strokes ``PEN_THICKER`` times thinner, or one with
    ``RIVAL`` of it has a digit's shape (``rival``); nor is a frame
    around another piece (``frames.frames``: a form's printed box, a circle
    drawn round the digit), which the piece inside it is.  Kept with it:
    pieces near it (within 30% of its larger side) with ``PIECE_SHARE`` of
    its ink, and smaller pieces inside its box, unless they touch the border
    or frame it.
    """
    if not pieces:
        return []
    tiny = min(width, height) < TINY

    def spanning(piece):
        return border.spanning(piece, width, height)

    def score(piece):
        if tiny or not piece.touches_border(width, height):
            return piece.mass
        return piece.mass * BORDER_PENALTY * (border.reach(piece, width, height, band) if band else 1.0)

    candidates = [piece for piece in pieces if not spanning(piece)] or list(pieces)
    main = max(candidates, key=score)
    # A pen (a pencil, a ruler) lying in the picture: a straight bar with
    # both ends inside, many times thicker than the strokes of another
    # sizable piece, or a grey marker digit as wide holding a good share
    # of its ink.  That piece is the digit.
    thick = 0.0 if main.touches_border(width, height) else pen_and_thumb.pen_width(main, width, height)
    if thick:
        # (Not a pen: a thick 1 in a printed box or cell, beside its sides.)
        sides = frames.cell_sides(main, candidates, stroke)
        if any(piece is not main and piece.mass >= pen_and_thumb.PEN_SHARE * main.mass
               and not piece.touches_border(width, height)
               and (pen_and_thumb.beside_pen(piece, main, thick) or pen_and_thumb.rival(piece, main, width, height))
               and not frames.frames(piece, main) and piece not in sides
               for piece in candidates):
            candidates = [piece for piece in candidates if piece is not main]
            main = max(candidates, key=score)
    # A box or a circle around the digit: the digit is what it frames.
    framed = [piece for piece in candidates if frames.frames(main, piece)]
    while framed:
        candidates = [piece for piece in candidates if piece is not main]
        main = max(framed, key=score)
        framed = [piece for piece in candidates if frames.frames(main, piece)]
    margin = 0.3 * max(main.width, main.height) + stroke
    sides = frames.cell_sides(main, candidates, stroke)
    kept = [main]
    for piece in candidates:
        if piece is main or frames.frames(piece, main) or piece in sides:
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
    see ``border.scenery``).  noise = the median (most pixels are paper, even on
    squared paper).  The threshold is Otsu's, never under NOISE_RATIO/2
    times the noise."""
    inner = _inner_values(top_hat, band, ignore) or _inner_values(top_hat, band)
    inner.sort()
    noise = tophat.percentile(inner, 0.5)
    threshold = max(_otsu(_sorted_histogram(inner)), NOISE_RATIO / 2 * noise, MIN_CONTRAST / 2)
    return threshold, inner[-1], noise


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
    edge) or meets it with at most ``CUT_SHARE`` of its outline (a fat
    stroke a tight crop cuts), that touches the ink already found, and
    that stands out of the narrower paper around it by as much (a bump in
    it, not a dip of the wider paper beside a dark thing, which no wide
    window can avoid), and whose edge is sharp (``readings.SHARP_EDGE``: a
    glare's fades), the narrower window kept a piece of the digit.  A
    piece the frame cuts must stand out of ``CUT_RING`` of the paper
    around it and be sharp along half its edge: a patch of paper that the
    square window left beside a stroke or a pen, or between fat strokes,
    adjoins paper as bright somewhere and falls only where it meets them.
    """
    height, width = len(bright), len(bright[0])
    wider = tophat.odd(min(4 * window, min(width, height)))
    if wider <= window:
        return paper, False
    coarse = morphology.opening(_pooled(bright, min), max(3, tophat.odd(wider / 2)))
    # Most photos end here, at half the resolution: nowhere does even the
    # brightest of a block of the paper stand out of the wide paper.
    if not any(a - b > threshold for high, low in zip(_pooled(paper, max), coarse) for a, b in zip(high, low)):
        return paper, False
    wide_paper = [[v for v in coarse[y // 2] for _ in (0, 1)][:width] for y in range(height)]
    ink = tophat.above(top_hat, threshold)
    lifted = [list(row) for row in paper]
    fat = False
    for piece in morphology.components(tophat.above(tophat.top_hat(paper, wide_paper), threshold)):
        # A shadow's body reaches in from the edge and lies along it; a fat
        # stroke the frame cuts (a tight crop) meets it only across its width.
        cut = piece.touches_border(width, height)
        if cut and border.frame_share(piece, width, height) > CUT_SHARE:
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
        if not ring or tophat.percentile(level, 0.5) - tophat.percentile(ring, CUT_RING if cut else 0.5) <= threshold:
            continue
        # And a stroke's edge is sharp: across the piece's ends, two pixels
        # out, the brightness falls by as much, somewhere along its edge
        # (where it meets paper, not the rest of the stroke).  A glare, a
        # soft shadow, fade slowly.  (Cut by the frame: along half its edge.)
        steps = sorted(fall for _, _, fall in _edge_falls(bright, piece.runs, width))
        if not steps or tophat.percentile(steps, 0.5 if cut else readings.SHARP_EDGE) <= threshold:
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
    band = 0 if shorter < TINY else max(1, int(border.BAND * shorter))
    bright = [[255.0 - v for v in row] for row in plane] if polarity == "dark" else [list(row) for row in plane]

    window = tophat.background_window(0, width, height)
    paper = tophat.background(bright, window)
    top_hat = tophat.top_hat(bright, paper)
    threshold, strongest, noise = _threshold(top_hat, band)
    mask = tophat.above(top_hat, threshold)
    # Scenery along the edge (a strip of table, a shadow's rim) is no
    # stroke: left in, it would set the stroke width, hence the window, and
    # the threshold, and a faint digit would drown.
    scenery = border.scenery(mask, band) if band else None
    if scenery is not None:
        threshold, strongest, noise = _threshold(top_hat, band, scenery)
        mask = [[1 if v > threshold and not s else 0 for v, s in zip(row, skip)]
                for row, skip in zip(top_hat, scenery)]
    stroke = tophat.stroke_width(mask)
    wanted = tophat.background_window(stroke, width, height)
    if wanted > window:
        window = wanted
        paper = tophat.background(bright, window)
        top_hat = tophat.top_hat(bright, paper)
        threshold, strongest, noise = _threshold(top_hat, band, scenery)
        # A wider window lifts wider things out of the paper: a strip of
        # table along the edge, narrower than the new window, now stands
        # out as the strongest "ink" and would set the threshold over a
        # faint digit.  It is scenery like the first.
        grown = border.scenery(tophat.above(top_hat, threshold), band) if band else None
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
        top_hat = tophat.top_hat(bright, paper)
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
        stands_out = tophat.above(top_hat, floor)
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
        # (With fat strokes put back, the top-hat's median is ink: they
        # fill the frame, a tight crop's digit, to be read in its paper.)
        return InkFound(None, stages, 1.0, strongest, noise=noise, filled=fat)
    mask = tophat.above(top_hat, threshold)
    pieces = morphology.components(mask, top_hat)
    def spanned_by_one(pieces: list[morphology.Component]) -> bool:
        # Most of the mask is one piece spanning the frame.  (A strip of
        # table spans the frame too, but hugs its edge: raising the
        # threshold over it would only cut the digit away.)
        total = sum(piece.mass for piece in pieces)
        return any(border.spanning(piece, width, height) and piece.mass >= total / 2
                   and not (band and border.reach(piece, width, height, band) < border.EDGE_REACH) for piece in pieces)

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
        mask = tophat.above(top_hat, threshold)
        pieces = morphology.components(mask, top_hat)
    # A pen lying across the sheet from its edge, far darker than a faint
    # digit: Otsu's threshold falls between it and all the rest, and the
    # digit falls under it.  If all that is left touches the border, the
    # threshold is measured again without it (and a rim of two pixels
    # around it); a digit that then stands out of the noise, away from the
    # border, is the ink.
    # So with a pen lying wholly inside the picture, a straight bar
    # (``pen_and_thumb.bar_width``): then the digit found without it must
    # be made of strokes PEN_THICKER times thinner (a digit 1 alone is a bar too,
    # and without it there is only grain, or a smudge).
    # A thumb or a finger holding the sheet is such a pen, a broad one,
    # but bits of a faint digit stand above the threshold it sets, and so
    # with a pen reaching in.  So if broad pieces or bars reaching in from
    # the border hold most of the mask's ink (``pen_and_thumb.reaching_in``),
    # the threshold is measured again without them, and the digit found
    # must have strokes PEN_THICKER times thinner than they are wide (or,
    # beside a bar, BENT_THICKER times, when it is no bar itself).
    pens = [piece for piece in pieces if not piece.touches_border(width, height)]
    held = pen_and_thumb.reaching_in(bright, pieces, threshold, window, band) if band and pens else []
    aside = ""  # what the threshold was measured again without, for the stage's name
    if band and pieces and (held or all(pen_and_thumb.pen_width(piece, width, height) for piece in pens)):
        intruders: Rows = [[0.0] * width for _ in range(height)] if scenery is None else [list(row) for row in scenery]
        for piece in held or pieces:
            for y, start, stop in piece.runs:
                left, right = max(0, start - 2), min(width, stop + 2)
                for line in intruders[max(0, y - 2):y + 3]:
                    line[left:right] = [1.0] * (right - left)
        retry, retry_strongest, retry_noise = _threshold(top_hat, band, intruders)
        if retry_strongest >= max(least, BLANK_RATIO * retry_noise):
            # Each piece held, and whether it is a pen (a bar) or a thumb;
            # each thing the digit must lie beside, how wide, and whether
            # it is a pen reaching in.
            thumbs_and_pens = [(piece, pen_and_thumb.bar_width(piece) > 0) for piece in held]
            beside = ([(piece, pen_and_thumb.piece_stroke(piece), is_pen) for piece, is_pen in thumbs_and_pens]
                      if held else [(pen, pen_and_thumb.pen_width(pen, width, height), False) for pen in pens])

            def digit_beside(retry_pieces: list[morphology.Component]) -> bool:
                inside = [piece for piece in retry_pieces if not piece.touches_border(width, height)]
                if not (beside and inside):
                    return bool(inside)
                digit = max(inside, key=lambda piece: piece.pixels)
                shaped = not pen_and_thumb.bar_width(digit)
                # A thumb holds the sheet beside the digit.  A fat digit
                # the frame cuts is broad too, and what is found without
                # it, a sliver of its own strokes, lies in its box.  (A
                # pen lying askew has a box that can hold the digit.)
                return (all(digit.pixels >= pen_and_thumb.PEN_SHARE * pen.pixels
                            and (pen_and_thumb.beside_pen(digit, pen, thick,
                                                          pen_and_thumb.BENT_THICKER if reaching and shaped
                                                          else pen_and_thumb.PEN_THICKER, reaching)
                                 or not held and pen_and_thumb.rival(digit, pen, width, height))
                            for pen, thick, reaching in beside)
                        and not any(readings.within((digit.left, digit.top, digit.right, digit.bottom),
                                                    (piece.left, piece.top, piece.right, piece.bottom))
                                    for piece, is_pen in thumbs_and_pens if not is_pen))

            # Under the lower threshold a pen's soft rim and its shadow
            # stand out too, wider than the two pixels set aside round it:
            # what joins it there is set aside with it, and the threshold
            # measured once more without that too (the rim, strong, kept
            # a faint digit under it).  If that leaves no digit, what
            # joins it at the first lower threshold; if that took the
            # digit too (the pen's tip beside it), only the two pixels.
            plain = [[1 if v > retry and not s else 0 for v, s in zip(row, skip)]
                     for row, skip in zip(top_hat, intruders)]
            unjoined = _unjoined(top_hat, retry, held or pieces, intruders)
            tries = [(retry, unjoined, intruders), (retry, plain, intruders)]  # (threshold, mask, set aside)
            with_rim = [[1.0 if v > retry and not u else s for v, u, s in zip(row, kept, skip)]
                        for row, kept, skip in zip(top_hat, unjoined, intruders)]
            lower, lower_strongest, lower_noise = _threshold(top_hat, band, with_rim)
            if lower < retry and lower_strongest >= max(least, BLANK_RATIO * lower_noise):
                tries.insert(0, (lower, _unjoined(top_hat, lower, held or pieces, with_rim), with_rim))
            for level, retry_mask, set_aside in tries:
                retry_pieces = morphology.components(retry_mask, top_hat)
                if digit_beside(retry_pieces):
                    threshold, mask, pieces, scenery = level, retry_mask, retry_pieces, set_aside
                    stroke = tophat.stroke_width(mask)  # the digit's, not the pen's: how near a piece is kept
                    thing = ("the thumb" if any(not is_pen for _, is_pen in thumbs_and_pens)
                             else "the pen" if held or pens else "what touches the border")
                    aside = ", %s set aside (threshold %.0f without it)" % (thing, level)
                    break
    # Scenery hugging the border (a shadow's rim, a strip of table) is in
    # the band by its nature, and in the dark reading of a dark digit:
    # counted, it would make the digit's own polarity look like the one
    # with ink at the edge.
    edge_pieces = border.scenery(mask, band, pieces) if band else None
    band_share = border.band_share(mask if edge_pieces is None else
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
    thinness = tophat.stroke_width(keep) / max(box[2] - box[0] + 1, box[3] - box[1] + 1)
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
    strong = max(tophat.percentile(levels, 0.9), 1e-6)
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
        border.spanning(main, width, height) or border.reach(main, width, height, band) < border.EDGE_REACH)
    # How sharp the pieces' edge is (``readings._fades``), and where.
    falls = _edge_falls(bright, [run for piece in kept for run in piece.runs], width)
    frame = next(((piece.left, piece.top, piece.right, piece.bottom) for piece in pieces
                  if frames.frames(piece, main)), None)
    return InkFound(ink, stages, band_share, strongest, box, thinness, noise, edge, threshold, falls, frame,
                    spanned)


def _unjoined(top_hat: Rows, threshold: float, aside: Sequence[morphology.Component],
              intruders: Rows) -> list[list[int]]:
    """The mask of ``top_hat`` above ``threshold`` less ``intruders`` and
    less every piece of it that joins one of the pieces set ``aside``."""
    height, width = len(top_hat), len(top_hat[0])
    mask = tophat.above(top_hat, threshold)
    marked = [[0] * width for _ in range(height)]
    for piece in aside:
        for y, start, stop in piece.runs:
            marked[y][start:stop] = [1] * (stop - start)
    for piece in morphology.components(mask):
        if any(1 in marked[y][start:stop] for y, start, stop in piece.runs):
            for y, start, stop in piece.runs:
                mask[y][start:stop] = [0] * (stop - start)
    return [[m if not s else 0 for m, s in zip(row, skip)] for row, skip in zip(mask, intruders)]


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
    paper = tophat.percentile(sorted(v for row in gray for v in row), 0.5)
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
                   and choice.band <= tight_crop.SETTLED_BAND and not choice.spanned)
        if not tiny and not settled:
            other = "light" if order[0] == "dark" else "dark"
            second = _find_in(plane, other, least)
            best = readings.better(choice, second, confident)
            # Much of its mask in the border band:
            crowded = choice.ink is not None and choice.band > tight_crop.SETTLED_BAND
            if confident and (best is not choice or choice.edge or choice.spanned or crowded or choice.filled):
                best = tight_crop.tight_crop(plane, order[0], least, best, best is choice, _find_in)
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
        if choice.ink is not None and (best.ink is None or readings.clarity(choice) > 1.25 * readings.clarity(best)):
            best = choice
    if best.ink is None or readings.clarity(best) < NOISE_RATIO:
        # Grain (a dim photo): the paper's noise sets the threshold's
        # floor, and faint strokes fall under it.  Averaging each pixel
        # with its 8 neighbours cuts the grain about threefold and a
        # stroke two pixels wide or more hardly at all: read that too, and
        # keep it if its ink stands clearly further out of the noise.
        # (A stroke a pixel or two wide keeps a half to a third of its
        # strength: half the contrast is asked of it.)
        smooth = read("gray smoothed", _box3(gray), least=MIN_CONTRAST / 2)
        if smooth.ink is not None and (best.ink is None or readings.clarity(smooth) > 1.25 * readings.clarity(best)):
            best = smooth
    if on_desk is not None:
        best.stages.insert(0, ("the sheet, the desk painted as paper",
                               lambda painted=gray: [[v / 255.0 for v in row] for row in painted]))
    return best

if __name__ == "__main__":
    import doctest
    doctest.testmod()
