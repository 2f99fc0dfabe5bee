"""Every command-line tool answers bad input with one line on stderr.

``train.py``, ``predict.py`` and ``python -m nrnn.data`` run as
subprocesses over a table of bad inputs (``CASES``).  For each the test
asserts: a non-zero exit status, exactly one non-blank line on stderr,
starting ``error:`` (or argparse's ``<prog>: error:``), naming the problem,
and no ``Traceback``.  Nothing touches the network: ``NRNN_MNIST_SOURCE``
points at a folder that does not exist, and the one HTTP case talks to a
closed port on 127.0.0.1.

``python -m tests.test_cli_errors`` prints the table with the messages
actually printed (the README's "Errors" section is made from it).
"""

import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib
from concurrent.futures import ThreadPoolExecutor

from nrnn.image import jpeg_encoder, png
from nrnn.mnist.idx import write_images, write_labels
from nrnn.mnist.mnist_csv import write_samples
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from tests.support import ROOT

HAVE = {name: os.path.exists(os.path.join(ROOT, name)) for name in ("train.py", "predict.py")}


def _png_chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def make_files(folder):
    """The bad (and a few good) input files the cases refer to, as {name: path}."""
    files = {}

    def write(name, data):
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data if isinstance(data, bytes) else data.encode())
        files[name] = path
        return path

    digit = bytes(255 if 10 <= x <= 17 and 5 <= y <= 22 else 0 for y in range(28) for x in range(28))
    good_png = png.encode_gray8(28, 28, bytes(255 - v for v in digit))
    write("digit.png", good_png)
    write("text.png", "hello, I am not a picture\n")
    write("truncated.png", good_png[:60])
    bad_crc = bytearray(good_png)
    bad_crc[30] ^= 0xFF  # inside IHDR's data: its CRC no longer matches
    write("bad-crc.png", bytes(bad_crc))
    write("blank.png", png.encode_gray8(28, 28, b"\xff" * 784))
    write("huge.png", png.SIGNATURE + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
          + _png_chunk(b"IDAT", zlib.compress(b"\x00")) + _png_chunk(b"IEND", b""))
    write("empty.png", b"")
    good_jpeg = jpeg_encoder.encode_gray8(28, 28, bytes(255 - v for v in digit))
    write("digit.jpg", good_jpeg)
    write("truncated.jpg", good_jpeg[:len(good_jpeg) // 2])
    arithmetic = bytearray(good_jpeg)
    arithmetic[arithmetic.index(b"\xff\xc0") + 1] = 0xC9  # SOF0 -> SOF9 (arithmetic coding)
    write("arithmetic.jpg", bytes(arithmetic))
    write("huge.jpg", b"\xff\xd8\xff\xc0\x00\x0b\x08\xff\xff\xff\xff\x01\x01\x11\x00\xff\xd9")

    # Models.
    network = Network([784, 5, 10], seed=1)
    model = os.path.join(folder, "model.json")
    save_model(network, model)
    files["model.json"] = model
    with open(model) as handle:
        text = handle.read()
    write("truncated-model.json", text[: len(text) // 2])
    write("nan-model.json", text.replace(text[text.index("[\n[\n[") + 5:].split(",")[0], "NaN", 1))
    write("not-json.json", "this is not JSON\n")
    small = Network([4, 3, 2], seed=1)
    save_model(small, os.path.join(folder, "wrong-shape.json"))
    files["wrong-shape.json"] = os.path.join(folder, "wrong-shape.json")
    from tests.known_inputs import metadata_bomb
    write("bomb-model.json.gz", metadata_bomb(512))
    write("two-members.json.gz", gzip.compress(text.encode(), mtime=0) + b"garbage")
    os.makedirs(os.path.join(folder, "a-folder.json"))
    files["a-folder.json"] = os.path.join(folder, "a-folder.json")

    # MNIST data folders: good, a malformed line, empty, a very long line.
    samples = [(bytes((i * 7 + k) % 256 if k % 5 == 0 else 0 for k in range(784)), i % 10) for i in range(12)]

    def data_dir(name, train_text=None):
        path = os.path.join(folder, name)
        os.makedirs(path)
        write_samples(os.path.join(path, "mnist_test.csv"), samples[:4])
        if train_text is None:
            write_samples(os.path.join(path, "mnist_train.csv"), samples)
        else:
            write(os.path.join(name, "mnist_train.csv"), train_text)
        files[name] = path

    data_dir("data")
    good_line = "3," + ",".join(["0"] * 784) + "\n"
    data_dir("data-bad-pixel", good_line * 2 + "7," + ",".join(["0"] * 400 + ["300"] + ["0"] * 383) + "\n")
    data_dir("data-short-line", good_line + "7,0,0,0\n")
    data_dir("data-empty", "")
    data_dir("data-long-line", "5," + "0," * (1 << 20) + "\n")
    os.makedirs(os.path.join(folder, "data-missing"))
    files["data-missing"] = os.path.join(folder, "data-missing")

    # IDX folders for python -m nrnn.data convert.
    for name, damage in (("idx-bad-magic", "magic"), ("idx-truncated", "truncate"),
                         ("idx-bad-gzip", "gzip"), ("idx-count-mismatch", "count")):
        mnist = os.path.join(folder, name, "mnist")
        os.makedirs(mnist)
        for split, count in (("train", 3), ("t10k", 2)):
            images = os.path.join(mnist, "%s-images-idx3-ubyte.gz" % split)
            labels = os.path.join(mnist, "%s-labels-idx1-ubyte.gz" % split)
            write_images(images, [bytes(784)] * count)
            write_labels(labels, [1] * (count + (damage == "count")))
            if damage == "magic":
                write_images(images[:-3], [bytes(784)] * count)
                with open(images[:-3], "r+b") as handle:
                    handle.write(b"\x00\x00\x08\x01")
                os.replace(images[:-3], images)
            elif damage == "truncate":
                with open(images, "rb") as handle:
                    data = handle.read()
                with open(images, "wb") as handle:
                    handle.write(data[: len(data) // 2])
            elif damage == "gzip":
                with open(images, "r+b") as handle:
                    handle.seek(20)
                    handle.write(b"\xff" * 8)
        files[name] = os.path.join(folder, name)
    return files


# Fetching narrates each source it tries (useful with several mirrors), so
# its failure lines come before the one error line, which repeats them.
NARRATION = "fetch narration"

# (tool, arguments, what is wrong, text the one line must contain[, open issue]).
# {name} in an argument is the path of that file from make_files; env
# NRNN_MNIST_SOURCE is always a missing folder (so nothing is downloaded).
# A case with an open issue is checked by the expected-failure test.
# (NARRATION: lines saying what fetching tried may come before the error.)
CASES = [
    ("predict.py", ["{missing.png}", "--model", "{model.json}"], "image file does not exist",
     "No such file"),
    ("predict.py", ["{text.png}", "--model", "{model.json}"], "neither PNG nor JPEG (a text file)",
     "not a PNG or JPEG image"),
    ("predict.py", ["{empty.png}", "--model", "{model.json}"], "empty file", "not a PNG or JPEG image"),
    ("predict.py", ["{truncated.jpg}", "--model", "{model.json}"], "truncated JPEG", "truncated.jpg: "),
    ("predict.py", ["{arithmetic.jpg}", "--model", "{model.json}"], "arithmetic-coded JPEG",
     "arithmetic-coded JPEG (SOF9) is not supported"),
    ("predict.py", ["{huge.jpg}", "--model", "{model.json}"], "JPEG claiming 65535 x 65535 pixels",
     "65535"),
    ("predict.py", ["{truncated.png}", "--model", "{model.json}"], "truncated PNG", "truncated"),
    ("predict.py", ["{bad-crc.png}", "--model", "{model.json}"], "PNG with a damaged chunk (CRC)", "CRC mismatch"),
    ("predict.py", ["{huge.png}", "--model", "{model.json}"], "PNG claiming 100000 x 100000 pixels",
     "more than the limit of 4000000"),
    ("predict.py", ["{blank.png}", "--model", "{model.json}"], "blank image (no ink)", "blank"),
    ("predict.py", ["{digit.png}", "--model", "{missing-model.json}"], "model file does not exist",
     "model file not found"),
    ("predict.py", ["{digit.png}", "--model", "{truncated-model.json}"], "truncated model file",
     "not valid JSON"),
    ("predict.py", ["{digit.png}", "--model", "{not-json.json}"], "model file that is not JSON",
     "not valid JSON"),
    ("predict.py", ["{digit.png}", "--model", "{nan-model.json}"], "model with a NaN weight", "finite"),
    ("predict.py", ["{digit.png}", "--model", "{wrong-shape.json}"], "model that is not 784 -> 10",
     "784"),
    ("predict.py", ["{digit.png}", "--model", "{a-folder.json}"], "model path is a folder",
     "cannot read the model file"),
    ("predict.py", ["--model", "{model.json}"], "no image given", "give at least one IMAGE"),
    ("predict.py", ["{digit.png}", "--bogus"], "unknown option", "unrecognized arguments"),
    ("predict.py", ["--mnist-index", "-3", "--model", "{model.json}"], "negative --mnist-index", "negative"),
    ("predict.py", ["--mnist-index", "99", "--model", "{model.json}", "--data-dir", "{data}"],
     "--mnist-index past the end of the test set", "past the end"),
    ("predict.py", ["--mnist-index", "0", "--model", "{model.json}", "--data-dir", "{data-missing}"],
     "no MNIST data and nowhere to fetch it", "No such file", NARRATION),
    ("train.py", ["--layers", "abc"], "--layers not a list of numbers", "comma-separated"),
    ("train.py", ["--layers", "10,5,10", "--data-dir", "{data}", "--model", "{out/a.json}"],
     "--layers not starting with 784", "784"),
    ("train.py", ["--epochs", "0"], "--epochs 0", "at least 1"),
    ("train.py", ["--learning-rate", "-1", "--data-dir", "{data}", "--model", "{out/b.json}"],
     "negative learning rate", "learning"),
    ("train.py", ["--learning-rate", "nan", "--data-dir", "{data}", "--model", "{out/c.json}"],
     "NaN learning rate", "learning"),
    ("train.py", ["--frobnicate"], "unknown option", "unrecognized arguments"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data-bad-pixel}", "--model", "{out/d.json}", "-q"],
     "CSV with a pixel of 300", "300"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data-short-line}", "--model", "{out/e.json}", "-q"],
     "CSV line with 4 fields", "4 fields"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data-empty}", "--model", "{out/f.json}", "-q"],
     "empty training CSV", "no samples"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data-long-line}", "--model", "{out/g.json}", "-q"],
     "CSV line of 2 MB", "longer than"),
    ("train.py", ["--data-dir", "{data-missing}", "--model", "{out/h.json}", "-q"],
     "no MNIST data and nowhere to fetch it", "No such file"),
    ("train.py", ["--resume", "{missing-model.json}", "--data-dir", "{data}"], "--resume file does not exist",
     "No such file"),
    ("train.py", ["--resume", "{truncated-model.json}", "--data-dir", "{data}"], "--resume file truncated",
     "not valid JSON"),
    ("train.py", ["--resume", "{model.json}", "--data-dir", "{data}"],
     "--resume a model not saved by train.py", "no training state"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data}", "--model", "{model.json}"],
     "--model names an existing file", "already exists"),
    ("train.py", ["--layers", "784,4,10", "--data-dir", "{data}", "--model", "{text.png}/m.json"],
     "--model inside a file (folder cannot be made)", "cannot create the folder"),
    ("nrnn.data", ["convert", "--data-dir", "{data-missing}"], "convert without IDX files", "not found"),
    ("nrnn.data", ["fetch", "--data-dir", "{out/fetched}", "--source", "{no-such-folder}"],
     "--source folder that does not exist", "no-such-folder", NARRATION),
    ("nrnn.data", ["convert", "--data-dir", "{idx-bad-magic}"], "IDX file with the wrong magic number",
     "magic"),
    ("nrnn.data", ["convert", "--data-dir", "{idx-truncated}"], "truncated IDX file", "gzip"),
    ("nrnn.data", ["convert", "--data-dir", "{idx-bad-gzip}"], "corrupt gzip header", "header field"),
    ("nrnn.data", ["convert", "--data-dir", "{idx-count-mismatch}"], "image and label counts differ",
     "labels"),
    ("nrnn.data", [], "no command", "required"),
    ("nrnn.data", ["fetch", "--download-timeout", "soon"], "--download-timeout not a number",
     "not a number of seconds"),
    ("nrnn.data", ["fetch", "--download-timeout=-1"], "--download-timeout negative", "outside 0.1..3600"),
    ("nrnn.data", ["fetch", "--download-timeout", "nan"], "--download-timeout NaN", "outside 0.1..3600"),
    ("nrnn.data", ["fetch", "--download-timeout", "1e300"], "--download-timeout 1e300", "outside 0.1..3600"),
    ("nrnn.data", ["fetch", "--download-timeout", "0"], "--download-timeout 0", "outside 0.1..3600"),
    ("nrnn.data", ["fetch", "--timeout", "0"], "--timeout 0 (the old name)", "outside 0.1..3600"),
    ("predict.py", ["{digit.png}", "--model", "{bomb-model.json.gz}"],
     "model.json.gz inflating to 512 MB of metadata", "too big to load"),
    ("predict.py", ["{digit.png}", "--model", "{two-members.json.gz}"], "gzip'ed model, then garbage",
     "after the end of the gzip data"),
    ("predict.py", ["/dev/zero", "--model", "{model.json}"], "an endless input file", "MAX_FILE_BYTES"),
    ("predict.py", ["{digit.png}", "--model", "{model.json}", "--save-input", "{no-such-folder}/x.png"],
     "--save-input into a missing folder", "cannot write the input image"),
]


def resolve(argument, files, folder):
    if "{" not in argument:
        return argument
    start, end = argument.index("{"), argument.index("}")
    name = argument[start + 1:end]
    path = files.get(name, os.path.join(folder, name))
    return argument[:start] + path + argument[end + 1:]


def run_case(case, files, folder, timeout=60):
    """Run one case; return (status, stderr text, stdout text)."""
    tool, arguments = case[:2]
    command = [sys.executable] + (["-m", "nrnn.data"] if tool == "nrnn.data" else [os.path.join(ROOT, tool)])
    command += [resolve(a, files, folder) for a in arguments]
    environment = dict(os.environ, PYTHONPATH=ROOT,
                       NRNN_MNIST_SOURCE=os.path.join(folder, "no-mnist-here"))
    result = subprocess.run(command, cwd=folder, env=environment, stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=timeout)
    return result.returncode, result.stderr.decode("utf-8", "replace"), result.stdout.decode("utf-8", "replace")


def run_all(folder):
    files = make_files(folder)
    cases = [case for case in CASES if case[0] == "nrnn.data" or HAVE[case[0]]]
    with ThreadPoolExecutor(max_workers=2) as pool:  # two shared cores
        results = list(pool.map(lambda case: run_case(case, files, folder), cases))
    return list(zip(cases, results))


class CommandLineErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="nrnn-cli-")
        cls.results = run_all(cls.folder)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def check(self, results):
        for case, (status, err, out) in results:
            tool, arguments, problem, fragment = case[:4]
            with self.subTest(tool=tool, problem=problem):
                lines = [line for line in err.splitlines() if line.strip()]
                self.assertNotIn("Traceback", err)
                self.assertNotEqual(status, 0, "exit status 0; stdout: %s" % out[-300:])
                self.assertEqual(len(lines), 1, "stderr has %d lines:\n%s" % (len(lines), err))
                self.assertRegex(lines[0], r"^([^:]+: )?error: ")
                self.assertIn(fragment, lines[0])
                self.assertLess(len(lines[0]), 400)

    def test_each_bad_input_gives_one_error_line_and_a_failure_status(self):
        settled = [(case, result) for case, result in self.results if len(case) == 4]
        self.assertGreaterEqual(len(settled), 30)
        self.check(settled)

    def test_fetch_failures_end_with_one_error_line(self):
        cases = [(case, result) for case, result in self.results if case[4:] == (NARRATION,)]
        self.assertGreaterEqual(len(cases), 1)
        for case, (status, err, _) in cases:
            with self.subTest(tool=case[0], problem=case[2]):
                lines = [line for line in err.splitlines() if line.strip()]
                self.assertNotIn("Traceback", err)
                self.assertNotEqual(status, 0)
                self.assertRegex(lines[-1], r"^error: ")
                self.assertIn(case[3], lines[-1])
                self.assertEqual([line for line in lines if "error" in line], lines[-1:])


class StandardFlags(unittest.TestCase):
    """Every command takes --version and -q/--quiet, under the same names."""

    COMMANDS = {"predict.py": [os.path.join(ROOT, "predict.py")],
                "train.py": [os.path.join(ROOT, "train.py")],
                "nrnn.data prepare": ["-m", "nrnn.data", "prepare"],
                "nrnn.serve": ["-m", "nrnn.serve"],
                "nrnn predict": ["-m", "nrnn", "predict"],
                "nrnn train": ["-m", "nrnn", "train"],
                "nrnn serve": ["-m", "nrnn", "serve"],
                "nrnn data fetch": ["-m", "nrnn", "data", "fetch"]}

    def run_tool(self, *argv):
        return subprocess.run([sys.executable] + list(argv), cwd=ROOT, capture_output=True,
                              text=True)

    def test_version_and_quiet_everywhere(self):
        import nrnn
        for name, command in self.COMMANDS.items():
            with self.subTest(command=name):
                result = self.run_tool(*(command + ["--version"]))
                self.assertEqual((result.returncode, result.stdout), (0, "nrnn %s\n" % nrnn.__version__))
                result = self.run_tool(*(command + ["--help"]))
                self.assertIn("-q, --quiet", result.stdout)
        result = self.run_tool("-m", "nrnn", "--version")
        self.assertEqual((result.returncode, result.stdout), (0, "nrnn %s\n" % nrnn.__version__))

    def test_the_two_timeouts_have_two_names(self):
        result = self.run_tool("-m", "nrnn.serve", "--client-timeout", "0")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr, "error: argument --client-timeout: 0 is outside 0.1..3600 seconds "
                                        "(see: python -m nrnn.serve --help)\n")
        result = self.run_tool("-m", "nrnn", "data", "fetch", "--download-timeout", "0")
        self.assertEqual(result.stderr, "error: argument --download-timeout: 0 is outside 0.1..3600 seconds "
                                        "(see: python -m nrnn data fetch --help)\n")
        serve_help = self.run_tool("-m", "nrnn.serve", "--help").stdout
        self.assertIn("--client-timeout", serve_help)
        self.assertNotIn("--timeout", serve_help)
        fetch_help = self.run_tool("-m", "nrnn.data", "fetch", "--help").stdout
        self.assertIn("--download-timeout", fetch_help)
        self.assertNotIn("--timeout", fetch_help)


class ProgressOnError(unittest.TestCase):
    """A failing conversion prints no progress summary before its error line."""

    def test_no_summary_line_when_the_work_fails(self):
        import io

        from nrnn.progress import Progress
        stream = io.StringIO()
        with self.assertRaises(ValueError):
            with Progress(total=3, unit="images", stream=stream, tty=False):
                raise ValueError("corrupt")
        self.assertEqual(stream.getvalue(), "")
        with Progress(total=3, unit="images", stream=stream, tty=False) as bar:
            bar.update()
        self.assertIn("1 / 3 images", stream.getvalue())

    def test_a_half_drawn_terminal_line_is_ended(self):
        import io

        from nrnn.progress import Progress
        clock = iter([0.0, 5.0, 10.0, 15.0]).__next__
        stream = io.StringIO()
        with self.assertRaises(ValueError):
            with Progress(total=3, unit="images", stream=stream, tty=True, clock=clock) as bar:
                bar.update()
                raise ValueError("corrupt")
        self.assertTrue(stream.getvalue().startswith("\r"))
        self.assertTrue(stream.getvalue().endswith("\n"))
        self.assertNotIn(" in 0:", stream.getvalue())

def markdown_table(results, folder):
    rows = ["| command | bad input | exit | message printed on stderr |", "| --- | --- | --- | --- |"]
    for case, (status, err, _) in results:
        tool, problem = case[0], case[2]
        shown = "python -m nrnn.data" if tool == "nrnn.data" else "python " + tool
        message = " / ".join(line for line in err.splitlines() if line.strip())
        message = message.replace(folder + os.sep, "").replace(folder, ".").replace(ROOT + os.sep, "")
        rows.append("| `%s` | %s | %d | `%s` |" % (shown, problem, status, message.replace("|", "\\|")))
    return "\n".join(rows)


if __name__ == "__main__":
    scratch = tempfile.mkdtemp(prefix="nrnn-cli-")
    try:
        print(markdown_table(run_all(scratch), scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
