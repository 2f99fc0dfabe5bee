"""From a decoded colour picture to gray levels: paper behind, then luma.

The decoders (png.py, jpeg.py) give 8-bit RGBA and stop there; what the
colours mean for a digit is decided here.  Two steps, both in integers:

1. A see-through pixel shows the paper behind it, so it is first
   composited over white, channel by channel, with rounded division::

       c' = (c A + 255 (255 - A) + 127) // 255

   White is the right paper: a transparent canvas with black strokes then
   looks exactly as it did on screen.  (preprocess.py chooses black paper
   instead for light strokes on a see-through canvas.)
2. The gray level is the ITU-R 601-2 luma, the eye's weighting of red,
   green and blue, rounded half up::

       L = (299 R' + 587 G' + 114 B' + 500) // 1000

>>> from nrnn.image.png import Image
>>> gray8(Image(2, 1, bytes([255, 0, 0, 255,  0, 0, 0, 0])))    # opaque red, see-through black
b'L\\xff'
>>> list(gray8(Image(1, 1, bytes([0, 0, 0, 128]))))             # half see-through black: mid gray
[127]
"""

from nrnn.image.png import Image


def gray8(image: Image) -> bytes:
    """One gray byte per pixel (``width * height`` bytes, row-major): the
    pixels composited over white, then their luma (module docstring)."""
    rgba = image.rgba
    # bytearrays: compositing (below) changes them in place.
    red, green, blue = bytearray(rgba[0::4]), bytearray(rgba[1::4]), bytearray(rgba[2::4])
    alpha = rgba[3::4]
    if alpha.count(255) != len(alpha):
        # Composite over white.  Only pixels with A < 255 change.
        for index, a in enumerate(alpha):
            if a != 255:
                white = 255 * (255 - a) + 127
                red[index] = (red[index] * a + white) // 255
                green[index] = (green[index] * a + white) // 255
                blue[index] = (blue[index] * a + white) // 255
    if red == green == blue:
        # Gray image: 299+587+114 = 1000 so L = R exactly; skip the maths.
        return bytes(red)
    return bytes(
        (299 * r + 587 * g + 114 * b + 500) // 1000 for r, g, b in zip(red, green, blue)
    )


if __name__ == "__main__":
    import doctest
    doctest.testmod()
