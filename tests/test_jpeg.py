"""Tests for nrnn/image/jpeg.py (and the modules it uses): conformance files, round
trips through nrnn/image/jpeg_encoder.py, scaled decoding, orientation, hostile input.

The conformance files in ../shared/jpeg come with reference decodings made
by libjpeg (see ../shared/jpeg/README.md); tolerance A there is the target:
max |difference| <= 4 and per-channel mean <= 1.0.  Without ../shared the
round trips, hand-built files and malformed inputs still run.
"""

import gzip
import hashlib
import json
import math
import os
import struct
import unittest

try:
    import tracemalloc
except ImportError:  # PyPy has no tracemalloc: memory peaks go unchecked there
    tracemalloc = None

from nrnn.errors import JPEGError, JPEGTooLargeError, NrnnError
from nrnn.image import jpeg, orientation
from nrnn.image.jpeg_encoder import encode_gray8, encode_rgb8
from tests.support import requires_shared, shared_path

MAX_DIFF = 4
MAX_MEAN = 1.0


# ------------------------------------------------------------ test helpers


def rgb_of(image):
    """The R, G, B bytes of an Image (alpha dropped), interleaved."""
    rgb = bytearray(3 * image.width * image.height)
    rgb[0::3] = image.rgba[0::4]
    rgb[1::3] = image.rgba[1::4]
    rgb[2::3] = image.rgba[2::4]
    return bytes(rgb)


def differences(rgb, reference):
    """(max |a - b|, the largest of the three per-channel mean |a - b|)."""
    if rgb == reference:
        return 0, 0.0  # the usual case (libjpeg's own arithmetic), checked in C
    diffs = [abs(a - b) for a, b in zip(rgb, reference)]
    means = [sum(diffs[c::3]) / max(1, len(diffs) // 3) for c in range(3)]
    return max(diffs), max(means)


def picture(width, height, seed=0):
    """A smooth RGB picture with some edges (gradients, a dark bar, a ring)."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            ring = 60 if abs(math.hypot(x - width / 2, y - height / 2) - width / 4) < 2 else 0
            bar = 120 if width // 3 <= x < width // 3 + 3 else 0
            pixels += bytes((
                max(0, min(255, 40 + (200 * x) // max(1, width) - bar + seed)),
                max(0, min(255, 220 - (150 * y) // max(1, height) - bar + ring)),
                max(0, min(255, 90 + (x + y) % 64 + ring)),
            ))
    return bytes(pixels)


def segments(data):
    """(marker, start offset, end offset) of every segment of a well-formed file
    up to SOS, plus the SOS segment and the entropy-coded data after it."""
    found = []
    position = 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            found.append((marker, position, position + 2))
            break
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        end = position + 2 + length
        if marker == 0xDA:
            end = data.index(b"\xff\xd9", end)  # encoder output: scan data then EOI
        found.append((marker, position, end))
        position = end
    return found


def with_segment(data, marker, payload):
    """``data`` with a segment inserted right after SOI."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def exif_app1(value, big_endian=True):
    """An APP1 payload holding an EXIF IFD0 with only the orientation tag."""
    order = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    tiff += struct.pack(order + "H", 1) + struct.pack(order + "HHIH2x", 0x0112, 3, 1, value)
    tiff += struct.pack(order + "I", 0)
    return b"Exif\x00\x00" + tiff


# -------------------------------------------------------------- conformance


def manifest():
    with open(shared_path("jpeg", "manifest.json")) as handle:
        return json.load(handle)


def read_shared(name):
    with open(shared_path("jpeg", name), "rb") as handle:
        return handle.read()


@requires_shared("jpeg", "manifest.json")
class Conformance(unittest.TestCase):
    """Every file of ../shared/jpeg does what its manifest entry expects."""

    @classmethod
    def setUpClass(cls):
        cls.manifest = manifest()
        cls.files = {entry["name"]: entry for entry in cls.manifest["files"]}

    def data(self, entry):
        data = read_shared(entry["name"])
        self.assertEqual(hashlib.sha256(data).hexdigest(), entry["sha256"],
                         "%s was altered" % entry["name"])
        return data

    def reference(self, entry):
        with gzip.open(shared_path("jpeg", entry["ref"])) as handle:
            return handle.read()

    def check_against_reference(self, entry, image):
        self.assertEqual((image.width, image.height), (entry["ref_width"], entry["ref_height"]))
        worst, mean = differences(rgb_of(image), self.reference(entry))
        self.assertLessEqual(worst, MAX_DIFF, "max |diff| %d, mean %.3f" % (worst, mean))
        self.assertLessEqual(mean, MAX_MEAN, "max |diff| %d, mean %.3f" % (worst, mean))
        return worst, mean

    def test_decode_files_match_their_references(self):
        checked = 0
        for entry in self.manifest["files"]:
            if entry["expect"] != "decode" or entry.get("ref_scale") != 1:
                continue
            with self.subTest(file=entry["name"]):
                image = jpeg.decode(self.data(entry), entry["name"], orient=False)
                self.assertEqual((image.width, image.height), (entry["width"], entry["height"]))
                self.assertEqual(image.rgba[3::4], b"\xff" * (image.width * image.height))
                if entry["ref"] and entry["ref_format"] == "rgb8":
                    self.check_against_reference(entry, image)
                    checked += 1
        self.assertGreaterEqual(checked, 55)

    def test_reject_files_raise_jpeg_error(self):
        for entry in self.manifest["files"]:
            if entry["expect"] != "reject":
                continue
            with self.subTest(file=entry["name"]):
                with self.assertRaises(JPEGError) as caught:
                    jpeg.decode(self.data(entry), entry["name"])
                message = str(caught.exception)
                self.assertTrue(message.startswith(entry["name"] + ": "), message)
                self.assertNotIn("\n", message)

    def test_may_reject_files_decode_within_tolerance_or_say_not_supported(self):
        for entry in self.manifest["files"]:
            if entry["expect"] != "may_reject":
                continue
            with self.subTest(file=entry["name"]):
                try:
                    image = jpeg.decode(self.data(entry), entry["name"], orient=False)
                except JPEGError as error:
                    message = str(error)
                    self.assertTrue(message.startswith(entry["name"] + ": "), message)
                    if entry["name"] != "real/hopper_bad_exif.jpg":  # corrupt, not unsupported
                        self.assertIn("not supported", message)
                    continue
                self.assertEqual((image.width, image.height), (entry["width"], entry["height"]))
                if entry["ref"] and entry["ref_format"] == "rgb8":
                    self.check_against_reference(entry, image)

    def test_unsupported_processes_are_named(self):
        for name, fragment in (("made/digit_q75_420_ari.jpg", "arithmetic-coded JPEG (SOF9)"),
                               ("made/digit_q75_420_ari_prog.jpg", "SOF10"),
                               ("made/hopper_lossless.jpg", "lossless JPEG (SOF3)"),
                               ("real/testorig12.jpg", "12-bit")):
            with self.subTest(file=name):
                with self.assertRaises(JPEGError) as caught:
                    jpeg.decode(read_shared(name), name)
                self.assertIn(fragment, str(caught.exception))
                self.assertIn("not supported", str(caught.exception))

    def test_phone_photo_at_one_eighth(self):
        entry = self.files["made/digit_phone_4032x3024.jpg"]
        data = self.data(entry)
        self.assertEqual(jpeg.jpeg_size(data), (4032, 3024))
        image = jpeg.decode(data, entry["name"], reduce_to=256, orient=False)
        self.assertEqual((image.width, image.height), (504, 378))
        self.check_against_reference(entry, image)
        # As a viewer shows it (EXIF orientation 6): portrait.
        upright = jpeg.decode(data, entry["name"], reduce_to=256)
        self.assertEqual((upright.width, upright.height), (378, 504))
        # max_pixels bounds what is decoded, not what is stored.
        jpeg.decode(data, reduce_to=256, max_pixels=504 * 378)
        with self.assertRaises(JPEGError):
            jpeg.decode(data, reduce_to=256, max_pixels=504 * 378 - 1)

    def test_orientation_files_match_hopper_when_turned(self):
        upright = rgb_of(jpeg.decode(read_shared("real/hopper.jpg")))
        for value in range(2, 9):
            name = "real/hopper_orientation_%d.jpg" % value
            with self.subTest(file=name):
                image = jpeg.decode(read_shared(name), name)
                _, mean = differences(rgb_of(image), upright)
                # The README measured ~4.7 for the right transform, ~59 for the next best.
                self.assertLess(mean, 15, "mean |diff| %.1f after orientation %d" % (mean, value))

    def test_display_size_follows_exif_orientation(self):
        for entry in self.manifest["files"]:
            size = entry["viewer_orientation"]["display_size"]
            if (entry["expect"] != "decode" or entry["viewer_orientation"]["orientation"] == 1
                    or entry["width"] * entry["height"] > 10 ** 6):
                continue
            with self.subTest(file=entry["name"]):
                image = jpeg.decode(self.data(entry), entry["name"])
                self.assertEqual([image.width, image.height], size)

    def test_jpeg_size_reads_every_header(self):
        for entry in self.manifest["files"]:
            if entry["width"] is None:
                continue
            with self.subTest(file=entry["name"]):
                self.assertEqual(jpeg.jpeg_size(self.data(entry)), (entry["width"], entry["height"]))


# -------------------------------------------------------------- round trips


class RoundTrips(unittest.TestCase):
    """Files made by nrnn/image/jpeg_encoder.py decode back to (nearly) the input."""

    def assert_close(self, image, pixels, channels, worst, mean):
        if channels == 1:
            got = image.rgba[0::4]
            self.assertEqual(image.rgba[1::4], got)
        else:
            got = rgb_of(image)
        diffs = [abs(a - b) for a, b in zip(got, pixels)]
        self.assertEqual(len(got), len(pixels))
        self.assertLessEqual(max(diffs), worst)
        self.assertLessEqual(sum(diffs) / len(diffs), mean)

    def test_gray_at_odd_sizes(self):
        for width, height in ((1, 1), (17, 13), (1001, 3), (3, 20), (8, 8), (16, 9)):
            with self.subTest(size=(width, height)):
                pixels = picture(width, height)[1::3]
                image = jpeg.decode(encode_gray8(width, height, pixels, quality=100))
                self.assertEqual((image.width, image.height), (width, height))
                self.assert_close(image, pixels, 1, 12, 1.5)

    def test_colour_444_and_420_at_odd_sizes(self):
        for width, height in ((1, 1), (17, 13), (1001, 3), (2, 33)):
            pixels = picture(width, height)
            # 4:2:0 halves the colour resolution: the sharp colour edges of
            # the test picture suffer, but a wrong channel order or
            # misplaced chroma would be far worse than this.
            for subsampling, worst, mean in (("4:4:4", 24, 2.0), ("4:2:0", 120, 10.0)):
                with self.subTest(size=(width, height), subsampling=subsampling):
                    data = encode_rgb8(width, height, pixels, quality=100, subsampling=subsampling)
                    image = jpeg.decode(data)
                    self.assertEqual((image.width, image.height), (width, height))
                    self.assert_close(image, pixels, 3, worst, mean)

    def test_flat_gray_is_exact(self):
        # A flat block has only a DC: (200 - 128) * 8 = 576, quantised by 1 at
        # quality 100, which the decoder turns back into 200 exactly.
        image = jpeg.decode(encode_gray8(8, 8, bytes([200] * 64), quality=100))
        self.assertEqual(image.rgba[0::4], bytes([200] * 64))

    def test_restart_markers_change_nothing(self):
        pixels = picture(40, 24)
        plain = jpeg.decode(encode_rgb8(40, 24, pixels, quality=90))
        for interval in (1, 2, 5):
            with self.subTest(interval=interval):
                data = encode_rgb8(40, 24, pixels, quality=90, restart_interval=interval)
                self.assertIn(b"\xff\xd0", data)
                self.assertEqual(jpeg.decode(data).rgba, plain.rgba)

    def test_progressive_equals_baseline(self):
        pixels = picture(37, 29)
        for subsampling in ("4:4:4", "4:2:0"):
            for interval in (0, 3):
                with self.subTest(subsampling=subsampling, interval=interval):
                    baseline = encode_rgb8(37, 29, pixels, 85, subsampling, interval)
                    progressive = encode_rgb8(37, 29, pixels, 85, subsampling, interval,
                                              progressive=True)
                    self.assertEqual(progressive[progressive.index(b"\xff\xc2"):][:2], b"\xff\xc2")
                    self.assertEqual(jpeg.decode(progressive).rgba, jpeg.decode(baseline).rgba)
        gray = picture(19, 11)[::3]
        self.assertEqual(jpeg.decode(encode_gray8(19, 11, gray, progressive=True)).rgba,
                         jpeg.decode(encode_gray8(19, 11, gray)).rgba)

    def test_read_jpeg(self):
        import tempfile
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "x.jpg")
        with open(path, "wb") as handle:
            handle.write(encode_gray8(3, 2, bytes(6)))
        try:
            self.assertEqual(jpeg.read_jpeg(path).width, 3)
            with self.assertRaises(JPEGError) as caught:
                jpeg.read_jpeg(path + ".missing")
            self.assertIn("x.jpg.missing: cannot read file", str(caught.exception))
        finally:
            os.remove(path)
            os.rmdir(folder)


class ScaledDecoding(unittest.TestCase):

    def setUp(self):
        # Smooth, never near 0 or 255: averaging before and after clamping agree.
        self.pixels = bytes(int(128 + 60 * math.sin(x / 5.0 + c) * math.cos(y / 7.0 - c))
                            for y in range(48) for x in range(64) for c in range(3))
        self.data = encode_rgb8(64, 48, self.pixels, quality=90, subsampling="4:4:4")

    def test_reduce_to_picks_the_smallest_scale_that_is_big_enough(self):
        for reduce_to, size in ((0, (64, 48)), (1, (8, 6)), (6, (8, 6)), (7, (16, 12)),
                                (12, (16, 12)), (13, (32, 24)), (24, (32, 24)), (25, (64, 48)),
                                (1000, (64, 48))):
            with self.subTest(reduce_to=reduce_to):
                image = jpeg.decode(self.data, reduce_to=reduce_to)
                self.assertEqual((image.width, image.height), size)

    def test_each_scale_is_the_block_average_of_the_full_decode(self):
        # An independent check: mean of each (8/n) x (8/n) square of the full
        # decode, versus decoding straight at 1/2, 1/4, 1/8.
        full = jpeg.decode(self.data)
        for factor, reduce_to in ((2, 24), (4, 12), (8, 6)):
            with self.subTest(scale="1/%d" % factor):
                small = jpeg.decode(self.data, reduce_to=reduce_to)
                averaged = bytearray()
                for y in range(small.height):
                    for x in range(small.width):
                        for channel in range(3):
                            total = sum(full.rgba[4 * ((y * factor + j) * 64 + x * factor + i) + channel]
                                        for j in range(factor) for i in range(factor))
                            averaged.append((total + factor * factor // 2) // (factor * factor))
                worst, mean = differences(rgb_of(small), bytes(averaged))
                self.assertLessEqual(worst, 3)
                self.assertLessEqual(mean, 0.8)  # two roundings (full decode, then average)

    def test_progressive_at_one_eighth_equals_baseline_at_one_eighth(self):
        for subsampling in ("4:4:4", "4:2:0"):
            with self.subTest(subsampling=subsampling):
                baseline = encode_rgb8(64, 48, self.pixels, 80, subsampling)
                progressive = encode_rgb8(64, 48, self.pixels, 80, subsampling, progressive=True)
                self.assertEqual(jpeg.decode(progressive, reduce_to=6).rgba,
                                 jpeg.decode(baseline, reduce_to=6).rgba)

    def test_max_pixels_bounds_the_decoded_size(self):
        with self.assertRaises(JPEGError) as caught:
            jpeg.decode(self.data, "big.jpg", max_pixels=64 * 48 - 1)
        self.assertIn("big.jpg: image of 64 x 48 pixels", str(caught.exception))
        self.assertEqual(jpeg.decode(self.data, max_pixels=8 * 6, reduce_to=1).width, 8)


class Orientation(unittest.TestCase):

    def test_every_orientation_moves_pixels_as_exif_says(self):
        # 3 x 2 pixels numbered 0..5; where each ends up for each orientation.
        expected = {
            1: (3, 2, [0, 1, 2, 3, 4, 5]),
            2: (3, 2, [2, 1, 0, 5, 4, 3]),
            3: (3, 2, [5, 4, 3, 2, 1, 0]),
            4: (3, 2, [3, 4, 5, 0, 1, 2]),
            5: (2, 3, [0, 3, 1, 4, 2, 5]),
            6: (2, 3, [3, 0, 4, 1, 5, 2]),
            7: (2, 3, [5, 2, 4, 1, 3, 0]),
            8: (2, 3, [2, 5, 1, 4, 0, 3]),
        }
        pixels = b"".join(bytes([n, 0, 0, 255]) for n in range(6))
        for value, (width, height, order) in expected.items():
            with self.subTest(orientation=value):
                w, h, turned = orientation.orient_rgba(3, 2, pixels, value)
                self.assertEqual((w, h, list(turned[0::4])), (width, height, order))

    def test_exif_in_a_jpeg_turns_the_image(self):
        # Left half dark, right half light; stored landscape, shown portrait.
        pixels = bytes([30] * 8 + [220] * 8) * 8
        data = encode_gray8(16, 8, pixels, quality=95)
        for big_endian in (True, False):
            tagged = with_segment(data, 0xE1, exif_app1(6, big_endian))
            image = jpeg.decode(tagged)
            self.assertEqual((image.width, image.height), (8, 16))
            # Rotated clockwise: the stored left (dark) half is now the top.
            self.assertLess(image.rgba[0], 60)
            self.assertGreater(image.rgba[-4], 190)
            stored = jpeg.decode(tagged, orient=False)
            self.assertEqual((stored.width, stored.height), (16, 8))

    def test_malformed_exif_means_no_orientation(self):
        for payload in (b"Exif\x00\x00", b"Exif\x00\x00MM\x00\x2a\xff\xff\xff\xff",
                        b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\xff\xff",
                        exif_app1(9), exif_app1(0), b"Exif\x00\x00XX" + bytes(20)):
            with self.subTest(payload=payload):
                self.assertEqual(orientation.exif_orientation(payload), 1)


# ---------------------------------------------------------- hostile input


class Malformed(unittest.TestCase):

    def setUp(self):
        self.data = encode_rgb8(20, 12, picture(20, 12), quality=80)

    def assert_refused(self, data, *fragments, name="bad.jpg"):
        with self.assertRaises(JPEGError) as caught:
            jpeg.decode(data, name)
        message = str(caught.exception)
        self.assertIsInstance(caught.exception, NrnnError)
        self.assertTrue(message.startswith(name + ": "), message)
        self.assertNotIn("\n", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_every_truncation_is_rejected(self):
        sof_end = self.data.index(b"\xff\xc0") + 19
        for length in range(len(self.data)):
            with self.subTest(length=length):
                self.assert_refused(self.data[:length])
                # jpeg_size never raises: a size once the SOF is whole, else None.
                self.assertEqual(jpeg.jpeg_size(self.data[:length]),
                                 (20, 12) if length >= sof_end - 9 else None)

    def test_truncation_at_segment_boundaries_names_the_problem(self):
        for marker, start, end in segments(self.data):
            with self.subTest(marker="%02X" % marker):
                self.assert_refused(self.data[:start])
                self.assert_refused(self.data[:end] if marker != 0xD9 else self.data[:start])

    def test_not_a_jpeg(self):
        self.assert_refused(b"", "empty file")
        self.assert_refused(b"\x89PNG\r\n\x1a\n" + bytes(30), "it is a PNG")
        self.assert_refused(b"GIF89a", "not a JPEG")
        self.assertIsNone(jpeg.jpeg_size(b"\x89PNG\r\n\x1a\n"))
        self.assertEqual(jpeg.SIGNATURE, self.data[:3])

    def test_header_bomb_is_refused_before_allocating(self):
        sof_at = self.data.index(b"\xff\xc0")
        bomb = self.data[:sof_at + 5] + struct.pack(">HH", 65535, 65535) + self.data[sof_at + 9:]
        self.assertEqual(jpeg.jpeg_size(bomb), (65535, 65535))
        if tracemalloc is not None:
            tracemalloc.start()
        try:
            self.assert_refused(bomb, "65535 x 65535", "over the limit", "(jpeg.MAX_STORED_PIXELS)")
            with self.assertRaises(JPEGTooLargeError):
                jpeg.decode(bomb, "bomb.jpg")
            if tracemalloc is not None:
                _, peak = tracemalloc.get_traced_memory()
                self.assertLess(peak, 2 << 20)
        finally:
            if tracemalloc is not None:
                tracemalloc.stop()

    def test_zero_size_and_bad_sampling(self):
        sof_at = self.data.index(b"\xff\xc0")
        zero = self.data[:sof_at + 5] + struct.pack(">H", 0) + self.data[sof_at + 7:]
        self.assert_refused(zero, "zero is not a size")
        bad = bytearray(self.data)
        bad[sof_at + 11] = 0x00  # first component's sampling factors: 0x0
        self.assert_refused(bytes(bad), "sampling factors 0x0")
        odd = bytearray(self.data)
        odd[sof_at + 11] = 0x32  # 3x2 luma with 1x1 chroma is fine (box upsampling)...
        odd[sof_at + 14] = 0x21  # ...but 2x1 chroma does not divide 3x2
        self.assert_refused(bytes(odd), "not supported")

    def test_unsupported_frame_types(self):
        sof_at = self.data.index(b"\xff\xc0")
        for marker, fragment in ((0xC9, "arithmetic-coded JPEG (SOF9)"), (0xC3, "lossless"),
                                 (0xC5, "hierarchical")):
            with self.subTest(marker=marker):
                changed = bytearray(self.data)
                changed[sof_at + 1] = marker
                self.assert_refused(bytes(changed), fragment, "not supported")

    def test_missing_tables_and_scan(self):
        parts = [self.data[:2]]
        parts += [self.data[start:end] for marker, start, end in segments(self.data) if marker != 0xDB]
        self.assert_refused(b"".join(parts), "no DQT")
        sos_at = self.data.index(b"\xff\xda")
        self.assert_refused(self.data[:sos_at] + b"\xff\xd9", "no SOS")

    def test_damaged_scan_data_raises_only_jpeg_error(self):
        start = self.data.index(b"\xff\xda") + 14
        for position in range(start, len(self.data) - 2, 3):
            for value in (0x00, 0xFF):
                damaged = bytearray(self.data)
                damaged[position] = value
                try:
                    jpeg.decode(bytes(damaged))
                except JPEGError:
                    pass

    def test_huffman_table_with_too_many_codes(self):
        dht_at = self.data.index(b"\xff\xc4")
        damaged = bytearray(self.data)
        # The first table is the standard DC luminance one: counts 0, 1, 5...
        damaged[dht_at + 5] = 3  # three codes of length 1 cannot exist
        damaged[dht_at + 7] = 2  # (keeping the same number of codes)
        self.assert_refused(bytes(damaged), "bad Huffman table")

    def test_many_scans_of_empty_runs_cost_little_and_are_capped(self):
        # A hand-built progressive 1024 x 1024 gray file: a DC scan (a 1-bit
        # code for "difference 0" in every block) and then AC scans whose
        # single symbol, EOB14 plus 14 zero bits, ends 16384 blocks at once.
        # The decoder skips such runs in bulk, so the work follows the bytes,
        # and refuses files with more than MAX_SCANS scans.
        def segment(marker, payload):
            return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

        head = (b"\xff\xd8" + segment(0xDB, bytes(1) + bytes([1] * 64))
                + segment(0xC2, struct.pack(">BHHB", 8, 1024, 1024, 1) + b"\x01\x11\x00")
                + segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
                + segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\xe0")
                + segment(0xDA, b"\x01\x01\x00\x00\x00\x00") + bytes(16384 // 8))
        first = segment(0xDA, b"\x01\x01\x00\x01\x3f\x01") + b"\x00\x01"
        refine = segment(0xDA, b"\x01\x01\x00\x01\x3f\x10") + b"\x00\x01"
        scans = [first] * 500 + [refine] * (jpeg.MAX_SCANS - 501)
        image = jpeg.decode(head + b"".join(scans) + b"\xff\xd9")
        self.assertEqual((image.width, image.height), (1024, 1024))
        self.assertEqual(image.rgba.count(128), 3 * 1024 * 1024)
        self.assert_refused(head + b"".join(scans) + refine + b"\xff\xd9", "more than 1000 scans")

    def test_stray_bytes_between_segments_are_skipped(self):
        sos_at = self.data.index(b"\xff\xda")
        stray = self.data[:sos_at] + b"\x00\x12\xff\x00\x34" + self.data[sos_at:]
        self.assertEqual(jpeg.decode(stray).rgba, jpeg.decode(self.data).rgba)


if __name__ == "__main__":
    unittest.main()
