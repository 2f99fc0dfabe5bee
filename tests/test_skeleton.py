"""Tests for nrnn/image/skeleton.py: thinning to a one-pixel skeleton and redrawing
strokes at MNIST's pen width."""

import random
import unittest

from nrnn.image.skeleton import SCALE, redraw, thin

NEIGHBOURS = ((0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1))


def plain_thin(mask, width, height):
    """Zhang-Suen as thin's docstring states it, pixel by pixel, with
    bounds checks: the reference the fast thin must match."""
    ink = list(mask)

    def value(x, y):
        return 1 if 0 <= x < width and 0 <= y < height and ink[y * width + x] else 0

    changed = True
    while changed:
        changed = False
        for first_pass in (True, False):
            remove = []
            for index, is_ink in enumerate(ink):
                if not is_ink:
                    continue
                y, x = divmod(index, width)
                p = [value(x + dx, y + dy) for dx, dy in NEIGHBOURS]  # P2 .. P9
                if not 2 <= sum(p) <= 6:
                    continue
                if sum(1 for k in range(8) if p[k] == 0 and p[(k + 1) % 8] == 1) != 1:
                    continue
                p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
                if first_pass and (p2 * p4 * p6 or p4 * p6 * p8):
                    continue
                if not first_pass and (p2 * p4 * p8 or p2 * p6 * p8):
                    continue
                remove.append(index)
            for index in remove:
                ink[index] = False
            changed = changed or bool(remove)
    return [bool(v) for v in ink]


def mask_from(rows):
    """A mask from strings, '#' = ink."""
    return [c == "#" for row in rows for c in row], len(rows[0]), len(rows)


def as_rows(mask, width):
    return ["".join("#" if v else "." for v in mask[i:i + width]) for i in range(0, len(mask), width)]


class ThinTest(unittest.TestCase):
    def test_the_same_skeleton_as_the_plain_reading(self):
        # Blobs and strokes of random sizes, touching the edges too, on
        # images from 1 x 1 up: every pixel as the plain definition says.
        rng = random.Random(7)
        for _ in range(300):
            width, height = rng.randint(1, 30), rng.randint(1, 30)
            density = rng.choice([0.2, 0.5, 0.8, 1.0])
            mask = [rng.random() < density for _ in range(width * height)]
            self.assertEqual(thin(mask, width, height), plain_thin(mask, width, height), (width, height))

    def test_a_thick_bar_thins_to_its_middle_line(self):
        mask, width, height = mask_from(["........",
                                         ".######.",
                                         ".######.",
                                         ".######.",
                                         "........"])
        skeleton = as_rows(thin(mask, width, height), width)
        self.assertEqual(skeleton[1], "........")
        self.assertEqual(skeleton[3], "........")
        self.assertIn("###", skeleton[2])  # (Zhang-Suen also shortens the ends a little)

    def test_a_ring_stays_a_closed_ring(self):
        # Thinning never breaks a stroke: the skeleton of a thick ring still
        # encloses its hole (no path of background from the hole to the edge).
        rows = []
        for y in range(11):
            rows.append("".join("#" if 9 <= (x - 5) ** 2 + (y - 5) ** 2 <= 25 else "." for x in range(11)))
        mask, width, height = mask_from(rows)
        skeleton = thin(mask, width, height)
        self.assertLess(sum(skeleton), sum(mask))
        self.assertFalse(skeleton[5 * width + 5])
        seen, todo = set(), [(5, 5)]
        while todo:  # flood the background from the centre, 4-connected
            x, y = todo.pop()
            if (x, y) in seen or not (0 <= x < width and 0 <= y < height) or skeleton[y * width + x]:
                continue
            seen.add((x, y))
            todo.extend([(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)])
        self.assertNotIn((0, 0), seen)

    def test_an_already_thin_line_is_kept(self):
        mask, width, height = mask_from([".....",
                                         ".###.",
                                         "....."])
        self.assertEqual(thin(mask, width, height), mask)


class RedrawTest(unittest.TestCase):
    def bar(self, thickness):
        inputs = [0.0] * 784
        left = 14 - thickness // 2
        for y in range(4, 24):
            inputs[28 * y + left:28 * y + left + thickness] = [1.0] * thickness
        return inputs

    def ink_width(self, inputs, row=14):
        return sum(inputs[28 * row:28 * row + 28])

    def test_thin_and_thick_strokes_come_out_near_mnists_width(self):
        # 1- to 8-pixel strokes all come out 2 to 4 pixels wide (MNIST's are
        # 2-3).  Not exactly equal: the recipe rescales each digit's box to
        # 20 pixels, and thinning shortens a thick bar's ends a little more.
        for thickness in (1, 2, 6, 8):
            width = self.ink_width(redraw(self.bar(thickness)))
            self.assertTrue(2.0 - 1e-9 <= width <= 4.0, (thickness, width))
        self.assertAlmostEqual(self.ink_width(redraw(self.bar(2))), 3.0)

    def test_the_redrawn_digit_is_prepared_the_mnist_way(self):
        redrawn = redraw(self.bar(6))
        rows = [y for y in range(28) if any(redrawn[28 * y:28 * y + 28])]
        self.assertEqual(len(rows), 20)   # the longer side fills the 20-pixel box
        self.assertTrue(all(0.0 <= v <= 1.0 for v in redrawn))

    def test_inputs_without_strokes_come_back_unchanged(self):
        faint = [0.2] * 784
        self.assertEqual(redraw(faint), faint)
        self.assertEqual(SCALE, 2)


if __name__ == "__main__":
    unittest.main()
