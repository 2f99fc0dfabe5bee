"""The README's "Using the library" examples run as written.

Every ```python block of that section runs, in order, in one namespace, in
a temporary folder that holds what the examples name: data/handwriting.png
(the project's own) and small generated MNIST-like CSV files in place of
the real data/mnist_*.csv.
"""

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.synthetic_digits import write_data_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def library_examples():
    """The ```python blocks of the README's "Using the library" section."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    start = text.index("## Using the library")
    section = text[start:text.index("\n## ", start + 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


class ReadmeLibraryTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nrnn-test-readme-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        data = os.path.join(self.folder, "data")
        write_data_dir(data, train=300, test=60)
        shutil.copy(os.path.join(ROOT, "data", "handwriting.png"), data)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.folder)

    def test_the_examples_run_and_print_what_they_say(self):
        blocks = library_examples()
        self.assertEqual(len(blocks), 3)
        namespace = {"__name__": "readme"}
        outputs = []
        for block in blocks:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(block, "README.md (Using the library)", "exec"), namespace)
            outputs.append(printed.getvalue().splitlines())
        # Block 1: the shipped model reads the sample 3, as its comments say.
        self.assertEqual(outputs[0], ["3 [3, 5, 9]", "0.997"])
        self.assertEqual(namespace["network"].sizes, [784, 30, 10])  # block 2 replaced it
        # Block 2: two epochs, each printed by progress=print, then predict and score.
        history = namespace["history"]
        self.assertEqual([epoch.epoch for epoch in history], [1, 2])
        self.assertEqual(outputs[1][:2], [repr(epoch) for epoch in history])
        self.assertEqual(len(namespace["shares"]), 10)
        self.assertAlmostEqual(sum(namespace["shares"]), 1.0, places=12)
        self.assertGreater(float(outputs[1][-1]), 0.9)  # the generated digits are easy
        # Block 3: the model saved and loaded reads the sample like the original.
        self.assertTrue(os.path.exists("my_model.json"))
        self.assertEqual(namespace["again"].weights, namespace["network"].weights)
        nrnn = namespace["nrnn"]
        self.assertEqual(outputs[2], [str(nrnn.recognize("data/handwriting.png", namespace["network"]).digit)])


class PackageTest(unittest.TestCase):
    def test_import_nrnn_loads_nothing_else_until_asked(self):
        code = ("import sys, nrnn; print(sorted(m for m in sys.modules if m.startswith('nrnn'))); "
                "nrnn.Network; print('nrnn.net.network' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, check=True)
        self.assertEqual(done.stdout.splitlines(), ["['nrnn']", "True"])

    def test_recognize_names_a_missing_file_in_one_line(self):
        import nrnn
        from nrnn.errors import NrnnError
        with self.assertRaises(NrnnError) as caught:
            nrnn.recognize(os.path.join(ROOT, "no-such-digit.png"))
        self.assertIn("no-such-digit.png: cannot read file", str(caught.exception))

    def test_the_package_says_it_has_type_hints(self):
        self.assertTrue(os.path.isfile(os.path.join(ROOT, "nrnn", "py.typed")))


if __name__ == "__main__":
    unittest.main()
