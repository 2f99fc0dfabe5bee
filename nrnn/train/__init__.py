"""Training a network on MNIST: the loop (``training.py``), the bounded
shuffle buffer, distorted and drawn training images (``augment.py``,
``drawn_styles.py``), accuracy and the confusion matrix (``evaluate.py``),
and what ``train.py`` shows and writes around them (``session.py``,
``report.py``, ``chart.py``).
"""
