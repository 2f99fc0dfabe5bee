"""fit / predict / predict_proba / score, and the one-line ValueErrors for bad input."""

import math
import unittest

from nrnn.net.fit_predict import Epoch, check_samples, shares
from nrnn.net.network import Network
from tests.support import three_blobs


def blobs_network(seed=0):
    return Network([2, 8, 3], seed=seed)


class FitTest(unittest.TestCase):
    def test_fit_learns_three_blobs_and_score_agrees_with_classify(self):
        train, test = three_blobs(300, 1), three_blobs(90, 2)
        network = blobs_network()
        before = network.score(test)
        history = network.fit(train, epochs=3, learning_rate=0.5, test=test)
        self.assertEqual([epoch.epoch for epoch in history], [1, 2, 3])
        self.assertGreater(history[-1].test_accuracy, 0.95)
        self.assertLess(before, 0.6)
        by_hand = sum(network.classify(x) == label for x, label in test) / len(test)
        self.assertEqual(network.score(test), by_hand)
        self.assertEqual(history[-1].test_accuracy, by_hand)
        self.assertLess(history[-1].loss, history[0].loss)

    def test_one_epoch_of_fit_is_train_sample_over_the_shuffled_samples(self):
        from nrnn.net.prng import PCG32
        train = three_blobs(30, 3)
        fitted, by_hand = blobs_network(), blobs_network()
        fitted.fit(train, epochs=1, learning_rate=0.5, seed=7)
        order = list(train)
        PCG32(7).shuffle(order)
        for x, label in order:
            by_hand.train_sample(x, label, 0.5)
        self.assertEqual(fitted.weights, by_hand.weights)
        self.assertEqual(fitted.biases, by_hand.biases)

    def test_mini_batches_are_train_batch_steps(self):
        from nrnn.net.prng import PCG32
        train = three_blobs(25, 4)
        fitted, by_hand = blobs_network(), blobs_network()
        history = fitted.fit(train, epochs=1, batch_size=10, learning_rate=1.0, seed=3)
        order = list(train)
        PCG32(3).shuffle(order)
        total = 0.0
        for start in range(0, 25, 10):
            batch = order[start:start + 10]
            total += by_hand.train_batch(batch, 1.0) * len(batch)
        self.assertEqual(fitted.weights, by_hand.weights)
        self.assertAlmostEqual(history[0].loss, total / 25, places=12)

    def test_the_same_call_gives_the_same_network_and_leaves_the_samples_alone(self):
        train = three_blobs(40, 5)
        kept = list(train)
        a, b = blobs_network(), blobs_network()
        a.fit(train, epochs=2, batch_size=4, learning_rate=0.5)
        b.fit(train, epochs=2, batch_size=4, learning_rate=0.5)
        self.assertEqual(a.weights, b.weights)
        self.assertEqual(train, kept)

    def test_progress_is_called_once_an_epoch_with_the_epoch(self):
        seen = []
        history = blobs_network().fit(three_blobs(30, 6), epochs=2, progress=seen.append)
        self.assertEqual(seen, history)
        self.assertEqual(seen[0], Epoch(1, 2, seen[0].loss, None))

    def test_bad_settings(self):
        network, train = blobs_network(), three_blobs(3, 1)
        for settings, message in (({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
                                  ({"batch_size": 2.5}, "batch_size must be a whole number >= 1, got 2.5"),
                                  ({"learning_rate": -1}, "learning_rate must be a finite number > 0, got -1"),
                                  ({"learning_rate": math.nan}, "learning_rate must be a finite number > 0, got nan")):
            with self.subTest(settings=settings), self.assertRaises(ValueError) as caught:
                network.fit(train, **settings)
            self.assertEqual(str(caught.exception), message)


class PredictTest(unittest.TestCase):
    def test_predict_is_classify_and_predict_proba_the_normalised_outputs(self):
        network = Network([4, 3, 5], seed=2)
        x = [0.0, 0.3, 1.0, 0.5]
        outputs = network.feedforward(x)
        self.assertEqual(network.predict(x), network.classify(x))
        proba = network.predict_proba(x)
        self.assertEqual(proba, [a / sum(outputs) for a in outputs])
        self.assertAlmostEqual(sum(proba), 1.0, places=15)
        self.assertEqual(proba.index(max(proba)), network.predict(x))

    def test_shares_of_all_zero_outputs_are_equal(self):
        self.assertEqual(shares([0.0] * 4), [0.25] * 4)


class ValidationTest(unittest.TestCase):
    """Each bad input gives a ValueError of one line naming what is wrong."""

    def setUp(self):
        self.network = Network([784, 5, 10], seed=1)

    def assertRefused(self, call, message):
        with self.assertRaises(ValueError) as caught:
            call()
        self.assertEqual(str(caught.exception), message)
        self.assertNotIn("\n", message)

    def test_inputs_of_the_wrong_length(self):
        for pixels in ([], [0.5] * 100, [0.5] * 785):
            message = "pixels has %d values, but the network's input layer has 784 neurons" % len(pixels)
            for name, call in (("classify", lambda pixels=pixels: self.network.classify(pixels)),
                               ("predict", lambda pixels=pixels: self.network.predict(pixels)),
                               ("predict_proba", lambda pixels=pixels: self.network.predict_proba(pixels)),
                               ("feedforward", lambda pixels=pixels: self.network.feedforward(pixels)),
                               ("train_sample", lambda pixels=pixels: self.network.train_sample(pixels, 3, 0.1)),
                               ("train_batch", lambda pixels=pixels: self.network.train_batch([(pixels, 3)], 0.1)),
                               ("score", lambda pixels=pixels: self.network.score([(pixels, 3)]))):
                with self.subTest(method=name, length=len(pixels)):
                    self.assertRefused(call, ("samples[0]: " if name == "score" else "") + message)

    def test_values_that_are_not_finite_numbers(self):
        for bad, shown in ((math.nan, "nan; every input must be a finite number"),
                           (math.inf, "inf; every input must be a finite number"),
                           ("0.5", "'0.5' (a str), not a number")):
            pixels = [0.0] * 784
            pixels[300] = bad
            with self.subTest(value=bad):
                self.assertRefused(lambda pixels=pixels: self.network.classify(pixels), "pixels[300] is " + shown)
                self.assertRefused(lambda pixels=pixels: self.network.train_sample(pixels, 1, 0.1),
                                   "pixels[300] is " + shown)
        self.assertRefused(lambda: self.network.classify([1e308] * 784),
                           "pixels' values are too large: their sum overflows a float")

    def test_labels(self):
        pixels = [0.5] * 784
        for label, message in ((12, "label 12 is outside 0..9 (the network has 10 outputs)"),
                               (-1, "label -1 is outside 0..9 (the network has 10 outputs)"),
                               ("3", "label must be an int 0..9, got '3' (a str)"),
                               (3.0, "label must be an int 0..9, got 3.0 (a float)"),
                               (None, "label must be an int 0..9, got None (a NoneType)")):
            with self.subTest(label=label):
                self.assertRefused(lambda label=label: self.network.train_sample(pixels, label, 0.1), message)
                self.assertRefused(lambda label=label: self.network.train_batch([(pixels, label)], 0.1), message)
                self.assertRefused(lambda label=label: self.network.cost_value(pixels, label), message)
                self.assertRefused(lambda label=label: self.network.score([(pixels, 1), (pixels, label)]),
                                   "samples[1]: " + message)
                self.assertRefused(lambda label=label: self.network.fit([(pixels, label)]), "samples[0]: " + message)

    def test_a_sample_turned_round_is_named(self):
        for call in (lambda: self.network.train_batch([(3, [0.5] * 784)], 0.1),
                     lambda: self.network.train_sample(3, [0.5] * 784, 0.1),
                     lambda: self.network.predict(3)):
            self.assertRefused(call, "pixels must be a list of 784 numbers, got 3 (an int): "
                                     "is the sample (label, pixels)? samples are (pixels, label)")

    def test_a_target_vector_of_the_wrong_length(self):
        self.assertRefused(lambda: self.network.train_sample([0.5] * 784, [1.0] * 9, 0.1),
                           "the target vector has 9 values, but the network has 10 outputs")

    def test_samples_that_are_not_pixels_label_pairs(self):
        pixels = [0.5] * 784
        self.assertRefused(lambda: self.network.score([(3, pixels)]),
                           "samples[0] is (label, pixels); samples are (pixels, label) pairs "
                           "(turn them round: [(pixels, label) for label, pixels in ...])")
        self.assertRefused(lambda: self.network.score([pixels]),
                           "samples[0] is not a (pixels, label) pair: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, "
                           "0.5, 0... (a list)")
        self.assertRefused(lambda: self.network.score([]),
                           "samples is empty: give at least one (pixels, label) pair")
        self.assertRefused(lambda: self.network.fit([(pixels, 1)], test=[(pixels, 10)]),
                           "test[0]: label 10 is outside 0..9 (the network has 10 outputs)")
        self.assertRefused(lambda: check_samples(5, self.network.sizes, "samples"),
                           "samples must be a list of (pixels, label) pairs, got int")

    def test_a_refused_step_leaves_the_network_unchanged(self):
        before = [[row[:] for row in layer] for layer in self.network.weights]
        with self.assertRaises(ValueError):
            self.network.train_batch([([0.5] * 784, 1), ([0.5] * 784, 10)], 0.1)
        self.assertEqual(self.network.weights, before)


if __name__ == "__main__":
    unittest.main()
