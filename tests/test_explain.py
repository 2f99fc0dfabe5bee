"""Tests for nrnn/inside/explain.py and ``predict.py --explain``.

The explanation's arithmetic must add up: the contributions h_j w_kj sum to
the winner's z_k minus its bias, and the separations h_j (w_kj - w_rj) plus
b_k - b_r to z_k - z_r, for networks with no, one and two hidden layers,
with and without biases.  The numbers are checked against a forward pass
written out here, not against the module's own.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from nrnn.image.png import encode_gray8
from nrnn.inside.explain import explain, explanation_text, hidden_activations
from nrnn.net.model_file import save_model
from nrnn.net.network import Network
from nrnn.net.prng import PCG32
from nrnn.recognition import FIRST_LOOK, recognize_inputs
from tests.support import ROOT

PREDICT = os.path.join(ROOT, "predict.py")
SHIPPED_MODEL = os.path.join(ROOT, "data", "model.json.gz")


def digit_like(seed: int):
    """784 inputs: a seeded scatter of ink in the middle of the field."""
    rng = PCG32(seed)
    return [rng.uniform() if 6 <= i % 28 < 22 and 5 <= i // 28 < 23 and rng.uniform() < 0.3 else 0.0
            for i in range(784)]


def forward(network, x):
    """Activations of every layer, by the textbook formula, for checking."""
    activations = [x]
    for layer, weights in enumerate(network.weights):
        z = [sum(w * a for w, a in zip(row, activations[-1])) for row in weights]
        if network.has_bias:
            z = [zj + b for zj, b in zip(z, network.biases[layer])]
        activations.append([1.0 / (1.0 + math.exp(-v)) for v in z])
    return activations


class Arithmetic(unittest.TestCase):
    SHAPES = ([784, 10], [784, 12, 10], [784, 9, 7, 10])

    def test_contributions_sum_to_the_winners_z_minus_its_bias(self):
        for sizes in self.SHAPES:
            for bias in (True, False):
                with self.subTest(sizes=sizes, bias=bias):
                    network = Network(sizes, bias=bias, seed=7)
                    if bias:  # trained networks have biases far from 0
                        network.biases = [[0.1 * (j % 5) - 0.2 for j in range(len(b))] for b in network.biases]
                    x = digit_like(len(sizes))
                    why = explain(network, recognize_inputs(x, network, looks=1))
                    k, r = why.digit, why.runner_up
                    self.assertEqual(k, network.classify(x))
                    self.assertAlmostEqual(sum(why.contributions), why.z[k] - why.bias, places=9)
                    self.assertAlmostEqual(sum(why.separation) + why.bias - why.runner_up_bias,
                                           why.z[k] - why.z[r], places=9)
                    # Independent: the last hidden layer's activations, and z_k itself.
                    activations = forward(network, x)
                    for mine, theirs in zip(why.hidden, activations[-2]):
                        self.assertAlmostEqual(mine, theirs, places=12)
                    self.assertAlmostEqual(1.0 / (1.0 + math.exp(-why.z[k])), activations[-1][k], places=12)
                    self.assertEqual(why.units, sizes[-2])
                    self.assertEqual(why.layer, len(sizes) - 2)

    def test_top_lists_are_the_largest_of_their_sign(self):
        network = Network([784, 30, 10], seed=2)
        why = explain(network, recognize_inputs(digit_like(1), network, looks=1))
        favour = why.top(why.contributions, 5)
        against = why.top(why.contributions, 5, positive=False)
        self.assertTrue(all(why.contributions[j] > 0 for j in favour))
        self.assertTrue(all(why.contributions[j] < 0 for j in against))
        self.assertEqual(favour[0], max(range(30), key=lambda j: why.contributions[j]))
        self.assertEqual(sorted(why.contributions[j] for j in favour),
                         sorted(why.contributions, reverse=True)[:5][::-1])

    def test_hidden_activations_are_each_hidden_layers(self):
        network = Network([784, 9, 7, 10], seed=4)
        x = digit_like(3)
        hidden = hidden_activations(network, x)
        self.assertEqual([len(layer) for layer in hidden], [9, 7])
        self.assertEqual(recognize_inputs(x, network).hidden, hidden)

    def test_two_looks_are_both_shown_and_mixed(self):
        network = Network([784, 12, 10], seed=5)
        answer = recognize_inputs(digit_like(2), network)
        why = explain(network, answer)
        self.assertEqual(len(why.looks), 2)
        for k in range(10):
            self.assertAlmostEqual(FIRST_LOOK * why.looks[0][k] + (1 - FIRST_LOOK) * why.looks[1][k],
                                   why.outputs[k], places=12)
            self.assertAlmostEqual(why.looks[0][k], why.first_outputs[k], places=12)
        text = explanation_text(network, why)
        self.assertIn("the first of its two looks", " ".join(text.split()))
        self.assertIn("2nd look", text)
        self.assertIn("they are not", text)
        self.assertIn("probabilities", text)

    def test_the_dict_carries_the_same_facts(self):
        network = Network([784, 12, 10], seed=6)
        why = explain(network, recognize_inputs(digit_like(4), network))
        fields = why.as_dict()
        self.assertAlmostEqual(fields["contributions_total"] + fields["bias"], fields["z"], places=5)
        self.assertEqual(fields["digit"], why.digit)
        self.assertEqual(len(fields["looks"]), 2)
        self.assertAlmostEqual(sum(fields["shares"]), 1.0, places=5)
        for entry in fields["for"]:
            self.assertAlmostEqual(entry["activation"] * entry["weight"], entry["contribution"], places=5)


class PredictExplain(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)
        self.model = os.path.join(self.folder, "m.json")
        save_model(Network([784, 9, 7, 10], seed=8), self.model)
        self.image = os.path.join(self.folder, "d.png")
        with open(self.image, "wb") as handle:
            ink = digit_like(9)
            handle.write(encode_gray8(28, 28, bytes(255 - int(255 * v) for v in ink)))

    def run_predict(self, *args):
        return subprocess.run([sys.executable, PREDICT] + list(args), cwd=ROOT, capture_output=True,
                              text=True, timeout=300)

    def test_text(self):
        result = self.run_predict(self.image, "--model", self.model, "--explain")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = " ".join(result.stdout.split())  # prose is folded to the terminal's width
        for expected in ("What the network saw", "neurons of hidden layer 2", "pushed hardest",
                         "What those neurons look for", "drawn as sums of the first layer's pictures",
                         "against the runner-up", "sigmoid(z)", "share", "<- the answer"):
            self.assertIn(expected, out)

    def test_json(self):
        result = self.run_predict(self.image, "--model", self.model, "--explain", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        answer = json.loads(result.stdout)
        fields = answer["explain"]
        self.assertEqual(fields["digit"], answer["digit"])
        self.assertAlmostEqual(fields["contributions_total"] + fields["bias"], fields["z"], places=5)
        self.assertEqual(fields["units"], 7)
        self.assertEqual(len(fields["input"]), 784)

    @unittest.skipUnless(os.path.exists(SHIPPED_MODEL), "needs the shipped model")
    def test_shipped_model(self):
        result = self.run_predict(os.path.join(ROOT, "data", "handwriting.png"), "--explain")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("neurons of hidden layer 1", result.stdout)


if __name__ == "__main__":
    unittest.main()
