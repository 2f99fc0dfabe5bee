"""MNIST as CSV text: one digit a line, streamed fast and in constant memory.

The layout is the one most MNIST CSV files use (Joseph Redmon's
``mnist_train.csv``, Kaggle's ``train.csv``)::

    label,p1,p2,...,p784          <- optional header line (any names)
    5,0,0,0,...,0                 <- 785 integers: label 0..9, then the
    0,0,0,0,...,0                    28x28 pixels row by row, each 0..255

``read_samples`` yields ``(label, pixels)`` with ``pixels`` a list of 784
floats in [0, 1] (pixel / 255), the network's input vector.

Why stream?  The training CSV is ~110 MB of text; held as Python lists of
floats it would take well over a gigabyte.  Reading one line at a time keeps
memory constant, and training only ever needs one sample at a time.

Why speed matters: parsing happens every epoch, and in pure Python naive
parsing (``int()`` on every field, then ``/ 255``) costs about as much as a
training step.  The fast path here does one ``split`` and one pass of table
lookups per line (``map`` on CPython, a list comprehension on PyPy, whichever
each runs faster):

* a dict maps the *text* of each value, ``b"0"`` .. ``b"255"``, directly to
  its float, so there is no ``int()`` call and no division per pixel;
* the same lookup validates: anything that is not a canonical value in
  0..255 (``b"300"``, ``b"-1"``, ``b"x"``) is simply missing from the dict
  and raises ``KeyError``;
* the table's 256 floats are shared, so a line allocates one list and no
  float objects.

Only when that fails does the slow path look at each field to name the
offending one (or to accept a harmless variant such as ``" 7"`` or
``"007"``).  Lines are read as bytes: no UTF-8 decoding on the fast path.

Accepted variants: a header line (recognised by a first field starting with a
letter, e.g. ``label``), CRLF line ends, a UTF-8 byte order mark, blank lines
(skipped).  A malformed line raises ``DataError`` naming the file, the line
number, the field (1-based: field 1 is the label, field k + 1 is pixel k,
counting pixels 1..784 as the header ``label,p1,...,p784`` does) and the
value, or with
``skip_bad=True`` is skipped and counted in ``reader.skipped``.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "digits.csv")
>>> write_samples(path, [(7, [0] * 783 + [255]), (1, bytes(784))])
2
>>> reader = read_samples(path)
>>> [(label, pixels[-1], len(pixels)) for label, pixels in reader]
[(7, 1.0, 784), (1, 0.0, 784)]
>>> count_samples(path)
2
"""

import contextlib
import functools
import itertools
import platform
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from nrnn.atomic import atomic_write
from nrnn.errors import DataError
from nrnn.mnist import DIGITS, PIXELS

FIELDS = PIXELS + 1  # the label, then the pixels

# Text of each pixel value -> its network input, value / 255.
_PIXEL_FROM_TEXT = {str(value).encode(): value / 255.0 for value in range(256)}
_LABEL_FROM_TEXT = {str(value).encode(): value for value in range(DIGITS)}
# Pixel value -> its text, for writing.
_TEXT_FROM_VALUE = [str(value) for value in range(256)]

_BOM = b"\xef\xbb\xbf"

# The longest line a valid file needs is 785 values "255" with commas and a
# CRLF: 3,141 bytes.  Variants (spaces, leading zeros) may be longer, but a
# line over 64 KiB is not MNIST, and reading on to its end would hold all of
# it in memory (a 100 MB file without a newline, say): it is refused.
MAX_LINE_BYTES = 64 * 1024


if platform.python_implementation() == "PyPy":
    def _to_inputs(fields: List[bytes], table=_PIXEL_FROM_TEXT) -> List[float]:
        """Pixel texts -> floats; KeyError for anything not in 0..255."""
        # PyPy's JIT compiles this loop better than map over a bound method
        # (~46,000 against ~36,000 lines/s).
        return [table[text] for text in fields]
else:
    def _to_inputs(fields: List[bytes], lookup=_PIXEL_FROM_TEXT.__getitem__) -> List[float]:
        """Pixel texts -> floats; KeyError for anything not in 0..255."""
        # On CPython, map runs the loop in C: no bytecode per pixel.
        return list(map(lookup, fields))

Sample = Tuple[int, List[float]]


class SampleReader:
    """An iterable over the samples of one MNIST CSV file.

    Iterating opens the file afresh (so one reader serves every epoch) and
    yields ``(label, pixels)``.  After (or during) an iteration:

    skipped: number of bad lines skipped (only with ``skip_bad=True``).
    first_error: the message for the first skipped line, or None.
    header: the header line's text if the file has one, else None.
    """

    def __init__(self, path: str, skip_bad: bool = False, limit: Optional[int] = None):
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0, got %r" % (limit,))
        self.path = path
        self.skip_bad = skip_bad
        self.limit = limit
        self.skipped = 0
        self.first_error: Optional[str] = None
        self.header: Optional[str] = None

    def __repr__(self):
        return "SampleReader(%r, skip_bad=%r, limit=%r, skipped=%d)" % (
            self.path, self.skip_bad, self.limit, self.skipped)

    def __iter__(self) -> Iterator[Sample]:
        self.skipped = 0
        self.first_error = None
        samples = self._samples()
        # closing(): once ``limit`` samples are out, shut the file now rather
        # than whenever the half-read generator is garbage-collected.
        with contextlib.closing(samples):
            yield from itertools.islice(samples, self.limit)

    def _samples(self) -> Iterator[Sample]:
        """Every sample of the file, in order (``limit`` is applied by the caller)."""
        # Local names are found faster than globals, once per line.
        to_inputs = _to_inputs
        label_value = _LABEL_FROM_TEXT
        with _open(self.path) as handle:
            for number, line in enumerate(_bounded_lines(handle), 1):
                if len(line) > MAX_LINE_BYTES:
                    raise _too_long(self.path, number)
                if number == 1 and line.startswith(_BOM):
                    line = line[len(_BOM):]
                fields = line.split(b",")
                if len(fields) == FIELDS:
                    # Fast path.  rstrip removes "\n", "\r\n" and spaces.
                    fields[-1] = fields[-1].rstrip()
                    try:
                        label = label_value[fields[0]]
                        del fields[0]
                        pixels = to_inputs(fields)
                    except KeyError:
                        fields = line.split(b",")  # del may have run: split again
                    else:
                        yield label, pixels
                        continue
                # Slow path: a blank line, the header, a harmless variant
                # of a number, or a genuinely bad line.
                if not line.strip():
                    continue
                if number == 1 and fields[0].strip()[:1].isalpha():
                    self._check_header(fields)
                    continue
                try:
                    sample = _parse_slowly(fields, self.path, number)
                except DataError as error:
                    if not self.skip_bad:
                        raise
                    self.skipped += 1
                    if self.first_error is None:
                        self.first_error = str(error)
                    continue
                yield sample

    def _check_header(self, fields: List[bytes]) -> None:
        self.header = b",".join(fields).decode("utf-8", "replace").rstrip()
        if len(fields) != FIELDS:
            raise DataError(
                "%s line 1 (header): %d fields, expected %d (label, then %d pixels)"
                % (self.path, len(fields), FIELDS, PIXELS)
            )


def read_samples(path: str, skip_bad: bool = False, limit: Optional[int] = None) -> SampleReader:
    """Return a ``SampleReader`` over ``path``: iterate it for samples.

    skip_bad: skip malformed lines (counted in ``.skipped``) instead of
        raising ``DataError``.
    limit: stop after this many samples (None: all).
    """
    return SampleReader(path, skip_bad=skip_bad, limit=limit)


def _open(path: str):
    """Open ``path`` for reading bytes, or raise DataError naming it."""
    try:
        return open(path, "rb")
    except OSError as error:
        raise DataError("%s: cannot open: %s" % (path, error.strerror or error))


def _bounded_lines(handle):
    """The lines of a binary file, none longer than MAX_LINE_BYTES + 1 bytes.

    ``readline(limit)`` stops at the limit, so an overlong line comes out
    as a piece of MAX_LINE_BYTES + 1 bytes, which the caller refuses.
    """
    return iter(functools.partial(handle.readline, MAX_LINE_BYTES + 1), b"")


def _too_long(path: str, number: int) -> DataError:
    return DataError("%s line %d: longer than %d bytes (an MNIST CSV line has at most about "
                     "3,200): is this really an MNIST CSV file?" % (path, number, MAX_LINE_BYTES))


def _field_value(text: bytes, path: str, number: int, field: int, name: str, top: int) -> int:
    """Parse one field on the slow path, or raise DataError naming it."""
    where = "%s line %d, field %d (%s)" % (path, number, field, name)
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in (b"-", b"+") else stripped
    if not digits or not digits.isdigit():  # bytes.isdigit: ASCII 0-9 only
        shown = text.decode("utf-8", "replace").strip()
        raise DataError("%s: %r is not an integer" % (where, shown))
    significant = digits.lstrip(b"0")
    if len(significant) > 20:
        # Far out of range; and int() of over 4300 digits raises ValueError
        # on CPython >= 3.11 (and 3.9.14+), so do not even call it.
        shown = stripped[:12].decode("ascii") + "..."
        raise DataError("%s: %s (a %d-digit number) is outside 0..%d"
                        % (where, shown, len(significant), top))
    value = int(significant or b"0")
    if stripped[:1] == b"-":
        value = -value
    if not 0 <= value <= top:
        raise DataError("%s: %d is outside 0..%d" % (where, value, top))
    return value


def _parse_slowly(fields: List[bytes], path: str, number: int) -> Sample:
    """Parse a line the fast path rejected; raise DataError if it is bad."""
    if len(fields) != FIELDS:
        raise DataError(
            "%s line %d: %d fields, expected %d (label, then %d pixels)"
            % (path, number, len(fields), FIELDS, PIXELS)
        )
    label = _field_value(fields[0], path, number, 1, "label", 9)
    pixels = [
        _field_value(text, path, number, field, "pixel %d" % (field - 1), 255) / 255.0
        for field, text in enumerate(fields[1:], 2)
    ]
    return label, pixels


def count_samples(path: str) -> int:
    """Count the data lines of a CSV file (not the header, not blank lines).

    Much cheaper than parsing (no splitting or conversion), so it can be
    used to give a progress line a total and an ETA.
    """
    count = 0
    with _open(path) as handle:
        for number, line in enumerate(_bounded_lines(handle), 1):
            if len(line) > MAX_LINE_BYTES:
                raise _too_long(path, number)
            if line.isspace():
                continue
            if number == 1 and line.lstrip(_BOM).strip()[:1].isalpha():
                continue
            count += 1
    return count


def write_samples(path: str, samples: Iterable[Tuple[int, Sequence[int]]], header: bool = False) -> int:
    """Write ``(label, pixels)`` samples as CSV lines; return the count.

    pixels: 784 integers 0..255 (a ``bytes`` object from ``nrnn.mnist.idx`` will
    do).  No header line unless ``header=True`` (then ``label,1x1,...,28x28``
    as Kaggle's files have).  Streamed, and written atomically: the file
    appears complete or not at all.
    """
    text = _TEXT_FROM_VALUE
    count = 0
    with atomic_write(path, "w", encoding="ascii", newline="\n") as handle:
        if header:
            names = ["%dx%d" % (row, col) for row in range(1, 29) for col in range(1, 29)]
            handle.write("label," + ",".join(names) + "\n")
        for label, pixels in samples:
            if len(pixels) != PIXELS:
                raise DataError("%s: sample %d has %d pixels, expected %d" % (path, count, len(pixels), PIXELS))
            # The table lookup both formats the value and rejects anything
            # outside 0..255 (IndexError) -- except negative indices, hence min.
            try:
                if min(pixels) < 0:
                    raise IndexError
                line = ",".join(map(text.__getitem__, pixels))
            except (IndexError, TypeError):
                raise DataError("%s: sample %d has a pixel outside 0..255" % (path, count))
            if label not in range(DIGITS):
                raise DataError("%s: sample %d has label %r, outside 0..9" % (path, count, label))
            handle.write("%d,%s\n" % (label, line))
            count += 1
    return count


__all__ = ["PIXELS", "SampleReader", "read_samples", "count_samples", "write_samples"]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
