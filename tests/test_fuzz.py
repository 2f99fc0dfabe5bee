"""Mutation fuzzing of every input format (the engine is tests/fuzzing.py).

A few thousand seeded mutants of PngSuite images (or PNGs encoded here when
../shared is absent), generated MNIST CSV files, small model files, IDX
image/label pairs and JPEGs (small ../shared/jpeg files and JPEGs encoded
here) go through their readers.  Each must come back as a result that passes the
format's sanity checks or as the reader's own ``NrnnError``, within a time
bound; anything else is a bug.  ``python -m bench.fuzz --iterations 100000``
runs the same mutants, many more of them.

Every crash the fuzzer ever found is kept, minimised, in tests/regressions/
and replayed by ``RegressionFiles``.
"""

import os
import shutil
import tempfile
import time
import unittest
from unittest import mock

from nrnn.errors import DataError, JPEGError, ModelFileError, NrnnError, PNGError
from nrnn.image import jpeg, png
from nrnn.mnist.mnist_csv import read_samples
from nrnn.net.model_file import load_model
from tests import fuzzing
from tests.support import ROOT, SHARED

REGRESSIONS = os.path.join(ROOT, "tests", "regressions")
SEED = 20240601
# Mutants per format: together well under 10 s on CPython 3.11 (a JPEG
# mutant costs ~20 ms: two decodes; bench/fuzz.py runs many more).
COUNTS = {"png": 2500, "csv": 1200, "model": 2000, "idx": 1500, "jpeg": 200}
TIMEOUT = 30.0  # a mutant of a small file answers in milliseconds: this is a loop that never ends, not a slow machine
# Regression files whose bug is not fixed yet (each has an expectedFailure test).
OPEN_BUGS = set()


class MutantFuzzing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.campaign = fuzzing.Campaign(SHARED if os.path.isdir(SHARED) else None,
                                        seed=SEED, timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls.campaign.close()

    def fuzz(self, fmt):
        campaign = self.campaign
        started = time.perf_counter()
        campaign.run(fmt, 0, COUNTS[fmt])
        seconds = time.perf_counter() - started
        counts = campaign.counts[fmt]
        failures = ["%s #%d (seed %d): %s %s -- rebuild with `python -m bench.fuzz --format %s "
                    "--seed %d --start %d --iterations 1 --save DIR`"
                    % (fmt, index, SEED, outcome, detail, fmt, SEED, index)
                    for f, index, outcome, detail, _ in campaign.failures if f == fmt]
        self.assertEqual(failures, [], "\n" + "\n".join(failures[:20]))
        self.assertEqual(counts["crash"] + counts["hang"], 0)
        self.assertEqual(sum(counts.values()), COUNTS[fmt])
        return counts, seconds

    def assert_reaches_deep(self, counts, minimum_ok):
        # A fuzzer whose mutants all die at the first check tests nothing:
        # enough of them must decode, and most must still be refused.
        self.assertGreaterEqual(counts["ok"], minimum_ok * sum(counts.values()))
        self.assertGreaterEqual(counts["rejected"], 0.5 * sum(counts.values()))

    def test_png_mutants_decode_or_raise_png_error(self):
        counts, _ = self.fuzz("png")
        self.assert_reaches_deep(counts, 0.05)

    def test_csv_mutants_read_or_raise_data_error(self):
        counts, _ = self.fuzz("csv")
        self.assert_reaches_deep(counts, 0.03)

    def test_model_mutants_load_or_raise_model_file_error(self):
        counts, _ = self.fuzz("model")
        self.assert_reaches_deep(counts, 0.02)

    def test_idx_mutants_read_or_raise_data_error(self):
        counts, _ = self.fuzz("idx")
        self.assert_reaches_deep(counts, 0.02)

    def test_jpeg_mutants_decode_or_raise_jpeg_error(self):
        counts, _ = self.fuzz("jpeg")
        self.assert_reaches_deep(counts, 0.05)



class MutatorProperties(unittest.TestCase):
    """The engine itself: reproducible, varied, and able to see a crash."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.scratch, True)
        self.corpus = fuzzing.png_corpus(None)

    def test_a_mutant_depends_only_on_seed_and_index(self):
        first = [fuzzing.make_mutant("png", self.corpus, 3, i)[1] for i in range(50)]
        again = [fuzzing.make_mutant("png", self.corpus, 3, i)[1] for i in range(50)]
        other = [fuzzing.make_mutant("png", self.corpus, 4, i)[1] for i in range(50)]
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)
        self.assertGreater(len(set(first)), 45)

    def test_synthetic_corpus_is_valid_and_covers_every_colour_type(self):
        kinds = set()
        for name, data in self.corpus:
            image = png.decode(data, name)
            self.assertEqual(len(image.rgba), 4 * image.width * image.height)
            kinds.add((data[24], data[25], data[28]))  # depth, colour, interlace
        self.assertEqual({colour for _, colour, _ in kinds}, {0, 2, 3, 4, 6})
        self.assertEqual({interlace for _, _, interlace in kinds}, {0, 1})
        self.assertGreaterEqual(len(kinds), 24)

    def test_crc_is_refixed_so_mutants_pass_the_crc_check(self):
        crc_failures = 0
        for index in range(300):
            _, data = fuzzing.make_mutant("png", self.corpus, 11, index)
            try:
                png.decode(data)
            except PNGError as error:
                crc_failures += "CRC mismatch" in str(error)
        # Only the deliberate CRC tampering (and raw byte damage) should show.
        self.assertLess(crc_failures, 75)

    def test_the_runner_sees_crashes_hangs_and_bad_results(self):
        def crashes(data, scratch):
            return {}[data]

        def hangs(data, scratch):
            time.sleep(3)

        def rejects(data, scratch):
            raise DataError("bad")

        for check, expected in ((crashes, "crash"), (hangs, "hang"), (rejects, "rejected")):
            outcome, detail = fuzzing._run_with_deadline(check, b"x", self.scratch, 0.3)
            self.assertEqual(outcome, expected, detail)
        outcome, detail = fuzzing._run_with_deadline(fuzzing._check_csv, b"x", self.scratch, 5)
        self.assertEqual(outcome, "rejected")
        # A reader that returned an insane sample would be flagged too.
        with self.assertRaises(AssertionError):
            fuzzing._check_sample([0.0] * 784, 10)
        with self.assertRaises(AssertionError):
            fuzzing._check_sample([0.0] * 783 + [1.5], 1)

    def test_minimize_shrinks_while_keeping_the_crash(self):
        def planted_bug(data, scratch):
            if b"\xde\xad" in data and b"\n" in data:
                raise TypeError("planted bug")

        big = b"x" * 500 + b"\n" + b"y" * 200 + b"\xde\xad" + b"z" * 300 + b"\n" + b"w" * 100
        with mock.patch.dict(fuzzing.CHECKS, {"csv": (planted_bug,)}):
            outcome, detail, _ = fuzzing.run_target("csv", big, self.scratch)
            self.assertEqual(outcome, "crash")
            self.assertIn("planted bug", detail)
            small = fuzzing.minimize("csv", big, self.scratch, detail)
        self.assertEqual(sorted(small), sorted(b"\xde\xad\n"))


class JpegMutator(unittest.TestCase):
    """The JPEG mutator's own properties: valid seeds, and mutants that get deep."""

    def setUp(self):
        self.corpus = fuzzing.jpeg_corpus(None)

    def test_synthetic_seeds_decode_and_cover_the_decoder(self):
        kinds = set()
        for name, data in self.corpus:
            image = jpeg.decode(data, name)
            self.assertEqual(len(image.rgba), 4 * image.width * image.height)
            sof = next(m for m, _ in fuzzing.split_jpeg(data) if m in (0xC0, 0xC2))
            kinds.add((sof, b"\xff\xdd" in data, b"Exif" in data, b"Adobe" in data))
        self.assertEqual({k[0] for k in kinds}, {0xC0, 0xC2})
        self.assertTrue(all(any(k[i] for k in kinds) for i in (1, 2, 3)))

    def test_split_and_join_are_inverse(self):
        for name, data in self.corpus:
            self.assertEqual(fuzzing.join_jpeg(fuzzing.split_jpeg(data)), data, name)

    def test_mutants_are_reproducible_and_mostly_parse_past_the_header(self):
        first = [fuzzing.make_mutant("jpeg", self.corpus, 3, i)[1] for i in range(60)]
        again = [fuzzing.make_mutant("jpeg", self.corpus, 3, i)[1] for i in range(60)]
        self.assertEqual(first, again)
        self.assertGreater(len(set(first)), 55)
        not_jpeg = 0
        for data in first:
            try:
                jpeg.decode(data)
            except JPEGError as error:
                not_jpeg += "not a JPEG" in str(error) or "empty file" in str(error)
        self.assertLess(not_jpeg, 15)


class RegressionFiles(unittest.TestCase):
    """Every minimised crasher in tests/regressions/ is now refused cleanly."""

    READERS = {
        ".png": (lambda path: png.read_png(path), PNGError),
        ".csv": (lambda path: list(read_samples(path)), DataError),
        ".json": (lambda path: load_model(path), ModelFileError),
        ".jpg": (lambda path: jpeg.read_jpeg(path), JPEGError),
    }

    def test_every_regression_file_is_ok_or_rejected(self):
        names = sorted(os.listdir(REGRESSIONS))
        self.assertGreaterEqual(len(names), 3)
        scratch = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, scratch, True)
        extension_format = {ext: fmt for fmt, ext in fuzzing.EXTENSIONS.items()}
        for name in names:
            fmt = extension_format.get(os.path.splitext(name)[1])
            if fmt is None or name in OPEN_BUGS:
                continue
            with self.subTest(name=name):
                self.assertLess(os.path.getsize(os.path.join(REGRESSIONS, name)), 64 * 1024)
                with open(os.path.join(REGRESSIONS, name), "rb") as handle:
                    data = handle.read()
                outcome, detail, _ = fuzzing.run_target(fmt, data, scratch)
                self.assertIn(outcome, ("ok", "rejected"), detail)

    def assert_refused(self, name, *fragments):
        reader, error_class = self.READERS[os.path.splitext(name)[1]]
        path = os.path.join(REGRESSIONS, name)
        with self.assertRaises(error_class) as caught:
            reader(path)
        self.assertIsInstance(caught.exception, NrnnError)
        for fragment in (path,) + fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_csv_field_with_thousands_of_digits(self):
        # Was: ValueError "Exceeds the limit (4300 digits) for integer string
        # conversion" from int() on CPython >= 3.11 / 3.9.14.
        self.assert_refused("csv-field-over-4300-digits.csv", "line 1", "field 650", "0..255",
                            "4303-digit")

    def test_model_weight_beyond_the_float_range(self):
        # Was: OverflowError from math.isfinite on a 401-digit integer.
        self.assert_refused("model-integer-beyond-float-range.json", "weights[0][0][0]", "finite")

    def test_idx_gzip_labels_claiming_four_billion(self):
        # Was: a 4 GB allocation (gzip read(count) with count = 2**32 - 1)
        # for a 27-byte label file; MemoryError where memory is short.
        path = os.path.join(REGRESSIONS, "idx-gzip-labels-count-4294967295.idxpair")
        with open(path, "rb") as handle:
            data = handle.read()
        scratch = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, scratch, True)
        with self.assertRaises(DataError) as caught:
            fuzzing._check_idx(data, scratch)
        self.assertIn("header field 'count' is 4294967295", str(caught.exception))

    def test_model_cost_that_is_not_a_string(self):
        # Was: TypeError "unhashable type: 'list'" looking it up in COSTS.
        self.assert_refused("model-cost-is-a-list.json", "'cost'", "[]")


if __name__ == "__main__":
    unittest.main()
