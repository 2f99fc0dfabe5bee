#!/usr/bin/env python3
"""Train a handwritten-digit recognizer on MNIST: ``python train.py --epochs 1``.

The README's command, kept for a clone of the repository: the program is
``nrnn/train/command.py`` (installed, the same command is ``nrnn train``).
``python train.py --help`` lists the options.
"""

import sys

from nrnn.cli import run_main
from nrnn.train.command import build_parser, main  # noqa: F401  (build_parser: for the tests)

if __name__ == "__main__":
    sys.exit(run_main(main))  # output closed early (| head): quiet, status 141
