"""predict.py end to end, as a user runs it: a subprocess, its stdout, stderr
and exit status.

Two kinds of test:

* With temporary models (always run): a hand-built network whose answer is
  known on paper for any image (``known_inputs.known_network``), and a
  random one whose answer is recomputed in this process with
  ``nrnn.recognize``.  These check the output formats and options.
* With the shipped model, data/model.json.gz (skipped if it is missing):
  that it really reads digits, from data/handwriting.png, from the shared
  user-style PNGs (../shared/pngsuite/digits) and from real MNIST test
  digits re-saved the way a user would draw them (big, black on white).

Bad single inputs (missing files, corrupt PNGs, bad models, bad options) are
covered by test_cli_errors.py; here only the mix of good and bad images.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import nrnn
from nrnn import predict
from nrnn.image import png
from nrnn.image.gray import gray8
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from nrnn.recognition import load_recognizer, recognize, recognize_inputs
from tests.known_inputs import KNOWN_RANKING, bar_digit_png, known_network, seven_png
from tests.support import ROOT, requires_shared, run_predict, shared_path

PREDICT = os.path.join(ROOT, "predict.py")
SHIPPED_MODEL = os.path.join(ROOT, "data", "model.json.gz")
HANDWRITING = os.path.join(ROOT, "data", "handwriting.png")
requires_shipped_model = unittest.skipUnless(
    os.path.exists(SHIPPED_MODEL),
    "needs the shipped model %s (train one with train.py, see the README)" % SHIPPED_MODEL)

# The known network's line, worked out by hand: outputs 0.9 (digit 3),
# 0.75 (5), 0.5 (8) and 0.1 for the other seven sum to 2.85, so
# 0.9/2.85 = 31.6%, 0.75/2.85 = 26.3%, 0.5/2.85 = 17.5%.
KNOWN_LINE = ": 3 (31.6%)   runners-up: 5 (26.3%), 8 (17.5%)"
ANSWER_LINE = re.compile(r"^(?P<name>.+): (?P<digit>\d) \((?P<percent>\d+\.\d)%\)   "
                         r"runners-up: \d \(\d+\.\d%\), \d \(\d+\.\d%\)$")


def mnist_test_images(count):
    """The first ``count`` (784 bytes, label) of the shared MNIST test set,
    read straight from the IDX files (independent of nrnn.mnist.idx)."""
    with gzip.open(shared_path("mnist", "t10k-images-idx3-ubyte.gz"), "rb") as handle:
        magic, total, rows, columns = struct.unpack(">IIII", handle.read(16))
        assert (magic, rows, columns) == (2051, 28, 28) and total >= count
        images = [handle.read(784) for _ in range(count)]
    with gzip.open(shared_path("mnist", "t10k-labels-idx1-ubyte.gz"), "rb") as handle:
        magic, total = struct.unpack(">II", handle.read(8))
        assert magic == 2049 and total >= count
        labels = list(handle.read(count))
    return list(zip(images, labels))


def user_style_png(pixels: bytes, scale: int = 10) -> bytes:
    """An MNIST image as a user would draw it: each pixel a scale x scale
    square, black ink on white paper (255 - value)."""
    side = 28 * scale
    rows = []
    for y in range(28):
        row = bytes(255 - v for v in pixels[y * 28:(y + 1) * 28] for _ in range(scale))
        rows.extend([row] * scale)
    return png.encode_gray8(side, side, b"".join(rows))


class TempFolderTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-test-predict-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path, "wb") as handle:
            handle.write(data)
        return path


class PredictWithTempModelTest(TempFolderTest):
    def setUp(self):
        super().setUp()
        self.known_model = os.path.join(self.folder, "known.json")
        save_model(known_network(), self.known_model)
        self.random_network = Network([784, 10], seed=8)
        self.random_model = os.path.join(self.folder, "random.json.gz")
        save_model(self.random_network, self.random_model)
        self.seven = self.write("seven.png", seven_png())
        self.bar = self.write("bar.png", bar_digit_png())

    def test_one_image_prints_the_hand_worked_line(self):
        result = run_predict(self.seven, "--model", self.known_model)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertEqual(result.stdout, self.seven + KNOWN_LINE + "\n")

    def test_answer_matches_recognize_in_this_process(self):
        with open(self.seven, "rb") as handle:
            want = recognize(handle.read(), self.random_network)
        result = run_predict(self.seven, "--model", self.random_model)
        self.assertEqual(result.returncode, 0, result.stderr)
        match = ANSWER_LINE.match(result.stdout.rstrip("\n"))
        self.assertIsNotNone(match, result.stdout)
        self.assertEqual(match.group("name"), self.seven)
        self.assertEqual(int(match.group("digit")), want.digit)
        self.assertEqual(match.group("percent"), "%.1f" % (100 * want.confidence))

    def test_runs_from_another_directory_with_a_relative_image_path(self):
        result = run_predict("bar.png", "--model", self.known_model, cwd=self.folder)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "bar.png" + KNOWN_LINE + "\n")

    def test_json_has_every_field(self):
        with open(self.seven, "rb") as handle:
            want = recognize(handle.read(), self.random_network)
        result = run_predict(self.seven, self.bar, "--json", "--model", self.random_model)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        first, second = (json.loads(line) for line in lines)
        self.assertEqual(sorted(first), ["confidence", "digit", "file", "outputs", "probabilities", "ranking"])
        self.assertEqual(first["file"], self.seven)
        self.assertEqual(second["file"], self.bar)
        self.assertEqual(first["digit"], want.digit)
        self.assertEqual(first["ranking"], want.ranking)
        self.assertAlmostEqual(first["confidence"], want.confidence, places=6)
        for got, p in zip(first["probabilities"], want.probabilities):
            self.assertAlmostEqual(got, p, places=6)
        for got, a in zip(first["outputs"], want.outputs):
            self.assertAlmostEqual(got, a, places=6)
        self.assertAlmostEqual(sum(first["probabilities"]), 1.0, places=5)

    def test_json_with_the_known_model(self):
        result = run_predict(self.bar, "--json", "--model", self.known_model)
        answer = json.loads(result.stdout)
        self.assertEqual(answer["digit"], 3)
        self.assertEqual(answer["ranking"], KNOWN_RANKING)
        self.assertEqual(answer["confidence"], round(0.9 / 2.85, 6))

    def test_show_draws_the_input_the_network_saw(self):
        with open(self.bar, "rb") as handle:
            want = recognize(handle.read(), self.random_network)
        result = run_predict(self.bar, "--show", "--model", self.random_model)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1 + 30, result.stdout)
        self.assertTrue(ANSWER_LINE.match(lines[0]), lines[0])
        art = lines[1:]
        self.assertEqual(art[0], "+" + "-" * 56 + "+")
        self.assertEqual(art[-1], art[0])
        for y, line in enumerate(art[1:-1]):
            self.assertEqual(len(line), 58)
            for x in range(28):
                ink = want.inputs[y * 28 + x]
                cell = line[1 + 2 * x:3 + 2 * x]
                # Blank exactly where the network saw no ink, full where it saw full ink.
                if ink == 0.0:
                    self.assertEqual(cell, "  ", (x, y))
                elif ink == 1.0:
                    self.assertEqual(cell, "@@", (x, y))

    def test_save_input_writes_the_28x28_input(self):
        with open(self.seven, "rb") as handle:
            want = recognize(handle.read(), self.random_network)
        out = os.path.join(self.folder, "input.png")
        result = run_predict(self.seven, "--save-input", out, "--model", self.random_model)
        self.assertEqual(result.returncode, 0, result.stderr)
        image = png.read_png(out)
        self.assertEqual((image.width, image.height), (28, 28))
        self.assertEqual(list(gray8(image)), [int(v * 255 + 0.5) for v in want.inputs])
        # What was saved is what the network saw: reading it back gives the same digit.
        again = recognize_inputs([v / 255.0 for v in gray8(image)], self.random_network)
        self.assertEqual(again.digit, want.digit)

    def test_one_bad_image_among_good_ones(self):
        broken = self.write("broken.png", seven_png()[:70])
        result = run_predict(self.seven, broken, self.bar, "--model", self.known_model)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.splitlines(), [self.seven + KNOWN_LINE, self.bar + KNOWN_LINE])
        errors = result.stderr.splitlines()
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertTrue(errors[0].startswith("error: %s: " % broken), errors[0])
        self.assertNotIn("Traceback", result.stderr)

    def test_one_missing_image_among_good_ones_in_json(self):
        missing = os.path.join(self.folder, "missing.png")
        result = run_predict(missing, self.bar, "--json", "--model", self.known_model)
        self.assertEqual(result.returncode, 1)
        self.assertEqual([json.loads(line)["file"] for line in result.stdout.splitlines()], [self.bar])
        errors = result.stderr.splitlines()
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn(missing, errors[0])

    def test_help(self):
        result = run_predict("--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("usage: python predict.py"), result.stdout)
        for option in ("--model", "--show", "--json", "--save-input", "--mnist-index", "--data-dir", "--source",
                       "--quiet", "--version"):
            self.assertIn(option, result.stdout)

    def test_help_is_laid_out_as_argparse_lays_it_out(self):
        # OneLineParser tells argparse the terminal's width itself (argparse
        # would import shutil for it): the same help at every width.
        for columns in ("", "50", "80", "123"):
            with self.subTest(columns=columns), mock.patch.dict(os.environ, {"COLUMNS": columns}):
                parser = predict._parser()
                ours = parser.format_help()
                parser.formatter_class = argparse.HelpFormatter
                self.assertEqual(ours, parser.format_help())

    def test_version_and_the_nrnn_command(self):
        result = run_predict("--version")
        self.assertEqual((result.returncode, result.stdout), (0, "nrnn %s\n" % nrnn.__version__))
        # python -m nrnn predict, from another folder, answers as predict.py does.
        env = dict(os.environ, PYTHONPATH=ROOT)
        result = subprocess.run([sys.executable, "-m", "nrnn", "predict", "--json", HANDWRITING],
                                cwd=self.folder, env=env, capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["file"], HANDWRITING)
        result = subprocess.run([sys.executable, "-m", "nrnn", "predict", "--no-such-option"], cwd=self.folder,
                                env=env, capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("(see: python -m nrnn predict --help)", result.stderr)


class PredictKeepsItsPromiseTest(TempFolderTest):
    """Issue 15: what used to end in a traceback is one line, or nothing."""

    def setUp(self):
        super().setUp()
        self.model = os.path.join(self.folder, "random.json")
        save_model(Network([784, 10], seed=8), self.model)
        self.bar = self.write("bar.png", bar_digit_png())

    def test_output_closed_early_is_quiet(self):
        # python predict.py ... | head -1
        process = subprocess.Popen([sys.executable, PREDICT, "--model", self.model] + [self.bar] * 200,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()  # what head does after its line
        err = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        process.wait(300)
        self.assertTrue(first.startswith(os.fsencode(self.bar) + b": "), first)
        self.assertEqual(err, "")
        self.assertEqual(process.returncode, 141)

    @unittest.skipIf(sys.platform == "win32" or sys.platform == "darwin",
                     "needs a file system that takes any bytes in a name")
    def test_a_file_name_that_is_not_utf8(self):
        odd = os.path.join(os.fsencode(self.folder), b"caf\xe9.png")
        with open(odd, "wb") as handle:
            handle.write(bar_digit_png())
        missing = os.path.join(os.fsencode(self.folder), b"gone\xff.png")
        environment = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
        for option in ([], ["--json"]):
            result = subprocess.run([sys.executable, PREDICT, "--model", self.model] + option
                                    + [odd, missing, self.bar], capture_output=True,
                                    env=environment, timeout=300)
            out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
            self.assertNotIn("Traceback", err)
            self.assertEqual(result.returncode, 1, err)  # the missing one failed...
            lines = out.splitlines()
            self.assertEqual(len(lines), 2, out)  # ...and both others were answered
            shown = (json.loads(lines[0])["file"] if option else lines[0].split(": ")[0])
            self.assertTrue(shown.endswith("caf\\xe9.png"), shown)
            self.assertEqual(err.count("\n"), 1, err)
            self.assertIn("gone\\xff.png: cannot read file", err)

    def test_an_endless_or_huge_input_is_refused_before_reading(self):
        huge = os.path.join(self.folder, "huge.png")
        with open(huge, "wb") as handle:
            handle.truncate(3 * 1024 ** 3)  # sparse: no disk used
        inputs = [huge] + (["/dev/zero"] if os.path.exists("/dev/zero") else [])
        result = run_predict("--model", self.model, *(inputs + [self.bar]))
        self.assertEqual(result.returncode, 1)
        errors = result.stderr.splitlines()
        self.assertEqual(len(errors), len(inputs), errors)
        for path, line in zip(inputs, errors):
            self.assertTrue(line.startswith("error: %s: " % path), line)
            self.assertIn("MAX_FILE_BYTES", line)
        self.assertEqual(len(result.stdout.splitlines()), 1)  # the good one is answered


@requires_shipped_model
class ShippedModelTest(TempFolderTest):
    """The model we ship must read digits, not just run."""

    @classmethod
    def setUpClass(cls):
        cls.network = load_recognizer(SHIPPED_MODEL)

    def test_handwriting_png_is_a_3(self):
        result = run_predict("data/handwriting.png")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("data/handwriting.png: 3 ("), result.stdout)

    def test_default_model_is_found_beside_the_script_from_another_directory(self):
        shutil.copy(HANDWRITING, os.path.join(self.folder, "digit.png"))
        result = run_predict("digit.png", "--json", cwd=self.folder)  # no --model
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["digit"], 3)

    @requires_shared("pngsuite", "digits", "manifest.json")
    def test_user_style_digits(self):
        with open(shared_path("pngsuite", "digits", "manifest.json")) as handle:
            manifest = json.load(handle)["images"]
        paths = [shared_path("pngsuite", "digits", entry["name"]) for entry in manifest]
        result = run_predict("--json", *paths)
        self.assertEqual(result.returncode, 0, result.stderr)
        answers = {os.path.basename(json.loads(line)["file"]): json.loads(line)["digit"]
                   for line in result.stdout.splitlines()}
        misses = ["%s: label %d, read %s" % (e["name"], e["label"], answers.get(e["name"]))
                  for e in manifest if answers.get(e["name"]) != e["label"]]
        right = len(manifest) - len(misses)
        self.assertGreaterEqual(right, len(manifest) - 1,
                                "%d of %d user-style digits right; misses: %s"
                                % (right, len(manifest), "; ".join(misses)))

    @requires_shared("mnist", "t10k-images-idx3-ubyte.gz")
    def test_mnist_digits_redrawn_big_black_on_white_read_as_the_originals(self):
        samples = mnist_test_images(20)
        paths = []
        originals = []
        for index, (pixels, _label) in enumerate(samples):
            paths.append(self.write("mnist-%02d.png" % index, user_style_png(pixels)))
            originals.append(recognize_inputs([v / 255.0 for v in pixels], self.network).digit)
        result = run_predict("--json", *paths)
        self.assertEqual(result.returncode, 0, result.stderr)
        redrawn = [json.loads(line)["digit"] for line in result.stdout.splitlines()]
        self.assertEqual(len(redrawn), 20, result.stdout)
        differ = ["#%d: 28x28 %d, 280x280 %d (label %d)" % (i, originals[i], redrawn[i], samples[i][1])
                  for i in range(20) if originals[i] != redrawn[i]]
        self.assertLessEqual(len(differ), 1, "%d of 20 read differently: %s" % (len(differ), "; ".join(differ)))
        # And the originals themselves are read right (the model is 98% accurate).
        right = sum(digit == label for digit, (_, label) in zip(originals, samples))
        self.assertGreaterEqual(right, 19, "only %d of the first 20 MNIST test digits right" % right)

    @requires_shared("mnist", "t10k-images-idx3-ubyte.gz")
    def test_mnist_index_fetches_converts_and_labels(self):
        data_dir = os.path.join(self.folder, "data")
        result = run_predict("--mnist-index", "0", "--data-dir", data_dir, "--source", shared_path("mnist"))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith("MNIST test #0: label 7, predicted 7 ("), lines[0])
        self.assertIn(", right   runners-up: ", lines[0])
        self.assertEqual(len(lines), 1 + 30)  # the label line, then the art
        self.assertTrue(os.path.exists(os.path.join(data_dir, "mnist_test.csv")))
        # Only the test set was fetched and converted, and the folder was named.
        self.assertFalse(os.path.exists(os.path.join(data_dir, "mnist_train.csv")))
        self.assertEqual(sorted(os.listdir(os.path.join(data_dir, "mnist"))),
                         ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
        self.assertIn("data folder %s" % data_dir, result.stderr)
        # -q: no notes, only the answer.
        result = run_predict("--mnist-index", "1", "--data-dir", os.path.join(self.folder, "quiet"), "-q",
                             "--source", shared_path("mnist"))
        self.assertEqual((result.returncode, result.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
