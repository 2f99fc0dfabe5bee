"""The drawing page in a real browser: headless Chromium against the server.

The page is loaded as ``/?demo=N``: app.js then fetches
``/static/strokes.json`` and replays demo digit N by dispatching pointer
events to the canvas, so the page's own drawing handlers run,
``canvas.toBlob`` makes the PNG and ``fetch`` posts it to ``/predict``,
exactly as for a pen.  The server runs in a thread with
``tests.drawn_digits.demo_network()``, a small network trained on the demo
digits, so "the page shows 7" does not depend on the shipped model.

Chromium is driven by ``tests/browser.py`` (``--dump-dom`` and
``--screenshot`` with ``--virtual-time-budget``: virtual time stands still
while a fetch is pending, so the DOM and the picture are taken after the
answer has been drawn; every run has a subprocess timeout).  The tests skip,
saying so, when no Chromium binary is installed (``apt-get install
chromium``; ``.ci/run`` installs it).
"""

import os
import re
import shutil
import tempfile
import unittest

from nrnn.image.png import read_png
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.recognition import load_recognizer, recognize
from tests.browser import ATTEMPTS, RunningServer, dump_dom, find_chromium, screenshot
from tests.drawn_digits import demo_network, demo_png

WINDOW = (1100, 800)
ACCENT = (79, 70, 229)  # --accent in style.css: the answer's box and the top bar


def element(dom: str, element_id: str):
    """(opening tag, text inside) of the element with ``id``, or None."""
    match = re.search(r'(<[a-z]+\b[^>]*\bid="%s"[^>]*>)(.*?)</' % re.escape(element_id), dom, re.S)
    return (match.group(1), match.group(2).strip()) if match else None


@unittest.skipUnless(find_chromium(), "needs Chromium (apt-get install chromium; .ci/run installs it)")
class DrawingPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.network = demo_network()

    def setUp(self):
        running = RunningServer(self.network)
        self.base = running.__enter__()
        self.addCleanup(running.__exit__, None, None, None)

    def test_the_page_reads_the_replayed_demo_digit(self):
        for digit in (7, 2):
            with self.subTest(digit=digit):
                dom = dump_dom("%s/?demo=%d" % (self.base, digit))
                found = element(dom, "digit")
                self.assertIsNotNone(found, dom[:2000])
                tag, text = found
                self.assertIn('data-state="done"', tag,
                              "no answer arrived; status: %r" % (element(dom, "status"),))
                self.assertEqual(text, str(digit))
                # The bar chart: ten rows, the recognised digit's row highlighted.
                self.assertEqual(len(re.findall(r'<span class="label">\d</span>', dom)), 10)
                best = re.findall(r'<li class="best"><span class="label">(\d)</span>', dom)
                self.assertEqual(best, [str(digit)])
                self.assertRegex(element(dom, "confidence")[1], r"^Confidence (>99\.9|\d+\.\d)%$")
                self.assertIn("Runners-up: ", element(dom, "runners-up")[1])
                self.assertNotIn("error", element(dom, "status")[0])

    def test_the_hidden_strip_shows_the_neurons_and_changes_with_the_digit(self):
        strips = {}
        for digit in (7, 2):
            dom = dump_dom("%s/?demo=%d" % (self.base, digit))
            self.assertNotIn("hidden", element(dom, "inside")[0], "the strip stayed hidden")
            self.assertIn('data-pictures="drawn"', element(dom, "strip")[0],
                          "the weight pictures (/weights/0.png) were not drawn")
            items = re.findall(r'<li data-neuron="(\d+)" data-activation="([0-9.]+)">', dom)
            # The demo network has 24 hidden neurons: the 16 most active are shown,
            # most active first, each with its weight picture and activation bar.
            self.assertEqual(len(items), 16, dom[:3000])
            activations = [float(a) for _, a in items]
            self.assertEqual(activations, sorted(activations, reverse=True))
            strip = dom[dom.find('id="strip"'):]
            self.assertEqual(strip[:strip.find("</ol>")].count("<canvas"), 16)
            self.assertIn("16 most active of the first hidden layer's 24 neurons",
                          element(dom, "inside-caption")[1])
            # The numbers are the network's for this drawing (the browser's
            # canvas may rasterise the strokes a shade differently from
            # demo_png, hence the tolerance).
            answer = recognize(demo_png(digit), self.network)
            for neuron, activation in items:
                self.assertAlmostEqual(float(activation), answer.hidden[0][int(neuron)], delta=0.01)
            strips[digit] = items
        self.assertNotEqual(strips[7], strips[2])
        # No neuron is shown large until one is chosen.
        self.assertIn("hidden", element(dom, "neuron")[0])

    def test_a_chosen_neuron_is_shown_large_with_its_part_in_the_answer(self):
        dom = dump_dom("%s/?demo=7&neuron=5" % self.base)
        self.assertNotIn("hidden", element(dom, "neuron")[0])
        answer = recognize(demo_png(7), self.network)
        text = re.sub(r"<[^>]+>", "", dom[dom.find('id="neuron-text"'):].split("</p>")[0].split(">", 1)[1])
        shown = re.search(r"Neuron 5 of the first hidden layer: activation ([0-9.]+)", text)
        self.assertIsNotNone(shown, text)
        # (A tolerance: the browser's canvas may rasterise the strokes a
        # shade differently from demo_png.)
        self.assertAlmostEqual(float(shown.group(1)), answer.hidden[0][5], delta=0.015)
        # One hidden layer: its part in the answer, h_5 w_75, is told too.
        part = answer.hidden[0][5] * self.network.weights[1][7][5]
        told = re.search(r"adds ([-+][0-9.]+) to the output neuron 7's input \((for|against) the answer\)", text)
        self.assertIsNotNone(told, text)
        self.assertAlmostEqual(float(told.group(1)), part, delta=0.03)

    def test_an_unknown_demo_digit_is_explained(self):
        dom = dump_dom(self.base + "/?demo=x")
        tag, text = element(dom, "status")
        self.assertIn('class="status error"', tag)
        self.assertIn('no demo digit "x"', text)
        self.assertIn('data-state="empty"', element(dom, "digit")[0])

    def test_an_unknown_demo_photo_is_explained(self):
        dom = dump_dom(self.base + "/?photo=nothing.jpg")
        tag, text = element(dom, "status")
        self.assertIn('class="status error"', tag)
        self.assertIn("Cannot load the demo photo", text)

    def test_screenshot_shows_the_drawing_and_the_answer(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "page.png")
        # (Loaded again, like dump_dom, when the answer was still on its way.)
        for _ in range(ATTEMPTS):
            screenshot(self.base + "/?demo=7", path, WINDOW)
            image = read_png(path)  # our own decoder: a valid PNG
            self.assertEqual((image.width, image.height), WINDOW)
            rgba = image.rgba
            pixels = [tuple(rgba[i:i + 3]) for i in range(0, len(rgba), 4)]
            # The answer's box: 120 x 120 px of the accent colour, less the digit.
            accent = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, ACCENT)) <= 8)
            if accent > 5000:
                break
        self.assertGreater(accent, 5000)
        # The drawn 7: dark ink in the left half of the window.
        ink = sum(1 for index, p in enumerate(pixels) if index % WINDOW[0] < WINDOW[0] // 2 and max(p) < 60)
        self.assertGreater(ink, 2000)


@unittest.skipUnless(find_chromium(), "needs Chromium (apt-get install chromium; .ci/run installs it)")
@unittest.skipUnless(os.path.exists(SHIPPED_MODEL), "needs the shipped model")
class PhotoOnThePage(unittest.TestCase):
    """``/?photo=photo.jpg`` goes through the page's own pick-a-photo path:
    the JPEG is shown on the pad and posted as it is; the shipped model
    reads the "2" that data/draw_photo.py drew."""

    def test_the_page_reads_the_shipped_demo_photo(self):
        with RunningServer(load_recognizer(SHIPPED_MODEL)) as base:
            dom = dump_dom(base + "/?photo=photo.jpg")
            folder = tempfile.mkdtemp()
            self.addCleanup(shutil.rmtree, folder)
            path = os.path.join(folder, "page.png")
            screenshot(base + "/?photo=photo.jpg", path, WINDOW)
        tag, text = element(dom, "digit")
        self.assertIn('data-state="done"', tag, "no answer; status: %r" % (element(dom, "status"),))
        self.assertEqual(text, "2")
        self.assertIn("ink found in your photo", element(dom, "status")[1])
        # The hidden strip follows the /predict answer, photo or drawing:
        # 16 of the shipped model's 500 neurons.
        self.assertNotIn("hidden", element(dom, "inside")[0])
        self.assertEqual(len(re.findall(r'<li data-neuron="\d+"', dom)), 16)
        self.assertEqual(element(dom, "clear")[0].count("disabled"), 0)
        # The pad shows the photo: its blue grid lines in the left half.
        image = read_png(path)
        rgba = image.rgba
        grid = sum(1 for i in range(0, len(rgba), 4)
                   if (i // 4) % WINDOW[0] < WINDOW[0] // 2
                   and rgba[i + 2] > rgba[i] + 30 and rgba[i + 2] > 150)
        self.assertGreater(grid, 500)


if __name__ == "__main__":
    unittest.main()
