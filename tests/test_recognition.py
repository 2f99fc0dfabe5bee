"""Tests for nrnn/recognition.py: from PNG bytes to an answer.

Golden values come from outside the code under test: a hand-built network
whose outputs are known sigmoids of its biases (so the normalised
probabilities and the ranking can be worked out on paper), and, for a
random network, the pipeline recomputed step by step with ``png.decode``,
``preprocess.prepare`` and ``Network.feedforward``.
"""

import os
import struct
import tempfile
import unittest
import zlib

try:
    import tracemalloc
except ImportError:  # PyPy has no tracemalloc
    tracemalloc = None

from nrnn.errors import ImageError, ModelFileError, PNGError
from nrnn.image import png
from nrnn.image.gray import gray8
from nrnn.image.preprocess import prepare
from nrnn.image.skeleton import redraw
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from nrnn.recognition import (
    FIRST_LOOK,
    MAX_IMAGE_PIXELS,
    Recognition,
    input_png,
    load_recognizer,
    recognize,
    recognize_inputs,
    text_art,
)
from tests.known_inputs import (
    KNOWN_OUTPUTS,
    KNOWN_PROBABILITIES,
    KNOWN_RANKING,
    bar_digit_png,
    known_network,
    seven_png,
)


def png_with_header(width: int, height: int, idat: bytes) -> bytes:
    """A PNG whose IHDR says ``width`` x ``height`` 8-bit gray, with this IDAT payload."""
    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return png.SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class ProbabilitiesTest(unittest.TestCase):
    def test_known_network_gives_the_hand_worked_answer(self):
        answer = recognize_inputs([0.3] * 784, known_network(), "known")
        for got, want in zip(answer.outputs, KNOWN_OUTPUTS):
            self.assertAlmostEqual(got, want, places=12)
        for got, want in zip(answer.probabilities, KNOWN_PROBABILITIES):
            self.assertAlmostEqual(got, want, places=12)
        self.assertEqual(answer.ranking, KNOWN_RANKING)
        self.assertEqual(answer.digit, 3)
        self.assertAlmostEqual(answer.confidence, 0.9 / 2.85, places=12)
        self.assertEqual(answer.runners_up(), [5, 8])
        self.assertEqual(answer.runners_up(4), [5, 8, 0, 1])
        self.assertEqual(answer.name, "known")

    def test_probabilities_are_the_normalised_outputs_of_a_random_network(self):
        network = Network([784, 10], seed=11)
        inputs = [((7 * i) % 23) / 22.0 for i in range(784)]
        answer = recognize_inputs(inputs, network, looks=1)
        outputs = network.feedforward(inputs)
        total = sum(outputs)
        self.assertEqual(answer.outputs, outputs)
        self.assertAlmostEqual(sum(answer.probabilities), 1.0, places=12)
        for got, a in zip(answer.probabilities, outputs):
            self.assertAlmostEqual(got, a / total, places=15)
        by_output = sorted(range(10), key=lambda k: (-outputs[k], k))
        self.assertEqual(answer.ranking, by_output)
        self.assertEqual(answer.digit, network.classify(inputs))
        self.assertEqual(answer.confidence, answer.probabilities[answer.digit])
        self.assertEqual(answer.runners_up(), by_output[1:3])

    def test_two_looks_mix_the_outputs_for_the_inputs_and_their_redrawn_strokes(self):
        network = Network([784, 10], seed=11)
        inputs = [0.0] * 784
        for y in range(5, 23):  # a 6-pixel-wide marker stroke
            inputs[28 * y + 11:28 * y + 17] = [1.0] * 6
        first, second = network.feedforward(inputs), network.feedforward(redraw(inputs))
        self.assertNotEqual(first, second)
        answer = recognize_inputs(inputs, network)
        self.assertEqual(answer.outputs, [FIRST_LOOK * a + (1.0 - FIRST_LOOK) * b for a, b in zip(first, second)])
        self.assertEqual(answer.inputs, inputs)  # what is shown is the first look
        self.assertEqual(recognize_inputs(inputs, network, looks=1).outputs, first)
        with self.assertRaisesRegex(ValueError, "looks must be 1 or 2, got 3"):
            recognize_inputs(inputs, network, looks=3)

    def test_outputs_that_all_underflow_give_a_uniform_answer(self):
        answer = Recognition([0.0] * 10, [0.0] * 784)
        self.assertEqual(answer.probabilities, [0.1] * 10)
        self.assertEqual(answer.ranking, list(range(10)))
        self.assertEqual(answer.digit, 0)

    def test_as_dict_rounds_and_leaves_out_the_input_when_asked(self):
        answer = recognize_inputs([0.5] * 784, known_network())
        full = answer.as_dict(places=3)
        self.assertEqual(full["digit"], 3)
        self.assertEqual(full["confidence"], round(0.9 / 2.85, 3))
        self.assertEqual(full["probabilities"], [round(p, 3) for p in KNOWN_PROBABILITIES])
        self.assertEqual(full["ranking"], KNOWN_RANKING)
        self.assertEqual(full["outputs"], [round(a, 3) for a in KNOWN_OUTPUTS])
        self.assertEqual(full["input"], [0.5] * 784)
        self.assertNotIn("input", answer.as_dict(with_input=False))

    def test_wrong_number_of_inputs_is_refused_naming_the_source(self):
        with self.assertRaisesRegex(ValueError, r"tiny: 783 inputs, the network takes 784"):
            recognize_inputs([0.0] * 783, known_network(), "tiny")


class PipelineTest(unittest.TestCase):
    """recognize() is decode -> prepare -> feedforward, nothing more or less."""

    def setUp(self):
        self.network = Network([784, 10], seed=5)

    def check_same_as_by_hand(self, data: bytes):
        by_hand_inputs = prepare(png.decode(data, "by-hand"))
        looks = (self.network.feedforward(by_hand_inputs),
                 self.network.feedforward(redraw(by_hand_inputs)))
        by_hand_outputs = [FIRST_LOOK * a + (1.0 - FIRST_LOOK) * b for a, b in zip(*looks)]
        answer = recognize(data, self.network, name="file.png")
        self.assertEqual(answer.inputs, by_hand_inputs)
        self.assertEqual(answer.outputs, by_hand_outputs)
        self.assertEqual(answer.digit, by_hand_outputs.index(max(by_hand_outputs)))
        self.assertEqual(answer.name, "file.png")
        return answer

    def test_gray_bar_on_white(self):
        answer = self.check_same_as_by_hand(bar_digit_png())
        # Dark-on-light was turned into MNIST's white-on-black: ink in the middle, none in the corner.
        self.assertEqual(answer.inputs[14 * 28 + 14], 1.0)
        self.assertEqual(answer.inputs[0], 0.0)

    def test_rgb_seven_off_centre(self):
        self.check_same_as_by_hand(seven_png())

    def test_bytes_bytearray_memoryview_and_image_agree(self):
        data = seven_png()
        want = recognize(data, self.network).outputs
        self.assertEqual(recognize(bytearray(data), self.network).outputs, want)
        self.assertEqual(recognize(memoryview(data), self.network).outputs, want)
        image = png.decode(data, "seven.png")
        from_image = recognize(image, self.network)
        self.assertEqual(from_image.outputs, want)
        self.assertEqual(from_image.name, "seven.png")

    def test_unnamed_bytes_are_called_bytes(self):
        self.assertEqual(recognize(seven_png(), self.network).name, "<bytes>")

    def test_blank_image_raises_image_error_naming_it(self):
        blank = png.encode_gray8(40, 40, b"\xf0" * 1600)
        with self.assertRaisesRegex(ImageError, r"^blank\.png: .*blank"):
            recognize(blank, self.network, name="blank.png")


class ImageSizeLimitTest(unittest.TestCase):
    """MAX_IMAGE_PIXELS is enforced from the header, before any pixel is decoded."""

    def test_limit_is_four_megapixels(self):
        self.assertEqual(MAX_IMAGE_PIXELS, 4000000)

    def test_a_real_3000_by_3000_png_is_refused_quickly(self):
        # A valid file (zlib packs 9 MB of white to ~9 KB): only its size is wrong.
        data = png_with_header(3000, 3000, zlib.compress((b"\x00" + b"\xff" * 3000) * 3000))
        if tracemalloc is not None:
            tracemalloc.start()
        try:
            with self.assertRaises(PNGError) as caught:
                recognize(data, known_network(), name="big.png")
            peak = tracemalloc.get_traced_memory()[1] if tracemalloc is not None else 0
        finally:
            if tracemalloc is not None:
                tracemalloc.stop()
        message = str(caught.exception)
        self.assertIn("big.png", message)
        self.assertIn("3000 x 3000", message)
        self.assertIn(str(MAX_IMAGE_PIXELS), message)
        # Refused from the header: the 9 MB of pixels are never inflated
        # (tracemalloc counts it on CPython; PyPy has none).
        self.assertLess(peak, 2_000_000)

    def test_refused_before_the_pixel_data_is_read(self):
        # IDAT is garbage: had the decoder got that far it would complain about it instead.
        data = png_with_header(3000, 3000, b"not zlib at all")
        with self.assertRaisesRegex(PNGError, r"3000 x 3000 = 9000000 pixels, more than the limit of 4000000"):
            recognize(data, known_network())

    def test_exactly_the_limit_passes_the_size_check(self):
        # 2000 x 2000 is allowed, so the error is now about the (garbage) pixel data.
        data = png_with_header(2000, 2000, b"not zlib at all")
        with self.assertRaises(PNGError) as caught:
            recognize(data, known_network())
        self.assertNotIn("more than the limit", str(caught.exception))

    def test_a_decoded_image_over_the_limit_is_refused(self):
        image = png.Image(2001, 2000, bytes(4 * 2001 * 2000), "wide.png")
        with self.assertRaisesRegex(ImageError, r"wide\.png: image is 2001 x 2000 pixels"):
            recognize(image, known_network())


class TextArtTest(unittest.TestCase):
    def test_shape_frame_and_where_ink_lands(self):
        inputs = [0.0] * 784
        inputs[5 * 28 + 7] = 1.0   # row 5, column 7: full ink
        inputs[27 * 28 + 27] = 0.5  # bottom-right corner: half ink
        lines = text_art(inputs).split("\n")
        self.assertEqual(len(lines), 30)  # 28 rows, a frame line above and below
        edge = "+" + "-" * 56 + "+"
        self.assertEqual(lines[0], edge)
        self.assertEqual(lines[-1], edge)
        for line in lines[1:-1]:
            self.assertEqual(len(line), 58)
            self.assertTrue(line.startswith("|") and line.endswith("|"))
        row = lines[1 + 5]
        self.assertEqual(row[1 + 14:1 + 16], "@@")  # two characters a pixel
        self.assertEqual(row.replace("@", "").strip("|").strip(), "")
        # 0.5 is shade index round(4.5) = 5 of " .:-=+*#%@", i.e. "+".
        self.assertEqual(lines[28][-3:], "++|")

    def test_without_frame(self):
        lines = text_art([1.0] * 784, frame=False).split("\n")
        self.assertEqual(lines, ["@" * 56] * 28)


class InputPngTest(unittest.TestCase):
    # (input value, the gray level input_png documents: v * 255 rounded half up, clamped)
    LEVELS = [(0.0, 0), (1.0, 255), (0.5, 128), (0.25, 64), (1 / 255, 1), (0.999, 255),
              (0.002, 1), (0.0019, 0), (-0.2, 0), (1.3, 255)]

    def inputs(self):
        values = [v for v, _ in self.LEVELS]
        values += [((13 * i) % 256) / 255.0 for i in range(784 - len(values))]
        return values

    def expected_levels(self):
        return bytes([level for _, level in self.LEVELS]
                     + [(13 * i) % 256 for i in range(784 - len(self.LEVELS))])

    def test_round_trip_through_decode(self):
        image = png.decode(input_png(self.inputs()))
        self.assertEqual((image.width, image.height), (28, 28))
        self.assertEqual(gray8(image), self.expected_levels())
        self.assertEqual(image.rgba[3::4], b"\xff" * 784)  # opaque

    def test_recognized_input_round_trips(self):
        answer = recognize(seven_png(), Network([784, 10], seed=2))
        image = png.decode(input_png(answer.inputs))
        self.assertEqual(list(gray8(image)), [int(v * 255 + 0.5) for v in answer.inputs])
        # The saved input is itself MNIST-like: preparing it again changes little.
        again = prepare(image)
        self.assertLess(max(abs(a - b) for a, b in zip(again, answer.inputs)), 0.01)

    def test_scale_repeats_each_pixel_as_a_square(self):
        image = png.decode(input_png(self.inputs(), scale=3))
        self.assertEqual((image.width, image.height), (84, 84))
        gray = gray8(image)
        levels = self.expected_levels()
        for y in range(84):
            for x in range(84):
                self.assertEqual(gray[y * 84 + x], levels[(y // 3) * 28 + x // 3])

    def test_wrong_length_is_refused(self):
        with self.assertRaisesRegex(ValueError, "expected 784 inputs, got 100"):
            input_png([0.0] * 100)


class LoadRecognizerTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-test-recognize-")

    def tearDown(self):
        for name in os.listdir(self.folder):
            os.remove(os.path.join(self.folder, name))
        os.rmdir(self.folder)

    def saved(self, network, name):
        path = os.path.join(self.folder, name)
        save_model(network, path)
        return path

    def test_accepts_784_to_10_with_or_without_hidden_layers(self):
        for sizes in ([784, 10], [784, 7, 10]):
            path = self.saved(Network(sizes, seed=1), "ok.json")
            network = load_recognizer(path)
            self.assertEqual(network.sizes, sizes)

    def test_loaded_model_answers_as_the_saved_one(self):
        path = self.saved(known_network(), "known.json.gz")
        answer = recognize_inputs([0.0] * 784, load_recognizer(path))
        self.assertEqual(answer.ranking, KNOWN_RANKING)

    def test_rejects_networks_that_do_not_read_digits(self):
        for sizes, inputs, outputs in (([784, 5], 784, 5), ([100, 10], 100, 10), ([784, 10, 2], 784, 2)):
            path = self.saved(Network(sizes, seed=1), "wrong.json")
            with self.assertRaises(ModelFileError) as caught:
                load_recognizer(path)
            message = str(caught.exception)
            self.assertIn(path, message)
            self.assertIn("%d inputs and %d outputs" % (inputs, outputs), message)


if __name__ == "__main__":
    unittest.main()
