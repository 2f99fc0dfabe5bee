"""Tests for nrnn/image/deskew.py: a sheared bar stands upright; moments against
hand-computed values; images without a slant, or without ink, are left alone.
And the model that says it was trained on deskewed images (metadata
"deskew": true, model_file.deskews) gets deskewed inputs in recognition."""

import json
import os
import tempfile
import unittest

from nrnn.errors import ModelFileError
from nrnn.image.deskew import deskew, moments, slant
from nrnn.net.model_file import deskews, load_model, save_model
from nrnn.net.network import Network
from nrnn.net.prng import PCG32
from nrnn.recognition import recognize_inputs
from nrnn.train.augment import affine


def bar(column=13, width=2, top=5, bottom=23):
    return [1.0 if column <= c < column + width and top <= r < bottom else 0.0
            for r in range(28) for c in range(28)]


def row_centres(pixels):
    """Centre column of the ink of every row that has ink."""
    centres = []
    for r in range(28):
        row = pixels[28 * r:28 * r + 28]
        if sum(row) > 1e-9:
            centres.append(sum(c * v for c, v in enumerate(row)) / sum(row))
    return centres


class DeskewTest(unittest.TestCase):
    def test_a_sheared_bar_stands_upright(self):
        upright = bar()
        for shear in (0.5, -0.3, 0.25):
            with self.subTest(shear=shear):
                leaning = affine(upright, shear=shear)
                centres = row_centres(leaning)
                self.assertGreater(max(centres) - min(centres), 4.0)  # it really leans
                self.assertAlmostEqual(slant(leaning), shear, delta=0.02)
                straight = deskew(leaning)
                centres = row_centres(straight)
                self.assertLess(max(centres) - min(centres), 0.3)
                self.assertAlmostEqual(slant(straight), 0.0, delta=1e-9)
                self.assertAlmostEqual(sum(straight), sum(leaning), delta=0.05 * sum(leaning))

    def test_moments_by_hand(self):
        # Two pixels: (x=10, y=4) weight 1 and (x=12, y=8) weight 3.
        image = [0.0] * 784
        image[28 * 4 + 10] = 1.0
        image[28 * 8 + 12] = 3.0
        mass, x_bar, y_bar, var_y, cov_xy = moments(image)
        self.assertEqual((mass, x_bar, y_bar), (4.0, 11.5, 7.0))
        self.assertEqual(var_y, (1 * 9 + 3 * 1) / 4)                   # 3.0
        self.assertEqual(cov_xy, (1 * (-1.5) * (-3) + 3 * 0.5 * 1) / 4)  # 1.5
        self.assertEqual(slant(image), 0.5)

    def test_upright_symmetric_image_is_unchanged(self):
        image = bar()
        self.assertEqual(slant(image), 0.0)
        self.assertEqual(deskew(image), image)

    def test_the_centre_of_mass_stays(self):
        leaning = affine(bar(), shear=0.4)
        _, x0, y0, _, _ = moments(leaning)
        _, x1, y1, _, _ = moments(deskew(leaning))
        self.assertAlmostEqual(x0, x1, delta=0.05)
        self.assertAlmostEqual(y0, y1, places=9)

    def test_degenerate_images_come_back_as_copies(self):
        blank = [0.0] * 784
        self.assertEqual(deskew(blank), blank)
        self.assertIsNot(deskew(blank), blank)
        one_row = [1.0 if r == 14 and 5 < c < 20 else 0.0 for r in range(28) for c in range(28)]
        self.assertEqual(deskew(one_row), one_row)

    def test_output_shape_and_input_untouched(self):
        rng = PCG32(3)
        image = [rng.uniform() for _ in range(784)]
        before = list(image)
        out = deskew(image)
        self.assertEqual(len(out), 784)
        self.assertEqual(image, before)
        self.assertTrue(all(0.0 <= v <= 1.0 for v in out))


class DeskewedModelTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = os.path.join(directory.name, "m.json")

    def saved(self, metadata):
        network = Network([784, 5, 10], seed=4)
        network.metadata = metadata
        save_model(network, self.path)
        return load_model(self.path)

    def test_recognition_deskews_for_a_deskewed_model_only(self):
        leaning = affine(bar(), shear=0.4)
        plain = self.saved({})
        self.assertFalse(deskews(plain))
        answer = recognize_inputs(leaning, plain, looks=1)
        self.assertEqual(answer.inputs, leaning)
        self.assertEqual(answer.outputs, plain.feedforward(leaning))
        model = self.saved({"deskew": True})
        self.assertTrue(deskews(model))
        answer = recognize_inputs(leaning, model, looks=1)
        self.assertEqual(answer.inputs, deskew(leaning))   # what the network saw
        self.assertEqual(answer.outputs, model.feedforward(deskew(leaning)))

    def test_a_non_boolean_deskew_field_is_refused(self):
        self.saved({})
        with open(self.path) as handle:
            document = json.load(handle)
        document["metadata"] = {"deskew": "yes"}
        with open(self.path, "w") as handle:
            json.dump(document, handle)
        with self.assertRaisesRegex(ModelFileError, r"m\.json: field 'metadata.deskew' must be true or false"):
            load_model(self.path)


if __name__ == "__main__":
    unittest.main()
