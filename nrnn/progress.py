"""A progress line for long jobs: how much is done, how fast, how long to go.

Downloading 10 MB, converting 60,000 images and training an epoch all take
long enough that a silent program looks hung.  ``Progress`` prints one line
such as::

    train-images-idx3-ubyte.gz  4.2 MB / 9.9 MB  42%  1.3 MB/s  ETA 0:04
    epoch 1  12,000 / 60,000 samples  20%  2,013/s  ETA 0:23

On a terminal the line is redrawn in place (a carriage return ``\\r`` moves
the cursor back to the start of the line) a few times a second.  When the
output is a file or a CI log, ``\\r`` would leave a mess, so a plain line is
printed every few seconds instead.  Either way a final line with the total and
the elapsed time is printed by ``close()``.

The rate is the average since the start (simple and steady; a moving average
would react faster but jump around), and the ETA is what is left divided by
that rate.  It is only shown when the total is known.

Usage::

    with Progress(total=len(samples), unit="samples", label="epoch 1") as bar:
        for sample in samples:
            ...
            bar.update()

``Progress(quiet=True)`` prints nothing, so callers need no ``if``.

>>> format_bytes(9912422)
'9.9 MB'
>>> format_duration(3725)
'1:02:05'
>>> format_count(60000)
'60,000'
"""

import sys
import time
from typing import Callable, Optional, TextIO

# How often the line is redrawn on a terminal, and printed otherwise (seconds).
TTY_INTERVAL = 0.2
LOG_INTERVAL = 10.0


def format_bytes(n: float) -> str:
    """Format a byte count with a decimal unit (kB = 1000 bytes), 2-3 digits."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            break
        n /= 1000.0
    if unit == "B":
        return "%d B" % n
    return "%.1f %s" % (n, unit)


def format_count(n: float) -> str:
    """Format an item count with thousands separators."""
    return f"{int(n):,}"


def format_duration(seconds: float) -> str:
    """Format seconds as M:SS or H:MM:SS."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return "%d:%02d:%02d" % (hours, minutes, secs)
    return "%d:%02d" % (minutes, secs)


def is_terminal(stream: TextIO) -> bool:
    """Does ``stream`` go to a terminal?  (False for files, pipes, StringIO.)"""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """One progress line counting bytes or items towards an optional total.

    total: the expected amount (None if unknown: no percentage, no ETA).
    unit: ``"bytes"`` (shown as kB/MB) or any plural noun for items.
    label: text at the start of the line.
    stream: where to write (default ``sys.stderr``, so that a program's
        real output on stdout stays clean).
    tty: redraw in place; default: ``stream.isatty()``.
    quiet: print nothing at all.
    initial: amount already done before this run (a resumed download): it
        counts towards the total but not towards the rate.
    clock: a function returning seconds (tests pass a fake one).
    """

    def __init__(
        self,
        total: Optional[float] = None,
        unit: str = "items",
        label: str = "",
        stream: Optional[TextIO] = None,
        tty: Optional[bool] = None,
        quiet: bool = False,
        initial: float = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = total
        self.unit = unit
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = is_terminal(self.stream) if tty is None else tty
        self.quiet = quiet
        self.clock = clock
        self.initial = initial
        self.done = initial
        self.start = clock()
        self.closed = False
        self._last_draw = self.start
        self._last_width = 0

    def __repr__(self):
        return "Progress(label=%r, done=%r, total=%r, unit=%r)" % (
            self.label, self.done, self.total, self.unit)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
            return
        # Failing: no summary line, so the error the program prints next is
        # the one line about it; a line half-drawn on a terminal is ended.
        self.closed = True
        if self.tty and self._last_width and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

    def update(self, amount: float = 1) -> None:
        """Add ``amount`` to what is done and redraw if it is time to."""
        self.done += amount
        if self.quiet:
            return
        now = self.clock()
        interval = TTY_INTERVAL if self.tty else LOG_INTERVAL
        if now - self._last_draw >= interval:
            self._last_draw = now
            self._draw(self.line(now))

    def line(self, now: Optional[float] = None, eta: bool = True) -> str:
        """The text of the progress line as it would be printed now.

        eta: end with the estimated time left (when there is one to show).
        """
        if now is None:
            now = self.clock()
        elapsed = max(now - self.start, 1e-9)
        rate = (self.done - self.initial) / elapsed
        show = format_bytes if self.unit == "bytes" else format_count
        parts = [self.label] if self.label else []
        if self.total:
            amount = "%s / %s" % (show(self.done), show(self.total))
        else:
            amount = show(self.done)
        if self.unit != "bytes":
            amount += " " + self.unit
        parts.append(amount)
        if self.total:
            parts.append("%3d%%" % min(100, int(100 * self.done / self.total)))
        parts.append(show(rate) + "/s")
        parts += self.extra_fields()
        if eta and self.total and rate > 0 and self.done < self.total:
            parts.append("ETA " + format_duration((self.total - self.done) / rate))
        return "  ".join(parts)

    def extra_fields(self) -> list[str]:
        """More fields to show after the rate; none here (for subclasses)."""
        return []

    def close(self, note: str = "") -> None:
        """Print the final line: amount done, average rate, elapsed time."""
        if self.closed:
            return
        self.closed = True
        if self.quiet:
            return
        now = self.clock()
        text = self.line(now, eta=False) + "  in " + format_duration(now - self.start)
        if note:
            text += "  " + note
        self._draw(text, final=True)

    def _draw(self, text: str, final: bool = False) -> None:
        if self.tty:
            # Pad with spaces so a shorter line fully covers the previous one.
            padding = " " * max(0, self._last_width - len(text))
            self._last_width = len(text)
            self.stream.write("\r" + text + padding + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


if __name__ == "__main__":
    import doctest
    doctest.testmod()
