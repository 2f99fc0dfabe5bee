"""Seeing inside a trained network: a neuron's weights as a picture
(``weights.py``), what each hidden neuron added to an answer
(``explain.py``), and the input a digit's output likes best (``dream.py``).
"""
