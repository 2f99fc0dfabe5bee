import math
import unittest

from nrnn.net.prng import PCG32


class PCG32Test(unittest.TestCase):
    def test_matches_the_reference_implementation(self):
        # pcg32-demo (the C reference) prints these for pcg32_srandom_r(42, 54).
        rng = PCG32(42, 54)
        self.assertEqual(
            [rng.next_u32() for _ in range(6)],
            [0xA15C02B7, 0x7B47F409, 0xBA1D3330, 0x83D2F293, 0xBFA4784B, 0xCBED606E],
        )

    def test_golden_values_for_our_default_stream(self):
        rng = PCG32(2026)
        self.assertEqual([rng.next_u32() for _ in range(3)], [146496474, 3241612136, 1689786525])
        self.assertEqual(rng.uniform(), 0.5430350858061037)
        self.assertEqual(rng.gaussian(), 0.07023620780774155)
        self.assertEqual(rng.below(10), 2)

    def test_same_seed_same_sequence_other_seed_other_sequence(self):
        a, b, c = PCG32(7), PCG32(7), PCG32(8)
        first = [a.next_u32() for _ in range(100)]
        self.assertEqual(first, [b.next_u32() for _ in range(100)])
        self.assertNotEqual(first, [c.next_u32() for _ in range(100)])

    def test_uniform_is_in_unit_interval_with_mean_one_half(self):
        rng = PCG32(1)
        samples = [rng.uniform() for _ in range(20000)]
        self.assertTrue(all(0.0 <= u < 1.0 for u in samples))
        self.assertAlmostEqual(sum(samples) / len(samples), 0.5, delta=0.01)

    def test_gaussian_has_requested_mean_and_deviation(self):
        rng = PCG32(3)
        samples = [rng.gaussian(2.0, 0.5) for _ in range(20000)]
        mean = sum(samples) / len(samples)
        std = math.sqrt(sum((s - mean) ** 2 for s in samples) / len(samples))
        self.assertAlmostEqual(mean, 2.0, delta=0.02)
        self.assertAlmostEqual(std, 0.5, delta=0.02)

    def test_below_is_unbiased_and_in_range(self):
        rng = PCG32(5)
        counts = [0] * 6
        for _ in range(60000):
            counts[rng.below(6)] += 1
        for count in counts:
            self.assertAlmostEqual(count, 10000, delta=400)
        with self.assertRaises(ValueError):
            rng.below(0)

    def test_shuffle_is_a_reproducible_permutation(self):
        items = list(range(50))
        PCG32(9).shuffle(items)
        again = list(range(50))
        PCG32(9).shuffle(again)
        self.assertEqual(items, again)
        self.assertEqual(sorted(items), list(range(50)))
        self.assertNotEqual(items, list(range(50)))


if __name__ == "__main__":
    unittest.main()
