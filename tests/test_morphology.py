"""Tests for nrnn/image/morphology.py: filters against brute force, openings of known
profiles, components of hand-made masks."""

import random
import unittest

from nrnn.image import morphology


def brute_filter(rows, size, pick):
    """The plain definition (morphology's docstring): the extreme over the
    size x size square around each pixel, k // 2 before and the rest after
    (centred for an odd size), cut at the edges."""
    height, width, before = len(rows), len(rows[0]), size // 2
    return [[pick(rows[j][i] for j in range(max(0, y - before), min(height, y - before + size))
                  for i in range(max(0, x - before), min(width, x - before + size)))
             for x in range(width)] for y in range(height)]


def random_image(rng, width, height):
    """Floats, or small integers (many ties), the kinds of images the filters see."""
    if rng.random() < 0.5:
        return [[rng.uniform(0, 255) for _ in range(width)] for _ in range(height)]
    return [[rng.randint(0, 3) for _ in range(width)] for _ in range(height)]


class Filters(unittest.TestCase):
    def test_running_extremes_match_brute_force(self):
        rng = random.Random(3)
        for _ in range(300):
            values = [rng.randint(0, 99) for _ in range(rng.randint(1, 40))]
            size = rng.choice([1, 3, 5, 7, 9, 15, 41, 81])
            radius = size // 2
            n = len(values)
            self.assertEqual(morphology.running_min(values, size),
                             [min(values[max(0, i - radius):i + radius + 1]) for i in range(n)])
            self.assertEqual(morphology.running_max(values, size),
                             [max(values[max(0, i - radius):i + radius + 1]) for i in range(n)])

    def test_square_filters_match_brute_force(self):
        rng = random.Random(5)
        rows = [[rng.random() for _ in range(17)] for _ in range(11)]
        for size in (3, 5, 9):
            self.assertEqual(morphology.min_filter(rows, size), brute_filter(rows, size, min))
            self.assertEqual(morphology.max_filter(rows, size), brute_filter(rows, size, max))

    def test_fast_filters_match_the_plain_definition(self):
        # Odd and even windows, windows wider than the image, one row, one
        # column, one pixel: the row-at-a-time van Herk against brute force.
        rng = random.Random(11)
        shapes = [(1, 1), (1, 9), (9, 1), (2, 3), (7, 5), (23, 17), (40, 6)]
        for width, height in shapes:
            for size in (1, 2, 3, 4, 5, 8, 9, 16, 31, 60):
                rows = random_image(rng, width, height)
                before = [list(row) for row in rows]
                low, high = brute_filter(rows, size, min), brute_filter(rows, size, max)
                self.assertEqual(morphology.min_filter(rows, size), low, (width, height, size))
                self.assertEqual(morphology.max_filter(rows, size), high, (width, height, size))
                opened = morphology.opening(rows, size)
                self.assertEqual(opened, brute_filter(low, size, max), (width, height, size))
                self.assertEqual(rows, before)  # the input is left alone
                # Rows of their own: changing one pixel changes one pixel.
                opened[0][0] = "x"
                self.assertEqual(sum(row.count("x") for row in opened), 1)
            values = [rng.randint(0, 9) for _ in range(width)]
            for size in (1, 2, 4, 7, 50):
                self.assertEqual(morphology.running_min(values, size), brute_filter([values], size, min)[0])
                self.assertEqual(morphology.running_max(values, size), brute_filter([values], size, max)[0])

    def test_tuples_of_rows_are_read_too(self):
        rows = ((1, 5, 2), (7, 0, 3))
        self.assertEqual(morphology.opening(rows, 3), brute_filter(brute_filter(rows, 3, min), 3, max))

    def test_opening_of_a_known_profile(self):
        # Paper rising slowly from 10 to 19 with two bright "strokes" on it:
        # a 2-wide one (narrower than the window of 5: removed) and a
        # 6-wide plateau (wider: kept).  Worked by hand: the min filter
        # takes the paper under the thin stroke, the max filter restores
        # the slope everywhere except within 2 of a drop.
        paper = [10 + i // 4 for i in range(40)]
        profile = list(paper)
        profile[8:10] = [60, 60]
        profile[25:31] = [50] * 6
        opened = morphology.opening([profile], 5)[0]
        self.assertEqual(opened[8:10], [12, 12])      # the thin stroke is gone
        self.assertEqual(opened[25:31], [50] * 6)     # the wide one stays
        self.assertEqual(opened[:8], paper[:8])       # the paper is untouched
        top_hat = [a - b for a, b in zip(profile, opened)]
        self.assertEqual([i for i, v in enumerate(top_hat) if v], [8, 9])

    def test_opening_is_below_and_idempotent(self):
        rng = random.Random(9)
        rows = [[rng.randint(0, 255) for _ in range(23)] for _ in range(19)]
        opened = morphology.opening(rows, 5)
        self.assertTrue(all(o <= v for row, orow in zip(rows, opened) for v, o in zip(row, orow)))
        self.assertEqual(morphology.opening(opened, 5), opened)


class Components(unittest.TestCase):
    MASK = [
        "##....#...",
        ".#....#...",
        "..#...##..",
        "......#...",
        "#.........",
        "#......###",
        "......#..#",
    ]

    def pieces(self):
        mask = [[1 if c == "#" else 0 for c in row] for row in self.MASK]
        weights = [[float(x + 1) for x in range(10)] for _ in self.MASK]
        return morphology.components(mask, weights)

    def test_hand_made_mask(self):
        # Four pieces: a diagonal (joined only through corners: 8-connected),
        # a vertical stroke with a side spur, a short bar on the left edge,
        # and a hook that joins a run below it.
        found = [(c.pixels, c.left, c.top, c.right, c.bottom) for c in self.pieces()]
        self.assertEqual(found, [(5, 6, 0, 7, 3), (5, 6, 5, 9, 6), (4, 0, 0, 2, 2), (2, 0, 4, 0, 5)])

    def test_masses_are_the_weights_under_each_piece(self):
        masses = [c.mass for c in self.pieces()]
        # weight of column x is x + 1: stroke 7+7+7+8+7, hook 8+9+10+7+10,
        # diagonal 1+2+2+3, bar 1+1.
        self.assertEqual(masses, [36.0, 44.0, 8.0, 2.0])

    def test_border(self):
        pieces = self.pieces()
        self.assertTrue(pieces[0].touches_border(10, 7))     # top row
        self.assertTrue(pieces[1].touches_border(10, 7))     # right column
        inner = morphology.components([[0, 0, 0], [0, 1, 0], [0, 0, 0]])[0]
        self.assertFalse(inner.touches_border(3, 3))

    def test_box_mask_is_the_piece_in_its_box(self):
        (u,) = morphology.components([[0, 0, 0, 0, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0]])
        self.assertEqual(u.box_mask(), [[1, 0, 1], [1, 1, 1]])
        self.assertEqual(u.box_mask(1), [[0, 0, 0, 0, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]])

    def test_a_u_shape_is_one_piece(self):
        # Two runs that only meet at the bottom: union-find must merge them.
        mask = [[1, 0, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]]
        pieces = morphology.components(mask)
        self.assertEqual(len(pieces), 1)
        self.assertEqual(pieces[0].pixels, 8)

    def test_a_long_snake_needs_no_recursion(self):
        # A serpentine: full rows joined by one pixel alternately at the right
        # and the left end, 2000 rows: a path far deeper than Python's
        # recursion limit, and one piece.  Break one link: two pieces.
        def snake(height, broken=None):
            mask = []
            for y in range(height):
                if y % 2 == 0:
                    mask.append([1] * 8)
                else:
                    end = 7 if (y // 2) % 2 == 0 else 0
                    mask.append([1 if x == end and y != broken else 0 for x in range(8)])
            return mask
        self.assertEqual(len(morphology.components(snake(2000))), 1)
        self.assertEqual(sorted(c.pixels for c in morphology.components(snake(2000, broken=1001))),
                         [4491, 4508])  # rows 0-1000: 501 x 8 + 500 links

    def test_run_lengths(self):
        self.assertEqual(morphology.run_lengths([[1, 1, 1, 0, 1, 1], [0, 0, 0, 0, 0, 0]]),
                         [[3, 3, 3, 0, 2, 2], [0, 0, 0, 0, 0, 0]])


if __name__ == "__main__":
    unittest.main()
