"""Get MNIST onto disk as CSV: ``python -m nrnn.data fetch|convert|prepare``.

The pipeline, one step a module::

    source (mirror, folder, file: URL)
      --nrnn.mnist.download-->  DATA/mnist/*-ubyte.gz   (verified, see download.py)
      --nrnn.mnist.idx------->  (784 bytes, label) one image at a time
      --nrnn.mnist.mnist_csv->  DATA/mnist_train.csv, DATA/mnist_test.csv

Where DATA is (``default_data_dir``), the same from whatever folder a
command runs in: ``--data-dir DIR`` if given, else ``$NRNN_DATA_DIR``, else,
in a clone of the repository, its ``data/`` folder, else (nrnn installed
with pip) the per-user cache folder ``$XDG_CACHE_HOME/nrnn`` (by default
``~/.cache/nrnn``).  The folder is named on stderr when MNIST is first put
there.

``ensure_csv()`` is what the training program calls: it returns the two CSV
paths at once when they exist, and otherwise fetches and converts first;
``ensure_test_csv()`` (``predict --mnist-index``) fetches and converts the
test set only.  Conversion streams image by image (constant memory) and
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Optional, TypeVar

from nrnn import __version__
from nrnn.cli import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    OneLineParser,
    print_error,
    run_main,
    seconds_option,
    standard_flags,
)
from nrnn.errors import DataError, NrnnError
from nrnn.mnist import idx, mnist_csv
from nrnn.progress import Progress

# nrnn.mnist.download is imported by the functions that use it: it brings
# urllib, http and ssl (~12 MB of a PyPy process), which a run whose CSV
# files exist never needs.

SPLITS = ("train", "test")
Item = TypeVar("Item")

DATA_DIR_ENV_VAR = "NRNN_DATA_DIR"

# nrnn/ and the folder above it: a clone of the repository when that folder
# also holds pyproject.toml and data/ (an installed nrnn sits in
# site-packages, which holds neither).
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_CHECKOUT = os.path.dirname(_PACKAGE)


def in_checkout() -> bool:
    """True when nrnn runs from a clone of its repository, not an installed copy."""
    return (os.path.isfile(os.path.join(_CHECKOUT, "pyproject.toml"))
            and os.path.isdir(os.path.join(_CHECKOUT, "data")))


def default_data_dir(environ: Optional[Mapping[str, str]] = None, checkout: Optional[bool] = None) -> str:
    """Where MNIST is kept when no ``--data-dir`` is given: one rule,
    whatever the current folder.

    1. ``$NRNN_DATA_DIR``;
    2. in a clone of the repository, its ``data/`` folder;
    3. installed: the per-user cache, ``$XDG_CACHE_HOME/nrnn``, by default
       ``~/.cache/nrnn`` (on Windows ``%LOCALAPPDATA%\\nrnn``).

    >>> default_data_dir({"NRNN_DATA_DIR": "/srv/mnist"})
    '/srv/mnist'
    >>> default_data_dir({"XDG_CACHE_HOME": "/home/ada/.cache"}, checkout=False)
    '/home/ada/.cache/nrnn'
    """
    environ = os.environ if environ is None else environ
    if environ.get(DATA_DIR_ENV_VAR):
        return environ[DATA_DIR_ENV_VAR]
    if in_checkout() if checkout is None else checkout:
        return os.path.join(_CHECKOUT, "data")
    if os.name == "nt" and environ.get("LOCALAPPDATA"):
        cache = environ["LOCALAPPDATA"]
    else:
        cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "nrnn")


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
                        % (output_csv, error.strerror or error)) from None


def convert_all(data_dir: Optional[str] = None, quiet: bool = False,
                splits: Sequence[str] = SPLITS) -> tuple[str, ...]:
    """Convert the splits found in ``<data_dir>/mnist``; return the CSV paths."""
    from nrnn.mnist import download
    data_dir = data_dir or default_data_dir()
    folder = idx_dir(data_dir)
    outputs = []
    for split in splits:
        output = csv_path(data_dir, split)
        convert(
            os.path.join(folder, download.IMAGE_FILES[split]),
            os.path.join(folder, download.LABEL_FILES[split]),
            output,
            quiet=quiet,
        )
        outputs.append(output)
    return tuple(outputs)


def fetch(data_dir: Optional[str] = None, source: Optional[str] = None, quiet: bool = False,
          splits: Sequence[str] = SPLITS, **options) -> list[str]:
    """Fetch and verify the IDX files of ``splits`` into ``<data_dir>/mnist``."""
    from nrnn.mnist import download
    names = [name for split in splits for name in (download.IMAGE_FILES[split], download.LABEL_FILES[split])]
    paths = download.fetch(idx_dir(data_dir or default_data_dir()), source, names=names,
                           quiet=quiet, **options)
    return list(paths.values())


def _ensure(splits: Sequence[str], data_dir: Optional[str], source: Optional[str],
            quiet: bool) -> tuple[str, ...]:
    data_dir = data_dir or default_data_dir()
    paths = tuple(csv_path(data_dir, split) for split in splits)
    if all(os.path.exists(path) for path in paths):
        return paths
    if not quiet:
        sys.stderr.write("MNIST (%s) goes into the data folder %s (choose another with --data-dir "
                         "or $%s): fetching and converting\n"
                         % (" and ".join(splits), os.path.abspath(data_dir), DATA_DIR_ENV_VAR))
    fetch(data_dir, source, quiet=quiet, splits=splits)
    return convert_all(data_dir, quiet=quiet, splits=splits)


def ensure_csv(data_dir: Optional[str] = None, source: Optional[str] = None,
               quiet: bool = False) -> tuple[str, str]:
    """Return ``(train_csv_path, test_csv_path)``, making them if needed.

    ``data_dir``: default ``default_data_dir()``.  When both CSVs exist this
    returns immediately (no checks, no network).  Otherwise the IDX files are
    fetched (from ``source``, else $NRNN_MNIST_SOURCE, else the public
    mirrors; files already present and verified are kept) and converted.
    Raises ``DataError`` on failure.
    """
    train, test = _ensure(SPLITS, data_dir, source, quiet)
    return train, test


def ensure_test_csv(data_dir: Optional[str] = None, source: Optional[str] = None,
                    quiet: bool = False) -> str:
    """Return the test CSV's path, fetching and converting only the test set
    (two files, 1.6 MB) if it is missing."""
    return _ensure(("test",), data_dir, source, quiet)[0]


def _parser(prog: str = "python -m nrnn.data") -> argparse.ArgumentParser:
    from nrnn.mnist import download
    parser = OneLineParser(
        prog=prog,
        description="Download MNIST, verify it and convert it to CSV.",
        epilog=(
            "Sources: an http(s) URL of a folder holding the four "
            "*-ubyte.gz files, a local folder, or a file: URL. Default: $%s, "
            "else the public mirrors %s. Downloads are checked against the "
            "published MD5 sums. The data folder: --data-dir, else $%s, else the "
            "repository's data/ in a clone, else $XDG_CACHE_HOME/nrnn (~/.cache/nrnn); "
            "here: %s." % (download.SOURCE_ENV_VAR, ", ".join(download.MIRRORS),
                           DATA_DIR_ENV_VAR, default_data_dir())
        ),
    )
    parser.add_argument("--version", action="version", version="nrnn %s" % __version__,
                        help="print nrnn's version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    common = OneLineParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR",
                        help="where data lives: DIR/mnist/ for IDX files, "
                             "DIR/mnist_{train,test}.csv (default: the data folder, below)")
    standard_flags(common, "print only errors")
    source = OneLineParser(add_help=False)
    source.add_argument("--source", metavar="SOURCE",
                        help="URL, folder or file: URL to fetch from "
                             "(default: $%s, else the mirrors)" % download.SOURCE_ENV_VAR)
    download_timeout = seconds_option(0.1, 3600)
    source.add_argument("--download-timeout", type=download_timeout, default=download.READ_TIMEOUT,
                        metavar="SECONDS",
                        help="how long one network read may wait, 0.1..3600 (default: %(default)g)")
    # The old name, kept working but not shown.
    source.add_argument("--timeout", type=download_timeout, dest="download_timeout", help=argparse.SUPPRESS)
    commands.add_parser("fetch", parents=[common, source],
                        help="download and verify the four IDX files into DIR/mnist/")
    commands.add_parser("convert", parents=[common],
                        help="convert DIR/mnist/ IDX files to DIR/mnist_{train,test}.csv")
    commands.add_parser("prepare", parents=[common, source], help="fetch, then convert")
    return parser


def main(argv: Optional[Sequence[str]] = None, prog: str = "python -m nrnn.data") -> int:
    """Run the command line; return the exit status."""
    args = _parser(prog).parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
        if not args.quiet:
            sys.stderr.write("data folder: %s (choose another with --data-dir or $%s)\n"
                             % (os.path.abspath(args.data_dir), DATA_DIR_ENV_VAR))
    try:
        if args.command in ("fetch", "prepare"):
            fetch(args.data_dir, args.source, quiet=args.quiet, timeout=args.download_timeout)
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
