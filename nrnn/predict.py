"""Which digit is in this picture?  ``nrnn predict IMAGE...``

The predict command (``nrnn predict``, ``python -m nrnn predict``, or
``python predict.py`` in a clone): a thin command line over ``nrnn.recognition`` (which does the work: PNG or
JPEG -> MNIST-style 28 x 28 input -> network -> answer).  Files are told
apart by their content, not their names.  For each image it prints the
digit, its probability and the runners-up::

    $ python predict.py data/handwriting.png
    data/handwriting.png: 3 (99.7%)   runners-up: 9 (0.2%), 8 (0.0%)

Options: ``--model PATH`` (default: the shipped data/model.json.gz), ``--show`` (draw the
28 x 28 input the network saw, as text), ``--explain`` (why it answered as it
did: the hidden neurons that pushed for the answer, with their weight
pictures, and the raw outputs; see nrnn/inside/explain.py), ``--json`` (one JSON object a line),
``--save-input OUT.png`` (save that input as a 28 x 28 PNG),
``--show-steps`` (draw every step from the file to that input, small, as
text) and ``--save-steps DIR`` (save each step as a PNG in DIR),
``--mnist-index N`` (read MNIST test image N from the converted CSV instead,
and print it beside its label; only the test set is fetched, into the data
folder, see nrnn/data.py), ``-q/--quiet`` (no notes or progress on
stderr), ``--version``.

Bad input (a missing or corrupt file, a blank image, an unreadable model)
prints one line, ``error: ...`` naming the file, on stderr, never a
traceback.  The other images are still answered; the exit status is 1 if
anything failed, 2 for a wrong command line.
"""

import argparse
import json
import os
import sys

from nrnn.atomic import write_bytes_atomic
from nrnn.cli import OneLineParser, display_path, print_error, run_main, standard_flags
from nrnn.errors import NrnnError, UsageError
from nrnn.image.image_file import decode_image
from nrnn.image.png import encode_gray8
from nrnn.image.preprocess import prepare_stages, thumbnail
from nrnn.input_file import MAX_FILE_BYTES, read_capped
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.recognition import (
    MAX_IMAGE_PIXELS,
    PHOTO_SIDE,
    Recognition,
    input_png,
    load_recognizer,
    recognize,
    recognize_inputs,
    text_art,
)


def _index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
    if value < 0:
        raise argparse.ArgumentTypeError("%d is negative; MNIST test images are numbered from 0" % value)
    return value


def _parser(prog: str = "python predict.py") -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=prog,
        description="Recognise the handwritten digit in each image (PNG or JPEG, "
                    "told apart by content: a drawing, a scan or a phone photo).",
        epilog="Exit status: 0 all answered, 1 something failed (one 'error:' line "
               "each on stderr), 2 bad command line.")
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="PNG or JPEG files to read")
    parser.add_argument("--model", default=SHIPPED_MODEL, metavar="PATH",
                        help="model file, .json or .json.gz (default: the shipped model.json.gz)")
    standard_flags(parser, "no notes or progress on stderr (fetching MNIST for --mnist-index): "
                           "only the answers and errors")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--show", action="store_true",
                        help="also draw the 28x28 input the network saw, as text "
                             "(--explain also shows why it answered as it did)")
    output.add_argument("--json", action="store_true",
                        help="print one JSON object per image instead of text")
    parser.add_argument("--explain", action="store_true",
                        help="after the answer, show why: the input, the hidden neurons that "
                             "contributed most (with their weight pictures), the runner-up, and "
                             "the raw outputs; with --json, the same facts as an 'explain' field")
    parser.add_argument("--save-input", metavar="OUT.png",
                        help="save the 28x28 input the network saw as a PNG "
                             "(white ink on black; one image only)")
    steps = parser.add_argument_group("what the network saw, step by step")
    steps.add_argument("--show-steps", action="store_true",
                       help="draw, small and as text, every step from the image to the 28x28 "
                            "input (brightness, paper, ink, pieces kept, input)")
    steps.add_argument("--save-steps", metavar="DIR",
                       help="save every step as a PNG in DIR (made if missing), "
                            "named IMAGE-NN-STEP.png")
    mnist = parser.add_argument_group("MNIST test images")
    mnist.add_argument("--mnist-index", type=_index, action="append", default=[], metavar="N",
                       help="predict MNIST test image N (0-9999), shown beside its label; "
                            "may be repeated")
    mnist.add_argument("--data-dir", metavar="DIR",
                       help="where the MNIST CSV files are, or will be made (default: $NRNN_DATA_DIR, "
                            "else the repository's data/, else ~/.cache/nrnn; see nrnn/data.py)")
    mnist.add_argument("--source", metavar="SOURCE",
                       help="where to fetch MNIST from if DIR has no CSV files "
                            "(URL or folder; see python -m nrnn.data --help)")
    return parser


def _percent(p: float) -> str:
    return "%.1f%%" % (100.0 * p)


def describe(answer: Recognition, label=None) -> str:
    """The one-line text answer, e.g. ``a.png: 3 (96.1%)   runners-up: 5 (1.9%), 8 (0.8%)``."""
    head = "%s: %d (%s)" % (answer.name, answer.digit, _percent(answer.confidence))
    if label is not None:
        verdict = "right" if label == answer.digit else "WRONG"
        head = "%s: label %d, predicted %d (%s), %s" % (
            answer.name, label, answer.digit, _percent(answer.confidence), verdict)
    others = ", ".join("%d (%s)" % (k, _percent(answer.probabilities[k])) for k in answer.runners_up())
    return "%s   runners-up: %s" % (head, others)


def _stage_slug(name: str) -> str:
    """'gray paper (dark ink, window 31 px)' -> 'gray-paper'."""
    words = "".join(c if c.isalnum() else " " for c in name.split("(")[0].lower())
    return "-".join(words.split()) or "step"


def show_steps(raw: bytes, path: str, show: bool, directory) -> None:
    """Print (``show``) and/or save into ``directory`` every stage of
    preparing the image file ``raw`` (see ``preprocess.prepare_stages``)."""
    stages = prepare_stages(decode_image(raw, display_path(path), MAX_IMAGE_PIXELS, reduce_to=PHOTO_SIDE))
    if directory:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            raise UsageError("%s: cannot make the folder: %s" % (directory, error.strerror or error)) from None
    stem = os.path.splitext(os.path.basename(path))[0]
    for number, (name, width, height, values) in enumerate(stages, 1):
        if show:
            small_width, _, small = thumbnail(width, height, values, 28)
            print("step %d: %s, %d x %d" % (number, name, width, height))
            print(text_art(small, width=small_width))
        if directory:
            levels = bytes(min(255, max(0, int(v * 255 + 0.5))) for v in values)
            target = os.path.join(directory, "%s-%02d-%s.png" % (stem, number, _stage_slug(name)))
            try:
                write_bytes_atomic(target, encode_gray8(width, height, levels))
            except OSError as error:
                raise UsageError("%s: cannot write the step image: %s" % (target, error.strerror or error)) from None
    sys.stdout.flush()


def _mnist_test_samples(indices, data_dir, source, quiet=False):
    """Yield (index, pixels, label) for the wanted MNIST test images, in order."""
    # Imported here: the data layer pulls in the downloader (urllib,
    # hashlib), which plain image prediction does not need.
    from nrnn import data
    from nrnn.mnist import mnist_csv

    test_csv = data.ensure_test_csv(data_dir, source, quiet=quiet)
    wanted = set(indices)
    found = {}
    count = 0
    for index, sample in enumerate(mnist_csv.read_samples(test_csv, limit=max(wanted) + 1)):
        count = index + 1
        if index in wanted:
            found[index] = sample
    for index in indices:
        if index not in found:
            raise UsageError("%s has %d images (0-%d); --mnist-index %d is past the end"
                             % (test_csv, count, count - 1, index))
        pixels, label = found[index]
        yield index, pixels, label


#: PyPy compiles a loop once it has run this many times (PyPy's own default:
#: 1039); see fewer_compiled_loops.
JIT_THRESHOLD = 5000


def fewer_compiled_loops() -> None:
    """On PyPy, compile only loops that run ``JIT_THRESHOLD`` times.

    A prediction is one short run, and tracing and compiling a loop costs
    PyPy as much as interpreting it a few thousand times: many of the photo
    reading's loops (over the rows, the pieces, the candidate paper lines)
    run a few hundred to a few thousand times in all, and are cheaper left
    to the interpreter.  The loops over every pixel run tens of thousands
    of times and are still compiled.  Whole-command CPU time of ``pypy3
    predict.py data/handwriting.png``: 0.253 s instead of 0.266 s with
    PyPy's default (median of 21, paired); 3000 and 8000 did no better,
    12,000 and 20,000 worse.  Set as ``main`` starts; only this command
    (a long run, training or the server, keeps PyPy's defaults).
    """
    try:
        import pypyjit  # type: ignore[import-not-found]  # PyPy's own built-in module
    except ImportError:
        return  # CPython: no JIT
    pypyjit.set_param(threshold=JIT_THRESHOLD)


def main(argv=None, prog: str = "python predict.py") -> int:
    """Run the command line; return the exit status."""
    fewer_compiled_loops()
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if not args.images and not args.mnist_index:
        parser.error("give at least one IMAGE, or --mnist-index N")
    if args.save_input and len(args.images) + len(args.mnist_index) != 1:
        parser.error("--save-input takes exactly one image (or one --mnist-index)")
    if args.json and args.show_steps:
        parser.error("--show-steps draws text; it cannot go with --json (use --save-steps DIR)")

    try:
        if not os.path.exists(args.model):
            raise NrnnError("%s: model file not found (train one with train.py or nrnn train, "
                            "or give another with --model PATH)" % args.model)
        network = load_recognizer(args.model)
    except NrnnError as error:
        print_error(error)
        return 1

    failed = False

    def report(answer: Recognition, label=None) -> None:
        if args.json:
            result: dict[str, object] = {"file": answer.name}
            if label is not None:
                result["label"] = label
            result.update(answer.as_dict(with_input=False))
            if args.explain:
                from nrnn.inside.explain import explain
                result["explain"] = explain(network, answer).as_dict()
            print(json.dumps(result))
        else:
            print(describe(answer, label))
            if args.explain:
                # Imported here, not at the top: most runs never explain, and
                # the module and what it imports cost a tenth of a second.
                from nrnn.inside.explain import explain, explanation_text
                print(explanation_text(network, explain(network, answer)))
            elif args.show or label is not None:
                print(text_art(answer.inputs))
        if args.save_input:
            try:
                write_bytes_atomic(args.save_input, input_png(answer.inputs))
            except OSError as error:
                raise UsageError("%s: cannot write the input image: %s"
                                 % (args.save_input, error.strerror or error)) from None
        sys.stdout.flush()

    for path in args.images:
        # A name that is not valid UTF-8 is shown with \xNN escapes: printed
        # as it is, it would raise UnicodeEncodeError.
        name = display_path(path)
        try:
            # At most MAX_FILE_BYTES (50 MB) is read: /dev/zero or a 3 GB
            # file is one error line, not a MemoryError.
            raw = read_capped(path, MAX_FILE_BYTES, limit_name="MAX_FILE_BYTES")
            answer = recognize(raw, network, name=name)
        except NrnnError as error:
            failed = True
            print_error(error)
            continue
        # Apart from the reading: an OSError here is our output failing (a
        # closed pipe, see cli.run_main), not the image.
        try:
            report(answer)
            if args.show_steps or args.save_steps:
                show_steps(raw, path, args.show_steps, args.save_steps)
        except NrnnError as error:  # --save-input or --save-steps could not be written
            failed = True
            print_error(error)

    if args.mnist_index:
        try:
            for index, pixels, label in _mnist_test_samples(args.mnist_index, args.data_dir, args.source,
                                                             args.quiet):
                answer = recognize_inputs(pixels, network, "MNIST test #%d" % index)
                report(answer, label)
        except NrnnError as error:
            failed = True
            print_error(error)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_main(main))  # Ctrl-C: 130; output closed early (| head): 141
