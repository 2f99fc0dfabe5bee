"""Tests for nrnn/augment.py: image shifts against a pixel-by-pixel reference."""

import unittest

from nrnn.augment import random_shift, shift
from nrnn.prng import PCG32


def reference_shift(pixels, dx, dy, side=28):
    """The definition, one pixel at a time: out[r][c] = in[r - dy][c - dx]."""
    out = []
    for row in range(side):
        for column in range(side):
            r, c = row - dy, column - dx
            out.append(pixels[side * r + c] if 0 <= r < side and 0 <= c < side else 0.0)
    return out


def random_image(rng):
    # Every pixel distinct, so a pixel landing in the wrong place is caught.
    return [(rng.next_u32() % 1000 + 1) / 1000.0 for _ in range(784)]


class ShiftTest(unittest.TestCase):
    def test_matches_the_definition_for_every_small_shift(self):
        rng = PCG32(3)
        image = random_image(rng)
        for dx in range(-3, 4):
            for dy in range(-3, 4):
                self.assertEqual(shift(image, dx, dy), reference_shift(image, dx, dy), (dx, dy))

    def test_one_pixel_moves_where_expected(self):
        image = [0.0] * 784
        image[28 * 10 + 10] = 1.0
        self.assertEqual(shift(image, 2, 0).index(1.0), 28 * 10 + 12)   # right
        self.assertEqual(shift(image, 0, 2).index(1.0), 28 * 12 + 10)   # down
        self.assertEqual(shift(image, -1, -3).index(1.0), 28 * 7 + 9)   # left and up

    def test_ink_leaving_the_frame_is_lost_not_wrapped(self):
        image = [0.0] * 784
        image[27] = 1.0  # top-right corner
        self.assertEqual(sum(shift(image, 1, 0)), 0.0)
        self.assertEqual(sum(shift(image, 0, -1)), 0.0)
        self.assertEqual(shift(image, -27, 27).index(1.0), 28 * 27)

    def test_zero_shift_is_a_copy_and_input_is_untouched(self):
        image = random_image(PCG32(5))
        before = list(image)
        same = shift(image, 0, 0)
        self.assertEqual(same, image)
        self.assertIsNot(same, image)
        shift(image, 2, -2)
        self.assertEqual(image, before)

    def test_shift_beyond_the_frame_is_blank(self):
        image = random_image(PCG32(6))
        self.assertEqual(shift(image, 28, 0), [0.0] * 784)
        self.assertEqual(shift(image, 0, -30), [0.0] * 784)

    def test_other_side(self):
        image = [float(i) for i in range(1, 17)]
        self.assertEqual(shift(image, 1, 1, side=4), reference_shift(image, 1, 1, side=4))


class RandomShiftTest(unittest.TestCase):
    def test_covers_the_range_uniformly(self):
        rng = PCG32(11)
        counts = {}
        for _ in range(5000):
            dx, dy = random_shift(rng, 2)
            counts[dx, dy] = counts.get((dx, dy), 0) + 1
        self.assertEqual(set(counts), {(x, y) for x in range(-2, 3) for y in range(-2, 3)})
        # 25 cells, 200 expected each; 120..280 is > 5 standard deviations.
        self.assertTrue(all(120 < n < 280 for n in counts.values()), counts)

    def test_seeded_and_in_step_whatever_the_range(self):
        a, b = PCG32(4), PCG32(4)
        self.assertEqual([random_shift(a, 1) for _ in range(50)], [random_shift(b, 1) for _ in range(50)])
        # max_shift 0 still consumes the same draws, so the stream stays in step.
        c, d = PCG32(9), PCG32(9)
        self.assertEqual(random_shift(c, 0), (0, 0))
        d.below(1), d.below(1)
        self.assertEqual(c.next_u32(), d.next_u32())


if __name__ == "__main__":
    unittest.main()
