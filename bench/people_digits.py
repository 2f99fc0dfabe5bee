"""Digits as people really hand them to nrnn: canvases, paint programs, photos.

The MNIST test set measures the network on MNIST's own 28 x 28 inputs.  A
user never sends one of those: they send a browser canvas export, a paint
program's PNG, or a phone photo of ink on paper, with uneven light, shadows,
ruled lines, a digit small in a big frame, JPEG blocks.  This module makes
such images from the MNIST *test* digits (never the training set), one
function per *kind*, so a benchmark (``bench/bench_people.py``) can say how
well the whole pipeline (decode -> preprocess -> network) reads each kind.

How a digit becomes a scene
---------------------------
1. *Ink mask.*  The 28 x 28 digit is sampled with bilinear interpolation at
   every pixel of the target box, through a projective map (scale, rotation,
   slant and a small perspective skew), and turned into coverage with a soft
   threshold::

       coverage = clamp((s - threshold) / softness + 1/2, 0, 1)

   where s in [0, 1] is the interpolated MNIST level.  ``threshold`` sets
   the stroke width (0.25: a marker; 0.7: a thin pen) and ``softness`` the
   edge (one output pixel wide: anti-aliased; 0: a hard-edged paint tool).
   A grey dilation of the 28 x 28 digit first makes marker strokes fatter.
2. *Scene.*  The paper is a smooth field of colour evaluated on a coarse
   grid and interpolated (lighting gradient, vignetting, shadows, the table
   around the sheet), optionally with ruled or squared lines; ink multiplies
   the paper's reflectance (``paper * (1 - coverage * (1 - ink/paper))``),
   so a shadow darkens ink and paper alike.  A desk around a small sheet
   is such a layer too, covering all but the sheet, so that the sheet's
   edge is straight and sharp as a real one; so is a thumb holding the
   sheet (its skin, and a second layer darkening it toward its rim).  Camera blur is a [1 2 1] / 4
   filter on the coverage; sensor noise is added from a table of seeded
   Gaussian integers read at a random offset per row.
3. *File.*  PNG (gray, RGB or RGBA) or, once ``nrnn.image.jpeg_encoder`` exists,
   JPEG at phone or messenger quality.

Every image is a pure function of (seed, kind, index): each gets its own
``PCG32`` stream, and nothing else here draws random numbers, so the same
command makes the same bytes in any checkout and on any interpreter.

>>> digits = MnistTest.synthetic()
>>> sample = generate("paint", 0, seed=1, digits=digits)
>>> sample.kind, sample.fmt, sample.data[:4] == b"\\x89PNG"
('paint', 'png', True)
>>> sample == generate("paint", 0, seed=1, digits=digits)
True
"""

import gzip
import math
import operator
import os
import struct
import zlib
from collections.abc import Sequence
from typing import Callable, NamedTuple, Optional

from nrnn.image import png
from nrnn.image.strokes import fit, render
from nrnn.net.prng import PCG32

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:  # written on another branch; the JPEG kinds are skipped until it lands
    from nrnn.image import jpeg_encoder  # type: ignore
except ImportError:  # pragma: no cover - depends on the checkout
    jpeg_encoder = None

SHARED = os.environ.get("NRNN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
MNIST_FOLDER = os.path.join(SHARED, "mnist")

IDX_IMAGES = struct.Struct(">IIII")  # magic 2051, count, rows, columns
IDX_LABELS = struct.Struct(">II")    # magic 2049, count
SIDE = 28


class Sample(NamedTuple):
    """One generated image.

    kind, index: which kind and which of its images
    label:       the digit drawn (0-9)
    source:      what it was drawn from ("mnist 1234" or "style 4-open")
    fmt:         "png" or "jpeg"
    data:        the encoded file
    width, height: its size in pixels
    box:         (left, top, right, bottom), right/bottom exclusive: where
                 the digit's ink was placed (before JPEG or blur)
    """
    kind: str
    index: int
    label: int
    source: str
    fmt: str
    data: bytes
    width: int
    height: int
    box: tuple[int, int, int, int]


class JpegUnavailable(Exception):
    """This checkout has no JPEG encoder (nrnn/image/jpeg_encoder.py) yet."""


# ------------------------------------------------------------------ MNIST


class MnistTest:
    """The MNIST test digits: ``labels`` (bytes) and ``images`` (784 bytes each)."""

    def __init__(self, labels: bytes, images: list[bytes]):
        self.labels = labels
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    @classmethod
    def load(cls, folder: str = MNIST_FOLDER) -> "MnistTest":
        """Read t10k-images/labels (gzip IDX) from ``folder``."""
        with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "rb") as handle:
            magic, count, rows, columns = IDX_IMAGES.unpack(handle.read(IDX_IMAGES.size))
            if (magic, rows, columns) != (2051, SIDE, SIDE):
                raise ValueError("%s: not an MNIST image file" % handle.name)
            block = handle.read(count * SIDE * SIDE)
        with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), "rb") as handle:
            magic, label_count = IDX_LABELS.unpack(handle.read(IDX_LABELS.size))
            if magic != 2049 or label_count != count:
                raise ValueError("%s: not the labels of %d images" % (handle.name, count))
            labels = handle.read(count)
        images = [block[i * 784:(i + 1) * 784] for i in range(count)]
        return cls(labels, images)

    @classmethod
    def synthetic(cls) -> "MnistTest":
        """Two stand-in digits (a bar "1" and a ring "0") for doctests and
        for tests run without ../shared."""
        bar = bytes(255 if 12 <= x <= 15 and 4 <= y <= 23 else 0
                    for y in range(SIDE) for x in range(SIDE))
        ring = bytes(255 if 6.0 <= math.hypot((x - 13.5) / 0.7, y - 13.5) <= 9.0 else 0
                     for y in range(SIDE) for x in range(SIDE))
        return cls(bytes([1, 0]), [bar, ring])


# ------------------------------------------------------------ small maths


def _clamp(v: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if v < low else high if v > high else v


def _between(rng: PCG32, low: float, high: float) -> float:
    return low + (high - low) * rng.uniform()


def _choose(rng: PCG32, items: Sequence):
    return items[rng.below(len(items))]


def _chance(rng: PCG32, p: float) -> bool:
    return rng.uniform() < p


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve a small dense linear system by Gaussian elimination with
    partial pivoting (8 x 8 for a homography)."""
    n = len(rhs)
    rows = [list(matrix[i]) + [rhs[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        for r in range(col + 1, n):
            factor = rows[r][col] / lead
            if factor:
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        solution[r] = (rows[r][n] - sum(rows[r][c] * solution[c] for c in range(r + 1, n))) / rows[r][r]
    return solution


def homography(source: Sequence[tuple[float, float]],
               target: Sequence[tuple[float, float]]) -> tuple[float, ...]:
    """The projective map taking 4 ``source`` points to 4 ``target`` points.

    Returns (h0 .. h7) with::

        u = (h0 x + h1 y + h2) / (h6 x + h7 y + 1)
        v = (h3 x + h4 y + h5) / (h6 x + h7 y + 1)

    >>> h = homography([(0, 0), (1, 0), (1, 1), (0, 1)], [(2, 3), (4, 3), (4, 5), (2, 5)])
    >>> [round(v, 9) + 0.0 for v in h]
    [2.0, 0.0, 2.0, 0.0, 2.0, 3.0, 0.0, 0.0]
    """
    matrix, rhs = [], []
    for (x, y), (u, v) in zip(source, target):
        matrix.append([x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u])
        rhs.append(u)
        matrix.append([0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v])
        rhs.append(v)
    return tuple(_solve(matrix, rhs))


def _apply(h: Sequence[float], x: float, y: float) -> tuple[float, float]:
    w = h[6] * x + h[7] * y + 1.0
    return (h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w


# ------------------------------------------------------------- ink masks


class Ink(NamedTuple):
    """Ink coverage in a box of an image: ``cover`` has ``width * height``
    floats in [0, 1], row-major; the box's top-left pixel is (left, top)."""
    left: int
    top: int
    width: int
    height: int
    cover: list[float]


def _ink_bounds(pixels: bytes) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of a 28 x 28 digit's ink, right/bottom exclusive."""
    xs = [i % SIDE for i, v in enumerate(pixels) if v]
    ys = [i // SIDE for i, v in enumerate(pixels) if v]
    if not xs:
        return 0, 0, SIDE, SIDE
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def _dilate28(levels: list[float], amount: float) -> list[float]:
    """Grey dilation (3 x 3 max), blended in by ``amount`` in [0, 1]: a
    fractional thickening of the strokes by up to a pixel each side."""
    out = list(levels)
    for y in range(SIDE):
        for x in range(SIDE):
            best = 0.0
            for ny in range(max(0, y - 1), min(SIDE, y + 2)):
                row = ny * SIDE
                for nx in range(max(0, x - 1), min(SIDE, x + 2)):
                    if levels[row + nx] > best:
                        best = levels[row + nx]
            v = levels[y * SIDE + x]
            out[y * SIDE + x] = v + amount * (best - v)
    return out


class Placement(NamedTuple):
    """Where and how a 28 x 28 digit lands in an image.

    centre:  image position of the middle of the digit's ink box
    height:  the ink's height in image pixels
    angle:   rotation in degrees (counter-clockwise looks natural; sign free)
    slant:   horizontal shear (x += slant * y), e.g. 0.15 for italic
    skew:    largest random corner displacement as a fraction of the size:
             a small perspective distortion (0 for none)
    """
    centre: tuple[float, float]
    height: float
    angle: float = 0.0
    slant: float = 0.0
    skew: float = 0.0


def _digit_maps(pixels: bytes, place: Placement, rng: PCG32):
    """Forward (digit -> image) and inverse homographies for a placement."""
    left, top, right, bottom = _ink_bounds(pixels)
    scale = place.height / max(1, bottom - top)
    mid_u, mid_v = (left + right) / 2.0, (top + bottom) / 2.0
    cos_a = math.cos(math.radians(place.angle))
    sin_a = math.sin(math.radians(place.angle))
    size = SIDE * scale
    square = [(0.0, 0.0), (SIDE, 0.0), (SIDE, SIDE), (0.0, SIDE)]
    quad = []
    for u, v in square:
        x, y = (u - mid_u) * scale, (v - mid_v) * scale
        x += place.slant * -y  # top leans right for a positive slant
        x, y = cos_a * x + sin_a * y, -sin_a * x + cos_a * y
        x += place.centre[0] + _between(rng, -1, 1) * place.skew * size
        y += place.centre[1] + _between(rng, -1, 1) * place.skew * size
        quad.append((x, y))
    return homography(square, quad), homography(quad, square)


def mnist_ink(pixels: bytes, place: Placement, rng: PCG32, threshold: float = 0.45,
              edge: float = 1.0, thicken: float = 0.0, limit: tuple[int, int] = (1 << 30, 1 << 30)) -> Ink:
    """Coverage of an MNIST digit drawn at ``place`` (see module doc, step 1).

    ``edge``: width of the soft edge in image pixels (0: hard, binary).
    ``thicken``: 0..1, a grey dilation of the 28 x 28 digit first.
    ``limit``: (width, height) of the image: the box is clipped to it.
    """
    forward, inverse = _digit_maps(pixels, place, rng)
    levels = [v / 255.0 for v in pixels]
    if thicken > 0.0:
        levels = _dilate28(levels, thicken)
    # Pad by one zero pixel all round so bilinear reads need no bounds tests.
    padded = [0.0] * ((SIDE + 2) * (SIDE + 2))
    for y in range(SIDE):
        start = (y + 1) * (SIDE + 2) + 1
        padded[start:start + SIDE] = levels[y * SIDE:(y + 1) * SIDE]
    stride = SIDE + 2
    left, top, right, bottom = _ink_bounds(pixels)
    corners = [_apply(forward, u, v) for u, v in
               ((left - 1.5, top - 1.5), (right + 1.5, top - 1.5),
                (right + 1.5, bottom + 1.5), (left - 1.5, bottom + 1.5))]
    x0 = max(0, int(min(x for x, _ in corners)))
    y0 = max(0, int(min(y for _, y in corners)))
    x1 = min(limit[0], int(math.ceil(max(x for x, _ in corners))))
    y1 = min(limit[1], int(math.ceil(max(y for _, y in corners))))
    width, height = max(1, x1 - x0), max(1, y1 - y0)
    # One image pixel spans about (28 / size) digit pixels, and the bilinear
    # level changes by up to 1 per digit pixel, so an edge of ``edge`` image
    # pixels is a level band this wide:
    pixel_in_digit = math.hypot(inverse[0], inverse[3])
    softness = edge * pixel_in_digit
    h0, h1, h2, h3, h4, h5, h6, h7 = inverse
    cover = []
    for y in range(y0, y0 + height):
        py = y + 0.5
        base_u, base_v, base_w = h1 * py + h2, h4 * py + h5, h7 * py + 1.0
        row = []
        append = row.append
        for x in range(x0, x0 + width):
            px = x + 0.5
            w = h6 * px + base_w
            # +0.5: digit pixel i has its centre at i + 0.5; +1: the padding
            u = (h0 * px + base_u) / w + 0.5
            v = (h3 * px + base_v) / w + 0.5
            if not (0.0 <= u < SIDE + 1 and 0.0 <= v < SIDE + 1):
                append(0.0)
                continue
            iu, iv = int(u), int(v)
            fu, fv = u - iu, v - iv
            k = iv * stride + iu
            top_row = padded[k] + fu * (padded[k + 1] - padded[k])
            low_row = padded[k + stride] + fu * (padded[k + stride + 1] - padded[k + stride])
            s = top_row + fv * (low_row - top_row)
            if softness > 0.0:
                c = (s - threshold) / softness + 0.5
                append(0.0 if c <= 0.0 else 1.0 if c >= 1.0 else c)
            else:
                append(1.0 if s >= threshold else 0.0)
        cover.extend(row)
    return Ink(x0, y0, width, height, cover)


def _thin(grid: list[list[int]]) -> list[list[int]]:
    """Zhang-Suen thinning of a 0/1 grid (with a border of zeros): peel
    boundary pixels in two alternating sub-steps until only a 1-pixel-wide
    skeleton remains.  A pixel goes when it has 2..6 set neighbours, exactly
    one 0 -> 1 transition around it (removing it keeps one piece), and it
    lies on the side the sub-step peels (south-east, then north-west)."""
    height, width = len(grid), len(grid[0])
    grid = [list(row) for row in grid]
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            doomed = []
            for y in range(1, height - 1):
                above, row, below = grid[y - 1], grid[y], grid[y + 1]
                for x in range(1, width - 1):
                    if not row[x]:
                        continue
                    # P2..P9: north, then clockwise.
                    p = (above[x], above[x + 1], row[x + 1], below[x + 1],
                         below[x], below[x - 1], row[x - 1], above[x - 1])
                    count = sum(p)
                    if not 2 <= count <= 6:
                        continue
                    if sum(1 for k in range(8) if not p[k] and p[(k + 1) % 8]) != 1:
                        continue
                    if step == 0 and (p[0] and p[2] and p[4] or p[2] and p[4] and p[6]):
                        continue
                    if step == 1 and (p[0] and p[2] and p[6] or p[0] and p[4] and p[6]):
                        continue
                    doomed.append((y, x))
            for y, x in doomed:
                grid[y][x] = 0
            changed = changed or bool(doomed)
    return grid


def skeleton(pixels: bytes, threshold: float = 0.4) -> list[list[tuple[float, float]]]:
    """The centre lines of a 28 x 28 digit as 2-point strokes in digit
    coordinates (0..28): upsample x2 bilinearly, threshold, thin, join
    neighbouring skeleton pixels, and smooth the staircase out.  Drawing
    them with a pen of any width gives the digit written with that pen:
    MNIST's strokes are all about 2.5 of 20 pixels wide (an eighth of the
    height); a ballpoint's are 3-5% of it."""
    scale = 2
    size = SIDE * scale + 2  # plus a zero border for the thinning
    levels = [v / 255.0 for v in pixels]

    def level(u: float, v: float) -> float:
        iu, iv = int(math.floor(u)), int(math.floor(v))
        fu, fv = u - iu, v - iv
        total = 0.0
        for du, dv, w in ((0, 0, (1 - fu) * (1 - fv)), (1, 0, fu * (1 - fv)),
                          (0, 1, (1 - fu) * fv), (1, 1, fu * fv)):
            x, y = iu + du, iv + dv
            if 0 <= x < SIDE and 0 <= y < SIDE:
                total += w * levels[y * SIDE + x]
        return total

    grid = [[0] * size for _ in range(size)]
    for j in range(SIDE * scale):
        for i in range(SIDE * scale):
            # Centre of fine pixel (i, j) in digit-pixel-index coordinates.
            if level((i + 0.5) / scale - 0.5, (j + 0.5) / scale - 0.5) >= threshold:
                grid[j + 1][i + 1] = 1
    grid = _thin(grid)
    nodes = {(x, y) for y in range(size) for x in range(size) if grid[y][x]}
    edges = []
    for x, y in nodes:
        for dx, dy in ((1, 0), (0, 1), (1, 1), (-1, 1)):
            if (x + dx, y + dy) not in nodes:
                continue
            # A diagonal step already joined through an orthogonal pixel
            # would draw a small triangle: skip it.
            if dx and dy and ((x + dx, y) in nodes or (x, y + dy) in nodes):
                continue
            edges.append(((x, y), (x + dx, y + dy)))
    neighbours: dict[tuple[int, int], list[tuple[int, int]]] = {n: [] for n in nodes}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    position = {n: ((n[0] - 0.5) / scale, (n[1] - 0.5) / scale) for n in nodes}
    for _ in range(3):  # Laplacian smoothing of the path's interior points
        moved = {}
        for n, near in neighbours.items():
            if len(near) == 2:
                (ax, ay), (bx, by) = position[near[0]], position[near[1]]
                x, y = position[n]
                moved[n] = (0.5 * x + 0.25 * (ax + bx), 0.5 * y + 0.25 * (ay + by))
        position.update(moved)
    return [[position[a], position[b]] for a, b in sorted(edges)] or [[(14.0, 14.0)]]


def pen_ink(pixels: bytes, place: Placement, rng: PCG32, pen: float, limit: tuple[int, int]) -> Ink:
    """An MNIST digit rewritten with a round pen ``pen`` pixels wide along
    its skeleton (see ``skeleton``), placed like ``mnist_ink``."""
    forward, _ = _digit_maps(pixels, place, rng)
    strokes = [[_apply(forward, u, v) for u, v in stroke] for stroke in skeleton(pixels)]
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    reach = pen + 2
    x0, y0 = max(0, int(min(xs) - reach)), max(0, int(min(ys) - reach))
    x1 = min(limit[0], int(max(xs) + reach) + 1)
    y1 = min(limit[1], int(max(ys) + reach) + 1)
    width, height = max(1, x1 - x0), max(1, y1 - y0)
    local = [[(x - x0, y - y0) for x, y in stroke] for stroke in strokes]
    return Ink(x0, y0, width, height, render(local, width, height, pen))


def stroke_ink(strokes, place: Placement, pen: float, limit: tuple[int, int]) -> Ink:
    """Coverage of unit-box ``strokes`` (see ``nrnn.image.strokes``) drawn with a
    round pen ``pen`` pixels wide; the unit box's height becomes
    ``place.height`` (strokes span about 0.7 of it), centred on
    ``place.centre``, turned and slanted."""
    size = place.height / 0.7
    radians = math.radians(place.angle)
    cos_a, sin_a = math.cos(radians), math.sin(radians)
    # fit's transform acts in the unit box about (0.5, 0.5): rotate a slanted box.
    a, b = cos_a, sin_a - cos_a * place.slant
    d, e = -sin_a, cos_a + sin_a * place.slant
    reach = size * 0.75 + pen
    x0 = max(0, int(place.centre[0] - reach))
    y0 = max(0, int(place.centre[1] - reach))
    x1 = min(limit[0], int(place.centre[0] + reach) + 1)
    y1 = min(limit[1], int(place.centre[1] + reach) + 1)
    shift_x = (place.centre[0] - x0) / size - 0.5
    shift_y = (place.centre[1] - y0) / size - 0.5
    mapped = fit(strokes, size, size, (a, b, shift_x, d, e, shift_y))
    width, height = max(1, x1 - x0), max(1, y1 - y0)
    return Ink(x0, y0, width, height, render(mapped, width, height, pen))


def blur(ink: Ink, passes: int) -> Ink:
    """``passes`` rounds of the [1 2 1] / 4 filter across and down (a
    binomial blur of standard deviation sqrt(passes / 2) pixels); the box
    grows by ``passes`` pixels each side so nothing is cut off."""
    if passes <= 0:
        return ink
    grow = passes
    width, height = ink.width + 2 * grow, ink.height + 2 * grow
    rows = [[0.0] * width for _ in range(grow)]
    pad = [0.0] * grow
    for y in range(ink.height):
        rows.append(pad + ink.cover[y * ink.width:(y + 1) * ink.width] + pad)
    rows.extend([0.0] * width for _ in range(grow))
    for _ in range(passes):
        rows = [[0.0] + [(a + 2.0 * b + c) * 0.25 for a, b, c in zip(r, r[1:], r[2:])] + [0.0]
                for r in rows]
        zero = [0.0] * width
        rows = ([zero] + [[(a + 2.0 * b + c) * 0.25 for a, b, c in zip(r0, r1, r2)]
                          for r0, r1, r2 in zip(rows, rows[1:], rows[2:])] + [zero])
    cover = [v for r in rows for v in r]
    return Ink(ink.left - grow, ink.top - grow, width, height, cover)


def grain(ink: Ink, rng: PCG32, strength: float) -> Ink:
    """Pencil: multiply the coverage by paper-tooth grain, ``1 - strength *
    g`` with g uniform in [0, 1), drawn once into a table read at random
    offsets (one draw per pixel would cost more than the whole scene)."""
    table = [1.0 - strength * rng.uniform() for _ in range(4096 + ink.width)]
    cover = []
    for y in range(ink.height):
        start = rng.below(4096)
        cover.extend(c * g for c, g in zip(ink.cover[y * ink.width:(y + 1) * ink.width],
                                           table[start:start + ink.width]))
    return Ink(ink.left, ink.top, ink.width, ink.height, cover)


def ink_box(ink: Ink, floor: float = 0.5) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the coverage at least ``floor``."""
    xs, ys = [], []
    for y in range(ink.height):
        row = ink.cover[y * ink.width:(y + 1) * ink.width]
        hits = [x for x, c in enumerate(row) if c >= floor]
        if hits:
            xs.extend((hits[0], hits[-1]))
            ys.append(y)
    if not xs:
        return ink.left, ink.top, ink.left, ink.top
    return (ink.left + min(xs), ink.top + min(ys), ink.left + max(xs) + 1, ink.top + max(ys) + 1)


# ----------------------------------------------------------------- scenes

#: Coarse grid step of the paper's colour field: light changes slowly, so
#: evaluating it every 8 pixels and interpolating costs 1/64 of the calls.
GRID = 8

Colour = tuple[float, float, float]


def _luma(colour: Colour) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def ink_colour(paper: Colour, hue: Colour, contrast: float) -> Colour:
    """An ink whose gray level is ``contrast`` below the paper's, with the
    tint of ``hue`` (reflectance ratios, e.g. blue ballpoint (0.35, 0.45,
    0.9)).  Returned as the ink's colour on that paper, in 0..255.

    >>> [round(v) for v in ink_colour((200.0, 200.0, 200.0), (0.0, 0.0, 0.0), 50)]
    [150, 150, 150]
    """
    darkening = [1.0 - h for h in hue]  # how much each channel loses at full ink
    loss = _luma(tuple(p * d for p, d in zip(paper, darkening)))
    t = 1.0 if loss <= 0 else min(1.0, contrast / loss)
    return tuple(p * (1.0 - t * d) for p, d in zip(paper, darkening))


class Lines(NamedTuple):
    """Ruled or squared paper: lines ``spacing`` pixels apart, ``width``
    pixels wide, of colour ``colour`` (as reflectance ratios), turned by
    ``angle`` degrees, ``grid`` True for squares."""
    spacing: float
    width: float
    colour: Colour
    angle: float
    grid: bool
    phase: float


#: Sub-pixel steps of the lines' coverage table (see ``_line_factor_row``).
_LINE_STEPS = 8


def _line_table(lines: Lines) -> list[float]:
    """Coverage of a line at each 1/``_LINE_STEPS`` pixel across one period:
    1 inside the line, a 1-pixel soft edge, 0 between lines."""
    count = max(1, int(lines.spacing * _LINE_STEPS))
    half = lines.width / 2.0
    table = []
    for k in range(count):
        d = k / _LINE_STEPS
        d = min(d, lines.spacing - d)  # distance to the nearest line
        table.append(_clamp(half + 0.5 - d))
    return table


def _line_factor_row(lines: Lines, table: list[float], y: int, width: int) -> Optional[list[list[float]]]:
    """Per-channel multipliers (3 lists of ``width``) of the paper's lines
    in row y, or None where the row crosses no line."""
    radians = math.radians(lines.angle)
    cos_a, sin_a = math.cos(radians), math.sin(radians)
    count = len(table)
    scale = count / lines.spacing
    # Distance along the lines' normal, in table steps, is linear in x.
    base = (cos_a * y + lines.phase) * scale
    step = -sin_a * scale
    cover = [table[int(base + step * x) % count] for x in range(width)]
    if lines.grid:
        base = (sin_a * y + lines.phase) * scale
        step = cos_a * scale
        cover = [max(c, table[int(base + step * x) % count]) for c, x in zip(cover, range(width))]
    if not any(cover):
        return None
    return [[1.0 - c * (1.0 - ratio) for c in cover] for ratio in lines.colour]


def scene(width: int, height: int, background: Callable[[float, float], Colour],
          inks: Sequence[tuple[Ink, Colour]], rng: PCG32, noise: float = 0.0,
          lines: Optional[Lines] = None, channels: int = 3) -> bytes:
    """Render a scene: ``width * height * channels`` bytes, row-major.

    ``background(x, y)`` is the paper's (or table's) colour at a point,
    already lit: evaluated every ``GRID`` pixels and interpolated.  Each
    ``(ink, colour)`` multiplies the background by ``1 - coverage * (1 -
    colour / paper_colour)`` where paper_colour is the unlit paper the ink
    colour was chosen for (colour is given relative to a paper of 255:
    reflectance 0..255).  ``noise`` is the sensor noise's standard deviation
    in levels.  ``channels`` 1 gives gray (the mean of R, G, B weights by luma).
    """
    columns = width // GRID + 2
    coarse = []
    for j in range(height // GRID + 2):
        coarse.append([background(i * GRID, j * GRID) for i in range(columns)])
    steps = [k / GRID for k in range(GRID)]
    # Sensor noise: integers from a seeded Gaussian table, read at a random
    # offset per row and channel.  The 256 offset folds clamping into one
    # table lookup (``levels``).
    offset = 256
    table_size = 8192
    noise_table = [int(round(rng.gaussian(0.0, noise))) + offset if noise else offset
                   for _ in range(table_size + width)]
    levels = bytes(_clamp(i - offset, 0, 255) for i in range(1024))
    by_row: dict[int, list[tuple[Ink, list[float]]]] = {}
    for ink, colour in inks:
        ratios = [c / 255.0 for c in colour]
        for y in range(max(0, ink.top), min(height, ink.top + ink.height)):
            by_row.setdefault(y, []).append((ink, ratios))
    line_table = _line_table(lines) if lines else []
    out_channels = [bytearray() for _ in range(3)]
    for y in range(height):
        j, fy = divmod(y, GRID)
        fy /= GRID
        upper, lower = coarse[j], coarse[j + 1]
        line_factors = _line_factor_row(lines, line_table, y, width) if lines else None
        for channel in range(3):
            cells = [a[channel] + fy * (b[channel] - a[channel]) for a, b in zip(upper, lower)]
            row = []
            for i in range(columns - 1):
                a = cells[i]
                d = cells[i + 1] - a
                row.extend([a + d * s for s in steps])
            del row[width:]
            if line_factors:
                row = [v * f for v, f in zip(row, line_factors[channel])]
            for ink, ratios in by_row.get(y, ()):
                loss = 1.0 - ratios[channel]
                start = (y - ink.top) * ink.width
                cover = ink.cover[start:start + ink.width]
                x0 = ink.left
                skip = max(0, -x0)
                x0 += skip
                x1 = min(width, ink.left + ink.width)
                if x1 <= x0:
                    continue
                cover = cover[skip:skip + x1 - x0]
                row[x0:x1] = [v * (1.0 - c * loss) for v, c in zip(row[x0:x1], cover)]
            start = rng.below(table_size)
            # int() truncates, noise and clamping are one table lookup; all
            # in map() so the loop runs in C (the scene's hottest line).
            out_channels[channel] += bytes(map(levels.__getitem__, map(
                operator.add, map(int, row), noise_table[start:start + width])))
    if channels == 1:
        r, g, b = out_channels
        return bytes((299 * x + 587 * y + 114 * z + 500) // 1000 for x, y, z in zip(r, g, b))
    rgb = bytearray(3 * width * height)
    rgb[0::3], rgb[1::3], rgb[2::3] = out_channels
    return bytes(rgb)


def encode_rgba8(width: int, height: int, pixels: bytes) -> bytes:
    """A PNG (8-bit RGBA, colour type 6) of ``4 * width * height`` bytes.
    nrnn.image.png encodes gray and RGB only; a canvas export needs alpha."""
    row_bytes = 4 * width
    raw = b"".join(b"\x00" + pixels[y * row_bytes:(y + 1) * row_bytes] for y in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _encode_jpeg(width: int, height: int, rgb: bytes, quality: int) -> bytes:
    if jpeg_encoder is None:
        raise JpegUnavailable("no nrnn/image/jpeg_encoder.py in this checkout")
    return jpeg_encoder.encode_rgb8(width, height, rgb, quality=quality, subsampling="4:2:0")


# -------------------------------------------------------- paper and light

PAPERS = {  # unlit paper reflectance (0..255), before exposure
    "white": (250.0, 250.0, 250.0),
    "cool": (240.0, 245.0, 255.0),
    "warm": (255.0, 248.0, 235.0),
    "beige": (245.0, 230.0, 195.0),
    "yellow": (255.0, 245.0, 190.0),
}

HUES = {  # ink reflectance ratios: how each channel survives the ink
    "black": (0.0, 0.0, 0.0),
    "blue": (0.45, 0.55, 0.95),
    "darkblue": (0.2, 0.25, 0.6),
    "red": (0.95, 0.3, 0.3),
    "green": (0.3, 0.7, 0.45),
    "graphite": (0.05, 0.05, 0.08),
}


def _paper_and_ink(rng: PCG32, brightness: tuple[float, float], contrast: tuple[float, float],
                   colour_chance: float) -> tuple[Colour, Colour, float]:
    """A lit paper colour of gray ``brightness``, an ink hue (reflectance
    ratios) and the contrast the strokes should show, in gray levels; with
    ``colour_chance`` a coloured ink (blue ballpoint, red, green) on a
    tinted paper."""
    tint = _choose(rng, ["white", "white", "cool", "warm"])
    hue = "black"
    if _chance(rng, colour_chance):
        tint = _choose(rng, ["white", "warm", "beige", "yellow"])
        hue = _choose(rng, ["blue", "blue", "darkblue", "red", "green"])
    base = PAPERS[tint]
    level = _between(rng, *brightness)
    paper = tuple(c * level / _luma(base) for c in base)
    return paper, HUES[hue], _between(rng, *contrast)


def _peak(ink: Ink) -> float:
    """The coverage the strokes' darkest parts reach (98th percentile of the
    inked pixels): a thin line blurred by the lens never reaches 1."""
    inked = sorted(c for c in ink.cover if c > 0.02)
    return inked[int(0.98 * (len(inked) - 1))] if inked else 1.0


def _lighting(rng: PCG32, width: int, height: int, paper: Colour, strength: float,
              vignette: float = 0.0, shadow: float = 0.0, table: float = 0.0):
    """The background function of a photo: ``paper`` lit by a smooth
    gradient (``strength``: the fraction lost from the brightest to the
    darkest side), optional vignetting, a soft ``shadow`` (fraction of light
    lost) over a corner or an edge, and with ``table`` > 0 the sheet's edge
    in the frame, with a darker table beyond it."""
    angle = _between(rng, 0, 2 * math.pi)
    gx, gy = math.cos(angle), math.sin(angle)
    diagonal = math.hypot(width, height)
    cx, cy = width / 2.0, height / 2.0
    shadow_centre = shadow_radius = soft = 0.0
    if shadow:
        corner = _choose(rng, [(0, 0), (width, 0), (0, height), (width, height),
                               (width / 2, -height * 0.3), (-width * 0.3, height / 2),
                               (width * 1.3, height / 2), (width / 2, height * 1.3)])
        shadow_centre = (corner[0] + _between(rng, -0.15, 0.15) * width,
                         corner[1] + _between(rng, -0.15, 0.15) * height)
        shadow_radius = _between(rng, 0.35, 0.65) * min(width, height)
        soft = _between(rng, 0.04, 0.25) * min(width, height)
        # A hand's or head's shadow is round; a phone's has a straight edge.
        straight = _chance(rng, 0.5)
        towards = math.atan2(cy - shadow_centre[1], cx - shadow_centre[0]) + _between(rng, -0.5, 0.5)
        normal = (math.cos(towards), math.sin(towards))
    edge_normal = edge_at = 0.0
    table_colour = (0.0, 0.0, 0.0)
    if table:
        side = rng.below(4)
        edge_normal = side
        edge_at = _between(rng, 0.03, 0.15) * (width if side < 2 else height)
        wood = _choose(rng, [(0.55, 0.38, 0.25), (0.35, 0.35, 0.37), (0.2, 0.2, 0.22), (0.6, 0.55, 0.5)])
        table_colour = tuple(w * _luma(paper) * table for w in wood)

    def background(x: float, y: float) -> Colour:
        light = 1.0 - strength * (0.5 + 0.5 * ((x - cx) * gx + (y - cy) * gy) / (diagonal / 2.0))
        if vignette:
            r = math.hypot(x - cx, y - cy) / (diagonal / 2.0)
            light *= 1.0 - vignette * r * r
        if shadow:
            dx, dy = x - shadow_centre[0], y - shadow_centre[1]
            if straight:  # signed distance past a line across the corner
                d = dx * normal[0] + dy * normal[1] - shadow_radius
            else:
                d = math.hypot(dx, dy) - shadow_radius
            light *= 1.0 - shadow * _clamp(0.5 - d / (2.0 * soft))
        colour = paper
        if table:
            inside = (x if edge_normal == 0 else width - x if edge_normal == 1
                      else y if edge_normal == 2 else height - y) - edge_at
            if inside < 0:
                colour = table_colour
        return (colour[0] * light, colour[1] * light, colour[2] * light)

    return background


# ------------------------------------------------------------------ kinds


def _mnist_digit(rng: PCG32, digits: MnistTest) -> tuple[bytes, int, str]:
    index = rng.below(len(digits))
    return digits.images[index], digits.labels[index], "mnist %d" % index


def _encode_png(width: int, height: int, pixels: bytes, channels: int) -> bytes:
    if channels == 1:
        return png.encode_gray8(width, height, pixels)
    if channels == 3:
        return png.encode_rgb8(width, height, pixels)
    return encode_rgba8(width, height, pixels)


def _keep_inside(make: Callable[[Placement], Ink], place: Placement, width: int, height: int) -> Ink:
    """``make(place)``, shrunk towards the middle (up to 6 times) until the
    ink stays off the image's edges: people draw large, but rarely off the
    sheet, and a cut-off digit is a different digit."""
    for _ in range(6):
        ink = make(place)
        left, top, right, bottom = ink_box(ink, 0.05)
        if left > 0 and top > 0 and right < width and bottom < height:
            break
        middle_x = place.centre[0] + 0.2 * (width / 2.0 - place.centre[0])
        middle_y = place.centre[1] + 0.2 * (height / 2.0 - place.centre[1])
        place = place._replace(centre=(middle_x, middle_y), height=place.height * 0.88)
    return ink


def _canvas(rng: PCG32, digit: bytes, art=None):
    """A browser canvas export: transparent RGBA (or, on many MNIST demo
    pages, opaque black with white ink), a large digit, 1-pixel anti-aliasing."""
    side = _choose(rng, [280, 280, 400, 400, 300, 200])
    size = side * _between(rng, 0.5, 0.8)
    # People fill the canvas but rarely draw off it: keep the ink inside.
    room = max(0.0, side / 2.0 - 0.55 * size)
    place = Placement((side / 2.0 + _between(rng, -1, 1) * room, side / 2.0 + _between(rng, -1, 1) * room),
                      size, _between(rng, -10, 10), _between(rng, -0.1, 0.25))
    pen = _between(rng, 0.05, 0.14) if art is None and _chance(rng, 0.5) else 0.0
    threshold, thicken = _between(rng, 0.3, 0.6), _between(rng, 0.0, 0.6)
    stroke_pen = _between(rng, 0.04, 0.1) * side

    def make(place: Placement) -> Ink:
        if pen:  # a fixed lineWidth, as canvas pages draw
            return pen_ink(digit, place, rng, place.height * pen, (side, side))
        if art is None:
            return mnist_ink(digit, place, rng, threshold=threshold, edge=1.0,
                             thicken=thicken, limit=(side, side))
        return stroke_ink(art, place, stroke_pen, (side, side))

    ink = _keep_inside(make, place, side, side)
    colour = _choose(rng, [(0, 0, 0), (0, 0, 0), (0, 0, 0), (20, 40, 200), (200, 20, 20), (34, 34, 34)])
    style = rng.below(5)
    if style == 0:  # opaque black canvas, white strokes
        value = [0.0] * (side * side)
        for y in range(ink.height):
            start = (ink.top + y) * side + ink.left
            value[start:start + ink.width] = ink.cover[y * ink.width:(y + 1) * ink.width]
        pixels = bytes(int(255 * v + 0.5) for v in value)
        return side, side, png.encode_gray8(side, side, pixels) if _chance(rng, 0.5) else \
            png.encode_rgb8(side, side, bytes(c for c in pixels for _ in range(3))), ink
    alpha = bytearray(side * side)
    for y in range(ink.height):
        start = (ink.top + y) * side + ink.left
        alpha[start:start + ink.width] = bytes(int(255 * v + 0.5) for v in
                                               ink.cover[y * ink.width:(y + 1) * ink.width])
    rgba = bytearray(4 * side * side)
    rgba[3::4] = alpha
    if style == 1:
        # Some exporters keep the colour only where alpha > 0.
        painted = bytes(1 if a else 0 for a in alpha)
        for channel in range(3):
            rgba[channel::4] = bytes(colour[channel] * p for p in painted)
    else:
        for channel in range(3):
            rgba[channel::4] = bytes([colour[channel]]) * (side * side)
    return side, side, encode_rgba8(side, side, bytes(rgba)), ink


def _paint(rng: PCG32, digit: bytes, art=None):
    """A paint program: opaque white, black (or coloured) strokes; hard or
    soft edges; a large, a small, or a thick-brush digit."""
    width, height = _choose(rng, [(200, 200), (256, 256), (300, 300), (400, 300), (640, 480), (150, 150)])
    variant = rng.below(3)
    if variant == 1:  # small digit on the sheet
        size = _between(rng, 40, 80) * min(width, height) / 200.0
    else:
        size = _between(rng, 0.45, 0.85) * min(width, height)
    margin = size * 0.6
    place = Placement((_between(rng, margin, width - margin), _between(rng, margin, height - margin)),
                      size, _between(rng, -8, 8), _between(rng, -0.1, 0.2))
    hard = _chance(rng, 0.5)
    thick = variant == 2
    brush = art is not None or _chance(rng, 0.5)  # a round brush of fixed width
    pen = _between(rng, 0.12, 0.2) if thick else _between(rng, 0.04, 0.1)
    threshold = _between(rng, 0.25, 0.4) if thick else _between(rng, 0.3, 0.6)
    thicken = _between(rng, 0.3, 0.7) if thick else 0.0

    def make(place: Placement) -> Ink:
        if not brush:
            return mnist_ink(digit, place, rng, threshold=threshold, edge=0.0 if hard else 1.0,
                             thicken=thicken, limit=(width, height))
        if art is None:
            ink = pen_ink(digit, place, rng, max(1.0, place.height * pen), (width, height))
        else:
            ink = stroke_ink(art, place, place.height * pen, (width, height))
        if hard:
            ink = Ink(ink.left, ink.top, ink.width, ink.height,
                      [1.0 if c >= 0.5 else 0.0 for c in ink.cover])
        return ink

    ink = _keep_inside(make, place, width, height)
    colour = _choose(rng, [(0, 0, 0)] * 4 + [(0, 0, 255), (255, 0, 0), (0, 128, 0)])
    paper = (255.0, 255.0, 255.0)
    pixels = scene(width, height, lambda x, y: paper, [(ink, colour)], rng, channels=3)
    if colour == (0, 0, 0) and _chance(rng, 0.4):
        return width, height, png.encode_gray8(width, height, pixels[0::3]), ink
    return width, height, png.encode_rgb8(width, height, pixels), ink


def _screenshot(rng: PCG32, digit: bytes):
    """A screenshot of the app the digit was drawn in: a paint program's
    window (a toolbar, a workspace around the canvas, a status bar), a web
    page (a title, the canvas with or without a border, buttons) or a phone
    app (status bar, toolbar, a palette); the canvas is a ``paint`` or
    ``canvas`` image.  Marks of text and icons are bars and squares."""
    side_w, side_h, drawn, ink = _paint(rng, digit) if _chance(rng, 0.5) else _canvas(rng, digit)
    drawing = png.decode(drawn)
    app = rng.below(3)
    dark = _chance(rng, 0.25)
    if app == 0:  # a paint program's window
        ribbon, status = int(_between(rng, 70, 140)), int(_between(rng, 20, 32))
        left, gap = int(_between(rng, 4, 30)), int(_between(rng, 4, 30))
        width = left + side_w + int(_between(rng, 40, 400))
        height = ribbon + gap + side_h + int(_between(rng, 30, 200)) + status
        page = _choose(rng, [(200, 209, 224), (192, 192, 192), (171, 171, 171), (230, 230, 230)])
        if dark:
            page = (60, 60, 60)
        top = ribbon + gap
        bars = [(0, 0, width, ribbon, (43, 43, 43) if dark else (245, 246, 247)),
                (0, height - status, width, height, (30, 30, 30) if dark else (240, 240, 240))]
        marks = [(0, 0, width, ribbon), (0, height - status, width, height)]
        border = None
    elif app == 1:  # a web page with the canvas on it
        title = int(_between(rng, 50, 110))
        width = side_w + 2 * int(_between(rng, 20, 300))
        height = title + side_h + int(_between(rng, 60, 200))
        page = (24, 24, 24) if dark else _choose(rng, [(255, 255, 255), (245, 245, 245), (250, 248, 240)])
        left, top = (width - side_w) // 2, title
        bars = [(left, top + side_h + 16, left + 90, top + side_h + 48, (0, 120, 215)),
                (left + 110, top + side_h + 16, left + 200, top + side_h + 48, (108, 117, 125))]
        marks = [(0, 0, width, title), (left, top + side_h + 16, left + 200, top + side_h + 48)]
        border = (int(_between(rng, 1, 4)), _choose(rng, [(0, 0, 0), (128, 128, 128), (200, 200, 200)])) \
            if _chance(rng, 0.7) else None
    else:  # a phone app: the canvas spans the screen's width
        status, toolbar, palette = int(_between(rng, 24, 44)), int(_between(rng, 48, 72)), int(_between(rng, 60, 110))
        width, left = side_w, 0
        top = status + toolbar
        height = top + side_h + int(_between(rng, 0, 120)) + palette
        page = (18, 18, 18) if dark else (250, 250, 250)
        colour = _choose(rng, [(98, 0, 238), (25, 118, 210), (33, 33, 33), (0, 150, 136)])
        bars = [(0, 0, width, top, colour),
                (0, height - palette, width, height, (48, 48, 48) if dark else (235, 235, 235))]
        marks = [(0, 0, width, top)]
        border = None
    pixels = bytearray(bytes(page) * (width * height))

    def fill(x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        x0, x1 = max(0, x0), min(width, x1)
        for y in range(max(0, y0), min(height, y1)):
            pixels[3 * (y * width + x0):3 * (y * width + x1)] = bytes(int(c) for c in colour) * (x1 - x0)

    for x0, y0, x1, y1, colour in bars:
        fill(x0, y0, x1, y1, colour)
    # Icons (coloured squares) and words (short dark or light bars).
    ink_on = (220, 220, 220) if dark else (40, 40, 40)
    for x0, y0, x1, y1 in marks:
        x, row = x0 + 8, y0 + max(4, (y1 - y0) // 4)
        while row + 12 <= y1 - 2:
            while x + 30 < x1:
                if _chance(rng, 0.3):
                    size = int(_between(rng, 14, 26))
                    fill(x, row, x + size, row + size, _choose(rng, [(0, 90, 200), (200, 40, 40), (60, 60, 60),
                                                                   (250, 180, 0), ink_on]))
                    x += size + 8
                else:
                    word = int(_between(rng, 10, 60))
                    fill(x, row + 3, x + word, row + 11, ink_on)
                    x += word + 7
                if _chance(rng, 0.15):
                    break
            x, row = x0 + 8, row + int(_between(rng, 22, 40))
    if border is not None:
        thick, colour = border
        fill(left - thick, top - thick, left + side_w + thick, top + side_h + thick, colour)
    # The drawing over its page (a transparent canvas over a white CSS
    # background: its strokes are dark).
    rgba = drawing.rgba
    alpha = rgba[3::4]
    rgb = bytearray(3 * side_w * side_h)
    for channel in range(3):
        rgb[channel::3] = bytes((c * a + 255 * (255 - a) + 127) // 255 for c, a in zip(rgba[channel::4], alpha))
    for y in range(side_h):
        start = 3 * ((top + y) * width + left)
        pixels[start:start + 3 * side_w] = rgb[3 * side_w * y:3 * side_w * (y + 1)]
    data = png.encode_rgb8(width, height, bytes(pixels))
    x0, y0, x1, y1 = ink_box(ink)
    return width, height, data, (x0 + left, y0 + top, x1 + left, y1 + top)


class PhotoStyle(NamedTuple):
    """The knobs of a photo (ranges are drawn per image)."""
    size: tuple[int, int] = (600, 1000)           # frame width range (4:3 or 3:4)
    digit: tuple[float, float] = (0.20, 0.45)     # ink height / frame height
    brightness: tuple[float, float] = (170, 235)  # paper gray level
    contrast: tuple[float, float] = (20, 80)      # strokes this much darker, as seen
    threshold: tuple[float, float] = (0.35, 0.65)
    thicken: tuple[float, float] = (0.0, 0.3)
    grain: float = 0.0
    noise: tuple[float, float] = (1.5, 4.0)
    pen: float = 0.6                              # chance of a round pen along the skeleton
    pen_width: tuple[float, float] = (0.025, 0.07)  # its width / ink height
    light: tuple[float, float] = (0.03, 0.18)     # lighting gradient strength
    shadow: float = 0.0                           # chance of a shadow
    table: float = 0.0                            # chance of the table in frame
    lines: str = ""                               # "", "ruled" or "squared"
    colour: float = 0.3                           # chance of coloured ink
    centred: bool = True
    pad: bool = False
    blur: tuple[int, int] = (1, 2)
    desk: bool = False                            # the whole sheet, askew, on a desk
    box: bool = False                             # a printed box (a form's field) around the digit
    crop: tuple[float, float] = (0.0, 0.0)        # cropped to the digit, this margin a side / its size
    thumb: bool = False                           # a thumb holding the sheet, reaching in from an edge
    lying_pen: bool = False                       # a pen lying on the sheet beside the digit


def _desk(rng: PCG32, paper: Colour, sheet: tuple[float, float, float, float, float],
          width: int, height: int) -> tuple[Ink, Colour]:
    """The desk around a sheet (width, height, centre x, centre y, turn in
    radians) lying on it, as a layer over the paper like ink: covering all
    but the sheet, its edge anti-aliased (a sheet's edge is straight and
    sharp), in a colour darker than the paper (wood, gray, black or a light
    table), relative to the paper as ink colours are."""
    sheet_w, sheet_h, cx, cy, turn = sheet
    cos_t, sin_t = math.cos(turn), math.sin(turn)
    wood = _choose(rng, [(0.55, 0.38, 0.25), (0.35, 0.35, 0.37), (0.2, 0.2, 0.22), (0.6, 0.55, 0.5),
                         (0.85, 0.85, 0.85)])
    level = _between(rng, 0.25, 0.7) * _luma(paper)
    relative = tuple(255.0 * c * level / _luma(wood) / p for c, p in zip(wood, paper))
    cover: list[float] = []
    for y in range(height):
        dy = y + 0.5 - cy
        cover += [_clamp(0.5 + max(abs((x + 0.5 - cx) * cos_t + dy * sin_t) - sheet_w / 2,
                                   abs(dy * cos_t - (x + 0.5 - cx) * sin_t) - sheet_h / 2))
                  for x in range(width)]
    return Ink(0, 0, width, height, cover), relative


#: Skin (reflectance ratios, as ink hues) and how bright it is seen, as a
#: share of the paper's gray: lighter and darker skin, all darker than paper.
SKINS = [((0.78, 0.58, 0.48), (0.55, 0.75)), ((0.62, 0.44, 0.34), (0.4, 0.6)),
         ((0.5, 0.34, 0.25), (0.3, 0.45)), ((0.32, 0.22, 0.16), (0.15, 0.3))]


def _seen(rng: PCG32, paper: Colour, choices) -> Colour:
    """One of ``choices`` (a hue and the range of how bright it is seen,
    as a share of the paper's gray), as a colour relative to ``paper`` the
    way ink colours are."""
    hue, seen = _choose(rng, choices)
    level = _between(rng, *seen) * _luma(paper)
    return tuple(255.0 * c * level / _luma(hue) / p for c, p in zip(hue, paper))


def _clear_of(box: tuple[int, int, int, int], points, clear: float) -> bool:
    """Whether every point lies more than ``clear`` from ``box``."""
    left, top, right, bottom = box
    return all(math.hypot(max(left - x, 0.0, x - right), max(top - y, 0.0, y - bottom)) > clear for x, y in points)


def _around(x0: float, y0: float, x1: float, y1: float, margin: float,
            width: int, height: int) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom; right and bottom exclusive) of
    the segment (x0, y0)-(x1, y1) grown by ``margin``, cut to the frame."""
    return (max(0, int(min(x0, x1) - margin - 1)), max(0, int(min(y0, y1) - margin - 1)),
            min(width, int(max(x0, x1) + margin + 2)), min(height, int(max(y0, y1) + margin + 2)))


def _offsets(x0: float, y0: float, x1: float, y1: float,
             box: tuple[int, int, int, int]) -> list[tuple[float, float]]:
    """For each pixel of ``box``, row by row, the offset (ax, ay) of its
    centre from the nearest point of the segment (x0, y0)-(x1, y1): a
    capsule (a finger, a pen) is the pixels within its radius."""
    left, top, right, bottom = box
    length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2
    offsets = []
    for y in range(top, bottom):
        for x in range(left, right):
            px, py = x + 0.5, y + 0.5
            t = _clamp(((px - x0) * (x1 - x0) + (py - y0) * (y1 - y0)) / length2)
            offsets.append((px - x0 - t * (x1 - x0), py - y0 - t * (y1 - y0)))
    return offsets


def _thumb(rng: PCG32, paper: Colour, digit_box: tuple[int, int, int, int],
           width: int, height: int) -> list[tuple[Ink, Colour]]:
    """A thumb (or finger) holding the sheet: a capsule reaching in from
    one side of the frame, 10-20% of the shorter side wide, 12-35% of the
    frame in, tilted up to 30 degrees, stopping short of the digit's box
    (people hold the sheet, not the writing; none if it cannot).  Two
    layers: the skin (a colour darker than the paper, relative to it as
    ink colours are), and its roundness (darker toward its rim by 25-50%).
    """
    shorter = min(width, height)
    radius = _between(rng, 0.05, 0.1) * shorter
    relative = _seen(rng, paper, SKINS)
    depth = _between(rng, 0.25, 0.5)
    clear = radius + 0.03 * shorter
    for _ in range(30):
        side = rng.below(4)
        along = _between(rng, 0.1, 0.9)
        turn = math.radians(_between(rng, -30, 30))
        reach = _between(rng, 0.12, 0.35) * (height if side in (0, 2) else width)
        x0, y0, nx, ny = [(along * width, -radius, 0.0, 1.0), (width + radius, along * height, -1.0, 0.0),
                          (along * width, height + radius, 0.0, -1.0), (-radius, along * height, 1.0, 0.0)][side]
        dx, dy = (nx * math.cos(turn) - ny * math.sin(turn), nx * math.sin(turn) + ny * math.cos(turn))
        x1, y1 = x0 + dx * (reach + radius), y0 + dy * (reach + radius)
        steps = max(2, int(reach / 2))
        if _clear_of(digit_box, [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                                 for k in range(steps + 1)], clear):
            break
    else:
        return []
    box_left, box_top, box_right, box_bottom = _around(x0, y0, x1, y1, radius, width, height)
    body: list[float] = []
    rim: list[float] = []
    for ax, ay in _offsets(x0, y0, x1, y1, (box_left, box_top, box_right, box_bottom)):
        d = math.hypot(ax, ay)
        body.append(_clamp(radius + 0.5 - d))
        rim.append(depth * min(1.0, d / radius) ** 2 if d < radius + 0.5 else 0.0)
    w, h = box_right - box_left, box_bottom - box_top
    return [(Ink(box_left, box_top, w, h, body), relative), (Ink(box_left, box_top, w, h, rim), (0.0, 0.0, 0.0))]


#: Pen bodies (reflectance ratios, as ink hues) and how bright each is
#: seen, as a share of the paper's gray: black, dark blue, gray, red, and
#: a white or clear one hardly darker than the paper.
PEN_BODIES = [((0.2, 0.2, 0.22), (0.1, 0.25)), ((0.15, 0.2, 0.45), (0.2, 0.4)),
              ((0.5, 0.5, 0.52), (0.4, 0.6)), ((0.7, 0.15, 0.15), (0.3, 0.5)),
              ((0.9, 0.9, 0.92), (0.75, 0.9))]


def _lying_pen(rng: PCG32, paper: Colour, digit_box: tuple[int, int, int, int],
               width: int, height: int) -> list[tuple[Ink, Colour]]:
    """A pen lying on the sheet beside the digit: a capsule 3-10% of the
    shorter side wide (a pen is a fifth to half as wide as a digit is
    tall), 40-90% of the longer side long, either reaching in from a side
    of the frame or lying wholly in it, at any angle, not over the digit's
    box (none if it cannot).  Layers: its shadow on the paper along one
    side, the body (a colour darker than the paper) and a highlight along
    it (a glossy barrel)."""
    shorter, longer = min(width, height), max(width, height)
    radius = _between(rng, 0.015, 0.05) * shorter
    relative = _seen(rng, paper, PEN_BODIES)
    shine = _between(rng, 0.0, 0.6)
    clear = radius + 0.02 * shorter
    for _ in range(40):
        length = _between(rng, 0.4, 0.9) * longer
        if _chance(rng, 0.5):  # from a side of the frame
            side = rng.below(4)
            along = _between(rng, 0.1, 0.9)
            x0, y0 = [(along * width, -radius), (width + radius, along * height),
                      (along * width, height + radius), (-radius, along * height)][side]
            toward = [(0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0)][side]
            tilt = _between(rng, -1.0, 1.0)
            dx, dy = toward[0] - tilt * toward[1], toward[1] + tilt * toward[0]
            norm = math.hypot(dx, dy)
            dx, dy = dx / norm, dy / norm
        else:
            x0, y0 = _between(rng, 0.05, 0.95) * width, _between(rng, 0.05, 0.95) * height
            turn = _between(rng, 0.0, math.pi)
            dx, dy = math.cos(turn), math.sin(turn)
        x1, y1 = x0 + dx * length, y0 + dy * length
        steps = max(2, int(length / 2))
        points = [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(steps + 1)]
        inside = sum(1 for x, y in points if 0 <= x < width and 0 <= y < height)
        if inside > 0.5 * len(points) and _clear_of(digit_box, points, clear):
            break
    else:
        return []
    reach = radius * 2.5
    box_left, box_top, box_right, box_bottom = _around(x0, y0, x1, y1, reach, width, height)
    if box_right <= box_left or box_bottom <= box_top:
        return []
    cover: list[float] = []
    light: list[float] = []
    shade: list[float] = []
    for ax, ay in _offsets(x0, y0, x1, y1, (box_left, box_top, box_right, box_bottom)):
        d = math.hypot(ax, ay)
        cover.append(_clamp(radius + 0.5 - d))
        light.append(shine * max(0.0, 1.0 - abs(d - 0.3 * radius) / (0.25 * radius)) if d < radius else 0.0)
        # the shadow falls down and to the right of the barrel
        sd = math.hypot(ax - 0.6 * radius, ay - 0.8 * radius)
        shade.append(0.35 * _clamp(1.0 - max(0.0, sd - radius) / radius) if d >= radius else 0.0)
    w, h = box_right - box_left, box_bottom - box_top
    return [(Ink(box_left, box_top, w, h, shade), (0.0, 0.0, 0.0)),
            (Ink(box_left, box_top, w, h, cover), relative),
            (Ink(box_left, box_top, w, h, light), tuple(255.0 * 255.0 / max(1.0, c) for c in relative))]


def _printed_box(rng: PCG32, digit_box: tuple[int, int, int, int], angle: float,
                 width: int, height: int) -> Ink:
    """A form's printed box around the digit (``digit_box``: its ink's left,
    top, right, bottom), turned by ``angle`` degrees with the page: a
    hollow rectangle, its sides at random distances from the ink (people
    rarely write centred), and sometimes a row of empty cells beside it,
    sharing their sides, as on a form where each digit has its own box.

    Coverage is that of a line ``line`` pixels wide along the outline: in
    the box's own coordinates (u along the row, v across) the distance to
    the nearest side, clamped into a one-pixel anti-aliased edge.
    """
    left, top, right, bottom = digit_box
    cx, cy = (left + right) / 2.0, (top + bottom) / 2.0
    size = max(right - left, bottom - top, 1)
    half_w, half_h = (right - left) / 2.0, (bottom - top) / 2.0
    cell_left = -half_w - _between(rng, 0.08, 0.45) * size
    cell_right = half_w + _between(rng, 0.08, 0.45) * size
    cell_top = -half_h - _between(rng, 0.06, 0.3) * size
    cell_bottom = half_h + _between(rng, 0.06, 0.3) * size
    cell = cell_right - cell_left
    before, after = (rng.below(3), rng.below(3)) if _chance(rng, 0.4) else (0, 0)
    row_left, row_right = cell_left - before * cell, cell_right + after * cell
    line = _between(rng, 1.0, 3.0) * max(1.0, size / 200.0)
    turn = math.radians(angle)
    cos_t, sin_t = math.cos(turn), math.sin(turn)
    reach = math.hypot(max(-row_left, row_right), max(-cell_top, cell_bottom)) + line + 2
    x0, x1 = max(0, int(cx - reach)), min(width, int(cx + reach) + 1)
    y0, y1 = max(0, int(cy - reach)), min(height, int(cy + reach) + 1)
    far = 1e9
    cover: list[float] = []
    for y in range(y0, y1):
        dy = y + 0.5 - cy
        for x in range(x0, x1):
            dx = x + 0.5 - cx
            u, v = dx * cos_t + dy * sin_t, dy * cos_t - dx * sin_t
            across = (min(abs(v - cell_top), abs(v - cell_bottom))
                      if row_left - line <= u <= row_right + line else far)
            k = min(after + 1, max(-before, round((u - cell_left) / cell)))
            along = abs(u - cell_left - k * cell) if cell_top - line <= v <= cell_bottom + line else far
            cover.append(_clamp(line / 2.0 - min(across, along) + 0.5))
    return Ink(x0, y0, x1 - x0, y1 - y0, cover)


def _photo(rng: PCG32, digit: bytes, style: PhotoStyle, art=None, pixel_limit: int = 4_000_000):
    """A phone photo of a digit on paper (see the module doc for the model)."""
    long_side = int(_between(rng, *style.size))
    portrait = _chance(rng, 0.35)
    width, height = (long_side * 3 // 4, long_side) if portrait else (long_side, long_side * 3 // 4)
    while width * height > pixel_limit:
        width, height = width * 9 // 10, height * 9 // 10
    paper, hue, contrast = _paper_and_ink(rng, style.brightness, style.contrast, style.colour)
    inner = (0, 0, width, height)
    if style.pad:  # a photo pasted on / letterboxed by a white frame
        if _chance(rng, 0.5):
            inner_w = int(width * _between(rng, 0.55, 0.85))
            x0 = (width - inner_w) // 2 if _chance(rng, 0.7) else rng.below(width - inner_w)
            inner = (x0, 0, x0 + inner_w, height)
        else:
            inner_h = int(height * _between(rng, 0.55, 0.85))
            y0 = (height - inner_h) // 2
            inner = (0, y0, width, y0 + inner_h)
    inner_w, inner_h = inner[2] - inner[0], inner[3] - inner[1]
    size = _between(rng, *style.digit) * inner_h
    sheet = None
    if style.desk:  # a note or small sheet lying askew, all of it in the frame
        sheet = (_between(rng, 0.45, 0.8) * width, _between(rng, 0.45, 0.8) * height,
                 width * _between(rng, 0.4, 0.6), height * _between(rng, 0.4, 0.6),
                 math.radians(_between(rng, -20, 20)))
        size = _between(rng, 0.35, 0.6) * min(sheet[0], sheet[1])
    if sheet is not None:
        cx = sheet[2] + _between(rng, -0.1, 0.1) * sheet[0]
        cy = sheet[3] + _between(rng, -0.1, 0.1) * sheet[1]
    elif style.centred:
        cx = inner[0] + inner_w * _between(rng, 0.35, 0.65)
        cy = inner[1] + inner_h * _between(rng, 0.35, 0.65)
    else:
        margin = size * 0.8
        cx = inner[0] + _between(rng, margin, inner_w - margin)
        cy = inner[1] + _between(rng, margin, inner_h - margin)
    place = Placement((cx, cy), size, _between(rng, -8, 8), _between(rng, -0.15, 0.25),
                      _between(rng, 0.0, 0.04))
    stroke_width = 0.1 * size  # MNIST's own strokes: about an eighth of the height
    if art is None and _chance(rng, style.pen):
        stroke_width = max(1.2, size * _between(rng, *style.pen_width))
        ink = pen_ink(digit, place, rng, stroke_width, (width, height))
    elif art is None:
        ink = mnist_ink(digit, place, rng, threshold=_between(rng, *style.threshold),
                        edge=_between(rng, 0.8, 1.5), thicken=_between(rng, *style.thicken),
                        limit=(width, height))
    else:
        stroke_width = max(1.5, size * _between(rng, 0.03, 0.09))
        ink = stroke_ink(art, place, stroke_width, (width, height))
    if style.grain:
        ink = grain(ink, rng, style.grain)
    ink = blur(ink, rng.below(style.blur[1] - style.blur[0] + 1) + style.blur[0])
    shadow = _between(rng, 0.35, 0.75) if _chance(rng, style.shadow) else 0.0
    table = _between(rng, 0.2, 0.6) if _chance(rng, style.table) else 0.0
    lit = _lighting(rng, inner_w, inner_h, paper, _between(rng, *style.light),
                    vignette=_between(rng, 0.0, 0.3 if style.shadow else 0.12), shadow=shadow, table=table)
    if style.pad:
        def background(x, y, lit=lit):
            if inner[0] <= x < inner[2] and inner[1] <= y < inner[3]:
                return lit(x - inner[0], y - inner[1])
            return (255.0, 255.0, 255.0)
    else:
        background = lit
    lines = None
    if style.lines:
        spacing = size * _between(rng, 0.28, 0.55) if style.lines == "squared" else size * _between(rng, 0.45, 0.8)
        line_hue = _choose(rng, [(0.45, 0.65, 1.0), (0.0, 0.0, 0.0), (0.3, 0.6, 0.9), (1.0, 0.45, 0.45)])
        # Printed lines are lighter and thinner than the writing: their gray
        # contrast a fraction of the ink's, their width under the pen's.
        lighter = _between(rng, 0.25, 0.6) * contrast / _luma(paper)
        line_colour = ink_colour((1.0, 1.0, 1.0), line_hue, lighter)
        line_width = min(_between(rng, 0.8, 2.0) * max(1.0, size / 250.0), 0.7 * stroke_width)
        lines = Lines(spacing, max(0.6, line_width), line_colour,
                      place.angle * _between(rng, 0.7, 1.0), style.lines == "squared",
                      _between(rng, 0, spacing))
    # The ink colour is relative to the paper: as a reflectance ratio x 255.
    # ``contrast`` is what the photo shows (the strokes' darkest parts this
    # many levels under the paper), so the ink itself is darker by the
    # blur's loss, as far as black allows.
    ink_rgb = ink_colour(paper, hue, contrast / max(0.05, _peak(ink)))
    relative = tuple(255.0 * i / p for i, p in zip(ink_rgb, paper))
    layers = [(ink, relative)]
    if style.box:  # printed: black, gray, blue or red, lighter or darker than the writing
        box = blur(_printed_box(rng, ink_box(ink), place.angle * _between(rng, 0.3, 1.0), width, height),
                   rng.below(2) + 1)
        box_hue = _choose(rng, [(0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.3, 0.45, 0.8), (0.85, 0.35, 0.35)])
        box_rgb = ink_colour(paper, box_hue, contrast * _between(rng, 0.5, 1.3) / max(0.05, _peak(box)))
        layers.append((box, tuple(255.0 * i / p for i, p in zip(box_rgb, paper))))
    if sheet is not None:
        layers.append(_desk(rng, paper, sheet, width, height))
    if style.thumb:
        layers += _thumb(rng, paper, ink_box(ink), width, height)
    if style.lying_pen:
        layers += _lying_pen(rng, paper, ink_box(ink), width, height)
    pixels = scene(width, height, background, layers, rng,
                   noise=_between(rng, *style.noise), lines=lines)
    if style.pad:  # the frame is exact white, without the photo's noise
        pixels = bytearray(pixels)
        white = b"\xff" * (3 * width)
        for y in range(height):
            start = 3 * y * width
            if not inner[1] <= y < inner[3]:
                pixels[start:start + 3 * width] = white
            else:
                pixels[start:start + 3 * inner[0]] = white[:3 * inner[0]]
                pixels[start + 3 * inner[2]:start + 3 * width] = white[:3 * (width - inner[2])]
        pixels = bytes(pixels)
    return width, height, pixels, ink


PHOTO_STYLES = {
    "photo_ink": PhotoStyle(),
    "photo_shadow": PhotoStyle(shadow=0.8, table=0.5, light=(0.1, 0.35)),
    "photo_pencil": PhotoStyle(contrast=(25, 60), threshold=(0.5, 0.72), grain=0.5, colour=0.0,
                               noise=(2.0, 5.0), pen=0.7, pen_width=(0.025, 0.05)),
    "photo_marker": PhotoStyle(contrast=(60, 150), threshold=(0.2, 0.35), thicken=(0.3, 0.8),
                               pen=0.6, pen_width=(0.09, 0.16)),
    "grey_padded": PhotoStyle(brightness=(130, 170), pad=True, colour=0.0),
    "ruled": PhotoStyle(lines="ruled"),
    "squared": PhotoStyle(lines="squared"),
    "small_in_frame": PhotoStyle(size=(1600, 2300), digit=(0.08, 0.15), centred=False),
    "jpeg_phone": PhotoStyle(shadow=0.2),
    "jpeg_messenger": PhotoStyle(size=(640, 960), shadow=0.2),
    "photo_dim": PhotoStyle(brightness=(60, 110), contrast=(15, 45), noise=(6.0, 12.0)),
    "sheet_on_desk": PhotoStyle(size=(700, 1200), contrast=(30, 90), desk=True),
    "boxed": PhotoStyle(digit=(0.18, 0.35), box=True),
    # Cropped in the phone's gallery to the digit, a margin of 0-8% of its
    # size a side, a sliver of a stroke now and then cut off (-1%).
    "cropped": PhotoStyle(digit=(0.3, 0.5), crop=(-0.01, 0.08)),
    "thumb": PhotoStyle(thumb=True),
    "pen_beside": PhotoStyle(lying_pen=True),
}

JPEG_QUALITY = {"jpeg_phone": (85, 92), "jpeg_messenger": (40, 65), "cropped": (80, 95)}


def _crop(rng: PCG32, width: int, height: int, rgb: bytes, box: tuple[int, int, int, int],
          margins: tuple[float, float]):
    """The photo ``rgb`` cropped to the ink ``box`` with a margin a side
    drawn from ``margins`` (times the box's longer side; under 0 cuts into
    the digit): (width, height, rgb, the box in the crop)."""
    left, top, right, bottom = box
    size = max(right - left, bottom - top)
    x0, y0, x1, y1 = (int(round(_between(rng, *margins) * size)) for _ in range(4))
    x0, y0 = max(0, left - x0), max(0, top - y0)
    x1, y1 = min(width, right + x1), min(height, bottom + y1)
    rows = b"".join(rgb[3 * (y * width + x0):3 * (y * width + x1)] for y in range(y0, y1))
    cut = (max(0, left - x0), max(0, top - y0), min(x1, right) - x0, min(y1, bottom) - y0)
    return x1 - x0, y1 - y0, rows, cut


#: Every kind, in the order the benchmark prints them.
KINDS = ["canvas", "paint", "photo_ink", "photo_shadow", "photo_pencil", "photo_marker",
         "grey_padded", "ruled", "squared", "small_in_frame", "jpeg_phone", "jpeg_messenger",
         "styles", "photo_dim", "sheet_on_desk", "boxed", "screenshot", "cropped", "thumb", "pen_beside"]


def jpeg_available() -> bool:
    """True when this checkout can write JPEG (the jpeg_* kinds)."""
    return jpeg_encoder is not None


def _stream(kind: str) -> int:
    # A stable number per kind (not hash(): that changes per process).
    return zlib.crc32(kind.encode("ascii"))


def generate(kind: str, index: int, seed: int = 1, digits: Optional[MnistTest] = None) -> Sample:
    """Image ``index`` of ``kind``: a pure function of (seed, kind, index).

    Raises ``ValueError`` for an unknown kind and ``JpegUnavailable`` for a
    JPEG kind in a checkout without an encoder.
    """
    if kind not in KINDS:
        raise ValueError("unknown kind %r (kinds: %s)" % (kind, ", ".join(KINDS)))
    rng = PCG32(seed * 1_000_003 + index, _stream(kind))
    if kind == "styles":
        return _styles_sample(rng, index)
    if digits is None:
        digits = MnistTest.load()
    pixels, label, source = _mnist_digit(rng, digits)
    if kind == "canvas":
        width, height, data, ink = _canvas(rng, pixels)
        return Sample(kind, index, label, source, "png", data, width, height, ink_box(ink))
    if kind == "paint":
        width, height, data, ink = _paint(rng, pixels)
        return Sample(kind, index, label, source, "png", data, width, height, ink_box(ink))
    if kind == "screenshot":
        width, height, data, canvas_box = _screenshot(rng, pixels)
        return Sample(kind, index, label, source, "png", data, width, height, canvas_box)
    style = PHOTO_STYLES[kind]
    if kind in JPEG_QUALITY:
        if jpeg_encoder is None:
            raise JpegUnavailable("no nrnn/image/jpeg_encoder.py in this checkout")
        width, height, rgb, ink = _photo(rng, pixels, style)
        box = ink_box(ink)
        if style.crop != (0.0, 0.0):  # cropped in the gallery, saved as JPEG again
            width, height, rgb, box = _crop(rng, width, height, rgb, box, style.crop)
        quality = int(_between(rng, *JPEG_QUALITY[kind]))
        return Sample(kind, index, label, source, "jpeg", _encode_jpeg(width, height, rgb, quality),
                      width, height, box)
    width, height, rgb, ink = _photo(rng, pixels, style)
    if kind == "grey_padded" or (style.colour == 0.0 and _chance(rng, 0.3)):
        # Some phones and most scanners save gray: same luma as the colour image.
        gray = bytes((299 * r + 587 * g + 114 * b + 500) // 1000
                     for r, g, b in zip(rgb[0::3], rgb[1::3], rgb[2::3]))
        data = png.encode_gray8(width, height, gray) if _chance(rng, 0.5) else png.encode_rgb8(width, height, rgb)
    else:
        data = png.encode_rgb8(width, height, rgb)
    return Sample(kind, index, label, source, "png", data, width, height, ink_box(ink))


# ----------------------------------------------------------- drawn styles
#
# Digits people draw that MNIST (American census staff and students, 1990s)
# has few of: European 1s and 7s, open 4s, flat 6s, slashed zeros, looped
# 2s.  Points are in a unit box, y down; each stroke a polyline.  These are
# this benchmark's own, independent of anything used for training.


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, steps: int = 16):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right,
    90 = down, as y grows downwards)."""
    return [(cx + rx * math.cos(math.radians(start + (stop - start) * k / steps)),
             cy + ry * math.sin(math.radians(start + (stop - start) * k / steps)))
            for k in range(steps + 1)]


STYLES = {
    "4-open": (4, [[(0.55, 0.15), (0.3, 0.6), (0.72, 0.6)], [(0.62, 0.38), (0.62, 0.85)]]),
    "4-closed": (4, [[(0.62, 0.85), (0.62, 0.15), (0.28, 0.6), (0.75, 0.6)]]),
    "6-flat": (6, [[(0.66, 0.18), (0.5, 0.3)] + _arc(0.5, 0.63, 0.2, 0.2, 215, 575, 20)]),
    "6-open": (6, [[(0.62, 0.15)] + _arc(0.52, 0.62, 0.19, 0.22, 230, 590, 20)]),
    "0-slashed": (0, [_arc(0.5, 0.5, 0.2, 0.33, -90, 270, 24), [(0.68, 0.2), (0.32, 0.8)]]),
    "1-flag": (1, [[(0.3, 0.38), (0.56, 0.15), (0.56, 0.85)]]),
    "1-base": (1, [[(0.33, 0.33), (0.53, 0.15), (0.53, 0.85)], [(0.36, 0.85), (0.7, 0.85)]]),
    "7-flag": (7, [[(0.3, 0.3), (0.3, 0.2), (0.72, 0.18), (0.45, 0.85)]]),
    "7-crossbar": (7, [[(0.3, 0.18), (0.72, 0.18), (0.45, 0.85)], [(0.4, 0.5), (0.68, 0.5)]]),
    "2-loop": (2, [_arc(0.5, 0.35, 0.2, 0.18, 200, 380, 12)
                   + [(0.55, 0.55), (0.38, 0.75)]
                   + _arc(0.36, 0.79, 0.06, 0.06, -60, 270, 10)
                   + [(0.5, 0.8), (0.74, 0.78)]]),
    "9-straight": (9, [_arc(0.48, 0.32, 0.18, 0.16, 0, 360, 20), [(0.66, 0.3), (0.64, 0.85)]]),
}


def _jitter(strokes, rng: PCG32, amount: float):
    """Move every point by up to ``amount`` (a wobbly hand), and each whole
    stroke a little (pen lifts do not land where they should)."""
    out = []
    for stroke in strokes:
        sx, sy = _between(rng, -amount, amount), _between(rng, -amount, amount)
        out.append([(x + sx + _between(rng, -amount, amount) * 0.5,
                     y + sy + _between(rng, -amount, amount) * 0.5) for x, y in stroke])
    return out


def _styles_sample(rng: PCG32, index: int) -> Sample:
    names = sorted(STYLES)
    name = names[index % len(names)]
    label, strokes = STYLES[name]
    strokes = _jitter(strokes, rng, _between(rng, 0.005, 0.03))
    # Stretch the drawing's width a little: people draw narrow and wide.
    squeeze = _between(rng, 0.8, 1.2)
    strokes = [[(0.5 + (x - 0.5) * squeeze, y) for x, y in stroke] for stroke in strokes]
    scene_kind = rng.below(3)
    if scene_kind == 0:
        width, height, data, ink = _canvas(rng, b"", art=strokes)
    elif scene_kind == 1:
        width, height, data, ink = _paint(rng, b"", art=strokes)
    else:
        width, height, rgb, ink = _photo(rng, b"", PhotoStyle(size=(600, 900)), art=strokes)
        data = png.encode_rgb8(width, height, rgb)
    return Sample("styles", index, label, "style " + name, "png", data, width, height, ink_box(ink))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
