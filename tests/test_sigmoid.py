import math
import unittest

from nrnn.net.sigmoid import sigmoid, sigmoid_prime


class SigmoidTest(unittest.TestCase):
    def test_values_against_the_textbook_formula(self):
        for z in (-30.0, -5.0, -0.5, 0.0, 0.5, 5.0, 30.0):
            self.assertAlmostEqual(sigmoid(z), 1.0 / (1.0 + math.exp(-z)), places=15)

    def test_never_overflows(self):
        self.assertLess(sigmoid(-710.0), 1e-300)  # math.exp(710) would overflow
        for z in (-1e6, -1e308, float("-inf")):
            self.assertEqual(sigmoid(z), 0.0)
        for z in (710.0, 1e308, float("inf")):
            self.assertEqual(sigmoid(z), 1.0)

    def test_symmetry_and_derivative(self):
        for z in (0.1, 1.0, 3.0):
            self.assertAlmostEqual(sigmoid(-z), 1.0 - sigmoid(z), places=15)
            h = 1e-6
            numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
            self.assertAlmostEqual(sigmoid_prime(z), numeric, places=9)


if __name__ == "__main__":
    unittest.main()
