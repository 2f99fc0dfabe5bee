"""Linear algebra on plain Python lists: exactly what a neural network needs.

You do not need this file to follow backpropagation: network.py names each
operation with its equation, and reference.py writes the same arithmetic as
plain loops.  Read it to see how pure Python is made fast.

A vector is a list of floats.  A matrix is a list of rows, each row a list of
floats, so a weight matrix W that maps n_in inputs to n_out outputs is a list
of n_out rows of n_in entries, and W[j][i] is the weight from input i to
neuron j.  Five operations carry the whole network:

    matvec(W, x)              z = W x              (n_out x n_in) (n_in) -> (n_out)
    sparse_matvec(W, I, V)    z = W x  for a mostly-zero x given as its
                              nonzero indices I and values V
    transpose_matvec(W, d)    e = W^T d            (n_out x n_in) (n_out) -> (n_in)
    add_outer(M, c, x)        M += c x^T           M[j][i] += c[j] * x[i]
    sparse_add_outer(M, c, I, V)   the same for a mostly-zero x

>>> W = [[1.0, 2.0, 0.0],
...      [0.0, 1.0, -1.0]]
>>> matvec(W, [1.0, 1.0, 1.0])
[3.0, 0.0]
>>> transpose_matvec(W, [1.0, 2.0])
[1.0, 4.0, -2.0]
>>> indices, values = nonzero([0.0, 0.5, 0.0])
>>> indices, values
([1], [0.5])
>>> sparse_matvec(W, indices, values)
[1.0, 0.5]
>>> add_outer(W, [1.0, 0.0], [1.0, 1.0, 1.0]); W
[[2.0, 3.0, 1.0], [0.0, 1.0, -1.0]]

Why two kernels for each operation
----------------------------------
Speed in pure Python depends on *who* runs the loop.  On CPython every
bytecode costs tens of nanoseconds, so the fast way is to hand whole rows to
functions written in C: ``math.sumprod`` (3.12+) or ``sum(map(mul, u, v))``
for a dot product, ``map(add, row, map(mul, x, repeat(c)))`` for an update.
PyPy's JIT compiles plain index loops to machine code, and the C-level
``map`` tricks only get in its way.  So this module defines each operation
twice, side by side, and picks one set when it is imported.  Both compute the
same mathematics; results can differ in the last bit (sumprod rounds its sum
once), but each interpreter is deterministic on its own.

MNIST inputs are ~80% zeros.  An input that is zero contributes nothing to
W x and receives no weight update (its gradient is delta * 0), so the first
layer works on the nonzero pixels only: roughly five times less work.

Layout of this file: the CPython kernels, then the PyPy kernels, then the
choice between them and the public names with their docstrings.
"""

import sys
from itertools import compress, repeat
from operator import add, itemgetter, mul

try:
    # mypy checks as Python 3.10, where math has no sumprod: hence the ignore.
    from math import sumprod as _sumprod  # type: ignore[attr-defined]  # Python 3.12+: C, one rounding
except ImportError:  # Python 3.9-3.11
    _sumprod = None

# sys.implementation, not the platform module: that one costs PyPy 20 ms to import.
ON_PYPY = sys.implementation.name == "pypy"


def zeros(rows: int, columns: int) -> list:
    """A rows x columns matrix of 0.0 (a list of ``rows`` fresh lists)."""
    return [[0.0] * columns for _ in range(rows)]


def add_into(target: list, source: list) -> None:
    """target += source, element by element, for two matrices of one shape."""
    for row, other in zip(target, source):
        row[:] = map(add, row, other)


def scale_matrix(matrix: list, factor: float) -> None:
    """matrix *= factor, in place (used for L2 weight decay)."""
    for row in matrix:
        row[:] = map(mul, row, repeat(factor))


# --- CPython kernels: let C code run the inner loops -------------------------

def _nonzero_cpython(vector):
    # compress keeps the items whose selector (the entry itself) is nonzero.
    return list(compress(range(len(vector)), vector)), list(compress(vector, vector))


def _dot_cpython(u, v):
    """u . v = sum_i u[i] v[i]; both of length n."""
    return sum(map(mul, u, v))


def _matvec_cpython(matrix, vector):
    dot = _dot
    return [dot(row, vector) for row in matrix]


def _sparse_matvec_cpython(matrix, indices, values):
    if type(matrix) is Columns:
        return _sparse_matvec_columns(matrix, indices, values)
    if len(indices) > 1:
        # itemgetter(*indices) gathers a row's entries at the nonzero inputs
        # in one C call, so the dot product runs over ~150 numbers, not 784.
        gather = itemgetter(*indices)
        dot = _dot
        return [dot(gather(row), values) for row in matrix]
    if indices:  # itemgetter of one index returns a number, not a tuple
        i, value = indices[0], values[0]
        return [row[i] * value for row in matrix]
    return [0.0] * len(matrix)


def _sparse_matvec_columns(columns, indices, values):
    if len(indices) > 1:
        # gather(columns) picks the columns of the nonzero inputs; zip(*...)
        # turns them into rows again, each holding exactly the numbers the
        # row kernel above gathers, in the same order: the same dot products.
        gather = itemgetter(*indices)
        dot = _dot
        return [dot(row, values) for row in zip(*gather(columns))]
    if indices:
        value = values[0]
        return [w * value for w in columns[indices[0]]]
    return [0.0] * len(columns[0])


def _transpose_matvec_cpython(matrix, vector):
    # zip(*matrix) yields the columns of W, i.e. the rows of W^T.
    dot = _dot
    return [dot(column, vector) for column in zip(*matrix)]


def _add_outer_cpython(matrix, coefficients, vector):
    for row, c in zip(matrix, coefficients):
        row[:] = map(add, row, map(mul, vector, repeat(c)))


def _sparse_add_outer_cpython(matrix, coefficients, indices, values):
    if type(matrix) is Columns:
        # One list comprehension per nonzero input, over its whole column.
        # The same sums as below, w + value * c for every changed entry.
        for i, value in zip(indices, values):
            matrix[i] = [w + value * c for w, c in zip(matrix[i], coefficients)]
        return
    # A plain loop over the ~150 nonzero inputs: measured 2-3x faster here
    # than gathering, mapping and scattering them back through C calls.
    for row, c in zip(matrix, coefficients):
        for i, value in zip(indices, values):
            row[i] += value * c


class Columns(list):
    """A matrix W held as the list of its columns: ``columns[i][j]`` = W[j][i].

    Only the two sparse kernels accept one (CPython kernels only); they give
    the very same numbers as with W's rows.  Why hold W this way: see
    ``BY_COLUMNS``.

    >>> W = [[1.0, 2.0, 0.0],
    ...      [0.0, 1.0, -1.0]]
    >>> columns = Columns.of(W); columns
    [[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]]
    >>> columns.copy_into(W); W
    [[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]]
    """

    @classmethod
    def of(cls, rows: list) -> "Columns":
        """The columns of the matrix ``rows`` (n_out rows of n_in)."""
        return cls(list(column) for column in zip(*rows))

    def copy_into(self, rows: list) -> None:
        """Write this matrix into ``rows`` (its n_out rows), in place."""
        for row, values in zip(rows, zip(*self)):
            row[:] = values


# On CPython, training the first layer is faster with W^1 held as Columns
# (one column per input pixel): an update then rewrites the ~150 columns of
# the nonzero pixels, each in one list comprehension, instead of touching
# ~150 scattered entries in every row; z = W x gathers those columns in one
# C call.  Measured 1.2x a training step for [784, 100, 10] (bench/
# bench_network.py), bit-identical.  On PyPy the JIT's loops over rows are
# faster than this (0.8x measured), so PyPy keeps the rows.
BY_COLUMNS = not ON_PYPY


# --- PyPy kernels: plain loops, which the JIT turns into machine code --------

def _nonzero_pypy(vector):
    # 25x faster than compress() on PyPy 7.3, which does not JIT it.
    indices = []
    values = []
    for i in range(len(vector)):
        value = vector[i]
        if value != 0.0:
            indices.append(i)
            values.append(value)
    return indices, values


def _dot_pypy(u, v):
    total = 0.0
    for i in range(len(u)):
        total += u[i] * v[i]
    return total


def _matvec_pypy(matrix, vector):
    n = len(vector)
    result = []
    for row in matrix:
        total = 0.0
        for i in range(n):
            total += row[i] * vector[i]
        result.append(total)
    return result


def _sparse_matvec_pypy(matrix, indices, values):
    n = len(indices)
    result = []
    for row in matrix:
        total = 0.0
        for k in range(n):
            total += row[indices[k]] * values[k]
        result.append(total)
    return result


def _transpose_matvec_pypy(matrix, vector):
    result = [0.0] * len(matrix[0])
    for j in range(len(matrix)):
        row = matrix[j]
        d = vector[j]
        for i in range(len(row)):
            result[i] += row[i] * d
    return result


def _add_outer_pypy(matrix, coefficients, vector):
    n = len(vector)
    for j in range(len(matrix)):
        row = matrix[j]
        c = coefficients[j]
        for i in range(n):
            row[i] += vector[i] * c


def _sparse_add_outer_pypy(matrix, coefficients, indices, values):
    n = len(indices)
    for j in range(len(matrix)):
        row = matrix[j]
        c = coefficients[j]
        for k in range(n):
            i = indices[k]
            row[i] += values[k] * c


if ON_PYPY:
    nonzero = _nonzero_pypy
    _dot = _dot_pypy
    matvec = _matvec_pypy
    sparse_matvec = _sparse_matvec_pypy
    transpose_matvec = _transpose_matvec_pypy
    add_outer = _add_outer_pypy
    sparse_add_outer = _sparse_add_outer_pypy
else:
    nonzero = _nonzero_cpython
    _dot = _sumprod or _dot_cpython
    matvec = _matvec_cpython
    sparse_matvec = _sparse_matvec_cpython
    transpose_matvec = _transpose_matvec_cpython
    add_outer = _add_outer_cpython
    sparse_add_outer = _sparse_add_outer_cpython


nonzero.__doc__ = """Split a vector into (indices, values) of its nonzero entries."""
matvec.__doc__ = """z = W x: W is n_out x n_in, x has n_in entries; returns n_out."""
sparse_matvec.__doc__ = """z = W x for x given by its nonzero (indices, values).

W is n_out x n_in (on CPython it may be held as ``Columns``); indices and
values have equal length k <= n_in.
"""
transpose_matvec.__doc__ = """e = W^T d: W is n_out x n_in, d has n_out entries; returns n_in."""
add_outer.__doc__ = """M += c x^T in place: M[j][i] += c[j] * x[i].

M is n_out x n_in, c has n_out entries, x has n_in entries.
"""
sparse_add_outer.__doc__ = """M += c x^T in place, x given by its nonzero (indices, values).

Entries of M in columns where x is zero are not touched (their update is 0).
On CPython M may be held as ``Columns``.
"""


if __name__ == "__main__":
    import doctest
    doctest.testmod()
