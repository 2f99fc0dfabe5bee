"""MNIST on disk: the IDX files it is published in, downloading them with
checks (``download.py``), and the streaming CSV (label + 784 pixels a line)
that training reads (``mnist_csv.py``).  ``python -m nrnn.data`` is the
command that fetches and converts them.

The shape of an MNIST digit is defined here, once; every module that needs
it imports it from here:

    SIDE = 28      an image is SIDE x SIDE pixels, stored row by row
    PIXELS = 784   SIDE * SIDE: one input neuron a pixel
    DIGITS = 10    the classes 0..9: one output neuron a digit

>>> SIDE * SIDE == PIXELS, DIGITS
(True, 10)
"""

SIDE = 28
PIXELS = SIDE * SIDE
DIGITS = 10
