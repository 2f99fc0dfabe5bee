"""Lines of ruled or squared paper: finding them and lifting them off the ink.

A digit written in a notebook sits on printed lines.  After the paper is
taken away (``nrnn.image.ink``'s top-hat), the lines are still there: thin,
a little fainter than the ink, and everywhere.  Left in, they join the
digit (a 1 across three lines becomes a ladder), break into pieces that
fall inside the digit's box, or outvote it when the threshold is chosen.
What tells a printed line from a stroke is not its brightness (a pale
pencil can be fainter than a black rule) but its shape:

* a line is **straight and long**: it crosses the whole frame, while the
  longest stroke of a digit covers a part of it;
* lines come in a **family**: several parallel lines (two families, across
  and down, on squared paper);
* a stroke lying on a line is **darker or thicker than the line on either
  side of it**, and a stroke crossing a line goes on beyond it.

So (``remove_lines``):

1. Mask what stands out of the paper at all (the caller's low threshold).
2. Hough transform, restricted to lines within ``MAX_TILT`` degrees of the
   horizontal (then the same on the image turned a quarter: the lines
   down the page): for each slope b, count the mask's pixels on each line
   y = offset + b x.  The slope whose counts are most peaked (largest sum
   of squares) is the family's; a coarse pass, then a fine one around it.
3. A line is an offset whose mask pixels cover ``SPAN`` of its length in
   the frame and reach within ``REACH`` of both its ends, and which is
   thin (beside it the mask is mostly empty: rows of the bright paper
   between dark lines, which the other polarity sees, are wide).  Each
   line's own slope and place are refined (perspective makes lines
   converge): a small Hough transform within 2 degrees, then least
   squares.  Fewer than ``MIN_LINES`` lines: no family (one long straight
   thing may be a digit's stroke in a close-up; paper repeats its lines);
   except one line alone that runs unbroken across most of the frame and
   on well past everything else on both sides (a fold in the sheet, a
   margin line, the one rule of a ruled page in the frame), which a
   digit's stroke never does: a 7's bar or a 1's stem ends where the
   digit ends.
4. For each line: its cross-section (the median, along the line, of the
   values at each distance from it) gives the band it covers, and its
   strength along the way (the median over blocks, which a stroke
   crossing it cannot move).  Inside the band, a pixel ``DARKER`` times
   stronger than the line there (its cross-section read between rows
   where the line's centre falls between two), and out of the noise once the line is
   taken off it, is a stroke lying on the line, kept; every other pixel
   becomes the lesser of what lies just outside the band on its two
   sides (never more than it was): paper beside a bare line (so the line
   goes), ink on both sides where a stroke crosses (so the stroke goes
   on), but not the ink of a stroke running beside the line on one side
   (it would be smeared across the band).

Everything is done for near-horizontal lines on rows; lines down the page
are the same on the transposed image.

>>> rows = [[0.0] * 40 for _ in range(30)]
>>> for y in (6, 16, 26):                      # three ruled lines, level 20
...     rows[y] = [20.0] * 40
>>> for y in range(2, 29):                     # a stroke crossing them, level 60
...     rows[y][20] = 60.0
>>> cleaned, lines = remove_lines(rows, [[1 if v > 10 else 0 for v in row] for row in rows])
>>> [line.offset for line in lines]
[6.0, 16.0, 26.0]
>>> cleaned[16][5], cleaned[16][20], cleaned[15][20]   # line gone, stroke whole
(0.0, 60.0, 60.0)
"""

import math
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import Optional

from nrnn.image import morphology

__all__ = ["MAX_TILT", "SPAN", "REACH", "MIN_LINES", "ALONE_SPAN", "ALONE_BEYOND", "DARKER", "Line",
           "find_lines", "remove_lines"]

Rows = list[list[float]]

#: Lines are looked for within this many degrees of the horizontal (and of
#: the vertical): a page photographed roughly square to the camera.
MAX_TILT = 20.0

#: A line's mask pixels cover at least this share of its length in the frame
#: (a printed line fades and breaks a little in a photo)...
SPAN = 0.5

#: ... and reach within this share of its length of both its ends.
REACH = 0.2

#: A family of lines has at least this many (paper repeats its lines).
MIN_LINES = 2

#: A line alone is lifted only if it covers this share of its length in
#: the frame (a fold or a margin line crosses the sheet unbroken; paper
#: repeats its lines, so a family may be broken or faded), and runs on
#: past all else in the mask (but a twentieth of it, specks), on both
#: sides, by this share of its length: a digit lies beside it or across it.
ALONE_SPAN, ALONE_BEYOND = 0.7, 0.1

#: A pixel on a line this many times stronger than the line there (and
#: standing out of the noise by more than the line) is a stroke on it.
DARKER = 1.5

#: A line's band: where its cross-section stands at least this share of the
#: way from the paper beside it to its peak.
_EDGE = 0.2

#: Coarse and fine steps of the slope search, in degrees.
_COARSE, _FINE = 2.0, 0.125

#: Each line's slope may differ from its family's by this many degrees
#: (perspective), and its offset by this many pixels.
_TURN, _NEAR = 2.0, 6

#: Step of that search, in degrees: coarse, the least-squares fit that
#: follows finds the line's exact slope.
_TURN_STEP = 0.5

#: How far from a line's centre its cross-section is measured, in pixels.
_REACH_ACROSS = 3

#: The slope is searched on at most this many of the mask's pixels.
_SAMPLE = 1500

#: Along a line, its strength is measured in blocks of this many pixels.
_BLOCK = 16


def _round(value: float) -> int:
    """Nearest integer, halves up (``round`` sends halves to even)."""
    return math.floor(value + 0.5)


class Line:
    """One near-horizontal line y = offset + slope * x of a ``width`` wide
    image (in the transposed image for a line down the page, ``down``)."""

    def __init__(self, offset: float, slope: float, down: bool = False):
        self.offset, self.slope, self.down = offset, slope, down

    def __repr__(self):
        return "Line(offset=%.1f, slope=%.3f%s)" % (self.offset, self.slope, ", down" if self.down else "")

    def centre(self, x: int) -> int:
        """The row the line's centre crosses column x in."""
        return _round(self.offset + self.slope * x)


def _best_slope(points: Sequence[tuple[int, int]], slopes: Sequence[float]) -> float:
    """The slope whose offset histogram round(y - b x) is most peaked
    (largest sum of squared counts): the lines' slope."""
    def peakedness(slope):
        counts = Counter([math.floor(y - slope * x + 0.5) for x, y in points])  # _round, inlined
        # Ties (a short image cannot tell nearby slopes apart): the flatter.
        return sum(c * c for c in counts.values()), -abs(slope)
    return max(slopes, key=peakedness)


def _chord(offset: float, slope: float, width: int, height: int) -> tuple[int, int]:
    """(first, last) column where the line y = offset + slope x is inside
    the frame (-0.5 <= y < height - 0.5: its row is), (0, -1) if never.

    >>> _chord(5.0, 0.5, 40, 20), _chord(5.0, -0.5, 40, 20), _chord(25.0, 0.0, 40, 20)
    ((0, 28), (0, 11), (0, -1))
    """
    low, high = -0.5 - offset, height - 0.5 - offset   # slope * x must lie in [low, high)
    if slope == 0:
        return (0, width - 1) if low <= 0 < high else (0, -1)
    if slope > 0:
        first, last = math.ceil(low / slope), math.ceil(high / slope) - 1
    else:
        first, last = math.floor(high / slope) + 1, math.floor(low / slope)
    first, last = max(0, first), min(width - 1, last)
    return (first, last) if first <= last else (0, -1)


def _covered(points: Sequence[tuple[int, int]], offset: float, slope: float) -> set[int]:
    """Columns where a mask pixel lies within 1.5 pixels of the line."""
    return {x for x, y in points if abs(y - offset - slope * x) <= 1.5}


def _fit(points: Sequence[tuple[int, int]], offset: float, slope: float) -> tuple[float, float]:
    """(offset, slope) of the least-squares line y = offset + slope x
    through the points within 1.5 pixels of the given line, twice over
    (the second time nearer the line): the line's exact place, once the
    Hough transform found it within a step.

    >>> _fit([(x, 2 + 0.1 * x) for x in range(20)] + [(5, 9)], 2.5, 0.08)   # (5, 9): a stroke, ignored
    (2.0, 0.1)
    """
    for _ in range(2):
        near = [(x, y) for x, y in points if abs(y - offset - slope * x) <= 1.5]
        count = len(near)
        if count < 2:
            break
        xs, ys = zip(*near)
        mean_x, mean_y = sum(xs) / count, sum(ys) / count
        spread = sum((x - mean_x) ** 2 for x in xs)
        if spread == 0:
            break
        slope = sum((x - mean_x) * (y - mean_y) for x, y in near) / spread
        offset = mean_y - slope * mean_x
    return round(offset, 6), round(slope, 6)


def find_lines(mask: Sequence[Sequence[int]]) -> list[Line]:
    """The near-horizontal lines of one family in a 0/1 ``mask`` (rows),
    top to bottom: steps 2 and 3 of the module docstring.  [] if there
    are fewer than ``MIN_LINES``, but for a line alone that runs on past
    all else (``ALONE_SPAN``, ``ALONE_BEYOND``).

    >>> mask = [[1 if y in (3, 9) else 0 for x in range(30)] for y in range(14)]
    >>> find_lines(mask)
    [Line(offset=3.0, slope=0.000), Line(offset=9.0, slope=0.000)]
    >>> find_lines([[1 if y == 3 else 0 for x in range(30)] for y in range(14)])   # one, and nothing else
    []
    >>> find_lines([[1 if y == 3 or (x == 15 and 6 < y < 12) else 0 for x in range(30)] for y in range(14)])
    [Line(offset=3.0, slope=0.000)]
    """
    return _find_lines(_points(mask), len(mask[0]), len(mask))


def _points(mask: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """The mask's pixels as (x, y), row by row, left to right: found a run
    at a time (``morphology.mask_runs``, at C speed), not a pixel at a time."""
    points: list[tuple[int, int]] = []
    for y, row in enumerate(mask):
        for start, stop in morphology.mask_runs(row):
            points += zip(range(start, stop), repeat(y))
    return points


def _find_lines(points: list[tuple[int, int]], width: int, height: int) -> list[Line]:
    """``find_lines`` for a ``width`` x ``height`` mask given as its points."""
    if not points:
        return []
    # The slope shows as well in a sample: at most _SAMPLE points, evenly
    # spread (a squared page can have tens of thousands).
    sample = points[::max(1, len(points) // _SAMPLE)]
    steps = int(MAX_TILT / _COARSE)
    coarse = _best_slope(sample, [math.tan(math.radians(_COARSE * i)) for i in range(-steps, steps + 1)])
    angle = math.degrees(math.atan(coarse))
    fine = int(_COARSE / 2 / _FINE)
    slope = _best_slope(sample, [math.tan(math.radians(angle + _FINE * i)) for i in range(-fine, fine + 1)])
    by_offset: dict[int, list[tuple[int, int]]] = {}
    for x, y in points:
        by_offset.setdefault(math.floor(y - slope * x + 0.5), []).append((x, y))  # _round, inlined
    counts = Counter({offset: len(near) for offset, near in by_offset.items()})
    # Five offsets together: a line a little off the family's slope (lines
    # photographed at an angle converge), or two pixels wide, spreads over
    # neighbouring offsets.
    near = {offset: counts[offset - 2] + counts[offset - 1] + counts[offset] + counts[offset + 1] + counts[offset + 2]
            for offset in counts}
    middle = (width - 1) / 2
    lines: list[Line] = []
    # Per line: its first and last column, if it covers ALONE_SPAN of its chord.
    spans: list[Optional[tuple[int, int]]] = []
    refined: set[int] = set()  # offsets already looked at closely
    for offset in sorted(near, key=lambda o: (-near[o], o)):
        # Where a line crosses the middle column: lines are told apart
        # there (their offsets at x = 0 differ with their slopes).
        across = offset + slope * middle
        if any(abs(across - line.offset - line.slope * middle) < _NEAR for line in lines):
            continue
        if any(offset + shift in refined for shift in range(-2, 3)):
            continue  # the neighbour of one refined (and refused): the same pixels
        first, last = _chord(offset, slope, width, height)
        length = last - first + 1
        if length < width / 2 or near[offset] < SPAN * length:
            continue
        # Thin (a first look, at the family's slope): beside it, 4 and 5
        # pixels off, the mask is mostly empty.  The paper between dark
        # lines, seen as bright "ink" when the other polarity is tried,
        # lines up in long rows too, but is wide.
        if sum(counts[offset + shift] for shift in (-5, -4, 4, 5)) > near[offset]:
            continue
        # Its own slope and exact place (lines photographed at an angle
        # converge): a small Hough transform of the pixels near it, turned
        # about the middle column, in half-pixel steps, each step counting
        # with half its neighbours; within 2 pixels of where it was found.
        refined.add(offset)
        band = [point for shift in range(-_NEAR, _NEAR + 1) for point in by_offset.get(offset + shift, ())]
        # A line covers SPAN of a chord at least half the width long, in
        # columns where the band has pixels: a band with fewer columns holds
        # none, and the search below is spared (a digit's curves end here).
        if len({x for x, _ in band}) < SPAN * width / 2:
            continue
        best = (-1.0, 0.0, 0.0)
        # (Every other pixel is plenty to get within a step.)
        every_other = band[::2] if len(band) > 2 * width else band
        tilts = int(_TURN / _TURN_STEP)
        for tilt in sorted(range(-tilts, tilts + 1), key=abs):  # the flattest first: it wins ties
            line_slope = slope + math.tan(math.radians(_TURN_STEP * tilt))
            halves = Counter([math.floor(2 * (y - line_slope * (x - middle)) + 0.5) for x, y in every_other])
            for half, count in halves.items():
                if abs(half / 2 - across) > 2:
                    continue  # too far from where the line was found (most are: no score needed)
                score = count + (halves[half - 1] + halves[half + 1]) / 2
                if score > best[0]:
                    best = (score, half / 2 - line_slope * middle, line_slope)
        _, line_offset, line_slope = best
        if best[0] >= 0:
            line_offset, line_slope = _fit(band, line_offset, line_slope)
        if best[0] < 0 or any(abs(line_offset + line_slope * middle - line.offset - line.slope * middle) < 3
                              for line in lines):
            continue
        first, last = _chord(line_offset, line_slope, width, height)
        length = last - first + 1
        covered = _covered(band, line_offset, line_slope)
        if length < width / 2 or len(covered) < SPAN * length:
            continue
        # Thin, looked at again at its own slope.
        beside = sum(1 for x, y in band if 2.5 <= abs(y - line_offset - line_slope * x) <= 4)
        if beside > len(covered):
            continue
        if min(covered) > first + REACH * length or max(covered) < last - REACH * length:
            continue
        lines.append(Line(line_offset, line_slope))
        spans.append((min(covered), max(covered)) if len(covered) >= ALONE_SPAN * length else None)
    if len(lines) == 1 and spans[0] is not None:
        # One line alone (a fold, a margin line, the one rule of a ruled
        # page in the frame), if it runs on well past both sides of all
        # else: a digit's own long straight stroke (a 7's bar, a 1 in a
        # close-up) ends where the digit does.
        line, (start, stop) = lines[0], spans[0]
        rest = sorted(x for x, y in points if abs(y - line.offset - line.slope * x) > 2.5)
        beyond = ALONE_BEYOND * (stop - start)
        if rest and start + beyond <= rest[len(rest) // 20] and rest[-1 - len(rest) // 20] <= stop - beyond:
            return lines
    if len(lines) < MIN_LINES:
        return []
    return sorted(lines, key=lambda line: line.offset)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _between(section: dict[int, float], at: float, reach: int) -> float:
    """The cross-section at a distance ``at`` between its whole rows, by
    linear interpolation (held at its ends).

    >>> _between({-1: 10.0, 0: 50.0, 1: 10.0}, -0.5, 1), _between({-1: 10.0, 0: 50.0, 1: 10.0}, 2.0, 1)
    (30.0, 10.0)
    """
    at = min(max(at, -reach), reach)
    low = min(math.floor(at), reach - 1)
    part = at - low
    return section[low] * (1 - part) + section[low + 1] * part


def _lift(rows: Rows, line: Line, floor: float) -> None:
    """Replace ``line``'s pixels in ``rows`` (in place): step 4 of the
    module docstring; ``floor``: what stands out of the paper's noise."""
    height, width = len(rows), len(rows[0])
    columns = [x for x in range(width) if 0 <= line.centre(x) < height]
    if not columns:
        return
    reach = _REACH_ACROSS

    def at(x, u):
        y = line.centre(x) + u
        return rows[y][x] if 0 <= y < height else None

    # Cross-section: the median along the line at each distance u from
    # its centre row; a stroke crossing it moves no median.
    section = {u: _median([v for v in (at(x, u) for x in columns) if v is not None])
               for u in range(-reach, reach + 1)}
    # The band: where the section stands _EDGE of the way from the paper
    # beside the line (its noise, a few levels above 0 in a top-hat) up
    # to the line's peak.  Measured from 0, a faint line's band would
    # reach as far as the noise does.
    peak = max(section.values())
    base = min(section[-reach], section[reach])
    if peak <= base:
        return
    edge = base + _EDGE * (peak - base)
    top = bottom = max(section, key=lambda u: (section[u], -abs(u)))
    while top > -reach and section[top - 1] >= edge:
        top -= 1
    while bottom < reach and section[bottom + 1] >= edge:
        bottom += 1
    across = sum(section[u] for u in range(top, bottom + 1))
    # How strong the line is along the way, as a multiple of its
    # cross-section: its sum across the band, the median over blocks, then
    # over the block and its neighbours (light changes slowly along it; a
    # stroke crossing it covers a block or two).
    sums = [sum((at(x, u) or 0.0) for u in range(top, bottom + 1)) / across for x in columns]
    blocks = [_median(sums[i:i + _BLOCK]) for i in range(0, len(sums), _BLOCK)]
    for index, x in enumerate(columns):
        block = index // _BLOCK
        scale = _median(blocks[max(0, block - 2):block + 3])
        centre = line.centre(x)
        # What lies on both sides of the band: paper beside a bare line,
        # ink where a stroke crosses it.  (Not one side alone: a stroke
        # running beside the line would be smeared across it.)
        beside = [v for v in (at(x, top - 1), at(x, bottom + 1)) if v is not None]
        outside = min(beside) if beside else 0.0
        # The line's true centre lies ``phase`` rows off the row it was
        # rounded to (a line between two rows is as strong in both): the
        # cross-section is read that far off, between its rows.
        phase = line.offset + line.slope * x - centre
        for u in range(top, bottom + 1):
            y = centre + u
            if not 0 <= y < height:
                continue
            expected = _between(section, u - phase, reach) * scale
            value = rows[y][x]
            if value > DARKER * expected and value - expected > floor:
                continue  # a stroke lying on the line: darker than the line
            rows[y][x] = min(value, outside)


def remove_lines(values: Sequence[Sequence[float]], mask: Sequence[Sequence[int]],
                 floor: float = 0.0) -> tuple[Rows, list[Line]]:
    """``values`` (rows of bright ink on a 0 background, e.g. a top-hat)
    with the lines of ruled or squared paper lifted off, and the lines
    found in ``mask`` (0/1 rows, the same shape: what stands out of the
    paper, i.e. is over ``floor``).  Lines across the page first, then
    lines down it (on the transposed rows)."""
    rows = [list(row) for row in values]
    height, width = len(mask), len(mask[0])
    points = _points(mask)
    across = _find_lines(points, width, height)
    for line in across:
        _lift(rows, line, floor)
    # The turned mask's points, in its row by row order: by x, then y.
    down = _find_lines([(y, x) for x, y in sorted(points)], height, width)
    if down:
        turned = [list(column) for column in zip(*rows)]
        for line in down:
            line.down = True
            _lift(turned, line, floor)
        rows = [list(column) for column in zip(*turned)]
    return rows, across + down


if __name__ == "__main__":
    import doctest
    doctest.testmod()
