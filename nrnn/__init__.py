"""nrnn: a handwritten-digit recognizer written from scratch in pure Python.

A multilayer perceptron with sigmoid neurons, trained by backpropagation and
stochastic gradient descent on MNIST, using nothing but the standard library.
Read the source in this order (nrnn/README.md says what each file teaches):

    net/      the network:    reference.py -> sigmoid.py -> cost.py ->
                              network.py, fit_predict.py -> gradcheck.py,
                              walkthrough.py -> matrix.py -> prng.py ->
                              model_file.py, model_cache.py
    mnist/    the data:       idx.py, download.py, mnist_csv.py (data.py,
                              at the top, is the command that fetches it)
    train/    training:       shuffle.py, augment.py, (image/) deskew.py,
                              drawn_styles.py -> config.py, training.py,
                              checkpoint.py, evaluate.py
    image/    a picture:      png.py -> jpeg.py, jpeg_huffman.py, idct.py,
                              jpeg_colour.py, orientation.py, jpeg_encoder.py
                              -> image_file.py -> gray.py, preprocess.py,
                              resample.py, morphology.py, screenshot.py,
                              paper_lines.py, sheet.py, tophat.py, border.py,
                              frames.py, pen_and_thumb.py, readings.py,
                              tight_crop.py, ink.py
    the answer:               recognition.py, (image/) skeleton.py -> serve.py
    inside/   seeing inside:  weights.py, explain.py, dream.py

At the top, beside recognition.py and serve.py, are the small helpers every
part shares: errors.py, atomic.py, cli.py, input_file.py, progress.py.

Start with reference.py: the whole network as the equations write it.
``python -m nrnn.net.walkthrough`` prints one step of backpropagation with every
number; ``python -m nrnn.net.gradcheck`` checks every derivative.

As a library, three names are enough to start (``import nrnn`` itself stays
cheap: each loads its modules when first called)::

    import nrnn
    answer = nrnn.recognize("digit.png")      # a Recognition: .digit, .confidence, ...
    network = nrnn.load_model()               # the shipped model, a Network
    network = nrnn.Network([784, 30, 10])     # a new one: .fit, .predict, .score
"""

import os
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:  # for the type checker only: importing them here would load them all
    from nrnn.net.network import Network
    from nrnn.recognition import Recognition

__version__ = "0.1.0"

__all__ = ["Network", "load_model", "recognize"]


def load_model(path: Optional[str] = None) -> "Network":
    """The network saved in the model file ``path`` (``.json`` or
    ``.json.gz``); without ``path``, the shipped digit recognizer
    (data/model.json.gz, a 784-500-10 network).

    Raises ``nrnn.errors.ModelFileError`` naming the file if it cannot be read.
    """
    from nrnn.net import model_file
    return model_file.load_model(path if path is not None else model_file.SHIPPED_MODEL)


def recognize(image: Union[str, "os.PathLike[str]", bytes], network: Optional["Network"] = None
              ) -> "Recognition":
    """Read the digit in a PNG or JPEG: ``image`` is a file's path or its
    bytes (the format is told by the bytes, not the name).  ``network``
    defaults to the shipped model (loaded on the first call, then kept).  Returns a ``Recognition`` (``.digit``,
    ``.confidence``, ``.probabilities``, ``.ranking``...; see
    nrnn/recognition.py).

    Raises an ``nrnn.errors.NrnnError`` with a one-line message for a file
    that cannot be read, is not a PNG or JPEG, or holds no ink.
    """
    from nrnn import recognition
    from nrnn.input_file import read_capped
    if network is None:
        network = _shipped_recognizer()
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        # At most MAX_FILE_BYTES: a 3 GB file given by mistake is one error.
        return recognition.recognize(read_capped(path, limit_name="MAX_FILE_BYTES"), network, name=path)
    return recognition.recognize(image, network)


_shipped: list["Network"] = []  # the shipped model once loaded: recognize() keeps it


def _shipped_recognizer() -> "Network":
    if not _shipped:
        from nrnn.net.model_file import SHIPPED_MODEL
        from nrnn.recognition import load_recognizer
        _shipped.append(load_recognizer(SHIPPED_MODEL))
    return _shipped[0]


def __getattr__(name: str):
    """``nrnn.Network``, imported on first use (PEP 562), so that ``import
    nrnn`` does not load the network's modules until they are needed."""
    if name == "Network":
        from nrnn.net.network import Network
        return Network
    raise AttributeError("module 'nrnn' has no attribute %r" % (name,))
