"""Tests for nrnn/mnist/idx.py: round trips and every way an IDX file can be wrong."""

import doctest
import gzip
import os
import shutil
import struct
import tempfile
import unittest

from nrnn.errors import DataError
from nrnn.mnist import idx
from tests.support import requires_shared, shared_path


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(idx))
    return tests


def sample_images(count):
    """Distinct images: image k has pixel i = (k * 31 + i) % 256."""
    return [bytes((k * 31 + i) % 256 for i in range(784)) for k in range(count)]


class IdxTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)

    def path(self, name):
        return os.path.join(self.folder, name)

    def write_raw(self, name, data, compress=False):
        path = self.path(name)
        with open(path, "wb") as handle:
            handle.write(gzip.compress(data) if compress else data)
        return path

    def assertDataError(self, function, *fragments):
        with self.assertRaises(DataError) as caught:
            function()
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        return str(caught.exception)


class RoundTripTest(IdxTestCase):
    def test_plain_and_gzip_round_trip(self):
        images = sample_images(5)
        labels = [3, 1, 4, 1, 5]
        for suffix in ("", ".gz"):
            image_path = self.path("images" + suffix)
            label_path = self.path("labels" + suffix)
            idx.write_images(image_path, images)
            idx.write_labels(label_path, labels)
            self.assertEqual(list(idx.read_images(image_path)), images)
            self.assertEqual(list(idx.read_labels(label_path)), labels)
            self.assertEqual(list(idx.read_pairs(image_path, label_path)), list(zip(images, labels)))
            self.assertEqual(idx.validate(image_path, label_path), 5)
            self.assertEqual(idx.read_header(image_path, "images"), idx.IdxHeader("images", 5, 28, 28))

    def test_written_bytes_follow_the_format(self):
        # Golden bytes: header fields big-endian, then the pixels verbatim.
        path = self.path("one")
        idx.write_images(path, [bytes(range(256)) * 3 + bytes(16)])
        with open(path, "rb") as handle:
            data = handle.read()
        self.assertEqual(data[:16], bytes.fromhex("00000803 00000001 0000001c 0000001c"))
        self.assertEqual(data[16:16 + 256], bytes(range(256)))
        self.assertEqual(len(data), 16 + 784)
        idx.write_labels(path, [9, 0])
        with open(path, "rb") as handle:
            self.assertEqual(handle.read(), bytes.fromhex("00000801 00000002 09 00"))

    def test_gzip_recognised_by_content_not_name(self):
        header = struct.pack(">IIII", 0x803, 1, 28, 28)
        path = self.write_raw("no-suffix", header + bytes([7]) * 784, compress=True)
        self.assertEqual(list(idx.read_images(path)), [bytes([7]) * 784])

    def test_count_comes_from_header_across_read_batches(self):
        # More images than one internal read (256), and not a multiple of it.
        images = sample_images(300)
        path = self.path("many.gz")
        idx.write_images(path, images)
        self.assertEqual(list(idx.read_images(path)), images)

    def test_empty_files(self):
        idx.write_images(self.path("i"), [])
        idx.write_labels(self.path("l"), [])
        self.assertEqual(list(idx.read_pairs(self.path("i"), self.path("l"))), [])

    def test_writer_rejects_bad_input(self):
        self.assertDataError(lambda: idx.write_images(self.path("x"), [bytes(783)]), "783 pixels")
        self.assertDataError(lambda: idx.write_labels(self.path("x"), [10]), "outside 0..9")
        self.assertFalse(os.path.exists(self.path("x")))


class MalformedTest(IdxTestCase):
    def test_wrong_magic(self):
        for compress in (False, True):
            path = self.write_raw("bad", struct.pack(">IIII", 0x804, 1, 28, 28) + bytes(784), compress)
            self.assertDataError(lambda path=path: list(idx.read_images(path)), path,
                                 "'magic'", "0x00000804", "0x00000803")

    def test_label_file_given_as_images(self):
        labels = self.path("labels")
        idx.write_labels(labels, [1])
        self.assertDataError(lambda: list(idx.read_images(labels)), "0x00000801 (a label file)")
        images = self.path("images")
        idx.write_images(images, sample_images(1))
        self.assertDataError(lambda: idx.read_labels(images), "0x00000803 (an image file)")

    def test_wrong_dimensions(self):
        path = self.write_raw("bad", struct.pack(">IIII", 0x803, 1, 28, 27) + bytes(28 * 27))
        self.assertDataError(lambda: list(idx.read_images(path)), path, "'cols' is 27", "expected 28")
        path = self.write_raw("bad2", struct.pack(">IIII", 0x803, 1, 32, 28) + bytes(32 * 28))
        self.assertDataError(lambda: list(idx.read_images(path)), "'rows' is 32")

    def test_truncated_header(self):
        path = self.write_raw("short", struct.pack(">II", 0x803, 1))
        self.assertDataError(lambda: list(idx.read_images(path)), path, "file ends in the header")
        path = self.write_raw("tiny", b"\x00\x00")
        self.assertDataError(lambda: idx.read_labels(path), "'magic'", "2 of 4 bytes")

    def test_plain_file_shorter_than_count_fails_before_yielding(self):
        path = self.write_raw("short", struct.pack(">IIII", 0x803, 3, 28, 28) + bytes(784 * 2))
        images = idx.read_images(path)
        self.assertDataError(lambda: next(images), path, "1584 bytes", "(3 images) needs 2368")

    def test_gzip_file_shorter_than_count(self):
        path = self.write_raw("short.gz", struct.pack(">IIII", 0x803, 3, 28, 28) + bytes(784 * 2 + 100), True)
        self.assertDataError(lambda: list(idx.read_images(path)), path, "after 2 complete images", "says 3")

    def test_trailing_data(self):
        # A plain file's size is checked up front; gzip's only at the end.
        path = self.write_raw("long", struct.pack(">IIII", 0x803, 1, 28, 28) + bytes(785))
        self.assertDataError(lambda: list(idx.read_images(path)), path, "801 bytes", "(1 images) needs 800")
        path = self.write_raw("long.gz", struct.pack(">IIII", 0x803, 1, 28, 28) + bytes(785), True)
        self.assertDataError(lambda: list(idx.read_images(path)), path, "continues after the 1 images")
        path = self.write_raw("long-labels.gz", struct.pack(">II", 0x801, 2) + bytes(3), True)
        self.assertDataError(lambda: idx.read_labels(path), path, "after the 2 labels")

    def test_short_labels(self):
        path = self.write_raw("labels.gz", struct.pack(">II", 0x801, 5) + bytes(3), True)
        self.assertDataError(lambda: idx.read_labels(path), path, "after 3 labels", "says 5")

    def test_label_out_of_range(self):
        path = self.write_raw("labels", struct.pack(">II", 0x801, 3) + bytes([1, 2, 12]))
        self.assertDataError(lambda: idx.read_labels(path), path, "label 2 is 12")

    def test_counts_disagree(self):
        images, labels = self.path("images.gz"), self.path("labels.gz")
        idx.write_images(images, sample_images(3))
        idx.write_labels(labels, [1, 2])
        self.assertDataError(lambda: idx.read_pairs(images, labels), images, "3 images", labels, "2 labels")

    def test_corrupt_gzip(self):
        path = self.path("images.gz")
        idx.write_images(path, sample_images(20))
        with open(path, "rb") as handle:
            data = bytearray(handle.read())
        data[len(data) // 2] ^= 0xFF
        data[len(data) // 2 + 1] ^= 0xFF
        with open(path, "wb") as handle:
            handle.write(data)
        self.assertDataError(lambda: list(idx.read_images(path)), path)

    def test_missing_file(self):
        path = self.path("absent")
        self.assertDataError(lambda: idx.read_labels(path), path, "cannot open")


@requires_shared("mnist", "t10k-images-idx3-ubyte.gz")
class SharedMnistTest(unittest.TestCase):
    def test_shared_files_read_with_header_counts(self):
        labels = idx.read_labels(shared_path("mnist", "train-labels-idx1-ubyte.gz"))
        self.assertEqual(len(labels), 24345)  # the subset: count from the header
        header = idx.read_header(shared_path("mnist", "t10k-images-idx3-ubyte.gz"), "images")
        self.assertEqual(header.count, 10000)
        first = next(iter(idx.read_images(shared_path("mnist", "t10k-images-idx3-ubyte.gz"))))
        # The first test image is a 7: ink in the middle rows, none in row 0.
        self.assertEqual(first[:28], bytes(28))
        self.assertGreater(max(first[14 * 28:15 * 28]), 200)
        self.assertEqual(idx.read_labels(shared_path("mnist", "t10k-labels-idx1-ubyte.gz"))[0], 7)


if __name__ == "__main__":
    unittest.main()
