"""Tests for bench/people_digits.py, the generator of people-like digit images.

The benchmark is only worth its figures if the images are the same every
run (so before/after compare like with like) and the digit really is where
the generator says it put it.
"""

import doctest
import unittest

from bench import people_digits as pd
from nrnn.image import png
from nrnn.image.gray import gray8
from tests.support import requires_shared, shared_path


def _decode(sample):
    if sample.fmt == "jpeg":
        from nrnn.image import jpeg  # only once the decoder exists; the caller checks
        return jpeg.decode(sample.data, sample.kind, 10 ** 8)
    return png.decode(sample.data, sample.kind, 10 ** 8)


def _can_decode_jpeg():
    try:
        from nrnn.image import jpeg  # noqa: F401
    except ImportError:
        return False
    return pd.jpeg_available()


class GeometryTest(unittest.TestCase):
    def test_homography_maps_corners(self):
        square = [(0, 0), (28, 0), (28, 28), (0, 28)]
        quad = [(10, 20), (90, 25), (85, 110), (5, 100)]
        h = pd.homography(square, quad)
        for (u, v), (x, y) in zip(square, quad):
            mapped = pd._apply(h, u, v)
            self.assertAlmostEqual(mapped[0], x, places=9)
            self.assertAlmostEqual(mapped[1], y, places=9)

    def test_skeleton_of_a_bar_is_its_centre_line(self):
        # A bar 4 pixels wide (columns 12..15, centre x = 14.0 in digit
        # coordinates) from row 4 to row 23.
        bar = bytes(255 if 12 <= x <= 15 and 4 <= y <= 23 else 0
                    for y in range(28) for x in range(28))
        points = [p for stroke in pd.skeleton(bar) for p in stroke]
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        self.assertLess(max(abs(x - 14.0) for x in xs), 0.8)
        self.assertLess(min(ys), 7.0)
        self.assertGreater(max(ys), 21.0)

    def test_ink_colour_has_the_asked_contrast(self):
        paper = (240.0, 230.0, 200.0)
        ink = pd.ink_colour(paper, pd.HUES["blue"], 40.0)
        self.assertAlmostEqual(pd._luma(paper) - pd._luma(ink), 40.0, places=6)
        self.assertGreater(ink[2] / paper[2], ink[0] / paper[0])  # bluish


class SyntheticTest(unittest.TestCase):
    """Runs without ../shared, on the two stand-in digits."""

    def test_same_seed_same_bytes_other_seed_other_bytes(self):
        digits = pd.MnistTest.synthetic()
        first = pd.generate("photo_ink", 2, seed=5, digits=digits)
        self.assertEqual(first, pd.generate("photo_ink", 2, seed=5, digits=digits))
        self.assertNotEqual(first.data, pd.generate("photo_ink", 2, seed=6, digits=digits).data)
        self.assertNotEqual(first.data, pd.generate("photo_ink", 3, seed=5, digits=digits).data)

    def test_unknown_kind(self):
        with self.assertRaisesRegex(ValueError, "unknown kind 'fax'"):
            pd.generate("fax", 0, digits=pd.MnistTest.synthetic())

    def test_paint_ink_is_inside_the_box(self):
        digits = pd.MnistTest.synthetic()
        for index in range(4):
            sample = pd.generate("paint", index, seed=2, digits=digits)
            image = png.decode(sample.data)
            gray = gray8(image)
            left, top, right, bottom = sample.box
            self.assertLess(left, right)
            self.assertLess(top, bottom)
            dark = [i for i, v in enumerate(gray) if v < 100]
            self.assertTrue(dark, sample)
            for i in dark:
                y, x = divmod(i, image.width)
                self.assertTrue(left - 2 <= x < right + 2 and top - 2 <= y < bottom + 2,
                                "dark pixel (%d, %d) outside %s" % (x, y, sample.box))

    def test_scene_darkest_pixels_are_the_ink(self):
        rng = pd.PCG32(1)
        ink = pd.Ink(30, 20, 10, 5, [1.0] * 50)
        pixels = pd.scene(80, 60, lambda x, y: (200.0, 200.0, 200.0), [(ink, (0, 0, 0))], rng,
                          noise=3.0, channels=1)
        order = sorted(range(len(pixels)), key=lambda i: pixels[i])[:50]
        self.assertEqual(sorted((i % 80, i // 80) for i in order),
                         sorted((x, y) for y in range(20, 25) for x in range(30, 40)))


@requires_shared("mnist", "t10k-images-idx3-ubyte.gz")
class MnistKindsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.digits = pd.MnistTest.load(shared_path("mnist"))

    def test_every_kind_decodes_at_its_declared_size(self):
        for kind in pd.KINDS:
            with self.subTest(kind=kind):
                try:
                    sample = pd.generate(kind, 0, seed=1, digits=self.digits)
                except pd.JpegUnavailable:
                    continue
                if sample.fmt == "jpeg" and not _can_decode_jpeg():
                    self.assertEqual(sample.data[:2], b"\xff\xd8")
                    continue
                image = _decode(sample)
                self.assertEqual((image.width, image.height), (sample.width, sample.height))
                self.assertIn(sample.label, range(10))
                left, top, right, bottom = sample.box
                self.assertTrue(0 <= left < right <= sample.width and 0 <= top < bottom <= sample.height,
                                sample.box)

    def test_marker_photo_ink_is_darkest_where_placed(self):
        # Around the digit the lighting barely changes, so the darkest
        # pixels of the neighbourhood must be the ink, inside the box.
        for index in range(3):
            sample = pd.generate("photo_marker", index, seed=4, digits=self.digits)
            image = png.decode(sample.data, "marker", 10 ** 8)
            gray = gray8(image)
            left, top, right, bottom = sample.box
            grow_x, grow_y = (right - left) // 2, (bottom - top) // 2
            near = [(gray[y * image.width + x], x, y)
                    for y in range(max(0, top - grow_y), min(image.height, bottom + grow_y))
                    for x in range(max(0, left - grow_x), min(image.width, right + grow_x))]
            for _, x, y in sorted(near)[:200]:
                self.assertTrue(left - 3 <= x < right + 3 and top - 3 <= y < bottom + 3,
                                "%s: dark (%d, %d) outside %s" % (sample.source, x, y, sample.box))

    def test_canvas_digit_stays_on_the_canvas(self):
        # A digit cut off by the canvas edge would be a different digit.
        for index in range(10):
            sample = pd.generate("canvas", index, seed=1, digits=self.digits)
            image = png.decode(sample.data)
            alpha = image.rgba[3::4]
            # A transparent canvas paints in alpha; an opaque one is black
            # with white strokes.
            ink = alpha if min(alpha) < 255 else gray8(image)
            edge = (ink[:image.width] + ink[-image.width:]
                    + ink[::image.width] + ink[image.width - 1::image.width])
            self.assertLess(max(edge), 13, "ink on the edge of %s" % (sample,)[:80])

    def test_label_is_the_mnist_label(self):
        sample = pd.generate("canvas", 7, seed=1, digits=self.digits)
        number = int(sample.source.split()[1])
        self.assertEqual(sample.label, self.digits.labels[number])


def load_tests(loader, tests, pattern):
    # The generator's doctests (tests/test_doctests.py covers nrnn/ only).
    tests.addTests(doctest.DocTestSuite(pd))
    return tests


if __name__ == "__main__":
    unittest.main()
