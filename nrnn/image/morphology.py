"""Grey-level morphology and connected components, for finding ink in photos.

Images here are lists of rows (each a list of numbers), ``rows[y][x]``.

Minimum and maximum filters
---------------------------
A *min filter* of size k replaces every pixel by the smallest value in the
k x k square centred on it (squares are cut off at the image's edges); a
*max filter* takes the largest.  A square's extreme is the extreme of its
columns' extremes, so each is done as two 1-D passes: along the rows, then
along the columns (``separable``).

A naive 1-D filter looks at k values per pixel.  The van Herk / Gil-Werman
trick looks at about three, whatever k is: cut the row into blocks of k;
within each block take running extremes forward (``ahead[i]`` = extreme from
the block's start to i) and backward (``behind[i]`` = extreme from i to the
block's end).  A window of k values starting at i spans at most two blocks,
so its extreme is ``pick(behind[i], ahead[i + k - 1])``.  The running
extremes are ``itertools.accumulate`` calls, which run at C speed.

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

#: Padding beyond the image's edges: never picked by a min (resp. max).
_HIGH, _LOW = float("inf"), float("-inf")


def _running(values: Sequence[float], size: int, pick, pad: float) -> list[float]:
    """Extreme (``pick`` is min or max) of each centred window of odd ``size``."""
    count = len(values)
    if size <= 1 or count == 0:
        return list(values)
    radius = size // 2
    padded = [pad] * radius + list(values) + [pad] * radius
    padded += [pad] * (-len(padded) % size)  # whole blocks
    ahead: list[float] = []
    behind: list[float] = []
    for start in range(0, len(padded), size):
        block = padded[start:start + size]
        ahead.extend(accumulate(block, pick))
        backward = list(accumulate(reversed(block), pick))
        backward.reverse()
        behind.extend(backward)
    # Window of padded[i : i + size] is centred on values[i].
    return list(map(pick, behind[:count], ahead[size - 1:size - 1 + count]))


def running_min(values: Sequence[float], size: int) -> list[float]:
    """Min over the window of odd ``size`` centred on each value (cut at the ends).

    >>> running_min([5, 3, 8, 1, 9, 9, 9], 3)
    [3, 3, 1, 1, 1, 9, 9]
    """
    return _running(values, size, min, _HIGH)


def running_max(values: Sequence[float], size: int) -> list[float]:
    """Max over the window of odd ``size`` centred on each value (cut at the ends).

    >>> running_max([5, 3, 8, 1, 9, 0, 0], 3)
    [5, 8, 8, 9, 9, 9, 0]
    """
    return _running(values, size, max, _LOW)


def separable(rows: Sequence[Sequence[float]], size: int, filter_1d) -> list[list[float]]:
    """Apply a 1-D filter along every row, then along every column."""
    across = [filter_1d(row, size) for row in rows]
    down = [filter_1d(column, size) for column in zip(*across)]
    return [list(row) for row in zip(*down)]


def min_filter(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Min over the ``size`` x ``size`` square centred on each pixel."""
    return separable(rows, size, running_min)


def max_filter(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Max over the ``size`` x ``size`` square centred on each pixel."""
    return separable(rows, size, running_max)


def opening(rows: Sequence[Sequence[float]], size: int) -> list[list[float]]:
    """Min filter then max filter: bright things narrower than ``size`` go.

    Never above the image (opening(f) <= f everywhere), equal to it on
    anything bright and at least ``size`` wide in every direction.
    """
    return max_filter(min_filter(rows, size), size)


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
