"""docs/exercises.md: every expected output on the page is what the command prints.

The gradient-check exercises run in the default suite (they take a second).
The training labs need the shared MNIST files and about a minute or two, so
they run only when NRNN_SLOW_TESTS=1 is set (.ci/run sets it).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from nrnn.errors import UsageError
from nrnn.train.config import TrainingConfig
from tests.support import ROOT, requires_shared, run_broken, shared_path

PAGE = os.path.join(ROOT, "docs", "exercises.md")
SLOW = os.environ.get("NRNN_SLOW_TESTS") == "1"
LAB_MODEL = "models/lab.json"


def page():
    with open(PAGE, encoding="utf-8") as source:
        return source.read()


def normalised(lines):
    """Lines with the small errors of correct rows (e.g. '3e-11  ok') blanked:
    their last digit may differ between interpreters."""
    return [re.sub(r"\d(\.\d+)?e-\d\d  ok", "<small>  ok", line.rstrip()) for line in lines]


def edited_checks():
    """[(file, old, new, expected lines)] for each '<!-- lab edit -->' on the page."""
    found = re.findall(r"^<!-- lab edit: (\S+) \| (.*?) \| (.*?) -->\n```text\n(.*?)\n```$", page(), flags=re.M | re.S)
    return [(name, old, new, expected.splitlines()) for name, old, new, expected in found]


def training_labs():
    """[(command, expected line)] for every ```sh block of train.py runs and the ```text block after it."""
    labs = []
    for commands, outputs in re.findall(r"^```sh\n(python train\.py.*?)\n```\n\n```text\n(.*?)\n```$", page(),
                                        flags=re.M | re.S):
        commands, outputs = commands.splitlines(), outputs.splitlines()
        assert len(commands) == len(outputs), (commands, outputs)
        labs += list(zip(commands, outputs))
    return labs


class GradientCheckExercisesTest(unittest.TestCase):
    def test_the_page_has_them(self):
        self.assertEqual([name for name, _, _, _ in edited_checks()], ["net/reference.py", "net/cost.py"])

    def test_each_expected_output_is_what_gradcheck_prints(self):
        for name, old, new, expected in edited_checks():
            with self.subTest(edit=name):
                status, sections = run_broken((name, old, new))
                self.assertEqual(status, 1)
                printed = normalised(sections["all"].splitlines())
                wanted = normalised(expected)
                starts = [i for i, line in enumerate(printed) if line == wanted[0]]
                self.assertTrue(any(printed[i:i + len(wanted)] == wanted for i in starts),
                                "docs/exercises.md expects\n%s\nbut gradcheck printed\n%s"
                                % ("\n".join(expected), sections["all"]))


class InitOptionTest(unittest.TestCase):
    """train.py --init, which exercise 4 needs."""

    def test_the_option_reaches_the_config_and_its_command(self):
        import train  # the tests run from the root, where train.py is
        self.assertEqual(train.build_parser().parse_args(["--init", "unit"]).init, "unit")
        self.assertIsNone(train.build_parser().parse_args([]).init)
        config = TrainingConfig(init="unit")
        config.check()
        self.assertIn("--init unit", config.command())
        # The default is left out, so the commands in older models stay as they were.
        self.assertNotIn("--init", TrainingConfig().command())
        with self.assertRaises(UsageError):
            TrainingConfig(init="zeros").check()


class TrainingLabsTest(unittest.TestCase):
    def test_every_lab_is_the_quick_setting(self):
        labs = training_labs()
        self.assertGreaterEqual(len(labs), 10)
        for command, expected in labs:
            self.assertTrue(command.startswith("python train.py --limit 3000 --layers 784,30,10 --quiet "
                                               "--overwrite --model " + LAB_MODEL), command)
            self.assertRegex(expected, r"^saved model: models/lab\.json \(test accuracy \d+\.\d\d% after \d epochs?\)$")

    @unittest.skipUnless(SLOW, "a training run per lab: set NRNN_SLOW_TESTS=1 to run them")
    @requires_shared("mnist")
    def test_every_lab_prints_what_the_page_says(self):
        folder = tempfile.mkdtemp(prefix="nrnn-labs-")
        self.addCleanup(shutil.rmtree, folder, True)
        model = os.path.join(folder, "lab.json")
        for command, expected in training_labs():
            with self.subTest(command=command):
                argv = command.split()[2:]
                argv[argv.index(LAB_MODEL)] = model
                done = subprocess.run([sys.executable, os.path.join(ROOT, "train.py")] + argv
                                      + ["--source", shared_path("mnist"), "--data-dir", folder],
                                      cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
                self.assertEqual(done.returncode, 0, done.stdout)
                saved = [line for line in done.stdout.splitlines() if line.startswith("saved model:")]
                self.assertEqual([line.replace(model, LAB_MODEL) for line in saved[-1:]], [expected], done.stdout)


if __name__ == "__main__":
    unittest.main()
