"""Tests for nrnn/image/png.py: PngSuite conformance, hand-built files, hostile input.

The hand-built PNGs are made here with struct + zlib and an independent,
deliberately naive filter implementation (straight from the spec's
formulas), so a bug in the decoder's fast paths cannot hide behind the same
bug in the test.
"""

import hashlib
import json
import os
import random
import struct
import tempfile
import unittest
import zlib

try:
    import tracemalloc
except ImportError:  # PyPy has no tracemalloc: memory peaks go unchecked there
    tracemalloc = None

from nrnn.errors import NrnnError, PNGError
from nrnn.image import png
from nrnn.image.gray import gray8
from tests.support import requires_shared, shared_path

# ------------------------------------------------------------ test helpers


def chunk(kind, payload):
    """One PNG chunk with a correct CRC."""
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def ihdr(width, height, depth=8, colour=0, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))


def build_png(width, height, depth, colour, idat_data, before_idat=(), interlace=0):
    """A PNG with the given (already filtered) inflated image data."""
    return (png.SIGNATURE + ihdr(width, height, depth, colour, interlace)
            + b"".join(before_idat) + chunk(b"IDAT", zlib.compress(idat_data))
            + chunk(b"IEND", b""))


def paeth_predictor(a, b, c):
    """The spec's Paeth predictor, written exactly as the spec writes it."""
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    if pb <= pc:
        return b
    return c


def filter_rows(rows, bytes_per_pixel, filter_types):
    """Filter ``rows`` (list of bytes) using ``filter_types[i]`` on row i."""
    out = bytearray()
    previous = bytes(len(rows[0]))
    for row, filter_type in zip(rows, filter_types):
        out.append(filter_type)
        for i, x in enumerate(row):
            a = row[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
            b = previous[i]
            c = previous[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
            prediction = (0, a, b, (a + b) // 2, paeth_predictor(a, b, c))[filter_type]
            out.append((x - prediction) & 255)
        previous = row
    return bytes(out)


def gray_to_rgba(gray):
    return b"".join(bytes((g, g, g, 255)) for g in gray)


def small_rgb_png():
    """A 4x3 RGB file used by the corruption tests."""
    rows = [bytes(range(y * 12, y * 12 + 12)) for y in range(3)]
    return build_png(4, 3, 8, 2, filter_rows(rows, 3, [0, 1, 4]))


# ---------------------------------------------------------------- PngSuite


def _manifest(*parts):
    with open(shared_path("pngsuite", *parts), encoding="utf-8") as handle:
        return json.load(handle)["images"]


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


@requires_shared("pngsuite")
class PngSuiteConformance(unittest.TestCase):
    """Agreement with the reference decodings in pngsuite/manifest.json."""

    def test_every_valid_image_matches_rgba8_and_gray8(self):
        entries = [e for e in _manifest("manifest.json") if e["valid"]]
        self.assertEqual(len(entries), 161)
        for entry in entries:
            with self.subTest(entry["name"]):
                image = png.read_png(shared_path("pngsuite", "images", entry["name"]))
                self.assertEqual((image.width, image.height), (entry["width"], entry["height"]))
                self.assertEqual(_sha256(image.rgba), entry["rgba8_sha256"])
                gray = gray8(image)
                self.assertEqual(_sha256(gray), entry["gray8_sha256"])
                if "gray8_hex" in entry:
                    # Readable diff on failure for the small images.
                    self.assertEqual(gray.hex(), entry["gray8_hex"])

    def test_every_corrupt_image_raises_png_error(self):
        entries = [e for e in _manifest("manifest.json") if not e["valid"]]
        self.assertEqual(len(entries), 14)
        for entry in entries:
            path = shared_path("pngsuite", "images", entry["name"])
            with self.subTest(entry["name"], reason=entry["reason"]):
                with self.assertRaises(PNGError) as caught:
                    png.read_png(path)
                self.assertIn(path, str(caught.exception))

    def test_digit_files_decode_exactly(self):
        entries = _manifest("digits", "manifest.json")
        self.assertEqual(len(entries), 13)
        for entry in entries:
            with self.subTest(entry["name"]):
                image = png.read_png(shared_path("pngsuite", "digits", entry["name"]))
                self.assertEqual((image.width, image.height), (entry["width"], entry["height"]))
                self.assertEqual(_sha256(image.rgba), entry["rgba8_sha256"])
                self.assertEqual(_sha256(gray8(image)), entry["gray8_sha256"])


# ----------------------------------------------------------------- encoder


class EncoderRoundTrip(unittest.TestCase):
    def test_gray_round_trips_at_odd_sizes(self):
        rng = random.Random(7)
        for width, height in [(1, 1), (3, 7), (7, 3), (28, 28), (1, 9)]:
            pixels = bytes(rng.randrange(256) for _ in range(width * height))
            with self.subTest(size=(width, height)):
                image = png.decode(png.encode_gray8(width, height, pixels))
                self.assertEqual((image.width, image.height), (width, height))
                self.assertEqual(image.rgba, gray_to_rgba(pixels))
                self.assertEqual(gray8(image), pixels)

    def test_rgb_round_trips_at_odd_sizes(self):
        rng = random.Random(8)
        for width, height in [(1, 1), (3, 7), (5, 2)]:
            pixels = bytes(rng.randrange(256) for _ in range(3 * width * height))
            with self.subTest(size=(width, height)):
                image = png.decode(png.encode_rgb8(width, height, pixels))
                expected = b"".join(pixels[i:i + 3] + b"\xff" for i in range(0, len(pixels), 3))
                self.assertEqual(image.rgba, expected)

    def test_encoded_file_has_the_expected_chunks(self):
        data = png.encode_gray8(3, 2, bytes(6))
        self.assertTrue(data.startswith(png.SIGNATURE))
        self.assertEqual(data[12:16], b"IHDR")
        self.assertEqual(struct.unpack(">IIBBBBB", data[16:29]), (3, 2, 8, 0, 0, 0, 0))
        self.assertTrue(data.endswith(chunk(b"IEND", b"")))

    def test_write_png_and_read_png(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "digit.png")
            png.write_png(path, 2, 2, bytes([0, 64, 128, 255]))
            self.assertEqual(gray8(png.read_png(path)), bytes([0, 64, 128, 255]))
            png.write_png(path, 1, 2, bytes([1, 2, 3, 4, 5, 6]), mode="RGB")
            self.assertEqual(png.read_png(path).rgba, bytes([1, 2, 3, 255, 4, 5, 6, 255]))
            self.assertEqual(os.listdir(folder), ["digit.png"])  # no temporary left over

    def test_encoder_rejects_bad_arguments(self):
        with self.assertRaises(PNGError):
            png.encode_gray8(2, 2, bytes(3))
        with self.assertRaises(PNGError):
            png.encode_rgb8(2, 2, bytes(4))
        with self.assertRaises(PNGError):
            png.encode_gray8(0, 2, b"")
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaises(PNGError):
                png.write_png(os.path.join(folder, "x.png"), 1, 1, b"\x00", mode="CMYK")


# --------------------------------------------------- hand-built valid files


class HandBuiltImages(unittest.TestCase):
    def test_each_filter_type_rgb8(self):
        rng = random.Random(1)
        rows = [bytes(rng.randrange(256) for _ in range(3 * 5)) for _ in range(4)]
        expected = b"".join(row[i:i + 3] + b"\xff" for row in rows for i in range(0, 15, 3))
        for filter_type in range(5):
            with self.subTest(filter_type=filter_type):
                data = build_png(5, 4, 8, 2, filter_rows(rows, 3, [filter_type] * 4))
                self.assertEqual(png.decode(data).rgba, expected)

    def test_each_filter_type_gray8_and_rgba16(self):
        rng = random.Random(2)
        gray_rows = [bytes(rng.randrange(256) for _ in range(6)) for _ in range(3)]
        wide_rows = [bytes(rng.randrange(256) for _ in range(8 * 3)) for _ in range(3)]
        for filter_type in range(5):
            with self.subTest(filter_type=filter_type, image="gray8"):
                data = build_png(6, 3, 8, 0, filter_rows(gray_rows, 1, [filter_type] * 3))
                self.assertEqual(png.decode(data).rgba, gray_to_rgba(b"".join(gray_rows)))
            with self.subTest(filter_type=filter_type, image="rgba16"):
                data = build_png(3, 3, 16, 6, filter_rows(wide_rows, 8, [filter_type] * 3))
                # 16-bit samples keep their high byte: every other byte.
                self.assertEqual(png.decode(data).rgba, b"".join(wide_rows)[0::2])

    def test_mixed_filters_including_paeth_below_a_zero_row(self):
        rows = [bytes(8), bytes([10, 200, 30, 40, 250, 60, 70, 80]), bytes(range(100, 108))]
        data = build_png(8, 3, 8, 0, filter_rows(rows, 1, [4, 4, 3]))
        self.assertEqual(gray8(png.decode(data)), b"".join(rows))

    def test_paeth_tie_breaking_by_hand(self):
        # Row above [10, 20], this row [?, ?]; the first pixel predicts b=10.
        # Second byte: a=13, b=20, c=10 -> p=23, |p-a|=10, |p-b|=3, |p-c|=13:
        # predicts b=20, so raw 5 decodes to 25.
        idat = bytes([0, 10, 20, 4, 3, 5])
        self.assertEqual(list(gray8(png.decode(build_png(2, 2, 8, 0, idat)))), [10, 20, 13, 25])

    def test_sub_byte_gray_is_scaled_to_8_bits(self):
        # 2-bit samples 0,1,2,3 packed as 0b00_01_10_11; 255*s//3.
        data = build_png(4, 1, 2, 0, bytes([0, 0b00011011]))
        self.assertEqual(list(gray8(png.decode(data))), [0, 85, 170, 255])
        # 1-bit, width 3: padding bits in the last byte are ignored.
        data = build_png(3, 1, 1, 0, bytes([0, 0b10111111]))
        self.assertEqual(list(gray8(png.decode(data))), [255, 0, 255])
        # 4-bit: 255*s//15 = 17*s.
        data = build_png(2, 1, 4, 0, bytes([0, 0x3F]))
        self.assertEqual(list(gray8(png.decode(data))), [51, 255])

    def test_palette_with_transparency(self):
        palette = chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
        trns = chunk(b"tRNS", bytes([0, 128]))  # entry 2 has no alpha: opaque
        data = build_png(3, 1, 8, 3, bytes([0, 0, 1, 2]), [palette, trns])
        self.assertEqual(list(png.decode(data).rgba),
                         [255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255])

    def test_gray_and_rgb_transparency_key_at_own_depth(self):
        # 16-bit gray, key 0x0102: matches only the exact 16-bit sample,
        # not 0x01FF which has the same high byte.
        data = build_png(2, 1, 16, 0, bytes([0, 1, 2, 1, 255]), [chunk(b"tRNS", b"\x01\x02")])
        self.assertEqual(list(png.decode(data).rgba), [1, 1, 1, 0, 1, 1, 1, 255])
        # 4-bit gray samples 5 and 6, key 5: compared before scaling to 85.
        data = build_png(2, 1, 4, 0, bytes([0, 0x56]), [chunk(b"tRNS", b"\x00\x05")])
        self.assertEqual(list(png.decode(data).rgba), [85, 85, 85, 0, 102, 102, 102, 255])
        # RGB 8-bit, key (1, 2, 3): a pixel that contains the key bytes
        # straddling a pixel boundary must not be matched.
        pixels = bytes([9, 1, 2, 3, 1, 2, 1, 2, 3])
        data = build_png(3, 1, 8, 2, b"\x00" + pixels, [chunk(b"tRNS", bytes([0, 1, 0, 2, 0, 3]))])
        self.assertEqual(png.decode(data).rgba[3::4], bytes([255, 255, 0]))

    def test_gray_alpha_composites_over_white(self):
        # (c=200, A=128) over white: (200*128 + 255*127 + 127)//255 = 227.
        data = build_png(2, 1, 8, 4, bytes([0, 200, 128, 0, 0]))
        self.assertEqual(list(gray8(png.decode(data))), [227, 255])

    def test_gray8_luma_by_hand(self):
        image = png.Image(1, 1, bytes([200, 100, 50, 128]))
        # Composite: R'=227, G'=177, B'=152; L = (299*227+587*177+114*152+500)//1000.
        self.assertEqual(list(gray8(image)), [189])
        self.assertEqual(list(gray8(png.Image(1, 1, bytes([0, 0, 0, 0])))), [255])

    def test_adam7_interlaced_matches_plain(self):
        width, height = 11, 9
        rng = random.Random(3)
        pixels = bytes(rng.randrange(256) for _ in range(width * height))
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                  (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        idat = b""
        for filter_type, (x0, y0, dx, dy) in enumerate(passes):
            rows = [bytes(pixels[y * width + x] for x in range(x0, width, dx))
                    for y in range(y0, height, dy)]
            rows = [row for row in rows if row]
            if rows:
                idat += filter_rows(rows, 1, [filter_type % 5] * len(rows))
        interlaced = png.decode(build_png(width, height, 8, 0, idat, interlace=1))
        self.assertEqual(gray8(interlaced), pixels)

    def test_adam7_tiny_image_with_empty_passes(self):
        # 1x1 interlaced: only pass 1 holds data.
        data = build_png(1, 1, 8, 0, bytes([0, 77]), interlace=1)
        self.assertEqual(list(gray8(png.decode(data))), [77])

    def test_multiple_idat_and_ancillary_chunks(self):
        compressed = zlib.compress(bytes([0, 1, 2, 3]))
        data = (png.SIGNATURE + ihdr(3, 1) + chunk(b"tEXt", b"Comment\x00hi")
                + b"".join(chunk(b"IDAT", compressed[i:i + 1]) for i in range(len(compressed)))
                + chunk(b"teST", b"private, safe to skip") + chunk(b"IEND", b""))
        self.assertEqual(list(gray8(png.decode(data))), [1, 2, 3])

    def test_repr(self):
        image = png.decode(png.encode_gray8(3, 2, bytes(6)), "x.png")
        self.assertEqual(repr(image), "Image(width=3, height=2, name='x.png')")


# ------------------------------------------------------- malformed files


class MalformedFiles(unittest.TestCase):
    def assertRejected(self, data, *words):
        with self.assertRaises(PNGError) as caught:
            png.decode(data, "bad.png")
        message = str(caught.exception)
        self.assertTrue(message.startswith("bad.png: "), message)
        for word in words:
            self.assertIn(word, message)
        return message

    def test_every_truncation_is_rejected(self):
        data = small_rgb_png()
        png.decode(data)  # the whole file is fine
        for length in range(len(data)):
            with self.subTest(length=length):
                self.assertRejected(data[:length])

    def test_bad_crc(self):
        data = bytearray(small_rgb_png())
        data[data.index(b"IDAT") + 6] ^= 1  # a bit inside the IDAT data
        self.assertRejected(bytes(data), "CRC", "IDAT")

    def test_missing_iend(self):
        data = small_rgb_png()
        self.assertRejected(data[:-12], "IEND")

    def test_missing_idat(self):
        self.assertRejected(png.SIGNATURE + ihdr(1, 1) + chunk(b"IEND", b""), "IDAT")

    def test_ihdr_must_come_first(self):
        data = (png.SIGNATURE + chunk(b"tEXt", b"a\x00b") + ihdr(1, 1)
                + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
        self.assertRejected(data, "IHDR")

    def test_unknown_critical_chunk(self):
        data = (png.SIGNATURE + ihdr(1, 1) + chunk(b"CRIT", b"")
                + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
        self.assertRejected(data, "CRIT", "critical")

    def test_bad_header_fields(self):
        self.assertRejected(build_png(0, 1, 8, 0, b""), "zero size")
        self.assertRejected(build_png(1, 1, 8, 1, b"\x00\x00"), "colour type 1")
        self.assertRejected(build_png(1, 1, 4, 2, b"\x00\x00"), "bit depth 4")
        self.assertRejected(build_png(1, 1, 16, 3, b"\x00\x00"), "bit depth 16")

    def test_bad_filter_type(self):
        self.assertRejected(build_png(1, 1, 8, 0, bytes([5, 0])), "filter type 5")

    def test_image_data_too_short_or_too_long(self):
        self.assertRejected(build_png(2, 2, 8, 0, bytes(5)), "truncated")
        self.assertRejected(build_png(2, 2, 8, 0, bytes(7)), "more than")

    def test_palette_problems(self):
        self.assertRejected(build_png(1, 1, 8, 3, b"\x00\x00"), "PLTE")
        palette = chunk(b"PLTE", bytes(6))
        self.assertRejected(build_png(1, 1, 8, 3, b"\x00\x02", [palette]), "palette index 2")

    def test_signature(self):
        self.assertRejected(b"GIF89a" + bytes(40), "signature")
        self.assertRejected(b"", "signature")

    def test_read_png_names_missing_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "nope.png")
            with self.assertRaises(PNGError) as caught:
                png.read_png(path)
            self.assertIn(path, str(caught.exception))

    def test_random_damage_raises_only_png_error(self):
        # Flip bytes and then *fix the CRCs*, so the damage reaches the
        # header, zlib and filter code instead of stopping at the CRC check.
        original = build_png(6, 5, 8, 6, filter_rows(
            [bytes(range(r, r + 24)) for r in range(5)], 4, [0, 1, 2, 3, 4]))
        rng = random.Random(4)
        for trial in range(400):
            damaged = bytearray(original)
            for _ in range(rng.randrange(1, 4)):
                damaged[rng.randrange(8, len(damaged))] = rng.randrange(256)
            data = png.SIGNATURE + _refix_crcs(bytes(damaged[8:]))
            try:
                png.decode(data)
            except PNGError:
                pass
            except Exception as error:  # pragma: no cover - the failure we look for
                self.fail("trial %d raised %r, not PNGError" % (trial, error))


def _refix_crcs(body):
    """Recompute every chunk's CRC in a (possibly damaged) chunk sequence."""
    out = bytearray()
    position = 0
    while position + 12 <= len(body):
        length = struct.unpack(">I", body[position:position + 4])[0]
        end = position + 8 + length
        if end + 4 > len(body):
            break
        out += body[position:end] + struct.pack(">I", zlib.crc32(body[position + 4:end]))
        position = end + 4
    return bytes(out + body[position:])


# ------------------------------------------------------------ hostile files


class HostileFiles(unittest.TestCase):
    def measure(self, data):
        """Decode ``data``; return (error, peak bytes allocated meanwhile).

        The peak is 0 where tracemalloc does not exist (PyPy).  Memory, not
        seconds: a bound that a busy machine cannot break.
        """
        if tracemalloc is None:
            with self.assertRaises(PNGError) as caught:
                png.decode(data)
            return caught.exception, 0
        tracemalloc.start()
        try:
            png.decode(data)
        except PNGError as error:
            caught = error
        else:  # pragma: no cover
            caught = None
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return caught, peak

    def test_huge_declared_dimensions_rejected_before_allocating(self):
        data = build_png(100000, 100000, 8, 6, b"\x00")
        error, peak = self.measure(data)
        self.assertIsNotNone(error)
        self.assertIn("MAX_PIXELS", str(error))
        self.assertLess(peak, 1 << 20)

    def test_too_large_is_its_own_error_and_broken_is_not(self):
        from nrnn.errors import PNGTooLargeError, TooLargeError
        with self.assertRaises(PNGTooLargeError) as caught:
            png.decode(build_png(3000, 3000, 8, 0, b"\x00"), "big.png", max_pixels=4_000_000)
        self.assertIsInstance(caught.exception, PNGError)
        self.assertEqual(str(caught.exception),
                         "big.png: image is 3000 x 3000 = 9000000 pixels, more than the limit of 4000000")
        with self.assertRaises(PNGError) as caught:
            png.decode(build_png(30, 30, 8, 0, b"\x00"), "small.png", max_pixels=4_000_000)
        self.assertNotIsInstance(caught.exception, TooLargeError)

    def test_large_allowed_dimensions_with_little_data_stay_small(self):
        # 7000 x 7000 is under MAX_PIXELS, but the data is missing: the
        # decoder must notice before allocating a 196 MB pixel buffer.
        data = build_png(7000, 7000, 8, 6, bytes(1000))
        error, peak = self.measure(data)
        self.assertIn("truncated", str(error))
        self.assertLess(peak, 1 << 20)

    def test_zlib_bomb(self):
        # 1x1 image whose IDAT inflates to 100 MB from about 100 KB.
        squeezer = zlib.compressobj(9)
        block = bytes(1 << 20)
        bomb = b"".join(squeezer.compress(block) for _ in range(100)) + squeezer.flush()
        self.assertLess(len(bomb), 200_000)
        data = (png.SIGNATURE + ihdr(1, 1) + chunk(b"IDAT", bomb) + chunk(b"IEND", b""))
        error, peak = self.measure(data)
        self.assertIsNotNone(error)
        self.assertIn("more than", str(error))
        self.assertLess(peak, 2 << 20)


class ErrorHierarchy(unittest.TestCase):
    def test_png_error_is_an_nrnn_error(self):
        self.assertTrue(issubclass(PNGError, NrnnError))


if __name__ == "__main__":
    unittest.main()
