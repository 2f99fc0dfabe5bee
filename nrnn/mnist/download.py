"""Fetch the four MNIST files and make sure they are the right ones.

MNIST is published as four gzip-compressed IDX files (see ``nrnn.mnist.idx``).
Yann LeCun's original site no longer serves them reliably, so we try public
mirrors in order (``MIRRORS``).  A *source* is one of:

* an http(s) URL of a folder holding the four files (a mirror);
* a local folder, or a ``file:`` URL of one -- the way to install MNIST on
  a machine without internet: copy the files there from anywhere.

The source comes from the ``source`` argument (``--source`` on the command
line), else the environment variable ``NRNN_MNIST_SOURCE``, else the mirrors.

Why verify?  A download can be truncated, a proxy can serve an error page
with status 200, a mirror can be stale or tampered with.  Any of these would
otherwise surface hours later as a baffling training result.  The published
MD5 sums pin the exact bytes: a downloaded file whose MD5 differs is deleted
and reported, never used.  (MD5 is broken against deliberate collisions, but
these are the sums the data set's authors published, and they catch every
accident.)

Local files get a more forgiving check, because a local copy may be a
legitimate variant (the project's shared development set holds only the first
24,345 training images, so its MD5 cannot match).  In order:

1. the MD5 matches the published one: accepted as the official file;
2. a ``SHA256SUMS`` or ``MD5SUMS`` file beside it lists it: the sum must
   match (else the file is rejected), and a note says it is not the official
   file;
3. otherwise the IDX structure is checked, with a note that the checksum is
   not the official one.

In cases 2 and 3 the whole IDX file is also read and checked.

Every file is written to ``<name>.part`` in the destination folder and only
renamed (``os.replace``, atomic) to its real name once it is verified, so the
real name never holds a partial or unverified file.  An interrupted download
leaves the ``.part`` file behind, and the next attempt resumes it with an
HTTP ``Range`` request (a server that ignores Range sends the whole file and
we start over).  Every network read waits at most ``timeout`` seconds
(default ``READ_TIMEOUT``; ``--download-timeout`` on the command line) and
all retries are bounded by ``attempts``.

What can never succeed is not tried again and not kept:

* a file is never allowed to grow past its size limit: the official size
  for an official file (a byte more cannot match its MD5), else
  ``MAX_DOWNLOAD_BYTES``; an endless body stops there and its ``.part`` is
  deleted;
* each file has ``deadline`` seconds (default ``FILE_DEADLINE``) from each
  source, all attempts together: a server trickling a byte every two
  seconds never trips the read timeout, but it does trip this;
* a host name that does not resolve, or a network that is unreachable, is
  not retried (the usual case: no internet at all), and the error says how
  to work offline (``--source DIR`` or ``$NRNN_MNIST_SOURCE``);
* a local disk that refuses the bytes (full, read-only) stops at once with
  one error: no other source would do better.
"""

import errno
import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any, Callable, Optional, TextIO, Union

from nrnn.errors import DataError
from nrnn.mnist import idx
from nrnn.progress import Progress, format_count

IMAGE_FILES = {"train": "train-images-idx3-ubyte.gz", "test": "t10k-images-idx3-ubyte.gz"}
LABEL_FILES = {"train": "train-labels-idx1-ubyte.gz", "test": "t10k-labels-idx1-ubyte.gz"}
MNIST_FILES = (IMAGE_FILES["train"], LABEL_FILES["train"], IMAGE_FILES["test"], LABEL_FILES["test"])

# The sizes of the official files: a download never grows past them.
OFFICIAL_SIZES = {
    "train-images-idx3-ubyte.gz": 9912422,
    "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877,
    "t10k-labels-idx1-ubyte.gz": 4542,
}

# The limit for a file with no official size to go by (another mirror's
# variant, a test's file): five times the largest official file.
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024

# Two different waits, two names.  READ_TIMEOUT: how long one network read
# may wait for bytes (``--download-timeout``).  FILE_DEADLINE: how long one
# file may take from one source, all attempts together: 10 minutes, 16 KB/s
# for the largest file.
READ_TIMEOUT = 30.0
FILE_DEADLINE = 600.0

# What the last line of a failed fetch tells a user without internet.
OFFLINE_HINT = ("without internet, copy the four *-ubyte.gz files into a folder and give it "
                "with --source DIR (or set NRNN_MNIST_SOURCE=DIR)")

# The published MD5 sums of the official files.
OFFICIAL_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

# Public mirrors, tried in order: the S3 bucket torchvision downloads from,
# then the copy in Google's CVDF datasets bucket.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

SOURCE_ENV_VAR = "NRNN_MNIST_SOURCE"

# Checksum lists that may sit beside local files, and their hash functions.
SUM_FILES = (("SHA256SUMS", "sha256"), ("MD5SUMS", "md5"))

_CHUNK = 64 * 1024
_USER_AGENT = "nrnn-mnist-fetch/1.0 (+python urllib)"


class _SourceFailed(Exception):
    """This source could not provide this file; try the next one."""


class _Unreachable(OSError):
    """The host cannot be reached at all (no DNS, no route): not retried."""


class _DeadlinePassed(OSError):
    """The file's deadline passed during a download."""


def _unreachable(error: BaseException) -> bool:
    """Is ``error`` one that retrying cannot fix: the name does not resolve
    or the network is down?  (A refused or reset connection may be a
    server restarting: those are retried.)"""
    reason = getattr(error, "reason", error)  # URLError wraps the socket's error
    if isinstance(reason, socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)


def _new_hash(name: str):
    try:
        return hashlib.new(name, usedforsecurity=False)
    except TypeError:  # an interpreter whose hashlib lacks the keyword
        return hashlib.new(name)


def file_digest(path: str, algorithm: str = "md5") -> str:
    """Hex digest of a file's contents, read in chunks."""
    digest = _new_hash(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_sources(source: Union[None, str, Sequence[str]] = None) -> list[str]:
    """The sources to try, in order: ``source``, else $NRNN_MNIST_SOURCE,
    else ``MIRRORS``.

    >>> resolve_sources("/data/mnist")
    ['/data/mnist']
    """
    if source is None:
        source = os.environ.get(SOURCE_ENV_VAR) or None
    if source is None:
        return list(MIRRORS)
    if isinstance(source, str):
        return [source]
    return list(source)


def local_folder(source: str) -> Optional[str]:
    """The folder a local source names, or None for a remote (http) one.

    >>> local_folder("file:///srv/mnist"), local_folder("https://example.org/m/")
    ('/srv/mnist', None)
    """
    scheme = urllib.parse.urlsplit(source).scheme.lower()
    if scheme == "file":
        return urllib.request.url2pathname(urllib.parse.urlsplit(source).path)
    if scheme in ("http", "https"):
        return None
    if len(scheme) > 1:  # "ftp:" and friends; one letter is a Windows drive
        raise DataError("source %r: unsupported URL scheme %r (use http, https, file: or a folder)"
                        % (source, scheme))
    return source


def _listed_sums(folder: str, name: str) -> Optional[tuple]:
    """(sum file path, algorithm, expected hex) for ``name``, if listed."""
    for sum_name, algorithm in SUM_FILES:
        sum_path = os.path.join(folder, sum_name)
        try:
            with open(sum_path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            # "<hex>  <name>" or "<hex> *<name>" (binary mode), as sha256sum writes.
            if len(parts) == 2 and parts[1].lstrip("*") == name:
                return sum_path, algorithm, parts[0].lower()
    return None


def _check_structure(part: str, name: str) -> str:
    """Read a whole IDX file, checking it; describe what it holds."""
    kind = "labels" if "labels" in name else "images"
    if kind == "labels":
        count = len(idx.read_labels(part))
    else:
        count = sum(1 for _ in idx.read_images(part))
    return "IDX structure checked: %s %s" % (format_count(count), kind)


class Fetcher:
    """Fetches files from a list of sources into one folder.

    Everything a test may want to replace is a parameter: the sources, the
    expected MD5 sums (``checksums``, name -> hex), the URL opener, the
    timeout, the number of attempts and the pause between them.
    """

    def __init__(
        self,
        dest_dir: str,
        source: Union[None, str, Sequence[str]] = None,
        checksums: Optional[dict[str, str]] = None,
        timeout: float = READ_TIMEOUT,
        attempts: int = 4,
        retry_delay: float = 2.0,
        quiet: bool = False,
        stream: Optional[TextIO] = None,
        opener: Optional[urllib.request.OpenerDirector] = None,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float = FILE_DEADLINE,
        size_limits: Optional[dict[str, int]] = None,
    ):
        self.dest_dir = dest_dir
        self.sources = resolve_sources(source)
        self.checksums = dict(OFFICIAL_MD5 if checksums is None else checksums)
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.retry_delay = retry_delay
        self.quiet = quiet
        self.stream = stream
        self.opener = opener or urllib.request.build_opener()
        self.sleep = sleep
        self.deadline = deadline
        # An official checksum means an official size too; other files get
        # the generous limit.
        if size_limits is None:
            size_limits = {name: size for name, size in OFFICIAL_SIZES.items()
                           if self.checksums.get(name) == OFFICIAL_MD5[name]}
        self.size_limits = size_limits
        self.notes: dict[str, str] = {}

    def __repr__(self):
        return "Fetcher(%r, sources=%r)" % (self.dest_dir, self.sources)

    def _say(self, text: str) -> None:
        if not self.quiet:
            stream = self.stream or sys.stderr
            stream.write(text + "\n")
            stream.flush()

    def fetch(self, names: Sequence[str] = MNIST_FILES) -> dict[str, str]:
        """Fetch each file in ``names``; return name -> path of the verified file.

        A file already in the destination with the expected MD5 is kept.
        Raises ``DataError`` listing what each source said if no source
        provides a file that passes verification.
        """
        try:
            os.makedirs(self.dest_dir, exist_ok=True)
        except OSError as error:
            raise DataError("cannot create %s: %s" % (self.dest_dir, error.strerror or error)) from error
        paths = {}
        for name in names:
            paths[name] = self.fetch_one(name)
        return paths

    def fetch_one(self, name: str) -> str:
        """Fetch one file, trying each source in turn; return its path.

        The bytes arrive in ``<name>.part`` and are renamed to ``name`` only
        once verified, so ``name`` is never a half-fetched file.
        """
        dest = os.path.join(self.dest_dir, name)
        expected = self.checksums.get(name)
        if expected and os.path.exists(dest) and file_digest(dest) == expected:
            self.notes[name] = "already present, MD5 matches"
            self._say("%s: already present, MD5 matches" % name)
            return dest
        part = dest + ".part"
        failures = []
        for source in self.sources:
            try:
                folder = local_folder(source)
                if folder is not None:
                    note = self._copy_local(folder, name, part)
                else:
                    note = self._download(source, name, part)
            except _SourceFailed as failure:
                failures.append("%s: %s" % (source, failure))
                self._say("%s: %s: %s" % (name, source, failure))
                continue
            os.replace(part, dest)
            self.notes[name] = note
            self._say("%s: %s" % (name, note))
            return dest
        raise DataError("could not fetch %s from any source (%s); %s"
                        % (name, "; ".join(failures), OFFLINE_HINT))

    # -- local folders -------------------------------------------------

    def _copy_local(self, folder: str, name: str, part: str) -> str:
        origin = os.path.join(folder, name)
        md5, sha256 = _new_hash("md5"), _new_hash("sha256")
        # A local copy may be an unofficial variant, so the generous limit
        # applies; it still stops /dev/zero linked in by mistake.
        limit, copied = MAX_DOWNLOAD_BYTES, 0
        try:
            with open(origin, "rb") as source, open(part, "wb") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    copied += len(chunk)
                    if copied > limit:
                        raise _SourceFailed("%s is larger than the %d bytes an MNIST file may have "
                                            "(MAX_DOWNLOAD_BYTES)" % (origin, limit))
                    md5.update(chunk)
                    sha256.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except _SourceFailed:
            _remove(part)
            raise
        except OSError as error:
            _remove(part)
            raise _SourceFailed("cannot copy %s: %s" % (origin, error.strerror or error)) from error
        digests = {"md5": md5.hexdigest(), "sha256": sha256.hexdigest()}
        expected = self.checksums.get(name)
        if expected and digests["md5"] == expected:
            return "copied from %s, MD5 matches the published checksum" % folder
        listed = _listed_sums(folder, name)
        try:
            if listed:
                sum_path, algorithm, wanted = listed
                if digests[algorithm] != wanted:
                    raise _SourceFailed(
                        "%s of %s is %s but %s lists %s; copy deleted"
                        % (algorithm.upper(), origin, digests[algorithm], sum_path, wanted))
                note = "%s matches %s" % (algorithm.upper(), sum_path)
            else:
                note = "no checksum list beside it"
            structure = _check_structure(part, name)
        except (_SourceFailed, DataError) as error:
            _remove(part)
            raise _SourceFailed(str(error)) from error
        return ("copied from %s; %s; %s; NOT the official file (its MD5 differs "
                "from the published one)" % (folder, note, structure))

    # -- http(s) -------------------------------------------------------

    def _download(self, base_url: str, name: str, part: str) -> str:
        url = base_url if base_url.endswith("/") else base_url + "/"
        url += urllib.parse.quote(name)
        last_error = "no attempt made"
        deadline = time.monotonic() + self.deadline
        finished = False
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                pause = self.retry_delay * (attempt - 1)
                if time.monotonic() + pause >= deadline:
                    last_error += "; no time left for another attempt within %g s" % self.deadline
                    break
                self.sleep(pause)
            try:
                self._download_once(url, name, part, deadline)
                finished = True
                break
            except (_Unreachable, _DeadlinePassed) as error:
                raise _SourceFailed("%s%s" % (error, self._kept(part))) from error
            except (OSError, http.client.HTTPException) as error:
                # URLError, timeouts, resets and IncompleteRead all land
                # here: keep the .part file and resume from it next time.
                # (_SourceFailed, a 404 say, is neither: it is not retried.)
                last_error = "%s: %s" % (type(error).__name__, error)
                self._say("%s: attempt %d of %d failed (%s)" % (name, attempt, self.attempts, last_error))
        if not finished:
            raise _SourceFailed("gave up after %d attempt%s (last: %s)%s"
                                % (attempt, "" if attempt == 1 else "s", last_error, self._kept(part)))
        expected = self.checksums.get(name)
        if expected is None:
            try:
                structure = _check_structure(part, name)
            except DataError as error:
                _remove(part)
                raise _SourceFailed(str(error)) from error
            return "downloaded from %s; no published checksum to compare; %s" % (url, structure)
        actual = file_digest(part)
        if actual != expected:
            _remove(part)
            raise _SourceFailed("MD5 is %s, expected %s: the download is corrupt or not the "
                                "official file; deleted" % (actual, expected))
        return "downloaded from %s, MD5 matches the published checksum" % url

    @staticmethod
    def _kept(part: str) -> str:
        """"; partial file kept as ..." when there is one to resume from."""
        try:
            if os.path.getsize(part) > 0:
                return "; partial file kept as %s (the next run resumes it)" % part
        except OSError:
            pass
        return ""

    def _download_once(self, url: str, name: str, part: str, deadline: float) -> None:
        """One HTTP request, resuming ``part`` if it exists.

        Raises OSError/HTTPException for errors worth retrying, _Unreachable
        and _DeadlinePassed for ones that end this source, _SourceFailed for
        the server's refusals (404, 403...) and for a body over the size
        limit, and DataError when the local disk fails.
        """
        offset = os.path.getsize(part) if os.path.exists(part) else 0
        limit = self.size_limits.get(name, MAX_DOWNLOAD_BYTES)
        if offset > limit:  # left by an older run: can never become the file
            _remove(part)
            offset = 0
        headers = {"User-Agent": _USER_AGENT}
        if offset:
            headers["Range"] = "bytes=%d-" % offset
        request = urllib.request.Request(url, headers=headers)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlinePassed("not finished within the %g s deadline" % self.deadline)
        try:
            response = self.opener.open(request, timeout=min(self.timeout, remaining))
        except urllib.error.URLError as error:
            if _unreachable(error):
                raise _Unreachable("cannot reach the host: %s (not retried)"
                                   % getattr(error, "reason", error)) from error
            if not isinstance(error, urllib.error.HTTPError):
                raise
            error.close()
            if error.code == 416 and offset:
                # Our partial file is at least as long as the server's: it
                # cannot be resumed.  Start over next attempt.
                _remove(part)
                raise ConnectionError("HTTP 416 for a resume from byte %d; restarting" % offset) from error
            if error.code in (408, 429) or error.code >= 500:
                raise
            raise _SourceFailed("HTTP %d %s for %s" % (error.code, error.reason, url)) from error
        with response:
            status = getattr(response, "status", 200)
            content_range = response.headers.get("Content-Range", "")
            if offset and status == 206 and content_range.startswith("bytes %d-" % offset):
                mode = "ab"
            else:
                offset, mode = 0, "wb"  # the server sent the whole file
            length = response.headers.get("Content-Length")
            length = int(length) if length and length.isdigit() and len(length) < 19 else None
            total = offset + length if length is not None else None
            if total is not None and total > limit:
                if offset:
                    _remove(part)  # the server's file is not ours: its prefix is useless
                raise _SourceFailed("the server announces %d bytes, more than the %d %s can have; "
                                    "not downloaded" % (total, limit, name))
            received = 0
            bar = Progress(total=total, unit="bytes", label=name, stream=self.stream,
                           quiet=self.quiet, initial=offset)
            # read1 returns what has arrived; read(n) would wait for all n
            # bytes, and a trickling server would never let us look at the
            # clock.
            read = getattr(response, "read1", response.read)
            try:
                out = open(part, mode)
            except OSError as error:
                raise DataError("cannot write %s: %s" % (part, error.strerror or error)) from error
            with out:
                while True:
                    chunk = read(_CHUNK)
                    if not chunk:
                        break
                    if offset + received + len(chunk) > limit:
                        out.close()
                        _remove(part)
                        bar.close("(too big)")
                        raise _SourceFailed("sent more than the %d bytes %s can have; deleted"
                                            % (limit, name))
                    try:
                        out.write(chunk)
                    except OSError as error:
                        bar.close("(write failed)")
                        raise DataError("cannot write %s: %s" % (part, error.strerror or error)) from error
                    received += len(chunk)
                    bar.update(len(chunk))
                    if time.monotonic() > deadline:
                        bar.close("(too slow)")
                        out.flush()
                        raise _DeadlinePassed("not finished within the %g s deadline (%d bytes in)"
                                              % (self.deadline, offset + received))
                try:
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as error:
                    raise DataError("cannot write %s: %s" % (part, error.strerror or error)) from error
            # http.client returns a short body without complaint when the
            # server closes early, so compare with Content-Length ourselves.
            if length is not None and received < length:
                bar.close("(connection closed early)")
                raise http.client.IncompleteRead(b"", length - received)
            bar.close()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def fetch(
    dest_dir: str,
    source: Union[None, str, Sequence[str]] = None,
    names: Sequence[str] = MNIST_FILES,
    quiet: bool = False,
    **options: Any,
) -> dict[str, str]:
    """Fetch and verify the MNIST files into ``dest_dir``; return name -> path.

    ``source``: a folder, ``file:`` URL or http(s) URL, or a list of them
    tried in order; default $NRNN_MNIST_SOURCE, else ``MIRRORS``.  Further
    keyword options go to ``Fetcher`` (checksums, timeout, attempts, ...).
    """
    return Fetcher(dest_dir, source, quiet=quiet, **options).fetch(names)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
