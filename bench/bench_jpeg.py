"""Benchmark: how fast, and how faithfully, nrnn/image/jpeg.py decodes JPEG.

    python -m bench.bench_jpeg [--runs 5]
    pypy3  bench/bench_jpeg.py

Prints, each time the median of ``--runs`` runs in this process:

1. The phone photo (``../shared/jpeg/made/digit_phone_4032x3024.jpg``: 12
   megapixels, progressive 4:2:0, 0.9 MB) decoded with ``reduce_to=256``,
   i.e. at 1/8 size (504 x 378, turned upright by its EXIF orientation):
   what ``predict.py photo.jpg`` pays for a phone photo.
2. Full-size decodes for comparison: the 640 x 480 digit photo of
   ../shared/jpeg (``made/digit_q75_420.jpg``: paper texture, gradient,
   baseline 4:2:0, quality 75); a 400 x 300 digit page made here by
   nrnn/image/jpeg_encoder.py (flat paper, so mostly DC-only blocks); and, as
   references measured in the same run, the same page as a PNG (nrnn/image/png.py)
   and the interpreter's bare start-up (``python -c pass``, subprocesses).
3. Conformance: every ``decode`` file of ../shared/jpeg with a reference
   decoding, at its reference scale: how many meet tolerance A (max |diff|
   <= 4, per-channel mean <= 1.0), and the worst max and mean seen.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time

from nrnn.image import jpeg, png
from nrnn.image.jpeg_encoder import encode_rgb8

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHARED = os.environ.get("NRNN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
PHONE = os.path.join(SHARED, "jpeg", "made", "digit_phone_4032x3024.jpg")


def median_seconds(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def digit_page(width=400, height=300):
    """Off-white paper with a soft gradient and a dark "7", R,G,B bytes."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            paper = 235 - (x + y) * 20 // (width + height)
            on_bar = 150 <= x <= 250 and 80 <= y <= 95
            on_stem = abs((x - 240) + (y - 95) * 0.45) < 8 and 95 <= y <= 230
            ink = 40 if on_bar or on_stem else paper
            pixels += bytes((ink, ink - 3 if ink > 3 else 0, ink - 10 if ink > 10 else 0))
    return bytes(pixels)


def conformance():
    """(files, passing, worst max, worst mean) over the rgb8 references."""
    with open(os.path.join(SHARED, "jpeg", "manifest.json")) as handle:
        entries = json.load(handle)["files"]
    files = passing = 0
    worst_max, worst_mean = 0, 0.0
    for entry in entries:
        if entry["expect"] != "decode" or not entry.get("ref") or entry["ref_format"] != "rgb8":
            continue
        with open(os.path.join(SHARED, "jpeg", entry["name"]), "rb") as handle:
            data = handle.read()
        reduce_to = 0 if entry["ref_scale"] == 1 else min(entry["ref_width"], entry["ref_height"])
        image = jpeg.decode(data, entry["name"], reduce_to=reduce_to, orient=False)
        with gzip.open(os.path.join(SHARED, "jpeg", entry["ref"])) as handle:
            reference = handle.read()
        rgb = bytearray(len(reference))
        for channel in range(3):
            rgb[channel::3] = image.rgba[channel::4]
        diffs = [abs(a - b) for a, b in zip(rgb, reference)]
        mean = max(sum(diffs[c::3]) / (len(diffs) // 3) for c in range(3))
        files += 1
        passing += max(diffs) <= 4 and mean <= 1.0
        worst_max, worst_mean = max(worst_max, max(diffs)), max(worst_mean, mean)
    return files, passing, worst_max, worst_mean


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/bench_jpeg.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default: %(default)s)")
    args = parser.parse_args(argv)
    interpreter = "%s %s" % ("PyPy" if hasattr(sys, "pypy_version_info") else "CPython",
                             sys.version.split()[0])
    print("%s, median of %d runs" % (interpreter, args.runs))

    if os.path.exists(PHONE):
        with open(PHONE, "rb") as handle:
            photo = handle.read()
        image = jpeg.decode(photo, reduce_to=256)
        seconds = median_seconds(lambda: jpeg.decode(photo, reduce_to=256), args.runs)
        print("phone photo 4032x3024 progressive, reduce_to=256 -> %dx%d: %.3f s"
              % (image.width, image.height, seconds))
    else:
        print("phone photo: skipped (%s absent)" % PHONE)

    photo_640 = os.path.join(SHARED, "jpeg", "made", "digit_q75_420.jpg")
    if os.path.exists(photo_640):
        with open(photo_640, "rb") as handle:
            data = handle.read()
        seconds = median_seconds(lambda: jpeg.decode(data), args.runs)
        print("640x480 digit photo, baseline 4:2:0 q75 (%d bytes), full size: %.3f s"
              % (len(data), seconds))

    page = digit_page()
    page_jpeg = encode_rgb8(400, 300, page, quality=75)
    page_png = png.encode_rgb8(400, 300, page)
    full = median_seconds(lambda: jpeg.decode(page_jpeg), args.runs)
    as_png = median_seconds(lambda: png.decode(page_png), args.runs)
    startup = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                             args.runs)
    print("400x300 digit page, baseline 4:2:0 q75 (%d bytes), full size: %.3f s"
          % (len(page_jpeg), full))
    print("  references: the same page as PNG (%d bytes): %.3f s; interpreter start-up: %.3f s"
          % (len(page_png), as_png, startup))

    if os.path.exists(os.path.join(SHARED, "jpeg", "manifest.json")):
        files, passing, worst_max, worst_mean = conformance()
        print("conformance: %d/%d files within tolerance A (max <= 4, mean <= 1.0); "
              "worst max %d, worst mean %.3f" % (passing, files, worst_max, worst_mean))
    else:
        print("conformance: skipped (../shared/jpeg absent)")


if __name__ == "__main__":
    main()
