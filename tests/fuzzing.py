"""A seeded mutation fuzzer for nrnn's input formats: PNG, CSV, model, IDX, JPEG.

Shared by the unit tests (``tests/test_fuzz.py``, a few thousand mutants)
and the long campaign (``python -m bench.fuzz --iterations 100000``).

How it works.  A *corpus* of valid files is built per format (the PngSuite
images when ``../shared`` is present, plus PNGs encoded here; generated CSV
files; small model files written by ``save_model``; small IDX image/label
pairs, plain and gzip; JPEGs made by ``nrnn/image/jpeg_encoder.py`` plus the small
files of ``../shared/jpeg`` when present).  Mutant number ``i`` of
a format is made by ``make_mutant(format, corpus, seed, i)``: a fresh
``PCG32(seed, stream=i)`` picks one corpus file and one to three mutations.
So any mutant can be rebuilt from ``(format, seed, i)`` alone, and a crash
report names exactly that.

The mutations know the formats, so mutants get past the first checks and
reach deep code: PNG chunks are parsed, changed and written back with their
CRCs re-computed (and sometimes deliberately not); image data is inflated,
damaged and re-compressed; IHDR fields get extreme values.  CSV mutants
change fields, counts, line ends and encodings.  Model mutants change the
decoded JSON tree (shapes, NaN, huge numbers, deep nesting) and then the
text.  IDX mutants change header fields, lengths and gzip wrapping of either
file of the pair.  JPEG files are split into their segments, which are
changed (SOF sizes and sampling factors, SOS spectral bands and
approximation bits, Huffman counts, quantisation precision, restart
intervals, EXIF orientation), removed, duplicated or moved with the length
fields kept right, and their entropy-coded data damaged (bits, stray
markers, RSTn, truncation).

Each mutant goes through its reader (``run_target``) under a deadline.  The
outcome is one of ``OUTCOMES``:

    ok        the reader returned a result, and the result is sane
              (e.g. every CSV pixel in [0, 1], every model weight finite)
    rejected  the reader raised its own error (an ``NrnnError``)
    crash     anything else escaped, or an "ok" result broke an invariant
    hang      the deadline passed (a bug: every reader must be bounded)

Standard library only, like the rest of the tests.
"""

import gzip
import json
import math
import os
import re
import signal
import struct
import tempfile
import time
import traceback
import zlib

from nrnn.errors import NrnnError
from nrnn.image import jpeg, png
from nrnn.image.jpeg_encoder import encode_gray8, encode_rgb8
from nrnn.mnist import idx
from nrnn.mnist.mnist_csv import count_samples, read_samples
from nrnn.net.model_file import model_from_json, save_model
from nrnn.net.network import Network
from nrnn.net.prng import PCG32

FORMATS = ("png", "csv", "model", "idx", "jpeg")
OUTCOMES = ("ok", "rejected", "crash", "hang")
EXTENSIONS = {"png": ".png", "csv": ".csv", "model": ".json", "idx": ".idxpair", "jpeg": ".jpg"}

# Integers that break code that assumes "small and positive".
INTERESTING_U32 = (0, 1, 2, 7, 8, 9, 255, 256, 4096, 7071, 7072, 65535, 65536,
                   100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1)
INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x2C, 0x20)


class Hang(BaseException):
    """Raised by the deadline timer (a BaseException: readers must not catch it)."""


# ------------------------------------------------------------------ helpers


def _below(rng, n):
    return rng.below(n) if n > 0 else 0


def _choice(rng, items):
    return items[rng.below(len(items))]


def _chance(rng, one_in):
    return rng.below(one_in) == 0


def _random_bytes(rng, count):
    return bytes(rng.next_u32() & 255 for _ in range(count))


def mutate_bytes(rng, data: bytes, max_growth: int = 64) -> bytes:
    """One generic byte-level mutation: flip, set, insert, delete, repeat, cut."""
    data = bytearray(data)
    kind = rng.below(8)
    if not data:
        return bytes(_random_bytes(rng, 1 + _below(rng, 8)))
    position = rng.below(len(data))
    if kind == 0:  # flip one bit
        data[position] ^= 1 << rng.below(8)
    elif kind == 1:  # flip several bits
        for _ in range(1 + rng.below(8)):
            data[rng.below(len(data))] ^= 1 << rng.below(8)
    elif kind == 2:  # set a byte to an interesting value
        data[position] = _choice(rng, INTERESTING_BYTES)
    elif kind == 3:  # insert random bytes
        data[position:position] = _random_bytes(rng, 1 + _below(rng, max_growth))
    elif kind == 4:  # delete a range
        del data[position:position + 1 + _below(rng, 32)]
    elif kind == 5:  # repeat a range
        piece = data[position:position + 1 + _below(rng, 32)]
        data[position:position] = piece * (1 + _below(rng, 4))
    elif kind == 6:  # truncate
        del data[position:]
    else:  # overwrite with random bytes
        length = 1 + _below(rng, 8)
        data[position:position + length] = _random_bytes(rng, length)
    return bytes(data)


# --------------------------------------------------------------------- PNG


def png_chunk(kind: bytes, payload: bytes, crc=None) -> bytes:
    """One chunk: length, type, data, CRC (computed unless ``crc`` is given)."""
    if crc is None:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def build_png(width, height, depth, colour, raw, interlace=0, extra=(), level=6) -> bytes:
    """A PNG from already-filtered scanline bytes ``raw`` (CRCs correct)."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    chunks = [png_chunk(b"IHDR", header)]
    chunks += [png_chunk(kind, payload) for kind, payload in extra]
    chunks.append(png_chunk(b"IDAT", zlib.compress(raw, level)))
    chunks.append(png_chunk(b"IEND", b""))
    return png.SIGNATURE + b"".join(chunks)


def _scanlines(rng, width, height, bits_per_pixel, interlace):
    """Random filtered image data (every filter type) of the right size."""
    if interlace:
        sizes = []
        for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                               (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
            w = (width - x0 + dx - 1) // dx
            h = (height - y0 + dy - 1) // dy
            if w > 0 and h > 0:
                sizes.append((w, h))
    else:
        sizes = [(width, height)]
    out = bytearray()
    for w, h in sizes:
        row = (w * bits_per_pixel + 7) // 8
        for _ in range(h):
            out.append(rng.below(5))
            out += _random_bytes(rng, row)
    return bytes(out)


def synthetic_pngs():
    """Valid PNGs of every colour type and depth, made here (no ../shared)."""
    rng = PCG32(2024, 6)
    files = [
        png.encode_gray8(5, 3, bytes(range(0, 150, 10))),
        png.encode_rgb8(4, 4, _random_bytes(rng, 48)),
        png.encode_gray8(28, 28, bytes(200 if 8 < x < 20 and 4 < y < 24 else 0
                                       for y in range(28) for x in range(28))),
    ]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
    for colour, depths in ((0, (1, 2, 4, 8, 16)), (2, (8, 16)), (3, (1, 2, 4, 8)),
                           (4, (8, 16)), (6, (8, 16))):
        for depth in depths:
            for interlace in (0, 1):
                width, height = 3 + rng.below(12), 3 + rng.below(12)
                raw = _scanlines(rng, width, height, depth * channels[colour], interlace)
                extra = []
                if colour == 3:
                    entries = 1 << depth
                    extra.append((b"PLTE", _random_bytes(rng, 3 * entries)))
                    extra.append((b"tRNS", _random_bytes(rng, min(entries, 5))))
                elif colour == 0 and depth == 8:
                    extra.append((b"tRNS", b"\x00\x10"))
                elif colour == 2 and depth == 8:
                    extra.append((b"tRNS", b"\x00\x10\x00\x20\x00\x30"))
                extra.append((b"tEXt", b"Comment\x00fuzz seed"))
                files.append(build_png(width, height, depth, colour, raw, interlace, extra))
    return files


def png_corpus(shared_dir=None):
    """List of (name, bytes): PngSuite (when present) then synthetic PNGs."""
    corpus = []
    if shared_dir:
        folder = os.path.join(shared_dir, "pngsuite", "images")
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".png"):
                    with open(os.path.join(folder, name), "rb") as handle:
                        corpus.append((name, handle.read()))
    for index, data in enumerate(synthetic_pngs()):
        corpus.append(("synthetic-%02d.png" % index, data))
    return corpus


def split_chunks(data: bytes):
    """Parse a PNG leniently into (signature, [[type, payload], ...], tail).

    Stops at the first chunk that does not fit; what is left is ``tail``.
    """
    signature, position, chunks = data[:8], 8, []
    while position + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        if position + 12 + length > len(data):
            break
        chunks.append([kind, data[position + 8:position + 8 + length]])
        position += 12 + length
    return signature, chunks, data[position:]


def join_chunks(signature, chunks, tail=b"") -> bytes:
    return signature + b"".join(png_chunk(kind, payload) for kind, payload in chunks) + tail


def _inflate_some(data, limit=1 << 22):
    try:
        inflater = zlib.decompressobj()
        return inflater.decompress(data, limit)
    except zlib.error:
        return data


def _png_mutate_structure(rng, chunks, big):
    """One chunk-level mutation of ``chunks`` (a list of [type, payload]); CRCs get re-fixed."""
    kind = rng.below(18)
    if kind >= 14:  # weighted: damage the image data itself most often
        kind = 4 + kind % 3
    if not chunks:
        chunks.append([b"IHDR", _random_bytes(rng, 13)])
        return
    index = rng.below(len(chunks))
    if kind == 0:  # damage one chunk's payload (the CRC will be fixed)
        chunks[index][1] = mutate_bytes(rng, chunks[index][1])
    elif kind in (1, 2):  # one IHDR field to an extreme value
        for chunk in chunks:
            if chunk[0] == b"IHDR" and len(chunk[1]) == 13:
                fields = list(struct.unpack(">IIBBBBB", chunk[1]))
                field = rng.below(7)
                if field < 2:
                    fields[field] = _choice(rng, INTERESTING_U32) if _chance(rng, 2) else rng.next_u32()
                else:
                    fields[field] = _choice(rng, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 255))
                chunk[1] = struct.pack(">IIBBBBB", *fields)
                break
    elif kind == 3:  # huge dimensions
        for chunk in chunks:
            if chunk[0] == b"IHDR" and len(chunk[1]) == 13:
                width, height = _choice(rng, ((100000, 100000), (7071, 7071), (1, 2 ** 31 - 1),
                                              (2 ** 31 - 1, 1), (50000, 1000), (65535, 65535)))
                chunk[1] = struct.pack(">II", width, height) + chunk[1][8:]
                break
    elif kind in (4, 5, 6):  # damage the inflated image data, then re-compress it
        idats = [c for c in chunks if c[0] == b"IDAT"]
        if not idats:
            return
        raw = _inflate_some(b"".join(c[1] for c in idats))
        sub = rng.below(6)
        if sub == 0 and raw:  # invalid or different filter types
            position = rng.below(len(raw))
            raw = raw[:position] + bytes([rng.below(256)]) + raw[position + 1:]
        elif sub == 1:  # too little data
            raw = raw[:_below(rng, len(raw))]
        elif sub == 2:  # a little too much
            raw += _random_bytes(rng, 1 + rng.below(64))
        elif sub == 3:  # far too much: a zlib bomb
            raw += bytes((1 << 20) * (1 + rng.below(16)) if big else 1 << (10 + rng.below(8)))
        elif sub == 4:  # index out of palette etc.: random pixel bytes
            raw = bytes(b if rng.below(4) else rng.below(256) for b in raw)
        else:
            raw = mutate_bytes(rng, raw)
        stream = zlib.compress(raw, rng.below(10))
        tamper = rng.below(4)
        if tamper == 0:
            stream = stream[:-4]  # no Adler-32
        elif tamper == 1:
            stream += _random_bytes(rng, 1 + rng.below(16))  # junk after the stream
        first = chunks.index(idats[0])
        chunks[:] = [c for c in chunks if c[0] != b"IDAT"]
        parts = 1 + rng.below(4)
        step = max(1, len(stream) // parts)
        pieces = [[b"IDAT", stream[i:i + step]] for i in range(0, len(stream), step)] or [[b"IDAT", b""]]
        chunks[first:first] = pieces
    elif kind == 7:  # duplicate a chunk
        chunks.insert(rng.below(len(chunks) + 1), list(chunks[index]))
    elif kind == 8:  # remove a chunk
        del chunks[index]
    elif kind == 9:  # move a chunk
        chunk = chunks.pop(index)
        chunks.insert(rng.below(len(chunks) + 1), chunk)
    elif kind == 10:  # insert a new chunk
        new_kind = _choice(rng, (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"ABCD",
                                 b"tEXt", b"gAMA", b"zzZz", b"bKGD"))
        length = _choice(rng, (0, 1, 2, 3, 6, 13, 255, 768, 769, rng.below(100)))
        chunks.insert(rng.below(len(chunks) + 1), [new_kind, _random_bytes(rng, length)])
    elif kind == 11:  # PLTE / tRNS of odd sizes
        chunks.insert(min(1, len(chunks)), [_choice(rng, (b"PLTE", b"tRNS")),
                                            _random_bytes(rng, rng.below(800))])
    elif kind == 12:  # rename a chunk (maybe to an invalid type)
        chunks[index][0] = _choice(rng, (b"IDAT", b"IEND", b"IHDR", b"PLTE", b"idat",
                                         b"A\x00CD", b"\xffBCD", b"aBCD", b"ABcD"))
    else:  # swap two chunks
        other = rng.below(len(chunks))
        chunks[index], chunks[other] = chunks[other], chunks[index]


def _png_tamper_framing(rng, data: bytes) -> bytes:
    """Break what the CRC does not cover: a length field, a CRC, the file end."""
    signature, chunks, tail = split_chunks(data)
    kind = rng.below(5)
    if kind in (0, 1) and chunks:  # wrong length field (CRC stays right for the data)
        index = rng.below(len(chunks))
        offset = 8 + sum(12 + len(payload) for _, payload in chunks[:index])
        length = len(chunks[index][1])
        new = _choice(rng, (length + 1, max(0, length - 1), 0, 2 ** 31 - 1, 2 ** 31,
                            2 ** 32 - 1, rng.next_u32(), length + rng.below(100)))
        return data[:offset] + struct.pack(">I", new) + data[offset + 4:]
    if kind == 2 and chunks:  # wrong CRC
        index = rng.below(len(chunks))
        offset = 8 + sum(12 + len(payload) for _, payload in chunks[:index + 1]) - 4
        return data[:offset] + struct.pack(">I", rng.next_u32()) + data[offset + 4:]
    if kind == 3:  # truncate anywhere
        return data[:_below(rng, len(data))]
    return data + _random_bytes(rng, 1 + rng.below(64))  # junk after IEND


def _png_reheader(rng, chunks):
    """A new valid IHDR (any colour type, depth, size, interlace) with image
    data of exactly the right size, keeping the other chunks (PLTE, tRNS...)
    whether or not they now fit: reaches the pixel conversion code."""
    colour = _choice(rng, (0, 2, 3, 4, 6))
    depth = _choice(rng, {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8),
                          4: (8, 16), 6: (8, 16)}[colour])
    width, height = 1 + rng.below(40), 1 + rng.below(40)
    interlace = rng.below(2)
    bits = depth * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = _scanlines(rng, width, height, bits, interlace)
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    kept = [c for c in chunks if c[0] not in (b"IHDR", b"IDAT", b"IEND")]
    if colour == 3 and not any(c[0] == b"PLTE" for c in kept) and rng.below(4):
        kept.insert(0, [b"PLTE", _random_bytes(rng, 3 * (1 + rng.below(256)))])
    chunks[:] = ([[b"IHDR", header]] + kept
                 + [[b"IDAT", zlib.compress(raw, rng.below(10))], [b"IEND", b""]])


def mutate_png(rng, data: bytes, big: bool = False) -> bytes:
    """One or two mutations of a PNG file."""
    for _ in range(1 + rng.below(2)):
        choice = rng.below(40)
        if choice < 20:
            signature, chunks, tail = split_chunks(data)
            _png_mutate_structure(rng, chunks, big)
            data = join_chunks(signature, chunks, tail)
        elif choice < 26:
            signature, chunks, tail = split_chunks(data)
            _png_reheader(rng, chunks)
            data = join_chunks(signature, chunks, tail)
        elif choice < 32:
            data = _png_tamper_framing(rng, data)
        elif choice < 39:
            data = mutate_bytes(rng, data)
        else:  # the signature
            data = mutate_bytes(rng, data[:8]) + data[8:]
    return data


# --------------------------------------------------------------------- CSV


CSV_VALUES = (b"", b" ", b"-1", b"256", b"10", b"-0", b"+5", b"007", b" 7 ", b"1.5", b"1e3",
              b"0x10", b"nan", b"inf", b"\xff\xfe", b"\x00", b"\xe2\x80\x8b", b"\xd9\xa3",
              b"\xef\xbc\x91", b'"5"', b"9" * 20, b"9" * 400, b"9" * 4301, b"9" * 6000,
              b"1" + b"0" * 5000, b"-" + b"9" * 5000, b"0" * 5000 + b"1", b"1_0", b"\t3",
              b"\r", b"\n", b"label", b"x", b"\xc3\xa9", b"\x80")


def csv_corpus():
    """List of (name, bytes): small valid MNIST CSV files of several shapes."""
    rng = PCG32(1998, 6)
    corpus = []
    for index in range(8):
        lines = []
        if index % 3 == 1:
            lines.append(b"label," + b",".join(b"%dx%d" % (r, c) for r in range(1, 29) for c in range(1, 29)))
        for _ in range(1 + index % 3):
            pixels = [0 if rng.below(3) else rng.below(256) for _ in range(784)]
            lines.append(b",".join([b"%d" % rng.below(10)] + [b"%d" % p for p in pixels]))
        end = b"\r\n" if index % 4 == 3 else b"\n"
        text = end.join(lines) + end
        if index == 5:
            text = b"\xef\xbb\xbf" + text
        corpus.append(("generated-%d.csv" % index, text))
    return corpus


def mutate_csv(rng, data: bytes, big: bool = False) -> bytes:
    """One to three field-, line- or byte-level mutations of a CSV file."""
    for _ in range(1 + rng.below(3)):
        lines = data.split(b"\n")
        index = rng.below(len(lines))
        fields = lines[index].split(b",")
        kind = rng.below(14)
        if kind < 4:  # one field to an odd value
            fields[rng.below(len(fields))] = _choice(rng, CSV_VALUES)
        elif kind == 4:  # several fields to random text
            for _ in range(1 + rng.below(5)):
                fields[rng.below(len(fields))] = _random_bytes(rng, rng.below(6))
        elif kind == 5:  # a field too few
            del fields[rng.below(len(fields))]
        elif kind == 6:  # a field too many
            fields.insert(rng.below(len(fields) + 1), b"%d" % rng.below(300))
        elif kind == 7:  # label field out of range / huge
            fields[0] = _choice(rng, (b"10", b"-1", b"99999999999999999999", b"9" * 5000, b"a", b""))
        elif kind == 8:  # a line duplicated, removed or blank
            action = rng.below(3)
            if action == 0:
                lines.insert(index, lines[index])
            elif action == 1 and len(lines) > 1:
                del lines[index]
            else:
                lines.insert(index, _choice(rng, (b"", b" ", b"\r", b"\t", b",,,")))
            fields = None
        elif kind == 9:  # another separator or line end
            sep = _choice(rng, (b";", b"\t", b", ", b",,", b"\r", b"\x00"))
            lines[index] = sep.join(fields)
            fields = None
        elif kind == 10:  # a long junk line (bounded, so the test stays fast)
            length = (1 << (10 + rng.below(8 if big else 6)))
            filler = _choice(rng, (b"0", b"1,", b" ", b"9", b"\xff"))
            lines.insert(index, (filler * length)[:length])
            fields = None
        elif kind == 11:  # header line with a wrong count or invalid UTF-8
            header = b"label," + b",".join(b"p%d" % k for k in range(1, 784 + rng.below(3)))
            if _chance(rng, 2):
                header += b"\xff\xfe\xc3"
            lines.insert(0, header)
            fields = None
        elif kind == 12:  # no newline at the end / only CR line ends
            data = data.rstrip(b"\n") if _chance(rng, 2) else data.replace(b"\n", b"\r")
            continue
        else:
            data = mutate_bytes(rng, data, 256)
            continue
        if fields is not None:
            lines[index] = b",".join(fields)
        data = b"\n".join(lines)
    return data


# ------------------------------------------------------------------ models


def model_corpus(folder):
    """List of (name, bytes): small model files written by ``save_model``."""
    corpus = []
    specs = (([3, 2], True, "cross-entropy"), ([4, 3, 2], True, "quadratic"),
             ([2, 2, 2, 2], False, "cross-entropy"), ([5, 1], False, "quadratic"))
    for index, (sizes, bias, cost) in enumerate(specs):
        network = Network(sizes, bias=bias, cost=cost, seed=index)
        network.metadata = {"seed": index, "epochs": 1, "note": "fuzz corpus"}
        path = os.path.join(folder, "model-%d.json" % index)
        save_model(network, path)
        with open(path, "rb") as handle:
            corpus.append((os.path.basename(path), handle.read()))
    return corpus


def _nodes(value, path=()):
    """Every (path, value) in a JSON tree, the root first.

    An explicit stack, not recursion: nested generators cost O(depth) per
    item, which is quadratic on the 5000-deep documents PyPy's json parses.
    """
    stack = [(path, value)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in reversed(list(enumerate(value))))


def _replace(tree, path, new):
    if not path:
        return new
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return tree


def _odd_json_value(rng):
    values = (None, True, False, 0, -1, 1, 2, 2 ** 31, 2 ** 63, 10 ** 30, 10 ** 400,
              -(10 ** 400), 1e308, -1e308, 5e-324, float("nan"), float("inf"), float("-inf"),
              "", "x", "sigmoid", "cross-entropy", "nrnn-model", [], {}, [[]], [1, 2],
              {"a": 1}, [[0.5]], "\ud800", "\u0000", [1.0] * 3, 1000000000)
    return _choice(rng, values)


def _deep(rng):
    depth = _choice(rng, (100, 1000, 5000, 100000))
    if _chance(rng, 2):
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def mutate_model(rng, data: bytes, big: bool = False) -> bytes:
    """One to three JSON-tree or text mutations of a model file."""
    for _ in range(1 + rng.below(3)):
        kind = rng.below(12)
        if kind < 8:
            try:
                tree = json.loads(data.decode("utf-8"), parse_constant=float)
                # PyPy parses nesting that its json.dumps (and _nodes) then
                # cannot recurse through: mutate such documents as text.
                nodes = list(_nodes(tree))
                json.dumps(tree, allow_nan=True)
            except (ValueError, UnicodeDecodeError, RecursionError):
                kind = 8 + rng.below(4)
            else:
                path, value = _choice(rng, nodes)
                if kind < 3:  # any node to an odd value
                    tree = _replace(tree, path, _odd_json_value(rng))
                elif kind == 3 and isinstance(tree, dict):  # the sizes
                    sizes = tree.get("sizes")
                    if isinstance(sizes, list) and sizes:
                        choice = rng.below(5)
                        if choice == 0:
                            sizes[rng.below(len(sizes))] = _choice(rng, (0, -1, 10 ** 9, 2 ** 40, 1, 1.0, True))
                        elif choice == 1:
                            sizes.append(1 + rng.below(4))
                        elif choice == 2:
                            sizes.pop()
                        elif choice == 3:
                            tree["sizes"] = [784, 10 ** 9, 10]
                        else:
                            tree["sizes"] = [1] * _choice(rng, (1, 2, 1000))
                elif kind == 4 and isinstance(value, list) and value:  # a list's length
                    if _chance(rng, 2):
                        del value[rng.below(len(value))]
                    else:
                        value.insert(rng.below(len(value) + 1), _choice(rng, value))
                elif kind == 5 and isinstance(value, list) and value:  # wrap an element
                    position = rng.below(len(value))
                    value[position] = [value[position]]
                elif kind == 6 and isinstance(tree, dict) and tree:  # drop / add / flip a key
                    action = rng.below(3)
                    key = _choice(rng, sorted(tree))
                    if action == 0:
                        del tree[key]
                    elif action == 1:
                        tree[_choice(rng, ("extra", "biases", "bias", "metadata", ""))] = _odd_json_value(rng)
                    elif "bias" in tree:
                        tree["bias"] = not tree["bias"] if isinstance(tree["bias"], bool) else True
                else:  # a numeric leaf to a number that parses to something odd
                    tree = _replace(tree, path, _choice(rng, (float("nan"), 10 ** 400, 1e308, -0.0)))
                try:
                    data = json.dumps(tree, allow_nan=True).encode("utf-8")
                except RecursionError:  # one level more than dumps can take
                    pass
                continue
        text = data
        if kind == 8:  # deep nesting somewhere
            position = _below(rng, len(text))
            data = text[:position] + _deep(rng).encode() + text[position:]
            if _chance(rng, 2):
                data = _deep(rng).encode()
        elif kind == 9:  # a number token becomes a non-JSON or huge literal
            position = _below(rng, len(text))
            literal = _choice(rng, (b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999",
                                    b"9" * 5000, b"1" + b"0" * 400, b"0x10", b"01", b".5", b"1."))
            data = text[:position] + literal + text[position:]
        elif kind == 10:  # encoding damage
            choice = rng.below(4)
            if choice == 0:
                data = b"\xef\xbb\xbf" + text
            elif choice == 1:
                position = _below(rng, len(text))
                data = text[:position] + _choice(rng, (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00")) + text[position:]
            elif choice == 2:
                data = text.decode("utf-8", "replace").encode("utf-16")
            else:
                data = text[:_below(rng, len(text))]
        else:
            data = mutate_bytes(rng, text)
    return data


# --------------------------------------------------------------------- IDX
#
# A mutant is a *pair* of files (images, labels), packed into one byte
# string as: 4-byte big-endian length of the images file, the images file,
# the labels file.  (tests/regressions/*.idxpair use the same packing.)


def pack_idx(images: bytes, labels: bytes) -> bytes:
    return struct.pack(">I", len(images)) + images + labels


def unpack_idx(data: bytes):
    if len(data) < 4:
        return data, b""
    (length,) = struct.unpack(">I", data[:4])
    return data[4:4 + length], data[4 + length:]


def idx_corpus():
    """List of (name, packed pair): small IDX files, plain and gzip."""
    rng = PCG32(1994, 6)
    corpus = []
    for index, count in enumerate((1, 2, 5)):
        images = [bytes(rng.below(256) if rng.below(4) == 0 else 0 for _ in range(784)) for _ in range(count)]
        labels = bytes(rng.below(10) for _ in range(count))
        image_file = idx.IMAGE_HEADER.pack(idx.IMAGE_MAGIC, count, 28, 28) + b"".join(images)
        label_file = idx.LABEL_HEADER.pack(idx.LABEL_MAGIC, count) + labels
        if index == 1:
            image_file = gzip.compress(image_file, mtime=0)
        if index >= 1:
            label_file = gzip.compress(label_file, mtime=0)
        corpus.append(("pair-%d.idxpair" % index, pack_idx(image_file, label_file)))
    return corpus


def _mutate_idx_file(rng, data: bytes) -> bytes:
    gzipped = data[:2] == b"\x1f\x8b"
    kind = rng.below(8)
    if gzipped and kind < 3:
        # Mutate what is inside, then compress again (gets past gzip's CRC).
        try:
            inner = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return mutate_bytes(rng, data)
        return gzip.compress(_mutate_idx_file(rng, inner), mtime=0)
    if kind < 5 and len(data) >= 8:  # a header field to an odd value
        field = rng.below(4 if len(data) >= 16 else 2)
        value = _choice(rng, INTERESTING_U32 + (0x00000801, 0x00000803, 0x00000802, 28, 27, 29))
        return data[:4 * field] + struct.pack(">I", value) + data[4 * field + 4:]
    if kind == 5:  # truncate or extend
        if rng.below(2):
            return data[:_below(rng, len(data))]
        return data + _random_bytes(rng, 1 + rng.below(800))
    if kind == 6 and not gzipped:  # wrap in gzip, maybe cut short
        packed = gzip.compress(data, mtime=0)
        return packed if rng.below(2) else packed[:_below(rng, len(packed))]
    return mutate_bytes(rng, data)


def mutate_idx(rng, data: bytes, big: bool = False) -> bytes:
    """One or two mutations of the images file, the labels file, or both."""
    images, labels = unpack_idx(data)
    for _ in range(1 + rng.below(2)):
        which = rng.below(5)
        if which in (0, 1, 4):
            images = _mutate_idx_file(rng, images)
        if which in (2, 3, 4):
            labels = _mutate_idx_file(rng, labels)
        if which == 4 and rng.below(4) == 0:
            images, labels = labels, images  # the files swapped
    return pack_idx(images, labels)


# ----------------------------------------------------------------- running


# -------------------------------------------------------------------- JPEG

# Largest stored size (pixels) of a ../shared/jpeg file used as a seed: the
# digit photos (640 x 480 and up) would make each mutant slow to decode.
JPEG_SEED_MAX_PIXELS = 128 * 128


def _smooth_rgb(rng, width, height):
    """A smooth random picture (gradients plus noise): compresses like a photo."""
    base = [rng.below(256) for _ in range(6)]
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            for c in range(3):
                value = base[c] + (base[c + 3] - 128) * (x + y) // max(1, width + height)
                pixels.append(max(0, min(255, value + rng.below(24) - 12)))
    return bytes(pixels)


def _with_segment(data, marker, payload):
    """``data`` with a segment inserted right after SOI."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def _exif(orientation, big_endian=True):
    """An APP1 payload with an EXIF IFD0 holding only the orientation."""
    order = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(order + "HI", 42, 8)
    tiff += struct.pack(order + "H", 1) + struct.pack(order + "HHIH2x", 0x0112, 3, 1, orientation)
    return b"Exif\x00\x00" + tiff + struct.pack(order + "I", 0)


def synthetic_jpegs():
    """Small valid JPEGs of every kind the encoder makes (no ../shared)."""
    rng = PCG32(2026, 11)
    files = [
        encode_gray8(8, 8, _smooth_rgb(rng, 8, 8)[::3]),
        encode_gray8(17, 13, _smooth_rgb(rng, 17, 13)[::3], quality=90, progressive=True),
        encode_gray8(23, 9, _smooth_rgb(rng, 23, 9)[::3], restart_interval=2),
        encode_rgb8(16, 16, _smooth_rgb(rng, 16, 16)),
        encode_rgb8(20, 12, _smooth_rgb(rng, 20, 12), quality=95, subsampling="4:4:4",
                    restart_interval=3),
        encode_rgb8(33, 9, _smooth_rgb(rng, 33, 9), quality=60, progressive=True),
        encode_rgb8(9, 30, _smooth_rgb(rng, 9, 30), subsampling="4:4:4", progressive=True,
                    restart_interval=1),
        encode_rgb8(1, 1, b"\x10\x80\xf0"),
    ]
    files.append(_with_segment(files[3], 0xE1, _exif(6)))
    files.append(_with_segment(files[5], 0xE1, _exif(5, big_endian=False)))
    # Adobe APP14 with transform 0 and no JFIF: the components are R, G, B.
    no_jfif = files[4][:2] + files[4][20:]
    files.append(_with_segment(no_jfif, 0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x00"))
    return files


def jpeg_corpus(shared_dir=None):
    """List of (name, bytes): the small ../shared/jpeg files (when present),
    then JPEGs encoded here."""
    corpus = []
    if shared_dir:
        for folder in ("real", "made"):
            path = os.path.join(shared_dir, "jpeg", folder)
            if not os.path.isdir(path):
                continue
            for name in sorted(os.listdir(path)):
                with open(os.path.join(path, name), "rb") as handle:
                    data = handle.read()
                size = jpeg.jpeg_size(data)
                if size and size[0] * size[1] <= JPEG_SEED_MAX_PIXELS and len(data) <= 200000:
                    corpus.append((folder + "/" + name, data))
    for index, data in enumerate(synthetic_jpegs()):
        corpus.append(("synthetic-%02d.jpg" % index, data))
    return corpus


_STANDALONE = {0x01, 0xD8, 0xD9} | set(range(0xD0, 0xD8))


def split_jpeg(data: bytes):
    """Parse a JPEG leniently into a list of [marker, payload] items.

    ``marker`` None is raw bytes (entropy-coded data, junk); standalone
    markers (SOI, EOI, RSTn) have payload None.  Stops parsing at the first
    thing that does not fit and keeps the rest as raw bytes.
    """
    items = []
    position = 0
    while position < len(data):
        if data[position] != 0xFF or position + 1 >= len(data):
            items.append([None, data[position:]])
            break
        marker = data[position + 1]
        if marker in _STANDALONE or marker in (0x00, 0xFF):
            items.append([marker, None])
            position += 2
            continue
        if position + 4 > len(data):
            items.append([None, data[position:]])
            break
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            items.append([None, data[position:]])
            break
        items.append([marker, data[position + 4:end]])
        position = end
        if marker == 0xDA:  # the entropy-coded data runs to the next marker (not RSTn)
            scan_end, _ = _scan_end(data, position)
            items.append([None, data[position:scan_end]])
            position = scan_end
    return items


def _scan_end(data, position):
    from nrnn.image.jpeg_huffman import entropy_segments
    return entropy_segments(data, position)


def join_jpeg(items) -> bytes:
    out = bytearray()
    for marker, payload in items:
        if marker is None:
            out += payload
        elif payload is None:
            out += bytes([0xFF, marker])
        else:
            payload = payload[:65533]
            out += bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return bytes(out)


def _poke(payload, index, value):
    """``payload[index] = value`` if the payload is that long."""
    if index < len(payload):
        payload[index] = value


def _jpeg_mutate_segment(rng, items):
    """Change the fields of one SOF, SOS, DHT, DQT, DRI or APP segment."""
    kinds = [i for i, (m, p) in enumerate(items) if p is not None and m is not None]
    if not kinds:
        return
    index = _choice(rng, kinds)
    marker, payload = items[index]
    payload = bytearray(payload)
    if marker in (0xC0, 0xC1, 0xC2) and len(payload) >= 6:
        field = rng.below(6)
        if field == 0:  # height / width to extremes
            offset = _choice(rng, (1, 3))
            value = _choice(rng, (0, 1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 4096, 7071, 8192,
                                  65535, rng.below(65536)))
            payload[offset:offset + 2] = struct.pack(">H", value)
        elif field == 1:  # precision
            payload[0] = _choice(rng, (0, 1, 7, 8, 12, 16, 255))
        elif field == 2 and len(payload) > 7:  # sampling factors of a component
            position = 7 + 3 * rng.below(max(1, (len(payload) - 6) // 3))
            if position < len(payload):
                payload[position] = _choice(rng, (0x00, 0x11, 0x12, 0x21, 0x22, 0x41, 0x14,
                                                  0x44, 0x32, 0x23, 0x05, 0x50, 0xFF, rng.below(256)))
        elif field == 3:  # quantisation table of a component
            _poke(payload, 8 + 3 * rng.below(max(1, (len(payload) - 6) // 3)), rng.below(6))
        elif field == 4:  # component count
            payload[5] = _choice(rng, (0, 1, 2, 3, 4, 5, 255))
        else:  # component ids
            _poke(payload, 6 + 3 * rng.below(max(1, (len(payload) - 6) // 3)), rng.below(256))
        if rng.below(4) == 0:  # and maybe the frame type
            items[index][0] = _choice(rng, (0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xCA, 0xC5))
    elif marker == 0xDA and len(payload) >= 4:
        field = rng.below(5)
        tail = len(payload) - 3
        if field == 0:  # spectral band
            payload[tail] = _choice(rng, (0, 1, 5, 6, 63, 64, 255, rng.below(64)))
            payload[tail + 1] = _choice(rng, (0, 1, 5, 6, 63, 64, 255, rng.below(64)))
        elif field == 1:  # successive approximation
            payload[tail + 2] = _choice(rng, (0x00, 0x01, 0x10, 0x21, 0x12, 0xDD, 0xFF, rng.below(256)))
        elif field == 2:  # table selectors
            _poke(payload, 2 + 2 * rng.below(max(1, (len(payload) - 4) // 2)), rng.below(256))
        elif field == 3:  # component ids
            _poke(payload, 1 + 2 * rng.below(max(1, (len(payload) - 4) // 2)), rng.below(256))
        else:  # component count
            payload[0] = _choice(rng, (0, 1, 2, 3, 4, 5, 255))
    elif marker == 0xC4 and len(payload) >= 17:
        field = rng.below(3)
        if field == 0:  # counts of code lengths
            payload[1 + rng.below(16)] = _choice(rng, (0, 1, 2, 3, 16, 255, rng.below(256)))
        elif field == 1:  # class / id
            payload[0] = _choice(rng, (0x00, 0x01, 0x10, 0x11, 0x02, 0x13, 0x04, 0x20, 0xFF))
        else:  # symbols
            if len(payload) > 17:
                payload[17 + rng.below(len(payload) - 17)] = rng.below(256)
    elif marker == 0xDB and payload:
        field = rng.below(3)
        if field == 0:
            payload[0] = _choice(rng, (0x00, 0x01, 0x10, 0x11, 0x04, 0x20, 0xFF))
        elif field == 1:  # a step of 0 or 255
            _poke(payload, 1 + rng.below(max(1, len(payload) - 1)), _choice(rng, (0, 1, 255)))
        else:
            del payload[rng.below(len(payload)):]
    elif marker == 0xDD:
        payload = bytearray(struct.pack(">H", _choice(rng, (0, 1, 2, 3, 7, 255, 65535))))
        if rng.below(8) == 0:
            payload += b"\x00"
    elif marker == 0xE1:
        payload = bytearray(_exif(_choice(rng, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 65535)),
                                  big_endian=rng.below(2) == 0))
        if rng.below(2):
            payload = bytearray(mutate_bytes(rng, bytes(payload)))
    else:
        payload = bytearray(mutate_bytes(rng, bytes(payload)))
    items[index][1] = bytes(payload)


def _jpeg_damage_scan(rng, items):
    """Damage entropy-coded data: bits, bytes, markers inside it, its length."""
    scans = [i for i, (m, p) in enumerate(items) if m is None and p]
    if not scans:
        return
    index = _choice(rng, scans)
    data = bytearray(items[index][1])
    kind = rng.below(6)
    position = rng.below(len(data))
    if kind == 0:
        for _ in range(1 + rng.below(4)):
            data[rng.below(len(data))] ^= 1 << rng.below(8)
    elif kind == 1:  # a restart marker where none belongs (or a missing one)
        data[position:position] = bytes([0xFF, 0xD0 + rng.below(8)])
    elif kind == 2:  # some other marker inside the data
        data[position:position] = bytes([0xFF, _choice(rng, (0xD9, 0xDA, 0xC4, 0xDB, 0xFF, 0x01))])
    elif kind == 3:  # cut short
        del data[position:]
    elif kind == 4:  # random bytes
        length = 1 + rng.below(16)
        data[position:position + length] = _random_bytes(rng, length)
    else:
        data = bytearray(mutate_bytes(rng, bytes(data)))
    items[index][1] = bytes(data)


def _jpeg_rearrange(rng, items):
    """Remove, duplicate, move or insert whole segments."""
    if not items:
        return
    index = rng.below(len(items))
    kind = rng.below(5)
    if kind == 0:
        del items[index]
    elif kind == 1:
        items.insert(rng.below(len(items) + 1), list(items[index]))
    elif kind == 2:
        item = items.pop(index)
        items.insert(rng.below(len(items) + 1), item)
    elif kind == 3:  # a new segment
        marker = _choice(rng, (0xDD, 0xFE, 0xE0, 0xE1, 0xEE, 0xC4, 0xDB, 0xCC, 0xDC, 0xC8, 0xF0))
        if marker == 0xEE:
            payload = b"Adobe\x00\x64\x00\x00\x00\x00" + bytes([rng.below(4)])
        elif marker == 0xDD:
            payload = struct.pack(">H", rng.below(8))
        else:
            payload = _random_bytes(rng, _choice(rng, (0, 1, 2, 4, 17, 64, 65, rng.below(300))))
        items.insert(rng.below(len(items) + 1), [marker, payload])
    else:  # stray bytes between segments
        items.insert(rng.below(len(items) + 1), [None, _random_bytes(rng, 1 + rng.below(8))])


def mutate_jpeg(rng, data: bytes, big: bool = False) -> bytes:
    """One to three mutations of a JPEG file."""
    for _ in range(1 + rng.below(3)):
        choice = rng.below(20)
        if choice < 12:
            items = split_jpeg(data)
            if choice < 6:
                _jpeg_mutate_segment(rng, items)
            elif choice < 9:
                _jpeg_damage_scan(rng, items)
            else:
                _jpeg_rearrange(rng, items)
            data = join_jpeg(items)
        elif choice < 14:  # truncate anywhere, or add junk at the end
            if rng.below(2):
                data = data[:_below(rng, len(data))]
            else:
                data += _random_bytes(rng, 1 + rng.below(32))
        else:
            data = mutate_bytes(rng, data)
    return data


MUTATORS = {"png": mutate_png, "csv": mutate_csv, "model": mutate_model, "idx": mutate_idx,
            "jpeg": mutate_jpeg}


def make_mutant(fmt, corpus, seed, index, big=False):
    """Mutant ``index`` of format ``fmt``: (corpus name, bytes); reproducible."""
    rng = PCG32(seed, index)
    name, data = corpus[rng.below(len(corpus))]
    return name, MUTATORS[fmt](rng, data, big)


def _check_png(data, scratch):
    return _check_image(png.decode(data, "<mutant>"))


def _check_image(image):
    """The invariants of a decoded Image, and the rest of predict.py's pipeline."""
    if len(image.rgba) != 4 * image.width * image.height:
        raise AssertionError("rgba has %d bytes for %dx%d" % (len(image.rgba), image.width, image.height))
    if image.width * image.height <= 4096:
        from nrnn.image.preprocess import prepare
        try:
            inputs = prepare(image)
        except NrnnError:
            return image
        if len(inputs) != 784 or not all(0.0 <= v <= 1.0 for v in inputs):
            raise AssertionError("prepare gave %d inputs, range %r..%r"
                                 % (len(inputs), min(inputs), max(inputs)))
    return image


def _check_jpeg(data, scratch):
    """Full size, as stored: the size must be the header's, alpha opaque."""
    jpeg.jpeg_size(data)  # must never raise, whatever the bytes
    image = jpeg.decode(data, "<mutant>", orient=False)
    if (image.width, image.height) != jpeg.jpeg_size(data):
        raise AssertionError("decoded %dx%d, jpeg_size says %r"
                             % (image.width, image.height, jpeg.jpeg_size(data)))
    if image.rgba[3::4].count(255) != image.width * image.height:
        raise AssertionError("alpha is not 255 everywhere")
    return _check_image(image)


def _check_jpeg_reduced(data, scratch):
    """Reduced size and turned upright: the way predict.py reads photos."""
    return _check_image(jpeg.decode(data, "<mutant>", reduce_to=32))


def _check_sample(pixels, label):
    if type(label) is not int or not 0 <= label <= 9:
        raise AssertionError("label %r" % (label,))
    if len(pixels) != 784 or not all(type(v) is float and 0.0 <= v <= 1.0 for v in pixels):
        raise AssertionError("bad pixels (%d values)" % len(pixels))


def _write(scratch, name, data):
    """Save ``data`` as ``scratch/name`` for a reader that takes a path; return the path."""
    path = os.path.join(scratch, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _check_csv(data, scratch):
    path = _write(scratch, "mutant.csv", data)
    samples = 0
    for pixels, label in read_samples(path):
        _check_sample(pixels, label)
        samples += 1
    # A file that reads cleanly must count the same; a bad one is still countable.
    counted = count_samples(path)
    if counted != samples:
        raise AssertionError("count_samples says %d, read_samples gave %d" % (counted, samples))
    return samples


def _check_csv_skipping(data, scratch):
    """With skip_bad=True a file with bad lines still reads (no DataError for a line)."""
    reader = read_samples(_write(scratch, "mutant.csv", data), skip_bad=True)
    for pixels, label in reader:
        _check_sample(pixels, label)
    return reader.skipped


def _check_model(data, scratch):
    network = model_from_json(data, "<mutant>")
    sizes = network.sizes
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        rows = network.weights[layer]
        if len(rows) != n_out or any(len(row) != n_in for row in rows):
            raise AssertionError("weights[%d] has the wrong shape" % layer)
        if not all(type(w) is float and math.isfinite(w) for row in rows for w in row):
            raise AssertionError("weights[%d] holds a non-finite or non-float value" % layer)
    if network.has_bias:
        for layer, vector in enumerate(network.biases):
            if len(vector) != sizes[layer + 1] or not all(type(b) is float and math.isfinite(b) for b in vector):
                raise AssertionError("biases[%d] is bad" % layer)
    network.feedforward([0.5] * sizes[0])
    return network


def _check_idx(data, scratch):
    images, labels = unpack_idx(data)
    images_path = _write(scratch, "mutant-images.idx", images)
    labels_path = _write(scratch, "mutant-labels.idx", labels)
    count = 0
    for image, label in idx.read_pairs(images_path, labels_path):
        if not 0 <= label <= 9 or len(image) != 784:
            raise AssertionError("pair %d: label %r, %d pixels" % (count, label, len(image)))
        count += 1
    return count


CHECKS = {"png": (_check_png,), "csv": (_check_csv, _check_csv_skipping), "model": (_check_model,),
          "jpeg": (_check_jpeg, _check_jpeg_reduced),
          "idx": (_check_idx,)}


def run_target(fmt, data, scratch, timeout=5.0):
    """Feed ``data`` to every reader of ``fmt``; return (outcome, detail, seconds).

    ``detail`` is the traceback's last lines for a crash, the error message
    for a rejection, "" for ok.  ``timeout`` bounds each reader (SIGALRM,
    where the platform has it and we are on the main thread).
    """
    outcome, detail = "ok", ""
    start = time.perf_counter()
    for check in CHECKS[fmt]:
        result, text = _run_with_deadline(check, data, scratch, timeout)
        if result == "rejected" and outcome == "ok":
            outcome, detail = result, text
        elif result in ("crash", "hang"):
            return result, "%s: %s" % (check.__name__, text), time.perf_counter() - start
    return outcome, detail, time.perf_counter() - start


def _alarm_usable():
    import threading
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _on_alarm(signum, frame):
    raise Hang()


def _run_with_deadline(check, data, scratch, timeout):
    use_alarm = _alarm_usable()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        check(data, scratch)
        result = ("ok", "")
    except Hang:
        result = ("hang", "no answer after %.1f s" % timeout)
    except NrnnError as error:
        result = ("rejected", str(error))
    except BaseException as error:  # anything else is what we look for
        if isinstance(error, KeyboardInterrupt):
            raise
        result = ("crash", crash_signature(error))
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if result[0] != "hang" and time.perf_counter() - start > timeout:
        result = ("hang", "took %.1f s (limit %.1f s)" % (time.perf_counter() - start, timeout))
    return result


def crash_signature(error):
    """``Type: message @ file:line`` of the innermost frame inside nrnn."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if os.sep + "nrnn" + os.sep in f.filename] or frames
    where = "%s:%d" % (os.path.basename(inside[-1].filename), inside[-1].lineno) if inside else "?"
    message = str(error).splitlines()[0][:120] if str(error) else ""
    return "%s: %s @ %s" % (type(error).__name__, message, where)


def crash_kind(detail):
    """A crash's signature without its numbers: one kind per bug, not per value."""
    return re.sub(r"[0-9]+", "N", detail)


def minimize(fmt, data, scratch, signature, timeout=5.0, budget=2000):
    """Shrink a crashing input while it still crashes with the same signature.

    Delta debugging light: try deleting ever smaller slices, then zeroing
    bytes.  ``budget`` bounds the number of runs.
    """
    def still_crashes(candidate):
        outcome, detail, _ = run_target(fmt, candidate, scratch, timeout)
        return outcome == "crash" and crash_kind(detail) == crash_kind(signature)

    runs = 0
    if fmt == "csv":  # whole lines first: slices rarely line up with them
        lines = data.split(b"\n")
        index = 0
        while index < len(lines) and len(lines) > 1 and runs < budget:
            candidate = b"\n".join(lines[:index] + lines[index + 1:])
            runs += 1
            if still_crashes(candidate):
                del lines[index]
            else:
                index += 1
        data = b"\n".join(lines)
    size = max(1, len(data) // 2)
    while size >= 1 and runs < budget:
        position, shrunk = 0, False
        while position < len(data) and runs < budget:
            candidate = data[:position] + data[position + size:]
            runs += 1
            if candidate and still_crashes(candidate):
                data, shrunk = candidate, True
            else:
                position += size
        if not shrunk:
            size //= 2
    return data


class Campaign:
    """Counts of outcomes per format, and the first few crashes and hangs."""

    def __init__(self, shared_dir=None, seed=0, timeout=5.0, big=False):
        self.seed = seed
        self.timeout = timeout
        self.big = big
        self.scratch = tempfile.mkdtemp(prefix="nrnn-fuzz-")
        self.corpora = {
            "png": png_corpus(shared_dir),
            "csv": csv_corpus(),
            "model": model_corpus(self.scratch),
            "idx": idx_corpus(),
            "jpeg": jpeg_corpus(shared_dir),
        }
        self.counts = {fmt: dict.fromkeys(OUTCOMES, 0) for fmt in FORMATS}
        self.failures = []  # (fmt, index, outcome, detail, data)
        self.slowest = dict.fromkeys(FORMATS, 0.0)

    def run(self, fmt, start, stop, progress=None):
        corpus = self.corpora[fmt]
        for index in range(start, stop):
            _, data = make_mutant(fmt, corpus, self.seed, index, self.big)
            outcome, detail, seconds = run_target(fmt, data, self.scratch, self.timeout)
            self.counts[fmt][outcome] += 1
            self.slowest[fmt] = max(self.slowest[fmt], seconds)
            if outcome in ("crash", "hang"):
                self.failures.append((fmt, index, outcome, detail, data))
            if progress is not None:
                progress(fmt, index)

    def close(self):
        import shutil
        shutil.rmtree(self.scratch, ignore_errors=True)

    def table(self):
        lines = ["%-6s %9s %9s %9s %6s %6s %9s" % ("format", "mutants", "ok", "rejected",
                                                  "crash", "hang", "slowest")]
        for fmt in FORMATS:
            counts = self.counts[fmt]
            total = sum(counts.values())
            if total:
                lines.append("%-6s %9d %9d %9d %6d %6d %8.2fs" % (
                    fmt, total, counts["ok"], counts["rejected"], counts["crash"],
                    counts["hang"], self.slowest[fmt]))
        return "\n".join(lines)
