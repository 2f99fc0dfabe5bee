"""nrnn/net/reference.py: hand-computed values, and the fast Network computes exactly this."""

import math
import unittest

from nrnn.net import gradcheck
from nrnn.net.gradcheck import largest_difference
from nrnn.net.network import Network
from nrnn.net.reference import ReferenceNetwork, one_hot
from nrnn.net.sigmoid import sigmoid


def mnist_like_samples(count, inputs, outputs, seed):
    """Inputs with many exact zeros (as MNIST's), one-hot targets."""
    samples = gradcheck.samples_for([inputs, outputs], count, seed)
    return [(x, one_hot(k % outputs, outputs)) for k, (x, _) in enumerate(samples)]


class HandComputedTest(unittest.TestCase):
    """A [1, 1, 1] network small enough to follow with a pencil."""

    def test_one_neuron_per_layer(self):
        # w1 = 2, b1 = -1, w2 = -1, b2 = 0.5, x = 1, y = 1, quadratic cost.
        net = ReferenceNetwork([1, 1, 1], weights=[[[2.0]], [[-1.0]]], biases=[[-1.0], [0.5]], cost="quadratic")
        zs, activations = net.forward([1.0])
        a1 = sigmoid(1.0)                 # z^1 = 2 * 1 - 1 = 1
        a2 = sigmoid(-a1 + 0.5)           # z^2 = -a^1 + 0.5
        self.assertEqual(zs[1], [1.0])
        self.assertEqual(activations[2], [a2])
        delta2 = (a2 - 1.0) * a2 * (1 - a2)           # BP1
        delta1 = -1.0 * delta2 * a1 * (1 - a1)        # BP2
        deltas = net.errors([1.0], [1.0])
        self.assertAlmostEqual(deltas[2][0], delta2, places=15)
        self.assertAlmostEqual(deltas[1][0], delta1, places=15)
        nabla_b, nabla_w = net.backprop([1.0], [1.0])
        self.assertAlmostEqual(nabla_b[0][0], delta1, places=15)        # BP3
        self.assertAlmostEqual(nabla_w[1][0][0], delta2 * a1, places=15)  # BP4
        self.assertAlmostEqual(nabla_w[0][0][0], delta1 * 1.0, places=15)
        self.assertAlmostEqual(net.cost_value([1.0], [1.0]), 0.5 * (a2 - 1) ** 2, places=15)

    def test_cross_entropy_output_error_is_a_minus_y(self):
        net = ReferenceNetwork([2, 2], weights=[[[0.3, -0.2], [0.1, 0.4]]], biases=None)
        a = net.feedforward([1.0, 1.0])
        self.assertEqual(net.errors([1.0, 1.0], [1.0, 0.0])[1], [a[0] - 1.0, a[1] - 0.0])
        self.assertAlmostEqual(net.cost_value([1.0, 1.0], [1.0, 0.0]),
                               -math.log(a[0]) - math.log(1 - a[1]), places=15)

    def test_bad_cost(self):
        with self.assertRaises(ValueError):
            ReferenceNetwork([2, 2], cost="hinge")


class SameAsNetworkTest(unittest.TestCase):
    """The fast Network ends with the reference's weights (to 1e-12) after 100 steps."""

    SIZES = [12, 6, 5, 3]

    def test_same_initial_weights(self):
        for bias in (True, False):
            fast, reference = Network(self.SIZES, bias=bias, seed=4), ReferenceNetwork(self.SIZES, bias=bias, seed=4)
            self.assertEqual(fast.weights, reference.weights)
            self.assertEqual(fast.biases, reference.biases)

    def test_100_per_sample_steps(self):
        samples = mnist_like_samples(100, self.SIZES[0], self.SIZES[-1], 5)
        for cost in ("cross-entropy", "quadratic"):
            for bias in (True, False):
                with self.subTest(cost=cost, bias=bias):
                    fast = Network(self.SIZES, bias=bias, cost=cost, seed=6)
                    reference = ReferenceNetwork(self.SIZES, bias=bias, cost=cost, seed=6)
                    for x, y in samples:
                        fast.train_sample(x, y, 0.5)
                        reference.train_sample(x, y, 0.5)
                    self.assertLess(largest_difference(fast, reference), 1e-12)
                    self.assertGreater(largest_difference(fast, Network(self.SIZES, bias=bias, seed=6)), 0.01)

    def test_100_mini_batch_steps(self):
        samples = mnist_like_samples(400, self.SIZES[0], self.SIZES[-1], 7)
        for cost in ("cross-entropy", "quadratic"):
            for bias in (True, False):
                with self.subTest(cost=cost, bias=bias):
                    fast = Network(self.SIZES, bias=bias, cost=cost, seed=8)
                    reference = ReferenceNetwork(self.SIZES, bias=bias, cost=cost, seed=8)
                    for start in range(0, 400, 4):
                        fast.train_batch(samples[start:start + 4], 2.0)
                        reference.train_batch(samples[start:start + 4], 2.0)
                    self.assertLess(largest_difference(fast, reference), 1e-12)

    def test_same_gradient(self):
        x, y = mnist_like_samples(1, self.SIZES[0], self.SIZES[-1], 9)[0]
        fast, reference = Network(self.SIZES, seed=3), ReferenceNetwork(self.SIZES, seed=3)
        for (fb, fw), (rb, rw) in [(fast.backprop(x, y), reference.backprop(x, y))]:
            for layer in range(3):
                for row_f, row_r in zip(fw[layer], rw[layer]):
                    for p, q in zip(row_f, row_r):
                        self.assertAlmostEqual(p, q, places=15)
                for p, q in zip(fb[layer], rb[layer]):
                    self.assertAlmostEqual(p, q, places=15)
        self.assertEqual(fast.gradient(x, y).deltas[0], None)


if __name__ == "__main__":
    unittest.main()
