"""Data augmentation: the training images, moved, turned, stretched and re-inked.

A network that has seen a "7" only where and as the MNIST writers put it
learns that the ink of a 7 lives in those exact pixels.  Showing it each
training image slightly changed, differently in every epoch, forces it to
learn the shape instead: free extra data.  People's digits need this more
than MNIST's test set does: they come rotated, larger or smaller, slanted,
and drawn with a thicker or thinner pen than the MNIST scans.  (Simard,
Steinkraus and Platt, "Best Practices for Convolutional Neural Networks
Applied to Visual Document Analysis", 2003, brought MNIST's error down with
exactly these distortions; Nielsen's book, chapter 6, gets a gain from
shifts alone.)

Shapes.  An image is the network's input vector: 784 floats, the 28 x 28
pixels row by row, so pixel (row r, column c) is ``pixels[28 * r + c]``, ink
1.0 on background 0.0.  Each function returns a new list and leaves its
input alone.

The distortions, each with its equation
---------------------------------------
**Shift** by whole pixels (dx right, dy down); what leaves the frame is lost,
what comes in is background::

    shifted[28 r + c] = pixels[28 (r - dy) + (c - dx)]   (0.0 outside)

**Rotation by theta, scaling by s, shear by k**: one affine map about the
image centre C = (13.5, 13.5), with the shift t = (dx, dy) added::

    p' = C + A (p - C) + t,    A = s R(theta) H(k),
    R(theta) = [[cos theta, -sin theta], [sin theta, cos theta]],
    H(k) = [[1, k], [0, 1]]           (x moves by k times the height above C)

With y pointing down, a positive theta turns the digit clockwise on screen,
and a positive k leans it to the right, like italics.

**Resampling by inverse mapping.**  Pushing each source pixel to where A
sends it would leave holes and pile-ups.  Instead every output pixel p' asks
where it came from, p = C + A^-1 (p' - C - t), and reads the source there by
*bilinear interpolation*: with p = (x0 + fx, y0 + fy), x0 and y0 whole,

    value = (1-fx)(1-fy) I[y0][x0]   + fx (1-fy) I[y0][x0+1]
          + (1-fx) fy    I[y0+1][x0] + fx fy     I[y0+1][x0+1]

(pixels outside the frame count as 0.0).  A whole-pixel shift or a quarter
turn lands on pixel centres exactly (fx = fy = 0) and copies values
unchanged.

**Elastic distortion** (Simard et al. 2003): every pixel gets its own small
random displacement, but neighbours move together, as a rubber sheet would.
Draw a field of independent uniform numbers in [-1, 1] (one for x and one
for y at each pixel), smooth each field by a Gaussian of width sigma (a
large sigma makes gentle, wide waves; a small one, random noise), and scale
it by alpha::

    (ux, uy) = alpha * (G_sigma * noise_x, G_sigma * noise_y)

The displacement is added to the source position of the inverse mapping,
so elastic and affine distortions share one resampling.  Simard used
sigma = 4 and alpha = 34; the smoothing (a kernel summing to 1) shrinks the
noise, so alpha must be large to give displacements of a pixel or two.

**Thicker and thinner strokes**: grey-level dilation and erosion by a
3 x 3 cross (the pixel and its four neighbours)::

    dilate(I)[p] = max over q in the cross of I[p + q]   (every stroke grows
                                                          a pixel on each side)
    erode(I)[p]  = min over q in the cross of I[p + q]   (shrinks a pixel on
                                                          each side)

A random amount u in [-w, w] blends between the image and one of them,
I + u (dilate(I) - I) for u > 0 and I + |u| (erode(I) - I) for u < 0, so the
pen width varies smoothly rather than in whole-pixel jumps.  (A fraction of
a pixel is what a 28 x 28 image can show: an eroded MNIST stroke, two to
three pixels wide, is mostly gone.)

**Another pen**: MNIST's digits were scanned from pen strokes and smoothed,
but people's come drawn with one round pen, of any width: a ballpoint photo
is thinner than MNIST, a marker fatter, a canvas's lineWidth even along the
whole stroke.  With probability p, the image is redrawn along its skeleton
(the middle line of its strokes) by a round pen of radius r drawn uniformly
in ``PEN_RADII`` (in the 56 x 56 pixels of ``nrnn.image.skeleton.redraw``:
from a thin pen, about 1.5 of the 28 x 28 pixels wide, to a marker's 4.5),
then prepared the MNIST way again::

    redrawn = prepare(round pen of radius r along skeleton(I))

The thickening above only shifts a stroke's edge by a fraction of a pixel;
this gives the network whole strokes of every width, as people's pens make.

Reproducible and resumable
--------------------------
All randomness comes from one ``PCG32`` per epoch (see training.py), through
integer draws and float arithmetic that gives the same bits on CPython and
PyPy (``+ - * /``, ``math.floor``, ``math.sin``, ``math.cos``,
``math.exp``).  And each image consumes a number of draws that depends on
the options only, never on the values drawn (``Augmenter.draws_per_image``),
so the training loop can replay an epoch from its seed and skip the images
it already trained on.  (The pen's redraw measures distances with
``** 0.5``, which the C library computes: a run with it is the same run
after run on one machine, as with drawn_styles.py.)

>>> image = [0.0] * 784
>>> image[28 * 10 + 10] = 1.0            # one ink pixel at row 10, column 10
>>> moved = shift(image, 2, -1)          # two right, one up
>>> moved.index(1.0) == 28 * 9 + 12
True
>>> turned = affine(image, rotation=90.0)  # a quarter turn clockwise about (13.5, 13.5)
>>> divmod(turned.index(1.0), 28)          # (row, column): from upper left to upper right
(10, 17)
>>> bar = [1.0 if c == 14 and 8 <= r < 20 else 0.0 for r in range(28) for c in range(28)]
>>> [sum(row_of(bar, 12)), sum(row_of(thicken(bar, 1.0), 12)), sum(row_of(thicken(bar, 0.5), 12))]
[1.0, 3.0, 2.0]
>>> from nrnn.net.prng import PCG32
>>> rng = PCG32(7)
>>> all(-2 <= d <= 2 for _ in range(100) for d in random_shift(rng, 2))
True
>>> augmenter = Augmenter(shift=2, rotate=15.0, scale=0.15, thickness=0.5)
>>> augmenter.draws_per_image
8
>>> thin_pen = Augmenter(pen=1.0).apply(bar, Distortion(pen=1.0))
>>> marker = Augmenter(pen=1.0).apply(bar, Distortion(pen=4.0))
>>> [round(sum(row_of(thin_pen, 12)), 2), round(sum(row_of(marker, 12)), 2)]  # ink across row 12
[2.0, 5.33]
>>> distorted = augmenter(bar, PCG32(1))
>>> len(distorted), round(sum(distorted), 3) == round(sum(augmenter(bar, PCG32(1))), 3)
(784, True)
"""

import math
from collections.abc import Sequence
from typing import Optional

from nrnn.mnist import SIDE
from nrnn.net.prng import PCG32

CENTRE = (SIDE - 1) / 2.0  # 13.5: the middle of the frame, between pixels 13 and 14

_TWO_TO_32 = 4294967296.0

#: The pen radii a redrawn image gets (``Augmenter(pen=p)``), in the 56 x 56
#: pixels of ``skeleton.redraw``: MNIST's own is about 2.5 (skeleton.PEN_RADIUS).
PEN_RADII = (1.0, 4.0)


def row_of(pixels: Sequence[float], row: int, side: int = SIDE) -> list[float]:
    """Row ``row`` of a side x side image (for reading results)."""
    return list(pixels[row * side:(row + 1) * side])


# --- Shifts -----------------------------------------------------------------

def shift(pixels: Sequence[float], dx: int, dy: int, side: int = SIDE) -> list[float]:
    """Return a new side*side image: ``pixels`` moved dx right and dy down.

    dx, dy may be negative (left, up).  A shift of (0, 0) returns a copy.
    """
    out = [0.0] * (side * side)
    if abs(dx) >= side or abs(dy) >= side:
        return out
    # Copy row slices rather than single pixels: one slice assignment per
    # row runs in C (CPython) or as a memcpy (PyPy), ~28x fewer steps.
    first_column, end_column = max(0, dx), min(side, side + dx)
    for row in range(max(0, dy), min(side, side + dy)):
        target = row * side
        source = (row - dy) * side - dx
        out[target + first_column:target + end_column] = \
            pixels[source + first_column:source + end_column]
    return out


def random_shift(rng: PCG32, max_shift: int) -> tuple[int, int]:
    """Draw (dx, dy), each uniform in -max_shift..max_shift, from ``rng``.

    Always two calls of ``rng.below`` (even for max_shift 0), so the
    random stream stays in step however the shift is used; the training
    loop relies on that to replay an epoch when it resumes.
    """
    choices = 2 * max_shift + 1
    dx = rng.below(choices) - max_shift
    dy = rng.below(choices) - max_shift
    return dx, dy


# --- Affine maps and elastic fields, resampled bilinearly --------------------

def affine_matrix(rotation: float = 0.0, scale: float = 1.0, shear: float = 0.0) -> tuple[float, float, float, float]:
    """A = s R(theta) H(k) as (a, b, c, d) for [[a, b], [c, d]]; theta in degrees.

    >>> [round(v, 12) for v in affine_matrix(rotation=90.0)]
    [0.0, -1.0, 1.0, 0.0]
    >>> affine_matrix(scale=2.0, shear=0.5)
    (2.0, 1.0, 0.0, 2.0)
    """
    theta = math.radians(rotation)
    cos, sin = math.cos(theta), math.sin(theta)
    # cos 90 degrees computes to 6e-17, not 0: round such crumbs to 0 so a
    # quarter turn lands on pixel centres exactly.
    cos = 0.0 if abs(cos) < 1e-12 else cos
    sin = 0.0 if abs(sin) < 1e-12 else sin
    # R H = [[cos, cos k - sin], [sin, sin k + cos]]
    return (scale * cos, scale * (cos * shear - sin), scale * sin, scale * (sin * shear + cos))


def warp(pixels: Sequence[float], matrix: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 1.0),
         translation: tuple[float, float] = (0.0, 0.0),
         displacement: Optional[tuple[Sequence[float], Sequence[float]]] = None,
         side: int = SIDE) -> list[float]:
    """Resample ``pixels`` under p' = C + A (p - C) + t, plus an optional field.

    matrix: A as (a, b, c, d) (see ``affine_matrix``); it must be invertible.
    translation: t = (tx, ty) in pixels, right and down.
    displacement: (ux, uy), side*side floats each, added to every output
        pixel's source position (an elastic distortion, see ``elastic_field``).
    Output pixel p' reads the input at p = C + A^-1 (p' - C - t) (+ u(p'))
    by bilinear interpolation; outside the frame is 0.0.
    """
    a, b, c, d = matrix
    det = a * d - b * c
    if det == 0.0:
        raise ValueError("the affine matrix %r is not invertible" % (matrix,))
    # A^-1 = [[d, -b], [-c, a]] / det
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    tx, ty = translation
    centre = (side - 1) / 2.0
    last = side - 1
    out = [0.0] * (side * side)
    ux: Optional[Sequence[float]] = None
    uy: Sequence[float] = ()  # read only when ux is not None
    if displacement is not None:
        ux, uy = displacement
    index = 0
    for row in range(side):
        vy = row - centre - ty
        # Source of column 0 in this row, and its step per column.
        sx0 = centre + ia * (-centre - tx) + ib * vy
        sy0 = centre + ic * (-centre - tx) + id_ * vy
        for column in range(side):
            sx = sx0 + ia * column
            sy = sy0 + ic * column
            if ux is not None:
                sx += ux[index]
                sy += uy[index]
            # Only a source within a pixel of the frame can touch any ink.
            if -1.0 < sx < side and -1.0 < sy < side:
                x0 = math.floor(sx)
                y0 = math.floor(sy)
                fx = sx - x0
                fy = sy - y0
                top = y0 * side + x0
                value = 0.0
                if 0 <= y0:
                    if 0 <= x0:
                        value += (1.0 - fx) * (1.0 - fy) * pixels[top]
                    if x0 < last:
                        value += fx * (1.0 - fy) * pixels[top + 1]
                if y0 < last:
                    if 0 <= x0:
                        value += (1.0 - fx) * fy * pixels[top + side]
                    if x0 < last:
                        value += fx * fy * pixels[top + side + 1]
                out[index] = value
            index += 1
    return out


def affine(pixels: Sequence[float], rotation: float = 0.0, scale: float = 1.0, shear: float = 0.0,
           dx: float = 0.0, dy: float = 0.0, side: int = SIDE) -> list[float]:
    """Rotate by ``rotation`` degrees (clockwise on screen), scale by ``scale``,
    shear by ``shear``, all about the centre, then move by (dx, dy).

    A 20 x 2 bar through the centre, at half size, is a 10 x 1 bar, its ink
    spread over the two rows it falls between (the ink area scales by s^2):

    >>> bar = [1.0 if r in (13, 14) and 4 <= c < 24 else 0.0 for r in range(28) for c in range(28)]
    >>> affine(bar, scale=1.0) == bar
    True
    >>> half = affine(bar, scale=0.5)
    >>> [round(v, 2) for v in row_of(half, 14)[7:21]]
    [0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0]
    """
    return warp(pixels, affine_matrix(rotation, scale, shear), (dx, dy), side=side)


def gaussian_kernel(sigma: float) -> list[float]:
    """A Gaussian of standard deviation ``sigma``, sampled at -r..r (r = ceil 2 sigma),
    normalised to sum to 1.

    >>> [round(w, 4) for w in gaussian_kernel(1.0)]
    [0.0545, 0.2442, 0.4026, 0.2442, 0.0545]
    """
    radius = max(1, int(math.ceil(2.0 * sigma)))
    weights = [math.exp(-(k * k) / (2.0 * sigma * sigma)) for k in range(-radius, radius + 1)]
    total = sum(weights)
    return [w / total for w in weights]


def smooth(field: Sequence[float], kernel: Sequence[float], side: int = SIDE) -> list[float]:
    """Convolve a side x side field with ``kernel`` along rows, then columns.

    A 2-D Gaussian is the product of two 1-D ones, so two passes of a
    (2r+1)-tap kernel cost 2 (2r+1) multiplications a pixel instead of
    (2r+1)^2.  Beyond the frame the field counts as 0.
    """
    radius = len(kernel) // 2
    rows = [0.0] * (side * side)
    for row in range(side):
        base = row * side
        for column in range(side):
            total = 0.0
            for k in range(max(-radius, -column), min(radius, side - 1 - column) + 1):
                total += kernel[k + radius] * field[base + column + k]
            rows[base + column] = total
    out = [0.0] * (side * side)
    for row in range(side):
        for column in range(side):
            total = 0.0
            for k in range(max(-radius, -row), min(radius, side - 1 - row) + 1):
                total += kernel[k + radius] * rows[(row + k) * side + column]
            out[row * side + column] = total
    return out


def draw_noise(rng: PCG32, count: int) -> list[float]:
    """``count`` uniform floats in [-1, 1), one ``next_u32`` each (exact in any interpreter)."""
    return [rng.next_u32() / 2147483648.0 - 1.0 for _ in range(count)]


def elastic_field(noise_x: Sequence[float], noise_y: Sequence[float], alpha: float, sigma: float,
                  side: int = SIDE) -> tuple[list[float], list[float]]:
    """The displacement (ux, uy) = alpha (G_sigma * noise_x, G_sigma * noise_y)."""
    kernel = gaussian_kernel(sigma)
    ux = [alpha * v for v in smooth(noise_x, kernel, side)]
    uy = [alpha * v for v in smooth(noise_y, kernel, side)]
    return ux, uy


# --- Thicker and thinner strokes --------------------------------------------

def dilate(pixels: Sequence[float], side: int = SIDE) -> list[float]:
    """Grey dilation by the 3 x 3 cross: each pixel the max of itself and its 4 neighbours."""
    out = list(pixels)
    last = side - 1
    index = 0
    for row in range(side):
        for column in range(side):
            value = pixels[index]
            if column > 0 and pixels[index - 1] > value:
                value = pixels[index - 1]
            if column < last and pixels[index + 1] > value:
                value = pixels[index + 1]
            if row > 0 and pixels[index - side] > value:
                value = pixels[index - side]
            if row < last and pixels[index + side] > value:
                value = pixels[index + side]
            out[index] = value
            index += 1
    return out


def erode(pixels: Sequence[float], side: int = SIDE) -> list[float]:
    """Grey erosion by the 3 x 3 cross: the min of each pixel and its 4 neighbours
    (beyond the frame is background, 0.0)."""
    out = list(pixels)
    last = side - 1
    index = 0
    for row in range(side):
        for column in range(side):
            if row == 0 or row == last or column == 0 or column == last:
                out[index] = 0.0
            else:
                out[index] = min(pixels[index], pixels[index - 1], pixels[index + 1],
                                 pixels[index - side], pixels[index + side])
            index += 1
    return out


def thicken(pixels: Sequence[float], amount: float, side: int = SIDE) -> list[float]:
    """Thicker strokes for ``amount`` in (0, 1], thinner for [-1, 0); 0 is a copy.

    I + u (dilate(I) - I) for u > 0, I + |u| (erode(I) - I) for u < 0.
    """
    if amount == 0.0:
        return list(pixels)
    target = dilate(pixels, side) if amount > 0.0 else erode(pixels, side)
    weight = abs(amount)
    return [p + weight * (q - p) for p, q in zip(pixels, target)]


# --- All of them, drawn at random -------------------------------------------

class Distortion:
    """The random choices for one image (see ``Augmenter.draw``).

    dx, dy: whole-pixel shift; rotation: degrees; scale: factor; shear: k;
    thickness: u in [-1, 1]; noise: (noise_x, noise_y) for an elastic field, or None;
    pen: the radius of the pen the image is redrawn with, or 0.0 (not redrawn).
    """

    __slots__ = ("dx", "dy", "rotation", "scale", "shear", "thickness", "noise", "pen")

    def __init__(self, dx: int = 0, dy: int = 0, rotation: float = 0.0, scale: float = 1.0, shear: float = 0.0,
                 thickness: float = 0.0, noise: Optional[tuple[list[float], list[float]]] = None,
                 pen: float = 0.0):
        self.dx, self.dy = dx, dy
        self.rotation, self.scale, self.shear = rotation, scale, shear
        self.thickness = thickness
        self.noise = noise
        self.pen = pen

    def __repr__(self):
        return ("Distortion(dx=%d, dy=%d, rotation=%.3g, scale=%.3g, shear=%.3g, thickness=%.3g%s%s)"
                % (self.dx, self.dy, self.rotation, self.scale, self.shear, self.thickness,
                   ", elastic" if self.noise is not None else "",
                   ", pen=%.3g" % self.pen if self.pen else ""))


class Augmenter:
    """Random distortions of training images, with the ranges they are drawn from.

    shift: largest whole-pixel shift (dx, dy uniform in -shift..shift).
    rotate: largest rotation in degrees (theta uniform in [-rotate, rotate]).
    scale: largest relative size change (s uniform in [1 - scale, 1 + scale]).
    shear: largest shear factor (k uniform in [-shear, shear]).
    elastic: alpha of the elastic distortion (0: none); sigma its smoothness.
    thickness: largest pen change (u uniform in [-thickness, thickness]).
    pen: the probability that an image is redrawn with a round pen of a
    random radius in ``PEN_RADII`` (0: never).

    ``augmenter(pixels, rng)`` returns a distorted copy; ``draw`` and
    ``apply`` do the same in two halves, so that a resumed epoch can draw
    (and discard) the choices of images it skips without the cost of
    applying them.
    """

    def __init__(self, shift: int = 0, rotate: float = 0.0, scale: float = 0.0, shear: float = 0.0,
                 elastic: float = 0.0, sigma: float = 4.0, thickness: float = 0.0, pen: float = 0.0,
                 side: int = SIDE):
        self.shift = shift
        self.rotate = rotate
        self.scale = scale
        self.shear = shear
        self.elastic = elastic
        self.sigma = sigma
        self.thickness = thickness
        self.pen = pen
        self.side = side
        self._kernel: Optional[list[float]] = gaussian_kernel(sigma) if elastic else None

    def __repr__(self):
        return ("Augmenter(shift=%d, rotate=%g, scale=%g, shear=%g, elastic=%g, sigma=%g, thickness=%g, pen=%g)"
                % (self.shift, self.rotate, self.scale, self.shear, self.elastic, self.sigma, self.thickness,
                   self.pen))

    @property
    def active(self) -> bool:
        """Does this augmenter change images at all?"""
        return bool(self.shift or self.rotate or self.scale or self.shear or self.elastic or self.thickness
                    or self.pen)

    @property
    def draws_per_image(self) -> int:
        """How many ``next_u32`` values one image consumes: fixed by the options.

        A shift is two ``below`` calls (one ``next_u32`` each but for a
        rejection, which happens for fewer than 1 in 10^8 draws with ranges
        this small); every other range is one ``uniform`` (two
        ``next_u32``); an elastic field is one ``next_u32`` per pixel and
        axis; the pen two ``uniform``s (whether, and the radius), drawn
        last, so that options without it draw as before.
        """
        count = 2 if self.shift else 0
        count += 2 * sum(1 for r in (self.rotate, self.scale, self.shear, self.thickness) if r)
        if self.elastic:
            count += 2 * self.side * self.side
        if self.pen:
            count += 4
        return count

    def draw(self, rng: PCG32) -> Distortion:
        """Draw one image's choices, always in the same order and number."""
        distortion = Distortion()
        if self.shift:
            distortion.dx, distortion.dy = random_shift(rng, self.shift)
        if self.rotate:
            distortion.rotation = self.rotate * (2.0 * rng.uniform() - 1.0)
        if self.scale:
            distortion.scale = 1.0 + self.scale * (2.0 * rng.uniform() - 1.0)
        if self.shear:
            distortion.shear = self.shear * (2.0 * rng.uniform() - 1.0)
        if self.thickness:
            distortion.thickness = self.thickness * (2.0 * rng.uniform() - 1.0)
        if self.elastic:
            pixels = self.side * self.side
            distortion.noise = (draw_noise(rng, pixels), draw_noise(rng, pixels))
        if self.pen:
            redrawn = rng.uniform() < self.pen
            radius = PEN_RADII[0] + (PEN_RADII[1] - PEN_RADII[0]) * rng.uniform()
            distortion.pen = radius if redrawn else 0.0
        return distortion

    def apply(self, pixels: Sequence[float], distortion: Distortion) -> list[float]:
        """The image distorted as ``distortion`` says: strokes first, then the geometry."""
        side = self.side
        if distortion.pen:
            # Imported here: only runs that redraw load the image modules.
            from nrnn.image.skeleton import redraw
            pixels = redraw(pixels, distortion.pen)
        if distortion.thickness:
            pixels = thicken(pixels, distortion.thickness, side)
        geometric = (distortion.rotation or distortion.shear or distortion.scale != 1.0
                     or distortion.noise is not None)
        if not geometric:
            # Whole-pixel shifts alone: the exact, much cheaper slice copy.
            if distortion.dx or distortion.dy:
                return shift(pixels, distortion.dx, distortion.dy, side)
            return list(pixels)
        displacement = None
        if distortion.noise is not None:
            alpha, kernel = self.elastic, self._kernel
            if kernel is None:  # noise drawn by an elastic augmenter, applied by one without
                kernel = gaussian_kernel(self.sigma)
            displacement = ([alpha * v for v in smooth(distortion.noise[0], kernel, side)],
                            [alpha * v for v in smooth(distortion.noise[1], kernel, side)])
        matrix = affine_matrix(distortion.rotation, distortion.scale, distortion.shear)
        return warp(pixels, matrix, (float(distortion.dx), float(distortion.dy)), displacement, side)

    def __call__(self, pixels: Sequence[float], rng: PCG32) -> list[float]:
        return self.apply(pixels, self.draw(rng))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
