"""Two readings of a photo, dark ink and light ink: which is the digit.

``nrnn.image.ink`` reads a photo for the polarity its percentile vote
chose, and, when the vote was not clear (or its reading looks unlike a
digit), for the other too.  What one reading found is an ``InkFound``:
the soft ink, its box, how thin its strokes are, how far it stands out
of its paper's noise, how sharp its edge is.  ``better`` picks one.

The wrong polarity finds the paper *between* the strokes: a loop's
inside, the gap between a stroke and a shadow, or the bright rim of the
sheet along the edge, or a lamp's glare on the paper around the digit.
First, a finding whose edge fades, away from the other's box, loses to
one whose edge is sharp (``_fades``, ``_sharp``): ink in focus has an
edge, the paper under a glare only brightens slowly.  Then a finding
framed by a printed box beats one inside that box (the paper between the
box's lines and the strokes, standing out as light ink), unless that one
is clearly thinner.  Then a finding lying inside the other's box, with
the other's ink on three or four sides of it (``_sides``), loses (it is
the digit's holes and bays), unless it stands much further out of its
paper's noise or is much thinner (a thin digit amid the cells of squared
paper), and never when the percentile vote clearly chose the other (the
slits between a fat marker's strokes are thin and as clear as the
strokes), nor when the clear vote chose it and the other's edge hardly
falls (``_paper_edge``: the paper inside a faint box); a finding whose
digit hugs the border loses to one whose digit does not; then one whose
ink stands much further out of its paper's noise (``clarity``: the wrong
polarity finds the paper beside thick strokes, uneven under a shadow);
then the thinner finding wins (a digit is strokes, the wrong polarity
finds blobs), decisively only if much thinner when the percentile vote
was clear; last, less mask in the border band (a real digit sits in the
middle; scenery hugging the border, which is there by its nature, not
counted).
"""

from collections.abc import Sequence
from typing import Optional

from nrnn.image import tophat

__all__ = ["THINNER", "CLEARLY_THINNER", "HOLE_SHARE", "SHARP_EDGE", "FADE_GAP", "FADE_ENDS", "SHARPER",
           "PAPER_EDGE", "CLEARER", "QUIET", "InkFound", "within", "better", "clarity"]

Rows = list[list[float]]

#: One polarity's finding is "thinner" than the other's by this factor, and
#: "clearly thinner" (enough to overturn a clear percentile vote) by this one.
THINNER, CLEARLY_THINNER = 1.5, 3.0

#: A digit's hole or bay (a 0's inside, a 4's triangle, a 5's bowl) covers
#: at least this share of the digit's box; a finding far smaller than the
#: one around it is not its hole.
HOLE_SHARE = 0.05

#: A stroke has a sharp edge: this percentile of the falls in brightness
#: across the ends of its runs (two pixels out) is over the threshold
#: (``_fades``, and ``nrnn.image.ink``'s ``_fat_strokes``); a glare fades.
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
#: further out of its paper's noise (``clarity``) is the ink: the other
#: is the paper around it (``better``).
CLEARER = 1.5

#: Paper whose noise (the top-hat's median) is under this many gray levels
#: is quiet: its noise is not measured finer than that (``clarity``).
QUIET = 1.0


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
              printed box, ``nrnn.image.frames``), or None
    thinness: the kept pieces' stroke width over their box's longer side
              (a digit's strokes: about 0.05-0.2; a blob: 0.3 and more)
    spanned:  most of the mask was one piece spanning the frame
              (``nrnn.image.border``'s ``spanning``, not hugging the edge: a
              line the lifting missed, or a digit in a photo cropped tight)
    filled:   no ink found because, with strokes wider than the paper's
              window put back as ink, most of the frame is ink (a fat
              digit cropped tight)
    """

    def __init__(self, ink: Optional[Rows], stages: list, band: float, strength: float,
                 box: Optional[tuple[int, int, int, int]] = None, thinness: float = 1.0,
                 noise: float = 0.0, edge: bool = False, threshold: float = 0.0,
                 falls: Sequence[tuple[int, int, float]] = (),
                 frame: Optional[tuple[int, int, int, int]] = None, spanned: bool = False,
                 filled: bool = False):
        self.ink, self.stages, self.band, self.strength = ink, stages, band, strength
        self.box, self.thinness, self.noise, self.edge = box, thinness, noise, edge
        self.threshold, self.falls, self.frame, self.spanned = threshold, falls, frame, spanned
        self.filled = filled


def _encloses(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    """True if ``inner`` lies strictly inside ``outer`` (a gap on every side)."""
    return outer[0] < inner[0] and outer[1] < inner[1] and inner[2] < outer[2] and inner[3] < outer[3]


def within(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
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
    # Only findings with ink come here (``better``), and those have a box.
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
    return len(falls) >= FADE_ENDS and tophat.percentile(falls, SHARP_EDGE) < found.threshold


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
    return len(falls) >= FADE_ENDS and tophat.percentile(falls, 0.5) < PAPER_EDGE * found.threshold


def _sharp(found: InkFound) -> bool:
    """True if ``found``'s edge is clearly sharp: ``SHARP_EDGE`` of the
    falls across it (``InkFound.falls``) reach ``SHARPER`` times its
    threshold.  Strokes photographed in focus do (about twice); blurred
    ones, and a loop's inside between them, fall by less than the
    threshold."""
    falls = sorted(fall for _, _, fall in found.falls)
    return len(falls) >= FADE_ENDS and tophat.percentile(falls, SHARP_EDGE) >= SHARPER * found.threshold


def better(first: InkFound, second: InkFound, confident: bool) -> InkFound:
    """Of two polarities' findings, the likelier digit (see the module docstring).

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
    times further out of its paper's noise wins (``clarity``): the wrong
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
        if (framed.frame is not None and other.box is not None and within(other.box, framed.frame)
                and other.thinness * THINNER > framed.thinness):
            return framed
    for outer, inner in ((first, second), (second, first)):
        assert outer.box is not None and inner.box is not None  # both have ink, so a box
        if (_encloses(outer.box, inner.box) and _area(inner.box) >= HOLE_SHARE * _area(outer.box)
                and _sides(outer, inner) >= 3
                and not (confident and inner is first and _paper_edge(outer, inner))
                and ((confident and outer is first)
                     or (clarity(inner) < CLEARER * clarity(outer)
                         and inner.thinness * CLEARLY_THINNER > outer.thinness))):
            return outer
    if first.edge != second.edge:
        return second if first.edge else first
    # The paper around thick strokes, read as ink of the other polarity,
    # is made of the paper's own unevenness (a shadow's slope, the
    # opening's window following a stroke), so its top-hat is high
    # everywhere and its noise with it; true ink stands out of flat paper.
    if clarity(first) >= CLEARER * clarity(second):
        return first
    if clarity(second) >= CLEARER * clarity(first):
        return second
    if confident:
        return second if second.thinness * CLEARLY_THINNER <= first.thinness else first
    if first.thinness * THINNER <= second.thinness:
        return first
    if second.thinness * THINNER <= first.thinness:
        return second
    return second if second.band < first.band - 0.05 else first


def clarity(found: InkFound) -> float:
    """How far the ink stands out of the paper's noise: strength / noise.
    A colour channel is noisier than the gray mix of three: comparing
    strengths alone would prefer it whenever the ink has any colour.
    Noise under ``QUIET`` counts as ``QUIET``: clean paper has none to
    compare (a messenger's JPEG of flat paper: 1.0 in the digit's reading,
    0.5 in the paper inside a 2's hook, which is no twice clearer ink)."""
    return found.strength / max(found.noise, QUIET)
