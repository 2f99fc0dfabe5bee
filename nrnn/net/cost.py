"""Cost functions: how wrong the network's output a is for the target y.

Both are summed over the n_L output neurons; a = a^L (the output) and y
are vectors of n_L entries, y one-hot for a digit (y[label] = 1, the rest 0).
What backpropagation needs from a cost is delta^L, the error of the output
layer, equation BP1 (see network.py):

    delta^L = dC/dz^L = dC/da^L (*) sigma'(z^L)        ((*) = elementwise)

and sigma'(z^L) = a (1 - a).  Quadratic cost, the default of every
beginner's network:

    C = 1/2 sum_j (a_j - y_j)^2,      dC/da_j = a_j - y_j,      delta^L = (a - y) (*) a (1 - a)

Cross-entropy cost:

    C = -sum_j [ y_j ln a_j + (1 - y_j) ln(1 - a_j) ],
    dC/da_j = (a_j - y_j) / (a_j (1 - a_j)),      delta^L = a - y

Why cross-entropy learns faster with sigmoid outputs: in the quadratic
delta the factor a (1 - a) is nearly 0 when an output neuron saturates near 0
or 1, so a neuron that is confidently *wrong* learns slowest of all.  For
cross-entropy that factor cancels exactly against dC/da = (a - y) / (a (1 - a)),
leaving delta = a - y: the more wrong, the faster it learns.

>>> QUADRATIC.output_delta([0.5, 0.5], [1.0, 0.0])
[-0.125, 0.125]
>>> CROSS_ENTROPY.output_delta([0.5, 0.5], [1.0, 0.0])
[-0.5, 0.5]
>>> round(CROSS_ENTROPY.value([0.5, 0.5], [1.0, 0.0]), 6)    # 2 ln 2
1.386294

A confidently wrong output, a = 0.99 where y = 0: the quadratic delta is
tiny, the cross-entropy delta is large.

>>> round(QUADRATIC.output_delta([0.99], [0.0])[0], 4), CROSS_ENTROPY.output_delta([0.99], [0.0])[0]
(0.0098, 0.99)
"""

from math import log
from typing import Protocol

# ln(1e-300) = -690.8: a stand-in for ln 0 when an output rounds to exactly
# 0 or 1, so a hopeless prediction costs a large finite number, not a crash.
_TINY = 1e-300


class Cost(Protocol):
    """What the network needs of a cost: its name, C(a, y), and BP1's delta^L."""

    name: str

    def value(self, a: list, y: list) -> float: ...

    def output_delta(self, a: list, y: list) -> list: ...


class QuadraticCost:
    """C = 1/2 ||a - y||^2.  ``output_delta`` is BP1: (a - y) (*) a (1 - a)."""

    name = "quadratic"

    @staticmethod
    def value(a: list, y: list) -> float:
        return 0.5 * sum((aj - yj) ** 2 for aj, yj in zip(a, y))

    @staticmethod
    def output_delta(a: list, y: list) -> list:
        return [(aj - yj) * aj * (1.0 - aj) for aj, yj in zip(a, y)]

    def __repr__(self):
        return "QuadraticCost()"


class CrossEntropyCost:
    """C = -sum [y ln a + (1 - y) ln(1 - a)].  ``output_delta`` is BP1: a - y."""

    name = "cross-entropy"

    @staticmethod
    def value(a: list, y: list) -> float:
        total = 0.0
        for aj, yj in zip(a, y):
            if yj:
                total -= yj * log(max(aj, _TINY))
            if yj != 1.0:
                total -= (1.0 - yj) * log(max(1.0 - aj, _TINY))
        return total

    @staticmethod
    def output_delta(a: list, y: list) -> list:
        return [aj - yj for aj, yj in zip(a, y)]

    def __repr__(self):
        return "CrossEntropyCost()"


QUADRATIC = QuadraticCost()
CROSS_ENTROPY = CrossEntropyCost()

COSTS: dict[str, Cost] = {QUADRATIC.name: QUADRATIC, CROSS_ENTROPY.name: CROSS_ENTROPY}


if __name__ == "__main__":
    import doctest
    doctest.testmod()
