"""EXIF orientation: how a phone says "this photo is stored on its side".

A phone's camera sensor has one "up".  When the phone is held any other
way, it does not rotate the pixels; it stores them as the sensor saw them
and writes an *orientation* tag (EXIF tag 0x0112) saying how a viewer must
turn them.  Ignoring the tag shows portrait photos lying on their side, and
a digit lying on its side is a different digit (or none).

The eight values name where the stored image's first row and first
column belong on screen::

    1  as stored                       5  transpose (mirror along the
    2  mirror left-right                  top-left to bottom-right diagonal)
    3  rotate 180 degrees              6  rotate 90 degrees clockwise
    4  mirror top-bottom               7  transverse (the other diagonal)
                                       8  rotate 90 degrees anticlockwise

Values 5 to 8 swap width and height.

The tag lives in the APP1 segment of a JPEG: ``Exif\\0\\0`` then a small
TIFF file: a byte-order mark (``II`` little-endian or ``MM`` big-endian),
the number 42, the offset of the first *IFD* (image file directory): a
count, then 12-byte entries ``tag, type, count, value``.  Orientation is a
SHORT (type 3) in IFD0.  Anything malformed means "no orientation" (1): a
damaged EXIF block should not stop a photo from being read.

>>> header = b"MM\\x00\\x2a\\x00\\x00\\x00\\x08"         # big-endian, 42, IFD0 at 8
>>> entry = b"\\x01\\x12\\x00\\x03\\x00\\x00\\x00\\x01\\x00\\x06\\x00\\x00"   # 0x0112, SHORT, 1, 6
>>> tiff = header + b"\\x00\\x01" + entry                    # IFD0: one entry
>>> exif_orientation(b"Exif\\x00\\x00" + tiff)
6
>>> pixels = bytes(range(24))             # 3 x 2 RGBA pixels: 0 1 2 / 3 4 5
>>> width, height, turned = orient_rgba(3, 2, pixels, 6)
>>> width, height, [turned[i] // 4 for i in range(0, 24, 4)]   # 3 0 / 4 1 / 5 2
(2, 3, [3, 0, 4, 1, 5, 2])
"""

import array
import struct

__all__ = ["exif_orientation", "orient_rgba", "oriented_size"]

ORIENTATION_TAG = 0x0112

# An array type code whose items are 4 bytes: one RGBA pixel each.
_PIXEL = next(code for code in "IL" if array.array(code).itemsize == 4)


def exif_orientation(payload: bytes) -> int:
    """The orientation (1..8) in an APP1 payload, 1 when absent or malformed."""
    if not payload.startswith(b"Exif\x00"):
        return 1
    tiff = payload[6:]
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        return 1
    if len(tiff) < 8 or struct.unpack(order + "H", tiff[2:4])[0] != 42:
        return 1
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return 1
    (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
    # Never trust the count: only entries that are really there are read.
    for entry in range(min(count, (len(tiff) - ifd - 2) // 12)):
        start = ifd + 2 + 12 * entry
        tag, kind = struct.unpack(order + "HH", tiff[start:start + 4])
        if tag == ORIENTATION_TAG:
            if kind == 3:  # SHORT: the value sits in the first 2 bytes of the field
                (value,) = struct.unpack(order + "H", tiff[start + 8:start + 10])
            elif kind == 4:  # LONG, seen in some files
                (value,) = struct.unpack(order + "I", tiff[start + 8:start + 12])
            else:
                return 1
            return value if 1 <= value <= 8 else 1
    return 1


def oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """(width, height) as a viewer shows the image."""
    return (height, width) if orientation >= 5 else (width, height)


def orient_rgba(width: int, height: int, rgba: bytes, orientation: int) -> tuple[int, int, bytes]:
    """Turn ``width`` x ``height`` RGBA pixels the way ``orientation`` says.

    Returns (new width, new height, new pixels).  Each pixel is moved as
    one 4-byte array item; rows are array slices, columns extended slices
    (``pixels[x::width]``), so no Python loop runs per pixel.
    """
    if orientation not in range(2, 9):
        return width, height, rgba
    pixels = array.array(_PIXEL)
    pixels.frombytes(rgba)
    if orientation == 3:
        return width, height, pixels[::-1].tobytes()
    if orientation in (2, 4):
        rows = [pixels[y * width:(y + 1) * width] for y in range(height)]
        if orientation == 2:
            rows = [row[::-1] for row in rows]
        else:
            rows.reverse()
        return width, height, b"".join(row.tobytes() for row in rows)
    # 5-8: each output row is a stored column.
    columns = range(width) if orientation in (5, 6) else range(width - 1, -1, -1)
    upward = orientation in (6, 7)  # the column is read bottom to top
    rows = [pixels[x::width][::-1] if upward else pixels[x::width] for x in columns]
    return height, width, b"".join(row.tobytes() for row in rows)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
