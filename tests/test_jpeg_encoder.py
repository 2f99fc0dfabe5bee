"""Tests for nrnn/image/jpeg_encoder.py: golden values worked out by hand from the
standard (ITU T.81 Annex K), file structure, and bad arguments.  Round trips
through the decoder are in tests/test_jpeg.py."""

import struct
import unittest

from nrnn.errors import JPEGError
from nrnn.image import jpeg_encoder
from nrnn.image.jpeg_encoder import encode_gray8, encode_rgb8, quantisation_tables


def markers(data):
    """The marker codes of a file made by the encoder, in order."""
    found = []
    position = 2
    while True:
        marker = data[position + 1]
        found.append(marker)
        if marker == 0xD9:
            return found
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        position += 2 + length
        if marker == 0xDA:  # skip the coded data to the next marker
            while not (data[position] == 0xFF and data[position + 1] not in (0x00,)
                       and not 0xD0 <= data[position + 1] <= 0xD7):
                position += 1


def scan_data(data):
    """The coded bytes of a one-scan file: after the SOS header, before EOI."""
    sos = data.index(b"\xff\xda")
    (length,) = struct.unpack(">H", data[sos + 2:sos + 4])
    return data[sos + 2 + length:-2]


class Tables(unittest.TestCase):

    def test_quality_50_is_the_standard_table(self):
        luma, chroma = quantisation_tables(50)
        self.assertEqual(luma, list(jpeg_encoder.LUMINANCE_QUANTISATION))
        self.assertEqual(chroma, list(jpeg_encoder.CHROMINANCE_QUANTISATION))

    def test_quality_scaling_by_hand(self):
        # Quality 75: scale 200 - 150 = 50%, e.g. (16 * 50 + 50) // 100 = 8.
        self.assertEqual(quantisation_tables(75)[0][:8], [8, 6, 5, 8, 12, 20, 26, 31])
        # Quality 10: scale 5000 / 10 = 500%; 99 * 5 = 495 is clamped to 255.
        luma, chroma = quantisation_tables(10)
        self.assertEqual(luma[0], 80)
        self.assertEqual(chroma[63], 255)
        self.assertEqual(set(quantisation_tables(100)[1]), {1})

    def test_canonical_huffman_codes(self):
        dc = jpeg_encoder._huffman_codes(jpeg_encoder.DC_LUMINANCE)
        # One code of length 2, five of length 3, then one each of 4..9.
        self.assertEqual(dc[0], (0b00, 2))
        self.assertEqual(dc[1], (0b010, 3))
        self.assertEqual(dc[5], (0b110, 3))
        self.assertEqual(dc[10], (0b11111110, 8))
        ac = jpeg_encoder._huffman_codes(jpeg_encoder.AC_LUMINANCE)
        self.assertEqual(ac[0x01], (0b00, 2))
        self.assertEqual(ac[0x00], (0b1010, 4))  # EOB
        self.assertEqual(ac[0xF0], (0b11111111001, 11))  # ZRL
        for table in (jpeg_encoder.DC_LUMINANCE, jpeg_encoder.DC_CHROMINANCE,
                      jpeg_encoder.AC_LUMINANCE, jpeg_encoder.AC_CHROMINANCE):
            counts, symbols = table
            self.assertEqual(sum(counts), len(symbols))
            self.assertEqual(len(set(symbols)), len(symbols))


class GoldenFiles(unittest.TestCase):

    def test_mid_gray_pixel_codes_to_one_byte(self):
        # All samples 128: every coefficient 0.  DC difference 0 is code 00,
        # EOB is 1010, padding with 1s: 0010 1011 = 0x2B.
        self.assertEqual(scan_data(encode_gray8(1, 1, b"\x80", quality=50)), b"\x2b")

    def test_flat_block_dc_by_hand(self):
        # 200 everywhere: DC = 8 * (200 - 128) = 576, quantised by 1 at
        # quality 100.  Size category 10: code 11111110; the value in 10 bits:
        # 1001000000; EOB 1010; pad 11.
        # 11111110 10010000 00101011
        self.assertEqual(scan_data(encode_gray8(8, 8, bytes([200] * 64), quality=100)),
                         b"\xfe\x90\x2b")

    def test_negative_dc_uses_ones_complement_bits(self):
        # 0 everywhere: DC = 8 * -128 = -1024, category 11: code 111111110,
        # the low 11 bits of -1024 - 1: 01111111111, EOB 1010; 24 bits:
        # 11111111 00111111 11111010, and the 0xFF byte is stuffed with 00.
        data = scan_data(encode_gray8(8, 8, bytes(64), quality=100))
        self.assertEqual(data, b"\xff\x00\x3f\xfa")

    def test_file_structure(self):
        self.assertEqual(markers(encode_gray8(9, 9, bytes(81))),
                         [0xE0, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9])
        colour = encode_rgb8(20, 9, bytes(540), restart_interval=1)  # two MCUs
        self.assertEqual(markers(colour), [0xE0, 0xDB, 0xDB, 0xC0] + [0xC4] * 4 + [0xDD, 0xDA, 0xD9])
        self.assertIn(b"\xff\xd0", colour)
        progressive = encode_rgb8(9, 9, bytes(243), progressive=True)
        self.assertEqual(markers(progressive).count(0xDA), 8)
        self.assertIn(b"\xff\xc2", progressive)

    def test_sof_header_fields(self):
        data = encode_rgb8(300, 7, bytes(300 * 7 * 3), subsampling="4:2:0")
        sof = data.index(b"\xff\xc0")
        self.assertEqual(struct.unpack(">BHHB", data[sof + 4:sof + 10]), (8, 7, 300, 3))
        self.assertEqual(data[sof + 10:sof + 19], bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]))


class BadArguments(unittest.TestCase):

    def test_refused_with_jpeg_error(self):
        for call, fragment in (
                (lambda: encode_gray8(0, 1, b""), "must be positive"),
                (lambda: encode_gray8(70000, 1, bytes(70000)), "65535"),
                (lambda: encode_gray8(2, 2, bytes(3)), "needs 4 bytes"),
                (lambda: encode_gray8(1, 1, b"\x00", quality=0), "quality"),
                (lambda: encode_gray8(1, 1, b"\x00", quality=101), "quality"),
                (lambda: encode_rgb8(1, 1, bytes(3), subsampling="4:2:2"), "subsampling"),
                (lambda: encode_rgb8(1, 1, bytes(3), restart_interval=-1), "restart_interval")):
            with self.subTest(fragment=fragment):
                with self.assertRaises(JPEGError) as caught:
                    call()
                self.assertIn(fragment, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
