"""Both kernel sets (CPython's and PyPy's) are checked on every interpreter
against a naive index-loop reference, so neither can drift unnoticed."""

import unittest

from nrnn.net import matrix
from nrnn.net.prng import PCG32

KERNEL_SETS = {
    "cpython": (matrix._matvec_cpython, matrix._sparse_matvec_cpython,
                matrix._transpose_matvec_cpython, matrix._add_outer_cpython,
                matrix._sparse_add_outer_cpython),
    "pypy": (matrix._matvec_pypy, matrix._sparse_matvec_pypy,
             matrix._transpose_matvec_pypy, matrix._add_outer_pypy,
             matrix._sparse_add_outer_pypy),
}


def random_matrix(rng, rows, columns):
    return [[rng.gaussian() for _ in range(columns)] for _ in range(rows)]


def sparse_vector(rng, n):
    return [rng.uniform() if rng.below(4) == 0 else 0.0 for _ in range(n)]


class KernelTest(unittest.TestCase):
    def setUp(self):
        rng = PCG32(11)
        self.W = random_matrix(rng, 7, 13)
        self.x = sparse_vector(rng, 13)
        self.d = [rng.gaussian() for _ in range(7)]

    def expected_matvec(self):
        return [sum(self.W[j][i] * self.x[i] for i in range(13)) for j in range(7)]

    def test_every_kernel_set_agrees_with_index_loops(self):
        for name, (matvec, sparse_matvec, transpose_matvec, add_outer, sparse_add_outer) in KERNEL_SETS.items():
            with self.subTest(kernels=name):
                for got, want in zip(matvec(self.W, self.x), self.expected_matvec()):
                    self.assertAlmostEqual(got, want, places=12)
                indices, values = matrix.nonzero(self.x)
                for got, want in zip(sparse_matvec(self.W, indices, values), self.expected_matvec()):
                    self.assertAlmostEqual(got, want, places=12)
                transposed = transpose_matvec(self.W, self.d)
                self.assertEqual(len(transposed), 13)
                for i in range(13):
                    self.assertAlmostEqual(transposed[i], sum(self.W[j][i] * self.d[j] for j in range(7)), places=12)

                dense = [row[:] for row in self.W]
                add_outer(dense, self.d, self.x)
                sparse = [row[:] for row in self.W]
                sparse_add_outer(sparse, self.d, indices, values)
                for j in range(7):
                    for i in range(13):
                        want = self.W[j][i] + self.d[j] * self.x[i]
                        self.assertAlmostEqual(dense[j][i], want, places=12)
                        self.assertEqual(sparse[j][i], dense[j][i])

    def test_sparse_kernels_handle_zero_and_one_nonzero_input(self):
        for name, (_, sparse_matvec, _, _, sparse_add_outer) in KERNEL_SETS.items():
            with self.subTest(kernels=name):
                self.assertEqual(sparse_matvec([[1.0, 2.0], [3.0, 4.0]], [], []), [0.0, 0.0])
                self.assertEqual(sparse_matvec([[1.0, 2.0], [3.0, 4.0]], [1], [0.5]), [1.0, 2.0])
                m = [[1.0, 2.0], [3.0, 4.0]]
                sparse_add_outer(m, [1.0, 2.0], [], [])
                self.assertEqual(m, [[1.0, 2.0], [3.0, 4.0]])
                sparse_add_outer(m, [1.0, 2.0], [0], [0.5])
                self.assertEqual(m, [[1.5, 2.0], [4.0, 4.0]])

    def test_nonzero_kernels_agree(self):
        for nonzero in (matrix._nonzero_cpython, matrix._nonzero_pypy):
            self.assertEqual(nonzero([0.0, 2.0, 0.0, 3.0]), ([1, 3], [2.0, 3.0]))
            self.assertEqual(nonzero([0.0, 0.0]), ([], []))
            self.assertEqual(nonzero(self.x), matrix._nonzero_cpython(self.x))

    def test_helpers(self):
        m = [[1.0, 2.0]]
        matrix.add_into(m, [[0.5, 0.5]])
        matrix.scale_matrix(m, 2.0)
        self.assertEqual(m, [[3.0, 5.0]])
        z = matrix.zeros(2, 3)
        z[0][0] = 1.0
        self.assertEqual(z, [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # rows are distinct lists


if __name__ == "__main__":
    unittest.main()
