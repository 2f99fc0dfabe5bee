"""A picture -> 784 inputs, the way MNIST's digits were made.

Decoding: ``png.py`` and ``jpeg.py`` (with ``jpeg_huffman.py``, ``idct.py``,
``jpeg_colour.py``, ``orientation.py``), told apart by ``image_file.py``.
Preparing: ``preprocess.py`` (crop, 20x20 box, centre of mass) with
``resample.py``, ``morphology.py`` and ``ink.py`` for photos, ``deskew.py``
and ``skeleton.py`` for the network's two looks; ``strokes.py`` draws pen
strokes.  Nothing here knows about the network.
"""
