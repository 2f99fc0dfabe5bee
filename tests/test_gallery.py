"""The README's "Seeing inside the network" gallery is made by the project's
own commands (docs/make_gallery.py), and stays in step with them: the
commands still run, every picture the README shows exists and decodes, and
the ``--explain`` output in the README is the one in docs/explain.txt."""

import importlib.util
import os
import re
import subprocess
import sys
import unittest

from nrnn.image.png import decode
from tests.support import ROOT

SCRIPT = os.path.join(ROOT, "docs", "make_gallery.py")
# The script is not in a package: load it from its file.
_spec = importlib.util.spec_from_file_location("make_gallery", SCRIPT)
make_gallery = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_gallery)


def readme() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        return handle.read()


class Gallery(unittest.TestCase):
    def section(self) -> str:
        text = readme()
        start = text.index("## Seeing inside the network")
        return text[start:text.index("\n## ", start + 1)]

    def test_the_gallery_commands_still_run(self):
        result = subprocess.run([sys.executable, "-m", "docs.make_gallery", "--check"], cwd=ROOT, capture_output=True,
                                text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        produced = result.stdout.strip().splitlines()[-1]
        for name, argv, stdout_path in make_gallery.commands("m", "s", "out"):
            target = stdout_path or argv[argv.index("--png") + 1]
            self.assertIn(os.path.basename(target), produced, name)

    def test_every_picture_the_section_shows_is_there_and_made_by_the_script(self):
        made = {os.path.basename(argv[argv.index("--png") + 1])
                for _, argv, out in make_gallery.commands("m", "s", "docs") if out is None}
        shown = re.findall(r"\(docs/([\w.-]+\.png)\)", self.section())
        self.assertEqual(set(shown), made)
        for name in shown:
            with open(os.path.join(ROOT, "docs", name), "rb") as handle:
                image = decode(handle.read())
            self.assertGreater(image.width * image.height, 28 * 28, name)

    def test_the_readme_shows_the_current_explain_output(self):
        with open(os.path.join(ROOT, "docs", "explain.txt"), encoding="utf-8") as handle:
            explain_text = handle.read()
        text = readme()
        self.assertEqual(make_gallery.readme_with(explain_text, text), text,
                         "README.md's --explain block differs from docs/explain.txt: "
                         "run python -m docs.make_gallery")
        self.assertIn("--explain", explain_text.splitlines()[0])


if __name__ == "__main__":
    unittest.main()
