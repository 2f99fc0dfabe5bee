"""The sigmoid neuron's activation function and its derivative.

    sigma(z)  = 1 / (1 + e^(-z))                 squashes any z into (0, 1)
    sigma'(z) = sigma(z) (1 - sigma(z))          its slope, at most 1/4 (at z = 0)

(In floats, sigma(z) rounds to exactly 1.0 for z above about 37 and to 0.0
below about -745: the range is really [0, 1].)

The derivative is a function of the output a = sigma(z) alone:
sigma'(z) = a (1 - a).  ``sigmoid_prime(z)`` computes it from z, as the
equations write it (reference.py uses it); network.py writes a (1 - a)
inline with the activations the forward pass already holds, which saves one
``exp`` per neuron and gives the very same number.

Overflow: ``math.exp(x)`` raises OverflowError for x > 709, so the textbook
form 1 / (1 + exp(-z)) crashes for z < -709 (a large negative input, which a
badly scaled network does produce).  For z < 0 we use the equal form
e^z / (1 + e^z), where e^z only underflows quietly towards 0.

>>> sigmoid(0.0)
0.5
>>> sigmoid(-1000.0), sigmoid(1000.0)
(0.0, 1.0)
>>> sigmoid_prime(0.0)
0.25
>>> round(sigmoid(2.0), 6), round(sigmoid_prime(2.0), 6)    # a = 0.880797, a (1 - a) = 0.104994
(0.880797, 0.104994)
>>> sigmoid(40.0), sigmoid_prime(40.0)                      # saturated: slope 0, no learning
(1.0, 0.0)
"""

from math import exp


def sigmoid(z: float) -> float:
    """sigma(z) = 1 / (1 + e^(-z)), computed without overflow for any float z."""
    if z >= 0.0:
        return 1.0 / (1.0 + exp(-z))
    e = exp(z)
    return e / (1.0 + e)


def sigmoid_prime(z: float) -> float:
    """sigma'(z) = sigma(z) (1 - sigma(z)).

    Only reference.py calls it (network.py has a and writes a (1 - a)): it
    stays because the tutorial's BP1 and BP2 read as the book writes them.
    """
    a = sigmoid(z)
    return a * (1.0 - a)


if __name__ == "__main__":
    import doctest
    doctest.testmod()
