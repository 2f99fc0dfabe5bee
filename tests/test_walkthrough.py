"""docs/backprop.md shows exactly what ``python -m nrnn.net.walkthrough`` prints."""

import contextlib
import io
import os
import re
import unittest

from nrnn.net import walkthrough

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def text_blocks(path):
    """The ```text fenced blocks of a Markdown file, in order."""
    with open(path, encoding="utf-8") as page:
        return re.findall(r"^```text\n(.*?)\n```$", page.read(), flags=re.S | re.M)


class WorkedStepPageTest(unittest.TestCase):
    def test_the_page_shows_what_the_walkthrough_prints(self):
        blocks = text_blocks(os.path.join(ROOT, "docs", "backprop.md"))
        expected = walkthrough.sections("quadratic")
        self.assertEqual(len(blocks), len(expected))
        for number, (block, text) in enumerate(zip(blocks, expected)):
            self.assertEqual(block, text, "docs/backprop.md, block %d (%s)" % (number, walkthrough.TITLES[number]))

    def test_every_derivative_matches_its_finite_difference(self):
        for cost in ("quadratic", "cross-entropy"):
            text = "\n".join(walkthrough.sections(cost))
            self.assertNotIn("differs", text)
            self.assertEqual(text.count("finite difference"), 16)  # 4 deltas, 4 biases, 8 weights
            self.assertIn("takes the same step (to 1e-12): yes", text)

    def test_a_wrong_derivative_is_marked(self):
        self.assertIn("<-- differs", walkthrough.beside(0.25, 0.125))
        self.assertEqual(walkthrough.beside(0.25, 0.25), "finite difference 0.25")

    def test_the_command_prints_every_section_with_its_title(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(walkthrough.main(["--cost", "cross-entropy"]), 0)
        for title in walkthrough.TITLES:
            self.assertIn("== " + title + "\n", out.getvalue())
        self.assertIn("delta^2[0] = a - y = 0.464036 - 1.0 = -0.535964", out.getvalue())

    def test_numbers_read_as_a_learner_writes_them(self):
        self.assertEqual([walkthrough.f(v) for v in (0.5, -0.1332981, 1.0, -0.0000001)],
                         ["0.5", "-0.133298", "1.0", "0.0"])
        self.assertEqual(walkthrough.plus(["0.1*1.0", "-0.2"]), "0.1*1.0 - 0.2")


if __name__ == "__main__":
    unittest.main()
