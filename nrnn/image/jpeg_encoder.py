"""Write baseline JPEG files: the mirror image of ``nrnn/image/jpeg.py``.

nrnn reads JPEG photos of digits; its tests and benchmarks need JPEG files
made on the spot (round trips, phone-like photos at messenger qualities),
and the project uses nothing outside the standard library, so it writes
them itself.  Reading this module first is a gentle way into the decoder:
every step here is undone there, in the opposite order.

The steps, for each 8x8 block of each colour component
------------------------------------------------------
1. *Colour transform* (colour images only).  RGB becomes YCbCr, the JFIF
   definition (ITU-R BT.601, full range)::

       Y  =  0.299    R + 0.587    G + 0.114    B
       Cb = -0.168736 R - 0.331264 G + 0.5      B + 128
       Cr =  0.5      R - 0.418688 G - 0.081312 B + 128

   The eye sees detail in brightness (Y) far better than in colour (Cb,
   Cr), so the next step throws colour detail away.

2. *Chroma subsampling*.  "4:4:4" keeps every Cb and Cr sample; "4:2:0"
   keeps one per 2x2 pixels (their average), a quarter of the data.  The
   luma component then has sampling factors h = v = 2 and the chroma ones
   1: an *MCU* (minimum coded unit) is 16x16 pixels, four Y blocks, one Cb
   and one Cr.

3. *Level shift and forward DCT*.  Samples 0..255 become -128..127, and the
   8x8 block ``f(x, y)`` becomes 64 frequency coefficients::

       F(u, v) = 1/4 C(u) C(v) sum_x sum_y f(x, y) cos((2x+1) u pi / 16)
                                                   cos((2y+1) v pi / 16)

   with C(0) = 1/sqrt(2), C(k) = 1 otherwise.  F(0, 0), the *DC*
   coefficient, is 8 times the block's mean; the other 63 (*AC*) measure
   ever finer ripples.  Photos have little energy in the fine ones.  The
   2-D transform is done as 1-D transforms of the rows, then the columns.

4. *Quantisation*: ``round(F(u, v) / Q(u, v))``, the only lossy step.  ``Q``
   is the example table of the standard (ITU T.81 Annex K) scaled by the
   *quality* 1..100 the way the IJG's libjpeg does it (so "quality 75"
   means here what it means to every program built on libjpeg)::

       scale = 5000 / quality   if quality < 50   else   200 - 2 quality
       Q     = clamp((base * scale + 50) // 100, 1, 255)

   Most high-frequency coefficients become 0.

5. *Zig-zag order*.  The 64 quantised values are listed from low to high
   frequency (``ZIGZAG``), so the zeros bunch up at the end.

6. *Entropy coding* with the standard's example Huffman tables (Annex K.3).
   The DC coefficient is coded as the difference from the previous block's
   DC of the same component; each nonzero AC coefficient as (number of
   zeros before it, bit size of its value) and then the value's bits;
   ``EOB`` (end of block) says "only zeros from here".  A value ``v`` of
   bit size ``s`` is sent as its ``s`` low bits when positive and as the
   low bits of ``v - 1`` when negative (``v + 2**s - 1``).

7. *Framing*.  The bits are packed into bytes; every 0xFF byte in them is
   followed by a 0x00 ("byte stuffing") so that 0xFF can only ever start a
   marker.  Markers (0xFF then a code) frame the file: SOI, APP0 (JFIF), DQT
   (quantisation tables), SOF0 (frame: size and components), DHT (Huffman
   tables), optional DRI (restart interval), SOS (start of scan) and the
   coded data, EOI.  With a restart interval, the coder empties its bit
   buffer and writes RST0..RST7 markers every so many MCUs, and each
   component's DC prediction starts again from 0.

Edges: a block that sticks out of the image is filled by repeating the
last row and column, which codes more cheaply than black and does not
bleed a dark border into the edge pixels.

Progressive files (``progressive=True``) code the same quantised blocks in
several scans: first every block's DC at half precision, then each
component's AC coefficients 1..5 (a coarse picture), then 6..63, then the
DC's last bit.  A viewer can show something after the first scan; the
decoder must keep every block's coefficients until the last.

>>> data = encode_gray8(1, 1, b"\\x80")
>>> data[:4] == b"\\xff\\xd8\\xff\\xe0" and data[-2:] == b"\\xff\\xd9"
True
>>> quantisation_tables(50)[0][:8]      # the standard's own table at quality 50
[16, 11, 10, 16, 24, 40, 51, 61]
>>> quantisation_tables(100)[0][:4]      # quality 100: every step is 1
[1, 1, 1, 1]
"""

import math
import operator
import struct
from collections.abc import Sequence

from nrnn.errors import JPEGError
from nrnn.image.jpeg_huffman import ZIGZAG

__all__ = ["encode_rgb8", "encode_gray8", "quantisation_tables"]

# ZIGZAG[k] (from the decoder's jpeg_huffman.py): the position 8 * row +
# column in the block of the k-th coefficient in the order they are stored.

# The example quantisation tables of ITU T.81 Annex K.1, natural (row) order.
LUMINANCE_QUANTISATION = (
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
)
CHROMINANCE_QUANTISATION = (
    17, 18, 24, 47, 99, 99, 99, 99,
    18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
)

# The example Huffman tables of Annex K.3: BITS (how many codes of each
# length 1..16) and HUFFVAL (the symbols, shortest codes first).
DC_LUMINANCE = ((0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0), tuple(range(12)))
DC_CHROMINANCE = ((0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0), tuple(range(12)))
AC_LUMINANCE = (
    (0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D),
    bytes.fromhex(
        "01020300041105122131410613516107227114328191a1082342b1c11552d1f0"
        "2433627282090a161718191a25262728292a3435363738393a43444546474849"
        "4a535455565758595a636465666768696a737475767778797a83848586878889"
        "8a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5"
        "c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
        "f9fa"
    ),
)
AC_CHROMINANCE = (
    (0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77),
    bytes.fromhex(
        "000102031104052131061241510761711322328108144291a1b1c109233352"
        "f0156272d10a162434e125f11718191a262728292a35363738393a4344454647"
        "48494a535455565758595a636465666768696a737475767778797a8283848586"
        "8788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2"
        "c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7"
        "f8f9fa"
    ),
)

SUBSAMPLINGS = ("4:4:4", "4:2:0")


def quantisation_tables(quality: int) -> tuple[list[int], list[int]]:
    """The luminance and chrominance tables (natural order) for ``quality``
    1..100, scaled as libjpeg's ``jpeg_set_quality`` does (see above)."""
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise JPEGError("cannot encode: quality must be an integer 1..100, got %r" % (quality,))
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    tables = []
    for base in (LUMINANCE_QUANTISATION, CHROMINANCE_QUANTISATION):
        tables.append([min(255, max(1, (q * scale + 50) // 100)) for q in base])
    return tables[0], tables[1]


def _huffman_codes(table) -> dict:
    """symbol -> (code, length) for a (BITS, HUFFVAL) table.

    Codes are *canonical*: within one length they count up by one, and
    moving to the next length appends a 0 bit (Annex C), so BITS alone
    fixes every code.
    """
    counts, symbols = table
    codes = {}
    code = 0
    index = 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            codes[symbols[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


def _dht(table_class: int, table_id: int, table) -> bytes:
    counts, symbols = table
    payload = bytes([table_class << 4 | table_id]) + bytes(counts) + bytes(symbols)
    return b"\xff\xc4" + struct.pack(">H", 2 + len(payload)) + payload


def _dct_matrix() -> list[list[float]]:
    """``M[u][x] = C(u)/2 cos((2x+1) u pi / 16)``: F = M f M^T for one block."""
    matrix = []
    for u in range(8):
        c = math.sqrt(0.5) if u == 0 else 1.0
        matrix.append([c / 2 * math.cos((2 * x + 1) * u * math.pi / 16) for x in range(8)])
    return matrix


_DCT = _dct_matrix()
_MUL = operator.mul


def _forward_dct(block: Sequence[float]) -> list[float]:
    """The 2-D DCT of 64 level-shifted samples (row-major): rows, then columns."""
    # sum(map(mul, ...)) keeps the 8-term dot products in C.
    rows = [[sum(map(_MUL, basis, block[y:y + 8])) for basis in _DCT] for y in range(0, 64, 8)]
    out = [0.0] * 64
    for u in range(8):
        column = [row[u] for row in rows]
        out[u::8] = [sum(map(_MUL, basis, column)) for basis in _DCT]
    return out


class _BitWriter:
    """Collects bits most significant first; ``flush`` pads with 1 bits."""

    def __init__(self):
        self.out = bytearray()
        self.accumulator = 0
        self.count = 0

    def write(self, value: int, length: int) -> None:
        self.accumulator = (self.accumulator << length) | (value & ((1 << length) - 1))
        self.count += length
        while self.count >= 8:
            self.count -= 8
            byte = (self.accumulator >> self.count) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)  # byte stuffing
        self.accumulator &= (1 << self.count) - 1

    def flush(self) -> None:
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)


def _bit_size(value: int) -> int:
    """Bits needed for |value|: 0 -> 0, 1 -> 1, 2..3 -> 2, 4..7 -> 3..."""
    return abs(value).bit_length()


def _encode_block(writer, coefficients, previous_dc, dc_codes, ac_codes) -> int:
    """Write one quantised block (zig-zag order); return its DC value."""
    dc = coefficients[0]
    difference = dc - previous_dc
    size = _bit_size(difference)
    code, length = dc_codes[size]
    writer.write(code, length)
    if size:
        writer.write(difference if difference > 0 else difference - 1, size)
    run = 0
    for k in range(1, 64):
        value = coefficients[k]
        if value == 0:
            run += 1
            continue
        while run > 15:  # ZRL: sixteen zeros
            code, length = ac_codes[0xF0]
            writer.write(code, length)
            run -= 16
        size = _bit_size(value)
        code, length = ac_codes[run << 4 | size]
        writer.write(code, length)
        writer.write(value if value > 0 else value - 1, size)
        run = 0
    if run:
        code, length = ac_codes[0x00]  # EOB
        writer.write(code, length)
    return dc


def _plane_blocks(plane: Sequence[int], width: int, height: int, blocks_x: int, blocks_y: int):
    """Cut a plane into 8x8 level-shifted blocks, repeating edge samples.

    Returns ``blocks[by][bx]``, each 64 floats row-major.
    """
    rows = []
    for y in range(8 * blocks_y):
        start = min(y, height - 1) * width
        row = [s - 128.0 for s in plane[start:start + width]]
        row += [row[-1]] * (8 * blocks_x - width)
        rows.append(row)
    grid = []
    for by in range(blocks_y):
        line = []
        for bx in range(blocks_x):
            block = []
            for y in range(8 * by, 8 * by + 8):
                block += rows[y][8 * bx:8 * bx + 8]
            line.append(block)
        grid.append(line)
    return grid


def _quantise(block: Sequence[float], table: Sequence[int]) -> list[int]:
    """Forward DCT, divide by the table, round; result in zig-zag order."""
    if max(block) == min(block):
        # A flat block (blank paper) has only a DC: 1/4 * 1/2 * 64 * sample.
        return [int(round(8 * block[0] / table[0]))] + [0] * 63
    coefficients = _forward_dct(block)
    return [int(round(coefficients[z] / table[z])) for z in ZIGZAG]


def _check(width, height, pixels, channels):
    if not (isinstance(width, int) and isinstance(height, int)) or width <= 0 or height <= 0:
        raise JPEGError("cannot encode a %r x %r image: width and height must be positive"
                        % (width, height))
    if width > 65535 or height > 65535:
        raise JPEGError("cannot encode %d x %d: JPEG sizes stop at 65535" % (width, height))
    pixels = bytes(pixels)
    if len(pixels) != channels * width * height:
        raise JPEGError("cannot encode: %d x %d with %d channel(s) needs %d bytes of pixels, got %d"
                        % (width, height, channels, channels * width * height, len(pixels)))
    return pixels


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", 2 + len(payload)) + payload


def _encode(width, height, planes, sampling, quality, restart_interval, progressive) -> bytes:
    """Frame and code ``planes`` (full-resolution or subsampled sample lists).

    ``planes`` is a list of (samples, plane_width, plane_height) and
    ``sampling`` the (h, v) factors of each, as in the SOF header.
    """
    if not isinstance(restart_interval, int) or not 0 <= restart_interval <= 65535:
        raise JPEGError("cannot encode: restart_interval must be 0..65535, got %r"
                        % (restart_interval,))
    luma_table, chroma_table = quantisation_tables(quality)
    max_h = max(h for h, _ in sampling)
    max_v = max(v for _, v in sampling)
    mcus_x = -(-width // (8 * max_h))
    mcus_y = -(-height // (8 * max_v))
    colour = len(planes) == 3

    out = bytearray(b"\xff\xd8")
    # APP0 JFIF 1.01, no density unit (aspect ratio 1:1), no thumbnail.
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00" + struct.pack(">HH", 1, 1) + b"\x00\x00")
    tables = [luma_table, chroma_table] if colour else [luma_table]
    for table_id, table in enumerate(tables):
        out += _segment(0xDB, bytes([table_id]) + bytes(table[z] for z in ZIGZAG))
    frame = struct.pack(">BHHB", 8, height, width, len(planes))
    for index, (h, v) in enumerate(sampling):
        frame += bytes([index + 1, h << 4 | v, 0 if index == 0 else 1])
    out += _segment(0xC2 if progressive else 0xC0, frame)
    out += _dht(0, 0, DC_LUMINANCE) + _dht(1, 0, AC_LUMINANCE)
    if colour:
        out += _dht(0, 1, DC_CHROMINANCE) + _dht(1, 1, AC_CHROMINANCE)
    if restart_interval:
        out += _segment(0xDD, struct.pack(">H", restart_interval))

    luma_codes = (_huffman_codes(DC_LUMINANCE), _huffman_codes(AC_LUMINANCE))
    chroma_codes = (_huffman_codes(DC_CHROMINANCE), _huffman_codes(AC_CHROMINANCE))
    components = []
    for index, ((samples, plane_width, plane_height), (h, v)) in enumerate(zip(planes, sampling)):
        table = luma_table if index == 0 else chroma_table
        grid = [[_quantise(block, table) for block in line]
                for line in _plane_blocks(samples, plane_width, plane_height, mcus_x * h, mcus_y * v)]
        components.append(_Part(index, h, v, grid, luma_codes if index == 0 else chroma_codes,
                                -(-plane_width // 8), -(-plane_height // 8)))
    layout = (mcus_x, mcus_y, restart_interval)
    if not progressive:
        out += _scan(components, 0, 63, 0, 0, layout, _sequential_block)
    else:
        # A simple progressive script: DC at half precision (all components
        # interleaved), each component's AC in two bands (1..5: the coarse
        # picture; 6..63), then the DC's last bit.
        out += _scan(components, 0, 0, 0, 1, layout, _dc_first_block)
        for component in components:
            out += _scan([component], 1, 5, 0, 0, layout, _ac_first_block)
        for component in components:
            out += _scan([component], 6, 63, 0, 0, layout, _ac_first_block)
        out += _scan(components, 0, 0, 1, 0, layout, _dc_refine_block)
    out += b"\xff\xd9"
    return bytes(out)


class _Part:
    """A component as the scan writer sees it: its quantised blocks
    (``grid[row][column]``, zig-zag order), Huffman codes, and how many
    blocks across and down cover the image (for scans of it alone)."""

    def __init__(self, index, h, v, grid, codes, blocks_wide, blocks_high):
        self.index = index
        self.h = h
        self.v = v
        self.grid = grid
        self.dc_codes, self.ac_codes = codes
        self.blocks_wide = blocks_wide
        self.blocks_high = blocks_high


def _scan(parts, start, stop, high, low, layout, code_block) -> bytes:
    """An SOS segment and its coded data.  ``code_block(writer, part,
    coefficients, previous, start, stop, low)`` codes one block and returns
    the new DC prediction."""
    mcus_x, mcus_y, restart_interval = layout
    header = bytes([len(parts)])
    for part in parts:
        header += bytes([part.index + 1, 0x00 if part.index == 0 else 0x11])
    header += bytes([start, stop, high << 4 | low])
    if len(parts) == 1:  # not interleaved: an MCU is one block
        part = parts[0]
        units = [[(part, by, bx)] for by in range(part.blocks_high) for bx in range(part.blocks_wide)]
    else:
        units = [[(part, my * part.v + y, mx * part.h + x)
                  for part in parts for y in range(part.v) for x in range(part.h)]
                 for my in range(mcus_y) for mx in range(mcus_x)]
    writer = _BitWriter()
    previous: dict[int, int] = {}
    for count, unit in enumerate(units):
        if restart_interval and count and count % restart_interval == 0:
            writer.flush()
            writer.out += bytes([0xFF, 0xD0 + (count // restart_interval - 1) % 8])
            previous = {}
        for part, by, bx in unit:
            previous[part.index] = code_block(writer, part, part.grid[by][bx],
                                              previous.get(part.index, 0), start, stop, low)
    writer.flush()
    return _segment(0xDA, header) + bytes(writer.out)


def _sequential_block(writer, part, coefficients, previous, start, stop, low):
    return _encode_block(writer, coefficients, previous, part.dc_codes, part.ac_codes)


def _write_dc(writer, codes, difference):
    size = _bit_size(difference)
    code, length = codes[size]
    writer.write(code, length)
    if size:
        writer.write(difference if difference > 0 else difference - 1, size)


def _dc_first_block(writer, part, coefficients, previous, start, stop, low):
    """Progressive DC, first scan: the DC shifted right by ``low`` bits
    (an arithmetic shift), coded as a difference like a baseline DC."""
    dc = coefficients[0] >> low
    _write_dc(writer, part.dc_codes, dc - previous)
    return dc


def _dc_refine_block(writer, part, coefficients, previous, start, stop, low):
    """Progressive DC refinement: bit ``low`` of the DC, uncoded."""
    writer.write((coefficients[0] >> low) & 1, 1)
    return 0


def _ac_first_block(writer, part, coefficients, previous, start, stop, low):
    """Progressive AC, first scan, full precision: coefficients
    ``start..stop`` coded as in a baseline block, EOB ending each block."""
    run = 0
    for k in range(start, stop + 1):
        value = coefficients[k]
        if value == 0:
            run += 1
            continue
        while run > 15:
            writer.write(*part.ac_codes[0xF0])
            run -= 16
        size = _bit_size(value)
        writer.write(*part.ac_codes[run << 4 | size])
        writer.write(value if value > 0 else value - 1, size)
        run = 0
    if run:
        writer.write(*part.ac_codes[0x00])
    return 0


def _downsample_2x2(plane: Sequence[float], width: int, height: int) -> tuple[list[float], int, int]:
    """Average each 2x2 square (edges repeat the last row/column)."""
    half_width, half_height = (width + 1) // 2, (height + 1) // 2
    out = []
    for y in range(half_height):
        top = plane[2 * y * width:(2 * y + 1) * width]
        bottom_row = min(2 * y + 1, height - 1)
        bottom = plane[bottom_row * width:(bottom_row + 1) * width]
        for x in range(half_width):
            x1 = min(2 * x + 1, width - 1)
            out.append((top[2 * x] + top[x1] + bottom[2 * x] + bottom[x1] + 2) / 4.0)
    return out, half_width, half_height


def encode_rgb8(width: int, height: int, pixels: bytes, quality: int = 75,
                subsampling: str = "4:2:0", restart_interval: int = 0,
                progressive: bool = False) -> bytes:
    """A baseline JFIF JPEG of ``3 * width * height`` bytes R,G,B, rows top first.

    ``subsampling`` is ``"4:4:4"`` (chroma at full resolution) or ``"4:2:0"``
    (chroma halved both ways, what cameras and most programs write).
    ``restart_interval`` > 0 writes an RSTn marker every that many MCUs.
    ``progressive=True`` writes a progressive file (SOF2): the DC of all
    components first at half precision, then each component's AC
    coefficients in two bands (1-5, 6-63), then the DC's last bit.  (It
    uses the standard Huffman tables, so no EOB runs.)

    >>> data = encode_rgb8(2, 2, bytes([255, 0, 0] * 4), quality=90, subsampling="4:4:4")
    >>> data[:2], len(data) < 700
    (b'\\xff\\xd8', True)
    """
    pixels = _check(width, height, pixels, 3)
    if subsampling not in SUBSAMPLINGS:
        raise JPEGError("cannot encode: subsampling must be one of %s, got %r"
                        % (", ".join(SUBSAMPLINGS), subsampling))
    red, green, blue = pixels[0::3], pixels[1::3], pixels[2::3]
    luma = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in zip(red, green, blue)]
    blue_difference = [-0.168736 * r - 0.331264 * g + 0.5 * b + 128
                       for r, g, b in zip(red, green, blue)]
    red_difference = [0.5 * r - 0.418688 * g - 0.081312 * b + 128
                      for r, g, b in zip(red, green, blue)]
    if subsampling == "4:4:4":
        planes = [(luma, width, height), (blue_difference, width, height),
                  (red_difference, width, height)]
        sampling = [(1, 1), (1, 1), (1, 1)]
    else:
        planes = [(luma, width, height), _downsample_2x2(blue_difference, width, height),
                  _downsample_2x2(red_difference, width, height)]
        sampling = [(2, 2), (1, 1), (1, 1)]
    return _encode(width, height, planes, sampling, quality, restart_interval, progressive)


def encode_gray8(width: int, height: int, pixels: bytes, quality: int = 75,
                 restart_interval: int = 0, progressive: bool = False) -> bytes:
    """A JFIF grayscale JPEG of ``width * height`` bytes, rows top first
    (baseline, or progressive as ``encode_rgb8`` describes)."""
    pixels = _check(width, height, pixels, 1)
    return _encode(width, height, [(list(pixels), width, height)], [(1, 1)], quality,
                   restart_interval, progressive)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
