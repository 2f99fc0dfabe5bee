"""The drawing page in a real browser: headless Chromium against the server.

The page is loaded as ``/?demo=7``: app.js then fetches
``/static/strokes.json`` and replays the demo 7 by dispatching pointer events
to the canvas, so the page's own drawing handlers run, ``canvas.toBlob``
makes the PNG and ``fetch`` posts it to ``/predict``, exactly as for a pen.
The server runs in a thread with ``demo_network()`` (tests/test_serve.py), a
tiny network trained on the demo digits, so "the page shows 7" does not
depend on the shipped model.

Chromium runs with ``--virtual-time-budget``: virtual time stands still
while a network fetch is pending, so ``--dump-dom`` and ``--screenshot``
happen after the answer has arrived and been drawn.  Every run is bounded by
a subprocess timeout.  The tests skip, saying so, when no Chromium binary
is installed (``apt-get install chromium``; ``.ci/run`` installs it).

``python -m tests.test_browser --screenshot docs/serve.png`` makes the
README's screenshot with the shipped model (``--demo D`` picks the digit).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

from nrnn import serve
from nrnn.png import read_png
from tests.support import ROOT
from tests.test_serve import demo_network, start_server

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                  "--force-device-scale-factor=1", "--virtual-time-budget=20000"]
CHROMIUM_SECONDS = 60
WINDOW = (1100, 800)
ACCENT = (79, 70, 229)  # --accent in style.css: the answer's box


def find_chromium():
    """Path of a Chromium binary ($NRNN_CHROMIUM first), or None."""
    candidates = [os.environ.get("NRNN_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(name) or "" for name in CHROMIUM_NAMES]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def run_chromium(url: str, *options: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on ``url`` with a throw-away profile."""
    profile = tempfile.mkdtemp(prefix="nrnn-chromium-")
    try:
        return subprocess.run([find_chromium()] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile]
                              + list(options) + [url],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=CHROMIUM_SECONDS)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(url: str) -> str:
    result = run_chromium(url, "--dump-dom")
    if result.returncode != 0:
        raise AssertionError("chromium exited with %d: %s" % (result.returncode, result.stderr[-800:]))
    return result.stdout.decode("utf-8", "replace")


def screenshot(url: str, path: str, window=WINDOW) -> None:
    result = run_chromium(url, "--window-size=%d,%d" % window, "--screenshot=" + path)
    if result.returncode != 0 or not os.path.exists(path):
        raise AssertionError("chromium made no screenshot (%d): %s" % (result.returncode, result.stderr[-800:]))


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
        port = start_server(self, self.network)
        self.base = "http://127.0.0.1:%d/" % port

    def test_the_page_reads_the_replayed_demo_digit(self):
        for digit in (7, 2):
            with self.subTest(digit=digit):
                dom = dump_dom(self.base + "?demo=%d" % digit)
                found = element(dom, "digit")
                self.assertIsNotNone(found, dom[:2000])
                tag, text = found
                self.assertIn('data-state="done"', tag, "no answer arrived: " + (element(dom, "status") or ("", ""))[1])
                self.assertEqual(text, str(digit))
                # The bar chart: ten rows, the recognised digit's row highlighted.
                self.assertEqual(len(re.findall(r'<span class="label">\d</span>', dom)), 10)
                best = re.findall(r'<li class="best"><span class="label">(\d)</span>', dom)
                self.assertEqual(best, [str(digit)])
                self.assertRegex(element(dom, "confidence")[1], r"^Confidence (>99\.9|\d+\.\d)%$")
                self.assertIn("Runners-up: ", element(dom, "runners-up")[1])

    def test_an_unknown_demo_digit_is_explained(self):
        dom = dump_dom(self.base + "?demo=x")
        tag, text = element(dom, "status")
        self.assertIn('class="status error"', tag)
        self.assertIn('no demo digit "x"', text)
        self.assertIn('data-state="empty"', element(dom, "digit")[0])

    def test_screenshot_shows_the_drawing_and_the_answer(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "page.png")
        screenshot(self.base + "?demo=7", path)
        image = read_png(path)  # our own decoder: a valid PNG
        self.assertEqual((image.width, image.height), WINDOW)
        rgba = image.rgba
        pixels = [tuple(rgba[i:i + 3]) for i in range(0, len(rgba), 4)]
        # The answer's box (120 x 120 in the accent colour, less the digit).
        accent = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, ACCENT)) <= 8)
        self.assertGreater(accent, 5000)
        # The drawn 7: dark ink in the left half.
        ink = sum(1 for index, p in enumerate(pixels) if index % WINDOW[0] < WINDOW[0] // 2 and max(p) < 60)
        self.assertGreater(ink, 2000)


def make_readme_screenshot(path: str, digit: int, model: str) -> None:
    """Serve ``model`` on a free port and screenshot the page reading ``digit``."""
    network = serve.load_recognizer(model)
    server = serve.make_server(network, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = "http://127.0.0.1:%d/?demo=%d" % (server.server_address[1], digit)
        screenshot(url, path, window=(1100, 1040))
    finally:
        server.shutdown()
        server.server_close()
    image = read_png(path)
    print("%s: %d x %d" % (path, image.width, image.height))


if __name__ == "__main__":
    if "--screenshot" in sys.argv:
        parser = argparse.ArgumentParser(description="Make the README screenshot of the drawing page.")
        parser.add_argument("--screenshot", required=True, metavar="OUT.png")
        parser.add_argument("--demo", type=int, default=7, choices=range(10))
        parser.add_argument("--model", default=serve.DEFAULT_MODEL)
        arguments = parser.parse_args()
        if not find_chromium():
            sys.exit("error: no Chromium found")
        make_readme_screenshot(os.path.join(os.getcwd(), arguments.screenshot), arguments.demo, arguments.model)
    else:
        unittest.main()
