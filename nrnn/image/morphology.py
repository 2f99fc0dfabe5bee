"""Grey-level morphology and connected components, for finding ink in photos.

Images here are lists of rows (each a list of numbers), ``rows[y][x]``.

Minimum and maximum filters
---------------------------
A *min filter* of size k replaces every pixel by the smallest value in the
k x k square centred on it (squares are cut off at the image's edges); a
*max filter* takes the largest.  The plain definition, for one pixel::

    min(rows[j][i] for j in range(y - k // 2, y - k // 2 + k)
                   for i in range(x - k // 2, x - k // 2 + k)
                   if 0 <= j < height and 0 <= i < width)

(centred for an odd k; an even k reaches one pixel further up and left).
A square's extreme is the extreme of its columns' extremes, so each filter
is two 1-D passes: down the columns, then along the rows.

A naive 1-D filter looks at k values per pixel.  The van Herk / Gil-Werman
trick looks at about three, whatever k is: cut the line into blocks of k;
within each block take running extremes forward (``ahead[i]`` = extreme from
the block's start to i) and backward (``behind[i]`` = extreme from i to the
block's end).  A window of k values starting at i spans at most two blocks,
so its extreme is ``pick(behind[i], ahead[i + k - 1])``.

The pass down the columns does this for every column at once: its items are
whole rows, and picking between two rows compares them pixel by pixel in
one list comprehension.  So Python steps once per row, not once per pixel,
and the pass along the rows is the same pass on the image turned over
(``zip(*rows)``).  ``tests/test_morphology.py`` checks the result against
the plain definition above.

Opening: the paper under the ink
--------------------------------
With ink made *bright* (ink-positive: 255 - gray for dark ink on light
paper), an **opening** (a min filter, then a max filter of the same size)
wipes out every bright structure narrower than the window, a stroke of
ink, and keeps everything wider: the paper's slow changes of light, a
shadow, the dark edge of a sheet.  Subtracting it (the *top-hat*) leaves the
strokes on a flat zero background.

>>> opening([[0, 0, 9, 0, 0, 5, 5, 5, 5, 0]], 3)   # a 1-wide peak goes, a 4-wide plateau stays
[[0, 0, 0, 0, 0, 5, 5, 5, 5, 0]]

Connected components
--------------------
A mask's pixels are *connected* if a chain of neighbours (8 of them: sides
and corners) links them.  We label components row by row over *runs*
(maximal horizontal stretches of mask pixels): a run joins every run of the
previous row that it touches, with a union-find structure remembering which
runs are one component.  No recursion, and Python steps per run, not per
pixel.
"""

import sys
from collections.abc import Sequence
from itertools import accumulate
from typing import Optional

__all__ = ["running_min", "running_max", "min_filter", "max_filter", "opening",
           "dilate", "mask_runs", "run_lengths", "Component", "components"]

#: Padding beyond the ends of a row of numbers: never picked by a min (resp. max).
_HIGH, _LOW = float("inf"), float("-inf")


def _running(items: Sequence, size: int, pick, pad) -> list:
    """out[i] = pick over the window items[i - size // 2 : i - size // 2 + size]
    (cut at the ends), for every i: centred for an odd ``size``, one more
    before than after for an even one.

    ``pick`` combines two items: ``min``/``max`` for numbers, or
    ``_lower``/``_higher`` for whole rows; ``pad`` is what pick never
    chooses (inf for min, None for the row picks).  The result may hold
    the items themselves (not copies).
    """
    count = len(items)
    if size <= 1 or count == 0:
        return list(items)
    radius = size // 2
    padded = [pad] * radius + list(items) + [pad] * (size - 1 - radius)
    padded += [pad] * (-len(padded) % size)  # whole blocks
    ahead: list = []
    behind: list = []
    for start in range(0, len(padded), size):
        block = padded[start:start + size]
        ahead.extend(accumulate(block, pick))
        backward = list(accumulate(reversed(block), pick))
        backward.reverse()
        behind.extend(backward)
    # The window padded[i : i + size] is the one of items[i].
    return list(map(pick, behind[:count], ahead[size - 1:size - 1 + count]))


def running_min(values: Sequence[float], size: int) -> list[float]:
    """Min over the window of ``size`` centred on each value (cut at the ends).

    >>> running_min([5, 3, 8, 1, 9, 9, 9], 3)
    [3, 3, 1, 1, 1, 9, 9]
    """
    return _running(values, size, min, _HIGH)


def running_max(values: Sequence[float], size: int) -> list[float]:
    """Max over the window of ``size`` centred on each value (cut at the ends).

    >>> running_max([5, 3, 8, 1, 9, 0, 0], 3)
    [5, 8, 8, 9, 9, 9, 0]
    """
    return _running(values, size, max, _LOW)


# Whole rows as the items of _running: one step of Python per row, and the
# pixels of the row compared in a list comprehension.  That is what makes
# the square filters fast: ``[y if y < x else x ...]`` does no function
# call per pixel, about 3 times faster on CPython than map(min, a, b) and
# 6 times faster than accumulate(row, min).  ``y if y < x else x`` is
# exactly min(x, y) (min keeps the first unless a later one is smaller),
# so the filters give the same numbers as the plain definition.

def _lower(a: Optional[Sequence[float]], b: Optional[Sequence[float]]) -> Optional[Sequence[float]]:
    """Pixel by pixel min(a, b) of two rows; None is padding (never picked)."""
    if a is None:
        return b
    if b is None:
        return a
    return [y if y < x else x for x, y in zip(a, b)]


def _higher(a: Optional[Sequence[float]], b: Optional[Sequence[float]]) -> Optional[Sequence[float]]:
    """Pixel by pixel max(a, b) of two rows; None is padding (never picked)."""
    if a is None:
        return b
    if b is None:
        return a
    return [y if y > x else x for x, y in zip(a, b)]


def _down(rows: Sequence[Sequence[float]], size: int, pick_rows) -> list:
    """The 1-D filter down every column at once: rows are _running's items."""
    return _running(rows, size, pick_rows, None)


def _transposed(rows: Sequence[Sequence[float]]) -> list[list[float]]:
    return [list(column) for column in zip(*rows)]


def min_filter(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Min over the ``size`` x ``size`` square centred on each pixel (cut at
    the edges): down the columns, then (transposed) along the rows."""
    return _transposed(_down(_transposed(_down(rows, size, _lower)), size, _lower))


def max_filter(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Max over the ``size`` x ``size`` square centred on each pixel (cut at the edges)."""
    return _transposed(_down(_transposed(_down(rows, size, _higher)), size, _higher))


def opening(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Min filter then max filter: bright things narrower than ``size`` go.

    Never above the image (opening(f) <= f everywhere), equal to it on
    anything bright and at least ``size`` wide in every direction.

    The square filters are separable and their two 1-D passes commute, so
    the max filter starts along the rows where the min filter ended:
    down, across (min), across, down (max), turning the image over twice
    instead of four times.
    """
    across = _transposed(_down(rows, size, _lower))
    across = _down(_down(across, size, _lower), size, _higher)
    return [list(row) for row in _down(_transposed(across), size, _higher)]


def dilate(mask: Sequence[Sequence[int]], size: int) -> list[list[float]]:
    """A 0/1 mask grown by ``size // 2`` pixels in every direction (8 ways),
    made of the mask's own values (integers for an integer mask).

    >>> dilate([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 3)
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    """
    return max_filter(mask, size)


def mask_runs(row: Sequence[int]) -> list[tuple[int, int]]:
    """The runs of 1s in one row of 0/1 integers as (start, stop) pairs, stop exclusive.

    >>> mask_runs([0, 1, 1, 0, 1])
    [(1, 3), (4, 5)]
    """
    flags = bytes(row)  # 0/1 integers: a bytes object at C speed, searched at C speed
    runs = []
    start = flags.find(1)
    while start >= 0:
        stop = flags.find(0, start)
        if stop < 0:
            stop = len(flags)
        runs.append((start, stop))
        start = flags.find(1, stop)
    return runs


def run_lengths(mask: Sequence[Sequence[int]]) -> list[list[int]]:
    """Each mask pixel's horizontal run length (0 off the mask).

    >>> run_lengths([[1, 1, 0, 1]])
    [[2, 2, 0, 1]]
    """
    lengths = []
    for row in mask:
        out = [0] * len(row)
        for start, stop in mask_runs(row):
            out[start:stop] = [stop - start] * (stop - start)
        lengths.append(out)
    return lengths


class Component:
    """One connected piece of a mask.

    runs:   (y, start, stop) horizontal runs, stop exclusive
    pixels: how many pixels it has
    mass:   the sum of the ink under it (``components``' ``weights``)
    left, top, right, bottom: its bounding box, inclusive
    """

    def __init__(self):
        self.runs: list[tuple[int, int, int]] = []
        self.pixels = 0
        self.mass = 0.0
        # Beyond any coordinate, so the first run's min replaces them: a box is integers.
        self.left = self.top = sys.maxsize
        self.right = self.bottom = -1

    def __repr__(self):
        return "Component(pixels=%d, mass=%g, box=(%d, %d, %d, %d))" % (
            self.pixels, self.mass, self.left, self.top, self.right, self.bottom)

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    def touches_border(self, width: int, height: int) -> bool:
        return self.left == 0 or self.top == 0 or self.right == width - 1 or self.bottom == height - 1

    def box_mask(self, margin: int = 0) -> list[list[int]]:
        """A 0/1 mask of the piece in its box grown by ``margin`` on every
        side: row 0, column 0 is (left - margin, top - margin)."""
        left, top = self.left - margin, self.top - margin
        mask = [[0] * (self.width + 2 * margin) for _ in range(self.height + 2 * margin)]
        for y, start, stop in self.runs:
            mask[y - top][start - left:stop - left] = [1] * (stop - start)
        return mask


def components(mask: Sequence[Sequence[int]],
               weights: Optional[Sequence[Sequence[float]]] = None) -> list[Component]:
    """The 8-connected components of a 0/1 mask, largest (by pixels) first.

    ``weights`` (same shape, e.g. ink strength) gives each its ``mass``;
    without it the mass is the pixel count.

    >>> pieces = components([[1, 1, 0, 0],
    ...                      [0, 0, 1, 0],
    ...                      [1, 0, 0, 0]])
    >>> [(c.pixels, c.left, c.top, c.right, c.bottom) for c in pieces]
    [(3, 0, 0, 2, 1), (1, 0, 2, 0, 2)]
    """
    parent: list[int] = []  # run id -> a run of the same component (union-find)

    def root(run: int) -> int:
        while parent[run] != run:
            parent[run] = parent[parent[run]]  # path halving keeps trees flat
            run = parent[run]
        return run

    all_runs: list[tuple[int, int, int]] = []  # (y, start, stop)
    previous: list[tuple[int, int, int]] = []  # (start, stop, run id) in the row above
    for y, row in enumerate(mask):
        current = []
        for start, stop in mask_runs(row):
            run_id = len(all_runs)
            all_runs.append((y, start, stop))
            parent.append(run_id)
            for above_start, above_stop, above_id in previous:
                # 8-connected: touching, or only diagonally (one pixel apart).
                if above_start <= stop and start <= above_stop:
                    a, b = root(run_id), root(above_id)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
            current.append((start, stop, run_id))
        previous = current

    found: dict[int, Component] = {}  # root run id -> its component
    for run_id, (y, start, stop) in enumerate(all_runs):
        piece = found.get(root(run_id))
        if piece is None:
            piece = found[root(run_id)] = Component()
        piece.runs.append((y, start, stop))
        piece.pixels += stop - start
        piece.mass += sum(weights[y][start:stop]) if weights is not None else stop - start
        piece.left, piece.right = min(piece.left, start), max(piece.right, stop - 1)
        piece.top, piece.bottom = min(piece.top, y), max(piece.bottom, y)
    return sorted(found.values(), key=lambda piece: -piece.pixels)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
