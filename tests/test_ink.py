"""Tests for nrnn/image/ink.py: each step of reading ink from a photo, on inputs
whose answer is known (worked by hand, or by an independent method)."""

import math
import random
import unittest

from nrnn.image import frames, ink, morphology, pen_and_thumb, tophat
from nrnn.image.gray import gray8
from tests import photos


def brute_force_otsu(values):
    """The level minimising the within-class variance (equivalent to Otsu's
    maximum between-class variance), searched directly."""
    best, best_level = None, None
    for level in range(255):
        below = [v for v in values if int(v) <= level]
        above = [v for v in values if int(v) > level]
        if not below or not above:
            continue
        spread = sum(len(group) * (sum((v - sum(group) / len(group)) ** 2 for v in group) / len(group))
                     for group in (below, above))
        if best is None or spread < best - 1e-9:
            best, best_level = spread, level
    return best_level


def rows_of(image):
    gray = gray8(image)
    return [[float(v) for v in gray[y * image.width:(y + 1) * image.width]] for y in range(image.height)]


class Threshold(unittest.TestCase):
    def test_otsu_by_hand(self):
        # Two groups, 20 at 10 and 20 at 50: any t in 10..49 splits them
        # perfectly; the first best level is 10.
        self.assertEqual(ink.otsu_threshold([10] * 20 + [50] * 20), 10)

    def test_otsu_against_brute_force(self):
        cases = [
            [3] * 50 + [5] * 30 + [7] * 10 + [90] * 8 + [120] * 12,
            [0] * 900 + [1, 2, 2, 3] * 20 + [60, 70, 80] * 10,   # ink is rare
            [20, 40, 60, 80, 100, 140, 180, 200, 220, 240],
        ]
        for values in cases:
            self.assertEqual(ink.otsu_threshold(values), brute_force_otsu(values))

    def test_the_histogram_of_sorted_values_counts_as_otsu_does(self):
        # The threshold of the top-hat is found from its sorted values by
        # bisection: the same 256 counts as int(v) clamped to 0..255, for
        # values on, just under and just over the level boundaries, below 0
        # and over 255.
        values = [-2.0, -1.0, -0.5, 0.0, 0.99999, 1.0, 1.5, 2.0 - 1e-12, 2.0, 17, 17.25,
                  254.0, 254.999, 255.0, 255.5, 1000.0] + [v / 7 for v in range(1800)]
        ordered = sorted(values)
        counted = [0] * 256
        for v in values:
            counted[min(255, max(0, int(v)))] += 1
        self.assertEqual(ink._sorted_histogram(ordered), counted)
        self.assertEqual(ink._otsu(ink._sorted_histogram(ordered)), ink.otsu_threshold(values))
        self.assertEqual(ink._sorted_histogram([]), [0] * 256)


class Polarity(unittest.TestCase):
    def test_dark_ink_light_ink_and_unsure(self):
        self.assertEqual(ink.polarities([[220.0] * 90 + [60.0] * 10]), ["dark"])
        self.assertEqual(ink.polarities([[30.0] * 90 + [200.0] * 10]), ["light"])
        # Shadow or ink? Both sides stray about as far: try both, darker first.
        self.assertEqual(ink.polarities([[50.0] * 5 + [128.0] * 90 + [190.0] * 5]), ["dark", "light"])

    def test_a_shadow_does_not_flip_a_dark_digit(self):
        rows = rows_of(photos.photo(4))
        self.assertEqual(ink.polarities(rows)[0], "dark")


class Pieces(unittest.TestCase):
    def mask_with(self, *boxes, width=100, height=80):
        mask = [[0] * width for _ in range(height)]
        for left, top, right, bottom in boxes:
            for y in range(top, bottom + 1):
                mask[y][left:right + 1] = [1] * (right - left + 1)
        return mask

    def kept(self, mask):
        pieces = morphology.components(mask)
        chosen = ink.choose_components(pieces, len(mask[0]), len(mask), stroke=3)
        return sorted((p.left, p.top, p.right, p.bottom) for p in chosen)

    def main(self, mask):
        pieces = morphology.components(mask)
        chosen = ink.choose_components(pieces, len(mask[0]), len(mask), stroke=3)
        return (chosen[0].left, chosen[0].top, chosen[0].right, chosen[0].bottom)

    def test_digit_with_its_cap_without_specks_lines_and_shadow_rims(self):
        body = (40, 30, 44, 60)       # a 5's body: 5 x 31 = 155 pixels
        cap = (46, 22, 60, 24)        # its cap, apart: 45 pixels, 29% of the body
        speck = (80, 10, 81, 11)      # 4 pixels far away
        line = (0, 70, 99, 71)        # a ruled line across the frame: 200 pixels
        rim = (0, 0, 3, 79)           # a shadow's rim down the left edge: 320 pixels
        mask = self.mask_with(body, cap, speck, line, rim)
        self.assertEqual(self.kept(mask), [body, cap])

    def test_a_pen_is_a_bar_a_digit_is_not(self):
        bar = self.mask_with((20, 30, 79, 37))                   # 60 x 8
        (piece,) = morphology.components(bar)
        self.assertAlmostEqual(pen_and_thumb.bar_width(piece), 8.0, delta=0.5)
        slanted = [[1 if abs(y - 10 - 0.5 * x) <= 4 and 10 <= x <= 120 else 0 for x in range(140)]
                   for y in range(80)]                            # 9 rows tall, at 27 degrees
        (piece,) = morphology.components(slanted)
        self.assertAlmostEqual(pen_and_thumb.bar_width(piece), 9 / math.hypot(1, 0.5), delta=0.8)
        seven = self.mask_with((30, 20, 60, 23), (57, 24, 60, 70))  # bar and stem, joined
        short = self.mask_with((20, 30, 49, 39))                  # 30 x 10: too short
        for mask in (seven, short):
            (piece,) = morphology.components(mask)
            self.assertEqual(pen_and_thumb.bar_width(piece), 0.0)

    def test_a_pen_beside_the_digit_is_left_out(self):
        pen = (60, 10, 71, 75)                 # 12 x 66: 792 pixels, a bar
        bar, stem = (10, 20, 35, 22), (33, 23, 35, 60)  # a 7 drawn 3 pixels wide: 189 pixels
        self.assertEqual(self.kept(self.mask_with(pen, bar, stem)), [(10, 20, 35, 60)])  # one piece
        # A digit as thick as the bar is no reason to doubt it.
        thick = (10, 20, 21, 40)
        self.assertEqual(self.main(self.mask_with(pen, thick)), pen)

    def test_small_piece_inside_the_box_is_kept_a_far_one_is_not(self):
        bar, stem = (30, 20, 50, 22), (48, 24, 50, 60)   # a 7 drawn in two strokes
        crumb, far = (46, 40, 46, 41), (90, 5, 91, 5)     # 2 pixels each
        mask = self.mask_with(bar, stem, crumb, far)
        self.assertEqual(self.kept(mask), [bar, crumb, stem])

    def test_border_penalty_and_the_tiny_image_guard(self):
        # A stroke from the top edge (63 pixels) and a blob (25) apart from it.
        stroke, blob = (12, 0, 14, 20), (20, 22, 24, 26)
        # In a 28 x 28 image a digit may touch the border: the stroke is the digit.
        self.assertEqual(self.main(self.mask_with(stroke, blob, width=28, height=28)), stroke)
        # In a big photo a piece on the edge counts a quarter (15.75 < 25).
        self.assertEqual(self.main(self.mask_with(stroke, blob)), blob)


class Margins(unittest.TestCase):
    def test_a_white_frame_is_cut_with_one_line_more(self):
        # 12 white columns on the left, 70 on the right, each with the
        # line where frame and photo meet.
        image = photos.padded(photos.photo(3, shadow=False), pad=12, right=70)
        self.assertEqual(ink.flat_margins(rows_of(image)), (13, 0, 211, 160))

    def test_noisy_paper_is_no_margin(self):
        self.assertEqual(ink.flat_margins(rows_of(photos.photo(3))), (0, 0, 200, 160))

    def test_margins_the_colour_of_the_paper_are_kept(self):
        # A clean drawing's paper is flat up to the ink, but it is the
        # paper, not a frame: cutting it would leave the digit touching the
        # edge (a faint drawing is read as a photo).
        self.assertEqual(ink.flat_margins(rows_of(photos.clean(4))), (0, 0, 200, 160))

    def test_a_margin_is_one_colour(self):
        # Black bars around a clean drawing: the bars (and one line more)
        # are the frame; the drawing's white paper inside, flat too, is not.
        image = photos.padded(photos.clean(4), pad=12, level=0)
        self.assertEqual(ink.flat_margins(rows_of(image)), (13, 0, 211, 160))


def box_blurred(rows, radius, passes=3):
    """``rows`` blurred by ``passes`` box filters ``2 * radius + 1`` wide,
    across and down (cut at the edges): close to a Gaussian, a lens out of
    focus."""
    def blur(line):
        return [sum(line[max(0, i - radius):i + radius + 1]) / len(line[max(0, i - radius):i + radius + 1])
                for i in range(len(line))]
    for _ in range(passes):
        rows = [blur(row) for row in rows]
        rows = [list(row) for row in zip(*[blur(list(column)) for column in zip(*rows)])]
    return rows


class FindInk(unittest.TestCase):
    def assertBoxIsTheDigits(self, found, digit, shift=0, pen=9.0):
        """The kept ink's box is the box the digit was drawn in (give or
        take the pen's radius), moved right by ``shift``."""
        left, top, right, bottom = found.box
        truth = [i for i, c in enumerate(photos.coverage(digit, 200, 160, (70, 30, 130, 130), pen)) if c > 0.5]
        xs, ys = [i % 200 + shift for i in truth], [i // 200 for i in truth]
        self.assertLessEqual(abs(left - min(xs)), 3, found.box)
        self.assertLessEqual(abs(right - max(xs)), 3, found.box)
        self.assertLessEqual(abs(top - min(ys)), 3, found.box)
        self.assertLessEqual(abs(bottom - max(ys)), 3, found.box)
        self.assertTrue(all(0.0 <= v <= 1.0 for row in found.ink for v in row))

    def test_strokes_wider_than_the_window_are_kept_whole(self):
        # A marker's strokes a quarter of the frame wide: the window, held
        # to WINDOW_MAX of the frame, cannot lift them out of the paper, and
        # a square of the digit went missing (an 8 lost 60% of its ink).
        for digit, pen, width in ((8, 24, 100), (6, 24, 100), (4, 30, 120)):
            with self.subTest(digit=digit, pen=pen):
                box = (15, 30, width - 15, 130)
                image = photos.photo(digit, width=width, box=box, pen=pen, shadow=False, seed=2)
                found = ink.find_ink(rows_of(image))
                drawn = [i for i, c in enumerate(photos.coverage(digit, width, 160, box, pen)) if c > 0.5]
                seen = [v for row in found.ink for v in row]
                self.assertGreater(sum(1 for i in drawn if seen[i] > 0.5), 0.95 * len(drawn))

    def test_a_hard_shadow_over_most_of_the_sheet_does_not_decide_the_polarity(self):
        # The phone's shadow, hard-edged, over more than half the sheet,
        # its edge through the digit: the median pixel is shadowed paper,
        # the lit paper strays from it further than the ink, and the
        # percentile vote said "light ink", clearly.  What it read was the
        # lit paper between the strokes and the shadow's edge.  The photo
        # less its slow light (``_detail``) shows no such lean, so the vote
        # is unsure and both polarities are read.
        for digit in (2, 3, 5):
            for angle in (0, 30, 60, 100, 150):
                with self.subTest(digit=digit, angle=angle):
                    found = ink.find_ink(rows_of(photos.hard_shadow(digit, angle=angle, past=0)))
                    self.assertBoxIsTheDigits(found, digit)

    def test_ink_in_a_shadow_is_as_dark_as_in_the_light(self):
        # Light multiplies: half the light, half the gray levels between
        # ink and paper.  The soft ink is measured against the paper's own
        # brightness, so the half of the digit in the shadow is not fainter.
        for digit in (4, 7, 0):
            with self.subTest(digit=digit):
                found = ink.find_ink(rows_of(photos.hard_shadow(digit, angle=0, past=0)))
                cover = photos.coverage(digit, 200, 160, (70, 30, 130, 130), 9.0)
                lit = [found.ink[i // 200][i % 200] for i, c in enumerate(cover) if c > 0.9 and i // 200 < 76]
                shaded = [found.ink[i // 200][i % 200] for i, c in enumerate(cover) if c > 0.9 and i // 200 > 84]
                self.assertAlmostEqual(sum(shaded) / len(shaded), sum(lit) / len(lit), delta=0.05)

    def test_a_blurred_digit_is_found_whole(self):
        # Out of focus (three box blurs of radius 2 or 4: strokes 9 pixels
        # wide fade over 10 to 20), a digit's edge fades like a glare's.
        # Its loops and bays, the other polarity, must not win for it.
        for digit in (0, 6, 8, 4):
            for radius in (2, 4):
                with self.subTest(digit=digit, radius=radius):
                    rows = box_blurred(rows_of(photos.photo(digit, shadow=False)), radius)
                    self.assertBoxIsTheDigits(ink.find_ink(rows), digit)

    def test_a_glare_around_the_digit_is_not_its_ink(self):
        # A lamp's reflection on the paper, burnt white in its middle,
        # around a thin digit: the few brightest percent are glare, so the
        # percentile vote says "light ink", clearly, and the light reading
        # finds the glare with the strokes as its holes, four-sided like a
        # 0's ring around its hole.  The glare's edge fades away from the
        # digit, the strokes' does not: the dark reading wins.
        for radius, gain in ((45, 60), (35, 80)):
            for digit in range(10):
                with self.subTest(digit=digit, radius=radius, gain=gain):
                    found = ink.find_ink(rows_of(photos.glare(digit, radius=radius, gain=gain)))
                    truth = [i for i, c in enumerate(photos.coverage(digit, 256, 192, (108, 66, 148, 126), 3.0))
                             if c > 0.5]
                    xs, ys = [i % 256 for i in truth], [i // 256 for i in truth]
                    left, top, right, bottom = found.box
                    self.assertLessEqual(max(abs(left - min(xs)), abs(right - max(xs)),
                                             abs(top - min(ys)), abs(bottom - max(ys))), 3, found.box)

    def test_a_printed_box_around_the_digit_is_left_out(self):
        # A form's field: a printed box around the digit, alone or in a
        # row of cells, square or turned with the page.  The box is often
        # the piece with the most ink; kept, the digit shrinks to a few
        # pixels inside a rectangle.  The digit is what the box frames.
        # In a row of cells turned with the page, the ruled-line step
        # lifts the long lines along the row: the cell's sides stay, one
        # on each side of the digit, reaching past it above and below.
        # (With a thick 1, the 1 is a straight bar like a pen, and the box
        # a thin-stroked piece beside it: the box must not make it a pen.
        # With a tight box, the paper inside it stands out as light ink
        # between its lines: the dark reading, which found the frame, wins.)
        for digit in range(10):
            for pen, margin, cells, angle in ((3.0, 6.0, (0, 0), 0.0), (3.0, 14.0, (0, 0), 6.0),
                                              (8.0, 6.0, (0, 0), 6.0), (8.0, 14.0, (0, 0), 0.0),
                                              (3.0, 14.0, (1, 1), 0.0), (8.0, 6.0, (1, 1), 0.0),
                                              (3.0, 6.0, (1, 1), 6.0), (8.0, 6.0, (2, 2), 3.0)):
                with self.subTest(digit=digit, pen=pen, margin=margin, cells=cells, angle=angle):
                    found = ink.find_ink(rows_of(photos.boxed(digit, pen=pen, margin=margin,
                                                              cells=cells, angle=angle)))
                    truth = [i for i, c in enumerate(photos.coverage(digit, 256, 192, (108, 56, 148, 136), pen))
                             if c > 0.5]
                    xs, ys = [i % 256 for i in truth], [i // 256 for i in truth]
                    left, top, right, bottom = found.box
                    self.assertLessEqual(max(abs(left - min(xs)), abs(right - max(xs)),
                                             abs(top - min(ys)), abs(bottom - max(ys))), 3, found.box)
                    if cells == (0, 0) or not angle:  # (a turned row's cell, its lines lifted, is no frame)
                        self.assertIsNotNone(found.frame)

    def test_a_ring_around_a_speck_is_no_frame(self):
        # A 0 with a dot in it (a dotted zero) and a 0 around a speck of
        # noise: the ring is the digit, not a frame, for the dot is far
        # under FRAMED_SIZE of the ring.
        rows = [[1 if 36 <= (x - 20) ** 2 + (y - 20) ** 2 <= 100 else 0 for x in range(41)] for y in range(41)]
        for y in range(18, 23):
            rows[y][18:23] = [1] * 5
        ring, dot = morphology.components(rows)
        self.assertFalse(frames.frames(ring, dot))
        self.assertEqual(ink.choose_components([ring, dot], 41, 41), [ring, dot])

    def test_a_tall_piece_on_one_side_is_no_cell(self):
        # A 4 broken where its stem meets the crossbar: the stem reaches
        # past the rest above and below, but on one side only; the sides
        # of a cell come in pairs.
        rows = [[0] * 60 for _ in range(60)]
        for y in range(12, 36):
            rows[y][12:15] = [1] * 3                  # the 4's left stroke
        for y in range(33, 36):
            rows[y][12:36] = [1] * 24                 # its crossbar
        for y in range(8, 52):
            rows[y][38:41] = [1] * 3                  # its stem, apart
        body, stem = morphology.components(rows)
        self.assertEqual(frames.cell_sides(body, [body, stem], 1.0), [])
        self.assertEqual(set(map(id, ink.choose_components([body, stem], 60, 60))), {id(body), id(stem)})

    def assertFat(self, bright, window, expected, x, y):
        """``_fat_strokes`` on ``bright`` seen through ``window`` finds a
        fat stroke (or not), and puts pixel (x, y) back as ink (or not)."""
        paper = tophat.background(bright, window)
        lifted, fat = ink._fat_strokes(bright, paper, window, 25.0, tophat.top_hat(bright, paper))
        self.assertEqual(fat, expected)
        self.assertEqual(lifted[y][x] < paper[y][x] - 40, expected)

    def test_a_glare_is_no_fat_stroke(self):
        # A disc of ink 44 pixels wide and a glare as wide (its middle
        # burnt flat), each crossed by a thin stroke, on paper seen through
        # a 19-pixel window: both stay in the paper as a bump.  The disc's
        # edge is sharp, so it is ink; the glare fades, so it stays paper.
        def level(x, y, sharp):
            d = math.hypot(x - 80, y - 60)
            blob = 80.0 * (d < 22) if sharp else min(80.0, 200.0 * math.exp(-d * d / (2 * 14 ** 2)))
            stroke = 80.0 if 40 <= y <= 42 and 20 <= x <= 140 else 0.0
            return 20.0 + max(blob, stroke)
        for sharp in (True, False):
            with self.subTest(sharp=sharp):
                self.assertFat([[level(x, y, sharp) for x in range(160)] for y in range(120)], 19, sharp, 80, 60)

    def test_a_fat_stroke_the_frame_cuts_is_ink_a_shadow_over_a_corner_is_not(self):
        # A tight crop 90 pixels wide: the window is held to 27, and a
        # marker's stroke 36 wide, running off the bottom edge, stays in
        # the paper.  It meets the edge across its width only, a small
        # share of its outline: ink.  A sharp-edged shadow over the corner,
        # as bright a bump, lies along two edges: paper.  Each is touched
        # by a thin stroke, as a digit's would.
        def level(x, y, fat):
            bump = 30 <= x < 66 and y >= 40 if fat else x + y < 70
            stroke = 38 <= y <= 40 and 10 <= x <= 80
            return 20.0 + 80.0 * (bump or stroke)
        for fat in (True, False):
            with self.subTest(fat=fat):
                self.assertFat([[level(x, y, fat) for x in range(90)] for y in range(200)], 27, fat, 48, 150)

    def test_a_marker_one_cropped_through_its_foot(self):
        # A photo cropped tight to a marker's 1 (84 x 260): its stroke, 34
        # wide, is wider than the window (25) and runs off the bottom edge.
        # Before, only a speck of its rounded top was found.
        rng = random.Random(3)
        rows = [[200.0 - 120.0 * (y >= 23 and (abs(x - 44) if y >= 40 else math.hypot(x - 44, y - 40)) < 17)
                 + rng.gauss(0, 2.0) for x in range(84)] for y in range(260)]
        left, top, right, bottom = ink.find_ink(rows).box
        self.assertTrue(left <= 29 and top <= 25 and right >= 59 and bottom == 259, (left, top, right, bottom))

    def test_shadowed_photo_box_is_the_digits(self):
        # The digit was drawn in the box (70, 30)-(130, 130); the shadow
        # covers the right third.  The kept ink must be the digit's box,
        # not the shadow's.
        self.assertBoxIsTheDigits(ink.find_ink(rows_of(photos.photo(7))), 7)

    def test_a_grey_photo_pasted_off_centre_on_white(self):
        # The white frame outvotes the faint, thick ink ("light"): the
        # frame is cut first, and the digit is found where it is.
        image = photos.padded(photos.photo(3, shadow=False, darkness=0.25, pen=14.0), pad=12, right=70)
        self.assertBoxIsTheDigits(ink.find_ink(rows_of(image)), 3, shift=12, pen=14.0)

    def test_a_strip_of_table_beside_a_faint_digit(self):
        # The table is 60 levels under the paper, the ink 25: a threshold
        # measured with the table in would cut the digit away.
        image = photos.photo(7, shadow=False, darkness=0.14, table=28, noise=1.5, seed=4)
        self.assertBoxIsTheDigits(ink.find_ink(rows_of(image)), 7)

    def test_a_strip_of_table_narrower_than_the_thick_strokes_window(self):
        # Thick strokes widen the paper's window past the strip of table
        # (20 pixels, 60 levels under the paper): the strip, lifted out of
        # the paper as the strongest "ink", must not set the threshold, or
        # only a 0's hole or a piece of a 7 is left.
        for digit in (0, 7):
            with self.subTest(digit=digit):
                image = photos.photo(digit, shadow=False, darkness=0.2, table=20, noise=1.5, seed=4, pen=14.0)
                self.assertBoxIsTheDigits(ink.find_ink(rows_of(image)), digit, pen=14.0)

    def test_scenery_is_not_counted_as_ink_in_the_border_band(self):
        # A narrow strip of table along the left edge is "ink" of the dark
        # reading, all of it in the border band; counted, it would make the
        # dark digit's own reading look like the one with ink at the edge
        # (``readings.better``'s last test), and in the middle there is only the digit.
        for table in (6, 10):
            with self.subTest(table=table):
                rows = rows_of(photos.photo(7, shadow=False, darkness=0.3, table=table, noise=1.5, seed=4))
                self.assertEqual(ink._find_in(rows, "dark").band, 0.0)

    def test_a_pen_reaching_in_from_the_edge_does_not_hide_a_faint_digit(self):
        # A pen 7 pixels wide, level 55, from the top edge: too narrow to be
        # desk (nrnn.image.sheet), and so much darker than the digit that
        # Otsu's threshold lies between them.  Measured again without what
        # touches the border, the threshold finds the digit.
        image = photos.thumb_at_the_edge(3, thumb=(140, -10, 185, 60, 3.5))
        left, top, right, bottom = ink.find_ink(rows_of(image)).box
        # The digit was drawn in (60, 50)-(110, 140) with a 7-pixel pen.
        self.assertTrue(53 <= left and 43 <= top and right <= 117 and bottom <= 147, (left, top, right, bottom))

    def test_a_pen_lying_in_the_picture_is_not_the_digit(self):
        # A pen 17-19 pixels wide, level 55, both ends inside the picture:
        # the piece with the most ink, a straight bar.  Beside a digit
        # written 7 pixels wide, it is left out; beside a faint one, which
        # falls under the threshold the pen sets, the threshold is measured
        # again without it.
        for digit in (1, 3, 7):
            for pen in ((150, 20, 175, 140, 9), (130, 150, 190, 30, 8)):
                for darkness in (0.15, 0.5):
                    with self.subTest(digit=digit, pen=pen, darkness=darkness):
                        image = photos.thumb_at_the_edge(digit, thumb=pen, darkness=darkness)
                        left, top, right, bottom = ink.find_ink(rows_of(image)).box
                        self.assertTrue(53 <= left and 43 <= top and right <= 117 and bottom <= 147,
                                        (left, top, right, bottom))

    def test_a_digit_one_alone_is_no_pen(self):
        # A 1 is a straight bar too: with nothing else on the sheet but
        # its grain and a shadow, it is the digit, thin or fat.
        for pen in (9.0, 18.0):
            with self.subTest(pen=pen):
                self.assertBoxIsTheDigits(ink.find_ink(rows_of(photos.photo(1, pen=pen))), 1, pen=pen)

    def test_a_fold_across_the_sheet_darker_than_a_faint_digit(self):
        # One straight line, no family: it runs on past the digit on both
        # sides, so it is lifted like a ruled line; left in, it was the
        # darkest "ink" and the digit fell under the threshold, or it was
        # kept with the digit, a bar over it.
        for fold, digit in ((18, 7), (80, 1), (80, 0)):
            with self.subTest(fold=fold, digit=digit):
                image = photos.photo(digit, shadow=False, darkness=0.3, fold=fold, noise=2.0, seed=5)
                self.assertBoxIsTheDigits(ink.find_ink(rows_of(image)), digit)

    def test_blank_paper_with_a_shadow_has_no_ink(self):
        self.assertIsNone(ink.find_ink(rows_of(photos.blank())).ink)

    def test_a_dim_grainy_photo_is_read_and_its_blank_paper_is_not(self):
        # Paper at 95 levels, ink 30% darker, grain: the digit stands only
        # 6-8 times above the paper's noise (the top-hat's median, 5), under
        # NOISE_RATIO, and plainly shows: it must not be "blank".
        def dim(digit):
            cover = photos.coverage(digit, 200, 160, (70, 30, 130, 130), 9.0) if digit is not None else [0.0] * 32000
            rng = random.Random(7)
            return rows_of(photos.gray_image(200, 160, [(95 - 20 * (i % 200) / 200) * (1 - 0.3 * c) + rng.gauss(0, 2.0)
                                                         for i, c in enumerate(cover)]))
        found = ink.find_ink(dim(4))
        self.assertIsNotNone(found.ink)
        left, top, right, bottom = found.box
        self.assertTrue(70 <= left and 30 <= top and right <= 130 and bottom <= 130, found.box)
        self.assertIsNone(ink.find_ink(dim(None)).ink)

    def test_a_thin_faint_stroke_in_a_dim_photo(self):
        # A 1 drawn 1.5 pixels wide, 15 levels under paper at 60: averaged
        # with its neighbours (the smoothed reading) it keeps about 10
        # levels, under MIN_CONTRAST but 7 times the smoothed grain.  Half
        # the contrast is asked there; blank paper stays blank.
        def dim(digit, seed=7):
            cover = photos.coverage(digit, 200, 160, (70, 30, 130, 130), 1.5) if digit is not None else [0.0] * 32000
            rng = random.Random(seed)
            return rows_of(photos.gray_image(200, 160, [(60 - 10 * (i % 200) / 200) * (1 - 0.25 * c)
                                                         + rng.gauss(0, 2.0) for i, c in enumerate(cover)]))
        found = ink.find_ink(dim(1))
        self.assertIsNotNone(found.ink)
        left, top, right, bottom = found.box
        self.assertTrue(70 <= left and 30 <= top and right <= 130 and bottom <= 130 and bottom - top > 60, found.box)
        for seed in range(4):
            self.assertIsNone(ink.find_ink(dim(None, seed)).ink)

    def test_faint_colour_is_read_from_the_best_channel(self):
        image = photos.faint_blue(3)
        gray = rows_of(image)
        rgba = image.rgba
        channels = {name: [[float(v) for v in rgba[offset::4][y * 200:(y + 1) * 200]] for y in range(160)]
                    for offset, name in enumerate(("red", "green", "blue"))}
        found = ink.find_ink(gray, lambda: channels)
        self.assertIsNotNone(found.ink)
        self.assertTrue(found.stages[0][0].startswith("blue"), found.stages[0][0])
        self.assertGreater(found.strength, 2 * ink.find_ink(gray).strength)


if __name__ == "__main__":
    unittest.main()
