"""Turn a decoded image into the network's 784 inputs, the way MNIST was made.

A network trained on MNIST has only ever seen digits prepared one exact
way, and it is surprisingly bad at anything else: the same "3" drawn in the
corner of a 280 x 280 canvas, in black on white, or twice as large, gives
a pattern of 784 numbers it has never seen, and the prediction is close to
a guess.  So before classifying a user's drawing we repeat MNIST's recipe.

The MNIST recipe (LeCun, Cortes, Burges)
----------------------------------------
1. Ink is bright: white digit (1.0) on a black (0.0) background.
2. The digit's bounding box is scaled to fit a 20 x 20 box, *preserving the
   aspect ratio* (a "1" stays thin; its longer side becomes 20 pixels),
   with anti-aliasing: each new pixel is the *area average* of the old
   pixels it covers, which gives the soft gray edges MNIST digits have.
3. The 20 x 20 result is placed in a 28 x 28 field so that its *centre of
   mass* (the ink-weighted mean pixel position) lies at the centre of the
   field.  Not the centre of the box: a "7" sits a little right of its box's
   middle in MNIST, and the network expects that.

Two ways to find the ink
------------------------
A drawing (a paint program's PNG, a browser canvas, a scan of clean paper,
MNIST itself) and a phone photo need different first steps, so ``prepare``
first looks at the image and picks one (``choose_path``):

* **drawing**: the image has transparency (a canvas export), or is tiny
  (at most ``TINY_SIDE`` pixels a side, like MNIST's 28 x 28), or its paper
  is uniform: at least ``PAPER_SHARE`` of all pixels and ``RING_SHARE`` of
  a ring just inside its frame are within ``PAPER_TOLERANCE`` gray levels
  of the median (for paper of one exact colour ``plainly_uniform`` sees
  this without shrinking the image first), and it is not a sheet lying on
  a uniform desk (``nrnn.image.sheet``: the desk would pass for paper and
  the sheet for ink); or its paper and ink are two exact colours, the ink
  reaching the frame (``_drawn_to_the_edge``: a digit drawn past the
  canvas's edges).  A drawing in a flat frame of one colour (letterboxed)
  is cut out of the frame first (``_framed_drawing``), and so is the
  canvas of a screenshot of the app the digit was drawn in, from a drawing
  or a photo alike (``_canvas_drawing``, ``nrnn.image.screenshot``: the
  page's words and icons would be ink).  Then ``drawing_ink`` does
  what nrnn always did: composite transparency away, decide whether the ink is dark-on-light or
  light-on-dark, measure ink as the difference from the (one, global)
  background, drop a thin frame (scanner edges), stretch so the strongest
  ink is 1.0 and zero faint specks that touch no stroke.  A drawing of up
  to ``DRAWING_SIDE`` pixels a side is read at full size, exactly as
  before; a bigger one is first shrunk to that.
* **photo**: anything else: uneven light, a shadow, a gray sheet on a dark
  desk, sensor noise.  The image is shrunk to at most ``PHOTO_SIDE``
  pixels a side and ``nrnn.image.ink.find_ink`` estimates the paper locally,
  subtracts it, thresholds, and keeps the digit-sized piece in the middle
  (read its module docstring).  A digit that came out small there (a
  digit written small in a big photo: strokes thinned to a pixel or less)
  is read once more, close up, from a crop of the full image around it
  (``_zoom``).  A drawing on uniform paper whose ink is
  too faint for the drawing reading (a pale pencil, a pen that only shows
  in colour) gets this reading too, instead of "no ink found", and so does
  one whose "paper" is grain that the drawing reading stretched into ink
  all over (``_grainy``: a dim, evenly lit photo).

Shrinking comes first for big images (``nrnn.image.resample``, exact integer area
averages over whole rows), so a 2000 x 2000 photo costs about as much as a
256 x 256 one.  ``prepare_stages`` returns every intermediate image, to see
where a reading went wrong (``predict.py --show-steps``).

``to_mnist`` (the recipe itself): crop to the ink's bounding box, area-
  average it into at most 20 x 20, centre it by mass in 28 x 28.  Result:
  784 floats in [0, 1], row-major, top row first.
``prepare`` is the whole: choose a path, find the ink, apply the recipe.

A real MNIST image passes through unchanged (up to 254 -> 255 contrast
stretching and the odd faint isolated pixel): its box already measures 20
on its longer side, so the scale factor is exactly 1, and its centre of mass
is already at the centre, so the shift is 0.

>>> bar = [1.0] * 8                       # a 2 wide x 4 tall bar of ink
>>> pixels = to_mnist(2, 4, bar)          # scaled by 5: 10 wide x 20 tall
>>> [pixels[14 * 28 + x] for x in (9, 10, 19, 20)]
[0.0, 1.0, 1.0, 0.0]
"""

import bisect
import math
from collections.abc import Callable, Sequence
from operator import mul
from typing import Optional

from nrnn.errors import ImageError
from nrnn.image import ink as photo_ink
from nrnn.image import screenshot, sheet
from nrnn.image.gray import gray8
from nrnn.image.png import Image
from nrnn.image.resample import area_spans, fit_within, resize_rows, shrink_mix, shrink_plane
from nrnn.image.resample import area_weights as _area_weights
from nrnn.mnist import SIDE

__all__ = ["FIELD", "BOX", "NOISE_LEVEL", "DRAWING_SIDE", "PHOTO_SIDE", "choose_path", "plainly_uniform",
           "drawing_ink", "ink_from_image", "to_mnist", "prepare", "prepare_stages", "thumbnail"]

#: Side of the MNIST field (nrnn.mnist.SIDE, 28), and of the box the digit is scaled into.
FIELD = SIDE
BOX = 20

#: Isolated ink weaker than this (after stretching the strongest ink to 1.0)
#: is treated as noise: paper texture, JPEG ghosts, a faint smudge.  It would
#: otherwise widen the bounding box and shrink the real digit.
NOISE_LEVEL = 0.1

#: An image whose strongest ink differs from the background by less than
#: this many gray levels (of 255) has no ink: stretching its noise to 1.0
#: would invent a digit from paper grain.
MIN_CONTRAST = 32

#: Width of the frame ignored at the image's edges, as a fraction of the
#: shorter side: scanners and phone photos leave dark edges there.  Images
#: under 50 pixels (like MNIST's own 28 x 28) lose nothing.
FRAME_FRACTION = 0.02

#: A drawing is read at full size up to this many pixels a side (so every
#: drawing up to it gives exactly the input it always gave); a bigger one is
#: area-averaged down to it first.
DRAWING_SIDE = 512

#: A photo is area-averaged down to at most this many pixels a side: plenty
#: for a 20 x 20 digit, and it bounds the cost of the photo steps.
PHOTO_SIDE = 256

#: A drawing read as one is area-averaged down to at most this many
#: pixels a side to look for the canvas of a screenshot in it
#: (``nrnn.image.screenshot``): cheap, and a canvas is big.
CANVAS_SIDE = 128

#: A digit small in a photo is read again from a crop of the full image
#: (``_zoom``), shrunk so that the digit's longer side is about
#: ``ZOOM_DIGIT`` pixels (as a digit filling a third of the photo is when
#: the photo is shrunk to ``PHOTO_SIDE``), when that is at least
#: ``ZOOM_GAIN`` times finer than the shrunk photo showed it.
ZOOM_DIGIT = PHOTO_SIDE // 4
ZOOM_GAIN = 1.5

#: ... and only when its strokes, in the shrunk photo, are at most this many
#: pixels wide: wider ones are not thinned away by the shrinking.
ZOOM_STROKE = 3

#: Images at most this many pixels a side are drawings (MNIST is 28 x 28):
#: too small for local paper estimates to mean anything.
TINY_SIDE = 32

#: "Uniform paper": PAPER_SHARE of all pixels, and RING_SHARE of the ring
#: just inside the ignored frame, lie within PAPER_TOLERANCE gray levels of
#: the median.  A shadow, a gradient or a dark sheet edge breaks the ring.
PAPER_TOLERANCE = 3
PAPER_SHARE = 0.5
RING_SHARE = 0.95

#: A "drawing" whose ink covers over this share of the ring inside its frame
#: is a grainy photo (its grain stretched into ink): read as a photo.
GRAIN_SHARE = 0.1


#: ``plainly_uniform`` looks at images of at most this many pixels a side
#: (it costs a step of Python and a big integer per row); bigger ones are
#: shrunk and looked at.
QUICK_SIDE = 8192

#: bytes.translate table: 0 stays 0, anything else becomes 1.
_NONZERO = bytes([0] + [1] * 255)


def _round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up (Python's round() goes to even)."""
    return math.floor(x + 0.5)


def _median(values: Sequence[float], ordered: Optional[Sequence[float]] = None) -> float:
    """The median of ``values`` (``ordered``: the same values sorted, if at hand)."""
    if ordered is None:
        ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _count_near(ordered: Sequence[float], centre: float, tolerance: float) -> int:
    """How many of the sorted values v have abs(v - centre) <= tolerance,
    computed in floats as written.  They are one run of the sorted list
    (v - centre never shrinks as v grows, even rounded), so two bisections
    find its ends: the first v with v - centre >= -tolerance, the first
    with v - centre > tolerance.

    >>> _count_near([1.0, 2.0, 4.5, 5.0, 8.0, 8.5], 5.0, 3.0)
    4
    """
    def first(passes) -> int:  # the first index whose value passes (False ... False True ... True)
        low, high = 0, len(ordered)
        while low < high:
            middle = (low + high) // 2
            if passes(ordered[middle]):
                high = middle
            else:
                low = middle + 1
        return low
    return first(lambda v: v - centre > tolerance) - first(lambda v: v - centre >= -tolerance)


def _border(values: Sequence, width: int, height: int) -> list:
    """The outermost ring of pixels (each once)."""
    top = list(values[:width])
    bottom = list(values[(height - 1) * width:]) if height > 1 else []
    sides = []
    for y in range(1, height - 1):
        sides.append(values[y * width])
        if width > 1:
            sides.append(values[y * width + width - 1])
    return top + bottom + sides


def _ring(rows: Sequence[Sequence]) -> list:
    """``_border`` of an image given as rows (without making it one flat list first)."""
    if not rows:
        return []
    ring = list(rows[0]) + (list(rows[-1]) if len(rows) > 1 else [])
    for row in rows[1:-1]:
        ring.append(row[0])
        if len(row) > 1:
            ring.append(row[-1])
    return ring


def _brightness(image: Image) -> list[float]:
    """Gray level 0..255 per pixel, transparency composited away.

    Opaque images: the image's own ``gray8`` (ITU-R 601-2 luma).  With
    transparency we must pick what is behind it.  A *transparent canvas*
    (the border is mostly see-through, as a browser canvas exports it) is
    composited over the colour opposite to its paint: dark strokes over
    white, light strokes over black, so the strokes are ink either way.
    Otherwise (an opaque picture with a few see-through pixels) we
    composite over white, as a viewer would show it.
    """
    rgba = image.rgba
    alpha = rgba[3::4]
    if alpha.count(255) == len(alpha):
        return [float(v) for v in gray8(image)]
    red, green, blue = rgba[0::4], rgba[1::4], rgba[2::4]
    luma = [(299 * r + 587 * g + 114 * b) / 1000 for r, g, b in zip(red, green, blue)]
    behind = 255.0
    if _median(_border(alpha, image.width, image.height)) < 128:
        paint = sum(alpha)
        if paint:
            mean_paint = sum(v * a for v, a in zip(luma, alpha)) / paint
            behind = 255.0 if mean_paint < 128 else 0.0
    return [(v * a + behind * (255 - a)) / 255 for v, a in zip(luma, alpha)]


def drawing_ink(image: Image) -> tuple[int, int, list[float]]:
    """Ink of a drawing, one global background: ``(width, height, ink)``, ink in [0, 1].

    ``ink`` has ``width * height`` entries, row-major, top row first; 1.0 is
    the strongest ink, 0.0 background.  Steps, and why:

    1. Brightness 0..255 with transparency composited away (see
       ``_brightness``): a canvas export's background is "transparent
       black", which read naively is black, the same as the strokes.
    2. The background level is the median brightness: a digit covers well
       under half of any sensible picture.  Ink lies on the side (darker or
       lighter) that strays further from it, so black-on-white paper and
       MNIST's white-on-black both work, and so does gray paper.
    3. Ink = distance from the background in that direction.  Measuring
       from the real background (not from 0 or 255) makes gray paper 0.
    4. A thin frame (``FRAME_FRACTION``) is cleared: scanner edges.
    5. Stretch so the strongest ink is 1.0 (MNIST digits all reach full
       white; a pencil drawing should too), then zero ink below
       ``NOISE_LEVEL`` that touches no stronger ink (grain, dust; see
       ``_remove_faint_specks``).  If nothing differs from the background
       by ``MIN_CONTRAST`` levels the image is blank and all ink is 0.0.
    """
    return _ink_from_brightness(_brightness(image), image.width, image.height)


def _ink_from_brightness(brightness: list[float], width: int, height: int) -> tuple[int, int, list[float]]:
    """``drawing_ink``'s steps 2-5 on gray levels 0..255, row-major."""
    background = _median(brightness)
    darkest, lightest = min(brightness), max(brightness)
    if background - darkest >= lightest - background:
        ink = [max(0.0, background - v) for v in brightness]  # dark on light
    else:
        ink = [max(0.0, v - background) for v in brightness]  # light on dark

    frame = int(min(width, height) * FRAME_FRACTION)
    if frame:
        for y in range(height):
            row = y * width
            if y < frame or y >= height - frame:
                ink[row:row + width] = [0.0] * width
            else:
                ink[row:row + frame] = [0.0] * frame
                ink[row + width - frame:row + width] = [0.0] * frame

    strongest = max(ink)
    if strongest < MIN_CONTRAST:
        return width, height, [0.0] * (width * height)
    scaled = [v / strongest for v in ink]
    return width, height, _remove_faint_specks(scaled, width, height)


def _grainy(ink: Sequence[float], width: int, height: int) -> bool:
    """True if over ``GRAIN_SHARE`` of the ring just inside the ignored
    frame is ink, however faint: a drawing's strokes cross its edge here
    and there (its faint specks are gone), a dim photo's grain, stretched
    with its faint digit and touching stronger grain, is ink everywhere."""
    inset = int(min(width, height) * FRAME_FRACTION)
    if min(width, height) - 2 * inset < 3:
        return False
    rows = [ink[y * width + inset:(y + 1) * width - inset] for y in range(inset, height - inset)]
    ring = _ring(rows)
    return sum(1 for v in ring if v) > GRAIN_SHARE * len(ring)


def _remove_faint_specks(ink: list[float], width: int, height: int) -> list[float]:
    """Zero ink under ``NOISE_LEVEL`` unless it touches stronger ink.

    Faint pixels next to a stroke are its anti-aliased edge, part of the
    digit (MNIST is full of them, and removing them would move the centre
    of mass enough to shift 2% of real MNIST digits by a pixel).  Faint
    pixels with no strong neighbour (of 8) are paper grain or dust.
    """
    strong = [v >= NOISE_LEVEL for v in ink]
    cleaned = list(ink)
    for index, v in enumerate(ink):
        if v == 0.0 or strong[index]:
            continue
        y, x = divmod(index, width)
        touches = False
        for ny in range(max(0, y - 1), min(height, y + 2)):
            row = ny * width
            if any(strong[row + max(0, x - 1):row + min(width, x + 2)]):
                touches = True
                break
        if not touches:
            cleaned[index] = 0.0
    return cleaned


def _resize_area(pixels: list[list[float]], new_width: int, new_height: int) -> list[list[float]]:
    """Area-average a list of rows to ``new_height`` rows of ``new_width``.

    Done in two 1-D passes (rows, then columns): averaging over a rectangle
    is the same as averaging the row averages, and far cheaper.
    """
    # Each new pixel's weights are for a run of old pixels (first, first + 1,
    # ...): sum(map(mul, run, weights)) is sum(v * w ...) over them, the same
    # products added in the same order, with no Python step per product.
    across = _runs(_area_weights(len(pixels[0]), new_width))
    narrow = [[sum(map(mul, row[first:first + len(weights)], weights)) for first, weights in across]
              for row in pixels]
    columns = list(zip(*narrow))
    return [[sum(map(mul, column[first:first + len(weights)], weights)) for column in columns]
            for first, weights in _runs(_area_weights(len(pixels), new_height))]


def _runs(table: list[list[tuple[int, float]]]) -> list[tuple[int, list[float]]]:
    """``area_weights``' (old index, weight) lists as (first old index, weights)."""
    return [(weights[0][0], [w for _, w in weights]) for weights in table]


def _centre_of_mass(rows: list[list[float]]) -> tuple[float, float]:
    """Ink-weighted mean (x, y) in pixel-index coordinates (pixel i's centre is i)."""
    total = mass_x = mass_y = 0.0
    for y, row in enumerate(rows):
        row_total = sum(row)
        total += row_total
        mass_y += y * row_total
        mass_x += sum(map(mul, range(len(row)), row))  # sum(x * v ...), no step of Python per pixel
    return mass_x / total, mass_y / total


def to_mnist(width: int, height: int, ink: Sequence[float]) -> list[float]:
    """MNIST's recipe: 784 floats in [0, 1], a 28 x 28 field, row-major.

    ``ink`` has ``width * height`` entries (row-major), 0.0 = background.

    1. Crop to the bounding box of the pixels with ink > 0.
    2. Scale so the longer side is ``BOX`` (20) pixels and the shorter one
       keeps the aspect ratio (rounded half up, at least 1), averaging
       areas (``_resize_area``).  Stretch again so the strongest pixel is
       1.0: averaging a thin stroke dims it, and MNIST digits are not dim.
    3. Place in the 28 x 28 field so the centre of mass lands on pixel
       index 14 (MNIST's own centres of mass lie in [13.5, 14.5]: index 14
       when rounded), rounding the shift to whole pixels (no resampling
       blur) and clamping it so the digit stays inside the field.

    Raises ``ImageError`` if there is no ink at all.
    """
    if len(ink) != width * height:
        raise ImageError("ink has %d values, expected %d x %d = %d"
                         % (len(ink), width, height, width * height))
    # The rows and the columns holding ink > 0: each row (a slice) and each
    # column (a strided slice, ink[x::width]) has its max taken at C speed,
    # where looking at every pixel would be a step of Python each.
    rows_with_ink = [y for y in range(height) if max(ink[y * width:(y + 1) * width], default=0) > 0]
    if not rows_with_ink:
        raise ImageError("no ink found (the image is blank): nothing differs "
                         "enough from the background to be a digit")
    columns_with_ink = [x for x in range(width) if max(ink[x::width]) > 0]
    left, right = columns_with_ink[0], columns_with_ink[-1]
    top, bottom = rows_with_ink[0], rows_with_ink[-1]
    box_width, box_height = right - left + 1, bottom - top + 1
    crop = [list(ink[y * width + left:y * width + right + 1]) for y in range(top, bottom + 1)]

    longer = max(box_width, box_height)
    new_width = max(1, _round_half_up(box_width * BOX / longer))
    new_height = max(1, _round_half_up(box_height * BOX / longer))
    if (new_width, new_height) == (box_width, box_height):
        digit = crop  # already the right size: skip resampling, keep it exact
    else:
        digit = _resize_area(crop, new_width, new_height)
        strongest = max(max(row) for row in digit)
        digit = [[min(1.0, v / strongest) for v in row] for row in digit]

    centre_x, centre_y = _centre_of_mass(digit)
    middle = FIELD // 2
    offset_x = min(max(_round_half_up(middle - centre_x), 0), FIELD - new_width)
    offset_y = min(max(_round_half_up(middle - centre_y), 0), FIELD - new_height)

    field = [0.0] * (FIELD * FIELD)
    for y, row in enumerate(digit):
        start = (offset_y + y) * FIELD + offset_x
        field[start:start + new_width] = row
    return field


def _opaque_planes(image: Image, longest: int):
    """The image area-averaged to at most ``longest`` a side, as float gray
    levels: ``(width, height, gray, channels)``, ``gray`` a flat row-major
    list.  ``channels`` is None for a gray image, else a function giving
    {"red": ..., "green": ..., "blue": ...} the same way, only called if
    needed (each plane costs as much as the gray one).  Gray = ITU-R 601-2
    luma, mixed from the channels while shrinking (luma is linear, so this
    is the average of the luma).  Transparency is composited away first,
    at full size (see ``_brightness``).
    """
    width, height = fit_within(image.width, image.height, longest)
    rgba = image.rgba
    alpha = rgba[3::4]
    if alpha.count(255) != len(alpha):
        levels = bytes(min(255, int(v + 0.5)) for v in _brightness(image))
        return width, height, shrink_plane(levels, image.width, image.height, width, height), None
    red, green, blue = rgba[0::4], rgba[1::4], rgba[2::4]
    if red == green == blue:
        return width, height, shrink_plane(red, image.width, image.height, width, height), None
    gray = shrink_mix([(red, 299), (green, 587), (blue, 114)], image.width, image.height, width, height, rgba)

    def channels():
        return {name: shrink_plane(plane, image.width, image.height, width, height)
                for name, plane in (("red", red), ("green", green), ("blue", blue))}
    return width, height, gray, channels


def _transparent(image: Image) -> bool:
    alpha = image.rgba[3::4]
    return alpha.count(255) != len(alpha)


def plainly_uniform(image: Image) -> bool:
    """A cheap test that ``choose_path`` would call an opaque ``image``'s
    paper uniform, without shrinking it: True only when it would.

    Most drawings (a paint program's PNG, a canvas saved opaque) have paper
    of one exact colour, the corner's.  A pixel of the shrunk image whose
    whole block of old pixels is exactly that colour is exactly that colour
    too (an average of equal values).  So if such pixels are more than half
    of the shrunk image (plus two, so both middle values of the sorted list
    are among them), they are its median and within ``PAPER_TOLERANCE`` of
    it; and if the ring ``choose_path`` looks at is made of them, the ring
    is uniform too.  Which blocks hold anything else is found a band of
    rows at a time: each row, as one big integer, XOR the paper's row is
    zero except where a pixel differs; OR-ed over the band, its nonzero
    runs (found at C speed, few: the strokes) mark the columns of shrunk
    pixels that are not plain paper.  False means "shrink and look" (the
    paper may still be uniform), never "a photo".
    """
    width, height = image.width, image.height
    if max(width, height) > QUICK_SIDE:
        return False  # a step of Python per row, a big integer per row: not cheap here
    small_width, small_height = fit_within(width, height, PHOTO_SIDE)
    rgba = image.rgba
    paper_row = rgba[:4] * width
    paper = int.from_bytes(paper_row, "little")
    row_bytes = 4 * width
    down = area_spans(height, small_height)
    inset = int(min(small_width, small_height) * FRAME_FRACTION)
    # The ring's two rows first: one pixel off the paper there settles it,
    # and a photo's paper (grain, uneven light) is off almost everywhere.
    # Comparing a row's bytes runs at C speed, with no big integers.
    for y_small in (inset, small_height - 1 - inset):
        first, last, _, _ = down[y_small]
        for y in range(first, last + 1):
            if rgba[y * row_bytes:(y + 1) * row_bytes] != paper_row:
                return False
    across = area_spans(width, small_width)
    lasts = [last for _, last, _, _ in across]  # ascending: shrunk column x ends at old column lasts[x]
    ring_columns = {inset, small_width - 1 - inset}
    plain = 0
    for y_small, (first, last, _, _) in enumerate(down):
        differs = 0
        for y in range(first, last + 1):
            row = rgba[y * row_bytes:(y + 1) * row_bytes]
            if row != paper_row:  # plain rows (most of a drawing's) need no big integer
                differs |= int.from_bytes(row, "little") ^ paper
        if not differs:
            plain += small_width
            continue
        if y_small in (inset, small_height - 1 - inset):
            return False  # a ring row with something on it
        flags = differs.to_bytes(row_bytes, "little").translate(_NONZERO)
        marked = set()
        start = flags.find(1)
        while start >= 0:
            stop = flags.find(0, start)
            stop = row_bytes if stop < 0 else stop
            # old columns start//4 .. (stop-1)//4 differ: mark every shrunk
            # column whose block reaches into them
            x_small = bisect.bisect_left(lasts, start // 4)
            while x_small < small_width and across[x_small][0] <= (stop - 1) // 4:
                marked.add(x_small)
                x_small += 1
            start = flags.find(1, stop)
        if inset < y_small < small_height - 1 - inset and marked & ring_columns:
            return False  # the ring's sides
        plain += small_width - len(marked)
    return 2 * plain >= small_width * small_height + 4


#: ``choose_path``'s reason for a drawing whose strokes cross its frame.
DRAWN_TO_THE_EDGE = "its paper and ink are two exact colours, the ink reaching its edge"


def _drawn_to_the_edge(gray: Sequence[float], width: int, height: int, ordered: Sequence[float],
                       median: float, ring: Sequence[float]) -> bool:
    """True if a picture whose ring is not plain paper is still a drawing:
    a digit drawn big, its strokes running into the frame.

    A drawing's paper is one exact value, and so is the core of its
    strokes: a paint program's or a canvas's solid colour.  A photo has
    neither (grain, uneven light, a JPEG's ripples), so: at least
    ``PAPER_SHARE`` of the picture is exactly the paper's value, and
    ``RING_SHARE`` of the ring is exactly the paper's or the ink's (the
    value furthest from the paper).  But no whole edge row or column may
    be ink: a drawing letterboxed by bars the ink's colour is a frame
    around a picture, for the photo reading to cut (its flat margins).
    """
    exact = bisect.bisect_right(ordered, median) - bisect.bisect_left(ordered, median)
    ink = ordered[0] if median - ordered[0] >= ordered[-1] - median else ordered[-1]
    if exact < PAPER_SHARE * len(ordered) or abs(ink - median) <= PAPER_TOLERANCE:
        return False
    if sum(1 for v in ring if v == median or v == ink) < RING_SHARE * len(ring):
        return False
    edges = [gray[:width], gray[(height - 1) * width:], gray[::width], gray[width - 1::width]]
    return not any(all(v == ink for v in edge) for edge in edges)


def choose_path(image: Image, gray: Sequence[float], width: int, height: int,
                ordered: Optional[Sequence[float]] = None) -> tuple[str, str]:
    """("drawing" or "photo", why): which ink finder reads ``image``.

    ``gray`` is its brightness, ``width`` x ``height`` (possibly shrunk);
    ``ordered``, if given, the same values sorted (``_stages`` sorts them
    once for this and for ``find_ink``).  See the module docstring for the rules.
    """
    if _transparent(image):
        return "drawing", "it has transparency"
    if max(image.width, image.height) <= TINY_SIDE:
        return "drawing", "it is tiny"
    if ordered is None:
        ordered = sorted(gray)
    median = _median(gray, ordered)
    paper = _count_near(ordered, median, PAPER_TOLERANCE)
    inset = int(min(width, height) * FRAME_FRACTION)
    inner = [gray[y * width + inset:(y + 1) * width - inset] for y in range(inset, height - inset)]
    ring = _ring(inner)
    ring_paper = sum(1 for v in ring if abs(v - median) <= PAPER_TOLERANCE)
    why = None
    if paper >= PAPER_SHARE * len(gray):
        if ring_paper >= RING_SHARE * len(ring):
            why = "its paper is uniform"
        elif _drawn_to_the_edge(gray, width, height, ordered, median, ring):
            why = DRAWN_TO_THE_EDGE
    if why is not None:
        # ... unless the uniform "paper" is a dark desk, and the sheet on it
        # (bright, sharp-edged) would be read as the ink.
        rows = [gray[y * width:(y + 1) * width] for y in range(height)]
        if sheet.sheet_mask(rows, photo_ink.otsu_threshold(ordered)) is not None:
            return "photo", "a sheet lies on a uniform desk"
        return "drawing", why
    return "photo", ("its paper is not uniform: %.0f%% of pixels, %.0f%% of the edge within %d "
                     "levels of the median" % (100.0 * paper / len(gray),
                                               100.0 * ring_paper / max(1, len(ring)), PAPER_TOLERANCE))


def _stages(image: Image) -> tuple[list[tuple], int, int, list[float]]:
    """(stages, width, height, ink): every step's image and the final ink.
    Each stage is (name, width, height, function giving its values): most
    callers want only the ink, and drawing every step costs a pass over
    each image."""
    # "..." for the arguments: a stage's function may bind its step as a default.
    stages: list[tuple[str, int, int, Callable[..., list[float]]]]
    ordered = None
    if _transparent(image) or max(image.width, image.height) <= TINY_SIDE:
        path, why = choose_path(image, [], 0, 0)
    else:
        if plainly_uniform(image):
            path, why = "drawing", "its paper is uniform"  # what choose_path would say, found cheaply
            # Small, only to look for a canvas in a screenshot (the page is uniform too).
            width, height, gray, channels = _opaque_planes(image, CANVAS_SIDE)
        else:
            width, height, gray, channels = _opaque_planes(image, PHOTO_SIDE)
            ordered = sorted(gray)  # for the paper's median here, and the ink's polarity in find_ink
            path, why = choose_path(image, gray, width, height, ordered)
        inner, how = None, ""
        if path == "photo":
            inner, how = _framed_drawing(image, gray, width, height), "in a frame of one colour, cut off"
        if inner is None and (path == "photo" or why == "its paper is uniform"):
            inner, how = _canvas_drawing(image, gray, width, height), "on a canvas in a screenshot, cut out"
        if inner is not None:
            stages, inner_width, inner_height, ink = _stages(inner)
            framed = ("brightness (a drawing %s)" % how, width, height, lambda: [v / 255.0 for v in gray])
            return [framed] + stages, inner_width, inner_height, ink
    if path == "drawing":
        if max(image.width, image.height) <= DRAWING_SIDE:
            width, height, brightness = image.width, image.height, _brightness(image)
        else:
            width, height, brightness, _ = _opaque_planes(image, DRAWING_SIDE)
        drawn_width, drawn_height, ink = _ink_from_brightness(brightness, width, height)
        stages = [("brightness (a drawing: %s)" % why, drawn_width, drawn_height,
                   lambda: [v / 255.0 for v in brightness]), ("ink", drawn_width, drawn_height, lambda: ink)]
        grainy = why == "its paper is uniform" and _grainy(ink, drawn_width, drawn_height)
        if (any(ink) and not grainy) or why != "its paper is uniform":
            return stages, drawn_width, drawn_height, ink
        # Evenly lit paper but no ink strong enough for a drawing: maybe a
        # faint pencil, or a pale pen that only shows in one colour.  Or
        # grain all over (a dim photo): the drawing reading calls it ink.
        width, height, gray, channels = _opaque_planes(image, PHOTO_SIDE)
        ordered = None
        why = "its paper is grainy" if grainy else "no ink strong enough for a drawing"
    stages = [("brightness (a photo: %s)" % why, width, height, lambda: [v / 255.0 for v in gray])]
    found = _find_ink(width, height, gray, channels, ordered)
    for name, step in found.stages:
        stages.append((name, width, height, lambda step=step: _flat(step())))
    if found.ink is None:
        return stages, width, height, [0.0] * (width * height)
    ink = _flat(found.ink)
    stages.append(("photo ink", width, height, lambda ink=ink: ink))  # (ink is rebound below)
    zoomed = _zoom(image, found, width, height)
    if zoomed is None:
        return stages, width, height, ink
    crop_width, crop_height, close = zoomed
    for name, step in close.stages:
        stages.append(("zoomed in: " + name, crop_width, crop_height,
                       lambda step=step: _flat(step())))
    assert close.ink is not None  # _zoom returns only a reading that found ink
    ink = _flat(close.ink)
    stages.append(("photo ink, zoomed in", crop_width, crop_height, lambda: ink))
    return stages, crop_width, crop_height, ink


def _framed_drawing(image: Image, gray: Sequence[float], width: int, height: int) -> Optional[Image]:
    """The drawing inside a flat frame around ``image``, or None.

    A drawing letterboxed by a gallery app, or pasted on a page of
    another colour, has a frame: whole rows and columns of one colour at
    its edges (``nrnn.image.ink.flat_margins`` on ``gray``, the image
    shrunk to ``width`` x ``height``).  The frame is no paper, so
    ``choose_path`` calls it a photo; the photo reading would cut the
    frame, but then read a noiseless drawing as a photo.  So the part
    inside the frame is cut out (``_drawing_in``).
    """
    rows = [list(gray[y * width:(y + 1) * width]) for y in range(height)]
    box = photo_ink.flat_margins(rows)
    if box == (0, 0, width, height):
        return None
    return _drawing_in(image, gray, width, height, box)


def _canvas_drawing(image: Image, gray: Sequence[float], width: int, height: int) -> Optional[Image]:
    """The drawing on a canvas inside a screenshot of ``image``'s app
    (``nrnn.image.screenshot.canvas_box`` on ``gray``, the image shrunk to
    ``width`` x ``height``), cut out (``_drawing_in``); or None.

    The canvas is not judged again by ``choose_path``: ``canvas_box``
    found it flat and of one exact colour, its rim blank, and a fat brush
    on a small canvas leaves less of it paper than ``PAPER_SHARE`` asks
    of a whole drawing."""
    box = screenshot.canvas_box(gray, width, height)
    return None if box is None else _drawing_in(image, gray, width, height, box, judge=False)


def _drawing_in(image: Image, gray: Sequence[float], width: int, height: int,
                box: tuple[int, int, int, int], judge: bool = True) -> Optional[Image]:
    """The part of ``image`` inside ``box`` (left, top, right, bottom,
    right and bottom exclusive, in ``gray``'s pixels: the image shrunk to
    ``width`` x ``height``), mapped back to its pixels and rounded inward,
    if ``choose_path`` calls that part of the shrunk picture a drawing (or
    ``judge`` is false); else None.  (Asked of the shrunk picture first: a
    photo in a frame, the usual case, costs no second shrinking.)"""
    left, top, right, bottom = box
    if judge:
        inside = [v for y in range(top, bottom) for v in gray[y * width + left:y * width + right]]
        if choose_path(image, inside, right - left, bottom - top)[0] != "drawing":
            return None
    across, down = image.width / width, image.height / height
    left, right = math.ceil(left * across), int(right * across)
    top, bottom = math.ceil(top * down), int(bottom * down)
    if right - left < 3 or bottom - top < 3:
        return None
    return _crop(image, left, top, right, bottom)


def _flat(rows: Sequence[Sequence[float]]) -> list[float]:
    """Rows as one row-major list, a row at a time (no step of Python per value)."""
    flat: list[float] = []
    for row in rows:
        flat += row
    return flat


def _find_ink(width: int, height: int, gray, channels, ordered=None) -> "photo_ink.InkFound":
    """``photo_ink.find_ink`` on the planes ``_opaque_planes`` made: the gray
    plane as rows, the colour planes (if any) cut into rows only when
    ``find_ink`` asks for them; ``ordered``: the gray values sorted, if at hand."""
    rows = [gray[y * width:(y + 1) * width] for y in range(height)]
    colour = None
    if channels:
        def colour():
            return {name: [plane[y * width:(y + 1) * width] for y in range(height)]
                    for name, plane in channels().items()}
    return photo_ink.find_ink(rows, colour, ordered)


def _crop(image: Image, left: int, top: int, right: int, bottom: int) -> Image:
    """The pixels left <= x < right, top <= y < bottom of ``image``, as an Image."""
    stride, start, stop = 4 * image.width, 4 * left, 4 * right
    rgba = b"".join(image.rgba[y * stride + start:y * stride + stop] for y in range(top, bottom))
    return Image(right - left, bottom - top, rgba, image.name)


def _zoom(image: Image, found: "photo_ink.InkFound", width: int, height: int):
    """A second, closer reading of a digit that is small in the photo:
    ``(width, height, InkFound)`` of a crop around it, or None.

    The photo was read shrunk to ``width`` x ``height`` (at most
    ``PHOTO_SIDE`` a side).  A digit that fills a tenth of a phone photo's
    height is then 20 or 30 pixels tall, its pencil or ballpoint strokes a
    pixel wide: the area average has thinned them to a few gray levels
    over the paper, the threshold breaks them, and the 28 x 28 input gets
    a loop with a gap or a stroke in pieces (only strokes up to
    ``ZOOM_STROKE`` pixels wide: wider ones come through whole).  The
    photo itself has several times those pixels.  So the box ``found``
    kept, grown by its longer side on every side (the digit's nearby
    pieces, and paper around it for the local paper estimate), is cut from
    the full image and read again, shrunk so that the digit's longer side
    is about ``ZOOM_DIGIT`` pixels: at least ``ZOOM_GAIN`` times finer, or
    not at all (a big digit gains nothing, and the cost is a second
    reading).  The closer reading is kept only if it finds ink overlapping
    the first one's box: the digit itself, not something the crop cut in a
    new way.
    """
    assert found.box is not None  # ink was found, so a box too
    left, top, right, bottom = found.box
    side = max(right - left + 1, bottom - top + 1)
    scale_x, scale_y = image.width / width, image.height / height
    x0, y0 = max(0, int((left - side) * scale_x)), max(0, int((top - side) * scale_y))
    x1 = min(image.width, int(math.ceil((right + 1 + side) * scale_x)))
    y1 = min(image.height, int(math.ceil((bottom + 1 + side) * scale_y)))
    # Shrunk so the digit is ZOOM_DIGIT pixels, not as big as can be: its
    # strokes then come out as thick, relative to the digit, as in a photo
    # where it is big (the ink kept grows by a pixel each way).
    zoom = ZOOM_DIGIT / side
    # Strokes several pixels wide came through the shrinking whole: read
    # again, they would only come out thinner, relative to the digit, than
    # in every other photo (the grown pixel counts for less).
    if zoom < ZOOM_GAIN or found.thinness * side > ZOOM_STROKE:
        return None
    longest = min(PHOTO_SIDE, int(zoom * max(x1 - x0, y1 - y0) / max(scale_x, scale_y) + 0.5))
    crop_width, crop_height = fit_within(x1 - x0, y1 - y0, longest)
    if crop_width < ZOOM_GAIN * (x1 - x0) / scale_x:
        return None  # the photo has not the pixels: nothing to gain
    crop_width, crop_height, gray, channels = _opaque_planes(_crop(image, x0, y0, x1, y1), longest)
    close = _find_ink(crop_width, crop_height, gray, channels)
    if close.ink is None or close.box is None:
        return None
    # The first box in the crop's pixels: the closer reading must overlap it.
    across, down = crop_width / (x1 - x0) * scale_x, crop_height / (y1 - y0) * scale_y
    first = ((left - x0 / scale_x) * across, (top - y0 / scale_y) * down,
             (right + 1 - x0 / scale_x) * across, (bottom + 1 - y0 / scale_y) * down)
    box = close.box
    if box[2] + 1 < first[0] or box[0] > first[2] or box[3] + 1 < first[1] or box[1] > first[3]:
        return None
    return crop_width, crop_height, close


def ink_from_image(image: Image) -> tuple[int, int, list[float]]:
    """Ink intensity per pixel: ``(width, height, ink)``, ink in [0, 1].

    ``ink`` has ``width * height`` entries, row-major, top row first; 1.0 is
    the strongest ink, 0.0 background.  The size is the image's, or smaller
    for a big image or a photo (see the module docstring: ``drawing_ink``
    or ``nrnn.image.ink.find_ink``, as ``choose_path`` says).
    """
    _, width, height, ink = _stages(image)
    return width, height, ink


def prepare_stages(image: Image) -> list[tuple[str, int, int, list[float]]]:
    """Every step from ``image`` to the network's input, to look at:
    a list of ``(stage name, width, height, values)``, values in [0, 1]
    row-major (1.0 = white when drawn).  The last is the 784 inputs
    themselves (``prepare(image)``), named "input 28x28".

    Raises ``ImageError`` naming the image if it holds no ink, like prepare.
    """
    stages, width, height, ink = _stages(image)
    field = _field(image, width, height, ink)
    return [(name, w, h, values()) for name, w, h, values in stages] + [("input 28x28", FIELD, FIELD, field)]


def _field(image: Image, width: int, height: int, ink: list[float]) -> list[float]:
    """to_mnist, its error naming the image."""
    try:
        return to_mnist(width, height, ink)
    except ImageError as error:
        raise ImageError("%s: %s" % (image.name, error)) from None


def thumbnail(width: int, height: int, values: Sequence[float], longest: int) -> tuple[int, int, list[float]]:
    """A stage's image area-averaged to at most ``longest`` pixels a side
    (aspect kept), to show it small: ``(width, height, values)``.

    >>> thumbnail(4, 2, [0, 1, 1, 0, 0, 1, 1, 0], 2)
    (2, 1, [0.5, 0.5])
    """
    new_width, new_height = fit_within(width, height, longest)
    if (new_width, new_height) == (width, height):
        return width, height, list(values)
    rows = [values[y * width:(y + 1) * width] for y in range(height)]
    return new_width, new_height, [v for row in resize_rows(rows, new_width, new_height) for v in row]


def prepare(image: Image) -> list[float]:
    """The network's input for ``image``: 784 floats in [0, 1] (see module doc).

    Raises ``ImageError`` naming the image if it holds no ink.
    """
    _, width, height, ink = _stages(image)
    return _field(image, width, height, ink)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
