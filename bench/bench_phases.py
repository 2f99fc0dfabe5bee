"""Benchmark: where ``predict.py data/handwriting.png`` spends its time, phase by phase.

    python -m bench.bench_phases [--repeat 7] [--python pypy3 ...] [--image PATH]

``bench_start`` times the whole command; this one says where the time
goes.  Each run is a fresh interpreter (a child process, as for a user:
PyPy's JIT starts cold every time) that does what ``predict.py`` does, one
phase after the other, and reads the CPU time it has used (user + system)
after each:

    start      the interpreter's own start (``python -c pass``, measured apart)
    imports    ``import nrnn.predict`` (everything predict.py imports)
    model      ``load_recognizer``: the shipped model, through the model cache
    decode     the PNG or JPEG file to pixels
    prepare    the pixels to the 784 inputs (``preprocess.prepare``)
    looks      the network's two looks (``recognize_inputs``: deskewing, both
               forward passes, the digit redrawn at MNIST's stroke width)
    print      the answer's line

and prints the median of each over ``--repeat`` runs per interpreter, and
their sum beside the whole command's CPU time as ``bench_start`` measures
it.  The model cache and Python's bytecode cache are set up as in
``bench_start`` (temporary folders, filled by a first run that is not
counted).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from bench.bench_start import ROOT, arguments, interpreter, resource, run

PHASES = ("imports", "model", "decode", "prepare", "looks", "print")

# What the child runs: predict.py's work, one phase at a time, printing the
# CPU seconds each took on the last line.
CHILD = r"""
import sys, time
cpu = time.process_time  # user + system of this process, finer than os.times()
marks = [cpu()]
from nrnn import predict
marks.append(cpu())
if hasattr(predict, "fewer_compiled_loops"):  # (a checkout from before it has none)
    predict.fewer_compiled_loops()  # as predict.main does first
from nrnn.image.image_file import decode_image
from nrnn.image.preprocess import prepare
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.recognition import MAX_IMAGE_PIXELS, PHOTO_SIDE, load_recognizer, recognize_inputs
network = load_recognizer(SHIPPED_MODEL)
marks.append(cpu())
with open(sys.argv[1], "rb") as handle:
    image = decode_image(handle.read(), sys.argv[1], MAX_IMAGE_PIXELS, reduce_to=PHOTO_SIDE)
marks.append(cpu())
inputs = prepare(image)
marks.append(cpu())
answer = recognize_inputs(inputs, network, sys.argv[1])
marks.append(cpu())
print(predict.describe(answer))
sys.stdout.flush()
marks.append(cpu())
print(" ".join("%.6f" % (b - a) for a, b in zip(marks, marks[1:])))
"""


def measure(python: str, image: str, repeat: int) -> dict:
    """{phase: median CPU seconds}, with "start" (bare) and "whole" (predict.py)."""
    folder = tempfile.mkdtemp(prefix="nrnn-bench-phases-")
    try:
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "bytecode")
        env["NRNN_CACHE_DIR"] = os.path.join(folder, "cache")
        child = [python, "-c", CHILD, image]
        predict = [python, os.path.join(ROOT, "predict.py"), image]
        run(predict, env)  # fills the model cache and writes the bytecode
        found: dict = {name: [] for name in ("start",) + PHASES + ("whole",)}
        for _ in range(repeat):
            found["start"].append(run([python, "-c", "pass"], env)[1])
            found["whole"].append(run(predict, env)[1])
            out = subprocess.run(child, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
            for name, seconds in zip(PHASES, out.split("\n")[-2].split()):
                found[name].append(float(seconds))
        return {name: statistics.median(values) for name, values in found.items()}
    finally:
        shutil.rmtree(folder, True)


def main():
    args = arguments(__doc__)
    pythons = args.python or [sys.executable]
    results = [measure(interpreter(python), args.image, args.repeat) for python in pythons]
    print("predict.py %s: CPU seconds a phase, median of %d runs" % (args.image, args.repeat))
    print("%-10s" % "phase" + "".join("%12s" % os.path.basename(python) for python in pythons))
    for name in ("start",) + PHASES:
        print("%-10s" % name + "".join("%12.3f" % result[name] for result in results))
    print("%-10s" % "sum" + "".join("%12.3f" % sum(result[name] for name in ("start",) + PHASES)
                                    for result in results))
    print("%-10s" % "whole" + "".join("%12.3f" % result["whole"] for result in results)
          + "   (predict.py itself, as bench_start times it)")


if __name__ == "__main__":
    if resource is None:
        sys.exit("bench_phases needs the resource module (it has no CPU times without it)")
    main()
