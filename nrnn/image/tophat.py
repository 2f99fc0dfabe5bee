"""The paper under the ink, and the ink above it: a grey-level opening and its top-hat.

In a photo the paper is a different gray in every corner, so the ink is
found as what stands out of the paper *around it* (``nrnn.image.ink``).
With the ink made bright (``x = 255 - gray`` for dark ink, ``x = gray``
for light ink), the paper is the grey-level *opening* of x
(``background``; see ``nrnn.image.morphology``) with a window of about
``WINDOW_STROKES`` stroke widths, clamped to ``WINDOW_MIN``..``WINDOW_MAX``
of the image's shorter side (``background_window``).  The opening removes
every bright thing narrower than its window, the strokes, and keeps the
paper's slow changes and the shadows.  Why these sizes: narrower than ~3
strokes and a thick stroke or a loop's inside survives as "paper"; wider
than ~30% and it can no longer follow a shadow's edge.  Ink = x - paper
(``top_hat``): strokes on a background that is 0 everywhere, shadow or
not.

The window is sized by the stroke width (``stroke_width``): the median,
over the pixels of a mask (a first, rough top-hat thresholded), of the
shorter of the horizontal and vertical run through each pixel: across a
stroke a run is as long as the stroke is wide.

>>> x = [[0.0] * 3 + [200.0] * 2 + [0.0] * 7 for _ in range(12)]  # a stroke 2 wide
>>> ink = top_hat(x, background(x, 5))
>>> ink[0][2:6], stroke_width(above(ink, 100))
([0.0, 200.0, 200.0, 0.0], 2)
"""

from collections.abc import Sequence

from nrnn.image import morphology

__all__ = ["WINDOW_MIN", "WINDOW_MAX", "WINDOW_STROKES", "odd", "percentile", "stroke_width", "background_window",
           "background", "above", "top_hat"]

Rows = list[list[float]]

#: Background window, as fractions of the shorter side, and in stroke widths.
WINDOW_MIN, WINDOW_MAX, WINDOW_STROKES = 0.15, 0.30, 3


def odd(value: float) -> int:
    """int(value), or the next integer if that is even (a window has a middle)."""
    size = int(value)
    return size if size % 2 else size + 1


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value ``fraction`` of the way through a sorted list (nearest rank):
    the paper's noise is the top-hat's median (most pixels are paper)."""
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered))))]


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
    return max(3, odd(size))


def background(bright: Rows, window: int) -> Rows:
    """The paper under bright ink: the grey-level opening (see nrnn.image.morphology)."""
    return morphology.opening(bright, window)


def above(rows: Rows, level: float) -> list[list[int]]:
    """0/1 rows: 1 where the value is over ``level``.  (Every threshold of
    the ink's reading is drawn here: PyPy compiles the loop once, not once a
    place.)"""
    return [[1 if v > level else 0 for v in row] for row in rows]


def top_hat(bright: Rows, paper: Rows) -> Rows:
    """The ink above the paper: bright - paper, pixel by pixel."""
    return [[a - b for a, b in zip(row, under)] for row, under in zip(bright, paper)]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
