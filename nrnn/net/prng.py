"""A seeded pseudo-random generator of our own: PCG32.

Why not the ``random`` module?  Python promises that ``random.seed(s)``
keeps giving the same ``random.random()`` sequence across versions, but
nothing more: ``gauss``, ``shuffle``, ``randrange`` and the rest may change
their algorithms from one version to the next.  nrnn needs exactly those
(Gaussian initial weights, shuffles, random shifts), and promises that the
same seed gives bit-identical initial weights on every supported
interpreter (CPython 3.9-3.13, PyPy 3), so a model can be reproduced
anywhere.  A generator we own is a few lines, its output is pinned by
golden-value tests, and it has what ``random`` lacks: numbered streams, so
each epoch's shuffle and shifts get a sequence of their own (training.py).

PCG32 (Melissa O'Neill, "PCG: A Family of Simple Fast Space-Efficient
Statistically Good Algorithms for Random Number Generation", 2014), variant
XSH-RR 64/32: a 64-bit linear congruential generator

    state' = state * 6364136223846793005 + increment   (mod 2**64)

and whose output is a function of the old 64-bit state that returns 32
bits: the state xor-shifted by 18, its bits 27-58 kept, then rotated right
by the amount in the top 5 bits.  The LCG alone has weak low bits (the
lowest bit just alternates); the output function keeps only high bits and
lets the state choose the rotation, which is what makes PCG statistically
good.  The values below are those of the reference C implementation,
pcg32-demo, seeded with ``pcg32_srandom_r(42, 54)``:

>>> rng = PCG32(42, 54)
>>> [hex(rng.next_u32()) for _ in range(3)]
['0xa15c02b7', '0x7b47f409', '0xba1d3330']

Built on it: uniform floats in [0, 1), fair integers below n, Gaussian
samples (what initial weights are drawn from) and shuffles:

>>> rng = PCG32(0)
>>> [round(rng.gaussian(), 4) for _ in range(4)]
[-0.8092, 0.0549, -0.7457, 1.1572]
>>> items = list(range(8)); PCG32(1).shuffle(items); items
[3, 6, 5, 2, 4, 7, 0, 1]
"""

import math
from typing import Optional

_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1
_MULTIPLIER = 6364136223846793005
_TWO_PI = 2.0 * math.pi


class PCG32:
    """PCG32 generator; ``seed`` picks the start, ``stream`` the sequence."""

    def __init__(self, seed: int = 0, stream: int = 54):
        # Seeding exactly as pcg32_srandom_r does, so our outputs can be
        # checked against the published reference values.
        self.state = 0
        self.increment = ((stream << 1) | 1) & _MASK64
        self.next_u32()
        self.state = (self.state + seed) & _MASK64
        self.next_u32()
        self._spare_gaussian: Optional[float] = None

    def __repr__(self):
        return "PCG32(state=%#018x, increment=%#018x)" % (self.state, self.increment)

    def next_u32(self) -> int:
        """Return the next 32-bit unsigned integer, 0 <= n < 2**32."""
        old = self.state
        self.state = (old * _MULTIPLIER + self.increment) & _MASK64
        xorshifted = (((old >> 18) ^ old) >> 27) & _MASK32
        rotation = old >> 59
        return ((xorshifted >> rotation) | (xorshifted << (-rotation & 31))) & _MASK32

    def uniform(self) -> float:
        """Return a float in [0, 1) with 53 random bits (all a double holds).

        27 bits from one draw and 26 from the next make an integer below
        2**53; dividing by 2**53 is exact, so no rounding differs between
        interpreters.
        """
        high = self.next_u32() >> 5
        low = self.next_u32() >> 6
        return (high * 67108864 + low) / 9007199254740992.0

    def below(self, n: int) -> int:
        """Return an integer uniformly distributed in 0 <= k < n (n <= 2**32).

        Rejection sampling removes the bias that ``next_u32() % n`` has when
        2**32 is not a multiple of n.
        """
        if not 0 < n <= 1 << 32:
            raise ValueError("n must be in 1..2**32, got %r" % (n,))
        threshold = (1 << 32) % n
        while True:
            value = self.next_u32()
            if value >= threshold:
                return value % n

    def gaussian(self, mean: float = 0.0, std: float = 1.0) -> float:
        """Return a sample of N(mean, std**2) by the Box-Muller transform.

        Two uniforms u1, u2 give two independent standard normals

            r = sqrt(-2 ln u1),  z1 = r cos(2 pi u2),  z2 = r sin(2 pi u2).

        We use 1 - uniform() for u1 so it is never 0 (ln 0 is undefined), and
        keep z2 for the next call.
        """
        if self._spare_gaussian is not None:
            z, self._spare_gaussian = self._spare_gaussian, None
            return mean + std * z
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        radius = math.sqrt(-2.0 * math.log(u1))
        angle = _TWO_PI * u2
        self._spare_gaussian = radius * math.sin(angle)
        return mean + std * (radius * math.cos(angle))

    def shuffle(self, items: list) -> None:
        """Shuffle ``items`` in place (Fisher-Yates), reproducibly."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


if __name__ == "__main__":
    import doctest
    doctest.testmod()
