"""Tests for nrnn/inside/dream.py: the input gradient, the ascent, backquery, the command.

The gradient d z_k / d x (one backward pass ending in W_0^T delta_1) is
checked against central finite differences; the dream must raise the
chosen output at every step from a blank start and keep every pixel in
[0, 1].
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from nrnn.image.png import decode
from nrnn.inside.dream import DreamError, backquery, dream, input_gradient
from nrnn.inside.explain import layer_values
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from tests.support import ROOT

SHIPPED_SMALL = os.path.join(ROOT, "data", "model-784-16-16-10.json")


def z_of(network, x, digit):
    return layer_values(network, x)[0][-1][digit]


class Gradient(unittest.TestCase):
    def test_input_gradient_matches_finite_differences(self):
        for sizes in ([784, 10], [784, 6, 10], [784, 6, 5, 10]):
            network = Network(sizes, seed=11)
            if network.has_bias:
                network.biases = [[0.3 - 0.1 * (j % 7) for j in range(len(b))] for b in network.biases]
            x = [((i * 37) % 101) / 100.0 if (i * 7) % 5 == 0 else 0.0 for i in range(784)]
            for digit in (0, 7):
                gradient = input_gradient(network, x, digit)
                for i in (0, 100, 406, 407, 783):
                    with self.subTest(sizes=sizes, digit=digit, pixel=i):
                        h = 1e-5
                        up, down = list(x), list(x)
                        up[i] += h
                        down[i] -= h
                        numeric = (z_of(network, up, digit) - z_of(network, down, digit)) / (2 * h)
                        self.assertAlmostEqual(gradient[i], numeric, delta=1e-6 * max(1.0, abs(numeric)))

    def test_without_hidden_layers_the_gradient_is_the_weight_row(self):
        network = Network([784, 10], seed=2)
        self.assertEqual(input_gradient(network, [0.0] * 784, 4), network.weights[0][4])


class Dreaming(unittest.TestCase):
    def test_the_chosen_output_rises_at_every_step_and_pixels_stay_in_range(self):
        for sizes in ([784, 20, 10], [784, 8, 8, 10]):
            network = Network(sizes, seed=5)
            for digit in (1, 6):
                with self.subTest(sizes=sizes, digit=digit):
                    result = dream(network, digit, steps=25)
                    self.assertGreater(len(result.values), 5)
                    self.assertEqual(result.values[0], z_of(network, [0.0] * 784, digit))
                    for before, after in zip(result.values, result.values[1:]):
                        self.assertGreater(after, before)
                    self.assertTrue(all(0.0 <= v <= 1.0 for v in result.image))
                    self.assertAlmostEqual(result.values[-1], z_of(network, result.image, digit), places=12)
                    # (Not checked: that digit is now the network's answer.  Raising
                    # z_k may raise another output more, in an untrained network.)

    def test_a_smooth_dream_rises_too(self):
        network = Network([784, 20, 10], seed=5)
        result = dream(network, 4, steps=10, smooth=True)
        self.assertGreater(len(result.values), 3)
        for before, after in zip(result.values, result.values[1:]):
            self.assertGreater(after, before)
        self.assertTrue(all(0.0 <= v <= 1.0 for v in result.image))

    def test_a_start_image_is_clipped_and_improved(self):
        network = Network([784, 12, 10], seed=6)
        start = [1.5 if i % 3 == 0 else -0.5 for i in range(784)]
        result = dream(network, 2, start=start, steps=5)
        self.assertEqual(result.values[0], z_of(network, [1.0 if i % 3 == 0 else 0.0 for i in range(784)], 2))
        self.assertGreater(result.values[-1], result.values[0])

    def test_a_bad_digit_is_refused(self):
        network = Network([784, 4, 10], seed=1)
        for digit in (-1, 10, "3"):
            with self.assertRaisesRegex(DreamError, "outputs are 0-9"):
                dream(network, digit)

    def test_backquery_of_a_bias_free_network(self):
        network = Network([784, 12, 10], bias=False, seed=3)
        image = backquery(network, 4)
        self.assertEqual(len(image), 784)
        self.assertEqual((min(image), max(image)), (0.0, 1.0))
        # One layer back by hand: hidden = squash(W_1^T logit(y)), then x = W_0^T logit(hidden).
        import math
        y = [0.99 if k == 4 else 0.01 for k in range(10)]
        back = [sum(network.weights[1][k][j] * math.log(y[k] / (1 - y[k])) for k in range(10)) for j in range(12)]
        low, high = min(back), max(back)
        hidden = [0.01 + 0.98 * (v - low) / (high - low) for v in back]
        x = [sum(network.weights[0][j][i] * math.log(hidden[j] / (1 - hidden[j])) for j in range(12))
             for i in range(784)]
        low, high = min(x), max(x)
        for i in (0, 400, 783):
            self.assertAlmostEqual(image[i], (x[i] - low) / (high - low), places=9)


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)
        self.model = os.path.join(self.folder, "m.json")
        save_model(Network([784, 8, 10], seed=9), self.model)

    def run_dream(self, *args):
        return subprocess.run([sys.executable, "-m", "nrnn.inside.dream"] + list(args), cwd=ROOT,
                              capture_output=True, text=True,
                              timeout=300)

    def test_a_dream_as_text_and_png(self):
        out = os.path.join(self.folder, "d.png")
        result = self.run_dream("3", "--model", self.model, "--steps", "5", "--png", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"dream 3: z_3 -?\d+\.\d\d -> -?\d+\.\d\d in \d steps")
        self.assertIn("+--------", result.stdout)
        with open(out, "rb") as handle:
            image = decode(handle.read())
        self.assertEqual((image.width, image.height), (224, 224))

    def test_all_ten_as_one_strip_and_backquery(self):
        out = os.path.join(self.folder, "all.png")
        result = self.run_dream("all", "--model", self.model, "--backquery", "--png", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.count("backquery "), 10)
        with open(out, "rb") as handle:
            image = decode(handle.read())
        self.assertEqual((image.width, image.height), (10 * 112 + 11 * 4, 112 + 8))

    def test_errors_are_one_line(self):
        cases = [
            (["x", "--model", self.model], 2, "'x' is not a digit 0-9"),
            (["12", "--model", self.model], 2, "'12' is not a digit 0-9"),
            (["3", "--model", os.path.join(self.folder, "missing.json")], 1, "missing.json"),
            (["3", "--model", self.model, "--steps", "1", "--png", os.path.join(self.folder, "no", "d.png")], 1,
             "cannot write the file"),
            (["3", "--model", self.model, "--start", os.path.join(self.folder, "none.png")], 1, "none.png"),
            (["3", "--model", self.model, "--steps", "0"], 2, "outside 1..10000"),
        ]
        for args, status, message in cases:
            with self.subTest(args=args):
                result = self.run_dream(*args)
                self.assertEqual(result.returncode, status, result.stderr)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertTrue(result.stderr.startswith("error: "))
                self.assertIn(message, result.stderr)

    @unittest.skipUnless(os.path.exists(SHIPPED_SMALL), "needs the shipped 784-16-16-10 model")
    def test_the_shipped_small_model_dreams_from_the_sample_digit(self):
        result = self.run_dream("3", "--model", SHIPPED_SMALL, "--steps", "3",
                                "--start", os.path.join(ROOT, "data", "handwriting.png"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("dream 3:", result.stdout)


if __name__ == "__main__":
    unittest.main()
