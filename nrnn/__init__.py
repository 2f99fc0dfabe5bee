"""nrnn: a handwritten-digit recognizer written from scratch in pure Python.

A multilayer perceptron with sigmoid neurons, trained by backpropagation and
stochastic gradient descent on MNIST, using nothing but the standard library.
Read the source in this order (nrnn/README.md says what each file teaches):

    reference.py  -> sigmoid.py -> cost.py -> network.py -> gradcheck.py,
    walkthrough.py -> matrix.py -> prng.py -> model_file.py -> the data
    (idx.py, download.py, mnist_csv.py, data.py) -> shuffle.py, augment.py,
    deskew.py, drawn_styles.py -> training.py, evaluate.py -> png.py ->
    jpeg.py, jpeg_huffman.py, idct.py, jpeg_colour.py, orientation.py,
    jpeg_encoder.py -> image_file.py -> preprocess.py, resample.py,
    morphology.py, ink.py -> recognize.py, skeleton.py -> serve.py ->
    weights.py, explain.py, dream.py

Start with reference.py: the whole network as the equations write it.
``python -m nrnn.walkthrough`` prints one step of backpropagation with every
number; ``python -m nrnn.gradcheck`` checks every derivative.
"""

__version__ = "0.1.0"
