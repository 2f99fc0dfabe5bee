"""Tests for nrnn/image/screenshot.py: the canvas in a screenshot of an app.

A screenshot must read exactly like the drawing on its canvas; a drawing
or a photo must have no canvas found in it (they keep their reading).
"""

import doctest
import math
import unittest

from bench import people_digits
from nrnn.image import preprocess, screenshot
from nrnn.image.image_file import decode_image
from tests import photos
from tests.test_preprocess import inverted, mean_difference


def shrunk(image, side=preprocess.PHOTO_SIDE):
    width, height, gray, _ = preprocess._opaque_planes(image, side)
    return gray, width, height


def canvas(digit, dark=False):
    drawing = photos.clean(digit, width=240, height=200, box=(80, 40, 160, 160), pen=9.0)
    return inverted(drawing) if dark else drawing


class ReadsLikeTheCanvas(unittest.TestCase):
    def test_every_app_and_theme(self):
        for app in ("paint", "web", "phone"):
            for dark in (False, True):
                for digit in (0, 1, 4, 7):
                    drawing = canvas(digit, dark)
                    shot = photos.screenshot(drawing, app, dark)
                    with self.subTest(app=app, dark=dark, digit=digit):
                        self.assertEqual(preprocess.prepare_stages(shot)[0][0],
                                         "brightness (a drawing on a canvas in a screenshot, cut out)")
                        self.assertEqual(preprocess.prepare(shot), preprocess.prepare(drawing))

    def test_a_zero_whose_hole_is_a_third_of_its_canvas(self):
        # The hole is paper too, though no part of the paper around the 0.
        width, height = 240, 200
        levels = []
        for y in range(height):
            for x in range(width):
                r = math.hypot((x + 0.5 - width / 2) / 80, (y + 0.5 - height / 2) / 70)
                levels.append(0 if abs(r - 1) * 70 < 5 else 255)
        drawing = photos.gray_image(width, height, levels, "ring.png")
        for app in ("paint", "web", "phone"):
            with self.subTest(app=app):
                self.assertEqual(preprocess.prepare(photos.screenshot(drawing, app)), preprocess.prepare(drawing))

    def test_the_whole_page_read_as_a_drawing_is_far_off(self):
        # What reading the whole page as a drawing gives: the toolbar's
        # icons and words, or the canvas itself, as ink.  (The code before
        # this step read every shot above differently from its canvas: the
        # web pages 0.08-0.13 away, the paint and phone ones 0.003-0.03.)
        for app in ("paint", "web", "phone"):
            drawing = canvas(4)
            shot = photos.screenshot(drawing, app)
            with self.subTest(app=app):
                self.assertGreater(mean_difference(preprocess.to_mnist(*preprocess.drawing_ink(shot)),
                                                   preprocess.prepare(drawing)), 0.06)

    def test_a_small_canvas_on_a_whole_screen(self):
        # A screenshot of the whole screen: a browser's title bar, a
        # heading, the canvas in a border, a button.  On a white page the
        # canvas is a twentieth of the screen; on a dark one, whose white
        # is the canvas alone, a twelfth.
        for page, side in (((255, 255, 255), 200), ((24, 24, 24), 290)):
            drawing = photos.clean(6, width=side, height=side, box=(side // 4, 30, 3 * side // 4, side - 30), pen=9.0)
            with self.subTest(page=page):
                self.assertEqual(preprocess.prepare(photos.whole_screen(drawing, page)), preprocess.prepare(drawing))

    def test_a_fat_brush_on_a_small_canvas(self):
        # The benchmark's screenshot 76 of seed 1 (a 0 of the synthetic
        # digits here): a black canvas in a gray border on a white page,
        # a fat brush covering a fifth of it.  Found, but then judged again
        # as a whole drawing would be, too little of it was paper, and the
        # whole page was read, the toolbar's words with the digit.
        sample = people_digits.generate("screenshot", 76, seed=1, digits=people_digits.MnistTest.synthetic())
        shot = decode_image(sample.data, "screenshot.png")
        self.assertEqual(preprocess.prepare_stages(shot)[0][0],
                         "brightness (a drawing on a canvas in a screenshot, cut out)")

    def test_the_canvas_box_lies_a_pixel_inside_the_canvas(self):
        drawing = canvas(2)
        shot = photos.screenshot(drawing, "paint")  # canvas at (12, 90), 240 x 200, in 380 x 350
        gray, width, height = shrunk(shot)
        left, top, right, bottom = screenshot.canvas_box(gray, width, height)
        across = shot.width / width
        self.assertTrue(12 <= left * across <= 12 + 2 * across, left)
        self.assertTrue(90 <= top * across <= 90 + 2 * across, top)
        self.assertTrue(252 - 2 * across <= right * across <= 252, right)
        self.assertTrue(290 - 2 * across <= bottom * across <= 290, bottom)


class NoCanvas(unittest.TestCase):
    def assert_none(self, image):
        for side in (preprocess.CANVAS_SIDE, preprocess.PHOTO_SIDE):
            with self.subTest(image=image.name, side=side):
                self.assertIsNone(screenshot.canvas_box(*shrunk(image, side)))

    def test_drawings(self):
        for digit in range(10):
            self.assert_none(photos.clean(digit))
            self.assert_none(inverted(photos.clean(digit)))

    def test_the_hole_of_a_fat_zero(self):
        # Paper enclosed by strokes, as flat as a canvas and edged all
        # round: but its box's corners are strokes, and nothing is in it.
        for pen in (12.0, 20.0, 30.0):
            self.assert_none(photos.clean(0, width=240, height=240, box=(40, 20, 200, 220), pen=pen))

    def test_paper_a_stroke_cuts_in_two(self):
        # A 1 drawn from the top edge to the bottom: each half of the paper
        # ends at the picture's edges and at the stroke, with paper beyond.
        for digit in (1, 7):
            self.assert_none(photos.clean(digit, width=200, height=200, box=(40, -30, 160, 230), pen=14.0))

    def test_photos(self):
        for image in (photos.photo(3), photos.padded(photos.photo(5, shadow=False)),
                      photos.sheet_on_desk(4), photos.boxed(8), photos.faint_blue(2)):
            self.assert_none(image)

    def test_overexposed_paper(self):
        # A lamp so bright over the digit that the paper under it is 255
        # all over: flat, with the digit on it and blank around it; but it
        # fades into the paper around it, no edge.
        width, height = 240, 200
        ink = photos.coverage(6, width, height, (90, 50, 150, 150), 9.0)
        levels = []
        for y in range(height):
            for x in range(width):
                paper = min(255.0, 300 - 0.01 * ((x - 120) ** 2 + (y - 100) ** 2))
                levels.append(paper * (1 - 0.6 * ink[y * width + x]))
        self.assert_none(photos.gray_image(width, height, levels, "lamp.png"))

    def test_an_empty_canvas(self):
        # A page with only its bars and a blank canvas: each bar is flat,
        # edged and has icons and words on it, but none is a canvas.
        blank = photos.gray_image(240, 200, [255] * (240 * 200))
        for app in ("paint", "web", "phone"):
            self.assert_none(photos.screenshot(blank, app))


class Bars(unittest.TestCase):
    def test_a_toolbar_bigger_than_the_canvas_is_no_canvas(self):
        # A small canvas in a narrow window under a tall toolbar: the
        # toolbar is flat, has icons and words, and is bigger than the
        # canvas and not long; but it reaches three sides of the picture.
        drawing = photos.clean(5, width=120, height=120, box=(35, 20, 85, 100), pen=7.0)
        shot = photos.screenshot(drawing, "paint", toolbar=110)
        self.assertEqual(preprocess.prepare(shot), preprocess.prepare(drawing))

    def test_an_app_bar_with_icons_is_no_canvas(self):
        # A phone's app bar, between the status bar and the canvas, reaches
        # two sides of the screen, as the canvas does, and is flat and has
        # icons on it: but the canvas is bigger.
        shot = photos.screenshot(canvas(3), "phone")
        gray, width, height = shrunk(shot)
        left, top, right, bottom = screenshot.canvas_box(gray, width, height)
        self.assertGreaterEqual(top * shot.height / height, 80)


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(screenshot))
    return tests


if __name__ == "__main__":
    unittest.main()
