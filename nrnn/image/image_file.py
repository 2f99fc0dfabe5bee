"""Image files told apart by their content: PNG or JPEG, whatever the name.

A file's name can lie (a phone calls a PNG screenshot ``IMG_0042.JPG``, a
messenger saves a JPEG as ``image.png``), its first bytes cannot: every
format starts with a fixed *signature*.

    PNG:   89 50 4E 47 0D 0A 1A 0A   ("\\x89PNG\\r\\n\\x1a\\n")
    JPEG:  FF D8 FF                  (start-of-image, then the first marker)

``decode_image`` looks at them and hands the bytes to ``nrnn/image/png.py`` or
``nrnn/image/jpeg.py``; anything else is refused with an error that names the
formats nrnn reads.  Both decoders return the same ``Image`` (8-bit RGBA),
so everything after this point is the same for every format.

>>> from nrnn.image.png import encode_gray8
>>> image = decode_image(encode_gray8(2, 1, bytes([0, 255])), "dot.jpg")
>>> image.width, image.height, image_format(encode_gray8(2, 1, bytes(2)))
(2, 1, 'PNG')
>>> decode_image(b"GIF89a...", "cat.gif")
Traceback (most recent call last):
  ...
nrnn.errors.ImageError: cat.gif: not a PNG or JPEG image (it starts with b'GIF89a..'); save it as PNG or JPEG
"""

from typing import Optional, Union

from nrnn.errors import ImageError
from nrnn.image import png
from nrnn.image.png import Image

# The JPEG decoder (jpeg.py and the five modules it imports) is loaded only
# when a JPEG comes: a drawing saved as PNG, the usual case, does not pay
# for it (a tenth of PyPy's start-up imports).

#: JPEG's signature (``nrnn.image.jpeg.SIGNATURE``), here so that telling
#: the formats apart does not load the decoder.
_JPEG_SIGNATURE = b"\xff\xd8\xff"

__all__ = ["FORMATS", "image_format", "image_size", "decode_image"]

#: What nrnn reads, as said in error messages and help texts.
FORMATS = "PNG or JPEG"


def image_format(data: bytes) -> Optional[str]:
    """``"PNG"``, ``"JPEG"``, or None when ``data`` starts with neither signature."""
    if data.startswith(png.SIGNATURE):
        return "PNG"
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    return None


def image_size(data: bytes) -> Optional[tuple[int, int]]:
    """(width, height) as stored in the header, read without decoding; None
    if the format or its header is not recognised (``decode_image`` then
    says what is wrong)."""
    kind = image_format(data)
    if kind == "PNG":
        return png.png_size(data)
    if kind == "JPEG":
        from nrnn.image import jpeg
        return jpeg.jpeg_size(data)
    return None


def decode_image(data: Union[bytes, bytearray, memoryview], name: str = "<bytes>", max_pixels: int = png.MAX_PIXELS,
                 reduce_to: int = 0) -> Image:
    """Decode a PNG or JPEG file held in ``data``, by its signature.

    ``max_pixels`` bounds the decoded image.  ``reduce_to`` > 0 lets a big
    JPEG be decoded at 1/2, 1/4 or 1/8 of its size, as long as its shorter
    side keeps at least ``reduce_to`` pixels (the DCT makes that nearly free;
    see ``nrnn/image/jpeg.py``); a PNG is always decoded whole.  A JPEG comes out
    turned the way its EXIF orientation says, as a photo viewer shows it.

    Raises ``PNGError`` or ``JPEGError`` for a broken file of that format,
    ``ImageError`` for anything that is neither.
    """
    data = bytes(data)
    kind = image_format(data)
    if kind == "PNG":
        return png.decode(data, name, max_pixels)
    if kind == "JPEG":
        from nrnn.image import jpeg
        return jpeg.decode(data, name, max_pixels, reduce_to=reduce_to)
    if not data:
        raise ImageError("%s: the file is empty: not a %s image" % (name, FORMATS))
    raise ImageError("%s: not a %s image (it starts with %r); save it as PNG or JPEG"
                     % (name, FORMATS, data[:8]))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
