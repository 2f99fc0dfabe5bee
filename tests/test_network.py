import hashlib
import unittest
from unittest import mock

from nrnn.net import gradcheck, matrix
from nrnn.net.network import Network
from nrnn.net.prng import PCG32
from tests.support import three_blobs


class GradientCheckTest(unittest.TestCase):
    """Every analytic partial derivative against a central finite difference.

    The same code as ``python -m nrnn.net.gradcheck``; a failure names the layer,
    the parameter, its index and both values.
    """

    def check(self, sizes, bias, cost, x, target, seed):
        network = Network(sizes, bias=bias, cost=cost, seed=seed)
        y = network._target_vector(target)
        for row in gradcheck.check_gradients(network, x, y):
            self.assertTrue(row.ok, "%s, %s: %s" % (cost, "with biases" if bias else "no biases", row.describe()))

    def test_both_costs_with_and_without_biases(self):
        # Inputs with zeros, so the sparse first-layer path is exercised too.
        for cost in ("cross-entropy", "quadratic"):
            for bias in (True, False):
                with self.subTest(cost=cost, bias=bias):
                    self.check([5, 4, 3], bias, cost, [0.0, 0.7, 0.0, 0.2, 0.9], [1.0, 0.0, 0.3], 4)

    def test_deeper_network(self):
        self.check([4, 5, 3, 2], True, "cross-entropy", [0.1, 0.0, 0.5, 1.0], 1, 8)

    def test_zero_inputs_get_exactly_zero_weight_gradient(self):
        network = Network([4, 5, 3, 2], seed=8)
        _, nabla_weights = network.backprop([0.1, 0.0, 0.5, 1.0], 1)
        self.assertEqual([row[1] for row in nabla_weights[0]], [0.0] * 5)

    def test_the_step_is_gradient_then_update(self):
        network = Network([3, 4, 2], seed=2)
        for what, difference in gradcheck.check_step(network, gradcheck.samples_for([3, 4, 2], 3, 2)):
            self.assertLessEqual(difference, gradcheck.STEP_TOLERANCE, what)


class LearningTest(unittest.TestCase):
    def accuracy(self, network, samples):
        return sum(network.classify(x) == label for x, label in samples) / len(samples)

    def test_per_sample_sgd_learns_xor(self):
        xor = [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
        network = Network([2, 4, 2], seed=2)
        first = sum(network.cost_value(x, t) for x, t in xor)
        for _ in range(2000):
            for x, label in xor:
                network.train_sample(x, label, 0.5)
        self.assertLess(sum(network.cost_value(x, t) for x, t in xor), first / 10)
        self.assertEqual(self.accuracy(network, xor), 1.0)

    def test_learns_three_classes_with_both_costs_and_without_bias(self):
        train, test = three_blobs(300, 1), three_blobs(90, 2)
        for cost in ("cross-entropy", "quadratic"):
            for bias in (True, False):
                with self.subTest(cost=cost, bias=bias):
                    network = Network([2, 8, 3], bias=bias, cost=cost, seed=5)
                    for _ in range(30):
                        for x, label in train:
                            network.train_sample(x, label, 1.0)
                    self.assertGreater(self.accuracy(network, test), 0.9)

    def test_mini_batch_learns(self):
        train, test = three_blobs(300, 3), three_blobs(90, 4)
        network = Network([2, 8, 3], seed=6)
        for _ in range(100):
            for start in range(0, len(train), 10):
                network.train_batch(train[start:start + 10], 3.0)
        self.assertGreater(self.accuracy(network, test), 0.9)

    def test_mini_batch_of_one_equals_per_sample_sgd_exactly(self):
        samples = three_blobs(60, 7)
        for bias in (True, False):
            a = Network([2, 5, 4, 3], bias=bias, seed=9)
            b = Network([2, 5, 4, 3], bias=bias, seed=9)
            for x, label in samples:
                cost_a = a.train_sample(x, label, 0.5)
                cost_b = b.train_batch([(x, label)], 0.5)
                self.assertEqual(cost_a, cost_b)
            self.assertEqual(a.weights, b.weights)
            self.assertEqual(a.biases, b.biases)

    def test_mini_batch_step_is_the_mean_gradient_step(self):
        network = Network([3, 4, 2], seed=10)
        batch = [([0.1, 0.0, 0.9], 0), ([0.5, 0.5, 0.0], 1), ([0.0, 0.2, 0.3], 1)]
        gradients = [network.backprop(x, t) for x, t in batch]
        before = [[row[:] for row in layer] for layer in network.weights]
        bias_before = [b[:] for b in network.biases]
        network.train_batch(batch, 0.6)
        for layer in range(2):
            for j, row in enumerate(network.weights[layer]):
                for i, w in enumerate(row):
                    mean = sum(g[1][layer][j][i] for g in gradients) / 3
                    self.assertAlmostEqual(w, before[layer][j][i] - 0.6 * mean, places=14)
            for j, b in enumerate(network.biases[layer]):
                mean = sum(g[0][layer][j] for g in gradients) / 3
                self.assertAlmostEqual(b, bias_before[layer][j] - 0.6 * mean, places=14)

    def test_weight_decay_shrinks_weights_only(self):
        network = Network([2, 2], seed=1)
        network.biases = [[1.0, 1.0]]
        w = network.weights[0][0][0]
        network.decay_weights(0.5)
        self.assertEqual(network.weights[0][0][0], w * 0.5)
        self.assertEqual(network.biases, [[1.0, 1.0]])


class InitialisationTest(unittest.TestCase):
    def test_same_seed_gives_bit_identical_weights_on_every_interpreter(self):
        # This hash is pinned: .ci/run runs the suite on CPython 3.9, the
        # machine's python3 and PyPy, so all of them must produce it.
        network = Network([784, 30, 10], seed=0)
        self.assertEqual(network.weights[0][0][0], -0.028901321519823463)
        self.assertEqual(network.weights[1][9][29], 0.0965666400702144)
        digest = hashlib.sha256(repr(network.weights).encode()).hexdigest()
        self.assertEqual(digest, "7c2a26b8da017899ba13de0659b45160c8ff6a1aaf331c1d85e8c1fdf6e15c42")

    def test_weights_have_variance_one_over_fan_in(self):
        network = Network([400, 50, 10], seed=3)
        weights = [w for row in network.weights[0] for w in row]
        variance = sum(w * w for w in weights) / len(weights)
        self.assertAlmostEqual(variance * 400, 1.0, delta=0.05)
        self.assertEqual(network.biases, [[0.0] * 50, [0.0] * 10])

    def test_bias_free_network_has_no_biases_at_all(self):
        network = Network([3, 2], bias=False)
        self.assertIsNone(network.biases)
        self.assertEqual(network.parameter_count(), 6)
        self.assertEqual(Network([3, 2]).parameter_count(), 8)

    def test_unit_init_draws_from_n_0_1(self):
        network = Network([400, 50, 10], seed=3, init="unit")
        weights = [w for row in network.weights[0] for w in row]
        self.assertAlmostEqual(sum(w * w for w in weights) / len(weights), 1.0, delta=0.05)
        scaled = Network([400, 50, 10], seed=3)
        self.assertAlmostEqual(network.weights[0][0][0], scaled.weights[0][0][0] * 20, places=12)  # same draws x 20

    def test_bad_arguments(self):
        for sizes in ([], [3], [3, 0], [3, 2.5]):
            with self.assertRaises(ValueError):
                Network(sizes)
        with self.assertRaises(ValueError):
            Network([2, 2], cost="hinge")
        with self.assertRaises(ValueError):
            Network([2, 2], init="zeros")


if __name__ == "__main__":
    unittest.main()


def _digit_like(rng):
    # A blob of ink: about a fifth of the pixels nonzero, some exactly 1.0.
    return [0.0 if rng.below(5) else (1.0 if rng.below(3) == 0 else rng.uniform()) for _ in range(784)]


def _train_pinned(network):
    """40 per-sample steps on seeded digit-like inputs, then a one-pixel and an empty input."""
    rng = PCG32(7)
    for x, label in [(_digit_like(rng), rng.below(10)) for _ in range(40)]:
        network.train_sample(x, label, 0.5)
    one = [0.0] * 784
    one[300] = 0.75
    network.train_sample(one, 3, 0.5)
    network.train_sample([0.0] * 784, 4, 0.5)
    return network


class FirstLayerStorageTest(unittest.TestCase):
    """On CPython, training holds W^1 by columns (matrix.BY_COLUMNS); the
    numbers must be exactly those of the rows, as they were before."""

    # Pinned from the row-only network.py: math.sumprod (CPython 3.12+)
    # rounds a dot product once, so its last bits differ from the
    # left-to-right sums of CPython 3.9-3.11 and PyPy.
    PINNED = {
        "sequential": ("cb1db577af48ff28da94f544b041af802f61dcc23a696d4562dc57924b497732",
                       -0.05312283091612157, -0.04111608898498439, -0.12063586698680648),
        "sumprod": ("d2ab678264180a40fe2ae06fb6d0f2b1e02235fbb9212d0beb47a8eb440c4534",
                    -0.0531228309161216, -0.04111608898498435, -0.12063586698680638),
    }

    def test_per_sample_training_gives_the_pinned_weights(self):
        network = _train_pinned(Network([784, 30, 10], seed=0))
        flavour = "sumprod" if matrix._dot is not matrix._dot_cpython and not matrix.ON_PYPY else "sequential"
        digest, first, column_300, last = self.PINNED[flavour]
        self.assertEqual(network.weights[0][0][0], first)
        self.assertEqual(network.weights[0][29][300], column_300)
        self.assertEqual(network.weights[1][9][29], last)
        self.assertEqual(hashlib.sha256(repr([network.weights, network.biases]).encode()).hexdigest(), digest)

    @unittest.skipIf(matrix.ON_PYPY, "PyPy holds W^1 by rows only")
    def test_rows_and_columns_train_to_the_same_bits(self):
        by_columns = _train_pinned(Network([784, 30, 10], seed=0))
        with mock.patch("nrnn.net.matrix.BY_COLUMNS", False):
            by_rows = _train_pinned(Network([784, 30, 10], seed=0))
            self.assertIsNone(by_rows._columns)
        self.assertEqual(by_columns.weights, by_rows.weights)
        self.assertEqual(by_columns.biases, by_rows.biases)

    def test_weights_read_between_steps_are_rows_and_change_nothing(self):
        straight = _train_pinned(Network([784, 30, 10], seed=0))
        network = Network([784, 30, 10], seed=0)
        rows = network.weights[0]
        rng = PCG32(7)
        samples = [(_digit_like(rng), rng.below(10)) for _ in range(40)]
        for k, (x, label) in enumerate(samples):
            network.train_sample(x, label, 0.5)
            if k % 7 == 0:
                self.assertEqual((len(network.weights[0]), len(network.weights[0][0])), (30, 784))
                self.assertEqual(network.feedforward(x), network.feedforward(x))
        self.assertIs(network.weights[0], rows)  # the same row lists, brought up to date
        _train_pinned_tail(network)
        self.assertEqual(network.weights, straight.weights)

    def test_decay_and_mini_batches_after_per_sample_steps(self):
        a, b = Network([784, 12, 10], seed=2), Network([784, 12, 10], seed=2)
        rng = PCG32(3)
        samples = [(_digit_like(rng), rng.below(10)) for _ in range(6)]
        for network in (a, b):
            for x, label in samples[:3]:
                network.train_sample(x, label, 0.3)
                network.decay_weights(0.999)
            if network is b:  # W^1 back to rows halfway
                self.assertEqual(len(network.weights[0]), 12)
            network.train_batch(samples[3:], 0.3)
            network.train_sample(samples[0][0], 1, 0.3)
        self.assertEqual(a.weights, b.weights)
        self.assertEqual(a.backprop(*samples[1]), b.backprop(*samples[1]))


def _train_pinned_tail(network):
    one = [0.0] * 784
    one[300] = 0.75
    network.train_sample(one, 3, 0.5)
    network.train_sample([0.0] * 784, 4, 0.5)
