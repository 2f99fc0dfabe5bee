"""A thumb holding the sheet (``reaching_in`` in nrnn/image/pen_and_thumb.py;
the retry without it in nrnn/image/ink.py).

People photograph a note held in their hand, and a thumb or a finger
reaches in from the edge.  Skin is darker than paper, a faint digit's
pencil hardly so: the thumb sets the threshold and only bits of the digit
stand above it, or a lit thumb's rounded rim is read as strokes.  Broad
pieces reaching in from the border that hold most of the ink are set aside
and the threshold is measured again without them, as for a pen.
"""

import math
import unittest

from bench import people_digits as pd
from nrnn.image import ink, morphology, pen_and_thumb
from tests import photos
from tests.test_ink import rows_of

#: thumb_at_the_edge draws its digit in (60, 50)-(110, 140).
DIGIT_BOX = (60, 50, 110, 140)


def drawn(width, height, level):
    """A gray plane ``level(x, y)`` with a faint fixed grain (+-2 levels)."""
    return [[level(x, y) + (x * 7 + y * 13) % 5 - 2 for x in range(width)] for y in range(height)]


def covered(layer):
    """The (x, y) pixels a benchmark layer (an ``Ink``) covers over half."""
    return [(layer.left + i % layer.width, layer.top + i // layer.width)
            for i, c in enumerate(layer.cover) if c > 0.5]


def pieces_of(rows):
    """The components of a 0/1 mask, each pixel weighing 10 (as ink would)."""
    return morphology.components(rows, [[10.0 * v for v in row] for row in rows])


class Thumbs(unittest.TestCase):
    def mask(self):
        rows = [[0] * 100 for _ in range(80)]
        for y in range(0, 30):          # a finger 14 wide, from the top edge
            rows[y][60:74] = [1] * 14
        for y in range(30, 60):         # a digit's stroke, 2 wide, inside
            rows[y][30:32] = [1] * 2
        return rows

    def test_a_broad_piece_from_the_edge_is_a_thumb(self):
        rows = self.mask()
        bright = [[255.0 * v for v in row] for row in rows]
        thumbs = pen_and_thumb.reaching_in(bright, pieces_of(rows), 100.0, 81, 6)
        self.assertEqual([(piece.left, piece.top, piece.right, piece.bottom) for piece in thumbs],
                         [(60, 0, 73, 29)])

    def test_a_stroke_the_frame_cuts_is_none(self):
        rows = self.mask()
        for y in range(0, 30):
            rows[y][60:74] = [0] * 10 + [1] * 4   # 4 wide: under THUMB_WIDE of 80,
        for y in range(26, 30):
            rows[y][50:70] = [1] * 20             # and bent (a straight one is a pen)
        bright = [[255.0 * v for v in row] for row in rows]
        self.assertEqual(pen_and_thumb.reaching_in(bright, pieces_of(rows), 100.0, 81, 6), [])

    def test_a_thumb_with_less_ink_than_the_rest_is_none(self):
        rows = self.mask()
        for y in range(30, 60):
            rows[y][20:50] = [1] * 30             # a blot far heavier than the finger
        bright = [[255.0 * v for v in row] for row in rows]
        self.assertEqual(pen_and_thumb.reaching_in(bright, pieces_of(rows), 100.0, 81, 6), [])


class ThumbBesideAFaintDigit(unittest.TestCase):
    # Before, the box was the thumb's: (137, 0, 175, 65) for the lit one,
    # whose middle the opening kept as paper and whose rim was the ink,
    # and (0, 96, 59, 141) for the one from the left.
    def test_the_digit_is_found_not_the_thumb(self):
        for thumb, skin, rim in (((150, -10, 160, 50, 15), 170.0, 0.4), ((-10, 130, 45, 110, 14), 150.0, 0.3)):
            for digit in (0, 3, 7):
                for darkness in (0.12, 0.2):
                    with self.subTest(thumb=thumb, digit=digit, darkness=darkness):
                        image = photos.thumb_at_the_edge(digit, thumb=thumb, darkness=darkness, skin=skin,
                                                         rim=rim, pen=2.5)
                        found = ink.find_ink(rows_of(image))
                        left, top, right, bottom = found.box
                        self.assertTrue(53 <= left and 43 <= top and right <= 117 and bottom <= 147, found.box)

    def test_the_step_says_so(self):
        image = photos.thumb_at_the_edge(3, thumb=(150, -10, 160, 50, 15), darkness=0.12, skin=170.0, rim=0.4,
                                         pen=2.5)
        names = [name for name, _ in ink.find_ink(rows_of(image)).stages]
        self.assertTrue(any("the thumb set aside" in name for name in names), names)


class FatDigitCutByTheFrame(unittest.TestCase):
    def test_a_mark_in_its_box_is_not_a_digit_beside_a_thumb(self):
        # A fat ring cut by the frame's corner is broad, reaches in from
        # the border and holds most of the ink, as a thumb would; a mark
        # inside it is all that is found without it.  A thumb holds the
        # sheet beside the digit, never round it: the ring is the digit.
        # (Before this rule, a sliver of a fat 9 cropped tight was read.)
        def level(x, y):
            if 24 <= x <= 26 and 20 <= y <= 42:
                return 140.0
            return 80.0 if 31 <= math.hypot(x - 30, y - 30) <= 45 else 200.0
        self.assertEqual(ink.find_ink(drawn(140, 120, level)).box, (0, 0, 75, 75))


class BenchmarkThumb(unittest.TestCase):
    def test_the_thumb_reaches_in_from_the_edge_short_of_the_digit(self):
        rng = pd.PCG32(7, 11)
        width, height = 400, 300
        digit = (150, 100, 230, 210)
        for _ in range(20):
            layers = pd._thumb(rng, (200.0, 200.0, 200.0), digit, width, height)
            self.assertEqual(len(layers), 2)  # skin, and its roundness
            skin = covered(layers[0][0])
            self.assertTrue(skin)
            self.assertTrue(any(x in (0, width - 1) or y in (0, height - 1) for x, y in skin))
            clear = 0.03 * height
            self.assertFalse(any(digit[0] - clear <= x <= digit[2] + clear and digit[1] - clear <= y <= digit[3] + clear
                                 for x, y in skin))
            self.assertLess(pd._luma(layers[0][1]), 0.76 * 255)  # as seen, darker than the paper


if __name__ == "__main__":
    unittest.main()
