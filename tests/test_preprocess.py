"""Tests for nrnn/image/preprocess.py: hand-computed placements, invariances, real MNIST.

Golden values here were worked out by hand from the recipe (scale factor,
area averages, centre of mass, rounded shift); each test says how.
"""

import gzip
import json
import platform
import random
import struct
import unittest
from unittest import mock

from nrnn.errors import ImageError
from nrnn.image import png, preprocess
from nrnn.image.gray import gray8
from tests import photos
from tests.support import requires_shared, shared_path

FIELD = 28

# A "7" as a 5 x 7 bitmap; drawn scaled up it gives an asymmetric digit
# whose centre of mass is not the centre of its box.
SEVEN = [
    "#####",
    "....#",
    "...#.",
    "..#..",
    ".#...",
    ".#...",
    ".#...",
]


def image_from_gray(width, height, gray, name="<test>"):
    """An opaque png.Image from one gray byte per pixel."""
    return png.Image(width, height, b"".join(bytes((g, g, g, 255)) for g in gray), name)


def draw(width, height, left, top, scale, ink, paper, bitmap=SEVEN):
    """Gray bytes of a ``width`` x ``height`` picture of ``bitmap`` scaled by
    ``scale`` with its top-left corner at (left, top)."""
    gray = bytearray([paper]) * (width * height)
    for row_index, row in enumerate(bitmap):
        for column_index, mark in enumerate(row):
            if mark != "#":
                continue
            for dy in range(scale):
                y = top + row_index * scale + dy
                start = y * width + left + column_index * scale
                gray[start:start + scale] = bytes([ink]) * scale
    return bytes(gray)


def rows_of(field):
    return [field[y * FIELD:(y + 1) * FIELD] for y in range(FIELD)]


def bounding_box(field):
    """(left, top, right, bottom) of the nonzero values, inclusive."""
    points = [(i % FIELD, i // FIELD) for i, v in enumerate(field) if v > 0]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def centre_of_mass(field):
    total = sum(field)
    x = sum((i % FIELD) * v for i, v in enumerate(field)) / total
    y = sum((i // FIELD) * v for i, v in enumerate(field)) / total
    return x, y


class GoldenPlacements(unittest.TestCase):
    def test_two_by_four_bar(self):
        # 2 wide x 4 tall, longer side 4 -> scale 5 -> 10 x 20, all 1.0.
        # Centre of mass (4.5, 9.5); shift = floor(14 - c + 0.5) = (10, 5).
        field = preprocess.to_mnist(2, 4, [1.0] * 8)
        expected = [0.0] * 784
        for y in range(5, 25):
            for x in range(10, 20):
                expected[y * FIELD + x] = 1.0
        self.assertEqual(field, expected)

    def test_downscale_averages_areas_and_centres_by_mass(self):
        # 40 x 20: left half ink 1.0, right half 0.5.  Scale 1/2 -> 20 x 10,
        # each new pixel the mean of a 2x2 block: left 10 columns 1.0, right
        # 10 columns 0.5.  Column masses: x=0..9 weigh 1, x=10..19 weigh .5:
        # cx = (45 + 0.5*145) / 15 = 7.833 -> shift floor(6.667) = 6.
        # cy = 4.5 -> shift 10.
        ink = ([1.0] * 20 + [0.5] * 20) * 20
        rows = rows_of(preprocess.to_mnist(40, 20, ink))
        for y in range(FIELD):
            expected = [0.0] * FIELD
            if 10 <= y < 20:
                expected[6:16] = [1.0] * 10
                expected[16:26] = [0.5] * 10
            self.assertEqual(rows[y], expected, "row %d" % y)

    def test_partial_overlap_weights(self):
        # 3 pixels into 2: each new pixel covers 1.5 old ones.
        self.assertEqual(preprocess._area_weights(3, 2),
                         [[(0, 2 / 3), (1, 1 / 3)], [(1, 1 / 3), (2, 2 / 3)]])
        # Weights always sum to 1 (an average, not a sum).
        for source, target in [(7, 20), (137, 20), (20, 13), (1, 20)]:
            for weights in preprocess._area_weights(source, target):
                self.assertAlmostEqual(sum(w for _, w in weights), 1.0, places=12)

    def test_thin_stroke_is_stretched_back_to_full_ink(self):
        # A 1-pixel-wide vertical line 100 tall: scaled by 1/5 it would be
        # 0.2 wide, averaged to 0.2 ink; the recipe restretches to 1.0.
        width, height = 3, 100
        ink = [1.0 if x == 1 else 0.0 for y in range(height) for x in range(width)]
        field = preprocess.to_mnist(width, height, ink)
        self.assertEqual(max(field), 1.0)
        left, top, right, bottom = bounding_box(field)
        self.assertEqual((right - left + 1, bottom - top + 1), (1, 20))

    def test_clamped_so_the_digit_stays_inside(self):
        # 20x20 box with nearly all mass in the top-left pixel: centring by
        # mass would shift it by 12, off the field; the shift is clamped to 8.
        ink = [0.0] * 400
        ink[0] = 1.0
        ink[399] = 0.01
        field = preprocess.to_mnist(20, 20, ink)
        self.assertEqual(field[8 * FIELD + 8], 1.0)
        self.assertEqual(field[27 * FIELD + 27], 0.01)

    def test_aspect_ratio_preserved(self):
        for width, height, size in [(10, 40, (5, 20)), (40, 10, (20, 5)), (30, 40, (15, 20)),
                                    (1, 1, (20, 20)), (3, 100, (1, 20))]:
            with self.subTest(size=(width, height)):
                field = preprocess.to_mnist(width, height, [1.0] * (width * height))
                left, top, right, bottom = bounding_box(field)
                self.assertEqual((right - left + 1, bottom - top + 1), size)

    def test_centre_of_mass_lands_at_the_centre(self):
        gray = draw(120, 100, 30, 20, 8, 0, 255)  # a 40 x 56 "7" on white
        field = preprocess.prepare(image_from_gray(120, 100, gray))
        x, y = centre_of_mass(field)
        self.assertLessEqual(abs(x - 14), 0.5)
        self.assertLessEqual(abs(y - 14), 0.5)
        left, top, right, bottom = bounding_box(field)
        self.assertEqual(bottom - top + 1, 20)  # the longer side is 20
        # The 7's mass sits right of and above its box's middle, so the box
        # is *not* centred: its middle is left of / below 14.
        self.assertLess((left + right) / 2, 14)

    def test_wrong_length_rejected(self):
        with self.assertRaises(ImageError):
            preprocess.to_mnist(3, 3, [1.0] * 8)


class InkExtraction(unittest.TestCase):
    def reference(self):
        gray = draw(100, 100, 20, 15, 8, 0, 255)
        return preprocess.prepare(image_from_gray(100, 100, gray))

    def test_black_on_white_equals_white_on_black(self):
        dark_on_light = self.reference()
        light_on_dark = preprocess.prepare(
            image_from_gray(100, 100, draw(100, 100, 20, 15, 8, 255, 0)))
        self.assertEqual(dark_on_light, light_on_dark)
        # Ink is high: the digit's pixels are 1.0, the field's corner 0.0.
        self.assertEqual(max(dark_on_light), 1.0)
        self.assertEqual(dark_on_light[0], 0.0)

    def test_gray_paper_and_gray_pencil(self):
        # Pencil at 120 on paper at 210: ink is measured from the paper and
        # stretched, so it matches pure black on white.
        faint = preprocess.prepare(image_from_gray(100, 100, draw(100, 100, 20, 15, 8, 120, 210)))
        self.assertEqual(faint, self.reference())

    def test_ink_values_by_hand(self):
        # Paper 200; ink 50 and 170 are distances 150 and 30, stretched by
        # the strongest (150) to 1.0 and 0.2.  Two specks at 190 (distance
        # 10 -> 1/15, under NOISE_LEVEL): the one touching the stroke is its
        # anti-aliased edge and stays; the isolated one in the corner goes.
        gray = [200] * 25
        gray[12], gray[13], gray[11], gray[0] = 50, 170, 190, 190
        width, height, ink = preprocess.ink_from_image(image_from_gray(5, 5, gray))
        self.assertEqual((width, height), (5, 5))
        expected = [0.0] * 25
        expected[12], expected[13], expected[11] = 1.0, 0.2, 1 / 15
        for got, want in zip(ink, expected):
            self.assertAlmostEqual(got, want, places=12)

    def test_transparent_canvas_with_dark_strokes(self):
        # Browser canvas: transparent black background, opaque black strokes.
        gray = draw(100, 100, 20, 15, 8, 0, 255)
        rgba = b"".join(b"\x00\x00\x00\xff" if g == 0 else b"\x00\x00\x00\x00" for g in gray)
        self.assertEqual(preprocess.prepare(png.Image(100, 100, rgba)), self.reference())

    def test_transparent_canvas_with_light_strokes(self):
        gray = draw(100, 100, 20, 15, 8, 0, 255)
        rgba = b"".join(b"\xff\xff\xff\xff" if g == 0 else b"\x00\x00\x00\x00" for g in gray)
        self.assertEqual(preprocess.prepare(png.Image(100, 100, rgba)), self.reference())

    def test_antialiasing_in_alpha_is_ink(self):
        # A half-transparent black pixel is half-strength ink.
        rgba = bytearray(b"\x00\x00\x00\x00" * 9)
        rgba[4 * 4 + 3] = 255
        rgba[5 * 4 + 3] = 128
        _, _, ink = preprocess.ink_from_image(png.Image(3, 3, bytes(rgba)))
        self.assertEqual(ink[4], 1.0)
        self.assertAlmostEqual(ink[5], 128 / 255, places=9)
        self.assertEqual(ink[0], 0.0)

    def test_shifted_and_bigger_canvas_give_the_same_input(self):
        reference = self.reference()
        for width, height, left, top in [(100, 100, 50, 40), (150, 80, 5, 10), (300, 260, 200, 150)]:
            with self.subTest(canvas=(width, height), at=(left, top)):
                gray = draw(width, height, left, top, 8, 0, 255)
                self.assertEqual(preprocess.prepare(image_from_gray(width, height, gray)),
                                 reference)

    def test_faint_dust_ignored(self):
        gray = bytearray(draw(100, 100, 20, 15, 8, 0, 255))
        for index in (5 * 100 + 90, 90 * 100 + 10, 95 * 100 + 95, 50 * 100 + 80):
            gray[index] = 240  # 15 levels below the paper: under NOISE_LEVEL
        self.assertEqual(preprocess.prepare(image_from_gray(100, 100, bytes(gray))),
                         self.reference())

    def test_scanner_edge_ignored(self):
        gray = bytearray(draw(100, 100, 20, 15, 8, 0, 255))
        for i in range(100):  # a dark line down the left edge, one across the top
            gray[i * 100] = 0
            gray[i] = 0
        self.assertEqual(preprocess.prepare(image_from_gray(100, 100, bytes(gray))),
                         self.reference())

    def test_blank_images_raise_image_error(self):
        cases = {
            "white": [255] * 400,
            "black": [0] * 400,
            "paper grain": [250 + (i * 7) % 6 for i in range(400)],
        }
        for label, gray in cases.items():
            with self.subTest(label):
                with self.assertRaises(ImageError) as caught:
                    preprocess.prepare(image_from_gray(20, 20, gray, name="blank.png"))
                self.assertIn("no ink found", str(caught.exception))
                self.assertIn("blank.png", str(caught.exception))
        with self.assertRaises(ImageError):
            preprocess.to_mnist(2, 2, [0.0] * 4)
        transparent = png.Image(4, 4, bytes(64))
        with self.assertRaises(ImageError):
            preprocess.prepare(transparent)


def inverted(image):
    """``image`` with its colours inverted (white ink on black), alpha kept."""
    rgba = bytearray(image.rgba)
    for channel in range(3):
        rgba[channel::4] = bytes(255 - v for v in rgba[channel::4])
    return png.Image(image.width, image.height, bytes(rgba), "inverted-" + image.name)


def mean_difference(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def shifted_difference(a, b):
    """mean_difference of 28 x 28 inputs, the best of ``a`` moved by up to
    a pixel each way: MNIST's centring moves the digit by whole pixels, and
    a shade more ink on one side can tip its rounding."""
    def moved(dx, dy):
        return [a[(y - dy) * 28 + x - dx] if 0 <= x - dx < 28 and 0 <= y - dy < 28 else 0.0
                for y in range(28) for x in range(28)]
    return min(mean_difference(moved(dx, dy), b) for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def opaque_gray(width, height, gray, name="<test>"):
    """An opaque gray png.Image from ``width * height`` gray bytes, built at C speed."""
    rgba = bytearray(4 * width * height)
    for offset in range(3):
        rgba[offset::4] = gray
    rgba[3::4] = b"\xff" * (width * height)
    return png.Image(width, height, bytes(rgba), name)


class PathChoice(unittest.TestCase):
    """Drawings keep the old reading exactly; photos get the new one."""

    def test_drawings_are_read_exactly_as_before(self):
        # drawing_ink is the old ink_from_image, unchanged: for a drawing,
        # prepare must be exactly the old recipe on it.
        drawings = [
            image_from_gray(100, 100, draw(100, 100, 20, 15, 8, 0, 255)),
            image_from_gray(300, 260, draw(300, 260, 200, 150, 8, 120, 210)),
            photos.clean(3),
        ]
        for image in drawings:
            with self.subTest(size=(image.width, image.height)):
                path, why = preprocess.choose_path(image, [float(v) for v in gray8(image)],
                                                   image.width, image.height)
                self.assertEqual(path, "drawing", why)
                self.assertEqual(preprocess.prepare(image),
                                 preprocess.to_mnist(*preprocess.drawing_ink(image)))

    def test_the_paper_count_from_sorted_values_is_the_plain_count(self):
        # choose_path counts the pixels within PAPER_TOLERANCE of the
        # median by bisecting the sorted values: the same count as looking
        # at each, also for values on the edges and near them, where
        # v - median rounds (shrunk gray levels are arbitrary floats).
        median = 200.0 / 3
        values = [median + d for d in (-3.0, 3.0, -3.0000000000001, 3.0000000000001, -2.9999999999999,
                                       2.9999999999999, 0.0, 100.0, -100.0)]
        values += [(i * 7919 % 2000) / 13.0 for i in range(2000)]
        for centre in (median, 0.0, 76.9, 153.84615384615384):
            with self.subTest(centre=centre):
                plain = sum(1 for v in values if abs(v - centre) <= preprocess.PAPER_TOLERANCE)
                self.assertEqual(preprocess._count_near(sorted(values), centre, preprocess.PAPER_TOLERANCE),
                                 plain)
        self.assertEqual(preprocess._count_near([], 1.0, 3), 0)

    def test_the_ring_of_rows_is_the_border_of_the_flat_image(self):
        for width, height in [(1, 1), (5, 1), (1, 5), (2, 2), (4, 3), (7, 6)]:
            with self.subTest(size=(width, height)):
                flat = list(range(width * height))
                rows = [flat[y * width:(y + 1) * width] for y in range(height)]
                self.assertEqual(preprocess._ring(rows), preprocess._border(flat, width, height))

    def test_transparent_and_tiny_images_are_drawings(self):
        canvas = png.Image(30, 30, b"\x00\x00\x00\x00" * 900)
        self.assertEqual(preprocess.choose_path(canvas, [], 0, 0)[0], "drawing")
        noisy = image_from_gray(28, 28, [(i * 37) % 256 for i in range(784)])
        self.assertEqual(preprocess.choose_path(noisy, [], 0, 0)[0], "drawing")

    def test_the_cheap_uniform_test_agrees_with_choose_path(self):
        # plainly_uniform may only say True where choose_path, on the
        # shrunk image, says "its paper is uniform"; and it must say True
        # for plain drawings big enough to be shrunk, or it saves nothing.
        def coloured(image):
            rgba = bytearray(image.rgba)
            for i in range(0, len(rgba), 4):
                if rgba[i] < 128:
                    rgba[i:i + 3] = bytes((30, 60, 200))   # a blue pen
            return png.Image(image.width, image.height, bytes(rgba), "blue-pen.png")

        plain = [image_from_gray(300, 260, draw(300, 260, 200, 150, 8, 120, 210)),
                 image_from_gray(600, 400, draw(600, 400, 250, 60, 20, 0, 255)),
                 photos.clean(3, width=400, height=300, box=(150, 50, 250, 250), pen=16.0),
                 coloured(photos.clean(5, width=280, height=280, box=(90, 40, 190, 240), pen=14.0))]
        others = [photos.photo(2), photos.padded(photos.clean(2), level=90),
                  photos.clean(7, width=300, height=300, box=(0, 40, 100, 240), pen=14.0)]
        for image in plain + others:
            gray_width, gray_height, gray, _ = preprocess._opaque_planes(image, preprocess.PHOTO_SIDE)
            path, why = preprocess.choose_path(image, gray, gray_width, gray_height)
            with self.subTest(image=image.name, size=(image.width, image.height), why=why):
                if image in plain:
                    self.assertTrue(preprocess.plainly_uniform(image))
                if preprocess.plainly_uniform(image):
                    self.assertEqual((path, why), ("drawing", "its paper is uniform"))

    def test_a_digit_drawn_past_the_canvas_edges_is_a_drawing(self):
        # Drawn big, the strokes run off the canvas: the ring inside the
        # frame is no longer plain paper, and the photo reading, which
        # leaves out what hugs the border, read the paper between the
        # strokes.  But paper and ink are two exact colours.
        for digit in range(10):
            for light in (False, True):
                image = photos.clean(digit, width=200, height=200, box=(-30, -40, 230, 240), pen=18.0)
                if light:
                    image = inverted(image)
                with self.subTest(digit=digit, light=light):
                    gray_width, gray_height, gray, _ = preprocess._opaque_planes(image, preprocess.PHOTO_SIDE)
                    self.assertEqual(preprocess.choose_path(image, gray, gray_width, gray_height),
                                     ("drawing", preprocess.DRAWN_TO_THE_EDGE))
                    self.assertEqual(preprocess.prepare(image), preprocess.to_mnist(*preprocess.drawing_ink(image)))

    def test_bars_the_colour_of_the_ink_are_a_frame(self):
        # A drawing letterboxed in black bars, black ink: the ring is two
        # exact colours too, but a whole edge is "ink".  Read as a photo,
        # whose flat margins are cut, it reads like the drawing.
        for digit in (2, 7):
            with self.subTest(digit=digit):
                image = photos.padded(photos.clean(digit), level=0)
                gray = [float(v) for v in gray8(image)]
                self.assertEqual(preprocess.choose_path(image, gray, image.width, image.height)[0], "photo")
                self.assertLess(mean_difference(preprocess.prepare(image), preprocess.prepare(photos.clean(digit))),
                                0.06)

    def test_uneven_light_and_noise_make_a_photo(self):
        for image in (photos.photo(2), photos.photo(2, shadow=False), photos.padded(photos.clean(2), level=90)):
            gray = [float(v) for v in gray8(image)]
            self.assertEqual(preprocess.choose_path(image, gray, image.width, image.height)[0], "photo")


class Photos(unittest.TestCase):
    """A photo must read like the same digit drawn cleanly.  The bounds are
    about a quarter of what the old reading got on the same photos (0.13 to
    0.16: the shadow or the padding counted as ink and the digit shrank)."""

    BOUND = 0.06

    def check(self, image, digit):
        reference = preprocess.prepare(photos.clean(digit))
        got = preprocess.prepare(image)
        self.assertLess(mean_difference(got, reference), self.BOUND)
        self.assertGreater(mean_difference(preprocess.to_mnist(*preprocess.drawing_ink(image)), reference),
                           2 * self.BOUND, "the old reading was not fooled: the test proves nothing")

    def test_shadow_and_uneven_light(self):
        for digit in (1, 4, 7):
            with self.subTest(digit=digit):
                self.check(photos.photo(digit, seed=digit), digit)

    def test_grey_photo_padded_with_white(self):
        for digit in (3, 9):
            with self.subTest(digit=digit):
                self.check(photos.padded(photos.photo(digit, shadow=False, darkness=0.5)), digit)

    def test_a_faint_clean_drawing_reads_like_a_dark_one(self):
        # Ink 22 levels under white paper: too faint for the drawing
        # reading, so it is read as a photo; its flat white margins are
        # its paper, not a frame, and must not be cut away.
        for digit in (0, 2, 7):
            with self.subTest(digit=digit):
                cover = photos.coverage(digit, 200, 160, (70, 30, 130, 130), 9.0)
                faint = photos.gray_image(200, 160, [255 - 22 * c for c in cover], "faint.png")
                got = preprocess.prepare(faint)
                self.assertLess(mean_difference(got, preprocess.prepare(photos.clean(digit))), self.BOUND)

    def test_a_digit_cropped_tight_touches_the_frame(self):
        # A photo cropped to the digit: the strokes touch the top and the
        # bottom edge, so "ink on the edge is scenery" must not apply, nor
        # may the 0's hole or the 8's loops (which touch nothing) win.
        # (The right third lies in a shadow: the 8's ink there, as dark as
        # on the left, tips the centring's rounding by a pixel.)
        size = dict(width=120, height=130, box=(20, 0, 100, 129), pen=11.0)
        for digit in (0, 1, 8):
            with self.subTest(digit=digit):
                got = preprocess.prepare(photos.photo(digit, noise=1.5, seed=digit, **size))
                self.assertLess(shifted_difference(got, preprocess.prepare(photos.clean(digit, **size))), self.BOUND)

    def test_a_dim_grainy_photo_is_read(self):
        # Paper at 90 levels, ink 30% darker, grain of 4 levels: the grain
        # lifts the threshold's floor over the ink; averaged with its
        # neighbours (the smoothed reading) the digit stands out.
        for digit in (2, 6, 9):
            with self.subTest(digit=digit):
                cover = photos.coverage(digit, 200, 160, (70, 30, 130, 130), 9.0)
                rng = random.Random(digit)
                image = photos.gray_image(200, 160, [90 * (1 - 0.3 * c) + rng.gauss(0, 4.0) for c in cover])
                self.assertLess(mean_difference(preprocess.prepare(image),
                                                preprocess.prepare(photos.clean(digit))), self.BOUND)

    def test_an_evenly_lit_grainy_photo_is_no_drawing(self):
        # Shrunk to 256 pixels a side the grain averages out and the paper
        # looks uniform (a drawing); read as one, at 640 x 480, the grain
        # stretched with the faint digit is ink everywhere and the digit
        # shrinks to a dot in the 28x28.  Read as a photo instead.
        size = dict(width=640, height=480, box=(260, 120, 380, 340), pen=16.0)
        cover = photos.coverage(6, **size)
        rng = random.Random(6)
        image = photos.gray_image(640, 480, [90 * (1 - 0.3 * c) + rng.gauss(0, 4.0) for c in cover], "dim.png")
        self.assertIn("grainy", preprocess.prepare_stages(image)[0][0])
        self.assertLess(mean_difference(preprocess.prepare(image), preprocess.prepare(photos.clean(6, **size))),
                        self.BOUND)

    def test_faint_blue_pen_is_read_in_colour(self):
        # Gray contrast ~14 levels: a drawing's reading finds nothing.
        image = photos.faint_blue(5)
        with self.assertRaises(ImageError):
            preprocess.to_mnist(*preprocess.drawing_ink(image))
        got = preprocess.prepare(image)
        self.assertLess(mean_difference(got, preprocess.prepare(photos.clean(5))), self.BOUND)

    def test_a_small_digit_in_a_big_photo_is_read_close_up(self):
        # A 40 x 56 digit written with a 2-pixel pen in a 900 x 675 photo:
        # shrunk to PHOTO_SIDE its strokes are under a pixel wide and a few
        # levels over the noise, and the first reading loses parts of them.
        # Read again from a crop of the full photo (``_zoom``), it is the
        # clean digit's shape.
        for digit in (2, 4, 7):
            with self.subTest(digit=digit):
                image = photos.photo(digit, width=900, height=675, box=(420, 300, 460, 356), pen=2.0,
                                     shadow=False, darkness=0.5, seed=digit)
                reference = preprocess.prepare(photos.clean(digit, width=200, height=200,
                                                            box=(60, 30, 140, 142), pen=5.0))
                self.assertLess(mean_difference(preprocess.prepare(image), reference), self.BOUND / 2)
                with mock.patch.object(preprocess, "ZOOM_GAIN", float("inf")):  # no second reading
                    self.assertGreater(mean_difference(preprocess.prepare(image), reference), self.BOUND / 2,
                                       "the shrunk photo alone reads it well: the test proves nothing")
        stages = preprocess.prepare_stages(image)
        self.assertIn("photo ink, zoomed in", [name for name, _, _, _ in stages])
        # Every stage, before the zoom and after, is the size it says
        # (predict.py --show-steps draws each one).
        for name, width, height, values in stages:
            self.assertEqual(len(values), width * height, name)

    def test_a_small_digit_in_a_thick_pen_is_read_once(self):
        # The same small digit with a 16-pixel pen: its strokes are still 4
        # or 5 pixels wide once shrunk, whole; a closer reading would only
        # make them thinner, relative to the digit, than in other photos.
        image = photos.photo(4, width=900, height=675, box=(420, 300, 460, 356), pen=16.0,
                             shadow=False, darkness=0.5, seed=4)
        names = [name for name, _, _, _ in preprocess.prepare_stages(image)]
        self.assertEqual(names[-2], "photo ink")
        with mock.patch.object(preprocess, "ZOOM_STROKE", float("inf")):
            names = [name for name, _, _, _ in preprocess.prepare_stages(image)]
        self.assertEqual(names[-2], "photo ink, zoomed in", "not small enough: the test proves nothing")

    def test_a_big_digit_is_read_once(self):
        # Filling half the photo, the digit gains nothing from a crop.
        names = [name for name, _, _, _ in preprocess.prepare_stages(photos.photo(4))]
        self.assertNotIn("photo ink, zoomed in", names)
        self.assertEqual(names[-2], "photo ink")

    def test_blank_photo_has_no_ink(self):
        with self.assertRaisesRegex(ImageError, "blank.png: no ink found"):
            preprocess.prepare(photos.blank())


class Stages(unittest.TestCase):
    def test_stages_end_with_the_input(self):
        for image in (photos.photo(6), photos.clean(6)):
            stages = preprocess.prepare_stages(image)
            name, width, height, values = stages[-1]
            self.assertEqual((name, width, height), ("input 28x28", 28, 28))
            self.assertEqual(values, preprocess.prepare(image))
            self.assertTrue(stages[0][0].startswith("brightness"))
            for name, width, height, values in stages:
                self.assertEqual(len(values), width * height, name)
                self.assertTrue(all(0.0 <= v <= 1.0 for v in values), name)
        names = [name for name, _, _, _ in preprocess.prepare_stages(photos.photo(6))]
        self.assertTrue(any("paper" in name for name in names), names)
        self.assertTrue(any("pieces kept" in name for name in names), names)


@unittest.skipUnless(platform.python_implementation() == "CPython", "tracemalloc measures CPython's heap")
class BigImages(unittest.TestCase):
    """Big images are shrunk first: memory stays bounded (the old reading
    took 0.52 GB for 2000 x 2000 and 0.9 GB for 4,000,000 x 1)."""

    LIMIT = 120_000_000  # bytes allocated at the peak, beyond the image itself

    def peak(self, image):
        import tracemalloc  # CPython only: PyPy has no _tracemalloc
        tracemalloc.start()
        try:
            try:
                preprocess.prepare(image)
            except ImageError:
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def test_2000_by_2000(self):
        paper, ink = b"\x80" * 2000, b"\x80" * 900 + b"\x14" * 200 + b"\x80" * 900
        gray = b"".join(ink if 500 <= y < 1500 else paper for y in range(2000))
        image = opaque_gray(2000, 2000, gray, "big.png")
        self.assertLess(self.peak(image), self.LIMIT)
        field = preprocess.prepare(image)  # a bar: the "1" fills the 20-pixel box's height
        left, top, right, bottom = bounding_box(field)
        self.assertEqual(bottom - top + 1, 20)

    def test_4_000_000_by_1_and_1_by_4_000_000(self):
        line = bytes((i * 37) % 256 for i in range(4_000_000))
        for width, height in ((4_000_000, 1), (1, 4_000_000)):
            with self.subTest(size=(width, height)):
                self.assertLess(self.peak(opaque_gray(width, height, line)), self.LIMIT // 4)


# ------------------------------------------------------------- real data


def read_mnist_test_images(count):
    """The first ``count`` MNIST test images, 784 bytes each (0 = background)."""
    with gzip.open(shared_path("mnist", "t10k-images-idx3-ubyte.gz"), "rb") as handle:
        magic, total, rows, columns = struct.unpack(">IIII", handle.read(16))
        assert (magic, rows, columns) == (0x803, 28, 28)
        return [handle.read(784) for _ in range(min(count, total))]


@requires_shared("mnist")
class RealMnist(unittest.TestCase):
    def test_mnist_image_passes_through_essentially_unchanged(self):
        for index, pixels in enumerate(read_mnist_test_images(20)):
            with self.subTest(image=index):
                image = png.decode(png.encode_gray8(28, 28, pixels))
                field = preprocess.prepare(image)
                original = [v / 255 for v in pixels]
                differences = [abs(a - b) for a, b in zip(field, original)]
                # Only isolated faint pixels (under NOISE_LEVEL) and
                # 254 -> 255 stretching may differ; nothing moves.
                self.assertLess(max(differences), preprocess.NOISE_LEVEL + 0.01)
                self.assertLess(sum(differences) / 784, 0.002)
                # Strong ink is exactly where it was (a 1-pixel shift would
                # move a stroke edge and break this).
                for got, want in zip(field, original):
                    if want >= 0.5:
                        self.assertAlmostEqual(got, want, delta=0.005)

    def test_upscaled_inverted_png_comes_back(self):
        for index, pixels in enumerate(read_mnist_test_images(5)):
            with self.subTest(image=index):
                # x10, black ink on white paper, as a scan might give it.
                big = bytearray()
                for y in range(28):
                    row = bytes(255 - pixels[y * 28 + x] for x in range(28) for _ in range(10))
                    big += row * 10
                image = png.decode(png.encode_gray8(280, 280, bytes(big)), "scan.png")
                field = preprocess.prepare(image)
                original = [v / 255 for v in pixels]
                mean_difference = sum(abs(a - b) for a, b in zip(field, original)) / 784
                self.assertLess(mean_difference, 0.02)
                got_x, got_y = centre_of_mass(field)
                want_x, want_y = centre_of_mass(original)
                self.assertLessEqual(abs(got_x - want_x), 1.0)
                self.assertLessEqual(abs(got_y - want_y), 1.0)


@requires_shared("pngsuite")
class DigitFiles(unittest.TestCase):
    def test_every_digit_file_gives_an_mnist_like_input(self):
        with open(shared_path("pngsuite", "digits", "manifest.json"), encoding="utf-8") as handle:
            entries = json.load(handle)["images"]
        for entry in entries:
            with self.subTest(entry["name"]):
                image = png.read_png(shared_path("pngsuite", "digits", entry["name"]))
                field = preprocess.prepare(image)
                self.assertEqual(len(field), 784)
                self.assertEqual(max(field), 1.0)
                self.assertGreaterEqual(min(field), 0.0)
                left, top, right, bottom = bounding_box(field)
                self.assertEqual(max(right - left, bottom - top) + 1, 20)
                x, y = centre_of_mass(field)
                self.assertLessEqual(abs(x - 14), 0.5)
                self.assertLessEqual(abs(y - 14), 0.5)
                # The field's corners are background whatever the file's
                # polarity: ink is high, background 0.
                self.assertEqual(field[0] + field[27] + field[-28] + field[-1], 0.0)


if __name__ == "__main__":
    unittest.main()
