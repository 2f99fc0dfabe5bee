"""Read and write MNIST's IDX files, one image at a time.

The IDX format (LeCun, Cortes and Burges, "THE MNIST DATABASE of handwritten
digits") is a header of big-endian 32-bit unsigned integers followed by raw
bytes.  MNIST uses two kinds:

    images  magic 0x00000803, count, rows (28), cols (28),
            then count * rows * cols unsigned bytes, row-major,
            0 = background, 255 = ink             (16-byte header)
    labels  magic 0x00000801, count,
            then count bytes, each 0..9            (8-byte header)

The magic number's third byte (0x08) says the data are unsigned bytes and the
fourth how many dimensions follow (3 for images, 1 for labels).  The files
are distributed gzip-compressed; we read both forms, recognising gzip by its
first two bytes (0x1f 0x8b) rather than by the file name.

Why stream?  The training images are 47 MB uncompressed and several times
that as Python objects.  ``read_images`` yields one 784-byte image at a time,
so converting to CSV runs in constant memory whatever the file size.

Why trust only the header?  The header's count is what the file claims to
hold; we take it from there (never from a hard-coded 60,000 or 10,000, the
shared development copy of the training set holds 24,345) and then check the
claim against the file: a short file, trailing bytes, wrong magic, wrong
dimensions or an image/label count disagreement raise ``DataError`` naming
the file and the field.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> images = os.path.join(folder, "images.idx")
>>> labels = os.path.join(folder, "labels.idx.gz")
>>> write_images(images, [bytes(784), bytes([255]) * 784])
>>> write_labels(labels, [3, 7])
>>> [(image[0], label) for image, label in read_pairs(images, labels)]
[(0, 3), (255, 7)]
"""

import gzip
import os
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from nrnn.atomic import atomic_write
from nrnn.errors import DataError
from nrnn.mnist import SIDE

IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
ROWS = COLS = SIDE
IMAGE_SIZE = ROWS * COLS

# magic, count, rows, cols / magic, count: all big-endian unsigned 32-bit.
IMAGE_HEADER = struct.Struct(">IIII")
LABEL_HEADER = struct.Struct(">II")

GZIP_SIGNATURE = b"\x1f\x8b"

# Images are read this many at a time: one read call per image would cost
# more in call overhead than the decompression itself.
_IMAGES_PER_READ = 256

# Labels are read this many at a time: read(count) in one call makes gzip
# allocate a buffer as large as the header claims (4 GB for a 27-byte file
# whose header says 2**32 - 1) before it finds the data is not there.
_LABELS_PER_READ = 1 << 20

# The largest count a header may declare.  MNIST has 60,000; the biggest
# MNIST-style sets about 8 million.  Larger is a damaged or hostile header.
MAX_COUNT = 10_000_000

# What a damaged gzip stream raises, depending on where the damage is.
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


class IdxHeader(NamedTuple):
    """What an IDX file's header says: kind ("images"/"labels") and sizes."""

    kind: str
    # Shadows tuple.count (mypy says so): ``count`` is what the IDX format calls it.
    count: int  # type: ignore[assignment]
    rows: int = 0
    cols: int = 0


def _open(path: str):
    """Open ``path`` for binary reading, decompressing it if it is gzip.

    Returns (stream to read, raw file to close); they are the same object
    when the file is not compressed.
    """
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise DataError("%s: cannot open: %s" % (path, error.strerror or error)) from error
    if handle.read(2) == GZIP_SIGNATURE:
        handle.seek(0)
        return gzip.GzipFile(fileobj=handle, mode="rb"), handle
    handle.seek(0)
    return handle, handle


def _read_exact(stream, size: int, path: str, what: str) -> bytes:
    try:
        data = stream.read(size)
    except _GZIP_ERRORS as error:
        raise DataError("%s: corrupt gzip data while reading %s: %s" % (path, what, error)) from error
    if len(data) != size:
        raise DataError("%s: file ends in the %s (%d of %d bytes)" % (path, what, len(data), size))
    return data


def _parse_header(stream, path: str, expect: str) -> IdxHeader:
    magic_bytes = _read_exact(stream, 4, path, "header field 'magic'")
    (magic,) = struct.unpack(">I", magic_bytes)
    wanted = IMAGE_MAGIC if expect == "images" else LABEL_MAGIC
    if magic != wanted:
        other = {IMAGE_MAGIC: " (an image file)", LABEL_MAGIC: " (a label file)"}.get(magic, "")
        raise DataError(
            "%s: header field 'magic' is 0x%08x%s, expected 0x%08x for an IDX %s file"
            % (path, magic, other, wanted, expect)
        )
    if expect == "labels":
        (count,) = struct.unpack(">I", _read_exact(stream, 4, path, "header field 'count'"))
        _check_count(count, path)
        return IdxHeader("labels", count)
    count, rows, cols = struct.unpack(">III", _read_exact(stream, 12, path, "header fields 'count', 'rows', 'cols'"))
    _check_count(count, path)
    if rows != ROWS or cols != COLS:
        field = "rows" if rows != ROWS else "cols"
        raise DataError(
            "%s: header field '%s' is %d, expected %d (images must be %dx%d)"
            % (path, field, rows if field == "rows" else cols, ROWS, ROWS, COLS)
        )
    return IdxHeader("images", count, rows, cols)


def _check_count(count: int, path: str) -> None:
    if count > MAX_COUNT:
        raise DataError("%s: header field 'count' is %d, more than the %d nrnn reads "
                        "(a damaged header?)" % (path, count, MAX_COUNT))


def _check_plain_length(path: str, header: IdxHeader, compressed: bool) -> None:
    """For an uncompressed file the size is known up front: check it now.

    (For gzip the uncompressed size is only known after decompressing, so
    the streaming readers check it at the end instead.)
    """
    if compressed:
        return
    if header.kind == "images":
        expected = IMAGE_HEADER.size + header.count * IMAGE_SIZE
    else:
        expected = LABEL_HEADER.size + header.count
    actual = os.path.getsize(path)
    if actual != expected:
        raise DataError(
            "%s: file is %d bytes, but header field 'count' (%d %s) needs %d"
            % (path, actual, header.count, header.kind, expected)
        )


def read_header(path: str, kind: str) -> IdxHeader:
    """Read and check the header of an IDX ``kind`` ("images"/"labels") file.

    Also checks, for an uncompressed file, that its length matches the count.
    """
    stream, raw = _open(path)
    with raw:
        header = _parse_header(stream, path, kind)
    _check_plain_length(path, header, compressed=stream is not raw)
    return header


def _check_end(stream, path: str, header: IdxHeader) -> None:
    try:
        extra = stream.read(1)
    except _GZIP_ERRORS as error:
        raise DataError("%s: corrupt gzip data after the last %s: %s" % (path, header.kind[:-1], error)) from error
    if extra:
        raise DataError(
            "%s: data continues after the %d %s that header field 'count' announces"
            % (path, header.count, header.kind)
        )


def read_images(path: str) -> Iterator[bytes]:
    """Yield each image of an IDX image file as 784 bytes (row-major, 0..255).

    Memory is constant: at most a few hundred images are held at once.
    Raises ``DataError`` for a bad header, a file shorter than its count
    (when the end is reached) or data beyond it.
    """
    stream, raw = _open(path)
    with raw:
        header = _parse_header(stream, path, "images")
        _check_plain_length(path, header, compressed=stream is not raw)
        for index in range(0, header.count, _IMAGES_PER_READ):
            batch = min(header.count - index, _IMAGES_PER_READ)
            try:
                block = stream.read(batch * IMAGE_SIZE)
            except _GZIP_ERRORS as error:
                raise DataError("%s: corrupt gzip data near image %d: %s" % (path, index, error)) from error
            if len(block) != batch * IMAGE_SIZE:
                got = index + len(block) // IMAGE_SIZE
                raise DataError(
                    "%s: file ends after %d complete images, but header field "
                    "'count' says %d" % (path, got, header.count)
                )
            for start in range(0, len(block), IMAGE_SIZE):
                yield block[start:start + IMAGE_SIZE]
        _check_end(stream, path, header)


def read_labels(path: str) -> bytes:
    """Return all labels of an IDX label file as bytes (each 0..9).

    Labels are one byte each (60 kB for the full training set), so reading
    them whole is fine and lets ``read_pairs`` check both counts up front.
    """
    stream, raw = _open(path)
    with raw:
        header = _parse_header(stream, path, "labels")
        _check_plain_length(path, header, compressed=stream is not raw)
        try:
            pieces = []
            remaining = header.count
            while remaining:
                piece = stream.read(min(remaining, _LABELS_PER_READ))
                if not piece:
                    break
                pieces.append(piece)
                remaining -= len(piece)
            labels = b"".join(pieces)
        except _GZIP_ERRORS as error:
            raise DataError("%s: corrupt gzip data in the labels: %s" % (path, error)) from error
        if len(labels) != header.count:
            raise DataError(
                "%s: file ends after %d labels, but header field 'count' says %d"
                % (path, len(labels), header.count)
            )
        _check_end(stream, path, header)
    if labels and max(labels) > 9:
        index = next(i for i, label in enumerate(labels) if label > 9)
        raise DataError("%s: label %d is %d, outside 0..9" % (path, index, labels[index]))
    return labels


def read_pairs(images_path: str, labels_path: str) -> Iterator[tuple[bytes, int]]:
    """Yield ``(image, label)`` pairs, image as 784 bytes; counts must agree.

    The order of nrnn's samples everywhere (``mnist_csv.write_samples``
    takes them as they are).

    The headers are checked before anything is yielded, so a mismatch fails
    fast instead of after converting thousands of images.
    """
    labels = read_labels(labels_path)
    header = read_header(images_path, "images")
    if header.count != len(labels):
        raise DataError(
            "%s has %d images but %s has %d labels (header field 'count')"
            % (images_path, header.count, labels_path, len(labels))
        )
    return _pairs(labels, read_images(images_path))


def _pairs(labels: bytes, images: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    # The image reader checks the end of its file only when resumed after
    # its last image.  zip asks the images first, so it does resume it; the
    # loop after zip makes sure of that check.
    yield from zip(images, labels)
    for _ in images:  # runs the end-of-file check; counts agree, so no items
        pass


def validate(images_path: str, labels_path: str) -> int:
    """Read both files completely, checking everything; return the count."""
    return sum(1 for _ in read_pairs(images_path, labels_path))


def _write(path: str, header: bytes, chunks: Iterable[bytes]) -> None:
    with atomic_write(path, "wb") as handle:
        if path.endswith(".gz"):
            # mtime=0 makes the output byte-for-byte reproducible.
            with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as zipped:
                zipped.write(header)
                for chunk in chunks:
                    zipped.write(chunk)
        else:
            handle.write(header)
            for chunk in chunks:
                handle.write(chunk)


def write_images(path: str, images: Sequence[bytes]) -> None:
    """Write 28x28 images (each 784 bytes or ints 0..255) as an IDX file.

    Gzip-compressed if ``path`` ends in ".gz"; written atomically.
    """
    for index, image in enumerate(images):
        if len(image) != IMAGE_SIZE:
            raise DataError("image %d has %d pixels, expected %d" % (index, len(image), IMAGE_SIZE))
    header = IMAGE_HEADER.pack(IMAGE_MAGIC, len(images), ROWS, COLS)
    _write(path, header, (bytes(image) for image in images))


def write_labels(path: str, labels: Sequence[int]) -> None:
    """Write labels (ints 0..9) as an IDX label file (gzip if ".gz")."""
    for index, label in enumerate(labels):
        if not 0 <= label <= 9:
            raise DataError("label %d is %r, outside 0..9" % (index, label))
    _write(path, LABEL_HEADER.pack(LABEL_MAGIC, len(labels)), [bytes(labels)])


__all__: list[str] = [
    "IMAGE_MAGIC", "LABEL_MAGIC", "ROWS", "COLS", "IMAGE_SIZE", "IdxHeader",
    "read_header", "read_images", "read_labels", "read_pairs", "validate",
    "write_images", "write_labels",
]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
