"""What nrnn's command-line tools share: errors on one line, never a traceback.

A user who mistypes an option or hands a tool a broken file should read one
line that says what is wrong, not argparse's usage block or a Python
traceback.  Every tool (``train.py``, ``predict.py``, ``python -m
nrnn.data``, ``python -m nrnn.serve``) parses its options with
``OneLineParser`` and reports any ``NrnnError`` with ``print_error``.

Exit statuses, defined here for every tool: ``EXIT_OK`` 0 success,
``EXIT_FAILED`` 1 an error in the input or the work, ``EXIT_USAGE`` 2 a bad
command line, ``EXIT_INTERRUPTED`` 130 interrupted by Ctrl-C (128 +
SIGINT), ``EXIT_PIPE_CLOSED`` 141 the output was closed early (``python
predict.py ... | head -1``: 128 + SIGPIPE, as a shell reports a program
stopped by a closed pipe; nothing is printed).

``run_main`` wraps a tool's ``main`` with those last two, and makes sure
printing never fails on text the terminal cannot show; ``display_path``
turns a file name that is not valid UTF-8 into printable text.

Every command takes the same two flags, added by ``standard_flags``:
``-q/--quiet`` (print only results and errors) and ``--version``.
"""

import argparse
import os
import sys
from typing import Callable, Union

from nrnn import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141


def terminal_width() -> int:
    """The terminal's width in columns, as ``shutil.get_terminal_size``
    gives it: ``$COLUMNS``, else the terminal's own, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):  # closed, detached or not a terminal
            columns = 0
    return columns or 80


class WidthFormatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal's width (``terminal_width``).

    Left to itself, argparse imports ``shutil`` to ask, as soon as a parser
    is made (it makes a formatter to check each option); on PyPy that import
    (which brings bz2, lzma, pwd and grp) costs a prediction 10 ms.
    """

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_width() - 2 if width is None else width)  # argparse leaves 2 columns too


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line, ``error: ...``, and status 2.

    Subcommand parsers are of this class too (argparse makes them with the
    class of their parent).  Help is laid out by ``WidthFormatter`` unless
    another ``formatter_class`` is given.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", WidthFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(EXIT_USAGE, "error: %s (see: %s --help)\n" % (message, self.prog))


def standard_flags(parser: Union[argparse.ArgumentParser, argparse._ArgumentGroup], quiet_help: str) -> None:
    """Add the flags every nrnn command has: ``-q/--quiet`` (what it leaves
    out is the command's own ``quiet_help``) and ``--version``, to a parser
    or to one of its argument groups (``add_argument_group``)."""
    parser.add_argument("-q", "--quiet", action="store_true", help=quiet_help)
    parser.add_argument("--version", action="version", version="nrnn %s" % __version__,
                        help="print nrnn's version and exit")


def one_line(error: BaseException) -> str:
    """The error's message with any line breaks folded into spaces."""
    return " ".join(str(error).splitlines())


def print_error(error) -> None:
    """Write ``error: <message>`` on one line to stderr."""
    sys.stderr.write("error: %s\n" % (one_line(error) if isinstance(error, BaseException) else error))


def display_path(path: str) -> str:
    """``path`` as text that can always be printed: bytes that do not decode
    (a Latin-1 name on a UTF-8 system) are shown as ``\\xNN`` escapes.

    Python hands such names to us with "surrogate escapes" (``\\udce9`` for
    the byte 0xE9), which no encoder accepts: printing one raises.

    >>> print(display_path("caf\\udce9.png"), display_path("café.png"))
    caf\\xe9.png café.png
    """
    return os.fsencode(path).decode(sys.getfilesystemencoding(), "backslashreplace")


def seconds_option(low: float, high: float) -> Callable[[str], float]:
    """An argparse ``type`` for a number of seconds in [low, high].

    NaN and infinity fail the range check like any other value outside it.

    >>> seconds_option(0.1, 600)("2.5")
    2.5
    """
    def seconds(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a number of seconds" % text) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("%s is outside %g..%g seconds" % (text, low, high))
        return value
    return seconds


def run_main(main: Callable[[], int]) -> int:
    """Run a tool's ``main()`` and return its exit status, keeping the
    one-line promise for what can happen to any tool:

    - Ctrl-C: ``error: interrupted``, status 130;
    - the reader of our output went away (``| head -1``): no message (that
      is how the user wanted it), status 141;
    - text that stdout's encoding cannot show is written with backslash
      escapes instead of failing.
    """
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        status = main()
        sys.stdout.flush()  # a closed pipe may only show now
        return status
    except KeyboardInterrupt:
        print_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Point stdout at /dev/null: Python flushes it once more on the way
        # out, and that would fail (and print) again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


if __name__ == "__main__":
    import doctest
    doctest.testmod()
