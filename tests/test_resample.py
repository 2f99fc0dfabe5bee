"""Tests for nrnn/image/resample.py: exact area averages, checked against independent sums."""

import math
import random
import unittest
from fractions import Fraction

from nrnn.image import resample


def fraction_weights(source, target):
    """Area weights the slow, obvious way: exact fractions of overlapping intervals."""
    step = Fraction(source, target)
    table = []
    for j in range(target):
        start, stop = j * step, (j + 1) * step
        weights = []
        for i in range(math.floor(start), min(source, math.ceil(stop))):
            overlap = min(stop, i + 1) - max(start, i)
            if overlap > 0:
                weights.append((i, float(overlap / step)))
        table.append(weights)
    return table


def brute_force_average(plane, width, height, new_width, new_height):
    """Every new pixel as the weighted sum over every old pixel it covers."""
    across = fraction_weights(width, new_width)
    down = fraction_weights(height, new_height)
    return [sum(plane[y * width + x] * wx * wy for y, wy in rows for x, wx in columns)
            for rows in down for columns in across]


class AreaWeights(unittest.TestCase):
    def test_same_floats_as_exact_fractions(self):
        # The integer spans must give bit-for-bit the weights the Fraction
        # arithmetic gave (the drawing path's 784 inputs depend on them).
        for source in range(1, 45):
            for target in range(1, 45):
                self.assertEqual(resample.area_weights(source, target),
                                 fraction_weights(source, target), (source, target))

    def test_spans_by_hand(self):
        # 7 old pixels into 3: new pixel 1 covers [7/3, 14/3), in units of
        # 1/3: [7, 14): old pixel 2 ([6, 9)) by 2, pixel 3 whole (3), pixel 4 ([12, 15)) by 2.
        self.assertEqual(resample.area_spans(7, 3)[1], (2, 4, 2, 2))
        for source, target in [(7, 3), (100, 7), (3, 20), (4_000_000, 256)]:
            for first, last, first_weight, last_weight in resample.area_spans(source, target):
                inner = max(0, last - first - 1) * target
                total = first_weight if first == last else first_weight + inner + last_weight
                self.assertEqual(total, source)

    def test_a_huge_row_has_one_span_per_new_pixel(self):
        spans = resample.area_spans(4_000_000, 256)
        self.assertEqual(len(spans), 256)
        self.assertEqual(spans[0], (0, 15624, 256, 256))  # 4e6/256 = 15625 old pixels each


class ShrinkPlane(unittest.TestCase):
    def test_matches_brute_force_both_ways_of_going_down(self):
        rng = random.Random(4)
        # Tall-thin planes take the column route, wide ones the packed rows.
        sizes = [(37, 29, 10, 7), (3, 200, 2, 9), (1, 90, 1, 4), (50, 3, 9, 2),
                 (64, 64, 20, 20), (17, 40, 17, 13), (40, 17, 13, 17), (5, 5, 5, 5)]
        for _ in range(30):
            width, height = rng.randint(1, 30), rng.randint(1, 30)
            sizes.append((width, height, rng.randint(1, width), rng.randint(1, height)))
        for width, height, new_width, new_height in sizes:
            with self.subTest(size=(width, height, new_width, new_height)):
                plane = bytes(rng.randrange(256) for _ in range(width * height))
                got = resample.shrink_plane(plane, width, height, new_width, new_height)
                want = brute_force_average(plane, width, height, new_width, new_height)
                self.assertEqual(len(got), new_width * new_height)
                for a, b in zip(got, want):
                    self.assertAlmostEqual(a, b, places=9)

    def test_mix_is_the_mix_of_the_averages(self):
        # Luma of three planes, one pass; the tall case needs 64-bit fields
        # (255 * 1000 * 20000 rows > 2**32).
        rng = random.Random(6)
        for width, height, new_width, new_height in [(30, 20, 11, 7), (3, 20000, 2, 10000), (2, 50, 2, 3)]:
            with self.subTest(size=(width, height, new_width, new_height)):
                planes = [bytes(rng.randrange(256) for _ in range(width * height)) for _ in range(3)]
                got = resample.shrink_mix(list(zip(planes, (299, 587, 114))), width, height,
                                          new_width, new_height)
                each = [resample.shrink_plane(p, width, height, new_width, new_height) for p in planes]
                for index, value in enumerate(got):
                    want = (299 * each[0][index] + 587 * each[1][index] + 114 * each[2][index]) / 1000
                    self.assertAlmostEqual(value, want, places=9)

    def test_the_packed_columns_give_the_row_by_row_sums(self):
        # The horizontal pass sums whole columns packed into big integers:
        # exactly the integers summing each row's spans gives, here with
        # the largest sums a 64-bit field holds, and over it (row by row).
        rng = random.Random(8)
        for width, new_width, height, top in [(400, 256, 5, 255), (7, 3, 2, 2 ** 63 // 7),
                                              (30, 29, 4, 10 ** 6), (9, 2, 3, 2 ** 70), (9, 2, 1, 255)]:
            with self.subTest(size=(width, new_width, height, top)):
                rows = [[rng.randint(0, top) for _ in range(width)] for _ in range(height)]
                spans = resample.area_spans(width, new_width)
                want = [resample._span_sums(row, spans, new_width) for row in rows]
                got = resample._across(rows, width, new_width, top * width)
                self.assertEqual([list(row) for row in got], want)

    def test_the_planes_packed_from_the_rgba_rows_give_the_same_mix(self):
        rng = random.Random(9)
        for width, height, new_width, new_height in [(40, 30, 17, 13), (9, 7, 9, 7), (9, 7, 4, 7),
                                                     (2, 60, 1, 5), (3, 20000, 2, 10000)]:
            with self.subTest(size=(width, height, new_width, new_height)):
                rgba = bytes(rng.randrange(256) for _ in range(4 * width * height))
                planes = [(rgba[k::4], weight) for k, weight in enumerate((299, 587, 114))]
                self.assertEqual(resample.shrink_mix(planes, width, height, new_width, new_height, rgba),
                                 resample.shrink_mix(planes, width, height, new_width, new_height))

    def test_white_stays_exactly_white(self):
        got = resample.shrink_plane(b"\xff" * (300 * 200), 300, 200, 256, 171)
        self.assertEqual(set(got), {255.0})

    def test_refuses_to_grow(self):
        with self.assertRaises(ValueError):
            resample.shrink_plane(bytes(4), 2, 2, 3, 2)

    def test_resize_rows_keeps_the_mean(self):
        rows = [[float((x * 7 + y * 3) % 11) for x in range(13)] for y in range(9)]
        for size in [(5, 4), (13, 9), (26, 18), (1, 1)]:
            resized = resample.resize_rows(rows, *size)
            mean_before = sum(map(sum, rows)) / (13 * 9)
            mean_after = sum(map(sum, resized)) / (size[0] * size[1])
            self.assertAlmostEqual(mean_before, mean_after, places=9)


if __name__ == "__main__":
    unittest.main()
