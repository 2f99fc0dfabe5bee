"""Saving and loading a trained network as JSON (never pickle).

Why JSON: anyone can open the file and read the numbers; loading it runs no
code (unpickling a file from the internet can run anything); and Python
writes each float with ``repr``, the shortest text that reads back as the
very same double, so weights round-trip exactly.

The file is one JSON object:

    {"format": "nrnn-model", "version": 1,
     "sizes": [784, 30, 10],              neurons per layer, input first
     "activation": "sigmoid",
     "cost": "cross-entropy",             or "quadratic"
     "bias": true,                        false: no "biases" key at all
     "metadata": {...},                   seed, epochs, samples seen, learning
                                          rate, test accuracy, command... (no
                                          date: the same training must give
                                          the same file; dates go to the
                                          history file beside it), and
                                          "deskew": true if the network was
                                          trained on deskewed images (see deskews)
     "weights": [W_0, W_1, ...],          W_l: sizes[l+1] rows of sizes[l] floats
     "biases":  [b_0, b_1, ...]}          b_l: sizes[l+1] floats

Loading checks everything (format, version, every shape, every number
finite) and raises ``ModelFileError`` naming the file and the bad field, so a
damaged or hand-edited file fails loudly at load time, not with a strange
prediction later.  Saving is atomic (see atomic.py).

A path ending in ``.gz`` is written gzip-compressed (the same JSON, about
2.4 times smaller: the shipped 784-500-10 model is 3.7 MB instead of 8.8 MB),
and any model file starting with gzip's magic bytes is decompressed on
loading.  A file of several gzip members (``cat a.gz b.gz``) is read whole,
as ``gzip -dc`` reads it; anything after the last member is refused.

Loading within a memory budget
------------------------------
``json.loads`` turns text into Python objects, and objects cost far more
than their text: ``[]`` is 2 bytes of text and a 56-byte list, ``0.5,`` is
4 bytes and a 24-byte float plus an 8-byte slot.  A 500 KB gzip file can
inflate to 512 MB of ``[[],[],...`` in the metadata and ask for 10 GB.  So
before parsing, ``JsonBudget`` counts what the parser will build (text
bytes, values, keys, strings) and refuses past ``MAX_JSON_BYTES``; gzip'ed
files are counted while they inflate, so a bomb stops within the budget,
not after inflating.  The estimate is an upper bound (measured with
``tracemalloc`` on CPython 3.11 for floats, integers, lists, objects and
strings); for a real model it is about 100 bytes a weight, so the largest
network allowed (``MAX_PARAMETERS``) fits.
"""

import gzip
import json
import math
import os
import sys
import zlib
from typing import Optional, Union

from nrnn.atomic import atomic_write
from nrnn.errors import ModelFileError
from nrnn.input_file import read_capped
from nrnn.net.cost import COSTS
from nrnn.net.network import Network

FORMAT = "nrnn-model"
VERSION = 1

# The model that ships with nrnn, found from the package's own location so
# every tool finds it from any working directory: data/model.json.gz in a
# clone of the repository; installed, the wheel carries the same file as
# nrnn/models/model.json.gz (see the build backend, tools/nrnn_build.py).
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_INSTALLED_MODEL = os.path.join(_PACKAGE, "models", "model.json.gz")
SHIPPED_MODEL = (_INSTALLED_MODEL if os.path.exists(_INSTALLED_MODEL)
                 else os.path.join(os.path.dirname(_PACKAGE), "data", "model.json.gz"))
# A file (or its inflated text) larger than this, or one declaring more
# parameters, is refused before it is parsed.  A weight is at most ~26
# bytes of text; a 784-1000-1000-10 network is under 2 million weights, the
# shipped 784-500-10 one 0.4 million (8.8 MB).  Pure Python trains a few
# samples a second with 5 million: nobody has a bigger nrnn model.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARAMETERS = 5_000_000

# Most memory parsing a model may take (JsonBudget's estimate): the
# largest network allowed needs about 100 bytes a weight (3 x ~20 bytes of
# text, 40 per value), 500 MB.
MAX_JSON_BYTES = 768 * 1024 * 1024

# What JsonBudget charges: per byte of text (the bytes, the decoded str and
# any string objects made of them: 3 for ASCII text, as save_model writes;
# 9 once a non-ASCII character appears, since one character beyond U+FFFF
# makes Python store the decoded text and the string holding it at 4 bytes
# a character), per value (a float, int or empty container and its slot:
# <= 40 bytes measured), per key (a dict entry and its share of the table:
# <= 104), per quote (a string object's header: <= 30 a quote, two a
# string), and once for the objects every parse makes.
_COST_PER_ASCII_BYTE = 3
_COST_PER_BYTE = 9
_COST_BASE = 64 * 1024
_COST_PER_VALUE = 40
_COST_PER_KEY = 104
_COST_PER_QUOTE = 30

# A model's JSON text, as read (bytes), inflated (bytearray) or given as str.
JsonText = Union[str, bytes, bytearray]

# Inflate this much at a time, checking the budget in between.
_INFLATE_CHUNK = 1 << 20

_LARGEST_FLOAT = int(sys.float_info.max)
_FLOATS_ONLY = {float}

GZIP_MAGIC = b"\x1f\x8b"

_KEYS = {"format", "version", "sizes", "activation", "cost", "bias", "metadata", "weights", "biases"}


def save_model(network: Network, path: str, exclusive: bool = False) -> None:
    """Write ``network`` (with its ``metadata`` dict) to ``path`` atomically.

    exclusive: only if ``path`` does not exist yet; raises FileExistsError
        otherwise (see atomic.py: two programs cannot both create it).
    """
    header = [
        ("format", FORMAT),
        ("version", VERSION),
        ("sizes", network.sizes),
        ("activation", "sigmoid"),
        ("cost", network.cost.name),
        ("bias", network.has_bias),
        ("metadata", network.metadata),
        ("weights", network.weights),
    ]
    if network.has_bias:
        header.append(("biases", network.biases))
    try:
        with atomic_write(path, "wb", exclusive=exclusive) as handle:
            if path.endswith(".gz"):
                # mtime=0 and no file name in the header: the same network
                # gives the same bytes, run after run.
                with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=9, mtime=0) as packed:
                    _write_json(packed, header)
            else:
                _write_json(handle, header)
    except ValueError:
        raise ModelFileError("%s: not saved: the network has a NaN or infinite parameter "
                             "(training diverged; try a smaller learning rate)" % path) from None
    except FileExistsError:
        raise
    except OSError as error:
        raise ModelFileError("%s: cannot save the model: %s" % (path, error.strerror or error)) from error


def _write_json(handle, header) -> None:
    """The file's text, written a piece at a time: one field per line and
    one row of weights per line, so the file stays readable in any editor
    and diffs well.  Piece by piece, not one big string, because the whole
    text of a big model (and its gzip) held at once costs several times the
    file's size in memory; a row at a time costs one row."""
    for number, (key, value) in enumerate(header):
        handle.write(("{\n" if number == 0 else ",\n").encode("utf-8"))
        handle.write(("%s: " % json.dumps(key)).encode("utf-8"))
        for piece in _json_pieces(value):
            handle.write(piece.encode("utf-8"))
    handle.write(b"\n}\n")


def _json_pieces(value):
    """JSON for one field, in pieces; a list of matrices gets one row per
    line.  A NaN or infinity raises ``ValueError`` (JSON has neither)."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        yield "[\n"
        for number, item in enumerate(value):
            if number:
                yield ",\n"
            yield from _json_pieces(item)
        yield "\n]"
    else:
        yield json.dumps(value, allow_nan=False, sort_keys=True)


class JsonBudget:
    """An upper bound on the memory ``json.loads`` takes for a text, counted
    piece by piece; ``add`` raises ``ModelFileError`` once it passes ``limit``.

    estimate = 64 KiB + 3 x bytes (9 x bytes if any is not ASCII)
               + 40 x values + 104 x keys + 30 x quotes,

    where values = commas + opening brackets and braces (every value but the
    first of a container follows a comma), keys = colons, quotes = ``"``.  A
    comma or colon inside a string is over-counted: the bound only gets
    safer.

    >>> budget = JsonBudget("m.json", limit=100000)
    >>> budget.add(b'{"weights": [[0.5, -1.25]]}')
    >>> budget.text_bytes, budget.values, budget.estimate - 64 * 1024
    (27, 4, 405)
    >>> budget.add(b"[]," * 1000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nrnn.errors.ModelFileError: m.json: too big to load: ... (MAX_JSON_BYTES; 3027 bytes of text and 2004 values so far)
    """

    def __init__(self, path: str, limit: Optional[int] = None):
        self.path = path
        self.limit = MAX_JSON_BYTES if limit is None else limit
        self.text_bytes = 0
        self.values = 0
        self.ascii = True
        self._objects = 0  # the estimate's terms other than the text
        self.estimate = _COST_BASE

    def add(self, piece: JsonText) -> None:
        """Count ``piece`` (bytes, bytearray or str) of the text."""
        if isinstance(piece, str):
            comma, bracket, brace, colon, quote = (piece.count(c) for c in (",", "[", "{", ":", '"'))
        else:
            comma, bracket, brace, colon, quote = (piece.count(c) for c in (b",", b"[", b"{", b":", b'"'))
        values = comma + bracket + brace
        self.text_bytes += len(piece)
        self.values += values
        self.ascii = self.ascii and piece.isascii()
        self._objects += _COST_PER_VALUE * values + _COST_PER_KEY * colon + _COST_PER_QUOTE * quote
        per_byte = _COST_PER_ASCII_BYTE if self.ascii else _COST_PER_BYTE
        self.estimate = _COST_BASE + per_byte * self.text_bytes + self._objects
        if self.estimate > self.limit:
            raise ModelFileError(
                "%s: too big to load: parsing its JSON would take more than the %d bytes of memory "
                "a model may use (MAX_JSON_BYTES; %d bytes of text and %d values so far)"
                % (self.path, self.limit, self.text_bytes, self.values))


def load_model(path: str) -> Network:
    """Read and validate a model file; return the Network it describes.

    The file may be plain JSON or gzip'ed (recognised by its first bytes);
    either way its size, its inflated size and the memory parsing it takes
    are bounded (MAX_FILE_BYTES, MAX_JSON_BYTES) before anything big is
    made.
    """
    raw = read_capped(path, MAX_FILE_BYTES, ModelFileError, "the model file", "MAX_FILE_BYTES")
    return model_from_bytes(raw, path)


def model_from_bytes(raw: bytes, path: str = "<model>") -> Network:
    """load_model for a model file's bytes, already read (gzip'ed or not)."""
    if raw[:2] == GZIP_MAGIC:
        budget = JsonBudget(path)
        return _parse(_gunzip(raw, path, budget), path)
    return model_from_json(raw, path)


def _gunzip(raw: bytes, path: str, budget: JsonBudget) -> bytearray:
    """Inflate every gzip member of ``raw``, counting the text against
    ``budget`` as it comes (so a bomb stops early) and refusing to inflate
    past MAX_FILE_BYTES or anything after the last member."""
    view = memoryview(raw)  # slices of a memoryview copy nothing
    text = bytearray()
    position = 0
    while position < len(raw):
        if bytes(view[position:position + 2]) != GZIP_MAGIC:
            raise ModelFileError("%s: %d bytes after the end of the gzip data are not gzip: "
                                 "the file is damaged" % (path, len(raw) - position))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # 16+: gzip header
        while not inflater.eof:
            if position >= len(raw):
                raise ModelFileError("%s: gzip data is truncated" % path)
            piece: Union[memoryview, bytes] = view[position:position + _INFLATE_CHUNK]
            position += len(piece)
            while True:
                try:
                    out = inflater.decompress(piece, _INFLATE_CHUNK)
                except zlib.error as error:
                    raise ModelFileError("%s: damaged gzip data (%s)" % (path, error)) from error
                budget.add(out)
                text += out
                if len(text) > MAX_FILE_BYTES:
                    raise ModelFileError("%s: inflates to more than the %d bytes a model may have "
                                         "(MAX_FILE_BYTES)" % (path, MAX_FILE_BYTES))
                piece = inflater.unconsumed_tail
                # A full output chunk may leave more output pending in zlib
                # even with no input left: ask again until it runs dry.
                if inflater.eof or (not piece and len(out) < _INFLATE_CHUNK):
                    break
        position -= len(inflater.unused_data)  # the next member starts here
    return text


def model_from_json(raw: JsonText, path: str = "<model>") -> Network:
    """Build a Network from the JSON text (str, bytes or bytearray) of a
    model file, after checking what parsing it would cost (``JsonBudget``)."""
    JsonBudget(path).add(raw)
    return _parse(raw, path)


def _parse(raw, path: str) -> Network:
    """model_from_json, the budget already checked."""
    def fail(message):
        raise ModelFileError("%s: %s" % (path, message))

    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        # NaN and Infinity are not JSON; keep them as floats so the shape
        # check below can name the exact field that holds one.
        document = json.loads(text, parse_constant=float)
    except UnicodeDecodeError as error:
        fail("not UTF-8 text (byte %d): is this really a model file?" % error.start)
    except ValueError as error:
        fail("not valid JSON (%s)" % error)
    except RecursionError:
        fail("not a model file: JSON nested too deeply")

    if not isinstance(document, dict):
        fail("expected a JSON object at the top, found %s" % type(document).__name__)
    if document.get("format") != FORMAT:
        fail("field 'format' is %r, expected %r" % (document.get("format"), FORMAT))
    if document.get("version") != VERSION:
        fail("field 'version' is %r; this nrnn reads version %d" % (document.get("version"), VERSION))
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        fail("unknown field %r" % unknown[0])
    for key in ("sizes", "activation", "cost", "bias", "weights"):
        if key not in document:
            fail("missing field %r" % key)

    sizes = document["sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(type(n) is int and n >= 1 for n in sizes)):
        fail("field 'sizes' must be a list of at least two positive integers, found %.60r" % (sizes,))
    if document["activation"] != "sigmoid":
        fail("field 'activation' is %r; only 'sigmoid' is supported" % (document["activation"],))
    # isinstance first: an unhashable value (a list, an object) cannot be
    # looked up in COSTS at all.
    if not isinstance(document["cost"], str) or document["cost"] not in COSTS:
        fail("field 'cost' is %r; expected one of %s" % (document["cost"], ", ".join(sorted(COSTS))))
    bias = document["bias"]
    if not isinstance(bias, bool):
        fail("field 'bias' must be true or false, found %r" % (bias,))
    parameters = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if parameters > MAX_PARAMETERS:
        fail("field 'sizes' %r declares %d weights, more than the limit of %d"
             % (sizes, parameters, MAX_PARAMETERS))
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        fail("field 'metadata' must be an object")
    if not isinstance(metadata.get("deskew", False), bool):
        fail("field 'metadata.deskew' must be true or false, found %.40r" % (metadata["deskew"],))

    # Check and convert in one pass: each row is checked once, as it is
    # taken over (see _vector).
    layer_count = len(sizes) - 1
    _check_list(document["weights"], layer_count, "weights", fail)
    weights = []
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        rows = document["weights"][layer]
        _check_list(rows, n_out, "weights[%d]" % layer, fail)
        weights.append([_vector(row, n_in, "weights[%d][%d]" % (layer, j), fail)
                        for j, row in enumerate(rows)])

    biases = None
    if bias:
        if "biases" not in document:
            fail("missing field 'biases' (the model says bias: true)")
        _check_list(document["biases"], layer_count, "biases", fail)
        biases = [_vector(vector, n_out, "biases[%d]" % layer, fail)
                  for layer, (vector, n_out) in enumerate(zip(document["biases"], sizes[1:]))]
    elif "biases" in document:
        fail("field 'biases' is present but the model says bias: false")

    network = Network.from_parameters(weights, biases, document["cost"])
    network.metadata = metadata
    return network


def deskews(network: Network) -> bool:
    """Was ``network`` trained on deskewed images (train.py --deskew)?

    Then its inputs must be deskewed too (nrnn.image.deskew) before it reads them:
    the model file says how its inputs are prepared, and recognition obeys.
    """
    return network.metadata.get("deskew") is True


def _check_list(value, length, field, fail):
    if not isinstance(value, list):
        fail("field %r must be a list, found %s" % (field, type(value).__name__))
    if len(value) != length:
        fail("field %r has %d entries, expected %d" % (field, len(value), length))


def _vector(value, length, field, fail) -> list:
    """``value`` checked to be ``length`` finite numbers; returned as floats.

    The quick test covers the rows save_model writes (floats only): if
    every entry is a float and their sum is finite, none is NaN or
    infinite (either would make the sum NaN or infinite), and the list is
    used as it is, with no copy.  The quick test runs in C (``map``,
    ``set``, ``sum``) instead of one Python step a number: it halves the
    time validation takes on a 400,000-weight model.  Anything else (an
    integer, a string, a NaN, or finite floats whose sum overflows) takes
    the slow path, number by number, which names the bad entry.
    """
    _check_list(value, length, field, fail)
    if set(map(type, value)) == _FLOATS_ONLY and math.isfinite(sum(value)):
        return value
    for i, number in enumerate(value):
        # bool is a subclass of int: true/false are not weights.
        if type(number) not in (float, int):
            fail("field '%s[%d]' must be a number, found %.40r" % (field, i, number))
        # An integer literal beyond the float range (1 followed by 400
        # zeros) is finite in Python but has no float value.
        if type(number) is int and abs(number) > _LARGEST_FLOAT or not math.isfinite(number):
            fail("field '%s[%d]' is %.40r; every number must be a finite float"
                 % (field, i, number))
    return [float(number) for number in value]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
