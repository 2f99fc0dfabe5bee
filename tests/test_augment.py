"""Tests for nrnn/train/augment.py: shifts against a pixel-by-pixel reference; the
other distortions against golden values (quarter turns, identities, stroke
widths); determinism and a fixed number of random draws per image."""

import math
import unittest

from nrnn.image.skeleton import redraw
from nrnn.net.prng import PCG32
from nrnn.train.augment import (
    PEN_RADII,
    Augmenter,
    Distortion,
    affine,
    affine_matrix,
    dilate,
    draw_noise,
    elastic_field,
    erode,
    gaussian_kernel,
    random_shift,
    shift,
    smooth,
    thicken,
    warp,
)


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


def pixel(image, row, column):
    return image[28 * row + column]


def vertical_line(column=14, top=6, bottom=22, width=1):
    """A straight ink line, ``width`` columns wide, rows top..bottom-1."""
    return [1.0 if column <= c < column + width and top <= r < bottom else 0.0
            for r in range(28) for c in range(28)]


def ink_columns(image, row):
    return [c for c in range(28) if pixel(image, row, c) > 0.0]


class AffineTest(unittest.TestCase):
    def test_a_quarter_turn_is_an_exact_permutation(self):
        # p' = C + R(90) (p - C), C = 13.5: x' = 27 - y, y' = x, so
        # out[r][c] = in[27 - c][r] for every pixel, values unchanged.
        image = random_image(PCG32(21))
        turned = affine(image, rotation=90.0)
        expected = [pixel(image, 27 - c, r) for r in range(28) for c in range(28)]
        self.assertEqual(turned, expected)
        # Four quarter turns (and two half turns) give the image back.
        again = image
        for _ in range(4):
            again = affine(again, rotation=90.0)
        self.assertEqual(again, image)
        self.assertEqual(affine(affine(image, rotation=180.0), rotation=-180.0), image)

    def test_quarter_turn_is_clockwise_on_screen(self):
        image = [0.0] * 784
        image[28 * 2 + 14] = 1.0  # top middle
        turned = affine(image, rotation=90.0)
        self.assertEqual(divmod(turned.index(1.0), 28), (14, 25))  # right middle

    def test_scale_one_and_no_shift_is_the_identity(self):
        image = random_image(PCG32(22))
        self.assertEqual(affine(image), image)
        self.assertEqual(affine(image, scale=1.0, rotation=0.0, shear=0.0), image)
        self.assertEqual(warp(image, (1.0, 0.0, 0.0, 1.0), (0.0, 0.0), ([0.0] * 784, [0.0] * 784)), image)

    def test_whole_pixel_translation_equals_shift(self):
        image = random_image(PCG32(23))
        for dx, dy in ((1, 0), (0, -2), (-3, 2), (2, 2)):
            self.assertEqual(affine(image, dx=dx, dy=dy), shift(image, dx, dy), (dx, dy))

    def test_half_a_pixel_shift_averages_neighbours(self):
        image = [0.0] * 784
        image[28 * 10 + 10] = 1.0
        moved = affine(image, dx=0.5)
        self.assertEqual((pixel(moved, 10, 10), pixel(moved, 10, 11)), (0.5, 0.5))
        self.assertAlmostEqual(sum(moved), 1.0)

    def test_scaling_about_the_centre(self):
        # Column 20 covers x in [19.5, 20.5], 6..7 right of the centre 13.5;
        # at scale 2 that is 12..14 right of it: [25.5, 27.5], read bilinearly.
        bar = vertical_line(column=20, top=0, bottom=28)
        grown = affine(bar, scale=2.0)
        self.assertEqual([pixel(grown, 14, c) for c in range(24, 28)], [0.0, 0.25, 0.75, 0.75])
        small = affine(vertical_line(column=4, top=0, bottom=28, width=20), scale=0.5)
        self.assertEqual(ink_columns(small, 14), list(range(9, 19)))  # 20 wide -> 10 wide

    def test_shear_leans_a_vertical_line(self):
        # k = 2: x' = x + 2 (y - 13.5), whole columns for every row.
        sheared = affine(vertical_line(column=14, top=10, bottom=18), shear=2.0)
        for row in range(10, 18):
            self.assertEqual(ink_columns(sheared, row), [14 + 2 * row - 27], row)
            self.assertEqual(pixel(sheared, row, 14 + 2 * row - 27), 1.0)

    def test_matrix(self):
        a, b, c, d = affine_matrix(rotation=30.0, scale=2.0, shear=0.5)
        cos, sin = math.cos(math.radians(30)), math.sin(math.radians(30))
        self.assertAlmostEqual(a, 2 * cos)
        self.assertAlmostEqual(b, 2 * (0.5 * cos - sin))
        self.assertAlmostEqual(c, 2 * sin)
        self.assertAlmostEqual(d, 2 * (0.5 * sin + cos))
        with self.assertRaises(ValueError):
            warp([0.0] * 784, (1.0, 2.0, 0.5, 1.0))

    def test_input_is_untouched(self):
        image = random_image(PCG32(24))
        before = list(image)
        affine(image, rotation=10, scale=1.1, shear=0.1, dx=1, dy=-1)
        thicken(image, 0.5)
        thicken(image, -0.5)
        self.assertEqual(image, before)


class ElasticTest(unittest.TestCase):
    def test_alpha_zero_is_the_identity(self):
        image = random_image(PCG32(25))
        rng = PCG32(1)
        field = elastic_field(draw_noise(rng, 784), draw_noise(rng, 784), alpha=0.0, sigma=4.0)
        self.assertEqual(field, ([0.0] * 784, [0.0] * 784))
        self.assertEqual(warp(image, displacement=field), image)

    def test_kernel_sums_to_one_and_keeps_a_constant_field_inside(self):
        kernel = gaussian_kernel(4.0)
        self.assertEqual(len(kernel), 17)
        self.assertAlmostEqual(sum(kernel), 1.0, places=15)
        self.assertEqual(kernel, kernel[::-1])
        smoothed = smooth([0.25] * 784, kernel)
        self.assertAlmostEqual(pixel(smoothed, 14, 14), 0.25, places=15)
        self.assertLess(pixel(smoothed, 0, 0), 0.25)  # beyond the frame counts as 0

    def test_smoothing_a_spike_gives_the_kernel(self):
        spike = [0.0] * 784
        spike[28 * 14 + 14] = 1.0
        kernel = gaussian_kernel(1.0)
        smoothed = smooth(spike, kernel)
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                self.assertAlmostEqual(pixel(smoothed, 14 + dr, 14 + dc), kernel[dr + 2] * kernel[dc + 2])

    def test_a_uniform_field_is_a_shift(self):
        # Every source moved one pixel left: the image moves one pixel right.
        image = random_image(PCG32(26))
        self.assertEqual(warp(image, displacement=([-1.0] * 784, [0.0] * 784)), shift(image, 1, 0))

    def test_noise_is_in_range_and_one_draw_each(self):
        rng = PCG32(2)
        noise = draw_noise(rng, 1000)
        self.assertTrue(all(-1.0 <= v < 1.0 for v in noise))
        self.assertLess(abs(sum(noise) / 1000), 0.1)
        other = PCG32(2)
        for _ in range(1000):
            other.next_u32()
        self.assertEqual(rng.next_u32(), other.next_u32())

    def test_simard_settings_move_pixels_by_about_a_pixel(self):
        rng = PCG32(3)
        ux, uy = elastic_field(draw_noise(rng, 784), draw_noise(rng, 784), alpha=34.0, sigma=4.0)
        rms = math.sqrt(sum(u * u for u in ux + uy) / (2 * 784))
        self.assertTrue(0.3 < rms < 3.0, rms)


class ThicknessTest(unittest.TestCase):
    def test_dilation_of_a_one_pixel_line_is_three_wide(self):
        line = vertical_line(width=1)
        thick = dilate(line)
        for row in range(6, 22):
            self.assertEqual(ink_columns(thick, row), [13, 14, 15], row)
        # The cross also grows the ends by one row, not the corners.
        self.assertEqual(ink_columns(thick, 5), [14])
        self.assertEqual(ink_columns(thick, 22), [14])
        self.assertEqual(sum(thick), 16 * 3 + 2)

    def test_erosion_of_a_three_pixel_line_is_one_wide(self):
        thin = erode(vertical_line(column=13, width=3))
        for row in range(7, 21):
            self.assertEqual(ink_columns(thin, row), [14], row)
        self.assertEqual(ink_columns(thin, 6), [])  # the ends shrink too
        self.assertEqual(erode(vertical_line(width=1)), [0.0] * 784)

    def test_fractional_amounts_blend(self):
        line = vertical_line(column=13, width=3)
        self.assertEqual(thicken(line, 0.0), line)
        half = thicken(line, 0.5)
        self.assertEqual([pixel(half, 12, c) for c in range(11, 18)], [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0])
        thinner = thicken(line, -0.25)
        self.assertEqual([pixel(thinner, 12, c) for c in range(12, 17)], [0.0, 0.75, 1.0, 0.75, 0.0])
        self.assertEqual(thicken(line, 1.0), dilate(line))
        self.assertEqual(thicken(line, -1.0), erode(line))

    def test_grey_levels(self):
        image = [0.0] * 784
        image[28 * 10 + 10] = 0.6
        image[28 * 10 + 11] = 0.3
        grown = dilate(image)
        self.assertEqual([pixel(grown, 10, c) for c in range(9, 13)], [0.6, 0.6, 0.6, 0.3])
        self.assertEqual([pixel(grown, 9, c) for c in range(9, 13)], [0.0, 0.6, 0.3, 0.0])


ALL_OPTIONS = dict(shift=2, rotate=15.0, scale=0.15, shear=0.2, elastic=20.0, sigma=3.0, thickness=0.5)


class AugmenterTest(unittest.TestCase):
    def test_same_seed_same_output_other_seed_other_output(self):
        image = random_image(PCG32(27))
        augmenter = Augmenter(**ALL_OPTIONS)
        a, b, c = PCG32(8, 3), PCG32(8, 3), PCG32(9, 3)
        first = [augmenter(image, a) for _ in range(3)]
        self.assertEqual(first, [augmenter(image, b) for _ in range(3)])
        self.assertNotEqual(first[0], augmenter(image, c))
        self.assertNotEqual(first[0], first[1])

    def test_a_fixed_number_of_draws_per_image(self):
        cases = [
            (dict(), 0),
            (dict(shift=1), 2),
            (dict(shift=2, rotate=15.0, scale=0.15), 6),
            (dict(shift=2, rotate=15.0, scale=0.15, shear=0.2, thickness=0.5), 10),
            (dict(elastic=5.0), 2 * 784),
            (ALL_OPTIONS, 10 + 2 * 784),
            (dict(pen=0.3), 4),
            (dict(shift=1, pen=1.0), 6),
        ]
        for options, draws in cases:
            with self.subTest(options=options):
                augmenter = Augmenter(**options)
                self.assertEqual(augmenter.draws_per_image, draws)
                self.assertEqual(augmenter.active, draws > 0)
                rng, reference = PCG32(12, 5), PCG32(12, 5)
                for _ in range(20):  # whatever values come out
                    augmenter.draw(rng)
                    for _ in range(draws):
                        reference.next_u32()
                    self.assertEqual(rng.state, reference.state)

    def test_draw_then_apply_equals_call(self):
        image = random_image(PCG32(28))
        augmenter = Augmenter(**ALL_OPTIONS)
        distortion = augmenter.draw(PCG32(4))
        self.assertIsInstance(distortion, Distortion)
        self.assertEqual(augmenter.apply(image, distortion), augmenter(image, PCG32(4)))

    def test_values_are_drawn_within_their_ranges(self):
        augmenter = Augmenter(**ALL_OPTIONS)
        rng = PCG32(13)
        for _ in range(300):
            d = augmenter.draw(rng)
            self.assertTrue(-2 <= d.dx <= 2 and -2 <= d.dy <= 2)
            self.assertTrue(-15.0 <= d.rotation <= 15.0)
            self.assertTrue(0.85 <= d.scale <= 1.15)
            self.assertTrue(-0.2 <= d.shear <= 0.2)
            self.assertTrue(-0.5 <= d.thickness <= 0.5)
            self.assertEqual(len(d.noise[0]), 784)

    def test_shifts_alone_are_the_old_shifts(self):
        # The shipped model's recipe (--augment 1) must train exactly as before.
        image = random_image(PCG32(29))
        augmenter = Augmenter(shift=1)
        a, b = PCG32(5, 1001), PCG32(5, 1001)
        for _ in range(30):
            dx, dy = random_shift(b, 1)
            self.assertEqual(augmenter(image, a), shift(image, dx, dy))

    def test_output_stays_in_the_unit_range(self):
        image = random_image(PCG32(30))
        augmenter = Augmenter(**ALL_OPTIONS)
        rng = PCG32(14)
        for _ in range(10):
            out = augmenter(image, rng)
            self.assertEqual(len(out), 784)
            self.assertTrue(all(0.0 <= v <= 1.0 + 1e-12 for v in out))


class PenTest(unittest.TestCase):
    """--augment-pen: a share of the images redrawn along their skeleton."""

    def setUp(self):
        # A 2: a bar, a diagonal and a foot, MNIST-thick (3 pixels).
        image = [0.0] * 784
        for k in range(12):
            for w in (-1, 0, 1):
                image[28 * (6 + w) + 8 + k] = 1.0        # top bar
                image[28 * (6 + k) + 19 - k + w] = 1.0   # diagonal down to the left
                image[28 * (18 + w) + 8 + k] = 1.0       # foot
        self.two = image

    def test_the_share_redrawn_and_the_radii(self):
        augmenter = Augmenter(pen=0.3)
        rng = PCG32(21)
        radii = [augmenter.draw(rng).pen for _ in range(4000)]
        redrawn = [r for r in radii if r]
        self.assertAlmostEqual(len(redrawn) / len(radii), 0.3, delta=0.03)
        self.assertTrue(all(PEN_RADII[0] <= r <= PEN_RADII[1] for r in redrawn))
        self.assertLess(min(redrawn), PEN_RADII[0] + 0.1)
        self.assertGreater(max(redrawn), PEN_RADII[1] - 0.1)

    def test_a_redrawn_image_is_the_skeleton_drawn_with_that_pen(self):
        augmenter = Augmenter(pen=1.0)
        for radius in (1.0, 2.5, 4.0):
            with self.subTest(radius=radius):
                self.assertEqual(augmenter.apply(self.two, Distortion(pen=radius)), redraw(self.two, radius))
        self.assertEqual(augmenter.apply(self.two, Distortion()), self.two)

    def test_a_thin_pen_gives_less_ink_than_a_marker(self):
        augmenter = Augmenter(pen=1.0)
        ink = [sum(augmenter.apply(self.two, Distortion(pen=r))) for r in (1.0, 2.5, 4.0)]
        self.assertLess(ink[0] * 1.5, ink[1])
        self.assertLess(ink[1] * 1.15, ink[2])

    def test_without_the_pen_the_draws_are_unchanged(self):
        # Options without --augment-pen draw exactly as before it existed.
        image = random_image(PCG32(31))
        options = dict(ALL_OPTIONS)
        a, b = Augmenter(**options), Augmenter(pen=0.0, **options)
        self.assertEqual(a(image, PCG32(6)), b(image, PCG32(6)))


if __name__ == "__main__":
    unittest.main()
