"""Tests for nrnn/image/tophat.py: the stroke width that sizes the paper's
window, checked against runs counted by walking, and the window's clamps."""

import random
import unittest

from nrnn.image import tophat


def walked_run(mask, y, x, dy, dx):
    """The length of the run of mask pixels through (x, y) along (dx, dy), counted by walking."""
    count = 1
    for sign in (-1, 1):
        j, i = y + sign * dy, x + sign * dx
        while 0 <= j < len(mask) and 0 <= i < len(mask[0]) and mask[j][i]:
            count, j, i = count + 1, j + sign * dy, i + sign * dx
    return count


class StrokeWidth(unittest.TestCase):
    def test_a_ring_three_pixels_wide(self):
        # A square ring: every pixel's shorter run crosses the ring: 3.
        size = 20
        mask = [[1 if (2 <= x < 18 and 2 <= y < 18 and not (5 <= x < 15 and 5 <= y < 15)) else 0
                 for x in range(size)] for y in range(size)]
        self.assertEqual(tophat.stroke_width(mask), 3)

    def test_the_median_of_the_shorter_runs_by_brute_force(self):
        # Each mask pixel's horizontal and vertical runs counted by walking
        # from it; the median (upper, of the sorted list) of their minima.
        rng = random.Random(12)
        for height, width, density in [(9, 13, 0.5), (16, 11, 0.8), (5, 5, 1.0), (7, 30, 0.2)]:
            mask = [[1 if rng.random() < density else 0 for _ in range(width)] for _ in range(height)]
            shorter = sorted(min(walked_run(mask, y, x, 0, 1), walked_run(mask, y, x, 1, 0))
                             for y in range(height) for x in range(width) if mask[y][x])
            with self.subTest(size=(width, height)):
                self.assertEqual(tophat.stroke_width(mask), shorter[len(shorter) // 2])
        self.assertEqual(tophat.stroke_width([[0, 0], [0, 0]]), 0.0)

    def test_window_is_three_strokes_clamped(self):
        # 15%..30% of the shorter side (200): 30..60, odd.
        self.assertEqual(tophat.background_window(4, 300, 200), 31)
        self.assertEqual(tophat.background_window(15, 300, 200), 45)
        self.assertEqual(tophat.background_window(40, 300, 200), 61)


if __name__ == "__main__":
    unittest.main()
