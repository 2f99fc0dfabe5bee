"""Tests for nrnn/data.py: conversion, ensure_csv and the command line."""

import contextlib
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

try:
    import resource
except ImportError:  # not on Windows
    resource = None

import nrnn
from nrnn import data
from nrnn.errors import DataError
from nrnn.mnist import download, idx
from nrnn.mnist.mnist_csv import read_samples
from tests.known_inputs import make_mnist_folder
from tests.support import ROOT, requires_shared, shared_path


class DataTestCase(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        self.source = os.path.join(self.root, "source")
        make_mnist_folder(self.source, images=4)
        self.data_dir = os.path.join(self.root, "data")

    def run_cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = data.main(list(argv))
            except SystemExit as exit:  # argparse: --help, bad options
                status = exit.code
        return status, out.getvalue(), err.getvalue()


class ConvertTest(DataTestCase):
    def test_convert_matches_idx(self):
        images = os.path.join(self.source, "t10k-images-idx3-ubyte.gz")
        labels = os.path.join(self.source, "t10k-labels-idx1-ubyte.gz")
        output = os.path.join(self.root, "out.csv")
        self.assertEqual(data.convert(images, labels, output, quiet=True), 4)
        with open(output) as handle:
            lines = handle.read().splitlines()
        expected = ["%d,%s" % (label, ",".join(map(str, image))) for image, label in idx.read_pairs(images, labels)]
        self.assertEqual(lines, expected)

    def test_count_mismatch_leaves_no_csv(self):
        images = os.path.join(self.root, "i.gz")
        labels = os.path.join(self.root, "l.gz")
        idx.write_images(images, [bytes(784)] * 3)
        idx.write_labels(labels, [1, 2])
        with self.assertRaises(DataError):
            data.convert(images, labels, os.path.join(self.root, "out.csv"), quiet=True)
        self.assertFalse(os.path.exists(os.path.join(self.root, "out.csv")))

    def test_truncated_images_leave_no_csv(self):
        images = os.path.join(self.root, "i")
        labels = os.path.join(self.root, "l")
        idx.write_labels(labels, [1, 2, 3])
        with open(images, "wb") as handle:  # gzip, so the shortage shows only at the end
            handle.write(gzip.compress(struct.pack(">IIII", 0x803, 3, 28, 28) + bytes(784 * 2)))
        with self.assertRaises(DataError) as caught:
            data.convert(images, labels, os.path.join(self.root, "out.csv"), quiet=True)
        self.assertIn("after 2 complete images", str(caught.exception))
        self.assertEqual(sorted(os.listdir(self.root)), ["i", "l", "source"])  # no CSV, no temp file


class EnsureCsvTest(DataTestCase):
    def test_first_use_fetches_and_converts_then_returns_at_once(self):
        train, test = data.ensure_csv(self.data_dir, source=self.source, quiet=True)
        self.assertEqual((train, test), (os.path.join(self.data_dir, "mnist_train.csv"),
                                         os.path.join(self.data_dir, "mnist_test.csv")))
        self.assertEqual(len(list(read_samples(train))), 4)
        # Second call: no fetch, no convert (a source that would fail proves it).
        with mock.patch.object(download, "fetch", side_effect=AssertionError("fetched again")):
            self.assertEqual(data.ensure_csv(self.data_dir, source="/nowhere", quiet=True), (train, test))

    def test_environment_variable_is_the_default_source(self):
        with mock.patch.dict(os.environ, {download.SOURCE_ENV_VAR: self.source}):
            train, _ = data.ensure_csv(self.data_dir, quiet=True)
        self.assertTrue(os.path.exists(train))

    def test_failure_raises_data_error(self):
        with self.assertRaises(DataError):
            data.ensure_csv(self.data_dir, source=os.path.join(self.root, "nowhere"), quiet=True)


class CommandLineTest(DataTestCase):
    def test_help(self):
        status, out, _ = self.run_cli("--help")
        self.assertEqual(status, 0)
        for word in ("fetch", "convert", "prepare", download.SOURCE_ENV_VAR):
            self.assertIn(word, out)
        status, out, _ = self.run_cli("prepare", "--help")
        self.assertIn("--source", out)
        self.assertIn("--data-dir", out)

    def test_fetch_then_convert(self):
        status, _, err = self.run_cli("fetch", "--source", self.source, "--data-dir", self.data_dir)
        self.assertEqual(status, 0, err)
        self.assertIn("t10k-images-idx3-ubyte.gz: copied from", err)
        self.assertEqual(len(os.listdir(os.path.join(self.data_dir, "mnist"))), 4)
        status, out, err = self.run_cli("convert", "--data-dir", self.data_dir, "-q")
        self.assertEqual((status, out, err), (0, "", ""))
        self.assertEqual(len(list(read_samples(os.path.join(self.data_dir, "mnist_test.csv")))), 4)

    def test_prepare(self):
        status, out, err = self.run_cli("prepare", "--source", self.source, "--data-dir", self.data_dir)
        self.assertEqual(status, 0, err)
        self.assertEqual(out.split(), [os.path.join(self.data_dir, "mnist_train.csv"),
                                       os.path.join(self.data_dir, "mnist_test.csv")])

    def test_errors_are_one_line_without_traceback(self):
        cases = [
            ("convert", "--data-dir", self.data_dir),
            ("fetch", "--source", os.path.join(self.root, "nowhere"), "--data-dir", self.data_dir, "-q"),
            ("fetch", "--source", "gopher://x", "--data-dir", self.data_dir),
        ]
        for argv in cases:
            status, _, err = self.run_cli(*argv)
            self.assertEqual(status, 1, argv)
            self.assertNotIn("Traceback", err)
            last = err.splitlines()[-1]
            self.assertTrue(last.startswith("error: "), err)
        self.assertIn("run `python -m nrnn.data fetch` first", self.run_cli(*cases[0])[2])

    def test_bad_usage(self):
        status, _, err = self.run_cli()
        self.assertEqual(status, 2)
        status, _, err = self.run_cli("frobnicate")
        self.assertEqual(status, 2)


class FullDiskTest(DataTestCase):
    """Issue 15: a disk that fills up while converting is one line, the
    partial CSV removed and the files already there untouched.  The disk is
    "filled" with RLIMIT_FSIZE in a subprocess (writes past it fail with
    EFBIG, "File too large", as a full disk fails with ENOSPC)."""

    def test_a_full_disk_while_converting(self):
        if resource is None or not sys.platform.startswith("linux"):
            self.skipTest("needs resource.RLIMIT_FSIZE (Linux)")
        os.makedirs(self.data_dir)
        make_mnist_folder(os.path.join(self.data_dir, "mnist"), images=40)  # a CSV of ~70 KB
        previous = {}
        for split in ("train", "test"):
            previous[split] = b"7," + b",".join([b"0"] * 784) + b"\n"  # what a last run left
            with open(data.csv_path(self.data_dir, split), "wb") as handle:
                handle.write(previous[split])

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

        result = subprocess.run([sys.executable, "-m", "nrnn.data", "convert", "--data-dir", self.data_dir],
                                preexec_fn=limit, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                                capture_output=True, timeout=300)
        err = result.stderr.decode("utf-8", "replace")
        self.assertEqual(result.returncode, 1, err)
        self.assertNotIn("Traceback", err)
        lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
        self.assertEqual(lines[-1], "error: %s: cannot write the CSV file: File too large (nothing was "
                                    "replaced)" % data.csv_path(self.data_dir, "train"))
        for split in ("train", "test"):
            with open(data.csv_path(self.data_dir, split), "rb") as handle:
                self.assertEqual(handle.read(), previous[split])
        self.assertEqual(sorted(os.listdir(self.data_dir)), ["mnist", "mnist_test.csv", "mnist_train.csv"])

    def test_timeouts_that_are_not_a_number_of_seconds_are_refused(self):
        for option in ("--download-timeout", "--timeout"):  # the new name, and the old one
            for bad in ("-1", "nan", "inf", "1e300", "0", "-inf", "soon"):
                with self.subTest(option=option, timeout=bad):
                    status, _, err = self.run_cli("fetch", option + "=" + bad, "--data-dir", self.data_dir)
                    self.assertEqual(status, 2)
                    self.assertEqual(len(err.splitlines()), 1, err)
                    self.assertIn(option, err)
        self.assertFalse(os.path.exists(self.data_dir))  # nothing was attempted

    def test_download_timeout_reaches_the_fetcher(self):
        for option in ("--download-timeout", "--timeout"):
            with self.subTest(option=option), mock.patch.object(download, "fetch", return_value={}) as fetch:
                status, _, err = self.run_cli("fetch", option, "2.5", "--data-dir", self.data_dir, "-q")
                self.assertEqual(status, 0, err)
                self.assertEqual(fetch.call_args[1]["timeout"], 2.5)
        with mock.patch.object(download, "fetch", return_value={}) as fetch:
            self.run_cli("fetch", "--data-dir", self.data_dir, "-q")
        self.assertEqual(fetch.call_args[1]["timeout"], download.READ_TIMEOUT)

    def test_version(self):
        status, out, _ = self.run_cli("--version")
        self.assertEqual((status, out), (0, "nrnn %s\n" % nrnn.__version__))
        status, out, _ = self.run_cli("prepare", "--version")
        self.assertEqual((status, out), (0, "nrnn %s\n" % nrnn.__version__))


class DataFolderTest(DataTestCase):
    """One rule for where MNIST goes, whatever the current folder."""

    def test_the_rule(self):
        clone = os.path.join(ROOT, "data")
        self.assertEqual(data.default_data_dir({}, checkout=True), clone)
        self.assertEqual(data.default_data_dir({"XDG_CACHE_HOME": "/c"}, checkout=True), clone)
        self.assertEqual(data.default_data_dir({"NRNN_DATA_DIR": "/d"}, checkout=True), "/d")
        self.assertEqual(data.default_data_dir({"XDG_CACHE_HOME": "/c"}, checkout=False),
                         os.path.join("/c", "nrnn"))
        self.assertEqual(data.default_data_dir({"NRNN_DATA_DIR": "/d", "XDG_CACHE_HOME": "/c"}, checkout=False),
                         "/d")
        with mock.patch.dict(os.environ, {"HOME": "/home/ada"}):
            self.assertEqual(data.default_data_dir({}, checkout=False),
                             os.path.join(os.path.expanduser("~"), ".cache", "nrnn"))

    def test_this_clone_is_a_checkout(self):
        self.assertTrue(data.in_checkout())
        with mock.patch.dict(os.environ):
            os.environ.pop(data.DATA_DIR_ENV_VAR, None)
            self.assertEqual(data.default_data_dir(), os.path.join(ROOT, "data"))

    def test_the_same_from_any_folder(self):
        script = "from nrnn.data import default_data_dir; print(default_data_dir())"
        env = dict(os.environ, PYTHONPATH=ROOT)
        env.pop(data.DATA_DIR_ENV_VAR, None)
        result = subprocess.run([sys.executable, "-c", script], cwd=self.root, env=env,
                                stdout=subprocess.PIPE, text=True)
        self.assertEqual(result.stdout.strip(), os.path.join(ROOT, "data"))

    def test_environment_variable_is_the_default(self):
        with mock.patch.dict(os.environ, {data.DATA_DIR_ENV_VAR: self.data_dir,
                                          download.SOURCE_ENV_VAR: self.source}):
            train, test = data.ensure_csv(quiet=True)
        self.assertEqual(os.path.dirname(train), self.data_dir)

    def test_first_use_names_the_folder(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            data.ensure_csv(self.data_dir, source=self.source, quiet=False)
        self.assertIn("goes into the data folder %s (choose another with --data-dir or $NRNN_DATA_DIR)"
                      % os.path.abspath(self.data_dir), err.getvalue())

    def test_the_command_names_the_folder_it_chose(self):
        with mock.patch.dict(os.environ, {data.DATA_DIR_ENV_VAR: self.data_dir}):
            status, _, err = self.run_cli("prepare", "--source", self.source)
        self.assertEqual(status, 0, err)
        self.assertTrue(err.startswith("data folder: %s (choose another with --data-dir or $NRNN_DATA_DIR)\n"
                                       % os.path.abspath(self.data_dir)), err)
        self.assertTrue(os.path.exists(os.path.join(self.data_dir, "mnist_test.csv")))

    def test_test_set_only(self):
        test = data.ensure_test_csv(self.data_dir, source=self.source, quiet=True)
        self.assertEqual(test, os.path.join(self.data_dir, "mnist_test.csv"))
        self.assertEqual(sorted(os.listdir(self.data_dir)), ["mnist", "mnist_test.csv"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.data_dir, "mnist"))),
                         ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])


@requires_shared("mnist", "t10k-images-idx3-ubyte.gz")
class SharedMnistTest(unittest.TestCase):
    def test_convert_shared_test_set(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        download.fetch(os.path.join(folder, "mnist"), shared_path("mnist"), quiet=True,
                       names=["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
        output = os.path.join(folder, "mnist_test.csv")
        images = os.path.join(folder, "mnist", "t10k-images-idx3-ubyte.gz")
        labels = os.path.join(folder, "mnist", "t10k-labels-idx1-ubyte.gz")
        self.assertEqual(data.convert(images, labels, output, quiet=True), 10000)
        with open(output, "rb") as handle:
            self.assertEqual(sum(1 for _ in handle), 10000)
        first_image, first_label = next(iter(idx.read_pairs(images, labels)))
        pixels, label = next(iter(read_samples(output)))
        self.assertEqual(label, first_label)
        self.assertEqual(label, 7)  # the well-known first test digit
        self.assertEqual(pixels, [value / 255 for value in first_image])


if __name__ == "__main__":
    unittest.main()
