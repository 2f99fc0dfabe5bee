"""Benchmark: the drawing server under a burst of big uploads (loopback only).

    python -m bench.bench_serve_load [--uploads 10] [--side 2000] [--drawings 10]

Starts ``python -m nrnn.serve`` (the shipped model) as a subprocess on a
free port of 127.0.0.1, then sends ``--uploads`` PNGs of ``--side`` x
``--side`` pixels (4 megapixels by default, just under the 2 MB body limit:
the most expensive image the server accepts) all at once, and while they
are being handled, one page drawing (280 x 280) every half second.  Prints:

- every reply's status and whether it was JSON (each must be: 200, or 503
  with Retry-After when the queue is full);
- the drawings' statuses and their median / worst reply time;
- the server's peak resident memory (VmHWM from /proc, Linux only).

The figures go to the README's Robustness section.  The machine is shared:
the times are what they are; the memory and the statuses are the point.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

from nrnn.image.png import encode_gray8
from nrnn.net.prng import PCG32
from tests.drawn_digits import demo_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def big_png(side: int) -> bytes:
    """A side x side grey photo-like page (paper with a little noise, so it
    does not compress to nothing) with a dark 1 in the middle."""
    rng = PCG32(7)
    rows = []
    for y in range(side):
        noise = bytes(216 + (rng.next_u32() & 7) for _ in range(side))
        if 0.2 * side < y < 0.8 * side:
            left, right = int(0.46 * side), int(0.54 * side)
            noise = noise[:left] + bytes(right - left) + noise[right:]
        rows.append(noise)
    return encode_gray8(side, side, b"".join(rows))


def post(port, data, results, index):
    start = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("POST", "/predict", data, {"Content-Type": "image/png"})
        response = connection.getresponse()
        body = response.read()
        try:
            json.loads(body.decode("utf-8"))
            is_json = response.getheader("Content-Type") == "application/json"
        except ValueError:
            is_json = False
        results[index] = (response.status, is_json, response.getheader("Retry-After"),
                          time.monotonic() - start)
        connection.close()
    except Exception as error:  # reported, not raised: every failure counts
        results[index] = ("%s: %s" % (type(error).__name__, error), False, None, time.monotonic() - start)


def peak_rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            match = re.search(r"VmHWM:\s+(\d+) kB", handle.read())
        return int(match.group(1)) / 1024 if match else None
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--side", type=int, default=2000)
    parser.add_argument("--drawings", type=int, default=10)
    args = parser.parse_args()

    data = big_png(args.side)
    print("big upload: %d x %d pixels, %d bytes" % (args.side, args.side, len(data)))
    process = subprocess.Popen([sys.executable, "-m", "nrnn.serve", "--port", "0", "--quiet"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=dict(os.environ, PYTHONPATH=ROOT))
    try:
        process.stdout.readline()
        port = int(re.search(r":(\d+)/", process.stdout.readline().decode()).group(1))
        print("server pid %d, port %d, resident memory at start %.0f MB"
              % (process.pid, port, peak_rss_mb(process.pid) or 0))
        uploads = [None] * args.uploads
        threads = [threading.Thread(target=post, args=(port, data, uploads, i)) for i in range(args.uploads)]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        drawings = [None] * args.drawings
        for i in range(args.drawings):
            time.sleep(0.5)
            post(port, demo_png(i % 10), drawings, i)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        peak = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.communicate(timeout=30)

    statuses = [result[0] for result in uploads]
    print("uploads: %s in %.1f s" % (", ".join("%sx %s" % (statuses.count(s), s)
                                               for s in sorted(set(statuses), key=str)), elapsed))
    print("  every reply JSON: %s; every 503 has Retry-After: %s" % (
        all(result[1] for result in uploads),
        all(result[2] for result in uploads if result[0] == 503)))
    times = [result[3] for result in drawings]
    print("drawings during the burst: %s; reply time median %.2f s, worst %.2f s" % (
        ", ".join(str(result[0]) for result in drawings), statistics.median(times), max(times)))
    print("server peak resident memory: %s" % ("%.0f MB" % peak if peak else "n/a (no /proc)"))


if __name__ == "__main__":
    main()
