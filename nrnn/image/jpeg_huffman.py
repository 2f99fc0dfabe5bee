"""The entropy-coded data of a JPEG: Huffman tables, bits, and scans.

After the markers (see ``nrnn/image/jpeg.py``), a JPEG's pixels are stored as
*scans* of Huffman-coded bits.  This module turns those bits back into the
quantised DCT coefficients of each 8x8 block.

Huffman tables
--------------
A DHT segment lists, for each code length 1..16, how many codes have that
length (``counts``), then the symbols in order of code length.  The codes
themselves are *canonical* (ITU T.81, Annex C): the first code of length 1
is ``0``; within a length each code is the previous plus one; going to the
next length appends a 0 bit.  So 16 counts fix every code.  A code may not
be all 1 bits (0xFF bytes must stay rare, see below).

To decode fast in pure Python, ``build_lookup`` makes a table of 65536
entries indexed by the *next 16 bits* of the stream: every 16-bit string
that starts with code ``c`` of length ``L`` holds ``L << 8 | symbol``.
Decoding a symbol is then one index and one shift, whatever its length,
instead of a walk down a tree one bit at a time.  (``HuffmanTable``
builds it when a scan first needs it.)

What the symbols mean
---------------------
A block's 64 coefficients are in zig-zag order (low frequencies first).

* DC (coefficient 0): the symbol is a bit size ``s``; the next ``s`` bits
  are the difference from the previous block's DC of the same component
  (the *prediction*).  ``extend`` turns the bits into a signed number: a
  leading 0 bit means negative, ``v - (2**s - 1)``.
* AC (coefficients 1..63): the symbol is ``r << 4 | s``: skip ``r`` zero
  coefficients, then one of bit size ``s`` follows.  ``0x00`` is *EOB* (the
  rest of the block is zero) and ``0xF0`` (*ZRL*) skips sixteen zeros.

Byte stuffing and restart markers
---------------------------------
The coded bits are packed into bytes.  A 0xFF byte in them is written as
``FF 00``, so that ``FF`` followed by anything else is a marker: the end of
the scan, or a *restart marker* RST0..RST7 (``FF D0``..``FF D7``) when the
file has a restart interval (DRI).  At a restart marker the encoder pads to
a whole byte and the predictions start again from zero, so a damaged byte
ruins only one interval.  ``entropy_segments`` finds the scan's end and its
restart intervals and un-stuffs each interval once (``bytes.replace``, in
C); the decoders then read plain bits.

The bits are read 32 at a time into a Python integer (``acc``, with
``count`` valid bits at its bottom) from a tuple of 32-bit words.  Before
each symbol at least 32 bits are ready: enough for the longest code (16
bits) plus the longest value (16 bits).  Reading past the end of the data
raises ``JPEGError`` (a truncated file), so every loop is bounded by the
size of the file, not by what its header claims.

Sequential and progressive scans
--------------------------------
A *sequential* (baseline) scan holds every coefficient of a block before
the next block.  A *progressive* scan holds only a band of them
(*spectral selection*: coefficients ``Ss``..``Se``) and maybe only their
high bits (*successive approximation*: all but the low ``Al`` bits; a later
*refinement* scan sends the next bit).  A progressive file therefore needs
all its scans before the image is complete, and keeps every block's
coefficients in memory (``component.blocks``) until the end.  In a
progressive AC scan an ``EOB`` symbol may carry a run length: ``EOBn``
(``r`` < 15, ``s`` = 0) means the next ``2**r + r bits`` blocks have
nothing more in this band.

>>> lookup = build_lookup([0, 2] + [0] * 14, [5, 7], "<doc>")   # codes 00, 01
>>> lookup[0b0100000000000000]          # length 2, symbol 7
519
>>> extend(0b101, 3), extend(0b010, 3)    # 5 and -5 in three bits
(5, -5)
"""

import struct
from collections.abc import Callable, Sequence
from typing import Any, Optional

from nrnn.errors import JPEGError

__all__ = ["build_lookup", "check_counts", "HuffmanTable", "extend", "entropy_segments", "BitReader",
           "decode_sequential", "decode_dc_first", "decode_dc_refine",
           "decode_ac_first", "decode_ac_refine", "ZIGZAG"]

#: ``ZIGZAG[k]``: position ``8 * row + column`` of the k-th coefficient stored.
ZIGZAG = (
    0, 1, 8, 16, 9, 2, 3, 10,
    17, 24, 32, 25, 18, 11, 4, 5,
    12, 19, 26, 33, 40, 48, 41, 34,
    27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36,
    29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46,
    53, 60, 61, 54, 47, 55, 62, 63,
)

_MASKS = tuple((1 << n) - 1 for n in range(33))


def check_counts(counts: Sequence[int], name: str) -> None:
    """Raise ``JPEGError`` if the counts describe more codes than fit, or a
    code of all 1 bits (libjpeg refuses the same tables)."""
    code = 0
    for length in range(1, 17):
        code += counts[length - 1]
        if code >= 1 << length:
            raise JPEGError("%s: bad Huffman table: more codes of length %d than fit "
                            "(or an all-1 code)" % (name, length))
        code <<= 1


def build_lookup(counts: Sequence[int], symbols: Sequence[int], name: str) -> list[int]:
    """The 65536-entry decoding table of one Huffman table (see above).

    ``counts[L - 1]`` codes have length L; ``symbols`` lists them.  Entry
    0 marks a bit string that starts no code.
    """
    check_counts(counts, name)
    table = [0] * 65536
    code = 0
    index = 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            span = 1 << (16 - length)
            start = code << (16 - length)
            table[start:start + span] = [length << 8 | symbols[index]] * span
            code += 1
            index += 1
        code <<= 1
    return table


class HuffmanTable:
    """One table of a DHT segment, checked when read; its lookup table is
    built when a scan first uses it (so a file of thousands of DHT
    segments costs time in proportion to its size, not 65536 a table)."""

    __slots__ = ("counts", "symbols", "name", "_lookup")

    def __init__(self, counts: Sequence[int], symbols: Sequence[int], name: str):
        check_counts(counts, name)
        self.counts = bytes(counts)
        self.symbols = bytes(symbols)
        self.name = name
        self._lookup: Optional[list[int]] = None

    def lookup(self) -> list[int]:
        if self._lookup is None:
            self._lookup = build_lookup(self.counts, self.symbols, self.name)
        return self._lookup


def extend(value: int, size: int) -> int:
    """The signed number that ``size`` bits ``value`` stand for (T.81 F.12)."""
    if size and value < 1 << (size - 1):
        return value - (1 << size) + 1
    return value


def entropy_segments(data: bytes, start: int) -> tuple[int, list[tuple[int, int]]]:
    """Find the end of the entropy-coded data starting at ``start``.

    Returns ``(end, pieces)``: ``end`` is the offset of the marker that
    follows the scan (``len(data)`` if the file ends first), ``pieces`` the
    (start, stop) byte ranges between restart markers, still stuffed.
    Each loop step jumps to the next 0xFF byte, so the cost is one
    ``find`` per 0xFF in the data.
    """
    pieces = []
    piece_start = position = start
    size = len(data)
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= size:
            pieces.append((piece_start, size))
            return size, pieces
        following = data[found + 1]
        if following == 0x00:  # a stuffed 0xFF data byte
            position = found + 2
        elif 0xD0 <= following <= 0xD7:  # RSTn: the next restart interval
            pieces.append((piece_start, found))
            piece_start = position = found + 2
        elif following == 0xFF:  # fill byte before a marker
            position = found + 1
        else:
            pieces.append((piece_start, found))
            return found, pieces


def _words(data: bytes, piece):
    """An interval's bits as 32-bit words, unstuffed, plus 2 zero words.

    The zero words let the decoder look 32 bits ahead at the very end of
    valid data; needing more than that means the data is missing.
    """
    raw = data[piece[0]:piece[1]].replace(b"\xff\x00", b"\xff")
    padded = raw + bytes(-len(raw) % 4 + 8)
    return struct.unpack(">%dI" % (len(padded) // 4), padded), 8 * len(raw)


def _truncated(name):
    return JPEGError("%s: truncated or corrupt: the compressed data ends before the "
                     "image is complete" % name)


class BitReader:
    """Reads symbols and bits from one restart interval (see the module doc)."""

    __slots__ = ("words", "index", "acc", "count", "real_bits", "name")

    def __init__(self, data: bytes, piece, name: str):
        self.words, self.real_bits = _words(data, piece)
        self.index = 0
        self.acc = 0
        self.count = 0
        self.name = name

    def _fill(self):
        if self.index >= len(self.words):
            raise _truncated(self.name)
        # Keeping only the low 32 bits is enough: fewer than 32 are unread.
        self.acc = ((self.acc & 0xFFFFFFFF) << 32) | self.words[self.index]
        self.index += 1
        self.count += 32

    def symbol(self, lookup: list[int]) -> int:
        """Decode one Huffman-coded symbol with a ``build_lookup`` table."""
        if self.count < 16:
            self._fill()
        entry = lookup[(self.acc >> (self.count - 16)) & 0xFFFF]
        if not entry:
            raise JPEGError("%s: corrupt data: invalid Huffman code" % self.name)
        self.count -= entry >> 8
        return entry & 255

    def bits(self, size: int) -> int:
        """The next ``size`` (0..16) bits as an unsigned number."""
        if self.count < size:
            self._fill()
        self.count -= size
        return (self.acc >> self.count) & _MASKS[size]

    def value(self, size: int) -> int:
        """The next ``size`` bits as a signed coefficient (``extend``)."""
        if self.count < size:
            self._fill()
        self.count -= size
        value = (self.acc >> self.count) & _MASKS[size]
        if size and value < 1 << (size - 1):
            value -= _MASKS[size]
        return value

    def check_end(self) -> None:
        """Raise if the interval used more bits than its data holds."""
        if 32 * self.index - self.count > self.real_bits:
            raise _truncated(self.name)


class ScanPart:
    """One component's share of a scan, as the block decoders see it.

    ``blocks_per_mcu`` is (h, v) for an interleaved scan, (1, 1) for a scan
    of a single component; ``blocks_per_line`` is the row length of the
    component's block grid; ``dc_lookup``/``ac_lookup`` its Huffman tables;
    ``put(index, coefficients, has_ac)`` stores a decoded block (sequential
    scans); ``component`` gives ``dc`` and ``blocks`` (progressive scans).
    """

    __slots__ = ("component", "h", "v", "blocks_per_line", "dc_lookup", "ac_lookup", "put")

    def __init__(self, component: Any, h: int, v: int, blocks_per_line: int, dc_lookup: Optional[list[int]],
                 ac_lookup: Optional[list[int]], put: Optional[Callable[[int, list[int], bool], None]] = None):
        self.component = component
        self.h = h
        self.v = v
        self.blocks_per_line = blocks_per_line
        self.dc_lookup = dc_lookup
        self.ac_lookup = ac_lookup
        self.put = put


def _mcu_plan(parts):
    """How to find the blocks of an MCU: per part, (number, part, row step,
    h, offsets).

    MCU ``m`` (``mcus_x`` MCUs a row) starts, in part ``p``'s component,
    at block ``(m // mcus_x) * row_step + (m % mcus_x) * h`` with
    ``row_step = v * blocks_per_line``, and covers the ``h`` x ``v``
    blocks at ``offsets`` from there (computed once per scan).
    """
    return [(number, part, part.v * part.blocks_per_line, part.h,
             [v * part.blocks_per_line + h for v in range(part.v) for h in range(part.h)])
            for number, part in enumerate(parts)]


def _intervals(data, pieces, restart_interval, mcu_total, name):
    """Yield (piece, first MCU, end MCU) for each restart interval."""
    per_interval = restart_interval or mcu_total
    first = 0
    for piece in pieces:
        if first >= mcu_total:
            return
        yield piece, first, min(mcu_total, first + per_interval)
        first += per_interval
    if first < mcu_total:
        raise _truncated(name)


def decode_sequential(data: bytes, pieces: list[tuple[int, int]], restart_interval: int, mcus_x: int, mcu_total: int,
                      parts: list[ScanPart], name: str) -> None:
    """Decode a sequential (baseline) scan, handing each block to ``part.put``.

    This is the hot loop of a baseline decode, so the bit reading of
    ``BitReader`` is written out inline with local variables (about twice
    as fast in CPython as calling its methods for every coefficient).
    """
    zigzag = ZIGZAG
    masks = _MASKS
    plan = _mcu_plan(parts)
    for piece, first, end in _intervals(data, pieces, restart_interval, mcu_total, name):
        words, real_bits = _words(data, piece)
        word_count = len(words)
        index = 0
        acc = 0
        count = 0
        predictions = [0] * len(parts)
        for mcu in range(first, end):
            mcu_y, mcu_x = divmod(mcu, mcus_x)
            for number, part, row_step, h, offsets in plan:
                base = mcu_y * row_step + mcu_x * h
                for offset in offsets:
                    block_index = base + offset
                    coefficients = [0] * 64
                    # DC: a bit size, then the difference from the prediction.
                    if count < 32:
                        if index >= word_count:
                            raise _truncated(name)
                        acc = ((acc & 0xFFFFFFFF) << 32) | words[index]
                        index += 1
                        count += 32
                    entry = part.dc_lookup[(acc >> (count - 16)) & 0xFFFF]
                    if not entry:
                        raise JPEGError("%s: corrupt data: invalid Huffman code (DC)" % name)
                    count -= entry >> 8
                    size = entry & 255
                    if size:
                        count -= size
                        value = (acc >> count) & masks[size]
                        if value < 1 << (size - 1):
                            value -= masks[size]
                        predictions[number] += value
                    coefficients[0] = predictions[number]
                    # AC: (zero run, size) symbols until EOB or coefficient 63.
                    ac_lookup = part.ac_lookup
                    has_ac = False
                    k = 1
                    while k < 64:
                        if count < 32:
                            if index >= word_count:
                                raise _truncated(name)
                            acc = ((acc & 0xFFFFFFFF) << 32) | words[index]
                            index += 1
                            count += 32
                        entry = ac_lookup[(acc >> (count - 16)) & 0xFFFF]
                        if not entry:
                            raise JPEGError("%s: corrupt data: invalid Huffman code (AC)" % name)
                        count -= entry >> 8
                        size = entry & 15
                        if size:
                            k += (entry >> 4) & 15
                            if k > 63:
                                raise JPEGError("%s: corrupt data: more than 64 coefficients "
                                                "in a block" % name)
                            count -= size
                            value = (acc >> count) & masks[size]
                            if value < 1 << (size - 1):
                                value -= masks[size]
                            coefficients[zigzag[k]] = value
                            has_ac = True
                            k += 1
                        elif entry & 0xF0 == 0xF0:  # ZRL: sixteen zeros
                            k += 16
                        else:  # EOB
                            break
                    part.put(block_index, coefficients, has_ac)
        if 32 * index - count > real_bits:
            raise _truncated(name)


def decode_dc_first(data: bytes, pieces: list[tuple[int, int]], restart_interval: int, mcus_x: int, mcu_total: int,
                    parts: list[ScanPart], low_bit: int, name: str) -> None:
    """Progressive DC scan, first pass: DC values, shifted left by ``low_bit`` (Al).

    The bit reading is inline, as in ``decode_sequential``: at 1/8 size
    this scan is most of the work of decoding a progressive photo.
    """
    masks = _MASKS
    plan = _mcu_plan(parts)
    for piece, first, end in _intervals(data, pieces, restart_interval, mcu_total, name):
        words, real_bits = _words(data, piece)
        word_count = len(words)
        index = acc = count = 0
        predictions = [0] * len(parts)
        for mcu in range(first, end):
            mcu_y, mcu_x = divmod(mcu, mcus_x)
            for number, part, row_step, h, offsets in plan:
                base = mcu_y * row_step + mcu_x * h
                dc = part.component.dc
                lookup = part.dc_lookup
                for offset in offsets:
                    if count < 32:
                        if index >= word_count:
                            raise _truncated(name)
                        acc = ((acc & 0xFFFFFFFF) << 32) | words[index]
                        index += 1
                        count += 32
                    entry = lookup[(acc >> (count - 16)) & 0xFFFF]
                    if not entry:
                        raise JPEGError("%s: corrupt data: invalid Huffman code (DC)" % name)
                    count -= entry >> 8
                    size = entry & 255
                    if size:
                        count -= size
                        value = (acc >> count) & masks[size]
                        if value < 1 << (size - 1):
                            value -= masks[size]
                        predictions[number] += value
                    dc[base + offset] = predictions[number] << low_bit
        if 32 * index - count > real_bits:
            raise _truncated(name)


def decode_dc_refine(data: bytes, pieces: list[tuple[int, int]], restart_interval: int, mcus_x: int, mcu_total: int,
                     parts: list[ScanPart], low_bit: int, name: str) -> None:
    """Progressive DC refinement: one raw bit per block, bit ``low_bit`` of the DC.

    No Huffman coding here, so the bits are simply taken in order from the
    binary digits of the whole interval (``bin`` of it as one integer).
    """
    bit = 1 << low_bit
    plan = _mcu_plan(parts)
    blocks_per_mcu = sum(len(offsets) for _, _, _, _, offsets in plan)
    for piece, first, end in _intervals(data, pieces, restart_interval, mcu_total, name):
        raw = data[piece[0]:piece[1]].replace(b"\xff\x00", b"\xff")
        digits = bin(int.from_bytes(b"\x01" + raw, "big"))[3:]  # the 1 keeps leading zeros
        if len(digits) < (end - first) * blocks_per_mcu:
            raise _truncated(name)
        position = 0
        for mcu in range(first, end):
            mcu_y, mcu_x = divmod(mcu, mcus_x)
            for _, part, row_step, h, offsets in plan:
                base = mcu_y * row_step + mcu_x * h
                dc = part.component.dc
                for offset in offsets:
                    if digits[position] == "1":
                        dc[base + offset] |= bit
                    position += 1


def _block(component, index):
    block = component.blocks[index]
    if block is None:
        block = component.blocks[index] = [0] * 64
    return block


def decode_ac_first(data: bytes, pieces: list[tuple[int, int]], restart_interval: int, mcus_x: int, mcu_total: int,
                    part: ScanPart, start: int, stop: int, low_bit: int, name: str) -> None:
    """Progressive AC scan, first pass: coefficients ``start``..``stop`` (Ss..Se)
    of one component, each shifted left by ``low_bit``; EOB runs skip blocks."""
    zigzag = ZIGZAG
    component = part.component
    lookup = part.ac_lookup
    assert lookup is not None  # an AC scan has its AC table (jpeg._scan)
    for piece, first, end in _intervals(data, pieces, restart_interval, mcu_total, name):
        reader = BitReader(data, piece, name)
        eob_run = 0
        mcu = first
        while mcu < end:
            if eob_run:
                # Skip the whole run at once: the work stays proportional to
                # the data, even when a few bits claim 32767 empty blocks.
                skip = min(eob_run, end - mcu)
                eob_run -= skip
                mcu += skip
                continue
            mcu_y, mcu_x = divmod(mcu, mcus_x)
            mcu += 1
            block = _block(component, mcu_y * part.blocks_per_line + mcu_x)
            k = start
            while k <= stop:
                symbol = reader.symbol(lookup)
                run, size = symbol >> 4, symbol & 15
                if size:
                    k += run
                    if k > stop:
                        raise JPEGError("%s: corrupt data: coefficient beyond the scan's "
                                        "band" % name)
                    block[zigzag[k]] = reader.value(size) << low_bit
                    k += 1
                elif run == 15:
                    k += 16
                else:
                    eob_run = (1 << run) + reader.bits(run) - 1
                    break
        reader.check_end()


def _untouched(blocks, mcu, limit, mcus_x, per_line):
    """How many of the ``limit`` blocks from MCU ``mcu`` on (one block an MCU,
    ``mcus_x`` a row, ``per_line`` apart in ``blocks``) have no coefficients
    yet (None): counted a row at a time with ``list.count``, in C."""
    skipped = 0
    while skipped < limit:
        row, column = divmod(mcu + skipped, mcus_x)
        length = min(mcus_x - column, limit - skipped)
        start = row * per_line + column
        segment = blocks[start:start + length]
        empty = segment.count(None)
        if empty == length:
            skipped += length
            continue
        for block in segment:  # the first one that has coefficients ends the count
            if block is not None:
                return skipped
            skipped += 1
    return skipped


def _refine_nonzero(reader, block, position, bit):
    """A refinement bit for a coefficient already nonzero: it gains ``bit``
    (away from zero) if the bit is 1 and it does not have it yet."""
    if reader.bits(1):
        value = block[position]
        if value & bit == 0:
            block[position] = value + bit if value >= 0 else value - bit


def decode_ac_refine(data: bytes, pieces: list[tuple[int, int]], restart_interval: int, mcus_x: int, mcu_total: int,
                     part: ScanPart, start: int, stop: int, low_bit: int, name: str) -> None:
    """Progressive AC refinement (T.81 G.1.2.3): one more bit of precision.

    Coefficients that are already nonzero get a correction bit each, in
    order.  Coefficients still zero are coded like a first pass, except
    that a newly nonzero one can only be +-1 (shifted by ``low_bit``), and
    the zero run counts only coefficients that are still zero: the
    correction bits of nonzero ones sit in between.
    """
    zigzag = ZIGZAG
    component = part.component
    lookup = part.ac_lookup
    assert lookup is not None  # an AC scan has its AC table (jpeg._scan)
    bit = 1 << low_bit
    for piece, first, end in _intervals(data, pieces, restart_interval, mcu_total, name):
        reader = BitReader(data, piece, name)
        eob_run = 0
        mcu = first
        while mcu < end:
            if eob_run:
                # Blocks still all zero have nothing to refine: skip them in bulk.
                skip = _untouched(component.blocks, mcu, min(eob_run, end - mcu), mcus_x,
                                  part.blocks_per_line)
                if skip:
                    eob_run -= skip
                    mcu += skip
                    continue
            mcu_y, mcu_x = divmod(mcu, mcus_x)
            mcu += 1
            block = _block(component, mcu_y * part.blocks_per_line + mcu_x)
            k = start
            if not eob_run:
                while k <= stop:
                    symbol = reader.symbol(lookup)
                    run, size = symbol >> 4, symbol & 15
                    value = 0
                    if size:
                        # size must be 1; like libjpeg, take any other as 1.
                        value = bit if reader.bits(1) else -bit
                    elif run != 15:
                        eob_run = 1 << run
                        if run:
                            eob_run += reader.bits(run)
                        break
                    # Skip `run` still-zero coefficients, refining nonzero ones.
                    while k <= stop:
                        position = zigzag[k]
                        if block[position]:
                            _refine_nonzero(reader, block, position, bit)
                        else:
                            if run == 0:
                                break
                            run -= 1
                        k += 1
                    if value:
                        if k > stop:
                            raise JPEGError("%s: corrupt data: coefficient beyond the scan's "
                                            "band" % name)
                        block[zigzag[k]] = value
                    k += 1
            if eob_run:
                # The rest of the band has no new coefficients, only
                # correction bits for the nonzero ones.
                if any(block):
                    for position in zigzag[k:stop + 1]:
                        if block[position]:
                            _refine_nonzero(reader, block, position, bit)
                eob_run -= 1
        reader.check_end()


if __name__ == "__main__":
    import doctest
    doctest.testmod()
