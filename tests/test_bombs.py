"""Resource bombs: inputs built to exhaust memory or time are refused early.

Each bomb must be refused with the reader's own error, naming the problem,
and (where ``tracemalloc`` exists: not on PyPy) with a peak of Python
allocations far below what obeying the input would cost.  The bound is on
memory, not on seconds: a busy machine is slow, never wrong.  The seconds
are still measured: ``BOMB_REPORT`` collects (bomb, seconds, peak bytes)
for the summary printed by ``python -m unittest tests.test_bombs -v``.
The command-line tools meet the model bombs under an address-space limit
(``resource.RLIMIT_AS``) in a subprocess, as a user with ``ulimit -v``
would.

    PNG header claiming 100000 x 100000 pixels      40 GB as RGBA
    PNG whose IDAT inflates to 100 MB (1x1 image)   100 MB
    CSV file: one 100 MB line, no newline           100 MB (and more as lists)
    model file declaring 784-1e9-10 layers          ~8e9 floats
    model file nested 100000 deep                   recursion
    model.json.gz of 500 KB inflating to 512 MB     ~10 GB of lists
    input image /dev/zero, a sparse 3 GB file       everything
    IDX labels.gz of 27 bytes claiming 2**32-1      4 GB allocated up front
    IDX labels.gz inflating to 100 MB               100 MB
"""

import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

try:
    import resource
except ImportError:  # not on Windows
    resource = None

try:
    import tracemalloc
except ImportError:  # PyPy
    tracemalloc = None

from nrnn.errors import DataError, ModelFileError, NrnnError, PNGError
from nrnn.image import png
from nrnn.input_file import MAX_FILE_BYTES, read_capped
from nrnn.mnist import idx
from nrnn.mnist.mnist_csv import count_samples, read_samples
from nrnn.net.model_file import load_model, model_from_json
from tests.known_inputs import metadata_bomb
from tests.support import ROOT

BOMB_REPORT = []
MiB = 1 << 20
# PyPy has no tracemalloc; CPython >= 3.9 has it.
TRACEMALLOC = tracemalloc is not None and not hasattr(sys, "pypy_version_info")


def chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def ihdr(width, height, depth=8, colour=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))


class Bombs(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-bombs-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def refuse(self, name, error_class, action, max_peak=4 * MiB):
        """Run ``action``; it must raise ``error_class`` with a small peak."""
        if TRACEMALLOC:
            tracemalloc.start()
        start = time.perf_counter()
        try:
            with self.assertRaises(error_class) as caught:
                action()
        finally:
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] if TRACEMALLOC else None
            if TRACEMALLOC:
                tracemalloc.stop()
        BOMB_REPORT.append((name, seconds, peak, str(caught.exception)[:100]))
        if peak is not None:
            self.assertLess(peak, max_peak, "%s: peak %d bytes" % (name, peak))
        return str(caught.exception)

    # ------------------------------------------------------------------ PNG

    def test_png_claiming_100000_by_100000_pixels(self):
        data = (png.SIGNATURE + ihdr(100000, 100000)
                + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))
        message = self.refuse("PNG 100000x100000", PNGError, lambda: png.decode(data), max_peak=MiB)
        self.assertIn("100000 x 100000", message)
        self.assertIn("MAX_PIXELS", message)

    def test_png_zlib_stream_inflating_far_beyond_the_image(self):
        # 100 MB of zeros compress to ~100 KB; the header says 1x1 (2 bytes).
        squeezer = zlib.compressobj(9)
        block = bytes(MiB)
        bomb = b"".join(squeezer.compress(block) for _ in range(100)) + squeezer.flush()
        self.assertLess(len(bomb), 200 * 1024)
        data = png.SIGNATURE + ihdr(1, 1) + chunk(b"IDAT", bomb) + chunk(b"IEND", b"")
        message = self.refuse("PNG zlib bomb (100 MB from %d KB)" % (len(bomb) // 1024),
                              PNGError, lambda: png.decode(data), max_peak=2 * MiB)
        self.assertIn("zlib bomb", message)

    def test_png_zlib_bomb_in_a_large_allowed_image(self):
        # 7000x7000 gray is allowed (49 MB); a stream inflating to 200 MB
        # must stop at 49 MB + 1 byte, never hold 200 MB.  zlib's output
        # buffer doubles as it grows, so the peak is up to twice the size
        # the header implies: bounded by the header, not by the stream.
        squeezer = zlib.compressobj(9)
        block = bytes(MiB)
        bomb = b"".join(squeezer.compress(block) for _ in range(200)) + squeezer.flush()
        data = png.SIGNATURE + ihdr(7000, 7000) + chunk(b"IDAT", bomb) + chunk(b"IEND", b"")
        message = self.refuse("PNG 7000x7000, 200 MB inflating IDAT", PNGError,
                              lambda: png.decode(data), max_peak=2.2 * 49 * MiB)
        self.assertIn("more than the 49007000 bytes", message)

    # ------------------------------------------------------------------ CSV

    def write_long_line(self, megabytes=100):
        """A CSV file that is one line of ``megabytes`` MB, no newline at all.

        Written for real in 1 MB blocks (about 0.2 s for 100 MB): a reader
        that reads the whole line would need all of it in memory.
        """
        path = os.path.join(self.folder, "one-line.csv")
        block = b"0," * (MiB // 2)
        with open(path, "wb") as handle:
            handle.write(b"5,")
            for _ in range(megabytes):
                handle.write(block)
        self.assertGreaterEqual(os.path.getsize(path), megabytes * MiB)
        return path

    def test_csv_line_of_100_mb_without_newline(self):
        path = self.write_long_line(100)
        message = self.refuse("CSV 100 MB line, no newline", DataError, lambda: list(read_samples(path)))
        self.assertIn(path, message)
        self.assertIn("line 1", message)
        self.assertIn("longer than", message)

    def test_csv_long_line_is_refused_even_when_skipping_bad_lines(self):
        # --skip-bad must not turn the bomb into a 100 MB read: a line that
        # long means "not an MNIST CSV file", not "one bad sample".
        path = self.write_long_line(100)
        self.refuse("CSV 100 MB line, skip_bad=True", DataError,
                    lambda: list(read_samples(path, skip_bad=True)))

    def test_csv_count_samples_on_a_100_mb_line(self):
        # count_samples runs before training (for the progress bar's total).
        path = self.write_long_line(100)
        self.refuse("CSV 100 MB line, count_samples", DataError, lambda: count_samples(path))

    # ------------------------------------------------------------------ IDX

    def test_idx_gzip_labels_header_claiming_four_billion(self):
        # 27 bytes of gzip; reading "count" labels in one call made gzip
        # allocate 4 GB up front.
        path = os.path.join(self.folder, "labels.gz")
        with open(path, "wb") as handle:
            handle.write(gzip.compress(struct.pack(">II", 0x801, 0xFFFFFFFF) + b"\x01", mtime=0))
        self.assertLess(os.path.getsize(path), 64)
        message = self.refuse("IDX labels.gz (%d bytes) claiming 2**32-1" % os.path.getsize(path),
                              DataError, lambda: idx.read_labels(path), max_peak=MiB)
        self.assertIn("header field 'count' is 4294967295", message)

    def test_idx_gzip_labels_inflating_to_100_mb(self):
        # The largest count allowed, and 100 MB of labels behind it in
        # ~100 KB of gzip: read up to the count, then refused.
        squeezer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
        parts = [squeezer.compress(struct.pack(">II", 0x801, idx.MAX_COUNT))]
        parts += [squeezer.compress(bytes(MiB)) for _ in range(100)]
        path = os.path.join(self.folder, "labels-bomb.gz")
        with open(path, "wb") as handle:
            handle.write(b"".join(parts) + squeezer.flush())
        message = self.refuse("IDX labels.gz (%d KB) inflating to 100 MB" % (os.path.getsize(path) // 1024),
                              DataError, lambda: idx.read_labels(path), max_peak=2.5 * idx.MAX_COUNT)
        self.assertIn("data continues after", message)

    # ---------------------------------------------------------------- model

    def model_text(self, sizes, weights=None):
        document = {"format": "nrnn-model", "version": 1, "sizes": sizes, "activation": "sigmoid",
                    "cost": "cross-entropy", "bias": False, "metadata": {},
                    "weights": weights if weights is not None else []}
        return json.dumps(document)

    def test_model_declaring_a_billion_weights(self):
        path = os.path.join(self.folder, "billion.json")
        with open(path, "w") as handle:
            handle.write(self.model_text([784, 1000000000, 10]))
        message = self.refuse("model declaring 784-1e9-10", ModelFileError,
                              lambda: load_model(path), max_peak=MiB)
        self.assertIn("weights, more than the limit", message)
        self.assertIn(path, message)

    def test_model_with_a_million_layers(self):
        text = self.model_text([1] * 1000000)
        self.refuse("model with 1e6 layers of 1 neuron", ModelFileError,
                    lambda: model_from_json(text), max_peak=200 * MiB)

    def test_model_nested_100000_deep(self):
        text = '{"format": "nrnn-model", "version": 1, "metadata": ' + "[" * 100000 + "]" * 100000 + "}"
        message = self.refuse("model nested 100000 deep", ModelFileError,
                              lambda: model_from_json(text), max_peak=64 * MiB)
        self.assertIn("nested too deeply", message)

    def test_gzip_model_inflating_to_512_mb_of_metadata(self):
        # The reproduction: ~500 KB of gzip, 512 MB of "[]," in the metadata.
        # Parsed, that is 170 million lists (~11 GB); refused while inflating.
        path = os.path.join(self.folder, "metadata-bomb.json.gz")
        with open(path, "wb") as handle:
            handle.write(metadata_bomb(512))
        self.assertLess(os.path.getsize(path), 1024 * 1024)
        message = self.refuse("model.json.gz (%d KB) inflating to 512 MB" % (os.path.getsize(path) // 1024),
                              ModelFileError, lambda: load_model(path), max_peak=96 * MiB)
        self.assertIn("too big to load", message)
        self.assertIn("MAX_JSON_BYTES", message)

    def test_plain_model_whose_parse_would_take_gigabytes(self):
        # 30 MB of text, 10 million empty lists: ~650 MB parsed (7 million
        # measured 454 MB).  Refused from the text alone, before json.loads
        # makes anything.
        text = '{"format": "nrnn-model", "version": 1, "metadata": [' + "[]," * (10 * 1000 * 1000) + "[]]}"
        message = self.refuse("model.json: 30 MB of [] (1e7 lists)", ModelFileError,
                              lambda: model_from_json(text), max_peak=MiB)
        self.assertIn("too big to load", message)

    # ---------------------------------------------------------------- images

    def test_input_image_from_dev_zero(self):
        if not os.path.exists("/dev/zero"):
            self.skipTest("no /dev/zero here")
        message = self.refuse("input file /dev/zero (limit 2 MB)", NrnnError,
                              lambda: read_capped("/dev/zero", limit=2 * MiB), max_peak=3 * MiB)
        self.assertIn("more than the 2097152 bytes", message)

    def test_input_image_of_3_gb(self):
        path = os.path.join(self.folder, "huge.png")
        with open(path, "wb") as handle:
            handle.truncate(3 * 1024 * MiB)  # sparse: no disk space used
        message = self.refuse("input file of 3 GB (sparse)", NrnnError, lambda: read_capped(path),
                              max_peak=MiB)
        self.assertIn("3221225472 bytes, more than the %d" % MAX_FILE_BYTES, message)


@unittest.skipUnless(resource is not None and sys.platform.startswith("linux"),
                     "needs resource.RLIMIT_AS (Linux)")
class ToolsUnderAMemoryLimit(unittest.TestCase):
    """predict.py --model, serve --model and train.py --resume meet the
    metadata bomb with an address-space limit of 1 GB: one error line, no
    MemoryError, no traceback."""

    LIMIT = 1024 * MiB

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="nrnn-bombs-")
        cls.bomb = os.path.join(cls.folder, "bomb.json.gz")
        with open(cls.bomb, "wb") as handle:
            handle.write(metadata_bomb(512))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, True)

    def run_limited(self, *arguments):
        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (self.LIMIT, self.LIMIT))

        result = subprocess.run([sys.executable] + list(arguments), cwd=self.folder, preexec_fn=limit,
                                env=dict(os.environ, PYTHONPATH=ROOT), stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=300)
        err = result.stderr.decode("utf-8", "replace")
        self.assertNotIn("Traceback", err)
        self.assertNotIn("MemoryError", err)
        self.assertEqual(result.returncode, 1, err)
        lines = [line for line in err.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("error: "), lines)
        self.assertIn("too big to load", lines[0])

    def test_predict_model(self):
        self.run_limited(os.path.join(ROOT, "predict.py"), "--model", self.bomb,
                         os.path.join(ROOT, "data", "handwriting.png"))

    def test_serve_model(self):
        self.run_limited("-m", "nrnn.serve", "--model", self.bomb, "--port", "0")

    def test_train_resume(self):
        self.run_limited(os.path.join(ROOT, "train.py"), "--resume", self.bomb, "--data-dir", self.folder)


def tearDownModule():
    if BOMB_REPORT and "-v" in sys.argv:
        sys.stderr.write("\n%-40s %9s %12s\n" % ("bomb", "seconds", "peak (MB)"))
        for name, seconds, peak, _ in BOMB_REPORT:
            sys.stderr.write("%-40s %9.3f %12s\n" % (
                name, seconds, "n/a" if peak is None else "%.2f" % (peak / MiB)))


if __name__ == "__main__":
    unittest.main()
