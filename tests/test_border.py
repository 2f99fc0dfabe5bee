"""Tests for nrnn/image/border.py: scenery hugging the border, a digit reaching in."""

import unittest

from nrnn.image import border


class Scenery(unittest.TestCase):
    def test_strips_along_the_edge_are_scenery_a_digit_cut_by_the_frame_is_not(self):
        mask = [[0] * 100 for _ in range(80)]
        for y in range(80):
            mask[y][0:5] = [1] * 5          # a strip of table down the left edge
        for y in range(0, 50):
            mask[y][60:64] = [1] * 4        # a stroke from the top edge into the picture
        for y in range(30, 40):
            mask[y][30:34] = [1] * 4        # a stroke in the middle
        scenery = border.scenery(mask, band=8)
        self.assertEqual([sum(row[0:5]) for row in scenery], [5] * 80)
        self.assertEqual(sum(sum(row[5:]) for row in scenery), 0)


if __name__ == "__main__":
    unittest.main()
