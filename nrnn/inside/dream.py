"""What does the network think a digit looks like?  ``python -m nrnn.inside.dream DIGIT``.

Training changed the weights to make the right output large for the
training images.  Dreaming turns this round: the weights stay fixed and the
*input* changes, to make output k as large as it can be.

The gradient of z_k with respect to the input.  Backpropagation already
carries an error back through the layers (network.py's BP2); starting from
the output neuron k alone it gives d z_k / d z_l for every layer:

    delta_L = e_k                                   (1 at neuron k, 0 elsewhere)
    delta_l = (W_l^T delta_{l+1}) (*) sigma'(z_l)   for the hidden layers l = L-1 .. 1

and one more backward step, through the first weights, reaches the pixels:

    d z_k / d x = W_0^T delta_1                     (784 numbers)

(no sigma' there: the pixels are inputs, not neurons).  We climb on z_k
rather than on a_k = sigma(z_k): the two rise and fall together, but a_k's
gradient vanishes once a_k is near 1 and z_k's does not.

Gradient ascent with the pixels kept in [0, 1]:

    x <- clip(x + eta g / max_i |g_i|, 0, 1)

so the pixel with the steepest gradient moves by eta.  If a step fails to
raise z_k (it overshot, or the clip cut it), eta is halved and the step
retried (and after a success doubled again, up to its first size): every
accepted step raises z_k, so the dream's output increases monotonically.

Why the dream is not a clean digit.  Nothing asks the picture to look like
handwriting: the network only ever saw digits, so it never learned what
*non*-digits look like, and any ink that raises z_k is welcome, wherever it
is.  Every pixel whose gradient is positive fills up with ink, every pixel
with a negative gradient empties: the dream is a speckled map of "ink here
helps k" (the output neuron's weight picture, bent by the hidden sigmoids),
with the strokes of a typical k only faintly in it, plus ink in places no
writer would put it, where it happens to argue against the other digits.
``--smooth`` makes neighbouring pixels move together (a hint that ink comes
in strokes, not grains): the dream turns into blobs along the places a k's
strokes go, still not a digit.
Starting from a real digit (``--start IMAGE``) keeps the dream closer to
handwriting: it exaggerates what makes that image a k.

Backquery (``--backquery``), after Tariq Rashid's *Make Your Own Neural
Network*: run the network backwards.  Ask for outputs y (0.99 for k, 0.01
for the others), undo the sigmoid (z = logit(y)) and the bias, spread z
back through the weights (W^T z), squash the result into [0.01, 0.99] so
that the next logit is defined, and repeat down to the pixels.  W^T is not
the inverse of W (784 inputs cannot be recovered from 10 outputs), so this
is a picture of the weights' preferences, not an input the network would
answer k for; with biases it subtracts them on the way, an approximation
Rashid's bias-free network did not need.

>>> from nrnn.net.network import Network
>>> network = Network([784, 8, 10], seed=4)
>>> result = dream(network, 3, steps=5)
>>> all(b > a for a, b in zip(result.values, result.values[1:]))
True
>>> 0.0 <= min(result.image) and max(result.image) <= 1.0
True
"""

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Optional

from nrnn.atomic import write_bytes_atomic
from nrnn.cli import EXIT_FAILED, EXIT_OK, OneLineParser, display_path, print_error, run_main
from nrnn.errors import NrnnError
from nrnn.inside.explain import layer_values
from nrnn.inside.weights import side_by_side
from nrnn.net import matrix
from nrnn.net.model_file import SHIPPED_MODEL
from nrnn.net.network import Network
from nrnn.recognition import FIELD, input_png, text_art

__all__ = ["input_gradient", "dream", "Dream", "backquery", "box_blur", "DreamError", "main"]

#: How far the steepest pixel moves in one step, at first.
STEP = 0.2
STEPS = 60
#: Give up when a step this small still cannot raise z_k: a (local) top.
SMALLEST_STEP = 1e-4


class DreamError(NrnnError):
    """A dream that cannot be made: a bad digit, start image or output file."""


def input_gradient(network: Network, x: Sequence[float], digit: int) -> list[float]:
    """d z_digit / d x: 784 floats (n_0), by one backward pass (see above)."""
    zs, activations = layer_values(network, x)
    delta = [0.0] * len(zs[-1])
    delta[digit] = 1.0
    for layer in range(len(network.weights) - 1, 0, -1):
        back = matrix.transpose_matvec(network.weights[layer], delta)
        a = activations[layer]
        delta = [e * aj * (1.0 - aj) for e, aj in zip(back, a)]  # sigma'(z) = a (1 - a)
    return matrix.transpose_matvec(network.weights[0], delta)


class Dream:
    """A dreamed input: ``image`` (784 floats in [0, 1]), the digit, and
    ``values``: z_digit after every accepted step (the first is the start's)."""

    def __init__(self, digit: int, image: list[float], values: list[float], outputs: list[float]):
        self.digit = digit
        self.image = image
        self.values = values
        self.outputs = outputs

    def __repr__(self):
        return "Dream(digit=%d, z %.2f -> %.2f in %d steps)" % (
            self.digit, self.values[0], self.values[-1], len(self.values) - 1)


def dream(network: Network, digit: int, start: Optional[Sequence[float]] = None,
          steps: int = STEPS, step: float = STEP, smooth: bool = False) -> Dream:
    """Gradient ascent on the input to raise output ``digit``'s z, from
    ``start`` (784 floats in [0, 1]; default blank), pixels clipped to [0, 1].

    ``smooth``: climb along the gradient averaged over each pixel's 3 x 3
    neighbourhood (``box_blur``) instead of the gradient itself, so that
    neighbouring pixels move together, as they do in a pen stroke.  It is
    still checked against z_k itself: a step that does not raise it is
    halved, so the output rises at every step either way.
    """
    _check_digit(network, digit)
    x = [min(1.0, max(0.0, float(v))) for v in start] if start is not None else [0.0] * network.sizes[0]
    value = layer_values(network, x)[0][-1][digit]
    values = [value]
    largest = step
    for _ in range(steps):
        gradient = input_gradient(network, x, digit)
        if smooth:
            gradient = box_blur(gradient)
        steepest = max(map(abs, gradient))
        if steepest == 0.0:
            break
        while step >= SMALLEST_STEP:
            scale = step / steepest
            candidate = [min(1.0, max(0.0, v + scale * g)) for v, g in zip(x, gradient)]
            new_value = layer_values(network, candidate)[0][-1][digit]
            if new_value > value:
                break
            step /= 2.0  # overshot (or clipped to nothing): a smaller step
        else:
            break
        x, value = candidate, new_value
        values.append(value)
        step = min(largest, 2.0 * step)  # try a bolder step again next time
    return Dream(digit, x, values, layer_values(network, x)[1][-1])


def box_blur(values: Sequence[float], width: int = FIELD) -> list[float]:
    """Each value replaced by the mean of its 3 x 3 neighbourhood (fewer at
    the edges) in a width-wide row-major picture.

    >>> box_blur([0.0, 0.0, 0.0,  0.0, 9.0, 0.0,  0.0, 0.0, 0.0], width=3)
    [2.25, 1.5, 2.25, 1.5, 1.0, 1.5, 2.25, 1.5, 2.25]
    """
    height = len(values) // width
    out = []
    for y in range(height):
        rows = range(max(0, y - 1), min(height, y + 2))
        for x in range(width):
            columns = range(max(0, x - 1), min(width, x + 2))
            out.append(sum(values[r * width + c] for r in rows for c in columns) / (len(rows) * len(columns)))
    return out


def _logit(y: float) -> float:
    return math.log(y / (1.0 - y))


def _squash(values: list[float], low: float = 0.01, high: float = 0.99) -> list[float]:
    """Rescale to [low, high] linearly (Rashid's step that keeps logit defined)."""
    smallest, largest = min(values), max(values)
    if largest == smallest:
        return [(low + high) / 2] * len(values)
    return [low + (high - low) * (v - smallest) / (largest - smallest) for v in values]


def backquery(network: Network, digit: int) -> list[float]:
    """Rashid's backquery: the network run backwards from the target output
    (0.99 for ``digit``, 0.01 elsewhere) to 784 floats in [0, 1]."""
    _check_digit(network, digit)
    a = [0.99 if k == digit else 0.01 for k in range(network.sizes[-1])]
    for layer in range(len(network.weights) - 1, -1, -1):
        z = [_logit(v) for v in a]
        if network.biases is not None:
            z = [zj - bj for zj, bj in zip(z, network.biases[layer])]
        a = _squash(matrix.transpose_matvec(network.weights[layer], z))
    return _squash(a, 0.0, 1.0)


def _check_digit(network: Network, digit: int) -> None:
    if not (isinstance(digit, int) and 0 <= digit < network.sizes[-1]):
        raise DreamError("there is no output %r: the network's outputs are 0-%d"
                         % (digit, network.sizes[-1] - 1))


# ---------------------------------------------------------------- command line


def _digits(text: str) -> list[int]:
    if text == "all":
        return list(range(10))
    if not (text.isascii() and text.isdigit() and len(text) == 1):
        raise argparse.ArgumentTypeError("%r is not a digit 0-9 (or 'all')" % text)
    return [int(text)]


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
    if not 1 <= value <= 10000:
        raise argparse.ArgumentTypeError("%d is outside 1..10000" % value)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m nrnn.inside.dream",
        description="Draw what the network thinks a digit looks like: gradient ascent on the "
                    "input to make that digit's output as large as it can be.")
    parser.add_argument("digit", type=_digits, metavar="DIGIT", help="0-9, or 'all' for a strip of all ten")
    parser.add_argument("--model", default=SHIPPED_MODEL, metavar="PATH",
                        help="model file (default: the shipped data/model.json.gz)")
    parser.add_argument("--png", metavar="OUT.png", help="save the dream as a PNG (white ink on black)")
    parser.add_argument("--start", metavar="IMAGE",
                        help="start from this image (read as predict.py reads it) instead of a blank field")
    parser.add_argument("--steps", type=_steps, default=STEPS, help="ascent steps (default: %(default)s)")
    parser.add_argument("--smooth", action="store_true",
                        help="move neighbouring pixels together (the gradient averaged over 3x3): "
                             "blobs closer to strokes than the plain dream's speckle")
    parser.add_argument("--backquery", action="store_true",
                        help="run the network backwards instead (Rashid's backquery)")
    return parser


def _start_image(path: str, network: Network) -> list[float]:
    from nrnn.input_file import MAX_FILE_BYTES, read_capped
    from nrnn.recognition import recognize

    raw = read_capped(path, MAX_FILE_BYTES, limit_name="MAX_FILE_BYTES")
    return recognize(raw, network, name=display_path(path)).inputs


def _strip_png(images: Sequence[Sequence[float]], scale: int = 4, gap: int = 4) -> bytes:
    """Images (784 floats in [0, 1] each) side by side on a gray strip, white
    ink on black as the network sees them, each pixel a scale x scale square."""
    from nrnn.image.png import encode_gray8

    side = FIELD * scale
    paper = b"\x80"
    width = len(images) * side + (len(images) + 1) * gap
    rows = [paper * width] * gap
    for y in range(FIELD):
        pieces = [paper * gap]
        for image in images:
            levels = bytes(min(255, max(0, int(v * 255.0 + 0.5))) for v in image[y * FIELD:(y + 1) * FIELD])
            pieces.append(bytes(level for level in levels for _ in range(scale)))
            pieces.append(paper * gap)
        rows.extend([b"".join(pieces)] * scale)
    rows.extend([paper * width] * gap)
    return encode_gray8(width, len(rows), b"".join(rows))


def main(argv: Optional[list[str]] = None) -> int:
    from nrnn.recognition import load_recognizer

    args = _parser().parse_args(argv)
    try:
        network = load_recognizer(args.model)
        start = _start_image(args.start, network) if args.start else None
        images, arts = [], []
        for digit in args.digit:
            if args.backquery:
                image = backquery(network, digit)
                outputs = layer_values(network, image)[1][-1]
                head = "backquery %d: output %d = %.3f" % (digit, digit, outputs[digit])
            else:
                result = dream(network, digit, start, steps=args.steps, smooth=args.smooth)
                image, outputs = result.image, result.outputs
                head = "dream %d: z_%d %.2f -> %.2f in %d steps, output %.3f" % (
                    digit, digit, result.values[0], result.values[-1], len(result.values) - 1,
                    outputs[digit])
            answer = outputs.index(max(outputs))
            print(head + ("" if answer == digit else " (but output %d is larger)" % answer))
            images.append(image)
            arts.append("%d\n%s" % (digit, text_art(image)))
        if len(arts) == 1:
            print(arts[0].split("\n", 1)[1])
        else:
            for first in range(0, len(arts), 2):
                print(side_by_side(arts[first:first + 2]))
        if args.png:
            data = input_png(images[0], 8) if len(images) == 1 else _strip_png(images)
            try:
                write_bytes_atomic(args.png, data)
            except OSError as error:
                raise DreamError("%s: cannot write the file: %s" % (args.png, error.strerror or error)) from None
            print("wrote %s" % args.png)
    except NrnnError as error:
        print_error(error)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    if sys.argv[1:] == ["-v"]:
        import doctest
        doctest.testmod()
    else:
        sys.exit(run_main(main))
