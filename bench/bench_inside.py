"""Benchmark: the drawing page's round trip, now that it shows the inside.

    python -m bench.bench_inside [--model PATH] [--drawings 20] [--repeat 3]

Starts the server in a thread on a free loopback port with the model
(default: the shipped data/model.json.gz) and posts the demo digits as the
page draws them (280 x 280 PNGs, tests/drawn_digits.py), ``--drawings`` in
all, to ``POST /predict``, whose answer now carries the hidden activations
and the contributions.  Prints, each as the median over the drawings (the
best of ``--repeat`` rounds, to see past a busy machine):

- round trip: request sent to JSON parsed, as the page sees it;
- recognize(): the same PNGs through ``nrnn.recognition.recognize`` in this
  process, no HTTP, no inside: the reference measured in the same run;
- the ratio of the two, which is what the inside and HTTP cost;
- ``GET /weights/0.png``: the first request (the picture is drawn) and a
  revalidation with its ETag (304), each once.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time

from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.recognition import load_recognizer, recognize
from nrnn.serve import make_server
from tests.drawn_digits import demo_png
from tests.support import request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=SHIPPED_MODEL)
    parser.add_argument("--drawings", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    network = load_recognizer(args.model)
    drawings = [demo_png(i % 10) for i in range(args.drawings)]
    server = make_server(network, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        start = time.perf_counter()
        status, headers, body = request(port, "GET", "/weights/0.png", timeout=60)
        first_picture = time.perf_counter() - start
        assert status == 200, status
        start = time.perf_counter()
        status, _, _ = request(port, "GET", "/weights/0.png", headers={"If-None-Match": headers["ETag"]}, timeout=60)
        revalidate = time.perf_counter() - start
        assert status == 304, status
        picture_bytes = len(body)

        trips, references, reply_bytes = [], [], 0
        for _ in range(args.repeat):
            round_times, reference_times = [], []
            for png in drawings:
                start = time.perf_counter()
                status, _, reply = request(port, "POST", "/predict", png, {"Content-Type": "image/png"}, timeout=60)
                answer = json.loads(reply)
                round_times.append(time.perf_counter() - start)
                assert status == 200 and "hidden" in answer, answer
                reply_bytes = len(reply)
                start = time.perf_counter()
                recognize(png, network)
                reference_times.append(time.perf_counter() - start)
            trips.append(statistics.median(round_times))
            references.append(statistics.median(reference_times))
    finally:
        server.shutdown()
        server.server_close()
    trip, reference = min(trips), min(references)
    print("%s %s, model %s (%s)" % (platform.python_implementation(), platform.python_version(),
                                    os.path.relpath(args.model), "-".join(map(str, network.sizes))))
    print("POST /predict round trip, median of %d drawings: %.1f ms (reply %d bytes)"
          % (len(drawings), 1000 * trip, reply_bytes))
    print("recognize() alone, same drawings, same run:      %.1f ms" % (1000 * reference))
    print("ratio: %.2f" % (trip / reference))
    print("GET /weights/0.png: %d bytes, first %.0f ms, revalidated (304) %.1f ms"
          % (picture_bytes, 1000 * first_picture, 1000 * revalidate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
