"""MNIST on disk: the IDX files it is published in, downloading them with
checks (``download.py``), and the streaming CSV (label + 784 pixels a line)
that training reads (``mnist_csv.py``).  ``python -m nrnn.data`` is the
command that fetches and converts them.
"""
