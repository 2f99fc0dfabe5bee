"""Drive headless Chromium against the drawing page (standard library only).

``find_chromium()`` finds the browser; ``dump_dom(url)`` loads a page and
returns the DOM after its scripts ran; ``screenshot(url, path)`` saves a
PNG of it.  Both use Chromium's own command line (``--dump-dom``,
``--screenshot``) with ``--virtual-time-budget``, which lets the page run
for that much *virtual* time, waiting for network fetches, so the page's
``/?demo=N`` replay, its ``POST /predict`` and the drawing of the answer
all finish before the DOM or the picture is taken.

Also the tool that made the README's screenshot::

    python -m tests.browser docs/serve.png [--model PATH] [--digit 3] [--port 8000]

starts the server on loopback port 8000 with the shipped model, replays
a demo digit and saves the window.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1280, 1000)
VIRTUAL_TIME_MS = 5000
#: Loads of one page before dump_dom gives up waiting for an answer.
ATTEMPTS = 3


def find_chromium():
    """Path of a Chromium (or Chrome) binary, or None."""
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(arguments, timeout=90):
    binary = find_chromium()
    if binary is None:
        raise RuntimeError("no chromium binary found (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="nrnn-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                   "--force-device-scale-factor=1", "--user-data-dir=" + profile,
                   "--virtual-time-budget=%d" % VIRTUAL_TIME_MS] + arguments
        return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)


def dump_dom(url: str) -> str:
    """The page's DOM (as HTML text) once its scripts have run.

    Virtual time waits for fetches but not for ``canvas.toBlob``, whose
    PNG is encoded outside the page's clock: on a busy machine the budget
    can run out between the last stroke and the question it asks, and the
    DOM shows the answer still pending.  Such a load is tried again, up to
    ``ATTEMPTS`` loads in all (a bounded count, not a longer wait).
    """
    for _ in range(ATTEMPTS):
        result = _run(["--dump-dom", url])
        if result.returncode != 0:
            raise RuntimeError("chromium exited with %d: %s" % (
                result.returncode, result.stderr.decode("utf-8", "replace")[-500:]))
        dom = result.stdout.decode("utf-8", "replace")
        if 'data-state="pending"' not in dom:
            break
    return dom


def screenshot(url: str, path: str, window=WINDOW) -> None:
    """Save a PNG of the page, ``window`` = (width, height) pixels, at ``path``."""
    result = _run(["--screenshot=" + os.path.abspath(path), "--window-size=%d,%d" % window, url])
    if result.returncode != 0 or not os.path.exists(path):
        raise RuntimeError("chromium made no screenshot (exit %d): %s" % (
            result.returncode, result.stderr.decode("utf-8", "replace")[-500:]))


class RunningServer:
    """``with RunningServer(network) as base_url:`` the page on a free loopback port."""

    def __init__(self, network, port: int = 0):
        from nrnn.serve import make_server
        self.server = make_server(network, "127.0.0.1", port, quiet=True)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def main(argv=None) -> int:
    from nrnn.recognition import load_recognizer
    from nrnn.serve import DEFAULT_MODEL

    parser = argparse.ArgumentParser(prog="python -m tests.browser",
                                     description="Screenshot the drawing page with a replayed demo digit.")
    parser.add_argument("out", help="PNG to write, e.g. docs/serve.png")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model file (default: the shipped one)")
    parser.add_argument("--digit", default="3", help="demo digit to replay (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000,
                        help="loopback port, so the page's curl line reads as documented "
                             "(default: %(default)s; 0: any free port)")
    parser.add_argument("--width", type=int, default=WINDOW[0])
    parser.add_argument("--height", type=int, default=WINDOW[1])
    args = parser.parse_args(argv)
    with RunningServer(load_recognizer(args.model), args.port) as base:
        screenshot("%s/?demo=%s" % (base, args.digit), args.out, (args.width, args.height))
    print("wrote %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
