"""Get MNIST onto disk as CSV: ``python -m nrnn.data fetch|convert|prepare``.

The pipeline, one step a module::

    source (mirror, folder, file: URL)
      --nrnn.mnist.download-->  data/mnist/*-ubyte.gz   (verified, see download.py)
      --nrnn.mnist.idx------->  (label, 784 bytes) one image at a time
      --nrnn.mnist.mnist_csv->  data/mnist_train.csv, data/mnist_test.csv

``ensure_csv()`` is what the training and prediction programs call: it
returns the two CSV paths at once when they exist, and otherwise fetches and
converts first.  Conversion streams image by image (constant memory) and
writes each CSV atomically, so an interrupted run, or a disk that fills up
half-way, never leaves a truncated CSV that a later run would take for a
complete one: the partial file is removed and the previous one, if any, is
left as it was.

Command line::

    python -m nrnn.data fetch    [--source S] [--data-dir D]   # download + verify
    python -m nrnn.data convert  [--data-dir D]                # IDX -> CSV
    python -m nrnn.data prepare  [--source S] [--data-dir D]   # both

Errors print one line, ``error: ...``, on stderr and exit with status 1.
"""

import argparse
import os
import sys
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, TypeVar

from nrnn.mnist import download, idx, mnist_csv
from nrnn.cli import (EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, OneLineParser, print_error, run_main,
                      seconds_option)
from nrnn.errors import DataError, NrnnError
from nrnn.progress import Progress

SPLITS = ("train", "test")
Item = TypeVar("Item")


def idx_dir(data_dir: str) -> str:
    """Where the IDX files are kept: ``<data_dir>/mnist``."""
    return os.path.join(data_dir, "mnist")


def csv_path(data_dir: str, split: str) -> str:
    """``<data_dir>/mnist_train.csv`` or ``<data_dir>/mnist_test.csv``."""
    return os.path.join(data_dir, "mnist_%s.csv" % split)


def _counted(items: Iterable[Item], bar: Progress) -> Iterator[Item]:
    for item in items:
        yield item
        bar.update()


def convert(images_path: str, labels_path: str, output_csv: str, quiet: bool = False) -> int:
    """Convert one IDX image/label pair to a CSV file; return the line count.

    One line per image, ``label,p1,...,p784``, no header.  Raises
    ``DataError`` if the IDX files are missing or malformed; the CSV is then
    not created (atomic write).
    """
    for path in (images_path, labels_path):
        if not os.path.exists(path):
            raise DataError(
                "%s not found; run `python -m nrnn.data fetch` first" % path)
    pairs = idx.read_pairs(images_path, labels_path)  # checks headers and counts
    total = idx.read_header(images_path, "images").count
    label = os.path.basename(output_csv)
    try:
        with Progress(total=total, unit="images", label=label, quiet=quiet) as bar:
            return mnist_csv.write_samples(output_csv, _counted(pairs, bar))
    except OSError as error:
        # A full disk (ENOSPC), a file size limit (EFBIG), a folder we may
        # not write to.  atomic_write has removed the partial file.
        raise DataError("%s: cannot write the CSV file: %s (nothing was replaced)"
                        % (output_csv, error.strerror or error))


def convert_all(data_dir: str = "data", quiet: bool = False) -> Tuple[str, str]:
    """Convert both splits found in ``<data_dir>/mnist``; return the CSV paths."""
    folder = idx_dir(data_dir)
    outputs = []
    for split in SPLITS:
        output = csv_path(data_dir, split)
        convert(
            os.path.join(folder, download.IMAGE_FILES[split]),
            os.path.join(folder, download.LABEL_FILES[split]),
            output,
            quiet=quiet,
        )
        outputs.append(output)
    return outputs[0], outputs[1]


def fetch(data_dir: str = "data", source: Optional[str] = None, quiet: bool = False, **options) -> List[str]:
    """Fetch and verify the four IDX files into ``<data_dir>/mnist``."""
    paths = download.fetch(idx_dir(data_dir), source, quiet=quiet, **options)
    return list(paths.values())


def ensure_csv(data_dir: str = "data", source: Optional[str] = None, quiet: bool = False) -> Tuple[str, str]:
    """Return ``(train_csv_path, test_csv_path)``, making them if needed.

    When both CSVs exist this returns immediately (no checks, no network).
    Otherwise the IDX files are fetched (from ``source``, else
    $NRNN_MNIST_SOURCE, else the public mirrors; files already present and
    verified are kept) and converted.  Raises ``DataError`` on failure.
    """
    train, test = csv_path(data_dir, "train"), csv_path(data_dir, "test")
    if os.path.exists(train) and os.path.exists(test):
        return train, test
    if not quiet:
        sys.stderr.write("MNIST CSV files not found in %s: fetching and converting\n" % data_dir)
    fetch(data_dir, source, quiet=quiet)
    return convert_all(data_dir, quiet=quiet)


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m nrnn.data",
        description="Download MNIST, verify it and convert it to CSV.",
        epilog=(
            "Sources: an http(s) URL of a folder holding the four "
            "*-ubyte.gz files, a local folder, or a file: URL. Default: $%s, "
            "else the public mirrors %s. Downloads are checked against the "
            "published MD5 sums." % (download.SOURCE_ENV_VAR, ", ".join(download.MIRRORS))
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default="data", metavar="DIR",
                        help="where data lives: DIR/mnist/ for IDX files, "
                             "DIR/mnist_{train,test}.csv (default: %(default)s)")
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    source = argparse.ArgumentParser(add_help=False)
    source.add_argument("--source", metavar="SOURCE",
                        help="URL, folder or file: URL to fetch from "
                             "(default: $%s, else the mirrors)" % download.SOURCE_ENV_VAR)
    source.add_argument("--timeout", type=seconds_option(0.1, 3600), default=30.0, metavar="SECONDS",
                        help="how long one network read may wait, 0.1..3600 (default: %(default)s)")
    commands.add_parser("fetch", parents=[common, source],
                        help="download and verify the four IDX files into DIR/mnist/")
    commands.add_parser("convert", parents=[common],
                        help="convert DIR/mnist/ IDX files to DIR/mnist_{train,test}.csv")
    commands.add_parser("prepare", parents=[common, source], help="fetch, then convert")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command in ("fetch", "prepare"):
            fetch(args.data_dir, args.source, quiet=args.quiet, timeout=args.timeout)
        if args.command in ("convert", "prepare"):
            for path in convert_all(args.data_dir, quiet=args.quiet):
                if not args.quiet:
                    print(path)
    except NrnnError as error:
        print_error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print_error("interrupted")
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_main(main))
