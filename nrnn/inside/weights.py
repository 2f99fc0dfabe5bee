"""What a hidden neuron looks for: its weights drawn as a 28 x 28 picture.

``python -m nrnn.inside.weights [--model PATH] [--layer 0] [--png OUT.png] [--svg OUT.svg]``

A first-layer neuron j computes z_j = sum_i W_0[j][i] x_i + b_j over the 784
pixels x_i.  Its 784 incoming weights W_0[j] have one number per pixel, so
they can be drawn in the pixels' own places, a 28 x 28 picture:

- red where W_0[j][i] > 0: ink at pixel i *raises* z_j (the neuron wants ink there);
- blue where W_0[j][i] < 0: ink at pixel i *lowers* z_j (it wants that pixel blank);
- white where the weight is 0: the neuron ignores that pixel (the corners of
  MNIST are always blank, so their weights never move far from the start).

The colour's strength is |w| / s, where the scale s is either the tile's own
largest |w| (``--scale tile``, the default: every neuron's pattern shows at
full contrast, but tiles cannot be compared) or the largest |w| of the whole
layer (``--scale global``: strengths compare across tiles; weak neurons fade
out).  The sheet says which.

Deeper layers.  A neuron of layer l >= 1 does not see pixels, it sees the
neurons before it.  Its picture is drawn as the *weighted sum of their
pictures*:

    picture_l[j] = sum_k W_l[j][k] picture_{l-1}[k],      picture_0[j] = W_0[j]

which is exactly its sensitivity to the pixels if every earlier neuron were
linear (no sigmoid, no bias).  It is a rough guide, not the whole truth: the
sigmoids in between bend it.  For the output layer it shows, roughly, what
ink pattern each digit's neuron rewards.

>>> from nrnn.net.network import Network
>>> network = Network([784, 3, 10], seed=1)
>>> pictures = neuron_pictures(network, layer=0)
>>> len(pictures), len(pictures[0]), pictures[2] == network.weights[0][2]
(3, 784, True)
>>> weight_colour(0.0, 1.0), weight_colour(1.0, 1.0), weight_colour(-2.0, 1.0)
((255, 255, 255), (178, 24, 43), (33, 102, 172))
>>> print(text_picture([0.05, -0.5, 1.0, -1.0], width=2))
+----+
|  --|
|##==|
+----+
"""

import argparse
import base64
import sys
from collections.abc import Sequence
from html import escape  # (not xml.sax.saxutils: that imports urllib, a tenth of a second)
from typing import Optional

from nrnn.atomic import write_bytes_atomic, write_text_atomic
from nrnn.cli import EXIT_FAILED, EXIT_OK, OneLineParser, print_error, run_main
from nrnn.errors import NrnnError, UsageError
from nrnn.image.png import encode_rgb8
from nrnn.mnist import SIDE
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.net.network import Network

__all__ = ["neuron_pictures", "weight_colour", "picture_scales", "sheet_png", "sheet_svg",
           "text_picture", "side_by_side", "write_sheet", "weights_path", "POSITIVE", "NEGATIVE",
           "SCALINGS", "SIDE", "SheetLayout", "main"]

# SIDE (28): the input field is SIDE x SIDE pixels.

#: The full-strength colours (RGB): red for positive weights, blue for
#: negative (the ends of ColorBrewer's RdBu scale); zero is white.
POSITIVE = (178, 24, 43)
NEGATIVE = (33, 102, 172)
WHITE = (255, 255, 255)

#: Colour strengths are quantised to 255 steps a side: a PNG has 8 bits a
#: channel anyway, and a table lookup per pixel is what makes a 500-neuron
#: sheet quick in pure Python.
LEVELS = 255

SCALINGS = ("tile", "global")

#: Text shading, weakest to strongest, from |w| / s of TEXT_STEPS[i] on;
#: below the first step, blank.  Low steps: a trained neuron's picture is
#: mostly faint, with a few strong strokes.
TEXT_STEPS = (0.1, 0.3, 0.55)
POSITIVE_CHARS = ".+#"
NEGATIVE_CHARS = ",-="
TEXT_LEGEND = "# + .  positive (ink here raises the neuron)   = - ,  negative (ink here lowers it)"

#: A 3 x 5 pixel font for the neurons' numbers on the PNG sheet.
_DIGIT_FONT = {
    "0": ("111", "101", "101", "101", "111"), "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"), "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"), "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"), "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"), "9": ("111", "101", "111", "001", "111"),
}
_BACKGROUND = (238, 239, 243)
_LABEL_INK = (60, 64, 80)


class WeightsError(NrnnError):
    """A weight picture that cannot be drawn: a layer or neuron the network lacks."""


def _blend(end: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    red, green, blue = (int(round(255 + t * (channel - 255))) for channel in end)
    return red, green, blue


# PALETTE[LEVELS + k] is the colour of strength k / LEVELS, k = -LEVELS..LEVELS.
PALETTE = ([_blend(NEGATIVE, k / LEVELS) for k in range(LEVELS, 0, -1)] + [WHITE]
           + [_blend(POSITIVE, k / LEVELS) for k in range(1, LEVELS + 1)])
_PALETTE_BYTES = [bytes(colour) for colour in PALETTE]


def _level(value: float, scale: float) -> int:
    """value / scale, clamped to [-1, 1], in steps of 1/LEVELS."""
    if scale <= 0.0:
        return 0
    t = value / scale
    return int(round(LEVELS * (1.0 if t > 1.0 else -1.0 if t < -1.0 else t)))


def weight_colour(value: float, scale: float) -> tuple[int, int, int]:
    """The RGB colour of a weight: white at 0, POSITIVE at +scale and above,
    NEGATIVE at -scale and below, blended linearly (in 1/255 steps) between."""
    return PALETTE[LEVELS + _level(value, scale)]


def neuron_pictures(network: Network, layer: int = 0) -> list[list[float]]:
    """One 784-float picture per neuron of weight layer ``layer`` (0: the
    first hidden layer, whose pictures are its weight rows W_0[j]; deeper:
    the weighted sums of the previous layer's pictures, see the module
    docstring).  Returns n_{layer+1} lists of n_0 floats.
    """
    if not 0 <= layer < len(network.weights):
        raise WeightsError("the network %s has weight layers 0-%d; there is no layer %d"
                           % ("-".join(map(str, network.sizes)), len(network.weights) - 1, layer))
    pictures = [list(row) for row in network.weights[0]]
    for weights in network.weights[1:layer + 1]:
        columns = list(zip(*pictures))  # n_0 tuples of the previous layer's values at one pixel
        pictures = [[sum(w * p for w, p in zip(row, pixel)) for pixel in columns] for row in weights]
    return pictures


def picture_scales(pictures: Sequence[Sequence[float]], scaling: str = "tile") -> list[float]:
    """The scale s of each picture: its own largest |w| (``tile``) or the
    largest |w| of them all (``global``).  A picture of zeros gets 0."""
    if scaling not in SCALINGS:
        raise WeightsError("unknown scaling %r; use %s" % (scaling, " or ".join(SCALINGS)))
    own = [max((abs(v) for v in picture), default=0.0) for picture in pictures]
    if scaling == "global":
        return [max(own, default=0.0)] * len(own)
    return own


def _tile_lines(picture: Sequence[float], scale: float, zoom: int, width: int) -> list[bytes]:
    """The picture's RGB pixel rows, each pixel a zoom x zoom square."""
    lines = []
    for y in range(len(picture) // width):
        row = picture[y * width:(y + 1) * width]
        line = b"".join(_PALETTE_BYTES[LEVELS + _level(v, scale)] * zoom for v in row)
        lines.extend([line] * zoom)
    return lines


def _label_lines(text: str, width: int, dot: int) -> list[bytes]:
    """``text`` (digits) in the 3 x 5 font, ``dot`` pixels a font pixel,
    centred in ``width`` pixels: 5 * dot RGB rows."""
    ink, paper = bytes(_LABEL_INK), bytes(_BACKGROUND)
    text_width = (4 * len(text) - 1) * dot
    left = max(0, (width - text_width) // 2)
    lines = []
    for font_row in range(5):
        pixels = []
        for index, character in enumerate(text):
            if index:
                pixels.append(paper * dot)
            pixels.extend((ink if bit == "1" else paper) * dot for bit in _DIGIT_FONT[character][font_row])
        line = paper * left + b"".join(pixels)
        line = (line + paper * width)[:3 * width]
        lines.extend([line] * dot)
    return lines


def _grid(count: int, columns: Optional[int]) -> tuple[int, int]:
    if columns is None:
        columns = 1
        while columns * columns < count:
            columns += 1
    return columns, -(-count // columns)


def default_zoom(count: int) -> int:
    """Pixels per weight on a sheet: big tiles for a few neurons, small for hundreds."""
    return 6 if count <= 16 else 4 if count <= 64 else 2


class SheetLayout:
    """Where things go on a sheet of ``count`` tiles: ``zoom`` screen pixels
    a weight, ``gap`` pixels around every tile, a label band of
    ``label_height`` pixels above each tile (0 without labels), ``columns``
    tiles a row (default: the smallest square grid).

    >>> layout = SheetLayout(16, zoom=1, labels=False, gap=0)
    >>> layout.columns, layout.rows, layout.tile_origin(5), layout.size
    (4, 4, (28, 28), (112, 112))
    """

    def __init__(self, count: int, zoom: Optional[int] = None, columns: Optional[int] = None,
                 labels: bool = True, gap: Optional[int] = None, width: int = SIDE, height: int = SIDE):
        self.zoom = zoom or default_zoom(count)
        self.gap = (2 * self.zoom if labels else 0) if gap is None else gap
        self.columns, self.rows = _grid(count, columns)
        self.tile_width, self.tile_height = width * self.zoom, height * self.zoom
        self.dot = max(1, self.zoom // 2)  # one pixel of the label font
        self.label_height = 7 * self.dot if labels else 0
        self.row_height = self.gap + self.label_height + self.tile_height
        self.size = (self.columns * self.tile_width + (self.columns + 1) * self.gap,
                     self.rows * self.row_height + self.gap)

    def tile_origin(self, j: int) -> tuple[int, int]:
        """(x, y) of tile j's top-left pixel on the sheet."""
        column, row = j % self.columns, j // self.columns
        return (self.gap + column * (self.tile_width + self.gap),
                row * self.row_height + self.gap + self.label_height)


def sheet_png(pictures: Sequence[Sequence[float]], scaling: str = "tile", zoom: Optional[int] = None,
              columns: Optional[int] = None, labels: bool = True, gap: Optional[int] = None,
              width: int = SIDE) -> bytes:
    """A PNG of every picture as a tile in a grid, each with its index above
    it (``labels``).  ``zoom``: screen pixels per weight; ``gap``: pixels
    between tiles.  With ``labels=False, gap=0, zoom=1`` the tiles abut: a
    sprite sheet, tile j at (28 (j % columns), 28 (j // columns)).
    """
    if not pictures:
        raise WeightsError("no pictures to draw")
    height_of_picture = len(pictures[0]) // width
    layout = SheetLayout(len(pictures), zoom, columns, labels, gap, width, height_of_picture)
    zoom, gap, columns, rows = layout.zoom, layout.gap, layout.columns, layout.rows
    tile, dot, label_height = layout.tile_width, layout.dot, layout.label_height
    sheet_width = layout.size[0]
    scales = picture_scales(pictures, scaling)
    paper = bytes(_BACKGROUND)
    gap_bytes = paper * gap
    blank_tile = [paper * tile] * (height_of_picture * zoom)
    lines = []
    for row in range(rows):
        lines.extend([paper * sheet_width] * gap)
        indices = range(row * columns, row * columns + columns)
        if labels:
            labelled = [_label_lines(str(j), tile, dot) if j < len(pictures) else [paper * tile] * (5 * dot)
                        for j in indices]
            for y in range(5 * dot):
                lines.append(gap_bytes + gap_bytes.join(block[y] for block in labelled) + gap_bytes)
            lines.extend([paper * sheet_width] * (label_height - 5 * dot))
        tiles = [_tile_lines(pictures[j], scales[j], zoom, width) if j < len(pictures) else blank_tile
                 for j in indices]
        for y in range(height_of_picture * zoom):
            lines.append(gap_bytes + gap_bytes.join(block[y] for block in tiles) + gap_bytes)
    lines.extend([paper * sheet_width] * gap)
    return encode_rgb8(sheet_width, len(lines), b"".join(lines))


def sheet_svg(pictures: Sequence[Sequence[float]], scaling: str = "tile", title: str = "",
              zoom: Optional[int] = None, columns: Optional[int] = None, width: int = SIDE) -> str:
    """The same grid as an SVG: each tile is a 28 x 28 PNG embedded as a
    data: URL (784 ``<rect>`` a tile would make a 500-neuron sheet megabytes
    of text), drawn with crisp pixels, its index and its scale s written
    beside it as text, and a caption saying what the colours mean."""
    if not pictures:
        raise WeightsError("no pictures to draw")
    zoom = zoom or default_zoom(len(pictures))
    scales = picture_scales(pictures, scaling)
    columns, rows = _grid(len(pictures), columns)
    tile = width * zoom
    cell_width, cell_height = tile + 12, tile + 30
    top = 64
    total_width = max(columns * cell_width + 12, 560)
    total_height = top + rows * cell_height + 8
    scaled = ("each tile scaled to its own largest |w| (the number under it)" if scaling == "tile"
              else "one scale for all tiles: |w| = %.3g is full colour" % (scales[0] if scales else 0.0))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="sans-serif" font-size="11">' % (total_width, total_height, total_width, total_height),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="12" y="22" font-size="14" font-weight="bold">%s</text>'
        % escape(title or "weight pictures", quote=False),
        '<text x="12" y="40"><tspan fill="rgb%s">red: positive weight (ink there raises the neuron)</tspan>, '
        '<tspan fill="rgb%s">blue: negative (ink there lowers it)</tspan>, white: zero</text>'
        % (str(POSITIVE).replace(" ", ""), str(NEGATIVE).replace(" ", "")),
        '<text x="12" y="56">%s</text>' % escape(scaled, quote=False),
    ]
    for j, picture in enumerate(pictures):
        x = 12 + (j % columns) * cell_width
        y = top + (j // columns) * cell_height
        png = _single_png(picture, scales[j], width)
        out.append('<g class="neuron" data-index="%d">' % j)
        out.append('<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%d</text>'
                   % (x + tile // 2, y + 11, j))
        out.append('<image x="%d" y="%d" width="%d" height="%d" style="image-rendering:pixelated" '
                   'href="data:image/png;base64,%s"/>'
                   % (x, y + 15, tile, tile, base64.b64encode(png).decode("ascii")))
        if scaling == "tile":
            out.append('<text x="%d" y="%d" text-anchor="middle" fill="#666">%.2g</text>'
                       % (x + tile // 2, y + tile + 27, scales[j]))
        out.append('</g>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def _single_png(picture: Sequence[float], scale: float, width: int) -> bytes:
    lines = _tile_lines(picture, scale, 1, width)
    return encode_rgb8(width, len(lines), b"".join(lines))


def text_picture(picture: Sequence[float], scale: Optional[float] = None, width: int = SIDE,
                 compact: bool = False, frame: bool = True) -> str:
    """A weight picture as text: ``#+.`` for positive weights, ``=-,`` for
    negative, strongest first, blank near zero (|w| < s/10), s = ``scale`` or
    the picture's own largest |w|.  Two characters a pixel so it looks square;
    ``compact``: one character a pixel and every two rows averaged (28 x 14
    characters), small enough to set three side by side.
    """
    if scale is None:
        scale = max((abs(v) for v in picture), default=0.0)
    rows = [list(picture[y:y + width]) for y in range(0, len(picture), width)]
    if compact:
        rows = [[(a + b) / 2 for a, b in zip(rows[y], rows[y + 1] if y + 1 < len(rows) else rows[y])]
                for y in range(0, len(rows), 2)]
    repeat = 1 if compact else 2
    lines = []
    for row in rows:
        line = []
        for v in row:
            t = v / scale if scale > 0.0 else 0.0
            strength = sum(1 for step in TEXT_STEPS if abs(t) >= step)
            character = " " if strength == 0 else (POSITIVE_CHARS if t > 0 else NEGATIVE_CHARS)[strength - 1]
            line.append(character * repeat)
        lines.append("".join(line))
    if frame:
        edge = "+" + "-" * (repeat * width) + "+"
        lines = [edge] + ["|" + line + "|" for line in lines] + [edge]
    return "\n".join(lines)


def side_by_side(blocks: Sequence[str], gap: int = 2) -> str:
    """Text blocks (each several lines) set next to each other, top-aligned.

    >>> print(side_by_side(["a\\nbb", "c"]))
    a   c
    bb
    """
    split = [block.split("\n") for block in blocks]
    widths = [max(map(len, lines)) for lines in split]
    height = max(map(len, split))
    out = []
    for y in range(height):
        parts = [(lines[y] if y < len(lines) else "").ljust(width) for lines, width in zip(split, widths)]
        out.append((" " * gap).join(parts).rstrip())
    return "\n".join(out)


def weights_path(model_path: str) -> str:
    """Where train.py puts a model's weight sheet: beside it, MODEL.weights.png.

    >>> weights_path("models/model.json"), weights_path("data/model.json.gz")
    ('models/model.weights.png', 'data/model.weights.png')
    """
    stem = model_path
    for suffix in (".gz", ".json"):
        if stem.endswith(suffix):
            stem = stem[:-len(suffix)]
    return stem + ".weights.png"


def write_sheet(network: Network, path: str, layer: int = 0, scaling: str = "tile") -> None:
    """Write the PNG sheet of a layer's weight pictures to ``path`` (atomically).

    Raises ``WeightsError`` if the file cannot be written.
    """
    data = sheet_png(neuron_pictures(network, layer), scaling)
    _write(path, data)


def _write(path: str, data) -> None:
    try:
        if isinstance(data, str):
            write_text_atomic(path, data)
        else:
            write_bytes_atomic(path, data)
    except OSError as error:
        raise WeightsError("%s: cannot write the file: %s" % (path, error.strerror or error)) from None


# ---------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m nrnn.inside.weights",
        description="Draw each neuron's incoming weights as a 28x28 picture: red where ink "
                    "raises the neuron, blue where it lowers it, white where it does not matter.")
    parser.add_argument("--model", default=SHIPPED_MODEL, metavar="PATH",
                        help="model file (default: the shipped data/model.json.gz)")
    parser.add_argument("--layer", type=int, default=0,
                        help="weight layer: 0 = the first hidden layer (default); deeper layers "
                             "are drawn as weighted sums of the first layer's pictures")
    parser.add_argument("--neuron", type=int, metavar="N", action="append", default=[],
                        help="print neuron N's picture as text (repeatable)")
    parser.add_argument("--png", metavar="OUT.png", help="write the sheet of all the layer's neurons as a PNG")
    parser.add_argument("--svg", metavar="OUT.svg", help="write the sheet as an SVG (with captions)")
    parser.add_argument("--scale", choices=SCALINGS, default="tile",
                        help="tile: each tile at full contrast (default); global: one scale for all")
    parser.add_argument("--zoom", type=int, choices=range(1, 17), metavar="1..16",
                        help="screen pixels per weight on the sheet (default: by neuron count)")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    from nrnn.recognition import load_recognizer  # here: recognition imports the image decoders

    args = _parser().parse_args(argv)
    try:
        network = load_recognizer(args.model)
        pictures = neuron_pictures(network, args.layer)
        count = len(pictures)
        for neuron in args.neuron:
            if not 0 <= neuron < count:
                raise UsageError("layer %d has neurons 0-%d; there is no neuron %d"
                                 % (args.layer, count - 1, neuron))
        shape = "-".join(map(str, network.sizes))
        print("%s network, layer %d: %d neurons, %s" % (
            shape, args.layer, count, "each neuron's 784 incoming weights" if args.layer == 0
            else "each drawn as the weighted sum of the pictures of the layer before"))
        for neuron in args.neuron:
            picture = pictures[neuron]
            bias = network.biases[args.layer][neuron] if network.biases is not None else None
            print("\nneuron %d: weights from %.3f to %.3f%s" % (
                neuron, min(picture), max(picture), "" if bias is None else ", bias %.3f" % bias))
            print(text_picture(picture))
        if args.neuron:
            print(TEXT_LEGEND)
        if not (args.neuron or args.png or args.svg):
            if count <= 16:
                for start in range(0, count, 4):
                    blocks = ["neuron %d\n%s" % (j, text_picture(pictures[j], compact=True))
                              for j in range(start, min(count, start + 4))]
                    print(side_by_side(blocks))
                print(TEXT_LEGEND)
            else:
                print("too many to print: choose some with --neuron N, or draw them all with --png OUT.png")
        title = "%s network, layer %d: %d neurons" % (shape, args.layer, count)
        if args.png:
            _write(args.png, sheet_png(pictures, args.scale, args.zoom))
            print("wrote %s (%s scale)" % (args.png, args.scale))
        if args.svg:
            _write(args.svg, sheet_svg(pictures, args.scale, title, args.zoom))
            print("wrote %s (%s scale)" % (args.svg, args.scale))
    except NrnnError as error:
        print_error(error)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "-v" and len(sys.argv) == 2:
        import doctest
        doctest.testmod()
    else:
        sys.exit(run_main(main))
