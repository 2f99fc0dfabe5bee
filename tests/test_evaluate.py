"""Tests for nrnn/train/evaluate.py: accuracy, loss and confusion against hand computation."""

import copy
import math
import unittest

from nrnn.net.network import Network
from nrnn.train.evaluate import Evaluation, evaluate, format_confusion, format_per_class


def hand_network():
    """A 2-input, 2-output network whose answers are easy to work out:
    output j = sigma(10 x_j - 5), so input [1, 0] says class 0, [0, 1] class 1."""
    network = Network([2, 2], seed=0)
    network.weights = [[[10.0, 0.0], [0.0, 10.0]]]
    network.biases = [[-5.0, -5.0]]
    return network


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def cross_entropy(a, y):
    return -sum(yj * math.log(aj) + (1 - yj) * math.log(1 - aj) for aj, yj in zip(a, y))


class EvaluateTest(unittest.TestCase):
    def test_accuracy_loss_and_confusion_by_hand(self):
        network = hand_network()
        samples = [([1.0, 0.0], 0),   # right: class 0
                   ([0.0, 1.0], 1),   # right: class 1
                   ([1.0, 0.0], 1),   # wrong: a 1 taken for a 0
                   ([1.0, 0.2], 0)]   # right: sigma(5) > sigma(-3)
        result = evaluate(network, samples)
        self.assertEqual((result.count, result.correct, result.wrong), (4, 3, 1))
        self.assertEqual(result.accuracy, 0.75)
        self.assertEqual(result.confusion, [[2, 0], [1, 1]])
        high, low = sigma(5.0), sigma(-5.0)
        expected = (cross_entropy([high, low], [1, 0]) + cross_entropy([low, high], [0, 1])
                    + cross_entropy([high, low], [0, 1]) + cross_entropy([high, sigma(-3.0)], [1, 0])) / 4
        self.assertAlmostEqual(result.loss, expected, places=12)
        self.assertEqual(result.per_class_accuracy(), [1.0, 0.5])
        self.assertEqual(result.worst_confusions(), [(1, 1, 0)])

    def test_quadratic_cost_is_used_when_the_network_has_it(self):
        network = hand_network()
        network.cost = Network([2, 2], cost="quadratic").cost
        result = evaluate(network, [([1.0, 0.0], 0)])
        a = [sigma(5.0), sigma(-5.0)]
        self.assertAlmostEqual(result.loss, 0.5 * ((a[0] - 1) ** 2 + a[1] ** 2), places=12)

    def test_network_is_not_changed(self):
        network = Network([784, 5, 10], seed=3)
        before = copy.deepcopy((network.weights, network.biases))
        evaluate(network, [([0.5] * 784, 3), ([0.0] * 784, 7)])
        self.assertEqual((network.weights, network.biases), before)

    def test_agrees_with_classify(self):
        network = Network([784, 6, 10], seed=4)
        samples = [([((i * 7 + k) % 13) / 13.0 for k in range(784)], i % 10) for i in range(30)]
        result = evaluate(network, samples)
        predictions = [network.classify(pixels) for pixels, _ in samples]
        self.assertEqual(result.correct, sum(p == label for p, (_, label) in zip(predictions, samples)))
        for (_, label), predicted in zip(samples, predictions):
            self.assertGreater(result.confusion[label][predicted], 0)
        self.assertEqual(sum(map(sum, result.confusion)), 30)

    def test_compact_samples_give_the_very_same_evaluation(self):
        # Compact pixels (bytes) reach the network as their nonzero entries;
        # the numbers must be those of the 784 floats, to the bit, with W^1
        # held by rows and (CPython, after a training step) by columns.
        network = Network([784, 20, 10], seed=6)
        compact = [(bytes(((i * 37 + k * 11) % 256) * (k % 5 != 0) for k in range(784)), i % 10)
                   for i in range(40)] + [(bytes(784), 3), (b"\xff" * 784, 4)]
        floats = [([p / 255 for p in pixels], label) for pixels, label in compact]
        for _ in range(2):
            by_floats, by_bytes = evaluate(network, floats), evaluate(network, compact)
            self.assertEqual(by_bytes.to_dict(), by_floats.to_dict())
            self.assertEqual(by_bytes.loss_total, by_floats.loss_total)
            network.train_sample(floats[0][0], 0, 0.5)

    def test_label_outside_the_outputs_is_refused(self):
        with self.assertRaisesRegex(ValueError, "label 2 outside 0..1"):
            evaluate(hand_network(), [([1.0, 0.0], 2)])

    def test_empty(self):
        result = evaluate(hand_network(), [])
        self.assertEqual((result.count, result.accuracy, result.loss), (0, 0.0, 0.0))
        self.assertEqual(result.per_class_accuracy(), [None, None])


class FormatTest(unittest.TestCase):
    def evaluation(self):
        result = Evaluation()
        for label in range(10):
            for _ in range(10):
                result.add(label, [1.0 if k == label else 0.0 for k in range(10)], 0.0)
        result.add(4, [1.0 if k == 9 else 0.0 for k in range(10)], 1.0)
        result.add(4, [1.0 if k == 9 else 0.0 for k in range(10)], 1.0)
        result.add(7, [1.0 if k == 1 else 0.0 for k in range(10)], 1.0)
        return result

    def test_confusion_table(self):
        lines = format_confusion(self.evaluation()).splitlines()
        self.assertEqual(len(lines), 11)
        self.assertEqual(lines[0].split()[-11:], [str(d) for d in range(10)] + ["accuracy"])
        row4 = lines[1 + 4].split()
        self.assertEqual(row4[0], "4")
        self.assertEqual(row4[1 + 4], "10")
        self.assertEqual(row4[1 + 9], "2")
        self.assertEqual(row4[-1], "83.3%")
        # Every row has the same width: the columns line up.
        self.assertEqual(len({len(line) for line in lines}), 1)

    def test_per_digit_lines_and_worst_mistakes(self):
        text = format_per_class(self.evaluation())
        lines = text.splitlines()
        self.assertTrue(lines[4].startswith("digit 4   83.33%  (10 of 12)"))
        self.assertTrue(lines[0].startswith("digit 0  100.00%  (10 of 10)"))
        self.assertEqual(lines[-1], "most frequent mistakes: 4 taken for 9 (2x), 7 taken for 1 (1x)")


if __name__ == "__main__":
    unittest.main()
