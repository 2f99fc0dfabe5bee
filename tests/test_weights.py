"""Tests for nrnn/inside/weights.py: weight pictures as PNG, SVG and text.

The key test sets a neuron's weights by hand, draws the sheet, decodes the
PNG with nrnn's own decoder and reads every weight back from its pixel's
colour, inverting the colour scale independently of the module's palette.
"""

import base64
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

from nrnn.image.png import decode
from nrnn.inside import weights
from nrnn.inside.weights import (
    NEGATIVE,
    POSITIVE,
    SheetLayout,
    WeightsError,
    neuron_pictures,
    sheet_png,
    sheet_svg,
    text_picture,
    weight_colour,
)
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from tests.support import ROOT

SHIPPED_SMALL = os.path.join(ROOT, "data", "model-784-16-16-10.json")

# Hand-set weights of neuron 1: {(x, y): weight}; every other weight is 0.
HAND_SET = {(3, 5): 0.5, (20, 7): -0.25, (27, 27): 1.0, (0, 0): -1.0, (14, 14): 0.1}


def hand_set_network(bias=True) -> Network:
    network = Network([784, 3, 10], bias=bias, seed=1)
    network.weights[0][1] = [0.0] * 784
    for (x, y), value in HAND_SET.items():
        network.weights[0][1][28 * y + x] = value
    network.weights[0][2] = [2.0 * w for w in network.weights[0][1]]  # the same, twice as strong
    return network


def pixel(image, x, y):
    offset = 4 * (y * image.width + x)
    return tuple(image.rgba[offset:offset + 3])


def value_of(colour, scale):
    """The weight a colour stands for: blend from white towards POSITIVE (r > b)
    or NEGATIVE, read off the channel that changes most."""
    r, g, b = colour
    if colour == (255, 255, 255):
        return 0.0
    end, sign = (POSITIVE, 1.0) if r > b else (NEGATIVE, -1.0)
    channel = min(range(3), key=lambda c: end[c])  # the channel that travels farthest from 255
    return sign * scale * (255 - colour[channel]) / (255 - end[channel])


class Pictures(unittest.TestCase):
    def test_a_hand_set_neuron_shows_exactly_its_weights_in_their_places(self):
        network = hand_set_network()
        pictures = neuron_pictures(network, 0)
        for zoom in (1, 3):
            with self.subTest(zoom=zoom):
                image = decode(sheet_png(pictures, "tile", zoom=zoom))
                layout = SheetLayout(3, zoom=zoom)
                self.assertEqual((image.width, image.height), layout.size)
                left, top = layout.tile_origin(1)
                for y in range(28):
                    for x in range(28):
                        expected = HAND_SET.get((x, y), 0.0)
                        # Every screen pixel of the zoomed square has the colour.
                        for dy in range(zoom):
                            for dx in range(zoom):
                                colour = pixel(image, left + zoom * x + dx, top + zoom * y + dy)
                                self.assertEqual(colour, weight_colour(expected, 1.0), (x, y))
                        # ... and the colour gives the weight back (to 8 bits).
                        self.assertAlmostEqual(value_of(pixel(image, left + zoom * x, top + zoom * y), 1.0),
                                               expected, delta=1.0 / 150)

    def test_colours_are_white_at_zero_and_full_at_the_scale(self):
        self.assertEqual(weight_colour(0.0, 3.0), (255, 255, 255))
        self.assertEqual(weight_colour(3.0, 3.0), POSITIVE)
        self.assertEqual(weight_colour(30.0, 3.0), POSITIVE)  # clamped
        self.assertEqual(weight_colour(-3.0, 3.0), NEGATIVE)
        self.assertEqual(weight_colour(0.5, 0.0), (255, 255, 255))  # an all-zero tile

    def test_tile_scaling_against_global_scaling(self):
        pictures = neuron_pictures(hand_set_network(), 0)
        # Tile: neuron 2 (twice neuron 1) looks exactly like neuron 1.
        image = decode(sheet_png(pictures, "tile", zoom=1, labels=False, gap=0))
        layout = SheetLayout(3, zoom=1, labels=False, gap=0)
        (x1, y1), (x2, y2) = layout.tile_origin(1), layout.tile_origin(2)
        self.assertEqual(pixel(image, x1 + 3, y1 + 5), pixel(image, x2 + 3, y2 + 5))
        # Global: the largest |w| of all is neuron 2's 2.0 (or neuron 0's, if
        # larger), so neuron 1's 1.0 is at most half strength.
        scale = max(abs(w) for picture in pictures for w in picture)
        image = decode(sheet_png(pictures, "global", zoom=1, labels=False, gap=0))
        self.assertAlmostEqual(value_of(pixel(image, x1 + 27, y1 + 27), scale), 1.0, delta=scale / 150)
        self.assertAlmostEqual(value_of(pixel(image, x2 + 27, y2 + 27), scale), 2.0, delta=scale / 150)

    def test_sprite_layout_is_as_the_server_documents(self):
        pictures = [[float(j)] * 784 for j in range(1, 41)]
        image = decode(sheet_png(pictures, "global", zoom=1, labels=False, gap=0, columns=32))
        self.assertEqual((image.width, image.height), (32 * 28, 2 * 28))
        for j in (0, 31, 32, 39):
            x, y = 28 * (j % 32), 28 * (j // 32)
            self.assertAlmostEqual(value_of(pixel(image, x + 13, y + 13), 40.0), j + 1.0, delta=0.3)

    def test_deeper_layers_are_weighted_sums_of_the_first_layers_pictures(self):
        network = Network([784, 3, 2, 10], seed=3)
        second = neuron_pictures(network, 1)
        for j in range(2):
            for i in (0, 300, 783):
                expected = sum(network.weights[1][j][k] * network.weights[0][k][i] for k in range(3))
                self.assertAlmostEqual(second[j][i], expected, places=12)
        output = neuron_pictures(network, 2)
        self.assertEqual((len(output), len(output[0])), (10, 784))
        with self.assertRaisesRegex(WeightsError, "weight layers 0-2; there is no layer 3"):
            neuron_pictures(network, 3)

    def test_text_picture_puts_each_sign_in_its_place(self):
        picture = neuron_pictures(hand_set_network(), 0)[1]
        lines = text_picture(picture).split("\n")
        self.assertEqual(len(lines), 30)
        rows = [line[1:-1] for line in lines[1:-1]]
        self.assertEqual(rows[27][54:56], "##")  # +1.0 at (27, 27)
        self.assertEqual(rows[0][0:2], "==")     # -1.0 at (0, 0)
        self.assertEqual(rows[5][6:8], "++")     # +0.5 at (3, 5)
        self.assertEqual(rows[7][40:42], ",,")   # -0.25 at (20, 7)
        self.assertEqual(rows[14][28:30], "..")  # +0.1 at (14, 14)
        ink = sum(len(row.replace(" ", "")) for row in rows)
        self.assertEqual(ink, 2 * len(HAND_SET))
        compact = text_picture(picture, compact=True, frame=False).split("\n")
        self.assertEqual((len(compact), len(compact[0])), (14, 28))

    def test_svg_holds_every_tile_as_a_decodable_png(self):
        pictures = neuron_pictures(hand_set_network(), 0)
        svg = sheet_svg(pictures, "tile", title="hand set")
        root = ElementTree.fromstring(svg.encode("utf-8"))
        namespace = "{http://www.w3.org/2000/svg}"
        groups = [g for g in root.iter(namespace + "g") if g.get("class") == "neuron"]
        self.assertEqual([g.get("data-index") for g in groups], ["0", "1", "2"])
        href = groups[1].find(namespace + "image").get("href")
        tile = decode(base64.b64decode(href.split(",", 1)[1]))
        self.assertEqual((tile.width, tile.height), (28, 28))
        self.assertEqual(pixel(tile, 3, 5), weight_colour(0.5, 1.0))
        self.assertIn("each tile scaled to its own largest |w|", svg)
        self.assertIn("one scale for all tiles", sheet_svg(pictures, "global"))

    def test_weights_path_is_beside_the_model(self):
        self.assertEqual(weights.weights_path(os.path.join("m", "a.json")), os.path.join("m", "a.weights.png"))


class CommandLine(unittest.TestCase):
    def run_weights(self, *args):
        return subprocess.run([sys.executable, "-m", "nrnn.inside.weights"] + list(args), cwd=ROOT,
                              capture_output=True, text=True,
                              timeout=300)

    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)
        self.model = os.path.join(self.folder, "m.json")
        save_model(hand_set_network(bias=False), self.model)

    def test_png_svg_and_text_of_a_fresh_model(self):
        out_png, out_svg = os.path.join(self.folder, "w.png"), os.path.join(self.folder, "w.svg")
        result = self.run_weights("--model", self.model, "--png", out_png, "--svg", out_svg, "--neuron", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertIn("neuron 1: weights from -1.000 to 1.000", result.stdout)
        self.assertIn("wrote %s (tile scale)" % out_png, result.stdout)
        with open(out_png, "rb") as handle:
            self.assertEqual(decode(handle.read()).width, SheetLayout(3).size[0])
        with open(out_svg, encoding="utf-8") as handle:
            self.assertTrue(handle.read().startswith("<?xml"))

    def test_errors_are_one_line(self):
        cases = [
            (["--model", os.path.join(self.folder, "missing.json")], 1, "missing.json"),
            (["--model", self.model, "--layer", "4"], 1, "there is no layer 4"),
            (["--model", self.model, "--neuron", "3"], 1, "layer 0 has neurons 0-2; there is no neuron 3"),
            (["--model", self.model, "--png", os.path.join(self.folder, "no", "such", "dir.png")], 1,
             "cannot write the file"),
            (["--model", self.model, "--scale", "loud"], 2, "invalid choice"),
        ]
        for args, status, message in cases:
            with self.subTest(args=args):
                result = self.run_weights(*args)
                self.assertEqual(result.returncode, status, result.stderr)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertTrue(result.stderr.startswith("error: "))
                self.assertIn(message, result.stderr)

    @unittest.skipUnless(os.path.exists(SHIPPED_SMALL), "needs the shipped 784-16-16-10 model")
    def test_the_shipped_small_model_prints_all_sixteen(self):
        result = self.run_weights("--model", SHIPPED_SMALL)
        self.assertEqual(result.returncode, 0, result.stderr)
        for j in (0, 15):
            self.assertIn("neuron %d" % j, result.stdout)
        self.assertIn("positive (ink here raises the neuron)", result.stdout)


class AfterTraining(unittest.TestCase):
    """train.py leaves MODEL.weights.png beside the model: the trained
    network's first layer, as ``python -m nrnn.inside.weights --png`` draws it."""

    def test_train_writes_the_weight_sheet(self):
        from tests.support import SMALL_TRAINING as SMALL
        from tests.support import run_train as run_main
        from tests.synthetic_digits import write_data_dir

        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        data, model = os.path.join(folder, "data"), os.path.join(folder, "m.json")
        write_data_dir(data)
        status, out, err = run_main(SMALL + ["--epochs", "1", "--data-dir", data, "--model", model])
        self.assertEqual(status, 0, err)
        sheet = os.path.join(folder, "m.weights.png")
        self.assertIn("weights: %s" % sheet, out)
        from nrnn.net.model_file import load_model
        with open(sheet, "rb") as handle:
            written = handle.read()
        self.assertEqual(written, sheet_png(neuron_pictures(load_model(model), 0)))
        self.assertEqual(decode(written).width, SheetLayout(8).size[0])


if __name__ == "__main__":
    unittest.main()
