"""nrnn's one command: ``nrnn COMMAND ...``, or ``python -m nrnn COMMAND ...``.

``pip install .`` puts an ``nrnn`` command on the PATH that runs ``main``
below; ``python -m nrnn`` runs the same from any folder.  Each COMMAND is
one of the programs that also run on their own, and gets the rest of the
command line::

    nrnn predict IMAGE          nrnn/predict.py        (python predict.py in a clone)
    nrnn train --epochs 1       nrnn/train/command.py  (python train.py in a clone)
    nrnn serve                  nrnn/serve.py          (python -m nrnn.serve)
    nrnn data prepare           nrnn/data.py           (python -m nrnn.data)

Every command takes ``--help``, ``--version`` and ``-q/--quiet``.  A
command's module is imported only when it runs, so ``nrnn predict`` does not
load the web server or the downloader.
"""

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Optional

from nrnn import __version__
from nrnn.cli import OneLineParser, run_main

# name -> (module whose main(argv, prog) runs it, what it does)
COMMANDS = {
    "predict": ("nrnn.predict", "read the digit in PNG or JPEG files (or MNIST test images)"),
    "train": ("nrnn.train.command", "train a network on MNIST and save it"),
    "serve": ("nrnn.serve", "serve the drawing page and POST /predict on http://127.0.0.1:8000"),
    "data": ("nrnn.data", "fetch MNIST, verify it and convert it to CSV"),
}


def _program() -> str:
    """How the user called us: ``nrnn`` (the installed command) or ``python -m nrnn``."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "nrnn" if os.path.splitext(name)[0] == "nrnn" else "python -m nrnn"


def _parser(prog: str) -> argparse.ArgumentParser:
    listing = "\n".join("  %-9s %s" % (name, what) for name, (_, what) in COMMANDS.items())
    parser = OneLineParser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s COMMAND [OPTIONS...]",
        description="nrnn: a handwritten-digit recognizer written from scratch in pure Python.",
        epilog="commands:\n%s\n\n'%s COMMAND --help' shows a command's options." % (listing, prog))
    parser.add_argument("--version", action="version", version="nrnn %s" % __version__,
                        help="print nrnn's version and exit")
    parser.add_argument("command", choices=list(COMMANDS), metavar="COMMAND", help=argparse.SUPPRESS)
    return parser


def main(argv: Optional[Sequence[str]] = None, prog: Optional[str] = None) -> int:
    """Run ``nrnn COMMAND ARGS...``; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or _program()
    # Only the first word is ours (--help, --version or the command); the
    # rest belongs to the command, whose own parser reads it.
    _parser(prog).parse_args(argv[:1])
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return module.main(argv[1:], prog="%s %s" % (prog, argv[0]))


def console_main() -> int:
    """The installed ``nrnn`` command (see pyproject.toml's [project.scripts])."""
    return run_main(main)


if __name__ == "__main__":
    sys.exit(run_main(main))
