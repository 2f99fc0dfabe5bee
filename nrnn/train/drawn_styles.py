"""Digits drawn in the styles MNIST has few of, to mix into training.

MNIST was written in the early 1990s by American census employees and
students, and it shows: its 4s are mostly open at the top, its 7s have no
bar across, its 1s are mostly a single stroke.  People elsewhere write a 4
closed at the top (and the network then reads a 9), a 7 crossed or with a
long flag, a 1 with a long flag and a foot, a 0 with a slash or a dot, a 6
with a flat top (read as a 5), a 2 with a loop, a 3 with a flat top, an 8
as two loops one on the other.  Drawing those with our own pen
(``strokes.py``) and mixing a few into training shows the network that they
exist.

A style is not one drawing but a *habit*: a function of four numbers in
[0, 1) (the shape draws ``a, b, c, d``) that returns strokes in the unit box
(x right, y down, 0..1), built from lines and elliptic arcs.  The shape
draws set what differs from one writer to the next within the habit: how
long the flag of a 1 is and how steep, how wide its foot, where the bar of
a 7 crosses, how big the loop of a 2 or a 6 is, whether the stem of a 4
rises above its top.  Tuning the drawings to one benchmark's would teach
the network that benchmark; many writers' versions of each habit teach it
the habit.  Then every sample varies the whole drawing too:

    pen lift   strokes after the first move by (dx, dy), |dx|, |dy| <= LIFT
               (a pen put down again does not land where it left off)
    slant      x += slant (y - 0.5)            (italics, either way)
    rotation   a small turn about the centre
    width      x about the centre scaled by a factor (narrow or wide digits)
    wobble     x += a sin(2 pi (y + p)), y += b sin(2 pi (x + q))
               (a hand is not a ruler: gentle bends of the strokes)
    pen        the pen's width

then renders it at ``CANVAS`` x ``CANVAS`` pixels with ``strokes.render``
and brings it to 28 x 28 by MNIST's own recipe (``preprocess.to_mnist``:
crop, scale the longer side to 20 pixels, centre the mass), exactly as a
user's drawing is prepared.  The test set is never touched: these digits
only replace some training images (of the same label), so the class balance
and the number of samples an epoch stay as they were.

Like augment.py, every sample consumes the same number of random draws
(``DRAWS_PER_SAMPLE`` uniforms), used or not, so a resumed epoch replays
exactly.  (Unlike augment.py's distortions, a drawn digit may differ in the
last bit between CPython 3.10+ and CPython 3.9 or PyPy: ``strokes.render``
measures distances with ``math.hypot``, which CPython 3.10 made more
accurate.  On one interpreter it is the same, run after run.)

>>> sorted(STYLES)
[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
>>> [name for name, _ in STYLES[4]]
['open-top 4', 'closed-top 4']
>>> sum(len(styles) for styles in STYLES.values())
17
>>> from nrnn.net.prng import PCG32
>>> choice = draw_choice(PCG32(3))
>>> pixels = render_style(4, choice)
>>> len(pixels), max(pixels)
(784, 1.0)
>>> pixels == render_style(4, draw_choice(PCG32(3)))
True

A habit's shape draws change the drawing: the flag of a 1, short and flat
(a = 0) or long and steep (a = b = 1), starts here:

>>> STYLES[1][0][1](0.0, 0.0, 0.5, 0.5)[0][0]
(0.399, 0.135)
>>> STYLES[1][0][1](1.0, 1.0, 0.5, 0.5)[0][0]
(0.28, 0.57)
"""

import math
from collections.abc import Sequence
from typing import Callable

from nrnn.image.preprocess import to_mnist
from nrnn.image.strokes import render
from nrnn.net.prng import PCG32

Point = tuple[float, float]
Stroke = list[Point]
#: A habit: four shape draws in [0, 1) -> strokes in the unit box.
Habit = Callable[[float, float, float, float], list[Stroke]]

#: The side of the square canvas the strokes are rendered on before
#: ``to_mnist`` brings them to 28 x 28 (about what a drawing page gives).
CANVAS = 64

#: Ranges of the random variations (see the module docstring).
LIFT = 0.04          # pen-lift shift of the later strokes, in unit-box widths
SLANT = 0.3          # x += s (y - 0.5), s in [-SLANT, SLANT]
ROTATION = 10.0      # degrees, either way
WIDTH = (0.7, 1.2)   # horizontal scale
WOBBLE = 0.03        # amplitude of the sine bends, in unit-box widths
PEN = (0.06, 0.13)   # pen width, as a fraction of the canvas (4 to 8 pixels)

#: Uniform draws per sample, by position: 0 whether to use it, 1 style,
#: 2 slant, 3 rotation, 4 width, 5-6 wobble amplitudes, 7-8 wobble phases,
#: 9 pen, 10-13 the habit's shape draws a, b, c, d, 14-15 the pen lift.
DRAWS_PER_SAMPLE = 16
SHAPE = slice(10, 14)


def _between(low: float, high: float, u: float) -> float:
    return low + (high - low) * u


def line(x0: float, y0: float, x1: float, y1: float) -> Stroke:
    return [(x0, y0), (x1, y1)]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 16) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` degrees (0 = right,
    90 = down, since y points down)."""
    points = []
    for k in range(steps + 1):
        angle = math.radians(start + (end - start) * k / steps)
        points.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))
    return points


def _joined(*parts: Stroke) -> Stroke:
    """One stroke through several pieces, drawn without lifting the pen."""
    points: Stroke = []
    for part in parts:
        points.extend(part)
    return points


# ------------------------------------------------------------------ habits
#
# Each takes the shape draws a, b, c, d in [0, 1) and says in its docstring
# what they set.  Unused draws are simply ignored.

def _slashed_zero(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """An oval (a: narrow to round) and a slash through it, either way (c),
    from inside the oval to well beyond it (d); b: where the oval starts and
    how far it overlaps itself."""
    rx, ry = _between(0.2, 0.34, a), 0.45
    start = _between(-120, -60, b)
    oval = arc(0.5, 0.5, rx, ry, start, start + _between(360, 390, b), 26)
    reach = _between(0.7, 1.25, d)
    sx, sy = rx * reach, ry * reach * 0.85
    if c < 0.5:
        return [oval, line(0.5 + sx, 0.5 - sy, 0.5 - sx, 0.5 + sy)]
    return [oval, line(0.5 - sx, 0.5 - sy, 0.5 + sx, 0.5 + sy)]


def _dotted_zero(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """An oval (a: narrow to round) with a dot or a short dash in the middle
    (c: its length, d: its tilt); b: where the oval starts."""
    rx, ry = _between(0.2, 0.34, a), 0.45
    start = _between(-120, -60, b)
    half = _between(0.0, 0.035, c)
    tilt = math.radians(_between(-60, 60, d))
    return [arc(0.5, 0.5, rx, ry, start, start + 370, 26),
            line(0.5 - half * math.cos(tilt), 0.5 - half * math.sin(tilt),
                 0.5 + half * math.cos(tilt), 0.5 + half * math.sin(tilt))]


def _flagged_one(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A stem and a flag down to the left: a sets the flag's length (0.2 to
    0.6: from a tick to two thirds of the stem, as many Europeans write
    it), b its steepness (25 to 60 degrees below the horizontal: flatter,
    it would be a 7's bar)."""
    length, angle = _between(0.2, 0.6, a), math.radians(_between(25, 60, b))
    top = (0.58, 0.05)
    flag = (round(top[0] - length * math.cos(angle), 3), round(top[1] + length * math.sin(angle), 3))
    return [_joined([flag], line(top[0], top[1], 0.58, 0.95))]


def _footed_one(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A flagged 1 (a, b as there) standing on a foot: c sets the foot's
    width (0.3 to 0.7), d how far it sits off centre."""
    stroke = _flagged_one(a, b, c, d)[0]
    half, off = _between(0.15, 0.35, c), _between(-0.06, 0.06, d)
    return [stroke, line(0.58 + off - half, 0.95, 0.58 + off + half, 0.95)]


def _looped_two(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A round top, a diagonal down to the left, a loop there (a: tiny to
    large) and the base; b sets the top's size, c the base's length, d how
    far the base rises to the right."""
    rx, ry = _between(0.26, 0.34, b), _between(0.2, 0.28, b)
    top = arc(0.5, 0.05 + ry, rx, ry, 190, 380, 12)
    end = top[-1]
    r = _between(0.04, 0.13, a)
    corner = (0.2 + r, 0.93 - 2 * r)
    loop = arc(corner[0], corner[1] + r * 0.8, r, r * 0.8, 270, -60, 10)
    base_end = (_between(0.6, 0.95, c), 0.93 - _between(0.0, 0.08, d))
    return [_joined(top, [end, corner], loop, [base_end])]


def _flat_top_three(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A bar across the top (a: its length), a diagonal back to the middle
    (b: how far left it reaches, c: how low), and a round lower bowl
    (d: its width)."""
    left = _between(0.1, 0.3, a)
    middle = (_between(0.3, 0.5, b), _between(0.38, 0.48, c))
    rx = _between(0.26, 0.36, d)
    ry = (0.95 - middle[1]) / 2
    bowl = arc(0.5, middle[1] + ry, rx, ry, -110, 140, 16)
    return [_joined(line(left, 0.05, 0.82, 0.05), [middle], bowl)]


def _open_top_four(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A left stroke down to the bar, upright or leaning (a), a bar at
    height c, and the stem (separate) starting level with the top or lower
    (b) at a place set by d."""
    bar = _between(0.52, 0.7, c)
    lean = _between(0.0, 0.3, a)
    stem_x = _between(0.6, 0.72, d)
    left = [(0.2 + lean, 0.05), (0.16, bar), (0.9, bar)]
    return [left, line(stem_x, _between(0.05, 0.3, b), stem_x - 0.02, 0.95)]


def _closed_top_four(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A triangle: the apex, down to the left, across (the bar at height c),
    and the stem from the apex down; b: the stem's rising above the apex,
    a: how far left the slanted side reaches, d: one stroke or two."""
    bar = _between(0.55, 0.72, c)
    apex = (0.66, 0.05 + _between(0.0, 0.12, b))
    corner = (_between(0.08, 0.24, a), bar)
    if d < 0.5:  # up the stem, down the slant, across: one stroke
        return [_joined([(apex[0] - 0.02, 0.95), apex, corner, (0.9, bar)])]
    return [_joined([apex, corner, (0.9, bar)]), line(apex[0], 0.05, apex[0] - 0.02, 0.95)]


def _flat_top_five(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A short stem into a round bowl, and the flat top drawn after (a: its
    length, b: its height above the stem's top); c: the bowl's size, d:
    how far it closes."""
    ry = _between(0.24, 0.3, c)
    bowl = arc(0.5, 0.95 - ry, _between(0.26, 0.34, c), ry, 225, _between(470, 510, d), 14)
    top_y = _between(0.05, 0.12, b)
    return [_joined([(0.3, top_y)], bowl), line(0.3, 0.05, _between(0.62, 0.9, a), 0.05)]


def _six_loop(a: float, join: float) -> Stroke:
    """The closed loop of a 6 at the bottom, from small (a = 0: under half
    the height) to big (a = 1: three quarters of it, the stem a short tail),
    starting where the stem joins it: its left side (join = 0) or up to 50
    degrees round towards its top (join = 1)."""
    ry = _between(0.2, 0.34, a)
    start = 180 + 50 * join
    return arc(0.5, 0.95 - ry, _between(0.24, 0.34, a), ry, start, start + 360, 20)


def _flat_top_six(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A flat bar at the top (b: its length), straight down to the left into
    the loop (a: its size; d: where the stem joins it)."""
    loop = _six_loop(a, d * 0.5)
    corner = (_between(0.3, 0.38, c), 0.05)
    return [_joined([(_between(0.6, 0.85, b), 0.05), corner], loop)]


def _straight_stem_six(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A straight stem from the top right (b: how far right) into the loop
    (a: its size; d: where the stem joins it)."""
    loop = _six_loop(a, d)
    return [_joined([(_between(0.55, 0.8, b), 0.05)], loop)]


def _open_top_six(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A curved stem, like a C, into the loop (a: its size; d: where the stem
    joins it); b: where the stem begins, c: how round it bulges."""
    loop = _six_loop(a, d)
    left = loop[0]
    bulge = _between(0.0, 0.12, c)
    start = (_between(0.55, 0.8, b), 0.05)
    stem = [start, (0.5 * (start[0] + left[0]) - bulge, 0.5 * (start[1] + left[1]) - 0.05), left]
    return [_joined(stem, loop)]


def _flagged_seven(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A flag down from the bar's left end (a: its length), the bar, the stem
    to the bottom (b: where it lands; c: how much it bows)."""
    foot = (_between(0.3, 0.55, b), 0.95)
    knee = (0.5 * (0.86 + foot[0]) + _between(-0.05, 0.05, c), 0.52)
    return [_joined([(0.15, 0.1 + _between(0.1, 0.3, a)), (0.15, 0.08), (0.86, 0.08)], [knee, foot])]


def _crossed_seven(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A 7 with a bar across its stem: a sets the bar's height, b its
    length, c its shift left or right; d, past one half, adds a flag."""
    start = [(0.15, 0.25), (0.15, 0.08)] if d > 0.6 else [(0.15, 0.08)]
    foot = (0.42, 0.95)
    stroke = _joined(start, [(0.86, 0.08), foot])
    y = _between(0.45, 0.6, a)
    x = 0.86 + (foot[0] - 0.86) * (y - 0.08) / 0.87 + _between(-0.06, 0.06, c)
    half = _between(0.15, 0.28, b)
    return [stroke, line(x - half, y + 0.01, x + half, y - 0.01)]


def _two_loop_eight(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """Two ovals, one on the other, drawn one after the other: a sets the
    upper one's size, b the lower one's, c where the upper one sits left or
    right, d how much they overlap."""
    top_rx, top_ry = _between(0.16, 0.24, a), _between(0.16, 0.22, a)
    low_rx, low_ry = _between(0.22, 0.32, b), _between(0.22, 0.28, b)
    overlap = _between(0.0, 0.05, d)
    # Stack them from the bottom up so the 8 spans the box's height.
    low_cy = 0.95 - low_ry
    top_cy = low_cy - low_ry - top_ry + overlap
    return [arc(0.5 + _between(-0.05, 0.05, c), top_cy, top_rx, top_ry, 90, 450, 18),
            arc(0.5, low_cy, low_rx, low_ry, -90, 270, 20)]


def _straight_stem_nine(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A loop at the top (a: its size) and a straight stem down from its
    right side (b: leaning in or out); c: the loop's width."""
    ry = _between(0.17, 0.25, a)
    rx = _between(0.2, 0.3, c)
    loop = arc(0.5, 0.05 + ry, rx, ry, 0, -360, 20)
    return [_joined(loop, [(0.5 + rx + _between(-0.1, 0.05, b), 0.95)])]


def _hooked_nine(a: float, b: float, c: float, d: float) -> list[Stroke]:
    """A loop (a: its size) whose stem starts at the top of the loop's right
    side and ends in a hook to the left (d: how big)."""
    ry = _between(0.18, 0.26, a)
    rx = _between(0.22, 0.3, c)
    loop = arc(0.48, 0.05 + ry, rx, ry, -10, -370, 20)
    x = 0.48 + rx
    hook = _between(0.0, 0.15, d)
    return [_joined(loop, [(x - _between(0.0, 0.06, b), 0.88), (x - 0.05 - hook, 0.95)])]


STYLES: dict[int, list[tuple[str, Habit]]] = {
    0: [("slashed 0", _slashed_zero), ("dotted 0", _dotted_zero)],
    1: [("flagged 1", _flagged_one), ("flagged 1 with a foot", _footed_one)],
    2: [("looped 2", _looped_two)],
    3: [("flat-top 3", _flat_top_three)],
    4: [("open-top 4", _open_top_four), ("closed-top 4", _closed_top_four)],
    5: [("flat-top 5", _flat_top_five)],
    6: [("flat-top 6", _flat_top_six), ("straight-stem 6", _straight_stem_six), ("open-top 6", _open_top_six)],
    7: [("flagged 7", _flagged_seven), ("crossed 7", _crossed_seven)],
    8: [("two-loop 8", _two_loop_eight)],
    9: [("straight-stem 9", _straight_stem_nine), ("hooked 9", _hooked_nine)],
}


def draw_choice(rng: PCG32) -> list[float]:
    """``DRAWS_PER_SAMPLE`` uniforms in [0, 1): one sample's random choices."""
    return [rng.uniform() for _ in range(DRAWS_PER_SAMPLE)]


def vary(strokes: Sequence[Stroke], choice: Sequence[float]) -> list[Stroke]:
    """The strokes lifted, slanted, turned, narrowed or widened and bent as ``choice`` says."""
    lift_x, lift_y = _between(-LIFT, LIFT, choice[14]), _between(-LIFT, LIFT, choice[15])
    slant = _between(-SLANT, SLANT, choice[2])
    theta = math.radians(_between(-ROTATION, ROTATION, choice[3]))
    width = _between(WIDTH[0], WIDTH[1], choice[4])
    wobble_x, wobble_y = _between(-WOBBLE, WOBBLE, choice[5]), _between(-WOBBLE, WOBBLE, choice[6])
    phase_x, phase_y = choice[7], choice[8]
    cos, sin = math.cos(theta), math.sin(theta)
    out = []
    for number, stroke in enumerate(strokes):
        shift_x, shift_y = (lift_x, lift_y) if number else (0.0, 0.0)
        points = []
        for x, y in stroke:
            x, y = x + shift_x, y + shift_y
            x += wobble_x * math.sin(2 * math.pi * (y + phase_x))
            y += wobble_y * math.sin(2 * math.pi * (x + phase_y))
            u, v = (x - 0.5) * width + slant * (y - 0.5), y - 0.5
            points.append((0.5 + cos * u - sin * v, 0.5 + sin * u + cos * v))
        out.append(points)
    return out


def style_strokes(digit: int, choice: Sequence[float]) -> list[Stroke]:
    """The unit-box strokes of the style of ``digit`` that ``choice`` picks,
    shaped by its shape draws (before ``vary``)."""
    styles = STYLES[digit]
    _, habit = styles[min(len(styles) - 1, int(choice[1] * len(styles)))]
    return habit(*choice[SHAPE])


def render_style(digit: int, choice: Sequence[float]) -> list[float]:
    """A 784-float MNIST-style input: a style of ``digit`` varied by ``choice``."""
    # A margin of a fifth of the canvas: turned and slanted strokes stay on it.
    margin = CANVAS * 0.2
    inner = CANVAS - 2 * margin
    placed = [[(margin + x * inner, margin + y * inner) for x, y in stroke]
              for stroke in vary(style_strokes(digit, choice), choice)]
    pen = _between(PEN[0], PEN[1], choice[9]) * CANVAS
    return to_mnist(CANVAS, CANVAS, render(placed, CANVAS, CANVAS, pen))


def maybe_replace(pixels: Sequence[float], label: int, choice: Sequence[float], fraction: float) -> Sequence[float]:
    """``pixels``, or (with probability ``fraction``, decided by choice[0]) a
    drawn style of the same digit if there is one."""
    if choice[0] < fraction and label in STYLES:
        return render_style(label, choice)
    return pixels


if __name__ == "__main__":
    import doctest
    doctest.testmod()
