"""Atomic file writes: a file is either the old version or the new one.

A crash, a full disk or Ctrl-C in the middle of ``open(path, 'w').write(...)``
leaves a half-written file, and for a trained model that means hours lost.
So every file nrnn writes goes through ``atomic_write``: the bytes go to a
temporary file in the *same directory* (``os.replace`` is only atomic within
one file system), are flushed and fsync'ed to disk, and only then does
``os.replace`` swap the finished file into place.  If anything fails before
that swap, the temporary file is removed and the previous file is untouched.

``exclusive=True`` publishes the file only if ``path`` does not exist yet,
atomically: ``os.link`` of the finished temporary file fails if the name is
taken, where "check, then replace" would let two programs both see the name
free and the second silently replace the first (two ``train.py`` runs
started together with the same ``--model``).

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> with atomic_write(path) as f:
...     _ = f.write("version 1")
>>> try:
...     with atomic_write(path) as f:
...         _ = f.write("version 2, half writ")
...         raise OSError("disk full")
... except OSError as error:
...     print(error)
disk full
>>> with open(path) as f:
...     f.read(), len(os.listdir(os.path.dirname(path)))    # the old file, no leftovers
('version 1', 1)
>>> import shutil; shutil.rmtree(os.path.dirname(path))
"""

import contextlib
import errno
import os
from collections.abc import Iterator
from typing import IO, Any, Optional


def _read_umask() -> int:
    # os.umask can only be read by setting it; do that once, at import.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only (0600); a saved model
# or CSV should get the ordinary permissions a plain open() would give it.
_FILE_MODE = 0o666 & ~_read_umask()


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "w", encoding: Optional[str] = "utf-8", newline: Optional[str] = None,
                 exclusive: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success replace ``path`` by it.

    Use as ``with atomic_write(path) as f: f.write(...)``.  ``mode`` is
    ``"w"`` (text, with ``encoding``/``newline``) or ``"wb"`` (bytes).
    ``exclusive``: raise ``FileExistsError`` (writing nothing) if ``path``
    exists when the file is ready, instead of replacing it.
    """
    # Imported here: tempfile (and the shutil and random it imports) costs
    # tens of milliseconds at PyPy's start, and most runs write nothing.
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(
        prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory
    )
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _FILE_MODE)
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            _publish_exclusively(temp_path, path)
        else:
            os.replace(temp_path, path)
    except BaseException:
        # BaseException, not Exception: Ctrl-C during a save must not leave
        # a stray temporary file behind either.
        with contextlib.suppress(OSError):
            os.unlink(temp_path)
        raise
    _fsync_directory(directory)


def _publish_exclusively(temp_path, path):
    """Give the finished ``temp_path`` the name ``path`` unless it is taken."""
    try:
        os.link(temp_path, path)  # fails with FileExistsError if taken
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise
        # A file system without hard links: claim the name with an
        # exclusive create, then replace the (empty) claim.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE))
        os.replace(temp_path, path)
    else:
        os.unlink(temp_path)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); harmless where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` (str, UTF-8) to ``path`` atomically."""
    with atomic_write(path, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
