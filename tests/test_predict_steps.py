"""predict.py --show-steps and --save-steps: every stage of the preparation,
as text and as PNG files that decode back to the stage's values."""

import os
import shutil
import tempfile
import unittest

from nrnn.image import png, preprocess
from nrnn.image.gray import gray8
from nrnn.net.model_file import save_model
from tests import photos
from tests.known_inputs import known_network
from tests.support import run_predict


class Steps(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-test-steps-")
        self.model = os.path.join(self.folder, "known.json")
        save_model(known_network(), self.model)
        image = photos.photo(4)
        self.image = image
        self.path = os.path.join(self.folder, "shadowed.png")
        with open(self.path, "wb") as handle:
            handle.write(png.encode_gray8(image.width, image.height, gray8(image)))

    def tearDown(self):
        shutil.rmtree(self.folder)

    def stages(self):
        return preprocess.prepare_stages(png.read_png(self.path))

    def test_show_steps_draws_every_stage(self):
        result = run_predict(self.path, "--model", self.model, "--show-steps")
        self.assertEqual(result.returncode, 0, result.stderr)
        stages = self.stages()
        for number, (name, width, height, _) in enumerate(stages, 1):
            self.assertIn("step %d: %s, %d x %d" % (number, name, width, height), result.stdout)
        # Each drawing fits 28 pixels a side: 56 characters and a frame.
        widest = max(len(line) for line in result.stdout.splitlines() if line.startswith("|"))
        self.assertEqual(widest, 58)

    def test_save_steps_writes_one_png_per_stage(self):
        folder = os.path.join(self.folder, "steps")
        result = run_predict(self.path, "--model", self.model, "--save-steps", folder)
        self.assertEqual(result.returncode, 0, result.stderr)
        stages = self.stages()
        names = sorted(os.listdir(folder))
        self.assertEqual(len(names), len(stages))
        self.assertEqual(names[0], "shadowed-01-brightness.png")
        self.assertEqual(names[-1], "shadowed-%02d-input-28x28.png" % len(stages))
        for file_name, (name, width, height, values) in zip(names, stages):
            image = png.read_png(os.path.join(folder, file_name))
            self.assertEqual((image.width, image.height), (width, height), name)
            self.assertEqual(list(gray8(image)), [int(v * 255 + 0.5) for v in values], name)

    def test_show_steps_refuses_json(self):
        result = run_predict(self.path, "--model", self.model, "--show-steps", "--json")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--show-steps", result.stderr)


if __name__ == "__main__":
    unittest.main()
