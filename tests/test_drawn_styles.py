"""Tests for nrnn/train/drawn_styles.py: every style renders as an MNIST-like input,
the styles differ where they should, and each sample consumes a fixed number
of random draws."""

import itertools
import unittest

from nrnn.net.prng import PCG32
from nrnn.train.drawn_styles import DRAWS_PER_SAMPLE, STYLES, draw_choice, maybe_replace, render_style, style_strokes

MIDDLE = [0.5] * DRAWS_PER_SAMPLE  # no slant, turn, bend; medium width and pen


def choice_for(digit, style, base=MIDDLE):
    """A choice that picks style number ``style`` of ``digit``."""
    choice = list(base)
    choice[1] = (style + 0.5) / len(STYLES[digit])
    return choice


def ink(pixels, row, column):
    return pixels[28 * row + column]


class DrawnStylesTest(unittest.TestCase):
    def test_every_style_is_an_mnist_like_input(self):
        rng = PCG32(7)
        for digit, styles in STYLES.items():
            for number, (name, _) in enumerate(styles):
                with self.subTest(style=name):
                    for _ in range(3):
                        pixels = render_style(digit, choice_for(digit, number, draw_choice(rng)))
                        self.assertEqual(len(pixels), 784)
                        self.assertEqual(max(pixels), 1.0)
                        self.assertGreaterEqual(min(pixels), 0.0)
                        # MNIST's frame: the digit fits a 20 x 20 box, 4 pixels of margin.
                        rows = [r for r in range(28) if any(ink(pixels, r, c) for c in range(28))]
                        columns = [c for c in range(28) if any(ink(pixels, r, c) for r in range(28))]
                        self.assertLessEqual(rows[-1] - rows[0] + 1, 20)
                        self.assertLessEqual(columns[-1] - columns[0] + 1, 20)

    def test_the_styles_differ_where_they_should(self):
        # Unvaried (MIDDLE): the slash of a 0 crosses its middle; a closed-top
        # 4 has ink up and left of where an open-top 4's left stroke begins...
        zero = render_style(0, choice_for(0, 0))
        self.assertGreater(ink(zero, 14, 14), 0.5)
        open_four, closed_four = render_style(4, choice_for(4, 0)), render_style(4, choice_for(4, 1))
        self.assertGreater(ink(open_four, 7, 12), 0.5)    # the open 4's left stroke, at the top
        self.assertEqual(ink(closed_four, 7, 12), 0.0)    # the closed 4 has none there
        crossed, flagged = render_style(7, choice_for(7, 1)), render_style(7, choice_for(7, 0))

        def widest_lower_row(pixels):  # inked pixels in the widest row below the top bar
            return max(sum(ink(pixels, r, c) > 0.5 for c in range(28)) for r in range(15, 24))
        self.assertGreaterEqual(widest_lower_row(crossed), 9)   # the bar across the stem
        self.assertLessEqual(widest_lower_row(flagged), 5)      # a stem only

    def test_every_habit_varies_and_stays_on_the_canvas(self):
        # The extreme shape draws (each 0 or 1): the drawing changes between
        # them, and no point leaves the unit box by more than the tenth that
        # render_style's margin (a fifth of the canvas) leaves for slant and turn.
        corners = list(itertools.product((0.0, 0.999), repeat=4))
        for _digit, styles in STYLES.items():
            for name, habit in styles:
                with self.subTest(style=name):
                    drawings = [habit(*corner) for corner in corners]
                    self.assertGreaterEqual(len({repr(drawing) for drawing in drawings}), 4)
                    points = [p for drawing in drawings for stroke in drawing for p in stroke]
                    self.assertGreaterEqual(min(min(p) for p in points), -0.1)
                    self.assertLessEqual(max(max(p) for p in points), 1.1)

    def test_the_shape_draws_set_what_their_docstrings_say(self):
        def height(strokes):
            ys = [y for x, y in strokes[0]]
            return max(ys) - min(ys)
        small_six, big_six = STYLES[6][1][1](0.0, 0.5, 0.5, 0.0), STYLES[6][1][1](0.999, 0.5, 0.5, 0.0)
        loop_small, loop_big = height([small_six[0][1:]]), height([big_six[0][1:]])
        self.assertLess(loop_small, 0.45)     # under half the 0.9 of the digit's height
        self.assertGreater(loop_big, 0.65)    # about three quarters of it
        short, long = STYLES[1][0][1](0.0, 0.5, 0.5, 0.5), STYLES[1][0][1](0.999, 0.5, 0.5, 0.5)
        self.assertLess(long[0][0][0], short[0][0][0] - 0.2)  # the long flag reaches further left
        # style_strokes picks the habit by choice[1] and shapes it by choice[10:14].
        choice = choice_for(1, 0)
        choice[10:14] = [0.999, 0.5, 0.5, 0.5]
        self.assertEqual(style_strokes(1, choice), long)

    def test_a_fixed_number_of_draws_and_determinism(self):
        rng, reference = PCG32(3, 9), PCG32(3, 9)
        for _ in range(10):
            choice = draw_choice(rng)
            self.assertEqual(len(choice), DRAWS_PER_SAMPLE)
            for _ in range(2 * DRAWS_PER_SAMPLE):  # a uniform is two 32-bit draws
                reference.next_u32()
            self.assertEqual(rng.state, reference.state)
        self.assertEqual(render_style(7, draw_choice(PCG32(4))), render_style(7, draw_choice(PCG32(4))))
        self.assertNotEqual(render_style(7, draw_choice(PCG32(4))), render_style(7, draw_choice(PCG32(5))))

    def test_replacement_keeps_the_label_and_the_rate(self):
        original = [0.0] * 784
        never = list(MIDDLE)
        never[0] = 0.99
        self.assertIs(maybe_replace(original, 4, never, 0.5), original)
        always = list(MIDDLE)
        always[0] = 0.01
        self.assertEqual(maybe_replace(original, 4, always, 0.5), render_style(4, always))
        self.assertIs(maybe_replace(original, 4, always, 0.0), original)


if __name__ == "__main__":
    unittest.main()
