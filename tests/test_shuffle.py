"""Tests for nrnn/train/shuffle.py: a permutation, deterministic, bounded, and
actually mixing (checked against what a shuffle buffer can and cannot do);
compact samples held in one block, in the same order as in a list."""

import doctest
import os
import platform
import shutil
import tempfile
import unittest

from nrnn.mnist.mnist_csv import read_samples, write_samples
from nrnn.net.prng import PCG32
from nrnn.train import shuffle
from nrnn.train.shuffle import SampleBlock, shuffled, shuffled_samples


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


def compact_samples(count, width=784):
    """``count`` distinct compact samples: (``width`` bytes, label 0..9)."""
    return [(bytes((k * 31 + i * 7) % 256 for i in range(width)), k % 10) for k in range(count)]


class ShuffledSamplesTest(unittest.TestCase):
    """shuffled_samples: the order of shuffled, to the sample; compact
    samples kept in a SampleBlock, never as the objects that came in."""

    def test_same_order_as_shuffled(self):
        compact = compact_samples(300, width=5)
        floats = [([value / 255 for value in pixels], label) for pixels, label in compact]
        for samples in (compact, floats):
            for size in (0, 1, 2, 7, 100, 299, 300, 301, 1000):
                with self.subTest(kind=type(samples[0][0]).__name__, size=size):
                    self.assertEqual(list(shuffled_samples(samples, size, PCG32(size))),
                                     list(shuffled(samples, size, PCG32(size))))

    def test_empty_stream_and_negative_buffer(self):
        self.assertEqual(list(shuffled_samples([], 10, PCG32(0))), [])
        with self.assertRaises(ValueError):
            list(shuffled_samples(compact_samples(3), -1, PCG32(0)))

    def test_compact_samples_come_out_as_copies_not_the_objects_that_went_in(self):
        # The block holds bytes, not objects: what leaves it is a new bytes
        # object equal to the one that came in (a list would hand back the
        # very object, which on PyPy is old garbage by then).
        samples = compact_samples(60, width=16)
        out = list(shuffled_samples(samples, 20, PCG32(4)))
        self.assertEqual(sorted(out), sorted(samples))
        given = {id(pixels) for pixels, _ in samples}
        self.assertFalse([pixels for pixels, _ in out if id(pixels) in given])
        self.assertTrue(all(type(pixels) is bytes for pixels, _ in out))


class SampleBlockTest(unittest.TestCase):
    def test_records_round_trip_in_place(self):
        block = SampleBlock(4, pixels=3)
        samples = [(bytes([1, 2, 3]), 0), (bytes([255, 0, 7]), 9), (bytes(3), 5)]
        for sample in samples:
            block.append(sample)
        self.assertEqual((len(block), list(block)), (3, samples))
        block[1] = (bytes([4, 5, 6]), 2)
        self.assertEqual(block[1], (bytes([4, 5, 6]), 2))
        self.assertEqual(list(block.block), [1, 2, 3, 0, 4, 5, 6, 2, 0, 0, 0, 5, 0, 0, 0, 0])
        self.assertEqual(len(block.block), 4 * 4)  # allocated once, for the capacity

    def test_bad_samples_and_indices_are_refused(self):
        block = SampleBlock(2, pixels=3)
        with self.assertRaises(ValueError):
            block.append((bytes(4), 1))  # the wrong width
        with self.assertRaises(ValueError):
            block.append((bytes(3), 256))  # a label is one byte
        self.assertEqual(len(block), 0)  # a refused sample is not counted
        block.append((bytes(3), 1))
        with self.assertRaises(IndexError):
            block[1]
        with self.assertRaises(IndexError):
            block[-1] = (bytes(3), 1)
        block.append((bytes(3), 2))
        with self.assertRaises(IndexError):
            block.append((bytes(3), 3))  # full
        self.assertIn("2 of 2 samples of 3 pixels", repr(block))


try:
    import tracemalloc
except ImportError:  # PyPy ships tracemalloc.py without its C half
    tracemalloc = None


@unittest.skipIf(tracemalloc is None or platform.python_implementation() == "PyPy",
                 "tracemalloc is not available (PyPy)")
class BufferMemoryTest(unittest.TestCase):
    def peak_of_shuffling(self, compact, buffer_size=1000, shuffle=shuffled, count=1500):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "digits.csv")
        pixels = [0] * 784
        pixels[300:450] = [(7 * i) % 256 for i in range(150)]  # ~150 inked, as MNIST
        write_samples(path, [(pixels, k % 10) for k in range(count)])
        tracemalloc.start()
        try:
            shuffled_count = sum(1 for _ in shuffle(read_samples(path, compact=compact), buffer_size, PCG32(3)))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(shuffled_count, count)
        return peak

    def test_a_buffer_of_compact_samples_is_several_times_smaller(self):
        compact, floats = self.peak_of_shuffling(True), self.peak_of_shuffling(False)
        # 1,000 samples of 784 bytes (+ a tuple each) against 784 floats:
        self.assertLess(compact, 1000 * 1024, compact)
        self.assertGreater(floats, 5 * compact, (floats, compact))

    def test_a_sample_block_costs_its_records_and_little_more(self):
        # 2,000 records of 785 bytes, plus one line being read (~25 kB on
        # CPython 3.9-3.11).  Kept as 2,000 bytes objects and tuples, the
        # same samples take ~100 kB more.
        peak = self.peak_of_shuffling(True, buffer_size=2000, shuffle=shuffled_samples, count=2500)
        self.assertLess(peak, 2000 * 785 + 60 * 1024, peak)

if __name__ == "__main__":
    unittest.main()
