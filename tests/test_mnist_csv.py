"""Tests for nrnn/mnist/mnist_csv.py: accepted variants, malformed lines, speed-path
equivalence, limit, skip_bad, counting, writing and constant memory."""

import doctest
import os
import platform
import shutil
import tempfile
import unittest

from nrnn.errors import DataError
from nrnn.mnist import mnist_csv
from nrnn.mnist.mnist_csv import (
    ReadOnce,
    count_samples,
    inputs_of,
    parse_by_scanning,
    parse_by_split,
    read_samples,
    write_samples,
)
from nrnn.net.prng import PCG32


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocTestSuite(mnist_csv))
    return tests


def pixels_for(k):
    """Distinct pixel values for sample k, covering 0 and 255."""
    return [(k * 37 + i * 11) % 256 for i in range(784)]


def line_for(label, pixels):
    """The CSV line of one digit, in the file's order: the label first."""
    return "%d,%s" % (label, ",".join(map(str, pixels)))


class CsvTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)

    def write(self, text, name="x.csv", encoding="utf-8"):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as handle:
            handle.write(text.encode(encoding) if isinstance(text, str) else text)
        return path

    def expected(self, samples):
        # Independent of the reader's table: plain division.
        return [([value / 255 for value in pixels], label) for pixels, label in samples]


class AcceptedVariantsTest(CsvTestCase):
    samples = [(pixels_for(0), 5), (pixels_for(1), 0), (pixels_for(2), 9)]

    def body(self, newline="\n"):
        return newline.join(line_for(label, pixels) for pixels, label in self.samples) + newline

    def check(self, path, expect_header=None):
        reader = read_samples(path)
        self.assertEqual(list(reader), self.expected(self.samples))
        self.assertEqual(reader.skipped, 0)
        self.assertEqual(reader.header, expect_header)
        self.assertEqual(count_samples(path), len(self.samples))

    def test_plain(self):
        self.check(self.write(self.body()))

    def test_pixel_values_are_exact_quotients(self):
        path = self.write(line_for(3, list(range(256)) + list(range(255, -1, -1)) + [128] * 272) + "\n")
        [(pixels, label)] = list(read_samples(path))
        self.assertEqual(label, 3)
        self.assertEqual(pixels[:256], [i / 255 for i in range(256)])
        self.assertEqual((pixels[0], pixels[255]), (0.0, 1.0))
        self.assertTrue(all(type(p) is float for p in pixels))

    def test_no_final_newline(self):
        self.check(self.write(self.body().rstrip("\n")))

    def test_crlf(self):
        self.check(self.write(self.body("\r\n")))

    def test_bom(self):
        self.check(self.write("\ufeff" + self.body()))

    def test_blank_trailing_and_inner_lines(self):
        text = self.body()
        first_end = text.index("\n") + 1
        self.check(self.write(text[:first_end] + "\n  \n" + text[first_end:] + "\n\n\r\n \n"))

    def test_kaggle_header_names(self):
        for names in (["pixel%d" % i for i in range(784)],
                      ["%dx%d" % (r, c) for r in range(1, 29) for c in range(1, 29)]):
            header = "label," + ",".join(names)
            self.check(self.write(header + "\n" + self.body()), expect_header=header)

    def test_header_with_bom_and_crlf(self):
        header = "label," + ",".join("pixel%d" % i for i in range(784))
        self.check(self.write("\ufeff" + header + "\r\n" + self.body("\r\n")), expect_header=header)

    def test_harmless_number_variants_take_the_slow_path(self):
        pixels = pixels_for(4)
        fields = [str(p) for p in pixels]
        fields[0], fields[1], fields[2] = " " + fields[0], "00" + fields[1], "+" + fields[2]
        path = self.write(" 7," + ",".join(fields) + "\n")
        self.assertEqual(list(read_samples(path)), self.expected([(pixels, 7)]))

    def test_limit(self):
        path = self.write(self.body())
        self.assertEqual([label for _, label in read_samples(path, limit=2)], [5, 0])
        self.assertEqual(list(read_samples(path, limit=0)), [])
        self.assertEqual(len(list(read_samples(path, limit=99))), 3)
        with self.assertRaises(ValueError):
            read_samples(path, limit=-1)

    def test_reader_can_be_iterated_again(self):
        reader = read_samples(self.write(self.body()))
        self.assertEqual(list(reader), list(reader))


class MalformedTest(CsvTestCase):
    def bad_file(self, bad_line, line_number=3):
        good = [line_for(1, pixels_for(k)) for k in range(4)]
        good.insert(line_number - 1, bad_line)
        return self.write("\n".join(good) + "\n")

    def assertBad(self, bad_line, *fragments, line_number=3):
        path = self.bad_file(bad_line, line_number)
        with self.assertRaises(DataError) as caught:
            list(read_samples(path))
        message = str(caught.exception)
        self.assertIn("%s line %d" % (path, line_number), message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        # skip_bad: the other four lines come through, one line is counted.
        reader = read_samples(path, skip_bad=True)
        self.assertEqual(len(list(reader)), 4)
        self.assertEqual(reader.skipped, 1)
        self.assertEqual(reader.first_error, message)

    def test_pixel_out_of_range(self):
        pixels = pixels_for(0)
        pixels[201] = 300  # p202, the 202nd pixel
        self.assertBad(line_for(1, pixels), "field 203 (pixel 202): 300 is outside 0..255")

    def test_negative_pixel(self):
        pixels = pixels_for(0)
        pixels[0] = -1
        self.assertBad(line_for(1, pixels), "field 2 (pixel 1): -1 is outside 0..255")

    def test_non_integer_pixel(self):
        fields = [str(p) for p in pixels_for(0)]
        fields[783] = "12.5"
        self.assertBad("1," + ",".join(fields), "field 785 (pixel 784): '12.5' is not an integer")
        fields[783] = ""
        self.assertBad("1," + ",".join(fields), "field 785 (pixel 784): '' is not an integer")
        fields[783] = "1_0"
        self.assertBad("1," + ",".join(fields), "'1_0' is not an integer")

    def test_label_out_of_range(self):
        self.assertBad(line_for(10, pixels_for(0)), "field 1 (label): 10 is outside 0..9")

    def test_non_integer_label(self):
        self.assertBad("seven," + ",".join(map(str, pixels_for(0))), "field 1 (label): 'seven' is not an integer")

    def test_too_few_and_too_many_fields(self):
        self.assertBad(line_for(1, pixels_for(0)[:-1]), "784 fields, expected 785")
        self.assertBad(line_for(1, pixels_for(0) + [0]), "786 fields, expected 785")
        self.assertBad("1,2,3", "3 fields")

    def test_not_utf8(self):
        fields = [str(p) for p in pixels_for(0)]
        self.assertBad(("1," + ",".join(fields)).replace("1,", "\xff,", 1).encode("latin-1").decode("latin-1"),
                       "field 1 (label)")

    def test_bad_header(self):
        path = self.write("label,pixel0,pixel1\n" + line_for(1, pixels_for(0)) + "\n")
        with self.assertRaises(DataError) as caught:
            list(read_samples(path))
        self.assertIn("line 1 (header): 3 fields, expected 785", str(caught.exception))

    def test_letter_first_field_after_line_one_is_an_error_not_a_header(self):
        self.assertBad("label," + ",".join("p%d" % i for i in range(784)), "field 1 (label): 'label'")

    def test_first_error_kept_and_all_counted(self):
        lines = [line_for(1, pixels_for(k)) for k in range(3)]
        lines[0] = line_for(12, pixels_for(0))
        lines[2] = "1,2"
        path = self.write("\n".join(lines))
        reader = read_samples(path, skip_bad=True)
        self.assertEqual([label for _, label in reader], [1])
        self.assertEqual(reader.skipped, 2)
        self.assertIn("line 1, field 1 (label): 12", reader.first_error)

    def test_missing_file(self):
        with self.assertRaises(DataError) as caught:
            list(read_samples(os.path.join(self.folder, "absent.csv")))
        self.assertIn("absent.csv: cannot open", str(caught.exception))


class WriterTest(CsvTestCase):
    def test_round_trip_and_exact_text(self):
        samples = [(pixels_for(k), k % 10) for k in range(12)]
        path = os.path.join(self.folder, "out.csv")
        self.assertEqual(write_samples(path, iter(samples)), 12)
        with open(path, "rb") as handle:
            self.assertEqual(handle.readline(), (line_for(0, pixels_for(0)) + "\n").encode())
        self.assertEqual(list(read_samples(path)), self.expected(samples))

    def test_header_round_trip(self):
        path = os.path.join(self.folder, "out.csv")
        write_samples(path, [(bytes(784), 2)], header=True)
        reader = read_samples(path)
        self.assertEqual(list(reader), [([0.0] * 784, 2)])
        self.assertTrue(reader.header.startswith("label,1x1,1x2,"))
        self.assertTrue(reader.header.endswith(",28x28"))

    def test_rejects_bad_samples_and_leaves_no_file(self):
        path = os.path.join(self.folder, "out.csv")
        for bad in ([([0] * 783, 1)], [([256] + [0] * 783, 1)], [([-1] + [0] * 783, 1)], [([0] * 784, 10)]):
            with self.assertRaises(DataError):
                write_samples(path, bad)
            self.assertFalse(os.path.exists(path))
            self.assertEqual(os.listdir(self.folder), [])

    def test_refuses_samples_in_the_files_order(self):
        path = os.path.join(self.folder, "out.csv")
        with self.assertRaises(ValueError) as caught:
            write_samples(path, [(bytes(784), 1), (2, bytes(784))])
        self.assertEqual(str(caught.exception),
                         "%s: sample 1 is (label, pixels); samples are (pixels, label) pairs" % path)
        self.assertEqual(os.listdir(self.folder), [])


class FastParsersAgreeTest(CsvTestCase):
    """parse_by_split (CPython's) and parse_by_scanning (PyPy's) must accept
    the same lines and give the same samples; each runs on both interpreters."""

    def both(self, line):
        split, scanned = parse_by_split(line), parse_by_scanning(line)
        self.assertEqual(split, scanned, line[:40])
        return split

    def test_canonical_lines_give_pixel_bytes_and_label(self):
        for k, label in enumerate((0, 5, 9)):
            pixels = pixels_for(k)
            for end in ("", "\n", "\r\n", "  \t\n"):
                line = (line_for(label, pixels) + end).encode()
                self.assertEqual(self.both(line), (bytes(pixels), label))
        self.assertEqual(self.both(("3," + ",".join(["0"] * 784)).encode()), (bytes(784), 3))
        self.assertEqual(self.both(("3," + ",".join(["255"] * 784)).encode()), (b"\xff" * 784, 3))

    def test_everything_else_is_left_to_the_slow_path(self):
        good = line_for(4, pixels_for(3)).split(",")
        variants = {"leading zero": ("007", 5), "space": (" 7", 5), "plus": ("+7", 5), "minus": ("-0", 5),
                    "256": ("256", 5), "2550": ("2550", 5), "empty": ("", 5), "letter": ("x", 5),
                    "label 10": ("10", 0), "label 01": ("01", 0), "empty label": ("", 0),
                    "inner space": ("12 ", 7), "last 256": ("256", 784), "last empty": ("", 784)}
        for name, (text, field) in variants.items():
            fields = list(good)
            fields[field] = text
            self.assertIsNone(self.both(",".join(fields).encode() + b"\n"), name)
        for line in (",".join(good[:-1]), ",".join(good + ["0"]), ",".join(good) + ",",
                     ",".join(good) + ",\n", "", "\n", "5", "5,", "label," + ",".join(good[1:])):
            self.assertIsNone(self.both(line.encode()), line[:20])

    def test_random_mutations_of_a_line(self):
        # Delete, insert or replace one byte, 3,000 times: whatever the
        # result, both parsers say the same.  Over 800 of them stay valid.
        rng = PCG32(11)
        base = (line_for(6, [0] * 200 + pixels_for(7)[200:600] + [0] * 184) + "\r\n").encode()
        alphabet = b"0123456789, +-x\t\r\n"
        accepted = 0
        for _ in range(3000):
            line = bytearray(base)
            position = rng.below(len(line))
            action = rng.below(3)
            if action == 0:
                del line[position]
            else:
                line[position:position + (action == 2)] = alphabet[rng.below(len(alphabet)):][:1]
            accepted += self.both(bytes(line)) is not None
        self.assertGreater(accepted, 800)

    def test_the_fast_paths_agree_with_the_slow_path(self):
        pixels = pixels_for(9)
        fields = [str(p) for p in pixels]
        fields[5] = "0" + fields[5]  # slow path: a leading zero
        path = self.write(line_for(2, pixels) + "\n2," + ",".join(fields) + "\n")
        [first, second] = list(read_samples(path, compact=True))
        self.assertEqual(first, (bytes(pixels), 2))
        self.assertEqual(second, first)


class CompactTest(CsvTestCase):
    def test_compact_samples_are_the_pixel_bytes_and_expand_to_the_same_floats(self):
        samples = [(pixels_for(k), label) for k, label in enumerate((3, 1, 4, 1, 5))]
        path = self.write("\n".join(line_for(label, pixels) for pixels, label in samples) + "\n")
        compact = list(read_samples(path, compact=True))
        self.assertEqual(compact, [(bytes(pixels), label) for pixels, label in samples])
        self.assertTrue(all(type(pixels) is bytes for pixels, _ in compact))
        expanded = [(inputs_of(pixels), label) for pixels, label in compact]
        self.assertEqual(expanded, list(read_samples(path)))
        self.assertEqual(expanded, self.expected(samples))
        floats = expanded[0][0]
        self.assertIs(inputs_of(floats), floats)  # already expanded: unchanged

    def test_nonzero_inputs_are_those_of_the_expanded_vector(self):
        from nrnn.net.matrix import nonzero
        for pixels in (pixels_for(3), [0] * 784, [255] * 784, [0] * 783 + [1], [9] + [0] * 783):
            compact = bytes(pixels)
            self.assertEqual(mnist_csv.nonzero_inputs(compact), nonzero(inputs_of(compact)))
        indices, values = mnist_csv.nonzero_inputs(bytes(pixels_for(3)))
        self.assertEqual(values, [p / 255 for p in pixels_for(3) if p])

    def test_read_once_parses_the_file_once(self):
        path = self.write("\n".join(line_for(k % 10, pixels_for(k)) for k in range(6)) + "\n")
        opened = []

        class Counting:
            def __iter__(self):
                opened.append(1)
                return iter(read_samples(path, compact=True))
        kept = ReadOnce(Counting())
        first = list(kept)
        self.assertEqual(list(kept), first)
        self.assertEqual(list(kept), list(read_samples(path, compact=True)))
        self.assertEqual(len(opened), 1)

    def test_read_once_keeps_nothing_from_a_pass_cut_short(self):
        path = self.write("\n".join(line_for(k % 10, pixels_for(k)) for k in range(6)) + "\n")
        kept = ReadOnce(read_samples(path, compact=True))
        for index, _ in enumerate(kept):
            if index == 2:
                break
        self.assertEqual(len(list(kept)), 6)
        self.assertEqual(len(list(kept)), 6)


try:
    import tracemalloc
except ImportError:  # PyPy ships tracemalloc.py without its C half
    tracemalloc = None


@unittest.skipIf(tracemalloc is None or platform.python_implementation() == "PyPy",
                 "tracemalloc is not available (PyPy)")
class MemoryTest(CsvTestCase):
    def peak_while_streaming(self, lines):
        # Mostly zeros, like MNIST; it also keeps the test fast, as
        # tracemalloc makes every allocation (each multi-digit field) slow.
        pixels = [0] * 784
        pixels[300:310] = range(120, 130)
        line = (line_for(3, pixels) + "\n").encode()
        path = self.write(line * lines, name="m%d.csv" % lines)
        tracemalloc.start()
        try:
            count = 0
            for _sample in read_samples(path):
                count += 1
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(count, lines)
        return peak

    def test_peak_memory_does_not_grow_with_file_length(self):
        small = self.peak_while_streaming(2000)
        large = self.peak_while_streaming(20000)
        # One sample is ~7 kB of list; keeping even 1% of the extra 18,000
        # samples would add over 1 MB.
        self.assertLess(large, small + 64 * 1024, (small, large))


if __name__ == "__main__":
    unittest.main()
