"""Tests for nrnn/image/image_file.py: PNG and JPEG told apart by content, and for
recognize() reading both the same way."""

import os
import subprocess
import sys
import unittest

from nrnn.errors import ImageError, JPEGError, PNGError
from nrnn.image import image_file, jpeg, jpeg_encoder, png
from nrnn.image.image_file import decode_image, image_format, image_size
from nrnn.image.preprocess import prepare
from nrnn.net.network import Network
from nrnn.recognition import PHOTO_SIDE, recognize


def bar_pixels(width, height):
    """Dark bar on light paper, ``width`` x ``height`` gray bytes."""
    return bytes(20 if width * 2 // 5 <= x < width * 3 // 5 and height // 5 <= y < height * 4 // 5 else 230
                 for y in range(height) for x in range(width))


class ByContent(unittest.TestCase):
    def test_the_signature_decides_not_the_name(self):
        as_png = png.encode_gray8(40, 30, bar_pixels(40, 30))
        as_jpeg = jpeg_encoder.encode_gray8(40, 30, bar_pixels(40, 30), quality=95)
        self.assertEqual((image_format(as_png), image_format(as_jpeg)), ("PNG", "JPEG"))
        self.assertEqual(image_size(as_png), (40, 30))
        self.assertEqual(image_size(as_jpeg), (40, 30))
        self.assertEqual(decode_image(as_png, "really-a-png.jpg").rgba, png.decode(as_png).rgba)
        self.assertEqual(decode_image(as_jpeg, "really-a-jpeg.png").rgba, jpeg.decode(as_jpeg).rgba)

    def test_the_jpeg_decoder_is_loaded_only_for_a_jpeg(self):
        self.assertEqual(image_file._JPEG_SIGNATURE, jpeg.SIGNATURE)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = ("import sys; from nrnn.image import image_file, png; "
                "image_file.decode_image(png.encode_gray8(2, 1, bytes(2))); "
                "print('nrnn.image.jpeg' in sys.modules)")
        found = subprocess.run([sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE,
                               check=True, text=True).stdout.strip()
        self.assertEqual(found, "False")

    def test_other_formats_are_refused_naming_the_formats_read(self):
        for data, expected in ((b"GIF89a\x01\x00", "not a PNG or JPEG image"),
                               (b"BM\x00\x00", "not a PNG or JPEG image"),
                               (b"", "the file is empty")):
            with self.assertRaisesRegex(ImageError, "^x.bin: " + expected):
                decode_image(data, "x.bin")
            self.assertIsNone(image_size(data))

    def test_broken_files_raise_their_own_format_error(self):
        with self.assertRaises(PNGError):
            decode_image(png.encode_gray8(4, 4, bytes(16))[:30], "cut.png")
        with self.assertRaises(JPEGError):
            decode_image(jpeg_encoder.encode_gray8(4, 4, bytes(16))[:30], "cut.jpg")

    def test_a_big_jpeg_is_decoded_reduced_and_a_png_never(self):
        width, height = 1100, 600   # 1/2 keeps 300 >= 256 on the shorter side; 1/4 would not
        data = jpeg_encoder.encode_gray8(width, height, bar_pixels(width, height))
        image = decode_image(data, "big.jpg", reduce_to=PHOTO_SIDE)
        self.assertEqual((image.width, image.height), (550, 300))
        small = png.encode_gray8(300, 100, bar_pixels(300, 100))
        self.assertEqual(decode_image(small, reduce_to=PHOTO_SIDE).width, 300)


class RecognizeReadsJpeg(unittest.TestCase):
    def test_jpeg_bytes_go_through_the_same_pipeline(self):
        network = Network([784, 10], seed=5)
        data = jpeg_encoder.encode_rgb8(60, 80, bytes(v for v in bar_pixels(60, 80) for _ in range(3)))
        answer = recognize(data, network, name="photo.jpg")
        self.assertEqual(answer.inputs, prepare(jpeg.decode(data, "by hand")))
        self.assertEqual(answer.name, "photo.jpg")

    def test_a_jpeg_over_the_pixel_limit_after_reduction_is_refused_from_its_header(self):
        # 65535 x 65535 stored: over the stored limit, refused before any decoding.
        header = b"\xff\xd8\xff\xc0\x00\x0b\x08\xff\xff\xff\xff\x01\x01\x11\x00\xff\xd9"
        with self.assertRaisesRegex(JPEGError, "65535 x 65535"):
            recognize(header, Network([784, 10], seed=5), name="huge.jpg")


if __name__ == "__main__":
    unittest.main()
