"""Reading a whole input file, with its size capped before it is read.

``open(path, "rb").read()`` trusts the file: ``predict.py /dev/zero`` reads
until memory runs out, and so does a 3 GB file handed over by mistake.
``read_capped`` decides first: a regular file larger than the cap is
refused from its size alone, without reading a byte; a file without a
size (a pipe, ``/dev/stdin``, a device) is read in pieces and refused as
soon as it passes the cap.  Either way at most ``limit + 1`` bytes are ever
held.

``MAX_FILE_BYTES`` is the cap for the images ``predict.py`` reads: 50 MB.
Why that much: the largest image nrnn recognises has 4 megapixels
(``recognition.MAX_IMAGE_PIXELS``), and even stored uncompressed as 16-bit
RGBA (8 bytes a pixel) that is 32 MB; a photo from a phone is a 2-12 MB
JPEG.  Why no more: nothing bigger can hold an image nrnn would read.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "ten.bin")
>>> with open(path, "wb") as handle:
...     _ = handle.write(bytes(10))
>>> len(read_capped(path, limit=10))
10
>>> read_capped(path, limit=9)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nrnn.errors.NrnnError: ...ten.bin: the file is 10 bytes, more than the 9 an input may have
"""

import os
import stat

from nrnn.cli import display_path
from nrnn.errors import NrnnError

#: The largest image file read (see the module docstring): 50 MB.
MAX_FILE_BYTES = 50 * 1024 * 1024

_PIECE = 1 << 20


def read_capped(path: str, limit: int = MAX_FILE_BYTES, error: type[NrnnError] = NrnnError,
                what: str = "file", limit_name: str = "") -> bytes:
    """The bytes of the file at ``path``, at most ``limit`` of them.

    Raises ``error`` (an NrnnError class) naming the file when it cannot be
    opened or read (``<path>: cannot read <what>: <reason>``) or holds more
    than ``limit`` bytes.  ``limit_name`` (e.g. ``"MAX_FILE_BYTES"``) is
    added to that message so the user can find the limit.
    """
    shown = display_path(path)
    named = " (%s)" % limit_name if limit_name else ""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                if info.st_size > limit:
                    raise error("%s: the %s is %d bytes, more than the %d an input may have%s"
                                % (shown, what, info.st_size, limit, named))
                # The size is known: one read, no piece joining.  (One byte
                # more, in case the file grew since fstat.)
                data = handle.read(info.st_size + 1)
            else:
                # No size to trust: read in pieces (read(n) would allocate
                # n bytes at once) and stop one byte past the limit.
                pieces, total = [], 0
                while total <= limit:
                    piece = handle.read(min(_PIECE, limit + 1 - total))
                    if not piece:
                        break
                    pieces.append(piece)
                    total += len(piece)
                if total > limit:
                    del pieces  # before the error: never hold them twice
                    raise error("%s: the %s holds more than the %d bytes an input may have%s"
                                % (shown, what, limit, named))
                data = b"".join(pieces)
    except OSError as failure:
        raise error("%s: cannot read %s: %s" % (shown, what, failure.strerror or failure)) from failure
    if len(data) > limit:
        raise error("%s: the %s holds more than the %d bytes an input may have%s"
                    % (shown, what, limit, named))
    return data


if __name__ == "__main__":
    import doctest
    doctest.testmod()
