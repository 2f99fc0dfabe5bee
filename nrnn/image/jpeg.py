"""Read JPEG images (baseline and progressive) with nothing but the standard library.

Phones save photos as JPEG, so a photo of a handwritten digit arrives as
one.  This module decodes the JPEG files that cameras, phones, browsers
and image editors write; ``nrnn/image/jpeg_encoder.py`` is its mirror image and a
shorter first read.

What a JPEG file is
-------------------
A sequence of *markers*: a 0xFF byte and a code byte.  Most markers start
a *segment*: a 2-byte big-endian length (counting itself) and a payload::

    FF D8                SOI  start of image (no length); the file's first bytes
    FF E0..EF len ...    APPn application data: JFIF (APP0), EXIF (APP1,
                         holds the orientation), ICC profile (APP2, maybe in
                         many pieces), Adobe (APP14)...  Skipped, except to
                         learn the colour space and orientation.
    FF FE len ...        COM  a comment
    FF DB len ...        DQT  quantisation tables (64 steps, 8 or 16 bits)
    FF C4 len ...        DHT  Huffman tables
    FF C0/C1/C2 len ...  SOF  start of frame: precision, height, width, and
                         per component an id, sampling factors h x v and
                         its quantisation table.  C0 baseline, C1 extended
                         (may use 16-bit tables), C2 progressive.
    FF DD len ...        DRI  restart interval
    FF DA len ...        SOS  start of scan: which components, which Huffman
                         tables, which coefficients; *entropy-coded data*
                         follows, up to the next marker
    FF D9                EOI  end of image

Decoding one block, in the order the decoder does it
----------------------------------------------------
1. Huffman-decode its 64 quantised coefficients, stored in *zig-zag* order
   from low to high frequency (``nrnn/image/jpeg_huffman.py``).
2. Multiply each by its step of the quantisation table (*dequantise*).
3. Inverse DCT: 64 coefficients back to 8x8 samples, plus 128
   (``nrnn/image/idct.py`` states the equation).

Then, for the whole image (``nrnn/image/jpeg_colour.py``): *upsample* the chroma
components that were stored at lower resolution, and convert YCbCr to RGB.
Finally the EXIF orientation turns the image upright
(``nrnn/image/orientation.py``).

Components, sampling factors and MCUs
-------------------------------------
Each component has sampling factors h x v (1..4).  The largest factors,
``h_max`` x ``v_max``, belong to the components at full resolution; a
component with h = 1 when h_max = 2 has half as many samples across.  The
coded data is a sequence of *MCUs* (minimum coded units): each covers
8 h_max x 8 v_max pixels and holds h x v blocks of every component, left to
right, top to bottom.  So 4:2:0 (Y 2x2, Cb 1x1, Cr 1x1) has 16x16-pixel
MCUs of four Y blocks, one Cb and one Cr.  Images whose size is not a
multiple of the MCU are padded to whole MCUs; the decoder cuts the padding
off.  A scan of a single component is not interleaved: its MCU is one
block, and only the blocks that overlap the image are coded.

Colour space
------------
One component is gray.  Three are YCbCr when there is a JFIF (APP0)
segment; otherwise an Adobe (APP14) segment's *transform* flag decides (0:
RGB stored as is, 1: YCbCr); otherwise component ids 'R', 'G', 'B' mean
RGB, anything else YCbCr.  Four are CMYK, or YCCK when the Adobe transform
is 2.  This is libjpeg's rule, so files come out as every other program
shows them.

Reduced size
------------
A 12-megapixel photo of a digit has far more pixels than a 28x28 input
needs.  ``decode(..., reduce_to=n)`` decodes at 1/2, 1/4 or 1/8 size (the
smallest whose shorter side is still at least n) directly from the DCT
coefficients (see ``nrnn/image/idct.py``): at 1/8 each block gives one pixel,
its mean, from the DC coefficient alone, with no inverse DCT.  In a
progressive file the DC coefficients come in their own scans first, so at
1/8 the luma AC scans are skipped without decoding them.  As in libjpeg,
a subsampled component is decoded at a larger reduced size instead of
being upsampled when the ratios allow (4:2:0 chroma at 1/8: 2x2 samples a
block, which needs its AC scans); what upsampling remains repeats samples
at 1/8 and uses the triangle filter at 1/4 and 1/2.  The output matches
libjpeg's scaled decoding (``djpeg -scale 1/8``) within a level or two.

Not supported (each refused with a one-line ``JPEGError``): arithmetic
coding (SOF9-SOF15), lossless (SOF3), hierarchical (SOF5-7), 12-bit
samples, and sampling factors that are not whole multiples of each other.

Limits: ``MAX_STORED_PIXELS`` bounds the size in the header and
``max_pixels`` the decoded output, both checked before any pixel memory is
allocated.  Decoding work follows the size of the data, not what the
header claims: reading past the end of a scan's data is an error, runs of
empty blocks are skipped in bulk, and a file may have at most
``MAX_SCANS`` scans.  A file that ends inside its compressed data (no
marker after it) is refused as truncated, as libjpeg-based programs do by
default.

>>> from nrnn.image.jpeg_encoder import encode_gray8
>>> data = encode_gray8(16, 8, bytes([50] * 64 + [200] * 64), quality=90)
>>> jpeg_size(data)
(16, 8)
>>> image = decode(data)
>>> image
Image(width=16, height=8, name='<bytes>')
>>> image.rgba[:4], image.rgba[-4:]
(b'222\\xff', b'\\xc8\\xc8\\xc8\\xff')
>>> decode(data, reduce_to=1).width       # 1/8 size: one pixel per block
2
"""

import struct
from collections.abc import Sequence
from typing import Optional, Union

from nrnn.errors import JPEGError, JPEGTooLargeError
from nrnn.image import idct, jpeg_colour, jpeg_huffman, orientation
from nrnn.image.jpeg_encoder import AC_CHROMINANCE, AC_LUMINANCE, DC_CHROMINANCE, DC_LUMINANCE
from nrnn.image.png import MAX_PIXELS, Image

__all__ = ["SIGNATURE", "MAX_PIXELS", "MAX_STORED_PIXELS", "MAX_SCANS",
           "decode", "jpeg_size", "read_jpeg"]

#: What the first bytes of every JPEG file are: SOI, then the next marker's 0xFF.
SIGNATURE = b"\xff\xd8\xff"

#: Largest width * height accepted in a file's header, whatever ``reduce_to``
#: (50 million pixels, like PNG's limit: an 8160 x 6120 phone photo fits).
MAX_STORED_PIXELS = 50_000_000

#: Most scans accepted in one file.  Progressive files have about ten; a
#: file of thousands of tiny scans is an attack on the decoder's time
#: (libjpeg-turbo's djpeg has ``-maxscans`` for the same reason).
MAX_SCANS = 1000

SOI, EOI, SOS, DQT, DHT, DRI, APP0, APP1, APP14, DAC = (
    0xD8, 0xD9, 0xDA, 0xDB, 0xC4, 0xDD, 0xE0, 0xE1, 0xEE, 0xCC)
_SUPPORTED_FRAMES = {0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive"}
_UNSUPPORTED_FRAMES = {
    0xC3: "lossless JPEG (SOF3)",
    0xC5: "hierarchical JPEG (SOF5)", 0xC6: "hierarchical JPEG (SOF6)",
    0xC7: "hierarchical lossless JPEG (SOF7)",
    0xC9: "arithmetic-coded JPEG (SOF9)", 0xCA: "arithmetic-coded progressive JPEG (SOF10)",
    0xCB: "arithmetic-coded lossless JPEG (SOF11)", 0xCD: "arithmetic-coded JPEG (SOF13)",
    0xCE: "arithmetic-coded JPEG (SOF14)", 0xCF: "arithmetic-coded JPEG (SOF15)",
}
_RESAVE = "re-save it as baseline or progressive JPEG, or as PNG"

_U16 = struct.Struct(">H")
_SOF = struct.Struct(">BHHB")  # precision, height, width, component count


class _Component:
    """One colour component of the frame, and what has been decoded of it.

    Storage (allocated at its first scan): ``dc``, the DC coefficient of
    every block (progressive files and 1/8 decodes); ``blocks``, each
    block's 64 coefficients (progressive, lists made when first needed);
    ``plane``, the decoded samples at the output scale (sequential files,
    each block written as soon as it is decoded).
    """

    def __init__(self, ident: int, h: int, v: int, table: int):
        self.ident = ident
        self.h = h
        self.v = v
        self.table = table
        self.quantisation: Optional[list[int]] = None
        self.dc: Optional[list[int]] = None
        self.blocks: Optional[list] = None
        self.plane: Optional[bytearray] = None
        self.had_dc_scan = False
        self.scale = 8  # samples per block side in the output (see _component_scale)
        # The block layout, set by _Frame from the frame's sampling factors.
        self.blocks_per_line = self.block_lines = 0
        self.samples_wide = self.samples_high = 0

    def __repr__(self) -> str:
        return "_Component(id=%d, sampling=%dx%d)" % (self.ident, self.h, self.v)


class _Frame:
    """The SOF header and the block layout it implies."""

    def __init__(self, marker: int, width: int, height: int, components: list[_Component], name: str):
        self.marker = marker
        self.progressive = marker == 0xC2
        self.width = width
        self.height = height
        self.components = components
        self.max_h = max(c.h for c in components)
        self.max_v = max(c.v for c in components)
        for c in components:
            if self.max_h % c.h or self.max_v % c.v:
                raise JPEGError("%s: sampling factors %s are not supported (the larger must "
                                "be whole multiples of the smaller); %s"
                                % (name, " ".join("%dx%d" % (d.h, d.v) for d in components),
                                   _RESAVE))
        self.mcus_x = -(-width // (8 * self.max_h))
        self.mcus_y = -(-height // (8 * self.max_v))
        for c in components:
            c.blocks_per_line = self.mcus_x * c.h
            c.block_lines = self.mcus_y * c.v
            # Samples that are image, not padding, e.g. ceil(W / 2) for 4:2:0 chroma.
            c.samples_wide = -(-width * c.h // self.max_h)
            c.samples_high = -(-height * c.v // self.max_v)


class _State:
    """Everything the markers before a scan have set up."""

    def __init__(self, name):
        self.name = name
        self.quantisation: dict[int, list[int]] = {}
        self.dc_tables: dict[int, jpeg_huffman.HuffmanTable] = {}
        self.ac_tables: dict[int, jpeg_huffman.HuffmanTable] = {}
        self.restart_interval = 0
        self.frame: Optional[_Frame] = None
        self.jfif = False
        self.adobe_transform: Optional[int] = None
        self.orientation = 1
        self.exif_seen = False
        self.scans = 0
        self.scale = 8  # output pixels per block side: 8, 4, 2 or 1


# ---------------------------------------------------------------- public API


def read_jpeg(path: str, reduce_to: int = 0, orient: bool = True) -> Image:
    """Read and decode the JPEG file at ``path``; ``JPEGError`` names the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise JPEGError("%s: cannot read file: %s" % (path, error.strerror or error)) from None
    return decode(data, str(path), reduce_to=reduce_to, orient=orient)


def decode(data: bytes, name: str = "<bytes>", max_pixels: int = MAX_PIXELS,
           reduce_to: int = 0, orient: bool = True) -> Image:
    """Decode a whole JPEG file held in ``data`` into an RGBA ``Image`` (alpha 255).

    ``name`` starts every error message.  ``reduce_to`` > 0 decodes at the
    smallest of 1/8, 1/4, 1/2 whose shorter side is at least ``reduce_to``
    pixels (full size if none is).  ``orient`` applies the EXIF orientation
    so the image is as a viewer shows it; ``False`` gives it as stored.
    ``max_pixels`` bounds the decoded image (after reduction), and
    ``MAX_STORED_PIXELS`` the size in the header; both are checked before
    pixel memory is allocated.  Raises ``JPEGError`` and nothing else for
    malformed, truncated or unsupported input.
    """
    try:
        return _decode(bytes(data), name, max_pixels, reduce_to, orient)
    except JPEGError:
        raise
    except (struct.error, IndexError, ValueError, KeyError, OverflowError, TypeError,
            RecursionError) as error:
        # A slip we did not foresee in a corrupt file must still come out as
        # the module's error, never as a traceback from deep inside.
        raise JPEGError("%s: corrupt JPEG (%s: %s)" % (name, type(error).__name__, error)) from None
    except MemoryError:
        raise JPEGError("%s: image too large to decode in the memory available" % name) from None


def jpeg_size(data: bytes) -> Optional[tuple[int, int]]:
    """Stored (width, height) from the SOF header, without decoding; None if
    ``data`` is not a JPEG or has no SOF (``decode`` then says what is wrong).

    >>> jpeg_size(b"\\xff\\xd8\\xff\\xc0\\x00\\x0b\\x08\\x00\\x02\\x00\\x03\\x01\\x01\\x11\\x00")
    (3, 2)
    >>> jpeg_size(b"hello") is None
    True
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while True:
        found = _next_marker(data, position)
        if found is None:
            return None
        marker, position = found
        if marker == EOI or marker == SOS:
            return None
        if marker in (0x01, SOI) or 0xD0 <= marker <= 0xD7:
            continue
        if position + 2 > len(data):
            return None
        (length,) = _U16.unpack_from(data, position)
        if 0xC0 <= marker <= 0xCF and marker not in (DHT, 0xC8, DAC):
            if length < 8 or position + 8 > len(data):
                return None
            _, height, width, _ = _SOF.unpack_from(data, position + 2)
            return width, height
        if length < 2:
            return None
        position += length


# ------------------------------------------------------------------ markers


def _next_marker(data: bytes, position: int) -> Optional[tuple[int, int]]:
    """(marker code, offset after it) of the next marker at or after ``position``.

    Bytes that are not a marker are skipped, as libjpeg does ("extraneous
    bytes before marker"): some programs leave stray bytes between segments.
    0xFF fill bytes before a code are allowed; ``FF 00`` is not a marker.
    """
    size = len(data)
    while position < size:
        position = data.find(b"\xff", position)
        if position < 0:
            return None
        while position < size and data[position] == 0xFF:
            position += 1
        if position >= size:
            return None
        code = data[position]
        position += 1
        if code != 0:
            return code, position
    return None


def _decode(data: bytes, name: str, max_pixels: int, reduce_to: int, orient: bool) -> Image:
    if not data.startswith(b"\xff\xd8"):
        if not data:
            raise JPEGError("%s: empty file, not a JPEG" % name)
        if data.startswith(b"\x89PNG"):
            raise JPEGError("%s: not a JPEG file (it is a PNG)" % name)
        raise JPEGError("%s: not a JPEG file (it does not start with FF D8)" % name)
    state = _State(name)
    position = 2
    while True:
        found = _next_marker(data, position)
        if found is None:
            break  # no EOI: fine if the scans were complete (each scan checks its own data)
        marker, position = found
        if marker == EOI:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue  # TEM, or a restart marker outside a scan: no payload
        if marker == SOI:
            raise JPEGError("%s: corrupt JPEG: a second SOI marker at byte %d"
                            % (name, position - 2))
        if position + 2 > len(data):
            raise JPEGError("%s: truncated: file ends inside the length of segment 0x%02X"
                            % (name, marker))
        (length,) = _U16.unpack_from(data, position)
        end = position + length
        if length < 2:
            raise JPEGError("%s: corrupt JPEG: segment 0x%02X at byte %d has length %d"
                            % (name, marker, position - 2, length))
        if end > len(data):
            raise JPEGError("%s: truncated: file ends inside segment 0x%02X (at byte %d, "
                            "%d bytes needed, %d present)"
                            % (name, marker, position - 2, length, len(data) - position))
        payload = data[position + 2:end]
        position = end
        if marker == SOS:
            position = _scan(state, payload, data, position)
        else:
            _segment(state, marker, payload, max_pixels, reduce_to)
    if state.frame is None:
        raise JPEGError("%s: no image in the file (no SOF frame header)" % name)
    if state.scans == 0:
        raise JPEGError("%s: no image data in the file (no SOS scan)" % name)
    return _finish(state, orient)


def _segment(state: _State, marker: int, payload: bytes, max_pixels: int, reduce_to: int):
    """Act on one segment other than SOS."""
    name = state.name
    if marker == DQT:
        _read_quantisation(state, payload)
    elif marker == DHT:
        _read_huffman(state, payload)
    elif marker == DRI:
        if len(payload) != 2:
            raise JPEGError("%s: corrupt DRI segment (%d bytes, expected 2)" % (name, len(payload)))
        (state.restart_interval,) = _U16.unpack(payload)
    elif marker in _SUPPORTED_FRAMES or marker in _UNSUPPORTED_FRAMES:
        _read_frame(state, marker, payload, max_pixels, reduce_to)
    elif marker == APP0:
        if payload.startswith(b"JFIF\x00"):
            state.jfif = True
    elif marker == APP1:
        if payload.startswith(b"Exif\x00") and not state.exif_seen:
            state.exif_seen = True
            state.orientation = orientation.exif_orientation(payload)
    elif marker == APP14:
        if payload.startswith(b"Adobe") and len(payload) >= 12:
            state.adobe_transform = payload[11]
    # Everything else (APPn, COM, DAC, DNL...) carries nothing we need.


def _read_quantisation(state: _State, payload: bytes) -> None:
    """DQT: one or more tables of 64 steps, zig-zag order, 8 or 16 bits each."""
    position = 0
    while position < len(payload):
        precision, table = payload[position] >> 4, payload[position] & 15
        size = 64 * (precision + 1)
        if precision > 1 or table > 3:
            raise JPEGError("%s: corrupt DQT: table %d with precision code %d"
                            % (state.name, table, precision))
        stored = payload[position + 1:position + 1 + size]
        if len(stored) != size:
            raise JPEGError("%s: corrupt DQT: table %d is cut short" % (state.name, table))
        values: Sequence[int] = struct.unpack(">64H", stored) if precision else stored
        natural = [0] * 64
        for k, position_in_block in enumerate(jpeg_huffman.ZIGZAG):
            natural[position_in_block] = values[k]
        state.quantisation[table] = natural
        position += 1 + size


def _read_huffman(state: _State, payload: bytes) -> None:
    """DHT: one or more tables: class and id, 16 counts, the symbols."""
    position = 0
    while position < len(payload):
        table_class, table = payload[position] >> 4, payload[position] & 15
        if table_class > 1 or table > 3:
            raise JPEGError("%s: corrupt DHT: table class %d id %d"
                            % (state.name, table_class, table))
        counts = payload[position + 1:position + 17]
        total = sum(counts)
        symbols = payload[position + 17:position + 17 + total]
        if len(counts) != 16 or total > 256 or len(symbols) != total:
            raise JPEGError("%s: corrupt DHT: table %d is cut short or has %d codes"
                            % (state.name, table, total))
        if table_class == 0 and any(s > 15 for s in symbols):
            raise JPEGError("%s: bad Huffman table: DC symbol over 15" % state.name)
        huffman = jpeg_huffman.HuffmanTable(counts, symbols, state.name)
        (state.ac_tables if table_class else state.dc_tables)[table] = huffman
        position += 17 + total


def _read_frame(state: _State, marker: int, payload: bytes, max_pixels: int,
                reduce_to: int) -> None:
    """SOFn: check the frame header, pick the output scale, check the limits."""
    name = state.name
    if state.frame is not None:
        raise JPEGError("%s: corrupt JPEG: more than one frame header (SOF)" % name)
    if marker in _UNSUPPORTED_FRAMES:
        raise JPEGError("%s: %s is not supported; %s" % (name, _UNSUPPORTED_FRAMES[marker], _RESAVE))
    if len(payload) < 6:
        raise JPEGError("%s: corrupt SOF: %d bytes" % (name, len(payload)))
    precision, height, width, count = _SOF.unpack_from(payload)
    if precision != 8:
        if precision == 12:
            raise JPEGError("%s: 12-bit JPEG is not supported; re-save it as 8-bit JPEG or PNG"
                            % name)
        raise JPEGError("%s: corrupt SOF: sample precision %d (8 expected)" % (name, precision))
    if len(payload) != 6 + 3 * count or count == 0:
        raise JPEGError("%s: corrupt SOF: %d components in %d bytes" % (name, count, len(payload)))
    if count not in (1, 3, 4):
        raise JPEGError("%s: images with %d components are not supported" % (name, count))
    if width == 0 or height == 0:
        raise JPEGError("%s: image size %d x %d in SOF: zero is not a size (a height set "
                        "later by a DNL marker is not supported)" % (name, width, height))
    if width * height > MAX_STORED_PIXELS:
        raise JPEGTooLargeError("%s: image of %d x %d = %d pixels is over the limit of %d "
                                "(jpeg.MAX_STORED_PIXELS)" % (name, width, height, width * height,
                                                              MAX_STORED_PIXELS))
    components: list[_Component] = []
    for index in range(count):
        ident, factors, table = payload[6 + 3 * index:9 + 3 * index]
        h, v = factors >> 4, factors & 15
        if not (1 <= h <= 4 and 1 <= v <= 4):
            raise JPEGError("%s: corrupt SOF: component %d has sampling factors %dx%d (1..4 allowed)"
                            % (name, ident, h, v))
        if table > 3:
            raise JPEGError("%s: corrupt SOF: component %d uses quantisation table %d"
                            % (name, ident, table))
        if any(c.ident == ident for c in components):
            raise JPEGError("%s: corrupt SOF: two components with id %d" % (name, ident))
        components.append(_Component(ident, h, v, table))
    frame = _Frame(marker, width, height, components, name)
    state.scale = 8
    if reduce_to > 0:
        for scale in (1, 2, 4):
            if min(-(-width * scale // 8), -(-height * scale // 8)) >= reduce_to:
                state.scale = scale
                break
    out_width, out_height = _scaled(width, state.scale), _scaled(height, state.scale)
    if out_width * out_height > max_pixels:
        raise JPEGTooLargeError("%s: image of %d x %d pixels (decoded at 1/%d) is over the limit of %d"
                                % (name, out_width, out_height, 8 // state.scale, max_pixels))
    for c in components:
        c.scale = _component_scale(frame, c, state.scale)
    state.frame = frame


def _component_scale(frame: _Frame, component: _Component, scale: int) -> int:
    """Samples per block side for ``component`` when the image is decoded
    at ``scale`` (8 = full size).

    Like libjpeg, a subsampled component is decoded at a larger IDCT size
    rather than upsampled afterwards, when the ratios allow: at 1/8, the
    chroma of 4:2:0 gets 2x2 samples per block (from its low frequencies),
    which is exactly the output's resolution.
    """
    size = scale
    while (size < 8 and (frame.max_h * scale) % (component.h * size * 2) == 0
           and (frame.max_v * scale) % (component.v * size * 2) == 0):
        size *= 2
    return size


def _scaled(size: int, scale: int) -> int:
    return -(-size * scale // 8)


# -------------------------------------------------------------------- scans


def _table(tables: dict[int, "jpeg_huffman.HuffmanTable"], index: int, is_dc: bool,
           name: str) -> list[int]:
    """The lookup of a Huffman table; when a file defines none, the
    standard's example tables stand in for ids 0 and 1, as libjpeg does
    (Motion-JPEG frames rely on it)."""
    table = tables.get(index)
    if table is None:
        if index > 1:
            raise JPEGError("%s: scan uses Huffman table %d, which is not defined" % (name, index))
        standard: list[list[tuple[Sequence[int], Sequence[int]]]] = [[DC_LUMINANCE, DC_CHROMINANCE],
                                                                    [AC_LUMINANCE, AC_CHROMINANCE]]
        counts, symbols = standard[0 if is_dc else 1][index]
        table = tables[index] = jpeg_huffman.HuffmanTable(counts, symbols, name)
    return table.lookup()


def _scan(state: _State, header: bytes, data: bytes, position: int) -> int:
    """Parse an SOS header and decode its data; return the offset after the data."""
    name = state.name
    frame = state.frame
    if frame is None:
        raise JPEGError("%s: corrupt JPEG: scan (SOS) before the frame header (SOF)" % name)
    if not header or len(header) != 4 + 2 * header[0] or not 1 <= header[0] <= 4:
        raise JPEGError("%s: corrupt SOS header (%d bytes)" % (name, len(header)))
    count = header[0]
    chosen: list[tuple[_Component, int, int]] = []
    for index in range(count):
        ident, tables = header[1 + 2 * index], header[2 + 2 * index]
        matches = [c for c in frame.components if c.ident == ident]
        if not matches:
            raise JPEGError("%s: corrupt SOS: component id %d is not in the frame" % (name, ident))
        if any(c is matches[0] for c, _, _ in chosen):
            raise JPEGError("%s: corrupt SOS: component id %d listed twice" % (name, ident))
        chosen.append((matches[0], tables >> 4, tables & 15))
    start, stop, approximation = header[1 + 2 * count:4 + 2 * count]
    high, low = approximation >> 4, approximation & 15
    state.scans += 1
    if state.scans > MAX_SCANS:
        raise JPEGError("%s: more than %d scans (real files have at most a few dozen)"
                        % (name, MAX_SCANS))
    if frame.progressive:
        _check_progressive(name, count, start, stop, high, low)

    for component, _, _ in chosen:
        _prepare(state, component)

    end, pieces = jpeg_huffman.entropy_segments(data, position)
    if end >= len(data):
        raise JPEGError("%s: truncated: the file ends inside the compressed data of scan %d "
                        "(no marker follows it)" % (name, state.scans))
    dc_only = frame.progressive and start == 0
    if frame.progressive and start > 0 and chosen[0][0].scale == 1:
        return end  # one sample per block needs only the DC: skip AC scans unread
    if count == 1:
        component = chosen[0][0]
        mcus_x = -(-component.samples_wide // 8)
        mcu_total = mcus_x * -(-component.samples_high // 8)
        layout = [(component, 1, 1)]
    else:
        if sum(c.h * c.v for c, _, _ in chosen) > 10:
            raise JPEGError("%s: corrupt SOS: more than 10 blocks per MCU" % name)
        mcus_x = frame.mcus_x
        mcu_total = mcus_x * frame.mcus_y
        layout = [(c, c.h, c.v) for c, _, _ in chosen]
    parts = []
    for (component, h, v), (_, dc_index, ac_index) in zip(layout, chosen):
        needs_dc = not frame.progressive or (dc_only and high == 0)
        needs_ac = not frame.progressive or not dc_only
        parts.append(jpeg_huffman.ScanPart(
            component, h, v, component.blocks_per_line,
            _table(state.dc_tables, dc_index, True, name) if needs_dc else None,
            _table(state.ac_tables, ac_index, False, name) if needs_ac else None,
            _block_writer(component)))
    interval = state.restart_interval
    if not frame.progressive:
        jpeg_huffman.decode_sequential(data, pieces, interval, mcus_x, mcu_total, parts, name)
    elif dc_only:
        dc_decoder = jpeg_huffman.decode_dc_refine if high else jpeg_huffman.decode_dc_first
        dc_decoder(data, pieces, interval, mcus_x, mcu_total, parts, low, name)
        for component, _, _ in chosen:
            component.had_dc_scan = True
    else:
        ac_decoder = jpeg_huffman.decode_ac_refine if high else jpeg_huffman.decode_ac_first
        ac_decoder(data, pieces, interval, mcus_x, mcu_total, parts[0], start, stop, low, name)
    return end


def _check_progressive(name, count, start, stop, high, low):
    """The scan parameters a progressive scan may have (T.81 G.1.1.1)."""
    if start == 0:
        if stop != 0:
            raise JPEGError("%s: corrupt progressive scan: DC scan with Se = %d" % (name, stop))
    elif count != 1 or stop < start or stop > 63:
        raise JPEGError("%s: corrupt progressive scan: Ss=%d Se=%d with %d components"
                        % (name, start, stop, count))
    if low > 13 or high > 13 or (high and low != high - 1):
        raise JPEGError("%s: corrupt progressive scan: successive approximation Ah=%d Al=%d"
                        % (name, high, low))


def _prepare(state: _State, component: _Component) -> None:
    """At a component's first scan: latch its quantisation table, allocate storage."""
    if component.quantisation is not None:
        return
    table = state.quantisation.get(component.table)
    if table is None:
        raise JPEGError("%s: component %d uses quantisation table %d, which is not defined (no DQT)"
                        % (state.name, component.ident, component.table))
    component.quantisation = list(table)
    count = component.blocks_per_line * component.block_lines
    scale = component.scale
    progressive = _frame(state).progressive
    if progressive or scale == 1:
        component.dc = [0] * count
    if progressive and scale != 1:
        # Filled in only for blocks that get AC coefficients.
        component.blocks = [None] * count
    if not progressive and scale != 1:
        component.plane = bytearray(count * scale * scale)


def _block_writer(component: _Component):
    """The function a sequential scan calls with each decoded block."""
    scale = component.scale
    if scale == 1:
        dc = component.dc
        assert dc is not None  # _prepare made it

        def put_dc(index, coefficients, has_ac):
            dc[index] = coefficients[0]
        return put_dc
    if component.plane is None:
        return None  # progressive: the block decoders store coefficients themselves
    plane = component.plane
    quantisation = component.quantisation
    assert quantisation is not None  # _prepare latched it
    per_line = component.blocks_per_line
    stride = per_line * scale
    if scale == 8:
        def put_8x8(index, coefficients, has_ac):
            row, column = divmod(index, per_line)
            offset = 8 * (row * stride + column)
            if has_ac:
                idct.idct_8x8(coefficients, quantisation, plane, offset, stride)
            else:
                idct.flat_block(idct.dc_pixel(coefficients[0], quantisation[0]), plane,
                                offset, stride)
        return put_8x8

    def put_scaled(index, coefficients, has_ac):
        row, column = divmod(index, per_line)
        offset = scale * (row * stride + column)
        if has_ac:
            idct.idct_scaled(coefficients, quantisation, scale, plane, offset, stride)
        else:
            idct.flat_block(idct.dc_pixel(coefficients[0], quantisation[0]), plane,
                            offset, stride, scale)
    return put_scaled


# ----------------------------------------------------------------- pixels


def _component_plane(state: _State, component: _Component) -> Union[bytes, bytearray]:
    """The component's samples at its own scale, after all its scans."""
    scale = component.scale
    per_line = component.blocks_per_line
    count = per_line * component.block_lines
    if component.plane is not None:
        return component.plane
    quantisation = component.quantisation
    if quantisation is None:
        raise JPEGError("%s: no scan contains component %d" % (state.name, component.ident))
    if _frame(state).progressive and not component.had_dc_scan:
        raise JPEGError("%s: progressive file without a DC scan for component %d"
                        % (state.name, component.ident))
    step = quantisation[0]
    dc_values = component.dc
    assert dc_values is not None  # _prepare made them with the quantisation table
    # idct.dc_pixel for every block, with the look-up done by map in C.
    limit = idct.clamp_table()
    means = bytes(map(limit.__getitem__, [((dc * step + 4) >> 3) & 1023 for dc in dc_values]))
    if scale == 1:
        return means  # one pixel per block: the block's mean, from its DC alone
    # Start with every block flat at its mean (the 1/8 plane, each sample
    # repeated), then inverse-transform only the blocks that have AC
    # coefficients: in a photo of a page, most blocks have none.
    plane = _stretch(means, per_line, component.block_lines, scale)
    stride = per_line * scale
    blocks = component.blocks
    assert blocks is not None  # progressive at scale 2, 4 or 8: _prepare made blocks
    for index in range(count):
        block = blocks[index]
        if block is None or not any(block):  # (block[0] is still 0: the DC is in dc_values)
            continue
        block[0] = dc_values[index]
        row, column = divmod(index, per_line)
        offset = scale * (row * stride + column)
        if scale == 8:
            idct.idct_8x8(block, quantisation, plane, offset, stride)
        else:
            idct.idct_scaled(block, quantisation, scale, plane, offset, stride)
    return plane


def _stretch(samples: bytes, width: int, height: int, factor: int) -> bytearray:
    """Repeat each sample of a ``width`` x ``height`` plane ``factor`` times
    across and down (extended-slice assignments, no per-sample loop)."""
    rows = []
    for y in range(height):
        row = samples[y * width:(y + 1) * width]
        wide = bytearray(width * factor)
        for phase in range(factor):
            wide[phase::factor] = row
        rows.extend([bytes(wide)] * factor)
    return bytearray(b"".join(rows))


def _frame(state: _State) -> _Frame:
    """The frame of a file whose scans have begun (_scan checked it came first)."""
    assert state.frame is not None
    return state.frame


def _colour_space(state: _State) -> str:
    """gray, ycbcr, rgb, cmyk or ycck, decided as libjpeg decides."""
    components = _frame(state).components
    if len(components) == 1:
        return "gray"
    if len(components) == 3:
        if state.jfif:
            return "ycbcr"
        if state.adobe_transform is not None:
            return "rgb" if state.adobe_transform == 0 else "ycbcr"
        if [c.ident for c in components] == [ord("R"), ord("G"), ord("B")]:
            return "rgb"
        return "ycbcr"
    return "ycck" if state.adobe_transform == 2 else "cmyk"


def _finish(state: _State, orient: bool) -> Image:
    """Upsample, convert to RGB, add alpha, turn upright."""
    frame = _frame(state)
    scale = state.scale
    width, height = _scaled(frame.width, scale), _scaled(frame.height, scale)
    planes = []
    for component in frame.components:
        plane = _component_plane(state, component)
        size = component.scale
        planes.append(jpeg_colour.upsample(
            plane, component.blocks_per_line * size,
            _scaled(component.samples_wide, size), _scaled(component.samples_high, size),
            frame.max_h * scale // (component.h * size), frame.max_v * scale // (component.v * size),
            width, height, fancy=scale > 1))
    space = _colour_space(state)
    if space == "gray":
        red = green = blue = planes[0]
    elif space == "rgb":
        red, green, blue = planes
    elif space == "ycbcr":
        red, green, blue = jpeg_colour.ycbcr_to_rgb(*planes)
    elif space == "cmyk":
        red, green, blue = jpeg_colour.cmyk_to_rgb(*planes)
    else:
        red, green, blue = jpeg_colour.ycck_to_rgb(*planes)
    count = width * height
    rgba = bytearray(4 * count)
    rgba[0::4] = red
    rgba[1::4] = green
    rgba[2::4] = blue
    rgba[3::4] = b"\xff" * count
    pixels = bytes(rgba)
    if orient and state.orientation != 1:
        width, height, pixels = orientation.orient_rgba(width, height, pixels, state.orientation)
    return Image(width, height, pixels, state.name)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
