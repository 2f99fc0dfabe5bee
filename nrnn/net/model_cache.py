"""A parsed copy of a model, kept beside Python's own caches, so that
``predict.py`` does not parse 400,000 numbers of JSON at every start.

The model file stays JSON (readable, safe, exact: see model_file.py), but
reading it is slow: ``json.loads`` builds one Python float from up to 24
characters of text for each weight, and then every row is validated.  For
the shipped 784-500-10 model that is most of a prediction's time (a few
tenths of a second on CPython, more on PyPy).  The numbers themselves are
doubles, 8 bytes each, so the quick way back is to keep them as raw
doubles once they have been parsed and checked:

    cache file = MAGIC, one line of JSON (sizes, cost, bias, metadata,
                 the model file's length and CRC-32, the payload's CRC-32),
                 then every weight and bias as a little-endian double,
                 layer by layer, row by row

Read straight into an ``array('d')``, the payload is floats again in
milliseconds, bit for bit the same doubles the JSON gave (a double written
as 8 bytes and read back is the same double; a test pins the whole model).

The cache is only a shortcut, never the truth:

* it is used only when the model file's length and CRC-32 match the ones it
  was made from, so an edited or replaced model is parsed again (and the
  cache rewritten); one cache file per model path, so old copies do not
  pile up;
* its payload carries its own CRC-32, so a damaged cache is noticed and
  ignored (the JSON is read as if there were no cache);
* any failure to read or write it (a read-only disk, no home folder) just
  means the JSON is read: a cache never turns a working load into an error.

Why CRC-32 (``zlib.crc32``, the check PNG and gzip files carry) and not a
cryptographic hash: it tells a changed model or a damaged cache with all
but one chance in four billion, which is what a cache needs (it guards
against accidents; whoever can write the model file chooses the model
anyway), it runs at memory speed, and ``zlib`` is loaded anyway for the
gzip'ed model.  ``hashlib`` would cost PyPy some 40 ms to import (its
OpenSSL binding), an eighth of a prediction's start there.

Where: ``$NRNN_CACHE_DIR`` if set (empty: no cache at all), else
``$XDG_CACHE_HOME/nrnn/model-cache``, else ``~/.cache/nrnn/model-cache``
(the convention pip and many tools follow; an installed nrnn keeps MNIST
in ``~/.cache/nrnn`` beside it).
"""

import array
import json
import os
import stat
import sys
import zlib
from typing import Optional

from nrnn.atomic import write_bytes_atomic
from nrnn.errors import ModelFileError
from nrnn.input_file import read_capped
from nrnn.net import model_file
from nrnn.net.network import Network

__all__ = ["cache_folder", "cache_path", "load_model_cached"]

MAGIC = b"nrnn-model-cache 2\n"

_PIECE = 1 << 16  # bytes read at a time when fingerprinting the model file


def cache_folder() -> Optional[str]:
    """The folder cache files go in, or None when caching is switched off."""
    chosen = os.environ.get("NRNN_CACHE_DIR")
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nrnn", "model-cache")


def cache_path(model_path: str) -> Optional[str]:
    """The cache file for ``model_path``: named after the model's absolute
    path, so a model retrained in place replaces its own copy.  (Two paths
    whose names share a CRC-32 share a file, each replacing the other's
    copy: a copy is still used only for the model it was made from.)"""
    folder = cache_folder()
    if folder is None:
        return None
    name = os.path.abspath(model_path).encode("utf-8", "surrogateescape")
    return os.path.join(folder, "model-%08x.bin" % zlib.crc32(name))


def load_model_cached(path: str) -> Network:
    """``model_file.load_model(path)``, through the cache when it is valid.

    The returned Network equals the one load_model returns: the same
    weights (bit for bit), biases, cost and metadata.
    """
    where = cache_path(path)
    if where:
        fingerprint = _file_fingerprint(path)
        network = _read_cache(where, fingerprint) if fingerprint else None
        if network is not None:
            return network
    # No valid cache: the JSON, with read_capped's errors for a missing,
    # unreadable or oversized file.
    raw = read_capped(path, model_file.MAX_FILE_BYTES, ModelFileError, "the model file", "MAX_FILE_BYTES")
    network = model_file.model_from_bytes(raw, path)
    if where:
        _write_cache(where, _fingerprint(raw), network)  # of the bytes parsed, even if the file just changed
    return network


def _fingerprint(raw: bytes) -> str:
    """The model file's length and CRC-32, e.g. "3705257:9f1e03a2"."""
    return "%d:%08x" % (len(raw), zlib.crc32(raw))


def _file_fingerprint(path: str) -> Optional[str]:
    """``_fingerprint`` of the file at ``path``, read in pieces (the CRC
    runs on, piece after piece: no copy of the whole model in memory);
    None if it is not a regular file of at most MAX_FILE_BYTES or cannot
    be read (the JSON path then says why)."""
    crc, length = 0, 0
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > model_file.MAX_FILE_BYTES:
                return None
            # One buffer read into again and again: no new bytes object a
            # piece (on PyPy that halves the time).
            buffer = bytearray(_PIECE)
            view = memoryview(buffer)
            while length <= model_file.MAX_FILE_BYTES:
                count = handle.readinto(buffer)
                if not count:
                    break
                crc = zlib.crc32(view[:count], crc)
                length += count
    except OSError:
        return None
    return "%d:%08x" % (length, crc) if length <= model_file.MAX_FILE_BYTES else None


def _payload(network: Network) -> array.array:
    doubles = array.array("d")
    for layer in network.weights:
        for row in layer:
            doubles.extend(row)
    for vector in (network.biases if network.biases is not None else []):
        doubles.extend(vector)
    return doubles


def _write_cache(where: str, fingerprint: str, network: Network) -> None:
    doubles = _payload(network)
    if sys.byteorder != "little":
        doubles.byteswap()
    payload = doubles.tobytes()
    header = {"model": fingerprint, "payload_crc32": zlib.crc32(payload),
              "sizes": network.sizes, "cost": network.cost.name, "bias": network.has_bias,
              "metadata": network.metadata}
    try:
        os.makedirs(os.path.dirname(where), exist_ok=True)
        write_bytes_atomic(where, MAGIC + json.dumps(header).encode("utf-8") + b"\n" + payload)
    except (OSError, ValueError, TypeError):
        return  # no cache this time: the next start parses the JSON again
    _remove_format_1(os.path.dirname(where))


def _remove_format_1(folder: str) -> None:
    """Delete the copies the first cache format left (named after a
    SHA-256 of the path: 32 hex digits, where this one uses 8): no
    version reads them now, and nothing else would ever remove them."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        digits = name[len("model-"):-len(".bin")]
        if (name.startswith("model-") and name.endswith(".bin") and len(digits) == 32
                and all(c in "0123456789abcdef" for c in digits)):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass  # someone else's, or already gone: harmless either way


def _read_cache(where: str, fingerprint: str) -> Optional[Network]:
    try:
        with open(where, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > model_file.MAX_FILE_BYTES or handle.read(len(MAGIC)) != MAGIC:
                return None
            header = json.loads(handle.readline().decode("utf-8"))
            if header["model"] != fingerprint:
                return None  # made from another model
            count, odd = divmod(size - handle.tell(), 8)
            if odd:
                return None
            # The payload read straight into an array of doubles: no bytes
            # object of 3 MB to copy them from.
            doubles = array.array("d", [0.0]) * count
            if handle.readinto(doubles) != 8 * count or zlib.crc32(doubles) != header["payload_crc32"]:
                return None  # damaged
        return _network(header, doubles)
    except OSError:  # missing or unreadable: as if there were none
        return None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # a header nrnn did not write: as if there were no cache


def _network(header: dict, doubles: array.array) -> Optional[Network]:
    """The Network a cache file's header and payload (little-endian
    doubles, as read) describe."""
    if sys.byteorder != "little":
        doubles.byteswap()
    # Row by row, each straight from the array to its list (one list of all
    # 400,000 floats, then cut into rows, costs PyPy twice the time).
    sizes = header["sizes"]
    weights, position = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append([doubles[position + j * n_in:position + (j + 1) * n_in].tolist() for j in range(n_out)])
        position += n_in * n_out
    biases = None
    if header["bias"]:
        biases = []
        for n_out in sizes[1:]:
            biases.append(doubles[position:position + n_out].tolist())
            position += n_out
    if position != len(doubles):
        return None
    network = Network.from_parameters(weights, biases, header["cost"])
    network.metadata = header["metadata"]
    return network
