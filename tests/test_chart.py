"""Tests for nrnn/train/chart.py: well-formed SVG, one point per epoch, honest geometry."""

import math
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from nrnn.train.chart import Panel, Series, nice_ticks, svg_chart, text_chart, training_chart, write_svg

SVG = "{http://www.w3.org/2000/svg}"


def history(epochs):
    return [{"epoch": e, "test_accuracy": 0.90 + 0.08 * (1 - math.exp(-e / 3.0)),
             "test_loss": 0.3 / e + 0.05, "train_loss": 0.35 / e} for e in range(1, epochs + 1)]


def points(root, css_class):
    return [c for c in root.iter(SVG + "circle") if c.get("class") == "point " + css_class]


class SvgTest(unittest.TestCase):
    def test_parses_and_has_one_point_per_epoch_per_series(self):
        root = ET.fromstring(training_chart(history(7), "run <7> & more"))
        self.assertEqual(root.tag, SVG + "svg")
        for css_class in ("test-accuracy", "train-loss", "test-loss"):
            found = points(root, css_class)
            self.assertEqual([int(c.get("data-epoch")) for c in found], list(range(1, 8)), css_class)
        # The title is escaped, not broken XML, and reads back intact.
        texts = [t.text for t in root.iter(SVG + "text")]
        self.assertIn("run <7> & more", texts)

    def test_points_are_where_the_values_say(self):
        root = ET.fromstring(training_chart(history(5)))
        accuracy = points(root, "test-accuracy")
        xs = [float(c.get("cx")) for c in accuracy]
        ys = [float(c.get("cy")) for c in accuracy]
        self.assertEqual(xs, sorted(xs))             # epochs left to right
        self.assertEqual(ys, sorted(ys, reverse=True))  # rising accuracy goes up the page
        # Equal epoch steps are equal distances.
        steps = [b - a for a, b in zip(xs, xs[1:])]
        self.assertAlmostEqual(min(steps), max(steps), delta=0.02)
        polyline = [p for p in root.iter(SVG + "polyline") if "test-accuracy" in p.get("class")][0]
        self.assertEqual(len(polyline.get("points").split()), 5)

    def test_a_single_epoch_and_a_flat_series(self):
        root = ET.fromstring(training_chart([{"epoch": 1, "test_accuracy": 0.5,
                                              "test_loss": 0.2, "train_loss": 0.2}]))
        self.assertEqual(len(points(root, "test-accuracy")), 1)
        for circle in root.iter(SVG + "circle"):
            for name in ("cx", "cy"):
                self.assertTrue(math.isfinite(float(circle.get(name))))

    def test_every_coordinate_inside_the_canvas(self):
        root = ET.fromstring(training_chart(history(40)))
        width, height = float(root.get("width")), float(root.get("height"))
        for circle in root.iter(SVG + "circle"):
            self.assertTrue(0 <= float(circle.get("cx")) <= width)
            self.assertTrue(0 <= float(circle.get("cy")) <= height)

    def test_series_length_must_match(self):
        with self.assertRaisesRegex(ValueError, "2 values for 3 epochs"):
            svg_chart([1, 2, 3], [Panel("p", [Series("s", [1.0, 2.0], "s", "red")])])
        with self.assertRaises(ValueError):
            svg_chart([], [])

    def test_write_svg(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "chart.svg")
            write_svg(path, training_chart(history(3)))
            ET.parse(path)


class TicksTest(unittest.TestCase):
    def test_round_steps_covering_the_range(self):
        for low, high in [(0.0, 1.0), (97.3, 98.6), (0.0123, 0.0456), (-5.0, 17.0), (90.0, 90.0), (1e-5, 3e-5)]:
            ticks = nice_ticks(low, high)
            self.assertLessEqual(ticks[0], low)
            self.assertGreaterEqual(ticks[-1], high)
            self.assertTrue(2 <= len(ticks) <= 12, (low, high, ticks))
            step = ticks[1] - ticks[0]
            mantissa = step / 10 ** math.floor(math.log10(step))
            self.assertTrue(any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10)), (low, high, step))

    def test_golden(self):
        # (98.6 - 97.3) / 5 = 0.26 rounds up to a step of 0.5.
        self.assertEqual(nice_ticks(97.3, 98.6), [97.0, 97.5, 98.0, 98.5, 99.0])
        self.assertEqual(nice_ticks(0.0, 1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        self.assertEqual(nice_ticks(0.0, 0.9), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        self.assertEqual(nice_ticks(1.0, 2.2, count=4), [1.0, 1.5, 2.0, 2.5])


class TextChartTest(unittest.TestCase):
    def test_highest_value_on_top_row_lowest_on_bottom(self):
        lines = text_chart("acc", [1.0, 3.0, 2.0], height=3, max_width=3).splitlines()
        self.assertEqual(lines[0], "acc")
        self.assertEqual(lines[1], "   3.00 | *")
        self.assertEqual(lines[2], "        |  *")
        self.assertEqual(lines[3], "   1.00 |*")
        self.assertEqual(lines[4], "        +--- epochs 1..3")

    def test_many_epochs_fit_the_width_and_end_with_the_last(self):
        values = list(range(100))
        lines = text_chart("t", values, height=4, max_width=30).splitlines()
        self.assertEqual(max(len(line) for line in lines[1:-1]), 9 + 30)
        self.assertTrue(lines[1].endswith("*"))  # the last (highest) epoch is shown
        text = text_chart("t", values)
        text.encode("ascii")  # prints on any terminal

    def test_empty(self):
        self.assertIn("no epochs", text_chart("t", []))


if __name__ == "__main__":
    unittest.main()
