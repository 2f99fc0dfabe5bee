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
                                          history file beside it)
     "weights": [W_0, W_1, ...],          W_l: sizes[l+1] rows of sizes[l] floats
     "biases":  [b_0, b_1, ...]}          b_l: sizes[l+1] floats

Loading checks everything (format, version, every shape, every number
finite) and raises ``ModelFileError`` naming the file and the bad field, so a
damaged or hand-edited file fails loudly at load time, not with a strange
prediction later.  Saving is atomic (see atomic.py).

A path ending in ``.gz`` is written gzip-compressed (the same JSON, about
2.4 times smaller: the shipped 784-500-10 model is 3.7 MB instead of 8.8 MB),
and any model file starting with gzip's magic bytes is decompressed on
loading, with the size bounded so a small file cannot inflate to gigabytes.
"""

import gzip
import json
import math
import os
import sys
import zlib

from .atomic import atomic_write
from .cost import COSTS
from .errors import ModelFileError
from .network import Network

FORMAT = "nrnn-model"
VERSION = 1

# The model that ships with nrnn (data/model.json.gz in the repository),
# found from the package's own location so every tool finds it from any
# working directory.
SHIPPED_MODEL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                             "data", "model.json.gz")
# A file larger than this, or one declaring more parameters, is refused
# before it is parsed: a 784-1000-1000-10 network is under 2 million.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PARAMETERS = 20_000_000

_LARGEST_FLOAT = int(sys.float_info.max)

GZIP_MAGIC = b"\x1f\x8b"

_KEYS = {"format", "version", "sizes", "activation", "cost", "bias", "metadata", "weights", "biases"}


def save_model(network: Network, path: str) -> None:
    """Write ``network`` (with its ``metadata`` dict) to ``path`` atomically."""
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
        # One field per line and one row of weights per line: the file stays
        # readable in any editor and diffs well.
        fields = ["%s: %s" % (json.dumps(key), _to_json(value)) for key, value in header]
    except ValueError:
        raise ModelFileError("%s: not saved: the network has a NaN or infinite parameter "
                             "(training diverged; try a smaller learning rate)" % path)
    data = ("{\n" + ",\n".join(fields) + "\n}\n").encode("utf-8")
    if path.endswith(".gz"):
        # mtime=0: the same network gives the same bytes, run after run.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    try:
        with atomic_write(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise ModelFileError("%s: cannot save the model: %s" % (path, error.strerror or error))


def _to_json(value) -> str:
    """JSON for one field; a list of matrices gets one row per line."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[\n" + ",\n".join(_to_json(item) for item in value) + "\n]"
    return json.dumps(value, allow_nan=False, sort_keys=True)


def load_model(path: str) -> Network:
    """Read and validate a model file; return the Network it describes."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise ModelFileError("%s: file is %d bytes, more than the %d a model may have"
                                 % (path, size, MAX_FILE_BYTES))
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ModelFileError("%s: cannot read the model file: %s" % (path, error.strerror or error))
    if raw[:2] == GZIP_MAGIC:
        raw = _gunzip(raw, path)
    return model_from_json(raw, path)


def _gunzip(raw: bytes, path: str) -> bytes:
    """Decompress a gzip'ed model, refusing to inflate past MAX_FILE_BYTES."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # 16+: gzip header
    try:
        text = inflater.decompress(raw, MAX_FILE_BYTES + 1)
    except zlib.error as error:
        raise ModelFileError("%s: damaged gzip data (%s)" % (path, error))
    if len(text) > MAX_FILE_BYTES:
        raise ModelFileError("%s: inflates to more than the %d bytes a model may have"
                             % (path, MAX_FILE_BYTES))
    if not inflater.eof:
        raise ModelFileError("%s: gzip data is truncated" % path)
    return text


def model_from_json(raw, path: str = "<model>") -> Network:
    """Build a Network from the JSON text (str or bytes) of a model file."""
    def fail(message):
        raise ModelFileError("%s: %s" % (path, message))

    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
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

    layer_count = len(sizes) - 1
    weights = document["weights"]
    _check_list(weights, layer_count, "weights", fail)
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        _check_list(weights[layer], n_out, "weights[%d]" % layer, fail)
        for j, row in enumerate(weights[layer]):
            _check_vector(row, n_in, "weights[%d][%d]" % (layer, j), fail)

    if bias:
        if "biases" not in document:
            fail("missing field 'biases' (the model says bias: true)")
        biases = document["biases"]
        _check_list(biases, layer_count, "biases", fail)
        for layer, n_out in enumerate(sizes[1:]):
            _check_vector(biases[layer], n_out, "biases[%d]" % layer, fail)
    elif "biases" in document:
        fail("field 'biases' is present but the model says bias: false")

    weights = [[[float(w) for w in row] for row in layer] for layer in weights]
    biases = [[float(b) for b in layer] for layer in document["biases"]] if bias else None
    network = Network.from_parameters(weights, biases, document["cost"])
    network.metadata = metadata
    return network


def _check_list(value, length, field, fail):
    if not isinstance(value, list):
        fail("field %r must be a list, found %s" % (field, type(value).__name__))
    if len(value) != length:
        fail("field %r has %d entries, expected %d" % (field, len(value), length))


def _check_vector(value, length, field, fail):
    _check_list(value, length, field, fail)
    for i, number in enumerate(value):
        # bool is a subclass of int: true/false are not weights.
        if type(number) not in (float, int):
            fail("field '%s[%d]' must be a number, found %.40r" % (field, i, number))
        # An integer literal beyond the float range (1 followed by 400
        # zeros) is finite in Python but has no float value.
        if type(number) is int and abs(number) > _LARGEST_FLOAT or not math.isfinite(number):
            fail("field '%s[%d]' is %.40r; every number must be a finite float"
                 % (field, i, number))
