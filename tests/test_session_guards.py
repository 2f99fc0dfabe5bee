"""Training never gives a silently wrong result (issue 15).

* A CSV that is a pipe (``ln -s /dev/stdin data/mnist_train.csv``) used to
  be counted (consuming it), then "trained" on nothing, exit 0: now refused.
* An epoch that reads fewer samples than were counted stops with an error.
* The overwrite guard is atomic: a run whose model file appears between the
  first check and the first save (another run started at the same moment
  with the same ``--model``) stops and leaves that file alone; two real
  ``train.py`` runs started together: exactly one saves.

And (issue 16) the test set is held in memory only when a later epoch of
the run reads it again: a one-epoch run streams it.
"""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from nrnn.errors import DataError, UsageError
from nrnn.mnist.mnist_csv import write_samples
from nrnn.train import session
from tests.support import ROOT

TRAIN = os.path.join(ROOT, "train.py")


def samples(count):
    return [(bytes((i * 7 + k) % 256 if k % 5 == 0 else 0 for k in range(784)), i % 10) for i in range(count)]


class GuardTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-guards-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.data_dir = os.path.join(self.folder, "data")
        os.makedirs(self.data_dir)
        write_samples(os.path.join(self.data_dir, "mnist_train.csv"), samples(12))
        write_samples(os.path.join(self.data_dir, "mnist_test.csv"), samples(4))
        self.model = os.path.join(self.folder, "m.json")

    def train(self, config=None, **options):
        arguments = dict(epochs=1, model_path=self.model, data_dir=self.data_dir, quiet=True,
                         argv=["train.py"], stdout=io.StringIO(), stderr=io.StringIO())
        arguments.update(options)
        return session.run(dict({"sizes": [784, 4, 10], "seed": 1}, **(config or {})), **arguments)

    def test_the_test_set_is_held_only_for_a_later_epoch(self):
        for epochs, held in ((1, 0), (2, 1)):
            with mock.patch.object(session, "ReadOnce", wraps=session.ReadOnce) as read_once:
                status = self.train(epochs=epochs, model_path=os.path.join(self.folder, "m%d.json" % epochs))
            self.assertEqual(status, 0)
            self.assertEqual(read_once.call_count, held, "%d epoch(s)" % epochs)

    def test_a_training_csv_that_is_a_pipe_is_refused(self):
        if not hasattr(os, "mkfifo"):
            self.skipTest("no named pipes here")
        train = os.path.join(self.data_dir, "mnist_train.csv")
        os.unlink(train)
        os.mkfifo(train)  # opening it would block: it must not even be opened
        with self.assertRaises(UsageError) as caught:
            self.train()
        self.assertIn("not a regular file", str(caught.exception))
        self.assertIn(train, str(caught.exception))
        self.assertFalse(os.path.exists(self.model))

    @unittest.skipUnless(os.path.exists("/dev/stdin") and sys.platform.startswith("linux"), "needs /dev/stdin")
    def test_the_reproduction_with_dev_stdin(self):
        # ln -s /dev/stdin data/mnist_train.csv; a CSV piped in.
        train = os.path.join(self.data_dir, "mnist_train.csv")
        with open(train, "rb") as handle:
            text = handle.read()
        os.unlink(train)
        os.symlink("/dev/stdin", train)
        result = subprocess.run([sys.executable, TRAIN, "--layers", "784,4,10", "--data-dir", self.data_dir,
                                 "--model", self.model, "-q"], input=text, cwd=self.folder,
                                capture_output=True, timeout=300,
                                env=dict(os.environ, PYTHONPATH=ROOT))
        err = result.stderr.decode()
        self.assertEqual(result.returncode, 1, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("not a regular file", err)
        self.assertNotIn(b"saved", result.stdout)

    def test_an_epoch_shorter_than_counted_stops(self):
        real = session.count_samples
        with mock.patch("nrnn.train.session.count_samples", lambda path: real(path) + 3):
            with self.assertRaises(DataError) as caught:
                self.train()
        self.assertIn("read 12 samples, but 15 were counted", str(caught.exception))

    def test_the_limit_is_not_a_short_epoch(self):
        self.assertEqual(self.train({"limit": 5}), 0)

    def test_a_model_file_appearing_after_the_check_is_not_replaced(self):
        real = session.ensure_csv

        def meanwhile(*args, **kwargs):  # another run saves its first checkpoint now
            with open(self.model, "w") as handle:
                handle.write("the other run's model")
            return real(*args, **kwargs)

        with mock.patch("nrnn.train.session.ensure_csv", meanwhile):
            with self.assertRaises(UsageError) as caught:
                self.train()
        self.assertIn("already exists", str(caught.exception))
        with open(self.model) as handle:
            self.assertEqual(handle.read(), "the other run's model")
        self.assertEqual(sorted(os.listdir(self.folder)), ["data", "m.json"])  # no temporary file, no history

    def test_overwrite_and_resume_still_replace(self):
        self.assertEqual(self.train(), 0)
        self.assertEqual(self.train(overwrite=True), 0)
        self.assertEqual(self.train(resume=self.model, epochs=2, model_path=None), 0)

    def test_two_runs_started_together_one_saves(self):
        def run(_):
            return subprocess.run([sys.executable, TRAIN, "--layers", "784,4,10", "--data-dir", self.data_dir,
                                   "--model", self.model, "-q"], cwd=self.folder, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=300,
                                  env=dict(os.environ, PYTHONPATH=ROOT))

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, range(2)))
        statuses = sorted(result.returncode for result in results)
        self.assertEqual(statuses, [0, 1], [result.stderr for result in results])
        loser = [result for result in results if result.returncode == 1][0]
        self.assertIn(b"already exists", loser.stderr)
        self.assertNotIn(b"saved", loser.stdout)


if __name__ == "__main__":
    unittest.main()
