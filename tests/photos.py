"""Synthetic "phone photos" of a digit, for the ink-extraction tests.

A digit (one of ``nrnn/static/strokes.json``'s demo digits, drawn with a
round pen by ``nrnn.image.strokes``) is laid on paper whose brightness changes
across the sheet (a lamp on one side), under a soft shadow, with sensor
noise from a seeded generator: everything the old one-global-background
reading got wrong.  ``clean`` draws the same digit, same place, black on
white, as a paint program would: what the photo should read like.
"""

import random

from nrnn.image.png import Image
from nrnn.image.strokes import demo_digits, fit, render


def coverage(digit: int, width: int, height: int, box, pen: float) -> list:
    """Pen coverage in [0, 1] per pixel: the demo digit fitted to ``box``
    (left, top, right, bottom) of a ``width`` x ``height`` picture."""
    left, top, right, bottom = box
    strokes = fit(demo_digits()[digit], right - left, bottom - top)
    moved = [[(x + left, y + top) for x, y in stroke] for stroke in strokes]
    return render(moved, width, height, pen)


def gray_image(width: int, height: int, levels, name: str = "<photo>") -> Image:
    rgba = bytearray()
    for v in levels:
        g = min(255, max(0, int(v + 0.5)))
        rgba += bytes((g, g, g, 255))
    return Image(width, height, bytes(rgba), name)


def clean(digit: int, width: int = 200, height: int = 160, box=(70, 30, 130, 130), pen: float = 9.0) -> Image:
    """The digit black on white: the reference a photo should match."""
    ink = coverage(digit, width, height, box, pen)
    return gray_image(width, height, [255 * (1 - c) for c in ink], "clean.png")


def paper_level(x: int, y: int, width: int, height: int, shadow: bool) -> float:
    """Lit from the left (215 -> 165), and a soft shadow over the right third."""
    level = 215 - 50 * x / width
    if shadow:
        edge = 0.66 * width + 0.1 * (y - height / 2)
        level -= 70 * min(1.0, max(0.0, (x - edge) / 6 + 0.5))
    return level


def photo(digit: int, width: int = 200, height: int = 160, box=(70, 30, 130, 130), pen: float = 9.0,
          shadow: bool = True, noise: float = 3.0, darkness: float = 0.6, seed: int = 1,
          table: int = 0, fold: float = None) -> Image:
    """The digit photographed: ink = paper * (1 - darkness * coverage), plus
    noise; with ``table`` > 0, the sheet ends that many pixels from the left
    edge and a dark table (level 70) shows beyond it; with ``fold`` (a row),
    a fold about two pixels wide crosses the sheet there, a little askew,
    as dark in its middle as ink of darkness 0.6."""
    ink = coverage(digit, width, height, box, pen)
    rng = random.Random(seed)
    levels = []
    for y in range(height):
        for x in range(width):
            paper = paper_level(x, y, width, height, shadow)
            if table and x < table - 0.05 * (y - height / 2):  # the sheet's edge, a little askew
                paper = 70.0
            if fold is not None:
                paper *= 1 - 0.6 * max(0.0, 1 - abs(y - fold - 0.03 * x) / 1.5)
            levels.append(paper * (1 - darkness * ink[y * width + x]) + rng.gauss(0, noise))
    return gray_image(width, height, levels, "photo.png")


def blank(width: int = 200, height: int = 160, seed: int = 2) -> Image:
    """Paper alone: light gradient, shadow and noise, no digit."""
    rng = random.Random(seed)
    return gray_image(width, height, [paper_level(x, y, width, height, True) + rng.gauss(0, 3.0)
                                      for y in range(height) for x in range(width)], "blank.png")


def faint_blue(digit: int, width: int = 200, height: int = 160, box=(70, 30, 130, 130),
               pen: float = 9.0, seed: int = 3) -> Image:
    """A pale blue pen on beige paper, evenly lit: in gray the ink is only
    ~14 levels darker than the paper, in the red channel 35, in blue 50
    levels *lighter*."""
    ink = coverage(digit, width, height, box, pen)
    paper, blue = (235, 220, 185), (200, 205, 235)
    rng = random.Random(seed)
    rgba = bytearray()
    for c in ink:
        for p, b in zip(paper, blue):
            rgba.append(min(255, max(0, int(p + (b - p) * c + rng.gauss(0, 2.0) + 0.5))))
        rgba.append(255)
    return Image(width, height, bytes(rgba), "blue.png")


def padded(image: Image, pad: int = 40, level: int = 255, right: int = None) -> Image:
    """``image`` with ``pad`` columns of ``level`` added on the left and
    ``right`` (default: ``pad``) on the right, as a phone's gallery pads a
    portrait photo to a square, or a photo pasted off-centre on a page."""
    right = pad if right is None else right
    pixel = bytes((level, level, level, 255))
    rows = [pixel * pad + image.rgba[4 * y * image.width:4 * (y + 1) * image.width] + pixel * right
            for y in range(image.height)]
    return Image(image.width + pad + right, image.height, b"".join(rows), "padded.png")


def sheet_on_desk(digit: int, width: int = 240, height: int = 180, angle: float = 14.0,
                  paper: float = 205.0, desk: float = 85.0, darkness: float = 0.2,
                  noise: float = 2.0, seed: int = 5, half: tuple = (75, 60)) -> Image:
    """A small sheet lying askew on a darker desk, the whole sheet in the
    frame, a faint digit in its middle: the sheet's corners are what the
    paper's square window cannot follow.  ``half``: half the sheet's
    width and height."""
    import math
    ink = coverage(digit, width, height, (95, 50, 145, 130), 7.0)
    rng = random.Random(seed)
    turn = math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    levels = []
    for y in range(height):
        for x in range(width):
            u = (x - width / 2) * cos + (y - height / 2) * sin
            v = -(x - width / 2) * sin + (y - height / 2) * cos
            level = paper - 20 * x / width if abs(u) < half[0] and abs(v) < half[1] else desk
            levels.append(level * (1 - darkness * ink[y * width + x]) + rng.gauss(0, noise))
    return gray_image(width, height, levels, "sheet.png")


def thumb_at_the_edge(digit: int, width: int = 200, height: int = 160, seed: int = 3,
                      thumb=(150, -10, 165, 22, 17), darkness: float = 0.15, skin: float = 55.0,
                      rim: float = 0.0, pen: float = 7.0) -> Image:
    """A faint digit (15% darker than the paper) and a thumb holding the
    sheet: a dark rounded bar (level ``skin``) reaching in from the top edge,
    ``thumb`` = (x0, y0, x1, y1, radius) its axis and half-width (a thinner
    one is a pen, and one with both ends inside a pen lying on the sheet),
    darker toward its rim by ``rim`` (a share of its level: it is round).
    The digit is written with a ``pen`` that many pixels wide."""
    import math
    ink = coverage(digit, width, height, (60, 50, 110, 140), pen)
    rng = random.Random(seed)
    x0, y0, x1, y1, radius = thumb
    dx, dy = x1 - x0, y1 - y0
    levels = []
    for y in range(height):
        for x in range(width):
            t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
            off_axis = math.hypot(x - x0 - t * dx, y - y0 - t * dy)
            thumb = max(0.0, min(1.0, radius + 0.5 - off_axis))
            shade = skin * (1 - rim * min(1.0, off_axis / radius) ** 2)
            level = (210 - 20 * x / width) * (1 - darkness * ink[y * width + x])
            levels.append(level * (1 - thumb) + shade * thumb + rng.gauss(0, 1.5))
    return gray_image(width, height, levels, "thumb.png")


def hard_shadow(digit: int, width: int = 200, height: int = 160, box=(70, 30, 130, 130), pen: float = 9.0,
                angle: float = 30.0, past: float = 10.0, strength: float = 0.5, soft: float = 3.0,
                darkness: float = 0.6, seed: int = 4) -> Image:
    """The phone's shadow, hard-edged, over most of the sheet: its straight
    edge runs ``past`` pixels beyond the box's centre, at ``angle`` degrees
    from level, turned so the shadow covers the larger part of the frame;
    it takes ``strength`` of the light, over ``soft`` pixels."""
    import math
    ink = coverage(digit, width, height, box, pen)
    rng = random.Random(seed)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    nx, ny = -math.sin(math.radians(angle)), math.cos(math.radians(angle))
    if (width / 2 - cx) * nx + (height / 2 - cy) * ny < 0:
        nx, ny = -nx, -ny  # towards the frame's middle: the shadow is the larger part
    levels = []
    for y in range(height):
        for x in range(width):
            into = (x - cx) * nx + (y - cy) * ny + past  # > 0: in the shadow
            light = 1 - strength * min(1.0, max(0.0, 0.5 + into / soft))
            paper = (210 - 20 * x / width) * light
            levels.append(paper * (1 - darkness * ink[y * width + x]) + rng.gauss(0, 2.0))
    return gray_image(width, height, levels, "shadow.png")


def glare(digit: int, width: int = 256, height: int = 192, box=(108, 66, 148, 126), pen: float = 3.0,
          at=(0.0, 0.0), radius: float = 45.0, gain: float = 60.0, darkness: float = 0.6,
          seed: int = 5) -> Image:
    """A lamp's reflection on the paper: a round bright spot ``radius``
    pixels wide (a little flattened), centred ``at`` (a fraction of the
    box's size) from the middle of a thin digit, adding up to ``gain``
    levels to paper and ink alike and burning the paper white where it
    passes 255."""
    import math
    ink = coverage(digit, width, height, box, pen)
    rng = random.Random(seed)
    cx = (box[0] + box[2]) / 2 + at[0] * (box[2] - box[0])
    cy = (box[1] + box[3]) / 2 + at[1] * (box[3] - box[1])
    levels = []
    for y in range(height):
        for x in range(width):
            paper = 200 - 20 * x / width
            spot = gain * math.exp(-((x - cx) ** 2 + (1.5 * (y - cy)) ** 2) / radius ** 2)
            levels.append(paper * (1 - darkness * ink[y * width + x]) + spot + rng.gauss(0, 2.0))
    return gray_image(width, height, levels, "glare.png")


def boxed(digit: int, width: int = 256, height: int = 192, box=(108, 56, 148, 136), pen: float = 3.0,
          margin: float = 14.0, cells: tuple = (0, 0), line: float = 2.0, angle: float = 0.0,
          line_darkness: float = 0.5, seed: int = 6) -> Image:
    """The digit written in a form's printed box: a rectangle ``margin``
    pixels out from ``box`` (wider at the sides, where people leave room),
    its lines ``line`` wide and ``line_darkness`` dark, turned ``angle``
    degrees with the page; ``cells`` = (before, after) empty cells beside
    it in a row, sharing its sides.  On paper lit from the left, with noise."""
    import math
    ink = coverage(digit, width, height, box, pen)
    rng = random.Random(seed)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half_w, half_h = (box[2] - box[0]) / 2 + 1.5 * margin, (box[3] - box[1]) / 2 + margin
    cell = 2 * half_w
    before, after = cells
    cos_t, sin_t = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    levels = []
    for y in range(height):
        for x in range(width):
            dx, dy = x + 0.5 - cx, y + 0.5 - cy
            u, v = dx * cos_t + dy * sin_t, dy * cos_t - dx * sin_t
            across = (abs(abs(v) - half_h) if -half_w - before * cell - line <= u <= half_w + after * cell + line
                      else 1e9)
            k = min(after + 1, max(-before, round((u + half_w) / cell)))
            along = abs(u + half_w - k * cell) if abs(v) <= half_h + line else 1e9
            printed = min(1.0, max(0.0, line / 2 - min(across, along) + 0.5))
            paper = 205 - 25 * x / width
            levels.append(paper * (1 - 0.6 * ink[y * width + x]) * (1 - line_darkness * printed)
                          + rng.gauss(0, 2.0))
    return gray_image(width, height, levels, "boxed.png")


class _Screen:
    """A picture made of rectangles of one colour and drawings pasted in."""

    def __init__(self, width: int, height: int, colour: tuple):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(colour + (255,)) * (width * height))

    def fill(self, x0: int, y0: int, x1: int, y1: int, colour: tuple) -> None:
        for y in range(max(0, y0), min(self.height, y1)):
            self.pixels[4 * (y * self.width + x0):4 * (y * self.width + x1)] = bytes(colour + (255,)) * (x1 - x0)

    def paste(self, drawing: Image, left: int, top: int) -> None:
        for y in range(drawing.height):
            start = 4 * ((top + y) * self.width + left)
            self.pixels[start:start + 4 * drawing.width] = \
                drawing.rgba[4 * y * drawing.width:4 * (y + 1) * drawing.width]

    def image(self, name: str) -> Image:
        return Image(self.width, self.height, bytes(self.pixels), name)


def screenshot(canvas: Image, app: str = "paint", dark: bool = False, toolbar: int = 70) -> Image:
    """``canvas`` (a drawing) as a screenshot of the app it was drawn in:
    ``"paint"``, a window with a toolbar of icons and words, a gray
    workspace around the canvas and a status bar; ``"web"``, a page the
    canvas's paper colour with a title, the canvas in a thin gray border,
    and two buttons under it; ``"phone"``, a status bar and an app bar
    (with icons) over the canvas, which spans the screen, and a palette
    under it.
    ``dark``: the app's dark theme; ``toolbar``: the paint program's
    toolbar's height."""
    width_in, height_in = canvas.width, canvas.height
    if app == "paint":
        width, height, left, top = width_in + 140, height_in + toolbar + 80, 12, toolbar + 20
        page = (60, 60, 60) if dark else (200, 209, 224)
    elif app == "web":
        width, height, left, top = width_in + 160, height_in + 160, 80, 70
        page = tuple(canvas.rgba[:3])
    else:
        width, height, left, top = width_in, height_in + 160, 0, 80
        page = (18, 18, 18) if dark else (250, 250, 250)
    screen = _Screen(width, height, page)
    fill = screen.fill
    words = (230, 230, 230) if dark else (40, 40, 40)
    if app == "paint":
        fill(0, 0, width, toolbar, (43, 43, 43) if dark else (245, 246, 247))
        fill(0, height - 24, width, height, (30, 30, 30) if dark else (240, 240, 240))
        for i in range(6):
            fill(10 + 36 * i, 12, 30 + 36 * i, 32, ((0, 90, 200), (200, 40, 40), words)[i % 3])
            fill(10 + 36 * i, 44, 36 + 36 * i, 52, words)
        fill(8, height - 18, 90, height - 10, words)
    elif app == "web":
        fill(60, 20, 240, 36, words)
        fill(left - 2, top - 2, left + width_in + 2, top + height_in + 2, (128, 128, 128))
        fill(left, top + height_in + 20, left + 80, top + height_in + 50, (0, 120, 215))
        fill(left + 100, top + height_in + 20, left + 180, top + height_in + 50, (108, 117, 125))
    else:
        fill(0, 0, width, 24, (55, 0, 179))     # the status bar, over
        fill(0, 24, width, 80, (98, 0, 238))    # the app bar
        for i in range(4):
            fill(10 + 40 * i, 6, 30 + 40 * i, 18, (255, 255, 255))
            fill(width - 60 - 40 * (i % 2), 40, width - 40 - 40 * (i % 2), 60, (255, 255, 255))
        fill(0, height - 80, width, height, (48, 48, 48) if dark else (235, 235, 235))
        for i in range(5):
            fill(20 + 50 * i, height - 55, 50 + 50 * i, height - 25,
                 ((0, 0, 0), (255, 0, 0), (0, 128, 0), (0, 0, 255), (250, 180, 0))[i])
    screen.paste(canvas, left, top)
    return screen.image("screenshot-%s.png" % app)


def whole_screen(drawing: Image, page: tuple, width: int = 1280, height: int = 800) -> Image:
    """A screenshot of a whole screen: ``drawing`` at (200, 200) on a
    ``page``-coloured web page, with a browser's title bar, a heading, a
    gray border round the canvas and a button under it."""
    screen = _Screen(width, height, page)
    screen.fill(0, 0, width, 40, (53, 53, 53))
    screen.fill(100, 80, 500, 110, (128, 128, 128))
    screen.fill(198, 198, 202 + drawing.width, 202 + drawing.height, (128, 128, 128))
    screen.fill(200, 250 + drawing.height, 300, 290 + drawing.height, (0, 120, 215))
    screen.paste(drawing, 200, 200)
    return screen.image("screen.png")
