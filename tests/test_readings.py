"""Tests for nrnn/image/readings.py: of two polarities' readings, which is the digit."""

import unittest

from nrnn.image import readings


def finding(width, height, boxes, thinness, edge=False, fall=None):
    """An ``InkFound`` whose ink is 1.0 in the given (left, top, right,
    bottom) boxes, its box theirs, with the given thinness; cut at a
    threshold of 20 levels, and with ``fall`` given, the brightness falls
    by that much two pixels out from each box's left and right side."""
    rows = [[0.0] * width for _ in range(height)]
    falls = []
    for left, top, right, bottom in boxes:
        for y in range(top, bottom + 1):
            rows[y][left:right + 1] = [1.0] * (right - left + 1)
            if fall is not None:
                falls += [(left - 2, y, fall), (right + 2, y, fall)]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return readings.InkFound(rows, [], 0.0, 50.0, box, thinness, 2.0, edge, threshold=20.0, falls=falls)


class Polarities(unittest.TestCase):
    """``readings.better``: which polarity's finding is the digit."""

    def test_a_zeros_hole_and_a_fives_bowl_lose_to_the_digit(self):
        # The ring's ink lies on all four sides of the hole: the hole loses,
        # though the vote chose its polarity and it is no fatter.  The
        # bowl of a 5 (open on the left) has ink on three sides.
        ring = finding(60, 60, [(10, 10, 40, 14), (10, 46, 40, 50), (10, 10, 14, 50), (36, 10, 40, 50)], 0.12)
        hole = finding(60, 60, [(15, 15, 35, 45)], 0.15)
        self.assertIs(readings.better(hole, ring, confident=True), ring)
        five = finding(60, 60, [(10, 5, 40, 8), (10, 5, 13, 25), (10, 22, 40, 25), (37, 22, 40, 50),
                                (10, 47, 40, 50)], 0.12)
        bowl = finding(60, 60, [(14, 26, 36, 46)], 0.14)
        self.assertIs(readings.better(bowl, five, confident=True), five)

    def test_a_bay_whose_opening_faces_the_middle_row_is_still_a_bay(self):
        # A 2-like digit: its left stroke ends above the middle row, its
        # right stroke starts below it, so the row through the middle of
        # the paper between them meets no ink either side.  The rows a
        # quarter above and below do: ink on four sides, a bay, and it
        # loses though the vote chose its polarity.
        digit = finding(60, 60, [(10, 10, 50, 13), (10, 47, 50, 50), (10, 10, 13, 26), (47, 34, 50, 50)], 0.12)
        bay = finding(60, 60, [(15, 15, 45, 45)], 0.14)
        self.assertEqual(readings._sides(digit, bay), 4)
        for confident in (True, False):
            self.assertIs(readings.better(bay, digit, confident), digit)

    def test_paper_beside_a_stroke_does_not_win_by_enclosing_it(self):
        # A thick "1" (dark) and the paper between it and a shadow (light),
        # to its left and below: the paper's box encloses the stroke's, but
        # the paper is not on all four sides, so it is no hole: the clear
        # vote for dark stands.
        stroke = finding(100, 100, [(45, 20, 52, 70)], 0.16)
        paper = finding(100, 100, [(10, 10, 40, 90), (10, 75, 90, 90)], 0.12)
        self.assertIs(readings.better(stroke, paper, confident=True), stroke)

    def test_the_rim_of_a_shadow_arching_over_the_digit_is_no_hole(self):
        # The bright paper around a round shadow at the top (light) arches
        # over a small digit (dark) on three sides; but the digit's box is
        # a few percent of the arc's, so it is no hole of it.
        arc = finding(200, 150, [(0, 0, 10, 120), (0, 0, 190, 8), (180, 0, 190, 120)], 0.06)
        digit = finding(200, 150, [(90, 60, 96, 100), (90, 60, 110, 65)], 0.12)
        self.assertIs(readings.better(digit, arc, confident=True), digit)

    def test_the_paper_around_a_thick_stroke_is_no_ring(self):
        # A thick "1" (dark) under a round shadow: the light reading finds
        # the paper around it, on all four sides, as fat as the stroke, its
        # box enclosing the stroke's like a 0's ring its hole.  But that
        # paper is uneven (the shadow's slope): its top-hat's noise is high
        # and it stands 5 times its noise out of it, the stroke 25 times.
        stroke = finding(100, 100, [(45, 20, 54, 70)], 0.18)
        paper = finding(100, 100, [(30, 10, 44, 80), (55, 10, 70, 80), (30, 10, 70, 19), (30, 71, 70, 80)], 0.2)
        paper.noise = 10.0
        for confident in (True, False):
            self.assertIs(readings.better(stroke, paper, confident), stroke)
        # The same paper as clear as the stroke would be its ring.
        paper.noise = stroke.noise
        self.assertIs(readings.better(stroke, paper, confident=True), paper)

    def test_clean_paper_has_no_noise_to_compare(self):
        # A clean photo (a messenger's JPEG of flat paper): the top-hat's
        # median is under a gray level in both readings, 1.0 for the digit,
        # 0.4 inside its hook.  Under a level that says "no noise", not
        # "2.5 times clearer": the hook (fatter, as strong) does not win by it.
        two = finding(100, 100, [(20, 20, 60, 24), (56, 20, 60, 50), (20, 70, 80, 74), (20, 50, 60, 54),
                                 (20, 50, 24, 74)], 0.04)
        two.noise = 1.0
        hook = finding(100, 100, [(20, 25, 55, 49)], 0.35)
        hook.noise = 0.4
        self.assertEqual(readings.clarity(hook), readings.clarity(two))
        for confident in (True, False):
            self.assertIs(readings.better(two, hook, confident), two)

    def test_the_slits_of_a_fat_digit_lose_when_the_vote_was_clear(self):
        # A fat marker's 6 (dark, thinness 0.42) and the slits between its
        # strokes (light): three times thinner, a little clearer, with the
        # 6's ink on three sides.  When the percentile vote clearly chose
        # the 6's polarity, its holes and bays cannot overturn it.
        six = finding(80, 80, [(20, 10, 60, 70)], 0.42)
        slits = finding(80, 80, [(30, 20, 50, 22), (30, 20, 32, 50), (38, 40, 50, 42)], 0.12)
        slits.noise = 1.9  # 1.05 times the 6's clarity
        self.assertIs(readings.better(six, slits, confident=True), six)
        slits.noise = 1.3  # 1.5 times
        self.assertIs(readings.better(six, slits, confident=True), six)

    def test_a_glare_around_the_digit_loses_by_its_fading_edge(self):
        # A glare read as light ink: a blob around a thin 7 (dark), on all
        # four sides of it, fatter, as clear, and the vote's clear choice,
        # just like a fat marker's 6 around its slits.  But two pixels out
        # from its edge, away from the 7, the brightness has fallen by 4
        # levels (the threshold is 20): it fades; the 7's edge falls by 60.
        seven = finding(100, 100, [(40, 30, 60, 33), (56, 30, 59, 70)], 0.08, fall=60.0)
        glare = finding(100, 100, [(20, 15, 39, 85), (61, 15, 80, 85), (40, 15, 60, 29), (40, 71, 60, 85)],
                        0.3, fall=4.0)
        self.assertTrue(readings._fades(glare, seven))
        self.assertFalse(readings._fades(seven, glare))
        for confident in (True, False):
            self.assertIs(readings.better(glare, seven, confident), seven)
        # With a sharp edge it is a fat digit around its slits: it wins.
        marker = finding(100, 100, [(20, 15, 39, 85), (61, 15, 80, 85), (40, 15, 60, 29), (40, 71, 60, 85)],
                         0.3, fall=60.0)
        self.assertIs(readings.better(marker, seven, confident=True), marker)
        # A loop's inside has no edge away from the digit around it: its
        # edge says nothing, whatever it is.
        hole = finding(100, 100, [(42, 34, 55, 69)], 0.3, fall=4.0)
        self.assertFalse(readings._fades(hole, glare))

    def test_a_blurred_digit_does_not_lose_to_its_loop(self):
        # Out of focus, a 0's edge fades away from its hole as a glare's
        # does; but so does the hole's own edge (the same blurred strokes):
        # with no sharp edge to lose to, the hole is a hole.
        ring = finding(60, 60, [(10, 10, 40, 14), (10, 46, 40, 50), (10, 10, 14, 50), (36, 10, 40, 50)], 0.12,
                       fall=10.0)
        hole = finding(60, 60, [(15, 15, 35, 45)], 0.15, fall=10.0)
        self.assertTrue(readings._fades(ring, hole))
        self.assertFalse(readings._sharp(hole))
        self.assertIs(readings.better(hole, ring, confident=True), ring)

    def test_the_digit_in_a_printed_box_beats_the_paper_inside_it(self):
        # A tight box (dark) around a fat marker's 0: the paper inside it
        # stands out as light ink, the 0 and its hole as its holes, on all
        # four sides of the 0, as thin as the 0's strokes, and the clear
        # vote chose it.  The dark reading found the box as a frame around
        # the 0, and the paper lies inside that frame.
        zero = finding(100, 100, [(40, 30, 60, 33), (40, 67, 60, 70), (40, 30, 43, 70), (57, 30, 60, 70)], 0.3)
        paper = finding(100, 100, [(33, 18, 67, 29), (33, 71, 67, 82), (33, 18, 39, 82), (61, 18, 67, 82),
                                   (44, 34, 56, 66)], 0.25)
        self.assertIs(readings.better(paper, zero, confident=True), paper)  # without the frame: a 0's ring
        zero.frame = (30, 15, 70, 85)
        self.assertIs(readings.better(paper, zero, confident=True), zero)

    def test_the_paper_inside_a_faint_box_is_no_ring(self):
        # A box printed much fainter than the writing, under the dark
        # reading's threshold: the light reading finds the paper inside
        # it, a blob with the digit (a 0, the vote's clear choice) as its
        # hole.  But two pixels out from the paper's edge is past the
        # box's thin line, on paper as bright: its edge hardly falls.
        zero = finding(100, 100, [(40, 30, 60, 33), (40, 67, 60, 70), (40, 30, 43, 70), (57, 30, 60, 70)],
                       0.12, fall=60.0)
        paper = finding(100, 100, [(20, 10, 80, 29), (20, 71, 80, 90), (20, 10, 39, 90), (61, 10, 80, 90),
                                   (44, 34, 56, 66)], 0.3, fall=2.0)
        # (A third of its ends fall where the box's line is two pixels out:
        # its edge does not fade as a glare's does.)
        paper.falls = [(x, y, 30.0 if i % 3 == 0 else fall) for i, (x, y, fall) in enumerate(paper.falls)]
        self.assertFalse(readings._fades(paper, zero))
        self.assertTrue(readings._paper_edge(paper, zero))
        self.assertIs(readings.better(zero, paper, confident=True), zero)
        # With a sharp edge it is a fat 0's ring around a hole: it wins.
        ring = finding(100, 100, [(20, 10, 80, 29), (20, 71, 80, 90), (20, 10, 39, 90), (61, 10, 80, 90)],
                       0.3, fall=60.0)
        self.assertIs(readings.better(zero, ring, confident=True), ring)

    def test_a_ring_of_paper_around_a_zero_is_no_printed_box(self):
        # A faint 0 under a soft shadow: the light reading finds its hole,
        # a blob, and around the 0 a ring of lit paper, a "frame".  The 0
        # lies inside that frame, but it is the strokes and the hole the
        # blob: a frame does not win over a finding clearly thinner.
        ring = finding(80, 80, [(10, 10, 50, 13), (10, 47, 50, 50), (10, 10, 13, 50), (47, 10, 50, 50)], 0.06)
        hole = finding(80, 80, [(14, 14, 46, 46)], 0.22)
        hole.frame = (10, 4, 60, 50)
        self.assertIs(readings.better(hole, ring, confident=False), ring)

    def test_a_finding_on_the_edge_loses(self):
        # The bright rim of the sheet (a thin line along the edge) is much
        # thinner than the digit, but hugs the border.
        rim = finding(100, 100, [(0, 0, 1, 99)], 0.02, edge=True)
        digit = finding(100, 100, [(40, 20, 48, 70), (40, 20, 70, 26)], 0.12)
        self.assertIs(readings.better(rim, digit, confident=False), digit)
        self.assertIs(readings.better(digit, rim, confident=False), digit)


if __name__ == "__main__":
    unittest.main()
