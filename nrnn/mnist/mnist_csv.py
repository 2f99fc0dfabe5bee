"""MNIST as CSV text: one digit a line, streamed fast and in constant memory.

The layout is the one most MNIST CSV files use (Joseph Redmon's
``mnist_train.csv``, Kaggle's ``train.csv``)::

    label,p1,p2,...,p784          <- optional header line (any names)
    5,0,0,0,...,0                 <- 785 integers: label 0..9, then the
    0,0,0,0,...,0                    28x28 pixels row by row, each 0..255

``read_samples`` yields samples ``(pixels, label)``, the order nrnn uses
everywhere (``Network.fit``, the shuffle buffer, the training loop,
``evaluate``), with ``pixels`` a list of 784 floats in [0, 1] (pixel / 255),
the network's input vector; with ``compact=True`` it yields the pixels as
they are stored, a ``bytes`` of 784 values 0..255 (as ``nrnn.mnist.idx``
gives them), which ``inputs_of`` turns into that vector when it is needed.
The file puts the label first; the parsers below read it first and hand it
back second, so no sample is ever turned round.

Why stream?  The training CSV is ~110 MB of text; held as Python lists of
floats it would take well over a gigabyte.  Reading one line at a time keeps
memory constant, and training only ever needs one sample at a time.

Why compact?  A list of 784 floats takes ~6.5 kB, its 784 bytes under 1 kB.
Whatever holds many samples at once (the shuffle buffer: 10,000 of them; the
test set, read once and evaluated every epoch) holds them as bytes, 8 times
smaller, and expands a sample only when it is used.  The floats are the
very same either way: ``INPUT_OF_VALUE[v]`` is ``v / 255``.

Why speed matters: parsing happens every epoch, and in pure Python naive
parsing (``int()`` on every field, then ``/ 255``) costs about as much as a
training step.  The fast path has two forms, one per interpreter, which give
the same samples:

* CPython: one ``split`` and one pass of table lookups per line, with
  ``map`` so that C runs the loop.  A dict maps the *text* of each value,
  ``b"0"`` .. ``b"255"``, directly to the value: no ``int()`` call per
  pixel.  The same lookup validates: anything that is not a canonical value
  in 0..255 (``b"300"``, ``b"-1"``, ``b"x"``) is simply missing from the
  dict and raises ``KeyError``.
* PyPy: one scan over the line's bytes, digit by digit, writing each pixel
  into a ``bytearray``.  A zero pixel (four in five) costs two byte
  comparisons, and nothing is allocated per field.  PyPy's JIT turns this
  loop into machine code; on CPython the same loop runs bytecode per
  character and is several times slower than ``split`` and ``map``.

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
>>> write_samples(path, [([0] * 783 + [255], 7), (bytes(784), 1)])
2
>>> with open(path) as handle:    # the file keeps its order: the label first
...     handle.read(12)
'7,0,0,0,0,0,'
>>> reader = read_samples(path)
>>> [(pixels[-1], len(pixels), label) for pixels, label in reader]
[(1.0, 784, 7), (0.0, 784, 1)]
>>> count_samples(path)
2
>>> [(pixels[-1], label) for pixels, label in read_samples(path, compact=True)]
[(255, 7), (0, 1)]
>>> inputs_of(bytes([0, 51, 255]))
[0.0, 0.2, 1.0]
>>> nonzero_inputs(bytes([0, 51, 255]))
([1, 2], [0.2, 1.0])
"""

import contextlib
import functools
import itertools
import platform
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Optional, Union

from nrnn.atomic import atomic_write
from nrnn.errors import DataError
from nrnn.mnist import DIGITS, PIXELS

FIELDS = PIXELS + 1  # the label, then the pixels

# Pixel value -> its network input, value / 255.  Every sample shares these
# 256 floats, so expanding one allocates a list and no float objects.
INPUT_OF_VALUE = [value / 255.0 for value in range(256)]
# Text of each value -> the value.
_VALUE_FROM_TEXT = {str(value).encode(): value for value in range(256)}
_LABEL_FROM_TEXT = {str(value).encode(): value for value in range(DIGITS)}
# Pixel value -> its text, for writing.
_TEXT_FROM_VALUE = [str(value) for value in range(256)]

_BOM = b"\xef\xbb\xbf"
_COMMA, _ZERO, _NINE = ord(","), ord("0"), ord("9")
_TRAILING_SPACE = frozenset(b" \t\r\n\x0b\x0c")  # what bytes.rstrip() removes

# The longest line a valid file needs is 785 values "255" with commas and a
# CRLF: 3,141 bytes.  Variants (spaces, leading zeros) may be longer, but a
# line over 64 KiB is not MNIST, and reading on to its end would hold all of
# it in memory (a 100 MB file without a newline, say): it is refused.
MAX_LINE_BYTES = 64 * 1024

ON_PYPY = platform.python_implementation() == "PyPy"

# A sample is (pixels, label), whatever the order of the file's fields.
Sample = tuple[list[float], int]
CompactSample = tuple[bytes, int]


# --- The fast path: a canonical line -> (pixel bytes, label), or None --------

def parse_by_split(line: bytes) -> Optional[CompactSample]:
    """The fast path on CPython: split at the commas, look each text up.

    Returns ``(pixels, label)``, or None for anything but 785 canonical
    values (the slow path then decides).  ``map`` runs the loop in C: no
    bytecode per pixel.
    """
    fields = line.split(b",")
    if len(fields) != FIELDS:
        return None
    fields[-1] = fields[-1].rstrip()  # "\n", "\r\n", trailing spaces
    try:
        label = _LABEL_FROM_TEXT[fields[0]]
        del fields[0]
        return bytes(map(_VALUE_FROM_TEXT.__getitem__, fields)), label
    except KeyError:  # not a canonical value 0..255 (or label 0..9)
        return None


def parse_by_scanning(line: bytes) -> Optional[CompactSample]:
    """The fast path on PyPy: one pass over the bytes, no split, no lookups.

    Accepts exactly what ``parse_by_split`` accepts (canonical values: no
    sign, no spaces, no leading zeros) and returns the same sample; None
    for anything else.  Measured (bench/bench_data.py): 4.7x the lines/s
    of ``parse_by_split`` on PyPy 7.3, whose time goes into the 785 small
    bytes objects a line that split makes; 0.3x on CPython 3.11, which
    runs bytecode for every character.
    """
    end = len(line)
    while end and line[end - 1] in _TRAILING_SPACE:
        end -= 1
    if end < 2 or not _ZERO <= line[0] <= _NINE or line[1] != _COMMA:
        return None
    label = line[0] - _ZERO
    pixels = bytearray(PIXELS)
    position = 2
    for pixel in range(PIXELS):
        if position >= end:
            return None  # too few fields, or an empty last one
        digit = line[position] - _ZERO
        position += 1
        if digit != 0:  # "0" stands alone; anything else builds a number
            if not 0 < digit <= 9:
                return None
            value = digit
            while position < end and line[position] != _COMMA:
                digit = line[position] - _ZERO
                if not 0 <= digit <= 9:
                    return None
                value = value * 10 + digit
                if value > 255:
                    return None
                position += 1
            pixels[pixel] = value
        if position < end:
            if line[position] != _COMMA or pixel == PIXELS - 1:
                return None  # "0x", "007", or more than 785 fields
            position += 1
    return bytes(pixels), label


# PyPy's JIT compiles the scan to machine code; CPython is fastest when C
# does the looping (split, map).  Both are kept, and tested to agree.
parse_fast = parse_by_scanning if ON_PYPY else parse_by_split


# --- Compact pixels -> the network's input vector ---------------------------

if ON_PYPY:
    def inputs_of(pixels: Union[bytes, list[float]]) -> list[float]:
        """The input vector x (784 floats, pixel / 255) of compact pixels
        (bytes, values 0..255); a list of floats is returned as it is."""
        if not isinstance(pixels, bytes):
            return pixels
        table = INPUT_OF_VALUE
        # A comprehension: PyPy's JIT compiles it better than map.
        return [table[value] for value in pixels]

    def nonzero_inputs(pixels: bytes) -> tuple[list[int], list[float]]:
        """x's nonzero entries (indices, values) straight from compact pixels:
        the same as ``matrix.nonzero(inputs_of(pixels))``, without building x."""
        table = INPUT_OF_VALUE
        indices = []
        values = []
        for index in range(len(pixels)):
            value = pixels[index]
            if value:
                indices.append(index)
                values.append(table[value])
        return indices, values
else:
    def inputs_of(pixels: Union[bytes, list[float]]) -> list[float]:
        """The input vector x (784 floats, pixel / 255) of compact pixels
        (bytes, values 0..255); a list of floats is returned as it is."""
        if not isinstance(pixels, bytes):
            return pixels
        # On CPython, map runs the loop in C: no bytecode per pixel.
        return list(map(INPUT_OF_VALUE.__getitem__, pixels))

    def nonzero_inputs(pixels: bytes) -> tuple[list[int], list[float]]:
        """x's nonzero entries (indices, values) straight from compact pixels:
        the same as ``matrix.nonzero(inputs_of(pixels))``, without building x."""
        # compress keeps the items whose selector (the pixel) is nonzero.
        return (list(itertools.compress(range(len(pixels)), pixels)),
                list(map(INPUT_OF_VALUE.__getitem__, itertools.compress(pixels, pixels))))


class SampleReader:
    """An iterable over the samples of one MNIST CSV file.

    Iterating opens the file afresh (so one reader serves every epoch) and
    yields ``(pixels, label)``: pixels as 784 floats, or with
    ``compact=True`` as 784 bytes (see the module docstring).  After (or
    during) an iteration:

    skipped: number of bad lines skipped (only with ``skip_bad=True``).
    first_error: the message for the first skipped line, or None.
    header: the header line's text if the file has one, else None.
    """

    def __init__(self, path: str, skip_bad: bool = False, limit: Optional[int] = None,
                 compact: bool = False):
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0, got %r" % (limit,))
        self.path = path
        self.skip_bad = skip_bad
        self.limit = limit
        self.compact = compact
        self.skipped = 0
        self.first_error: Optional[str] = None
        self.header: Optional[str] = None

    def __repr__(self):
        return "SampleReader(%r, skip_bad=%r, limit=%r, compact=%r, skipped=%d)" % (
            self.path, self.skip_bad, self.limit, self.compact, self.skipped)

    def __iter__(self) -> Iterator[Union[Sample, CompactSample]]:
        self.skipped = 0
        self.first_error = None
        samples = self._samples()
        # closing(): once ``limit`` samples are out, shut the file now rather
        # than whenever the half-read generator is garbage-collected.
        with contextlib.closing(samples):
            if self.compact:
                yield from itertools.islice(samples, self.limit)
            else:
                for pixels, label in itertools.islice(samples, self.limit):
                    yield inputs_of(pixels), label

    def _samples(self) -> Generator[CompactSample, None, None]:
        """Every sample of the file, in order (``limit`` is applied by the caller)."""
        # Local names are found faster than globals, once per line.
        parse = parse_fast
        with _open(self.path) as handle:
            for number, line in enumerate(_bounded_lines(handle), 1):
                if len(line) > MAX_LINE_BYTES:
                    raise _too_long(self.path, number)
                if number == 1 and line.startswith(_BOM):
                    line = line[len(_BOM):]
                sample = parse(line)
                if sample is not None:
                    yield sample
                    continue
                # Slow path: a blank line, the header, a harmless variant
                # of a number, or a genuinely bad line.
                if not line.strip():
                    continue
                fields = line.split(b",")
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

    def _check_header(self, fields: list[bytes]) -> None:
        self.header = b",".join(fields).decode("utf-8", "replace").rstrip()
        if len(fields) != FIELDS:
            raise DataError(
                "%s line 1 (header): %d fields, expected %d (label, then %d pixels)"
                % (self.path, len(fields), FIELDS, PIXELS)
            )


def read_samples(path: str, skip_bad: bool = False, limit: Optional[int] = None,
                 compact: bool = False) -> SampleReader:
    """Return a ``SampleReader`` over ``path``: iterate it for samples,
    ``(pixels, label)`` pairs (``Network.fit`` takes them as they are).

    skip_bad: skip malformed lines (counted in ``.skipped``) instead of
        raising ``DataError``.
    limit: stop after this many samples (None: all).
    compact: yield the pixels as 784 bytes (values 0..255) instead of 784
        floats; ``inputs_of`` expands them.
    """
    return SampleReader(path, skip_bad=skip_bad, limit=limit, compact=compact)


class ReadOnce:
    """A reader's samples, parsed on the first pass and replayed from memory after.

    For the test set, evaluated after every epoch: parsing its 10,000 lines
    again each time costs about as much as evaluating them on PyPy.  Use it
    with a compact reader (10,000 samples: ~8 MB as bytes, ~65 MB as
    floats).  A first pass that stops early keeps nothing, and the next
    pass reads the file again.
    """

    def __init__(self, reader: Iterable):
        self.reader = reader
        self._samples: Optional[list] = None

    def __repr__(self):
        return "ReadOnce(%r, %s)" % (self.reader, "read" if self._samples is not None else "not read")

    def __iter__(self) -> Iterator:
        if self._samples is not None:
            yield from self._samples
            return
        samples = []
        for sample in self.reader:
            samples.append(sample)
            yield sample
        self._samples = samples


def _open(path: str):
    """Open ``path`` for reading bytes, or raise DataError naming it."""
    try:
        return open(path, "rb")
    except OSError as error:
        raise DataError("%s: cannot open: %s" % (path, error.strerror or error)) from None


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


def _parse_slowly(fields: list[bytes], path: str, number: int) -> CompactSample:
    """Parse a line the fast path rejected; raise DataError if it is bad."""
    if len(fields) != FIELDS:
        raise DataError(
            "%s line %d: %d fields, expected %d (label, then %d pixels)"
            % (path, number, len(fields), FIELDS, PIXELS)
        )
    label = _field_value(fields[0], path, number, 1, "label", 9)
    pixels = bytes(
        _field_value(text, path, number, field, "pixel %d" % (field - 1), 255)
        for field, text in enumerate(fields[1:], 2)
    )
    return pixels, label


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


def write_samples(path: str, samples: Iterable[tuple[Sequence[int], int]], header: bool = False) -> int:
    """Write ``(pixels, label)`` samples as CSV lines, label first as the
    format has it; return the count.

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
        for pixels, label in samples:
            if isinstance(pixels, int):  # the file's order, not the samples'
                raise ValueError("%s: sample %d is (label, pixels); samples are (pixels, label) pairs"
                                 % (path, count))
            if len(pixels) != PIXELS:
                raise DataError("%s: sample %d has %d pixels, expected %d" % (path, count, len(pixels), PIXELS))
            # The table lookup both formats the value and rejects anything
            # outside 0..255 (IndexError) -- except negative indices, hence min.
            try:
                if min(pixels) < 0:
                    raise IndexError
                line = ",".join(map(text.__getitem__, pixels))
            except (IndexError, TypeError):
                raise DataError("%s: sample %d has a pixel outside 0..255" % (path, count)) from None
            if label not in range(DIGITS):
                raise DataError("%s: sample %d has label %r, outside 0..9" % (path, count, label))
            handle.write("%d,%s\n" % (label, line))
            count += 1
    return count


__all__ = ["PIXELS", "INPUT_OF_VALUE", "SampleReader", "ReadOnce", "read_samples", "inputs_of",
           "nonzero_inputs", "count_samples", "write_samples"]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
