"""Tests for train.py and nrnn/train/session.py: the command a person runs, end to end.

Each run trains a tiny network on a few hundred synthetic digits written as
mnist_train.csv / mnist_test.csv into a temporary --data-dir, so nothing is
downloaded and every run takes a fraction of a second.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from dataclasses import fields
from unittest import mock

from nrnn.net.model_file import load_model
from nrnn.train import command
from nrnn.train.config import TrainingConfig, flag
from nrnn.train.training import Trainer
from tests.support import ROOT
from tests.support import SMALL_TRAINING as SMALL
from tests.support import run_train as run_main
from tests.synthetic_digits import as_floats, synthetic_samples, write_data_dir


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


class TrainCommandTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = directory.name
        self.data = os.path.join(self.dir, "data")
        write_data_dir(self.data)

    def path(self, name):
        return os.path.join(self.dir, name)

    def train(self, *extra, model="model.json"):
        return run_main(SMALL + ["--data-dir", self.data, "--model", self.path(model)] + list(extra))

    def test_trains_saves_reports_and_the_model_predicts(self):
        status, out, err = self.train()
        self.assertEqual(status, 0, err)
        network = load_model(self.path("model.json"))
        test = as_floats(synthetic_samples(100, seed=1000))
        accuracy = sum(network.classify(x) == label for x, label in test) / len(test)
        self.assertGreaterEqual(accuracy, 0.9)
        meta = network.metadata
        self.assertEqual(meta["test_accuracy"], accuracy)
        self.assertEqual((meta["epochs"], meta["finished"], meta["training_samples"]), (2, True, 300))
        self.assertIn("--layers 784,8,10", meta["command"])
        # The report: per-epoch lines, the confusion matrix, per digit, where things went.
        self.assertIn("epoch 2/2  test accuracy", out)
        self.assertIn("true \\ predicted", out)
        self.assertIn("digit 9", out)
        self.assertIn("saved model: %s (test accuracy %.2f%%" % (self.path("model.json"), 100 * accuracy), out)
        self.assertIn("epoch 1/2  300 / 300 samples", err)  # the progress line
        # History and chart beside the model.
        with open(self.path("model.history.json")) as handle:
            history = json.load(handle)
        self.assertEqual([e["epoch"] for e in history["epochs"]], [1, 2])
        self.assertEqual(history["runs"][-1]["status"], "finished")
        self.assertEqual(sum(map(sum, history["final_test"]["confusion"])), 100)
        svg = ET.parse(self.path("model.history.svg")).getroot()
        circles = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle")
                   if c.get("class") == "point test-accuracy"]
        self.assertEqual(len(circles), 2)

    def test_same_seed_same_model_file(self):
        self.assertEqual(self.train(model="a.json")[0], 0)
        self.assertEqual(self.train(model="b.json")[0], 0)
        self.assertEqual(read(self.path("a.json")), read(self.path("b.json")))
        self.assertEqual(self.train("--seed", "4", model="c.json")[0], 0)
        self.assertNotEqual(read(self.path("a.json")), read(self.path("c.json")))

    def test_ctrl_c_then_resume_gives_the_same_file(self):
        self.assertEqual(self.train(model="whole.json")[0], 0)
        count = [0]

        def after_step(trainer):
            count[0] += 1
            if count[0] == 130:  # epoch 2 (100 steps an epoch), mid-way
                raise KeyboardInterrupt
        with mock.patch.object(Trainer, "after_step", after_step):
            status, out, err = self.train(model="cut.json")
        self.assertEqual(status, 130)
        self.assertIn("interrupted in epoch 2/2 after 90 of 300 samples", err)
        self.assertIn("--resume %s" % self.path("cut.json"), err)
        self.assertNotIn("Traceback", err)
        with open(self.path("cut.history.json")) as handle:
            self.assertEqual(json.load(handle)["runs"][-1]["status"], "interrupted")
        # Starting afresh over the checkpoint is refused; resuming finishes the job.
        status, _, err = self.train(model="cut.json")
        self.assertEqual(status, 1)
        self.assertIn("--resume", err)
        status, out, err = run_main(["--resume", self.path("cut.json"), "--data-dir", self.data, "-q"])
        self.assertEqual(status, 0, err)
        self.assertEqual(read(self.path("cut.json")), read(self.path("whole.json")))
        with open(self.path("cut.history.json")) as handle:
            runs = json.load(handle)["runs"]
        self.assertEqual([r["status"] for r in runs], ["interrupted", "finished"])

    def test_resume_to_train_further_and_its_limits(self):
        self.assertEqual(self.train("--epochs", "1", model="m.json")[0], 0)
        resume = ["--resume", self.path("m.json"), "--data-dir", self.data, "-q"]
        status, _, err = run_main(resume)
        self.assertEqual(status, 1)
        self.assertIn("already completed 1 epoch", err)
        status, _, err = run_main(resume + ["--learning-rate", "0.1", "--epochs", "2"])
        self.assertEqual(status, 1)
        self.assertIn("--learning-rate 0.5", err)
        status, _, err = run_main(resume + ["--learning-rate", "0.5", "--epochs", "2"])  # same value: fine
        self.assertEqual(status, 0, err)
        self.assertEqual(read(self.path("m.json")), read(self.path("m.json")))
        self.assertEqual(self.train(model="two.json")[0], 0)
        self.assertEqual(read(self.path("m.json")), read(self.path("two.json")))

    def test_existing_model_is_not_overwritten_without_asking(self):
        self.assertEqual(self.train("--epochs", "1")[0], 0)
        before = read(self.path("model.json"))
        status, out, err = self.train("--seed", "9")
        self.assertEqual(status, 1)
        self.assertEqual(err.count("\n"), 1)
        self.assertIn("already exists", err)
        self.assertEqual(read(self.path("model.json")), before)
        status, _, err = self.train("--seed", "9", "--overwrite")
        self.assertEqual(status, 0, err)
        self.assertNotEqual(read(self.path("model.json")), before)

    def test_quiet_prints_where_the_model_went_and_how_to_use_it(self):
        status, out, err = self.train("-q")
        self.assertEqual(status, 0)
        self.assertEqual(out.count("\n"), 2)
        saved, use = out.splitlines()
        self.assertTrue(saved.startswith("saved model: "))
        # train.py points at predict.py, with the new model, not the shipped one.
        self.assertRegex(use, r"^use it: +\S+ predict\.py --model %s IMAGE$" % re.escape(self.path("model.json")))
        self.assertEqual(err, "")

    def test_the_use_line_names_the_command_that_trained(self):
        status, out, _ = run_main(SMALL + ["--data-dir", self.data, "--model", self.path("m.json"), "-q"],
                                  prog="nrnn train")
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines()[-1], "use it:      nrnn predict --model %s IMAGE" % self.path("m.json"))

    def test_dry_run_trains_a_few_batches_and_saves_nothing(self):
        status, out, err = self.train("--dry-run", "--batch-size", "3")
        self.assertEqual(status, 0, err)
        self.assertIn("dry run: 30 samples trained, 100 tested", out)
        self.assertEqual(os.listdir(self.dir), ["data"])
        status, _, err = self.train("--dry-run", "--resume", self.path("model.json"))
        self.assertEqual(status, 2)
        self.assertIn("--dry-run", err)

    def test_lr_is_the_learning_rate(self):
        self.assertEqual(command.build_parser().parse_args(["--lr", "0.5"]).learning_rate, 0.5)
        self.assertEqual(command.build_parser().parse_args(["--learning-rate", "0.5"]).learning_rate, 0.5)

    def test_every_option_has_its_flag_in_the_parser_and_the_command_reads_back(self):
        # config.flag is the one place that names the flags: the parser must
        # have each, and a config's command() must parse back to that config.
        parser = command.build_parser()
        for option in fields(TrainingConfig):
            with self.subTest(option=option.name):
                action = parser._option_string_actions.get(flag(option.name))
                self.assertIsNotNone(action, flag(option.name))
                self.assertEqual(action.dest, option.name)
        config = TrainingConfig(sizes=[784, 20, 10], bias=False, cost="quadratic", learning_rate=0.25,
                                learning_rate_decay=0.9, batch_size=4, epochs=3, seed=7, limit=500,
                                shuffle_buffer=20, weight_decay=1.5, augment=1, augment_rotate=10.0,
                                augment_scale=0.1, augment_shear=0.2, augment_elastic=3.0,
                                augment_elastic_sigma=5.0, augment_thickness=0.3, deskew=True,
                                drawn_styles=0.05, augment_pen=0.25, init="unit")
        args = parser.parse_args(config.command().split()[2:])
        self.assertEqual(TrainingConfig(**{option.name: getattr(args, option.name) for option in fields(config)}),
                         config)

    def test_data_errors_are_one_line(self):
        with open(os.path.join(self.data, "mnist_train.csv"), "a") as handle:
            handle.write("5,1,2,3\n")
        status, out, err = self.train("-q")
        self.assertEqual(status, 1)
        self.assertRegex(err, r"^error: .*mnist_train.csv line 301.*\n$")
        status, _, err = self.train("-q", "--skip-bad", "--overwrite")
        self.assertEqual(status, 0, err)
        self.assertIn("skipped 1 malformed line in each epoch", err)
        self.assertEqual(load_model(self.path("model.json")).metadata["training_samples"], 300)

    def test_bad_options_give_one_line_errors(self):
        cases = [
            (["--epochs", "0"], "--epochs"),
            (["--epochs", "x"], "--epochs"),
            (["--layers", "784,x,10"], "--layers"),
            (["--layers", "100,10"], "must start with 784"),
            (["--layers", "784,0,10"], "positive"),
            (["--cost", "hinge"], "--cost"),
            (["--learning-rate", "-1"], "learning rate"),
            (["--learning-rate-decay", "2"], "learning rate decay"),
            (["--batch-size", "0"], "--batch-size"),
            (["--augment", "30"], "augment"),
            (["--augment-rotate", "100"], "augment-rotate"),
            (["--augment-rotate", "x"], "--augment-rotate"),
            (["--augment-scale", "0.9"], "augment-scale"),
            (["--augment-shear", "-0.1"], "augment-shear"),
            (["--augment-elastic", "nan"], "augment-elastic"),
            (["--augment-elastic-sigma", "0"], "augment-elastic-sigma"),
            (["--augment-thickness", "2"], "augment-thickness"),
            (["--augment-pen", "1.5"], "augment-pen"),
            (["--bogus"], "unrecognized"),
            (["--resume", "/nonexistent/model.json"], "nonexistent"),
        ]
        for argv, message in cases:
            with self.subTest(argv=argv):
                status, out, err = run_main(argv + ["--data-dir", self.data, "--model", self.path("x.json")])
                self.assertNotEqual(status, 0)
                self.assertTrue(err.startswith("error: "), err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn(message, err)
        self.assertFalse(os.path.exists(self.path("x.json")))

    def test_distortions_and_deskew_are_recorded_and_resume_exactly(self):
        # 60 samples (20 steps an epoch): the distortions cost milliseconds an image on CPython.
        distort = ["--augment", "2", "--augment-rotate", "12", "--augment-scale", "0.1",
                   "--augment-shear", "0.15", "--augment-elastic", "6", "--augment-elastic-sigma", "2",
                   "--augment-thickness", "0.4", "--augment-pen", "0.5", "--deskew", "--limit", "60"]
        status, _, err = self.train(*distort, model="whole.json")
        self.assertEqual(status, 0, err)
        meta = load_model(self.path("whole.json")).metadata
        self.assertIs(meta["deskew"], True)
        for given in ("--augment 2", "--augment-rotate 12.0", "--augment-scale 0.1", "--augment-shear 0.15",
                     "--augment-elastic 6.0", "--augment-elastic-sigma 2.0", "--augment-thickness 0.4",
                     "--augment-pen 0.5", "--deskew"):
            self.assertIn(given, meta["command"])
        config = meta["training"]["config"]
        self.assertEqual((config["augment_rotate"], config["augment_thickness"], config["deskew"]),
                         (12.0, 0.4, True))
        count = [0]

        def after_step(trainer):
            count[0] += 1
            if count[0] == 27:  # epoch 2, mid-way
                raise KeyboardInterrupt
        with mock.patch.object(Trainer, "after_step", after_step):
            status, _, err = self.train(*distort, model="cut.json")
        self.assertEqual(status, 130, err)
        self.assertIn("interrupted in epoch 2/2 after 21 of 60 samples", err)
        resume = ["--resume", self.path("cut.json"), "--data-dir", self.data, "-q"]
        status, _, err = run_main(resume + ["--augment-rotate", "5"])
        self.assertEqual(status, 1)
        self.assertIn("--augment-rotate 12.0", err)
        status, _, err = run_main(resume)
        self.assertEqual(status, 0, err)
        self.assertEqual(read(self.path("cut.json")), read(self.path("whole.json")))
        # --deskew cannot be switched off (or on) when resuming either.
        self.assertEqual(self.train("--epochs", "1", model="plain.json")[0], 0)
        status, _, err = run_main(["--resume", self.path("plain.json"), "--data-dir", self.data,
                                   "--deskew", "--epochs", "2"])
        self.assertEqual(status, 1)
        self.assertIn("without --deskew", err)

    def test_resuming_a_model_not_made_by_train_py(self):
        from nrnn.net.model_file import save_model
        from nrnn.net.network import Network
        save_model(Network([784, 3, 10]), self.path("plain.json"))
        status, _, err = run_main(["--resume", self.path("plain.json"), "--data-dir", self.data])
        self.assertEqual(status, 1)
        self.assertIn("no training state", err)


class ProcessTest(unittest.TestCase):
    """The real program in a real process: --help and a bad option."""

    def run_train(self, *argv):
        return subprocess.run([sys.executable, os.path.join(ROOT, "train.py")] + list(argv),
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    def test_help(self):
        result = self.run_train("--help")
        self.assertEqual(result.returncode, 0)
        for option in ("--layers", "--no-bias", "--cost", "--learning-rate", "--batch-size", "--epochs",
                       "--seed", "--limit", "--model", "--resume", "--data-dir", "--source",
                       "--shuffle-buffer", "--quiet", "--weight-decay", "--learning-rate-decay", "--augment",
                       "--augment-rotate", "--augment-scale", "--augment-shear", "--augment-elastic",
                       "--augment-elastic-sigma", "--augment-thickness", "--deskew", "--lr", "--dry-run",
                       "-q", "--version"):
            self.assertIn(option, result.stdout)
        self.assertIn("784,100,10", result.stdout)

    def test_help_and_readme_agree_on_the_figures(self):
        help_text = " ".join(self.run_train("--help").stdout.split())
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
            readme = handle.read()
        training = " ".join(readme[readme.index("## Training your own network"):
                                   readme.index("## Getting MNIST")].split())
        for figure in ("about 94.7%", "about 92%", "about 2 minutes on CPython", "10-15x faster",
                       "models/model.json", "data/model.json.gz", "784,100,10"):
            with self.subTest(figure=figure):
                self.assertIn(figure, help_text)
                self.assertIn(figure, training)
        self.assertNotIn("data/model.json ", help_text)  # the shipped file is data/model.json.gz

    def test_bad_option_is_one_line_without_traceback(self):
        result = self.run_train("--epochs", "-3")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.count("\n"), 1)
        self.assertTrue(result.stderr.startswith("error: argument --epochs"))

    def test_a_run_on_data_at_hand_imports_no_network_modules(self):
        # urllib, http, ssl and hashlib are for fetching MNIST; imported by a
        # run that has its CSV files they cost ~12 MB of a PyPy process
        # (xml.sax.saxutils, say, imports urllib.request).
        with tempfile.TemporaryDirectory() as directory:
            data = os.path.join(directory, "data")
            write_data_dir(data, train=30, test=10)
            code = ("import sys; from nrnn.train import command; status = command.main(sys.argv[1:]); "
                    "print(status, sorted(set(sys.modules) & {'urllib.request', 'http.client', 'ssl', "
                    "'hashlib', 'email.message', 'xml.sax'}))")
            result = subprocess.run([sys.executable, "-c", code, "--layers", "784,4,10", "-q",
                                     "--data-dir", data, "--model", os.path.join(directory, "m.json")],
                                    cwd=ROOT, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.stdout.splitlines()[-1], "0 []", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
