"""Tests for nrnn/image/sheet.py: a sheet on a desk is found and its desk
painted over; shadows, lighting and a sheet filling the frame are left alone."""

import unittest
from unittest import mock

from nrnn.image import ink, preprocess, sheet
from tests import photos
from tests.test_ink import rows_of


def otsu(rows):
    return ink.otsu_threshold([v for row in rows for v in row])


class FindingTheSheet(unittest.TestCase):
    def test_a_sheet_askew_on_a_desk_is_found_with_the_digit_on_it(self):
        rows = rows_of(photos.sheet_on_desk(3))
        found = sheet.sheet_mask(rows, otsu(rows))
        self.assertIsNotNone(found)
        # The sheet's middle (the digit too: a hole, filled) is sheet, the
        # corners of the frame desk.
        self.assertTrue(all(found[y][x] for y in range(60, 120) for x in range(100, 140)))
        self.assertEqual([found[0][0], found[0][-1], found[-1][0], found[-1][-1]], [0, 0, 0, 0])

    def test_a_thumb_reaching_in_from_the_edge_is_desk(self):
        # Far darker than the faint digit, it would set the threshold over
        # it, its rim the only ink left.  Broad, sharp-edged, reaching the
        # border: desk, painted over.
        rows = rows_of(photos.thumb_at_the_edge(3))
        self.assertIsNotNone(sheet.sheet_mask(rows, otsu(rows)))
        left, top, right, bottom = ink.find_ink(rows).box
        # The digit was drawn in (60, 50)-(110, 140) with a 7-pixel pen.
        self.assertTrue(53 <= left and 43 <= top and right <= 117 and bottom <= 147, (left, top, right, bottom))

    def test_a_soft_shadow_is_no_desk(self):
        # The right third lies in a shadow 70 levels deep, whose edge fades
        # over 6 pixels: darker and touching the border like a desk, not sharp.
        rows = rows_of(photos.photo(7, noise=1.0))
        self.assertIsNone(sheet.sheet_mask(rows, otsu(rows)))

    def test_the_darker_side_of_a_fold_holding_the_digit_is_no_desk(self):
        # A fold down the sheet, its right side 25 levels darker with a
        # sharp step: broad, reaching the border, like a desk; but the
        # digit is written on it, and painting it over would erase it.
        cover = photos.coverage(7, 200, 160, (120, 40, 170, 120), 5.0)
        rows = [[(215.0 if x < 90 else 190.0) - 25.0 * cover[y * 200 + x] for x in range(200)] for y in range(160)]
        self.assertIsNone(sheet.sheet_mask(rows, otsu(rows)))
        left, top, right, bottom = ink.find_ink(rows).box
        self.assertTrue(115 <= left and 35 <= top and right <= 175 and bottom <= 125, (left, top, right, bottom))

    def test_a_hard_shadow_the_digit_reaches_is_no_desk(self):
        # The phone's shadow over the bottom of the sheet, its edge sharp
        # and straight like a desk's, the digit standing on it: joined to
        # the "desk", the digit would be painted over with it.  A stroke is
        # narrow, a desk broad: what joins the desk narrowly, away from the
        # frame's border, is the digit.
        for digit in (1, 4, 7):
            with self.subTest(digit=digit):
                rows = rows_of(photos.hard_shadow(digit, angle=0, past=-40, soft=1.0))
                self.assertTrue(sheet.sheet_mask(rows, otsu(rows)) is None, "painted as desk")
                left, top, right, bottom = ink.find_ink(rows).box
                self.assertTrue(60 <= left and 20 <= top and right <= 140 and bottom <= 140,
                                (left, top, right, bottom))

    def test_strokes_joined_to_the_desk_are_told_from_a_thumb(self):
        desk = [[1 if y >= 40 else 0 for x in range(100)] for y in range(60)]
        self.assertFalse(sheet._strokes_on(desk, 12))
        thumb = [row[:] for row in desk]
        for y in range(0, 40):
            thumb[y][40:60] = [1] * 20  # 20 wide, reaching the border: broad
        self.assertFalse(sheet._strokes_on(thumb, 12))
        stroke = [row[:] for row in desk]
        for y in range(10, 40):
            stroke[y][50:53] = [1] * 3  # 3 wide, standing on the desk
        self.assertTrue(sheet._strokes_on(stroke, 12))

    def test_thick_light_strokes_on_a_dark_canvas_are_no_sheet(self):
        # A canvas export, white on black, the strokes a brush 12% of the
        # frame wide and reaching its edge: bright pieces with sharp edges
        # on a broad dark ground, as a sheet on a desk, but bent, or
        # mostly hole.
        for digit in range(10):
            with self.subTest(digit=digit):
                cover = photos.coverage(digit, 120, 120, (15, 0, 105, 119), 15.0)
                rows = [[255.0 * c for c in cover[y * 120:(y + 1) * 120]] for y in range(120)]
                self.assertIsNone(sheet.sheet_mask(rows, otsu(rows)))

    def test_paper_filling_the_frame_and_uneven_light_are_no_sheet(self):
        for shadow in (False, True):
            with self.subTest(shadow=shadow):
                rows = rows_of(photos.photo(5, shadow=shadow))
                self.assertIsNone(sheet.sheet_mask(rows, otsu(rows)))
        gradient = [[60.0 + x for x in range(200)] for _ in range(150)]  # a lamp on one side
        self.assertIsNone(sheet.sheet_mask(gradient, otsu(gradient)))


class PaintingTheDesk(unittest.TestCase):
    def test_each_row_continues_the_sheet_outward(self):
        plane = [[float(10 * y + x) for x in range(12)] for y in range(12)]
        on_sheet = [[1 if 3 <= x < 9 and 2 <= y < 10 else 0 for x in range(12)] for y in range(12)]
        painted = sheet.paint_desk(plane, on_sheet)
        # Shrunk by INSET = 2: columns 5..6, rows 4..7 keep their values.
        for y in range(4, 8):
            self.assertEqual(painted[y], [10.0 * y + 5] * 6 + [10.0 * y + 6] * 6, y)
        self.assertEqual(painted[0], painted[4])   # rows the sheet misses copy the nearest
        self.assertEqual(painted[11], painted[7])

    def test_the_digit_not_the_sheets_corners_is_the_ink(self):
        rows = rows_of(photos.sheet_on_desk(3, half=(60, 50)))
        found = ink.find_ink(rows)
        left, top, right, bottom = found.box
        # The digit was drawn in (95, 50)-(145, 130) with a 7-pixel pen.
        self.assertTrue(88 <= left and top >= 43 and right <= 152 and bottom <= 137, found.box)
        self.assertTrue(any("desk painted" in name for name, _ in found.stages))
        # Without the sheet, the corners of the desk win (the whole sheet
        # is the "digit"): the test can fail.
        with mock.patch.object(sheet, "sheet_mask", return_value=None):
            self.assertNotEqual(ink.find_ink(rows).box, found.box)


class TheSheetIsNoDrawing(unittest.TestCase):
    def test_a_sheet_on_a_uniform_desk_is_read_as_a_photo(self):
        # A desk of one gray (a level of noise) makes most of the picture
        # and its whole edge "uniform paper": read as a drawing, the sheet
        # itself would be the ink (lighter than that paper).
        image = photos.sheet_on_desk(5, noise=1.0)
        stages = preprocess.prepare_stages(image)
        self.assertIn("a sheet lies on a uniform desk", stages[0][0])
        self.assertTrue(any("desk painted" in name for name, *_ in stages))
        cover = photos.coverage(5, 240, 180, (95, 50, 145, 130), 7.0)
        digit = photos.gray_image(240, 180, [255 * (1 - c) for c in cover])
        difference = sum(abs(a - b) for a, b in zip(preprocess.prepare(image), preprocess.prepare(digit))) / 784
        self.assertLess(difference, 0.06)


if __name__ == "__main__":
    unittest.main()
