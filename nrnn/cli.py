"""What nrnn's command-line tools share: errors on one line, never a traceback.

A user who mistypes an option or hands a tool a broken file should read one
line that says what is wrong, not argparse's usage block or a Python
traceback.  Every tool (``train.py``, ``predict.py``, ``python -m
nrnn.data``, ``python -m nrnn.serve``) parses its options with
``OneLineParser`` and reports any ``NrnnError`` with ``print_error``.

Exit statuses: 0 success, 1 an error in the input or the work, 2 a bad
command line, 130 interrupted by Ctrl-C.
"""

import argparse
import sys


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line, ``error: ...``, and status 2.

    Subcommand parsers are of this class too (argparse makes them with the
    class of their parent).
    """

    def error(self, message):
        self.exit(2, "error: %s (see: %s --help)\n" % (message, self.prog))


def one_line(error: BaseException) -> str:
    """The error's message with any line breaks folded into spaces."""
    return " ".join(str(error).splitlines())


def print_error(error) -> None:
    """Write ``error: <message>`` on one line to stderr."""
    sys.stderr.write("error: %s\n" % (one_line(error) if isinstance(error, BaseException) else error))
