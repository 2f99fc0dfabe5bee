"""nrnn: a handwritten-digit recognizer written from scratch in pure Python.

A multilayer perceptron with sigmoid neurons, trained by backpropagation and
stochastic gradient descent on MNIST, using nothing but the standard library.
Read the source in this order (nrnn/README.md says what each file teaches):

    net/      the network:    reference.py -> sigmoid.py -> cost.py ->
                              network.py, fit_predict.py -> gradcheck.py,
                              walkthrough.py ->
                              matrix.py -> prng.py -> model_file.py
    mnist/    the data:       idx.py, download.py, mnist_csv.py (data.py,
                              at the top, is the command that fetches it)
    train/    training:       shuffle.py, augment.py, (image/) deskew.py,
                              drawn_styles.py -> training.py, evaluate.py
    image/    a picture:      png.py -> jpeg.py, jpeg_huffman.py, idct.py,
                              jpeg_colour.py, orientation.py, jpeg_encoder.py
                              -> image_file.py -> preprocess.py, resample.py,
                              morphology.py, ink.py
    the answer:               recognize.py, (image/) skeleton.py -> serve.py
    inside/   seeing inside:  weights.py, explain.py, dream.py

At the top, beside recognize.py and serve.py, are the small helpers every
part shares: errors.py, atomic.py, cli.py, input_file.py, progress.py.

Start with reference.py: the whole network as the equations write it.
``python -m nrnn.net.walkthrough`` prints one step of backpropagation with every
number; ``python -m nrnn.net.gradcheck`` checks every derivative.
"""

__version__ = "0.1.0"
