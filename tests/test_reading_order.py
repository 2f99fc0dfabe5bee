"""The reading order is the same everywhere a learner meets it, and its modules teach by example."""

import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "nrnn")


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as source:
        return source.read()


def table_files(text, prefix=""):
    """The .py files named in a Markdown table's rows, in order."""
    files = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| step") and not line.startswith("| ---"):
            cells = line.split("|")
            if len(cells) > 2:
                pattern = r"`(%s(?:[a-z]+/)?[a-z_]+\.py)`" % re.escape(prefix)
                files += [name[len(prefix):] for name in re.findall(pattern, cells[2])]
    return files


def package_modules():
    """Every module of the package, as a path under nrnn/ ("net/network.py")."""
    names = []
    for directory, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                names.append(os.path.relpath(os.path.join(directory, name), PACKAGE).replace(os.sep, "/"))
    return sorted(names)


class ReadingOrderTest(unittest.TestCase):
    def test_readme_and_the_package_give_the_same_order(self):
        readme = read("README.md")
        section = readme[readme.index("## Read the source in this order"):readme.index("## Using the library")]
        top = table_files(section, "nrnn/")
        inside = table_files(read("nrnn", "README.md"))
        self.assertEqual(top[0], "net/reference.py")
        self.assertEqual(top, inside)
        package_docstring = read("nrnn", "__init__.py")
        chain = re.findall(r"([a-z_]+\.py)", package_docstring.split('"""')[1])
        helpers = ("errors.py", "atomic.py", "cli.py", "input_file.py", "progress.py", "report.py", "chart.py",
                   "session.py", "strokes.py", "__main__.py", "predict.py", "command.py")
        numbered = [os.path.basename(name) for name in top if os.path.basename(name) not in helpers]
        self.assertEqual([name for name in chain if name in numbered][:len(numbered)], numbered)

    def test_every_module_is_in_the_order(self):
        top = set(table_files(read("README.md"), "nrnn/"))
        self.assertEqual(sorted(set(package_modules()) - top), [])


class ProjectLayoutTest(unittest.TestCase):
    def test_the_readme_layout_names_what_is_in_the_tree(self):
        readme = read("README.md")
        layout = readme[readme.index("## Project layout"):]
        layout = layout[layout.index("```"):layout.index("```", layout.index("```") + 3)]
        made_by_running = ("models", "dist", "build", "__pycache__")  # git-ignored output
        top = [name for name in os.listdir(ROOT)
               if not name.startswith(".") and name not in made_by_running and not name.endswith(".egg-info")]
        package = [name for name in os.listdir(PACKAGE) if name not in made_by_running + ("__init__.py",)]
        for name in top + [".ci"] + package:
            with self.subTest(name=name):
                self.assertRegex(layout, r"(^|[\s/,])%s\b" % re.escape(name))


class ExamplesTest(unittest.TestCase):
    def test_modules_with_examples_run_them_with_python_m(self):
        for name in package_modules():
            text = read("nrnn", name)
            if ">>>" in text:
                with self.subTest(module=name):
                    self.assertIn('if __name__ == "__main__":', text)

    def test_the_first_steps_show_their_idea_with_numbers(self):
        for name in ("reference.py", "sigmoid.py", "cost.py", "network.py", "gradcheck.py", "matrix.py", "prng.py"):
            with self.subTest(module=name):
                examples = re.findall(r"^>>> .*\n((?:(?!>>>).+\n)+)", read("nrnn", "net", name), flags=re.M)
                outputs = [line for block in examples for line in block.splitlines()]
                self.assertTrue(any(re.search(r"\d\.\d", line) for line in outputs), name)

    def test_python_m_network_and_doctest_on_the_file_both_work(self):
        for command in ([sys.executable, "-m", "nrnn.net.network", "-v"],
                        [sys.executable, "-m", "doctest", "-v", os.path.join("nrnn", "net", "network.py")]):
            with self.subTest(command=" ".join(command[1:])):
                done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
                self.assertEqual(done.returncode, 0, done.stdout[-2000:])
                self.assertIn("Test passed.", done.stdout)


if __name__ == "__main__":
    unittest.main()
