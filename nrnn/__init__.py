"""nrnn: a handwritten-digit recognizer written from scratch in pure Python.

A multilayer perceptron with sigmoid neurons, trained by backpropagation and
stochastic gradient descent on MNIST, using nothing but the standard library.
Read the source in the order the README gives; each module explains one idea.
"""

__version__ = "0.1.0"
