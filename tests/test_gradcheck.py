"""nrnn/net/gradcheck.py: it passes the real code and names the equation a learner broke.

Each "broken" test copies the package, breaks one equation in the copy the
way a learner might, runs ``python -m nrnn.net.gradcheck`` there and checks the
verdict.
"""

import io
import os
import unittest

from nrnn.net import gradcheck
from nrnn.net.network import Network
from nrnn.net.reference import ReferenceNetwork
from tests.support import run_broken

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BrokenEquationTest(unittest.TestCase):
    """Break one equation in a copy; gradcheck must name it, its file and layer."""

    def assertVerdict(self, sections, where, expected, cost_line):
        """``expected`` is in section ``where``, on the line for ``cost_line``."""
        verdict = [line for line in sections[where].splitlines() if line.startswith(cost_line)]
        self.assertTrue(verdict, sections["all"])
        self.assertIn(expected, " ".join(sections[where].split()), sections["all"])

    def assertAllRight(self, sections, where):
        self.assertNotIn("WRONG", sections[where], sections["all"])
        self.assertIn("all four equations agree", sections[where])

    def test_bp1_in_the_reference(self):
        status, sections = run_broken(("net/reference.py", "deltas[L] = [a[j] - y[j] for j",
                                       "deltas[L] = [y[j] - a[j] for j"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "reference", "cross-entropy: BP1 is wrong: the output error delta^3 "
                           "of layer 3", "cross-entropy")
        self.assertIn("quadratic: all four equations agree", sections["reference"])
        self.assertAllRight(sections, "network")
        self.assertIn("WRONG", sections["rest"])  # the two networks no longer agree

    def test_cost_derivative_of_the_network(self):
        # The classic slip: the quadratic cost's delta used for cross-entropy.
        status, sections = run_broken(("net/cost.py", "return [aj - yj for aj, yj in zip(a, y)]",
                                       "return [(aj - yj) * aj * (1.0 - aj) for aj, yj in zip(a, y)]"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "network", "BP1 is wrong", "cross-entropy")
        self.assertIn("output_delta in nrnn/net/cost.py", " ".join(sections["network"].split()))
        self.assertAllRight(sections, "reference")

    def test_bp2_without_sigma_prime_in_the_reference(self):
        status, sections = run_broken(("net/reference.py", "                         * sigmoid_prime(zs[l][k]) for k",
                                       "                         for k"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "reference", "cross-entropy and quadratic: BP2 is wrong: delta^3 is right "
                           "but delta^2 is not, so the error handed back from layer 3 to layer 2", "cross-entropy")
        self.assertIn("line marked BP2 (nrnn/net/reference.py line", " ".join(sections["reference"].split()))
        self.assertAllRight(sections, "network")

    def test_bp2_without_sigma_prime_in_the_network(self):
        status, sections = run_broken(("net/network.py", "[e * a * (1.0 - a) for e, a in", "[e for e, a in"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "network", "BP2 is wrong: delta^3 is right but delta^2 is not",
                           "cross-entropy")
        self.assertAllRight(sections, "reference")

    def test_bp3_in_the_network(self):
        status, sections = run_broken(("net/network.py", "sink[:] = [s + c for s, c in",
                                       "sink[:] = [s - c for s, c in"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "network", "BP3 is wrong: every error delta^l is right, but dC/db is "
                           "wrong in layers 1, 2, 3", "cross-entropy")
        self.assertNotIn("BP4 is wrong", sections["network"])

    def test_bp4_in_the_network(self):
        # a^l where BP4 wants a^(l-1).  CPython's kernel then builds rows of
        # the wrong length, PyPy's wrong values: BP4 either way.
        status, sections = run_broken(("net/network.py", "coefficients, self.activations[l - 1])",
                                       "coefficients, self.activations[l])"))
        self.assertEqual(status, 1)
        self.assertVerdict(sections, "network", "cross-entropy and quadratic: BP4 is wrong: ", "cross-entropy")
        self.assertIn("Look at the lines marked BP4 (nrnn/net/network.py lines", " ".join(sections["network"].split()))
        self.assertAllRight(sections, "reference")

    def test_bp4_in_the_reference_fails_loudly_and_names_the_line(self):
        status, sections = run_broken(("net/reference.py", "[[deltas[l][j] * activations[l - 1][k] for k",
                                       "[[deltas[l][j] * activations[l][k] for k"))
        self.assertEqual(status, 1)
        text = " ".join(sections["reference"].split())
        self.assertIn("the gradient could not be computed: IndexError", text)
        self.assertIn("that is the line marked BP4", text)


class RealCodeTest(unittest.TestCase):
    def test_everything_agrees(self):
        out = io.StringIO()
        self.assertTrue(gradcheck.run([4, 5, 3, 2], ["cross-entropy", "quadratic"], True, 1, out))
        self.assertNotIn("WRONG", out.getvalue())
        self.assertIn("everything agrees", out.getvalue())

    def test_bias_free_and_a_deeper_network(self):
        for sizes, bias in (([3, 4, 2], False), ([6, 5, 4, 3, 2], True)):
            with self.subTest(sizes=sizes, bias=bias):
                out = io.StringIO()
                self.assertTrue(gradcheck.run(sizes, ["cross-entropy", "quadratic"], bias, 3, out), out.getvalue())

    def test_exit_status_and_a_bad_command_line(self):
        self.assertEqual(gradcheck.main(["--layers", "3,2", "--cost", "quadratic"]), 0)
        with self.assertRaises(SystemExit) as exit:
            gradcheck.main(["--layers", "3,x"])
        self.assertEqual(exit.exception.code, 2)


class StepCheckTest(unittest.TestCase):
    def test_a_step_that_updates_before_bp2_is_caught(self):
        class UpdatesTooEarly(ReferenceNetwork):
            """Steps each layer as soon as its delta is known: BP2 then uses the updated W."""

            def train_sample(self, x, y, learning_rate):
                zs, activations = self.forward(x)
                L = len(self.sizes) - 1
                delta = self.errors(x, y)[L]
                for l in range(L, 0, -1):
                    for j, row in enumerate(self.weights[l - 1]):
                        for k in range(len(row)):
                            row[k] -= learning_rate * delta[j] * activations[l - 1][k]
                        self.biases[l - 1][j] -= learning_rate * delta[j]
                    if l > 1:
                        W = self.weights[l - 1]
                        delta = [sum(W[j][k] * delta[j] for j in range(len(W)))
                                 * activations[l - 1][k] * (1 - activations[l - 1][k])
                                 for k in range(len(W[0]))]

        network = UpdatesTooEarly([3, 4, 2], seed=2)
        samples = gradcheck.samples_for([3, 4, 2], 3, 2)
        (what, difference), _ = gradcheck.check_step(network, samples)
        self.assertIn("train_sample", what)
        self.assertGreater(difference, 1e-6)
        for good in (ReferenceNetwork([3, 4, 2], seed=2), Network([3, 4, 2], seed=2)):
            for what, difference in gradcheck.check_step(good, samples):
                self.assertLessEqual(difference, gradcheck.STEP_TOLERANCE, what)


class RowTest(unittest.TestCase):
    def test_describe_names_layer_parameter_index_and_both_values(self):
        row = gradcheck.Row(2, "W")
        row.add((0, 0), 0.5, 0.5)
        row.add((1, 3), 0.25, 0.125)
        self.assertFalse(row.ok)
        self.assertEqual(row.describe(), "layer 2, dC/dW^2[1][3]: analytic 0.25, numeric 0.125 (error 0.5)")

    def test_small_derivatives_are_compared_absolutely(self):
        self.assertEqual(gradcheck.error(2e-12, 1e-12), 1e-12 / gradcheck.FLOOR)
        self.assertEqual(gradcheck.error(-1.0, 1.0), 2.0)


if __name__ == "__main__":
    unittest.main()
