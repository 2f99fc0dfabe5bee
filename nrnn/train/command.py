"""The train command: ``nrnn train --epochs 1`` (``python train.py`` in a clone).

Argument parsing only; the work is done by nrnn.train.session (files,
resume), nrnn.train.training (the loop), nrnn.train.evaluate,
nrnn.train.report and nrnn.train.chart.  ``nrnn train --help`` lists the
options.
"""

import argparse
import sys

from nrnn.cli import OneLineParser, print_error, standard_flags
from nrnn.errors import NrnnError
from nrnn.train.config import TrainingConfig
from nrnn.train.session import DEFAULT_MODEL, DRY_RUN_BATCHES, DRY_RUN_TEST_SAMPLES, EXIT_INTERRUPTED, run

DEFAULTS = TrainingConfig.defaults()

DESCRIPTION = """\
Train a neural network to read handwritten digits (MNIST), evaluate it on the
10,000 test images after every epoch, and save it.

On first use the MNIST files are downloaded (or copied from --source) into
the data folder's mnist/ and converted to CSV; the data folder is --data-dir,
else $NRNN_DATA_DIR, else the repository's data/ in a clone, else
~/.cache/nrnn ($XDG_CACHE_HOME/nrnn).

The default network is %s: 784 inputs (the 28x28 pixels), one hidden
layer of 100 sigmoid neurons, 10 outputs (one per digit), cross-entropy
cost, per-sample SGD, learning rate %g. Why: 100 hidden neurons reach about
94.7%% test accuracy after a single epoch (30 hidden: about 92%%) while an
epoch of the 60,000 MNIST training images still takes about 2 minutes on
CPython (PyPy is 10-15x faster); cross-entropy keeps learning fast even when
an output is badly wrong; per-sample SGD makes the most progress per sample
seen. For the best accuracy see the README
(data/model.json.gz: 784,500,10 with weight decay, a decaying rate, deskewed
images and random shifts, rotations, scaling and stroke thickness).
""" % (",".join(map(str, DEFAULTS["sizes"])), DEFAULTS["learning_rate"])

EPILOG = """\
examples:
  %(prog)s --epochs 1          # quick start (default network)
  %(prog)s --dry-run           # check data, options and paths on a few batches; save nothing
  %(prog)s --layers 784,16,16,10 --epochs 5 --model models/small.json
  %(prog)s --resume models/model.json                # continue after Ctrl-C
  %(prog)s --resume models/model.json --epochs 10    # train further
  pypy3 train.py ... (installed: pypy3 -m nrnn train ...)   # the same, 10-15x faster

After every epoch the model is saved (atomically) with its configuration and
progress in its metadata; Ctrl-C saves the last complete step and exits with
status 130, and --resume then finishes exactly as an uninterrupted run would
(same seed and options -> the same model file, bit for bit, on one
interpreter). Beside MODEL go MODEL.history.json (every epoch, timings, the
confusion matrix) and MODEL.history.svg (accuracy and loss per epoch). The
last line says how to use the new model: predict --model MODEL IMAGE (predict
reads the shipped model unless told otherwise).

Without internet, point --source (or $NRNN_MNIST_SOURCE) at a folder holding
the four MNIST *-ubyte.gz files."""


def _layers(text: str) -> list:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            "%r is not a comma-separated list of layer sizes such as 784,100,10" % text) from None
    return sizes


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not an integer" % text) from None


def _positive_int(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1, got %d" % value)
    return value


def _non_negative_int(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more, got %d" % value)
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number" % text) from None


def build_parser(prog: str = "python train.py") -> argparse.ArgumentParser:
    parser = OneLineParser(prog=prog, description=DESCRIPTION, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    # Training options default to None ("not given"): when resuming, the
    # checkpoint's values apply, and a different value given is an error.
    net = parser.add_argument_group("the network")
    net.add_argument("--layers", type=_layers, metavar="SIZES", dest="sizes",
                     help="neurons per layer, input first, e.g. 784,16,16,10; must start "
                          "with 784 and end with 10 (default: %s)" % ",".join(map(str, DEFAULTS["sizes"])))
    net.add_argument("--no-bias", action="store_const", const=False, dest="bias",
                     help="no bias vectors at all: z = W a")
    net.add_argument("--cost", choices=["cross-entropy", "quadratic"],
                     help="cost function (default: %s)" % DEFAULTS["cost"])
    net.add_argument("--init", choices=["fan-in", "unit"],
                     help="initial weights: fan-in = N(0, 1/n_in), unit = N(0, 1) (default: %s)" % DEFAULTS["init"])
    sgd = parser.add_argument_group("learning")
    sgd.add_argument("--learning-rate", "--lr", type=_float, metavar="ETA", dest="learning_rate",
                     help="SGD step size eta (default: %g)" % DEFAULTS["learning_rate"])
    sgd.add_argument("--learning-rate-decay", type=_float, metavar="FACTOR",
                     help="multiply eta by FACTOR after every epoch, eta_e = eta * FACTOR**e "
                          "(default: %g, constant)" % DEFAULTS["learning_rate_decay"])
    sgd.add_argument("--batch-size", type=_positive_int, metavar="M",
                     help="samples per gradient step; 1 = per-sample SGD (default: %d)" % DEFAULTS["batch_size"])
    sgd.add_argument("--epochs", type=_positive_int, metavar="N",
                     help="total epochs to train (default: %d; with --resume: the checkpoint's, "
                          "or more to train further)" % DEFAULTS["epochs"])
    sgd.add_argument("--weight-decay", type=_float, metavar="LAMBDA",
                     help="L2 regularization: w <- (1 - eta LAMBDA / n) w each step, "
                          "n = training samples (default: %g, none; try 5)" % DEFAULTS["weight_decay"])
    sgd.add_argument("--augment", type=_non_negative_int, metavar="PIXELS",
                     help="shift every training image by a random -PIXELS..PIXELS in x and y "
                          "(default: %d, none; try 1 or 2)" % DEFAULTS["augment"])
    sgd.add_argument("--seed", type=_non_negative_int, metavar="S",
                     help="seed of the initial weights, shuffles and shifts (default: %d)" % DEFAULTS["seed"])
    sgd.add_argument("--limit", type=_positive_int, metavar="N",
                     help="train on the first N training samples only (default: all)")
    sgd.add_argument("--shuffle-buffer", type=_non_negative_int, metavar="N",
                     help="shuffle through a buffer of N samples, 785 bytes each; 0 = file order "
                          "(default: %d)" % DEFAULTS["shuffle_buffer"])
    shapes = parser.add_argument_group(
        "distortions", "of the training images, drawn anew in every epoch (see nrnn/train/augment.py): "
        "people's digits come turned, sized, slanted and inked unlike MNIST's")
    shapes.add_argument("--augment-rotate", type=_float, metavar="DEGREES",
                        help="rotate by a random angle in [-DEGREES, DEGREES] (default: 0; try 15)")
    shapes.add_argument("--augment-scale", type=_float, metavar="F",
                        help="scale by a random factor in [1-F, 1+F], F <= 0.5 (default: 0; try 0.15)")
    shapes.add_argument("--augment-shear", type=_float, metavar="K",
                        help="shear by a random x += k y, k in [-K, K] (default: 0; try 0.2)")
    shapes.add_argument("--augment-elastic", type=_float, metavar="ALPHA",
                        help="elastic distortion (Simard et al. 2003): smoothed random "
                             "displacements scaled by ALPHA (default: 0; Simard: 34)")
    shapes.add_argument("--augment-elastic-sigma", type=_float, metavar="SIGMA",
                        help="smoothness of the elastic displacements, in pixels (default: %g)"
                             % DEFAULTS["augment_elastic_sigma"])
    shapes.add_argument("--augment-thickness", type=_float, metavar="W",
                        help="thicken or thin the strokes by a random fraction in [-W, W] of a "
                             "one-pixel dilation or erosion, W <= 1 (default: 0; try 0.5)")
    shapes.add_argument("--augment-pen", type=_float, metavar="P",
                        help="redraw an image, with probability P, along the middle of its strokes "
                             "with a round pen of random width, from a thin ballpoint to a marker "
                             "(default: 0; try 0.3)")
    shapes.add_argument("--deskew", action="store_const", const=True,
                        help="stand every image upright (second-moment deskewing, nrnn/image/deskew.py) "
                             "in training and evaluation; the model records it and recognition "
                             "deskews its inputs too")
    shapes.add_argument("--drawn-styles", type=_float, metavar="FRACTION",
                        help="replace this fraction (<= 0.5) of the training images by digits of the "
                             "same label drawn in styles MNIST lacks: closed-top 4, crossed 7, "
                             "slashed 0... (nrnn/train/drawn_styles.py; default: 0; try 0.05)")
    files = parser.add_argument_group("files")
    files.add_argument("--model", metavar="PATH",
                       help="where to save the model (default: %s, or the --resume file); "
                            "an existing file is never replaced without --overwrite" % DEFAULT_MODEL)
    files.add_argument("--resume", metavar="PATH",
                       help="continue training the model saved in PATH")
    files.add_argument("--overwrite", action="store_true",
                       help="allow replacing an existing model file")
    files.add_argument("--data-dir", metavar="DIR",
                       help="where MNIST is kept: DIR/mnist/ and DIR/mnist_{train,test}.csv "
                            "(default: $NRNN_DATA_DIR, else the repository's data/ in a clone, "
                            "else ~/.cache/nrnn; see nrnn/data.py)")
    files.add_argument("--source", metavar="SOURCE",
                       help="where to fetch MNIST from when DIR has no CSV files: a URL, a "
                            "folder or a file: URL (default: $NRNN_MNIST_SOURCE, else the mirrors)")
    files.add_argument("--skip-bad", action="store_true",
                       help="skip malformed CSV lines (and count them) instead of stopping")
    files.add_argument("--dry-run", action="store_true",
                       help="check everything on a few batches (%d steps, %d test images) "
                            "and save nothing" % (DRY_RUN_BATCHES, DRY_RUN_TEST_SAMPLES))
    standard_flags(files, "no progress or report: print only the final lines and errors")
    return parser


def main(argv=None, prog: str = "python train.py") -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.dry_run and args.resume:
        parser.error("--dry-run starts a new network; it cannot go with --resume")
    options = {name: getattr(args, name) for name in DEFAULTS if name != "epochs"}
    # The command as the history file records it, and as the lines that say
    # how to resume and how to use the model show it.
    program = None if prog == "python train.py" else prog
    recorded = ["train.py"] if program is None else prog.split()
    try:
        return run(options, epochs=1 if args.dry_run else args.epochs, model_path=args.model,
                   resume=args.resume, overwrite=args.overwrite, data_dir=args.data_dir,
                   source=args.source, skip_bad=args.skip_bad, quiet=args.quiet,
                   argv=recorded + argv, dry_run=args.dry_run, program=program)
    except NrnnError as error:
        sys.stdout.flush()
        print_error(error)
        return 1
    except KeyboardInterrupt:  # before training started (e.g. while fetching MNIST)
        sys.stderr.write("\nerror: interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    from nrnn.cli import run_main  # output closed early (| head): quiet, status 141
    sys.exit(run_main(main))
