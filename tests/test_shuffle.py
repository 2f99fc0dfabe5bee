"""Tests for nrnn/train/shuffle.py: a permutation, deterministic, bounded, and
actually mixing (checked against what a shuffle buffer can and cannot do)."""

import doctest
import os
import platform
import shutil
import tempfile
import unittest

from nrnn.mnist.mnist_csv import read_samples, write_samples
from nrnn.net.prng import PCG32
from nrnn.train import shuffle
from nrnn.train.shuffle import shuffled


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(shuffle))
    return tests


class ShuffledTest(unittest.TestCase):
    def test_buffer_zero_and_one_keep_file_order(self):
        for size in (0, 1):
            self.assertEqual(list(shuffled(range(100), size, PCG32(5))), list(range(100)))

    def test_negative_buffer_rejected(self):
        with self.assertRaises(ValueError):
            list(shuffled(range(3), -1, PCG32(0)))

    def test_is_a_permutation(self):
        for size in (2, 7, 100, 1000):
            self.assertEqual(sorted(shuffled(range(500), size, PCG32(size))), list(range(500)))

    def test_deterministic_for_a_seed_and_different_across_seeds(self):
        first = list(shuffled(range(200), 50, PCG32(42)))
        self.assertEqual(first, list(shuffled(range(200), 50, PCG32(42))))
        self.assertNotEqual(first, list(shuffled(range(200), 50, PCG32(43))))
        self.assertNotEqual(first, list(range(200)))

    def test_golden_order(self):
        # Worked by hand from the algorithm: fill [0, 1, 2], then each new
        # item replaces the slot PCG32(7).below(3) picked, then the rest of
        # the buffer is Fisher-Yates shuffled by the same generator.
        rng = PCG32(7)
        buffer, expected = [0, 1, 2], []
        for item in (3, 4, 5):
            slot = rng.below(3)
            expected.append(buffer[slot])
            buffer[slot] = item
        for i in (2, 1):
            j = rng.below(i + 1)
            buffer[i], buffer[j] = buffer[j], buffer[i]
        expected += buffer
        self.assertEqual(list(shuffled(range(6), 3, PCG32(7))), expected)

    def test_items_move_earlier_by_less_than_the_buffer(self):
        size = 16
        order = list(shuffled(range(2000), size, PCG32(3)))
        for position, item in enumerate(order):
            self.assertGreater(position, item - size)

    def test_holds_at_most_buffer_size_items(self):
        consumed = []

        def source():
            for i in range(1000):
                consumed.append(i)
                yield i

        stream = shuffled(source(), 10, PCG32(1))
        for produced in range(1, 500):
            next(stream)
            # Read but not yet yielded: exactly the buffer, never more.
            self.assertEqual(len(consumed) - produced, 10)

    def test_full_buffer_spreads_first_item_uniformly(self):
        # With buffer >= length this is a uniform shuffle: item 0 should
        # land in each of 5 positions about 1/5 of the time.
        counts = [0] * 5
        rng = PCG32(11)
        trials = 5000
        for _ in range(trials):
            counts[list(shuffled(range(5), 5, rng)).index(0)] += 1
        for count in counts:
            self.assertAlmostEqual(count / trials, 0.2, delta=0.03)

    def test_sorted_classes_get_mixed(self):
        # A file sorted by label (the worst case for SGD): with a buffer of a
        # tenth of the data, the first 100 outputs already hold several labels.
        labels = [k // 100 for k in range(1000)]
        first = list(shuffled(labels, 100, PCG32(9)))[:100]
        self.assertGreaterEqual(len(set(first)), 2)
        self.assertEqual(sorted(first)[0], 0)


try:
    import tracemalloc
except ImportError:  # PyPy ships tracemalloc.py without its C half
    tracemalloc = None


@unittest.skipIf(tracemalloc is None or platform.python_implementation() == "PyPy",
                 "tracemalloc is not available (PyPy)")
class BufferMemoryTest(unittest.TestCase):
    def peak_of_shuffling(self, compact):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "digits.csv")
        pixels = [0] * 784
        pixels[300:450] = [(7 * i) % 256 for i in range(150)]  # ~150 inked, as MNIST
        write_samples(path, [(pixels, k % 10) for k in range(1500)])
        tracemalloc.start()
        try:
            count = sum(1 for _ in shuffled(read_samples(path, compact=compact), 1000, PCG32(3)))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(count, 1500)
        return peak

    def test_a_buffer_of_compact_samples_is_several_times_smaller(self):
        compact, floats = self.peak_of_shuffling(True), self.peak_of_shuffling(False)
        # 1,000 samples of 784 bytes (+ a tuple each) against 784 floats:
        self.assertLess(compact, 1000 * 1024, compact)
        self.assertGreater(floats, 5 * compact, (floats, compact))


if __name__ == "__main__":
    unittest.main()
