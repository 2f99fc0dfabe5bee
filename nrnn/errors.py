"""The one family of errors nrnn raises on purpose.

Every error that bad input can cause (a corrupt PNG, a malformed CSV line, a
damaged model file) is an instance of ``NrnnError``.  The command-line tools
catch that one class and print its message on a single line, so a user never
sees a traceback for a problem that is theirs to fix.  Anything else that
escapes is a bug in nrnn.

Each message names the thing that was wrong: the file, the line, the field
and the offending value, so the user can go straight to it.

>>> issubclass(PNGError, NrnnError) and issubclass(JPEGError, NrnnError)
True

A limit is its own error, still of its format's family, so a caller can
tell "too big" from "broken" with one ``except``:

>>> issubclass(PNGTooLargeError, PNGError), issubclass(PNGTooLargeError, TooLargeError)
(True, True)
"""


class NrnnError(Exception):
    """Root of every error nrnn raises for bad input or a failed operation."""


class DataError(NrnnError):
    """MNIST data (IDX or CSV files, downloads) is missing or malformed."""


class PNGError(NrnnError):
    """A PNG file cannot be decoded: not a PNG, corrupt, or unsupported."""


class JPEGError(NrnnError):
    """A JPEG file cannot be decoded: not a JPEG, corrupt, or unsupported."""


class ModelFileError(NrnnError):
    """A saved model cannot be read: bad JSON, wrong shapes, bad numbers."""


class ImageError(NrnnError):
    """A decoded image cannot be turned into network input (e.g. it is blank)."""


class UsageError(NrnnError):
    """A command-line option or argument is invalid."""


class TooLargeError(NrnnError):
    """An input over one of nrnn's size limits: not damaged, only too big to
    be worth the time or memory (the server answers 413 for it, not 400)."""


class PNGTooLargeError(PNGError, TooLargeError):
    """A PNG whose header declares more pixels than the caller allows."""


class JPEGTooLargeError(JPEGError, TooLargeError):
    """A JPEG whose frame header declares more pixels than the decoder allows."""


if __name__ == "__main__":
    import doctest
    doctest.testmod()
