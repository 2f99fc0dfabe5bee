"""Benchmark: how well the whole pipeline reads digits as people make them.

    python -m bench.bench_people [--per-kind N] [--kinds a,b] [--model PATH]
                                 [--seed S] [--save DIR] [--show-misses]
                                 [--baseline-worktree PATH]
    pypy3  -m bench.bench_people            # the same figures, faster

``bench/people_digits.py`` draws MNIST *test* digits the ways people hand
them to nrnn (browser canvases, paint programs, phone photos of ink,
pencil and marker on plain, ruled and squared paper, shadows, JPEG); this
script sends each image, as the bytes of its file, through
``nrnn.recognition.recognize`` (decode -> preprocess -> network) and prints,
per kind: images, right, accuracy, errors (an ``NrnnError`` such as "no ink
found": counted wrong and tallied apart), the mean time per image, and
"raw %": the network on the same MNIST digits given as their own 28 x 28
inputs, the level a kind can hope to reach (MNIST has digits nobody can
read).  The shared user-style PNGs (../shared/pngsuite/digits) make one
more row.  ``--save DIR`` writes every image, named kind_index_labelL,
and with ``--show-misses`` the 28 x 28 input the network saw for each miss
(..._readD_input.png), so a person can look.

The images are a pure function of (--seed, kind, index): the same command
gives the same images in any checkout, on any interpreter.

Before and after in one run: ``--baseline-worktree PATH`` also sends every
image to another checkout's pipeline (e.g. the main branch), run in a
subprocess with that checkout first on its path and the same ``--model``
(so only the code differs; ``--baseline-model`` to change it); its figures
print beside ours, and the header names the checkout's commit.  If that
checkout reads no JPEG, its JPEG rows are measured on the same decoded
pixels sent as a PNG (the preprocessing is what we compare), and the table
says so.  A checkout someone is still editing is a moving target; a
snapshot of a commit is not::

    mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    python -m bench.bench_people --baseline-worktree /tmp/before

We tune preprocessing on these figures, never on the MNIST test set's
accuracy: the digits come from the test set only so that none of them
was seen in training.
"""

import argparse
import json
import os
import platform
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.abspath(__file__)
SHARED = os.environ.get("NRNN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))

# One framed message on a worker's stdin: kind of payload ("png"/"jpeg"),
# then its length, then the bytes.
_FRAME = struct.Struct(">4sI")


# ---------------------------------------------------------------- reading


def _recognition_module():
    """nrnn.recognition, or nrnn.recognize in checkouts from before its rename."""
    try:
        from nrnn import recognition
    except ImportError:
        from nrnn import recognize as recognition
    return recognition


def _reader(checkout):
    """A function ``read(data, name) -> (digit or None, error or None,
    seconds, inputs or None)`` using ``checkout``'s nrnn, plus whether it
    reads JPEG.  Must run in a process that imports nrnn from checkout
    (``Baseline`` starts it with PYTHONPATH=checkout)."""
    from nrnn.errors import NrnnError, PNGError
    recognition = _recognition_module()
    MAX_IMAGE_PIXELS, recognize = recognition.MAX_IMAGE_PIXELS, recognition.recognize
    try:
        from nrnn.image import jpeg
    except ImportError:
        jpeg = None

    def read(data, network, name):
        started = time.perf_counter()
        try:
            if data[:2] == b"\xff\xd8":
                try:
                    answer = recognize(data, network, name)
                except PNGError:
                    # This checkout's recognize() takes PNG bytes only: decode
                    # the JPEG ourselves (as the lead's recognize() will).
                    if jpeg is None:
                        raise
                    image = jpeg.decode(data, name, MAX_IMAGE_PIXELS, reduce_to=256)
                    answer = recognize(image, network, name)
            else:
                answer = recognize(data, network, name)
        except NrnnError as error:
            return None, str(error), time.perf_counter() - started, None
        return answer.digit, None, time.perf_counter() - started, answer.inputs

    return read, jpeg is not None


def _worker(checkout, model):
    """Read framed images on stdin, answer one JSON line each on stdout,
    with ``checkout``'s pipeline."""
    read, reads_jpeg = _reader(checkout)
    network = _recognition_module().load_recognizer(model)
    out = sys.stdout
    out.write(json.dumps({"jpeg": reads_jpeg, "sizes": network.sizes}) + "\n")
    out.flush()
    source = sys.stdin.buffer
    while True:
        head = source.read(_FRAME.size)
        if len(head) < _FRAME.size:
            return
        fmt, length = _FRAME.unpack(head)
        data = source.read(length)
        digit, error, seconds, _ = read(data, network, "<%s>" % fmt.decode().strip())
        out.write(json.dumps({"digit": digit, "error": error, "seconds": seconds}) + "\n")
        out.flush()


def _commit(checkout):
    """``checkout``'s git commit (short), with "+changes" if its tracked
    files differ from it; "" when git cannot tell."""
    try:
        head = subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", checkout, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+changes" if dirty else "")


class Baseline:
    """Another checkout's pipeline in a subprocess (see the module doc)."""

    def __init__(self, checkout, model):
        self.checkout = os.path.abspath(checkout)
        command = [sys.executable, HERE, "--worker", self.checkout, "--model", model]
        # The worker runs as a script from bench/, so nrnn comes from PYTHONPATH: the checkout's.
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        cwd=self.checkout, env=dict(os.environ, PYTHONPATH=self.checkout))
        hello = json.loads(self.process.stdout.readline().decode() or "null")
        if hello is None:
            sys.exit("error: the baseline worker in %s did not start" % self.checkout)
        self.reads_jpeg = hello["jpeg"]
        self.model = model
        self.commit = _commit(self.checkout)

    def read(self, data, fmt):
        self.process.stdin.write(_FRAME.pack(fmt.encode().ljust(4), len(data)) + data)
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline().decode())
        return answer["digit"], answer["error"], answer["seconds"]

    def close(self):
        self.process.stdin.close()
        self.process.wait()


# ------------------------------------------------------------------ table


class Tally:
    """Right, wrong and error counts and total time of one row."""

    def __init__(self):
        self.images = self.right = self.errors = 0
        self.seconds = 0.0
        self.note = ""

    def add(self, right, error, seconds):
        self.images += 1
        self.right += bool(right)
        self.errors += error is not None
        self.seconds += seconds

    def cells(self):
        if not self.images:
            return ["", "", "", "", self.note]
        return ["%d" % self.right, "%.1f" % (100.0 * self.right / self.images),
                "%d" % self.errors, "%.0f" % (1000.0 * self.seconds / self.images), self.note]


def _print_table(rows, with_baseline):
    """rows: (kind, ours, theirs, raw) with two Tallies and raw = (right,
    images) of the network on the same digits' own 28 x 28 inputs."""
    head = ["kind", "images", "right", "acc %", "errors", "ms/img", "raw %"]
    if with_baseline:
        head += ["before", "acc %", "errors", "ms/img"]
    lines = [head + ["note"]]
    for kind, ours, theirs, raw in rows:
        cells = [kind, "%d" % ours.images] + ours.cells()[:4]
        cells.append("%.1f" % (100.0 * raw[0] / raw[1]) if raw[1] else "-")
        note = ours.note
        if with_baseline:
            cells += theirs.cells()[:4]
            note = "; ".join(n for n in (ours.note, theirs.note) if n)
        lines.append(cells + [note])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        text = "  ".join(cell.rjust(width) if i else cell.ljust(width)
                         for i, (cell, width) in enumerate(zip(line, widths)))
        print((text + "  " + line[-1]).rstrip())


# ------------------------------------------------------------------- main


def _pngsuite():
    """(name, label, bytes) of the shared user-style PNGs, or None."""
    folder = os.path.join(SHARED, "pngsuite", "digits")
    manifest = os.path.join(folder, "manifest.json")
    if not os.path.exists(manifest):
        return None
    with open(manifest) as handle:
        entries = json.load(handle)["images"]
    out = []
    for entry in entries:
        with open(os.path.join(folder, entry["name"]), "rb") as handle:
            out.append((entry["name"], entry["label"], handle.read()))
    return out


def _save(folder, name, data):
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=60, help="images per kind (default 60)")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--model", default=os.path.join(ROOT, "data", "model.json.gz"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", metavar="DIR", help="write every image (and misses' inputs) here")
    parser.add_argument("--show-misses", action="store_true",
                        help="list every miss (and with --save write its 28x28 input)")
    parser.add_argument("--baseline-worktree", metavar="PATH",
                        help="also read every image with this checkout's pipeline")
    parser.add_argument("--baseline-model", metavar="PATH",
                        help="the baseline's model (default: the same as --model)")
    parser.add_argument("--worker", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.model)
        return

    from bench import people_digits
    from nrnn.recognition import input_png, load_recognizer

    kinds = [k for k in args.kinds.split(",") if k] or list(people_digits.KINDS)
    unknown = [k for k in kinds if k not in people_digits.KINDS]
    if unknown:
        parser.error("unknown kind(s) %s; kinds: %s" % (", ".join(unknown), ", ".join(people_digits.KINDS)))
    read, reads_jpeg = _reader(ROOT)
    network = load_recognizer(args.model)
    mnist_folder = os.path.join(SHARED, "mnist")
    if not os.path.exists(os.path.join(mnist_folder, "t10k-images-idx3-ubyte.gz")):
        sys.exit("error: %s has no MNIST test set (t10k-*.gz)" % mnist_folder)
    digits = people_digits.MnistTest.load(mnist_folder)
    baseline = None
    if args.baseline_worktree:
        baseline = Baseline(args.baseline_worktree, args.baseline_model or args.model)
    if args.save:
        os.makedirs(args.save, exist_ok=True)

    print("%s %s; model %s; seed %d; %d per kind; this checkout %s %s"
          % (platform.python_implementation(), platform.python_version(),
             os.path.relpath(args.model, ROOT), args.seed, args.per_kind, ROOT, _commit(ROOT)))
    if baseline:
        print("before = %s %s, model %s" % (baseline.checkout, baseline.commit or "(not a git checkout)",
                                            baseline.model))
    sys.stdout.flush()
    from nrnn.recognition import recognize_inputs
    rows = []
    total, total_before = Tally(), Tally()
    total_raw = [0, 0]
    misses = []
    generate_seconds = 0.0
    for kind in kinds:
        ours, theirs = Tally(), Tally()
        raw = [0, 0]  # the same MNIST digits as the network's own inputs: the floor
        if kind in people_digits.JPEG_QUALITY and not reads_jpeg and people_digits.jpeg_available():
            ours.note = "skipped (no JPEG decoder yet)"
            rows.append((kind, ours, theirs, raw))
            continue
        for index in range(args.per_kind):
            started = time.perf_counter()
            try:
                sample = people_digits.generate(kind, index, args.seed, digits)
            except people_digits.JpegUnavailable:
                ours.note = "skipped (no JPEG codec yet)"
                break
            generate_seconds += time.perf_counter() - started
            name = "%s_%03d" % (kind, index)
            extension = "jpg" if sample.fmt == "jpeg" else "png"
            digit, error, seconds, inputs = read(sample.data, network, "%s.%s" % (name, extension))
            ours.add(digit == sample.label, error, seconds)
            total.add(digit == sample.label, error, seconds)
            if sample.source.startswith("mnist "):
                pixels = digits.images[int(sample.source.split()[1])]
                raw[0] += recognize_inputs([v / 255.0 for v in pixels], network).digit == sample.label
                raw[1] += 1
            if args.save:
                _save(args.save, "%s_label%d.%s" % (name, sample.label, extension), sample.data)
            if digit != sample.label:
                misses.append("%s (%s) label %d: %s" % (name, sample.source, sample.label,
                                                        error or "read %d" % digit))
                if args.save and args.show_misses and inputs is not None:
                    _save(args.save, "%s_label%d_read%d_input.png" % (name, sample.label, digit),
                          input_png(inputs, scale=4))
            if baseline:
                data, fmt = sample.data, sample.fmt
                if fmt == "jpeg" and not baseline.reads_jpeg:
                    # Same pixels, lossless: what the old preprocessing makes of them.
                    from nrnn.image import jpeg
                    image = jpeg.decode(data, name, 4_000_000, reduce_to=256)
                    data, fmt = people_digits.encode_rgba8(image.width, image.height, image.rgba), "png"
                    theirs.note = "before: JPEG decoded here, sent as PNG"
                b_digit, b_error, b_seconds = baseline.read(data, fmt)
                theirs.add(b_digit == sample.label, b_error, b_seconds)
                total_before.add(b_digit == sample.label, b_error, b_seconds)
        rows.append((kind, ours, theirs, raw))
        total_raw[0] += raw[0]
        total_raw[1] += raw[1]
        sys.stderr.write("  %s done\n" % kind)

    suite = _pngsuite()
    if suite is not None:
        ours, theirs = Tally(), Tally()
        for name, label, data in suite:
            digit, error, seconds, inputs = read(data, network, name)
            ours.add(digit == label, error, seconds)
            if digit != label:
                misses.append("pngsuite %s label %d: %s" % (name, label, error or "read %d" % digit))
            if baseline:
                b_digit, b_error, b_seconds = baseline.read(data, "png")
                theirs.add(b_digit == label, b_error, b_seconds)
        ours.note = "../shared/pngsuite/digits (not in overall)"
        overall_rows = rows + [("pngsuite", ours, theirs, (0, 0))]
    else:
        overall_rows = rows
    total.note = "generated kinds only"
    _print_table(overall_rows + [("overall", total, total_before, total_raw)], baseline is not None)
    print("raw %: the network on the same MNIST digits' own 28x28 inputs, the level a kind can hope to reach")
    print("(generating the images took %.1f s)" % generate_seconds)
    if args.show_misses and misses:
        print("\nmisses:")
        for line in misses:
            print("  " + line)
    if baseline:
        baseline.close()


if __name__ == "__main__":
    main()
