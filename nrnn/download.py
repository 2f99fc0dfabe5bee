"""Fetch the four MNIST files and make sure they are the right ones.

MNIST is published as four gzip-compressed IDX files (see ``nrnn.idx``).
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
we start over).  All network waits are bounded by ``timeout`` and all retries
by ``attempts``.
"""

import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Dict, List, Optional, Sequence, TextIO, Union

from . import idx
from .errors import DataError
from .progress import Progress, format_count

IMAGE_FILES = {"train": "train-images-idx3-ubyte.gz", "test": "t10k-images-idx3-ubyte.gz"}
LABEL_FILES = {"train": "train-labels-idx1-ubyte.gz", "test": "t10k-labels-idx1-ubyte.gz"}
MNIST_FILES = (IMAGE_FILES["train"], LABEL_FILES["train"], IMAGE_FILES["test"], LABEL_FILES["test"])

# The published MD5 sums of the official files (sizes 9912422, 28881,
# 1648877 and 4542 bytes).
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


def resolve_sources(source: Union[None, str, Sequence[str]] = None) -> List[str]:
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
        count = 0
        for count, _ in enumerate(idx.read_images(part), 1):
            pass
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
        checksums: Optional[Dict[str, str]] = None,
        timeout: float = 30.0,
        attempts: int = 4,
        retry_delay: float = 2.0,
        quiet: bool = False,
        stream: Optional[TextIO] = None,
        opener: Optional[urllib.request.OpenerDirector] = None,
        sleep: Callable[[float], None] = time.sleep,
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
        self.notes: Dict[str, str] = {}

    def __repr__(self):
        return "Fetcher(%r, sources=%r)" % (self.dest_dir, self.sources)

    def _say(self, text: str) -> None:
        if not self.quiet:
            stream = self.stream or sys.stderr
            stream.write(text + "\n")
            stream.flush()

    def fetch(self, names: Sequence[str] = MNIST_FILES) -> Dict[str, str]:
        """Fetch each file in ``names``; return name -> path of the verified file.

        A file already in the destination with the expected MD5 is kept.
        Raises ``DataError`` listing what each source said if no source
        provides a file that passes verification.
        """
        try:
            os.makedirs(self.dest_dir, exist_ok=True)
        except OSError as error:
            raise DataError("cannot create %s: %s" % (self.dest_dir, error.strerror or error))
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
        raise DataError("could not fetch %s from any source (%s)" % (name, "; ".join(failures)))

    # -- local folders -------------------------------------------------

    def _copy_local(self, folder: str, name: str, part: str) -> str:
        origin = os.path.join(folder, name)
        md5, sha256 = _new_hash("md5"), _new_hash("sha256")
        try:
            with open(origin, "rb") as source, open(part, "wb") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    md5.update(chunk)
                    sha256.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as error:
            _remove(part)
            raise _SourceFailed("cannot copy %s: %s" % (origin, error.strerror or error))
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
            raise _SourceFailed(str(error))
        return ("copied from %s; %s; %s; NOT the official file (its MD5 differs "
                "from the published one)" % (folder, note, structure))

    # -- http(s) -------------------------------------------------------

    def _download(self, base_url: str, name: str, part: str) -> str:
        url = base_url if base_url.endswith("/") else base_url + "/"
        url += urllib.parse.quote(name)
        last_error = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(self.retry_delay * (attempt - 1))
            try:
                self._download_once(url, name, part)
                break
            except (OSError, http.client.HTTPException) as error:
                # URLError, timeouts, resets and IncompleteRead all land
                # here: keep the .part file and resume from it next time.
                # (_SourceFailed, a 404 say, is neither: it is not retried.)
                last_error = "%s: %s" % (type(error).__name__, error)
                self._say("%s: attempt %d of %d failed (%s)" % (name, attempt, self.attempts, last_error))
        else:
            raise _SourceFailed("gave up after %d attempts (last: %s); partial file kept as %s"
                                % (self.attempts, last_error, part))
        expected = self.checksums.get(name)
        if expected is None:
            try:
                structure = _check_structure(part, name)
            except DataError as error:
                _remove(part)
                raise _SourceFailed(str(error))
            return "downloaded from %s; no published checksum to compare; %s" % (url, structure)
        actual = file_digest(part)
        if actual != expected:
            _remove(part)
            raise _SourceFailed("MD5 is %s, expected %s: the download is corrupt or not the "
                                "official file; deleted" % (actual, expected))
        return "downloaded from %s, MD5 matches the published checksum" % url

    def _download_once(self, url: str, name: str, part: str) -> None:
        """One HTTP request, resuming ``part`` if it exists.

        Raises OSError/HTTPException for errors worth retrying, and
        _SourceFailed for ones that are not (404, 403...).
        """
        offset = os.path.getsize(part) if os.path.exists(part) else 0
        headers = {"User-Agent": _USER_AGENT}
        if offset:
            headers["Range"] = "bytes=%d-" % offset
        request = urllib.request.Request(url, headers=headers)
        try:
            response = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 416 and offset:
                # Our partial file is at least as long as the server's: it
                # cannot be resumed.  Start over next attempt.
                _remove(part)
                raise ConnectionError("HTTP 416 for a resume from byte %d; restarting" % offset)
            if error.code in (408, 429) or error.code >= 500:
                raise
            raise _SourceFailed("HTTP %d %s for %s" % (error.code, error.reason, url))
        with response:
            status = getattr(response, "status", 200)
            content_range = response.headers.get("Content-Range", "")
            if offset and status == 206 and content_range.startswith("bytes %d-" % offset):
                mode = "ab"
            else:
                offset, mode = 0, "wb"  # the server sent the whole file
            length = response.headers.get("Content-Length")
            length = int(length) if length and length.isdigit() else None
            total = offset + length if length is not None else None
            received = 0
            bar = Progress(total=total, unit="bytes", label=name, stream=self.stream,
                           quiet=self.quiet, initial=offset)
            with open(part, mode) as out:
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                out.flush()
                os.fsync(out.fileno())
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
    **options,
) -> Dict[str, str]:
    """Fetch and verify the MNIST files into ``dest_dir``; return name -> path.

    ``source``: a folder, ``file:`` URL or http(s) URL, or a list of them
    tried in order; default $NRNN_MNIST_SOURCE, else ``MIRRORS``.  Further
    keyword options go to ``Fetcher`` (checksums, timeout, attempts, ...).
    """
    return Fetcher(dest_dir, source, quiet=quiet, **options).fetch(names)
