"""Tests for nrnn/image/paper_lines.py: the lines of ruled and squared paper
found and lifted off, and what that changes for ``nrnn.image.ink.find_ink``.

The photos are made here: paper lit from one side, with noise, printed
lines a fraction as dark as the ink, and a digit drawn with a round pen
(``nrnn.image.strokes.render``), so where every stroke is is known.
"""

import math
import random
import unittest

from nrnn.image import ink, paper_lines, readings
from nrnn.image.strokes import render
from tests.test_readings import finding

WIDTH, HEIGHT = 200, 160

#: A 5 drawn as people draw it: the body, and the cap apart from it.
FIVE_BODY = [[(92.0, 50.0), (90.0, 80.0), (100.0, 76.0), (110.0, 78.0), (117.0, 86.0), (119.0, 96.0),
              (116.0, 106.0), (108.0, 113.0), (98.0, 114.0), (89.0, 109.0)]]
FIVE_CAP = [[(97.0, 44.0), (124.0, 44.0)]]

#: A 1: one stroke down, crossing every line across the page.
ONE = [[(100.0, 35.0), (96.0, 125.0)]]


def notebook(strokes, across=(), down=(), tilt=0.0, line_darkness=0.2, ink_darkness=0.55,
             pen=5.0, line_width=1.5, seed=1, fine=(), fine_pen=2.0):
    """Gray rows of a photo of ``strokes`` on paper with lines across at the
    rows ``across`` and down at the columns ``down`` (at x = 0, resp. y =
    0), all turned ``tilt`` degrees.  Multiplicative, as light is: paper x
    (1 - line_darkness x line) x (1 - ink_darkness x ink), plus noise.
    ``fine`` strokes are drawn with the thinner ``fine_pen``."""
    coverage = render(strokes, WIDTH, HEIGHT, pen)
    if fine:
        coverage = [max(a, b) for a, b in zip(coverage, render(fine, WIDTH, HEIGHT, fine_pen))]
    slope = math.tan(math.radians(tilt))
    rng = random.Random(seed)
    rows = []
    for y in range(HEIGHT):
        row = []
        for x in range(WIDTH):
            paper = 215.0 - 40.0 * x / WIDTH
            line = 0.0
            for at in across:
                line = max(line, min(1.0, max(0.0, line_width / 2 + 0.5 - abs(y - at - slope * x))))
            for at in down:
                line = max(line, min(1.0, max(0.0, line_width / 2 + 0.5 - abs(x - at + slope * y))))
            level = paper * (1 - line_darkness * line) * (1 - ink_darkness * coverage[y * WIDTH + x])
            row.append(level + rng.gauss(0, 2.0))
        rows.append(row)
    return rows


def ink_box(strokes, pen=5.0):
    """(left, top, right, bottom) of the pixels the pen covers half or more."""
    coverage = render(strokes, WIDTH, HEIGHT, pen)
    xs = [i % WIDTH for i, c in enumerate(coverage) if c >= 0.5]
    ys = [i // WIDTH for i, c in enumerate(coverage) if c >= 0.5]
    return min(xs), min(ys), max(xs), max(ys)


def draw_line(mask, at, slope):
    """Set the pixels of the line y = at + slope x in a 0/1 mask (rows)."""
    for x in range(len(mask[0])):
        y = paper_lines._round(at + slope * x)
        if 0 <= y < len(mask):
            mask[y][x] = 1


class FindLines(unittest.TestCase):
    def test_a_tilted_family_is_found_where_it_was_drawn(self):
        # Five lines tilted 4 degrees: each offset within half a pixel,
        # each slope within a quarter of a degree.
        tilt = 4.0
        mask = [[0] * WIDTH for _ in range(HEIGHT)]
        offsets = (12.0, 42.0, 72.0, 102.0, 132.0)
        slope = math.tan(math.radians(tilt))
        for at in offsets:
            draw_line(mask, at, slope)
        lines = paper_lines.find_lines(mask)
        self.assertEqual(len(lines), len(offsets), lines)
        for line, at in zip(lines, offsets):
            self.assertLessEqual(abs(line.offset - at), 0.5, line)
            self.assertLessEqual(abs(math.degrees(math.atan(line.slope)) - tilt), 0.25, line)

    def test_lines_photographed_at_an_angle_converge(self):
        # Eight lines whose slopes fan out from -1.5 to +1.5 degrees (the
        # page's far edge further from the lens): all found, each within
        # a pixel of where it was drawn, at both ends.
        mask = [[0] * WIDTH for _ in range(HEIGHT)]
        drawn = []
        for i, at in enumerate(range(10, HEIGHT, 20)):
            slope = math.tan(math.radians(-1.5 + 3.0 * i / 7))
            drawn.append((at, slope))
            draw_line(mask, at, slope)
        lines = paper_lines.find_lines(mask)
        self.assertEqual(len(lines), len(drawn), lines)
        for line, (at, slope) in zip(lines, drawn):
            for x in (0, WIDTH - 1):
                self.assertLessEqual(abs(line.offset + line.slope * x - at - slope * x), 1.0, (line, at, slope))

    def test_a_digits_long_stroke_is_no_family(self):
        # One long straight stroke (a 1 in a close-up) spans most of the
        # frame, but it is one: no family, nothing lifted.
        mask = [[1 if 98 <= x <= 101 and 5 <= y < 155 else 0 for x in range(WIDTH)] for y in range(HEIGHT)]
        self.assertEqual(paper_lines.find_lines([list(c) for c in zip(*mask)]), [])

    def test_a_line_alone_beside_a_digit_is_a_fold(self):
        # One line across the frame (a fold, a margin line), a digit below
        # it and one crossing it: the line runs on past the digit on both
        # sides, so it is found though it has no family.
        for top in (60, 20):
            with self.subTest(top=top):
                mask = [[0] * WIDTH for _ in range(HEIGHT)]
                draw_line(mask, 40, 0.02)
                for y in range(top, top + 70):
                    mask[y][95:99] = [1] * 4
                lines = paper_lines.find_lines(mask)
                self.assertEqual(len(lines), 1, lines)
                self.assertLessEqual(abs(lines[0].offset - 40), 1.0)

    def test_a_sevens_bar_in_a_close_up_is_no_fold(self):
        # A 7 filling the frame: its bar is one long straight thin line,
        # but it ends where the stem begins.
        mask = [[0] * WIDTH for _ in range(HEIGHT)]
        for x in range(12, WIDTH - 12):
            mask[10][x] = mask[11][x] = 1
        for y in range(10, HEIGHT - 5):
            x = WIDTH - 13 - (y - 10) * 60 // HEIGHT
            mask[y][x - 1:x + 2] = [1] * 3
        self.assertEqual(paper_lines.find_lines(mask), [])

    def test_rows_of_wide_blobs_are_no_lines(self):
        # The bright cells of squared paper (what the other polarity sees):
        # 14-pixel squares in rows, long and parallel, but wide.
        mask = [[1 if x % 20 < 14 and y % 20 < 14 else 0 for x in range(WIDTH)] for y in range(HEIGHT)]
        self.assertEqual(paper_lines.find_lines(mask), [])


class Lift(unittest.TestCase):
    def test_a_stroke_lying_on_a_line_is_kept_the_bare_line_goes(self):
        rows = [[0.0] * 60 for _ in range(40)]
        for y in (10, 30):
            rows[y] = [15.0] * 60
        rows[30][20:35] = [60.0] * 15          # a stroke along the line, darker than it
        rows[29][20:35] = [50.0] * 15          # and thicker
        mask = [[1 if v > 5 else 0 for v in row] for row in rows]
        cleaned, lines = paper_lines.remove_lines(rows, mask)
        self.assertEqual(len(lines), 2)
        self.assertEqual(cleaned[30][20:35], [60.0] * 15)
        self.assertEqual(cleaned[30][:20] + cleaned[30][35:], [0.0] * 45)
        self.assertEqual(cleaned[10], [0.0] * 60)

    def test_a_stroke_beside_a_line_is_not_smeared_across_it(self):
        # A stroke running just under a line, not on it: the line goes,
        # and nothing of the stroke spreads into where the line was.
        rows = [[0.0] * 60 for _ in range(40)]
        for y in (10, 30):
            rows[y] = [15.0] * 60
        for y in (11, 12, 13):
            rows[y][20:40] = [60.0] * 20
        mask = [[1 if v > 5 else 0 for v in row] for row in rows]
        cleaned, lines = paper_lines.remove_lines(rows, mask)
        self.assertEqual(len(lines), 2)
        self.assertEqual(cleaned[9] + cleaned[10], [0.0] * 120)
        self.assertEqual([row[20:40] for row in cleaned[11:14]], [[60.0] * 20] * 3)


class FindInkOnLinedPaper(unittest.TestCase):
    """The digit's box, and nothing of the lines outside it."""

    def assertOnlyTheDigit(self, rows, truth):
        found = ink.find_ink(rows)
        for got, want in zip(found.box, truth):
            self.assertLessEqual(abs(got - want), 3, (found.box, truth))
        # The ink is the kept pieces grown by a pixel (their soft rim).
        left, top, right, bottom = found.box
        outside = sum(1 for y, row in enumerate(found.ink) for x, v in enumerate(row)
                      if v > 0 and not (left - 1 <= x <= right + 1 and top - 1 <= y <= bottom + 1))
        self.assertEqual(outside, 0)

    def test_a_fives_cap_along_a_line_of_squared_paper(self):
        # A bold body and a thinner cap, apart, the cap lying on a line
        # across.  With the lines in, the cap and the line are one piece
        # spanning the frame, which is never the digit: the cap went with
        # the grid.
        rows = notebook(FIVE_BODY, across=range(4, HEIGHT, 20), down=range(7, WIDTH, 20), pen=9.0,
                        ink_darkness=0.3, line_darkness=0.18, fine=FIVE_CAP, fine_pen=3.0)
        body, cap = ink_box(FIVE_BODY, 9.0), ink_box(FIVE_CAP, 3.0)
        self.assertOnlyTheDigit(rows, (min(body[0], cap[0]), min(body[1], cap[1]),
                                       max(body[2], cap[2]), max(body[3], cap[3])))

    def test_a_one_across_tilted_ruled_lines(self):
        # A faint 1 over tilted lines two thirds as dark as it.
        rows = notebook(ONE, across=range(10, HEIGHT + 20, 24), tilt=5.0, line_darkness=0.2,
                        ink_darkness=0.3, pen=3.0)
        self.assertOnlyTheDigit(rows, ink_box(ONE, 3.0))


class Polarity(unittest.TestCase):
    def test_a_thin_digit_amid_the_cells_of_squared_paper_is_no_hole(self):
        # Read as light ink, squared paper's cells are bright blobs, and
        # those around the digit enclose it on four sides, like the ring
        # of a 0 its hole.  But a hole is a blob, and the digit is strokes
        # many times thinner than the cells: the digit wins.
        cells = finding(200, 160, [(40, 60, 70, 95), (130, 60, 160, 95), (85, 10, 125, 40),
                                   (85, 115, 125, 145)], 0.3)
        digit = finding(200, 160, [(95, 50, 99, 105), (95, 50, 115, 54)], 0.07)
        self.assertIs(readings.better(digit, cells, confident=False), digit)
        self.assertIs(readings.better(cells, digit, confident=False), digit)


if __name__ == "__main__":
    unittest.main()
